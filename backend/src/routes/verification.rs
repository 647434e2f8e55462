//! `GET /api/v1/verification`: the privacy officer's check of the store over HTTP.
//!
//! It runs the same checks as `amanat verify` ([`crate::verify`]) and adds, per entry,
//! how many X25519 recipients its header names against the current keyring. It answers
//! metadata only: ids, counts and reasons, never ciphertext or file paths. Each run is
//! an audit event (`verification_run`).

use axum::extract::State;
use axum::Json;
use shared::age_header::{self, MAX_HEADER_BYTES};
use shared::api::{EntryCheck, VerificationReport};
use shared::{EntryId, ErrorCode};

use crate::access::Action;
use crate::audit::{Action as Event, NewEvent};
use crate::auth::Caller;
use crate::error::AppError;
use crate::state::AppState;
use crate::verify;

/// Recipient stanzas in a stored blob's header; reads only the header (and a little
/// payload, which the shape check wants to see).
fn x25519_in_header(blobs: &crate::blobs::Blobs, id: &EntryId) -> usize {
    use std::io::Read;
    let Ok(file) = std::fs::File::open(blobs.path(id)) else { return 0 };
    let mut head = Vec::with_capacity(MAX_HEADER_BYTES + 64);
    if file.take((MAX_HEADER_BYTES + 64) as u64).read_to_end(&mut head).is_err() {
        return 0;
    }
    age_header::inspect(&head).map_or(0, |s| s.x25519)
}

pub async fn report(caller: Caller, State(state): State<AppState>) -> Result<Json<VerificationReport>, AppError> {
    caller.may(Action::ReadVerification)?;
    let report = verify::verify(state.store()).await?;
    let keyring_recipients = super::keyring::current(&state).await?.map(|k| k.recipient_count());
    let rows = state.store().all_entries().await?;
    let blobs = state.store().blobs().clone();
    let failures = report.failures.clone();
    let checks = tokio::task::spawn_blocking(move || {
        rows.iter()
            .map(|row| {
                let id = row.meta.id;
                let x25519 = x25519_in_header(&blobs, &id);
                let failure = failures.iter().find(|f| f.id == id.to_string()).map(|f| f.reason.clone());
                EntryCheck { id, failure, x25519, below_keyring: keyring_recipients.is_some_and(|n| x25519 < n) }
            })
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|_| AppError(ErrorCode::Internal))?;
    let audit_failure = report.failures.iter().find(|f| f.id.starts_with("audit event")).map(|f| format!("{}: {}", f.id, f.reason));
    let event = NewEvent { actor: caller.name(), action: Event::VerificationRun, subject: "store", size: Some(report.entries as u64) };
    state.store().audit(&event).await?;
    tracing::info!(entries = report.entries, ok = report.ok(), "verification report");
    Ok(Json(VerificationReport {
        ok: report.ok(),
        entries: report.entries,
        passed: report.passed,
        warnings: report.warnings.len(),
        keyring_recipients,
        checks,
        audit_events: report.audit_events,
        audit_head: report.audit_head,
        audit_failure,
    }))
}
