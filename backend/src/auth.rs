//! Who is calling: a bearer token (`Authorization: Bearer amt_…`) or the app's session
//! cookie, resolved to an account by the [`Caller`] extractor.
//!
//! A request that presents a bad token is refused even if it also carries a good
//! cookie: a client that sends credentials means them. A revoked or expired token, and
//! every credential of a disabled account, is refused (401) at once: each request looks
//! them up. Once the account is known its request budget is charged (429 with
//! `Retry-After` when spent) and its last use recorded (at most once a minute). What
//! each role may do is [`crate::access`]'s table; [`Caller::may`] asks it.
//!
//! A write that is authenticated by the cookie is refused when the browser says it
//! comes from another site (`Sec-Fetch-Site`): a defence against cross-site request
//! forgery beside `SameSite=Strict` and the JSON-only bodies.

use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use shared::api::Role;
use shared::ErrorCode;

use crate::access::{self, Permission, Scope};
use crate::credentials::{self, PresentedToken};
use crate::error::{AppError, Throttled};
use crate::state::AppState;
use crate::store::{Store, User};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "amanat_session";
/// The session cookie's name over HTTPS (`--secure-cookies`): the `__Host-` prefix
/// makes the browser refuse it unless it is `Secure`, for `/`, and has no `Domain`, so
/// a sibling subdomain cannot plant or shadow it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-amanat_session";

/// The session cookie's name for a relay with or without `--secure-cookies`.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// Whether a request that changes something and carries the session cookie was sent
/// from another origin than the app's, by the browser's own word (`Sec-Fetch-Site`;
/// absent in old browsers and non-browser clients, which `SameSite=Strict` and JSON
/// bodies cover). The app's origin is the relay's own, or, with `--app-origin`, that
/// one origin exactly (its `Origin` header, which a browser always sends on a write
/// from another origin): a sibling page on the same site is still refused.
pub fn cross_site(headers: &HeaderMap, app_origin: Option<&shared::origin::WebOrigin>) -> bool {
    let from_the_app = || app_origin.is_some_and(|o| crate::cors::is_from(o, headers));
    headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()).is_some_and(|v| !matches!(v, "same-origin" | "none"))
        && !from_the_app()
}

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
    pub fn may(&self, action: Permission) -> Result<Scope, AppError> {
        match access::scope(self.0.role, action) {
            Scope::Denied => Err(ErrorCode::Forbidden.into()),
            scope => Ok(scope),
        }
    }
}

/// The session id in the request's cookies (named `name`, see [`cookie_name`]), if any.
pub fn session_cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value)
        .filter(|v| !v.is_empty())
}

/// A presented bearer token that matched a live token (neither revoked nor expired):
/// its account, and whether that account is disabled.
pub async fn token_owner(store: &Store, token: &str) -> Result<Option<(User, bool)>, AppError> {
    let Some(presented) = PresentedToken::parse(token) else {
        return Ok(None);
    };
    Ok(match store.token(presented.token_id).await? {
        Some(live) if presented.matches(&live.secret_sha256) => Some((live.user, live.disabled)),
        _ => None,
    })
}

/// Checks a presented bearer token against the store: its account if the token is live
/// and the account not disabled.
pub async fn user_of_token(store: &Store, token: &str) -> Result<Option<User>, AppError> {
    Ok(token_owner(store, token).await?.and_then(|(user, disabled)| (!disabled).then_some(user)))
}

/// Records that `name` was used, at most once a minute per account in this relay.
/// Best effort: a failed write is logged and the request goes on.
pub async fn note_use(state: &AppState, name: &str) {
    if state.use_recorder().take(&name.to_owned()).is_ok() {
        if let Err(e) = state.store().note_use(name).await {
            tracing::warn!(error = %e, user = %name, "recording an account's last use failed");
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let caller = authenticate(parts, state).await.map_err(IntoResponse::into_response)?;
        state.account_limiter().take(&caller.0.name).map_err(|wait| Throttled(wait).into_response())?;
        note_use(state, caller.name()).await;
        Ok(caller)
    }
}

async fn authenticate(parts: &Parts, state: &AppState) -> Result<Caller, AppError> {
    let unauthorized = AppError(ErrorCode::Unauthorized);
    if let Some(value) = parts.headers.get(AUTHORIZATION) {
        let token = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).ok_or(unauthorized)?;
        return user_of_token(state.store(), token.trim()).await?.map(Caller).ok_or(unauthorized);
    }
    if let Some(id) = session_cookie(&parts.headers, cookie_name(state.config().secure_cookies)) {
        let safe = matches!(parts.method, axum::http::Method::GET | axum::http::Method::HEAD);
        if !safe && cross_site(&parts.headers, state.config().app_origin.as_ref()) {
            tracing::info!("cross-site write with the session cookie refused");
            return Err(AppError(ErrorCode::Forbidden));
        }
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
        assert_eq!(session_cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(
            session_cookie(&h, SECURE_SESSION_COOKIE),
            None,
            "a relay with secure cookies reads only the __Host- name"
        );
        h.insert(COOKIE, "amanat_session=".parse().unwrap());
        assert_eq!(session_cookie(&h, SESSION_COOKIE), None);
    }

    #[test]
    fn only_a_same_origin_or_user_initiated_request_is_not_cross_site() {
        let mut h = HeaderMap::new();
        assert!(!cross_site(&h, None), "no header: not a browser that says");
        for (v, cross) in [("same-origin", false), ("none", false), ("same-site", true), ("cross-site", true)] {
            h.insert("sec-fetch-site", v.parse().unwrap());
            assert_eq!(cross_site(&h, None), cross, "{v}");
        }
    }

    #[test]
    fn with_an_app_origin_only_that_exact_origin_is_not_cross_site() {
        let app: shared::origin::WebOrigin = "https://app.example.org".parse().unwrap();
        let mut h = HeaderMap::new();
        h.insert("sec-fetch-site", "same-site".parse().unwrap());
        assert!(cross_site(&h, Some(&app)), "no Origin: not the app");
        for (origin, cross) in [
            ("https://app.example.org", false),
            ("https://evil.example.org", true),
            ("https://app.example.org:444", true),
            ("http://app.example.org", true),
            ("https://app.example.org.evil.net", true),
            ("null", true),
        ] {
            h.insert(axum::http::header::ORIGIN, origin.parse().unwrap());
            assert_eq!(cross_site(&h, Some(&app)), cross, "{origin}");
            assert!(cross_site(&h, None), "without --app-origin every other origin is refused: {origin}");
        }
        h.insert("sec-fetch-site", "same-origin".parse().unwrap());
        assert!(!cross_site(&h, Some(&app)));
    }
}
