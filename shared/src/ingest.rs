//! The relay's ingest rule for an uploaded entry, in one place: the id in the URL, the
//! case header, the id being the SHA-256 of the body, and the body being an age v1 file
//! sealed to enough X25519 recipients (no passphrase stanza, capped header).
//!
//! The relay's `PUT /api/v1/entries/{id}` calls the steps ([`target`], [`check_hash`],
//! [`check_age`]) in this order, with its "already stored" answer between the hash
//! and the age check (a retry of bytes stored before the keyring grew still gets 200).
//! [`ingest`] runs all three at once for the fuzz target (`fuzz/fuzz_targets/ingest.rs`)
//! and the property tests, so what is fuzzed is what the relay runs. No I/O here.

use crate::age_header::HeaderSummary;
use crate::error::ErrorCode;
use crate::ids::{CaseId, EntryId};
use crate::seal::Ciphertext;

/// Where an upload goes: its claimed id and its case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    pub id: EntryId,
    pub case: CaseId,
}

/// Parses the URL's id and the `Amanat-Case` header (`None`: header missing).
pub fn target(id: &str, case: Option<&str>) -> Result<Target, ErrorCode> {
    let id: EntryId = id.parse()?;
    let case: CaseId = case.ok_or(ErrorCode::BadCaseId)?.parse()?;
    Ok(Target { id, case })
}

/// The id must be the SHA-256 of the bytes.
pub fn check_hash(id: &EntryId, body: &[u8]) -> Result<(), ErrorCode> {
    if EntryId::of(body) == *id {
        Ok(())
    } else {
        Err(ErrorCode::IdMismatch)
    }
}

/// The bytes must be an age v1 file to at least `min_x25519` X25519 recipients (the
/// current keyring's size) and no passphrase.
pub fn check_age(body: Vec<u8>, min_x25519: usize) -> Result<(Ciphertext, HeaderSummary), ErrorCode> {
    Ciphertext::check(body, min_x25519)
}

/// An upload that passed every check.
#[derive(Clone, PartialEq, Eq)]
pub struct Accepted {
    pub target: Target,
    pub ciphertext: Ciphertext,
    pub summary: HeaderSummary,
}

impl std::fmt::Debug for Accepted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The bytes are ciphertext, but a log has no use for them: say how many.
        f.debug_struct("Accepted")
            .field("target", &self.target)
            .field("summary", &self.summary)
            .field("len", &self.ciphertext.len())
            .finish()
    }
}

/// All checks, in the relay's order.
pub fn ingest(id: &str, case: Option<&str>, body: Vec<u8>, min_x25519: usize) -> Result<Accepted, ErrorCode> {
    let target = target(id, case)?;
    check_hash(&target.id, &body)?;
    let (ciphertext, summary) = check_age(body, min_x25519)?;
    Ok(Accepted { target, ciphertext, summary })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seal;
    use proptest::prelude::*;

    const CASE: &str = "0123456789abcdef0123456789abcdef";

    fn sealed(n: usize) -> Vec<u8> {
        let recipients: Vec<_> = (0..n).map(|_| seal::generate_identity().to_public()).collect();
        seal::seal_bytes(b"a record", recipients.iter()).unwrap().into_bytes()
    }

    #[test]
    fn a_real_age_file_under_its_own_id_is_accepted_with_its_recipient_count() {
        let body = sealed(3);
        let id = EntryId::of(&body).to_string();
        let ok = ingest(&id, Some(CASE), body.clone(), 3).unwrap();
        assert_eq!((ok.summary.x25519, ok.ciphertext.as_bytes()), (3, &body[..]));
        assert_eq!(ingest(&id, Some(CASE), body, 4).unwrap_err(), ErrorCode::TooFewRecipients);
    }

    #[test]
    fn each_check_has_its_own_error_in_the_relays_order() {
        let body = sealed(1);
        let id = EntryId::of(&body).to_string();
        assert_eq!(ingest("ABC", None, body.clone(), 1).unwrap_err(), ErrorCode::BadEntryId);
        assert_eq!(ingest(&id, None, body.clone(), 1).unwrap_err(), ErrorCode::BadCaseId);
        assert_eq!(ingest(&id, Some("xyz"), body.clone(), 1).unwrap_err(), ErrorCode::BadCaseId);
        let other = EntryId::of(b"other").to_string();
        assert_eq!(ingest(&other, Some(CASE), body, 1).unwrap_err(), ErrorCode::IdMismatch);
        let plain = b"{\"name\":\"plaintext\"}".to_vec();
        assert_eq!(ingest(&EntryId::of(&plain).to_string(), Some(CASE), plain, 1).unwrap_err(), ErrorCode::NotAge);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Arbitrary bytes under their own id never panic and are never accepted:
        /// random data is not an age file.
        #[test]
        fn arbitrary_bytes_under_their_own_id_are_refused_without_panic(body in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let id = EntryId::of(&body).to_string();
            prop_assert!(ingest(&id, Some(CASE), body, 1).is_err());
        }

        /// A real age file with bytes flipped, cut or appended is accepted only if it is
        /// still shaped like age and its id still matches; a stale id is always refused.
        #[test]
        fn a_damaged_age_file_is_accepted_only_under_its_new_hash_and_never_under_the_old(
            cut in 0usize..400, flip in 0usize..400, bit in 0u8..8, tail in proptest::collection::vec(any::<u8>(), 0..16),
        ) {
            let good = sealed(2);
            let old_id = EntryId::of(&good).to_string();
            let mut body = good.clone();
            let flip = flip % body.len();
            body[flip] ^= 1 << bit;
            body.truncate(body.len() - cut.min(body.len()));
            body.extend_from_slice(&tail);
            if body != good {
                prop_assert_eq!(ingest(&old_id, Some(CASE), body.clone(), 1).unwrap_err(), ErrorCode::IdMismatch);
            }
            let new_id = EntryId::of(&body).to_string();
            if let Ok(ok) = ingest(&new_id, Some(CASE), body.clone(), 1) {
                prop_assert_eq!(ok.ciphertext.as_bytes(), &body[..]);
                prop_assert!(crate::age_header::inspect(&body).is_ok());
            }
        }

        /// Ids and case ids that are not exactly lowercase hex of the right length are
        /// refused before the body is looked at.
        #[test]
        fn malformed_ids_are_refused_before_the_body(id in "[0-9a-zA-Z]{0,70}", case in "[0-9a-zA-Z]{0,40}") {
            let body = sealed(1);
            let result = ingest(&id, Some(&case), body, 1);
            let id_ok = id.len() == 64 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            let case_ok = case.len() == 32 && case.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            match result {
                Err(ErrorCode::BadEntryId) => prop_assert!(!id_ok),
                Err(ErrorCode::BadCaseId) => prop_assert!(id_ok && !case_ok),
                Err(ErrorCode::IdMismatch) => prop_assert!(id_ok && case_ok),
                other => prop_assert!(false, "unexpected {:?}", other.map(|a| a.target)),
            }
        }
    }
}
