//! The relay's one error type: a [`shared::ErrorCode`] answered as
//! `{ "error": code, "message": text }` with the HTTP status that code means.
//!
//! Internal failures are logged here (without request content) and answered with the
//! generic `internal` code, so no detail of the store leaks to a client. A rate-limited
//! request is answered by [`Throttled`] (or [`WaitThen`], for a code other than
//! `rate_limited`): the same body, plus `Retry-After`.

use std::time::Duration;

use axum::http::header::RETRY_AFTER;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use shared::api::ApiError;
use shared::ErrorCode;

use crate::store::StoreError;

/// An error answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppError(pub ErrorCode);

/// The HTTP status for an error code.
pub fn status_of(code: ErrorCode) -> StatusCode {
    use ErrorCode::*;
    match code {
        Unauthorized | WrongPassphrase => StatusCode::UNAUTHORIZED,
        AccountDisabled => StatusCode::FORBIDDEN,
        StorageFull => StatusCode::INSUFFICIENT_STORAGE,
        Forbidden => StatusCode::FORBIDDEN,
        NotFound | NoSuchRoute | RosterMissing | SettingsMissing => StatusCode::NOT_FOUND,
        TooLarge | ReadTooLarge | QuotaExceeded => StatusCode::PAYLOAD_TOO_LARGE,
        NotJson => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        RequestHeadTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        EntryConflict | AuthorKeyExists => StatusCode::CONFLICT,
        RateLimited | SignInDelayed | UploadRateLimited => StatusCode::TOO_MANY_REQUESTS,
        Internal => StatusCode::INTERNAL_SERVER_ERROR,
        KeyringMalformed | KeyringBadSignature | KeyringWrongSigner | KeyringEmpty | KeyringNoRecovery => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        SettingsMalformed | SettingsBadSignature | SettingsWrongSigner | SettingsInvalid => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        SettingsRollback => StatusCode::CONFLICT,
        _ => StatusCode::BAD_REQUEST,
    }
}

impl From<ErrorCode> for AppError {
    fn from(code: ErrorCode) -> Self {
        AppError(code)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "storage failed");
        AppError(ErrorCode::Internal)
    }
}

impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        tracing::error!(error = %e, "file system failed");
        crate::metrics::blob_error();
        AppError(ErrorCode::Internal)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        (status_of(self.0), Json(ApiError::from(self.0))).into_response()
    }
}

/// 429 `rate_limited` with `Retry-After: <seconds>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled(pub Duration);

impl IntoResponse for Throttled {
    fn into_response(self) -> Response {
        WaitThen(ErrorCode::RateLimited, self.0).into_response()
    }
}

/// A code answered with `Retry-After: <seconds>` (`sign_in_delayed`,
/// `upload_rate_limited`, `rate_limited`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitThen(pub ErrorCode, pub Duration);

impl IntoResponse for WaitThen {
    fn into_response(self) -> Response {
        let secs = crate::rate_limit::retry_after_secs(self.1);
        let mut res = AppError(self.0).into_response();
        res.headers_mut().insert(RETRY_AFTER, secs.into());
        res
    }
}
