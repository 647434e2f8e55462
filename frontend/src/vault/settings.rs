//! The organisation's vault settings on this device: today the idle lock
//! (`amanat serve --idle-lock-minutes`, or `--idle-lock-seconds` for tests and demos,
//! served at `GET /api/v1/vault/settings`).
//!
//! The value the relay last served is kept in IndexedDB `settings`, so an offline
//! unlock (a mahalla office without network) locks after the organisation's idle time
//! and not after the built-in default. It is an organisation setting, the same for every
//! account and public (the relay serves it before sign-in): nothing personal is kept.
//! The relay's answer, when there is one, wins over the kept copy and replaces it.
//!
//! The kept value is whole minutes (`"5"`), as devices have always kept it, or, when
//! the relay was given a time that is not whole minutes, seconds (`"20s"`).

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use leptos::prelude::*;
use shared::vault::MIN_IDLE_LOCK_SECONDS;

use crate::local_db::{self, StorageError, SETTINGS};
use crate::relay_client;
use crate::vault::Vault;

/// The `settings` key of the kept idle lock (see the module doc for its form).
pub const IDLE_LOCK_SETTING: &str = "idle_lock_minutes";

/// Reads a kept value as seconds: whole minutes, at least one, or seconds (`"20s"`),
/// at least [`MIN_IDLE_LOCK_SECONDS`]; anything else (a damaged or foreign value) is
/// treated as not kept.
pub fn parse_idle_seconds(text: &str) -> Option<u32> {
    let seconds = match text.strip_suffix('s') {
        Some(seconds) => seconds.parse::<u32>().ok().filter(|s| *s >= MIN_IDLE_LOCK_SECONDS),
        None => text.parse::<u32>().ok().filter(|m| *m >= 1)?.checked_mul(60),
    };
    // A kept value over the cap (an older app kept what the relay said) is capped too.
    seconds.map(shared::vault::capped_idle_seconds)
}

/// Reads a kept value as whole minutes (seconds rounded up): what a kept value looks
/// like to code that counts the idle lock in minutes.
pub fn parse_minutes(text: &str) -> Option<u32> {
    parse_idle_seconds(text).map(|s| s.div_ceil(60))
}

/// How a number of seconds is kept.
fn kept_form(seconds: u32) -> String {
    match (seconds / 60, seconds % 60) {
        (minutes, 0) => minutes.to_string(),
        _ => format!("{seconds}s"),
    }
}

/// The kept value as it is stored, if any.
async fn kept_text(db: &Database) -> Result<Option<String>, StorageError> {
    let tx = db.transaction(SETTINGS).build()?;
    let store = tx.object_store(SETTINGS)?;
    Ok(store.get(IDLE_LOCK_SETTING).primitive()?.await?)
}

/// The idle lock kept on this device, in seconds, if any.
pub async fn kept_idle_seconds(db: &Database) -> Result<Option<u32>, StorageError> {
    Ok(kept_text(db).await?.as_deref().and_then(parse_idle_seconds))
}

/// The idle lock kept on this device, in whole minutes (seconds rounded up), if any.
pub async fn kept_idle_minutes(db: &Database) -> Result<Option<u32>, StorageError> {
    Ok(kept_text(db).await?.as_deref().and_then(parse_minutes))
}

/// Keeps the idle lock the relay served, in seconds.
pub async fn keep_idle_seconds(db: &Database, seconds: u32) -> Result<(), StorageError> {
    let tx = db.transaction(SETTINGS).with_mode(TransactionMode::Readwrite).build()?;
    let store = tx.object_store(SETTINGS)?;
    store.put(kept_form(seconds)).with_key(IDLE_LOCK_SETTING).primitive()?.await?;
    tx.commit().await?;
    Ok(())
}

/// Gives the vault the organisation's idle time: the kept value at once (works
/// offline), then the relay's, kept in turn when it differs. Storage failures leave the
/// value in force as it is (at worst the built-in default): the lock still runs.
pub async fn load(vault: Vault) {
    let db = local_db::open().await.ok();
    let kept = match &db {
        Some(db) => kept_idle_seconds(db).await.ok().flatten(),
        None => None,
    };
    if let Some(seconds) = kept {
        vault.idle_seconds.try_set(seconds);
    }
    let Ok(served) = relay_client::vault_settings().await else { return };
    let seconds = served.idle_seconds();
    vault.idle_seconds.try_set(seconds);
    if kept != Some(seconds) {
        if let Some(db) = &db {
            let _ = keep_idle_seconds(db, seconds).await;
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

    #[test]
    fn seconds_are_kept_as_minutes_when_whole_and_read_back_the_same() {
        for seconds in [5, 20, 59, 60, 61, 300, 900] {
            assert_eq!(parse_idle_seconds(&kept_form(seconds)), Some(seconds), "{seconds}");
        }
        assert_eq!(kept_form(300), "5", "a device's minutes are kept as before");
        assert_eq!(kept_form(20), "20s");
        assert_eq!(parse_idle_seconds("5"), Some(300), "what devices already keep");
        assert_eq!(parse_minutes("20s"), Some(1), "rounded up, never sooner");
        assert_eq!(parse_minutes("10000"), Some(240), "a kept value over 240 minutes is read as 240");
        assert_eq!(parse_idle_seconds("86400s"), Some(240 * 60));
        for bad in ["4s", "0s", "s", "-5s", "5 s", "5.5s", "99999999999s", "71582789"] {
            assert_eq!(parse_idle_seconds(bad), None, "{bad:?}");
        }
    }
}
