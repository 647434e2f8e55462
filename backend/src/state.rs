//! What every request handler shares: the store and the settings.

use std::sync::Arc;

use crate::config::Config;
use crate::rate_limit::RateLimiter;
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
}

impl AppState {
    /// Opens the store named in the config.
    pub async fn open(config: Config) -> Result<Self, StoreError> {
        let store = Store::open_with(&config.data_dir, config.database.as_deref()).await?;
        Ok(Self::new(store, config))
    }

    pub fn new(store: Store, config: Config) -> Self {
        Self { inner: Arc::new(Inner { store, config, sign_in_limiter: RateLimiter::sign_in() }) }
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
}
