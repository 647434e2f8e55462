//! Entry points for `cargo xtask bench` (built only with the `bench` feature): the
//! page in `xtask/bench-page` times `shared::seal` compiled to wasm against typage.
//! Nothing of the app uses these.

use shared::seal::{open_bytes, parse_identity_file, parse_recipient, seal_bytes};
use wasm_bindgen::prelude::*;

/// Seals `plaintext` to the newline-separated `age1…` recipients.
#[wasm_bindgen]
pub fn bench_seal(plaintext: &[u8], recipients: &str) -> Result<Vec<u8>, JsError> {
    let recipients = recipients
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(parse_recipient)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|c| JsError::new(c.message()))?;
    seal_bytes(plaintext, recipients.iter()).map(|c| c.into_bytes()).map_err(|c| JsError::new(c.message()))
}

/// Opens `ciphertext` with the identity file text (`AGE-SECRET-KEY-1…`).
#[wasm_bindgen]
pub fn bench_open(ciphertext: &[u8], identity: &str) -> Result<Vec<u8>, JsError> {
    let ids = parse_identity_file(identity).map_err(|c| JsError::new(c.message()))?;
    open_bytes(ciphertext, &ids).map_err(|c| JsError::new(c.message()))
}

/// Makes a wrapped identity for `passphrase`, as enrolment does: returns the salt and
/// the wrapped identity (base64url), separated by a newline, for [`bench_unlock`].
#[wasm_bindgen]
pub fn bench_vault_setup(passphrase: &str) -> Result<String, JsError> {
    use shared::vault;
    let salt = vault::Salt::random();
    let keys = vault::derive(passphrase, &salt).map_err(|c| JsError::new(c.message()))?;
    let wrapped = vault::wrap_identity(&shared::seal::generate_identity(), &keys).map_err(|c| JsError::new(c.message()))?;
    Ok(format!("{}\n{}", salt.encode(), vault::encode_wrapped(&wrapped)))
}

/// Unlocks as sign-in does: Argon2id + HKDF over the passphrase, then opening the
/// wrapped identity. The figure the vault's "≤ 1.5 s" target is about.
#[wasm_bindgen]
pub fn bench_unlock(passphrase: &str, setup: &str) -> Result<(), JsError> {
    use shared::vault;
    let (salt, wrapped) = setup.split_once('\n').ok_or_else(|| JsError::new("bad setup"))?;
    let salt = vault::Salt::decode(salt).map_err(|c| JsError::new(c.message()))?;
    let keys = vault::derive(passphrase, &salt).map_err(|c| JsError::new(c.message()))?;
    let wrapped = vault::decode_wrapped(wrapped).map_err(|c| JsError::new(c.message()))?;
    vault::unwrap_identity(wrapped.as_bytes(), &keys).map(|_| ()).map_err(|c| JsError::new(c.message()))
}
