//! Responsibility for a closed complaint (R-AC-1): the parties and their shares, proposed and
//! then approved or rejected.

use crate::error::Result;
use crate::{on_conn, Conn};
use uuid::Uuid;

/// The assignment of one complaint.
#[derive(Debug, Clone, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct AssignmentRow {
    pub state: String,
    pub proposed_by: i64,
    pub proposed_name: String,
    pub proposed_at: i64,
    pub decided_name: Option<String>,
    pub decided_at: Option<i64>,
    pub note: Option<String>,
}

/// One party's share.
#[derive(Debug, Clone, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct ShareRow {
    pub kind: String,
    pub party: String,
    pub user_id: Option<i64>,
    pub share_bp: i64,
}

/// The assignment of a complaint, if any, with its shares in the order given.
pub async fn of(c: &mut Conn<'_>, complaint: Uuid) -> Result<Option<(AssignmentRow, Vec<ShareRow>)>> {
    let row: Option<AssignmentRow> = on_conn!(c, |c| {
        sqlx::query_as(
        "SELECT r.state, r.proposed_by, p.display_name AS proposed_name, r.proposed_at, d.display_name AS decided_name, \
         r.decided_at, r.note FROM responsibility r JOIN app_user p ON p.id = r.proposed_by \
         LEFT JOIN app_user d ON d.id = r.decided_by WHERE r.complaint_id = $1"
    )
    .bind(complaint)
    .fetch_optional(&mut **c)
    .await
    })?;
    let Some(row) = row else { return Ok(None) };
    let shares: Vec<ShareRow> = on_conn!(c, |c| sqlx::query_as(
        "SELECT kind, party, user_id, share_bp FROM responsibility_share WHERE complaint_id = $1 ORDER BY position"
    )
    .bind(complaint)
    .fetch_all(&mut **c)
    .await)?;
    Ok(Some((row, shares)))
}

/// Proposes an assignment, replacing a rejected one.
pub async fn propose(c: &mut Conn<'_>, complaint: Uuid, shares: &[ShareRow], by: i64, now_ms: i64) -> Result<()> {
    for sql in [
        "DELETE FROM responsibility_share WHERE complaint_id = $1",
        "DELETE FROM responsibility WHERE complaint_id = $1",
    ] {
        on_conn!(c, |c| sqlx::query(sql)
            .bind(complaint)
            .execute(&mut **c)
            .await
            .map(|_| ()))?;
    }
    on_conn!(c, |c| sqlx::query(
        "INSERT INTO responsibility (complaint_id, state, proposed_by, proposed_at) VALUES ($1, 'proposed', $2, $3)"
    )
    .bind(complaint)
    .bind(by)
    .bind(now_ms)
    .execute(&mut **c)
    .await
    .map(|_| ()))?;
    for (i, s) in shares.iter().enumerate() {
        on_conn!(c, |c| {
            sqlx::query(
            "INSERT INTO responsibility_share (complaint_id, position, kind, party, user_id, share_bp) VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(complaint)
        .bind(i as i64)
        .bind(&s.kind)
        .bind(&s.party)
        .bind(s.user_id)
        .bind(s.share_bp)
        .execute(&mut **c)
        .await
        .map(|_| ())
        })?;
    }
    Ok(())
}

/// Approves or rejects a proposed assignment; false when none is proposed.
pub async fn decide(
    c: &mut Conn<'_>,
    complaint: Uuid,
    approve: bool,
    by: i64,
    note: &str,
    now_ms: i64,
) -> Result<bool> {
    let n = on_conn!(c, |c| sqlx::query(
        "UPDATE responsibility SET state = $1, decided_by = $2, decided_at = $3, note = $4 \
         WHERE complaint_id = $5 AND state = 'proposed'"
    )
    .bind(if approve { "approved" } else { "rejected" })
    .bind(by)
    .bind(now_ms)
    .bind(note)
    .bind(complaint)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
