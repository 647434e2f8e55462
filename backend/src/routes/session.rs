//! The app's sign-in session: `POST` signs in with a name and token and sets an
//! `HttpOnly; SameSite=Strict` cookie, `GET` says who is signed in, `DELETE` ends it.
//!
//! Only the SHA-256 of the session id is stored. A wrong name and a wrong token get
//! the same answer. Signing out also asks the browser to clear its HTTP cache.

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
const MAX_SIGN_IN_BODY: usize = 16 * 1024;

fn cookie(state: &AppState, value: &str, max_age: i64) -> HeaderValue {
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
    let bytes = axum::body::to_bytes(body, MAX_SIGN_IN_BODY).await.map_err(|_| ErrorCode::BadRequest)?;
    let req: SignIn = serde_json::from_slice(&bytes).map_err(|_| ErrorCode::BadRequest)?;
    let user = match auth::user_of_token(state.store(), req.token.trim()).await? {
        Some(user) if user.name == req.name => user,
        _ => {
            state.sign_in_limiter().failed(ip);
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
