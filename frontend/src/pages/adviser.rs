//! The key holder's page (`/adviser`): sign in, load an age identity file into memory,
//! and open every entry the relay holds.
//!
//! The identity is read by the key card (`adviser::key`: file picker, drag and drop,
//! `age -p` passphrase files, idle lock) and kept only in this page's memory and in
//! its opening workers' (`adviser::pool`); it is never stored or sent. The workers are
//! started when the page is shown, without a key, so they load the app while the key
//! holder chooses one; they get it when it is loaded, and meanwhile the listing and the
//! first bulk reads have already started: the bulk-open job is `adviser::bulk_open`. A
//! progress bar and five counts (opened, not for this key, failed integrity,
//! unreadable, could not fetch) account for every entry listed: the failures are
//! listed with their reason, the opened ones grouped by case in reading order (intake,
//! consents and follow-ups in time, closure; superseded ones marked), the newest cases
//! first, [`CASES_PER_PAGE`] at a time. "Forget key" terminates the workers and drops
//! the key, every opened record and a CSV's object URL from the page. Signed in, the
//! page follows the caseworker's session rules (`account::session_guard`): idle time,
//! another tab locking, leaving the page and "End session" all do the same, sign out
//! and reload the page.
//!
//! Timing marks for `cargo xtask bench`: `performance.mark` `amanat-key-loaded` when a
//! key is read and `amanat-all-opened` when every listed entry has an outcome and the
//! cases are drawn.

use futures::future::FutureExt;
use leptos::prelude::*;
use shared::api::{Role, SessionInfo};
use shared::seal::Identity;

use crate::account::session_guard;
use crate::account::signin::SignIn;
use crate::adviser::bulk_open::{mark, open_all, Counts, Opening, Outcome, PoolReady};
use crate::adviser::key::KeyCard;
use crate::adviser::pool::{Pool, PoolError};
use crate::adviser::reseal::ResealCard;
use crate::adviser::{find::FindCases, indicators::Indicators};
use crate::components::status::{use_status, Msg};
use crate::i18n::{t, t_args, use_i18n, OwnedArg};
use crate::reading::CaseGroup;

/// Cases shown at first, and added by "Show more cases".
pub const CASES_PER_PAGE: usize = 20;

#[component]
pub fn AdviserPage() -> impl IntoView {
    let session = RwSignal::new(None::<SessionInfo>);
    let on_signed_in = Callback::new(move |s| session.set(Some(s)));
    let on_end = Callback::new(move |()| session.set(None));
    move || match session.get() {
        None => view! { <SignIn role=Role::Adviser on_signed_in=on_signed_in /> }.into_any(),
        Some(s) => view! { <CaseFiles session=s on_end=on_end /> }.into_any(),
    }
}

/// The signed-in key holder's view of the case files.
#[component]
fn CaseFiles(session: SessionInfo, on_end: Callback<()>) -> impl IntoView {
    let status = use_status();
    let identities = StoredValue::new(None::<Vec<Identity>>);
    // The workers holding the loaded key, and workers started ahead without one.
    let pool = StoredValue::new_local(None::<Pool>);
    let spare = StoredValue::new_local(None::<Pool>);
    // Workers being given the key ([`Pool::load_key`]): reachable here, so forgetting the
    // key, a new key, ending the session or leaving the page ends them mid-load too.
    let loading = StoredValue::new_local(None::<Pool>);
    let key_count = RwSignal::new(0usize);
    let opening = Opening::new();
    let Opening { groups, found, figures, failures, counts, .. } = opening;
    let running = RwSignal::new(false);
    let shown = RwSignal::new(CASES_PER_PAGE);
    let generation = RwSignal::new(0u64);
    let i18n = use_i18n();

    // Ends the workers (their copies of the key) and clears what was opened.
    let drop_opened = move || {
        generation.update(|g| *g += 1);
        for workers in [pool, loading] {
            if let Some(p) = workers.try_update_value(Option::take).flatten() {
                p.terminate();
            }
        }
        opening.clear();
        running.set(false);
        shown.set(CASES_PER_PAGE);
    };

    // Workers without a key, started ahead so they load the app's wasm while the key
    // holder chooses a key (they hold nothing until [`Pool::load_key`]).
    let warm = move || {
        let idle = pool.try_with_value(Option::is_none).unwrap_or(false)
            && spare.try_with_value(Option::is_none).unwrap_or(false);
        if idle {
            spare.set_value(Pool::spawn().ok());
        }
    };
    warm();

    // (Re)opens everything with the loaded key, giving the workers the key if needed.
    let load = move || {
        let Some(ids) = identities.get_value() else {
            status.info(Msg::key("adviser-no_key"));
            return;
        };
        // Workers still being given the key belong to the run this one replaces.
        if let Some(p) = loading.try_update_value(Option::take).flatten() {
            p.terminate();
        }
        generation.update(|g| *g += 1);
        let mine = generation.get_untracked();
        opening.clear();
        running.set(true);
        shown.set(CASES_PER_PAGE);
        // The listing and the first bulk reads start at once; opening waits for the
        // workers to have the key.
        let ready: PoolReady = async move {
            if let Some(p) = pool.try_with_value(|p| p.clone()).flatten() {
                return Ok(p);
            }
            // A run already abandoned leaves the spare workers keyless.
            if generation.try_get_untracked() != Some(mine) {
                return Err(PoolError::Terminated);
            }
            let p = match spare.try_update_value(Option::take).flatten() {
                Some(p) => p,
                None => Pool::spawn()?,
            };
            // `drop_opened` terminates them from here, which fails the key jobs pending:
            // this future then ends, and with it its copy of the identities.
            loading.set_value(Some(p.clone()));
            let loaded = p.load_key(&ids).await;
            drop(ids);
            if generation.try_get_untracked() != Some(mine) {
                p.terminate();
                return Err(PoolError::Terminated);
            }
            loading.try_update_value(Option::take);
            loaded?;
            pool.set_value(Some(p.clone()));
            Ok(p)
        }
        .boxed_local()
        .shared();
        let started = ready.clone();
        leptos::task::spawn_local(async move {
            if let Err(e) = started.await {
                if generation.try_get_untracked() == Some(mine) {
                    // Ends this run: its jobs stop at the next batch.
                    generation.update(|g| *g += 1);
                    running.try_set(false);
                    let reason = match e {
                        PoolError::Worker(m) => m,
                        PoolError::Terminated => String::new(),
                    };
                    status.error(Msg::args("open-workers_failed", vec![("reason", OwnedArg::Str(reason))]));
                }
            }
        });
        leptos::task::spawn_local(async move {
            open_all(ready, opening, generation, status).await;
            if generation.try_get_untracked() == Some(mine) {
                running.try_set(false);
            }
        });
    };

    // A newly read key: the old workers hold the old key, so they go.
    let use_key = move |ids: Vec<Identity>| {
        mark("amanat-key-loaded");
        drop_opened();
        key_count.set(ids.len());
        identities.set_value(Some(ids));
        status.info(Msg::key("adviser-key_loaded"));
        load();
    };

    // The key card clears its file input and says why the key went.
    let forget = move || {
        identities.set_value(None);
        key_count.set(0);
        drop_opened();
        crate::adviser::export::revoke_all();
        warm();
    };

    // Ends every worker (the key's copies) and revokes a CSV's object URL.
    let end_workers = move || {
        for workers in [pool, spare, loading] {
            if let Some(p) = workers.try_update_value(Option::take).flatten() {
                p.terminate();
            }
        }
        crate::adviser::export::revoke_all();
    };
    // The caseworker's rules (idle, other tabs, leaving the page, renewal): every lock
    // wipes, signs out and reloads the page.
    let guard = session_guard::install(move || {
        identities.try_set_value(None);
        key_count.try_set(0);
        end_workers();
        opening.clear();
    });
    let end = move |_| {
        guard.end();
        // Reached only where the page does not reload (a test page).
        status.info(Msg::key("signin-ended"));
        on_end.run(());
    };
    // Leaving the page any other way ends the workers too.
    on_cleanup(end_workers);

    // Only the first `shown` cases are drawn.
    let cases = move || groups.with(|g| g.iter().take(shown.get()).cloned().collect::<Vec<_>>());
    let case_total = Memo::new(move |_| groups.with(Vec::len));
    let any_failure = move || counts.with(|c| c.done() > c.opened);
    let progress_text = t_args("open-progress_text", move || {
        let c = counts.get();
        vec![("done", OwnedArg::Num(c.done() as i64)), ("listed", OwnedArg::Num(c.listed as i64))]
    });
    let shown_text = t_args("open-cases_shown", move || {
        let total = case_total.get();
        vec![("shown", OwnedArg::Num(shown.get().min(total) as i64)), ("total", OwnedArg::Num(total as i64))]
    });
    let count = move |f: fn(&Counts) -> usize| move || counts.with(f).to_string();

    view! {
        <div class="workspace">
            <div class="session-bar">
                <span>{t("app-signed_in_as")} " " <strong id="session-name">{session.name.clone()}</strong></span>
                <button id="end-session" type="button" on:click=end>{t("app-end_session")}</button>
            </div>
            // Loading, locking and forgetting the key: adviser::key; re-sealing: adviser::reseal.
            <KeyCard on_key=Callback::new(use_key) on_forget=Callback::new(move |()| forget())
                on_reload=Callback::new(move |()| load()) key_count=key_count.into() />
            <ResealCard identities=identities key_count=key_count.into() />
            <section id="opening" class="card opening" aria-labelledby="opening-title"
                data-state=move || match (running.get(), counts.with(Counts::finished)) {
                    (true, _) => "running",
                    (false, true) => "done",
                    (false, false) => "idle",
                }
                class:hidden=move || key_count.get() == 0>
                <h2 id="opening-title">{t("open-progress")}</h2>
                <progress id="open-progress" aria-labelledby="opening-title" aria-describedby="open-progress-text"
                    max=move || counts.with(|c| c.listed.max(1)) value=move || counts.with(Counts::done)></progress>
                <p id="open-progress-text" aria-live="polite">{progress_text}</p>
                <dl id="open-counts" class="counts">
                    <dt>{t("open-opened")}</dt><dd id="count-opened">{count(|c| c.opened)}</dd>
                    <dt>{t("open-not_for_key")}</dt><dd id="count-not-for-key">{count(|c| c.not_for_this_key)}</dd>
                    <dt>{t("open-failed_integrity")}</dt><dd id="count-failed-integrity">{count(|c| c.failed_integrity)}</dd>
                    <dt>{t("open-unreadable")}</dt><dd id="count-unreadable">{count(|c| c.unreadable)}</dd>
                    <dt>{t("open-not_fetched")}</dt><dd id="count-not-fetched">{count(|c| c.not_fetched)}</dd>
                </dl>
            </section>
            <section id="failures" class="card failures" aria-labelledby="failures-title"
                class:hidden=move || !any_failure()>
                <h2 id="failures-title">{t("adviser-failures")}</h2>
                <ul id="open-failures">
                    <For each=move || failures.get() key=|(id, _)| *id
                        children=move |(id, problem)| {
                            let outcome = match Outcome::of(&Err(problem.clone())) {
                                Outcome::NotForThisKey => "not-for-key",
                                Outcome::FailedIntegrity => "failed-integrity",
                                Outcome::NotFetched => "not-fetched",
                                Outcome::Unreadable | Outcome::Opened => "unreadable",
                            };
                            let id = id.to_string();
                            let reason = move || problem.render(&i18n);
                            view! {
                                <li class="open-failure" data-id=id.clone() data-outcome=outcome>
                                    <code>{id.chars().take(12).collect::<String>()}</code> " " {t("adviser-failed")} ": "
                                    <span class="reason">{reason}</span>
                                </li>
                            }
                        } />
                </ul>
            </section>
            <FindCases cases=found key=Callback::new(move |()| identities.get_value()) />
            <Indicators cases=figures />
            <section id="records" aria-labelledby="records-title">
                <h2 id="records-title">{t("adviser-title")}</h2>
                <p id="cases-shown" class="hint" class:hidden=move || case_total.get() == 0>{shown_text}</p>
                <For each=cases key=|g| g.key()
                    children=move |group| view! { <CaseGroup group on_open=None /> } />
                <button id="more-cases" type="button" class:hidden={move || shown.get() >= case_total.get()}
                    on:click=move |_| shown.update(|n| *n += CASES_PER_PAGE)>
                    {t("open-more_cases")}
                </button>
            </section>
        </div>
    }
}
