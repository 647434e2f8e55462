//! The HTTP API, version 1: one file per resource.

pub mod audit;
pub mod entries;
pub mod health;
pub mod keyring;
pub mod org_settings;
pub mod roster;
pub mod session;
pub mod verification;

use axum::routing::{any, get, post, put};
use axum::Router;
use shared::ErrorCode;

use crate::error::AppError;
use crate::state::AppState;
use crate::vault::routes as vault;

/// Routes under `/api/v1`, at the paths `shared::api::paths` names for the app too.
pub fn api() -> Router<AppState> {
    use shared::api::paths;
    Router::new()
        .route(paths::HEALTH, get(health::health))
        .route(paths::READY, get(health::ready))
        .route(paths::KEYRING, get(keyring::keyring))
        .route(paths::ROSTER, get(roster::roster))
        .route(paths::ORG_SETTINGS, get(org_settings::org_settings))
        .route(paths::ENTRIES, get(entries::list))
        .route(paths::ENTRIES_READ, post(entries::read_many))
        .route(paths::ENTRY, put(entries::put).get(entries::get))
        .route(paths::AUDIT, get(audit::list))
        .route(paths::VERIFICATION, get(verification::report))
        .route(paths::SESSION, get(session::current).post(session::sign_in).delete(session::sign_out))
        .route(paths::SESSION_RENEW, post(session::renew))
        .route(paths::VAULT_SETTINGS, get(vault::settings))
        .route(paths::VAULT_ENROL, post(vault::enrol))
        .route(paths::VAULT_ENROL_OPEN, post(vault::enrol_open))
        .route(paths::VAULT_SALT, post(vault::salt))
        .route(paths::VAULT_SESSION, post(vault::sign_in))
        .route(paths::VAULT_IDENTITY, get(vault::identity))
        .route(paths::VAULT_PASSPHRASE, put(vault::change_passphrase))
        .route(paths::VAULT_AUTHOR_KEY, put(vault::register_author_key))
        .route("/api/{*rest}", any(not_found))
        .route("/api", any(not_found))
}

/// Any other path under `/api/`: 404 `no_such_route` (`not_found` means no such entry).
async fn not_found() -> AppError {
    AppError(ErrorCode::NoSuchRoute)
}
