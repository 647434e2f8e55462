//! Bearer tokens and session ids: how they are made, written and stored.
//!
//! A token is `amt_<token id>_<secret>`: the id (16 hex digits) finds the row, the
//! secret (32 random bytes, base64url) is stored only as its SHA-256 and compared in
//! constant time. A session id is 32 random bytes (base64url) stored only as its
//! SHA-256, so a copy of the database opens no session. No I/O here.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

const TOKEN_PREFIX: &str = "amt_";

/// A freshly made token: what the user gets, and what the store keeps.
pub struct NewToken {
    /// The whole token, shown once.
    pub token: String,
    pub token_id: String,
    pub secret_sha256: [u8; 32],
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Makes a new random token.
pub fn new_token() -> NewToken {
    let token_id = hex::encode(random::<8>());
    let secret = URL_SAFE_NO_PAD.encode(random::<32>());
    NewToken { token: format!("{TOKEN_PREFIX}{token_id}_{secret}"), token_id, secret_sha256: sha256(secret.as_bytes()) }
}

/// A token split into its id and secret (not yet checked against the store).
pub struct PresentedToken<'a> {
    pub token_id: &'a str,
    secret: &'a str,
}

impl<'a> PresentedToken<'a> {
    /// Splits `amt_<id>_<secret>`; `None` if it is not shaped like a token.
    pub fn parse(token: &'a str) -> Option<Self> {
        let rest = token.strip_prefix(TOKEN_PREFIX)?;
        let (token_id, secret) = rest.split_once('_')?;
        let id_ok = token_id.len() == 16 && token_id.bytes().all(|b| b.is_ascii_hexdigit());
        (id_ok && !secret.is_empty() && secret.len() <= 128).then_some(Self { token_id, secret })
    }

    /// Whether the secret hashes to `stored`, compared in constant time.
    pub fn matches(&self, stored: &[u8]) -> bool {
        bool::from(sha256(self.secret.as_bytes()).as_slice().ct_eq(stored))
    }
}

/// A new session id (for the cookie) and its hash (for the store).
pub fn new_session_id() -> (String, [u8; 32]) {
    let id = URL_SAFE_NO_PAD.encode(random::<32>());
    let hash = sha256(id.as_bytes());
    (id, hash)
}

/// The hash under which a presented session id is stored.
pub fn session_hash(id: &str) -> [u8; 32] {
    sha256(id.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_token_parses_and_matches_only_its_own_hash() {
        let t = new_token();
        let p = PresentedToken::parse(&t.token).unwrap();
        assert_eq!(p.token_id, t.token_id);
        assert!(p.matches(&t.secret_sha256));
        assert!(!p.matches(&new_token().secret_sha256));
        assert!(!p.matches(&[]));
    }

    #[test]
    fn strings_not_shaped_like_tokens_are_refused() {
        for bad in ["", "amt_", "amt_zz_secret", "Bearer x", "amt_0123456789abcdef_"] {
            assert!(PresentedToken::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn session_ids_are_random_and_stored_as_hashes() {
        let (a, ha) = new_session_id();
        let (b, _) = new_session_id();
        assert_ne!(a, b);
        assert_eq!(session_hash(&a), ha);
        assert_eq!(a.len(), 43);
    }
}
