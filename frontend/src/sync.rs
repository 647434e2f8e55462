//! The sync loop: uploads every sealed entry the relay does not yet confirm, and
//! keeps trying with backoff while the relay is unreachable.
//!
//! It wakes on a timer, when an entry is saved, when the browser comes back online,
//! and on request. Uploads are idempotent (the id is the SHA-256 of the bytes), so a
//! retry after a lost answer cannot duplicate. On any failure the entry stays in the
//! outbox; only its state changes: `waiting` (try again) or `refused` (with the
//! relay's reason). A relay that answers "not now" (413 `quota_exceeded`, 429
//! `upload_rate_limited`, 507 `storage_full`) leaves the entry `waiting` with that
//! reason shown beside it and above the list, and the loop tries again later: after
//! [`busy_backoff_ms`] (30 s doubling to 10 minutes), or the relay's `Retry-After` if
//! longer; "Try uploading now" does not wait. Damaged entries are reported and never sent. A streamed entry (an
//! attachment) is sent as the `Blob` the outbox keeps, so its body streams from disk.

use futures::channel::mpsc;
use futures::{FutureExt, StreamExt};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use shared::ErrorCode;

use crate::outbox::{self, EntryState, OutboxRow, Refusal};
use crate::relay_client::{self, RelayError};
use crate::{local_db, problem::Problem};

/// Wait after the `n`th failed pass in a row (n ≥ 1): 1 s, 2 s, 4 s, 8 s, then 15 s.
pub fn backoff_ms(failures: u32) -> u32 {
    1000u32.saturating_mul(1 << failures.saturating_sub(1).min(4)).min(15_000)
}

/// Wait after the `n`th pass in a row the relay answered "not now" (n ≥ 1): 30 s
/// doubling to 10 minutes (each try may send a whole entry again), or the relay's
/// `Retry-After` (seconds) when that is longer.
pub fn busy_backoff_ms(failures: u32, retry_after: Option<u32>) -> u32 {
    let backoff = 30_000u32.saturating_mul(1 << failures.saturating_sub(1).min(5)).min(600_000);
    backoff.max(retry_after.unwrap_or(0).saturating_mul(1_000))
}

/// What the page shows of the outbox, kept current by the loop.
#[derive(Clone, Copy)]
pub struct OutboxView {
    pub rows: RwSignal<Vec<OutboxRow>>,
    /// Stored values that no longer decode (kept, but cannot be listed).
    pub unreadable: RwSignal<usize>,
    /// Why uploads are not going through right now, if they are not.
    pub relay_problem: RwSignal<Option<Problem>>,
    /// Whose entries these are: each caseworker on a shared device syncs and sees only
    /// their own.
    pub owner: StoredValue<String>,
    /// Entries uploaded by the last pass, and how many the pass set out to upload.
    pub progress: RwSignal<(usize, usize)>,
}

impl OutboxView {
    pub fn new(owner: &str) -> Self {
        OutboxView {
            rows: RwSignal::new(Vec::new()),
            unreadable: RwSignal::new(0),
            relay_problem: RwSignal::new(None),
            owner: StoredValue::new(owner.to_owned()),
            progress: RwSignal::new((0, 0)),
        }
    }

    fn owner(&self) -> Option<String> {
        self.owner.try_get_value()
    }
}

/// Wakes the loop. Dropping every handle stops it.
#[derive(Clone)]
pub struct SyncHandle(mpsc::UnboundedSender<()>);

impl SyncHandle {
    pub fn wake(&self) {
        let _ = self.0.unbounded_send(());
    }

    /// Stops the loop (when the page that started it goes away).
    pub fn stop(&self) {
        self.0.close_channel();
    }
}

/// The result of one pass over the outbox.
enum Pass {
    /// Nothing left that could go through now.
    Done,
    /// The relay was unavailable, asked to wait, or the session lapsed: try again later.
    Blocked(RelayError),
}

/// Starts the loop for the signed-in page.
pub fn start(view: OutboxView) -> SyncHandle {
    let (tx, mut rx) = mpsc::unbounded();
    let handle = SyncHandle(tx);
    let online = handle.clone();
    let listener = window_event_listener_untyped("online", move |_| online.wake());
    leptos::task::spawn_local(async move {
        let mut failures = 0u32;
        loop {
            let pass = run_pass(view).await;
            let delay = match pass {
                Ok(Pass::Done) => {
                    failures = 0;
                    if view.relay_problem.try_set(None).is_some() {
                        break; // the page is gone
                    }
                    None
                }
                Ok(Pass::Blocked(why)) => {
                    failures += 1;
                    let wait = if why.is_busy() {
                        busy_backoff_ms(failures, why.retry_after())
                    } else {
                        backoff_ms(failures)
                    };
                    if view.relay_problem.try_set(Some(Problem::Relay(why))).is_some() {
                        break;
                    }
                    Some(wait)
                }
                Err(p) => {
                    failures += 1;
                    if view.relay_problem.try_set(Some(p)).is_some() {
                        break;
                    }
                    Some(backoff_ms(failures))
                }
            };
            let woken = match delay {
                Some(ms) => futures::select! {
                    w = rx.next() => w,
                    _ = TimeoutFuture::new(ms).fuse() => Some(()),
                },
                None => rx.next().await,
            };
            if woken.is_none() {
                break; // every handle dropped: signed out
            }
        }
        listener.remove();
    });
    handle
}

/// Shows the outbox as stored.
pub async fn refresh(view: OutboxView) -> Result<(), Problem> {
    let Some(owner) = view.owner() else { return Ok(()) };
    let db = local_db::open().await?;
    let (entries, unreadable) = outbox::all_of(&db, &owner).await?;
    view.rows.try_set(entries.iter().map(OutboxRow::of).collect());
    view.unreadable.try_set(unreadable);
    Ok(())
}

/// Whether an upload failure means "later" rather than "never": the relay is
/// unavailable, or the session lapsed (signing in again lets it through).
fn waits(e: &RelayError) -> bool {
    e.is_transient() || e.code() == Some(ErrorCode::Unauthorized)
}

async fn run_pass(view: OutboxView) -> Result<Pass, Problem> {
    let Some(owner) = view.owner() else { return Ok(Pass::Done) };
    let db = local_db::open().await?;
    let (entries, _) = outbox::all_of(&db, &owner).await?;
    let mut outcome = Pass::Done;
    let todo: Vec<_> = entries.iter().filter(|e| e.state.wants_upload() && e.integrity().is_ok()).collect();
    let total = todo.len();
    view.progress.try_set((0, total));
    for (done, entry) in todo.into_iter().enumerate() {
        let id = entry.envelope.id;
        let sent = if entry.streamed {
            match outbox::blob(&db, &id).await? {
                Some(blob) => relay_client::put_entry_blob(&entry.envelope, &blob).await,
                None => {
                    // The envelope survived, the Blob did not (storage cleared under us):
                    // report it as damaged, keep the row.
                    let refusal = Refusal {
                        code: Some(ErrorCode::Corrupted),
                        message: ErrorCode::Corrupted.message().to_owned(),
                    };
                    outbox::set_state(&db, &id, EntryState::Refused, Some(refusal)).await?;
                    view.progress.try_set((done + 1, total));
                    continue;
                }
            }
        } else {
            relay_client::put_entry(&entry.envelope, &entry.ciphertext).await
        };
        match sent {
            Ok(_) => outbox::set_state(&db, &id, EntryState::Uploaded, None).await?,
            Err(e) if waits(&e) => {
                // "Not now" with a reason (quota, upload rate, disk full) is kept beside
                // the entry; plain unavailability clears an older reason.
                let refusal = e.is_busy().then(|| Refusal { code: e.code(), message: e.message() });
                if entry.state != EntryState::Waiting || entry.refusal != refusal {
                    outbox::set_state(&db, &id, EntryState::Waiting, refusal).await?;
                    show_row(view, &db, &id).await?;
                }
                outcome = Pass::Blocked(e);
                break; // the relay is down, full, or we are signed out: the rest would fail too
            }
            Err(e) => {
                let refusal = Refusal { code: e.code(), message: e.message() };
                outbox::set_state(&db, &id, EntryState::Refused, Some(refusal)).await?;
            }
        }
        view.progress.try_set((done + 1, total));
        show_row(view, &db, &id).await?;
    }
    refresh(view).await?;
    Ok(outcome)
}

/// Shows one entry's new state without re-reading the whole outbox: a full refresh
/// after every upload made a pass over n entries read and hash-check n² entries (1 000
/// queued entries went up at 2.5 a second; `cargo xtask bench`). A row the view does
/// not list yet waits for the refresh at the end of the pass.
async fn show_row(
    view: OutboxView,
    db: &indexed_db_futures::database::Database,
    id: &shared::EntryId,
) -> Result<(), Problem> {
    if let Some(entry) = outbox::get(db, id).await? {
        let row = OutboxRow::of(&entry);
        view.rows.try_update(|rows| {
            if let Some(shown) = rows.iter_mut().find(|r| r.id == *id) {
                *shown = row;
            }
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relay_that_says_not_now_is_asked_again_later_and_never_sooner_than_it_said() {
        let waits: Vec<u32> = (1..=8).map(|n| busy_backoff_ms(n, None)).collect();
        assert_eq!(waits, [30_000, 60_000, 120_000, 240_000, 480_000, 600_000, 600_000, 600_000]);
        assert_eq!(busy_backoff_ms(1, Some(900)), 900_000, "Retry-After when it is longer");
        assert_eq!(busy_backoff_ms(3, Some(5)), 120_000, "the backoff when it is longer");
    }

    #[test]
    fn backoff_doubles_then_levels_off() {
        let waits: Vec<u32> = (1..=7).map(backoff_ms).collect();
        assert_eq!(waits, [1000, 2000, 4000, 8000, 15000, 15000, 15000]);
    }
}
