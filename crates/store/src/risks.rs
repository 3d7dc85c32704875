//! The risk register (客户风险预控, R-AN-7): known risks before any complaint, with their source,
//! assessment, level, mitigation, owner and status.

use crate::error::Result;
use crate::{on_conn, Conn};
use domain::access::Scope;

/// A stored risk.
#[derive(Debug, Clone, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct RiskRow {
    pub id: i64,
    pub org_path: String,
    pub source: String,
    pub title: String,
    pub assessment: String,
    pub level: String,
    pub mitigation: String,
    pub status: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub review_on: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The fields of a risk as written.
#[derive(Debug, Clone)]
#[allow(missing_docs)]
pub struct RiskInput<'a> {
    pub org_path: &'a str,
    pub source: &'a str,
    pub title: &'a str,
    pub assessment: &'a str,
    pub level: &'a str,
    pub mitigation: &'a str,
    pub status: &'a str,
    pub owner_id: i64,
    pub review_on: &'a str,
}

/// Registers a risk; its id.
pub async fn insert(c: &mut Conn<'_>, r: &RiskInput<'_>, by: i64, now_ms: i64) -> Result<i64> {
    Ok(on_conn!(c, |c| {
        sqlx::query_scalar(
        "INSERT INTO risk (org_path, source, title, assessment, level, mitigation, status, owner_id, review_on, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id"
    )
    .bind(r.org_path)
    .bind(r.source)
    .bind(r.title)
    .bind(r.assessment)
    .bind(r.level)
    .bind(r.mitigation)
    .bind(r.status)
    .bind(r.owner_id)
    .bind(r.review_on)
    .bind(by)
    .bind(now_ms)
    .fetch_one(&mut **c)
    .await
    })?)
}

/// Rewrites a risk's fields (not its place in the org tree).
pub async fn update(c: &mut Conn<'_>, id: i64, r: &RiskInput<'_>, now_ms: i64) -> Result<bool> {
    let n = on_conn!(c, |c| {
        sqlx::query(
        "UPDATE risk SET source = $1, title = $2, assessment = $3, level = $4, mitigation = $5, status = $6, owner_id = $7, \
         review_on = $8, updated_at = $9 WHERE id = $10"
    )
    .bind(r.source)
    .bind(r.title)
    .bind(r.assessment)
    .bind(r.level)
    .bind(r.mitigation)
    .bind(r.status)
    .bind(r.owner_id)
    .bind(r.review_on)
    .bind(now_ms)
    .bind(id)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Risks in a scope, open ones first, highest level first; one when `id` is given.
pub async fn list(c: &mut Conn<'_>, scope: &Scope, id: Option<i64>) -> Result<Vec<RiskRow>> {
    let Some((cond, args)) = crate::scope_sql(scope, "r", 2) else {
        return Ok(vec![]);
    };
    let one = if id.is_some() { "r.id = $1" } else { "$1 = $1" };
    let sql = format!(
        "SELECT r.id, r.org_path, r.source, r.title, r.assessment, r.level, r.mitigation, r.status, r.owner_id, \
         u.display_name AS owner_name, r.review_on, r.created_at, r.updated_at FROM risk r JOIN app_user u ON u.id = r.owner_id \
         WHERE {one} AND {cond} ORDER BY CASE r.status WHEN 'closed' THEN 1 ELSE 0 END, \
         CASE r.level WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, r.id DESC LIMIT 500"
    );
    Ok(on_conn!(c, |c| {
        let mut q = sqlx::query_as::<_, RiskRow>(&sql).bind(id.unwrap_or(0));
        for a in &args {
            q = q.bind(a);
        }
        q.fetch_all(&mut **c).await
    })?)
}
