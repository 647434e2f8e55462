//! The browser's IndexedDB database `amanat`: its schema and how it is opened.
//!
//! Five object stores, all keyed by string: `outbox` (sealed entries: envelope and
//! ciphertext, see [`crate::outbox`]), `blobs` (the ciphertext of a streamed entry — an
//! attachment — as one `Blob`, under its entry id, see [`crate::attachments`]),
//! `settings` (public facts such as the pinned organisation key, see
//! [`crate::keyring_pin`]), `vault` (per account name: salt, the wrapped identity — an
//! age file — and the public recipient, so the account can unlock offline, see
//! [`crate::vault::cache`]) and `drafts` (forms in progress, each an age file sealed to
//! its author alone, under `account/kind/case`, see [`crate::drafts`]).
//! **Invariant:** nothing readable about a family is ever written here; only
//! ciphertext and the envelope's ids and sizes.

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use std::fmt;

pub const DB_NAME: &str = "amanat";
pub const OUTBOX: &str = "outbox";
pub const SETTINGS: &str = "settings";
pub const VAULT: &str = "vault";
pub const BLOBS: &str = "blobs";
pub const DRAFTS: &str = "drafts";
/// The IndexedDB database's version: bumped when a store is added, so the browser runs
/// the upgrade (not the schema of a sealed document, which is
/// `shared::forms::DOCUMENT_SCHEMA`).
const DB_VERSION: u32 = 3;

/// The browser's storage failed (quota, private mode, a blocked upgrade…). Carries
/// the browser's description for the console; people see a sentence from `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageError(pub String);

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "browser storage: {}", self.0)
    }
}

impl From<indexed_db_futures::error::Error> for StorageError {
    fn from(e: indexed_db_futures::error::Error) -> Self {
        StorageError(e.to_string())
    }
}

impl From<indexed_db_futures::error::OpenDbError> for StorageError {
    fn from(e: indexed_db_futures::error::OpenDbError) -> Self {
        StorageError(e.to_string())
    }
}

/// Opens (creating or upgrading) the app's database.
pub async fn open() -> Result<Database, StorageError> {
    open_named(DB_NAME).await
}

/// Opens a database of the app's schema under another name (tests use their own).
pub async fn open_named(name: &str) -> Result<Database, StorageError> {
    let db = Database::open(name)
        .with_version(DB_VERSION)
        .with_on_upgrade_needed(|event, db| {
            if event.old_version() < 1.0 {
                db.create_object_store(OUTBOX).build()?;
                db.create_object_store(SETTINGS).build()?;
            }
            if event.old_version() < 2.0 {
                db.create_object_store(VAULT).build()?;
            }
            if event.old_version() < 3.0 {
                db.create_object_store(BLOBS).build()?;
                db.create_object_store(DRAFTS).build()?;
            }
            Ok(())
        })
        .await?;
    Ok(db)
}
