//! `amanat verify`: reads every stored entry back and checks it, for the privacy
//! officer and for backups.
//!
//! Each recorded entry must have its blob, of the recorded size, whose SHA-256 is its
//! id and which is a well-formed age v1 file sealed to X25519 recipients only. Blob
//! files with no record (an interrupted upload, a stray copy) are warnings: they are
//! not served, but someone should look. The audit log's hash chain must verify; the
//! report prints the chain's latest hash, so a copy kept elsewhere shows whether
//! events were later cut from the end (`amanat audit head` prints it alone). Every
//! entry the chain says was stored (`entry_stored`) must still have its row unless the
//! chain also says it was removed (`entry_removed`): a row and blob deleted behind the
//! relay's back fail by id.
//!
//! The organisation's settings (`DATA/settings.json`), when installed, must verify
//! against the keyring's organisation key and keep the rules: settings altered on the
//! relay fail by name (`settings.json`), as the app would refuse them.
//!
//! Entries and audit events are read a page at a time ([`PAGE`]); the chain check
//! carries the previous hash from page to page, so memory does not grow with the log.

use std::fmt::Write as _;

use shared::seal::Ciphertext;
use shared::EntryId;

use crate::audit;
use crate::blobs::TEMP_PREFIX;
use crate::store::{EntryFilter, Store, StoreError};

/// One entry that failed, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub id: String,
    pub reason: String,
}

/// What `amanat verify` found.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub entries: usize,
    pub passed: usize,
    pub failures: Vec<Failure>,
    pub warnings: Vec<String>,
    pub audit_events: usize,
    /// The latest audit hash (hex), if there are events.
    pub audit_head: Option<String>,
    /// What the installed organisation settings are, when they verify.
    pub settings: Option<String>,
}

impl Report {
    /// True only when every entry passed.
    pub fn ok(&self) -> bool {
        self.failures.is_empty() && self.passed == self.entries
    }

    pub fn render(&self) -> String {
        let mut s = String::new();
        for f in &self.failures {
            let _ = writeln!(s, "FAIL {}: {}", f.id, f.reason);
        }
        for w in &self.warnings {
            let _ = writeln!(s, "warning: {w}");
        }
        let _ = writeln!(
            s,
            "{} entries checked: {} passed, {} failed, {} warnings.",
            self.entries,
            self.passed,
            self.failures.len(),
            self.warnings.len()
        );
        match &self.audit_head {
            Some(head) => {
                let _ = writeln!(s, "Audit log: {} events, latest hash {head}.", self.audit_events);
            }
            None => s.push_str("Audit log: no events.\n"),
        }
        if let Some(settings) = &self.settings {
            let _ = writeln!(s, "Organisation settings: {settings}.");
        }
        s.push_str(if self.ok() { "Store verified.\n" } else { "Store NOT verified.\n" });
        s
    }
}

/// Why one entry's blob fails, if it does.
pub fn check_blob(id: &EntryId, recorded_size: u64, bytes: Option<&[u8]>) -> Option<String> {
    let Some(bytes) = bytes else {
        return Some("the ciphertext file is missing".into());
    };
    if bytes.len() as u64 != recorded_size {
        return Some(format!("size is {} bytes, {} were recorded", bytes.len(), recorded_size));
    }
    if EntryId::of(bytes) != *id {
        return Some("the SHA-256 of the stored bytes is not the entry id (the file was altered or damaged)".into());
    }
    match Ciphertext::check(bytes.to_vec(), 1) {
        Ok(_) => None,
        Err(code) => Some(format!("{} ({})", code.message(), code.code())),
    }
}

/// Why the stored blob of an entry fails, if it does, read in pieces so a gigabyte
/// attachment is checked in constant memory (same checks as [`check_blob`]).
pub fn check_stored(blobs: &crate::blobs::Blobs, id: &EntryId, recorded_size: u64) -> std::io::Result<Option<String>> {
    use sha2::Digest as _;
    use std::io::Read as _;
    let Some((mut file, len)) = blobs.open(id)? else {
        return Ok(check_blob(id, recorded_size, None));
    };
    if len != recorded_size {
        return Ok(Some(format!("size is {len} bytes, {recorded_size} were recorded")));
    }
    let window = shared::ingest::HEADER_WINDOW;
    let (mut hasher, mut head, mut buf) = (sha2::Sha256::new(), Vec::with_capacity(window), vec![0u8; 64 * 1024]);
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        let take = n.min(window - head.len());
        head.extend_from_slice(&buf[..take]);
    }
    if EntryId::from_digest(hasher.finalize().into()) != *id {
        return Ok(Some(
            "the SHA-256 of the stored bytes is not the entry id (the file was altered or damaged)".into(),
        ));
    }
    Ok(match shared::ingest::check_age(&head, 1) {
        Ok(_) => None,
        Err(code) => Some(format!("{} ({})", code.message(), code.code())),
    })
}

/// Entries or audit events read from the store at once.
pub const PAGE: usize = 1000;

/// Checks the whole store.
pub async fn verify(store: &Store) -> Result<Report, StoreError> {
    Ok(verify_each(store, |_, _, _| ()).await?.0)
}

/// Checks the installed organisation settings, if any, against the keyring's signer.
fn check_settings(data_dir: &std::path::Path, report: &mut Report) {
    use crate::settings_file;
    let fail = |reason: String| Failure { id: settings_file::SETTINGS_FILE.to_owned(), reason };
    let settings = match settings_file::load(data_dir) {
        Ok(Some(s)) => s,
        Ok(None) => return,
        Err(e) => return report.failures.push(fail(e.to_string())),
    };
    match settings_file::relay_org_key(data_dir) {
        Ok(key) => match settings.verify(&key) {
            Ok(v) => report.settings = Some(format!("version {}, signature verifies", v.version())),
            Err(e) => report.failures.push(fail(format!("the app refuses them: {}", e.message()))),
        },
        Err(e) => report.warnings.push(format!("the organisation settings were not checked: {e}")),
    }
}

/// Checks the whole store and calls `per_entry` on each recorded entry (in upload
/// order, with its failure if any), in the same pass.
pub async fn verify_each<T, F>(store: &Store, per_entry: F) -> Result<(Report, Vec<T>), StoreError>
where
    T: Send + 'static,
    F: Fn(&crate::blobs::Blobs, &EntryId, Option<&str>) -> T + Send + Sync + 'static,
{
    let (mut report, details, known) = verify_entries(store, per_entry).await?;
    check_settings(store.data_dir(), &mut report);
    // Entries the chain says are stored (not removed since), with the seq that says so.
    let mut stored: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let (stored_code, removed_code) = (audit::AuditAction::EntryStored.code(), audit::AuditAction::EntryRemoved.code());
    let mut chain = audit::ChainCheck::new();
    let mut after = 0u64;
    loop {
        let events = store.audit_events(after, PAGE).await?;
        let Some((last, _)) = events.last() else { break };
        after = last.seq;
        report.audit_events += events.len();
        report.audit_head = Some(last.hash.clone());
        for (e, _) in &events {
            if e.action == stored_code {
                stored.insert(e.subject.clone(), e.seq);
            } else if e.action == removed_code {
                stored.remove(&e.subject);
            }
        }
        if report.failures.iter().all(|f| !f.id.starts_with("audit event")) {
            if let Err((seq, reason)) = chain.check(&events) {
                report.failures.push(Failure {
                    id: format!("audit event {seq}"),
                    reason: format!("the audit chain breaks: {reason}"),
                });
            }
        }
        if events.len() < PAGE {
            break;
        }
    }
    let mut vanished: Vec<(u64, String)> =
        stored.into_iter().filter(|(id, _)| !known.contains(id)).map(|(id, seq)| (seq, id)).collect();
    vanished.sort();
    for (seq, id) in vanished {
        report.failures.push(Failure {
            id,
            reason: format!(
                "the audit log records it stored (event {seq}) and never removed, but it has no row: it was deleted \
                 behind the relay's back; restore it from a backup and report it"
            ),
        });
    }
    Ok((report, details))
}

/// The entries' part of the report, their details, and the ids of the recorded entries.
async fn verify_entries<T, F>(
    store: &Store,
    per_entry: F,
) -> Result<(Report, Vec<T>, std::collections::HashSet<String>), StoreError>
where
    T: Send + 'static,
    F: Fn(&crate::blobs::Blobs, &EntryId, Option<&str>) -> T + Send + Sync + 'static,
{
    let blobs = store.blobs().clone();
    let per_entry = std::sync::Arc::new(per_entry);
    let mut report = Report::default();
    let mut details = Vec::new();
    let mut known = std::collections::HashSet::new();
    let mut after_seq = 0;
    loop {
        let page = store.entries(&EntryFilter { case: None, author: None, after_seq, limit: PAGE }).await?;
        let Some(last) = page.last() else { break };
        after_seq = last.seq;
        let full = page.len() == PAGE;
        let (b, f) = (blobs.clone(), per_entry.clone());
        let checked = tokio::task::spawn_blocking(move || {
            page.iter()
                .map(|row| {
                    let id = row.meta.id;
                    let failure = check_stored(&b, &id, row.meta.size)?;
                    let detail = f(&b, &id, failure.as_deref());
                    Ok((id, failure, detail))
                })
                .collect::<std::io::Result<Vec<_>>>()
        })
        .await
        .map_err(|e| StoreError::Io(std::io::Error::other(e)))??;
        for (id, failure, detail) in checked {
            report.entries += 1;
            known.insert(id.to_string());
            match failure {
                None => report.passed += 1,
                Some(reason) => report.failures.push(Failure { id: id.to_string(), reason }),
            }
            details.push(detail);
        }
        if !full {
            break;
        }
    }
    let orphans = tokio::task::spawn_blocking(move || {
        let mut warnings = Vec::new();
        for (name, path) in blobs.list_files()? {
            if known.contains(&name) {
                if name.parse::<EntryId>().is_ok_and(|id| blobs.path(&id) == path) {
                    continue;
                }
                warnings.push(format!("{} is a copy of an entry in the wrong place", path.display()));
            } else if name.starts_with(TEMP_PREFIX) {
                warnings.push(format!("{} is left from an interrupted upload (never acknowledged)", path.display()));
            } else {
                warnings.push(format!("{} has no entry record (orphan; it is not served)", path.display()));
            }
        }
        Ok::<_, std::io::Error>((warnings, known))
    })
    .await
    .map_err(|e| StoreError::Io(std::io::Error::other(e)))??;
    let (orphans, known) = orphans;
    report.warnings = orphans;
    Ok((report, details, known))
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::api::{EntryMeta, Role};

    async fn store_with_one_entry() -> (tempfile::TempDir, Store, EntryId) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        crate::accounts::add_user(&store, "cw", Role::Caseworker).await.unwrap();
        let r = shared::seal::generate_identity().to_public();
        let ct = shared::seal::seal_bytes(b"x", [r].iter()).unwrap();
        let id = ct.id();
        store.blobs().put(&id, ct.as_bytes()).unwrap();
        let meta = EntryMeta {
            id,
            case: shared::CaseId::random(),
            size: ct.len() as u64,
            received_at: crate::store::now_rfc3339(),
            author: "cw".into(),
            keyring_version: None,
        };
        store.insert_entry(&meta).await.unwrap();
        (dir, store, id)
    }

    #[tokio::test]
    async fn a_good_store_verifies_with_its_audit_chain() {
        let (_dir, store, _) = store_with_one_entry().await;
        let report = verify(&store).await.unwrap();
        assert!(report.ok(), "{}", report.render());
        assert_eq!((report.entries, report.audit_events), (1, 2));
        assert!(report.render().contains("latest hash"));
    }

    /// A log longer than a page is checked across the page boundary: an edit in the
    /// second page is found, and the head is the last event's hash.
    #[tokio::test]
    async fn an_audit_log_longer_than_a_page_is_checked_page_by_page() {
        let (_dir, store, _) = store_with_one_entry().await;
        for _ in 0..PAGE + 5 {
            let e = crate::audit::NewEvent {
                actor: "cw",
                action: crate::audit::AuditAction::SignedIn,
                subject: "cw",
                size: None,
            };
            store.audit(&e).await.unwrap();
        }
        let report = verify(&store).await.unwrap();
        assert!(report.ok(), "{}", report.render());
        let total = report.audit_events;
        assert!(total > PAGE + 5);
        let last = store.audit_events(total as u64 - 1, 1).await.unwrap();
        assert_eq!(report.audit_head.as_deref(), Some(last[0].0.hash.as_str()));
        let seq = PAGE as i64 + 3;
        sqlx::query("UPDATE audit_events SET subject = 'x' WHERE seq = $1")
            .bind(seq)
            .execute(store.pool())
            .await
            .unwrap();
        let report = verify(&store).await.unwrap();
        assert!(report.render().contains(&format!("FAIL audit event {seq}")), "{}", report.render());
    }

    #[tokio::test]
    async fn an_entry_whose_row_and_blob_were_deleted_behind_the_relays_back_fails_by_id() {
        let (_dir, store, id) = store_with_one_entry().await;
        sqlx::query("DELETE FROM entries WHERE id = $1").bind(id.to_string()).execute(store.pool()).await.unwrap();
        std::fs::remove_file(store.blobs().path(&id)).unwrap();
        let report = verify(&store).await.unwrap();
        assert!(!report.ok(), "{}", report.render());
        assert!(
            report.render().contains(&format!("FAIL {id}: the audit log records it stored")),
            "{}",
            report.render()
        );
        assert_eq!(report.entries, 0);
    }

    #[tokio::test]
    async fn an_edited_audit_event_fails_verification() {
        let (_dir, store, _) = store_with_one_entry().await;
        sqlx::query("UPDATE audit_events SET actor = 'someone-else' WHERE action = 'entry_stored'")
            .execute(store.pool())
            .await
            .unwrap();
        let report = verify(&store).await.unwrap();
        assert!(!report.ok());
        assert!(report.render().contains("FAIL audit event 2"), "{}", report.render());
    }

    #[tokio::test]
    async fn a_missing_blob_and_a_leftover_temp_file_are_reported() {
        let (dir, store, id) = store_with_one_entry().await;
        std::fs::remove_file(store.blobs().path(&id)).unwrap();
        std::fs::write(dir.path().join("blobs").join(format!("{TEMP_PREFIX}x")), b"").unwrap();
        let report = verify(&store).await.unwrap();
        let text = report.render();
        assert!(text.contains(&format!("FAIL {id}: the ciphertext file is missing")), "{text}");
        assert!(text.contains("interrupted upload"), "{text}");
    }
}
