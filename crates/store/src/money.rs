//! Compensation payments and customer-relations expense budgets (R-AC-3). Money is integer fen.

use crate::error::Result;
use crate::{on_conn, Conn};
use uuid::Uuid;

/// Records that a complaint's approved compensation was paid; false when it already was.
pub async fn record_payment(
    c: &mut Conn<'_>,
    complaint: Uuid,
    amount_fen: i64,
    paid_on: &str,
    reference: &str,
    by: i64,
    now_ms: i64,
) -> Result<bool> {
    let done: Option<i64> = on_conn!(c, |c| {
        sqlx::query_scalar(
        "INSERT INTO compensation_payment (complaint_id, amount_fen, paid_on, reference, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (complaint_id) DO NOTHING RETURNING amount_fen"
    )
    .bind(complaint)
    .bind(amount_fen)
    .bind(paid_on)
    .bind(reference)
    .bind(by)
    .bind(now_ms)
    .fetch_optional(&mut **c)
    .await
    })?;
    Ok(done.is_some())
}

/// A complaint's payment: (amount, paid on, reference).
pub async fn payment(c: &mut Conn<'_>, complaint: Uuid) -> Result<Option<(i64, String, String)>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT amount_fen, paid_on, reference FROM compensation_payment WHERE complaint_id = $1"
    )
    .bind(complaint)
    .fetch_optional(&mut **c)
    .await)?)
}

/// Sets a region's budget for a year.
pub async fn set_budget(c: &mut Conn<'_>, region: &str, year: i64, target_fen: i64, budget_fen: i64) -> Result<()> {
    on_conn!(c, |c| {
        sqlx::query(
        "INSERT INTO expense_budget (region, year, sales_target_fen, budget_fen) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (region, year) DO UPDATE SET sales_target_fen = excluded.sales_target_fen, budget_fen = excluded.budget_fen"
    )
    .bind(region)
    .bind(year)
    .bind(target_fen)
    .bind(budget_fen)
    .execute(&mut **c)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// A region's budget for a year: (sales target, budget).
pub async fn budget(c: &mut Conn<'_>, region: &str, year: i64) -> Result<Option<(i64, i64)>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT sales_target_fen, budget_fen FROM expense_budget WHERE region = $1 AND year = $2"
    )
    .bind(region)
    .bind(year)
    .fetch_optional(&mut **c)
    .await)?)
}

/// Records an expense; its id.
#[allow(clippy::too_many_arguments)]
pub async fn add_expense(
    c: &mut Conn<'_>,
    region: &str,
    spent_on: &str,
    kind: &str,
    amount_fen: i64,
    note: &str,
    by: i64,
    now_ms: i64,
) -> Result<i64> {
    Ok(on_conn!(c, |c| sqlx::query_scalar(
        "INSERT INTO expense (region, spent_on, kind, amount_fen, note, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
    )
    .bind(region)
    .bind(spent_on)
    .bind(kind)
    .bind(amount_fen)
    .bind(note)
    .bind(by)
    .bind(now_ms)
    .fetch_one(&mut **c)
    .await)?)
}

/// A region's spending in a year by kind: (kind, fen).
pub async fn spending(c: &mut Conn<'_>, region: &str, year: i64) -> Result<Vec<(String, i64)>> {
    Ok(on_conn!(c, |c| {
        sqlx::query_as(
        "SELECT kind, CAST(SUM(amount_fen) AS BIGINT) FROM expense WHERE region = $1 AND spent_on >= $2 AND spent_on <= $3 GROUP BY kind"
    )
    .bind(region)
    .bind(format!("{year:04}-01-01"))
    .bind(format!("{year:04}-12-31"))
    .fetch_all(&mut **c)
    .await
    })?)
}

/// Compensation paid in a year for complaints under an org path, in fen.
pub async fn compensation_paid(c: &mut Conn<'_>, path: &str, year: i64) -> Result<i64> {
    Ok(on_conn!(c, |c| {
        sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(p.amount_fen), 0) AS BIGINT) FROM compensation_payment p JOIN complaint k ON k.id = p.complaint_id \
         WHERE k.org_path >= $1 AND k.org_path < $2 AND p.paid_on >= $3 AND p.paid_on <= $4"
    )
    .bind(path)
    .bind(domain::org::prefix_upper_bound(path))
    .bind(format!("{year:04}-01-01"))
    .bind(format!("{year:04}-12-31"))
    .fetch_one(&mut **c)
    .await
    })?)
}
