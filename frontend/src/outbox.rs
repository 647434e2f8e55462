//! The outbox: sealed entries kept in IndexedDB until the relay has them, and after.
//!
//! A stored value is the envelope (ids, versions, time, size), the ciphertext as bytes
//! (a `Uint8Array`, through `serde_bytes`) and the upload state. Nothing else: the
//! plaintext never reaches this module's types. Entries are never deleted here; an
//! upload failure only changes the state.
//!
//! A *streamed* entry (an attachment, up to tens of megabytes) keeps only its first
//! bytes (the age header, for the checks) in the `outbox` value; its whole ciphertext
//! is one `Blob` in the `blobs` store under the same id, written in the same
//! transaction, so the browser keeps it on disk and wasm memory never holds it whole.

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use serde::{Deserialize, Serialize};
use shared::envelope::Envelope;
use shared::seal::Ciphertext;
use shared::{EntryId, ErrorCode};

use crate::local_db::{StorageError, BLOBS, OUTBOX};

/// How many first bytes of a streamed entry are kept beside its envelope: enough for
/// the age header check, which never looks further (the relay checks the same window).
pub const HEAD_BYTES: usize = shared::age_header::MAX_HEADER_BYTES + 32;

/// Where an entry stands with the relay.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryState {
    /// Sealed and stored on this device; not yet confirmed by the relay.
    Sealed,
    /// The relay could not be reached or failed; it will be retried.
    Waiting,
    /// The relay confirmed it holds these bytes.
    Uploaded,
    /// The relay refused it (4xx); kept, with the reason.
    Refused,
}

impl EntryState {
    pub fn code(self) -> &'static str {
        match self {
            EntryState::Sealed => "sealed",
            EntryState::Waiting => "waiting",
            EntryState::Uploaded => "uploaded",
            EntryState::Refused => "refused",
        }
    }

    /// Whether the sync loop should (still) try to upload it.
    pub fn wants_upload(self) -> bool {
        matches!(self, EntryState::Sealed | EntryState::Waiting)
    }
}

/// Why the relay refused an entry: its code and sentence, never record content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub code: Option<ErrorCode>,
    pub message: String,
}

/// One value of the `outbox` store, keyed by the entry id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredEntry {
    pub envelope: Envelope,
    #[serde(with = "serde_bytes")]
    pub ciphertext: Vec<u8>,
    pub state: EntryState,
    #[serde(default)]
    pub refusal: Option<Refusal>,
    /// The account that sealed it: on a shared tablet each caseworker sees and syncs
    /// only their own entries. (Entries from before accounts had owners have "".)
    #[serde(default)]
    pub owner: String,
    /// The ciphertext is a `Blob` in the `blobs` store and `ciphertext` holds only its
    /// first [`HEAD_BYTES`] (an attachment; see the module doc).
    #[serde(default)]
    pub streamed: bool,
}

impl StoredEntry {
    /// A freshly sealed entry.
    pub fn sealed(envelope: Envelope, ciphertext: Ciphertext, owner: &str) -> Self {
        StoredEntry {
            envelope,
            ciphertext: ciphertext.into_bytes(),
            state: EntryState::Sealed,
            refusal: None,
            owner: owner.to_owned(),
            streamed: false,
        }
    }

    /// A freshly sealed streamed entry: `head` is the first bytes of the ciphertext
    /// whose whole is stored as a `Blob` by [`put_streamed`].
    pub fn streamed(envelope: Envelope, mut head: Vec<u8>, owner: &str) -> Self {
        head.truncate(HEAD_BYTES);
        StoredEntry {
            envelope,
            ciphertext: head,
            state: EntryState::Sealed,
            refusal: None,
            owner: owner.to_owned(),
            streamed: true,
        }
    }

    /// Checks that the stored bytes are still the sealed entry: an age file whose
    /// SHA-256 is the entry id. A damaged entry is reported, kept, and not uploaded.
    ///
    /// For a streamed entry only the kept head is checked here (hashing tens of
    /// megabytes on every listing would stall the page); the relay hashes the whole
    /// body on upload and refuses it (`id_mismatch`) if the stored Blob was damaged.
    pub fn integrity(&self) -> Result<(), ErrorCode> {
        if self.streamed {
            let whole = self.envelope.size as usize;
            if self.ciphertext.len() != whole.min(HEAD_BYTES) {
                return Err(ErrorCode::Corrupted);
            }
            return Ciphertext::check(self.ciphertext.clone(), 1).map(|_| ()).map_err(|_| ErrorCode::Corrupted);
        }
        if EntryId::of(&self.ciphertext) != self.envelope.id || self.envelope.size != self.ciphertext.len() as u64 {
            return Err(ErrorCode::Corrupted);
        }
        Ciphertext::check(self.ciphertext.clone(), 1).map(|_| ()).map_err(|_| ErrorCode::Corrupted)
    }
}

/// What the outbox list shows for one entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: EntryId,
    pub case: String,
    pub size: u64,
    /// `sealed`, `waiting`, `uploaded`, `refused` or `corrupted`.
    pub state: &'static str,
    /// The reason, for refused and corrupted entries, and for waiting ones the relay
    /// asked to wait (quota, upload rate, disk full).
    pub problem: Option<String>,
    /// The reason's error code (`quota_exceeded`, …), if it has one.
    pub problem_code: Option<&'static str>,
    pub sealed_at: String,
}

impl OutboxRow {
    pub fn of(entry: &StoredEntry) -> Self {
        let shown = matches!(entry.state, EntryState::Refused | EntryState::Waiting);
        let (state, problem, problem_code) = match entry.integrity() {
            Err(code) => ("corrupted", Some(crate::i18n::error_now(code)), Some(code.code())),
            Ok(()) => {
                let refusal = entry.refusal.as_ref().filter(|_| shown);
                (
                    entry.state.code(),
                    refusal.map(|r| match r.code {
                        Some(code) => crate::i18n::error_now(code),
                        None => r.message.clone(),
                    }),
                    refusal.and_then(|r| r.code).map(|c| c.code()),
                )
            }
        };
        OutboxRow {
            id: entry.envelope.id,
            case: entry.envelope.case.to_string(),
            size: entry.envelope.size,
            state,
            problem,
            problem_code,
            sealed_at: entry.envelope.sealed_at.clone(),
        }
    }
}

/// Stores an entry (or replaces the one with the same id) and commits.
pub async fn put(db: &Database, entry: &StoredEntry) -> Result<(), StorageError> {
    let tx = db.transaction(OUTBOX).with_mode(TransactionMode::Readwrite).build()?;
    let store = tx.object_store(OUTBOX)?;
    store.put(entry).with_key(entry.envelope.id.to_string()).serde()?.await?;
    tx.commit().await?;
    Ok(())
}

/// Stores a streamed entry and its whole ciphertext (a `Blob`) in one transaction, so
/// neither exists without the other.
pub async fn put_streamed(db: &Database, entry: &StoredEntry, blob: &web_sys::Blob) -> Result<(), StorageError> {
    let tx = db.transaction([OUTBOX, BLOBS]).with_mode(TransactionMode::Readwrite).build()?;
    let blobs = tx.object_store(BLOBS)?;
    blobs.put(wasm_bindgen::JsValue::from(blob.clone())).with_key(entry.envelope.id.to_string()).primitive()?.await?;
    let store = tx.object_store(OUTBOX)?;
    store.put(entry).with_key(entry.envelope.id.to_string()).serde()?.await?;
    tx.commit().await?;
    Ok(())
}

/// The whole ciphertext of a streamed entry, as the `Blob` the browser keeps on disk.
pub async fn blob(db: &Database, id: &EntryId) -> Result<Option<web_sys::Blob>, StorageError> {
    use wasm_bindgen::JsCast;
    let tx = db.transaction(BLOBS).build()?;
    let store = tx.object_store(BLOBS)?;
    let found: Option<wasm_bindgen::JsValue> = store.get(id.to_string()).primitive()?.await?;
    Ok(found.and_then(|v| v.dyn_into::<web_sys::Blob>().ok()))
}

/// One entry by id.
pub async fn get(db: &Database, id: &EntryId) -> Result<Option<StoredEntry>, StorageError> {
    let tx = db.transaction(OUTBOX).build()?;
    let store = tx.object_store(OUTBOX)?;
    let entry: Option<StoredEntry> = store.get(id.to_string()).serde()?.await?;
    Ok(entry)
}

/// Every entry, oldest first. A value that no longer decodes is skipped from the list
/// but stays stored (and is counted in the second value, so the page can say so).
pub async fn all(db: &Database) -> Result<(Vec<StoredEntry>, usize), StorageError> {
    let tx = db.transaction(OUTBOX).build()?;
    let store = tx.object_store(OUTBOX)?;
    let mut entries = Vec::new();
    let mut unreadable = 0;
    for item in store.get_all::<StoredEntry>().serde()?.await? {
        match item {
            Ok(e) => entries.push(e),
            Err(_) => unreadable += 1,
        }
    }
    entries.sort_by(|a, b| a.envelope.sealed_at.cmp(&b.envelope.sealed_at));
    Ok((entries, unreadable))
}

/// Every entry sealed by `owner`, oldest first (see [`all`]).
pub async fn all_of(db: &Database, owner: &str) -> Result<(Vec<StoredEntry>, usize), StorageError> {
    let (mut entries, unreadable) = all(db).await?;
    entries.retain(|e| e.owner == owner);
    Ok((entries, unreadable))
}

/// Records a new state (and reason) for an entry, leaving its bytes untouched.
pub async fn set_state(
    db: &Database,
    id: &EntryId,
    state: EntryState,
    refusal: Option<Refusal>,
) -> Result<(), StorageError> {
    let tx = db.transaction(OUTBOX).with_mode(TransactionMode::Readwrite).build()?;
    let store = tx.object_store(OUTBOX)?;
    let current: Option<StoredEntry> = store.get(id.to_string()).serde()?.await?;
    if let Some(mut entry) = current {
        entry.state = state;
        entry.refusal = refusal;
        store.put(&entry).with_key(id.to_string()).serde()?.await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::seal::{generate_identity, StreamSealer};
    use shared::CaseId;

    fn streamed(len: usize) -> (StoredEntry, Vec<u8>) {
        let r = generate_identity().to_public();
        let mut sealer = StreamSealer::new([r].iter()).unwrap();
        let mut ct = sealer.push(&vec![7u8; len]).unwrap();
        let end = sealer.finish().unwrap();
        ct.extend_from_slice(&end.tail);
        let envelope = Envelope::new(CaseId::random(), 2, 1, String::new(), &end);
        (StoredEntry::streamed(envelope, ct.clone(), "cw"), ct)
    }

    #[test]
    fn a_streamed_entry_keeps_only_its_header_and_checks_it() {
        let (entry, whole) = streamed(200_000);
        assert_eq!(entry.ciphertext.len(), HEAD_BYTES);
        assert_eq!(entry.ciphertext[..], whole[..HEAD_BYTES]);
        assert!(entry.integrity().is_ok());
        let (small, whole) = streamed(10);
        assert_eq!(small.ciphertext, whole, "a short file keeps all of it");
        assert!(small.integrity().is_ok());
    }

    #[test]
    fn a_streamed_entry_whose_head_was_damaged_or_cut_is_corrupted() {
        let (mut entry, _) = streamed(200_000);
        entry.ciphertext[3] ^= 1; // "age-encryption.org" no more
        assert_eq!(entry.integrity(), Err(ErrorCode::Corrupted));
        let (mut entry, _) = streamed(200_000);
        entry.ciphertext.truncate(100);
        assert_eq!(entry.integrity(), Err(ErrorCode::Corrupted));
        assert_eq!(OutboxRow::of(&entry).state, "corrupted");
    }
}
