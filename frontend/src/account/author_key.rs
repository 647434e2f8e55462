//! The caseworker's author key on the Account page: its fingerprint, to read out to
//! the administrator who approves it in person (`amanat roster approve NAME
//! --fingerprint …` prints and checks the same one). Only the public half is shown.

use std::sync::Arc;

use leptos::prelude::*;

use crate::i18n::t;
use crate::vault::Unlocked;

#[component]
pub fn AuthorKeyCard(unlocked: Arc<Unlocked>) -> impl IntoView {
    let fingerprint = unlocked.author.public().fingerprint();
    view! {
        <section class="card author-key" id="author-key" aria-labelledby="author-key-title">
            <h2 id="author-key-title">{t("account-author-title")}</h2>
            <p>
                {t("account-author-fingerprint")} ": "
                <code id="author-fingerprint" translate="no">{fingerprint}</code>
            </p>
            <p class="hint">{t("account-author-hint")}</p>
        </section>
    }
}
