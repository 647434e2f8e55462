//! `GET /api/v1/verification`: the privacy officer's check of the store over HTTP.
//!
//! It runs the same checks as `amanat verify` ([`crate::verify`]) and adds, per entry,
//! how many X25519 recipients its header names against the current keyring. It answers
//! metadata only: ids, counts and reasons, never ciphertext or file paths. Each run is
//! an audit event (`verification_run`).
//!
//! A run reads every blob, so only one runs at a time in a relay process (later
//! requests wait for the running one to finish), and it is one pass over the store,
//! page by page.

use axum::extract::State;
use axum::Json;
use shared::age_header::{self, MAX_HEADER_BYTES};
use shared::api::{EntryCheck, VerificationReport};
use shared::{EntryId, ErrorCode};

use crate::access::Permission;
use crate::audit::{AuditAction, NewEvent};
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

/// One verification run at a time: each reads every blob in the store.
fn one_at_a_time() -> &'static tokio::sync::Semaphore {
    static GATE: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    GATE.get_or_init(|| tokio::sync::Semaphore::new(1))
}

pub async fn report(caller: Caller, State(state): State<AppState>) -> Result<Json<VerificationReport>, AppError> {
    caller.may(Permission::ReadVerification)?;
    let _running = one_at_a_time().acquire().await.map_err(|e| {
        tracing::error!(error = %e, "the verification gate is closed");
        AppError(ErrorCode::Internal)
    })?;
    let keyring_recipients = super::keyring::current(&state).await?.map(|k| k.recipient_count());
    let (report, checks) = verify::verify_each(state.store(), move |blobs, id, failure| {
        let x25519 = x25519_in_header(blobs, id);
        EntryCheck {
            id: *id,
            failure: failure.map(str::to_owned),
            x25519,
            below_keyring: keyring_recipients.is_some_and(|n| x25519 < n),
        }
    })
    .await?;
    let audit_failure =
        report.failures.iter().find(|f| f.id.starts_with("audit event")).map(|f| format!("{}: {}", f.id, f.reason));
    let event = NewEvent {
        actor: caller.name(),
        action: AuditAction::VerificationRun,
        subject: "store",
        size: Some(report.entries as u64),
    };
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
