//! The notification outbox (R-NT-3): messages are written in the transaction of the change that
//! causes them; a delivery job sends them later with retries.

use crate::error::Result;
use crate::{on_conn, Conn};
use uuid::Uuid;

/// A message to enqueue.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    /// What it is, e.g. `complaint_registered`.
    pub kind: &'a str,
    /// Channel code: `sms`, `email`, `inbox`, `wecom`, …
    pub channel: &'a str,
    /// Phone, address, user id or webhook name.
    pub recipient: &'a str,
    /// The complaint it concerns.
    pub complaint_id: Option<Uuid>,
    /// JSON payload with the text in both languages.
    pub payload: &'a serde_json::Value,
}

/// Enqueues a message, due at once.
pub async fn enqueue(c: &mut Conn<'_>, m: &Message<'_>, now_ms: i64) -> Result<i64> {
    Ok(on_conn!(c, |c| {
        sqlx::query_scalar(
            "INSERT INTO outbox (created_at, kind, channel, recipient, complaint_id, payload, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $1) RETURNING id",
        )
        .bind(now_ms)
        .bind(m.kind)
        .bind(m.channel)
        .bind(m.recipient)
        .bind(m.complaint_id)
        .bind(m.payload.to_string())
        .fetch_one(&mut **c)
        .await
    })?)
}

/// A message as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    /// Kind.
    pub kind: String,
    /// Channel.
    pub channel: String,
    /// Recipient.
    pub recipient: String,
    /// JSON payload.
    pub payload: String,
}

/// Messages of a complaint, oldest first.
pub async fn of_complaint(c: &mut Conn<'_>, complaint: Uuid) -> Result<Vec<OutboxRow>> {
    Ok(on_conn!(c, |c| sqlx::query_as::<_, OutboxRow>(
        "SELECT kind, channel, recipient, payload FROM outbox WHERE complaint_id = $1 ORDER BY id"
    )
    .bind(complaint)
    .fetch_all(&mut **c)
    .await)?)
}
