//! Entry metadata: the `entries` table (one row per stored ciphertext) and the `cases`
//! table (which caseworker owns a case).
//!
//! Recording an entry is a group commit: concurrent uploads queue and whoever holds the
//! write lock next records the whole queue in one transaction, with one audit event per
//! new entry ([`Store::insert_entry`]). The blob is durable before its row is written.
//! A caseworker's case is claimed in that same transaction, and only with an entry
//! recorded into it ([`Store::record_entry`]): an upload refused on the way claims
//! nothing, and of two first uploads racing into a new case exactly one is recorded.

use std::collections::{HashMap, HashSet};

use shared::api::EntryMeta;
use shared::{CaseId, EntryId};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{append_audit_events, placeholders, Result, Store, StoreError, ROWS_PER_STATEMENT};
use crate::audit::{AuditAction, NewEvent};

/// A stored entry's metadata, with its position in the listing order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryRow {
    pub seq: i64,
    pub meta: EntryMeta,
}

/// Which entries a listing returns.
#[derive(Clone, Debug, Default)]
pub struct EntryFilter {
    pub case: Option<CaseId>,
    /// Only entries uploaded by this account (caseworkers see only their own).
    pub author: Option<String>,
    /// Only entries after this position.
    pub after_seq: i64,
    pub limit: usize,
}

/// What recording an entry did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// A new row (and, if it claims its case, the case is its author's).
    Created,
    /// The id was already recorded (a retry, or a race between two uploads of the same
    /// bytes): nothing was written.
    AlreadyThere,
    /// It claims its case, which another account owns: nothing was written.
    CaseOwnedByAnother,
}

/// A queued entry's caller: whether the entry claims its case (a caseworker's upload),
/// and where it waits for its result.
#[derive(Debug)]
pub(super) struct Answer {
    claims_case: bool,
    to: tokio::sync::oneshot::Sender<Result<Recorded>>,
}

impl Store {
    /// The bytes of every entry `name` stored (its usage against the quota).
    pub async fn bytes_stored_by(&self, name: &str) -> Result<u64> {
        let row = sqlx::query("SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS used FROM entries WHERE author = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(row.try_get::<i64, _>("used")?).unwrap_or(0))
    }

    /// Records an entry whose blob is already durable, with its audit event. Returns
    /// false if the id was already recorded (a retry, or a race between two uploads of
    /// the same bytes).
    ///
    /// Group commit: concurrent callers queue their entry; whoever holds the write
    /// lock next records every queued entry in one transaction (one WAL fsync for the
    /// lot), and each caller returns once the transaction holding its entry committed.
    /// The batch runs in its own task, so a caller that goes away (a client hanging up)
    /// never cuts a batch that others wait on.
    ///
    /// It claims no case: uploads use [`Store::record_entry`]; this is for tools and
    /// tests that place entries directly.
    pub async fn insert_entry(&self, meta: &EntryMeta) -> Result<bool> {
        Ok(self.record_entry(meta, false).await? == Recorded::Created)
    }

    /// Records an entry whose blob is already durable, with its audit event, as
    /// [`Store::insert_entry`] does; if `claims_case`, in the same transaction its case
    /// becomes its author's when nobody owns it yet, and the entry is not recorded
    /// ([`Recorded::CaseOwnedByAnother`]) when another account owns it.
    pub async fn record_entry(&self, meta: &EntryMeta, claims_case: bool) -> Result<Recorded> {
        let (to, answered) = tokio::sync::oneshot::channel();
        let answer = Answer { claims_case, to };
        self.writes.queue.lock().expect("the queue lock is never poisoned").push((meta.clone(), answer));
        let guard = self.writes.lock.clone().lock_owned().await;
        let batch = std::mem::take(&mut *self.writes.queue.lock().expect("the queue lock is never poisoned"));
        let store = self.clone();
        let running = self.running();
        let _ = tokio::spawn(async move {
            let (_guard, _running) = (guard, running);
            if !batch.is_empty() {
                store.record_batch(batch).await;
            }
        })
        .await;
        answered.await.map_err(|_| StoreError::Malformed("the transaction recording the entry was abandoned".into()))?
    }

    async fn record_batch(&self, batch: Vec<(EntryMeta, Answer)>) {
        let metas: Vec<(&EntryMeta, bool)> = batch.iter().map(|(m, a)| (m, a.claims_case)).collect();
        match self.insert_entries(&metas).await {
            Ok(recorded) => {
                for ((_, answer), recorded) in batch.into_iter().zip(recorded) {
                    let _ = answer.to.send(Ok(recorded));
                }
            }
            Err(e) if batch.len() == 1 => {
                if let Some((_, answer)) = batch.into_iter().next() {
                    answer_entry(answer, Err(e));
                }
            }
            // One bad entry must not fail the others: record them one by one.
            Err(_) => {
                for (meta, answer) in batch {
                    let one = self.insert_entries(&[(&meta, answer.claims_case)]).await.map(|c| c[0]);
                    answer_entry(answer, one);
                }
            }
        }
    }

    /// Records entries (each with whether it claims its case) and their audit events in
    /// one transaction, with a few statements for the whole batch (each statement costs
    /// thread hand-offs in the driver, which dominate on a busy machine): a read of the
    /// ids already recorded and of the owners of the cases claimed, then multi-row
    /// inserts of the new cases, the new entries and their events.
    ///
    /// What is written is decided from those reads, which the write lock keeps true
    /// until the commit (every writer of `entries` and `cases` is here, under it). In
    /// batch order: an entry claiming a case another owns is refused, an id already
    /// recorded (or earlier in the batch) is not written again, and a new entry claiming
    /// a case nobody owns claims it for its author, so a later one in the batch by
    /// another author is refused.
    async fn insert_entries(&self, metas: &[(&EntryMeta, bool)]) -> Result<Vec<Recorded>> {
        let mut tx = self.begin_write().await?;
        let ids: Vec<String> = metas.iter().map(|(m, _)| m.id.to_string()).collect();
        let mut known: HashSet<String> =
            select_in(&mut tx, "SELECT id AS k, id AS v FROM entries", "id", &ids).await?.into_keys().collect();
        let claimed: Vec<String> = metas.iter().filter(|(_, c)| *c).map(|(m, _)| m.case.to_string()).collect();
        let mut owners = select_in(&mut tx, "SELECT case_id AS k, owner AS v FROM cases", "case_id", &claimed).await?;
        let mut new_cases: Vec<(String, &str)> = Vec::new();
        let mut recorded = Vec::with_capacity(metas.len());
        for ((meta, claims), id) in metas.iter().zip(&ids) {
            let case = meta.case.to_string();
            let owner = claims.then(|| owners.get(&case)).flatten();
            recorded.push(if owner.is_some_and(|o| *o != meta.author) {
                Recorded::CaseOwnedByAnother
            } else if !known.insert(id.clone()) {
                Recorded::AlreadyThere
            } else {
                if *claims && owner.is_none() {
                    owners.insert(case.clone(), meta.author.clone());
                    new_cases.push((case, &meta.author));
                }
                Recorded::Created
            });
        }
        for chunk in new_cases.chunks(ROWS_PER_STATEMENT) {
            let sql = format!("INSERT INTO cases (case_id, owner) VALUES {}", placeholders(chunk.len(), 2));
            let mut q = sqlx::query(&sql);
            for (case, owner) in chunk {
                q = q.bind(case.clone()).bind(owner.to_string());
            }
            q.execute(&mut *tx).await?;
        }
        let new: Vec<&EntryMeta> =
            metas.iter().zip(&recorded).filter(|(_, r)| **r == Recorded::Created).map(|((m, _), _)| *m).collect();
        for chunk in new.chunks(ROWS_PER_STATEMENT) {
            let rows = placeholders(chunk.len(), 6);
            let sql =
                format!("INSERT INTO entries (id, case_id, size, received_at, author, keyring_version) VALUES {rows}");
            let mut q = sqlx::query(&sql);
            for meta in chunk {
                q = q
                    .bind(meta.id.to_string())
                    .bind(meta.case.to_string())
                    .bind(meta.size as i64)
                    .bind(meta.received_at.clone())
                    .bind(meta.author.clone())
                    .bind(meta.keyring_version.map(|v| v as i64));
            }
            q.execute(&mut *tx).await?;
        }
        let subjects: Vec<(String, &EntryMeta)> = new.iter().map(|m| (m.id.to_string(), *m)).collect();
        let events: Vec<NewEvent<'_>> = subjects
            .iter()
            .map(|(id, m)| NewEvent {
                actor: &m.author,
                action: AuditAction::EntryStored,
                subject: id,
                size: Some(m.size),
            })
            .collect();
        append_audit_events(&mut tx, &events).await?;
        tx.commit().await?;
        Ok(recorded)
    }

    pub async fn entry(&self, id: &EntryId) -> Result<Option<EntryRow>> {
        let row = sqlx::query(&format!("{SELECT_ENTRY} WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| entry_from_row(&r)).transpose()
    }

    /// Entries in upload order, filtered.
    pub async fn entries(&self, filter: &EntryFilter) -> Result<Vec<EntryRow>> {
        let rows = sqlx::query(&format!(
            "{SELECT_ENTRY} WHERE seq > $1 AND (CAST($2 AS TEXT) IS NULL OR case_id = $2) \
             AND (CAST($3 AS TEXT) IS NULL OR author = $3) ORDER BY seq LIMIT $4"
        ))
        .bind(filter.after_seq)
        .bind(filter.case.map(|c| c.to_string()))
        .bind(filter.author.as_deref())
        .bind(filter.limit.min(i64::MAX as usize) as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry_from_row).collect()
    }

    /// Every entry, for `amanat verify` and `amanat export`.
    pub async fn all_entries(&self) -> Result<Vec<EntryRow>> {
        let rows = sqlx::query(&format!("{SELECT_ENTRY} ORDER BY seq")).fetch_all(&self.pool).await?;
        rows.iter().map(entry_from_row).collect()
    }

    /// Who owns `case`, if anyone does yet (uploads ask this before reading a body; the
    /// claim itself is made with the entry, by [`Store::record_entry`]).
    pub async fn case_owner(&self, case: &CaseId) -> Result<Option<String>> {
        let row = sqlx::query("SELECT owner FROM cases WHERE case_id = $1")
            .bind(case.to_string())
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get::<String, _>("owner")).transpose()?)
    }

    /// Claims `case` for `owner` if nobody owns it yet, atomically; answers its owner.
    /// Not for uploads (they claim with their entry, see [`Store::record_entry`]): for
    /// tools and tests.
    pub async fn claim_case(&self, case: &str, owner: &str) -> Result<String> {
        sqlx::query("INSERT INTO cases (case_id, owner) VALUES ($1, $2) ON CONFLICT (case_id) DO NOTHING")
            .bind(case)
            .bind(owner)
            .execute(self.pool())
            .await?;
        let row = sqlx::query("SELECT owner FROM cases WHERE case_id = $1").bind(case).fetch_one(self.pool()).await?;
        Ok(row.try_get::<String, _>("owner")?)
    }
}

/// Answers an entry's caller; a failure nobody waits for any more (its upload was
/// dropped) is logged here, since no handler will log it.
fn answer_entry(answer: Answer, result: Result<Recorded>) {
    if let Err(Err(e)) = answer.to.send(result) {
        tracing::error!(error = %e, write = "recording an entry", "a write whose request was dropped failed");
    }
}

/// `select … WHERE column IN (values)`, in chunks, as a map from its `k` to its `v`.
async fn select_in(
    tx: &mut super::Tx,
    select: &str,
    column: &str,
    values: &[String],
) -> Result<HashMap<String, String>> {
    let mut found = HashMap::new();
    for chunk in values.chunks(ROWS_PER_STATEMENT) {
        let list = (1..=chunk.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        let sql = format!("{select} WHERE {column} IN ({list})");
        let mut q = sqlx::query(&sql);
        for v in chunk {
            q = q.bind(v.clone());
        }
        for row in q.fetch_all(&mut **tx).await? {
            found.insert(row.try_get::<String, _>("k")?, row.try_get::<String, _>("v")?);
        }
    }
    Ok(found)
}

pub(super) const SELECT_ENTRY: &str =
    "SELECT seq, id, case_id, size, received_at, author, keyring_version FROM entries";

pub(super) fn entry_from_row(r: &AnyRow) -> Result<EntryRow> {
    let id: String = r.try_get("id")?;
    let case: String = r.try_get("case_id")?;
    let size: i64 = r.try_get("size")?;
    let keyring_version: Option<i64> = r.try_get("keyring_version")?;
    Ok(EntryRow {
        seq: r.try_get("seq")?,
        meta: EntryMeta {
            id: id.parse().map_err(|_| StoreError::Malformed(format!("entry id {id:?}")))?,
            case: case.parse().map_err(|_| StoreError::Malformed(format!("case id {case:?}")))?,
            size: size as u64,
            received_at: r.try_get("received_at")?,
            author: r.try_get("author")?,
            keyring_version: keyring_version.map(|v| v as u64),
        },
    })
}
