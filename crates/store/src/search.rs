//! The full-text index of complaints (R-AN-1): the server gives the words (segmented with
//! jieba), the database indexes them as they are. SQLite: FTS5; PostgreSQL: tsvector + GIN.

use crate::error::Result;
use crate::{on_conn, Backend, Conn};
use uuid::Uuid;

/// Adds words to a complaint's document (creating it), in the caller's transaction.
/// With no words it still records the complaint as indexed.
pub async fn add_words(c: &mut Conn<'_>, complaint: Uuid, words: &[String]) -> Result<()> {
    match c {
        Conn::Pg(pg) => {
            sqlx::query(
                "UPDATE complaint SET search = coalesce(search, ''::tsvector) || array_to_tsvector($1::text[]) WHERE id = $2",
            )
            .bind(words)
            .bind(complaint)
            .execute(&mut **pg)
            .await?;
        }
        Conn::Sqlite(_) => {
            let doc: Option<i64> = on_conn!(c, |c| sqlx::query_scalar(
                "SELECT doc FROM search_doc WHERE complaint_id = $1"
            )
            .bind(complaint)
            .fetch_optional(&mut **c)
            .await)?;
            let (doc, old) = match doc {
                Some(d) => {
                    let old: Option<String> = on_conn!(c, |c| sqlx::query_scalar(
                        "SELECT words FROM complaint_fts WHERE rowid = $1"
                    )
                    .bind(d)
                    .fetch_optional(&mut **c)
                    .await)?;
                    (d, old.unwrap_or_default())
                }
                None => {
                    let d: i64 = on_conn!(c, |c| {
                        sqlx::query_scalar(
                        "INSERT INTO search_doc (doc, complaint_id) SELECT COALESCE((SELECT MAX(doc) + 1 FROM search_doc \
                         WHERE doc >= c.received_at * 1048576 AND doc < (c.received_at + 1) * 1048576), c.received_at * 1048576), c.id \
                         FROM complaint c WHERE c.id = $1 RETURNING doc"
                    )
                    .bind(complaint)
                    .fetch_one(&mut **c)
                    .await
                    })?;
                    (d, String::new())
                }
            };
            let text = if old.is_empty() {
                words.join(" ")
            } else {
                format!("{old} {}", words.join(" "))
            };
            on_conn!(c, |c| sqlx::query(
                "INSERT OR REPLACE INTO complaint_fts (rowid, words) VALUES ($1, $2)"
            )
            .bind(doc)
            .bind(&text)
            .execute(&mut **c)
            .await
            .map(|_| ()))?;
        }
    }
    Ok(())
}

/// Indexes new complaints (none indexed yet) with their words, a few statements for all of
/// them on SQLite: their documents are numbered after the last one received the same
/// millisecond (so results come in received order), in one read, one insert and one FTS insert.
pub async fn add_new(c: &mut Conn<'_>, docs: &[(Uuid, i64, &[String])]) -> Result<()> {
    if matches!(c, Conn::Pg(_)) {
        for (id, _, words) in docs {
            add_words(c, *id, words).await?;
        }
        return Ok(());
    }
    for chunk in crate::shaped(docs, 256) {
        // One row per document, twins included, so the statement has the chunk's shape.
        let received: Vec<i64> = chunk.iter().map(|(_, r, _)| *r).collect();
        let sql = format!(
            "SELECT v.column1, (SELECT MAX(doc) FROM search_doc WHERE doc >= v.column1 * 1048576 \
             AND doc < (v.column1 + 1) * 1048576) FROM (VALUES {}) v",
            crate::values_rows(c.backend(), received.len(), 1)
        );
        let last: Vec<(i64, Option<i64>)> = on_conn!(c, |c| {
            let mut q = sqlx::query_as(&sql);
            for r in &received {
                q = q.bind(*r);
            }
            q.fetch_all(&mut **c).await
        })?;
        let mut next: std::collections::HashMap<i64, i64> = last
            .into_iter()
            .map(|(r, max)| (r, max.map_or(r * 1_048_576, |m| m + 1)))
            .collect();
        let mut numbered = Vec::with_capacity(chunk.len());
        for (id, r, words) in chunk {
            let slot = next.entry(*r).or_insert(r * 1_048_576);
            numbered.push((*slot, *id, words.join(" ")));
            *slot += 1;
        }
        let docs_sql = format!(
            "INSERT INTO search_doc (doc, complaint_id) VALUES {}",
            crate::values_rows(c.backend(), numbered.len(), 2)
        );
        let fts_sql = format!(
            "INSERT INTO complaint_fts (rowid, words) VALUES {}",
            crate::values_rows(c.backend(), numbered.len(), 2)
        );
        on_conn!(c, |c| {
            let mut q = sqlx::query(&docs_sql);
            for (doc, id, _) in &numbered {
                q = q.bind(*doc).bind(*id);
            }
            q.execute(&mut **c).await.map(|_| ())
        })?;
        on_conn!(c, |c| {
            let mut q = sqlx::query(&fts_sql);
            for (doc, _, text) in &numbered {
                q = q.bind(*doc).bind(text.as_str());
            }
            q.execute(&mut **c).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// The SQL condition matching complaints (`c`) whose document has every word, with its
/// bound value: words must be letters and digits only (as `domain::search` gives them).
pub fn condition(backend: Backend, words: &[String], placeholder: &str) -> (String, String) {
    match backend {
        Backend::Postgres => (
            format!("c.search @@ {placeholder}::tsquery"),
            words.iter().map(|w| format!("'{w}'")).collect::<Vec<_>>().join(" & "),
        ),
        Backend::Sqlite => (
            format!(
                "c.id IN (SELECT s.complaint_id FROM complaint_fts f JOIN search_doc s ON s.doc = f.rowid \
                 WHERE complaint_fts MATCH {placeholder})"
            ),
            walk_match(words),
        ),
    }
}

/// SQLite: the FROM clause that walks the documents matching `placeholder` in order of receipt
/// (their keys follow `received_at`, migration 0017), joined to their complaints `c`; ordered by `f.rowid`, a page
/// stops after its first matches instead of sorting them all.
pub(crate) fn walk_from(placeholder: &str) -> String {
    format!(
        "complaint_fts f CROSS JOIN search_doc s ON s.doc = f.rowid AND complaint_fts MATCH {placeholder} \
         CROSS JOIN complaint c ON c.id = s.complaint_id"
    )
}

/// SQLite: the value for [`walk_from`]'s placeholder (every word must occur).
pub(crate) fn walk_match(words: &[String]) -> String {
    words.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(" ")
}

/// The setting present once every complaint is in the index; every write indexes its complaint
/// in its own transaction, so from then on a start need not look for unindexed ones. A
/// migration that empties the index deletes it.
pub const WHOLE_KEY: &str = "backfill.search_whole";

/// Complaints not yet in the index (written before it existed), in id order after `after`, so
/// a rebuild walks the table once: (id, subject, description, demands).
pub async fn unindexed(
    c: &mut Conn<'_>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<(Uuid, String, String, Option<String>)>> {
    let sql = match c.backend() {
        Backend::Postgres => {
            "SELECT id, subject, description, demands FROM complaint WHERE ($1 IS NULL OR id > $1) AND search IS NULL \
             ORDER BY id LIMIT $2"
        }
        Backend::Sqlite => {
            "SELECT c.id, c.subject, c.description, c.demands FROM complaint c WHERE ($1 IS NULL OR c.id > $1) \
             AND NOT EXISTS (SELECT 1 FROM search_doc s WHERE s.complaint_id = c.id) ORDER BY c.id LIMIT $2"
        }
    };
    Ok(on_conn!(c, |c| sqlx::query_as(sql)
        .bind(after)
        .bind(limit)
        .fetch_all(&mut **c)
        .await)?)
}
