//! The caseworker vault's routes: settings, enrolment, salt, passphrase sign-in, the
//! wrapped identity, passphrase change (README "API").
//!
//! The relay receives only values the browser derived (`auth`), salts, public keys and
//! an age file it cannot open. Wrong passphrases count per account (five in a row lock
//! it for 15 minutes, stored, so a restart or a second relay does not reset it) and per
//! client address (the sign-in limiter). An unknown name is answered exactly like a
//! wrong passphrase, after the same slow check.

use std::net::{IpAddr, SocketAddr};

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::de::DeserializeOwned;
use shared::api::SessionInfo;
use shared::vault::{
    self, AuthKey, ChangePassphrase, Enrol, SaltAnswer, SaltRequest, VaultSettings, VaultSignIn, WrappedIdentity,
};
use shared::ErrorCode;

use crate::audit::{Action, NewEvent};
use crate::auth::Caller;
use crate::error::{AppError, Throttled};
use crate::routes::session::start_session;
use crate::state::AppState;
use crate::store::now_unix;
use crate::vault_auth::{self, LOCK_SECONDS, MAX_FAILED_SIGN_INS};
use crate::vault_store::{NewCredentials, VaultAccount};

const MAX_VAULT_BODY: usize = 16 * 1024;

/// A refusal of a vault route: an error code, or 429 with `Retry-After`.
#[derive(Debug)]
pub enum VaultError {
    App(AppError),
    Throttled(Throttled),
}

impl IntoResponse for VaultError {
    fn into_response(self) -> Response {
        match self {
            VaultError::App(e) => e.into_response(),
            VaultError::Throttled(t) => t.into_response(),
        }
    }
}

impl<T: Into<AppError>> From<T> for VaultError {
    fn from(e: T) -> Self {
        VaultError::App(e.into())
    }
}

type Peer = Option<Extension<ConnectInfo<SocketAddr>>>;

fn ip_of(peer: Peer) -> Option<IpAddr> {
    peer.map(|Extension(ConnectInfo(a))| a.ip())
}

async fn json_body<T: DeserializeOwned>(body: Body) -> Result<T, AppError> {
    let bytes = axum::body::to_bytes(body, MAX_VAULT_BODY).await.map_err(|_| ErrorCode::TooLarge)?;
    serde_json::from_slice(&bytes).map_err(|_| ErrorCode::BadRequest.into())
}

fn limited(state: &AppState, ip: Option<IpAddr>) -> Result<(), VaultError> {
    state.sign_in_limiter().check(ip).map_err(|wait| VaultError::Throttled(Throttled(wait)))
}

fn wrapped_of(account: VaultAccount) -> WrappedIdentity {
    WrappedIdentity {
        name: account.user.name,
        role: account.user.role,
        salt: account.salt,
        wrapped_identity: account.wrapped_identity,
        recipient: account.recipient,
    }
}

/// `GET /api/v1/vault/settings` (public): what the app needs before anyone signs in.
pub async fn settings(State(state): State<AppState>) -> Json<VaultSettings> {
    Json(VaultSettings { idle_lock_minutes: state.config().idle_lock_minutes })
}

/// `POST /api/v1/vault/enrol`: redeems a one-time enrolment token, stores the
/// credentials and signs in.
pub async fn enrol(State(state): State<AppState>, peer: Peer, body: Body) -> Result<Response, VaultError> {
    let ip = ip_of(peer);
    limited(&state, ip)?;
    let req: Enrol = json_body(body).await?;
    let refuse = |code: ErrorCode| VaultError::App(AppError(code));
    if !vault_auth::looks_like_enrolment_token(&req.token) {
        state.sign_in_limiter().failed(ip);
        return Err(refuse(ErrorCode::EnrolmentInvalid));
    }
    vault::Salt::decode(&req.salt).map_err(refuse)?;
    let auth = AuthKey::decode(&req.auth).map_err(refuse)?;
    vault::decode_wrapped(&req.wrapped_identity).map_err(refuse)?;
    let recipient = shared::seal::parse_recipient(&req.recipient).map_err(refuse)?.to_string();
    let auth_hash = vault_auth::hash_auth(&auth);
    let creds = NewCredentials {
        salt: &req.salt,
        auth_hash: &auth_hash,
        wrapped_identity: &req.wrapped_identity,
        recipient: &recipient,
    };
    let hash = vault_auth::enrolment_hash(&req.token);
    let Some(user) = state.store().redeem_enrolment(&hash, &req.name, &creds).await?
    else {
        state.sign_in_limiter().failed(ip);
        tracing::info!("enrolment refused");
        return Err(refuse(ErrorCode::EnrolmentInvalid));
    };
    let event = NewEvent { actor: &user.name, action: Action::Enrolled, subject: &user.name, size: None };
    state.store().audit(&event).await?;
    tracing::info!(user = %user.name, "enrolled");
    let cookie = start_session(&state, &user.name).await?;
    Ok(([(SET_COOKIE, cookie)], Json(SessionInfo { name: user.name, role: user.role })).into_response())
}

/// `POST /api/v1/vault/salt`: the salt to derive with (a decoy for unknown names).
pub async fn salt(State(state): State<AppState>, peer: Peer, body: Body) -> Result<Json<SaltAnswer>, VaultError> {
    limited(&state, ip_of(peer))?;
    let req: SaltRequest = json_body(body).await?;
        if req.name.len() > 64 {
        return Err(ErrorCode::BadRequest.into());
    }
    let salt = match state.store().vault_account(&req.name).await? {
        Some(account) => account.salt,
        None => {
            let secret = state.store().relay_secret(vault_auth::DECOY_SECRET, vault_auth::new_secret).await?;
            vault_auth::encode_salt(&vault_auth::decoy_salt(&secret, &req.name))
        }
    };
    Ok(Json(SaltAnswer { salt }))
}

/// Checks `auth` for `name`, counting failures and honouring the lock.
async fn check_auth(state: &AppState, ip: Option<IpAddr>, name: &str, auth: &AuthKey) -> Result<VaultAccount, VaultError> {
        let Some(account) = state.store().vault_account(name).await? else {
        vault_auth::waste_a_check(auth);
        state.sign_in_limiter().failed(ip);
        return Err(ErrorCode::WrongPassphrase.into());
    };
    if account.locked_until > now_unix() {
        return Err(ErrorCode::AccountLocked.into());
    }
    let hash = account.auth_hash.clone();
    let auth_copy = AuthKey(auth.0);
    let ok = tokio::task::spawn_blocking(move || vault_auth::auth_matches(&auth_copy, &hash))
        .await
        .map_err(|_| ErrorCode::Internal)?;
    if !ok {
        state.sign_in_limiter().failed(ip);
        let locked = state.store().vault_failed(name, MAX_FAILED_SIGN_INS, LOCK_SECONDS).await?;
        tracing::info!(user = %name, locked, "wrong passphrase");
        let code = if locked { ErrorCode::AccountLocked } else { ErrorCode::WrongPassphrase };
        return Err(code.into());
    }
    state.store().vault_succeeded(name).await?;
    Ok(account)
}

/// `POST /api/v1/vault/session`: name + `auth` → session cookie and the wrapped identity.
pub async fn sign_in(State(state): State<AppState>, peer: Peer, body: Body) -> Result<Response, VaultError> {
    let ip = ip_of(peer);
    limited(&state, ip)?;
    let req: VaultSignIn = json_body(body).await?;
    let auth = AuthKey::decode(&req.auth)?;
    let account = check_auth(&state, ip, &req.name, &auth).await?;
    let event = NewEvent { actor: &account.user.name, action: Action::SignedIn, subject: &account.user.name, size: None };
    state.store().audit(&event).await?;
    tracing::info!(user = %account.user.name, "signed in with passphrase");
    let cookie = start_session(&state, &account.user.name).await?;
    Ok(([(SET_COOKIE, cookie)], Json(wrapped_of(account))).into_response())
}

/// `GET /api/v1/vault/identity`: the signed-in account's wrapped identity.
pub async fn identity(State(state): State<AppState>, caller: Caller) -> Result<Json<WrappedIdentity>, AppError> {
    let account = state.store().vault_account(caller.name()).await?.ok_or(ErrorCode::NotEnrolled)?;
    Ok(Json(wrapped_of(account)))
}

/// `PUT /api/v1/vault/passphrase`: the old `auth` proves the passphrase; the new salt,
/// `auth` and wrapped identity replace the old ones. Other sessions of the account end.
pub async fn change_passphrase(
    State(state): State<AppState>,
    peer: Peer,
    caller: Caller,
    body: Body,
) -> Result<Response, VaultError> {
    let ip = ip_of(peer);
    limited(&state, ip)?;
    let req: ChangePassphrase = json_body(body).await?;
    let refuse = |code: ErrorCode| VaultError::App(AppError(code));
    let old = AuthKey::decode(&req.old_auth).map_err(refuse)?;
    vault::Salt::decode(&req.salt).map_err(refuse)?;
    let new = AuthKey::decode(&req.auth).map_err(refuse)?;
    vault::decode_wrapped(&req.wrapped_identity).map_err(refuse)?;
    let name = caller.name().to_owned();
    check_auth(&state, ip, &name, &old).await?;
        let hash = vault_auth::hash_auth(&new);
    state.store().vault_rewrap(&name, &req.salt, &hash, &req.wrapped_identity).await?;
    state.store().delete_sessions_of(&name).await?;
    let event = NewEvent { actor: &name, action: Action::PassphraseChanged, subject: &name, size: None };
    state.store().audit(&event).await?;
    tracing::info!(user = %name, "passphrase changed");
    let cookie = start_session(&state, &name).await?;
    Ok(([(SET_COOKIE, cookie)], Json(SessionInfo { name, role: caller.role() })).into_response())
}
