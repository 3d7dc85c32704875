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

/// Enqueues a message, due at once. An in-app notice is delivered by being stored: it is in the
/// recipient's inbox from this commit on.
pub async fn enqueue(c: &mut Conn<'_>, m: &Message<'_>, now_ms: i64) -> Result<i64> {
    let (state, delivered) = if m.channel == "inbox" {
        ("delivered", Some(now_ms))
    } else {
        ("pending", None)
    };
    Ok(on_conn!(c, |c| {
        sqlx::query_scalar(
        "INSERT INTO outbox (created_at, kind, channel, recipient, complaint_id, payload, next_attempt_at, state, delivered_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $1, $7, $8) RETURNING id"
    )
    .bind(now_ms)
    .bind(m.kind)
    .bind(m.channel)
    .bind(m.recipient)
    .bind(m.complaint_id)
    .bind(m.payload.to_string())
    .bind(state)
    .bind(delivered)
    .fetch_one(&mut **c)
    .await
    })?)
}

/// A notice in a user's inbox.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InboxRow {
    /// Id.
    pub id: i64,
    /// When (ms).
    pub created_at: i64,
    /// Kind, e.g. `deadline_reminder`.
    pub kind: String,
    /// JSON payload with `zh`, `en` and `number`.
    pub payload: String,
    /// When it was read (ms).
    pub read_at: Option<i64>,
}

/// A user's notices, newest first, before `before` (an id) when paging.
pub async fn inbox(
    c: &mut Conn<'_>,
    user: i64,
    unread_only: bool,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<InboxRow>> {
    let unread = if unread_only { " AND read_at IS NULL" } else { "" };
    let sql = format!(
        "SELECT id, created_at, kind, payload, read_at FROM outbox WHERE channel = 'inbox' AND recipient = $1 AND id < $2{unread} \
         ORDER BY id DESC LIMIT $3"
    );
    Ok(on_conn!(c, |c| sqlx::query_as::<_, InboxRow>(&sql)
        .bind(user.to_string())
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&mut **c)
        .await)?)
}

/// How many of a user's notices are unread.
pub async fn unread(c: &mut Conn<'_>, user: i64) -> Result<i64> {
    Ok(on_conn!(c, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE channel = 'inbox' AND recipient = $1 AND read_at IS NULL"
    )
    .bind(user.to_string())
    .fetch_one(&mut **c)
    .await)?)
}

/// Marks a user's notice read; false when it is not theirs.
pub async fn mark_read(c: &mut Conn<'_>, user: i64, id: i64, now_ms: i64) -> Result<bool> {
    let n = on_conn!(c, |c| sqlx::query(
        "UPDATE outbox SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND channel = 'inbox' AND recipient = $3"
    )
    .bind(now_ms)
    .bind(id)
    .bind(user.to_string())
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
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
