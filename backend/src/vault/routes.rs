//! The caseworker vault's routes: settings, opening an enrolment link, enrolment, salt,
//! passphrase sign-in, the wrapped identity, passphrase change, author-key registration
//! (docs/api.md).
//!
//! The relay receives only values the browser derived (`auth`), salts, public keys and
//! an age file it cannot open. An enrolment link's token is traded, as soon as the page
//! opens it, for a 15-minute HttpOnly enrolment cookie ([`enrol_open`]): from then on
//! the token, which the browser's history keeps, is dead.
//!
//! Wrong passphrases count per (account, client address): three are free, then each
//! further attempt from that address for that account waits a delay that doubles with
//! each failure, up to 15 minutes (`store::vault::delay_after`), answered 429
//! `sign_in_delayed` without checking. Stored, so a restart or a second relay does not
//! reset it; another address is not slowed, so nobody who merely knows a name can keep
//! its owner out. The sign-in limiter also counts failures per client address. Both
//! count an attempt when it *begins*, before the slow check, so parallel requests
//! cannot all slip past; every Argon2id call goes through [`auth::on_argon2`] (blocking
//! pool, one per CPU).
//!
//! An unknown name is answered like a known one: a decoy salt from a key kept in
//! memory, the same slow check, the same delays (counted in memory), and every failed
//! or delayed sign-in answered no sooner than [`FAILURE_FLOOR`] after its check began,
//! which hides the database writes that only a real account's failure costs. A disabled
//! account is answered like any other until the passphrase proves right: then 403
//! `account_disabled`, and no session.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::{Extension, Json};
use shared::api::SessionInfo;
use shared::authorship::AuthorPublicKey;
use shared::vault::{
    self, AuthKey, ChangePassphrase, Enrol, EnrolOpen, EnrolOpened, RegisterAuthorKey, SaltAnswer, SaltRequest,
    VaultSettings, VaultSignIn, WrappedIdentity,
};
use shared::ErrorCode;

use crate::access::Permission;
use crate::audit::{AuditAction, OwnedEvent};
use crate::auth::Caller;
use crate::error::{AppError, Throttled, WaitThen};
use crate::json_body::{json_body, DEFAULT_CAP};
use crate::rate_limit::{client_key, Attempt};
use crate::routes::session::{sign_in_session, start_session};
use crate::state::AppState;
use crate::store::vault::FREE_FAILURES;
use crate::store::{now_unix, AuthorKeyRegistration, Delay, EnrolmentKey, NewCredentials, VaultAccount};

use super::auth;

/// The earliest a failed passphrase sign-in is answered after its check began: longer
/// than the check and its writes take on an idle relay.
pub const FAILURE_FLOOR: Duration = Duration::from_millis(500);

/// Longest account name a vault route reads (account names are at most 64 bytes).
const MAX_NAME: usize = 64;

/// A refusal of a vault route: an error code, or 429 with `Retry-After` (the sign-in
/// limiter's `rate_limited`, or `sign_in_delayed` for an (account, address) pair).
#[derive(Debug)]
pub enum VaultError {
    App(AppError),
    Throttled(Throttled),
    Delayed(Duration),
}

impl IntoResponse for VaultError {
    fn into_response(self) -> Response {
        match self {
            VaultError::App(e) => e.into_response(),
            VaultError::Throttled(t) => t.into_response(),
            VaultError::Delayed(wait) => WaitThen(ErrorCode::SignInDelayed, wait).into_response(),
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

/// How a client address is stored in `sign_in_failures` (IPv6 by its /64, as the
/// limiters count it; `-` when the address is unknown, as in tests without one).
fn client_label(ip: Option<IpAddr>) -> String {
    client_key(ip).map_or_else(|| "-".to_owned(), |ip| ip.to_string())
}

/// A `Set-Cookie` value for the enrolment cookie (`None`: expire it). Like the session
/// cookie it has no `Max-Age` (the browser drops it when it closes); the relay ends it
/// after [`auth::ENROL_SESSION_SECONDS`].
fn enrol_cookie(state: &AppState, value: Option<&str>) -> HeaderValue {
    let secure = state.config().secure_cookies;
    let name = auth::enrol_cookie_name(secure);
    let (value, max_age) = match value {
        Some(v) => (v, ""),
        None => ("", "; Max-Age=0"),
    };
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; HttpOnly; SameSite=Strict; Path=/{max_age}{secure}"))
        .expect("cookie values are ASCII")
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

/// `POST /api/v1/vault/enrol/open`: trades an enrolment link's token for a 15-minute
/// HttpOnly enrolment cookie; the token is dead from then on (so what the browser's
/// history keeps of the link enrols nobody). An unknown, expired or already opened
/// token is 400 `enrolment_invalid` and counts against the address like a failed
/// sign-in.
pub async fn enrol_open(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, VaultError> {
    let ip = ip_of(peer);
    limited(&state, ip)?;
    let req: EnrolOpen = json_body(&headers, body, DEFAULT_CAP).await?;
    let attempt = begin(&state, ip)?;
    if !auth::looks_like_enrolment_token(&req.token) {
        return Err(ErrorCode::EnrolmentInvalid.into());
    }
    let (cookie, cookie_hash) = auth::new_enrolment_token();
    let expires_at = now_unix() + auth::ENROL_SESSION_SECONDS;
    let opened = state.store().open_enrolment(&auth::enrolment_hash(&req.token), &cookie_hash, expires_at).await?;
    let Some(account) = opened else {
        tracing::info!("enrolment link refused");
        return Err(ErrorCode::EnrolmentInvalid.into());
    };
    attempt.succeeded();
    tracing::info!(user = %account, "enrolment link opened");
    let answer = EnrolOpened { expires_in_seconds: auth::ENROL_SESSION_SECONDS as u64 };
    Ok(([(SET_COOKIE, enrol_cookie(&state, Some(&cookie)))], Json(answer)).into_response())
}

/// `POST /api/v1/vault/enrol`: redeems a never-opened enrolment token (in the body) or
/// the enrolment cookie, stores the credentials and signs in. The token or cookie is
/// looked up before the new value is hashed, so a made-up one costs a lookup, not an
/// Argon2id hash. Success expires the enrolment cookie.
pub async fn enrol(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, VaultError> {
    let ip = ip_of(peer);
    limited(&state, ip)?;
    let cookie = crate::auth::session_cookie(&headers, auth::enrol_cookie_name(state.config().secure_cookies))
        .map(str::to_owned);
    let req: Enrol = json_body(&headers, body, DEFAULT_CAP).await?;
    let attempt = begin(&state, ip)?;
    let refuse = |code: ErrorCode| VaultError::App(AppError(code));
    let key = match (&req.token, &cookie) {
        (Some(token), _) if auth::looks_like_enrolment_token(token) => EnrolmentKey::Link(auth::enrolment_hash(token)),
        (None, Some(c)) if auth::looks_like_enrolment_token(c) => EnrolmentKey::Session(auth::enrolment_hash(c)),
        _ => return Err(refuse(ErrorCode::EnrolmentInvalid)),
    };
    vault::Salt::decode(&req.salt).map_err(refuse)?;
    let auth = AuthKey::decode(&req.auth).map_err(refuse)?;
    vault::decode_wrapped(&req.wrapped_identity).map_err(refuse)?;
    let recipient = shared::seal::parse_recipient(&req.recipient).map_err(refuse)?.to_string();
    // Checked before anything is stored; kept in its canonical form.
    let author_key = req.author_key.as_deref().map(str::parse::<AuthorPublicKey>).transpose().map_err(refuse)?;
    let author_key = author_key.map(|k| k.to_string());
    if state.store().enrolment_account(&key).await?.as_deref() != Some(req.name.as_str()) {
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
    let Some(user) = state.store().redeem_enrolment(&key, &req.name, &creds).await? else {
        tracing::info!("enrolment refused");
        return Err(refuse(ErrorCode::EnrolmentInvalid));
    };
    attempt.succeeded();
    tracing::info!(user = %user.name, "enrolled");
    let session = start_session(&state, &user.name).await?;
    let cookies = AppendHeaders([(SET_COOKIE, enrol_cookie(&state, None)), (SET_COOKIE, session)]);
    Ok((cookies, Json(SessionInfo { name: user.name, role: user.role })).into_response())
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

/// Checks `auth` for `name` from `ip`, counting the attempt first and honouring the
/// address's delay; a refusal is answered no sooner than [`FAILURE_FLOOR`] after the
/// check began.
async fn check_auth(state: &AppState, name: &str, auth: &AuthKey, ip: Option<IpAddr>) -> Result<VaultAccount, VaultError> {
    let started = tokio::time::Instant::now();
    let result = check_auth_now(state, name, auth, ip).await;
    if let Err(VaultError::App(AppError(ErrorCode::WrongPassphrase)) | VaultError::Delayed(_)) = &result {
        tokio::time::sleep_until(started + FAILURE_FLOOR).await;
    }
    result
}

/// The failed sign-in's audit events: `sign_in_failed` (ten at once, then one a
/// minute per account, so guesses from many addresses cannot flood the log) and
/// `sign_in_delayed` when this failure starts the address's delays.
fn failure_events(state: &AppState, name: &str, n: i64) -> Vec<OwnedEvent> {
    let mut events = Vec::new();
    if state.vault().failure_audit.take(&name.to_owned()).is_ok() {
        events.push(OwnedEvent::on_account(name, AuditAction::SignInFailed));
    } else {
        tracing::info!(user = %name, "failed sign-in not audited (too many)");
    }
    if n == FREE_FAILURES {
        events.push(OwnedEvent::on_account(name, AuditAction::SignInDelayed));
    }
    events
}

async fn check_auth_now(
    state: &AppState,
    name: &str,
    auth: &AuthKey,
    ip: Option<IpAddr>,
) -> Result<VaultAccount, VaultError> {
    let auth = AuthKey(auth.0);
    let Some(account) = state.store().vault_account(name).await? else {
        // No account: the same count, the same slow check, the same delays, in memory.
        let delays = &state.vault().decoy_delays;
        let n = delays.reserve(name, ip).map_err(VaultError::Delayed)?;
        auth::on_argon2(move || auth::waste_a_check(&auth)).await.ok_or(ErrorCode::Internal)?;
        delays.failed(name, ip, n);
        return Err(ErrorCode::WrongPassphrase.into());
    };
    let client = client_label(ip);
    let n = match state.store().delay_reserve(name, &client).await? {
        Delay::Attempt(n) => n,
        Delay::Wait(secs) => return Err(VaultError::Delayed(Duration::from_secs(secs.max(1) as u64))),
    };
    let hash = account.auth_hash.clone();
    let ok = auth::on_argon2(move || auth::auth_matches(&auth, &hash)).await.ok_or(ErrorCode::Internal)?;
    if !ok {
        state.store().delay_failed(name, &client, n, failure_events(state, name, n)).await?;
        if n >= FREE_FAILURES {
            tracing::info!(user = %name, failures = n, "wrong passphrase; this address now waits");
        } else {
            tracing::info!(user = %name, "wrong passphrase");
        }
        return Err(ErrorCode::WrongPassphrase.into());
    }
    state.store().delay_reset(name, &client).await?;
    if account.disabled {
        tracing::info!(user = %name, "right passphrase for a disabled account");
        return Err(ErrorCode::AccountDisabled.into());
    }
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
    let account = check_auth(&state, &req.name, &auth, ip).await?;
    attempt.succeeded();
    let cookie = sign_in_session(&state, &account.user.name).await?;
    crate::auth::note_use(&state, &account.user.name).await?;
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
    check_auth(&state, &name, &old, ip).await?;
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
