//! "My cases": the unlocked caseworker reopens what they recorded, from this device's
//! outbox and from the relay (entries they uploaded from other computers), opened in
//! memory with their own identity (every entry is sealed to it as well as to the
//! keyring). The opened records live in this component's signals only: locking
//! unmounts the workspace and drops them. An entry that does not open is listed with
//! its reason, never skipped.

use std::collections::BTreeSet;
use std::sync::Arc;

use leptos::prelude::*;
use shared::record::Document;
use shared::EntryId;

use crate::components::record_view::RecordView;
use crate::components::status::use_status;
use crate::i18n::{t, use_i18n};
use crate::opening::open_entry;
use crate::outbox;
use crate::problem::Problem;
use crate::relay_client;
use crate::vault::Unlocked;
use crate::local_db;

/// What opening one entry gave.
#[derive(Clone)]
enum Opened {
    Record(EntryId, Box<Document>),
    /// Kept as the problem, so its sentence follows the language shown.
    Failed(EntryId, Problem),
}

/// Every entry of the caseworker: local first, then the relay's listing (own uploads).
async fn open_all(unlocked: &Unlocked, relay: bool) -> Result<Vec<Opened>, Problem> {
    let ids = std::slice::from_ref(&unlocked.identity);
    let db = local_db::open().await?;
    let (local, _) = outbox::all_of(&db, &unlocked.name).await?;
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for e in &local {
        seen.insert(e.envelope.id);
        out.push(match open_entry(&e.envelope.id, &e.ciphertext, ids) {
            Ok(doc) => Opened::Record(e.envelope.id, Box::new(doc)),
            Err(code) => Opened::Failed(e.envelope.id, code.into()),
        });
    }
    if relay {
        let mut after = None;
        loop {
            let page = relay_client::list_entries(after.as_deref()).await?;
            for meta in page.entries.into_iter().filter(|m| m.author == unlocked.name) {
                if !seen.insert(meta.id) {
                    continue;
                }
                out.push(match relay_client::get_entry(&meta.id).await {
                    Ok(bytes) => match open_entry(&meta.id, &bytes, ids) {
                        Ok(doc) => Opened::Record(meta.id, Box::new(doc)),
                        Err(code) => Opened::Failed(meta.id, code.into()),
                    },
                    Err(e) => Opened::Failed(meta.id, e.into()),
                });
            }
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
    }
    Ok(out)
}

#[component]
pub fn MyCases(unlocked: Arc<Unlocked>, online: Signal<bool>) -> impl IntoView {
    let status = use_status();
    let i18n = use_i18n();
    let opened = RwSignal::new(None::<Vec<Opened>>);
    let busy = RwSignal::new(false);
    let open = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let unlocked = unlocked.clone();
        let relay = online.get_untracked();
        leptos::task::spawn_local(async move {
            match open_all(&unlocked, relay).await {
                Ok(list) => {
                    opened.try_set(Some(list));
                }
                Err(p) => status.error(p),
            }
            busy.try_set(false);
        });
    };
    let close = move |_| opened.set(None);
    view! {
        <section class="card my-cases" aria-labelledby="my-cases-title">
            <h2 id="my-cases-title">{t("cases-title")}</h2>
            <p class="hint">{t("cases-hint")}</p>
            <button id="open-my-cases" type="button" on:click=open prop:disabled=move || busy.get()>{t("cases-open")}</button>
            <Show when=move || opened.with(Option::is_some)>
                <button id="close-my-cases" type="button" on:click=close>{t("cases-close")}</button>
            </Show>
            <div id="my-cases">
                {move || opened.get().map(|list| {
                    if list.is_empty() {
                        return view! { <p class="empty">{t("cases-none")}</p> }.into_any();
                    }
                    list.into_iter().map(|o| match o {
                        Opened::Record(id, doc) => view! { <RecordView id=id doc=*doc /> }.into_any(),
                        Opened::Failed(id, why) => view! {
                            <p class="open-failure" data-id=id.to_string()>
                                <code>{id.to_string().chars().take(12).collect::<String>()}</code> " " <span class="reason">{move || why.render(&i18n)}</span>
                            </p>
                        }.into_any(),
                    }).collect_view().into_any()
                })}
            </div>
        </section>
    }
}
