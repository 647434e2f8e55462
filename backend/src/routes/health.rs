//! `GET /api/v1/health`: the relay is up and can reach its store.

use axum::extract::State;
use axum::Json;
use shared::api::Health;

use crate::error::AppError;
use crate::state::AppState;

pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, AppError> {
    state.store().users().await?;
    Ok(Json(Health { status: "ok".into(), version: env!("CARGO_PKG_VERSION").into() }))
}
