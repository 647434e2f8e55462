//! The one-time enrolment link (`/#enrol=TOKEN`), traded at once for the relay's
//! enrolment cookie, so what the browser keeps of the link is dead.
//!
//! The browser writes the whole address, fragment and all, into its History, Sessions
//! and Top Sites files before any script runs. So at boot, before the app is drawn
//! ([`take_at_boot`]), the page removes the fragment from the address bar and the
//! history entry (`history.replaceState`) and sends the token to `POST
//! /api/v1/vault/enrol/open`, which answers with a short-lived HttpOnly cookie
//! (15 minutes, ends with the browser) and kills the token. Only then does the
//! enrolment form show; enrolling sends no token (the cookie stands for it). A reload
//! within those minutes shows the form again: `sessionStorage` `amanat-enrolling` is
//! `1` (a flag, nothing secret) until enrolment succeeds or the relay says the
//! enrolment is no longer valid.
//!
//! A trade the relay refuses (used, expired, unknown: `enrolment_invalid`) shows its
//! translated sentence in `#enrol-failed` and the `#status` live region; a relay that
//! cannot be reached or asks to wait keeps the token in this page's memory only and
//! offers `#enrol-retry`.

use leptos::prelude::*;
use shared::ErrorCode;
use wasm_bindgen::JsValue;

use crate::problem::Problem;
use crate::relay_client;

/// The `sessionStorage` flag of an enrolment under way (see the module doc).
const ENROLLING: &str = "amanat-enrolling";
/// Longest token taken from an address (the relay's are far shorter).
const MAX_TOKEN: usize = 128;

/// Where the enrolment link stands on this page.
#[derive(Clone, Debug, PartialEq)]
pub enum EnrolLink {
    /// No link: the sign-in shows.
    None,
    /// The token is being traded.
    Opening,
    /// The relay holds the enrolment for this browser: the form shows.
    Open,
    /// The trade (or a later enrolment) failed; `retry` when trying again may help.
    Failed { problem: Problem, retry: bool },
}

thread_local! {
    static STATE: RwSignal<EnrolLink> = RwSignal::new(EnrolLink::None);
    /// A token whose trade could not reach the relay, for `#enrol-retry` (memory only).
    static PENDING: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// The link's state, for the caseworker page.
pub fn state() -> RwSignal<EnrolLink> {
    STATE.with(|s| *s)
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

fn set_enrolling(on: bool) {
    if let Some(s) = session_storage() {
        let _ = if on { s.set_item(ENROLLING, "1") } else { s.remove_item(ENROLLING) };
    }
}

/// The token of an address fragment such as `#enrol=enr_…`, if it is one.
pub fn token_of(hash: &str) -> Option<String> {
    let token = hash.strip_prefix("#enrol=")?;
    (!token.is_empty() && token.len() <= MAX_TOKEN && token.bytes().all(|b| b.is_ascii_graphic()))
        .then(|| token.to_owned())
}

/// Takes an enrolment token out of the address (and the history entry) at once.
fn take_from_address() -> Option<String> {
    let w = web_sys::window()?;
    let hash = w.location().hash().ok()?;
    if !hash.starts_with("#enrol=") {
        return None;
    }
    let path = w.location().pathname().unwrap_or_else(|_| "/".into());
    if let Ok(history) = w.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&path));
    }
    token_of(&hash)
}

/// Trades `token` for the enrolment cookie and sets the state by the answer.
fn trade(token: String) {
    let state = state();
    state.set(EnrolLink::Opening);
    leptos::task::spawn_local(async move {
        match relay_client::vault_enrol_open(&token).await {
            Ok(()) => {
                drop(token);
                PENDING.with(|p| p.borrow_mut().take());
                set_enrolling(true);
                state.set(EnrolLink::Open);
            }
            Err(e) => {
                let retry = e.is_transient();
                if retry {
                    PENDING.with(|p| *p.borrow_mut() = Some(token));
                } else {
                    set_enrolling(false);
                }
                state.set(EnrolLink::Failed { problem: Problem::Relay(e), retry });
            }
        }
    });
}

/// At boot, before the app is drawn: a link's token is removed from the address and
/// traded; without one, an enrolment opened before a reload shows its form again.
/// Also watches for a link opened in a tab that already shows the app (only the
/// fragment changes).
pub fn take_at_boot() {
    match take_from_address() {
        Some(token) => trade(token),
        None => {
            let enrolling = session_storage().and_then(|s| s.get_item(ENROLLING).ok().flatten());
            if enrolling.as_deref() == Some("1") {
                state().set(EnrolLink::Open);
            }
        }
    }
    let _ = window_event_listener_untyped("hashchange", move |_| {
        if let Some(token) = take_from_address() {
            trade(token);
        }
    });
}

/// `#enrol-retry`: trades the kept token again.
pub fn retry() {
    if let Some(token) = PENDING.with(|p| p.borrow_mut().take()) {
        trade(token);
    }
}

/// Enrolment succeeded: the flag goes.
pub fn done() {
    set_enrolling(false);
    state().set(EnrolLink::None);
}

/// Enrolment failed: when the relay no longer holds this browser's enrolment (the 15
/// minutes passed, a new link was made), the form gives way to the reason.
pub fn enrol_failed(problem: &Problem) {
    if problem.code() == Some(ErrorCode::EnrolmentInvalid) {
        set_enrolling(false);
        state().set(EnrolLink::Failed { problem: problem.clone(), retry: false });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_plain_token_is_taken_from_the_fragment() {
        assert_eq!(token_of("#enrol=enr_abc-123"), Some("enr_abc-123".to_owned()));
        assert_eq!(token_of("#enrol="), None);
        assert_eq!(token_of("#other=x"), None);
        assert_eq!(token_of(&format!("#enrol={}", "a".repeat(MAX_TOKEN + 1))), None);
        assert_eq!(token_of("#enrol=a b"), None);
    }
}
