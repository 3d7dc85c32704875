//! Running clocks read for recomputation, and business hours per org node (R-SLA-1, R-SLA-2).

use crate::error::Result;
use crate::{on_conn, Conn};
use uuid::Uuid;

/// A running clock the sweep still watches, with what its due time depends on.
#[derive(Debug, Clone, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct RunningClock {
    pub complaint_id: Uuid,
    pub clock: String,
    pub started_at: i64,
    pub due_at: i64,
    pub warned_at: Option<i64>,
    pub grade: String,
    pub category_code: String,
    pub org_path: String,
}

/// Clocks of the given kinds that may be recomputed: running, not yet breached, started at a
/// known time and not moved by an approved extension (which keeps its approved due time).
pub async fn recomputable(c: &mut Conn<'_>, clocks: &[&str]) -> Result<Vec<RunningClock>> {
    let marks: Vec<String> = (1..=clocks.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT d.complaint_id, d.clock, d.started_at, d.due_at, d.warned_at, c.grade, c.category_code, c.org_path \
         FROM deadline d JOIN complaint c ON c.id = d.complaint_id \
         WHERE d.met_at IS NULL AND d.next_action_at IS NOT NULL AND d.breached_at IS NULL \
         AND d.state = 'running' AND d.started_at IS NOT NULL AND d.extended_at IS NULL AND d.clock IN ({})",
        marks.join(", ")
    );
    Ok(on_conn!(c, |c| {
        let mut q = sqlx::query_as::<_, RunningClock>(&sql);
        for clock in clocks {
            q = q.bind(*clock);
        }
        q.fetch_all(&mut **c).await
    })?)
}

/// Moves running clocks to recomputed due times and next looks, in one statement:
/// (complaint, clock, due ms, next look ms).
pub async fn set_due(c: &mut Conn<'_>, moves: &[(Uuid, String, i64, i64)]) -> Result<()> {
    if moves.is_empty() {
        return Ok(());
    }
    let rows: Vec<String> = (0..moves.len())
        .map(|i| format!("(${}, ${}, ${}, ${})", 4 * i + 1, 4 * i + 2, 4 * i + 3, 4 * i + 4))
        .collect();
    // VALUES columns are named column1… on both SQLite and PostgreSQL.
    let sql = format!(
        "UPDATE deadline SET due_at = v.column3, next_action_at = v.column4 FROM (VALUES {}) AS v \
         WHERE deadline.complaint_id = v.column1 AND deadline.clock = v.column2",
        rows.join(", ")
    );
    on_conn!(c, |c| {
        let mut q = sqlx::query(&sql);
        for (complaint, clock, due, next) in moves {
            q = q.bind(*complaint).bind(clock.as_str()).bind(*due).bind(*next);
        }
        q.execute(&mut **c).await.map(|_| ())
    })?;
    Ok(())
}

/// Business hours set on an org node.
#[derive(Debug, Clone, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct NodeHours {
    pub code: String,
    pub name: String,
    pub path: String,
    pub open_min: i64,
    pub close_min: i64,
}

/// Every node that sets its own business hours, by path.
pub async fn hours(c: &mut Conn<'_>) -> Result<Vec<NodeHours>> {
    Ok(on_conn!(c, |c| sqlx::query_as::<_, NodeHours>(
        "SELECT code, name, path, CAST(open_min AS BIGINT) AS open_min, CAST(close_min AS BIGINT) AS close_min \
         FROM org_node WHERE open_min IS NOT NULL AND close_min IS NOT NULL ORDER BY path"
    )
    .fetch_all(&mut **c)
    .await)?)
}

/// Clears every node's own hours (before the new set is written).
pub async fn clear_hours(c: &mut Conn<'_>) -> Result<()> {
    on_conn!(c, |c| sqlx::query(
        "UPDATE org_node SET open_min = NULL, close_min = NULL \
                                 WHERE open_min IS NOT NULL OR close_min IS NOT NULL"
    )
    .execute(&mut **c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Sets a node's hours by its code; false when there is no such node.
pub async fn set_hours(c: &mut Conn<'_>, code: &str, open_min: i64, close_min: i64) -> Result<bool> {
    let n = on_conn!(c, |c| sqlx::query(
        "UPDATE org_node SET open_min = $1, close_min = $2 WHERE code = $3"
    )
    .bind(open_min as i32)
    .bind(close_min as i32)
    .bind(code)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Breached clocks not yet met of complaints in the given (open) states, by clock, for metrics.
pub async fn overdue(c: &mut Conn<'_>, open_states: &[&str]) -> Result<Vec<(String, i64)>> {
    let marks: Vec<String> = (1..=open_states.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT d.clock, COUNT(*) FROM deadline d JOIN complaint c ON c.id = d.complaint_id \
         WHERE d.state = 'breached' AND d.met_at IS NULL AND c.state IN ({}) GROUP BY d.clock ORDER BY d.clock",
        marks.join(", ")
    );
    Ok(on_conn!(c, |c| {
        let mut q = sqlx::query_as(&sql);
        for s in open_states {
            q = q.bind(*s);
        }
        q.fetch_all(&mut **c).await
    })?)
}
