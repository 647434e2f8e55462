//! Web origins of a split deployment: the app served from one origin (a static host the
//! organisation runs) and the relay's API from another.
//!
//! [`WebOrigin::parse`] is the one rule for both sides: `cargo xtask build
//! --relay-origin` and `amanat release sign --relay-origin` (the relay origin written
//! into the app's `index.html`), and `amanat serve --app-origin` (the one origin the
//! relay's API answers cross-origin). An origin is `https://host[:port]`, or plain
//! `http://` on the loopback host only (`127.0.0.1`, `[::1]`, `localhost`: tests and a
//! developer's machine); nothing else: no path, query, fragment or user name, so the
//! value compares byte for byte with a browser's `Origin` header.
//!
//! The relay origin travels in the app's `index.html` as
//! `<meta name="amanat-relay" content="https://relay.example.org">` ([`META_NAME`],
//! [`set_in_index`]): `index.html` is already in the signed file list and in the
//! service worker's, so the relay origin is covered by the release's signature and by
//! the worker's check like every other byte of the app, and the app reads it without a
//! request of its own. Without the tag the app talks to its own origin.

use std::fmt;

/// The `<meta name>` that carries the relay origin in `index.html`.
pub const META_NAME: &str = "amanat-relay";

/// Longest origin accepted.
pub const MAX_ORIGIN_LEN: usize = 253 + 20;

/// A checked web origin, as a browser writes it in `Origin` (lowercase scheme and host,
/// no default port, no trailing slash).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WebOrigin(String);

/// Why a string is not an origin Amanat accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OriginError {
    /// Not `scheme://host[:port]`.
    Malformed,
    /// `http://` to a host other than the loopback one.
    NotHttps,
    /// A path, query or fragment after the host.
    HasPath,
    /// `user@host`.
    HasUserInfo,
    /// A port that is not a number from 1 to 65535.
    BadPort,
    /// An empty host, or one with characters no host name has.
    BadHost,
}

impl fmt::Display for OriginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OriginError::Malformed => "an origin is `https://host` or `https://host:port`",
            OriginError::NotHttps => {
                "the origin must be https:// (plain http:// only on 127.0.0.1, [::1] or localhost, for tests)"
            }
            OriginError::HasPath => "an origin has no path, query or fragment: give `https://host[:port]` only",
            OriginError::HasUserInfo => "an origin has no user name or password",
            OriginError::BadPort => "the port must be a number from 1 to 65535",
            OriginError::BadHost => "the host name is empty or has characters a host name cannot have",
        })
    }
}

impl std::error::Error for OriginError {}

const LOOPBACK: [&str; 3] = ["127.0.0.1", "[::1]", "localhost"];

impl WebOrigin {
    /// Checks and normalises `s` (see the module doc). A single trailing `/` is
    /// forgiven (people paste `https://relay.example.org/`); any other path is not.
    pub fn parse(s: &str) -> Result<Self, OriginError> {
        let s = s.trim();
        if s.is_empty() || s.len() > MAX_ORIGIN_LEN {
            return Err(OriginError::Malformed);
        }
        let (scheme, rest) = s.split_once("://").ok_or(OriginError::Malformed)?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "https" && scheme != "http" {
            return Err(OriginError::Malformed);
        }
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#', '\\']) {
            return Err(OriginError::HasPath);
        }
        if rest.contains('@') {
            return Err(OriginError::HasUserInfo);
        }
        let (host, port) = split_port(rest)?;
        let host = host.to_ascii_lowercase();
        let host_ok = if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            !v6.is_empty() && v6.bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        } else {
            !host.is_empty()
                && !host.starts_with(['.', '-'])
                && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        };
        if !host_ok {
            return Err(OriginError::BadHost);
        }
        if scheme == "http" && !LOOPBACK.contains(&host.as_str()) {
            return Err(OriginError::NotHttps);
        }
        let default_port = if scheme == "https" { 443 } else { 80 };
        Ok(WebOrigin(match port {
            Some(p) if p != default_port => format!("{scheme}://{host}:{p}"),
            _ => format!("{scheme}://{host}"),
        }))
    }

    /// The origin as a browser writes it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The host, without port (`relay.example.org`, `127.0.0.1`, `[::1]`).
    pub fn host(&self) -> &str {
        let rest = self.0.split_once("://").map_or("", |(_, r)| r);
        split_port(rest).map_or(rest, |(h, _)| h)
    }

    /// Whether this is a plain `http://` loopback origin (tests only).
    pub fn is_plain_http(&self) -> bool {
        self.0.starts_with("http://")
    }
}

impl fmt::Display for WebOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for WebOrigin {
    type Err = OriginError;
    fn from_str(s: &str) -> Result<Self, OriginError> {
        WebOrigin::parse(s)
    }
}

fn split_port(rest: &str) -> Result<(&str, Option<u16>), OriginError> {
    let (host, port) = if rest.starts_with('[') {
        match rest.split_once(']') {
            Some((h, "")) => (&rest[..h.len() + 1], None),
            Some((h, p)) => (&rest[..h.len() + 1], Some(p.strip_prefix(':').ok_or(OriginError::BadHost)?)),
            None => return Err(OriginError::BadHost),
        }
    } else {
        match rest.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (rest, None),
        }
    };
    let port = match port {
        None => None,
        Some(p) if !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) => {
            Some(p.parse::<u16>().ok().filter(|&n| n > 0).ok_or(OriginError::BadPort)?)
        }
        Some(_) => return Err(OriginError::BadPort),
    };
    Ok((host, port))
}

/// `index.html` with the relay origin set to `origin` (`None`: removed, the app talks
/// to its own origin): the `<meta name="amanat-relay">` line is replaced, or put
/// right after the `<meta charset>` line. `None` when the page has no such line.
pub fn set_in_index(html: &str, origin: Option<&WebOrigin>) -> Option<String> {
    let marker = format!("<meta name=\"{META_NAME}\"");
    let mut out = String::with_capacity(html.len() + 80);
    let mut placed = false;
    for line in html.split_inclusive('\n') {
        if line.trim_start().starts_with(&marker) {
            continue;
        }
        out.push_str(line);
        if !placed && line.trim_start().starts_with("<meta charset") {
            placed = true;
            if let Some(origin) = origin {
                out.push_str(&format!("<meta name=\"{META_NAME}\" content=\"{origin}\">\n"));
            }
        }
    }
    placed.then_some(out)
}

/// The relay origin `index.html` names, if it names one (and it checks).
pub fn in_index(html: &str) -> Option<Result<WebOrigin, OriginError>> {
    let marker = format!("<meta name=\"{META_NAME}\" content=\"");
    let line = html.lines().find(|l| l.trim_start().starts_with(&marker))?;
    let value = line.trim_start().strip_prefix(&marker)?.split('"').next().unwrap_or("");
    Some(WebOrigin::parse(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> String {
        WebOrigin::parse(s).unwrap().to_string()
    }

    #[test]
    fn an_origin_is_https_or_loopback_http_and_is_written_as_browsers_write_it() {
        assert_eq!(ok("https://relay.example.org"), "https://relay.example.org");
        assert_eq!(ok("HTTPS://Relay.Example.org/"), "https://relay.example.org");
        assert_eq!(ok("https://relay.example.org:443"), "https://relay.example.org");
        assert_eq!(ok("https://relay.example.org:8443"), "https://relay.example.org:8443");
        assert_eq!(ok("http://127.0.0.1:4000"), "http://127.0.0.1:4000");
        assert_eq!(ok("http://localhost"), "http://localhost");
        assert_eq!(ok("http://[::1]:80"), "http://[::1]");
        assert_eq!(WebOrigin::parse("https://[::1]:9000").unwrap().host(), "[::1]");
        assert_eq!(WebOrigin::parse("https://a.b:9000").unwrap().host(), "a.b");
    }

    #[test]
    fn anything_else_is_refused_with_its_reason() {
        use OriginError::*;
        for (s, why) in [
            ("http://relay.example.org", NotHttps),
            ("http://10.0.0.1:8080", NotHttps),
            ("https://relay.example.org/api", HasPath),
            ("https://relay.example.org?x=1", HasPath),
            ("https://relay.example.org#a", HasPath),
            ("https://u:p@relay.example.org", HasUserInfo),
            ("https://relay.example.org:0", BadPort),
            ("https://relay.example.org:70000", BadPort),
            ("https://relay.example.org:", BadPort),
            ("https://", BadHost),
            ("https://rel ay.org", BadHost),
            ("https://<script>", BadHost),
            ("relay.example.org", Malformed),
            ("ftp://relay.example.org", Malformed),
            ("javascript://x", Malformed),
            ("", Malformed),
        ] {
            assert_eq!(WebOrigin::parse(s), Err(why.clone()), "{s}");
            assert!(!why.to_string().is_empty());
        }
    }

    #[test]
    fn the_relay_origin_is_set_replaced_and_removed_in_index_html() {
        let page = "<!doctype html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>A</title>\n</head>\n";
        assert_eq!(in_index(page), None);
        let relay = WebOrigin::parse("https://relay.example.org").unwrap();
        let set = set_in_index(page, Some(&relay)).unwrap();
        assert!(set.contains(
            "<meta charset=\"utf-8\">\n<meta name=\"amanat-relay\" content=\"https://relay.example.org\">\n"
        ));
        assert_eq!(in_index(&set), Some(Ok(relay)));
        let other = WebOrigin::parse("https://r2.example.org").unwrap();
        let again = set_in_index(&set, Some(&other)).unwrap();
        assert_eq!(again.matches("amanat-relay").count(), 1);
        assert_eq!(in_index(&again), Some(Ok(other)));
        assert_eq!(set_in_index(&again, None).unwrap(), page);
        assert_eq!(set_in_index("<html></html>", Some(&WebOrigin::parse("https://x.org").unwrap())), None);
    }
}
