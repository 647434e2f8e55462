//! `amanat verify`: reads every stored entry back and checks it, for the privacy
//! officer and for backups.
//!
//! Each recorded entry must have its blob, of the recorded size, whose SHA-256 is its
//! id and which is a well-formed age v1 file sealed to X25519 recipients only. Blob
//! files with no record (an interrupted upload, a stray copy) are warnings: they are
//! not served, but someone should look.

use std::fmt::Write as _;

use shared::seal::Ciphertext;
use shared::EntryId;

use crate::blobs::TEMP_PREFIX;
use crate::store::{Store, StoreError};

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

/// Checks the whole store.
pub async fn verify(store: &Store) -> Result<Report, StoreError> {
    let rows = store.all_entries().await?;
    let blobs = store.blobs().clone();
    tokio::task::spawn_blocking(move || {
        let mut report = Report { entries: rows.len(), ..Default::default() };
        let mut known = std::collections::HashSet::new();
        for row in &rows {
            let id = row.meta.id;
            known.insert(id.to_string());
            let bytes = blobs.get(&id)?;
            match check_blob(&id, row.meta.size, bytes.as_deref()) {
                None => report.passed += 1,
                Some(reason) => report.failures.push(Failure { id: id.to_string(), reason }),
            }
        }
        for (name, path) in blobs.list_files()? {
            if known.contains(&name) {
                if name.parse::<EntryId>().is_ok_and(|id| blobs.path(&id) == path) {
                    continue;
                }
                report.warnings.push(format!("{} is a copy of an entry in the wrong place", path.display()));
            } else if name.starts_with(TEMP_PREFIX) {
                report.warnings.push(format!("{} is left from an interrupted upload (never acknowledged)", path.display()));
            } else {
                report.warnings.push(format!("{} has no entry record (orphan; it is not served)", path.display()));
            }
        }
        Ok(report)
    })
    .await
    .map_err(|e| StoreError::Io(std::io::Error::other(e)))?
}
