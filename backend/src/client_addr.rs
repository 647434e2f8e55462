//! Whose request this is: the client's address as every limit, delay and log sees it.
//!
//! Without `--trusted-proxy` that is the socket's peer, whatever the request's headers
//! say: a client cannot pick the address it is counted under. Behind a reverse proxy
//! (Caddy, nginx) every socket peer is the proxy, so one stranger's wrong sign-ins
//! would throttle the whole organisation; `--trusted-proxy CIDR` (repeatable) names the
//! proxies whose word about the client is taken. From such a peer only, the relay reads
//! `Forwarded` (RFC 7239, its `for=` parameters) or, when that is absent,
//! `X-Forwarded-For`, and walks the list from the right, skipping trusted proxies: the
//! first address not in a trusted range is the client (an address a client put at the
//! left of the list itself is never reached while a proxy appended the real one after
//! it). A list that cannot be read leaves the peer (the proxy) as the address, so a bad
//! header never lets a client choose its own.
//!
//! [`resolve`] runs once per request in the accept loop ([`crate::server`]), which puts
//! the result in the request's `ConnectInfo`: every handler that reads the address gets
//! the client's, with nothing to remember.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use axum::http::HeaderMap;

/// Most forwarded addresses read from one request (a longer chain is not a real one).
const MAX_HOPS: usize = 32;

/// An address range: `10.0.0.0/8`, `fd00::/8`, or one address (`127.0.0.1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    prefix: u8,
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("{s:?} is not an address range such as 10.0.0.0/8, fd00::/8 or 127.0.0.1");
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let net: IpAddr = addr.trim().parse().map_err(|_| bad())?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.trim().parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
            None => max,
        };
        Ok(Self { net, prefix })
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.net, self.prefix)
    }
}

impl Cidr {
    /// Whether `ip` is in the range (an IPv4-mapped IPv6 address counts as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match (self.net, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The reverse proxies whose `Forwarded` / `X-Forwarded-For` is believed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(pub Vec<Cidr>);

impl TrustedProxies {
    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|c| c.contains(ip))
    }

    /// The client's address for a request that came from `peer` with `headers`.
    pub fn resolve(&self, peer: SocketAddr, headers: &HeaderMap) -> SocketAddr {
        if !self.trusts(peer.ip()) {
            return peer;
        }
        let Some(chain) = forwarded_chain(headers) else {
            return peer;
        };
        // From the right: the nearest hop first. Each trusted proxy vouches for the
        // address to its left; the first untrusted one is the client.
        let mut client = peer;
        for hop in chain.iter().rev() {
            client = *hop;
            if !self.trusts(hop.ip()) {
                break;
            }
        }
        client
    }
}

/// The forwarded-for addresses in order (left = farthest), from `Forwarded` if the
/// request has one, else `X-Forwarded-For`; `None` when absent or unreadable.
fn forwarded_chain(headers: &HeaderMap) -> Option<Vec<SocketAddr>> {
    let lines = |name: &str| -> Option<Vec<&str>> { headers.get_all(name).iter().map(|v| v.to_str().ok()).collect() };
    let forwarded = lines("forwarded")?;
    let chain: Option<Vec<SocketAddr>> = if forwarded.is_empty() {
        let xff = lines("x-forwarded-for")?;
        xff.iter().flat_map(|v| v.split(',')).map(|hop| node(hop.trim())).collect()
    } else {
        forwarded.iter().flat_map(|v| v.split(',')).map(for_node).collect()
    };
    chain.filter(|c| !c.is_empty() && c.len() <= MAX_HOPS)
}

/// The `for=` node of one `Forwarded` element (`for=192.0.2.60;proto=https`).
fn for_node(element: &str) -> Option<SocketAddr> {
    let value = element.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        k.trim().eq_ignore_ascii_case("for").then_some(v.trim())
    })?;
    node(value.trim_matches('"'))
}

/// One node: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`, `[2001:db8::1]:4711`
/// (an obfuscated or `unknown` node is unreadable: `None`).
fn node(s: &str) -> Option<SocketAddr> {
    if let Ok(sa) = s.parse::<SocketAddr>() {
        return Some(sa);
    }
    let bare = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')).unwrap_or(s);
    bare.parse::<IpAddr>().ok().map(|ip| SocketAddr::new(ip, 0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies(list.iter().map(|s| s.parse().unwrap()).collect())
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    const PROXY: &str = "10.0.0.5:40000";

    #[test]
    fn ranges_parse_and_contain_what_they_should() {
        let c: Cidr = "10.0.0.0/8".parse().unwrap();
        assert!(c.contains(ip("10.200.1.1")) && !c.contains(ip("11.0.0.1")));
        assert!(c.contains(ip("::ffff:10.1.2.3")), "an IPv4-mapped address is its IPv4 address");
        let one: Cidr = "127.0.0.1".parse().unwrap();
        assert!(one.contains(ip("127.0.0.1")) && !one.contains(ip("127.0.0.2")));
        let v6: Cidr = "fd00::/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")) && !v6.contains(ip("10.0.0.1")));
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("203.0.113.9")));
        for bad in ["", "10.0.0.0/33", "::/129", "example.org", "10.0.0.0/x", "10.0.0/8"] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let h = headers(&[("x-forwarded-for", "198.51.100.7"), ("forwarded", "for=198.51.100.8")]);
        assert_eq!(proxies(&[]).resolve(PROXY.parse().unwrap(), &h), PROXY.parse().unwrap());
        assert_eq!(proxies(&["192.168.0.0/16"]).resolve(PROXY.parse().unwrap(), &h), PROXY.parse().unwrap());
    }

    #[test]
    fn behind_a_trusted_proxy_the_rightmost_untrusted_address_is_the_client() {
        let t = proxies(&["10.0.0.0/8"]);
        let peer = PROXY.parse().unwrap();
        // The client forged the leftmost entry; the proxy appended the real address.
        let h = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.9")]);
        assert_eq!(t.resolve(peer, &h).ip(), ip("203.0.113.9"));
        // Two proxies in a row, both trusted.
        let h = headers(&[("x-forwarded-for", "203.0.113.9, 10.0.0.7")]);
        assert_eq!(t.resolve(peer, &h).ip(), ip("203.0.113.9"));
        // Repeated header lines are one list.
        let h = headers(&[("x-forwarded-for", "1.2.3.4"), ("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(t.resolve(peer, &h).ip(), ip("203.0.113.9"));
    }

    #[test]
    fn forwarded_wins_over_x_forwarded_for_and_reads_ports_and_brackets() {
        let t = proxies(&["10.0.0.0/8"]);
        let peer = PROXY.parse().unwrap();
        let h = headers(&[
            ("x-forwarded-for", "198.51.100.1"),
            ("forwarded", r#"for=192.0.2.60;proto=https, For="[2001:db8:cafe::17]:4711""#),
        ]);
        assert_eq!(t.resolve(peer, &h), "[2001:db8:cafe::17]:4711".parse().unwrap());
    }

    #[test]
    fn an_unreadable_or_missing_list_leaves_the_proxy_as_the_address() {
        let t = proxies(&["10.0.0.0/8"]);
        let peer: SocketAddr = PROXY.parse().unwrap();
        for h in [
            headers(&[]),
            headers(&[("x-forwarded-for", "1.2.3.4, not-an-address")]),
            headers(&[("forwarded", "for=unknown")]),
            headers(&[("forwarded", "proto=https")]),
            headers(&[("x-forwarded-for", &vec!["1.2.3.4"; MAX_HOPS + 1].join(","))]),
        ] {
            assert_eq!(t.resolve(peer, &h), peer, "{h:?}");
        }
    }

    #[test]
    fn a_chain_of_only_trusted_hops_ends_at_the_farthest() {
        let t = proxies(&["10.0.0.0/8"]);
        let h = headers(&[("x-forwarded-for", "10.9.9.9, 10.0.0.7")]);
        assert_eq!(t.resolve(PROXY.parse().unwrap(), &h).ip(), ip("10.9.9.9"));
    }
}
