//! The one reader of JSON request bodies: every route that takes JSON reads it through
//! [`json_body`], so the rules are the same everywhere.
//!
//! The rules: only `Content-Type: application/json` is read (415 `not_json`
//! otherwise: a cross-site HTML form cannot send it without a CORS preflight, which this
//! relay never grants, a CSRF defence beside `SameSite=Strict`); at most the route's
//! cap in bytes, [`DEFAULT_CAP`] unless the route needs more (413 `too_large`); the
//! whole body within [`JSON_BODY_DEADLINE`] (400 `bad_request`); then it must parse as
//! the route's type (400 `bad_request`).
//!
//! What this is not: the upload body (`PUT /api/v1/entries/{id}`), which is streamed
//! by [`crate::upload`] under `--max-body`.

use std::time::Duration;

use axum::body::Body;
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderMap;
use serde::de::DeserializeOwned;
use shared::ErrorCode;

use crate::error::AppError;

/// The whole of a JSON body must arrive within this (the body timeout only bounds the
/// pause between pieces, which a client sending a byte at a time never exceeds).
pub const JSON_BODY_DEADLINE: Duration = Duration::from_secs(15);

/// A JSON body's cap unless its route says otherwise: sign-in, enrolment and
/// passphrase bodies hold a name, a token or a few base64 keys.
pub const DEFAULT_CAP: usize = 16 * 1024;

/// Reads a JSON body of at most `limit` bytes within [`JSON_BODY_DEADLINE`] (the
/// rules are the module's).
pub async fn json_body<T: DeserializeOwned>(headers: &HeaderMap, body: Body, limit: usize) -> Result<T, AppError> {
    let is_json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(ErrorCode::NotJson.into());
    }
    let read = axum::body::to_bytes(body, limit);
    let bytes =
        tokio::time::timeout(JSON_BODY_DEADLINE, read).await.map_err(|_| ErrorCode::BadRequest)?.map_err(|e| {
            let too_large = std::error::Error::source(&e).is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
            if too_large {
                ErrorCode::TooLarge
            } else {
                ErrorCode::BadRequest
            }
        })?;
    serde_json::from_slice(&bytes).map_err(|_| ErrorCode::BadRequest.into())
}
