//! The caseworker's page (`/`): enrol (from the one-time link) or unlock with the
//! passphrase, then the intake form and the outbox of this account.
//!
//! Everything readable exists only inside [`Workspace`], which is mounted while the
//! vault is unlocked: locking unmounts it, dropping the form's signals, any opened
//! record and the identity. The outbox stays: it holds only ciphertext.

use std::sync::Arc;

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::account::enrol_form::EnrolForm;
use crate::account::passphrase_signin::PassphraseSignIn;
use crate::vault::{Unlocked, Vault};

/// Takes the enrolment token out of the URL (`#enrol=…`) and removes it from the
/// address bar and the history entry at once, so it is not left on the computer.
fn take_enrol_token() -> Option<String> {
    let w = window();
    let hash = w.location().hash().ok()?;
    let token = hash.strip_prefix("#enrol=")?.to_owned();
    let path = w.location().pathname().unwrap_or_else(|_| "/".into());
    if let Ok(history) = w.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&path));
    }
    (!token.is_empty() && token.len() <= 128).then_some(token)
}

#[component]
pub fn CaseworkerPage() -> impl IntoView {
    let vault = Vault::provide();
    let enrol_token = RwSignal::new(take_enrol_token());
    // A link opened in a tab that already shows the app only changes the fragment.
    let _ = window_event_listener_untyped("hashchange", move |_| {
        if let Some(token) = take_enrol_token() {
            enrol_token.try_set(Some(token));
        }
    });
    let on_enrolled = Callback::new(move |()| enrol_token.set(None));
    // While the caseworker types the passphrase, fetch the unlock code (Argon2id, age),
    // then the workspace, so neither waits for the network after "Unlock".
    leptos::task::spawn_local(async {
        crate::vault::kdf::preload().await;
        #[cfg(feature = "split")]
        let _ = __preload_workspace().await;
    });
    move || match vault.unlocked.get() {
        Some(u) => lazy_workspace(u, vault),
        None => match enrol_token.get() {
            Some(token) => view! { <EnrolForm token=token on_done=on_enrolled /> }.into_any(),
            None => view! { <PassphraseSignIn /> }.into_any(),
        },
    }
}

/// The workspace, from its own wasm chunk in the release build: a caseworker's first
/// paint (the sign-in) does not wait for the forms, sealing and outbox code.
fn lazy_workspace(unlocked: Arc<Unlocked>, vault: Vault) -> AnyView {
    #[cfg(feature = "split")]
    {
        crate::lazy::view(async move { workspace_chunk(unlocked, vault).await })
    }
    #[cfg(not(feature = "split"))]
    {
        view! { <super::workspace::Workspace unlocked=unlocked vault=vault /> }.into_any()
    }
}

#[cfg(feature = "split")]
#[leptos::wasm_split::wasm_split(workspace, wasm_split_path = ::leptos::wasm_split, fallible, preload(__preload_workspace))]
fn workspace_chunk(unlocked: Arc<Unlocked>, vault: Vault) -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    Ok(view! { <super::workspace::Workspace unlocked=unlocked vault=vault /> }.into_any())
}
