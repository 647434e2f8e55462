//! The app's sign-in session: `POST` signs in with a name and token and sets an
//! `HttpOnly; SameSite=Strict` cookie, `GET` says who is signed in, `DELETE` ends it.
//!
//! Only the SHA-256 of the session id is stored. A wrong name and a wrong token get
//! the same answer, no sooner than [`FAILURE_FLOOR`] after the request began (so the
//! audit write that only an existing account's failure costs does not show). Signing
//! out also asks the browser to clear its HTTP cache.
//! Every sign-in, by token (key holders) or by passphrase ([`crate::vault::routes`]),
//! gets a short session ([`VAULT_SESSION_SECONDS`]) that the app rotates while it is in
//! use (`POST /api/v1/session/renew`): a new id, the old one deleted in the same
//! statement that reads it (two renewals of one id cannot both succeed), so a copied
//! cookie soon stops working; renewing never goes past [`VAULT_SESSION_MAX_SECONDS`]
//! after sign-in. The cookie has no `Max-Age`: the browser forgets it when it closes,
//! and the relay ends it when it expires. A right token of a disabled account is
//! answered 403 `account_disabled` (a revoked or expired one is just wrong: 401).

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use axum::Json;
use shared::api::{SessionInfo, SignIn};
use shared::ErrorCode;

use crate::access::Permission;
use crate::audit::{AuditAction, NewEvent};
use crate::auth::{self, Caller};
use crate::credentials;
use crate::error::{AppError, Throttled};
use crate::json_body::{json_body, DEFAULT_CAP};
use crate::state::AppState;
use crate::store::{now_unix, NewSession};
use crate::vault::routes::FAILURE_FLOOR;

/// How long a session lasts without renewal, in seconds (30 minutes).
pub const VAULT_SESSION_SECONDS: i64 = 30 * 60;
/// The longest a session lasts however often it is renewed, in seconds (10
/// hours: a working day with its breaks; then the passphrase is asked again).
pub const VAULT_SESSION_MAX_SECONDS: i64 = 10 * 60 * 60;

/// A `Set-Cookie` value for the session cookie; without `max_age` the browser keeps it
/// only until it closes.
pub(crate) fn cookie(state: &AppState, value: &str, max_age: Option<i64>) -> HeaderValue {
    let secure = state.config().secure_cookies;
    let name = auth::cookie_name(secure);
    let max_age = max_age.map_or_else(String::new, |s| format!("; Max-Age={s}"));
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; HttpOnly; SameSite=Strict; Path=/{max_age}{secure}"))
        .expect("cookie values are ASCII")
}

fn session_id<'h>(state: &AppState, headers: &'h HeaderMap) -> Option<&'h str> {
    auth::session_cookie(headers, auth::cookie_name(state.config().secure_cookies))
}

/// `POST /api/v1/session`
pub async fn sign_in(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    let ip = peer.map(|Extension(ConnectInfo(a))| a.ip());
    if let Err(wait) = state.sign_in_limiter().check(ip) {
        return Ok(Throttled(wait).into_response());
    }
    let req: SignIn = json_body(&headers, body, DEFAULT_CAP).await?;
    let attempt = match state.sign_in_limiter().try_begin(ip) {
        Ok(attempt) => attempt,
        Err(wait) => return Ok(Throttled(wait).into_response()),
    };
    let started = tokio::time::Instant::now();
    let user = match auth::token_owner(state.store(), req.token.trim()).await? {
        Some((user, disabled)) if user.name == req.name => {
            if disabled {
                tracing::info!(user = %user.name, "right token for a disabled account");
                return Err(ErrorCode::AccountDisabled.into());
            }
            user
        }
        _ => {
            // Audited under the account's name only if that account exists: a name
            // typed by mistake may be anything, even personal data. At most ten at
            // once and then one a minute per account, so guesses cannot flood the log.
            if state.store().user(&req.name).await?.is_some() {
                if state.vault().failure_audit.take(&req.name).is_ok() {
                    let event = NewEvent {
                        actor: &req.name,
                        action: AuditAction::SignInFailed,
                        subject: &req.name,
                        size: None,
                    };
                    state.store().audit(&event).await?;
                } else {
                    tracing::info!(user = %req.name, "failed sign-in not audited (too many)");
                }
            }
            tracing::info!("sign-in refused");
            tokio::time::sleep_until(started + FAILURE_FLOOR).await;
            return Err(ErrorCode::Unauthorized.into());
        }
    };
    attempt.succeeded();
    let cookie = sign_in_session(&state, &user.name).await?;
    auth::note_use(&state, &user.name).await;
    tracing::info!(user = %user.name, "signed in");
    let info = SessionInfo { name: user.name, role: user.role };
    Ok(([(SET_COOKIE, cookie)], Json(info)).into_response())
}

/// `GET /api/v1/session`
pub async fn current(caller: Caller) -> Result<Json<SessionInfo>, AppError> {
    caller.may(Permission::ReadSession)?;
    Ok(Json(SessionInfo { name: caller.0.name, role: caller.0.role }))
}

/// `DELETE /api/v1/session`: always succeeds; the cookie is expired either way.
pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    if let Some(id) = session_id(&state, &headers) {
        let hash = credentials::session_hash(id);
        if let Some(user) = state.store().sign_out(&hash).await? {
            tracing::info!(user = %user.name, "signed out");
        }
    }
    Ok((
        StatusCode::NO_CONTENT,
        [
            (SET_COOKIE, cookie(&state, "", Some(0))),
            (HeaderName::from_static("clear-site-data"), HeaderValue::from_static("\"cache\"")),
        ],
    )
        .into_response())
}

/// Signs `name` in with a short session (token or passphrase), recorded as `signed_in` in the same
/// transaction; returns the `Set-Cookie` value.
pub(crate) async fn sign_in_session(state: &AppState, name: &str) -> Result<HeaderValue, AppError> {
    let now = now_unix();
    let (id, hash) = credentials::new_session_id();
    let session = NewSession {
        id_sha256: hash,
        user: name.to_owned(),
        expires_at: now + VAULT_SESSION_SECONDS,
        ends_at: Some(now + VAULT_SESSION_MAX_SECONDS),
    };
    state.store().sign_in(&session).await?;
    Ok(cookie(state, &id, None))
}

/// Starts a short passphrase session for `name` after an enrolment or a passphrase
/// change (audited as such); returns the `Set-Cookie` value.
pub(crate) async fn start_session(state: &AppState, name: &str) -> Result<HeaderValue, AppError> {
    let now = now_unix();
    new_session(state, name, now + VAULT_SESSION_SECONDS, now + VAULT_SESSION_MAX_SECONDS).await
}

async fn new_session(state: &AppState, name: &str, expires_at: i64, ends_at: i64) -> Result<HeaderValue, AppError> {
    let (id, hash) = credentials::new_session_id();
    state.store().add_vault_session(&hash, name, expires_at, ends_at).await?;
    Ok(cookie(state, &id, None))
}

/// `POST /api/v1/session/renew`: rotates the cookie session: a fresh id and up to 30
/// minutes more (never past the session's absolute end), the old id deleted. Only for
/// cookie sessions (a bearer token has nothing to rotate).
pub async fn renew(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    if auth::cross_site(&headers, state.config().app_origin.as_ref()) {
        return Err(ErrorCode::Forbidden.into());
    }
    let id = session_id(&state, &headers).ok_or(ErrorCode::Unauthorized)?;
    let old = credentials::session_hash(id);
    let (user, ends_at) = state.store().take_session(&old).await?.ok_or(ErrorCode::Unauthorized)?;
    let now = now_unix();
    if ends_at <= now {
        return Err(ErrorCode::Unauthorized.into());
    }
    let cookie = new_session(&state, &user.name, now + VAULT_SESSION_SECONDS, ends_at).await?;
    Ok(([(SET_COOKIE, cookie)], Json(SessionInfo { name: user.name, role: user.role })).into_response())
}
