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

/// Marks a change of cached settings (calendar, clock policy, business hours, taxonomy) so
/// every process reloads them; returns the new epoch.
pub async fn bump_epoch(c: &mut Conn<'_>) -> Result<i64> {
    Ok(on_conn!(c, |c| sqlx::query_scalar(
        "UPDATE settings_epoch SET epoch = epoch + 1 WHERE id = 1 RETURNING epoch"
    )
    .fetch_one(&mut **c)
    .await)?)
}

/// The current settings epoch.
pub async fn epoch(c: &mut Conn<'_>) -> Result<i64> {
    Ok(on_conn!(c, |c| sqlx::query_scalar(
        "SELECT epoch FROM settings_epoch WHERE id = 1"
    )
    .fetch_one(&mut **c)
    .await)?)
}
