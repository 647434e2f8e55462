//! The signed release: the organisation's signature over a build's file list.
//!
//! `cargo xtask build` writes `dist/hashes.txt` (every served file's SHA-256, `sha256sum`
//! format). On the organisation's offline computer, `amanat release sign DIST --org-key
//! FILE` signs that list into `DIST/release.sig`. The privacy page checks the signature
//! with the organisation key compiled into the app and every served file against the
//! list; the service worker (whose own hash is in the list) refuses files whose hash is
//! not the build's. So a relay that serves the app's code can change it only by
//! changing files a privacy officer can tell apart from the signed ones.
//!
//! `release.sig` is text, one fact a line:
//!
//! ```text
//! amanat release v1
//! signed_by amanat-org-v1:…
//! hashes.txt <64 hex: SHA-256 of hashes.txt>
//! signature <base64 Ed25519 over the first three lines>
//! ```

pub mod files;

use sha2::{Digest, Sha256};

use crate::error::ErrorCode;
use crate::keyring::{OrgPublicKey, OrgSigningKey};

/// Hex digits of a content tag in an app file's name (see [`is_content_tagged`]).
pub const TAG_LEN: usize = 16;

/// Whether an app file's name (no folder; a compressed twin's `.br` / `.gz` left off)
/// carries a content tag, `stem.<16 lowercase hex>.ext` (`amanat_bg.0123456789abcdef.wasm`):
/// `cargo xtask build` gives such names only to files whose bytes fix them (the first
/// 16 hex digits of their SHA-256; see `xtask/src/hashed_names.rs`), so a changed file
/// gets a new name and the relay may let a browser keep one for a year.
pub fn is_content_tagged(name: &str) -> bool {
    let mut parts = name.rsplitn(3, '.');
    let (ext, tag, stem) = (parts.next(), parts.next(), parts.next());
    ext.is_some_and(|e| !e.is_empty())
        && stem.is_some_and(|s| !s.is_empty() && !s.contains('/'))
        && tag
            .is_some_and(|t| t.len() == TAG_LEN && t.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

/// The file name beside `hashes.txt`.
pub const SIGNATURE_FILE: &str = "release.sig";
/// Largest `release.sig` read.
pub const MAX_SIGNATURE_BYTES: usize = 1024;
const MAGIC: &str = "amanat release v1";

fn signed_part(signer: &OrgPublicKey, list: &[u8]) -> String {
    format!("{MAGIC}\nsigned_by {signer}\nhashes.txt {}\n", hex::encode(Sha256::digest(list)))
}

/// `release.sig`'s text for the file list `list` (the bytes of `hashes.txt`).
pub fn sign(list: &[u8], key: &OrgSigningKey) -> String {
    let body = signed_part(&key.public(), list);
    let signature = key.sign_b64(body.as_bytes());
    format!("{body}signature {signature}\n")
}

/// Checks that `sig` (the text of `release.sig`) is the organisation's signature, by
/// `pinned`, over exactly `list`. Refuses a signature by another key, over another list,
/// or that does not parse.
pub fn verify(sig: &[u8], list: &[u8], pinned: &OrgPublicKey) -> Result<(), ErrorCode> {
    if sig.len() > MAX_SIGNATURE_BYTES {
        return Err(ErrorCode::ReleaseBadSignature);
    }
    let text = std::str::from_utf8(sig).map_err(|_| ErrorCode::ReleaseBadSignature)?;
    let mut lines = text.lines();
    let (magic, signer, hash, signature) = (lines.next(), lines.next(), lines.next(), lines.next());
    let signer: OrgPublicKey = signer
        .and_then(|l| l.strip_prefix("signed_by "))
        .ok_or(ErrorCode::ReleaseBadSignature)?
        .parse()
        .map_err(|_| ErrorCode::ReleaseBadSignature)?;
    if magic != Some(MAGIC) || hash.and_then(|l| l.strip_prefix("hashes.txt ")).is_none() {
        return Err(ErrorCode::ReleaseBadSignature);
    }
    if signer != *pinned {
        return Err(ErrorCode::ReleaseWrongSigner);
    }
    let signature = signature.and_then(|l| l.strip_prefix("signature ")).ok_or(ErrorCode::ReleaseBadSignature)?;
    // The signed part is rebuilt from the list actually served: a signature over another
    // list fails here, whatever hash line the file claims.
    if !pinned.verify_b64(signed_part(pinned, list).as_bytes(), signature) {
        return Err(ErrorCode::ReleaseBadSignature);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_tagged_names_are_recognised() {
        assert!(is_content_tagged("amanat_bg.0123456789abcdef.wasm"));
        assert!(is_content_tagged("__wasm_split.0123456789abcdef.js"));
        for n in [
            "amanat_bg.wasm",
            "sw.js",
            "index.html",
            "a.0123456789ABCDEF.wasm",
            ".0123456789abcdef.js",
            "x.0123456789abcde.js",
            "x.0123456789abcdef.",
            "locales/x.0123456789abcdef.ftl",
        ] {
            assert!(!is_content_tagged(n), "{n}");
        }
    }

    const LIST: &[u8] = b"aaaa  index.html\nbbbb  amanat_bg.wasm\n";

    #[test]
    fn a_signed_list_verifies_with_the_organisation_key_only() {
        let org = OrgSigningKey::generate();
        let sig = sign(LIST, &org);
        assert_eq!(verify(sig.as_bytes(), LIST, &org.public()), Ok(()));
        let other = OrgSigningKey::generate();
        assert_eq!(verify(sig.as_bytes(), LIST, &other.public()), Err(ErrorCode::ReleaseWrongSigner));
        let forged = sign(LIST, &other);
        assert_eq!(verify(forged.as_bytes(), LIST, &org.public()), Err(ErrorCode::ReleaseWrongSigner));
    }

    #[test]
    fn a_list_changed_after_signing_is_refused_even_with_its_hash_line_updated() {
        let org = OrgSigningKey::generate();
        let sig = sign(LIST, &org);
        let changed = b"cccc  index.html\nbbbb  amanat_bg.wasm\n";
        assert_eq!(verify(sig.as_bytes(), changed, &org.public()), Err(ErrorCode::ReleaseBadSignature));
        let relabelled =
            sig.replace(&hex::encode(Sha256::digest(LIST)), &hex::encode(Sha256::digest(changed.as_slice())));
        assert_eq!(verify(relabelled.as_bytes(), changed, &org.public()), Err(ErrorCode::ReleaseBadSignature));
    }

    #[test]
    fn damaged_signature_files_are_refused() {
        let org = OrgSigningKey::generate();
        let sig = sign(LIST, &org);
        for bad in
            [String::new(), "<html>".into(), sig.replace("amanat release v1", "amanat release v9"), "x".repeat(2000)]
        {
            assert_eq!(verify(bad.as_bytes(), LIST, &org.public()), Err(ErrorCode::ReleaseBadSignature), "{bad:.40}");
        }
        let truncated: String = sig.lines().take(3).map(|l| format!("{l}\n")).collect();
        assert_eq!(verify(truncated.as_bytes(), LIST, &org.public()), Err(ErrorCode::ReleaseBadSignature));
    }
}
