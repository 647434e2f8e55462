//! The relay's half of the caseworker vault: enrolment tokens, the slow hash of the
//! browser's `auth` value, decoy salts, and the gate every Argon2id call passes. No I/O
//! here.
//!
//! The browser derives `auth` from the passphrase with Argon2id (see `shared::vault`);
//! the relay never sees the passphrase. It still keeps only an Argon2id hash of `auth`
//! (m = 19 MiB, t = 2, p = 1: OWASP's minimum; `auth` is already 256 random-looking
//! bits, so this guards a stolen database, not a weak secret), checked with the
//! `password-hash` verifier, which compares in constant time. A name that has no
//! passphrase account gets a decoy salt (HMAC of the name under a relay secret) and
//! the same slow check against a dummy hash (see [`super::routes`] for how answers and
//! timing are kept alike).
//!
//! Each hash or check holds 19 MiB for tens of milliseconds, so they all run through
//! [`on_argon2`]: on the blocking pool (never on an async worker, which would stall
//! every other request) and at most one per CPU at a time (so parallel sign-ins queue
//! instead of multiplying memory by the blocking pool's 512 threads).

use std::sync::OnceLock;

use tokio::sync::{OnceCell, Semaphore};

use crate::rate_limit::{Buckets, DecoyDelays};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use shared::vault::{AuthKey, Salt, SALT_LEN};

/// How long an enrolment link stays valid unless `--hours` says otherwise (24 hours).
pub const DEFAULT_ENROLMENT_HOURS: u32 = 24;
/// The longest an enrolment link may stay valid (`--hours`: 1 to 168, a week).
pub const MAX_ENROLMENT_HOURS: u32 = 168;
/// How long the enrolment session an opened link is traded for lasts, in seconds.
pub const ENROL_SESSION_SECONDS: i64 = 15 * 60;
/// The enrolment cookie's name.
pub const ENROL_COOKIE: &str = "amanat_enrol";
/// The enrolment cookie's name over HTTPS (`--secure-cookies`; see
/// [`crate::auth::SECURE_SESSION_COOKIE`] for the prefix).
pub const SECURE_ENROL_COOKIE: &str = "__Host-amanat_enrol";

/// The enrolment cookie's name for a relay with or without `--secure-cookies`.
pub fn enrol_cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_ENROL_COOKIE
    } else {
        ENROL_COOKIE
    }
}

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

/// A hash with the same parameters as every stored one, checked for names without an
/// account. It is fixed (made once, of 32 zero bytes) rather than made at first use,
/// so the first unknown name does not pay an extra hash; that its input is known does
/// not matter, as the result of checking it is never used.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$YW1hbmF0LWR1bW15LXNhbA$LN8TDPsXZaSq/rO94gW1FHOQAeVm/OpTPAJ60WO7b20";

/// Spends the same time as [`auth_matches`] for a name without an account.
pub fn waste_a_check(auth: &AuthKey) {
    let _ = auth_matches(auth, DUMMY_HASH);
}

/// The process-wide Argon2id gate: one permit per CPU.
fn argon2_gate() -> &'static Semaphore {
    static GATE: OnceLock<Semaphore> = OnceLock::new();
    GATE.get_or_init(|| Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())))
}

/// Runs an Argon2id hash or check `f` on the blocking pool once a permit of the gate
/// is free. `None` if the task panicked (logged: the caller answers 500).
pub async fn on_argon2<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> Option<R> {
    let _permit = argon2_gate().acquire().await.expect("the gate is never closed");
    tokio::task::spawn_blocking(f)
        .await
        .inspect_err(|e| tracing::error!(error = %e, "an Argon2id hash or check failed"))
        .ok()
}

/// The sign-in routes' in-memory state in a running relay.
pub struct VaultGuards {
    /// The sign-in delays of names without an account ([`DecoyDelays`]).
    pub decoy_delays: DecoyDelays,
    /// The decoy-salt key, read (or made) once and kept, so that the salt of an
    /// unknown name costs no database write.
    pub decoy_secret: OnceCell<String>,
    /// How many failed sign-ins (token or passphrase) per account are written to the
    /// audit log: ten at once, then one a minute, so a flood of guesses cannot flood
    /// the log.
    pub failure_audit: Buckets<String>,
}

impl Default for VaultGuards {
    fn default() -> Self {
        Self {
            decoy_delays: DecoyDelays::new(),
            decoy_secret: OnceCell::new(),
            failure_audit: Buckets::with_burst(1.0 / 60.0, 10.0),
        }
    }
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
    use std::time::Duration;

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
    fn the_dummy_hash_has_the_stored_parameters() {
        assert!(DUMMY_HASH.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(auth_matches(&AuthKey([0; 32]), DUMMY_HASH), "the dummy is a real hash, so checking it costs the same");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn argon2_work_runs_at_most_one_per_cpu_at_a_time() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;
        let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
        let (now, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let tasks: Vec<_> = (0..cpus * 4)
            .map(|_| {
                let (now, peak) = (now.clone(), peak.clone());
                tokio::spawn(on_argon2(move || {
                    let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(n, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(20));
                    now.fetch_sub(1, Ordering::SeqCst);
                }))
            })
            .collect();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        let peak = peak.load(Ordering::SeqCst);
        assert!((1..=cpus).contains(&peak), "the gate caps concurrent hashes at the CPU count ({peak} > {cpus})");
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
