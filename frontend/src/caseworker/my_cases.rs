//! "My cases": the unlocked caseworker reopens what they recorded, from this device's
//! outbox and from the relay (entries they uploaded from other computers), opened in
//! memory with their own identity (every entry is sealed to it as well as to the
//! keyring). The opened records live in this component's signals only: locking
//! unmounts the workspace and drops them. Entries are shown grouped by case, in
//! reading order ([`by_case`]); an entry that does not open is listed with its reason,
//! never skipped.

use std::collections::BTreeSet;
use std::sync::Arc;

use leptos::prelude::*;
use shared::authorship::VerifiedRoster;
use shared::forms::CaseDocument;
use shared::{CaseId, EntryId};

use crate::components::status::use_status;
use crate::i18n::{t, use_i18n};
use crate::local_db;
use crate::opening::{open_content, Content};
use crate::outbox;
use crate::problem::Problem;
use crate::reading::{by_case, CaseGroup, Judge};
use crate::relay_client;
use crate::vault::Unlocked;

/// What opening one entry gave: the entry, the case it is listed under, and its
/// content, or the problem (kept as such, so its sentence follows the language shown).
type Opened = (EntryId, CaseId, Result<Content, Problem>);

/// Every entry of the caseworker: local first, then the relay's listing (own uploads);
/// and how to judge their authorship: the organisation's roster when online (offline:
/// none, so her entries read "author not yet approved") and her own author key (her
/// own entries count on her own device: [`Judge`]).
async fn open_all(unlocked: &Unlocked, relay: bool) -> Result<(Vec<Opened>, Judge, Option<Problem>), Problem> {
    let ids = std::slice::from_ref(&unlocked.identity);
    let db = local_db::open().await?;
    let own = Some((unlocked.name.clone(), unlocked.author.public()));
    // A roster that does not verify is said (beside the list, which is still shown).
    let (roster, problem) = if relay { crate::roster::load(&db).await } else { (VerifiedRoster::empty(), None) };
    let judge = Judge { roster, own };
    let (local, _) = outbox::all_of(&db, &unlocked.name).await?;
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    // An attachment keeps only its first bytes here (the rest is a Blob): it is read
    // from the relay's copy when online, and not listed offline.
    for e in local.iter().filter(|e| !e.streamed) {
        seen.insert(e.envelope.id);
        let content = open_content(&e.envelope.id, &e.ciphertext, ids).map_err(Problem::from);
        out.push((e.envelope.id, e.envelope.case, content));
    }
    if relay {
        let mut after = None;
        loop {
            let page = relay_client::list_entries(after.as_deref()).await?;
            for meta in page.entries.into_iter().filter(|m| m.author == unlocked.name) {
                if !seen.insert(meta.id) {
                    continue;
                }
                let content = match relay_client::get_entry(&meta.id).await {
                    Ok(bytes) => open_content(&meta.id, &bytes, ids).map_err(Problem::from),
                    Err(e) => Err(e.into()),
                };
                out.push((meta.id, meta.case, content));
            }
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
    }
    Ok((out, judge, problem))
}

/// The caseworker's cases, each with its entries in reading order. With `on_open`,
/// each case has a "Continue this case" button that hands the case and its opened
/// documents to the workspace.
#[component]
pub fn MyCases(
    unlocked: Arc<Unlocked>,
    online: Signal<bool>,
    #[prop(optional)] on_open: Option<Callback<(CaseId, Vec<CaseDocument>)>>,
) -> impl IntoView {
    let status = use_status();
    let i18n = use_i18n();
    let opened = RwSignal::new(None::<(Vec<Opened>, Judge)>);
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
                Ok((list, judge, problem)) => {
                    if let Some(p) = problem {
                        status.error(p);
                    }
                    opened.try_set(Some((list, judge)));
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
                {move || opened.get().map(|(list, judge)| {
                    if list.is_empty() {
                        return view! { <p class="empty">{t("cases-none")}</p> }.into_any();
                    }
                    let mut failures = Vec::new();
                    let mut readable = Vec::new();
                    for (id, case, content) in list {
                        match content {
                            Ok(c) => readable.push((id, case, c)),
                            Err(why) => failures.push((id, why)),
                        }
                    }
                    let groups = by_case(readable, judge)
                        .into_iter()
                        .map(|group| view! { <CaseGroup group on_open=on_open /> })
                        .collect_view();
                    let failures = failures.into_iter().map(|(id, why)| view! {
                        <p class="open-failure" data-id=id.to_string()>
                            <code>{id.to_string().chars().take(12).collect::<String>()}</code> " " <span class="reason">{move || why.render(&i18n)}</span>
                        </p>
                    }).collect_view();
                    view! { {groups} {failures} }.into_any()
                })}
            </div>
        </section>
    }
}
