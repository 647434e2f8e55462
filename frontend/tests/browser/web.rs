//! Browser tests (headless Chromium through wasm-bindgen-test): the IndexedDB outbox,
//! age sealing and opening as they really run in wasm32, and an opened case rendered
//! for reading. Pure logic is tested natively beside the code; these check what only
//! a browser can show.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p amanat-frontend --target
//! wasm32-unknown-unknown --profile wasm-release --test browser -- web::`

use crate::support::fresh_db;
use amanat_frontend::outbox::{self, EntryState, OutboxRow, StoredEntry};
use amanat_frontend::sealing::{seal_intake, Context};
use amanat_frontend::{local_db, opening};
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use shared::fixtures::keyring;
use shared::forms::intake::FamilyIntake;
use shared::forms::v1::{Child, Intake};
use shared::forms::CaseEntry;
use shared::i18n::Catalog;
use shared::keyring::VerifiedKeyring;
use shared::record::{Date, Region, RiskFactor};
use shared::seal::generate_identity;
use shared::ErrorCode;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

const MARKER: &str = "CANARY-7f3a9c-Karimova";

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
    let signer = shared::authorship::AuthorKey::generate();
    let cx = Context {
        author: "cw",
        own: None,
        signer: &signer,
        now: amanat_frontend::clock::now_rfc3339(),
        today: amanat_frontend::clock::today(),
    };
    seal_intake(intake(), &cx, keyring).unwrap()
}

/// Every value of the outbox store, exactly as IndexedDB returns it.
async fn raw_values(db: &Database) -> Vec<JsValue> {
    let tx = db.transaction(local_db::OUTBOX).build().unwrap();
    let store = tx.object_store(local_db::OUTBOX).unwrap();
    let values: Vec<JsValue> =
        store.get_all::<JsValue>().primitive().unwrap().await.unwrap().map(Result::unwrap).collect();
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
    let keys: Vec<String> =
        js_sys::Object::keys(value.unchecked_ref::<js_sys::Object>()).iter().filter_map(|k| k.as_string()).collect();
    let mut keys = keys;
    keys.sort();
    // `streamed` says whether the whole ciphertext is a Blob beside it (an attachment).
    assert_eq!(keys, ["ciphertext", "envelope", "owner", "refusal", "state", "streamed"]);
    assert_eq!(js_sys::Reflect::get(value, &"streamed".into()).unwrap().as_bool(), Some(false));
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
    let CaseEntry::Intake(got) = doc.entry else { panic!("not an intake") };
    assert_eq!(got, FamilyIntake::from(intake()), "a schema 1 record reads as the full intake");
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
    let author = shared::authorship::AuthorKey::generate();
    let wrapped = vault::wrap_identity(&personal, &author, &keys).unwrap();
    let w = WrappedIdentity {
        name: "aziza".into(),
        role: shared::api::Role::Caseworker,
        salt: salt.encode(),
        wrapped_identity: vault::encode_wrapped(&wrapped),
        recipient: personal.to_public().to_string(),
        author_key: None,
    };
    let db = fresh_db().await;
    amanat_frontend::vault::cache::put(&db, &w).await.unwrap();
    let back = amanat_frontend::vault::cache::get(&db, "aziza").await.unwrap().unwrap();
    assert_eq!(back, w);
    assert_eq!(amanat_frontend::vault::cache::get(&db, "bekzod").await.unwrap(), None);
    let bytes = vault::decode_wrapped(&back.wrapped_identity).unwrap();
    assert!(bytes.as_bytes().starts_with(b"age-encryption.org/v1\n"));
    let opened =
        vault::unwrap_identity(bytes.as_bytes(), &vault::derive(PASS, &Salt::decode(&back.salt).unwrap()).unwrap());
    let opened = opened.unwrap();
    assert_eq!(opened.identity.to_public().to_string(), back.recipient);
    assert_eq!(opened.author.map(|a| a.public()), Some(author.public()), "the author key is wrapped with it");
    let wrong = vault::derive("pear lantern cobalt 17 reeds", &salt).unwrap();
    assert_eq!(vault::unwrap_identity(bytes.as_bytes(), &wrong).err(), Some(shared::ErrorCode::WrongPassphrase));
}

/// A case's four kinds of entry, a correction and a scan, sealed as the app seals them
/// (schema 2, to the keyring), opened with the adviser's key, and shown grouped: intake
/// first, then consent and follow-ups, then the closure, the corrected entry marked
/// and kept; every label
/// from the catalog of the language shown, relabelled by a switch; "Continue this
/// case" hands the case and its documents over.
#[wasm_bindgen_test]
async fn a_case_sealed_entry_by_entry_reads_back_in_order_in_the_language_shown() {
    use amanat_frontend::i18n::provide_i18n;
    use amanat_frontend::opening::open_content;
    use amanat_frontend::reading::{by_case, CaseGroup, Judge};
    use leptos::prelude::*;
    use shared::forms::consent::{ConsentEntry, ConsentKind, Permission, Signature};
    use shared::forms::followup::{Closure, ClosureOutcome, Contact, FollowUp};
    use shared::forms::intake::{Channel, Need, Priority, RiskLevel, Service};
    use shared::forms::signature::Strokes;
    use shared::forms::CaseDocument;
    use shared::i18n::Locale;
    use shared::CaseId;
    use std::cell::RefCell;
    use std::rc::Rc;

    let (kr, adviser) = keyring();
    // Every document signed by its author, as the app signs it (sign, then seal).
    let author = shared::authorship::AuthorKey::generate();
    let case = CaseId::random();
    let mut family = FamilyIntake::from(intake());
    family.risk.level = Some(RiskLevel::High);
    family.needs.push(Need { service: Service::Legal, priority: Priority::Urgent, note: String::new() });
    let mut consent = ConsentEntry::new(ConsentKind::Given);
    consent.date = Date::new(2026, 11, 2);
    consent.set(Permission::CaseWork, Some(true));
    consent.signature =
        Some(Signature::Drawn { strokes: Strokes::encode(400, 150, &[vec![(10, 10), (200, 90)]]).unwrap() });
    let follow_up = FollowUp {
        date: Date::new(2026, 11, 10),
        contacts: vec![Contact {
            date: Date::new(2026, 11, 10),
            channel: Some(Channel::HomeVisit),
            ..Contact::default()
        }],
        ..FollowUp::default()
    };
    let closure = Closure {
        date: Date::new(2026, 11, 20),
        outcome: Some(ClosureOutcome::ChildReturned),
        children_returned: 1,
        ..Closure::default()
    };
    // Saved out of order on purpose: the reader orders them.
    let entries = [
        ("2026-11-20T09:00:00.000Z", CaseEntry::Closure(closure)),
        ("2026-11-10T09:00:00.000Z", CaseEntry::FollowUp(follow_up)),
        ("2026-11-01T09:00:00.000Z", CaseEntry::Intake(family)),
        ("2026-11-02T09:00:00.000Z", CaseEntry::Consent(consent)),
    ];
    let mut sealed: Vec<Vec<u8>> = entries
        .into_iter()
        .map(|(at, entry)| {
            let doc =
                CaseDocument { schema: 2, case, created_at: at.into(), author: "cw".into(), supersedes: None, entry };
            kr.seal(&author.sign_document(&doc.to_bytes()), &[]).unwrap().into_bytes()
        })
        .collect();
    // A correction of the follow-up: a later entry naming the one it corrects.
    let first_follow_up = shared::EntryId::of(&sealed[1]);
    let correction = CaseDocument {
        schema: 2,
        case,
        created_at: "2026-11-11T09:00:00.000Z".into(),
        author: "cw".into(),
        supersedes: Some(first_follow_up),
        entry: CaseEntry::FollowUp(FollowUp { date: Date::new(2026, 11, 10), ..FollowUp::default() }),
    };
    sealed.push(kr.seal(&author.sign_document(&correction.to_bytes()), &[]).unwrap().into_bytes());
    let mut scan = b"%PDF-1.7\n".to_vec();
    scan.resize(5000, b' ');
    sealed.push(kr.seal(&scan, &[]).unwrap().into_bytes());
    let opened: Vec<_> = sealed
        .iter()
        .map(|ct| {
            let id = shared::EntryId::of(ct);
            (id, case, open_content(&id, ct, std::slice::from_ref(&adviser)).unwrap())
        })
        .collect();
    // Read on the author's own device before the organisation approved her key: her
    // own signed entries count (what "continue this case" hands over), the roster is
    // still empty.
    let judge =
        Judge { roster: shared::authorship::VerifiedRoster::empty(), own: Some(("cw".into(), author.public())) };
    let groups = by_case(opened, judge);
    assert_eq!(groups.len(), 1);

    let container: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&container).unwrap();
    // Callbacks must be Send + Sync: a Mutex, not a RefCell.
    let handed = std::sync::Arc::new(std::sync::Mutex::new(None));
    let got = std::sync::Arc::clone(&handed);
    let i18n_slot = Rc::new(RefCell::new(None));
    let slot = Rc::clone(&i18n_slot);
    let group = groups[0].clone();
    let _handle = leptos::mount::mount_to(container.clone(), move || {
        let i18n = provide_i18n(Locale::En, Locale::ALL.iter().map(|&l| Catalog::embedded(l)).collect());
        *slot.borrow_mut() = Some(i18n);
        let on_open = Callback::new(move |(c, docs): (CaseId, Vec<CaseDocument>)| {
            *got.lock().unwrap() = Some((c, docs.len()));
        });
        view! { <CaseGroup group on_open=Some(on_open) /> }
    });
    gloo_timers::future::TimeoutFuture::new(40).await;

    let q = |sel: &str| container.query_selector(sel).unwrap().unwrap_or_else(|| panic!("nothing at {sel}"));
    let kinds = container.query_selector_all("article.record").unwrap();
    let kinds: Vec<String> = (0..kinds.length())
        .map(|i| kinds.get(i).unwrap().unchecked_into::<web_sys::Element>().get_attribute("data-kind").unwrap())
        .collect();
    assert_eq!(kinds, ["intake", "consent", "follow_up", "follow_up", "closure"]);
    let superseded = container.query_selector_all("article.record.superseded").unwrap();
    assert_eq!(superseded.length(), 1, "only the corrected entry is marked");
    let marked = superseded.get(0).unwrap().unchecked_into::<web_sys::Element>();
    assert_eq!(marked.get_attribute("data-id"), Some(first_follow_up.to_string()));
    assert!(marked.text_content().unwrap().contains(&Catalog::embedded(Locale::En).tr("record-superseded", &[])));
    assert_eq!(q(".case-title").text_content().unwrap().split_whitespace().next(), Some(MARKER));
    assert_eq!(q(".family-name").text_content().unwrap(), MARKER);
    let en = Catalog::embedded(Locale::En);
    assert_eq!(q("dd.region").text_content().unwrap(), en.tr("region-uz-sa", &[]));
    assert!(q("ul.children li").text_content().unwrap().contains("01.03.2016"), "dates are shown dd.mm.yyyy");
    assert_eq!(q("ul.risk-factors li[data-code=low_income]").text_content().unwrap(), en.tr("risk-low_income", &[]));
    assert!(q("ul.needs li[data-code=legal]").text_content().unwrap().contains(&en.tr("priority-urgent", &[])));
    assert_eq!(q("dd.assessment").text_content().unwrap(), format!("{MARKER} assessment"));
    assert!(q("dd.signature").text_content().unwrap().contains(&en.tr("record-signed_on_screen", &[])));
    assert!(q("dd.signature svg path").get_attribute("d").unwrap().starts_with("M10 10L200 90"));
    assert!(q("ul.contacts li").text_content().unwrap().contains(&en.tr("channel-home_visit", &[])));
    assert_eq!(q("dd.outcome").text_content().unwrap(), en.tr("closure_outcome-child_returned", &[]));
    // A PDF sealed into the case that no record names: listed, and said not to be vouched for.
    assert_eq!(
        q("li.attachment[data-code=pdf]").text_content().unwrap(),
        format!("{}, 5 KB — {}", en.tr("media_type-pdf", &[]), en.tr("attachment-unvouched", &[]))
    );
    assert_eq!(q("li.attachment[data-code=pdf]").get_attribute("data-vouched").as_deref(), Some("none"));
    let text = container.text_content().unwrap();
    for raw in ["field-", "adviser-", "form-", "record-", "cases-", "region-", "common-"] {
        assert!(!text.contains(raw), "a raw catalog key ({raw}…) is shown: {text}");
    }

    // Another language relabels everything; what was typed stays as typed.
    (*i18n_slot.borrow()).expect("mounted").switch(Locale::Ru);
    gloo_timers::future::TimeoutFuture::new(40).await;
    let ru = Catalog::embedded(Locale::Ru);
    assert_eq!(q("dd.region").text_content().unwrap(), ru.tr("region-uz-sa", &[]));
    assert_eq!(q("dd.outcome").text_content().unwrap(), ru.tr("closure_outcome-child_returned", &[]));
    assert_eq!(q(".family-name").text_content().unwrap(), MARKER);
    assert!(container.text_content().unwrap().contains(&ru.tr("field-risk-level", &[])));

    q("button.continue-case").unchecked_into::<web_sys::HtmlElement>().click();
    assert_eq!(*handed.lock().unwrap(), Some((case, 5)), "the case and its five documents, not the scan");
    container.remove();
}
