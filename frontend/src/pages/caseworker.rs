//! The caseworker's page (`/`): enrol (from the one-time link) or unlock with the
//! passphrase, then the intake form and the outbox of this account.
//!
//! Everything readable exists only inside [`Workspace`], which is mounted while the
//! vault is unlocked: locking unmounts it, dropping the form's signals, any opened
//! record and the identity. The outbox stays: it holds only ciphertext.

use std::sync::Arc;

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::components::change_passphrase::ChangePassphrase;
use crate::components::enrol_form::EnrolForm;
use crate::components::intake_form::IntakeForm;
use crate::components::my_cases::MyCases;
use crate::components::outbox_list::OutboxList;
use crate::components::passphrase_signin::PassphraseSignIn;
use crate::components::pin_info::PinInfo;
use crate::components::status::use_status;
use crate::keyring_pin::{self, Pin};
use crate::local_db;
use crate::sync::{self, OutboxView};
use crate::text::t;
use crate::vault::{LockReason, Unlocked, Vault};

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
    // Fetch the unlock code (Argon2id, age) while the caseworker types the passphrase.
    crate::vault::kdf::preload();
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
        view! { <Workspace unlocked=unlocked vault=vault /> }.into_any()
    }
}

#[cfg(feature = "split")]
#[leptos::wasm_split::wasm_split(workspace, wasm_split_path = ::leptos::wasm_split, fallible)]
fn workspace_chunk(unlocked: Arc<Unlocked>, vault: Vault) -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    Ok(view! { <Workspace unlocked=unlocked vault=vault /> }.into_any())
}

/// The unlocked caseworker's workspace.
#[component]
fn Workspace(unlocked: Arc<Unlocked>, vault: Vault) -> impl IntoView {
    let status = use_status();
    let outbox = OutboxView::new(&unlocked.name);
    let pin = RwSignal::new(None::<Pin>);
    let sync = sync::start(outbox);
    let stopper = sync.clone();
    on_cleanup(move || stopper.stop());

    // Upload as soon as the relay session exists (at once, or after an offline unlock).
    let waker = sync.clone();
    Effect::new(move |_| {
        if vault.online.get() {
            waker.wake();
        }
    });

    leptos::task::spawn_local(async move {
        if let Err(p) = sync::refresh(outbox).await {
            status.error(p.message());
        }
        // Check (and keep) the keyring now, so a wrong one is reported before any
        // typing, and this device can seal later even if the relay is then offline.
        if let Ok(db) = local_db::open().await {
            match keyring_pin::fetch_verified(&db).await {
                Ok((_, in_force)) => {
                    pin.try_set(Some(in_force));
                }
                Err(p) => {
                    pin.try_set(keyring_pin::current(&db).await.ok().flatten());
                    if vault.online.get_untracked() {
                        status.error(p.message());
                    }
                }
            }
        }
    });

    let waker = sync.clone();
    let on_sealed = Callback::new(move |()| waker.wake());
    let end = move |_| {
        status.clear();
        vault.lock(LockReason::Ended);
    };

    view! {
        <div class="workspace">
            <div class="session-bar">
                <span>{t("app.signed_in_as")} " " <strong id="session-name">{unlocked.name.clone()}</strong></span>
                <Show when=move || !vault.online.get()>
                    <span id="session-offline" class="hint">{t("vault.online_pending")}</span>
                </Show>
                <button id="end-session" type="button" class="end-session" on:click=end>{t("app.end_session")}</button>
            </div>
            <PinInfo pin=pin />
            <div class="columns">
                <IntakeForm author=unlocked.name.clone() own=unlocked.recipient.clone() pin=pin on_sealed=on_sealed />
                <OutboxList view=outbox sync=sync />
            </div>
            <MyCases unlocked=unlocked.clone() online=Signal::from(vault.online) />
            <ChangePassphrase unlocked=unlocked.clone() />
        </div>
    }
}
