//! Changing the passphrase, inside the unlocked workspace: the current one, the new
//! one twice. Only the wrapped identity changes (see `vault::unlock::change_passphrase`);
//! other sessions of the account end. Fields are `autocomplete="off"` like every
//! passphrase field (see `enrol_form`).

use std::sync::Arc;

use leptos::prelude::*;

use crate::components::status::{use_status, Msg};
use crate::i18n::t;
use crate::vault::{unlock, Unlocked};

#[component]
pub fn ChangePassphrase(unlocked: Arc<Unlocked>) -> impl IntoView {
    let status = use_status();
    let old = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (o, n, a) = (old.get_untracked(), new.get_untracked(), again.get_untracked());
        busy.set(true);
        status.info(Msg::key("passphrase-working"));
        let unlocked = unlocked.clone();
        leptos::task::spawn_local(async move {
            match unlock::change_passphrase(&unlocked, &o, &n, &a).await {
                Ok(()) => {
                    old.try_set(String::new());
                    new.try_set(String::new());
                    again.try_set(String::new());
                    status.info(Msg::key("passphrase-changed"));
                }
                Err(e) => status.error(e),
            }
            busy.try_set(false);
        });
    };
    view! {
        <details class="card change-passphrase" id="change-passphrase">
            <summary>{t("passphrase-title")}</summary>
            <form on:submit=submit autocomplete="off">
                <div class="field">
                    <label for="current-passphrase">{t("passphrase-current")}</label>
                    <input id="current-passphrase" type="password" autocomplete="off" required
                        prop:value=move || old.get() on:input=move |ev| old.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="new-passphrase">{t("enrol-passphrase")}</label>
                    <input id="new-passphrase" type="password" autocomplete="off" required aria-describedby="new-passphrase-rules"
                        prop:value=move || new.get() on:input=move |ev| new.set(event_target_value(&ev)) />
                    <p id="new-passphrase-rules" class="hint">{t("enrol-rules")}</p>
                </div>
                <div class="field">
                    <label for="new-passphrase-again">{t("enrol-again")}</label>
                    <input id="new-passphrase-again" type="password" autocomplete="off" required
                        prop:value=move || again.get() on:input=move |ev| again.set(event_target_value(&ev)) />
                </div>
                <button id="change-passphrase-submit" type="submit" prop:disabled=move || busy.get()>{t("passphrase-submit")}</button>
            </form>
        </details>
    }
}
