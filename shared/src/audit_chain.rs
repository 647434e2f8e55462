//! The audit log's hash chain rule, in one place for the relay that writes it
//! (`backend::audit`) and the privacy officer's browser that re-checks the listing
//! (`GET /api/v1/audit`) without trusting the relay's own verdict.
//!
//! Each event's hash is SHA-256 over the previous hash and a fixed text form of the
//! event, starting from 32 zero bytes. No I/O here.

use sha2::{Digest, Sha256};

use crate::api::AuditEvent;

/// The hash before the first event.
pub const GENESIS: [u8; 32] = [0u8; 32];

/// The chained hash of an event.
pub fn chain_hash(
    prev: &[u8],
    seq: u64,
    at: &str,
    actor: &str,
    action: &str,
    subject: &str,
    size: Option<u64>,
) -> [u8; 32] {
    let q = |s: &str| serde_json::to_string(s).expect("strings serialise");
    let size = size.map_or_else(|| "-".to_owned(), |n| n.to_string());
    let text = format!(
        "amanat audit v1\nseq {seq}\nat {}\nactor {}\naction {}\nsubject {}\nsize {size}\n",
        q(at),
        q(actor),
        q(action),
        q(subject)
    );
    let mut h = Sha256::new();
    h.update(prev);
    h.update(text.as_bytes());
    h.finalize().into()
}

/// The head of a verified chain: its last event's seq, hash and time, and how many
/// events it holds (`amanat audit head` prints it; the privacy page keeps one). An
/// empty chain's head is seq 0 with the [`GENESIS`] hash and no time.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Head {
    pub seq: u64,
    /// Lowercase hex.
    pub hash: String,
    /// RFC 3339 time of the last event.
    pub at: Option<String>,
    pub events: u64,
}

impl Default for Head {
    fn default() -> Self {
        Self { seq: 0, hash: hex::encode(GENESIS), at: None, events: 0 }
    }
}

impl Head {
    /// One fact a line, to write down or sign.
    pub fn render(&self) -> String {
        format!(
            "amanat audit head\nseq {}\nhash {}\nat {}\nevents {}\n",
            self.seq,
            self.hash,
            self.at.as_deref().unwrap_or("-"),
            self.events
        )
    }
}

/// Re-checks a listed log from its first event, page after page: each event must
/// come next in sequence and carry the hash of its content chained to the one
/// before. Stops at the first broken link.
#[derive(Clone, Debug)]
pub struct ListedChain {
    prev: Vec<u8>,
    next_seq: u64,
    broken: Option<(u64, &'static str)>,
}

impl Default for ListedChain {
    fn default() -> Self {
        Self { prev: GENESIS.to_vec(), next_seq: 1, broken: None }
    }
}

impl ListedChain {
    /// Takes the next listed event.
    pub fn push(&mut self, e: &AuditEvent) {
        if self.broken.is_some() {
            return;
        }
        if e.seq != self.next_seq {
            self.broken = Some((e.seq, "an event before it is missing"));
            return;
        }
        let h = hex::encode(chain_hash(&self.prev, e.seq, &e.at, &e.actor, &e.action, &e.subject, e.size));
        if h != e.hash {
            self.broken = Some((e.seq, "its hash does not match its content (it was altered)"));
            return;
        }
        self.prev = hex::decode(&e.hash).unwrap_or_default();
        self.next_seq += 1;
    }

    /// The first broken link (its seq and why), if any.
    pub fn broken(&self) -> Option<(u64, &'static str)> {
        self.broken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(n: u64) -> Vec<AuditEvent> {
        let mut prev = GENESIS.to_vec();
        (1..=n)
            .map(|seq| {
                let h =
                    chain_hash(&prev, seq, "2026-11-23T10:00:00Z", "demo-caseworker", "entry_stored", "ab", Some(seq));
                prev = h.to_vec();
                AuditEvent {
                    seq,
                    at: "2026-11-23T10:00:00Z".into(),
                    actor: "demo-caseworker".into(),
                    action: "entry_stored".into(),
                    subject: "ab".into(),
                    size: Some(seq),
                    hash: hex::encode(h),
                }
            })
            .collect()
    }

    #[test]
    fn a_listed_log_rechecks_and_an_edited_or_missing_event_is_the_first_broken_link() {
        let mut c = ListedChain::default();
        log(5).iter().for_each(|e| c.push(e));
        assert_eq!(c.broken(), None);

        let mut edited = log(5);
        edited[2].actor = "someone-else".into();
        let mut c = ListedChain::default();
        edited.iter().for_each(|e| c.push(e));
        assert_eq!(c.broken().map(|b| b.0), Some(3));

        let mut cut = log(5);
        cut.remove(1);
        let mut c = ListedChain::default();
        cut.iter().for_each(|e| c.push(e));
        assert_eq!(c.broken(), Some((3, "an event before it is missing")));
    }
}
