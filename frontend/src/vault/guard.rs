//! What locks the vault besides *End session*: idle time, another tab locking, and
//! leaving the page (reload, tab close, navigating away). Also keeps the relay session
//! alive while the vault is in use (rotating the cookie) and makes it after an
//! offline unlock.
//!
//! Every tab of the app listens on the `BroadcastChannel` `amanat-vault`; a tab that
//! locks posts `lock` and all others lock at once. Idle means no key, pointer, touch,
//! wheel or input event for the organisation's idle time (`idle_lock_seconds`, or the
//! minutes of an older relay, from `GET /api/v1/vault/settings`, kept on the device for
//! offline use, see [`settings`]; 5 minutes only when this device has never reached
//! the relay).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BroadcastChannel, MessageEvent};

use crate::relay_client;
use crate::vault::{settings, unlock, LockReason, Vault};

const CHANNEL: &str = "amanat-vault";
const LOCK: &str = "lock";
/// How often the guard looks at the clock.
const TICK_MS: u32 = 2_000;
/// Rotate the relay session this often while the vault is in use.
const RENEW_MS: f64 = 5.0 * 60_000.0;
/// Try to make the session after an offline unlock this often.
const FOLLOW_UP_MS: f64 = 10_000.0;

thread_local! {
    static OUT: RefCell<Option<BroadcastChannel>> = const { RefCell::new(None) };
}

/// Tells every other tab of the app to lock.
pub fn broadcast_lock() {
    OUT.with(|c| {
        if let Some(ch) = c.borrow().as_ref() {
            let _ = ch.post_message(&JsValue::from_str(LOCK));
        }
    });
}

fn now() -> f64 {
    js_sys::Date::now()
}

/// Installs the guards for the page's vault (once per page).
pub fn install(vault: Vault) {
    if let Ok(ch) = BroadcastChannel::new(CHANNEL) {
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            if ev.data().as_string().as_deref() == Some(LOCK) {
                vault.lock_here(LockReason::OtherTab);
            }
        });
        ch.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget(); // lives as long as the page
        OUT.with(|c| *c.borrow_mut() = Some(ch));
    }

    let last_input = Rc::new(Cell::new(now()));
    for event in ["keydown", "pointerdown", "input", "wheel", "touchstart"] {
        let last_input = last_input.clone();
        let _ = window_event_listener_untyped(event, move |_| last_input.set(now()));
    }
    // Reload, tab close or navigation: this tab's memory goes anyway; lock the others
    // too, since the person is leaving the computer's app.
    let _ = window_event_listener_untyped("pagehide", move |_| {
        if vault.is_unlocked() {
            vault.lock(LockReason::Ended);
        }
    });

    leptos::task::spawn_local(settings::load(vault));

    leptos::task::spawn_local(async move {
        let mut last_renew = now();
        let mut last_follow_up = 0.0;
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
            } else if now() - last_follow_up >= FOLLOW_UP_MS {
                last_follow_up = now();
                let Some(auth) = vault.pending_auth.try_get_value().flatten() else { continue };
                match unlock::follow_up(&u.name, &auth, &u.author).await {
                    Ok(true) if vault.is_unlocked() => {
                        vault.pending_auth.try_set_value(None);
                        last_renew = now();
                        vault.online.try_set(true);
                    }
                    Ok(_) => {}
                    // The relay refused the passphrase (changed elsewhere, or locked): lock.
                    Err(_) => vault.lock(LockReason::Ended),
                }
            }
        }
    });
}
