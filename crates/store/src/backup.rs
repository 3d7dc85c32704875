//! SQLite online backup and integrity checks (R-OP-3), and the audit chain head.

use crate::error::Result;
use crate::{on_conn, Conn};
use sqlx::Connection;

/// Writes a consistent copy of the SQLite database at `url` to the new file `out` with
/// `VACUUM INTO`: one read transaction, so writers go on meanwhile.
pub async fn sqlite_vacuum_into(url: &str, out: &str) -> Result<()> {
    let mut c = sqlx::SqliteConnection::connect(url).await?;
    sqlx::query("VACUUM INTO ?").bind(out).execute(&mut c).await?;
    c.close().await?;
    Ok(())
}

/// `PRAGMA integrity_check` of a SQLite file, opened read-only: `ok` or what is wrong.
pub async fn sqlite_integrity(path: &str) -> Result<String> {
    let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{path}?mode=ro")).await?;
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&mut c).await?;
    c.close().await?;
    Ok(verdict)
}

/// The audit chain head: number of events and the newest hash.
pub async fn audit_head(c: &mut Conn<'_>) -> Result<(i64, String)> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT seq, hash FROM audit_head WHERE id = 1"
    )
    .fetch_one(&mut **c)
    .await)?)
}
