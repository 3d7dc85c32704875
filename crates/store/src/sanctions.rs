//! Penalties and rewards (R-AC-2): efficiency bonuses per person and month, the ledger, and
//! the months closed for HR. Money is integer fen.

use crate::error::Result;
use crate::{on_conn, Conn};
use uuid::Uuid;

/// Records a person's efficiency bonus for a month (replacing it).
pub async fn set_bonus(c: &mut Conn<'_>, user: i64, month: &str, amount_fen: i64) -> Result<()> {
    on_conn!(c, |c| sqlx::query(
        "INSERT INTO efficiency_bonus (user_id, month, amount_fen) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, month) DO UPDATE SET amount_fen = excluded.amount_fen"
    )
    .bind(user)
    .bind(month)
    .bind(amount_fen)
    .execute(&mut **c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// A person's efficiency bonus for a month, if recorded.
pub async fn bonus(c: &mut Conn<'_>, user: i64, month: &str) -> Result<Option<i64>> {
    Ok(on_conn!(c, |c| sqlx::query_scalar(
        "SELECT amount_fen FROM efficiency_bonus WHERE user_id = $1 AND month = $2"
    )
    .bind(user)
    .bind(month)
    .fetch_optional(&mut **c)
    .await)?)
}

/// A ledger entry to record.
#[derive(Debug, Clone)]
#[allow(missing_docs)]
pub struct NewSanction<'a> {
    pub user_id: i64,
    pub month: &'a str,
    pub kind: &'a str,
    pub bases: i64,
    pub amount_fen: i64,
    pub complaint_id: Option<Uuid>,
    pub reason: &'a str,
    pub created_by: i64,
}

/// Records a ledger entry; its id.
pub async fn insert(c: &mut Conn<'_>, s: &NewSanction<'_>, now_ms: i64) -> Result<i64> {
    Ok(on_conn!(c, |c| sqlx::query_scalar(
        "INSERT INTO sanction (user_id, month, kind, bases, amount_fen, complaint_id, reason, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"
    )
    .bind(s.user_id)
    .bind(s.month)
    .bind(s.kind)
    .bind(s.bases)
    .bind(s.amount_fen)
    .bind(s.complaint_id)
    .bind(s.reason)
    .bind(s.created_by)
    .bind(now_ms)
    .fetch_one(&mut **c)
    .await)?)
}

/// Whether a month is closed.
pub async fn is_closed(c: &mut Conn<'_>, month: &str) -> Result<bool> {
    let n: Option<String> = on_conn!(c, |c| sqlx::query_scalar(
        "SELECT month FROM closed_month WHERE month = $1"
    )
    .bind(month)
    .fetch_optional(&mut **c)
    .await)?;
    Ok(n.is_some())
}

/// Closes a month; false when it already was.
pub async fn close(c: &mut Conn<'_>, month: &str, by: i64, now_ms: i64) -> Result<bool> {
    let id: Option<String> = on_conn!(c, |c| {
        sqlx::query_scalar(
        "INSERT INTO closed_month (month, closed_by, closed_at) VALUES ($1, $2, $3) ON CONFLICT (month) DO NOTHING RETURNING month"
    )
    .bind(month)
    .bind(by)
    .bind(now_ms)
    .fetch_optional(&mut **c)
    .await
    })?;
    Ok(id.is_some())
}

/// Per person and month up to `month`: (user, month, bonus or none, penalties, rewards) in fen.
pub async fn months_up_to(c: &mut Conn<'_>, month: &str) -> Result<Vec<(i64, String, Option<i64>, i64, i64)>> {
    Ok(on_conn!(c, |c| {
        sqlx::query_as(
        "SELECT x.user_id, x.month, b.amount_fen, \
         CAST(COALESCE(SUM(CASE WHEN s.kind IN ('warning', 'minor_demerit', 'major_demerit') THEN s.amount_fen END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN s.kind NOT IN ('warning', 'minor_demerit', 'major_demerit') THEN s.amount_fen END), 0) AS BIGINT) \
         FROM (SELECT user_id, month FROM efficiency_bonus WHERE month <= $1 UNION SELECT user_id, month FROM sanction WHERE month <= $1) x \
         LEFT JOIN efficiency_bonus b ON b.user_id = x.user_id AND b.month = x.month \
         LEFT JOIN sanction s ON s.user_id = x.user_id AND s.month = x.month \
         GROUP BY x.user_id, x.month, b.amount_fen ORDER BY x.user_id, x.month"
    )
    .bind(month)
    .fetch_all(&mut **c)
    .await
    })?)
}

/// Penalties and rewards recorded for a month per person: (user, penalties, rewards) in fen.
pub async fn sums_for_month(c: &mut Conn<'_>, month: &str) -> Result<Vec<(i64, i64, i64)>> {
    Ok(on_conn!(c, |c| {
        sqlx::query_as(
        "SELECT user_id, \
         CAST(COALESCE(SUM(CASE WHEN kind IN ('warning', 'minor_demerit', 'major_demerit') THEN amount_fen END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN kind NOT IN ('warning', 'minor_demerit', 'major_demerit') THEN amount_fen END), 0) AS BIGINT) \
         FROM sanction WHERE month = $1 GROUP BY user_id"
    )
    .bind(month)
    .fetch_all(&mut **c)
    .await
    })?)
}
