//! The Amanat relay and its admin CLI.
//!
//! The relay stores and serves ciphertext it cannot open: it checks that an upload is
//! an age file sealed to the whole keyring and that its id is its hash, stores it
//! durably, and hands it back byte for byte to those allowed to see it. Accounts,
//! tokens and the keyring are managed by the `amanat` CLI on the same data directory.
//!
//! Map: [`server`] builds and runs the router from [`routes`] (API), [`web`] (the
//! built app), [`headers`] and [`access_log`], reading each connection through [`head_guard`]; [`auth`] says who is calling, using
//! [`credentials`] and [`access`]; [`vault`] signs caseworkers in by passphrase;
//! [`store`] (a file per concept: accounts, sessions, entries, audit, vault) and
//! [`blobs`] persist, [`audit`] chains the log of who did what; [`upload`] receives a
//! body for the ingest steps of `shared::ingest`; [`keyring_file`], [`roster_file`], [`accounts`] and
//! [`demo`] are what the CLI ([`cli`]) changes, [`org_key`] opens the organisation key
//! for it (and lets `serve` refuse to run beside one), [`staged_dir`] makes `org init`'s
//! folder whole or not at all; [`verify`] and [`export`] read the
//! store back.
//!
//! **Architecture invariant:** the relay never holds a key that opens a record, and
//! never logs request bodies, tokens or cookies. Rules about ids, age files and the
//! keyring are `shared`'s; this crate only applies them.

pub mod access;
pub mod access_log;
pub mod accounts;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod blobs;
pub mod cli;
pub mod client_addr;
pub mod config;
pub mod cors;
pub mod credentials;
pub mod demo;
pub mod error;
pub mod export;
pub mod head_guard;
pub mod headers;
pub mod json_body;
pub mod keyring_file;
pub mod limits;
pub mod metrics;
pub mod org_key;
pub mod private_file;
pub mod quota;
pub mod rate_limit;
pub mod recovery;
pub mod replace_file;
pub mod roster_file;
pub mod routes;
pub mod server;
pub mod settings_file;
pub mod staged_dir;
pub mod state;
pub mod store;
pub mod upload;
pub mod vault;
pub mod verify;
pub mod web;

pub use config::Config;
pub use server::{app, serve, serve_on};
pub use state::AppState;
