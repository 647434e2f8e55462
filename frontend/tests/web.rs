//! Browser tests (headless Chromium through wasm-bindgen-test): the IndexedDB outbox
//! and age sealing as they really run in wasm32. Pure logic is tested natively
//! beside the code; these check what only a browser can show.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p amanat-frontend --target wasm32-unknown-unknown`

#![cfg(target_arch = "wasm32")]

use amanat_frontend::outbox::{self, EntryState, OutboxRow, StoredEntry};
use amanat_frontend::sealing::{seal_intake, Context};
use amanat_frontend::{local_db, opening};
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use shared::keyring::{HolderRole, KeyHolder, Keyring, OrgSigningKey, VerifiedKeyring};
use shared::record::{Child, Date, Intake, Record, Region, RiskFactor};
use shared::seal::{generate_identity, Identity};
use shared::ErrorCode;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const MARKER: &str = "CANARY-7f3a9c-Karimova";

/// A keyring of one adviser and one recovery key, signed and verified.
fn keyring() -> (VerifiedKeyring, Identity) {
    let adviser = generate_identity();
    let recovery = generate_identity();
    let org = OrgSigningKey::generate();
    let holder = |role, id: &Identity| KeyHolder { label: "k".into(), role, recipient: id.to_public().to_string() };
    let kr = Keyring::sign(1, "Org", vec![holder(HolderRole::Adviser, &adviser), holder(HolderRole::Recovery, &recovery)], &org);
    (kr.verify(&org.public()).unwrap(), adviser)
}

fn intake() -> Intake {
    Intake {
        family_name: MARKER.into(),
        region: Some(Region::UzSamarkand),
        children: vec![Child { full_name: format!("{MARKER}-child"), date_of_birth: Date::new(2016, 3, 1) }],
        risk_factors: vec![RiskFactor::LowIncome],
        assessment: format!("{MARKER} assessment"),
    }
}

fn sealed(keyring: &VerifiedKeyring) -> StoredEntry {
    let cx = Context {
        author: "cw",
        own: None,
        now: amanat_frontend::clock::now_rfc3339(),
        today: amanat_frontend::clock::today(),
    };
    seal_intake(intake(), &cx, keyring).unwrap()
}

/// A fresh database of the app's schema, so tests do not see each other's entries.
async fn fresh_db() -> Database {
    let name = format!("amanat-test-{}", js_sys::Math::random());
    local_db::open_named(&name).await.unwrap()
}

/// Every value of the outbox store, exactly as IndexedDB returns it.
async fn raw_values(db: &Database) -> Vec<JsValue> {
    let tx = db.transaction(local_db::OUTBOX).build().unwrap();
    let store = tx.object_store(local_db::OUTBOX).unwrap();
    let values: Vec<JsValue> = store.get_all::<JsValue>().primitive().unwrap().await.unwrap().map(Result::unwrap).collect();
    values
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[wasm_bindgen_test]
async fn the_outbox_round_trips_an_entry_and_stores_only_ciphertext_and_envelope() {
    let (kr, _) = keyring();
    let entry = sealed(&kr);
    let db = fresh_db().await;
    outbox::put(&db, &entry).await.unwrap();

    let (all, unreadable) = outbox::all(&db).await.unwrap();
    assert_eq!((all, unreadable), (vec![entry.clone()], 0));
    assert_eq!(outbox::get(&db, &entry.envelope.id).await.unwrap(), Some(entry.clone()));

    let raw = raw_values(&db).await;
    assert_eq!(raw.len(), 1);
    let value = &raw[0];
    let keys: Vec<String> = js_sys::Object::keys(value.unchecked_ref::<js_sys::Object>()).iter().filter_map(|k| k.as_string()).collect();
    let mut keys = keys;
    keys.sort();
    assert_eq!(keys, ["ciphertext", "envelope", "owner", "refusal", "state"]);
    let ct = js_sys::Reflect::get(value, &"ciphertext".into()).unwrap();
    let ct: js_sys::Uint8Array = ct.dyn_into().expect("the ciphertext is stored as a Uint8Array");
    let ct = ct.to_vec();
    assert_eq!(ct, entry.ciphertext);
    assert!(ct.starts_with(b"age-encryption.org/v1\n"));
    assert!(!contains(&ct, MARKER.as_bytes()), "the marker is in the stored bytes");
    let json: String = js_sys::JSON::stringify(value).unwrap().into();
    assert!(!json.contains(MARKER), "the marker is in the stored value");
    let envelope = js_sys::Reflect::get(value, &"envelope".into()).unwrap();
    let mut env_keys: Vec<String> =
        js_sys::Object::keys(envelope.unchecked_ref::<js_sys::Object>()).iter().filter_map(|k| k.as_string()).collect();
    env_keys.sort();
    let mut allowed: Vec<String> = shared::envelope::FIELDS.iter().map(|s| s.to_string()).collect();
    allowed.sort();
    assert_eq!(env_keys, allowed);

    outbox::set_state(&db, &entry.envelope.id, EntryState::Uploaded, None).await.unwrap();
    let (all, _) = outbox::all(&db).await.unwrap();
    assert_eq!(all[0].state, EntryState::Uploaded);
    assert_eq!(all[0].ciphertext, entry.ciphertext, "a state change leaves the bytes as they were");
    assert_eq!(OutboxRow::of(&all[0]).state, "uploaded");
}

#[wasm_bindgen_test]
fn a_record_sealed_in_wasm_opens_in_wasm_for_the_adviser_only() {
    let (kr, adviser) = keyring();
    let entry = sealed(&kr);
    let doc = opening::open_entry(&entry.envelope.id, &entry.ciphertext, &[adviser]).unwrap();
    let Record::Intake(got) = doc.record;
    assert_eq!(got, intake());
    assert_eq!(doc.case, entry.envelope.case);
    let stranger = generate_identity();
    assert_eq!(
        opening::open_entry(&entry.envelope.id, &entry.ciphertext, &[stranger]).err(),
        Some(ErrorCode::WrongKey)
    );
}

#[wasm_bindgen_test]
async fn a_corrupted_entry_in_the_outbox_is_reported_as_corrupted_and_kept() {
    let (kr, adviser) = keyring();
    let mut entry = sealed(&kr);
    let last = entry.ciphertext.len() - 4;
    entry.ciphertext[last] ^= 0x01;
    let db = fresh_db().await;
    outbox::put(&db, &entry).await.unwrap();

    let (all, _) = outbox::all(&db).await.unwrap();
    assert_eq!(all.len(), 1, "the damaged entry is still there");
    assert_eq!(all[0].integrity(), Err(ErrorCode::Corrupted));
    let row = OutboxRow::of(&all[0]);
    assert_eq!(row.state, "corrupted");
    assert_eq!(row.problem.as_deref(), Some(ErrorCode::Corrupted.message()));
    assert_eq!(
        opening::open_entry(&entry.envelope.id, &entry.ciphertext, &[adviser]).err(),
        Some(ErrorCode::Corrupted)
    );
    // Recording a refusal on it still keeps it, bytes untouched.
    outbox::set_state(&db, &entry.envelope.id, EntryState::Refused, None).await.unwrap();
    assert_eq!(outbox::all(&db).await.unwrap().0[0].ciphertext, entry.ciphertext);
}

#[wasm_bindgen_test]
async fn a_new_device_has_no_pinned_key_until_a_keyring_verifies() {
    let db = fresh_db().await;
    if amanat_frontend::keyring_pin::BUILT_IN.is_none() {
        assert_eq!(amanat_frontend::keyring_pin::current(&db).await.unwrap(), None);
    }
}

/// The device's copy of a caseworker's vault holds the salt, an age file and the public
/// recipient: it opens with the passphrase (in wasm, as at sign-in) and not without.
#[wasm_bindgen_test]
async fn the_cached_wrapped_identity_is_an_age_file_that_opens_only_with_the_passphrase() {
    use shared::vault::{self, Salt, WrappedIdentity};
    const PASS: &str = "pear lantern cobalt 17 reed";
    let salt = Salt::random();
    let keys = vault::derive(PASS, &salt).unwrap();
    let personal = shared::seal::generate_identity();
    let wrapped = vault::wrap_identity(&personal, &keys).unwrap();
    let w = WrappedIdentity {
        name: "aziza".into(),
        role: shared::api::Role::Caseworker,
        salt: salt.encode(),
        wrapped_identity: vault::encode_wrapped(&wrapped),
        recipient: personal.to_public().to_string(),
    };
    let db = fresh_db().await;
    amanat_frontend::vault::cache::put(&db, &w).await.unwrap();
    let back = amanat_frontend::vault::cache::get(&db, "aziza").await.unwrap().unwrap();
    assert_eq!(back, w);
    assert_eq!(amanat_frontend::vault::cache::get(&db, "bekzod").await.unwrap(), None);
    let bytes = vault::decode_wrapped(&back.wrapped_identity).unwrap();
    assert!(bytes.as_bytes().starts_with(b"age-encryption.org/v1\n"));
    let opened = vault::unwrap_identity(bytes.as_bytes(), &vault::derive(PASS, &Salt::decode(&back.salt).unwrap()).unwrap());
    assert_eq!(opened.unwrap().to_public().to_string(), back.recipient);
    let wrong = vault::derive("pear lantern cobalt 17 reeds", &salt).unwrap();
    assert_eq!(vault::unwrap_identity(bytes.as_bytes(), &wrong).err(), Some(shared::ErrorCode::WrongPassphrase));
}
