//! Entry metadata: the `entries` table (one row per stored ciphertext) and the `cases`
//! table (which caseworker owns a case).
//!
//! Recording an entry is a group commit: concurrent uploads queue and whoever holds the
//! write lock next records the whole queue in one transaction, with one audit event per
//! new entry ([`Store::insert_entry`]). The blob is durable before its row is written.

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

/// Where a queued entry's caller waits for its result.
pub(super) type Answer = tokio::sync::oneshot::Sender<Result<bool>>;

impl Store {
    /// Records an entry whose blob is already durable, with its audit event. Returns
    /// false if the id was already recorded (a retry, or a race between two uploads of
    /// the same bytes).
    ///
    /// Group commit: concurrent callers queue their entry; whoever holds the write
    /// lock next records every queued entry in one transaction (one WAL fsync for the
    /// lot), and each caller returns once the transaction holding its entry committed.
    /// The batch runs in its own task, so a caller that goes away (a client hanging up)
    /// never cuts a batch that others wait on.
    pub async fn insert_entry(&self, meta: &EntryMeta) -> Result<bool> {
        let (answer, answered) = tokio::sync::oneshot::channel();
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
        let metas: Vec<&EntryMeta> = batch.iter().map(|(m, _)| m).collect();
        match self.insert_entries(&metas).await {
            Ok(created) => {
                for ((_, answer), created) in batch.into_iter().zip(created) {
                    let _ = answer.send(Ok(created));
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
                    answer_entry(answer, self.insert_entries(&[&meta]).await.map(|c| c[0]));
                }
            }
        }
    }

    /// Records entries and their audit events in one transaction, with a few
    /// statements for the whole batch (each statement costs thread hand-offs in the
    /// driver, which dominate on a busy machine): one multi-row `INSERT … RETURNING`
    /// for the entries, one read of the chain's head, one multi-row insert of events.
    async fn insert_entries(&self, metas: &[&EntryMeta]) -> Result<Vec<bool>> {
        let mut tx = self.begin_write().await?;
        let mut inserted = std::collections::HashSet::new();
        for chunk in metas.chunks(ROWS_PER_STATEMENT) {
            let rows = placeholders(chunk.len(), 6);
            let sql = format!(
                "INSERT INTO entries (id, case_id, size, received_at, author, keyring_version) VALUES {rows} \
                 ON CONFLICT(id) DO NOTHING RETURNING id"
            );
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
            for row in q.fetch_all(&mut *tx).await? {
                inserted.insert(row.try_get::<String, _>("id")?);
            }
        }
        // The first of several same-id entries in a batch is the one that was stored.
        let created: Vec<bool> = metas.iter().map(|m| inserted.remove(&m.id.to_string())).collect();
        let events: Vec<(String, &EntryMeta)> =
            metas.iter().zip(&created).filter(|(_, c)| **c).map(|(m, _)| (m.id.to_string(), *m)).collect();
        let events: Vec<NewEvent<'_>> = events
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
        Ok(created)
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

    /// Claims `case` for `owner` if nobody owns it yet, atomically; answers its owner.
    pub async fn claim_case(&self, case: &str, owner: &str) -> Result<String> {
        // Most uploads go to a case that is already owned: one read, no write lock.
        let owner_of = |r: sqlx::any::AnyRow| r.try_get::<String, _>("owner");
        let known =
            sqlx::query("SELECT owner FROM cases WHERE case_id = $1").bind(case).fetch_optional(self.pool()).await?;
        if let Some(row) = known {
            return Ok(owner_of(row)?);
        }
        sqlx::query("INSERT INTO cases (case_id, owner) VALUES ($1, $2) ON CONFLICT (case_id) DO NOTHING")
            .bind(case)
            .bind(owner)
            .execute(self.pool())
            .await?;
        let row = sqlx::query("SELECT owner FROM cases WHERE case_id = $1").bind(case).fetch_one(self.pool()).await?;
        Ok(owner_of(row)?)
    }
}

/// Answers an entry's caller; a failure nobody waits for any more (its upload was
/// dropped) is logged here, since no handler will log it.
fn answer_entry(answer: Answer, result: Result<bool>) {
    if let Err(Err(e)) = answer.send(result) {
        tracing::error!(error = %e, write = "recording an entry", "a write whose request was dropped failed");
    }
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
