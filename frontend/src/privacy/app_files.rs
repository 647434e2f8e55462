//! "The app itself": the release's recorded hashes (`/hashes.txt`, written by `cargo
//! xtask build` in `sha256sum` format) against the SHA-256 of every file the relay
//! serves now, computed in this browser.
//!
//! A match says the relay serves the files of the build whose `hashes.txt` it serves.
//! The list itself is signed by the organisation (`/release.sig`, `amanat release
//! sign`): in a build with the organisation key compiled in, [`signature`] checks it, so
//! a relay cannot swap in a list of its own. (A demo build has no key to check with; it
//! shows the list's SHA-256 to compare by hand.) The same list tells the device scan
//! which Cache Storage responses are the app's own files.

use std::collections::BTreeMap;

use shared::keyring::OrgPublicKey;
use shared::ErrorCode;

/// What the organisation's signature over the served list says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signature {
    /// Signed by the organisation key built into this app, over exactly this list.
    Signed,
    /// A demo build: no organisation key was built in, so nothing to check against.
    NotPinned,
    /// Missing, damaged, over another list, or by another key.
    Refused(ErrorCode),
}

impl Signature {
    /// The `data-state` the page shows.
    pub fn state(self) -> &'static str {
        match self {
            Signature::Signed => "signed",
            Signature::NotPinned => "not_pinned",
            Signature::Refused(_) => "refused",
        }
    }
}

/// Checks the served `release.sig` (`None`: not served) over the served `list` with the
/// organisation key built into the app (`None`: a demo build).
pub fn signature(sig: Option<&[u8]>, list: &[u8], built_in: Option<&str>) -> Signature {
    let Some(key) = built_in else { return Signature::NotPinned };
    let key: OrgPublicKey = match key.parse() {
        Ok(k) => k,
        Err(e) => return Signature::Refused(e),
    };
    match sig.map(|sig| shared::release::verify(sig, list, &key)) {
        Some(Ok(())) => Signature::Signed,
        Some(Err(e)) => Signature::Refused(e),
        None => Signature::Refused(ErrorCode::ReleaseBadSignature),
    }
}

/// Largest `hashes.txt` read (a build has a few dozen lines).
pub const MAX_LIST_BYTES: usize = 64 * 1024;

/// Path (no leading `/`) → lowercase hex SHA-256.
pub type Hashes = BTreeMap<String, String>;

/// Parses `sha256sum` output: `<64 hex>  <path>` per line. Lines that are not of that
/// form are refused (a damaged list must not pass as a shorter one).
pub fn parse(text: &str) -> Result<Hashes, usize> {
    let mut out = Hashes::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (hash, path) = line.split_once("  ").ok_or(n + 1)?;
        let path = path.trim_start_matches('*');
        if hash.len() != 64
            || !hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            || path.is_empty()
            || path.contains("..")
        {
            return Err(n + 1);
        }
        out.insert(path.to_owned(), hash.to_owned());
    }
    Ok(out)
}

/// The release path a URL path of the app stands for: `/` is `index.html` (the service
/// worker keeps the page under both).
pub fn release_path(url_path: &str) -> String {
    let p = url_path.trim_start_matches('/');
    if p.is_empty() {
        "index.html".into()
    } else {
        p.to_owned()
    }
}

/// One file's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileCheck {
    pub path: String,
    pub expected: String,
    /// The SHA-256 of what the relay served; `None` when it could not be fetched.
    pub served: Option<String>,
}

impl FileCheck {
    pub fn matches(&self) -> bool {
        self.served.as_deref() == Some(self.expected.as_str())
    }
}

pub use browser::*;

mod browser {
    use gloo_net::http::Request;
    use web_sys::RequestCache;

    use super::*;
    use crate::privacy::js;

    /// Fetches a file of the app past every cache.
    pub async fn fetch(path: &str) -> Option<Vec<u8>> {
        let resp = Request::get(path).cache(RequestCache::NoStore).send().await.ok()?;
        if !resp.ok() {
            return None;
        }
        resp.binary().await.ok()
    }

    /// `/hashes.txt`, parsed, its own SHA-256, and what its signature says.
    pub async fn recorded() -> Option<(Hashes, String, Signature)> {
        let bytes = fetch("/hashes.txt").await?;
        if bytes.len() > MAX_LIST_BYTES {
            return None;
        }
        let list = parse(std::str::from_utf8(&bytes).ok()?).ok()?;
        let own = js::sha256_hex(&bytes).await.ok()?;
        let sig = fetch(&format!("/{}", shared::release::SIGNATURE_FILE)).await;
        let signed = signature(sig.as_deref(), &bytes, crate::keyring_pin::BUILT_IN);
        Some((list, own, signed))
    }

    /// Fetches and hashes one file.
    pub async fn check(path: &str, expected: &str) -> FileCheck {
        let served = match fetch(&format!("/{path}")).await {
            Some(bytes) => js::sha256_hex(&bytes).await.ok(),
            None => None,
        };
        FileCheck { path: path.to_owned(), expected: expected.to_owned(), served }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builds_hash_list_parses_and_a_damaged_line_is_refused() {
        let h = "a".repeat(64);
        let list = parse(&format!("{h}  index.html\n{h}  locales/en.ftl\n")).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list["locales/en.ftl"], h);
        assert_eq!(parse(&format!("{h}  index.html\nnot a line\n")), Err(2));
        assert_eq!(parse(&format!("{}  x\n", "A".repeat(64))), Err(1), "uppercase is not sha256sum's form");
        assert_eq!(parse(&format!("{h}  ../etc/passwd\n")), Err(1));
    }

    #[test]
    fn the_served_list_counts_as_the_release_only_with_the_built_in_keys_signature_over_it() {
        use shared::keyring::OrgSigningKey;
        let org = OrgSigningKey::generate();
        let key = org.public().to_string();
        let list = b"aa  index.html\n";
        let sig = shared::release::sign(list, &org);
        assert_eq!(signature(Some(sig.as_bytes()), list, Some(&key)), Signature::Signed);
        assert_eq!(signature(Some(sig.as_bytes()), list, None), Signature::NotPinned);
        assert_eq!(signature(None, list, Some(&key)), Signature::Refused(ErrorCode::ReleaseBadSignature));
        assert_eq!(
            signature(Some(sig.as_bytes()), b"bb  index.html\n", Some(&key)),
            Signature::Refused(ErrorCode::ReleaseBadSignature),
            "a list the relay swapped in"
        );
        let relays_own = shared::release::sign(list, &OrgSigningKey::generate());
        assert_eq!(
            signature(Some(relays_own.as_bytes()), list, Some(&key)),
            Signature::Refused(ErrorCode::ReleaseWrongSigner)
        );
    }

    #[test]
    fn the_page_root_is_the_index_file() {
        assert_eq!(release_path("/"), "index.html");
        assert_eq!(release_path("/split_adviser.wasm"), "split_adviser.wasm");
        let c = FileCheck { path: "a".into(), expected: "x".into(), served: Some("x".into()) };
        assert!(c.matches());
        assert!(!FileCheck { served: None, ..c.clone() }.matches());
        assert!(!FileCheck { served: Some("y".into()), ..c }.matches());
    }
}
