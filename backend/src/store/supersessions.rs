//! Which entry supersedes which, and removing the superseded ones (keyring rotation).
//!
//! The relay cannot read an entry, so it cannot tell that one is a re-sealed copy of
//! another: the uploader says so with the header `Amanat-Supersedes: <id>` (an entry
//! already stored in the same case), and the relay records that claim here, audited
//! (`entry_superseded`). An administrator then removes the replaced entries with
//! `amanat entries remove --superseded`: only those whose replacement is still stored,
//! each removal audited (`entry_removed`) before its ciphertext file is deleted and the
//! directory fsync'd.
//!
//! Order on removal: the row and its audit event commit first, then the file goes. A
//! crash in between leaves a file with no row, which `amanat verify` reports as a
//! warning (a stray file), never a row pointing at nothing (a failure).

use shared::api::Role;
use shared::EntryId;
use sqlx::Row;

use super::entries::{entry_from_row, SELECT_ENTRY};
use super::{append_audit_events, EntryRow, Result, Store, StoreError};
use crate::audit::{AuditAction, NewEvent};

/// A recorded claim that a stored entry supersedes another stored entry, with what
/// `amanat entries remove --superseded` needs to judge it ([`Superseded::why_kept`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Superseded {
    /// The replaced entry (still stored).
    pub entry: EntryRow,
    /// The entry that replaces it (stored).
    pub by: EntryId,
    /// The replacing entry's row.
    pub replacement: EntryRow,
    /// The account that recorded the claim (the replacement's uploader).
    pub actor: String,
    /// That account's role now, `None` if there is no such account any more.
    pub actor_role: Option<Role>,
}

impl Superseded {
    /// Why this claim is no proof that the replaced entry may go, or `None` when it is:
    /// the replacement was uploaded by a key holder's account (an adviser: the role that
    /// re-seals, see [`crate::access`]), declares a keyring version, and that version is
    /// newer than the replaced entry's (an entry that declared none predates declared
    /// versions and counts as older). Anything a caseworker, a script or the relay's own
    /// operator says an upload supersedes is therefore never enough.
    pub fn why_kept(&self) -> Option<String> {
        let by = &self.by;
        if self.replacement.meta.author != self.actor {
            return Some(format!(
                "the claim that {by} replaces it was recorded by {}, not by its uploader {}",
                self.actor, self.replacement.meta.author
            ));
        }
        match self.actor_role {
            Some(Role::Adviser) => {}
            Some(role) => {
                return Some(format!(
                    "its replacement {by} was uploaded by {} ({}), not by a key holder's (adviser's) account",
                    self.actor,
                    role.code()
                ))
            }
            None => {
                return Some(format!(
                    "its replacement {by} was uploaded by {}, which is no account of this relay",
                    self.actor
                ))
            }
        }
        let Some(new) = self.replacement.meta.keyring_version else {
            return Some(format!("its replacement {by} declares no keyring version"));
        };
        match self.entry.meta.keyring_version {
            Some(old) if new <= old => Some(format!(
                "its replacement {by} declares keyring version {new}, not newer than its own version {old}"
            )),
            _ => None,
        }
    }
}

impl Store {
    /// Records that `new` supersedes `old`, with an `entry_superseded` audit event
    /// (subject: the replaced entry). Returns false if it was already recorded (an
    /// upload retried): nothing is written twice.
    pub async fn record_supersession(&self, new: &EntryId, old: &EntryId, actor: &str) -> Result<bool> {
        let _guard = self.writes.lock.lock().await;
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO supersessions (entry_id, supersedes, actor) VALUES ($1, $2, $3) \
             ON CONFLICT (entry_id, supersedes) DO NOTHING RETURNING entry_id",
        )
        .bind(new.to_string())
        .bind(old.to_string())
        .bind(actor.to_owned())
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
        if inserted {
            let subject = old.to_string();
            let event = NewEvent { actor, action: AuditAction::EntrySuperseded, subject: &subject, size: None };
            append_audit_events(&mut tx, &[event]).await?;
        }
        tx.commit().await?;
        Ok(inserted)
    }

    /// Every recorded claim that a stored entry supersedes another stored entry, in the
    /// replaced entries' upload order (an entry claimed twice is listed twice, once for
    /// each replacement, in upload order of the replacements).
    pub async fn superseded(&self) -> Result<Vec<Superseded>> {
        let rows = sqlx::query(
            "SELECT s.supersedes AS old, s.entry_id AS new, s.actor AS actor, u.role AS role FROM supersessions s \
             LEFT JOIN users u ON u.name = s.actor \
             WHERE s.entry_id <> s.supersedes AND EXISTS (SELECT 1 FROM entries e WHERE e.id = s.entry_id) \
             AND EXISTS (SELECT 1 FROM entries e WHERE e.id = s.supersedes) ORDER BY s.supersedes, s.entry_id",
        )
        .fetch_all(self.pool())
        .await?;
        let mut out: Vec<Superseded> = Vec::new();
        for r in rows {
            let old: String = r.try_get("old")?;
            let new: String = r.try_get("new")?;
            let role: Option<String> = r.try_get("role")?;
            let parse = |s: &str| s.parse::<EntryId>().map_err(|_| StoreError::Malformed(format!("entry id {s:?}")));
            let (old, new) = (parse(&old)?, parse(&new)?);
            let actor_role = role
                .map(|c| c.parse::<Role>().map_err(|_| StoreError::Malformed(format!("role {c:?}"))))
                .transpose()?;
            let (Some(entry), Some(replacement)) = (self.entry(&old).await?, self.entry(&new).await?) else {
                continue;
            };
            out.push(Superseded { entry, by: new, replacement, actor: r.try_get("actor")?, actor_role });
        }
        out.sort_by_key(|s| (s.entry.seq, s.replacement.seq));
        Ok(out)
    }

    /// The entries `id` supersedes, as recorded.
    pub async fn supersedes(&self, id: &EntryId) -> Result<Vec<EntryId>> {
        let rows = sqlx::query("SELECT supersedes FROM supersessions WHERE entry_id = $1 ORDER BY supersedes")
            .bind(id.to_string())
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                let s: String = r.try_get("supersedes")?;
                s.parse().map_err(|_| StoreError::Malformed(format!("entry id {s:?}")))
            })
            .collect()
    }

    /// Removes a stored entry: its row and an `entry_removed` audit event (subject the
    /// id, size its size) in one transaction, then its ciphertext file, with the
    /// directory fsync'd. Returns the removed row, or `None` if there was no such entry.
    pub async fn remove_entry(&self, id: &EntryId, actor: &str) -> Result<Option<EntryRow>> {
        let row = {
            let _guard = self.writes.lock.lock().await;
            let mut tx = self.begin_write().await?;
            let row = sqlx::query(&format!("{SELECT_ENTRY} WHERE id = $1"))
                .bind(id.to_string())
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| entry_from_row(&r))
                .transpose()?;
            let Some(row) = row else {
                return Ok(None);
            };
            sqlx::query("DELETE FROM entries WHERE id = $1").bind(id.to_string()).execute(&mut *tx).await?;
            let subject = id.to_string();
            let event =
                NewEvent { actor, action: AuditAction::EntryRemoved, subject: &subject, size: Some(row.meta.size) };
            append_audit_events(&mut tx, &[event]).await?;
            tx.commit().await?;
            row
        };
        let path = self.blobs().path(id);
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
                Err(e) => return Err(e),
            }
            // The removal is durable only once the directory entry is.
            if let Some(dir) = path.parent() {
                std::fs::File::open(dir)?.sync_all()?;
            }
            Ok(())
        })
        .await
        .map_err(|e| StoreError::Io(std::io::Error::other(e)))??;
        Ok(Some(row))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::CaseId;

    use super::super::tests::{stored, stored_at};

    #[tokio::test]
    async fn a_superseded_entry_is_listed_until_removed_and_its_removal_is_audited_and_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        store.add_user("cw", shared::api::Role::Caseworker).await.unwrap();
        store.add_user("adviser", shared::api::Role::Adviser).await.unwrap();
        let case = CaseId::random();
        let old = stored(&store, case, "cw", b"intake").await;
        let kept = stored(&store, case, "cw", b"follow-up").await;
        let new = stored(&store, case, "adviser", b"intake, re-sealed").await;
        assert!(store.superseded().await.unwrap().is_empty());

        assert!(store.record_supersession(&new, &old, "adviser").await.unwrap());
        assert!(!store.record_supersession(&new, &old, "adviser").await.unwrap(), "a retry records nothing twice");
        let listed = store.superseded().await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].entry.meta.id, listed[0].by, listed[0].actor.as_str()), (old, new, "adviser"));
        assert_eq!(store.supersedes(&new).await.unwrap(), vec![old]);

        let audit_before = store.audit_events(0, usize::MAX).await.unwrap().len();
        let removed = store.remove_entry(&old, crate::audit::CLI_ACTOR).await.unwrap().unwrap();
        assert_eq!(removed.meta.id, old);
        assert!(store.entry(&old).await.unwrap().is_none());
        assert!(!store.blobs().path(&old).exists(), "the ciphertext file is gone");
        assert!(store.entry(&kept).await.unwrap().is_some() && store.entry(&new).await.unwrap().is_some());
        let events = store.audit_events(0, usize::MAX).await.unwrap();
        assert_eq!(events.len(), audit_before + 1);
        let last = &events.last().unwrap().0;
        assert_eq!((last.action.as_str(), last.subject.as_str()), ("entry_removed", old.to_string().as_str()));
        assert!(store.superseded().await.unwrap().is_empty(), "nothing left to remove");
        assert!(store.remove_entry(&old, crate::audit::CLI_ACTOR).await.unwrap().is_none());

        let report = crate::verify::verify(&store).await.unwrap();
        assert!(report.ok() && report.warnings.is_empty(), "{}", report.render());
        assert_eq!(report.entries, 2);
        store.close().await;
    }

    #[tokio::test]
    async fn a_replacement_that_was_itself_removed_keeps_the_original() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        store.add_user("cw", shared::api::Role::Caseworker).await.unwrap();
        let case = CaseId::random();
        let old = stored(&store, case, "cw", b"intake").await;
        let new = stored(&store, case, "cw", b"copy").await;
        store.record_supersession(&new, &old, "cw").await.unwrap();
        store.remove_entry(&new, crate::audit::CLI_ACTOR).await.unwrap().unwrap();
        assert!(store.superseded().await.unwrap().is_empty(), "the original is the only copy now");
        store.close().await;
    }

    #[tokio::test]
    async fn entries_that_supersede_themselves_or_each_other_are_never_all_removed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        store.add_user("adviser", shared::api::Role::Adviser).await.unwrap();
        let case = CaseId::random();
        let alone = stored_at(&store, case, "adviser", b"intake", Some(1)).await;
        store.record_supersession(&alone, &alone, "adviser").await.unwrap();
        assert!(store.superseded().await.unwrap().is_empty(), "an entry is not its own replacement");

        let a = stored_at(&store, case, "adviser", b"a", Some(1)).await;
        let b = stored_at(&store, case, "adviser", b"b", Some(2)).await;
        store.record_supersession(&b, &a, "adviser").await.unwrap();
        store.record_supersession(&a, &b, "adviser").await.unwrap();
        let (report, ok) = crate::cli::entries::remove(&store, &[], false).await.unwrap();
        assert!(!ok, "the claim against the newer one is kept: {report}");
        let left = [a, b].iter().filter(|id| still_stored(&store, id)).count();
        assert_eq!(left, 1, "one of a cycle stays: {report}");
        assert!(still_stored(&store, &b), "the newer version stays: {report}");
        assert!(store.entry(&alone).await.unwrap().is_some());
        store.close().await;
    }

    fn still_stored(store: &Store, id: &EntryId) -> bool {
        store.blobs().path(id).exists()
    }
}
