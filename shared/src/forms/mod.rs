//! The full forms of a case: intake, consent, follow-up and closure, with their code
//! lists, skip logic and validation.
//!
//! What is here and what is not: the types a caseworker's answers are stored in
//! (codes, never labels), the rules that decide which fields show ([`household`],
//! [`address`], [`consent`]… as `shows_*` functions) and which answers are acceptable
//! ([`check`]). Labels and messages are in the catalogs ([`crate::i18n`]); sealing is
//! in [`crate::seal`].
//!
//! ## What is sealed
//!
//! Every entry of a case is sealed as a [`CaseDocument`] of [`DOCUMENT_SCHEMA`] (2)
//! holding a [`CaseEntry`], and its envelope carries the same number.
//! [`CaseDocument::from_bytes`] also reads the first app's records, schema 1
//! ([`v1`], read-only), upgrading their intake to an [`intake::FamilyIntake`]; a
//! schema 1 reader ([`v1::Document::from_bytes`]) refuses a schema 2 entry with
//! `record_unreadable` rather than misreading it.

pub mod address;
pub mod attachment;
pub mod basis;
pub mod check;
pub mod codes;
pub mod consent;
pub mod followup;
pub mod household;
pub mod intake;
pub mod signature;
pub mod v1;

use serde::{Deserialize, Serialize};

use crate::ids::CaseId;
use crate::record::Date;

/// The day a form's ages, skip logic and consent are counted on: the form's own date,
/// or `today` while it has none or its date is later than today. A date in the future
/// is a problem [`check`] reports; until it is corrected, counting on it would make a
/// child an adult (or not yet askable) by a day that has not come, and the form would
/// show and drop answers by it. `today` is the device's calendar day (the caller reads
/// the clock; this crate reads none).
pub fn form_day(date: Option<Date>, today: Date) -> Date {
    date.filter(|d| *d <= today).unwrap_or(today)
}

/// The schema of a sealed [`CaseDocument`], also written in its envelope.
pub const DOCUMENT_SCHEMA: u32 = 2;

/// One entry of a case's append-only chain, stored as `{"kind": "consent", "form": {…}}`
/// (adjacent tagging, so a form may have its own `kind` field).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "form", rename_all = "snake_case")]
pub enum CaseEntry {
    Intake(intake::FamilyIntake),
    Consent(consent::ConsentEntry),
    FollowUp(followup::FollowUp),
    Closure(followup::Closure),
}

impl CaseEntry {
    /// The attachments the entry names (a consent signed on paper names its scan).
    pub fn attachments(&self) -> impl Iterator<Item = &attachment::AttachmentRef> {
        let scan = match self {
            CaseEntry::Consent(c) => match &c.signature {
                Some(consent::Signature::OnPaper { scan }) => scan.as_ref(),
                _ => None,
            },
            _ => None,
        };
        scan.into_iter()
    }

    /// A short code for the kind of entry.
    pub fn kind(&self) -> &'static str {
        match self {
            CaseEntry::Intake(_) => "intake",
            CaseEntry::Consent(_) => "consent",
            CaseEntry::FollowUp(_) => "follow_up",
            CaseEntry::Closure(_) => "closure",
        }
    }
}

/// What is sealed for an entry of the full forms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseDocument {
    pub schema: u32,
    pub case: CaseId,
    /// RFC 3339 time the caseworker saved it.
    pub created_at: String,
    /// The caseworker's account name.
    pub author: String,
    /// The entry this one corrects, when it is a correction (entries are never edited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<crate::ids::EntryId>,
    pub entry: CaseEntry,
}

impl CaseDocument {
    /// The bytes that get sealed.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("documents always serialise")
    }

    /// A document from opened bytes, of schema 1 (upgraded) or 2. A document is a JSON
    /// object, as [`CaseDocument::to_bytes`] writes it (a top-level array is refused).
    /// One of the current schema, which is nearly all of them, is parsed in one pass
    /// (the key holder's page parses 10 000); any other is parsed again once its schema
    /// is read.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, crate::ErrorCode> {
        #[derive(Deserialize)]
        struct Probe {
            schema: u32,
        }
        if bytes.first() != Some(&b'{') {
            return Err(crate::ErrorCode::RecordUnreadable);
        }
        if let Ok(doc) = serde_json::from_slice::<CaseDocument>(bytes) {
            if doc.schema == DOCUMENT_SCHEMA {
                return Ok(doc);
            }
        }
        let probe: Probe = serde_json::from_slice(bytes).map_err(|_| crate::ErrorCode::RecordUnreadable)?;
        match probe.schema {
            v1::SCHEMA => {
                let v1 = v1::Document::from_bytes(bytes)?;
                let v1::Record::Intake(intake) = v1.record;
                Ok(CaseDocument {
                    schema: v1::SCHEMA,
                    case: v1.case,
                    created_at: v1.created_at,
                    author: v1.author,
                    supersedes: None,
                    entry: CaseEntry::Intake(intake.into()),
                })
            }
            // The current schema did not parse above; a schema this version does not know.
            _ => Err(crate::ErrorCode::RecordUnreadable),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Date, Region};

    #[test]
    fn a_schema_1_record_still_opens_as_the_full_intake() {
        let v1 = crate::fixtures::schema_1_document(crate::fixtures::schema_1_intake());
        let doc = CaseDocument::from_bytes(&v1.to_bytes()).unwrap();
        let CaseEntry::Intake(i) = doc.entry else { panic!("not an intake") };
        assert_eq!((i.family_name.as_str(), i.address.region), ("Karimova", Some(Region::UzSamarkand)));
        assert_eq!(doc.case, v1.case);
    }

    #[test]
    fn a_schema_2_entry_round_trips_and_a_schema_1_reader_refuses_it() {
        let mut e = consent::ConsentEntry::new(consent::ConsentKind::Given);
        e.date = Date::new(2026, 11, 23);
        let doc = CaseDocument {
            schema: DOCUMENT_SCHEMA,
            case: CaseId::random(),
            created_at: "2026-11-23T10:00:00Z".into(),
            author: "cw".into(),
            supersedes: None,
            entry: CaseEntry::Consent(e),
        };
        let bytes = doc.to_bytes();
        assert_eq!(CaseDocument::from_bytes(&bytes).unwrap(), doc);
        assert_eq!(v1::Document::from_bytes(&bytes), Err(crate::ErrorCode::RecordUnreadable));
        assert_eq!(CaseDocument::from_bytes(br#"{"schema":3}"#), Err(crate::ErrorCode::RecordUnreadable));
        assert_eq!(CaseDocument::from_bytes(br#"{"schema":2"#), Err(crate::ErrorCode::RecordUnreadable), "cut short");
        // The same fields as an array, which serde would read as the struct: not a document.
        let array = serde_json::json!([doc.schema, doc.case, doc.created_at, doc.author, doc.supersedes, doc.entry]);
        let array = serde_json::to_vec(&array).unwrap();
        assert_eq!(CaseDocument::from_bytes(&array), Err(crate::ErrorCode::RecordUnreadable), "a top-level array");
    }
}
