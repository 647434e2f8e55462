//! The organisation's vault settings on this device: today the idle-lock minutes
//! (`amanat serve --idle-lock-minutes`, served at `GET /api/v1/vault/settings`).
//!
//! The value the relay last served is kept in IndexedDB `settings`, so an offline
//! unlock (a mahalla office without network) locks after the organisation's idle time
//! and not after the built-in default. It is an organisation setting, the same for every
//! account and public (the relay serves it before sign-in): nothing personal is kept.
//! The relay's answer, when there is one, wins over the kept copy and replaces it.

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use leptos::prelude::*;

use crate::local_db::{self, StorageError, SETTINGS};
use crate::relay_client;
use crate::vault::Vault;

/// The `settings` key of the kept idle-lock minutes (a decimal string).
pub const IDLE_LOCK_SETTING: &str = "idle_lock_minutes";

/// Reads a kept value: whole minutes, at least one; anything else (a damaged or
/// foreign value) is treated as not kept.
pub fn parse_minutes(text: &str) -> Option<u32> {
    text.parse::<u32>().ok().filter(|m| *m >= 1)
}

/// The idle-lock minutes kept on this device, if any.
pub async fn kept_idle_minutes(db: &Database) -> Result<Option<u32>, StorageError> {
    let tx = db.transaction(SETTINGS).build()?;
    let store = tx.object_store(SETTINGS)?;
    let value: Option<String> = store.get(IDLE_LOCK_SETTING).primitive()?.await?;
    Ok(value.as_deref().and_then(parse_minutes))
}

/// Keeps the idle-lock minutes the relay served.
pub async fn keep_idle_minutes(db: &Database, minutes: u32) -> Result<(), StorageError> {
    let tx = db.transaction(SETTINGS).with_mode(TransactionMode::Readwrite).build()?;
    let store = tx.object_store(SETTINGS)?;
    store.put(minutes.to_string()).with_key(IDLE_LOCK_SETTING).primitive()?.await?;
    tx.commit().await?;
    Ok(())
}

/// Gives the vault the organisation's idle time: the kept value at once (works
/// offline), then the relay's, kept in turn when it differs. Storage failures leave the
/// value in force as it is (at worst the built-in default): the lock still runs.
pub async fn load(vault: Vault) {
    let db = local_db::open().await.ok();
    let kept = match &db {
        Some(db) => kept_idle_minutes(db).await.ok().flatten(),
        None => None,
    };
    if let Some(minutes) = kept {
        vault.idle_minutes.try_set(minutes);
    }
    let Ok(served) = relay_client::vault_settings().await else { return };
    let minutes = served.idle_lock_minutes.max(1);
    vault.idle_minutes.try_set(minutes);
    if kept != Some(minutes) {
        if let Some(db) = &db {
            let _ = keep_idle_minutes(db, minutes).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_positive_minutes_are_taken_from_storage() {
        assert_eq!(parse_minutes("15"), Some(15));
        assert_eq!(parse_minutes("1"), Some(1));
        for bad in ["0", "-3", "", "5.5", "ten", "99999999999"] {
            assert_eq!(parse_minutes(bad), None, "{bad:?}");
        }
    }
}
