//! Schema 1: the document the first app sealed, a [`Document`] holding a v1
//! [`Intake`] (family name, region, children, risk factors).
//!
//! **Read-only, for old records.** The app seals every entry as a
//! [`super::CaseDocument`] of [`super::DOCUMENT_SCHEMA`]; these types stay, unchanged,
//! only so that records sealed before the full forms still open:
//! [`super::CaseDocument::from_bytes`] reads one and upgrades its intake to a
//! [`super::intake::FamilyIntake`] (`From<Intake>`). Tests build them to have an old
//! record to read.

use serde::{Deserialize, Serialize};

use crate::ids::CaseId;
use crate::record::{Date, Region, RiskFactor};

/// The schema number a v1 [`Document`] carries (and its envelope said).
pub const SCHEMA: u32 = 1;

/// A child of the household.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Child {
    pub full_name: String,
    /// `None` while the form is incomplete; validation requires it.
    pub date_of_birth: Option<Date>,
}

/// The family intake (enrolment) form, version 1: what the first app stored (schema 1).
/// The full form is [`crate::forms::intake::FamilyIntake`]; `From<Intake>` upgrades one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intake {
    pub family_name: String,
    pub region: Option<Region>,
    pub children: Vec<Child>,
    pub risk_factors: Vec<RiskFactor>,
    /// Free-text caseworker assessment.
    #[serde(default)]
    pub assessment: String,
}

/// One kind of case entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    Intake(Intake),
}

impl Record {
    /// A short code for the kind of entry (shown in lists; never sent in clear).
    pub fn kind(&self) -> &'static str {
        match self {
            Record::Intake(_) => "intake",
        }
    }
}

/// What is sealed: a record with its context.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub schema: u32,
    pub case: CaseId,
    /// RFC 3339 time the caseworker saved it.
    pub created_at: String,
    /// The caseworker's account name.
    pub author: String,
    pub record: Record,
}

impl Document {
    /// The bytes that get sealed.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("documents always serialise")
    }

    /// A document from opened bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, crate::ErrorCode> {
        let doc: Document = serde_json::from_slice(bytes).map_err(|_| crate::ErrorCode::RecordUnreadable)?;
        if doc.schema > SCHEMA {
            return Err(crate::ErrorCode::RecordUnreadable);
        }
        Ok(doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_store_codes_not_labels() {
        let doc = crate::fixtures::schema_1_document(crate::fixtures::schema_1_intake());
        let json = String::from_utf8(doc.to_bytes()).unwrap();
        assert!(json.contains("\"uz-sa\"") && json.contains("\"low_income\""));
        assert!(json.contains("\"2016-03-01\""));
        assert_eq!(Document::from_bytes(json.as_bytes()).unwrap(), doc);
    }
}
