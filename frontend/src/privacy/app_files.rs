//! "The app itself": the release's recorded hashes (`/hashes.txt`, written by `cargo
//! xtask build` in `sha256sum` format) against the SHA-256 of every file the relay
//! serves now, computed in this browser.
//!
//! A match says the relay serves the files of the build whose `hashes.txt` it serves;
//! comparing that list itself (its SHA-256 is shown) with the release's copy kept
//! elsewhere closes the loop. The same list tells the device scan which Cache Storage
//! responses are the app's own files.

use std::collections::BTreeMap;

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

    /// `/hashes.txt`, parsed, and its own SHA-256.
    pub async fn recorded() -> Option<(Hashes, String)> {
        let bytes = fetch("/hashes.txt").await?;
        if bytes.len() > MAX_LIST_BYTES {
            return None;
        }
        let list = parse(std::str::from_utf8(&bytes).ok()?).ok()?;
        let own = js::sha256_hex(&bytes).await.ok()?;
        Some((list, own))
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
    fn the_page_root_is_the_index_file() {
        assert_eq!(release_path("/"), "index.html");
        assert_eq!(release_path("/split_adviser.wasm"), "split_adviser.wasm");
        let c = FileCheck { path: "a".into(), expected: "x".into(), served: Some("x".into()) };
        assert!(c.matches());
        assert!(!FileCheck { served: None, ..c.clone() }.matches());
        assert!(!FileCheck { served: Some("y".into()), ..c }.matches());
    }
}
