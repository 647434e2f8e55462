//! `GET /api/v1/settings`: the organisation's signed settings (`DATA/settings.json`,
//! installed with `amanat settings install`), public like the keyring: the consent
//! form shows the operator from them before anyone signs in to save. The relay passes
//! the file on as stored; the app checks its signature against the organisation key
//! it pins, so settings the relay altered or signed itself are refused there. 404
//! `settings_missing` before any are installed.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use shared::ErrorCode;

use crate::error::AppError;
use crate::settings_file;
use crate::state::AppState;

pub async fn org_settings(State(state): State<AppState>) -> Result<Response, AppError> {
    let dir = state.config().data_dir.clone();
    let bytes = tokio::task::spawn_blocking(move || settings_file::read_bytes(&dir))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "reading the stored settings failed");
            AppError(ErrorCode::Internal)
        })?
        .map_err(|e| {
            tracing::error!(error = %e, "the stored settings cannot be read");
            AppError(ErrorCode::Internal)
        })?
        .ok_or(AppError(ErrorCode::SettingsMissing))?;
    Ok(([(CONTENT_TYPE, "application/json")], bytes).into_response())
}
