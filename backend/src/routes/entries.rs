//! Entries: upload (`PUT`), list (`GET /entries`), download (`GET /entries/{id}`) and
//! download many at once (`POST /entries/read`).
//!
//! An upload is checked in a fixed order (auth, then `shared::ingest::run`: each header
//! once, id, case, access to the case, the replaced entry, the keyring version, room,
//! size, hash, "already stored", age shape and recipient count) and
//! stored durably before it is answered. The same bytes sent
//! again are answered 200 without a second copy, even after the keyring has grown, so
//! an outbox retry whose first answer was lost always succeeds. Who sees what is
//! [`crate::access`]'s table: caseworkers only their own cases (a case belongs to the
//! caseworker who first stores into it, claimed atomically in the `cases` table; adding
//! to another's case is 403), advisers everything, privacy officers and admins all
//! metadata and no ciphertext. "Already stored" (200) is answered only to the same
//! author for the same case; the same bytes under another author or case are 409
//! `entry_conflict`, so nobody can take over an entry by uploading a copy first.
//!
//! An upload may name, with `Amanat-Supersedes`, an entry of the same case that it
//! replaces (recorded for `amanat entries remove --superseded`); an adviser's upload
//! must (advisers upload only re-seals, see [`crate::access`]). Each of the upload's
//! headers comes at most once, and a declared `Amanat-Keyring-Version` is at most the
//! current keyring's: those rules are steps of `shared::ingest::run`
//! (`shared::ingest::headers`); this file answers what they ask of the store. A caseworker's upload into another's case is refused before its
//! body is read, but a new case is claimed only with the entry stored into it, in one
//! transaction ([`crate::store::Store::record_entry`]): an upload refused on the way
//! (400, 409) leaves the case free.
//!
//! A new entry (not a retry of one stored) also meets the account's quota, its upload
//! rate and the relay's free-space floor ([`crate::quota`]): 413 `quota_exceeded`, 429
//! `upload_rate_limited` with `Retry-After`, 507 `storage_full`.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header::RETRY_AFTER;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use shared::api::{
    frames, ApiError, EntryMeta, EntryPage, ReadMany, Stored, CASE_HEADER, KEYRING_VERSION_HEADER, PAGE_SIZE,
    READ_MANY_MAX, READ_MANY_MAX_BYTES, SUPERSEDES_HEADER,
};
use shared::ingest::{self, Accepted, Declared, HeaderRefusal, Outcome, Steps, Target, UploadHeaders};
use shared::{CaseId, EntryId, ErrorCode};

use crate::access::{Permission, Scope};
use crate::audit::{AuditAction, NewEvent};
use crate::auth::Caller;
use crate::error::AppError;
use crate::json_body::json_body;
use crate::quota;
use crate::state::AppState;
use crate::store::{now_rfc3339, EntryFilter, Recorded, StoreError};
use crate::upload;

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|v| v.to_str().unwrap_or("\u{fffd}"))
}

/// A refused upload: an error code, answered with the code's own sentence or, where
/// that would mislead (a header at fault, not the body), with a sentence of its own.
#[derive(Debug)]
pub struct Refused {
    code: ErrorCode,
    message: Option<&'static str>,
    /// `Retry-After` (a rate refusal).
    retry_after: Option<std::time::Duration>,
}

impl From<ErrorCode> for Refused {
    fn from(code: ErrorCode) -> Self {
        Refused { code, message: None, retry_after: None }
    }
}

impl From<HeaderRefusal> for Refused {
    fn from(r: HeaderRefusal) -> Self {
        Refused { code: r.code, message: r.message, retry_after: None }
    }
}

impl From<quota::Refusal> for Refused {
    fn from(r: quota::Refusal) -> Self {
        Refused { code: r.code, message: None, retry_after: r.retry_after }
    }
}

impl From<AppError> for Refused {
    fn from(e: AppError) -> Self {
        e.0.into()
    }
}

impl From<StoreError> for Refused {
    fn from(e: StoreError) -> Self {
        AppError::from(e).into()
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let message = self.message.map_or_else(|| self.code.message().to_owned(), str::to_owned);
        let mut res =
            (crate::error::status_of(self.code), Json(ApiError { error: self.code, message })).into_response();
        if let Some(wait) = self.retry_after {
            res.headers_mut().insert(RETRY_AFTER, crate::rate_limit::retry_after_secs(wait).into());
        }
        res
    }
}

/// Every line of a header (a value that is not text as U+FFFD, which no rule accepts).
fn header_lines<'a>(headers: &'a HeaderMap, name: &str) -> Vec<&'a str> {
    headers.get_all(name).iter().map(|v| v.to_str().unwrap_or("\u{fffd}")).collect()
}

/// `PUT /api/v1/entries/{id}`: the ingest steps ([`shared::ingest::run`], the function
/// the fuzz target attacks) with this relay's access rules, body reading and store
/// between them ([`PutSteps`]), then the entry stored and answered.
pub async fn put(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Refused> {
    let scope = caller.may(Permission::UploadEntry)?;
    let (case, supersedes, keyring_version) = (
        header_lines(&headers, CASE_HEADER),
        header_lines(&headers, SUPERSEDES_HEADER),
        header_lines(&headers, KEYRING_VERSION_HEADER),
    );
    let upload_headers = UploadHeaders { case: &case, supersedes: &supersedes, keyring_version: &keyring_version };
    let mut steps =
        PutSteps { caller: &caller, state: &state, headers: &headers, scope, body: Some(body), claims: None };
    let outcome = ingest::run(&id, &upload_headers, &mut steps).await?;
    let claims = steps.claims;
    let (Target { id, case }, Declared { supersedes, keyring_version }, received) = match outcome {
        Outcome::AlreadyStored { target: Target { id, .. }, declared: Declared { supersedes, .. }, body } => {
            let size = body.size;
            // A retry whose first answer was lost records what the first one may not have.
            if let Some(old) = &supersedes {
                state.store().record_supersession(&id, old, caller.name()).await?;
            }
            tracing::info!(entry = %id, size, created = false, "entry already stored");
            return Ok((StatusCode::OK, Json(Stored { id, created: false })).into_response());
        }
        Outcome::Accepted(Accepted { target, declared, body, .. }) => (target, declared, body),
    };
    let size = received.size;
    // The body's real size (a client need not declare it) against the quota and floor.
    quota::check_room(&state, caller.name(), size).await?;
    if claims == Some(false) {
        // A new case when admitted: asked again before the blob is kept, so an upload that
        // lost the race for the case while its body arrived leaves no blob behind.
        check_case_owner(&state, &case, caller.name()).await?;
    }
    received.commit().await?;
    let meta =
        EntryMeta { id, case, size, received_at: now_rfc3339(), author: caller.name().to_owned(), keyring_version };
    // A caseworker's first entry into a case claims it, in the transaction that stores it.
    let created = match state.store().record_entry(&meta, claims.is_some()).await? {
        Recorded::Created => true,
        Recorded::AlreadyThere => false,
        Recorded::CaseOwnedByAnother => {
            // Another caseworker's first entry into this case was stored since `admit`.
            tracing::info!(entry = %id, "the case was claimed by another account during the upload");
            return Err(ErrorCode::Forbidden.into());
        }
    };
    if created {
        state.usage().add(caller.name(), size);
    } else {
        // Recorded by a concurrent upload of the same bytes: whose is it?
        let row = state.store().entry(&id).await?.ok_or_else(|| {
            tracing::error!(entry = %id, "an entry the store called already recorded is not there");
            AppError(ErrorCode::Internal)
        })?;
        same_entry(&row.meta, &case, caller.name())?;
    }
    if let Some(old) = &supersedes {
        state.store().record_supersession(&id, old, caller.name()).await?;
        tracing::info!(entry = %id, supersedes = %old, "supersession recorded");
    }
    tracing::info!(entry = %id, size, created, author = caller.name(), "entry stored");
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(Stored { id, created })).into_response())
}

/// What the relay does between the ingest checks of one upload.
struct PutSteps<'a> {
    caller: &'a Caller,
    state: &'a AppState,
    headers: &'a HeaderMap,
    /// How far the caller's upload right reaches.
    scope: Scope,
    /// The body, until it is read.
    body: Option<Body>,
    /// Set by [`Steps::admit`]: a caseworker's upload claims its case with its entry,
    /// `Some(true)` if the case was the caller's already when admitted, `Some(false)`
    /// if nobody owned it yet; `None` for other roles.
    claims: Option<bool>,
}

impl Steps for PutSteps<'_> {
    type Error = Refused;
    type Body = upload::Received;

    async fn admit(&mut self, target: &Target, superseding: bool) -> Result<(), Refused> {
        self.claims = match self.scope {
            Scope::Own => Some(check_case_owner(self.state, &target.case, self.caller.name()).await?),
            // An adviser uploads only re-seals of entries already in the case.
            Scope::Superseding if !superseding => return Err(ErrorCode::Forbidden.into()),
            _ => None,
        };
        Ok(())
    }

    async fn supersedable(&mut self, old: &EntryId, target: &Target) -> Result<bool, Refused> {
        Ok(self.state.store().entry(old).await?.is_some_and(|row| row.meta.case == target.case))
    }

    async fn keyring_version(&mut self) -> Result<u64, Refused> {
        Ok(super::keyring::current(self.state).await?.map_or(0, |k| k.version))
    }

    /// Storage limits, for bytes not stored yet ([`quota::admit_upload`]).
    async fn reserve(&mut self, target: &Target) -> Result<(), Refused> {
        if self.state.store().entry(&target.id).await?.is_none() {
            let declared = header(self.headers, CONTENT_LENGTH.as_str()).and_then(|v| v.parse::<u64>().ok());
            quota::admit_upload(self.state, self.caller.name(), declared.unwrap_or(0)).await?;
        }
        Ok(())
    }

    /// Streamed: hashed as it arrives, spilled to a temporary blob ([`crate::upload`]).
    async fn receive(&mut self, target: &Target) -> Result<upload::Received, Refused> {
        let body = self.body.take().ok_or(ErrorCode::BadRequest)?;
        let declared = header(self.headers, CONTENT_LENGTH.as_str()).and_then(|v| v.parse::<u64>().ok());
        let (max, blobs) = (self.state.config().max_body, self.state.store().blobs());
        Ok(upload::receive(body, declared, max, &target.id, blobs).await?)
    }

    /// Stored already: by this caller in this case (200), or by someone else (409).
    async fn already_stored(&mut self, target: &Target) -> Result<bool, Refused> {
        match self.state.store().entry(&target.id).await? {
            Some(row) => Ok(same_entry(&row.meta, &target.case, self.caller.name()).map(|()| true)?),
            None => Ok(false),
        }
    }

    async fn min_recipients(&mut self) -> Result<usize, Refused> {
        Ok(super::keyring::current(self.state).await?.map_or(1, |k| k.recipient_count()))
    }
}

/// Refuses (409) an upload of bytes already stored by another author or in another
/// case: answering 200 would tell the uploader it is theirs when it is not.
fn same_entry(stored: &EntryMeta, case: &CaseId, author: &str) -> Result<(), AppError> {
    if stored.author == author && stored.case == *case {
        Ok(())
    } else {
        tracing::info!(entry = %stored.id, "the same bytes are stored under another author or case");
        Err(ErrorCode::EntryConflict.into())
    }
}

/// Refuses (403) to add to a case another account owns; answers whether the case is
/// `name`'s already (false: nobody owns it yet). A new case is not claimed here but with
/// the entry stored into it (see [`put`]).
async fn check_case_owner(state: &AppState, case: &CaseId, name: &str) -> Result<bool, AppError> {
    match state.store().case_owner(case).await? {
        Some(owner) if owner != name => Err(ErrorCode::Forbidden.into()),
        owner => Ok(owner.is_some()),
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
    let scope = caller.may(Permission::ListEntries)?;
    let case = q.case.as_deref().filter(|c| !c.is_empty()).map(str::parse::<CaseId>).transpose()?;
    let after_seq = match q.after.as_deref().filter(|a| !a.is_empty()) {
        None => 0,
        Some(a) => a.parse::<i64>().ok().filter(|n| *n >= 0).ok_or(ErrorCode::BadRequest)?,
    };
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
    let subject = case.map_or_else(|| "*".to_owned(), |c| c.to_string());
    let event = NewEvent {
        actor: caller.name(),
        action: AuditAction::EntriesListed,
        subject: &subject,
        size: Some(rows.len() as u64),
    };
    state.store().audit(&event).await?;
    Ok(Json(EntryPage { entries: rows.into_iter().map(|r| r.meta).collect(), next }))
}

/// `GET /api/v1/entries/{id}`: the ciphertext, byte for byte.
pub async fn get(caller: Caller, State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, AppError> {
    let scope = caller.may(Permission::ReadCiphertext)?;
    let id: EntryId = id.parse()?;
    let row = state.store().entry(&id).await?.ok_or(ErrorCode::NotFound)?;
    // Another caseworker's entry is answered as if it did not exist.
    if scope == Scope::Own && row.meta.author != caller.name() {
        return Err(ErrorCode::NotFound.into());
    }
    let blobs = state.store().blobs().clone();
    let (file, len) = tokio::task::spawn_blocking(move || blobs.open(&id))
        .await
        .map_err(|e| {
            tracing::error!(entry = %id, error = %e, "opening a blob failed");
            AppError(ErrorCode::Internal)
        })??
        .ok_or_else(|| {
            tracing::error!(entry = %id, "the blob of a recorded entry is missing; run `amanat verify`");
            AppError(ErrorCode::Internal)
        })?;
    let subject = id.to_string();
    let event = NewEvent { actor: caller.name(), action: AuditAction::EntryRead, subject: &subject, size: Some(len) };
    state.store().audit(&event).await?;
    tracing::info!(entry = %id, size = len, "entry sent");
    // Streamed from the file in 64 KiB pieces: a gigabyte entry never sits in memory.
    let stream = tokio_util::io::ReaderStream::with_capacity(tokio::fs::File::from_std(file), 64 * 1024);
    Ok((
        [(CONTENT_TYPE, "application/octet-stream".to_owned()), (CONTENT_LENGTH, len.to_string())],
        Body::from_stream(stream),
    )
        .into_response())
}

/// The body cap of a bulk read: [`READ_MANY_MAX`] ids of 64 hex digits, each quoted
/// and comma-separated (67 bytes), the braces and key, and room for whitespace.
pub const READ_MANY_BODY_CAP: usize = READ_MANY_MAX * 67 + 4 * 1024;

/// `POST /api/v1/entries/read` `{ "ids": [...] }` (at most [`READ_MANY_MAX`]): the
/// asked entries as one binary stream of frames ([`shared::api::frames`]), in the order
/// asked, so a key holder opening 10 000 entries makes 20 requests, not 10 000. Same
/// access as `GET /api/v1/entries/{id}` (advisers everything, caseworkers their own; an
/// entry the caller may not see is a "missing" frame, as a single read answers 404),
/// and each entry sent is audited as a single read is (`entry_read`, its id and size),
/// all in one transaction before the first byte goes out.
///
/// Refused before anything is read or audited: a body that breaks the JSON rules
/// ([`crate::json_body`], capped at [`READ_MANY_BODY_CAP`]), an id asked twice (400
/// `duplicate_ids`), and more than one entry adding up to over [`READ_MANY_MAX_BYTES`]
/// (413 `read_too_large`; one entry alone is sent whatever its size, as a single read).
pub async fn read_many(
    caller: Caller,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    let scope = caller.may(Permission::ReadCiphertext)?;
    let ask: ReadMany = json_body(&headers, body, READ_MANY_BODY_CAP).await?;
    if ask.ids.is_empty() || ask.ids.len() > READ_MANY_MAX {
        return Err(ErrorCode::BadRequest.into());
    }
    // One id asked twice would be sent (and audited) twice: 500 copies of one large
    // entry is a 31 GiB answer to a 33 KB request.
    let mut seen = std::collections::HashSet::with_capacity(ask.ids.len());
    if !ask.ids.iter().all(|id| seen.insert(*id)) {
        return Err(ErrorCode::DuplicateIds.into());
    }
    // What to send: each id with its size, or `None` for a missing frame. The size is
    // the blob file's own (checked here, so a missing blob is a 500 before streaming).
    let blobs = state.store().blobs().clone();
    let mut plan: Vec<(EntryId, Option<u64>)> = Vec::with_capacity(ask.ids.len());
    for id in ask.ids {
        let visible = match state.store().entry(&id).await? {
            Some(row) => scope == Scope::All || row.meta.author == caller.name(),
            None => false,
        };
        if !visible {
            plan.push((id, None));
            continue;
        }
        let path = blobs.path(&id);
        let len = tokio::fs::metadata(&path).await.map(|m| m.len()).map_err(|_| {
            tracing::error!(entry = %id, "the blob of a recorded entry is missing; run `amanat verify`");
            AppError(ErrorCode::Internal)
        })?;
        plan.push((id, Some(len)));
    }
    let subjects: Vec<(String, u64)> = plan.iter().filter_map(|(id, len)| len.map(|l| (id.to_string(), l))).collect();
    let entry_bytes: u64 = subjects.iter().map(|(_, len)| len).sum();
    if subjects.len() > 1 && entry_bytes > READ_MANY_MAX_BYTES {
        tracing::info!(entries = subjects.len(), bytes = entry_bytes, "bulk read over its byte cap refused");
        return Err(ErrorCode::ReadTooLarge.into());
    }
    let events: Vec<NewEvent<'_>> = subjects
        .iter()
        .map(|(subject, len)| NewEvent {
            actor: caller.name(),
            action: AuditAction::EntryRead,
            subject,
            size: Some(*len),
        })
        .collect();
    state.store().audit_many(&events).await?;
    let total: u64 = plan.iter().map(|(_, len)| frames::HEADER_LEN as u64 + len.unwrap_or(0)).sum();
    tracing::info!(
        entries = subjects.len(),
        missing = plan.len() - subjects.len(),
        bytes = total,
        "entries sent in bulk"
    );

    // Streamed frame by frame, each file in 64 KiB pieces: 500 large entries never sit
    // in memory together. A file that changes size underneath ends the stream early
    // (the client sees a cut answer and refuses it whole) rather than sending a lie.
    let stream = futures_util::stream::unfold(
        (plan.into_iter(), blobs, None::<(tokio::fs::File, u64)>),
        |(mut plan, blobs, mut current)| async move {
            use tokio::io::AsyncReadExt;
            loop {
                if let Some((file, left)) = current.as_mut() {
                    if *left == 0 {
                        current = None;
                        continue;
                    }
                    let mut buf = vec![0u8; (*left).min(64 * 1024) as usize];
                    return match file.read(&mut buf).await {
                        Ok(0) | Err(_) => {
                            Some((Err(std::io::Error::other("entry blob ended early")), (plan, blobs, None)))
                        }
                        Ok(n) => {
                            buf.truncate(n);
                            *left -= n as u64;
                            Some((Ok(axum::body::Bytes::from(buf)), (plan, blobs, current)))
                        }
                    };
                }
                let (id, len) = plan.next()?;
                let Some(len) = len else {
                    let h = frames::header(&id, frames::MISSING, 0);
                    return Some((Ok(axum::body::Bytes::copy_from_slice(&h)), (plan, blobs, None)));
                };
                let file = match tokio::fs::File::open(blobs.path(&id)).await {
                    Ok(f) => f,
                    Err(e) => return Some((Err(e), (plan, blobs, None))),
                };
                let h = frames::header(&id, frames::ENTRY, len);
                return Some((Ok(axum::body::Bytes::copy_from_slice(&h)), (plan, blobs, Some((file, len)))));
            }
        },
    );
    Ok((
        [(CONTENT_TYPE, "application/octet-stream".to_owned()), (CONTENT_LENGTH, total.to_string())],
        Body::from_stream(stream),
    )
        .into_response())
}
