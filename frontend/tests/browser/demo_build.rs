//! Browser tests of a demo build (headless Chromium through wasm-bindgen-test). `cargo
//! test` compiles the frontend without `AMANAT_ORG_KEY`, exactly as `cargo xtask run`
//! builds the demo, so these tests run the demo build itself: the build that trusts the
//! first keyring a relay shows it. They prove what such a build owes its users: it says
//! so on every page, in the language shown, and *Re-seal* (which would seal every record
//! to a keyring the relay chose) refuses before it asks the relay anything. The pinned
//! build's side is shown by the end-to-end stories (`tests/it/`), which load the app
//! pinned to the tests' organisation key and never see the banner.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p amanat-frontend --target
//! wasm32-unknown-unknown --profile wasm-release --test browser -- demo_build::`

use crate::support::{container, settle};
use amanat_frontend::adviser::reseal::ResealCard;
use amanat_frontend::app::DemoBanner;
use amanat_frontend::components::status::{provide_status, StatusRegion};
use amanat_frontend::i18n::provide_i18n;
use amanat_frontend::keyring_pin::is_demo_build;
use leptos::prelude::*;
use shared::i18n::{Catalog, Locale};
use shared::seal::generate_identity;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

fn catalogs() -> Vec<Catalog> {
    Locale::ALL.iter().map(|&l| Catalog::embedded(l)).collect()
}

fn by_id(id: &str) -> Option<web_sys::HtmlElement> {
    document().get_element_by_id(id).map(|e| e.unchecked_into())
}

/// The URLs this page has fetched so far (the browser's resource timing list).
fn fetched_urls() -> Vec<String> {
    let entries = web_sys::window().unwrap().performance().unwrap().get_entries_by_type("resource");
    entries.iter().filter_map(|e| js_sys::Reflect::get(&e, &"name".into()).ok().and_then(|n| n.as_string())).collect()
}

#[wasm_bindgen_test]
async fn a_demo_build_says_so_on_every_page_in_the_language_shown() {
    assert!(is_demo_build(), "these tests run the frontend compiled without an organisation key");
    for &locale in Locale::ALL {
        let container = container();
        let handle = leptos::mount::mount_to(container.clone(), move || {
            provide_i18n(locale, catalogs());
            view! { <DemoBanner /> }
        });
        settle().await;
        let banner = by_id("demo-build").unwrap_or_else(|| panic!("{locale:?}: no demo banner"));
        assert_eq!(banner.get_attribute("role").as_deref(), Some("note"), "read out by a screen reader as a note");
        let text = banner.text_content().unwrap_or_default();
        assert_eq!(text, Catalog::embedded(locale).tr("demo-build-banner", &[]), "{locale:?}");
        assert!(!text.contains("demo-build-banner"), "{locale:?}: a raw key, not a sentence");
        drop(handle);
        container.remove();
    }
}

#[wasm_bindgen_test]
async fn re_seal_refuses_to_run_in_a_demo_build_and_asks_the_relay_nothing() {
    let container = container();
    let handle = leptos::mount::mount_to(container.clone(), move || {
        provide_i18n(Locale::En, catalogs());
        let status = provide_status();
        // A key holder's loaded key: Re-seal would otherwise start fetching the keyring.
        let identities = StoredValue::new(Some(vec![generate_identity()]));
        view! {
            <StatusRegion status=status />
            <ResealCard identities=identities key_count=Signal::derive(|| 1) />
        }
    });
    settle().await;
    let before = fetched_urls().len();
    by_id("reseal-start").expect("the Re-seal button").click();
    settle().await;
    settle().await;

    let status = by_id("status").unwrap();
    assert_eq!(status.class_name(), "status status-error", "a refusal, not a progress line");
    assert_eq!(status.text_content().unwrap_or_default(), Catalog::embedded(Locale::En).tr("reseal-first_use", &[]));
    let asked: Vec<String> = fetched_urls().split_off(before);
    assert!(
        asked.iter().all(|u| !u.contains("/api/")),
        "a demo build's Re-seal must not fetch a keyring or a case to re-seal: {asked:?}"
    );
    let progress = by_id("reseal-progress").unwrap().parent_element().unwrap();
    assert!(progress.get_attribute("class").unwrap_or_default().contains("hidden"), "no progress: nothing ran");
    drop(handle);
    container.remove();
}
