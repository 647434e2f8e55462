//! `GET /api/v1/health`: the relay is up and can reach its store. `GET /api/v1/ready`:
//! it can take uploads now (the database answers and the blob store is writable), for
//! a load balancer or a monitor to ask before sending traffic.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use shared::api::{Health, Ready};

use crate::error::AppError;
use crate::state::AppState;

pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, AppError> {
    state.store().users().await?;
    Ok(Json(Health { status: "ok".into(), version: env!("CARGO_PKG_VERSION").into() }))
}

pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Ready>) {
    let database = match state.store().users().await {
        Ok(_) => true,
        Err(e) => {
            tracing::warn!(error = %e, "readiness: the database does not answer");
            false
        }
    };
    let blobs = state.store().blobs().clone();
    let blobs_writable = match tokio::task::spawn_blocking(move || blobs.probe_writable()).await {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: the blob store is not writable");
            false
        }
        Err(e) => {
            tracing::warn!(error = %e, "readiness: the blob check failed");
            false
        }
    };
    let status = if database && blobs_writable { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(Ready { database, blobs_writable }))
}
