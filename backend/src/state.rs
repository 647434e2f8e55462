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
        let sign_in_limiter = RateLimiter::sign_in(config.sign_in_failures_per_minute);
        Self {
            inner: Arc::new(Inner {
                store,
                config,
                sign_in_limiter,
                address_limiter,
                account_limiter,
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

    /// Requests per account (the [`crate::auth::Caller`] extractor).
    pub fn account_limiter(&self) -> &Buckets<String> {
        &self.inner.account_limiter
    }
}
