//! Paths, bodies and headers of the relay's HTTP API, version 1 (see docs/api.md).
//! The relay and the app both use these, so they cannot disagree on a route or a field.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::error::ErrorCode;
use crate::ids::{CaseId, EntryId};

/// Header naming the case an uploaded entry belongs to.
pub const CASE_HEADER: &str = "amanat-case";
/// Optional header: the keyring version the entry was sealed to.
pub const KEYRING_VERSION_HEADER: &str = "amanat-keyring-version";
/// Optional header on an upload: the id of an entry of the same case that this one
/// supersedes (a key holder's re-seal to the current keyring; advisers must send it).
pub const SUPERSEDES_HEADER: &str = "amanat-supersedes";
/// Default largest upload, in bytes.
pub const DEFAULT_MAX_BODY: usize = 64 * 1024 * 1024;
/// Most rows one page of a listing returns.
pub const PAGE_SIZE: usize = 500;

/// The relay's routes. Each constant is the path as the router declares it (axum's
/// syntax, `{id}` for a parameter); a path with a parameter also has a function that
/// fills it in. The app's relay client builds every request from these.
pub mod paths {
    use crate::ids::EntryId;

    /// What every route of this version starts with.
    pub const PREFIX: &str = "/api/v1";
    /// `GET`: the relay is up, and its version.
    pub const HEALTH: &str = "/api/v1/health";
    /// `GET` (public): whether the relay can take uploads now: its database answers
    /// and its blob store is writable (200, else 503).
    pub const READY: &str = "/api/v1/ready";
    /// `GET`: the signed keyring, as stored.
    pub const KEYRING: &str = "/api/v1/keyring";
    /// `GET` (`?after=`, `?case=`): one page of entry metadata.
    pub const ENTRIES: &str = "/api/v1/entries";
    /// `POST`: many entries in one binary answer (see [`super::frames`]).
    pub const ENTRIES_READ: &str = "/api/v1/entries/read";
    /// `PUT` (upload, idempotent) and `GET` (the stored bytes) of one entry: [`entry`].
    pub const ENTRY: &str = "/api/v1/entries/{id}";
    /// `GET` (`?after=`): one page of the audit log.
    pub const AUDIT: &str = "/api/v1/audit";
    /// `GET`: the relay's own check of every blob and of the audit chain.
    pub const VERIFICATION: &str = "/api/v1/verification";
    /// `GET` (who is signed in), `POST` (sign in with a token), `DELETE` (sign out).
    pub const SESSION: &str = "/api/v1/session";
    /// `POST`: a new session cookie for the same account.
    pub const SESSION_RENEW: &str = "/api/v1/session/renew";
    /// `GET` (public): the organisation's vault settings.
    pub const VAULT_SETTINGS: &str = "/api/v1/vault/settings";
    /// `POST`: redeem an enrolment token or the enrolment cookie.
    pub const VAULT_ENROL: &str = "/api/v1/vault/enrol";
    /// `POST`: trade an enrolment link's token for the HttpOnly enrolment cookie (the
    /// token is dead from then on).
    pub const VAULT_ENROL_OPEN: &str = "/api/v1/vault/enrol/open";
    /// `POST`: the salt a caseworker derives with.
    pub const VAULT_SALT: &str = "/api/v1/vault/salt";
    /// `POST`: a caseworker's sign-in with the derived `auth`.
    pub const VAULT_SESSION: &str = "/api/v1/vault/session";
    /// `GET`: the signed-in caseworker's wrapped identity.
    pub const VAULT_IDENTITY: &str = "/api/v1/vault/identity";
    /// `PUT`: rewrap the identity under a new passphrase.
    pub const VAULT_PASSPHRASE: &str = "/api/v1/vault/passphrase";
    /// `PUT`: register the author key of a vault that predates signed authorship.
    pub const VAULT_AUTHOR_KEY: &str = "/api/v1/vault/author-key";
    /// `GET` (signed in): the organisation's signed roster of approved author keys
    /// (`shared::authorship::Roster`); 404 before one is published.
    pub const ROSTER: &str = "/api/v1/roster";
    /// `GET` (public): the organisation's signed settings (`shared::org_settings`), as
    /// stored; 404 `settings_missing` before they are installed.
    pub const ORG_SETTINGS: &str = "/api/v1/settings";

    /// [`ENTRY`] for one entry.
    pub fn entry(id: &EntryId) -> String {
        format!("{ENTRIES}/{id}")
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn every_route_is_under_the_prefix_and_an_entrys_path_fills_the_pattern() {
            let all = [
                HEALTH,
                READY,
                KEYRING,
                ENTRIES,
                ENTRIES_READ,
                ENTRY,
                AUDIT,
                VERIFICATION,
                SESSION,
                SESSION_RENEW,
                VAULT_SETTINGS,
                VAULT_ENROL,
                VAULT_ENROL_OPEN,
                VAULT_SALT,
                VAULT_SESSION,
                VAULT_IDENTITY,
                VAULT_PASSPHRASE,
                ROSTER,
                ORG_SETTINGS,
            ];
            for path in all {
                assert!(path.starts_with(&format!("{PREFIX}/")), "{path}");
            }
            let id = EntryId::of(b"x");
            assert_eq!(entry(&id), ENTRY.replace("{id}", &id.to_string()));
        }
    }
}

/// Every error answer: `{ "error": code, "message": text }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub error: ErrorCode,
    pub message: String,
}

impl From<ErrorCode> for ApiError {
    fn from(code: ErrorCode) -> Self {
        ApiError { error: code, message: code.message().to_owned() }
    }
}

/// `GET /api/v1/health`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub version: String,
}

/// `GET /api/v1/ready`: each check, `true` when it passed (the status is 200 only when
/// all did). No detail of a failure is given; the relay logs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ready {
    pub database: bool,
    pub blobs_writable: bool,
}

/// Answer to a successful `PUT /api/v1/entries/{id}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    pub id: EntryId,
    /// false when the same bytes were already stored (a safe retry).
    pub created: bool,
}

/// One row of `GET /api/v1/entries`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryMeta {
    pub id: EntryId,
    pub case: CaseId,
    pub size: u64,
    /// RFC 3339, when the relay stored it.
    pub received_at: String,
    /// Account name of the uploader.
    pub author: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyring_version: Option<u64>,
}

/// A page of `GET /api/v1/entries?case=…&after=…`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryPage {
    pub entries: Vec<EntryMeta>,
    /// Pass as `after` to get the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// Account roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    #[serde(rename = "caseworker")]
    Caseworker,
    #[serde(rename = "adviser")]
    Adviser,
    #[serde(rename = "privacy-officer")]
    PrivacyOfficer,
    #[serde(rename = "admin")]
    Admin,
}

impl Role {
    pub const ALL: &'static [Role] = &[Role::Caseworker, Role::Adviser, Role::PrivacyOfficer, Role::Admin];

    pub fn code(self) -> &'static str {
        match self {
            Role::Caseworker => "caseworker",
            Role::Adviser => "adviser",
            Role::PrivacyOfficer => "privacy-officer",
            Role::Admin => "admin",
        }
    }
}

impl FromStr for Role {
    type Err = ErrorCode;
    fn from_str(s: &str) -> Result<Self, ErrorCode> {
        Role::ALL.iter().copied().find(|r| r.code() == s).ok_or(ErrorCode::BadRequest)
    }
}

/// `POST /api/v1/session`: sign in with an account name and its access token. (The
/// vault issue replaces the token with a passphrase-derived value; the route stays.)
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignIn {
    pub name: String,
    pub token: String,
}

/// `GET /api/v1/session`: who is signed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub name: String,
    pub role: Role,
}

/// One event of the relay's audit log (`GET /api/v1/audit`): who did what to which
/// entry or account, when. Each event's `hash` covers the previous event's hash, so
/// removing or altering an event breaks the chain (`amanat verify` checks it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub seq: u64,
    /// RFC 3339.
    pub at: String,
    /// Account name, or `amanat-cli` for administrator commands.
    pub actor: String,
    /// `entry_stored`, `entry_read`, `entries_listed`, `verification_run`, `user_added`,
    /// `token_issued`, `signed_in`, `sign_in_failed`, `signed_out` (and the vault's
    /// account events).
    pub action: String,
    /// The entry id or account name the event is about.
    pub subject: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Lowercase hex SHA-256 chaining this event to the one before.
    pub hash: String,
}

/// A page of `GET /api/v1/audit?after=…` (privacy officers and admins).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub events: Vec<AuditEvent>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// `GET /api/v1/verification` (privacy officers and admins): what `amanat verify`
/// finds, as metadata only. No ciphertext, no file paths.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationReport {
    /// True only when every entry passed and the audit chain verifies.
    pub ok: bool,
    pub entries: usize,
    pub passed: usize,
    /// Blob files with no entry record, or left from interrupted uploads (never served).
    pub warnings: usize,
    /// X25519 recipients the current keyring holds (absent when there is no keyring).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyring_recipients: Option<usize>,
    /// One row per stored entry, in upload order.
    pub checks: Vec<EntryCheck>,
    pub audit_events: usize,
    /// Latest audit hash (hex); keep a copy elsewhere to notice events cut from the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_head: Option<String>,
    /// Why the audit chain does not verify, if it does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_failure: Option<String>,
}

/// One entry's line in a [`VerificationReport`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryCheck {
    pub id: EntryId,
    /// Why the entry fails (missing, size, hash, not age), if it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// X25519 recipient stanzas in its header (0 when the header cannot be read).
    pub x25519: usize,
    /// Sealed to fewer recipients than the current keyring holds (sealed before it
    /// grew: re-seal it when rotating).
    pub below_keyring: bool,
}

/// Most ids one `POST /api/v1/entries/read` may ask for (the same as a listing page,
/// so one page of metadata is one bulk read).
pub const READ_MANY_MAX: usize = PAGE_SIZE;

/// Most bytes of entries one `POST /api/v1/entries/read` sends (the default
/// `--max-body`): asking for more is refused up front (413 `read_too_large`), so a
/// small request cannot make the relay promise gigabytes. One entry asked alone is sent
/// whatever its size, as `GET /api/v1/entries/{id}` sends it. The app asks for at most
/// 8 MiB at a time.
pub const READ_MANY_MAX_BYTES: u64 = DEFAULT_MAX_BODY as u64;

/// Body of `POST /api/v1/entries/read`: the entries to send, in the order wanted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadMany {
    pub ids: Vec<EntryId>,
}

/// The answer of `POST /api/v1/entries/read` is `application/octet-stream`: one frame
/// per asked id, in the order asked, each `id (32 bytes, the SHA-256) | status (1 byte)
/// | length (8 bytes, big-endian) | bytes`. Binary, so 500 entries cost no base64 and
/// the page can hand the whole answer to a worker untouched.
pub mod frames {
    use crate::error::ErrorCode;
    use crate::ids::EntryId;

    /// The frame carries the entry's stored bytes.
    pub const ENTRY: u8 = 0;
    /// No such entry for this caller (unknown, or another caseworker's: as a single
    /// read answers 404); its length is 0.
    pub const MISSING: u8 = 1;
    /// Bytes before a frame's content.
    pub const HEADER_LEN: usize = 32 + 1 + 8;

    /// A frame's header.
    pub fn header(id: &EntryId, status: u8, len: u64) -> [u8; HEADER_LEN] {
        let mut h = [0u8; HEADER_LEN];
        h[..32].copy_from_slice(id.as_bytes());
        h[32] = status;
        h[33..].copy_from_slice(&len.to_be_bytes());
        h
    }

    /// One parsed frame: the id and, unless missing, the bytes.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct Frame<'a> {
        pub id: EntryId,
        pub bytes: Option<&'a [u8]>,
    }

    /// Splits a whole answer into frames; a truncated or malformed answer is refused
    /// whole (`Corrupted`), since a frame boundary cannot be trusted after it.
    pub fn parse(mut buf: &[u8]) -> Result<Vec<Frame<'_>>, ErrorCode> {
        let mut out = Vec::new();
        while !buf.is_empty() {
            if buf.len() < HEADER_LEN {
                return Err(ErrorCode::Corrupted);
            }
            let id = EntryId::from_digest(buf[..32].try_into().expect("32 bytes"));
            let status = buf[32];
            let len = u64::from_be_bytes(buf[33..HEADER_LEN].try_into().expect("8 bytes"));
            let rest = &buf[HEADER_LEN..];
            let len = usize::try_from(len).ok().filter(|l| *l <= rest.len()).ok_or(ErrorCode::Corrupted)?;
            match (status, len) {
                (ENTRY, _) => out.push(Frame { id, bytes: Some(&rest[..len]) }),
                (MISSING, 0) => out.push(Frame { id, bytes: None }),
                _ => return Err(ErrorCode::Corrupted),
            }
            buf = &rest[len..];
        }
        Ok(out)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn frames_round_trip_and_a_cut_answer_is_refused() {
            let a = EntryId::of(b"a");
            let b = EntryId::of(b"b");
            let mut buf = header(&a, ENTRY, 3).to_vec();
            buf.extend_from_slice(b"xyz");
            buf.extend_from_slice(&header(&b, MISSING, 0));
            let frames = parse(&buf).unwrap();
            assert_eq!(frames, vec![Frame { id: a, bytes: Some(b"xyz") }, Frame { id: b, bytes: None }]);
            assert_eq!(parse(&buf[..buf.len() - 1]), Err(ErrorCode::Corrupted));
            assert_eq!(parse(&buf[..HEADER_LEN + 2]), Err(ErrorCode::Corrupted));
            let mut odd = header(&a, MISSING, 1).to_vec();
            odd.push(0);
            assert_eq!(parse(&odd), Err(ErrorCode::Corrupted));
        }
    }
}
