//! Headers on every answer, API and app alike: a strict Content-Security-Policy and
//! the other browser protections; `Cache-Control: no-store` on the API so no case data
//! lands in the HTTP cache of a shared computer.
//!
//! A relay served over HTTPS (`--secure-cookies`) also sends HSTS on every answer
//! ([`strict_transport_security`]), so a browser that has seen it once never asks it
//! over plain HTTP again.
//!
//! It also makes sure every API error is the JSON `{ error, message }`, including the
//! ones axum produces itself (unknown method, malformed path).

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use shared::ErrorCode;

use crate::error::AppError;

/// The app's Content-Security-Policy: only its own scripts (and wasm), no inline code,
/// no framing, no plugins; workers only from the app's own files (the adviser's opening
/// workers, `open-worker.js`, and the service worker).
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; \
frame-ancestors 'none'; form-action 'self'";

const PERMISSIONS: &str = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()";

fn set(res: &mut Response, name: HeaderName, value: &'static str) {
    res.headers_mut().insert(name, HeaderValue::from_static(value));
}

/// Middleware: adds the security headers (and JSON-ifies stray API errors).
pub async fn security_headers(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/") || req.uri().path() == "/api";
    let mut res = next.run(req).await;
    if is_api && res.status().as_u16() >= 400 && !is_json(&res) {
        if res.status().is_server_error() {
            // Not one of ours (those are JSON, their cause logged where they were made).
            tracing::error!(status = res.status().as_u16(), "a layer below the handlers answered a server error");
        }
        res = json_error_for(res.status()).into_response();
    }
    set(&mut res, header::CONTENT_SECURITY_POLICY, CSP);
    set(&mut res, header::REFERRER_POLICY, "no-referrer");
    set(&mut res, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(&mut res, header::X_FRAME_OPTIONS, "DENY");
    set(&mut res, HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    set(&mut res, HeaderName::from_static("cross-origin-resource-policy"), "same-origin");
    set(&mut res, HeaderName::from_static("permissions-policy"), PERMISSIONS);
    if is_api {
        set(&mut res, header::CACHE_CONTROL, "no-store");
    }
    res
}

/// `Strict-Transport-Security` (two years, subdomains too), for a relay served over HTTPS.
pub const HSTS: &str = "max-age=63072000; includeSubDomains";

/// Middleware (with `--secure-cookies` only): adds [`HSTS`].
pub async fn strict_transport_security(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    set(&mut res, header::STRICT_TRANSPORT_SECURITY, HSTS);
    res
}

fn is_json(res: &Response<Body>) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

fn json_error_for(status: StatusCode) -> AppError {
    AppError(match status {
        StatusCode::NOT_FOUND => ErrorCode::NotFound,
        StatusCode::UNAUTHORIZED => ErrorCode::Unauthorized,
        StatusCode::FORBIDDEN => ErrorCode::Forbidden,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::TooLarge,
        StatusCode::TOO_MANY_REQUESTS => ErrorCode::RateLimited,
        s if s.is_server_error() => ErrorCode::Internal,
        _ => ErrorCode::BadRequest,
    })
}
