//! The plaintext envelope that travels beside each ciphertext (in the browser's outbox
//! and in the relay's metadata). It holds only what DESIGN.md allows: ids, schema and
//! keyring versions, a time and a size. Anything else a reader needs is sealed.

use serde::{Deserialize, Serialize};

use crate::ids::{CaseId, EntryId};

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
        let mut keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        let mut allowed: Vec<_> = FIELDS.iter().map(|s| s.to_string()).collect();
        allowed.sort();
        assert_eq!(keys, allowed);
    }
}
