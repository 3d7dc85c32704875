//! The case library (案例沉淀, R-AN-8): closed complaints published with their lessons, without
//! the complainant's personal data, searchable by every staff member by Chinese words.

use crate::error::Result;
use crate::{on_conn, Conn};
use uuid::Uuid;

/// A published case.
#[derive(Debug, Clone, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct CaseRow {
    pub id: i64,
    pub number: String,
    pub category_code: String,
    pub project_name: String,
    pub title: String,
    pub summary: String,
    pub lessons: String,
    pub published_by: String,
    pub published_at: i64,
}

/// Publishes a complaint as a case; None when it already is one.
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    c: &mut Conn<'_>,
    complaint: Uuid,
    title: &str,
    summary: &str,
    lessons: &str,
    words: &[String],
    by: i64,
    now_ms: i64,
) -> Result<Option<i64>> {
    // Words are kept space-delimited, with a space at each end, for whole-word matching.
    let words = format!(" {} ", words.join(" "));
    Ok(on_conn!(c, |c| sqlx::query_scalar(
        "INSERT INTO case_entry (complaint_id, title, summary, lessons, words, published_by, published_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (complaint_id) DO NOTHING RETURNING id"
    )
    .bind(complaint)
    .bind(title)
    .bind(summary)
    .bind(lessons)
    .bind(words)
    .bind(by)
    .bind(now_ms)
    .fetch_optional(&mut **c)
    .await)?)
}

/// Cases whose words include every one of `words` (all cases when none), newest first.
pub async fn search(c: &mut Conn<'_>, words: &[String], limit: i64) -> Result<Vec<CaseRow>> {
    let mut sql = String::from(
        "SELECT e.id, k.number, k.category_code, n.name AS project_name, e.title, e.summary, e.lessons, \
         u.display_name AS published_by, e.published_at FROM case_entry e JOIN complaint k ON k.id = e.complaint_id \
         JOIN org_node n ON n.id = k.project_id JOIN app_user u ON u.id = e.published_by WHERE 1 = 1",
    );
    for i in 0..words.len() {
        sql.push_str(&format!(" AND e.words LIKE ${}", i + 2));
    }
    sql.push_str(" ORDER BY e.published_at DESC, e.id DESC LIMIT $1");
    Ok(on_conn!(c, |c| {
        let mut q = sqlx::query_as::<_, CaseRow>(&sql).bind(limit);
        for w in words {
            // Words are letters and digits only (domain::search), so no LIKE wildcard gets in.
            q = q.bind(format!("% {w} %"));
        }
        q.fetch_all(&mut **c).await
    })?)
}
