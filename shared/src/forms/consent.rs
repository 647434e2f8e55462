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
use std::collections::BTreeMap;

use super::attachment::AttachmentRef;
use super::codes::code_list;
use super::household::{IdDocument, MemberKey};
use super::signature::Strokes;
use crate::record::Date;

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
        /// Only where the law requires it.
        Police = "police",
        OtherNgo = "other_ngo",
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
    /// Every permission a consent form asks about, in form order.
    pub fn all() -> Vec<Permission> {
        let mut v = vec![Permission::CaseWork];
        v.extend(SharingParty::ALL.iter().map(|p| Permission::Sharing(*p)));
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
            Permission::all().into_iter().map(|permission| Decision { permission, granted: None }).collect()
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
            None => self.decisions.push(Decision { permission, granted }),
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
}

/// Where a permission stands now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Standing {
    Granted { since: Date, until: Option<Date> },
    Refused { on: Date },
    Withdrawn { on: Date },
}

/// Why an action is not allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalReason {
    /// No consent entry answers it.
    NotAsked,
    /// The family said no.
    Refused,
    /// The family withdrew it.
    Withdrawn,
    /// The consent that granted it expired.
    Expired,
}

/// The answer to "may we do this?" when it is no.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// What was asked for.
    pub permission: Permission,
    /// The permission that is missing (case work, when sharing is asked while case work
    /// is withdrawn).
    pub missing: Permission,
    pub reason: RefusalReason,
    /// When it was refused, withdrawn or expired.
    pub since: Option<Date>,
}

impl Refusal {
    /// The catalog message explaining it (args: `$permission` label, `$date` dd.mm.yyyy).
    pub fn message_key(&self) -> &'static str {
        match self.reason {
            RefusalReason::NotAsked => "consent-refusal-not_asked",
            RefusalReason::Refused => "consent-refusal-refused",
            RefusalReason::Withdrawn => "consent-refusal-withdrawn",
            RefusalReason::Expired => "consent-refusal-expired",
        }
    }
}

/// The current consent of a case, folded from its consent entries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConsentState {
    standing: BTreeMap<Permission, Standing>,
}

impl ConsentState {
    /// Folds a case's consent entries, oldest first by date (entries of the same date
    /// keep the order given, which is the case chain's order). Entries without a date
    /// are drafts and are ignored. Later answers replace earlier ones per permission;
    /// a withdrawal only withdraws (a "yes" inside a withdrawal grants nothing).
    pub fn from_entries<'a>(entries: impl IntoIterator<Item = &'a ConsentEntry>) -> Self {
        let mut dated: Vec<(Date, &ConsentEntry)> =
            entries.into_iter().filter_map(|e| e.date.map(|d| (d, e))).collect();
        dated.sort_by_key(|(d, _)| *d);
        let mut state = ConsentState::default();
        for (date, e) in dated {
            if e.kind == ConsentKind::Withdrawn {
                let withdrawn: Vec<Permission> = if e.withdraw_all {
                    state.standing.keys().copied().collect()
                } else {
                    e.decisions.iter().filter(|d| d.granted == Some(false)).map(|d| d.permission).collect()
                };
                for p in withdrawn {
                    if matches!(state.standing.get(&p), Some(Standing::Granted { .. })) {
                        state.standing.insert(p, Standing::Withdrawn { on: date });
                    }
                }
                continue;
            }
            for d in &e.decisions {
                let standing = match d.granted {
                    Some(true) => Standing::Granted { since: date, until: e.expires_on },
                    Some(false) => Standing::Refused { on: date },
                    None => continue,
                };
                state.standing.insert(d.permission, standing);
            }
        }
        state
    }

    /// Where `permission` stands (`None`: never asked).
    pub fn standing(&self, permission: Permission) -> Option<Standing> {
        self.standing.get(&permission).copied()
    }

    fn check_one(&self, asked: Permission, p: Permission, today: Date) -> Result<(), Refusal> {
        let refuse = |reason, since| Err(Refusal { permission: asked, missing: p, reason, since });
        match self.standing(p) {
            None => refuse(RefusalReason::NotAsked, None),
            Some(Standing::Refused { on }) => refuse(RefusalReason::Refused, Some(on)),
            Some(Standing::Withdrawn { on }) => refuse(RefusalReason::Withdrawn, Some(on)),
            Some(Standing::Granted { until: Some(end), .. }) if today >= end => {
                refuse(RefusalReason::Expired, Some(end))
            }
            Some(Standing::Granted { .. }) => Ok(()),
        }
    }

    /// Whether `permission` is allowed on `today`, and why not. Every purpose other
    /// than case work also needs case work to be allowed.
    pub fn allows(&self, permission: Permission, today: Date) -> Result<(), Refusal> {
        if permission != Permission::CaseWork {
            self.check_one(permission, Permission::CaseWork, today)?;
        }
        self.check_one(permission, permission, today)
    }

    /// Whether the family is counted in anonymised report figures.
    pub fn counts_in_reports(&self, today: Date) -> bool {
        self.allows(Permission::AnonymisedReports, today).is_ok()
    }

    /// Every permission with its standing, in form order (for the case's consent panel).
    pub fn summary(&self) -> Vec<(Permission, Option<Standing>)> {
        Permission::all().into_iter().map(|p| (p, self.standing(p))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: u16, m: u8, day: u8) -> Date {
        Date::new(y, m, day).unwrap()
    }

    fn given(on: Date) -> ConsentEntry {
        let mut e = ConsentEntry::new(ConsentKind::Given);
        e.date = Some(on);
        for p in Permission::all() {
            e.set(p, Some(true));
        }
        e.set(Permission::Sharing(SharingParty::Police), Some(false));
        e.expires_on = Some(d(2029, 1, 1));
        e
    }

    #[test]
    fn a_referral_to_a_party_the_family_refused_is_refused_with_the_reason() {
        let s = ConsentState::from_entries([&given(d(2026, 1, 10))]);
        let today = d(2026, 11, 23);
        assert_eq!(s.allows(Permission::Sharing(SharingParty::School), today), Ok(()));
        let r = s.allows(Permission::Sharing(SharingParty::Police), today).unwrap_err();
        assert_eq!((r.reason, r.since), (RefusalReason::Refused, Some(d(2026, 1, 10))));
        assert_eq!(r.message_key(), "consent-refusal-refused");
    }

    #[test]
    fn a_later_withdrawal_stops_the_purpose_from_its_date_and_says_so() {
        let mut w = ConsentEntry::new(ConsentKind::Withdrawn);
        w.date = Some(d(2026, 6, 1));
        w.set(Permission::PhotosAudio, Some(false));
        let s = ConsentState::from_entries([&w, &given(d(2026, 1, 10))]);
        let today = d(2026, 11, 23);
        let r = s.allows(Permission::PhotosAudio, today).unwrap_err();
        assert_eq!((r.reason, r.since), (RefusalReason::Withdrawn, Some(d(2026, 6, 1))));
        assert!(s.counts_in_reports(today), "other purposes stand");
    }

    #[test]
    fn withdrawing_case_work_or_everything_stops_every_sharing() {
        let today = d(2026, 11, 23);
        let mut w = ConsentEntry::new(ConsentKind::Withdrawn);
        w.date = Some(d(2026, 6, 1));
        w.set(Permission::CaseWork, Some(false));
        let s = ConsentState::from_entries([&given(d(2026, 1, 10)), &w]);
        let r = s.allows(Permission::Sharing(SharingParty::Mahalla), today).unwrap_err();
        assert_eq!((r.missing, r.reason), (Permission::CaseWork, RefusalReason::Withdrawn));

        let mut all = ConsentEntry::new(ConsentKind::Withdrawn);
        all.date = Some(d(2026, 6, 1));
        all.withdraw_all = true;
        let s = ConsentState::from_entries([&given(d(2026, 1, 10)), &all]);
        assert!(Permission::all().into_iter().all(|p| s.allows(p, today).is_err()));
        // The police sharing was refused, not withdrawn: the history stays true.
        assert_eq!(
            s.standing(Permission::Sharing(SharingParty::Police)),
            Some(Standing::Refused { on: d(2026, 1, 10) })
        );
    }

    #[test]
    fn a_withdrawal_grants_nothing_and_a_renewal_restores() {
        let today = d(2026, 11, 23);
        let mut w = ConsentEntry::new(ConsentKind::Withdrawn);
        w.date = Some(d(2026, 2, 1));
        w.set(Permission::Public, Some(false));
        w.set(Permission::Sharing(SharingParty::Police), Some(true));
        let mut renew = ConsentEntry::new(ConsentKind::Renewed);
        renew.date = Some(d(2026, 3, 1));
        renew.set(Permission::Public, Some(true));
        let s = ConsentState::from_entries([&given(d(2026, 1, 10)), &w]);
        assert!(s.allows(Permission::Sharing(SharingParty::Police), today).is_err());
        assert!(s.allows(Permission::Public, today).is_err());
        let s = ConsentState::from_entries([&given(d(2026, 1, 10)), &w, &renew]);
        assert_eq!(s.allows(Permission::Public, today), Ok(()));
    }

    #[test]
    fn consent_expires_on_its_expiry_date_and_unasked_purposes_are_not_allowed() {
        let s = ConsentState::from_entries([&given(d(2026, 1, 10))]);
        assert!(s.allows(Permission::CaseWork, d(2028, 12, 31)).is_ok());
        let r = s.allows(Permission::CaseWork, d(2029, 1, 1)).unwrap_err();
        assert_eq!((r.reason, r.since), (RefusalReason::Expired, Some(d(2029, 1, 1))));
        let none = ConsentState::from_entries([]);
        assert_eq!(none.allows(Permission::CaseWork, d(2026, 1, 1)).unwrap_err().reason, RefusalReason::NotAsked);
    }

    #[test]
    fn child_assent_is_sought_from_the_assent_age_until_adulthood() {
        let on = d(2026, 11, 23);
        assert!(!assent_is_sought(Some(d(2019, 11, 24)), on, DEFAULT_ASSENT_AGE));
        assert!(assent_is_sought(Some(d(2019, 11, 23)), on, DEFAULT_ASSENT_AGE));
        assert!(!assent_is_sought(Some(d(2008, 11, 23)), on, DEFAULT_ASSENT_AGE));
        assert!(!assent_is_sought(None, on, DEFAULT_ASSENT_AGE));
        assert!(assent_is_sought(Some(d(2021, 1, 1)), on, 5), "the age is configurable");
    }

    #[test]
    fn permissions_are_stored_as_codes() {
        let json = serde_json::to_string(&Decision {
            permission: Permission::Sharing(SharingParty::InsonCentre),
            granted: Some(true),
        })
        .unwrap();
        assert_eq!(json, r#"{"permission":{"purpose":"sharing","party":"inson_centre"},"granted":true}"#);
        let json = serde_json::to_string(&Permission::CaseWork).unwrap();
        assert_eq!(json, r#"{"purpose":"case_work"}"#);
    }
}
