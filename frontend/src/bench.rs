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
