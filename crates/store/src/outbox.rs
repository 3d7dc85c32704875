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

/// A new message's state and delivery time: an in-app notice is delivered by being stored.
fn initial_state(m: &Message<'_>, now_ms: i64) -> (&'static str, Option<i64>) {
    if m.channel == "inbox" {
        ("delivered", Some(now_ms))
    } else {
        ("pending", None)
    }
}

/// Enqueues a message, due at once. An in-app notice is delivered by being stored: it is in the
/// recipient's inbox from this commit on.
pub async fn enqueue(c: &mut Conn<'_>, m: &Message<'_>, now_ms: i64) -> Result<i64> {
    let (state, delivered) = initial_state(m, now_ms);
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

/// Queues messages with when each was made (ms), many rows per statement (the registration
/// group's acknowledgements).
pub async fn enqueue_many(c: &mut Conn<'_>, messages: &[(Message<'_>, i64)]) -> Result<()> {
    for chunk in crate::shaped(messages, 256) {
        let sql = format!(
            "INSERT INTO outbox (created_at, kind, channel, recipient, complaint_id, payload, next_attempt_at, state, \
             delivered_at) VALUES {}",
            crate::values_rows(c.backend(), chunk.len(), 9)
        );
        on_conn!(c, |c| {
            let mut q = sqlx::query(&sql);
            for (m, now_ms) in chunk {
                let (state, delivered) = initial_state(m, *now_ms);
                q = q
                    .bind(*now_ms)
                    .bind(m.kind)
                    .bind(m.channel)
                    .bind(m.recipient)
                    .bind(m.complaint_id)
                    .bind(m.payload.to_string())
                    .bind(*now_ms)
                    .bind(state)
                    .bind(delivered);
            }
            q.execute(&mut **c).await.map(|_| ())
        })?;
    }
    Ok(())
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

/// A message leased for sending.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Leased {
    /// Id (also the idempotency key receivers can dedupe on).
    pub id: i64,
    /// Channel: `sms`, `email`, …
    pub channel: String,
    /// Phone, address or URL.
    pub recipient: String,
    /// JSON payload.
    pub payload: String,
    /// Attempts so far.
    pub attempts: i32,
}

/// Leases up to `limit` messages due for sending (a crashed sender's whose lease ran out first,
/// then pending ones in order of due time) until `lease_until_ms`. On PostgreSQL other processes
/// skip the rows. Two statements, each walking the `outbox_due` index in order: as one with an OR
/// it sorted every due message first (700 ms a round with a backlog of 1,000,000, in the writer).
pub async fn lease(c: &mut Conn<'_>, now_ms: i64, lease_until_ms: i64, limit: i64) -> Result<Vec<Leased>> {
    let lock = if c.backend() == crate::Backend::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let mut leased = Vec::new();
    for due in [
        "state = 'sending' AND lease_until < $1 ORDER BY lease_until",
        "state = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at",
    ] {
        let left = limit - leased.len() as i64;
        if left <= 0 {
            break;
        }
        let sql = format!(
            "UPDATE outbox SET state = 'sending', lease_until = $2 WHERE id IN (SELECT id FROM outbox \
             WHERE channel <> 'inbox' AND {due} LIMIT $3{lock}) RETURNING id, channel, recipient, payload, attempts"
        );
        leased.extend(on_conn!(c, |c| sqlx::query_as::<_, Leased>(&sql)
            .bind(now_ms)
            .bind(lease_until_ms)
            .bind(left)
            .fetch_all(&mut **c)
            .await)?);
    }
    Ok(leased)
}

/// Records a successful delivery.
pub async fn delivered(c: &mut Conn<'_>, id: i64, now_ms: i64) -> Result<()> {
    on_conn!(c, |c| {
        sqlx::query(
        "UPDATE outbox SET state = 'delivered', delivered_at = $1, attempts = attempts + 1, lease_until = NULL, last_error = NULL WHERE id = $2"
    )
    .bind(now_ms)
    .bind(id)
    .execute(&mut **c)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// Records a failed attempt: retried at `retry_at`, or given up (`failed`, kept and visible) when None.
pub async fn attempt_failed(c: &mut Conn<'_>, id: i64, error: &str, retry_at: Option<i64>) -> Result<()> {
    let (state, next) = match retry_at {
        Some(t) => ("pending", Some(t)),
        None => ("failed", None),
    };
    on_conn!(c, |c| sqlx::query(
        "UPDATE outbox SET state = $1, attempts = attempts + 1, last_error = $2, lease_until = NULL, \
         next_attempt_at = COALESCE($3, next_attempt_at) WHERE id = $4"
    )
    .bind(state)
    .bind(error)
    .bind(next)
    .bind(id)
    .execute(&mut **c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// A message as administrators see it.
#[derive(Debug, Clone, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct DeliveryRow {
    pub id: i64,
    pub created_at: i64,
    pub kind: String,
    pub channel: String,
    pub recipient: String,
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub delivered_at: Option<i64>,
}

/// Outgoing messages in a state, newest first (never the in-app inbox).
pub async fn deliveries(c: &mut Conn<'_>, state: &str, limit: i64) -> Result<Vec<DeliveryRow>> {
    Ok(on_conn!(c, |c| {
        sqlx::query_as::<_, DeliveryRow>(
        "SELECT id, created_at, kind, channel, recipient, state, attempts, next_attempt_at, last_error, delivered_at FROM outbox \
         WHERE channel <> 'inbox' AND state = $1 ORDER BY id DESC LIMIT $2"
    )
    .bind(state)
    .bind(limit)
    .fetch_all(&mut **c)
    .await
    })?)
}

/// Counts of outgoing messages by state.
pub async fn backlog(c: &mut Conn<'_>) -> Result<Vec<(String, i64)>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT state, COUNT(*) FROM outbox WHERE channel <> 'inbox' GROUP BY state ORDER BY state"
    )
    .fetch_all(&mut **c)
    .await)?)
}

/// Sends a failed message again at `now`; false when there is no such failed message.
pub async fn retry(c: &mut Conn<'_>, id: i64, now_ms: i64) -> Result<bool> {
    let n = on_conn!(c, |c| {
        sqlx::query(
        "UPDATE outbox SET state = 'pending', next_attempt_at = $1 WHERE id = $2 AND state = 'failed' AND channel <> 'inbox'"
    )
    .bind(now_ms)
    .bind(id)
    .execute(&mut **c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Undelivered messages by channel and state (`pending`, `sending`, `failed`), for metrics.
pub async fn undelivered(c: &mut Conn<'_>) -> Result<Vec<(String, String, i64)>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT channel, state, COUNT(*) FROM outbox WHERE state IN ('pending', 'sending', 'failed') \
         GROUP BY channel, state ORDER BY channel, state"
    )
    .fetch_all(&mut **c)
    .await)?)
}
