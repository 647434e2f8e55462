//! `GET /api/v1/keyring`: the signed keyring, public. The app checks its signature
//! against the organisation key it pins; the relay only passes it on.

use axum::extract::State;
use axum::Json;
use shared::keyring::Keyring;
use shared::ErrorCode;

use crate::error::AppError;
use crate::keyring_file;
use crate::state::AppState;

/// The stored keyring, read afresh so a CLI change shows at once.
pub async fn current(state: &AppState) -> Result<Option<Keyring>, AppError> {
    let dir = state.config().data_dir.clone();
    tokio::task::spawn_blocking(move || keyring_file::load(&dir))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "reading the stored keyring failed");
            AppError(ErrorCode::Internal)
        })?
        .map_err(|e| {
            tracing::error!(error = %e, "the stored keyring cannot be read");
            AppError(ErrorCode::KeyringMalformed)
        })
}

pub async fn keyring(State(state): State<AppState>) -> Result<Json<Keyring>, AppError> {
    current(&state).await?.map(Json).ok_or(AppError(ErrorCode::KeyringEmpty))
}
