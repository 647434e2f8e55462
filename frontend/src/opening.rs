//! Opening an entry for reading (the key holder's page, "My cases"): the bytes must be
//! the entry the relay listed (their SHA-256 is the id), open with one of the loaded
//! identities, and hold something this version reads: a case document of either
//! schema ([`CaseDocument::from_bytes`] upgrades schema 1), or an attachment (a photo or
//! scan sealed as an entry of its own). Each failure has its own code, so no entry is
//! ever dropped without a reason.
//!
//! A document's plaintext is signed by its author (`shared::authorship`): it is
//! unwrapped here ([`read_document`]), and the signer kept beside the document
//! for the reader to judge against the organisation's roster.
//!
//! What is *not* here: showing an attachment. Its plaintext is only looked at for its
//! first bytes (the format) and counted; the rest is authenticated by age and dropped
//! as it streams, so a 20 MB scan never sits in memory as plaintext
//! (`shared::seal::open_sniffed`, which the key holder's workers use too).

use std::sync::Arc;

use shared::authorship::{self, Signer};
use shared::forms::attachment::MediaType;
use shared::forms::CaseDocument;
use shared::ids::ContentHash;
use shared::seal::{open_sniffed, Identity};
use shared::{EntryId, ErrorCode};

/// What an opened entry holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    /// Shared, so the pages' signals clone it cheaply; with what its signature says.
    Document(Arc<CaseDocument>, Signer),
    /// A sealed photo or scan: its format, plaintext size and what it holds (the
    /// SHA-256 a document names it by).
    Attachment { media_type: MediaType, size: u64, content: ContentHash },
}

/// Reads an opened document's plaintext: signed (the document and its signer) or, from
/// before documents were signed, the document alone ([`Signer::Unsigned`]).
pub fn read_document(plain: &[u8]) -> Result<(CaseDocument, Signer), ErrorCode> {
    let unwrapped = authorship::unwrap(plain)?;
    Ok((CaseDocument::from_bytes(unwrapped.document)?, unwrapped.signer))
}

/// Opens one fetched entry: a case document or an attachment.
pub fn open_content(id: &EntryId, ciphertext: &[u8], identities: &[Identity]) -> Result<Content, ErrorCode> {
    let plain = open_sniffed(id, ciphertext, identities)?;
    if plain.is_document() {
        return read_document(plain.kept()).map(|(d, signer)| Content::Document(Arc::new(d), signer));
    }
    match MediaType::sniff(plain.kept()) {
        Some(media_type) => Ok(Content::Attachment { media_type, size: plain.total(), content: plain.content() }),
        None => Err(ErrorCode::RecordUnreadable),
    }
}

/// Opens one fetched entry that must be a case document (schema 1 or 2).
pub fn open_entry(id: &EntryId, ciphertext: &[u8], identities: &[Identity]) -> Result<CaseDocument, ErrorCode> {
    match open_content(id, ciphertext, identities)? {
        Content::Document(doc, _) => Ok(Arc::unwrap_or_clone(doc)),
        Content::Attachment { .. } => Err(ErrorCode::RecordUnreadable),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::forms::{CaseEntry, DOCUMENT_SCHEMA};
    use shared::seal::{generate_identity, seal_bytes};

    #[test]
    fn each_failure_is_named() {
        let me = generate_identity();
        let other = generate_identity();
        let ct = seal_bytes(b"not a document", [me.to_public()].iter()).unwrap();
        let id = ct.id();
        assert_eq!(open_entry(&id, ct.as_bytes(), &[other]).err(), Some(ErrorCode::WrongKey));
        assert_eq!(open_entry(&id, ct.as_bytes(), std::slice::from_ref(&me)).err(), Some(ErrorCode::RecordUnreadable));
        let json_but_not_a_document = seal_bytes(br#"{"schema":2}"#, [me.to_public()].iter()).unwrap();
        assert_eq!(
            open_entry(&json_but_not_a_document.id(), json_but_not_a_document.as_bytes(), std::slice::from_ref(&me))
                .err(),
            Some(ErrorCode::RecordUnreadable)
        );
        let mut bad = ct.as_bytes().to_vec();
        let last = bad.len() - 3;
        bad[last] ^= 1;
        assert_eq!(open_entry(&id, &bad, std::slice::from_ref(&me)).err(), Some(ErrorCode::Corrupted));
        assert_eq!(open_entry(&EntryId::of(&bad), &bad, &[me]).err(), Some(ErrorCode::Corrupted));
    }

    #[test]
    fn a_schema_1_record_and_a_schema_2_entry_both_open_as_case_documents() {
        let me = generate_identity();
        let v1 = shared::fixtures::schema_1_document(shared::fixtures::schema_1_intake());
        let ct = seal_bytes(&v1.to_bytes(), [me.to_public()].iter()).unwrap();
        let doc = open_entry(&ct.id(), ct.as_bytes(), std::slice::from_ref(&me)).unwrap();
        let CaseEntry::Intake(intake) = &doc.entry else { panic!("not an intake") };
        assert_eq!((doc.case, intake.household[0].full_name.as_str()), (v1.case, "Aziz"));

        let v2 = CaseDocument { schema: DOCUMENT_SCHEMA, entry: CaseEntry::Closure(Default::default()), ..doc };
        let ct = seal_bytes(&v2.to_bytes(), [me.to_public()].iter()).unwrap();
        assert_eq!(open_entry(&ct.id(), ct.as_bytes(), &[me]).unwrap(), v2);
    }

    #[test]
    fn an_attachment_opens_as_its_format_and_size_without_keeping_its_bytes() {
        let me = generate_identity();
        let mut pdf = b"%PDF-1.7\n".to_vec();
        pdf.resize(300_000, b'x');
        let ct = seal_bytes(&pdf, [me.to_public()].iter()).unwrap();
        assert_eq!(
            open_content(&ct.id(), ct.as_bytes(), std::slice::from_ref(&me)).unwrap(),
            Content::Attachment { media_type: MediaType::Pdf, size: 300_000, content: ContentHash::of(&pdf) }
        );
        assert_eq!(
            open_entry(&ct.id(), ct.as_bytes(), &[me]).err(),
            Some(ErrorCode::RecordUnreadable),
            "not a document"
        );
    }
}
