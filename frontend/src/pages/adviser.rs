//! The key holder's page (`/adviser`): sign in, load an age identity file into memory,
//! and open every entry the relay holds.
//!
//! The identity is read by the key card (`adviser::key`: file picker, drag and drop,
//! `age -p` passphrase files, idle lock) and kept only in this page's memory and in
//! its opening workers' (`adviser::pool`); it is never stored or sent. The workers are
//! started when the page is shown, without a key, so they load the app while the key
//! holder chooses one; they get it when it is loaded, and meanwhile the listing and the
//! first bulk reads have already started. Entries are listed page by page and fetched
//! in bulk (`POST /api/v1/entries/read`, up to [`BATCH_ENTRIES`] entries or
//! [`BATCH_BYTES`] per request; an entry over [`BULK_ENTRY_MAX`] is fetched alone),
//! opened in the workers, and read back on the main thread in slices of at most
//! [`SLICE_MS`], yielding between, so no task of the page runs long. Each batch is filed
//! by case as it arrives (`CaseBook`: only the cases it touches); the cases, the search
//! and the figures are redrawn from that at most every [`REDRAW_MS`] and at the end, in
//! a task of their own. A progress bar and five counts (opened, not for this key, failed
//! integrity, unreadable, could not fetch) account for every entry listed: the failures
//! are listed with their reason, the opened ones grouped by case in reading order
//! (intake, consents and follow-ups in time, closure; superseded ones marked), the
//! newest cases first, [`CASES_PER_PAGE`] at a time. "Forget key" and "End session"
//! terminate the workers and drop the key and every opened record from the page.
//!
//! Timing marks for `cargo xtask bench`: `performance.mark` `amanat-key-loaded` when a
//! key is read and `amanat-all-opened` when every listed entry has an outcome and the
//! cases are drawn.

use futures::future::{FutureExt, LocalBoxFuture, Shared};
use futures::StreamExt;
use leptos::prelude::*;
use shared::api::{frames, EntryMeta, Role, SessionInfo, READ_MANY_MAX};
use shared::seal::Identity;
use shared::{CaseId, EntryId, ErrorCode};

use crate::adviser::key::KeyCard;
use crate::adviser::pool::{worker_count, Pool, PoolError, Results};
use crate::adviser::reseal::ResealCard;
use crate::adviser::{find::FindCases, indicators::Indicators};
use crate::components::record_view::{CaseBook, CaseEntries, CaseGroup};
use crate::components::signin::SignIn;
use crate::components::status::{use_status, Msg, Status};
use crate::i18n::{t, t_args, use_i18n, OwnedArg};
use crate::opening::Content;
use crate::problem::Problem;
use crate::relay_client::{self, RelayError};

/// Most entries per bulk read (a quarter of the relay's limit): small enough that the
/// workers start opening soon after the key is loaded and finish together at the end,
/// large enough that the requests stay few (40 for 5 000 entries).
pub const BATCH_ENTRIES: usize = READ_MANY_MAX / 4;
/// Most stored bytes per bulk read, so a batch of scans does not sit in memory whole.
pub const BATCH_BYTES: u64 = 8 * 1024 * 1024;
/// Entries larger than this (photos, scans) are fetched one by one.
pub const BULK_ENTRY_MAX: u64 = 1024 * 1024;
/// The longest the page reads results before yielding to the browser, in ms.
pub const SLICE_MS: f64 = 8.0;
/// Cases shown at first, and added by "Show more cases".
pub const CASES_PER_PAGE: usize = 20;
/// While entries open, the cases (their list, search and figures) are redrawn at most
/// this often, in ms; the progress and counts follow every batch.
pub const REDRAW_MS: f64 = 1000.0;

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

/// One entry as the page shows it.
#[derive(Clone, Debug)]
struct Opened {
    id: EntryId,
    /// The case the relay lists it under (an attachment's only case).
    case: CaseId,
    /// A failure is kept as the problem, so its sentence follows the language shown.
    result: Result<Content, Problem>,
}

/// Which count an entry's outcome goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Opened,
    /// No recipient stanza of the entry matches the loaded key.
    NotForThisKey,
    /// The bytes are not the entry listed, or its header MAC or payload does not
    /// authenticate: damaged or tampered with.
    FailedIntegrity,
    /// It opened but holds nothing this version reads, or the worker failed on it.
    Unreadable,
    /// The relay did not send it (unreachable, refused, or gone since listed).
    NotFetched,
}

impl Outcome {
    pub fn of(result: &Result<Content, Problem>) -> Outcome {
        match result {
            Ok(_) => Outcome::Opened,
            Err(Problem::Relay(_)) => Outcome::NotFetched,
            Err(Problem::Code(code)) => Outcome::of_code(*code),
            Err(_) => Outcome::Unreadable,
        }
    }

    pub fn of_code(code: ErrorCode) -> Outcome {
        match code {
            ErrorCode::WrongKey => Outcome::NotForThisKey,
            ErrorCode::Corrupted | ErrorCode::NotAge | ErrorCode::HeaderTooLarge | ErrorCode::ScryptInRecord => {
                Outcome::FailedIntegrity
            }
            ErrorCode::NotFound => Outcome::NotFetched,
            _ => Outcome::Unreadable,
        }
    }
}

/// Progress of one opening run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Entries listed so far.
    pub listed: usize,
    /// The listing has reached its last page.
    pub listing_done: bool,
    pub opened: usize,
    pub not_for_this_key: usize,
    pub failed_integrity: usize,
    pub unreadable: usize,
    pub not_fetched: usize,
}

impl Counts {
    pub fn done(&self) -> usize {
        self.opened + self.not_for_this_key + self.failed_integrity + self.unreadable + self.not_fetched
    }

    pub fn finished(&self) -> bool {
        self.listing_done && self.done() == self.listed
    }

    fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Opened => self.opened += 1,
            Outcome::NotForThisKey => self.not_for_this_key += 1,
            Outcome::FailedIntegrity => self.failed_integrity += 1,
            Outcome::Unreadable => self.unreadable += 1,
            Outcome::NotFetched => self.not_fetched += 1,
        }
    }
}

/// What the page holds of one opening run. Opened documents are filed by case as each
/// batch arrives ([`CaseBook`]: only the cases a batch touches are regrouped) and shown
/// from a sorted copy made at most every [`REDRAW_MS`] (the copies share the documents),
/// so the search and the figures refold only the cases that changed since.
#[derive(Clone, Copy)]
struct Opening {
    book: StoredValue<CaseBook>,
    /// The cases as last drawn, newest first: in the case list, the search, the figures
    /// (three signals, so that each redraws in a task of its own).
    groups: RwSignal<Vec<CaseEntries>>,
    found: RwSignal<Vec<CaseEntries>>,
    figures: RwSignal<Vec<CaseEntries>>,
    /// Entries that did not open, with why.
    failures: RwSignal<Vec<(EntryId, Problem)>>,
    counts: RwSignal<Counts>,
}

impl Opening {
    fn new() -> Self {
        Opening {
            book: StoredValue::new(CaseBook::default()),
            groups: RwSignal::new(Vec::new()),
            found: RwSignal::new(Vec::new()),
            figures: RwSignal::new(Vec::new()),
            failures: RwSignal::new(Vec::new()),
            counts: RwSignal::new(Counts::default()),
        }
    }

    /// Forgets everything opened.
    fn clear(self) {
        self.book.set_value(CaseBook::default());
        self.groups.set(Vec::new());
        self.found.set(Vec::new());
        self.figures.set(Vec::new());
        self.failures.set(Vec::new());
        self.counts.set(Counts::default());
    }

    /// Counts and files one batch's outcomes (not yet drawn: [`Opening::draw`]).
    fn add(self, batch: Vec<Opened>) {
        self.counts.update(|c| batch.iter().for_each(|o| c.add(Outcome::of(&o.result))));
        let mut failed = Vec::new();
        self.book.update_value(|book| {
            for o in batch {
                match o.result {
                    Ok(content) => book.add(o.id, o.case, content),
                    Err(problem) => failed.push((o.id, problem)),
                }
            }
        });
        if !failed.is_empty() {
            self.failures.update(|f| f.extend(failed));
        }
    }

    /// Shows the cases filed so far: the case list, the search and the figures each
    /// redrawn in a task of its own. Stops if the run is no longer `current` (the key
    /// was forgotten meanwhile: nothing of it is drawn again).
    async fn draw(self, current: impl Fn() -> bool) {
        let sorted = self.book.with_value(CaseBook::sorted);
        for shown in [self.groups, self.found, self.figures] {
            if !current() {
                return;
            }
            shown.set(sorted.clone());
            yield_now().await;
        }
    }
}

/// What one fetch does: several small entries in one bulk read, or one large entry.
#[derive(Debug)]
enum Job {
    Bulk(Vec<EntryMeta>),
    Single(EntryMeta),
    /// The listing failed here; entries after this point are unknown.
    ListFailed(RelayError),
}

/// Cuts one listed page into fetches: small entries together (at most
/// [`BATCH_ENTRIES`] and [`BATCH_BYTES`]), large ones alone.
fn plan(entries: Vec<EntryMeta>) -> Vec<Job> {
    let mut jobs = Vec::new();
    let (mut batch, mut bytes) = (Vec::new(), 0u64);
    for meta in entries {
        if meta.size > BULK_ENTRY_MAX {
            jobs.push(Job::Single(meta));
            continue;
        }
        if !batch.is_empty() && (batch.len() == BATCH_ENTRIES || bytes + meta.size > BATCH_BYTES) {
            jobs.push(Job::Bulk(std::mem::take(&mut batch)));
            bytes = 0;
        }
        bytes += meta.size;
        batch.push(meta);
    }
    if !batch.is_empty() {
        jobs.push(Job::Bulk(batch));
    }
    jobs
}

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// Lets the browser run other tasks (input, paint) before the page goes on.
async fn yield_now() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}

/// The workers, once they hold the key (shared by every job of a run).
type PoolReady = Shared<LocalBoxFuture<'static, Result<Pool, PoolError>>>;

/// Fetches and opens one job's entries; every entry of the job gets an outcome (none
/// when the workers were terminated: the key was forgotten and nothing is shown).
async fn run_job(job: Job, pool: PoolReady) -> Result<Vec<Opened>, RelayError> {
    let asked: Vec<EntryMeta> = match &job {
        Job::Bulk(metas) => metas.clone(),
        Job::Single(meta) => vec![meta.clone()],
        Job::ListFailed(e) => return Err(e.clone()),
    };
    let fetched = match job {
        Job::Bulk(metas) => relay_client::read_entries(&metas.iter().map(|m| m.id).collect::<Vec<_>>()).await,
        Job::Single(meta) => relay_client::get_entry(&meta.id).await.map(|bytes| {
            let mut frame = frames::header(&meta.id, frames::ENTRY, bytes.len() as u64).to_vec();
            frame.extend_from_slice(&bytes);
            js_sys::Uint8Array::from(&frame[..])
        }),
        Job::ListFailed(_) => unreachable!("returned above"),
    };
    let answer = match fetched {
        Ok(answer) => answer,
        Err(e) => {
            return Ok(asked
                .into_iter()
                .map(|m| Opened { id: m.id, case: m.case, result: Err(e.clone().into()) })
                .collect())
        }
    };
    let internal = |asked: Vec<EntryMeta>| {
        asked.into_iter().map(|m| Opened { id: m.id, case: m.case, result: Err(ErrorCode::Internal.into()) }).collect()
    };
    // Workers that could not be given the key end the run (nothing of it is shown then);
    // the entries are still accounted for, never dropped.
    let Ok(pool) = pool.await else { return Ok(internal(asked)) };
    let out = match pool.open(answer).await {
        Ok(out) => out,
        Err(PoolError::Terminated) => return Ok(Vec::new()),
        Err(PoolError::Worker(_)) => return Ok(internal(asked)),
    };
    // Read back in slices: a batch of documents is parsed in several short tasks.
    let mut cases: std::collections::HashMap<EntryId, CaseId> = asked.iter().map(|m| (m.id, m.case)).collect();
    let mut opened = Vec::with_capacity(asked.len());
    let mut slice_start = now_ms();
    for (n, item) in Results::new(&out).enumerate() {
        let Ok((id, result)) = item else { break };
        if let Some(case) = cases.remove(&id) {
            // The relay vouches only for the case it lists an entry under (its uploader's
            // own); a document naming another case would join that family's timeline,
            // search and figures, so it counts as failed integrity.
            let result = match result {
                Ok(Content::Document(d)) if d.case != case => Err(ErrorCode::Corrupted),
                other => other,
            };
            opened.push(Opened { id, case, result: result.map_err(Problem::from) });
        }
        if n % 16 == 15 && now_ms() - slice_start > SLICE_MS {
            yield_now().await;
            slice_start = now_ms();
        }
    }
    // The plaintext read is wiped from this buffer; what stays is in the records shown.
    let mut out = out;
    out.iter_mut().for_each(|b| *b = 0);
    // Whatever the answer did not carry is accounted for, never dropped.
    for meta in asked.iter().filter(|m| cases.contains_key(&m.id)) {
        opened.push(Opened { id: meta.id, case: meta.case, result: Err(ErrorCode::Corrupted.into()) });
    }
    Ok(opened)
}

/// Lists every entry and opens each in the pool; stops if the key is forgotten meanwhile.
async fn open_all(pool: PoolReady, opening: Opening, generation: RwSignal<u64>, status: Status) {
    let counts = opening.counts;
    let mine = generation.get_untracked();
    let current = move || generation.try_get_untracked() == Some(mine);
    // An abandoned run lists nothing more, and a page it fetched is not counted: it would
    // add to the next run's `listed`, which would then never finish.
    let pages = futures::stream::unfold(Some(None::<String>), move |state| async move {
        let after = state?;
        let listed = relay_client::list_entries(after.as_deref()).await;
        if !current() {
            return None;
        }
        match listed {
            Ok(page) => {
                let next = page.next.clone().map(Some);
                Some((Ok(page.entries), next))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    let jobs = pages.flat_map(move |page| {
        let jobs = match page {
            _ if !current() => Vec::new(),
            Ok(entries) => {
                let n = entries.len();
                counts.try_update(|c| c.listed += n);
                plan(entries)
            }
            Err(e) => vec![Job::ListFailed(e)],
        };
        futures::stream::iter(jobs)
    });
    // A batch in hand for each worker while it opens another, and one more on the way,
    // so a worker never waits for the network.
    let mut results = Box::pin(jobs.map(|job| run_job(job, pool.clone())).buffer_unordered(2 * worker_count() + 1));
    let mut listing_failed = None;
    let mut drawn = now_ms();
    while let Some(result) = results.next().await {
        if !current() {
            return;
        }
        match result {
            Ok(batch) => opening.add(batch),
            Err(e) => listing_failed = Some(e),
        }
        // The last slice of that batch ran in this task: drawing gets a task of its own.
        yield_now().await;
        if !current() {
            return;
        }
        if now_ms() - drawn >= REDRAW_MS {
            opening.draw(current).await;
            drawn = now_ms();
        }
    }
    if !current() {
        return;
    }
    opening.draw(current).await;
    if !current() {
        return;
    }
    counts.update(|c| c.listing_done = true);
    // Marked once every case is drawn, not when the last entry is read.
    mark("amanat-all-opened");
    if let Some(e) = listing_failed {
        status.error(Problem::from(e));
        return;
    }
    let c = counts.get_untracked();
    if c.listed == 0 {
        status.info(Msg::key("adviser-no_entries"));
    } else {
        status.info(Msg::args(
            "adviser-opened",
            vec![("ok", OwnedArg::Num(c.opened as i64)), ("count", OwnedArg::Num(c.listed as i64))],
        ));
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
        warm();
    };

    let end = move |_| {
        identities.set_value(None);
        drop_opened();
        leptos::task::spawn_local(async move {
            let _ = relay_client::sign_out().await;
            status.info(Msg::key("signin-ended"));
            on_end.run(());
        });
    };
    // Leaving the page any other way ends the workers too.
    on_cleanup(move || {
        for workers in [pool, spare, loading] {
            if let Some(p) = workers.try_update_value(Option::take).flatten() {
                p.terminate();
            }
        }
    });

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

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(size: u64) -> EntryMeta {
        EntryMeta {
            id: EntryId::of(&size.to_be_bytes()),
            case: CaseId::random(),
            size,
            received_at: String::new(),
            author: "cw".into(),
            keyring_version: None,
        }
    }

    #[test]
    fn a_page_of_entries_is_fetched_in_few_bulk_reads_and_large_entries_alone() {
        let mut entries: Vec<EntryMeta> = (0..1200).map(|i| meta(10_000 + i)).collect();
        entries.insert(3, meta(5 * 1024 * 1024));
        let jobs = plan(entries);
        let sizes: Vec<String> = jobs
            .iter()
            .map(|j| match j {
                Job::Bulk(m) => format!("bulk {}", m.len()),
                Job::Single(m) => format!("single {}", m.size),
                Job::ListFailed(_) => "failed".into(),
            })
            .collect();
        // 8 MiB of ~10 KB entries is over 125: the entry limit cuts first.
        assert_eq!(BATCH_ENTRIES, 125);
        let expected: Vec<String> = ["single 5242880".to_owned()]
            .into_iter()
            .chain((0..9).map(|_| "bulk 125".to_owned()))
            .chain(["bulk 75".to_owned()])
            .collect();
        assert_eq!(sizes, expected);
        let big: Vec<EntryMeta> = (0..20).map(|i| meta(900_000 + i)).collect();
        let jobs = plan(big);
        assert!(jobs.iter().all(|j| matches!(j, Job::Bulk(m) if m.iter().map(|m| m.size).sum::<u64>() <= BATCH_BYTES)));
        assert_eq!(
            jobs.iter().map(|j| if let Job::Bulk(m) = j { m.len() } else { 0 }).sum::<usize>(),
            20,
            "none dropped"
        );
    }

    #[test]
    fn each_way_an_entry_can_fail_lands_in_its_own_count() {
        assert_eq!(Outcome::of_code(ErrorCode::WrongKey), Outcome::NotForThisKey);
        assert_eq!(Outcome::of_code(ErrorCode::Corrupted), Outcome::FailedIntegrity);
        assert_eq!(Outcome::of_code(ErrorCode::NotAge), Outcome::FailedIntegrity);
        assert_eq!(Outcome::of_code(ErrorCode::RecordUnreadable), Outcome::Unreadable);
        assert_eq!(Outcome::of_code(ErrorCode::NotFound), Outcome::NotFetched);
        assert_eq!(Outcome::of(&Err(Problem::Relay(RelayError::Unavailable))), Outcome::NotFetched);
        let mut c = Counts { listed: 3, ..Counts::default() };
        for o in [Outcome::Opened, Outcome::NotForThisKey, Outcome::FailedIntegrity] {
            c.add(o);
        }
        assert!(!c.finished(), "not before the listing is done");
        c.listing_done = true;
        assert!(c.finished());
        assert_eq!((c.opened, c.not_for_this_key, c.failed_integrity, c.done()), (1, 1, 1, 3));
    }
}
