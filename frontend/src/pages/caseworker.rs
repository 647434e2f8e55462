//! The caseworker's page (`/`): enrol (from the one-time link, traded for the relay's
//! enrolment cookie at boot, see `account::enrol_link`) or unlock with the passphrase,
//! then the intake form and the outbox of this account.
//!
//! Everything readable exists only inside [`Workspace`], which is mounted while the
//! vault is unlocked: locking unmounts it, dropping the form's signals, any opened
//! record and the identity. The outbox stays: it holds only ciphertext.

use std::sync::Arc;

use leptos::prelude::*;

use crate::account::enrol_form::EnrolForm;
use crate::account::enrol_link::{self, EnrolLink};
use crate::account::passphrase_signin::PassphraseSignIn;
use crate::components::status::{use_status, Msg};
use crate::i18n::{t, use_i18n};
use crate::vault::{Unlocked, Vault};

#[component]
pub fn CaseworkerPage() -> impl IntoView {
    let vault = Vault::provide();
    // The enrolment link was taken out of the address and traded at boot
    // (`account::enrol_link`), before this page was drawn.
    let link = enrol_link::state();
    let status = use_status();
    Effect::new(move |_| match link.get() {
        EnrolLink::Opening => status.info(Msg::key("enrol-opening")),
        EnrolLink::Failed { problem, .. } => status.error(problem),
        EnrolLink::Open => status.clear(),
        EnrolLink::None => {}
    });
    let on_enrolled = Callback::new(move |()| enrol_link::done());
    // While the caseworker types the passphrase, fetch the unlock code (Argon2id, age),
    // then the workspace, so neither waits for the network after "Unlock".
    leptos::task::spawn_local(async {
        crate::vault::kdf::preload().await;
        #[cfg(feature = "split")]
        let _ = __preload_workspace().await;
    });
    move || match vault.unlocked.get() {
        Some(u) => lazy_workspace(u, vault),
        None => match link.get() {
            EnrolLink::Open => view! { <EnrolForm on_done=on_enrolled /> }.into_any(),
            EnrolLink::Opening => view! {
                <section id="enrol-opening" class="card signin" aria-busy="true">
                    <h2>{t("enrol-title")}</h2>
                    <p class="hint">{t("enrol-opening")}</p>
                </section>
            }
            .into_any(),
            EnrolLink::Failed { problem, retry } => view! { <EnrolFailed problem retry /> }.into_any(),
            EnrolLink::None => view! { <PassphraseSignIn /> }.into_any(),
        },
    }
}

/// The enrolment link did not open: why, and a way on (try again, or sign in).
#[component]
fn EnrolFailed(problem: crate::problem::Problem, retry: bool) -> impl IntoView {
    let i18n = use_i18n();
    let code = problem.code().map(|c| c.code()).unwrap_or("unavailable");
    let reason = move || problem.render(&i18n);
    view! {
        <section id="enrol-failed" class="card signin" data-code=code aria-labelledby="enrol-failed-title">
            <h2 id="enrol-failed-title">{t("enrol-title")}</h2>
            <p id="enrol-failed-reason" class="problem">{reason}</p>
            <div class="actions">
                {retry.then(|| view! {
                    <button id="enrol-retry" type="button" class="primary" on:click=move |_| enrol_link::retry()>
                        {t("enrol-retry")}
                    </button>
                })}
                <button id="enrol-to-signin" type="button" on:click=move |_| enrol_link::state().set(EnrolLink::None)>
                    {t("enrol-to_signin")}
                </button>
            </div>
        </section>
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
