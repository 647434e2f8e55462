//! Slowing down clients, in memory: token buckets per client address and per account
//! ([`Buckets`]), and failed sign-ins per address in fixed windows ([`RateLimiter`]).
//!
//! A refused request is answered 429 with `Retry-After` (whole seconds, at least 1;
//! [`crate::error::Throttled`]). Limits are per relay process: behind a load balancer
//! each instance counts its own. The maps are bounded: past [`MAX_KEYS`] keys, idle
//! ones are dropped, so a flood of addresses cannot grow memory without end.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most keys a limiter tracks before it drops idle ones.
pub const MAX_KEYS: usize = 10_000;

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
        if map.len() >= MAX_KEYS && !map.contains_key(key) {
            // Drop buckets that have refilled: forgetting them changes nothing.
            let (rate, burst) = (self.per_second, self.burst);
            map.retain(|_, (tokens, at)| *tokens + now.duration_since(*at).as_secs_f64() * rate < burst);
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

/// Counts failures per address in fixed windows (sign-in).
pub struct RateLimiter {
    max_failures: u32,
    window: Duration,
    seen: Mutex<HashMap<Option<IpAddr>, (Instant, u32)>>,
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
        let now = Instant::now();
        let seen = self.seen.lock().expect("the limiter lock is not poisoned");
        match seen.get(&addr) {
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

    /// Records a failure from `addr`.
    pub fn failed(&self, addr: Option<IpAddr>) {
        let now = Instant::now();
        let mut seen = self.seen.lock().expect("the limiter lock is not poisoned");
        if seen.len() > MAX_KEYS {
            seen.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let e = seen.entry(addr).or_insert((now, 0));
        if now.duration_since(e.0) >= self.window {
            *e = (now, 0);
        }
        e.1 += 1;
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
    fn retry_after_rounds_up_to_whole_seconds_and_is_never_zero() {
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_secs(2)), 2);
        assert_eq!(retry_after_secs(Duration::from_millis(2001)), 3);
    }
}
