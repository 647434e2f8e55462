//! The bulk-open job of the key holder's page: list every entry the relay holds, fetch
//! them in bulk and open them in the workers (`adviser::pool`), and file what opened by
//! case as each batch arrives.
//!
//! Entries are listed page by page and fetched in bulk (`relay_client::read_many`, up
//! to [`BATCH_ENTRIES`] entries or [`BATCH_BYTES`] per request; an entry over
//! [`BULK_ENTRY_MAX`] is fetched alone), opened in the workers, and read back on the
//! main thread in slices of at most [`SLICE_MS`], yielding between, so no task of the
//! page runs long. Each batch is filed by case as it arrives ([`CaseBook`]: only the
//! cases it touches); the cases, the search and the figures are redrawn from that at
//! most every [`REDRAW_MS`] and at the end, in a task of their own. Every listed entry
//! gets one [`Outcome`], counted in [`Counts`].
//!
//! What this is not: the page (`pages::adviser`, which owns the key, the workers'
//! lifetime and what is shown) or the workers themselves (`adviser::pool`).

use futures::future::{LocalBoxFuture, Shared};
use futures::StreamExt;
use leptos::prelude::*;
use shared::api::{frames, EntryMeta, READ_MANY_MAX};
use shared::{CaseId, EntryId, ErrorCode};

use crate::adviser::pool::{worker_count, Pool, PoolError, Results};
use crate::components::status::{Msg, Status};
use crate::i18n::OwnedArg;
use crate::opening::Content;
use crate::problem::Problem;
use crate::reading::{CaseBook, CaseEntries, Judge};
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
/// While entries open, the cases (their list, search and figures) are redrawn at most
/// this often, in ms; the progress and counts follow every batch.
pub const REDRAW_MS: f64 = 1000.0;

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
pub struct Opening {
    book: StoredValue<CaseBook>,
    /// The cases as last drawn, newest first: in the case list, the search, the figures
    /// (three signals, so that each redraws in a task of its own).
    pub groups: RwSignal<Vec<CaseEntries>>,
    pub found: RwSignal<Vec<CaseEntries>>,
    pub figures: RwSignal<Vec<CaseEntries>>,
    /// Entries that did not open, with why.
    pub failures: RwSignal<Vec<(EntryId, Problem)>>,
    pub counts: RwSignal<Counts>,
}

impl Default for Opening {
    fn default() -> Self {
        Opening::new()
    }
}

impl Opening {
    /// Nothing opened yet.
    pub fn new() -> Self {
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
    pub fn clear(self) {
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

/// A `performance.mark` for `cargo xtask bench` (`amanat-key-loaded`, `amanat-all-opened`).
pub fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// Lets the browser run other tasks (input, paint) before the page goes on.
async fn yield_now() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}

/// The workers, once they hold the key (shared by every job of a run).
pub type PoolReady = Shared<LocalBoxFuture<'static, Result<Pool, PoolError>>>;

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
                Ok(Content::Document(d, _)) if d.case != case => Err(ErrorCode::Corrupted),
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
pub async fn open_all(pool: PoolReady, opening: Opening, generation: RwSignal<u64>, status: Status) {
    let counts = opening.counts;
    let mine = generation.get_untracked();
    let current = move || generation.try_get_untracked() == Some(mine);
    // Authorship is judged against the organisation's roster as each entry is filed:
    // fetched and checked against the pinned key before anything is opened (none
    // published, or one that does not verify: nobody is approved, and nothing counts).
    let (roster, problem) = match crate::local_db::open().await {
        Ok(db) => crate::roster::load(&db).await,
        Err(e) => (shared::authorship::VerifiedRoster::empty(), Some(Problem::from(e))),
    };
    if !current() {
        return;
    }
    opening.book.set_value(CaseBook::new(Judge::roster(roster)));
    if let Some(p) = problem {
        status.error(p);
    }
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
