//! The append-only event log with its hash chain (R-SEC-3). The chain head is one row; every
//! writer updates it last in its transaction, so events form one total order across processes.

use crate::error::Result;
use crate::{on_conn, Conn};
use domain::audit::{chain_hash, ChainedFields, GENESIS};
use uuid::Uuid;

/// An event to append.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    /// The complaint it belongs to.
    pub complaint_id: Option<Uuid>,
    /// When (ms).
    pub at_ms: i64,
    /// Who acted.
    pub actor_id: Option<i64>,
    /// Kind, e.g. `registered`.
    pub kind: &'a str,
    /// JSON payload with before/after.
    pub payload: &'a serde_json::Value,
}

/// Appends an event, chaining its hash to the previous one; returns its sequence number.
pub async fn append(c: &mut Conn<'_>, e: &NewEvent<'_>) -> Result<i64> {
    append_many(c, std::slice::from_ref(e)).await
}

/// Events per multi-row insert (8 parameters each).
const EVENTS_PER_INSERT: usize = 256;

/// Appends events in order, each chained to the one before, taking the chain's head once;
/// returns the first one's sequence number.
pub async fn append_many(c: &mut Conn<'_>, events: &[NewEvent<'_>]) -> Result<i64> {
    let n = events.len() as i64;
    let (last, mut prev): (i64, String) = on_conn!(c, |c| sqlx::query_as(
        "UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash"
    )
    .bind(n)
    .fetch_one(&mut **c)
    .await)?;
    let first = last - n + 1;
    if events.is_empty() {
        return Ok(first);
    }
    let mut rows = Vec::with_capacity(events.len());
    for (i, e) in events.iter().enumerate() {
        let seq = first + i as i64;
        let payload = e.payload.to_string();
        let subject = e.complaint_id.map(|u| u.to_string()).unwrap_or_default();
        let hash = chain_hash(
            &prev,
            &ChainedFields {
                seq,
                at_ms: e.at_ms,
                actor_id: e.actor_id,
                subject_id: &subject,
                kind: e.kind,
                payload: &payload,
            },
        );
        rows.push((seq, e, payload, std::mem::replace(&mut prev, hash.clone()), hash));
    }
    for chunk in crate::shaped(&rows, EVENTS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO event (seq, complaint_id, at, actor_id, kind, payload, prev_hash, hash) VALUES {}",
            crate::values_rows(c.backend(), chunk.len(), 8)
        );
        on_conn!(c, |c| {
            let mut q = sqlx::query(&sql);
            for (seq, e, payload, prev, hash) in chunk {
                q = q
                    .bind(*seq)
                    .bind(e.complaint_id)
                    .bind(e.at_ms)
                    .bind(e.actor_id)
                    .bind(e.kind)
                    .bind(payload.as_str())
                    .bind(prev.as_str())
                    .bind(hash.as_str());
            }
            q.execute(&mut **c).await.map(|_| ())
        })?;
    }
    on_conn!(c, |c| sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&prev)
        .execute(&mut **c)
        .await
        .map(|_| ()))?;
    Ok(first)
}

/// A stored event.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    /// Sequence number.
    pub seq: i64,
    /// Complaint.
    pub complaint_id: Option<Uuid>,
    /// When (ms).
    pub at: i64,
    /// Who.
    pub actor_id: Option<i64>,
    /// Kind.
    pub kind: String,
    /// JSON payload.
    pub payload: String,
    /// Previous hash.
    pub prev_hash: String,
    /// This event's hash.
    pub hash: String,
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every event checks out.
    Intact {
        /// Events checked.
        events: i64,
    },
    /// The first event that does not.
    Broken {
        /// Its sequence number.
        seq: i64,
        /// What is wrong.
        reason: String,
    },
}

/// Walks the whole chain in order and names the first broken link.
pub async fn verify(c: &mut Conn<'_>) -> Result<Verdict> {
    let mut expected_prev = GENESIS.to_string();
    let mut expected_seq = 1;
    let mut after = 0i64;
    loop {
        let page: Vec<EventRow> = on_conn!(c, |c| {
            sqlx::query_as::<_, EventRow>(
            "SELECT seq, complaint_id, at, actor_id, kind, payload, prev_hash, hash FROM event WHERE seq > $1 ORDER BY seq LIMIT 5000"
        )
        .bind(after)
        .fetch_all(&mut **c)
        .await
        })?;
        if page.is_empty() {
            break;
        }
        for e in &page {
            if e.seq != expected_seq {
                return Ok(Verdict::Broken {
                    seq: expected_seq,
                    reason: format!("event {expected_seq} is missing (next is {})", e.seq),
                });
            }
            if e.prev_hash != expected_prev {
                return Ok(Verdict::Broken {
                    seq: e.seq,
                    reason: "prev_hash does not match the previous event".into(),
                });
            }
            let subject = e.complaint_id.map(|u| u.to_string()).unwrap_or_default();
            let fields = ChainedFields {
                seq: e.seq,
                at_ms: e.at,
                actor_id: e.actor_id,
                subject_id: &subject,
                kind: &e.kind,
                payload: &e.payload,
            };
            if chain_hash(&e.prev_hash, &fields) != e.hash {
                return Ok(Verdict::Broken {
                    seq: e.seq,
                    reason: "content does not match its hash".into(),
                });
            }
            expected_prev = e.hash.clone();
            expected_seq += 1;
            after = e.seq;
        }
    }
    let (head_seq, head_hash): (i64, String) =
        on_conn!(c, |c| sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut **c)
            .await)?;
    if head_seq != expected_seq - 1 || head_hash != expected_prev {
        return Ok(Verdict::Broken {
            seq: expected_seq,
            reason: format!("the chain head records {head_seq} events; later events are missing"),
        });
    }
    Ok(Verdict::Intact {
        events: expected_seq - 1,
    })
}

/// An event as exported: complaint number and actor name instead of ids.
#[derive(Debug, Clone, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct ExportedEvent {
    pub seq: i64,
    pub at: i64,
    pub complaint_number: Option<String>,
    pub actor: Option<String>,
    pub kind: String,
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Events after `after` in order, at most `limit` (the full export).
pub async fn page(c: &mut Conn<'_>, after: i64, limit: i64) -> Result<Vec<ExportedEvent>> {
    Ok(on_conn!(c, |c| {
        sqlx::query_as::<_, ExportedEvent>(
        "SELECT e.seq, e.at, x.number AS complaint_number, u.username AS actor, e.kind, e.payload, e.prev_hash, e.hash \
         FROM event e LEFT JOIN complaint x ON x.id = e.complaint_id LEFT JOIN app_user u ON u.id = e.actor_id \
         WHERE e.seq > $1 ORDER BY e.seq LIMIT $2"
    )
    .bind(after)
    .bind(limit)
    .fetch_all(&mut **c)
    .await
    })?)
}
