//! Evidence attachments: metadata rows; the bytes live in files under the data directory.

use crate::error::Result;
use crate::{on_conn, Conn};
use uuid::Uuid;

/// An attachment as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct AttachmentRow {
    pub id: Uuid,
    pub complaint_id: Uuid,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub stored_path: String,
    pub uploaded_by: Option<i64>,
    pub uploaded_at: i64,
}

/// Records an attachment.
pub async fn insert(c: &mut Conn<'_>, a: &AttachmentRow) -> Result<()> {
    on_conn!(c, |c| {
        sqlx::query(
        "INSERT INTO attachment (id, complaint_id, filename, content_type, size, sha256, stored_path, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    )
    .bind(a.id)
    .bind(a.complaint_id)
    .bind(&a.filename)
    .bind(&a.content_type)
    .bind(a.size)
    .bind(&a.sha256)
    .bind(&a.stored_path)
    .bind(a.uploaded_by)
    .bind(a.uploaded_at)
    .execute(&mut **c)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

const COLUMNS: &str = "id, complaint_id, filename, content_type, size, sha256, stored_path, uploaded_by, uploaded_at";

/// The attachments of several complaints, oldest first.
pub async fn of(c: &mut Conn<'_>, ids: &[Uuid]) -> Result<Vec<AttachmentRow>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let ps: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT {COLUMNS} FROM attachment WHERE complaint_id IN ({}) ORDER BY uploaded_at, id",
        ps.join(", ")
    );
    Ok(on_conn!(c, |c| {
        let mut q = sqlx::query_as::<_, AttachmentRow>(&sql);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(&mut **c).await
    })?)
}

/// One attachment by id.
pub async fn get(c: &mut Conn<'_>, id: Uuid) -> Result<Option<AttachmentRow>> {
    let sql = format!("SELECT {COLUMNS} FROM attachment WHERE id = $1");
    Ok(on_conn!(c, |c| sqlx::query_as::<_, AttachmentRow>(&sql)
        .bind(id)
        .fetch_optional(&mut **c)
        .await)?)
}
