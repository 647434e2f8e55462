//! The HTTP API, version 1: one file per resource.

pub mod audit;
pub mod entries;
pub mod health;
pub mod keyring;
pub mod session;
pub mod verification;

/// The vault's routes live with the rest of the vault ([`crate::vault::routes`]); this
/// path stays for code that named them here.
pub use crate::vault::routes as vault;

use axum::routing::{any, get, post, put};
use axum::Router;
use shared::ErrorCode;

use crate::error::AppError;
use crate::state::AppState;

/// Routes under `/api/v1`.
pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/v1/health", get(health::health))
        .route("/api/v1/keyring", get(keyring::keyring))
        .route("/api/v1/entries", get(entries::list))
        .route("/api/v1/entries/read", post(entries::read_many))
        .route("/api/v1/entries/{id}", put(entries::put).get(entries::get))
        .route("/api/v1/audit", get(audit::list))
        .route("/api/v1/verification", get(verification::report))
        .route("/api/v1/session", get(session::current).post(session::sign_in).delete(session::sign_out))
        .route("/api/v1/session/renew", post(session::renew))
        .route("/api/v1/vault/settings", get(vault::settings))
        .route("/api/v1/vault/enrol", post(vault::enrol))
        .route("/api/v1/vault/salt", post(vault::salt))
        .route("/api/v1/vault/session", post(vault::sign_in))
        .route("/api/v1/vault/identity", get(vault::identity))
        .route("/api/v1/vault/passphrase", put(vault::change_passphrase))
        .route("/api/{*rest}", any(not_found))
        .route("/api", any(not_found))
}

async fn not_found() -> AppError {
    AppError(ErrorCode::NotFound)
}
