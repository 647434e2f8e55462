//! How a relay is run: where it stores, where it listens, what it serves.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

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
    /// Requests a second one client address may make (bursts of twice that); 0: no limit.
    pub rate_per_address: f64,
    /// Requests a second one account may make (bursts of twice that); 0: no limit.
    pub rate_per_account: f64,
    /// A client must send a request's whole header within this time (slow-loris).
    pub header_timeout: Duration,
    /// A request body may not pause longer than this between two chunks.
    pub body_timeout: Duration,
    /// Largest request header block (request line included), in bytes; larger is 431.
    pub max_header_bytes: usize,
    /// Most header fields a request may carry; more is 431.
    pub max_headers: usize,
    /// Minutes without input after which the caseworker app locks (organisation setting,
    /// served at `GET /api/v1/vault/settings`).
    pub idle_lock_minutes: u32,
    /// Seconds without input after which the app locks, overriding the minutes: for
    /// tests and demos, which should not wait minutes (`--idle-lock-seconds`).
    pub idle_lock_seconds: Option<u32>,
    /// `--demo`: on an empty data directory make a demo organisation (its organisation
    /// key then lives on the relay). Without it `serve` needs an installed keyring and
    /// refuses a data directory holding an organisation key.
    pub demo: bool,
    /// `--metrics-listen`: where Prometheus metrics are served (`GET /metrics`), if at all.
    pub metrics_listen: Option<SocketAddr>,
    /// Reverse proxies whose `Forwarded` / `X-Forwarded-For` names the client
    /// (`--trusted-proxy`, see [`crate::client_addr`]); empty: the socket peer is the client.
    pub trusted_proxies: crate::client_addr::TrustedProxies,
    /// Failed sign-ins one client address may make in a minute before it waits
    /// (`--sign-in-failures-per-minute`).
    pub sign_in_failures_per_minute: u32,
    /// Bytes one account may store in all (`--quota-bytes`; 413 `quota_exceeded`).
    pub quota_bytes: u64,
    /// New entries one account may store per hour (`--uploads-per-hour`; 0: no limit).
    pub uploads_per_hour: u32,
    /// Free space kept on the data and blob directories' file systems
    /// (`--min-free-bytes`; below it uploads are 507 `storage_full`).
    pub min_free_bytes: u64,
    /// `--app-origin`: the app is served from this origin, not by the relay; the API
    /// answers CORS for it alone ([`crate::cors`]) and `/` points there.
    pub app_origin: Option<shared::origin::WebOrigin>,
}

/// Default requests a second per address and per account: far above what people do,
/// and above the load benchmark's 3 000 uploads a second from one address.
pub const DEFAULT_RATE: f64 = 5_000.0;
/// Default failed sign-ins a client address may make in a minute.
pub const DEFAULT_SIGN_IN_FAILURES_PER_MINUTE: u32 = 20;
/// Default time to send a request header.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Default longest pause inside a request body.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// Default largest header block (hyper's minimum buffer is 8 KiB).
pub const DEFAULT_MAX_HEADER_BYTES: usize = 16 * 1024;
/// Default most header fields.
pub const DEFAULT_MAX_HEADERS: usize = 64;

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
            idle_lock_minutes: shared::vault::DEFAULT_IDLE_LOCK_MINUTES,
            idle_lock_seconds: None,
            demo: false,
            metrics_listen: None,
            trusted_proxies: Default::default(),
            sign_in_failures_per_minute: DEFAULT_SIGN_IN_FAILURES_PER_MINUTE,
            rate_per_address: DEFAULT_RATE,
            rate_per_account: DEFAULT_RATE,
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            max_header_bytes: DEFAULT_MAX_HEADER_BYTES,
            max_headers: DEFAULT_MAX_HEADERS,
            quota_bytes: crate::quota::DEFAULT_QUOTA_BYTES,
            uploads_per_hour: crate::quota::DEFAULT_UPLOADS_PER_HOUR,
            min_free_bytes: crate::quota::DEFAULT_MIN_FREE_BYTES,
            app_origin: None,
        }
    }
}
