//! The relay's HTTP API as typed calls: every request the app sends to the relay goes
//! through here, to a path from `shared::api::paths` (the contract, bodies and headers
//! included, lives in `shared::api`).
//!
//! Every failure is classified once, here: the relay is *unavailable* (no answer, 5xx,
//! 408: try again later, keep the work), it is *busy* (it answered with a code that
//! says "not now": 429 `sign_in_delayed`, `rate_limited`, `upload_rate_limited`, 413
//! `quota_exceeded`, 507 `storage_full`; keep the work, say why, try again no sooner
//! than its `Retry-After`), or it *refused* the request (another 4xx, with its error
//! code). Requests go with the session cookie and bypass the HTTP cache, so no answer
//! lingers in the browser profile: to this page's own origin, or, when the app is served
//! from another origin than the relay's, to the relay origin the page names
//! ([`relay_origin`], `credentials: include`; the relay answers CORS for this app's
//! origin only, `amanat serve --app-origin`).

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::Deserialize;
use shared::api::{
    paths, AuditPage, EntryPage, SessionInfo, SignIn, VerificationReport, CASE_HEADER, KEYRING_VERSION_HEADER,
    SUPERSEDES_HEADER,
};
use shared::envelope::Envelope;
use shared::vault::{
    ChangePassphrase, Enrol, EnrolOpen, RegisterAuthorKey, SaltAnswer, SaltRequest, VaultSettings, VaultSignIn,
    WrappedIdentity,
};
use shared::{CaseId, EntryId, ErrorCode};
use web_sys::RequestCache;

/// Why a call to the relay did not succeed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RelayError {
    /// No usable answer now; the same request may succeed later.
    Unavailable,
    /// The relay answered "not now" (see the module doc): the same request may succeed
    /// later, no sooner than `retry_after` seconds when it said so.
    Busy { status: u16, code: Option<ErrorCode>, retry_after: Option<u32> },
    /// The relay answered with a refusal; repeating the same request will not help.
    Refused { status: u16, code: Option<ErrorCode>, message: String },
}

impl RelayError {
    /// Whether waiting and retrying may help.
    pub fn is_transient(&self) -> bool {
        matches!(self, RelayError::Unavailable | RelayError::Busy { .. })
    }

    /// Whether the relay answered "not now" with a reason (see [`RelayError::Busy`]).
    pub fn is_busy(&self) -> bool {
        matches!(self, RelayError::Busy { .. })
    }

    /// How long the relay asked to wait, in seconds, if it did.
    pub fn retry_after(&self) -> Option<u32> {
        match self {
            RelayError::Busy { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The sentence to show: our own for a code we know (so it can be translated),
    /// otherwise the relay's.
    pub fn message(&self) -> String {
        match self {
            RelayError::Unavailable | RelayError::Busy { code: None, .. } => crate::i18n::tr_now("relay-unreachable"),
            RelayError::Refused { code: Some(code), .. } | RelayError::Busy { code: Some(code), .. } => {
                crate::i18n::error_now(*code)
            }
            RelayError::Refused { message, .. } => message.clone(),
        }
    }

    /// The error code, if the relay gave one we know.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            RelayError::Refused { code, .. } | RelayError::Busy { code, .. } => *code,
            RelayError::Unavailable => None,
        }
    }
}

/// The codes that mean "not now" rather than "never" (see [`RelayError::Busy`]).
const BUSY_CODES: [ErrorCode; 5] = [
    ErrorCode::SignInDelayed,
    ErrorCode::RateLimited,
    ErrorCode::UploadRateLimited,
    ErrorCode::QuotaExceeded,
    ErrorCode::StorageFull,
];

/// Longest wait taken from a `Retry-After` (the relay's longest sign-in delay is 15
/// minutes; an upload budget refills within the hour).
pub const MAX_RETRY_AFTER_S: u32 = 3_600;

/// Reads a `Retry-After` header given in seconds (the relay's form), capped.
pub fn parse_retry_after(value: Option<&str>) -> Option<u32> {
    value?.trim().parse::<u32>().ok().map(|s| s.min(MAX_RETRY_AFTER_S))
}

/// Classifies a non-success status, its body and its `Retry-After` header.
pub fn classify(status: u16, body: &str) -> RelayError {
    classify_with(status, body, None)
}

/// [`classify`] with the answer's `Retry-After` (seconds).
pub fn classify_with(status: u16, body: &str, retry_after: Option<u32>) -> RelayError {
    #[derive(Deserialize)]
    struct RawError {
        error: String,
        #[serde(default)]
        message: String,
    }
    let code = || serde_json::from_str::<RawError>(body).ok().and_then(|raw| ErrorCode::from_code(&raw.error));
    if matches!(status, 413 | 429 | 507) {
        match code() {
            Some(code) if BUSY_CODES.contains(&code) => {
                return RelayError::Busy { status, code: Some(code), retry_after };
            }
            None if status == 429 => return RelayError::Busy { status, code: None, retry_after },
            _ => {}
        }
    }
    if status >= 500 || status == 408 || status == 429 || status == 0 {
        return RelayError::Unavailable;
    }
    match serde_json::from_str::<RawError>(body) {
        Ok(raw) => RelayError::Refused {
            status,
            code: ErrorCode::from_code(&raw.error),
            message: if raw.message.is_empty() { raw.error } else { raw.message },
        },
        Err(_) => RelayError::Refused { status, code: None, message: crate::i18n::tr_now("relay-unexpected") },
    }
}

async fn send(req: Result<Request, gloo_net::Error>) -> Result<Response, RelayError> {
    let resp = req.map_err(|_| RelayError::Unavailable)?.send().await.map_err(|_| RelayError::Unavailable)?;
    if resp.ok() {
        Ok(resp)
    } else {
        let retry_after = parse_retry_after(resp.headers().get("retry-after").as_deref());
        let body = resp.text().await.unwrap_or_default();
        Err(classify_with(resp.status(), &body, retry_after))
    }
}

fn no_store(b: RequestBuilder) -> RequestBuilder {
    b.cache(RequestCache::NoStore).credentials(credentials())
}

/// The relay's origin when this app is served from another one (`cargo xtask build
/// --relay-origin`, `amanat release sign --relay-origin`): the `<meta
/// name="amanat-relay">` of the page, read once ([`shared::origin`]); empty when the
/// relay is this page's own origin.
pub fn relay_origin() -> &'static str {
    static ORIGIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ORIGIN.get_or_init(read_relay_origin)
}

#[cfg(target_arch = "wasm32")]
fn read_relay_origin() -> String {
    let selector = format!("meta[name=\"{}\"]", shared::origin::META_NAME);
    let Some(value) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(&selector).ok().flatten())
        .and_then(|m| m.get_attribute("content"))
    else {
        return String::new();
    };
    match shared::origin::WebOrigin::parse(&value) {
        Ok(origin) => origin.as_str().to_owned(),
        Err(e) => {
            // The build and `amanat release sign` check it; a page that still names a
            // bad one talks to its own origin, where no relay answers.
            leptos::logging::error!("amanat: the page's relay origin {value:?} is refused: {e}");
            String::new()
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn read_relay_origin() -> String {
    String::new()
}

/// The URL of an API path on the relay (`paths::…`): on this page's own origin, or on
/// the relay origin the page names.
pub fn api(path: &str) -> String {
    format!("{}{path}", relay_origin())
}

/// Same-origin as before; `include` for a relay on another origin, whose session
/// cookie the browser otherwise would not send (the relay allows exactly this app's
/// origin, with credentials: `amanat serve --app-origin`).
fn credentials() -> web_sys::RequestCredentials {
    if relay_origin().is_empty() {
        web_sys::RequestCredentials::SameOrigin
    } else {
        web_sys::RequestCredentials::Include
    }
}

fn unexpected() -> RelayError {
    RelayError::Refused { status: 200, code: None, message: crate::i18n::tr_now("relay-unexpected") }
}

/// `POST /api/v1/session`: the relay sets an HttpOnly session cookie.
pub async fn sign_in(name: &str, token: &str) -> Result<SessionInfo, RelayError> {
    let body = SignIn { name: name.to_owned(), token: token.to_owned() };
    let resp = send(no_store(Request::post(&api(paths::SESSION))).json(&body)).await?;
    resp.json().await.map_err(|_| unexpected())
}

/// `GET /api/v1/vault/settings` (public): the organisation's idle-lock minutes.
pub async fn vault_settings() -> Result<VaultSettings, RelayError> {
    let resp = send(no_store(Request::get(&api(paths::VAULT_SETTINGS))).build()).await?;
    resp.json().await.map_err(|_| unexpected())
}

/// `POST /api/v1/vault/salt`: the salt to derive with for `name`.
pub async fn vault_salt(name: &str) -> Result<SaltAnswer, RelayError> {
    let body = SaltRequest { name: name.to_owned() };
    let resp = send(no_store(Request::post(&api(paths::VAULT_SALT))).json(&body)).await?;
    resp.json().await.map_err(|_| unexpected())
}

/// `POST /api/v1/vault/enrol/open`: trades an enrolment link's token for the relay's
/// short-lived HttpOnly enrolment cookie; from then on the token itself is dead.
pub async fn vault_enrol_open(token: &str) -> Result<(), RelayError> {
    let body = EnrolOpen { token: token.to_owned() };
    send(no_store(Request::post(&api(paths::VAULT_ENROL_OPEN))).json(&body)).await.map(|_| ())
}

/// `POST /api/v1/vault/enrol`: enrol (with the enrolment cookie, or a token in the
/// body); the relay ends the enrolment cookie and sets the session cookie.
pub async fn vault_enrol(body: &Enrol) -> Result<SessionInfo, RelayError> {
    let resp = send(no_store(Request::post(&api(paths::VAULT_ENROL))).json(body)).await?;
    resp.json().await.map_err(|_| unexpected())
}

/// `POST /api/v1/vault/session`: sign in with the derived `auth`; answers the wrapped
/// identity and sets the session cookie.
pub async fn vault_sign_in(name: &str, auth: &str) -> Result<WrappedIdentity, RelayError> {
    let body = VaultSignIn { name: name.to_owned(), auth: auth.to_owned() };
    let resp = send(no_store(Request::post(&api(paths::VAULT_SESSION))).json(&body)).await?;
    resp.json().await.map_err(|_| unexpected())
}

/// `PUT /api/v1/vault/passphrase`: rewrap under a new passphrase.
pub async fn vault_change_passphrase(body: &ChangePassphrase) -> Result<SessionInfo, RelayError> {
    let resp = send(no_store(Request::put(&api(paths::VAULT_PASSPHRASE))).json(body)).await?;
    resp.json().await.map_err(|_| unexpected())
}

/// `PUT /api/v1/vault/author-key`: registers the author key made at unlock for a vault
/// that predates signed authorship, with the identity rewrapped to hold it.
pub async fn vault_register_author_key(body: &RegisterAuthorKey) -> Result<(), RelayError> {
    send(no_store(Request::put(&api(paths::VAULT_AUTHOR_KEY))).json(body)).await.map(|_| ())
}

/// `POST /api/v1/session/renew`: rotate the session cookie (new id, new lifetime).
pub async fn renew_session() -> Result<SessionInfo, RelayError> {
    let resp = send(no_store(Request::post(&api(paths::SESSION_RENEW))).build()).await?;
    resp.json().await.map_err(|_| unexpected())
}

/// `DELETE /api/v1/session`, fire and forget, as a `keepalive` fetch: started
/// synchronously, it outlives the page, so a tab closed or reloaded on a shared computer
/// still ends its relay session (a plain fetch is cancelled when the page unloads).
pub fn sign_out_keepalive() {
    let init = web_sys::RequestInit::new();
    init.set_method("DELETE");
    // web-sys has no setter for `keepalive`; the browser reads it off the init object.
    let _ = js_sys::Reflect::set(&init, &"keepalive".into(), &true.into());
    init.set_credentials(credentials());
    if let Some(w) = web_sys::window() {
        let _ = w.fetch_with_str_and_init(&api(paths::SESSION), &init);
    }
}

/// `DELETE /api/v1/session`.
pub async fn sign_out() -> Result<(), RelayError> {
    send(no_store(Request::delete(&api(paths::SESSION))).build()).await.map(|_| ())
}

/// `GET /api/v1/keyring`, as raw bytes: parsing and checking belong to `shared`.
pub async fn keyring_bytes() -> Result<Vec<u8>, RelayError> {
    let resp = send(no_store(Request::get(&api(paths::KEYRING))).build()).await?;
    resp.binary().await.map_err(|_| RelayError::Unavailable)
}

/// `GET /api/v1/roster`, as raw bytes (`None` before the organisation published one):
/// parsing and checking belong to `shared::authorship`.
pub async fn roster_bytes() -> Result<Option<Vec<u8>>, RelayError> {
    match send(no_store(Request::get(&api(paths::ROSTER))).build()).await {
        Ok(resp) => resp.binary().await.map(Some).map_err(|_| RelayError::Unavailable),
        Err(RelayError::Refused { status: 404, .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `GET /api/v1/settings`, as raw bytes (`None` before the organisation installed
/// any): parsing and checking belong to `shared::org_settings`.
pub async fn org_settings_bytes() -> Result<Option<Vec<u8>>, RelayError> {
    match send(no_store(Request::get(&api(paths::ORG_SETTINGS))).build()).await {
        Ok(resp) => resp.binary().await.map(Some).map_err(|_| RelayError::Unavailable),
        Err(RelayError::Refused { status: 404, .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// What the relay did with an upload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stored {
    /// 201: stored now.
    Created,
    /// 200: the same bytes were already stored (a safe retry).
    AlreadyStored,
}

/// `PUT /api/v1/entries/{id}`: uploads one sealed entry. Idempotent.
pub async fn put_entry(envelope: &Envelope, ciphertext: &[u8]) -> Result<Stored, RelayError> {
    let body = js_sys::Uint8Array::from(ciphertext);
    upload(&envelope.id, &envelope.case, envelope.keyring_version, None, body.into()).await
}

/// `PUT /api/v1/entries/{id}` with a `Blob` as the body (a streamed entry, such as an
/// attachment): the browser sends it from its own storage, so the ciphertext never
/// passes through wasm memory. Idempotent, like [`put_entry`].
pub async fn put_entry_blob(envelope: &Envelope, body: &web_sys::Blob) -> Result<Stored, RelayError> {
    upload(&envelope.id, &envelope.case, envelope.keyring_version, None, body.clone().into()).await
}

/// `PUT /api/v1/entries/{id}` of a key holder's re-seal to the current keyring, naming
/// the entry of the same case it supersedes. Idempotent, like [`put_entry`].
pub async fn put_resealed(
    id: &EntryId,
    case: &CaseId,
    keyring_version: u64,
    supersedes: &EntryId,
    ciphertext: &[u8],
) -> Result<Stored, RelayError> {
    let body = js_sys::Uint8Array::from(ciphertext);
    upload(id, case, keyring_version, Some(supersedes), body.into()).await
}

/// The one upload request every `put_*` sends.
async fn upload(
    id: &EntryId,
    case: &CaseId,
    keyring_version: u64,
    supersedes: Option<&EntryId>,
    body: wasm_bindgen::JsValue,
) -> Result<Stored, RelayError> {
    let mut b = no_store(Request::put(&api(&paths::entry(id))))
        .header("content-type", "application/octet-stream")
        .header(CASE_HEADER, &case.to_string())
        .header(KEYRING_VERSION_HEADER, &keyring_version.to_string());
    if let Some(old) = supersedes {
        b = b.header(SUPERSEDES_HEADER, &old.to_string());
    }
    let resp = send(b.body(body)).await?;
    Ok(if resp.status() == 201 { Stored::Created } else { Stored::AlreadyStored })
}

/// `GET /api/v1/entries?after=…`: one page of entry metadata.
pub async fn list_entries(after: Option<&str>) -> Result<EntryPage, RelayError> {
    let mut b = no_store(Request::get(&api(paths::ENTRIES)));
    if let Some(after) = after {
        b = b.query([("after", after)]);
    }
    let resp = send(b.build()).await?;
    resp.json().await.map_err(|_| unexpected())
}

/// `GET /api/v1/entries?case=…&after=…`: one page of one case's entry metadata.
pub async fn list_case_entries(case: &CaseId, after: Option<&str>) -> Result<EntryPage, RelayError> {
    let case = case.to_string();
    let mut query = vec![("case", case.as_str())];
    query.extend(after.map(|a| ("after", a)));
    let resp = send(no_store(Request::get(&api(paths::ENTRIES)).query(query)).build()).await?;
    resp.json().await.map_err(|_| unexpected())
}

/// `GET /api/v1/entries/{id}`: the stored ciphertext, byte for byte.
pub async fn get_entry(id: &EntryId) -> Result<Vec<u8>, RelayError> {
    let resp = send(no_store(Request::get(&api(&paths::entry(id)))).build()).await?;
    resp.binary().await.map_err(|_| RelayError::Unavailable)
}

/// `POST /api/v1/entries/read`: many entries as one binary answer of frames
/// (`shared::api::frames`), kept as a JS buffer so it can go to a worker untouched.
pub async fn read_entries(ids: &[EntryId]) -> Result<js_sys::Uint8Array, RelayError> {
    let body = shared::api::ReadMany { ids: ids.to_vec() };
    let resp = send(no_store(Request::post(&api(paths::ENTRIES_READ))).json(&body)).await?;
    let raw = web_sys::Response::from(resp);
    let buffer = wasm_bindgen_futures::JsFuture::from(raw.array_buffer().map_err(|_| RelayError::Unavailable)?)
        .await
        .map_err(|_| RelayError::Unavailable)?;
    Ok(js_sys::Uint8Array::new(&buffer))
}

/// `GET /api/v1/audit?after=…`: one page of the audit log.
pub async fn audit_page(after: Option<&str>) -> Result<AuditPage, RelayError> {
    let mut b = no_store(Request::get(&api(paths::AUDIT)));
    if let Some(after) = after {
        b = b.query([("after", after)]);
    }
    let resp = send(b.build()).await?;
    resp.json().await.map_err(|_| unexpected())
}

/// `GET /api/v1/verification`: the relay's own pass over every blob and the audit chain.
pub async fn verification() -> Result<VerificationReport, RelayError> {
    let resp = send(no_store(Request::get(&api(paths::VERIFICATION))).build()).await?;
    resp.json().await.map_err(|_| unexpected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_trouble_and_rate_limits_are_worth_waiting_for() {
        for status in [0, 408, 429, 500, 502, 503] {
            assert!(classify(status, "").is_transient(), "{status}");
        }
    }

    #[test]
    fn a_relay_that_says_not_now_is_busy_with_its_reason_and_wait() {
        let e = classify_with(429, r#"{"error":"sign_in_delayed","message":"wait"}"#, Some(64));
        assert_eq!(e, RelayError::Busy { status: 429, code: Some(ErrorCode::SignInDelayed), retry_after: Some(64) });
        assert!(e.is_transient() && e.is_busy());
        assert_eq!(e.retry_after(), Some(64));
        for (status, code) in [
            (413, ErrorCode::QuotaExceeded),
            (429, ErrorCode::UploadRateLimited),
            (429, ErrorCode::RateLimited),
            (507, ErrorCode::StorageFull),
        ] {
            let body = format!(r#"{{"error":"{}","message":"x"}}"#, code.code());
            let e = classify_with(status, &body, None);
            assert_eq!(e.code(), Some(code), "{status}");
            assert!(e.is_busy(), "{status}");
            assert_eq!(e.message(), code.message(), "our own sentence, translated");
        }
        assert!(classify(429, "").is_busy(), "a 429 without a body still says wait");
        assert_eq!(classify(413, r#"{"error":"too_large","message":"x"}"#).code(), Some(ErrorCode::TooLarge));
        assert!(!classify(413, r#"{"error":"too_large","message":"x"}"#).is_transient(), "too large is for ever");
        assert_eq!(classify(507, ""), RelayError::Unavailable);
        assert_eq!(parse_retry_after(Some(" 120 ")), Some(120));
        assert_eq!(parse_retry_after(Some("999999")), Some(MAX_RETRY_AFTER_S));
        assert_eq!(parse_retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")), None);
        assert_eq!(parse_retry_after(None), None);
    }

    #[test]
    fn a_refusal_keeps_the_relays_code_and_message() {
        let e = classify(400, r#"{"error":"id_mismatch","message":"The entry id is wrong."}"#);
        assert!(!e.is_transient());
        assert_eq!(e.code(), Some(ErrorCode::IdMismatch));
        assert_eq!(e.message(), ErrorCode::IdMismatch.message());
        let e = classify(403, r#"{"error":"some_new_code","message":"Not today."}"#);
        assert_eq!((e.code(), e.message()), (None, "Not today.".to_owned()));
        let e = classify(404, "<html>");
        assert!(matches!(e, RelayError::Refused { status: 404, code: None, .. }));
    }
}
