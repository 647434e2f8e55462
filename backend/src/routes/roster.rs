//! `GET /api/v1/roster`: the organisation's signed roster of approved author keys
//! (`DATA/roster.json`, written by `amanat roster approve`), to any signed-in account.
//! The relay passes the file on as stored: the app checks its signature against the
//! organisation key it pins, so a roster the relay altered or signed itself is refused
//! there. 404 `roster_missing` before one is published.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use shared::ErrorCode;

use crate::access::Permission;
use crate::auth::Caller;
use crate::error::AppError;
use crate::roster_file;
use crate::state::AppState;

pub async fn roster(State(state): State<AppState>, caller: Caller) -> Result<Response, AppError> {
    caller.may(Permission::ReadRoster)?;
    let dir = state.config().data_dir.clone();
    let bytes = tokio::task::spawn_blocking(move || roster_file::read_bytes(&dir))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "reading the stored roster failed");
            AppError(ErrorCode::Internal)
        })?
        .map_err(|e| {
            tracing::error!(error = %e, "the stored roster cannot be read");
            AppError(ErrorCode::Internal)
        })?
        .ok_or(AppError(ErrorCode::RosterMissing))?;
    Ok(([(CONTENT_TYPE, "application/json")], bytes).into_response())
}
