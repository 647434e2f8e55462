//! Opening an entry for reading without keeping more of its plaintext than needed: a
//! document (JSON, so it starts with `{`) is kept whole, anything else (a photo or scan
//! sealed as an entry of its own) only for its first [`SNIFF_BYTES`], the format's
//! magic bytes, and counted and hashed (what a signed document names it by); the rest is authenticated by age and dropped as it
//! streams, so a 20 MB scan never sits in memory as plaintext.
//!
//! What is *not* here: telling which format the first bytes are
//! (`forms::attachment::MediaType::sniff`) or parsing the document
//! (`forms::CaseDocument::from_bytes`); callers do that with what [`Sniffed`] kept.

use std::io::Write;

use zeroize::Zeroize;

use super::{open_stream, Identity};
use crate::age_header;
use crate::error::ErrorCode;
use crate::ids::{ContentHash, EntryId};

/// The bytes an attachment's format is recognised by.
pub const SNIFF_BYTES: usize = 16;

/// A writer that opening streams into: keeps a document's whole plaintext but only the
/// first [`SNIFF_BYTES`] of anything else, counting every byte. What it kept is wiped
/// when it is dropped.
#[derive(Default)]
pub struct Sniffed {
    kept: Vec<u8>,
    total: u64,
    /// The SHA-256 of an attachment's plaintext as it streams (documents are not hashed).
    hasher: sha2::Sha256,
}

impl Sniffed {
    /// Whether the plaintext is a document (JSON: its first byte is `{`).
    pub fn is_document(&self) -> bool {
        self.kept.first() == Some(&b'{')
    }

    /// What was kept: a document whole, or the first bytes of anything else.
    pub fn kept(&self) -> &[u8] {
        &self.kept
    }

    /// Every plaintext byte written, kept or not.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// What an attachment holds (the SHA-256 of all its bytes), as a document that names
    /// it does (`forms::attachment::AttachmentRef::content`). Meaningless for a document.
    pub fn content(&self) -> ContentHash {
        use sha2::Digest;
        ContentHash::from_digest(self.hasher.clone().finalize().into())
    }

    /// Hands over what was kept; wiping that copy becomes the caller's job.
    pub fn into_kept(mut self) -> Vec<u8> {
        std::mem::take(&mut self.kept)
    }
}

impl Write for Sniffed {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let document = self.kept.first().or(buf.first()) == Some(&b'{');
        let room = if document { buf.len() } else { SNIFF_BYTES.saturating_sub(self.kept.len()).min(buf.len()) };
        self.kept.extend_from_slice(&buf[..room]);
        if !document {
            sha2::Digest::update(&mut self.hasher, buf);
        }
        self.total += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Sniffed {
    fn drop(&mut self) {
        // What was read stays in memory no longer than needed.
        self.kept.zeroize();
    }
}

/// Opens one fetched entry for reading: the bytes must be the entry listed (their
/// SHA-256 is `id`), carry a well-formed age header, and open with one of
/// `identities`. Each failure has its own code: `Corrupted` (not the entry listed, a
/// malformed header, or a payload that does not authenticate), `HeaderTooLarge`, or
/// what opening says (`WrongKey`, …).
pub fn open_sniffed(id: &EntryId, ciphertext: &[u8], identities: &[Identity]) -> Result<Sniffed, ErrorCode> {
    if EntryId::of(ciphertext) != *id {
        return Err(ErrorCode::Corrupted);
    }
    age_header::inspect(ciphertext).map_err(|e| match e {
        ErrorCode::HeaderTooLarge => e,
        _ => ErrorCode::Corrupted,
    })?;
    let mut sniffed = Sniffed::default();
    open_stream(ciphertext, &mut sniffed, identities)?;
    Ok(sniffed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seal::{generate_identity, seal_bytes};

    #[test]
    fn a_document_is_kept_whole_however_it_is_cut() {
        let json = br#"{"schema":3,"entry":"a document longer than sixteen bytes"}"#;
        let mut s = Sniffed::default();
        for chunk in json.chunks(5) {
            s.write_all(chunk).unwrap();
        }
        assert!(s.is_document());
        assert_eq!((s.kept(), s.total()), (&json[..], json.len() as u64));
        assert_eq!(s.into_kept(), json.to_vec());
    }

    #[test]
    fn anything_else_keeps_only_its_first_bytes_and_counts_the_rest() {
        let mut scan = b"%PDF-1.7\n".to_vec();
        scan.resize(300_000, b'x');
        for cut in [1, 7, 16, 4096] {
            let mut s = Sniffed::default();
            for chunk in scan.chunks(cut) {
                s.write_all(chunk).unwrap();
            }
            assert!(!s.is_document());
            assert_eq!((s.kept(), s.total()), (&scan[..SNIFF_BYTES], 300_000), "cut {cut}");
            assert_eq!(s.content(), ContentHash::of(&scan), "hashed whole, however it is cut: cut {cut}");
        }
        // An empty first write decides nothing: the first byte that comes does.
        let mut s = Sniffed::default();
        s.write_all(b"").unwrap();
        s.write_all(b"{}").unwrap();
        assert!(s.is_document());
        assert_eq!(s.kept(), b"{}");
    }

    #[test]
    fn a_short_plaintext_is_kept_as_it_is() {
        let mut s = Sniffed::default();
        s.write_all(b"GIF8").unwrap();
        assert_eq!((s.kept(), s.total()), (&b"GIF8"[..], 4));
    }

    #[test]
    fn opening_checks_the_id_the_header_and_the_key() {
        let me = generate_identity();
        let other = generate_identity();
        let ct = seal_bytes(br#"{"a":1}"#, [me.to_public()].iter()).unwrap();
        let id = ct.id();
        let opened = open_sniffed(&id, ct.as_bytes(), std::slice::from_ref(&me)).unwrap();
        assert_eq!((opened.kept(), opened.total()), (&br#"{"a":1}"#[..], 7));
        assert_eq!(open_sniffed(&id, ct.as_bytes(), &[other]).err(), Some(ErrorCode::WrongKey));
        assert_eq!(
            open_sniffed(&EntryId::of(b"another"), ct.as_bytes(), std::slice::from_ref(&me)).err(),
            Some(ErrorCode::Corrupted),
            "not the entry listed"
        );
        let mut bad = ct.as_bytes().to_vec();
        let last = bad.len() - 3;
        bad[last] ^= 1;
        assert_eq!(open_sniffed(&EntryId::of(&bad), &bad, std::slice::from_ref(&me)).err(), Some(ErrorCode::Corrupted));
        let garbage = b"not an age file at all".to_vec();
        assert_eq!(open_sniffed(&EntryId::of(&garbage), &garbage, &[me]).err(), Some(ErrorCode::Corrupted));
    }
}
