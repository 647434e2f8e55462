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
///
/// Given a head kept from an earlier check ([`ListedChain::extending`]), it also notes
/// the listed hash at that head's seq: the listing extends the kept head only if that
/// event is there with the same hash and the chain verifies ([`ListedChain::extends`]).
/// A relay that deleted an event and recomputed every hash after it passes its own
/// check, but not this one.
#[derive(Clone, Debug)]
pub struct ListedChain {
    prev: Vec<u8>,
    next_seq: u64,
    broken: Option<(u64, &'static str)>,
    kept: Option<KeptHead>,
    hash_at_kept: Option<String>,
}

impl Default for ListedChain {
    fn default() -> Self {
        Self { prev: GENESIS.to_vec(), next_seq: 1, broken: None, kept: None, hash_at_kept: None }
    }
}

/// A head a browser verified and keeps (public data: a seq and a hash), with when.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KeptHead {
    pub seq: u64,
    /// Lowercase hex.
    pub hash: String,
    /// RFC 3339 time it was kept.
    pub kept_at: String,
}

impl ListedChain {
    /// A check that also proves the listing extends `kept`.
    pub fn extending(kept: Option<KeptHead>) -> Self {
        Self { kept, ..Self::default() }
    }

    /// `None` with no kept head; else whether the listing holds the kept head's event
    /// with its hash and the chain verifies (so far).
    pub fn extends(&self) -> Option<bool> {
        let kept = self.kept.as_ref()?;
        Some(self.broken.is_none() && self.hash_at_kept.as_deref() == Some(kept.hash.as_str()))
    }

    /// The last verified event's seq and hash (seq 0 and the genesis hash before any).
    pub fn head(&self) -> (u64, String) {
        (self.next_seq - 1, hex::encode(&self.prev))
    }

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
        if self.kept.as_ref().is_some_and(|k| k.seq == e.seq) {
            self.hash_at_kept = Some(e.hash.clone());
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

    /// Recomputes every hash from `log`'s events, as a relay that rewrote its chain would.
    fn rechained(events: &[AuditEvent]) -> Vec<AuditEvent> {
        let mut prev = GENESIS.to_vec();
        events
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let seq = i as u64 + 1;
                let h = chain_hash(&prev, seq, &e.at, &e.actor, &e.action, &e.subject, e.size);
                prev = h.to_vec();
                AuditEvent { seq, hash: hex::encode(h), ..e.clone() }
            })
            .collect()
    }

    #[test]
    fn a_listing_extends_a_kept_head_only_if_that_event_keeps_its_hash() {
        let three = log(3);
        let mut c = ListedChain::default();
        three.iter().for_each(|e| c.push(e));
        assert_eq!(c.extends(), None, "nothing kept, nothing to prove");
        let (seq, hash) = c.head();
        assert_eq!((seq, hash.as_str()), (3, three[2].hash.as_str()));
        let kept = KeptHead { seq, hash, kept_at: "2026-11-23T10:00:00Z".into() };

        let mut grown = ListedChain::extending(Some(kept.clone()));
        log(5).iter().for_each(|e| grown.push(e));
        assert_eq!(grown.extends(), Some(true));

        // Event 2 deleted and the chain recomputed: it verifies, but event 3 is not the kept one.
        let mut cut = log(5);
        cut.remove(1);
        let rewritten = rechained(&cut);
        let mut plain = ListedChain::default();
        rewritten.iter().for_each(|e| plain.push(e));
        assert_eq!(plain.broken(), None, "a recomputed chain verifies on its own");
        let mut c = ListedChain::extending(Some(kept.clone()));
        rewritten.iter().for_each(|e| c.push(e));
        assert_eq!(c.extends(), Some(false));

        // Cut back to before the kept head: the kept event is missing.
        let mut c = ListedChain::extending(Some(kept));
        log(2).iter().for_each(|e| c.push(e));
        assert_eq!(c.extends(), Some(false));
        assert_eq!(ListedChain::default().head(), (0, hex::encode(GENESIS)));
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
