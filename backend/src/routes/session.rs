//! The app's sign-in session: `POST` signs in with a name and token and sets an
//! `HttpOnly; SameSite=Strict` cookie, `GET` says who is signed in, `DELETE` ends it.
//!
//! Only the SHA-256 of the session id is stored. A wrong name and a wrong token get
//! the same answer. Signing out also asks the browser to clear its HTTP cache.
//! Passphrase sign-ins (`routes::vault`) get a short session ([`VAULT_SESSION_SECONDS`])
//! that the app rotates while it is in use (`POST /api/v1/session/renew`): a new id,
//! the old one deleted, so a copied cookie soon stops working.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::Extension;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use shared::api::{SessionInfo, SignIn};
use shared::ErrorCode;

use crate::access::Action;
use crate::audit::{Action as Event, NewEvent};
use crate::auth::{self, Caller, SESSION_COOKIE};
use crate::credentials;
use crate::error::{AppError, Throttled};
use crate::state::AppState;
use crate::store::now_unix;

/// How long a session lasts, in seconds (8 hours: a working day).
pub const SESSION_SECONDS: i64 = 8 * 60 * 60;
/// How long a passphrase session lasts without renewal, in seconds (30 minutes).
pub const VAULT_SESSION_SECONDS: i64 = 30 * 60;
const MAX_SIGN_IN_BODY: usize = 16 * 1024;

pub(crate) fn cookie(state: &AppState, value: &str, max_age: i64) -> HeaderValue {
    let secure = if state.config().secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}"
    ))
    .expect("cookie values are ASCII")
}

/// `POST /api/v1/session`
pub async fn sign_in(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    body: Body,
) -> Result<Response, AppError> {
    let ip = peer.map(|Extension(ConnectInfo(a))| a.ip());
    if let Err(wait) = state.sign_in_limiter().check(ip) {
        return Ok(Throttled(wait).into_response());
    }
    let bytes = axum::body::to_bytes(body, MAX_SIGN_IN_BODY).await.map_err(|e| {
        let too_large = std::error::Error::source(&e).is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
        if too_large { ErrorCode::TooLarge } else { ErrorCode::BadRequest }
    })?;
    let req: SignIn = serde_json::from_slice(&bytes).map_err(|_| ErrorCode::BadRequest)?;
    let user = match auth::user_of_token(state.store(), req.token.trim()).await? {
        Some(user) if user.name == req.name => user,
        _ => {
            state.sign_in_limiter().failed(ip);
            // Audited under the account's name only if that account exists: a name
            // typed by mistake may be anything, even personal data.
            if state.store().user(&req.name).await?.is_some() {
                let event = NewEvent { actor: &req.name, action: Event::SignInFailed, subject: &req.name, size: None };
                state.store().audit(&event).await?;
            }
            tracing::info!("sign-in refused");
            return Err(ErrorCode::Unauthorized.into());
        }
    };
    let (id, hash) = credentials::new_session_id();
    state.store().add_session(&hash, &user.name, now_unix() + SESSION_SECONDS).await?;
    let event = NewEvent { actor: &user.name, action: Event::SignedIn, subject: &user.name, size: None };
    state.store().audit(&event).await?;
    tracing::info!(user = %user.name, "signed in");
    let info = SessionInfo { name: user.name, role: user.role };
    Ok(([(SET_COOKIE, cookie(&state, &id, SESSION_SECONDS))], Json(info)).into_response())
}

/// `GET /api/v1/session`
pub async fn current(caller: Caller) -> Result<Json<SessionInfo>, AppError> {
    caller.may(Action::ReadSession)?;
    Ok(Json(SessionInfo { name: caller.0.name, role: caller.0.role }))
}

/// `DELETE /api/v1/session`: always succeeds; the cookie is expired either way.
pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    if let Some(id) = auth::session_cookie(&headers) {
        let hash = credentials::session_hash(id);
        if let Some(user) = state.store().session(&hash).await? {
            state.store().delete_session(&hash).await?;
            let event = NewEvent { actor: &user.name, action: Event::SignedOut, subject: &user.name, size: None };
            state.store().audit(&event).await?;
            tracing::info!(user = %user.name, "signed out");
        }
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(SET_COOKIE, cookie(&state, "", 0)), (HeaderName::from_static("clear-site-data"), HeaderValue::from_static("\"cache\""))],
    )
        .into_response())
}

/// Starts a short passphrase session for `name`; returns the `Set-Cookie` value.
pub(crate) async fn start_session(state: &AppState, name: &str) -> Result<HeaderValue, AppError> {
    let (id, hash) = credentials::new_session_id();
    state.store().add_session(&hash, name, now_unix() + VAULT_SESSION_SECONDS).await?;
    Ok(cookie(state, &id, VAULT_SESSION_SECONDS))
}

/// `POST /api/v1/session/renew`: rotates the cookie session: a fresh id and lifetime,
/// the old id deleted. Only for cookie sessions (a bearer token has nothing to rotate).
pub async fn renew(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let id = auth::session_cookie(&headers).ok_or(ErrorCode::Unauthorized)?;
    let old = credentials::session_hash(id);
    let user = state.store().session(&old).await?.ok_or(ErrorCode::Unauthorized)?;
    state.store().delete_session(&old).await?;
    let cookie = start_session(&state, &user.name).await?;
    Ok(([(SET_COOKIE, cookie)], Json(SessionInfo { name: user.name, role: user.role })).into_response())
}
