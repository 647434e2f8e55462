//! Saving an entry: the form, checked by `shared::forms::check`, becomes a
//! [`CaseDocument`], is sealed with age to the verified keyring and to the
//! caseworker's own recipient (so they can reopen it after signing in), and goes into
//! the outbox as ciphertext plus envelope ([`seal_entry`], [`save_entry`]).
//!
//! Every case document is signed by its author before it is sealed (sign, then seal:
//! `shared::authorship`), with the author key of the unlocked vault, so a reader can
//! tell an entry its author wrote from one the relay or another key holder sealed
//! under the author's name. (Drafts, sealed to the author alone, are not signed: nobody
//! else reads them and they never count for anything; `crate::drafts`.)
//!
//! The plaintext exists only in this function's memory; what leaves it is a
//! [`StoredEntry`]. Sealing needs a `VerifiedKeyring`, which only a signature check
//! against the pinned organisation key produces (see [`crate::keyring_pin`]).

use leptos::prelude::*;
use shared::authorship::AuthorKey;
use shared::envelope::Envelope;
use shared::forms::check::{self, ConsentRules};
use shared::forms::consent::ConsentState;
use shared::forms::v1::{self, Document, Intake, Record};
use shared::forms::{CaseDocument, CaseEntry, DOCUMENT_SCHEMA};
use shared::keyring::VerifiedKeyring;
use shared::record::Date;
use shared::seal::Recipient;
use shared::{validate, CaseId, EntryId, ErrorCode};

use crate::outbox::{self, StoredEntry};
use crate::problem::Problem;
use crate::{clock, keyring_pin, local_db};

/// Who is saving, and when (read at the edge, passed in so this stays testable).
pub struct Context<'a> {
    pub author: &'a str,
    /// The author's personal recipient (from the unlocked vault), sealed to as well.
    pub own: Option<&'a Recipient>,
    /// The author's signing key (from the unlocked vault): every document is signed.
    pub signer: &'a AuthorKey,
    pub now: String,
    pub today: Date,
}

/// Validates and seals a schema-1 intake ([`v1`]) for a new case, as the first app
/// did, unsigned as it was then (`cx.signer` is not used). The app no longer calls it
/// ([`seal_entry`] seals every form); the browser tests keep it to have an old record
/// to read. Pure: no storage, no network.
pub fn seal_intake(intake: Intake, cx: &Context<'_>, keyring: &VerifiedKeyring) -> Result<StoredEntry, ErrorCode> {
    if !validate::intake(&intake, cx.today).is_empty() {
        return Err(ErrorCode::Invalid);
    }
    let doc = Document {
        schema: v1::SCHEMA,
        case: CaseId::random(),
        created_at: cx.now.clone(),
        author: cx.author.to_owned(),
        record: Record::Intake(intake),
    };
    let own: Vec<Recipient> = cx.own.into_iter().cloned().collect();
    let ciphertext = keyring.seal(&doc.to_bytes(), &own)?;
    let envelope = Envelope::new(doc.case, v1::SCHEMA, keyring.version(), &cx.now, &ciphertext);
    Ok(StoredEntry::sealed(envelope, ciphertext, cx.author))
}

/// Validates one entry of a case with `shared::forms::check` and seals it as a
/// [`CaseDocument`] of [`DOCUMENT_SCHEMA`]. Pure: no storage, no network. `consent` is the case's
/// consent state when known (a follow-up's referrals are checked against it). Gives
/// the stored entry and the document as sealed. The plaintext sealed is the document
/// signed with `cx.signer`.
pub fn seal_entry(
    case: CaseId,
    entry: CaseEntry,
    supersedes: Option<EntryId>,
    consent: Option<&ConsentState>,
    cx: &Context<'_>,
    keyring: &VerifiedKeyring,
) -> Result<(StoredEntry, CaseDocument), ErrorCode> {
    let rules = ConsentRules { assent_age: crate::org_settings::assent_age() };
    if !check::entry(&entry, cx.today, rules, consent).is_empty() {
        return Err(ErrorCode::Invalid);
    }
    let doc = CaseDocument {
        schema: DOCUMENT_SCHEMA,
        case,
        created_at: cx.now.clone(),
        author: cx.author.to_owned(),
        supersedes,
        entry,
    };
    let own: Vec<Recipient> = cx.own.into_iter().cloned().collect();
    let signed = zeroize::Zeroizing::new(cx.signer.sign_document(&doc.to_bytes()));
    let ciphertext = keyring.seal(&signed, &own)?;
    let envelope = Envelope::new(case, DOCUMENT_SCHEMA, keyring.version(), &cx.now, &ciphertext);
    Ok((StoredEntry::sealed(envelope, ciphertext, cx.author), doc))
}

/// Saves one entry of a case: fetches and checks the keyring (the kept one offline),
/// validates, seals to the keyring and the author, stores it in the outbox and wakes
/// the sync loop. On any failure nothing is stored and the form keeps what was typed.
/// Gives the stored entry and the document as sealed (for the case shown in memory).
pub async fn save_entry(
    session: &crate::session::Session,
    case: CaseId,
    entry: CaseEntry,
    supersedes: Option<EntryId>,
    consent: Option<&ConsentState>,
) -> Result<(StoredEntry, CaseDocument), Problem> {
    let signer = session.author_key.get_untracked().ok_or(ErrorCode::VaultLocked)?;
    let db = local_db::open().await?;
    let (keyring, pin) = keyring_pin::fetch_verified(&db).await?;
    session.pin.try_set(Some(pin));
    let cx = Context {
        author: &session.author,
        own: Some(&session.own),
        signer: &signer,
        now: clock::now_rfc3339(),
        today: clock::today(),
    };
    let (stored, doc) = seal_entry(case, entry, supersedes, consent, &cx, &keyring)?;
    outbox::put(&db, &stored).await?;
    session.saved.run(());
    Ok((stored, doc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::forms::v1::Child;
    use shared::keyring::{HolderRole, KeyHolder, Keyring, OrgSigningKey};
    use shared::record::{Region, RiskFactor};
    use shared::seal;

    #[test]
    fn a_sealed_intake_holds_no_plaintext_and_opens_for_the_adviser() {
        let adviser = seal::generate_identity();
        let recovery = seal::generate_identity();
        let org = OrgSigningKey::generate();
        let holder =
            |role, id: &seal::Identity| KeyHolder { label: "k".into(), role, recipient: id.to_public().to_string() };
        let kr = Keyring::sign(
            3,
            "Org",
            vec![holder(HolderRole::Adviser, &adviser), holder(HolderRole::Recovery, &recovery)],
            shared::fixtures::WIDE_VALIDITY,
            &org,
        );
        let verified = kr.verify(&org.public()).unwrap();
        let intake = Intake {
            family_name: "MARKER-Karimova".into(),
            region: Some(Region::UzSamarkand),
            children: vec![Child { full_name: "Aziz".into(), date_of_birth: Date::new(2016, 3, 1) }],
            risk_factors: vec![RiskFactor::LowIncome],
            assessment: String::new(),
        };
        let cx = Context {
            author: "cw",
            own: None,
            signer: &AuthorKey::generate(),
            now: "2026-11-23T10:00:00.000Z".into(),
            today: Date::new(2026, 11, 23).unwrap(),
        };
        let entry = seal_intake(intake, &cx, &verified).unwrap();
        assert!(entry.integrity().is_ok());
        assert_eq!(entry.envelope.keyring_version, 3);
        assert!(!entry.ciphertext.windows(6).any(|w| w == b"MARKER"));
        let doc = crate::opening::open_entry(&entry.envelope.id, &entry.ciphertext, &[adviser]).unwrap();
        assert_eq!(doc.case, entry.envelope.case);
        assert_eq!(doc.author, "cw");
    }

    #[test]
    fn the_author_reopens_their_own_entry_with_their_own_key() {
        let org = OrgSigningKey::generate();
        let recovery = seal::generate_identity().to_public().to_string();
        let kr = Keyring::sign(
            1,
            "Org",
            vec![KeyHolder { label: "r".into(), role: HolderRole::Recovery, recipient: recovery }],
            shared::fixtures::WIDE_VALIDITY,
            &org,
        );
        let me = seal::generate_identity();
        let someone_else = seal::generate_identity();
        let own = me.to_public();
        let intake = Intake {
            family_name: "Karimova".into(),
            region: Some(Region::UzSamarkand),
            children: vec![Child { full_name: "Aziz".into(), date_of_birth: Date::new(2016, 3, 1) }],
            risk_factors: vec![RiskFactor::LowIncome],
            assessment: String::new(),
        };
        let cx = Context {
            author: "cw",
            own: Some(&own),
            signer: &AuthorKey::generate(),
            now: "2026-11-23T10:00:00.000Z".into(),
            today: Date::new(2026, 11, 23).unwrap(),
        };
        let entry = seal_intake(intake, &cx, &kr.verify(&org.public()).unwrap()).unwrap();
        assert_eq!(entry.owner, "cw");
        let doc = crate::opening::open_entry(&entry.envelope.id, &entry.ciphertext, &[me]).unwrap();
        assert_eq!(doc.case, entry.envelope.case);
        let other = crate::opening::open_entry(&entry.envelope.id, &entry.ciphertext, &[someone_else]);
        assert_eq!(other.err(), Some(ErrorCode::WrongKey), "another caseworker's key does not open it");
    }

    #[test]
    fn every_entry_is_sealed_signed_by_its_author_and_opens_as_the_same_document() {
        let (keyring, adviser) = shared::fixtures::keyring();
        let signer = AuthorKey::generate();
        let today = Date::new(2026, 11, 23).unwrap();
        let cx = Context { author: "cw", own: None, signer: &signer, now: "2026-11-23T10:00:00.000Z".into(), today };
        let entry = CaseEntry::Intake(shared::fixtures::twelve_member_intake(today));
        let (stored, doc) = seal_entry(CaseId::random(), entry, None, None, &cx, &keyring).unwrap();
        let plain = seal::open_bytes(&stored.ciphertext, std::slice::from_ref(&adviser)).unwrap();
        let unwrapped = shared::authorship::unwrap(&plain).unwrap();
        assert_eq!(
            unwrapped.signer,
            shared::authorship::Signer::Signed { key: signer.public(), valid: true },
            "signed by the author's key"
        );
        assert_eq!(unwrapped.document, doc.to_bytes().as_slice(), "over the document's exact bytes");
        let (read, signer_seen) = crate::opening::read_document(&plain).unwrap();
        assert_eq!((read, signer_seen), (doc, unwrapped.signer));
    }

    #[test]
    fn an_invalid_intake_is_not_sealed() {
        let org = OrgSigningKey::generate();
        let r = seal::generate_identity().to_public().to_string();
        let kr = Keyring::sign(
            1,
            "Org",
            vec![KeyHolder { label: "r".into(), role: HolderRole::Recovery, recipient: r }],
            shared::fixtures::WIDE_VALIDITY,
            &org,
        );
        let signer = AuthorKey::generate();
        let cx = Context {
            author: "cw",
            own: None,
            signer: &signer,
            now: String::new(),
            today: Date::new(2026, 11, 23).unwrap(),
        };
        let got = seal_intake(Intake::default(), &cx, &kr.verify(&org.public()).unwrap());
        assert_eq!(got.err(), Some(ErrorCode::Invalid));
    }
}
