//! What locks the vault besides *End session*: idle time, another tab locking, and
//! leaving the page (reload, tab close, navigating away). Also keeps the relay session
//! alive while the vault is in use (rotating the cookie) and makes it after an
//! offline unlock, no sooner than the relay's `Retry-After` when it asked to wait.
//!
//! Every tab of the app listens on the `BroadcastChannel` `amanat-vault`
//! (`crate::lock`); a tab that locks posts `lock` and all others lock at once. Idle
//! means no key, pointer, touch, wheel or input event for the organisation's idle time
//! (`idle_lock_seconds`, or the minutes of an older relay, from `GET
//! /api/v1/vault/settings`, at most 240 minutes, kept on the device for offline use,
//! see [`settings`]; 5 minutes only when this device has never reached the relay).
//! Every lock but leaving the page ends with the page reloading (`crate::lock`).

use std::cell::Cell;
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;

use crate::relay_client;
use crate::vault::{settings, unlock, LockReason, Vault};

/// How often the guard looks at the clock.
const TICK_MS: u32 = 2_000;
/// Rotate the relay session this often while the vault is in use.
pub const RENEW_MS: f64 = 5.0 * 60_000.0;
/// Try to make the session after an offline unlock this often.
const FOLLOW_UP_MS: f64 = 10_000.0;

fn now() -> f64 {
    js_sys::Date::now()
}

/// When to try making the relay session next, after a try at `now_ms` (milliseconds,
/// as `Date.now()`): the usual interval, or later if the relay asked to wait.
pub fn next_follow_up(now_ms: f64, retry_after_s: Option<u32>) -> f64 {
    now_ms + FOLLOW_UP_MS.max(f64::from(retry_after_s.unwrap_or(0)) * 1_000.0)
}

/// Installs the guards for the page's vault (once per page).
pub fn install(vault: Vault) {
    crate::lock::on_other_tab(move || vault.lock_here(LockReason::OtherTab));

    let last_input = Rc::new(Cell::new(now()));
    for event in ["keydown", "pointerdown", "input", "wheel", "touchstart"] {
        let last_input = last_input.clone();
        let _ = window_event_listener_untyped(event, move |_| last_input.set(now()));
    }
    // Reload, tab close or navigation: this tab's memory goes anyway; lock the others
    // too, since the person is leaving the computer's app.
    let _ = window_event_listener_untyped("pagehide", move |_| {
        if vault.is_unlocked() {
            vault.lock(LockReason::PageLeft);
        }
    });

    leptos::task::spawn_local(settings::load(vault));

    leptos::task::spawn_local(async move {
        let mut last_renew = now();
        let mut next_try = 0.0;
        let mut was_unlocked = false;
        loop {
            TimeoutFuture::new(TICK_MS).await;
            let Some(unlocked) = vault.unlocked.try_get_untracked() else { break };
            let Some(u) = unlocked else {
                was_unlocked = false;
                continue;
            };
            if !was_unlocked {
                was_unlocked = true;
                last_renew = now();
                last_input.set(now());
                // The relay asked to wait (a 429 at unlock): not before its time.
                next_try = vault.follow_up_at.get_value();
            }
            let idle_ms = f64::from(vault.idle_seconds.get_untracked()) * 1_000.0;
            if now() - last_input.get() >= idle_ms {
                vault.lock(LockReason::Idle);
                continue;
            }
            if vault.online.get_untracked() {
                if now() - last_renew >= RENEW_MS && now() - last_input.get() < RENEW_MS {
                    last_renew = now();
                    if let Err(e) = relay_client::renew_session().await {
                        if e.code() == Some(shared::ErrorCode::Unauthorized) {
                            vault.online.try_set(false);
                        }
                    }
                }
            } else if now() >= next_try {
                let Some(auth) = vault.pending_auth.try_get_value().flatten() else { continue };
                match unlock::follow_up(&u.name, &auth, &u.author).await {
                    Ok(unlock::FollowUp::Made) if vault.is_unlocked() => {
                        vault.pending_auth.try_set_value(None);
                        last_renew = now();
                        vault.online.try_set(true);
                    }
                    Ok(unlock::FollowUp::Made) => {}
                    Ok(unlock::FollowUp::Later { retry_after }) => next_try = next_follow_up(now(), retry_after),
                    // A disabled account: lock, and say why.
                    Err(p) if p.code() == Some(shared::ErrorCode::AccountDisabled) => vault.lock(LockReason::Disabled),
                    // The relay refused the passphrase (changed elsewhere): lock.
                    Err(_) => vault.lock(LockReason::Ended),
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_is_made_again_no_sooner_than_the_relay_asked() {
        assert_eq!(next_follow_up(1_000.0, None), 11_000.0);
        assert_eq!(next_follow_up(1_000.0, Some(4)), 11_000.0, "never more often than the usual interval");
        assert_eq!(next_follow_up(1_000.0, Some(64)), 65_000.0);
    }
}
