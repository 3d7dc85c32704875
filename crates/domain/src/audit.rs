//! The audit trail's hash chain (R-SEC-3): each event's hash covers the previous hash and the
//! event's own fields, so altering, removing or reordering a stored event breaks the chain.

use sha2::{Digest, Sha256};

/// The hash before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of an event that the chain covers.
#[derive(Debug, Clone, Copy)]
pub struct ChainedFields<'a> {
    /// Position in the global chain, from 1.
    pub seq: i64,
    /// Milliseconds since the epoch.
    pub at_ms: i64,
    /// The acting user's id, if a user acted.
    pub actor_id: Option<i64>,
    /// The complaint's id, if the event belongs to one.
    pub subject_id: &'a str,
    /// Event kind, e.g. `registered`.
    pub kind: &'a str,
    /// JSON payload as stored.
    pub payload: &'a str,
}

/// The hash of an event chained to `prev`, as lowercase hex.
pub fn chain_hash(prev: &str, f: &ChainedFields<'_>) -> String {
    let mut h = Sha256::new();
    for part in [
        prev,
        &f.seq.to_string(),
        &f.at_ms.to_string(),
        &f.actor_id.map(|a| a.to_string()).unwrap_or_default(),
        f.subject_id,
        f.kind,
    ] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    h.update(f.payload.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_change_changes_the_hash() {
        let f = ChainedFields {
            seq: 1,
            at_ms: 5,
            actor_id: Some(2),
            subject_id: "c",
            kind: "registered",
            payload: "{}",
        };
        let h = chain_hash(GENESIS, &f);
        assert_eq!(h.len(), 64);
        assert_eq!(h, chain_hash(GENESIS, &f));
        assert_ne!(h, chain_hash(&h, &f));
        assert_ne!(h, chain_hash(GENESIS, &ChainedFields { payload: "{ }", ..f }));
        assert_ne!(h, chain_hash(GENESIS, &ChainedFields { actor_id: None, ..f }));
        assert_ne!(
            h,
            chain_hash(
                GENESIS,
                &ChainedFields {
                    kind: "registere",
                    subject_id: "dc",
                    ..f
                }
            )
        );
    }
}
