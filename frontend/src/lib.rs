//! Amanat's browser app (Leptos, client-side rendered, wasm32).
//!
//! A caseworker's record goes: form signals → `shared::record::Intake` (validated by
//! `shared::validate`) → sealed with age to the signed keyring (`sealing`,
//! `keyring_pin`) → the IndexedDB outbox as ciphertext only (`outbox`) → the relay
//! (`sync`, `relay_client`). A key holder's page fetches entries and opens them in
//! memory (`opening`). Rules, types and crypto are `shared`'s; this crate is the
//! browser around them.
//!
//! **Invariant:** no plaintext of a record is written to any browser storage; the
//! only things stored are ciphertext, envelopes, upload states, the pinned
//! organisation *public* key and, per caseworker account, the salt, wrapped identity
//! (an age file only the passphrase opens) and public recipient (`vault`). The unlocked
//! identity and every opened record exist only in memory while the vault is unlocked.

pub mod adviser;
pub mod app;
pub mod attachments;
#[cfg(feature = "bench")]
pub mod bench;
pub mod clock;
pub mod components;
pub mod drafts;
pub mod forms;
pub mod i18n;
pub mod keyring_pin;
#[cfg(feature = "split")]
pub mod lazy;
pub mod local_db;
pub mod opening;
pub mod outbox;
pub mod pages;
pub mod privacy;
pub mod problem;
pub mod relay_client;
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
        leptos::mount::mount_to_body(app::App);
    }
}
