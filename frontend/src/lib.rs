//! Amanat's browser app (Leptos, client-side rendered, wasm32): three pages, one
//! per role, picked by path in `app` (`/` caseworkers, `/adviser` key holders,
//! `/privacy` the privacy officer).
//!
//! A caseworker's entry goes: the form's signals (`forms`) → checked by
//! `shared::forms::check` into a `shared::forms::CaseDocument` → sealed with age to
//! the signed keyring and the caseworker's own recipient (`sealing`, `keyring_pin`)
//! → the IndexedDB outbox as ciphertext and envelope only (`outbox`) → the relay
//! (`sync`, `relay_client`). A key holder's page (`adviser`) lists and fetches
//! entries through `relay_client` and opens them in memory (`opening`, in Web
//! Workers for the bulk open), and `reading` describes and shows what was opened.
//! Rules, types and crypto are `shared`'s; this crate is the browser around them.
//!
//! Rooms by feature: `account` (sign-in, enrolment, passphrase screens) over `vault`
//! (the caseworker's wrapped identity), `caseworker` and `forms` (the caseworker's
//! screens), `adviser` (the key holder's), `privacy` (the privacy officer's),
//! `reading` (opened entries), `pages` (one page per role, each behind a lazy wasm
//! chunk in the split build, see `lazy`), `components` (widgets every page shares).
//!
//! **Invariant:** no plaintext of a record is written to any browser storage; the
//! only things stored are ciphertext, envelopes, upload states, the pinned
//! organisation *public* key and, per caseworker account, the salt, wrapped identity
//! (an age file only the passphrase opens) and public recipient (`vault`), plus
//! drafts sealed to that recipient (`drafts`). The unlocked identity and every opened
//! record exist only in memory while the vault is unlocked.

pub mod account;
pub mod adviser;
pub mod app;
pub mod attachments;
#[cfg(feature = "bench")]
pub mod bench;
pub mod caseworker;
pub mod clock;
pub mod components;
pub mod drafts;
pub mod forms;
pub mod i18n;
pub mod keyring_pin;
#[cfg(feature = "split")]
pub mod lazy;
pub mod local_db;
pub mod lock;
pub mod opening;
pub mod org_settings;
pub mod outbox;
pub mod pages;
pub mod privacy;
pub mod problem;
pub mod reading;
pub mod relay_client;
pub mod roster;
pub mod sealing;
pub mod session;
pub mod sync;
pub mod vault;

/// Mounts the app when the page is the app's own `index.html` (its `<body>` carries
/// `data-amanat`), and not, say, the page of a browser test that loads this module.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    let is_app_page = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
        .is_some_and(|b| b.has_attribute("data-amanat"));
    if is_app_page {
        // Before anything else: an enrolment link's token is traded and dropped from the
        // address bar, and a lock's reason from the page before this reload is read.
        account::enrol_link::take_at_boot();
        lock::take_reason();
        lock::install_pageshow();
        leptos::mount::mount_to_body(app::App);
    }
}
