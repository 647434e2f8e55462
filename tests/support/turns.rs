//! Turns: the heavy stories run one at a time inside the one test binary.
//!
//! All stories share one process, and libtest runs them on as many threads as there
//! are cores (two in CI). Relay-only stories are light (an in-process relay, a few
//! requests) and run side by side. A *heavy* story is one that starts headless
//! Chromium (one to three instances, each with its own chromedriver) or puts a relay
//! under load while killing it (`crash_safety`, `restart_sign_in`): two of those at
//! once on two cores would starve each other's waits and deadlines, which are set for
//! a story running alone, as each did when it had its own test binary. So a heavy
//! story's first line is `let _turn = turns::heavy_story();`; light stories may run
//! beside it, another heavy story waits.
//!
//! A plain mutex, not `--test-threads=1`: that would also make every light story wait.

use std::sync::{Mutex, MutexGuard, PoisonError};

static HEAVY: Mutex<()> = Mutex::new(());

/// The turn of a heavy story: the next one starts when this is dropped (at the end of
/// the story, passed or failed).
#[must_use = "the turn ends when this is dropped: bind it with `let _turn = …`"]
pub struct Turn(#[allow(dead_code)] MutexGuard<'static, ()>);

/// Waits until no other heavy story runs, and holds the turn until dropped. A story
/// that failed during its turn does not stop the others (the lock is not poisoned for
/// them).
pub fn heavy_story() -> Turn {
    Turn(HEAVY.lock().unwrap_or_else(PoisonError::into_inner))
}
