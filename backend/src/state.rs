//! What every request handler shares: the store and the settings.

use std::sync::Arc;

use crate::config::Config;
use crate::rate_limit::{Buckets, RateLimiter};
use crate::store::{Store, StoreError};

/// Shared, cheaply cloned state of a running relay.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    config: Config,
    sign_in_limiter: RateLimiter,
    address_limiter: Buckets<Option<std::net::IpAddr>>,
    account_limiter: Buckets<String>,
    use_recorder: Buckets<String>,
    upload_limiter: Buckets<String>,
    usage: crate::quota::Usage,
    vault: crate::vault::auth::VaultGuards,
}

impl AppState {
    /// Opens the store named in the config.
    pub async fn open(config: Config) -> Result<Self, StoreError> {
        let store = Store::open_with(&config.data_dir, config.database.as_deref()).await?;
        Ok(Self::new(store, config))
    }

    pub fn new(store: Store, config: Config) -> Self {
        let address_limiter = Buckets::new(config.rate_per_address);
        let account_limiter = Buckets::new(config.rate_per_account);
        let sign_in_limiter = RateLimiter::sign_in();
        // An hour's uploads at once, refilled over the hour; 0: no limit.
        let per_hour = f64::from(config.uploads_per_hour);
        let upload_limiter = Buckets::with_burst(per_hour / 3600.0, per_hour);
        Self {
            inner: Arc::new(Inner {
                store,
                config,
                sign_in_limiter,
                address_limiter,
                account_limiter,
                use_recorder: Buckets::with_burst(1.0 / 60.0, 1.0),
                upload_limiter,
                usage: Default::default(),
                vault: Default::default(),
            }),
        }
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn sign_in_limiter(&self) -> &RateLimiter {
        &self.inner.sign_in_limiter
    }

    /// Requests per client address (the `rate_limit_address` middleware).
    pub fn address_limiter(&self) -> &Buckets<Option<std::net::IpAddr>> {
        &self.inner.address_limiter
    }

    /// The vault's Argon2-free guards: decoy locks and the cached decoy-salt key.
    pub fn vault(&self) -> &crate::vault::auth::VaultGuards {
        &self.inner.vault
    }

    /// When an account's last use was last written (at most once a minute).
    pub fn use_recorder(&self) -> &Buckets<String> {
        &self.inner.use_recorder
    }

    /// New entries stored per account (`--uploads-per-hour`).
    pub fn upload_limiter(&self) -> &Buckets<String> {
        &self.inner.upload_limiter
    }

    /// Bytes stored per account, cached (see [`crate::quota`]).
    pub fn usage(&self) -> &crate::quota::Usage {
        &self.inner.usage
    }

    /// Requests per account (the [`crate::auth::Caller`] extractor).
    pub fn account_limiter(&self) -> &Buckets<String> {
        &self.inner.account_limiter
    }
}
