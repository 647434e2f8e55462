//! How a relay is run: where it stores, where it listens, what it serves.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Default listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// Relay settings (the flags of `amanat serve`).
#[derive(Clone, Debug)]
pub struct Config {
    /// The store: `amanat.sqlite`, `blobs/`, `keyring.json`.
    pub data_dir: PathBuf,
    /// `postgres://…` to keep metadata in PostgreSQL (shared by several relays); `None`:
    /// SQLite in `data_dir` (see [`crate::store`]).
    pub database: Option<String>,
    pub listen: SocketAddr,
    /// The built app (`cargo xtask build` writes it), served at `/`.
    pub dist_dir: PathBuf,
    /// Largest accepted upload, in bytes.
    pub max_body: usize,
    /// Mark the session cookie `Secure` (set when served over HTTPS, e.g. behind a proxy).
    pub secure_cookies: bool,
    /// Rows in one page of `GET /api/v1/entries` (tests use a small page).
    pub page_size: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("data"),
            database: None,
            listen: DEFAULT_LISTEN.parse().expect("the default address parses"),
            dist_dir: PathBuf::from("dist"),
            max_body: shared::api::DEFAULT_MAX_BODY,
            secure_cookies: false,
            page_size: shared::api::PAGE_SIZE,
        }
    }
}
