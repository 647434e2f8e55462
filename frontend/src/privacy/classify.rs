//! What each stored value is, for the privacy officer's scan of this device: age
//! ciphertext, an allowed envelope field, a file of this release of the app, or
//! anything else (which must not exist).
//!
//! This is pure logic over values already read out of the browser (see
//! [`super::device`]), so it is tested natively. The one list of what the app may keep
//! readable is [`ALLOWED`]: every field a store of the `amanat` database holds, with
//! the shape its value must have and why it may be kept. A field not in the list, or
//! one whose value does not have its shape (a name where an entry id belongs), is
//! "else", and so is any value in a place the app never writes (localStorage,
//! sessionStorage, readable cookies, other databases) unless it is age ciphertext.
//!
//! What this does not prove: that ciphertext was sealed to the right people (the relay
//! view checks that for uploaded entries), nor anything about HttpOnly cookies, which
//! scripts cannot read (the relay's session cookie is one; it holds a random id).

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use shared::age_header;
use shared::api::Role;
use shared::{CaseId, EntryId, ErrorCode};

/// The database the app keeps (`local_db::DB_NAME`).
pub const APP_DB: &str = crate::local_db::DB_NAME;

/// The leaf name used for a record's key (IndexedDB key, storage key, cookie name).
pub const KEY_FIELD: &str = "(key)";

/// How many first bytes of a binary value are read: the age header check never looks
/// further (the outbox keeps the same window of a streamed entry).
pub const HEAD_BYTES: usize = crate::outbox::HEAD_BYTES;

/// Longest text kept from a string value for the checks; an age file as text (armored
/// or base64) of a wrapped identity or keyring is far shorter, and the header check
/// needs only the start.
pub const MAX_TEXT: usize = 256 * 1024;

/// What a stored value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// An age file (binary, armored, or base64 of one): readable by nobody without a key.
    Ciphertext,
    /// A field of [`ALLOWED`] with the shape it must have.
    Envelope,
    /// A response in Cache Storage whose SHA-256 is this release's for its path.
    AppFile,
    /// Anything else: listed, and it must not be there.
    Else,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Ciphertext, Kind::Envelope, Kind::AppFile, Kind::Else];

    /// Stable code (used in ids, `data-kind` and catalog keys).
    pub fn code(self) -> &'static str {
        match self {
            Kind::Ciphertext => "ciphertext",
            Kind::Envelope => "envelope",
            Kind::AppFile => "app_file",
            Kind::Else => "else",
        }
    }
}

/// A value read out of browser storage, reduced to what the checks need.
#[derive(Clone, Debug, PartialEq)]
pub enum Leaf {
    /// `null` or `undefined` (an absent optional field).
    Null,
    Bool(bool),
    Num(f64),
    /// A string (at most [`MAX_TEXT`] of it), and its full length in characters.
    Text(String, usize),
    /// The first bytes of binary data (`Uint8Array`, `ArrayBuffer`, `Blob`) and its
    /// full length.
    Bytes(Vec<u8>, u64),
    /// Something the scan does not read into (a Date, a Map, a too-deep object): its
    /// type name.
    Opaque(String),
}

/// Which storage a value is in.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Area {
    IndexedDb { db: String, store: String },
    CacheStorage { cache: String },
    LocalStorage,
    SessionStorage,
    Cookie,
}

impl Area {
    /// How the area is named on the page (technical names are the same in every language).
    pub fn label(&self) -> String {
        match self {
            Area::IndexedDb { db, store } => format!("IndexedDB {db} / {store}"),
            Area::CacheStorage { cache } => format!("Cache Storage {cache}"),
            Area::LocalStorage => "localStorage".into(),
            Area::SessionStorage => "sessionStorage".into(),
            Area::Cookie => "document.cookie".into(),
        }
    }
}

/// The shape an allowed field's value must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Lowercase hex SHA-256 of a ciphertext.
    EntryId,
    /// A random 128-bit case id.
    CaseId,
    /// A whole number ≥ 0 (sizes, schema and keyring versions).
    Count,
    /// An RFC 3339 time.
    Time,
    /// An account name (`[a-z0-9._-]`, as the relay's accounts allow): the author.
    AccountName,
    /// An account role's code.
    Role,
    /// An outbox entry's upload state.
    EntryState,
    /// An error code the app knows.
    ErrorCode,
    /// The fixed sentence of an error code (a refusal's message from the relay).
    ErrorSentence,
    Flag,
    /// A vault salt (random, public: it opens nothing without the passphrase).
    Salt,
    /// An age recipient (`age1…`): a public key.
    Recipient,
    /// The organisation's public key (`amanat-org-v1:…`).
    OrgKey,
    /// An author's public key (`amanat-author-v1:…`): what their entries are signed with.
    AuthorKey,
    /// A signed keyring document (public: the relay serves it to everyone).
    Keyring,
    /// The organisation's signed settings (public: the relay serves them to everyone;
    /// the operator's legal details, retention and assent age, no family's data).
    OrgSettings,
    /// A kept audit head (`shared::audit_chain::KeptHead` as JSON: a seq, a hash, a time).
    AuditHead,
    /// Idle-lock minutes (an organisation setting).
    Minutes,
    /// A keyring version (decimal): the highest this device accepted.
    KeyringVersion,
    /// A language tag of the app.
    Locale,
    /// A draft's key: `account/kind/new` or `account/kind/<case id>`.
    DraftKey,
    /// The name of one of the app's settings.
    SettingName,
    /// The field must be age ciphertext (any other value is "else").
    Sealed,
}

/// One field the app may keep on the device, where, and why.
#[derive(Clone, Copy, Debug)]
pub struct Allowed {
    /// An object store of [`APP_DB`].
    pub store: &'static str,
    /// The field's path in the stored value (`envelope.id`), [`KEY_FIELD`] for the
    /// record's key, or for `settings` (one string per key) the key itself.
    pub field: &'static str,
    pub shape: Shape,
    pub why: &'static str,
}

use crate::local_db::{BLOBS, DRAFTS, OUTBOX, SETTINGS, VAULT};

/// Everything the app keeps readable on a device, in one place. Each line is
/// justified by what the app does with it; none of it says anything about a family.
pub const ALLOWED: &[Allowed] = &[
    // outbox: the envelope DESIGN.md allows beside each ciphertext, plus its upload state.
    Allowed { store: OUTBOX, field: KEY_FIELD, shape: Shape::EntryId, why: "entries are stored under their id" },
    Allowed { store: OUTBOX, field: "envelope.id", shape: Shape::EntryId, why: "the SHA-256 of the ciphertext" },
    Allowed { store: OUTBOX, field: "envelope.case", shape: Shape::CaseId, why: "a random case id, to group entries" },
    Allowed {
        store: OUTBOX,
        field: "envelope.schema",
        shape: Shape::Count,
        why: "the sealed document's schema number",
    },
    Allowed {
        store: OUTBOX,
        field: "envelope.keyring_version",
        shape: Shape::Count,
        why: "which keyring it was sealed to",
    },
    Allowed { store: OUTBOX, field: "envelope.sealed_at", shape: Shape::Time, why: "when it was sealed" },
    Allowed { store: OUTBOX, field: "envelope.size", shape: Shape::Count, why: "the ciphertext's size" },
    Allowed {
        store: OUTBOX,
        field: "ciphertext",
        shape: Shape::Sealed,
        why: "the sealed entry (or a streamed one's first bytes)",
    },
    Allowed { store: OUTBOX, field: "state", shape: Shape::EntryState, why: "whether the relay has it yet" },
    Allowed { store: OUTBOX, field: "refusal", shape: Shape::Flag, why: "absent unless the relay refused it" },
    Allowed { store: OUTBOX, field: "refusal.code", shape: Shape::ErrorCode, why: "why the relay refused it" },
    Allowed { store: OUTBOX, field: "refusal.message", shape: Shape::ErrorSentence, why: "the code's fixed sentence" },
    Allowed {
        store: OUTBOX,
        field: "owner",
        shape: Shape::AccountName,
        why: "the author's account, for shared tablets",
    },
    Allowed { store: OUTBOX, field: "streamed", shape: Shape::Flag, why: "whether the whole ciphertext is in `blobs`" },
    // blobs: a streamed entry's whole ciphertext.
    Allowed { store: BLOBS, field: KEY_FIELD, shape: Shape::EntryId, why: "stored under the entry's id" },
    Allowed { store: BLOBS, field: "", shape: Shape::Sealed, why: "an attachment's ciphertext" },
    // vault: what lets an account unlock offline, useless without its passphrase.
    Allowed { store: VAULT, field: KEY_FIELD, shape: Shape::AccountName, why: "kept per account" },
    Allowed { store: VAULT, field: "name", shape: Shape::AccountName, why: "the account" },
    Allowed { store: VAULT, field: "role", shape: Shape::Role, why: "the account's role" },
    Allowed { store: VAULT, field: "salt", shape: Shape::Salt, why: "random; opens nothing without the passphrase" },
    Allowed {
        store: VAULT,
        field: "wrapped_identity",
        shape: Shape::Sealed,
        why: "the identity, sealed to the passphrase",
    },
    Allowed { store: VAULT, field: "recipient", shape: Shape::Recipient, why: "the account's public key" },
    Allowed {
        store: VAULT,
        field: "author_key",
        shape: Shape::AuthorKey,
        why: "the public half of the key the account signs its entries with",
    },
    // drafts: a form in progress, sealed to its author alone.
    Allowed { store: DRAFTS, field: KEY_FIELD, shape: Shape::DraftKey, why: "account, form kind and case id" },
    Allowed { store: DRAFTS, field: "sealed", shape: Shape::Sealed, why: "the draft, sealed to its author" },
    Allowed { store: DRAFTS, field: "saved_at", shape: Shape::Time, why: "when it was sealed" },
    // settings: public facts, one string per key.
    Allowed { store: SETTINGS, field: KEY_FIELD, shape: Shape::SettingName, why: "the setting's name" },
    Allowed {
        store: SETTINGS,
        field: crate::keyring_pin::PIN_SETTING,
        shape: Shape::OrgKey,
        why: "the pinned organisation key (public)",
    },
    Allowed {
        store: SETTINGS,
        field: crate::keyring_pin::KEYRING_SETTING,
        shape: Shape::Keyring,
        why: "the last signed keyring (public)",
    },
    Allowed {
        store: SETTINGS,
        field: crate::org_settings::KEPT_SETTING,
        shape: Shape::OrgSettings,
        why: "the organisation's last signed settings (public)",
    },
    Allowed {
        store: SETTINGS,
        field: crate::keyring_pin::FLOOR_SETTING,
        shape: Shape::KeyringVersion,
        why: "the highest keyring version accepted (public)",
    },
    Allowed {
        store: SETTINGS,
        field: crate::vault::settings::IDLE_LOCK_SETTING,
        shape: Shape::Minutes,
        why: "the organisation's idle lock",
    },
    Allowed { store: SETTINGS, field: crate::i18n::LOCALE_SETTING, shape: Shape::Locale, why: "the language chosen" },
    Allowed {
        store: SETTINGS,
        field: super::relay::AUDIT_HEAD_SETTING,
        shape: Shape::AuditHead,
        why: "the last audit head the privacy page verified (public)",
    },
];

/// The rule for a field of a store of the app's database, if there is one.
pub fn rule(store: &str, field: &str) -> Option<&'static Allowed> {
    ALLOWED.iter().find(|a| a.store == store && a.field == field)
}

/// Classifies one value at `area` / `key` / `field`.
pub fn classify(area: &Area, key: &str, field: &str, value: &Leaf) -> Kind {
    if field != KEY_FIELD && is_age(value) {
        return Kind::Ciphertext;
    }
    let Area::IndexedDb { db, store } = area else { return Kind::Else };
    if db != APP_DB {
        return Kind::Else;
    }
    // A setting is one string per key: the key names the field.
    let field = if store == SETTINGS && field.is_empty() { key } else { field };
    match rule(store, field) {
        Some(a) if a.shape != Shape::Sealed && fits(a.shape, value) => Kind::Envelope,
        _ => Kind::Else,
    }
}

/// Whether the value is an age file: binary, armored, the binary format as text, or
/// base64 (standard or URL-safe) of one. The header must parse, not just begin right.
pub fn is_age(value: &Leaf) -> bool {
    match value {
        Leaf::Bytes(head, _) => age_header::inspect(head).is_ok(),
        Leaf::Text(text, _) => {
            let t = text.trim();
            if t.starts_with("age-encryption.org/v1\n") {
                return age_header::inspect(t.as_bytes()).is_ok();
            }
            if let Some(body) = t.strip_prefix("-----BEGIN AGE ENCRYPTED FILE-----") {
                let body = body.split("-----END AGE ENCRYPTED FILE-----").next().unwrap_or("");
                return base64_decode(body).is_some_and(|b| age_header::inspect(&b).is_ok());
            }
            // `age-encryption.org/v1` in base64 begins `YWdlLWVuY3J5cHRpb24u`.
            t.starts_with("YWdlLWVuY3J5cHRpb24") && base64_decode(t).is_some_and(|b| age_header::inspect(&b).is_ok())
        }
        _ => false,
    }
}

/// Base64 of either alphabet (or a mix), padded or not, whitespace ignored (armor wraps
/// lines), and lenient as a recogniser may be: whatever follows the first `=` is
/// ignored, so are unused low bits of the last character, and a lone last character
/// (six bits, no whole byte) adds nothing.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::RequireNone),
    );
    let mut body: Vec<u8> = text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace())
        .take_while(|&c| c != b'=')
        .map(|c| match c {
            b'-' => b'+',
            b'_' => b'/',
            c => c,
        })
        .collect();
    if body.len() % 4 == 1 {
        let lone = body.pop().unwrap_or(b'A');
        if !(lone.is_ascii_alphanumeric() || lone == b'+' || lone == b'/') {
            return None;
        }
    }
    LENIENT.decode(&body).ok()
}

fn text(value: &Leaf) -> Option<&str> {
    match value {
        Leaf::Text(t, n) if t.chars().count() == *n => Some(t),
        _ => None,
    }
}

/// Whether `value` has `shape`. Absent optional fields (`null`) fit every shape but
/// the key's: they say nothing.
pub fn fits(shape: Shape, value: &Leaf) -> bool {
    if *value == Leaf::Null {
        return true;
    }
    match shape {
        Shape::Flag => matches!(value, Leaf::Bool(_)),
        Shape::Count => matches!(value, Leaf::Num(n) if *n >= 0.0 && n.fract() == 0.0 && *n <= 9_007_199_254_740_991.0),
        Shape::Sealed => is_age(value),
        _ => text(value).is_some_and(|t| fits_text(shape, t)),
    }
}

fn fits_text(shape: Shape, t: &str) -> bool {
    match shape {
        Shape::EntryId => t.parse::<EntryId>().is_ok(),
        Shape::CaseId => t.parse::<CaseId>().is_ok(),
        Shape::Time => is_rfc3339(t),
        Shape::AccountName => t.is_empty() || is_account_name(t),
        Shape::Role => Role::ALL.iter().any(|r| r.code() == t),
        Shape::EntryState => ["sealed", "waiting", "uploaded", "refused"].contains(&t),
        Shape::ErrorCode => ErrorCode::from_code(t).is_some(),
        Shape::ErrorSentence => ErrorCode::ALL.iter().any(|c| c.message() == t),
        Shape::Salt => shared::vault::Salt::decode(t).is_ok(),
        Shape::Recipient => shared::seal::parse_recipient(t).is_ok(),
        Shape::OrgKey => t.parse::<shared::keyring::OrgPublicKey>().is_ok(),
        Shape::AuthorKey => t.parse::<shared::authorship::AuthorPublicKey>().is_ok(),
        Shape::Keyring => shared::keyring::Keyring::from_json(t.as_bytes()).is_ok(),
        Shape::OrgSettings => shared::org_settings::OrgSettings::from_json(t.as_bytes()).is_ok(),
        Shape::AuditHead => serde_json::from_str::<shared::audit_chain::KeptHead>(t).is_ok_and(|h| {
            h.hash.len() == 64
                && h.hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
                && is_rfc3339(&h.kept_at)
        }),
        Shape::Minutes => crate::vault::settings::parse_minutes(t).is_some(),
        Shape::KeyringVersion => !t.is_empty() && t.len() <= 20 && t.parse::<u64>().is_ok(),
        Shape::Locale => shared::i18n::Locale::from_tag(t).is_some(),
        Shape::DraftKey => is_draft_key(t),
        Shape::SettingName => ALLOWED.iter().any(|a| a.store == SETTINGS && a.field == t),
        Shape::Flag | Shape::Count | Shape::Sealed => false,
    }
}

/// The relay's account-name rule (`backend::accounts::valid_name`): lowercase ASCII
/// letters, digits, `.`, `_`, `-`, at most 64, starting with a letter or digit.
fn is_account_name(t: &str) -> bool {
    (1..=64).contains(&t.len())
        && t.bytes().all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-'))
        && t.as_bytes()[0].is_ascii_alphanumeric()
}

fn is_draft_key(t: &str) -> bool {
    let parts: Vec<&str> = t.split('/').collect();
    matches!(parts.as_slice(), [account, kind, case]
        if is_account_name(account)
            && (1..=32).contains(&kind.len())
            && kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
            && (*case == "new" || case.parse::<CaseId>().is_ok()))
}

/// `YYYY-MM-DDTHH:MM:SS`, optional fraction, then `Z` or `±HH:MM`.
fn is_rfc3339(t: &str) -> bool {
    let b = t.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    if b.len() > 40
        || b.len() < 20
        || !digits(0..4)
        || !digits(5..7)
        || !digits(8..10)
        || !digits(11..13)
        || !digits(14..16)
        || !digits(17..19)
    {
        return false;
    }
    if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') || b[13] != b':' || b[16] != b':' {
        return false;
    }
    let mut rest = &t[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()),
        _ => false,
    }
}

/// A short preview that shows where to look without showing what is there: the first
/// few characters (bytes shown as text when printable, else hex), then dots and the
/// length.
pub fn preview(value: &Leaf) -> String {
    const SHOWN: usize = 4;
    match value {
        Leaf::Null => "null".into(),
        Leaf::Bool(b) => b.to_string(),
        Leaf::Num(n) => {
            // Numbers can be content too (a birth year, a document number): only the
            // first digits.
            let s = n.to_string();
            redact(&s, s.chars().count(), SHOWN)
        }
        Leaf::Text(t, n) => redact(t, *n, SHOWN),
        Leaf::Bytes(head, n) => {
            let shown: Vec<u8> = head.iter().take(SHOWN).copied().collect();
            let start = if shown.iter().all(|c| c.is_ascii_graphic() || *c == b' ') {
                String::from_utf8_lossy(&shown).into_owned()
            } else {
                shown.iter().map(|b| hex::encode([*b])).collect::<Vec<_>>().join(" ")
            };
            format!("{start}… ({n} B)")
        }
        Leaf::Opaque(kind) => format!("[{kind}]"),
    }
}

fn redact(t: &str, len: usize, shown: usize) -> String {
    let start: String = t.chars().take(shown).collect();
    if len <= shown {
        // Short values are masked after the first character.
        let first: String = t.chars().take(1).collect();
        format!("{first}{} ({len})", "•".repeat(len.saturating_sub(1)))
    } else {
        format!("{start}{} ({len})", "•".repeat(4))
    }
}

#[cfg(test)]
mod tests;
