//! The app's frame: the language state, the banner (name, tagline, language switch;
//! in a demo build, a second banner saying the app trusts the first keyring it sees),
//! the `#status` live region, and the page for the path the relay served (`/adviser`
//! for key holders, `/privacy` for the privacy officer, anything else for
//! caseworkers). Three pages do not need a router.
//!
//! Once the first page is drawn it sends `amanat-painted` on the window, the signal
//! `boot.js` waits for before it registers the service worker.
//!
//! The frame waits for the first catalog (a few milliseconds after the wasm starts,
//! from the service worker's copy when offline) before it shows anything, so no label
//! ever appears as its raw key; if no catalog loads at all it shows the page anyway.

use leptos::prelude::*;

use crate::components::integrity::IntegrityAlarm;
use crate::components::status::{provide_status, Msg, StatusRegion};
use crate::i18n::{provide_saved_i18n, LanguageSwitch};
use crate::pages::{caseworker::CaseworkerPage, lazy_adviser, lazy_privacy};

/// Whether the path is the key holder's page.
pub fn is_adviser_path(path: &str) -> bool {
    path.trim_end_matches('/') == "/adviser"
}

/// Whether the path is the privacy officer's page.
pub fn is_privacy_path(path: &str) -> bool {
    path.trim_end_matches('/') == "/privacy"
}

#[component]
pub fn App() -> impl IntoView {
    let i18n = provide_saved_i18n();
    let status = provide_status();
    // The organisation's signed settings (the consent form's operator and assent age).
    crate::org_settings::provide_org_settings();
    // Why the page before this reload locked, in the live region (`crate::lock`).
    if let Some(reason) = crate::lock::last_reason() {
        status.info(Msg::key(reason.message_key()));
    }
    // The first page is drawn: boot.js may now register the service worker, whose
    // install fetches the whole app (on a first visit over a slow link those bytes would
    // otherwise share the line with the first page's).
    Effect::new(move |_| {
        if i18n.settled() {
            announce_painted();
        }
    });
    let path = window().location().pathname().unwrap_or_default();
    let (adviser, privacy) = (is_adviser_path(&path), is_privacy_path(&path));
    view! {
        <Show when=move || i18n.settled()>
            <header class="banner">
                <h1>{i18n.t("app-name")}</h1>
                <p class="tagline">{i18n.t("app-tagline")}</p>
                <LanguageSwitch />
            </header>
            <DemoBanner />
            <main id="main">
                <IntegrityAlarm />
                <StatusRegion status=status />
                {if adviser { lazy_adviser() } else if privacy { lazy_privacy() } else { view! { <CaseworkerPage /> }.into_any() }}
            </main>
        </Show>
    }
}

/// A build with no organisation key compiled in says so on every page, before anything
/// else: it trusts the first keyring a relay shows it. Nothing in a pinned build.
#[component]
pub fn DemoBanner() -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    crate::keyring_pin::is_demo_build().then(|| {
        view! { <p id="demo-build" class="demo-build" role="note">{i18n.t("demo-build-banner")}</p> }
    })
}

/// Tells `boot.js` the first page is on the screen (the `amanat-painted` event).
fn announce_painted() {
    if let Ok(event) = web_sys::Event::new("amanat-painted") {
        let _ = window().dispatch_event(&event);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_the_adviser_path_shows_the_key_holder_page() {
        assert!(super::is_adviser_path("/adviser"));
        assert!(super::is_adviser_path("/adviser/"));
        assert!(!super::is_adviser_path("/"));
        assert!(!super::is_adviser_path("/advisers"));
    }
}
