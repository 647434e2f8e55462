//! The plaintext envelope that travels beside each ciphertext (in the browser's outbox
//! and in the relay's metadata). It holds only what DESIGN.md allows: ids, schema and
//! keyring versions, a time and a size. Anything else a reader needs is sealed.

use serde::{Deserialize, Serialize};

use crate::ids::{CaseId, EntryId};
use crate::seal::{Ciphertext, SealedStream};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// Lowercase hex SHA-256 of the ciphertext.
    pub id: EntryId,
    /// Random 128-bit case id.
    pub case: CaseId,
    /// Schema version of the sealed document.
    pub schema: u32,
    /// Version of the signed keyring it was sealed to (rotation re-seals older ones).
    pub keyring_version: u64,
    /// RFC 3339 time it was sealed on the device.
    pub sealed_at: String,
    /// Ciphertext length in bytes.
    pub size: u64,
}

impl Envelope {
    /// The envelope of `sealed` (a ciphertext in memory, or the end of one sealed as a
    /// stream): its id is the ciphertext's SHA-256 and its size the ciphertext's length,
    /// both taken from `sealed`. `sealed_at` is the device's time of sealing, the same
    /// time the sealed document gives as its `created_at`; `schema` is that document's
    /// (`forms::DOCUMENT_SCHEMA`).
    pub fn new(
        case: CaseId,
        schema: u32,
        keyring_version: u64,
        sealed_at: impl Into<String>,
        sealed: &impl Sealed,
    ) -> Self {
        Envelope { id: sealed.id(), case, schema, keyring_version, sealed_at: sealed_at.into(), size: sealed.size() }
    }
}

/// A sealed age file an envelope can describe: its id and its length.
pub trait Sealed {
    /// Lowercase hex SHA-256 of the whole ciphertext.
    fn id(&self) -> EntryId;
    /// The whole ciphertext's length in bytes.
    fn size(&self) -> u64;
}

impl Sealed for Ciphertext {
    fn id(&self) -> EntryId {
        Ciphertext::id(self)
    }
    fn size(&self) -> u64 {
        self.len() as u64
    }
}

impl Sealed for SealedStream {
    fn id(&self) -> EntryId {
        self.id
    }
    fn size(&self) -> u64 {
        self.size
    }
}

/// The names an envelope may use, for the privacy officer's storage scan.
pub const FIELDS: &[&str] = &["id", "case", "schema", "keyring_version", "sealed_at", "size"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_envelope_serialises_to_exactly_its_allowed_fields() {
        let e = Envelope {
            id: EntryId::of(b"x"),
            case: CaseId::random(),
            schema: 1,
            keyring_version: 3,
            sealed_at: "2026-11-23T10:00:00Z".into(),
            size: 1,
        };
        let v: serde_json::Value = serde_json::to_value(&e).unwrap();
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            format!(
                r#"{{"id":"{}","case":"{}","schema":1,"keyring_version":3,"sealed_at":"2026-11-23T10:00:00Z","size":1}}"#,
                e.id, e.case
            ),
            "what IndexedDB and the relay hold: the field names and order never change"
        );
        let mut keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        let mut allowed: Vec<_> = FIELDS.iter().map(|s| s.to_string()).collect();
        allowed.sort();
        assert_eq!(keys, allowed);
    }

    #[test]
    fn an_envelope_takes_its_id_and_size_from_the_ciphertext_whole_or_streamed() {
        let r = crate::seal::generate_identity().to_public();
        let ct = crate::seal::seal_bytes(b"hello", std::iter::once(&r)).unwrap();
        let case = CaseId::random();
        let e = Envelope::new(case, 2, 7, "2026-11-23T10:00:00.000Z", &ct);
        assert_eq!((e.id, e.size, e.case, e.schema, e.keyring_version), (ct.id(), ct.len() as u64, case, 2, 7));
        assert_eq!(e.sealed_at, "2026-11-23T10:00:00.000Z");

        let mut sealer = crate::seal::StreamSealer::new(std::iter::once(&r)).unwrap();
        let mut whole = sealer.push(&[7u8; 100_000]).unwrap();
        let end = sealer.finish().unwrap();
        whole.extend_from_slice(&end.tail);
        let e = Envelope::new(case, 2, 7, String::new(), &end);
        assert_eq!((e.id, e.size), (EntryId::of(&whole), whole.len() as u64));
    }
}
