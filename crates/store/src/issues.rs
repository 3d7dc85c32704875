//! Common issues and their rectification (共性问题 / 专项整改, R-AN-6): complaints that share a
//! root cause, grouped under one issue with a plan, an owner, a deadline and a result.

use crate::error::Result;
use crate::{on_conn, Conn};
use domain::access::Scope;
use uuid::Uuid;

/// A stored issue.
#[derive(Debug, Clone, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct IssueRow {
    pub id: i64,
    pub org_path: String,
    pub title: String,
    pub root_cause: String,
    pub plan: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub deadline: String,
    pub state: String,
    pub result: Option<String>,
    pub reported_at: Option<i64>,
    pub created_at: i64,
    pub complaints: i64,
}

/// A new issue.
#[derive(Debug, Clone)]
#[allow(missing_docs)]
pub struct NewIssue<'a> {
    pub org_path: &'a str,
    pub title: &'a str,
    pub root_cause: &'a str,
    pub plan: &'a str,
    pub owner_id: i64,
    pub deadline: &'a str,
    pub created_by: i64,
}

/// Creates an issue, open; its id.
pub async fn insert(c: &mut Conn<'_>, i: &NewIssue<'_>, now_ms: i64) -> Result<i64> {
    Ok(on_conn!(c, |c| {
        sqlx::query_scalar(
        "INSERT INTO common_issue (org_path, title, root_cause, plan, owner_id, deadline, state, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $8) RETURNING id"
    )
    .bind(i.org_path)
    .bind(i.title)
    .bind(i.root_cause)
    .bind(i.plan)
    .bind(i.owner_id)
    .bind(i.deadline)
    .bind(i.created_by)
    .bind(now_ms)
    .fetch_one(&mut **c)
    .await
    })?)
}

/// Adds complaints to an issue (again is harmless).
pub async fn link(c: &mut Conn<'_>, issue: i64, complaints: &[Uuid]) -> Result<()> {
    for id in complaints {
        on_conn!(c, |c| sqlx::query(
            "INSERT INTO common_issue_complaint (issue_id, complaint_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
        )
        .bind(issue)
        .bind(id)
        .execute(&mut **c)
        .await
        .map(|_| ()))?;
    }
    Ok(())
}

const SELECT: &str =
    "SELECT i.id, i.org_path, i.title, i.root_cause, i.plan, i.owner_id, u.display_name AS owner_name, \
    i.deadline, i.state, i.result, i.reported_at, i.created_at, \
    (SELECT COUNT(*) FROM common_issue_complaint x WHERE x.issue_id = i.id) AS complaints \
    FROM common_issue i JOIN app_user u ON u.id = i.owner_id";

/// Issues in a scope, newest first; one when `id` is given.
pub async fn list(c: &mut Conn<'_>, scope: &Scope, id: Option<i64>) -> Result<Vec<IssueRow>> {
    let Some((cond, args)) = crate::scope_sql(scope, "i", 2) else {
        return Ok(vec![]);
    };
    let one = if id.is_some() { "i.id = $1" } else { "$1 = $1" };
    let sql = format!("{SELECT} WHERE {one} AND {cond} ORDER BY i.created_at DESC, i.id DESC LIMIT 500");
    Ok(on_conn!(c, |c| {
        let mut q = sqlx::query_as::<_, IssueRow>(&sql).bind(id.unwrap_or(0));
        for a in &args {
            q = q.bind(a);
        }
        q.fetch_all(&mut **c).await
    })?)
}

/// The numbers of an issue's complaints, with the complainant's phone and e-mail.
pub async fn complaints(c: &mut Conn<'_>, issue: i64) -> Result<Vec<(Uuid, String, Option<String>, Option<String>)>> {
    Ok(on_conn!(c, |c| {
        sqlx::query_as(
        "SELECT k.id, k.number, p.phone, p.email FROM common_issue_complaint x JOIN complaint k ON k.id = x.complaint_id \
         JOIN complainant p ON p.id = k.complainant_id WHERE x.issue_id = $1 ORDER BY k.number"
    )
    .bind(issue)
    .fetch_all(&mut **c)
    .await
    })?)
}

/// Moves an issue on: `rectifying` with the plan under way, or `done` with its result reported.
pub async fn set_state(c: &mut Conn<'_>, id: i64, state: &str, result: Option<&str>, now_ms: i64) -> Result<bool> {
    let reported = (state == "done").then_some(now_ms);
    let n = on_conn!(c, |c| {
        sqlx::query(
        "UPDATE common_issue SET state = $1, result = COALESCE($2, result), reported_at = COALESCE($3, reported_at), \
         updated_at = $4 WHERE id = $5 AND state <> 'done'"
    )
    .bind(state)
    .bind(result)
    .bind(reported)
    .bind(now_ms)
    .bind(id)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}
