//! The caseworker's session rules, for the key holder's page (`/adviser`) and the
//! privacy officer's relay checks (`/privacy`), while signed in.
//!
//! - **Idle lock**: no key, pointer, touch, wheel or input event for the organisation's
//!   idle time (the copy kept on this device at once, then the relay's `GET
//!   /api/v1/vault/settings`; at most 240 minutes, `shared::vault::capped_idle_seconds`).
//! - **One lock for all tabs**: a lock here posts `lock` on the `BroadcastChannel`
//!   `amanat-vault` (`crate::lock`), and a lock posted by any other tab (a caseworker's
//!   too) locks this page.
//! - **Leaving the page** (`pagehide`: reload, tab closed, navigated away) locks, and
//!   locks the other tabs.
//! - Every lock wipes what the page holds (the caller's `wipe`: the key, its workers,
//!   what was opened, a CSV's object URL), signs out (`DELETE /api/v1/session` as a
//!   `keepalive` request, which outlives the page) and, but for leaving the page,
//!   reloads it (`crate::lock::finish`), so the wasm memory goes with the old instance.
//! - **Renewal**: while the page is in use (input within the last 5 minutes), the
//!   session is renewed every 5 minutes (`POST /api/v1/session/renew`; a session lasts
//!   30 minutes, renewable up to 10 hours).
//!
//! The guard lives as long as the component that installs it (the signed-in view).

use std::cell::Cell;
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;

use crate::lock::{self, LockReason};
use crate::relay_client;
use crate::vault::guard::RENEW_MS;

/// How often the idle clock is looked at.
const TICK_MS: u32 = 2_000;

/// Whether the page must lock: `idle_seconds` without input since `last_input`
/// (milliseconds, as `Date.now()`), never fewer than the vault's shortest idle lock.
pub fn idle_expired(now_ms: f64, last_input_ms: f64, idle_seconds: u32) -> bool {
    now_ms - last_input_ms >= f64::from(shared::vault::capped_idle_seconds(idle_seconds)) * 1_000.0
}

/// Whether the session is due for renewal: renewed `RENEW_MS` ago or more, and used
/// within that time.
pub fn renewal_due(now_ms: f64, last_renew_ms: f64, last_input_ms: f64) -> bool {
    now_ms - last_renew_ms >= RENEW_MS && now_ms - last_input_ms < RENEW_MS
}

/// The organisation's idle-lock time, in seconds, as the caseworker vault counts it:
/// the copy kept on this device at once, then the relay's (read only: the caseworker
/// vault keeps the copy).
async fn load_idle_seconds(seconds: RwSignal<u32>) {
    if let Ok(db) = crate::local_db::open().await {
        if let Ok(Some(kept)) = crate::vault::settings::kept_idle_seconds(&db).await {
            seconds.try_set(kept);
        }
    }
    if let Ok(served) = relay_client::vault_settings().await {
        seconds.try_set(served.idle_seconds());
    }
}

/// Locks the signed-in page (see the module doc). `Copy`: every button and listener
/// holds one.
#[derive(Clone, Copy)]
pub struct SessionLock {
    wipe: StoredValue<Rc<dyn Fn()>, LocalStorage>,
    done: StoredValue<Cell<bool>, LocalStorage>,
}

impl SessionLock {
    /// Wipes, signs out and (but for leaving the page) reloads; `tell_others` posts
    /// `lock` to the other tabs.
    pub fn lock(&self, reason: LockReason, tell_others: bool) {
        if lock::is_reloading() || self.done.try_with_value(|d| d.replace(true)).unwrap_or(true) {
            return;
        }
        if let Some(wipe) = self.wipe.try_get_value() {
            wipe();
        }
        relay_client::sign_out_keepalive();
        if tell_others {
            lock::broadcast();
        }
        if reason == LockReason::PageLeft {
            lock::remember(reason);
        } else {
            lock::finish(reason);
        }
    }

    /// *End session*: every tab locks.
    pub fn end(&self) {
        self.lock(LockReason::Ended, true);
    }
}

/// Installs the rules for as long as the calling component lives; `wipe` drops what the
/// page holds. Gives the handle for *End session*.
pub fn install(wipe: impl Fn() + 'static) -> SessionLock {
    let guard = SessionLock {
        wipe: StoredValue::new_local(Rc::new(wipe) as Rc<dyn Fn()>),
        done: StoredValue::new_local(Cell::new(false)),
    };
    let idle_seconds = RwSignal::new(shared::vault::DEFAULT_IDLE_LOCK_MINUTES * 60);
    leptos::task::spawn_local(load_idle_seconds(idle_seconds));

    let now = js_sys::Date::now;
    let last_input = Rc::new(Cell::new(now()));
    let mut handles = Vec::new();
    for event in ["keydown", "pointerdown", "input", "wheel", "touchstart"] {
        let last_input = last_input.clone();
        handles.push(window_event_listener_untyped(event, move |_| last_input.set(now())));
    }
    handles.push(window_event_listener_untyped("pagehide", move |_| guard.lock(LockReason::PageLeft, true)));
    let listener = lock::on_other_tab(move || guard.lock(LockReason::OtherTab, false));
    let alive = RwSignal::new(());
    on_cleanup(move || {
        handles.into_iter().for_each(|h| h.remove());
        if let Some(id) = listener {
            lock::stop_listening(id);
        }
    });

    leptos::task::spawn_local(async move {
        let mut last_renew = now();
        loop {
            TimeoutFuture::new(TICK_MS).await;
            if alive.try_get_untracked().is_none() || lock::is_reloading() {
                break; // signed out, or the page is going
            }
            let Some(seconds) = idle_seconds.try_get_untracked() else { break };
            if idle_expired(now(), last_input.get(), seconds) {
                guard.lock(LockReason::Idle, true);
                break;
            }
            if renewal_due(now(), last_renew, last_input.get()) {
                last_renew = now();
                // A failure is left to the next request to say (the session may have
                // been ended elsewhere): renewal only keeps a live session alive.
                let _ = relay_client::renew_session().await;
            }
        }
    });
    guard
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_locks_after_the_organisations_idle_time_and_not_before() {
        let t0 = 1_000_000.0;
        assert!(!idle_expired(t0 + 4.0 * 60_000.0, t0, 300));
        assert!(idle_expired(t0 + 5.0 * 60_000.0, t0, 300));
        assert!(!idle_expired(t0 + 9_999.0, t0, 10));
        assert!(idle_expired(t0 + 10_000.0, t0, 10));
        assert!(!idle_expired(t0 + 4_999.0, t0, 0), "zero seconds is read as the shortest lock, never as at once");
        assert!(idle_expired(t0 + 5_000.0, t0, 0));
        let day = 86_400;
        assert!(idle_expired(t0 + 240.0 * 60_000.0, t0, day), "never more than 240 minutes, whatever the relay says");
    }

    #[test]
    fn the_session_is_renewed_every_five_minutes_while_in_use_only() {
        let t0 = 0.0;
        assert!(!renewal_due(t0 + RENEW_MS - 1.0, t0, t0 + 1.0), "not before five minutes");
        assert!(renewal_due(t0 + RENEW_MS, t0, t0 + RENEW_MS - 1.0), "five minutes, and used meanwhile");
        assert!(!renewal_due(t0 + 2.0 * RENEW_MS, t0, t0), "not used for five minutes: left to lapse");
    }
}
