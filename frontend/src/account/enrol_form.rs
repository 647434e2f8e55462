//! The enrolment page (opened from the one-time link): account name, new passphrase
//! typed twice, a strength meter and the rules. The link's token was traded for the
//! relay's HttpOnly enrolment cookie before this form showed (`enrol_link`): the page
//! holds no token, and enrolling sends none.
//!
//! Passphrase fields use `autocomplete="off"`: on a shared computer a password manager
//! that kept the passphrase would hand the next person the key. (Browsers may still
//! offer to save; nothing in the app stores it.)

use leptos::prelude::*;
use shared::vault::{self, Strength};

use crate::components::status::{use_status, Msg};
use crate::i18n::{t, use_i18n, I18n};
use crate::vault::{unlock, use_vault};

/// A strength level in words, in the language shown (tracked).
fn strength_text(i18n: &I18n, s: Strength) -> String {
    match s {
        Strength::TooWeak => i18n.tr("strength-too_weak"),
        Strength::Fair => i18n.tr("strength-fair"),
        Strength::Good => i18n.tr("strength-good"),
        Strength::Strong => i18n.tr("strength-strong"),
    }
}

#[component]
pub fn EnrolForm(on_done: Callback<()>) -> impl IntoView {
    let status = use_status();
    let vault = use_vault();
    let i18n = use_i18n();
    let name = RwSignal::new(String::new());
    let pass = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let strength = Memo::new(move |_| {
        let p = pass.get();
        match vault::check_new_passphrase(&p, name.get().trim()) {
            Ok(s) => s,
            Err(_) => Strength::TooWeak,
        }
    });
    let level = move || match strength.get() {
        Strength::TooWeak => 0,
        Strength::Fair => 1,
        Strength::Good => 2,
        Strength::Strong => 3,
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (n, p, a) = (name.get_untracked().trim().to_owned(), pass.get_untracked(), again.get_untracked());
        if n.is_empty() || p.is_empty() {
            status.error(Msg::key("vault-missing"));
            return;
        }
        busy.set(true);
        status.info(Msg::key("enrol-working"));
        leptos::task::spawn_local(async move {
            match unlock::enrol(&n, &p, &a).await {
                Ok(u) => {
                    pass.try_set(String::new());
                    again.try_set(String::new());
                    status.info(Msg::key("enrol-done"));
                    on_done.run(());
                    vault.open(u, true, None);
                }
                Err(e) => {
                    super::enrol_link::enrol_failed(&e);
                    status.error(e);
                }
            }
            busy.try_set(false);
        });
    };

    view! {
        <form id="enrol" class="card signin" on:submit=submit autocomplete="off">
            <h2>{t("enrol-title")}</h2>
            <p class="hint">{t("enrol-intro")}</p>
            <div class="field">
                <label for="enrol-name">{t("enrol-name")}</label>
                <input id="enrol-name" type="text" autocomplete="off" autocapitalize="off" spellcheck="false" required
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            </div>
            <div class="field">
                <label for="enrol-passphrase">{t("enrol-passphrase")}</label>
                <input id="enrol-passphrase" type="password" autocomplete="off" required aria-describedby="enrol-rules"
                    prop:value=move || pass.get() on:input=move |ev| pass.set(event_target_value(&ev)) />
                <p id="enrol-rules" class="hint">{t("enrol-rules")}</p>
                <p class="strength">
                    <label for="enrol-strength">{t("enrol-strength")}</label> " "
                    <meter id="enrol-strength" min="0" max="3" low="1" high="2" optimum="3"
                        prop:value=level data-strength=move || strength.get().code()></meter> " "
                    <span class="strength-label">{move || strength_text(&i18n, strength.get())}</span>
                </p>
            </div>
            <div class="field">
                <label for="enrol-again">{t("enrol-again")}</label>
                <input id="enrol-again" type="password" autocomplete="off" required
                    prop:value=move || again.get() on:input=move |ev| again.set(event_target_value(&ev)) />
            </div>
            <button id="enrol-submit" type="submit" class="primary" prop:disabled=move || busy.get()>
                {t("enrol-submit")}
            </button>
        </form>
    }
}
