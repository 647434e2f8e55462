//! Entry points for `cargo xtask bench` (built only with the `bench` feature): the
//! pages in `xtask/bench-page` time `shared::seal` compiled to wasm against typage,
//! the vault's unlock, and the app's own outbox and sync loop against a local relay.
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

/// Entries sealed into one case by [`bench_sync_queue`] (a case gathers several entries:
/// intake, consent, follow-ups).
const ENTRIES_PER_CASE: u32 = 10;

/// Queues `count` entries of `size` bytes of plaintext each in the app's real outbox
/// (IndexedDB) as `owner`'s, sealed as the app seals: to the relay's keyring, checked
/// against the organisation key by `keyring_pin::fetch_verified`, and to a personal
/// recipient. Returns the entry ids, one a line, for the relay-side count.
#[wasm_bindgen]
pub async fn bench_sync_queue(owner: String, count: u32, size: u32) -> Result<String, JsError> {
    use crate::{clock, keyring_pin, local_db, outbox};
    use shared::envelope::Envelope;
    let fail = |e: crate::problem::Problem| JsError::new(&e.message());
    let db = local_db::open().await.map_err(|e| fail(e.into()))?;
    let (keyring, _) = keyring_pin::fetch_verified(&db).await.map_err(fail)?;
    let own = shared::seal::generate_identity().to_public();
    let mut ids = String::new();
    let mut case = shared::CaseId::random();
    for n in 0..count {
        if n % ENTRIES_PER_CASE == 0 {
            case = shared::CaseId::random();
        }
        let plaintext: Vec<u8> = (0..size).map(|i| (i.wrapping_mul(31).wrapping_add(n) % 251) as u8).collect();
        let ciphertext = keyring.seal(&plaintext, std::slice::from_ref(&own)).map_err(|c| JsError::new(c.message()))?;
        let envelope = Envelope {
            id: ciphertext.id(),
            case,
            schema: shared::forms::SCHEMA_VERSION,
            keyring_version: keyring.version(),
            sealed_at: clock::now_rfc3339(),
            size: ciphertext.len() as u64,
        };
        ids.push_str(&envelope.id.to_string());
        ids.push('\n');
        let entry = outbox::StoredEntry::sealed(envelope, ciphertext, &owner);
        outbox::put(&db, &entry).await.map_err(|e| fail(e.into()))?;
    }
    Ok(ids)
}

/// Runs the app's sync loop (`sync::start`, as the caseworker page does) over `owner`'s
/// outbox and returns the milliseconds until `count` entries show as uploaded, i.e.
/// acknowledged by the relay and recorded so in IndexedDB. A page-sized view shows the
/// progress. Fails on a refused or damaged entry, or after `limit_s` seconds.
#[wasm_bindgen]
pub async fn bench_sync_run(owner: String, count: u32, limit_s: u32) -> Result<f64, JsError> {
    use crate::sync::{self, OutboxView};
    use gloo_timers::future::TimeoutFuture;
    use leptos::prelude::*;

    let view = OutboxView::new(&owner);
    // Mounting starts Leptos' task executor, which the sync loop runs on.
    leptos::mount::mount_to_body(move || {
        view! { <p id="sync-progress">{move || { let (done, of) = view.progress.get(); format!("{done} / {of}") }}</p> }
    });
    let count = count as usize;
    let started = js_sys::Date::now();
    let handle = sync::start(view);
    let outcome = loop {
        TimeoutFuture::new(5).await;
        let (uploaded, stuck) = view.rows.with_untracked(|rows| {
            let uploaded = rows.iter().filter(|r| r.state == "uploaded").count();
            let stuck = rows.iter().find(|r| r.state == "refused" || r.state == "corrupted");
            (uploaded, stuck.map(|r| format!("entry {} is {}: {:?}", r.id, r.state, r.problem)))
        });
        if uploaded >= count {
            break Ok(js_sys::Date::now() - started);
        }
        if let Some(why) = stuck {
            break Err(JsError::new(&why));
        }
        if js_sys::Date::now() - started > f64::from(limit_s) * 1000.0 {
            let problem = view.relay_problem.get_untracked().unwrap_or_default();
            break Err(JsError::new(&format!("{uploaded} of {count} uploaded after {limit_s} s; relay problem: {problem}")));
        }
    };
    handle.stop();
    outcome
}
