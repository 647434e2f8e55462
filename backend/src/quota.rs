//! What an account may store and how fast, and how much room the relay keeps free:
//! the per-account quota (`--quota-bytes`, 413 `quota_exceeded`), the per-account
//! upload rate (`--uploads-per-hour`, 429 `upload_rate_limited` with `Retry-After`)
//! and the free-space floor (`--min-free-bytes`, 507 `storage_full`).
//!
//! They apply only to bytes not stored yet: an outbox retry of an entry the relay
//! already has is answered 200 before any of them is asked ([`crate::routes::entries`]
//! checks for the entry first), so a device never loses the confirmation of what it
//! sent. The checks run before the body is read (with the declared `Content-Length`)
//! and the quota and floor again once its real size is known, before the blob is kept.
//!
//! An account's usage is the sum of its entries' sizes, read from the store at most
//! every [`USAGE_TTL`] and counted up in memory for what this relay stored since, so an
//! upload costs no table scan; with several relays the others' writes show within
//! that time. The upload rate is a token bucket per account and relay (an hour's worth
//! at once, refilled over the hour). Free space is asked of the file systems of the
//! data directory and the blob directory (`statvfs`), each upload.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use shared::ErrorCode;

use crate::error::AppError;
use crate::state::AppState;

/// How long a usage read from the store is trusted before it is read again.
pub const USAGE_TTL: Duration = Duration::from_secs(30);

/// Default per-account quota (2 GiB).
pub const DEFAULT_QUOTA_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// Default new entries an account may store per hour.
pub const DEFAULT_UPLOADS_PER_HOUR: u32 = 600;
/// Default free space the relay keeps on its file systems (512 MiB).
pub const DEFAULT_MIN_FREE_BYTES: u64 = 512 * 1024 * 1024;

/// Bytes stored per account, cached (see the module doc).
#[derive(Default)]
pub struct Usage {
    accounts: Mutex<HashMap<String, (u64, Instant)>>,
}

impl Usage {
    /// The bytes `name` has stored.
    pub async fn of(&self, state: &AppState, name: &str) -> Result<u64, AppError> {
        let fresh = {
            let map = self.accounts.lock().expect("the usage lock is not poisoned");
            map.get(name).filter(|(_, at)| at.elapsed() < USAGE_TTL).map(|(b, _)| *b)
        };
        if let Some(bytes) = fresh {
            return Ok(bytes);
        }
        let bytes = state.store().bytes_stored_by(name).await?;
        let mut map = self.accounts.lock().expect("the usage lock is not poisoned");
        if map.len() >= crate::rate_limit::MAX_KEYS {
            map.retain(|_, (_, at)| at.elapsed() < USAGE_TTL);
        }
        map.insert(name.to_owned(), (bytes, Instant::now()));
        Ok(bytes)
    }

    /// `name` just stored `size` more bytes.
    pub fn add(&self, name: &str, size: u64) {
        let mut map = self.accounts.lock().expect("the usage lock is not poisoned");
        if let Some((bytes, _)) = map.get_mut(name) {
            *bytes += size;
        }
    }
}

/// Bytes available to the relay on the file system holding `path`.
pub fn free_bytes(path: &Path) -> std::io::Result<u64> {
    let s = rustix::fs::statvfs(path)?;
    Ok(s.f_bavail.saturating_mul(s.f_frsize))
}

/// A refused upload: its code, and how long to wait for a rate refusal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub code: ErrorCode,
    pub retry_after: Option<Duration>,
}

impl From<AppError> for Refusal {
    fn from(e: AppError) -> Self {
        Refusal { code: e.0, retry_after: None }
    }
}

/// The free-space floor and the quota for `size` more bytes from `name`.
pub async fn check_room(state: &AppState, name: &str, size: u64) -> Result<(), Refusal> {
    let config = state.config();
    let min_free = config.min_free_bytes;
    for dir in [state.store().data_dir(), state.store().blobs().root()] {
        let free = free_bytes(dir).map_err(AppError::from)?;
        if free.saturating_sub(size) < min_free {
            tracing::warn!(free, min_free, "upload refused: the relay's disk is nearly full");
            return Err(Refusal { code: ErrorCode::StorageFull, retry_after: None });
        }
    }
    let used = state.usage().of(state, name).await?;
    if used.saturating_add(size) > config.quota_bytes {
        tracing::info!(user = %name, used, size, "upload refused: over the account's quota");
        return Err(Refusal { code: ErrorCode::QuotaExceeded, retry_after: None });
    }
    Ok(())
}

/// All three checks for a new entry of (declared) `size` bytes from `name`; the rate
/// is charged last, so an upload refused for room costs no token.
pub async fn admit_upload(state: &AppState, name: &str, size: u64) -> Result<(), Refusal> {
    check_room(state, name, size).await?;
    if let Err(wait) = state.upload_limiter().take(&name.to_owned()) {
        tracing::info!(user = %name, "upload refused: too many uploads this hour");
        return Err(Refusal { code: ErrorCode::UploadRateLimited, retry_after: Some(wait) });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_free_space_of_a_real_directory_is_known() {
        let dir = tempfile::tempdir().unwrap();
        assert!(free_bytes(dir.path()).unwrap() > 0);
        assert!(free_bytes(&dir.path().join("missing")).is_err());
    }
}
