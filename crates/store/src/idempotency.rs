//! Idempotency keys (R-IN-6): the first response to a key is stored with the change it made.

use crate::error::Result;
use crate::{on_conn, Conn};

/// A stored first response.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Stored {
    /// Hash of the request body that used the key first.
    pub request_hash: String,
    /// HTTP status of the first response.
    pub status: i32,
    /// Body of the first response.
    pub response: String,
}

/// The stored response for a user's key.
pub async fn get(c: &mut Conn<'_>, user_id: i64, key: &str) -> Result<Option<Stored>> {
    Ok(on_conn!(c, |c| sqlx::query_as::<_, Stored>(
        "SELECT request_hash, status, response FROM idempotency WHERE user_id = $1 AND key = $2"
    )
    .bind(user_id)
    .bind(key)
    .fetch_optional(&mut **c)
    .await)?)
}

/// Stores the first response for a key; a concurrent duplicate fails on the primary key.
pub async fn put(
    c: &mut Conn<'_>,
    user_id: i64,
    key: &str,
    request_hash: &str,
    status: i32,
    response: &str,
    now_ms: i64,
) -> Result<()> {
    on_conn!(c, |c| {
        sqlx::query(
        "INSERT INTO idempotency (user_id, key, request_hash, status, response, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(user_id)
    .bind(key)
    .bind(request_hash)
    .bind(status)
    .bind(response)
    .bind(now_ms)
    .execute(&mut **c)
    .await.map(|_| ())
    })?;
    Ok(())
}
