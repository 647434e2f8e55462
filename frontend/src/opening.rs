//! Opening an entry on the key holder's page: the bytes must be the entry the relay
//! listed (their SHA-256 is the id), open with one of the loaded identities, and hold
//! a document this version reads. Each failure has its own code, so no entry is ever
//! dropped without a reason.

use shared::record::Document;
use shared::seal::{open_bytes, Identity};
use shared::{EntryId, ErrorCode};

/// Opens one fetched entry.
pub fn open_entry(id: &EntryId, ciphertext: &[u8], identities: &[Identity]) -> Result<Document, ErrorCode> {
    if EntryId::of(ciphertext) != *id {
        return Err(ErrorCode::Corrupted);
    }
    let plaintext = open_bytes(ciphertext, identities)?;
    Document::from_bytes(&plaintext)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::seal::{generate_identity, seal_bytes};

    #[test]
    fn each_failure_is_named() {
        let me = generate_identity();
        let other = generate_identity();
        let ct = seal_bytes(b"not a document", [me.to_public()].iter()).unwrap();
        let id = ct.id();
        assert_eq!(open_entry(&id, ct.as_bytes(), &[other]).err(), Some(ErrorCode::WrongKey));
        assert_eq!(open_entry(&id, ct.as_bytes(), std::slice::from_ref(&me)).err(), Some(ErrorCode::RecordUnreadable));
        let mut bad = ct.as_bytes().to_vec();
        let last = bad.len() - 3;
        bad[last] ^= 1;
        assert_eq!(open_entry(&id, &bad, std::slice::from_ref(&me)).err(), Some(ErrorCode::Corrupted));
        assert_eq!(open_entry(&EntryId::of(&bad), &bad, &[me]).err(), Some(ErrorCode::Corrupted));
    }
}
