//! The caseworker's sign-in (also the lock screen): account name and passphrase.
//! Unlocks from this device's cached wrapped identity when it has one (offline too),
//! otherwise through the relay. Neither field is remembered by the browser (see
//! `enrol_form` for why); the passphrase is cleared from the form as soon as it is used.

use leptos::prelude::*;

use crate::components::status::{use_status, Msg};
use crate::i18n::{t, use_i18n};
use crate::vault::{unlock, use_vault};

#[component]
pub fn PassphraseSignIn() -> impl IntoView {
    let status = use_status();
    let vault = use_vault();
    let name = RwSignal::new(String::new());
    let pass = RwSignal::new(String::new());
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (n, p) = (name.get_untracked().trim().to_owned(), pass.get_untracked());
        if n.is_empty() || p.is_empty() {
            status.error(Msg::key("vault-missing"));
            return;
        }
        pass.set(String::new());
        busy.set(true);
        status.info(Msg::key("vault-working"));
        leptos::task::spawn_local(async move {
            match unlock::sign_in(&n, &p).await {
                Ok(s) if unlock::is_caseworker(s.unlocked.role) => {
                    if s.online {
                        status.clear();
                    } else if s.delayed {
                        status.info(Msg::key("vault-offline_delayed"));
                    } else {
                        status.info(Msg::key("vault-offline"));
                    }
                    vault.open_later(s.unlocked, s.online, s.pending_auth, s.retry_after);
                }
                Ok(s) => {
                    if s.online {
                        let _ = crate::relay_client::sign_out().await;
                    }
                    status.error(Msg::key("signin-wrong_role"));
                }
                Err(e) => status.error(e),
            }
            busy.try_set(false);
        });
    };

    let i18n = use_i18n();
    let reason = move || vault.last_lock.get().map(|r| i18n.tr(r.message_key()));

    view! {
        <form id="unlock" class="card signin" on:submit=submit autocomplete="off">
            <h2>{t("vault-title")}</h2>
            {move || reason().map(|r| view! { <p id="lock-reason" class="hint">{r}</p> })}
            <div class="field">
                <label for="signin-name">{t("signin-name")}</label>
                <input id="signin-name" type="text" autocomplete="off" autocapitalize="off" spellcheck="false" required
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            </div>
            <div class="field">
                <label for="signin-passphrase">{t("vault-passphrase")}</label>
                <input id="signin-passphrase" type="password" autocomplete="off" required
                    prop:value=move || pass.get() on:input=move |ev| pass.set(event_target_value(&ev)) />
            </div>
            <button id="signin-submit" type="submit" class="primary" prop:disabled=move || busy.get()>
                {t("vault-submit")}
            </button>
        </form>
    }
}
