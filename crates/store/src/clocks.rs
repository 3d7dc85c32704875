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

/// Clocks that may be recomputed: running, not yet breached, started at a known time and not
/// moved by an approved extension (which keeps its approved due time).
pub async fn recomputable(c: &mut Conn<'_>) -> Result<Vec<RunningClock>> {
    Ok(on_conn!(c, |c| sqlx::query_as::<_, RunningClock>(
        "SELECT d.complaint_id, d.clock, d.started_at, d.due_at, d.warned_at, c.grade, c.category_code, c.org_path \
         FROM deadline d JOIN complaint c ON c.id = d.complaint_id \
         WHERE d.met_at IS NULL AND d.next_action_at IS NOT NULL AND d.breached_at IS NULL \
         AND d.state = 'running' AND d.started_at IS NOT NULL AND d.extended_at IS NULL"
    )
    .fetch_all(&mut **c)
    .await)?)
}

/// Moves a running clock to a recomputed due time and next look.
pub async fn set_due(c: &mut Conn<'_>, complaint: Uuid, clock: &str, due_ms: i64, next_ms: i64) -> Result<()> {
    on_conn!(c, |c| sqlx::query(
        "UPDATE deadline SET due_at = $1, next_action_at = $2 WHERE complaint_id = $3 AND clock = $4"
    )
    .bind(due_ms)
    .bind(next_ms)
    .bind(complaint)
    .bind(clock)
    .execute(&mut **c)
    .await
    .map(|_| ()))?;
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
