//! The organisation's settings: the operator's legal details a consent form names (name,
//! country, tax number, address, complaints contact), the retention period a consent
//! offers by default, and the age from which a child's own assent is asked, signed
//! with the organisation key like the keyring ([`crate::keyring`]).
//!
//! The relay serves the settings but cannot change them: `amanat settings sign` signs
//! them on the administrator's offline computer, `amanat settings install` puts them on
//! the relay, and the app checks them against the organisation key it pins before the
//! consent form shows them. A [`VerifiedSettings`] can only be had by checking the
//! signature *and* the rules (operator named, a tax number the country's format
//! accepts, retention and assent age in range), so code that fills a consent cannot
//! forget either. No I/O here.

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use crate::forms::consent::{Operator, DEFAULT_ASSENT_AGE, MAX_RETENTION_YEARS};
use crate::keyring::{OrgPublicKey, OrgSigningKey};
use crate::validate::{self, FieldError, FieldProblem, MAX_NAME_CHARS};

/// Largest settings document accepted, in bytes.
pub const MAX_SETTINGS_BYTES: usize = 16 * 1024;
/// Youngest assent age an organisation may set.
pub const MIN_ASSENT_AGE: u8 = 5;
/// Oldest assent age an organisation may set (from 18 a person consents for themself).
pub const MAX_ASSENT_AGE: u8 = 17;
/// The first line of the signed bytes: what is signed, and in which layout.
pub const HEADER: &str = "amanat settings v1";

/// The settings as served: the facts, who signed them and the signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSettings {
    /// Increases with every signed change; the relay and the app refuse a lower one.
    pub version: u64,
    /// The organisation's name, as in its keyring.
    pub organisation: String,
    /// Unix seconds when they were signed (signed).
    pub issued_at: u64,
    /// The operator a consent form names, as the law asks.
    pub operator: Operator,
    /// The retention period a new consent offers, in years.
    pub retention_years: u8,
    /// Age from which a child's own assent is asked.
    #[serde(default = "default_assent_age")]
    pub assent_age: u8,
    /// The organisation public key that signed (`amanat-org-v1:…`).
    pub signed_by: String,
    /// Base64 Ed25519 signature over [`OrgSettings::signed_bytes`].
    pub signature: String,
}

fn default_assent_age() -> u8 {
    DEFAULT_ASSENT_AGE as u8
}

/// What is signed: the settings without `signed_by` and `signature` (what
/// `amanat settings sign` reads from its TOML file).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsFacts {
    #[serde(default = "one")]
    pub version: u64,
    pub organisation: String,
    /// Filled from the signing computer's clock when absent.
    #[serde(default)]
    pub issued_at: u64,
    pub operator: Operator,
    pub retention_years: u8,
    #[serde(default = "default_assent_age")]
    pub assent_age: u8,
}

fn one() -> u64 {
    1
}

impl OrgSettings {
    /// The exact bytes the organisation signs: a header, then one line per fact, strings
    /// JSON-quoted (so no value can forge a line break).
    pub fn signed_bytes(f: &SettingsFacts) -> Vec<u8> {
        let q = |s: &str| serde_json::to_string(s).expect("strings serialise");
        let o = &f.operator;
        format!(
            "{HEADER}\nversion {}\norganisation {}\nissued_at {}\noperator_name {}\noperator_country {}\n\
             operator_tax_number {}\noperator_address {}\noperator_complaints_contact {}\n\
             retention_years {}\nassent_age {}\n",
            f.version,
            q(&f.organisation),
            f.issued_at,
            q(&o.name),
            q(o.country.map_or("", |c| c.code())),
            q(&o.tax_number),
            q(&o.address),
            q(&o.complaints_contact),
            f.retention_years,
            f.assent_age,
        )
        .into_bytes()
    }

    /// Signs `facts` with the organisation key.
    pub fn sign(facts: SettingsFacts, key: &OrgSigningKey) -> Self {
        let signature = key.sign_b64(&Self::signed_bytes(&facts));
        let SettingsFacts { version, organisation, issued_at, operator, retention_years, assent_age } = facts;
        OrgSettings {
            version,
            organisation,
            issued_at,
            operator,
            retention_years,
            assent_age,
            signed_by: key.public().to_string(),
            signature,
        }
    }

    /// The signed facts.
    pub fn facts(&self) -> SettingsFacts {
        SettingsFacts {
            version: self.version,
            organisation: self.organisation.clone(),
            issued_at: self.issued_at,
            operator: self.operator.clone(),
            retention_years: self.retention_years,
            assent_age: self.assent_age,
        }
    }

    /// Parses a settings document (JSON), refusing oversize input.
    pub fn from_json(bytes: &[u8]) -> Result<Self, ErrorCode> {
        if bytes.len() > MAX_SETTINGS_BYTES {
            return Err(ErrorCode::SettingsMalformed);
        }
        serde_json::from_slice(bytes).map_err(|_| ErrorCode::SettingsMalformed)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("settings serialise")
    }

    /// Checks only that `key` signed exactly these settings (not the rules).
    pub fn check_signature(&self, key: &OrgPublicKey) -> Result<(), ErrorCode> {
        let signer: OrgPublicKey = self.signed_by.parse().map_err(|_| ErrorCode::SettingsMalformed)?;
        if signer != *key {
            return Err(ErrorCode::SettingsWrongSigner);
        }
        if key.verify_b64(&Self::signed_bytes(&self.facts()), &self.signature) {
            Ok(())
        } else {
            Err(ErrorCode::SettingsBadSignature)
        }
    }

    /// Every rule the settings break, by field path (`operator.tax_number`): an
    /// operator without a name, country or complaints contact, a tax number the
    /// country does not use (STIR: 9 digits; BIN: 12 with its check digit), a
    /// retention period outside 1..=[`MAX_RETENTION_YEARS`], an assent age outside
    /// [`MIN_ASSENT_AGE`]..=[`MAX_ASSENT_AGE`], text too long for a form.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        let mut add = |field: &str, problem| out.push(FieldError { field: field.to_owned(), problem });
        let o = &self.operator;
        for (field, value, required) in [
            ("organisation", &self.organisation, false),
            ("operator.name", &o.name, true),
            ("operator.address", &o.address, false),
            ("operator.complaints_contact", &o.complaints_contact, true),
        ] {
            if required && value.trim().is_empty() {
                add(field, FieldProblem::Required);
            } else if value.chars().count() > MAX_NAME_CHARS {
                add(field, FieldProblem::TooLong);
            }
        }
        match o.country {
            None => add("operator.country", FieldProblem::Required),
            Some(country) => {
                if let Err(p) = validate::tax_number(&o.tax_number, country) {
                    add("operator.tax_number", p);
                }
            }
        }
        if !(1..=MAX_RETENTION_YEARS).contains(&self.retention_years) {
            add("retention_years", FieldProblem::RetentionInvalid);
        }
        if !(MIN_ASSENT_AGE..=MAX_ASSENT_AGE).contains(&self.assent_age) {
            add("assent_age", FieldProblem::AssentAgeInvalid);
        }
        out
    }

    /// Checks the signature against the pinned organisation key, then the rules
    /// ([`OrgSettings::problems`]; the first broken one is `SettingsInvalid`).
    pub fn verify(&self, pinned: &OrgPublicKey) -> Result<VerifiedSettings, ErrorCode> {
        self.check_signature(pinned)?;
        if !self.problems().is_empty() {
            return Err(ErrorCode::SettingsInvalid);
        }
        Ok(VerifiedSettings(self.clone()))
    }
}

/// Settings whose signature verified against the pinned organisation key and which
/// keep every rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedSettings(OrgSettings);

impl VerifiedSettings {
    pub fn settings(&self) -> &OrgSettings {
        &self.0
    }

    pub fn version(&self) -> u64 {
        self.0.version
    }

    /// The operator a consent form names (and seals).
    pub fn operator(&self) -> &Operator {
        &self.0.operator
    }

    /// Age from which a child's assent is asked, as `forms::check::ConsentRules` and
    /// `ConsentEntry::prune_hidden` take it.
    pub fn assent_age(&self) -> i32 {
        i32::from(self.0.assent_age)
    }

    pub fn retention_years(&self) -> u8 {
        self.0.retention_years
    }

    /// Whether these may replace settings of version `floor` already accepted: never a
    /// lower version (a relay replaying old settings).
    pub fn not_older_than(self, floor: u64) -> Result<Self, ErrorCode> {
        if self.version() < floor {
            Err(ErrorCode::SettingsRollback)
        } else {
            Ok(self)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::address::Country;

    fn facts() -> SettingsFacts {
        SettingsFacts {
            version: 3,
            organisation: "SOS Children's Villages Uzbekistan".into(),
            issued_at: 1_796_083_200,
            operator: Operator {
                name: "SOS Bolalar Mahallalari".into(),
                country: Some(Country::Uzbekistan),
                tax_number: "201 234 567".into(),
                address: "Toshkent, Yunusobod".into(),
                complaints_contact: "+998 71 200 00 00".into(),
            },
            retention_years: 5,
            assent_age: 7,
        }
    }

    #[test]
    fn signed_settings_verify_through_json_and_give_their_assent_age() {
        let org = OrgSigningKey::generate();
        let s = OrgSettings::sign(facts(), &org);
        let back = OrgSettings::from_json(s.to_json().as_bytes()).unwrap();
        let v = back.verify(&org.public()).unwrap();
        assert_eq!((v.version(), v.assent_age(), v.retention_years()), (3, 7, 5));
        assert_eq!(v.operator().name, "SOS Bolalar Mahallalari");
    }

    #[test]
    fn every_signed_field_is_covered_so_a_tampered_one_breaks_the_signature() {
        let org = OrgSigningKey::generate();
        let s = OrgSettings::sign(facts(), &org);
        let tampers: Vec<fn(&mut OrgSettings)> = vec![
            |s| s.version += 1,
            |s| s.organisation.push('!'),
            |s| s.issued_at += 1,
            |s| s.operator.name = "Relay Ltd".into(),
            |s| s.operator.country = Some(Country::Kazakhstan),
            |s| s.operator.tax_number = "301234567".into(),
            |s| s.operator.address.push('.'),
            |s| s.operator.complaints_contact = "relay@example.org".into(),
            |s| s.retention_years = 75,
            |s| s.assent_age = 12,
        ];
        for (i, tamper) in tampers.into_iter().enumerate() {
            let mut t = s.clone();
            tamper(&mut t);
            assert_eq!(t.verify(&org.public()).err(), Some(ErrorCode::SettingsBadSignature), "field {i}");
        }
    }

    #[test]
    fn settings_signed_by_another_key_are_refused_even_when_they_name_the_pinned_key() {
        let org = OrgSigningKey::generate();
        let other = OrgSigningKey::generate();
        let forged = OrgSettings::sign(facts(), &other);
        assert_eq!(forged.verify(&org.public()).err(), Some(ErrorCode::SettingsWrongSigner));
        let mut claims_ours = forged;
        claims_ours.signed_by = org.public().to_string();
        assert_eq!(claims_ours.verify(&org.public()).err(), Some(ErrorCode::SettingsBadSignature));
    }

    #[test]
    fn a_tax_number_the_country_does_not_use_is_refused_naming_the_field() {
        let org = OrgSigningKey::generate();
        let mut f = facts();
        f.operator.tax_number = "20123456".into(); // 8 digits: not a STIR
        let s = OrgSettings::sign(f.clone(), &org);
        assert_eq!(
            s.problems(),
            vec![FieldError { field: "operator.tax_number".into(), problem: FieldProblem::TaxNumberFormat }]
        );
        assert_eq!(s.verify(&org.public()).err(), Some(ErrorCode::SettingsInvalid));
        // A Kazakh BIN needs 12 digits and its check digit; a STIR is not one.
        f.operator.country = Some(Country::Kazakhstan);
        f.operator.tax_number = "201234567".into();
        assert_eq!(OrgSettings::sign(f.clone(), &org).problems()[0].field, "operator.tax_number");
        f.operator.tax_number = "900101400122".into();
        assert!(OrgSettings::sign(f, &org).verify(&org.public()).is_ok());
    }

    #[test]
    fn the_rules_bound_retention_and_assent_age_and_ask_for_an_operator() {
        let org = OrgSigningKey::generate();
        let mut f = facts();
        f.operator.name = " ".into();
        f.operator.country = None;
        f.retention_years = 0;
        f.assent_age = 4;
        let fields: Vec<String> = OrgSettings::sign(f.clone(), &org).problems().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["operator.name", "operator.country", "retention_years", "assent_age"]);
        f = facts();
        (f.retention_years, f.assent_age) = (MAX_RETENTION_YEARS, MAX_ASSENT_AGE);
        assert!(OrgSettings::sign(f.clone(), &org).problems().is_empty());
        f.assent_age = 18;
        assert_eq!(OrgSettings::sign(f, &org).problems()[0].problem, FieldProblem::AssentAgeInvalid);
    }

    #[test]
    fn oversize_or_malformed_documents_and_older_versions_are_refused() {
        assert_eq!(OrgSettings::from_json(b"{\"version\":1}").err(), Some(ErrorCode::SettingsMalformed));
        let big = vec![b' '; MAX_SETTINGS_BYTES + 1];
        assert_eq!(OrgSettings::from_json(&big).err(), Some(ErrorCode::SettingsMalformed));
        let org = OrgSigningKey::generate();
        let v = OrgSettings::sign(facts(), &org).verify(&org.public()).unwrap();
        assert!(v.clone().not_older_than(3).is_ok());
        assert_eq!(v.not_older_than(4).err(), Some(ErrorCode::SettingsRollback));
    }

    #[test]
    fn the_signed_bytes_are_one_quoted_line_per_fact() {
        let text = String::from_utf8(OrgSettings::signed_bytes(&facts())).unwrap();
        assert!(text.starts_with("amanat settings v1\nversion 3\norganisation \"SOS"));
        assert!(text.contains("\noperator_country \"uz\"\n"));
        assert_eq!(text.lines().count(), 11);
    }
}
