//! The device's copy of each account's wrapped identity (IndexedDB store `vault`,
//! keyed by account name), so a caseworker who signed in here before can unlock
//! offline. What is kept opens nothing without the passphrase: the salt, the wrapped
//! identity (an age file sealed to a passphrase-derived key) and the public recipient.

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use shared::vault::WrappedIdentity;

use crate::local_db::{StorageError, VAULT};

/// The cached copy for `name`, if this device has one.
pub async fn get(db: &Database, name: &str) -> Result<Option<WrappedIdentity>, StorageError> {
    let tx = db.transaction(VAULT).build()?;
    let store = tx.object_store(VAULT)?;
    let found: Option<WrappedIdentity> = store.get(name.to_owned()).serde()?.await?;
    Ok(found)
}

/// Keeps (or replaces) the copy for its account.
pub async fn put(db: &Database, w: &WrappedIdentity) -> Result<(), StorageError> {
    let tx = db.transaction(VAULT).with_mode(TransactionMode::Readwrite).build()?;
    let store = tx.object_store(VAULT)?;
    store.put(w).with_key(w.name.clone()).serde()?.await?;
    tx.commit().await?;
    Ok(())
}
