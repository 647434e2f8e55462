//! The sign-in form: account name and access token. The token lives only in this
//! form's memory until it is sent; the browser is told not to remember either field.

use leptos::prelude::*;
use shared::api::{Role, SessionInfo};

use crate::components::status::{use_status, Msg};
use crate::i18n::t;
use crate::problem::Problem;
use crate::relay_client;

#[component]
pub fn SignIn(role: Role, on_signed_in: Callback<SessionInfo>) -> impl IntoView {
    let status = use_status();
    let name = RwSignal::new(String::new());
    let token = RwSignal::new(String::new());
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (n, tok) = (name.get_untracked().trim().to_owned(), token.get_untracked());
        if n.is_empty() || tok.is_empty() {
            status.error(Msg::key("signin-missing"));
            return;
        }
        busy.set(true);
        status.info(Msg::key("signin-working"));
        leptos::task::spawn_local(async move {
            match relay_client::sign_in(&n, &tok).await {
                Ok(session) if session.role == role => {
                    token.try_set(String::new());
                    status.clear();
                    on_signed_in.run(session);
                }
                Ok(_) => {
                    let _ = relay_client::sign_out().await;
                    status.error(Msg::key("signin-wrong_role"));
                }
                Err(e) => status.error(Problem::from(e)),
            }
            busy.try_set(false);
        });
    };

    view! {
        <form class="card signin" on:submit=submit autocomplete="off">
            <h2>{t("signin-title")}</h2>
            // Why the page before this reload locked (`crate::lock`).
            {crate::lock::last_reason().map(|r| view! { <p id="lock-reason" class="hint">{t(r.message_key())}</p> })}
            <div class="field">
                <label for="signin-name">{t("signin-name")}</label>
                <input id="signin-name" name="signin-name" type="text" autocomplete="off"
                    autocapitalize="off" spellcheck="false" required
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev)) />
            </div>
            <div class="field">
                <label for="signin-token">{t("signin-token")}</label>
                <input id="signin-token" name="signin-token" type="password" autocomplete="off" required
                    prop:value=move || token.get()
                    on:input=move |ev| token.set(event_target_value(&ev)) />
            </div>
            <button id="signin-submit" type="submit" class="primary" prop:disabled=move || busy.get()>
                {t("signin-submit")}
            </button>
        </form>
    }
}
