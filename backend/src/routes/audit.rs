//! `GET /api/v1/audit?after=…`: the audit log, for privacy officers and admins.

use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use shared::api::{AuditPage, PAGE_SIZE};
use shared::ErrorCode;

use crate::access::Permission;
use crate::auth::Caller;
use crate::error::AppError;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct AuditQuery {
    after: Option<String>,
}

pub async fn list(
    caller: Caller,
    State(state): State<AppState>,
    Query(q): Query<AuditQuery>,
) -> Result<Json<AuditPage>, AppError> {
    caller.may(Permission::ReadAudit)?;
    let after = match q.after.as_deref().filter(|a| !a.is_empty()) {
        None => 0,
        Some(a) => a.parse::<u64>().map_err(|_| ErrorCode::BadRequest)?,
    };
    let page_size = state.config().page_size.clamp(1, PAGE_SIZE);
    let mut events: Vec<_> =
        state.store().audit_events(after, page_size + 1).await?.into_iter().map(|(e, _)| e).collect();
    let next = if events.len() > page_size {
        events.truncate(page_size);
        events.last().map(|e| e.seq.to_string())
    } else {
        None
    };
    Ok(Json(AuditPage { events, next }))
}
