//! Entries: upload (`PUT`), list (`GET /entries`) and download (`GET /entries/{id}`).
//!
//! An upload is checked in a fixed order (auth, id, case, size, hash, age shape and
//! recipient count) and stored durably before it is answered. The same bytes sent
//! again are answered 200 without a second copy, even after the keyring has grown, so
//! an outbox retry whose first answer was lost always succeeds. Who sees what is
//! [`crate::access`]'s table: caseworkers only their own cases (a case belongs to the
//! caseworker who uploaded its first entry; adding to another's case is 403), advisers
//! everything, privacy officers and admins all metadata and no ciphertext.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use shared::api::{EntryMeta, EntryPage, Stored, CASE_HEADER, KEYRING_VERSION_HEADER, PAGE_SIZE};
use shared::ingest::{self, Target};
use shared::{CaseId, EntryId, ErrorCode};

use crate::access::{Action as Access, Scope};
use crate::audit::{Action, NewEvent};
use crate::auth::Caller;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{now_rfc3339, EntryFilter};

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|v| v.to_str().unwrap_or("\u{fffd}"))
}

/// Reads the body, refusing more than `max` bytes with `too_large`.
async fn read_body(headers: &HeaderMap, body: Body, max: usize) -> Result<Vec<u8>, AppError> {
    let declared = header(headers, CONTENT_LENGTH.as_str()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(ErrorCode::TooLarge.into());
    }
    match axum::body::to_bytes(body, max).await {
        Ok(b) => Ok(b.to_vec()),
        Err(e) => {
            let too_large = std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
            Err(if too_large { ErrorCode::TooLarge } else { ErrorCode::BadRequest }.into())
        }
    }
}

/// `PUT /api/v1/entries/{id}`
pub async fn put(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    let scope = caller.may(Access::UploadEntry)?;
    let Target { id, case } = ingest::target(&id, header(&headers, CASE_HEADER))?;
    if scope == Scope::Own {
        check_case_owner(&state, &case, caller.name()).await?;
    }
    let keyring_version = match header(&headers, KEYRING_VERSION_HEADER) {
        None => None,
        Some(v) => Some(v.parse::<u64>().map_err(|_| ErrorCode::BadRequest)?),
    };
    let bytes = read_body(&headers, body, state.config().max_body).await?;
    ingest::check_hash(&id, &bytes)?;
    let size = bytes.len();
    if state.store().entry(&id).await?.is_some() {
        tracing::info!(entry = %id, size, created = false, "entry already stored");
        return Ok((StatusCode::OK, Json(Stored { id, created: false })).into_response());
    }
    let min_recipients = super::keyring::current(&state).await?.map_or(1, |k| k.recipient_count());
    let (ciphertext, _) = ingest::check_age(bytes, min_recipients)?;

    let blobs = state.store().blobs().clone();
    tokio::task::spawn_blocking(move || blobs.put(&id, ciphertext.as_bytes()))
        .await
        .map_err(|_| AppError(ErrorCode::Internal))??;
    let meta = EntryMeta {
        id,
        case,
        size: size as u64,
        received_at: now_rfc3339(),
        author: caller.name().to_owned(),
        keyring_version,
    };
    let created = state.store().insert_entry(&meta).await?;
    tracing::info!(entry = %id, size, created, author = caller.name(), "entry stored");
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(Stored { id, created })).into_response())
}

/// Refuses (403) to add to a case whose first entry another account uploaded.
async fn check_case_owner(state: &AppState, case: &CaseId, name: &str) -> Result<(), AppError> {
    let first = EntryFilter { case: Some(*case), author: None, after_seq: 0, limit: 1 };
    match state.store().entries(&first).await?.first() {
        Some(row) if row.meta.author != name => Err(ErrorCode::Forbidden.into()),
        _ => Ok(()),
    }
}

/// Query of `GET /api/v1/entries`.
#[derive(Deserialize)]
pub struct ListQuery {
    case: Option<String>,
    after: Option<String>,
}

/// `GET /api/v1/entries?case=…&after=…`
pub async fn list(
    caller: Caller,
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Json<EntryPage>, AppError> {
    let case = q.case.as_deref().filter(|c| !c.is_empty()).map(str::parse::<CaseId>).transpose()?;
    let after_seq = match q.after.as_deref().filter(|a| !a.is_empty()) {
        None => 0,
        Some(a) => a.parse::<i64>().ok().filter(|n| *n >= 0).ok_or(ErrorCode::BadRequest)?,
    };
    let scope = caller.may(Access::ListEntries)?;
    let author = (scope == Scope::Own).then(|| caller.name().to_owned());
    let page_size = state.config().page_size.clamp(1, PAGE_SIZE);
    let filter = EntryFilter { case, author, after_seq, limit: page_size + 1 };
    let mut rows = state.store().entries(&filter).await?;
    let next = if rows.len() > page_size {
        rows.truncate(page_size);
        rows.last().map(|r| r.seq.to_string())
    } else {
        None
    };
    Ok(Json(EntryPage { entries: rows.into_iter().map(|r| r.meta).collect(), next }))
}

/// `GET /api/v1/entries/{id}`: the ciphertext, byte for byte.
pub async fn get(caller: Caller, State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, AppError> {
    let scope = caller.may(Access::ReadCiphertext)?;
    let id: EntryId = id.parse()?;
    let row = state.store().entry(&id).await?.ok_or(ErrorCode::NotFound)?;
    // Another caseworker's entry is answered as if it did not exist.
    if scope == Scope::Own && row.meta.author != caller.name() {
        return Err(ErrorCode::NotFound.into());
    }
    let blobs = state.store().blobs().clone();
    let bytes = tokio::task::spawn_blocking(move || blobs.get(&id))
        .await
        .map_err(|_| AppError(ErrorCode::Internal))??
        .ok_or_else(|| {
            tracing::error!(entry = %id, "the blob of a recorded entry is missing; run `amanat verify`");
            AppError(ErrorCode::Internal)
        })?;
    let subject = id.to_string();
    let event = NewEvent { actor: caller.name(), action: Action::EntryRead, subject: &subject, size: Some(bytes.len() as u64) };
    state.store().audit(&event).await?;
    tracing::info!(entry = %id, size = bytes.len(), "entry sent");
    Ok(([(CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
}
