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
    let wrapped =
        vault::wrap_identity(&shared::seal::generate_identity(), &shared::authorship::AuthorKey::generate(), &keys)
            .map_err(|c| JsError::new(c.message()))?;
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
        let envelope =
            Envelope::new(case, shared::forms::DOCUMENT_SCHEMA, keyring.version(), clock::now_rfc3339(), &ciphertext);
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
            let problem = view.relay_problem.get_untracked().map(|p| p.message()).unwrap_or_default();
            break Err(JsError::new(&format!(
                "{uploaded} of {count} uploaded after {limit_s} s; relay problem: {problem}"
            )));
        }
    };
    handle.stop();
    outcome
}

/// A full family intake with twelve household members, valid on `today` (the fixture
/// `cargo xtask bench`'s pages type into and save; see `shared::fixtures`).
pub use shared::fixtures::twelve_member_intake;

/// The household member whose name the typing bench types into: a child at risk, so
/// each keystroke also relabels the child's row under "Children at risk".
const TYPED_MEMBER: usize = 9;

/// Mounts the app's real `IntakeForm` on the page, in English (`ftl` is the catalog
/// text), over [`twelve_member_intake`]. Returns the DOM id of the text field the
/// typing bench types into (a member's full name).
#[wasm_bindgen]
pub fn bench_mount_intake(ftl: &str) -> Result<String, JsError> {
    use crate::forms::descriptor::FormState;
    use crate::forms::IntakeForm;
    use leptos::prelude::*;
    use shared::i18n::{Catalog, Locale};

    let catalog = Catalog::new(Locale::En, ftl).map_err(|e| JsError::new(&e.to_string()))?;
    let today = crate::clock::today();
    let intake = twelve_member_intake(today);
    let problems = shared::forms::check::intake(&intake, today);
    if !problems.is_empty() {
        return Err(JsError::new(&format!("the bench's intake is not valid: {problems:?}")));
    }
    let key = intake.household[TYPED_MEMBER].key;
    leptos::mount::mount_to_body(move || {
        crate::i18n::provide_i18n(Locale::En, vec![catalog]);
        let state = FormState::new(RwSignal::new(intake), today);
        view! { <IntakeForm state /> }
    });
    Ok(format!("f-household-k{}-full_name", key.0))
}

#[wasm_bindgen]
extern "C" {
    /// The page's monotonic clock, in ms (finer than `Date.now`).
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// Median ms of `shared::forms::check::intake` over the bench's twelve-member intake:
/// the validation every keystroke re-runs, timed alone so the typing row can say how
/// much of a keystroke it is.
#[wasm_bindgen]
pub fn bench_check_intake(runs: u32) -> f64 {
    let today = crate::clock::today();
    let intake = twelve_member_intake(today);
    // Batches of 50: one check is finer than the page clock's 0.1 ms tick.
    const BATCH: u32 = 50;
    let mut t: Vec<f64> = (0..runs.max(1))
        .map(|_| {
            let started = performance_now();
            for _ in 0..BATCH {
                std::hint::black_box(shared::forms::check::intake(std::hint::black_box(&intake), today));
            }
            (performance_now() - started) / f64::from(BATCH)
        })
        .collect();
    median(&mut t)
}

/// Median of a sample, in place.
fn median(t: &mut [f64]) -> f64 {
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

/// Times saving the full twelve-member intake `runs` times the way the forms save:
/// `sealing::seal_entry` (`shared::forms::check` over the whole entry, then age to the
/// relay's verified keyring and `owner`'s own recipient) and `outbox::put` into the
/// app's IndexedDB. The keyring is fetched and checked once before (a save does that
/// too, over the network: timed apart, with the whole `sealing::save_entry`).
/// Reads the last entry back from IndexedDB and opens it with the own identity, so
/// what was timed is the real thing. Returns JSON: the samples and their medians (ms).
#[wasm_bindgen]
pub async fn bench_save_intake(owner: String, runs: u32) -> Result<String, JsError> {
    use crate::sealing::{save_entry, seal_entry, Context};
    use crate::session::Session;
    use crate::{clock, keyring_pin, local_db, opening, outbox};
    use leptos::prelude::*;
    use shared::forms::CaseEntry;

    let fail = |e: crate::problem::Problem| JsError::new(&e.message());
    let code = |c: shared::ErrorCode| JsError::new(c.message());
    let db = local_db::open().await.map_err(|e| fail(e.into()))?;
    let (keyring, _) = keyring_pin::fetch_verified(&db).await.map_err(fail)?;
    let me = shared::seal::generate_identity();
    let own = me.to_public();
    let signer = std::sync::Arc::new(shared::authorship::AuthorKey::generate());
    let today = clock::today();
    let intake = twelve_member_intake(today);
    let plaintext_bytes = serde_json::to_vec(&intake).map(|v| v.len()).unwrap_or(0);

    let mut seal_put = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let entry = CaseEntry::Intake(intake.clone());
        let started = performance_now();
        let cx = Context { author: &owner, own: Some(&own), signer: &signer, now: clock::now_rfc3339(), today };
        let (stored, _) = seal_entry(shared::CaseId::random(), entry, None, None, &cx, &keyring).map_err(code)?;
        outbox::put(&db, &stored).await.map_err(|e| fail(e.into()))?;
        seal_put.push(performance_now() - started);
        last = Some(stored.envelope.id);
    }
    let id = last.ok_or_else(|| JsError::new("no runs"))?;
    let kept = outbox::get(&db, &id)
        .await
        .map_err(|e| fail(e.into()))?
        .ok_or_else(|| JsError::new("the saved entry is not in IndexedDB"))?;
    let doc = opening::open_entry(&id, &kept.ciphertext, std::slice::from_ref(&me)).map_err(code)?;
    if doc.entry != CaseEntry::Intake(intake.clone()) {
        return Err(JsError::new("the entry read back from IndexedDB is not the intake saved"));
    }

    // The whole save as the Save button runs it: open the database, fetch the keyring
    // from the relay and check it against the pin, then the same seal and put.
    let author_key = Signal::derive(move || Some(signer.clone()));
    let session =
        Session { author: owner.clone(), own, author_key, pin: RwSignal::new(None), saved: Callback::new(|()| ()) };
    let mut whole = Vec::new();
    for _ in 0..runs {
        let entry = CaseEntry::Intake(intake.clone());
        let started = performance_now();
        save_entry(&session, shared::CaseId::random(), entry, None, None).await.map_err(fail)?;
        whole.push(performance_now() - started);
    }
    let figures = serde_json::json!({
        "members": intake.household.len(),
        "plaintext_bytes": plaintext_bytes,
        "ciphertext_bytes": kept.ciphertext.len(),
        "seal_put_ms": seal_put,
        "save_entry_ms": whole,
        "seal_put_median_ms": median(&mut seal_put.clone()),
        "save_entry_median_ms": median(&mut whole.clone()),
    });
    Ok(figures.to_string())
}
