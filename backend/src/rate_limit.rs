//! Slowing down guessing: failed sign-ins per client address, in memory.
//!
//! A fixed window per address; after too many failures the address is answered 429
//! until the window ends. Kept small on purpose: tokens are 256-bit random, so this
//! limits log noise and load more than it protects the secret.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counts failures per address in fixed windows.
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

    /// Whether `addr` may try now.
    pub fn allowed(&self, addr: Option<IpAddr>) -> bool {
        let now = Instant::now();
        let seen = self.seen.lock().expect("the limiter lock is not poisoned");
        match seen.get(&addr) {
            Some((start, n)) if now.duration_since(*start) < self.window => *n < self.max_failures,
            _ => true,
        }
    }

    /// Records a failure from `addr`.
    pub fn failed(&self, addr: Option<IpAddr>) {
        let now = Instant::now();
        let mut seen = self.seen.lock().expect("the limiter lock is not poisoned");
        if seen.len() > 10_000 {
            seen.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let e = seen.entry(addr).or_insert((now, 0));
        if now.duration_since(e.0) >= self.window {
            *e = (now, 0);
        }
        e.1 += 1;
    }
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
        assert!(!l.allowed(a));
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
}
