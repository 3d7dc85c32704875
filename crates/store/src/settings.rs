//! Named settings stored as JSON text (approval tiers and other policies an administrator edits).

use crate::error::Result;
use crate::{on_conn, Conn};

/// A setting's stored JSON text.
pub async fn get(c: &mut Conn<'_>, key: &str) -> Result<Option<String>> {
    Ok(on_conn!(c, |c| sqlx::query_scalar(
        "SELECT value FROM setting WHERE key = $1"
    )
    .bind(key)
    .fetch_optional(&mut **c)
    .await)?)
}

/// Stores a setting.
pub async fn put(c: &mut Conn<'_>, key: &str, value: &str) -> Result<()> {
    on_conn!(c, |c| sqlx::query(
        "INSERT INTO setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    )
    .bind(key)
    .bind(value)
    .execute(&mut **c)
    .await
    .map(|_| ()))?;
    Ok(())
}
