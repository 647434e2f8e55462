//! Who is calling: a bearer token (`Authorization: Bearer amt_…`) or the app's session
//! cookie, resolved to an account by the [`Caller`] extractor.
//!
//! A request that presents a bad token is refused even if it also carries a good
//! cookie: a client that sends credentials means them. Once the account is known its
//! request budget is charged (429 with `Retry-After` when spent). What each role may do
//! is [`crate::access`]'s table; [`Caller::may`] asks it.

use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use shared::api::Role;
use shared::ErrorCode;

use crate::access::{self, Action, Scope};
use crate::credentials::{self, PresentedToken};
use crate::error::{AppError, Throttled};
use crate::state::AppState;
use crate::store::{Store, User};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "amanat_session";

/// The authenticated account making a request.
#[derive(Clone, Debug)]
pub struct Caller(pub User);

impl Caller {
    pub fn name(&self) -> &str {
        &self.0.name
    }

    pub fn role(&self) -> Role {
        self.0.role
    }

    /// How far `action` reaches for this caller ([`access::scope`]); 403 if not at all.
    pub fn may(&self, action: Action) -> Result<Scope, AppError> {
        match access::scope(self.0.role, action) {
            Scope::Denied => Err(ErrorCode::Forbidden.into()),
            scope => Ok(scope),
        }
    }
}

/// The session id in the request's cookies, if any.
pub fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value)
        .filter(|v| !v.is_empty())
}

/// Checks a presented bearer token against the store.
pub async fn user_of_token(store: &Store, token: &str) -> Result<Option<User>, AppError> {
    let Some(presented) = PresentedToken::parse(token) else {
        return Ok(None);
    };
    Ok(match store.token(presented.token_id).await? {
        Some((user, hash)) if presented.matches(&hash) => Some(user),
        _ => None,
    })
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let caller = authenticate(parts, state).await.map_err(IntoResponse::into_response)?;
        state.account_limiter().take(&caller.0.name).map_err(|wait| Throttled(wait).into_response())?;
        Ok(caller)
    }
}

async fn authenticate(parts: &Parts, state: &AppState) -> Result<Caller, AppError> {
    let unauthorized = AppError(ErrorCode::Unauthorized);
    if let Some(value) = parts.headers.get(AUTHORIZATION) {
        let token = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).ok_or(unauthorized)?;
        return user_of_token(state.store(), token.trim()).await?.map(Caller).ok_or(unauthorized);
    }
    if let Some(id) = session_cookie(&parts.headers) {
        let user = state.store().session(&credentials::session_hash(id)).await?;
        return user.map(Caller).ok_or(unauthorized);
    }
    Err(unauthorized)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(COOKIE, "a=1; amanat_session=abc; b=2".parse().unwrap());
        assert_eq!(session_cookie(&h), Some("abc"));
        h.insert(COOKIE, "amanat_session=".parse().unwrap());
        assert_eq!(session_cookie(&h), None);
    }
}
