//! Locking, the same for every page: what is wiped is then dropped with the whole wasm
//! instance, by reloading the page.
//!
//! A page that locks (the caseworker's vault, a key holder's or privacy officer's
//! session, see `vault::guard` and `account::session_guard`) first drops what it holds
//! and ends the relay session, then calls [`finish`]: the reason is kept in
//! `sessionStorage` (`amanat-lock`, a word such as `idle`: nothing secret) and the page
//! reloads, so the wasm memory that held the identity, the derived keys or opened
//! records goes with the old instance instead of lingering, freed but unwiped, in the
//! new one. The reloaded page reads the reason once ([`take_reason`] at boot) and says
//! why it locked (`#lock-reason`, and the `#status` live region).
//!
//! Leaving the page (`pagehide`) wipes without reloading (the page is going anyway);
//! a page the browser kept in its back-forward cache is reloaded when it is shown again
//! ([`install_pageshow`]). Every tab of the app listens on the `BroadcastChannel`
//! `amanat-vault`: a tab that locks posts `lock` and all others lock at once.
//!
//! Only the app's own page reloads (its `<body>` carries `data-amanat`): a browser test
//! that mounts parts of the app is left alone.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The channel every tab of the app listens on.
pub const CHANNEL: &str = "amanat-vault";
/// The message that locks every tab.
pub const LOCK: &str = "lock";
/// The `sessionStorage` key that carries the reason across the reload.
const REASON_KEY: &str = "amanat-lock";

/// Why a page locked (what the page says after the reload).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockReason {
    /// *End session*.
    Ended,
    /// No input for the organisation's idle time.
    Idle,
    /// Another tab of the app locked.
    OtherTab,
    /// The page was left (reload, tab closed, navigated away).
    PageLeft,
    /// The relay said the account is disabled.
    Disabled,
}

impl LockReason {
    pub fn code(self) -> &'static str {
        match self {
            LockReason::Ended => "ended",
            LockReason::Idle => "idle",
            LockReason::OtherTab => "other_tab",
            LockReason::PageLeft => "page_left",
            LockReason::Disabled => "disabled",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Ended, Self::Idle, Self::OtherTab, Self::PageLeft, Self::Disabled].into_iter().find(|r| r.code() == code)
    }

    /// The catalog key of what the page says (a disabled account says its error).
    pub fn message_key(self) -> &'static str {
        match self {
            LockReason::Idle => "vault-locked_idle",
            LockReason::OtherTab => "vault-locked_other_tab",
            LockReason::Ended | LockReason::PageLeft => "vault-locked_ended",
            LockReason::Disabled => "error-account_disabled",
        }
    }
}

thread_local! {
    /// The reason the page before this reload locked, read once at boot.
    static LAST: Cell<Option<LockReason>> = const { Cell::new(None) };
    /// Set once this page has started to reload: nothing more is locked or said.
    static RELOADING: Cell<bool> = const { Cell::new(false) };
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// Whether this is the app's own page (not a test page that mounts parts of it).
pub fn is_app_page() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
        .is_some_and(|b| b.has_attribute("data-amanat"))
}

/// Reads (and removes) the reason the page before this reload kept. Called once at boot;
/// later calls give the same answer.
pub fn take_reason() -> Option<LockReason> {
    if let Some(storage) = session_storage() {
        if let Ok(Some(code)) = storage.get_item(REASON_KEY) {
            let _ = storage.remove_item(REASON_KEY);
            LAST.with(|l| l.set(LockReason::from_code(&code)));
        }
    }
    LAST.with(Cell::get)
}

/// The reason the page before this reload locked, if any.
pub fn last_reason() -> Option<LockReason> {
    LAST.with(Cell::get)
}

/// Keeps `reason` for the page that comes next.
pub fn remember(reason: LockReason) {
    if let Some(storage) = session_storage() {
        let _ = storage.set_item(REASON_KEY, reason.code());
    }
}

/// Whether this page is already reloading after a lock.
pub fn is_reloading() -> bool {
    RELOADING.with(Cell::get)
}

/// Ends a lock: keeps the reason and reloads the app's page (the caller has wiped what
/// it held and ended the relay session).
pub fn finish(reason: LockReason) {
    if is_reloading() {
        return;
    }
    remember(reason);
    if is_app_page() {
        RELOADING.with(|r| r.set(true));
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    }
}

/// This page's one end of the channel: it sends and receives, so a tab never hears its
/// own `lock`; each listener is a closure with an id to remove it by.
struct Channel {
    port: web_sys::BroadcastChannel,
    listeners: Vec<(u64, Rc<dyn Fn()>)>,
    next: u64,
}

thread_local! {
    static CH: RefCell<Option<Channel>> = const { RefCell::new(None) };
}

fn with_channel<T>(f: impl FnOnce(&mut Channel) -> T) -> Option<T> {
    CH.with(|c| {
        let mut c = c.borrow_mut();
        if c.is_none() {
            let port = web_sys::BroadcastChannel::new(CHANNEL).ok()?;
            let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(|ev: web_sys::MessageEvent| {
                if ev.data().as_string().as_deref() == Some(LOCK) {
                    // Called outside the borrow: a listener may add or remove listeners.
                    let all: Vec<Rc<dyn Fn()>> =
                        CH.with(|c| c.borrow().iter().flat_map(|c| c.listeners.iter().map(|(_, f)| f.clone())).collect());
                    all.iter().for_each(|f| f());
                }
            });
            port.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            on_message.forget(); // lives as long as the page
            *c = Some(Channel { port, listeners: Vec::new(), next: 0 });
        }
        c.as_mut().map(f)
    })
}

/// Tells every other tab of the app to lock.
pub fn broadcast() {
    with_channel(|c| {
        let _ = c.port.post_message(&JsValue::from_str(LOCK));
    });
}

/// Calls `f` whenever another tab locks; the id removes it ([`stop_listening`]).
pub fn on_other_tab(f: impl Fn() + 'static) -> Option<u64> {
    with_channel(|c| {
        c.next += 1;
        c.listeners.push((c.next, Rc::new(f)));
        c.next
    })
}

/// Removes a listener added by [`on_other_tab`].
pub fn stop_listening(id: u64) {
    with_channel(|c| c.listeners.retain(|(i, _)| *i != id));
}

/// Reloads a page the browser brings back from its back-forward cache: whatever it
/// held was wiped on `pagehide`, and its memory goes with the reload.
pub fn install_pageshow() {
    let _ = leptos::prelude::window_event_listener_untyped("pageshow", |ev| {
        let persisted = ev.dyn_ref::<web_sys::PageTransitionEvent>().is_some_and(|e| e.persisted());
        if persisted && is_app_page() {
            if let Some(w) = web_sys::window() {
                let _ = w.location().reload();
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_survives_the_reload_as_its_word() {
        for r in [LockReason::Ended, LockReason::Idle, LockReason::OtherTab, LockReason::PageLeft, LockReason::Disabled] {
            assert_eq!(LockReason::from_code(r.code()), Some(r));
        }
        assert_eq!(LockReason::from_code("idle; drop table"), None);
        assert_eq!(LockReason::Disabled.message_key(), format!("error-{}", shared::ErrorCode::AccountDisabled.code()));
    }
}
