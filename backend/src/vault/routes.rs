//! The caseworker vault's routes: settings, enrolment, salt, passphrase sign-in, the
//! wrapped identity, passphrase change, author-key registration (docs/api.md).
//!
//! The relay receives only values the browser derived (`auth`), salts, public keys and
//! an age file it cannot open. Wrong passphrases count per account (five in a row lock
//! it for 15 minutes, stored, so a restart or a second relay does not reset it) and per
//! client address (the sign-in limiter). Both count an attempt when it *begins*, before
//! the slow check, so parallel requests cannot all slip past the limit; every Argon2id
//! call goes through [`auth::on_argon2`] (blocking pool, one per CPU).
//!
//! An unknown name is answered like a known one: a decoy salt from a key kept in
//! memory, the same slow check, the same lock after five failures (counted in memory),
//! and every failed sign-in answered no sooner than [`FAILURE_FLOOR`] after its check
//! began, which hides the database writes that only a real account's failure costs.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::header::SET_COOKIE;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use shared::api::SessionInfo;
use shared::authorship::AuthorPublicKey;
use shared::vault::{
    self, AuthKey, ChangePassphrase, Enrol, RegisterAuthorKey, SaltAnswer, SaltRequest, VaultSettings, VaultSignIn,
    WrappedIdentity,
};
use shared::ErrorCode;

use crate::access::Permission;
use crate::audit::{AuditAction, NewEvent};
use crate::auth::Caller;
use crate::error::{AppError, Throttled};
use crate::json_body::{json_body, DEFAULT_CAP};
use crate::rate_limit::Attempt;
use crate::routes::session::{sign_in_session, start_session};
use crate::state::AppState;
use crate::store::{AuthorKeyRegistration, NewCredentials, Reservation, VaultAccount};

use super::auth::{self, LOCK_SECONDS, MAX_FAILED_SIGN_INS};

/// The earliest a failed passphrase sign-in is answered after its check began: longer
/// than the check and its writes take on an idle relay.
pub const FAILURE_FLOOR: Duration = Duration::from_millis(500);

/// Longest account name a vault route reads (account names are at most 64 bytes).
const MAX_NAME: usize = 64;

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

fn limited(state: &AppState, ip: Option<IpAddr>) -> Result<(), VaultError> {
    state.sign_in_limiter().check(ip).map_err(|wait| VaultError::Throttled(Throttled(wait)))
}

/// Counts an attempt against the client's address before it is checked.
fn begin(state: &AppState, ip: Option<IpAddr>) -> Result<Attempt<'_>, VaultError> {
    state.sign_in_limiter().try_begin(ip).map_err(|wait| VaultError::Throttled(Throttled(wait)))
}

async fn audit(state: &AppState, name: &str, action: AuditAction) -> Result<(), AppError> {
    state.store().audit(&NewEvent { actor: name, action, subject: name, size: None }).await?;
    Ok(())
}

fn wrapped_of(account: VaultAccount) -> WrappedIdentity {
    WrappedIdentity {
        name: account.user.name,
        role: account.user.role,
        salt: account.salt,
        wrapped_identity: account.wrapped_identity,
        recipient: account.recipient,
        author_key: account.author_key,
    }
}

/// `GET /api/v1/vault/settings` (public): what the app needs before anyone signs in.
pub async fn settings(State(state): State<AppState>) -> Json<VaultSettings> {
    let config = state.config();
    Json(match config.idle_lock_seconds {
        Some(seconds) => VaultSettings::from_seconds(seconds),
        None => VaultSettings::from_minutes(config.idle_lock_minutes),
    })
}

/// `POST /api/v1/vault/enrol`: redeems a one-time enrolment token, stores the
/// credentials and signs in. The token is looked up before the new value is hashed, so
/// a made-up token costs a lookup, not an Argon2id hash.
pub async fn enrol(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, VaultError> {
    let ip = ip_of(peer);
    limited(&state, ip)?;
    let req: Enrol = json_body(&headers, body, DEFAULT_CAP).await?;
    let attempt = begin(&state, ip)?;
    let refuse = |code: ErrorCode| VaultError::App(AppError(code));
    if !auth::looks_like_enrolment_token(&req.token) {
        return Err(refuse(ErrorCode::EnrolmentInvalid));
    }
    vault::Salt::decode(&req.salt).map_err(refuse)?;
    let auth = AuthKey::decode(&req.auth).map_err(refuse)?;
    vault::decode_wrapped(&req.wrapped_identity).map_err(refuse)?;
    let recipient = shared::seal::parse_recipient(&req.recipient).map_err(refuse)?.to_string();
    // Checked before anything is stored; kept in its canonical form.
    let author_key = req.author_key.as_deref().map(str::parse::<AuthorPublicKey>).transpose().map_err(refuse)?;
    let author_key = author_key.map(|k| k.to_string());
    let hash = auth::enrolment_hash(&req.token);
    if state.store().enrolment_account(&hash).await?.as_deref() != Some(req.name.as_str()) {
        tracing::info!("enrolment refused");
        return Err(refuse(ErrorCode::EnrolmentInvalid));
    }
    let auth_hash = auth::on_argon2(move || auth::hash_auth(&auth)).await.ok_or(ErrorCode::Internal)?;
    let creds = NewCredentials {
        salt: &req.salt,
        auth_hash: &auth_hash,
        wrapped_identity: &req.wrapped_identity,
        recipient: &recipient,
        author_key: author_key.as_deref(),
    };
    let Some(user) = state.store().redeem_enrolment(&hash, &req.name, &creds).await? else {
        tracing::info!("enrolment refused");
        return Err(refuse(ErrorCode::EnrolmentInvalid));
    };
    attempt.succeeded();
    tracing::info!(user = %user.name, "enrolled");
    let cookie = start_session(&state, &user.name).await?;
    Ok(([(SET_COOKIE, cookie)], Json(SessionInfo { name: user.name, role: user.role })).into_response())
}

/// `POST /api/v1/vault/salt`: the salt to derive with (a decoy for unknown names).
pub async fn salt(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<SaltAnswer>, VaultError> {
    limited(&state, ip_of(peer))?;
    let req: SaltRequest = json_body(&headers, body, DEFAULT_CAP).await?;
    if req.name.len() > MAX_NAME {
        return Err(ErrorCode::BadRequest.into());
    }
    let salt = match state.store().vault_account(&req.name).await? {
        Some(account) => account.salt,
        None => {
            let store = state.store();
            let secret = state
                .vault()
                .decoy_secret
                .get_or_try_init(|| store.relay_secret(auth::DECOY_SECRET, auth::new_secret))
                .await?;
            auth::encode_salt(&auth::decoy_salt(secret, &req.name))
        }
    };
    Ok(Json(SaltAnswer { salt }))
}

/// Checks `auth` for `name`, counting the attempt first and honouring the lock; a
/// refusal is answered no sooner than [`FAILURE_FLOOR`] after the check began.
async fn check_auth(state: &AppState, name: &str, auth: &AuthKey) -> Result<VaultAccount, VaultError> {
    let started = tokio::time::Instant::now();
    let result = check_auth_now(state, name, auth).await;
    if let Err(VaultError::App(AppError(ErrorCode::WrongPassphrase | ErrorCode::AccountLocked))) = &result {
        tokio::time::sleep_until(started + FAILURE_FLOOR).await;
    }
    result
}

async fn check_auth_now(state: &AppState, name: &str, auth: &AuthKey) -> Result<VaultAccount, VaultError> {
    let auth = AuthKey(auth.0);
    let Some(account) = state.store().vault_account(name).await? else {
        // No account: the same count, the same slow check, the same lock, in memory.
        let locks = &state.vault().decoy_locks;
        let Some(n) = locks.reserve(name) else {
            return Err(ErrorCode::AccountLocked.into());
        };
        auth::on_argon2(move || auth::waste_a_check(&auth)).await.ok_or(ErrorCode::Internal)?;
        if i64::from(n) >= MAX_FAILED_SIGN_INS {
            locks.lock(name);
            return Err(ErrorCode::AccountLocked.into());
        }
        return Err(ErrorCode::WrongPassphrase.into());
    };
    let n = match state.store().vault_reserve(name, MAX_FAILED_SIGN_INS, LOCK_SECONDS).await? {
        Reservation::Attempt(n) => n,
        Reservation::Locked => return Err(ErrorCode::AccountLocked.into()),
        Reservation::JustLocked => {
            audit(state, name, AuditAction::AccountLocked).await?;
            tracing::info!(user = %name, "account locked (attempts in parallel)");
            return Err(ErrorCode::AccountLocked.into());
        }
    };
    let hash = account.auth_hash.clone();
    let ok = auth::on_argon2(move || auth::auth_matches(&auth, &hash)).await.ok_or(ErrorCode::Internal)?;
    if !ok {
        audit(state, name, AuditAction::SignInFailed).await?;
        if n >= MAX_FAILED_SIGN_INS {
            state.store().vault_lock(name, LOCK_SECONDS).await?;
            audit(state, name, AuditAction::AccountLocked).await?;
            tracing::info!(user = %name, "wrong passphrase; account locked");
            return Err(ErrorCode::AccountLocked.into());
        }
        tracing::info!(user = %name, "wrong passphrase");
        return Err(ErrorCode::WrongPassphrase.into());
    }
    state.store().vault_succeeded(name).await?;
    Ok(account)
}

/// `POST /api/v1/vault/session`: name + `auth` → session cookie and the wrapped identity.
pub async fn sign_in(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, VaultError> {
    let ip = ip_of(peer);
    limited(&state, ip)?;
    let req: VaultSignIn = json_body(&headers, body, DEFAULT_CAP).await?;
    if req.name.len() > MAX_NAME {
        return Err(ErrorCode::BadRequest.into());
    }
    let auth = AuthKey::decode(&req.auth)?;
    let attempt = begin(&state, ip)?;
    let account = check_auth(&state, &req.name, &auth).await?;
    attempt.succeeded();
    let cookie = sign_in_session(&state, &account.user.name).await?;
    tracing::info!(user = %account.user.name, "signed in with passphrase");
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
    headers: HeaderMap,
    body: Body,
) -> Result<Response, VaultError> {
    let ip = ip_of(peer);
    limited(&state, ip)?;
    let req: ChangePassphrase = json_body(&headers, body, DEFAULT_CAP).await?;
    let refuse = |code: ErrorCode| VaultError::App(AppError(code));
    let old = AuthKey::decode(&req.old_auth).map_err(refuse)?;
    vault::Salt::decode(&req.salt).map_err(refuse)?;
    let new = AuthKey::decode(&req.auth).map_err(refuse)?;
    vault::decode_wrapped(&req.wrapped_identity).map_err(refuse)?;
    let name = caller.name().to_owned();
    let attempt = begin(&state, ip)?;
    check_auth(&state, &name, &old).await?;
    attempt.succeeded();
    let hash = auth::on_argon2(move || auth::hash_auth(&new)).await.ok_or(ErrorCode::Internal)?;
    if !state.store().change_passphrase(&name, &req.salt, &hash, &req.wrapped_identity).await? {
        return Err(ErrorCode::NotEnrolled.into());
    }
    tracing::info!(user = %name, "passphrase changed");
    let cookie = start_session(&state, &name).await?;
    Ok(([(SET_COOKIE, cookie)], Json(SessionInfo { name, role: caller.role() })).into_response())
}

/// `PUT /api/v1/vault/author-key`: a caseworker whose vault predates signed authorship
/// registers the author key the app made at unlock, with the identity rewrapped to hold
/// it. 409 `author_key_exists` when the account has one already (only re-enrolment
/// brings a new one); audited `author_key_registered`. Only the key's fingerprint is
/// logged.
pub async fn register_author_key(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<WrappedIdentity>, AppError> {
    caller.may(Permission::RegisterAuthorKey)?;
    let req: RegisterAuthorKey = json_body(&headers, body, DEFAULT_CAP).await?;
    let key: AuthorPublicKey = req.author_key.parse()?;
    vault::decode_wrapped(&req.wrapped_identity)?;
    let name = caller.name();
    match state.store().register_author_key(name, &key.to_string(), &req.wrapped_identity).await? {
        AuthorKeyRegistration::Registered => {}
        AuthorKeyRegistration::AlreadyRegistered => return Err(ErrorCode::AuthorKeyExists.into()),
        AuthorKeyRegistration::NotEnrolled => return Err(ErrorCode::NotEnrolled.into()),
    }
    tracing::info!(user = %name, fingerprint = %key.fingerprint(), "author key registered");
    let account = state.store().vault_account(name).await?.ok_or(ErrorCode::NotEnrolled)?;
    Ok(Json(wrapped_of(account)))
}
