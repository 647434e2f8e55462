//! Informed consent: who consents, the child's assent, a separate yes/no per purpose and
//! per sharing party, retention, the rights text, and the signature.
//!
//! Consent is never edited. A renewal or a withdrawal is a later [`ConsentEntry`] of the
//! case; [`ConsentState::from_entries`] folds a case's entries into the current state,
//! and [`ConsentState::allows`] answers "may we do X now?" with the reason when not
//! (never asked, refused, withdrawn on a date, expired on a date). Sharing with a party
//! needs both the party's own permission and consent to case work: withdrawing case
//! work stops every sharing too.

use serde::{Deserialize, Serialize};

use super::address::Country;
use super::attachment::AttachmentRef;
use super::codes::code_list;
use super::household::{document_types_for, personal_number_for, IdDocument, MemberKey, Relation};
use super::intake::FamilyIntake;
use super::signature::Strokes;
use crate::record::Date;

mod state;
pub use state::{ConsentState, Refusal, RefusalReason, Standing};

/// Age from which a child's own assent is sought, unless the organisation sets another.
pub const DEFAULT_ASSENT_AGE: i32 = 7;
/// Longest retention period a consent may name, in years.
pub const MAX_RETENTION_YEARS: u8 = 75;
/// The catalog message holding the family's rights (see what is held, correct it,
/// withdraw at any time, orally or in writing; where to complain).
pub const RIGHTS_TEXT_KEY: &str = "consent-rights-text";
/// The version of the rights text; bumped when its wording changes in any catalog.
pub const RIGHTS_TEXT_VERSION: u32 = 1;

code_list! {
    /// Who gives consent for the family.
    ConsenterRole = "consenter_role" {
        Parent = "parent",
        LegalGuardian = "legal_guardian",
    }
}

code_list! {
    /// What the family's data may be used for; each one is a separate yes/no.
    Purpose = "purpose" {
        /// Collection and processing of personal data for case work.
        CaseWork = "case_work",
        /// Disclosure to a named party (one decision per [`SharingParty`]).
        Sharing = "sharing",
        PhotosAudio = "photos_audio",
        /// Counting the family in anonymised figures for reports.
        AnonymisedReports = "anonymised_reports",
        CrossBorder = "cross_border",
        Public = "public",
    }
}

code_list! {
    /// Parties the family's data may be shared with, each consented separately.
    SharingParty = "party" {
        InteragencyTeam = "interagency_team",
        Mahalla = "mahalla",
        GuardianshipBody = "guardianship_body",
        School = "school",
        HealthFacility = "health_facility",
        InsonCentre = "inson_centre",
        /// Kazakhstan: the akimat (local executive body) of the district or rural
        /// okrug, where Uzbekistan has the mahalla.
        Akimat = "akimat",
        /// Kazakhstan: a family support centre, where Uzbekistan has "Inson" centres.
        FamilySupportCentre = "family_support_centre",
        /// Only where the law requires it.
        Police = "police",
        /// Another organisation, named on the consent ([`Decision::organisation`]).
        OtherNgo = "other_ngo",
    }
}

impl SharingParty {
    /// The parties a consent form asks about for an operator in `country`: each
    /// country's own local bodies, the rest everywhere; every party while no country
    /// is known.
    pub fn for_country(country: Option<Country>) -> Vec<SharingParty> {
        SharingParty::ALL
            .iter()
            .copied()
            .filter(|p| country.is_none() || p.only_in().is_none_or(|c| Some(c) == country))
            .collect()
    }

    /// The one country whose local body this party is (`None`: every country's).
    pub fn only_in(self) -> Option<Country> {
        match self {
            SharingParty::Mahalla | SharingParty::InsonCentre => Some(Country::Uzbekistan),
            SharingParty::Akimat | SharingParty::FamilySupportCentre => Some(Country::Kazakhstan),
            _ => None,
        }
    }
}

code_list! {
    /// Categories of personal data the consent covers (the law asks for the list).
    DataCategory = "data_category" {
        Identity = "identity",
        Contacts = "contacts",
        Household = "household",
        Documents = "documents",
        Education = "education",
        Employment = "employment",
        Income = "income",
        /// Special data: written or electronic consent required.
        Health = "health",
        /// Special data.
        PrivateLife = "private_life",
        /// Special data.
        Violence = "violence",
        Photos = "photos",
    }
}

code_list! {
    /// Whether an entry gives, renews or withdraws consent.
    ConsentKind = "consent_kind" {
        Given = "given",
        Renewed = "renewed",
        Withdrawn = "withdrawn",
    }
}

code_list! {
    /// A child's own answer. Only `Assents` is assent: not objecting is not assent.
    ChildAssent = "child_assent" {
        Assents = "assents",
        Declines = "declines",
        DidNotExpress = "did_not_express",
    }
}

code_list! {
    /// How a withdrawal was expressed.
    WithdrawalForm = "withdrawal_form" {
        Oral = "oral",
        Written = "written",
    }
}

/// Something a consent can allow: a purpose, or sharing with one party.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "purpose", content = "party", rename_all = "snake_case")]
pub enum Permission {
    CaseWork,
    Sharing(SharingParty),
    PhotosAudio,
    AnonymisedReports,
    CrossBorder,
    Public,
}

impl Permission {
    /// Every permission there is, in form order.
    pub fn all() -> Vec<Permission> {
        Self::for_country(None)
    }

    /// Every permission a consent form asks about for an operator in `country`, in
    /// form order ([`SharingParty::for_country`]).
    pub fn for_country(country: Option<Country>) -> Vec<Permission> {
        let mut v = vec![Permission::CaseWork];
        v.extend(SharingParty::for_country(country).into_iter().map(Permission::Sharing));
        v.extend([Permission::PhotosAudio, Permission::AnonymisedReports, Permission::CrossBorder, Permission::Public]);
        v
    }

    /// The purpose this permission belongs to.
    pub fn purpose(self) -> Purpose {
        match self {
            Permission::CaseWork => Purpose::CaseWork,
            Permission::Sharing(_) => Purpose::Sharing,
            Permission::PhotosAudio => Purpose::PhotosAudio,
            Permission::AnonymisedReports => Purpose::AnonymisedReports,
            Permission::CrossBorder => Purpose::CrossBorder,
            Permission::Public => Purpose::Public,
        }
    }

    /// The catalog key naming it (`purpose-case_work`, `party-school`).
    pub fn label_key(self) -> String {
        use super::codes::Code;
        match self {
            Permission::Sharing(p) => p.label_key(),
            other => other.purpose().label_key(),
        }
    }

    /// A path-safe name for field paths (`decisions.sharing.school`).
    pub fn field_name(self) -> String {
        match self {
            Permission::Sharing(p) => format!("sharing.{}", p.code()),
            other => other.purpose().code().to_owned(),
        }
    }
}

/// One yes/no of a consent entry. `granted: None` is not yet answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub permission: Permission,
    pub granted: Option<bool>,
    /// For sharing: the organisation the family names (required for "another
    /// organisation", optional for the others: which school, which clinic).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub organisation: String,
}

impl Decision {
    /// Skip logic: the organisation's name shows on a sharing decision answered yes.
    pub fn shows_organisation(&self) -> bool {
        matches!(self.permission, Permission::Sharing(_)) && self.granted == Some(true)
    }

    /// Whether the organisation must be named (sharing with "another organisation").
    pub fn needs_organisation(&self) -> bool {
        self.permission == Permission::Sharing(SharingParty::OtherNgo) && self.granted == Some(true)
    }
}

/// The person who consents for the family.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Consenter {
    pub role: Option<ConsenterRole>,
    pub full_name: String,
    pub citizenship: Option<super::household::Citizenship>,
    pub document: IdDocument,
    /// The household member who consents, when listed in the intake.
    pub member: Option<MemberKey>,
}

/// A child's assent, asked of each child from the assent age.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChildAssentEntry {
    pub member: Option<MemberKey>,
    pub full_name: String,
    pub date_of_birth: Option<Date>,
    pub assent: Option<ChildAssent>,
}

impl ChildAssentEntry {
    /// Skip logic: whether this child is asked for assent on `on`.
    pub fn is_asked(&self, on: Date, assent_age: i32) -> bool {
        assent_is_sought(self.date_of_birth, on, assent_age)
    }
}

/// Whether a child born on `dob` is asked for assent on `on` (from `assent_age`, under 18).
pub fn assent_is_sought(dob: Option<Date>, on: Date, assent_age: i32) -> bool {
    dob.filter(|d| *d <= on)
        .map(|d| d.years_until(on))
        .is_some_and(|age| age >= assent_age && age < crate::validate::ADULT_AGE)
}

/// The organisation that processes the data, as printed on the form (from its
/// settings, not typed on every form). The law asks for its name and tax number
/// (STIR in Uzbekistan, BIN in Kazakhstan).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Operator {
    pub name: String,
    pub country: Option<super::address::Country>,
    /// STIR (9 digits) or BIN (12 digits).
    pub tax_number: String,
    pub address: String,
    /// Where the family can complain.
    pub complaints_contact: String,
}

impl Operator {
    /// The catalog keys citing the laws a consent of this operator follows (Uzbekistan:
    /// ZRU-547 and Ministry of Justice order 3478; Kazakhstan: 94-V, art. 8), printed on
    /// the consent in the language shown; both while the country is not known.
    pub fn law_keys(&self) -> &'static [&'static str] {
        match self.country {
            Some(Country::Uzbekistan) => &["consent-law-uz"],
            Some(Country::Kazakhstan) => &["consent-law-kz"],
            None => &["consent-law-uz", "consent-law-kz"],
        }
    }
}

/// How the consenter signed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Signature {
    /// Drawn on the screen with finger, stylus or mouse.
    Drawn { strokes: Strokes },
    /// Signed on the printed form; the scan is attached (`None` until it is).
    OnPaper { scan: Option<AttachmentRef> },
}

/// One consent entry: a first consent, a renewal or a withdrawal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConsentEntry {
    pub kind: ConsentKind,
    pub date: Option<Date>,
    pub place: String,
    pub operator: Operator,
    pub consenter: Consenter,
    pub children: Vec<ChildAssentEntry>,
    /// The caseworker who witnessed it.
    pub witness: String,
    pub decisions: Vec<Decision>,
    pub data_categories: Vec<DataCategory>,
    pub retention_years: Option<u8>,
    /// The day from which the consent no longer holds.
    pub expires_on: Option<Date>,
    /// Which rights text was shown and in which language (`uz-Latn`…).
    pub rights_text_key: String,
    pub rights_text_version: u32,
    pub rights_text_locale: String,
    pub signature: Option<Signature>,
    /// For a withdrawal: how it was expressed.
    pub withdrawal_form: Option<WithdrawalForm>,
    /// For a withdrawal: every purpose at once.
    pub withdraw_all: bool,
    pub notes: String,
}

impl Default for ConsentEntry {
    fn default() -> Self {
        Self::new(ConsentKind::Given)
    }
}

impl ConsentEntry {
    /// A blank entry of `kind` with one unanswered decision per permission (none for a
    /// withdrawal, which lists only what it withdraws).
    pub fn new(kind: ConsentKind) -> Self {
        let decisions = if kind == ConsentKind::Withdrawn {
            Vec::new()
        } else {
            Permission::all()
                .into_iter()
                .map(|permission| Decision { permission, granted: None, organisation: String::new() })
                .collect()
        };
        Self {
            kind,
            date: None,
            place: String::new(),
            operator: Operator::default(),
            consenter: Consenter::default(),
            children: Vec::new(),
            witness: String::new(),
            decisions,
            data_categories: Vec::new(),
            retention_years: None,
            expires_on: None,
            rights_text_key: RIGHTS_TEXT_KEY.to_owned(),
            rights_text_version: RIGHTS_TEXT_VERSION,
            rights_text_locale: String::new(),
            signature: None,
            withdrawal_form: None,
            withdraw_all: false,
            notes: String::new(),
        }
    }

    /// Sets the answer for `permission` (adding the row if missing).
    pub fn set(&mut self, permission: Permission, granted: Option<bool>) {
        match self.decisions.iter_mut().find(|d| d.permission == permission) {
            Some(d) => d.granted = granted,
            None => self.decisions.push(Decision { permission, granted, organisation: String::new() }),
        }
    }

    /// The answer for `permission`.
    pub fn get(&self, permission: Permission) -> Option<bool> {
        self.decisions.iter().find(|d| d.permission == permission).and_then(|d| d.granted)
    }

    /// Whether the data categories include "special" data (health, private life,
    /// violence), for which the law requires written or electronic consent.
    pub fn covers_special_data(&self) -> bool {
        self.data_categories
            .iter()
            .any(|c| matches!(c, DataCategory::Health | DataCategory::PrivateLife | DataCategory::Violence))
    }

    /// Skip logic: the withdrawal fields show only on a withdrawal.
    pub fn shows_withdrawal(&self) -> bool {
        self.kind == ConsentKind::Withdrawn
    }

    /// Skip logic: retention, expiry, data categories and signature show on a consent
    /// given or renewed (a withdrawal needs none of them, but may be signed).
    pub fn shows_terms(&self) -> bool {
        self.kind != ConsentKind::Withdrawn
    }

    /// Changes the entry's kind. Between a consent and a withdrawal the decisions start
    /// afresh (a withdrawal lists what it withdraws, a consent answers everything);
    /// between "given" and "renewed" they stay.
    pub fn set_kind(&mut self, kind: ConsentKind) {
        if (kind == ConsentKind::Withdrawn) != (self.kind == ConsentKind::Withdrawn) {
            self.decisions = ConsentEntry::new(kind).decisions;
        }
        self.kind = kind;
    }

    /// Clears every answer the form no longer shows, so it is never sealed: a document
    /// type or personal number the citizenship does not have, a child's answer while
    /// the child is too young to be asked (on the form's day, [`super::form_day`]), the
    /// terms of a withdrawal, the signature of an oral withdrawal. `assent_age` is the
    /// organisation's (`shared::org_settings`), as `check::ConsentRules` takes it.
    pub fn prune_hidden(&mut self, today: Date, assent_age: i32) {
        let on = super::form_day(self.date, today);
        let c = &mut self.consenter;
        if c.document.kind.is_some_and(|k| !document_types_for(c.citizenship).contains(&k)) {
            c.document.kind = None;
        }
        if personal_number_for(c.citizenship).is_none() {
            c.document.personal_number.clear();
        }
        let asked = Permission::for_country(self.operator.country);
        self.decisions.retain(|d| asked.contains(&d.permission));
        for d in &mut self.decisions {
            if !d.shows_organisation() {
                d.organisation.clear();
            }
        }
        for child in &mut self.children {
            if !child.is_asked(on, assent_age) {
                child.assent = None;
            }
        }
        if self.shows_terms() {
            self.withdrawal_form = None;
            self.withdraw_all = false;
            return;
        }
        self.consenter.citizenship = None;
        self.consenter.document = Default::default();
        self.children.clear();
        self.data_categories.clear();
        self.retention_years = None;
        self.expires_on = None;
        // A withdrawal lists only what it withdraws; "all" needs no list.
        let all = self.withdraw_all;
        self.decisions.retain(|d| d.granted == Some(false) && !all);
        if self.withdrawal_form != Some(WithdrawalForm::Written) {
            self.signature = None;
        }
    }

    /// A renewal of `previous` dated `today`: the organisation, the consenter, the
    /// children (their assent asked again), the data covered and retention carried
    /// over; every purpose unanswered and no signature, since the family answers afresh.
    pub fn renewal_of(previous: &ConsentEntry, today: Date) -> ConsentEntry {
        let mut e = ConsentEntry::new(ConsentKind::Renewed);
        e.date = Some(today);
        e.place = previous.place.clone();
        e.operator = previous.operator.clone();
        e.consenter = previous.consenter.clone();
        e.children = previous.children.iter().map(|c| ChildAssentEntry { assent: None, ..c.clone() }).collect();
        e.data_categories = previous.data_categories.clone();
        e.retention_years = previous.retention_years;
        e
    }

    /// A withdrawal on behalf of the consenter of `previous`, dated `today`,
    /// withdrawing nothing yet (the form asks what).
    pub fn withdrawal_of(previous: &ConsentEntry, today: Date) -> ConsentEntry {
        let mut e = ConsentEntry::new(ConsentKind::Withdrawn);
        e.date = Some(today);
        e.place = previous.place.clone();
        e.operator = previous.operator.clone();
        e.consenter.role = previous.consenter.role;
        e.consenter.full_name = previous.consenter.full_name.clone();
        e.consenter.member = previous.consenter.member;
        e
    }

    /// Fills the children from the family's intake: every household member under 18
    /// on `on`, with name, date of birth and member key (the assent is asked, not
    /// copied), each once; and the consenter from the head of household when not yet
    /// named. The caseworker checks and corrects both on the form.
    pub fn prefill_from_intake(&mut self, intake: &FamilyIntake, on: Date) {
        for m in intake.children(on) {
            if !self.children.iter().any(|c| c.member == Some(m.key)) {
                self.children.push(ChildAssentEntry {
                    member: Some(m.key),
                    full_name: m.full_name.clone(),
                    date_of_birth: m.date_of_birth,
                    assent: None,
                });
            }
        }
        if self.consenter.full_name.trim().is_empty() {
            let head = intake.household.iter().find(|m| m.relation == Some(Relation::Head));
            if let Some(h) = head.filter(|h| !h.is_child_on(on)) {
                self.consenter.member = Some(h.key);
                self.consenter.full_name = h.full_name.clone();
                self.consenter.citizenship = h.citizenship;
                self.consenter.document = h.document.clone();
            }
        }
    }
}

#[cfg(test)]
mod tests;
