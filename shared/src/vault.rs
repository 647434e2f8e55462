//! The caseworker vault: what a passphrase turns into, and how the personal age
//! identity is kept wrapped. The **one place** for the KDF parameters.
//!
//! ```text
//! passphrase + salt ──Argon2id (m = 64 MiB, t = 3, p = 1)──▶ master (32 bytes)
//!   master ──HKDF-SHA256 "amanat/vault/v1/auth"──▶ auth  (sent to the relay; it keeps a slow hash)
//!   master ──HKDF-SHA256 "amanat/vault/v1/wrap"──▶ wrap  (never leaves the browser)
//! wrap = the 32 secret bytes of an X25519 age identity; the personal identity file is
//! sealed to its recipient with `shared::seal`: the wrapped identity *is* an age file.
//! ```
//!
//! HKDF with distinct labels makes `auth` and `wrap` independent: knowing `auth` (what
//! the relay sees at every sign-in) gives nothing about `wrap` short of guessing the
//! passphrase through Argon2id. The wrapped identity has an X25519 stanza, not an scrypt
//! one, so opening it costs nothing beyond the Argon2id already paid, and a relay that
//! swapped in a passphrase file would be refused ([`unwrap_identity`] refuses scrypt).
//!
//! The wrapped identity also holds the author's signing key (`shared::authorship`),
//! one more line beside the age identity, so it is unlocked and locked with it.
//!
//! Also here: the passphrase rules and a small, documented strength estimate (no
//! dictionary: a dictionary-based meter such as zxcvbn costs ~800 KB of wasm), and the
//! API bodies of the vault routes. What is not here: storage, network, timers.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hkdf::Hkdf;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

use crate::api::Role;
use crate::authorship::{self, AuthorKey};
use crate::error::ErrorCode;
use crate::seal::{self, Ciphertext, Identity, Recipient};

mod passphrase_rules;
pub use passphrase_rules::{check_new_passphrase, estimate_bits, strength_of_bits, Strength};

/// Argon2id memory, in KiB (64 MiB).
pub const KDF_MEMORY_KIB: u32 = 64 * 1024;
/// Argon2id passes.
pub const KDF_ITERATIONS: u32 = 3;
/// Argon2id lanes (the browser computes on one thread).
pub const KDF_PARALLELISM: u32 = 1;
/// Salt length, in bytes (random per account, chosen by the browser at enrolment).
pub const SALT_LEN: usize = 16;
/// Longest passphrase accepted, in bytes (Argon2 takes any length; this caps work).
pub const MAX_PASSPHRASE: usize = 1024;
/// Shortest passphrase, in characters.
pub const MIN_PASSPHRASE_CHARS: usize = 12;
/// Weakest accepted estimate, in bits (see [`estimate_bits`]).
pub const MIN_PASSPHRASE_BITS: f64 = 60.0;
/// Largest wrapped identity file accepted anywhere (it is ~300 bytes).
pub const MAX_WRAPPED_IDENTITY: usize = 4096;

const AUTH_INFO: &[u8] = b"amanat/vault/v1/auth";
const WRAP_INFO: &[u8] = b"amanat/vault/v1/wrap";

/// A per-account salt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Salt(pub [u8; SALT_LEN]);

impl Salt {
    pub fn random() -> Self {
        let mut b = [0u8; SALT_LEN];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut b);
        Salt(b)
    }

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    pub fn decode(s: &str) -> Result<Self, ErrorCode> {
        let v = URL_SAFE_NO_PAD.decode(s.as_bytes()).map_err(|_| ErrorCode::BadRequest)?;
        Ok(Salt(v.try_into().map_err(|_| ErrorCode::BadRequest)?))
    }
}

/// The value that authenticates a caseworker to the relay (32 bytes, base64url on the
/// wire). High-entropy, but the relay still stores only a slow hash of it.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthKey(pub [u8; 32]);

impl AuthKey {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    pub fn decode(s: &str) -> Result<Self, ErrorCode> {
        if s.len() > 64 {
            return Err(ErrorCode::BadRequest);
        }
        let v = URL_SAFE_NO_PAD.decode(s.as_bytes()).map_err(|_| ErrorCode::BadRequest)?;
        Ok(AuthKey(v.try_into().map_err(|_| ErrorCode::BadRequest)?))
    }
}

impl Drop for AuthKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for AuthKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuthKey(…)")
    }
}

/// What a passphrase unlocks: the relay credential and the wrapping identity.
/// (`Clone` so the browser can hand it to its lazily loaded unlock code by value.)
#[derive(Clone)]
pub struct VaultKeys {
    pub auth: AuthKey,
    wrap: Identity,
}

impl VaultKeys {
    /// The recipient the personal identity file is sealed to.
    pub fn wrap_recipient(&self) -> Recipient {
        self.wrap.to_public()
    }
}

/// Runs Argon2id and HKDF: the slow step of unlocking (about 0.5–1 s in the browser).
pub fn derive(passphrase: &str, salt: &Salt) -> Result<VaultKeys, ErrorCode> {
    keys_from_master(&*master_key(passphrase, salt)?)
}

/// The Argon2id half of [`derive`]: the 32-byte master key. The browser runs it in a
/// worker it ends afterwards (its 64 MiB die with it) and finishes with
/// [`keys_from_master`].
pub fn master_key(passphrase: &str, salt: &Salt) -> Result<Zeroizing<[u8; 32]>, ErrorCode> {
    if passphrase.is_empty() || passphrase.len() > MAX_PASSPHRASE {
        return Err(ErrorCode::PassphraseWeak);
    }
    let params = argon2::Params::new(KDF_MEMORY_KIB, KDF_ITERATIONS, KDF_PARALLELISM, Some(32))
        .map_err(|_| ErrorCode::Internal)?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut master = Zeroizing::new([0u8; 32]);
    argon.hash_password_into(passphrase.as_bytes(), &salt.0, master.as_mut()).map_err(|_| ErrorCode::Internal)?;
    Ok(master)
}

/// The HKDF half of [`derive`]: `auth` and the wrapping key from the master key.
pub fn keys_from_master(master: &[u8; 32]) -> Result<VaultKeys, ErrorCode> {
    let hk = Hkdf::<Sha256>::new(None, master);
    let mut auth = [0u8; 32];
    let mut wrap = Zeroizing::new([0u8; 32]);
    hk.expand(AUTH_INFO, &mut auth).map_err(|_| ErrorCode::Internal)?;
    hk.expand(WRAP_INFO, wrap.as_mut()).map_err(|_| ErrorCode::Internal)?;
    Ok(VaultKeys { auth: AuthKey(auth), wrap: identity_from_secret(&wrap)? })
}

/// An X25519 age identity with these 32 secret bytes (age clamps them as X25519 does).
fn identity_from_secret(secret: &[u8; 32]) -> Result<Identity, ErrorCode> {
    let hrp = bech32::Hrp::parse("age-secret-key-").map_err(|_| ErrorCode::Internal)?;
    let encoded =
        Zeroizing::new(bech32::encode::<bech32::Bech32>(hrp, secret).map_err(|_| ErrorCode::Internal)?.to_uppercase());
    encoded.parse::<Identity>().map_err(|_| ErrorCode::Internal)
}

/// What a wrapped identity holds: the personal age identity and, beside it, the
/// author key that signs every document (`shared::authorship`). `author` is `None` for
/// a vault wrapped before documents were signed: the app makes a key at unlock,
/// rewraps, and registers it with `PUT /api/v1/vault/author-key`.
pub struct PersonalKeys {
    pub identity: Identity,
    pub author: Option<AuthorKey>,
}

/// Seals the personal identity and the author key to the wrapping key: the result is
/// an age file whose plaintext is an age identity file with one more line, the author
/// key's secret line (which [`unwrap_identity`] sets aside before reading identities).
pub fn wrap_identity(personal: &Identity, author: &AuthorKey, keys: &VaultKeys) -> Result<Ciphertext, ErrorCode> {
    let mut file = Zeroizing::new(seal::identity_file(personal, "Amanat personal identity (wrapped)"));
    if !file.ends_with('\n') {
        file.push('\n');
    }
    file.push_str(author.to_secret_line().as_str());
    file.push('\n');
    seal::seal_bytes(file.as_bytes(), std::iter::once(&keys.wrap_recipient()))
}

/// Opens a wrapped identity. A wrong passphrase gives [`ErrorCode::WrongPassphrase`];
/// a damaged author line, [`ErrorCode::Corrupted`].
pub fn unwrap_identity(wrapped: &[u8], keys: &VaultKeys) -> Result<PersonalKeys, ErrorCode> {
    if wrapped.len() > MAX_WRAPPED_IDENTITY {
        return Err(ErrorCode::Corrupted);
    }
    let file = Zeroizing::new(seal::open_bytes(wrapped, std::slice::from_ref(&keys.wrap)).map_err(|e| match e {
        ErrorCode::WrongKey => ErrorCode::WrongPassphrase,
        ErrorCode::ScryptInRecord => ErrorCode::Corrupted,
        other => other,
    })?);
    let text = std::str::from_utf8(&file).map_err(|_| ErrorCode::Corrupted)?;
    let mut identity_lines = Zeroizing::new(String::with_capacity(text.len()));
    let mut author_lines = 0;
    for line in text.lines() {
        if authorship::is_secret_line(line) {
            author_lines += 1;
        } else {
            identity_lines.push_str(line);
            identity_lines.push('\n');
        }
    }
    let author = match author_lines {
        0 => None,
        1 => Some(AuthorKey::from_secret_text(text).map_err(|_| ErrorCode::Corrupted)?),
        _ => return Err(ErrorCode::Corrupted),
    };
    let mut ids = seal::parse_identity_file(&identity_lines).map_err(|_| ErrorCode::Corrupted)?;
    if ids.len() != 1 {
        return Err(ErrorCode::Corrupted);
    }
    Ok(PersonalKeys { identity: ids.remove(0), author })
}

/// `POST /api/v1/vault/enrol/open`: the token of an enrolment link the page just
/// opened, traded for the HttpOnly enrolment cookie (the token is dead from then on).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EnrolOpen {
    pub token: String,
}

/// The answer to [`EnrolOpen`]: how long the enrolment cookie is good for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolOpened {
    pub expires_in_seconds: u64,
}

/// `POST /api/v1/vault/enrol`: redeem a one-time enrolment token, or (without `token`)
/// the enrolment cookie that `POST /api/v1/vault/enrol/open` set. A token is accepted
/// here only if its link was never opened.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Enrol {
    /// The link's token; `None` when the page traded it for the enrolment cookie
    /// (`POST /api/v1/vault/enrol/open`), as the app does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The account name as the caseworker typed it: it must be the token's account
    /// (so a link opened by the wrong person does not enrol them under another name).
    pub name: String,
    pub salt: String,
    pub auth: String,
    /// The wrapped identity (an age file), base64url.
    pub wrapped_identity: String,
    /// The personal recipient (`age1…`): entries are sealed to it too.
    pub recipient: String,
    /// The caseworker's author key (`amanat-author-v1:…`, see `shared::authorship`):
    /// documents are signed with it; the organisation approves it with `amanat roster
    /// approve`. Absent from apps that predate signed authorship.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_key: Option<String>,
}

/// `PUT /api/v1/vault/author-key`: a signed-in caseworker whose vault predates signed
/// authorship registers the author key made at unlock, with the identity rewrapped to
/// hold it. Refused when the account already has an author key (a new one comes only
/// with re-enrolment).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RegisterAuthorKey {
    pub author_key: String,
    pub wrapped_identity: String,
}

/// `POST /api/v1/vault/salt`: the salt for a name (a stable decoy for unknown names,
/// so the answer does not tell which accounts exist).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SaltRequest {
    pub name: String,
}

/// Answer to [`SaltRequest`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SaltAnswer {
    pub salt: String,
}

/// `POST /api/v1/vault/session`: sign in with the passphrase-derived value.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct VaultSignIn {
    pub name: String,
    pub auth: String,
}

/// What a signed-in caseworker's device keeps (and the relay serves): enough to unlock
/// offline next time, nothing that opens without the passphrase.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrappedIdentity {
    pub name: String,
    pub role: Role,
    pub salt: String,
    pub wrapped_identity: String,
    pub recipient: String,
    /// The author key the relay has for this account (`amanat-author-v1:…`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_key: Option<String>,
}

/// `PUT /api/v1/vault/passphrase`: rewrap the identity under a new passphrase.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ChangePassphrase {
    pub old_auth: String,
    pub salt: String,
    pub auth: String,
    pub wrapped_identity: String,
}

/// `GET /api/v1/vault/settings`: organisation settings the app needs before sign-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VaultSettings {
    /// Minutes without input after which the app locks (rounded up to a whole minute
    /// when the relay was given seconds), for apps that predate `idle_lock_seconds`.
    pub idle_lock_minutes: u32,
    /// Seconds without input after which the app locks: what the app uses
    /// ([`VaultSettings::idle_seconds`]). Absent from relays that predate it.
    #[serde(default)]
    pub idle_lock_seconds: Option<u32>,
}

/// Default idle lock, in minutes.
pub const DEFAULT_IDLE_LOCK_MINUTES: u32 = 5;
/// The longest idle lock, in minutes: a relay that serves more is read as this, so a
/// misconfigured or hostile relay cannot keep an unattended vault open for days.
pub const MAX_IDLE_LOCK_MINUTES: u32 = 240;
/// The shortest idle lock, in seconds (`amanat serve --idle-lock-seconds`, for tests and
/// demos): time to read a message before the page locks under it.
pub const MIN_IDLE_LOCK_SECONDS: u32 = 5;

impl VaultSettings {
    /// An idle lock of whole minutes (the organisation setting).
    pub fn from_minutes(minutes: u32) -> Self {
        let minutes = minutes.max(1);
        Self { idle_lock_minutes: minutes, idle_lock_seconds: Some(minutes.saturating_mul(60)) }
    }

    /// An idle lock of seconds (tests and demos), at least [`MIN_IDLE_LOCK_SECONDS`].
    pub fn from_seconds(seconds: u32) -> Self {
        let seconds = seconds.max(MIN_IDLE_LOCK_SECONDS);
        Self { idle_lock_minutes: seconds.div_ceil(60), idle_lock_seconds: Some(seconds) }
    }

    /// Seconds without input after which the app locks: the seconds if the relay sent
    /// them, else its minutes; never under [`MIN_IDLE_LOCK_SECONDS`] nor over
    /// [`MAX_IDLE_LOCK_MINUTES`] (see [`capped_idle_seconds`]).
    pub fn idle_seconds(&self) -> u32 {
        capped_idle_seconds(match self.idle_lock_seconds {
            Some(seconds) => seconds,
            None => self.idle_lock_minutes.max(1).saturating_mul(60),
        })
    }
}

/// The one rule for an idle lock in seconds, whoever gives it (the relay, the copy kept
/// on a device): at least [`MIN_IDLE_LOCK_SECONDS`], at most [`MAX_IDLE_LOCK_MINUTES`].
pub fn capped_idle_seconds(seconds: u32) -> u32 {
    seconds.clamp(MIN_IDLE_LOCK_SECONDS, MAX_IDLE_LOCK_MINUTES * 60)
}

#[cfg(test)]
mod idle_cap_tests {
    use super::*;

    #[test]
    fn the_idle_lock_a_relay_serves_is_capped_at_240_minutes() {
        assert_eq!(VaultSettings::from_minutes(240).idle_seconds(), 240 * 60);
        assert_eq!(VaultSettings::from_minutes(241).idle_seconds(), 240 * 60);
        assert_eq!(VaultSettings::from_minutes(u32::MAX).idle_seconds(), 240 * 60);
        let old_relay = VaultSettings { idle_lock_minutes: 100_000, idle_lock_seconds: None };
        assert_eq!(old_relay.idle_seconds(), 240 * 60, "minutes alone are capped too");
        let sent = VaultSettings { idle_lock_minutes: 1, idle_lock_seconds: Some(86_400) };
        assert_eq!(sent.idle_seconds(), 240 * 60);
        assert_eq!(capped_idle_seconds(20), 20);
        assert_eq!(capped_idle_seconds(0), MIN_IDLE_LOCK_SECONDS);
    }

    #[test]
    fn the_master_key_and_hkdf_give_what_derive_gives() {
        let salt = Salt([7; SALT_LEN]);
        let whole = derive("walnut lantern harbour", &salt).unwrap();
        let halves = keys_from_master(&master_key("walnut lantern harbour", &salt).unwrap()).unwrap();
        assert_eq!(whole.auth, halves.auth);
        assert_eq!(whole.wrap_recipient().to_string(), halves.wrap_recipient().to_string());
        assert_eq!(master_key("", &salt).err(), Some(ErrorCode::PassphraseWeak));
    }
}

/// base64url of a wrapped identity, for the JSON bodies.
pub fn encode_wrapped(c: &Ciphertext) -> String {
    URL_SAFE_NO_PAD.encode(c.as_bytes())
}

/// Parses a wrapped identity from the wire: size-capped, and it must be an age file
/// to exactly X25519 recipients (no scrypt).
pub fn decode_wrapped(s: &str) -> Result<Ciphertext, ErrorCode> {
    if s.len() > MAX_WRAPPED_IDENTITY * 4 / 3 + 4 {
        return Err(ErrorCode::BadRequest);
    }
    let bytes = URL_SAFE_NO_PAD.decode(s.as_bytes()).map_err(|_| ErrorCode::BadRequest)?;
    Ciphertext::check(bytes, 1).map(|(c, _)| c).map_err(|_| ErrorCode::BadRequest)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "plum river tractor 7 lantern";

    #[test]
    fn auth_and_wrap_are_independent_values_of_one_passphrase() {
        let salt = Salt([7; SALT_LEN]);
        let k = derive(GOOD, &salt).unwrap();
        let again = derive(GOOD, &salt).unwrap();
        assert_eq!(k.auth, again.auth, "derivation is deterministic");
        assert_eq!(k.wrap_recipient().to_string(), again.wrap_recipient().to_string());
        // The relay's value is not the wrapping key (nor a prefix of it).
        use age::secrecy::ExposeSecret;
        let wrap_secret = k.wrap.to_string();
        assert!(!wrap_secret.expose_secret().contains(&k.auth.encode()));
        // Another salt or passphrase gives other values.
        let other_salt = derive(GOOD, &Salt([8; SALT_LEN])).unwrap();
        assert_ne!(k.auth, other_salt.auth);
        let other_pass = derive("plum river tractor 7 lanterm", &salt).unwrap();
        assert_ne!(k.auth, other_pass.auth);
        assert_ne!(k.wrap_recipient().to_string(), other_pass.wrap_recipient().to_string());
    }

    #[test]
    fn a_wrapped_identity_is_an_age_file_that_opens_only_with_the_passphrase() {
        let salt = Salt::random();
        let keys = derive(GOOD, &salt).unwrap();
        let personal = seal::generate_identity();
        let author = AuthorKey::generate();
        let wrapped = wrap_identity(&personal, &author, &keys).unwrap();
        let summary = crate::age_header::inspect(wrapped.as_bytes()).unwrap();
        assert_eq!((summary.x25519, summary.scrypt), (1, 0));
        let back = unwrap_identity(wrapped.as_bytes(), &keys).unwrap();
        assert_eq!(back.identity.to_public().to_string(), personal.to_public().to_string());
        assert_eq!(back.author.map(|a| a.public()), Some(author.public()), "the author key travels with it");
        // Round trip through the wire format.
        let wire = decode_wrapped(&encode_wrapped(&wrapped)).unwrap();
        assert_eq!(wire.as_bytes(), wrapped.as_bytes());

        let wrong = derive("plum river tractor 7 lanterns", &salt).unwrap();
        assert_eq!(unwrap_identity(wrapped.as_bytes(), &wrong).err(), Some(ErrorCode::WrongPassphrase));
    }

    #[test]
    fn a_vault_wrapped_before_authorship_opens_with_no_author_key() {
        let keys = derive(GOOD, &Salt::random()).unwrap();
        let personal = seal::generate_identity();
        let file = seal::identity_file(&personal, "Amanat personal identity (wrapped)");
        let older = seal::seal_bytes(file.as_bytes(), std::iter::once(&keys.wrap_recipient())).unwrap();
        let back = unwrap_identity(older.as_bytes(), &keys).unwrap();
        assert_eq!(back.identity.to_public().to_string(), personal.to_public().to_string());
        assert!(back.author.is_none());
    }

    #[test]
    fn a_wrapped_identity_with_a_damaged_or_doubled_author_line_is_refused() {
        let keys = derive(GOOD, &Salt::random()).unwrap();
        let personal = seal::generate_identity();
        let file = seal::identity_file(&personal, "x");
        let line = AuthorKey::generate().to_secret_line();
        for bad in [
            format!("{file}\nAMANAT-AUTHOR-SECRET-KEY-V1:AAAA\n"),
            format!("{file}\n{}\n{}\n", line.as_str(), AuthorKey::generate().to_secret_line().as_str()),
        ] {
            let w = seal::seal_bytes(bad.as_bytes(), std::iter::once(&keys.wrap_recipient())).unwrap();
            assert_eq!(unwrap_identity(w.as_bytes(), &keys).err(), Some(ErrorCode::Corrupted), "{bad}");
        }
    }

    #[test]
    fn a_damaged_or_swapped_wrapped_identity_is_refused() {
        let keys = derive(GOOD, &Salt::random()).unwrap();
        let mut w = wrap_identity(&seal::generate_identity(), &AuthorKey::generate(), &keys).unwrap().into_bytes();
        let n = w.len() - 3;
        w[n] ^= 1;
        assert_eq!(unwrap_identity(&w, &keys).err(), Some(ErrorCode::Corrupted));
        assert_eq!(decode_wrapped("bm90IGFnZQ").err(), Some(ErrorCode::BadRequest));
        assert_eq!(unwrap_identity(&vec![0; MAX_WRAPPED_IDENTITY + 1], &keys).err(), Some(ErrorCode::Corrupted));
    }

    #[test]
    fn short_repetitive_or_name_bearing_passphrases_are_refused_and_long_phrases_pass() {
        for weak in [
            "",
            "short",
            "aaaaaaaaaaaaaaaaaaaa",
            "abcdefghijklmnop",
            "123456789012",
            "Password1234",
            "malika-2026-secret!",
        ] {
            assert_eq!(check_new_passphrase(weak, "malika"), Err(ErrorCode::PassphraseWeak), "{weak:?}");
        }
        assert!(check_new_passphrase(GOOD, "malika").is_ok());
        assert!(check_new_passphrase("тоғ олма қалам дарё", "x").is_ok(), "non-Latin phrases count");
        assert_eq!(check_new_passphrase(&"x7".repeat(600), "a"), Err(ErrorCode::PassphraseTooLong));
        assert_eq!(strength_of_bits(estimate_bits("correct horse battery staple")), Strength::Strong);
    }

    #[test]
    fn encodings_are_checked_for_length() {
        assert!(Salt::decode(&Salt::random().encode()).is_ok());
        assert!(Salt::decode("AAAA").is_err());
        assert!(AuthKey::decode(&"A".repeat(100)).is_err());
        let k = derive(GOOD, &Salt([1; SALT_LEN])).unwrap();
        assert_eq!(AuthKey::decode(&k.auth.encode()).unwrap(), k.auth);
    }

    #[test]
    fn the_idle_lock_is_read_in_seconds_and_a_relay_that_sends_only_minutes_still_works() {
        let old: VaultSettings = serde_json::from_str(r#"{"idle_lock_minutes":3}"#).unwrap();
        assert_eq!((old.idle_lock_seconds, old.idle_seconds()), (None, 180));
        let new: VaultSettings = serde_json::from_str(r#"{"idle_lock_minutes":1,"idle_lock_seconds":20}"#).unwrap();
        assert_eq!(new.idle_seconds(), 20);
        assert_eq!(
            VaultSettings::from_minutes(3),
            VaultSettings { idle_lock_minutes: 3, idle_lock_seconds: Some(180) }
        );
        assert_eq!(
            VaultSettings::from_seconds(20),
            VaultSettings { idle_lock_minutes: 1, idle_lock_seconds: Some(20) }
        );
        assert_eq!(VaultSettings::from_seconds(61).idle_lock_minutes, 2, "an older app locks no sooner than asked");
        assert_eq!(VaultSettings::from_seconds(1).idle_seconds(), MIN_IDLE_LOCK_SECONDS);
        let sent = VaultSettings { idle_lock_minutes: 0, idle_lock_seconds: Some(0) };
        assert_eq!(sent.idle_seconds(), MIN_IDLE_LOCK_SECONDS, "never under the minimum, whatever is sent");
    }
}
