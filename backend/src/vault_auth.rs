//! The relay's half of the caseworker vault: enrolment tokens, the slow hash of the
//! browser's `auth` value, and decoy salts. No I/O here.
//!
//! The browser derives `auth` from the passphrase with Argon2id (see `shared::vault`);
//! the relay never sees the passphrase. It still keeps only an Argon2id hash of `auth`
//! (m = 19 MiB, t = 2, p = 1: OWASP's minimum; `auth` is already 256 random-looking
//! bits, so this guards a stolen database, not a weak secret), checked with the
//! `password-hash` verifier, which compares in constant time. A name that has no
//! passphrase account gets a decoy salt (HMAC of the name under a relay secret) and
//! the same slow check against a dummy hash, so neither answer nor timing tells which
//! accounts exist.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use shared::vault::{AuthKey, Salt, SALT_LEN};

/// How long an enrolment link stays valid, in seconds (72 hours).
pub const ENROLMENT_SECONDS: i64 = 72 * 60 * 60;
/// Wrong passphrases in a row before an account locks.
pub const MAX_FAILED_SIGN_INS: i64 = 5;
/// How long a locked account stays locked, in seconds (15 minutes; the message says so).
pub const LOCK_SECONDS: i64 = 15 * 60;

const ENROLMENT_PREFIX: &str = "enr_";
/// Name of the relay secret that keys decoy salts.
pub const DECOY_SECRET: &str = "vault_decoy_salt_key";

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("fixed Argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string kept for an `auth` value.
pub fn hash_auth(auth: &AuthKey) -> String {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    hasher().hash_password(&auth.0, &salt).expect("hashing 32 bytes succeeds").to_string()
}

/// Whether `auth` matches a stored PHC string (constant-time comparison inside).
pub fn auth_matches(auth: &AuthKey, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => hasher().verify_password(&auth.0, &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Spends the same time as [`auth_matches`] for a name without an account.
pub fn waste_a_check(auth: &AuthKey) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_auth(&AuthKey(random())));
    let _ = auth_matches(auth, dummy);
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b
}

/// A new random relay secret (for [`DECOY_SECRET`]).
pub fn new_secret() -> String {
    hex::encode(random::<32>())
}

/// The decoy salt of a name: stable for the name, unpredictable without the secret.
pub fn decoy_salt(secret: &str, name: &str) -> Salt {
    // HMAC-SHA256 written out (two hashes) to avoid another dependency for one use.
    let key: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
    let pad = |b: u8| key.iter().map(|k| k ^ b).chain(std::iter::repeat_n(b, 32)).collect::<Vec<u8>>();
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(name.as_bytes()).finalize();
    let mac = Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize();
    let mut s = [0u8; SALT_LEN];
    s.copy_from_slice(&mac[..SALT_LEN]);
    Salt(s)
}

/// A new enrolment token (shown once, in the link) and the hash the store keeps.
pub fn new_enrolment_token() -> (String, String) {
    let token = format!("{ENROLMENT_PREFIX}{}", URL_SAFE_NO_PAD.encode(random::<32>()));
    let hash = enrolment_hash(&token);
    (token, hash)
}

/// The stored form of a presented token (SHA-256, hex). The lookup is by this hash,
/// so no comparison of the secret itself happens in variable time.
pub fn enrolment_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

/// Whether a presented string is shaped like an enrolment token.
pub fn looks_like_enrolment_token(token: &str) -> bool {
    token.len() == ENROLMENT_PREFIX.len() + 43
        && token.starts_with(ENROLMENT_PREFIX)
        && token[ENROLMENT_PREFIX.len()..].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The link an administrator hands over: the token travels in the fragment, which
/// browsers never send to a server (the app removes it from the address bar at once).
pub fn enrolment_link(base_url: &str, token: &str) -> String {
    format!("{}/#enrol={token}", base_url.trim_end_matches('/'))
}

/// base64url of a salt, as the API carries it.
pub fn encode_salt(s: &Salt) -> String {
    URL_SAFE_NO_PAD.encode(s.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_hash_accepts_only_its_own_auth_value() {
        let a = AuthKey([1; 32]);
        let stored = hash_auth(&a);
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(auth_matches(&a, &stored));
        assert!(!auth_matches(&AuthKey([2; 32]), &stored));
        assert!(!auth_matches(&a, "not a hash"));
        assert_ne!(hash_auth(&a), stored, "each hash has its own salt");
    }

    #[test]
    fn decoy_salts_are_stable_per_name_and_differ_across_names_and_secrets() {
        assert_eq!(decoy_salt("s", "aziz"), decoy_salt("s", "aziz"));
        assert_ne!(decoy_salt("s", "aziz"), decoy_salt("s", "malika"));
        assert_ne!(decoy_salt("s", "aziz"), decoy_salt("t", "aziz"));
    }

    #[test]
    fn enrolment_tokens_are_random_shaped_and_stored_hashed() {
        let (t, h) = new_enrolment_token();
        assert!(looks_like_enrolment_token(&t));
        assert_eq!(enrolment_hash(&t), h);
        assert!(!h.contains(&t[4..]));
        assert_ne!(new_enrolment_token().0, t);
        assert!(!looks_like_enrolment_token("enr_short"));
        assert_eq!(enrolment_link("http://127.0.0.1:8080/", "enr_x"), "http://127.0.0.1:8080/#enrol=enr_x");
    }
}
