//! Slowing down clients, in memory: token buckets per client address and per account
//! ([`Buckets`]), failed sign-ins per address in fixed windows ([`RateLimiter`]), and
//! the growing sign-in delays of names that have no passphrase account ([`DecoyDelays`]).
//!
//! A refused request is answered 429 with `Retry-After` (whole seconds, at least 1;
//! [`crate::error::Throttled`]). Limits are per relay process: behind a load balancer
//! each instance counts its own. Client addresses are keyed by [`client_key`]: an IPv6
//! address by its /64 (one subscriber usually holds a whole /64). Every map has a hard
//! bound of [`MAX_KEYS`]: when it is full, entries that no longer matter are dropped
//! and, if that is not enough, the oldest, down to nine tenths of the bound, so the
//! scan is paid once per thousand new keys, not per key.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most keys a limiter tracks.
pub const MAX_KEYS: usize = 10_000;

/// The key a client address is counted under: IPv4 as is, IPv6 by its /64 (an
/// IPv4-mapped IPv6 address as the IPv4 address).
pub fn client_key(ip: Option<IpAddr>) -> Option<IpAddr> {
    ip.map(|ip| match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        },
    })
}

/// Makes room in a full map: drops what `stale` says no longer matters, then, if
/// still above nine tenths of [`MAX_KEYS`], the entries with the oldest `age`.
fn make_room<K: Eq + Hash, V>(map: &mut HashMap<K, V>, stale: impl Fn(&V) -> bool, age: impl Fn(&V) -> Instant) {
    if map.len() < MAX_KEYS {
        return;
    }
    map.retain(|_, v| !stale(v));
    let target = MAX_KEYS * 9 / 10;
    if map.len() > target {
        let mut ages: Vec<Instant> = map.values().map(&age).collect();
        let excess = map.len() - target;
        let (_, cutoff, _) = ages.select_nth_unstable(excess - 1);
        let cutoff = *cutoff;
        map.retain(|_, v| age(v) > cutoff);
    }
}

/// Token buckets keyed by `K`: each key may spend `burst` requests at once, refilled
/// at `per_second`. A rate of 0 turns the limit off.
pub struct Buckets<K> {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<K, (f64, Instant)>>,
}

impl<K: Eq + Hash + Clone> Buckets<K> {
    /// `per_second` requests a second, bursts of twice that (at least 1).
    pub fn new(per_second: f64) -> Self {
        Self::with_burst(per_second, (per_second * 2.0).max(1.0))
    }

    pub fn with_burst(per_second: f64, burst: f64) -> Self {
        Self { per_second, burst: burst.max(1.0), buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one token for `key`; when there is none, how long until there is.
    pub fn take(&self, key: &K) -> Result<(), Duration> {
        if self.per_second <= 0.0 {
            return Ok(());
        }
        let now = Instant::now();
        let mut map = self.buckets.lock().expect("the limiter lock is not poisoned");
        if !map.contains_key(key) {
            // A bucket that has refilled can be forgotten without changing anything.
            let (rate, burst) = (self.per_second, self.burst);
            make_room(
                &mut map,
                |(tokens, at)| *tokens + now.duration_since(*at).as_secs_f64() * rate >= burst,
                |(_, at)| *at,
            );
        }
        let (tokens, at) = map.entry(key.clone()).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.per_second).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / self.per_second))
        }
    }
}

/// Counts sign-in attempts per client address in fixed windows. An attempt is counted
/// when it *begins* ([`RateLimiter::try_begin`]), so parallel requests cannot all pass
/// the check before any failure is recorded; a successful one is taken back.
pub struct RateLimiter {
    max_failures: u32,
    window: Duration,
    seen: Mutex<HashMap<Option<IpAddr>, (Instant, u32)>>,
}

/// An attempt in progress, already counted against its address.
#[must_use = "an attempt counts as a failure unless marked as succeeded"]
pub struct Attempt<'a> {
    limiter: &'a RateLimiter,
    key: Option<IpAddr>,
    window_start: Instant,
}

impl Attempt<'_> {
    /// The attempt succeeded: it no longer counts against the address.
    pub fn succeeded(self) {
        let mut seen = self.limiter.seen.lock().expect("the limiter lock is not poisoned");
        if let Some((start, n)) = seen.get_mut(&self.key) {
            if *start == self.window_start {
                *n = n.saturating_sub(1);
            }
        }
    }
}

impl RateLimiter {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self { max_failures, window, seen: Mutex::new(HashMap::new()) }
    }

    /// The sign-in limit: 20 failures a minute per address.
    pub fn sign_in() -> Self {
        Self::new(20, Duration::from_secs(60))
    }

    /// Whether `addr` may try now; if not, how long until its window ends.
    pub fn check(&self, addr: Option<IpAddr>) -> Result<(), Duration> {
        let key = client_key(addr);
        let now = Instant::now();
        let seen = self.seen.lock().expect("the limiter lock is not poisoned");
        match seen.get(&key) {
            Some((start, n)) if now.duration_since(*start) < self.window && *n >= self.max_failures => {
                Err(self.window - now.duration_since(*start))
            }
            _ => Ok(()),
        }
    }

    /// Whether `addr` may try now.
    pub fn allowed(&self, addr: Option<IpAddr>) -> bool {
        self.check(addr).is_ok()
    }

    /// Counts an attempt from `addr` before it is checked: refused (with how long to
    /// wait) when failures and attempts in flight already reach the limit.
    pub fn try_begin(&self, addr: Option<IpAddr>) -> Result<Attempt<'_>, Duration> {
        let key = client_key(addr);
        let (start, n) = self.count(key);
        if n > self.max_failures {
            let mut seen = self.seen.lock().expect("the limiter lock is not poisoned");
            if let Some(e) = seen.get_mut(&key) {
                e.1 -= 1; // a refused attempt is not counted twice
            }
            return Err(self.window.saturating_sub(start.elapsed()));
        }
        Ok(Attempt { limiter: self, key, window_start: start })
    }

    /// Records a failure from `addr` (one that did not go through [`Self::try_begin`]).
    pub fn failed(&self, addr: Option<IpAddr>) {
        self.count(client_key(addr));
    }

    /// Adds one to `key`'s count in the current window; returns the window and count.
    fn count(&self, key: Option<IpAddr>) -> (Instant, u32) {
        let now = Instant::now();
        let mut seen = self.seen.lock().expect("the limiter lock is not poisoned");
        if !seen.contains_key(&key) {
            let window = self.window;
            make_room(&mut seen, |(start, _)| now.duration_since(*start) >= window, |(start, _)| *start);
        }
        let e = seen.entry(key).or_insert((now, 0));
        if now.duration_since(e.0) >= self.window {
            *e = (now, 0);
        }
        e.1 += 1;
        *e
    }
}

/// The sign-in delays of names that have no passphrase account, kept in memory so an
/// unknown name behaves like a known one: the same count of wrong passphrases per
/// (name, client address), the same delays ([`crate::store::vault::delay_after`]).
/// (Known accounts keep theirs in the store.)
pub struct DecoyDelays {
    names: Mutex<HashMap<(String, Option<IpAddr>), DecoyDelay>>,
}

#[derive(Clone, Copy)]
struct DecoyDelay {
    failed: i64,
    delayed_until: Option<Instant>,
    touched: Instant,
}

impl Default for DecoyDelays {
    fn default() -> Self {
        Self::new()
    }
}

impl DecoyDelays {
    pub fn new() -> Self {
        Self { names: Mutex::new(HashMap::new()) }
    }

    /// Counts an attempt for `name` from `addr` before it is checked, as the store does
    /// for a real account: how long to wait if the address must still wait, else the
    /// attempt's number (its delay is set at once, as if it failed).
    pub fn reserve(&self, name: &str, addr: Option<IpAddr>) -> Result<i64, Duration> {
        let now = Instant::now();
        let key = (name.to_owned(), client_key(addr));
        let mut names = self.names.lock().expect("the delay table is not poisoned");
        if !names.contains_key(&key) {
            // An entry whose delay is over and whose count is below the free ones
            // changes nothing when forgotten; the oldest go first when that is not enough.
            make_room(
                &mut names,
                |d| d.delayed_until.is_none_or(|t| t <= now) && d.failed < crate::store::vault::FREE_FAILURES - 1,
                |d| d.touched,
            );
        }
        let e = names.entry(key).or_insert(DecoyDelay { failed: 0, delayed_until: None, touched: now });
        e.touched = now;
        if let Some(t) = e.delayed_until.filter(|t| *t > now) {
            return Err(t - now);
        }
        e.failed += 1;
        let wait = crate::store::vault::delay_after(e.failed);
        e.delayed_until = (wait > 0).then(|| now + Duration::from_secs(wait as u64));
        Ok(e.failed)
    }

    /// Attempt `n` for `name` from `addr` failed: its delay runs from now.
    pub fn failed(&self, name: &str, addr: Option<IpAddr>, n: i64) {
        let wait = crate::store::vault::delay_after(n);
        if wait == 0 {
            return;
        }
        let now = Instant::now();
        let mut names = self.names.lock().expect("the delay table is not poisoned");
        if let Some(e) = names.get_mut(&(name.to_owned(), client_key(addr))) {
            e.delayed_until = Some(now + Duration::from_secs(wait as u64));
        }
    }
}

/// Whole seconds for a `Retry-After` header: rounded up, at least 1.
pub fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0).max(u64::from(wait.is_zero()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_stopped_after_too_many_failures_and_others_are_not() {
        let l = RateLimiter::new(2, Duration::from_secs(60));
        let a = Some("127.0.0.1".parse().unwrap());
        let b = Some("127.0.0.2".parse().unwrap());
        assert!(l.allowed(a));
        l.failed(a);
        l.failed(a);
        let wait = l.check(a).unwrap_err();
        assert!(wait > Duration::from_secs(58) && wait <= Duration::from_secs(60), "{wait:?}");
        assert!(l.allowed(b));
    }

    #[test]
    fn the_window_ends() {
        let l = RateLimiter::new(1, Duration::from_millis(10));
        l.failed(None);
        assert!(!l.allowed(None));
        std::thread::sleep(Duration::from_millis(20));
        assert!(l.allowed(None));
    }

    #[test]
    fn a_bucket_allows_its_burst_then_says_how_long_to_wait_and_refills() {
        let b = Buckets::with_burst(100.0, 3.0);
        for _ in 0..3 {
            b.take(&"a").unwrap();
        }
        let wait = b.take(&"a").unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_millis(10), "{wait:?}");
        assert!(b.take(&"b").is_ok(), "another key has its own bucket");
        std::thread::sleep(Duration::from_millis(15));
        assert!(b.take(&"a").is_ok());
    }

    #[test]
    fn a_rate_of_zero_means_no_limit() {
        let b = Buckets::new(0.0);
        for _ in 0..10_000 {
            b.take(&1u8).unwrap();
        }
    }

    #[test]
    fn many_keys_do_not_grow_the_map_past_its_bound_when_they_are_idle() {
        let b = Buckets::with_burst(1_000_000.0, 1.0);
        for i in 0..(MAX_KEYS * 2) {
            b.take(&i).unwrap();
        }
        assert!(b.buckets.lock().unwrap().len() <= MAX_KEYS + 1);
    }

    #[test]
    fn parallel_attempts_are_counted_when_they_begin_so_they_cannot_all_pass() {
        let l = RateLimiter::new(3, Duration::from_secs(60));
        let a = Some("10.0.0.1".parse().unwrap());
        let in_flight: Vec<_> = (0..3).map(|_| l.try_begin(a).expect("within the limit")).collect();
        assert!(l.try_begin(a).is_err(), "a fourth attempt while three are in flight is refused");
        assert!(l.try_begin(a).is_err(), "refusals do not count twice but still refuse");
        let mut in_flight = in_flight.into_iter();
        in_flight.next().unwrap().succeeded();
        assert!(l.try_begin(a).is_ok(), "a success gives its place back");
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_slash_64() {
        let l = RateLimiter::new(1, Duration::from_secs(60));
        l.failed(Some("2001:db8:1:2::1".parse().unwrap()));
        assert!(!l.allowed(Some("2001:db8:1:2:ffff::9".parse().unwrap())), "same /64");
        assert!(l.allowed(Some("2001:db8:1:3::1".parse().unwrap())), "another /64");
        assert_eq!(client_key(Some("::ffff:10.1.2.3".parse().unwrap())), Some("10.1.2.3".parse().unwrap()));
    }

    #[test]
    fn the_failure_map_has_a_hard_bound_even_when_every_entry_is_live() {
        let l = RateLimiter::new(100, Duration::from_secs(3600));
        for i in 0..(MAX_KEYS as u32 * 3) {
            l.failed(Some(IpAddr::V4(i.into())));
        }
        assert!(l.seen.lock().unwrap().len() <= MAX_KEYS);
        let b = Buckets::with_burst(0.000_001, 1.0);
        for i in 0..(MAX_KEYS * 3) {
            let _ = b.take(&i);
        }
        assert!(b.buckets.lock().unwrap().len() <= MAX_KEYS, "draining buckets are bounded too");
    }

    #[test]
    fn an_unknown_name_is_delayed_per_address_like_an_account() {
        let d = DecoyDelays::new();
        let (a, b) = (Some("10.0.0.1".parse().unwrap()), Some("10.0.0.2".parse().unwrap()));
        assert_eq!(d.reserve("ghost", a), Ok(1));
        assert_eq!(d.reserve("ghost", a), Ok(2));
        assert_eq!(d.reserve("ghost", a), Ok(3), "three are free");
        d.failed("ghost", a, 3);
        let wait = d.reserve("ghost", a).unwrap_err();
        assert!(wait > Duration::from_millis(900) && wait <= Duration::from_secs(1), "{wait:?}");
        assert_eq!(d.reserve("ghost", b), Ok(1), "another address is not delayed");
        assert_eq!(d.reserve("other", a), Ok(1), "nor another name");
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds_and_is_never_zero() {
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_secs(2)), 2);
        assert_eq!(retry_after_secs(Duration::from_millis(2001)), 3);
    }
}
