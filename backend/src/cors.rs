//! Cross-origin access to the API for one app origin (`amanat serve --app-origin`), so
//! the app can be served from a static host the relay operator does not control.
//!
//! With an app origin set, an API request whose `Origin` is exactly that origin gets
//! `Access-Control-Allow-Origin: <it>` and `Access-Control-Allow-Credentials: true`
//! (the app sends its session cookie, `credentials: "include"`), and may read
//! `Retry-After`; its preflight (`OPTIONS` with `Access-Control-Request-Method`) is
//! answered 204 with the methods and headers the app uses and a ten-minute
//! `Access-Control-Max-Age`. Any other origin gets no CORS header at all (its
//! preflight a JSON 403), so a browser never lets a page there read an answer or send
//! a write that needs a preflight; the cookie-authenticated writes that need none are
//! refused by [`crate::auth::cross_site`], which accepts this one origin only. Every
//! API answer says `Vary: Origin`.
//!
//! Without an app origin nothing here runs: the app is served by the relay itself,
//! same-origin, as before.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use shared::origin::WebOrigin;
use shared::ErrorCode;

use crate::error::AppError;

/// The methods the app sends.
pub const ALLOW_METHODS: &str = "GET, HEAD, POST, PUT, DELETE";
/// How long a browser may keep a preflight's answer, in seconds.
pub const MAX_AGE_SECONDS: u32 = 600;

/// The app origin the API answers, shared by every request.
#[derive(Clone)]
pub struct AppOrigin {
    origin: WebOrigin,
    value: HeaderValue,
    allow_headers: HeaderValue,
    warned_cross_site: Arc<AtomicBool>,
}

impl AppOrigin {
    pub fn new(origin: WebOrigin) -> Self {
        let value = HeaderValue::from_str(origin.as_str()).expect("a checked origin is a header value");
        let allow_headers = HeaderValue::from_str(&format!(
            "content-type, {}, {}, {}",
            shared::api::CASE_HEADER,
            shared::api::SUPERSEDES_HEADER,
            shared::api::KEYRING_VERSION_HEADER
        ))
        .expect("header names are header values");
        Self { origin, value, allow_headers, warned_cross_site: Arc::default() }
    }

    /// Whether `headers` carry exactly this origin.
    pub fn is_origin_of(&self, headers: &HeaderMap) -> bool {
        is_from(&self.origin, headers)
    }
}

/// Whether a request's `Origin` header is exactly `origin` (byte for byte: a checked
/// origin has one spelling).
pub fn is_from(origin: &WebOrigin, headers: &HeaderMap) -> bool {
    headers.get(header::ORIGIN).is_some_and(|v| v.as_bytes() == origin.as_str().as_bytes())
}

/// Middleware (with `--app-origin`): the CORS answers of the module doc.
pub async fn cross_origin(State(app): State<AppOrigin>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if !(path.starts_with("/api/") || path == "/api") {
        return next.run(req).await;
    }
    let from_app = app.is_origin_of(req.headers());
    let preflight =
        req.method() == Method::OPTIONS && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if from_app && req.headers().get("sec-fetch-site").is_some_and(|v| v == "cross-site") {
        warn_cross_site(&app);
    }
    let mut res = match (preflight, from_app) {
        (true, true) => {
            let mut res = StatusCode::NO_CONTENT.into_response();
            let h = res.headers_mut();
            h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(ALLOW_METHODS));
            h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, app.allow_headers.clone());
            h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from(MAX_AGE_SECONDS));
            h.append(
                header::VARY,
                HeaderValue::from_static("Access-Control-Request-Method, Access-Control-Request-Headers"),
            );
            res
        }
        (true, false) => return with_vary(AppError(ErrorCode::Forbidden).into_response()),
        (false, _) => next.run(req).await,
    };
    if from_app {
        let h = res.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, app.value.clone());
        h.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
        h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("retry-after"));
    }
    with_vary(res)
}

fn with_vary(mut res: Response) -> Response {
    res.headers_mut().append(header::VARY, HeaderValue::from_static("Origin"));
    res
}

/// The app's origin is another site than the relay's (`Sec-Fetch-Site: cross-site`):
/// the browser will not send the `SameSite=Strict` session cookie, so no one can stay
/// signed in. Said once, loudly, in the log.
fn warn_cross_site(app: &AppOrigin) {
    if !app.warned_cross_site.swap(true, Ordering::Relaxed) {
        tracing::error!(
            app_origin = %app.origin,
            "the app at --app-origin is on another site than this relay (the browser says Sec-Fetch-Site: cross-site): browsers will not send the SameSite=Strict session cookie to the relay, so nobody can stay signed in. Serve the app and the relay under one registrable domain (app.example.org and relay.example.org), see docs/deploy.md"
        );
    }
}

/// What `amanat serve` and `--check-config` say about an app origin.
pub fn describe(origin: &WebOrigin) -> String {
    format!(
        "# --app-origin {origin}: this relay serves no app (its / says where the app is); its API answers CORS, with credentials, for {origin} only.\n\
         # The session cookie is SameSite=Strict: {origin} must be the same site as this relay's public address (one registrable domain, e.g. app.example.org and relay.example.org), or nobody stays signed in.\n\
         # The app must be built for this relay: `cargo xtask build --relay-origin <this relay's public origin>` (or `amanat release sign DIST --relay-origin …`)."
    )
}
