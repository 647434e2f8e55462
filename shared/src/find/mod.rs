//! Finding a case among the ones a key holder opened: what a case is searched by
//! ([`CaseFacts`], folded once from its entries) and whether it matches a [`Query`].
//!
//! Pure and in memory: the adviser's page builds the facts from entries it decrypted
//! and keeps them only while the key is loaded; nothing here is stored or sent.
//!
//! Matching is case-insensitive and script-blind ([`fold`]: "Каримова", "KARIMOVA"
//! and "karimova" find the same family); document numbers are compared without
//! spaces and dashes ([`compact`]). Options (region, risk factor, service, consent state,
//! status) are compared by code, never by label, so a filter works in every language.
//!
//! Also here: the CSV row of a case ([`cases_csv`]): codes and labels side by side.

use std::collections::HashSet;

mod fold;
pub use fold::{compact, fold};

use crate::authorship::AuthorStatus;
use crate::csv::Csv;
use crate::forms::address::District;
use crate::forms::codes::Code;
use crate::forms::consent::{ConsentEntry, ConsentState, Permission, RefusalReason};
use crate::forms::followup::{Closure, ClosureOutcome};
use crate::forms::intake::{FamilyIntake, RiskLevel, Service};
use crate::forms::{CaseDocument, CaseEntry};
use crate::ids::{CaseId, EntryId};
use crate::record::{Date, Region, RiskFactor};

/// Where a case's consent to case work stands today (the consent filter's options).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConsentStatus {
    Granted,
    NotAsked,
    Refused,
    Withdrawn,
    Expired,
}

impl ConsentStatus {
    pub const ALL: &'static [ConsentStatus] = &[
        ConsentStatus::Granted,
        ConsentStatus::NotAsked,
        ConsentStatus::Refused,
        ConsentStatus::Withdrawn,
        ConsentStatus::Expired,
    ];

    /// The code a filter and the CSV carry.
    pub fn code(self) -> &'static str {
        match self {
            ConsentStatus::Granted => "granted",
            ConsentStatus::NotAsked => "not_asked",
            ConsentStatus::Refused => "refused",
            ConsentStatus::Withdrawn => "withdrawn",
            ConsentStatus::Expired => "expired",
        }
    }

    /// The catalog key of its label.
    pub fn label_key(self) -> String {
        format!("find-consent-{}", self.code())
    }

    /// From a filter's code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| s.code() == code)
    }

    /// The standing of case work (the permission every other one needs) on `today`.
    pub fn of(state: &ConsentState, today: Date) -> Self {
        match state.allows(Permission::CaseWork, today) {
            Ok(()) => ConsentStatus::Granted,
            Err(r) => match r.reason {
                RefusalReason::NotAsked => ConsentStatus::NotAsked,
                RefusalReason::Refused => ConsentStatus::Refused,
                RefusalReason::Withdrawn => ConsentStatus::Withdrawn,
                RefusalReason::Expired => ConsentStatus::Expired,
            },
        }
    }
}

/// Whether a case is still worked on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CaseStatus {
    Open,
    Closed,
}

impl CaseStatus {
    pub const ALL: &'static [CaseStatus] = &[CaseStatus::Open, CaseStatus::Closed];

    pub fn code(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::Closed => "closed",
        }
    }

    pub fn label_key(self) -> String {
        format!("find-status-{}", self.code())
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| s.code() == code)
    }
}

/// A person of the household as the search sees them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    /// Under 18 on the intake date, or listed as a child at risk.
    pub child: bool,
    folded: String,
}

/// What a case is found by, folded once from its entries (superseded ones left out).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseFacts {
    pub case: CaseId,
    pub family_name: String,
    pub people: Vec<Person>,
    /// Document numbers and personal numbers (PINFL / IIN) as typed.
    pub documents: Vec<String>,
    pub region: Option<Region>,
    pub district: Option<District>,
    /// The district as typed where the region has no list, or the mahalla.
    pub place: Vec<String>,
    pub risk_factors: Vec<RiskFactor>,
    pub risk_level: Option<RiskLevel>,
    /// Needed, delivered, referred to or planned.
    pub services: Vec<Service>,
    pub consent: ConsentStatus,
    pub status: CaseStatus,
    pub intake_date: Option<Date>,
    pub closure_date: Option<Date>,
    pub outcome: Option<ClosureOutcome>,
    /// How the authorship of the case's entries reads, each status once, in
    /// [`AuthorStatus::all`] order (the reader sets it: `of` sees only the counted
    /// entries, so it starts empty). Exported as the `author_status` column.
    pub author_status: Vec<AuthorStatus>,
    family_folded: String,
    documents_compact: Vec<String>,
    place_folded: Vec<String>,
}

/// The entries of a case that count: those no later entry supersedes.
pub fn current<'a>(docs: &[(EntryId, &'a CaseDocument)]) -> Vec<&'a CaseDocument> {
    let superseded: HashSet<EntryId> = docs.iter().filter_map(|(_, d)| d.supersedes).collect();
    docs.iter().filter(|(id, _)| !superseded.contains(id)).map(|(_, d)| *d).collect()
}

/// The case's latest intake (by the time it was saved).
pub fn latest_intake<'a>(docs: &[&'a CaseDocument]) -> Option<&'a FamilyIntake> {
    docs.iter()
        .filter_map(|d| match &d.entry {
            CaseEntry::Intake(f) => Some((d.created_at.as_str(), f)),
            _ => None,
        })
        .max_by(|a, b| a.0.cmp(b.0))
        .map(|(_, f)| f)
}

/// The case's latest closure, if it is closed.
pub fn latest_closure<'a>(docs: &[&'a CaseDocument]) -> Option<&'a Closure> {
    docs.iter()
        .filter_map(|d| match &d.entry {
            CaseEntry::Closure(c) => Some((d.created_at.as_str(), c)),
            _ => None,
        })
        .max_by(|a, b| a.0.cmp(b.0))
        .map(|(_, c)| c)
}

/// The consent state folded from the case's consent entries.
pub fn consent_state(docs: &[&CaseDocument]) -> ConsentState {
    let mut entries: Vec<(&str, &ConsentEntry)> = docs
        .iter()
        .filter_map(|d| match &d.entry {
            CaseEntry::Consent(e) => Some((d.created_at.as_str(), e)),
            _ => None,
        })
        .collect();
    // Same-date entries fold in the order they were saved.
    entries.sort_by(|a, b| a.0.cmp(b.0));
    ConsentState::from_entries(entries.into_iter().map(|(_, e)| e))
}

fn push_unique<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if !v.contains(&x) {
        v.push(x);
    }
}

impl CaseFacts {
    /// The facts of one case from its opened entries; `today` decides consent expiry
    /// and, for an intake without a date, who is a child.
    pub fn of(case: CaseId, docs: &[(EntryId, &CaseDocument)], today: Date) -> Self {
        let docs = current(docs);
        let intake = latest_intake(&docs);
        let closure = latest_closure(&docs);
        let mut facts = CaseFacts {
            case,
            family_name: String::new(),
            people: Vec::new(),
            documents: Vec::new(),
            region: None,
            district: None,
            place: Vec::new(),
            risk_factors: Vec::new(),
            risk_level: None,
            services: Vec::new(),
            consent: ConsentStatus::of(&consent_state(&docs), today),
            status: if closure.is_some() { CaseStatus::Closed } else { CaseStatus::Open },
            intake_date: None,
            closure_date: closure.and_then(|c| c.date),
            outcome: closure.and_then(|c| c.outcome),
            author_status: Vec::new(),
            family_folded: String::new(),
            documents_compact: Vec::new(),
            place_folded: Vec::new(),
        };
        if let Some(f) = intake {
            facts.family_name = f.family_name.trim().to_owned();
            facts.intake_date = f.meta.date;
            let on = crate::forms::form_day(f.meta.date, today);
            for m in &f.household {
                let at_risk = f.children_at_risk.iter().any(|c| c.member == m.key);
                let name = m.full_name.trim();
                if !name.is_empty() {
                    facts.people.push(Person {
                        name: name.to_owned(),
                        child: at_risk || m.is_child_on(on),
                        folded: fold(name),
                    });
                }
                for n in [&m.document.number, &m.document.personal_number] {
                    if !n.trim().is_empty() {
                        push_unique(&mut facts.documents, n.trim().to_owned());
                    }
                }
            }
            facts.region = f.address.region;
            facts.district = f.address.district;
            for p in [&f.address.district_text, &f.address.mahalla] {
                if !p.trim().is_empty() {
                    facts.place.push(p.trim().to_owned());
                }
            }
            facts.risk_factors = f.risk.factors.clone();
            facts.risk_level = f.risk.level;
            for n in &f.needs {
                push_unique(&mut facts.services, n.service);
            }
        }
        for d in &docs {
            if let CaseEntry::FollowUp(u) = &d.entry {
                let planned = u.goals.iter().filter_map(|g| g.service);
                let given = u.services.iter().filter_map(|s| s.service);
                for s in given.chain(u.referrals.iter().filter_map(|r| r.service)).chain(planned) {
                    push_unique(&mut facts.services, s);
                }
            }
        }
        facts.family_folded = fold(&facts.family_name);
        facts.documents_compact = facts.documents.iter().map(|d| compact(d)).collect();
        facts.place_folded = facts.place.iter().map(|p| fold(p)).collect();
        facts
    }

    /// The children's names.
    pub fn children(&self) -> impl Iterator<Item = &str> {
        self.people.iter().filter(|p| p.child).map(|p| p.name.as_str())
    }

    fn any_name(&self, needle: &str, children_only: bool) -> bool {
        self.people.iter().any(|p| (p.child || !children_only) && p.folded.contains(needle))
    }

    fn document(&self, needle: &str) -> bool {
        !needle.is_empty() && self.documents_compact.iter().any(|d| d.contains(needle))
    }

    /// Whether one word of the search box is anywhere in the case.
    fn has_word(&self, word: &str) -> bool {
        self.family_folded.contains(word)
            || self.any_name(word, false)
            || self.document(&compact(word))
            || self.place_folded.iter().any(|p| p.contains(word))
            || self.case.to_string().starts_with(word)
    }
}

/// What the adviser asked for: the search box and the filters (empty: any).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    /// The search box: every word must be found in the family name, a member's name, a
    /// document number, the district or mahalla, or the case id's start.
    pub text: String,
    pub family_name: String,
    pub child_name: String,
    pub document: String,
    pub region: Option<Region>,
    pub risk_factor: Option<RiskFactor>,
    pub service: Option<Service>,
    pub consent: Option<ConsentStatus>,
    pub status: Option<CaseStatus>,
}

impl Query {
    /// Whether the case matches every part of the query.
    pub fn matches(&self, f: &CaseFacts) -> bool {
        let text = fold(&self.text);
        let whole = compact(&self.text);
        let words_ok = text.split_whitespace().all(|w| f.has_word(w)) || f.document(&whole);
        let family = fold(self.family_name.trim());
        let child = fold(self.child_name.trim());
        let document = compact(&self.document);
        words_ok
            && f.family_folded.contains(&family)
            && (child.is_empty() || f.any_name(&child, true))
            && (document.is_empty() || f.document(&document))
            && self.region.is_none_or(|r| f.region == Some(r))
            && self.risk_factor.is_none_or(|r| f.risk_factors.contains(&r))
            && self.service.is_none_or(|s| f.services.contains(&s))
            && self.consent.is_none_or(|c| f.consent == c)
            && self.status.is_none_or(|s| f.status == s)
    }
}

/// Most cases one CSV export holds (a larger selection is refused by the page).
pub const MAX_EXPORT_CASES: usize = 10_000;

/// The columns of [`cases_csv`]: each one's label key, and whether a code column
/// precedes its label column.
pub const CASE_COLUMNS: &[(&str, bool)] = &[
    ("export-col-case", false),
    ("export-col-family_name", false),
    ("export-col-region", true),
    ("export-col-district", true),
    ("export-col-place", false),
    ("export-col-members", false),
    ("export-col-children", false),
    ("export-col-documents", false),
    ("export-col-risk_factors", true),
    ("export-col-risk_level", true),
    ("export-col-services", true),
    ("export-col-consent", true),
    ("export-col-status", true),
    ("export-col-intake_date", false),
    ("export-col-closure_date", false),
    ("export-col-outcome", true),
    ("export-col-author_status", true),
];

/// The selected cases as CSV: a header row, then one row per case. Coded answers are
/// written twice, the code (stable, for analysis) and its label in the adviser's
/// language; `tr` gives a catalog message, `code_header` names a code column
/// ("Region (code)"). Several values in one cell are joined with "; ".
pub fn cases_csv(cases: &[&CaseFacts], tr: &dyn Fn(&str) -> String, code_header: &dyn Fn(&str) -> String) -> String {
    let mut csv = Csv::new();
    for (key, coded) in CASE_COLUMNS {
        let label = tr(key);
        if *coded {
            csv.text(&code_header(&label));
        }
        csv.text(&label);
    }
    csv.end_row();
    let join = |v: Vec<String>| v.join("; ");
    let codes = |keys: Vec<(&str, String)>, csv: &mut Csv| {
        csv.text(&join(keys.iter().map(|(c, _)| (*c).to_owned()).collect()));
        csv.text(&join(keys.iter().map(|(_, k)| tr(k)).collect()));
    };
    fn one<C: Code>(c: Option<C>) -> Vec<(&'static str, String)> {
        c.map(|c| (c.code(), c.label_key())).into_iter().collect()
    }
    let date = |d: Option<Date>| d.map(Date::display).unwrap_or_default();
    for f in cases {
        csv.text(&f.case.to_string()).text(&f.family_name);
        codes(one(f.region), &mut csv);
        codes(one(f.district), &mut csv);
        csv.text(&join(f.place.clone()));
        csv.text(&join(f.people.iter().map(|p| p.name.clone()).collect()));
        csv.text(&join(f.children().map(str::to_owned).collect()));
        csv.text(&join(f.documents.clone()));
        codes(f.risk_factors.iter().map(|r| (r.code(), Code::label_key(*r))).collect(), &mut csv);
        codes(one(f.risk_level), &mut csv);
        codes(f.services.iter().map(|s| (s.code(), Code::label_key(*s))).collect(), &mut csv);
        codes(vec![(f.consent.code(), f.consent.label_key())], &mut csv);
        codes(vec![(f.status.code(), f.status.label_key())], &mut csv);
        csv.text(&date(f.intake_date)).text(&date(f.closure_date));
        codes(one(f.outcome), &mut csv);
        codes(f.author_status.iter().map(|a| (a.code(), a.label_key().to_owned())).collect(), &mut csv);
        csv.end_row();
    }
    csv.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::consent::{ConsentEntry, ConsentKind};
    use crate::forms::followup::{FollowUp, ServiceDelivered};
    use crate::forms::household::Relation;
    use crate::forms::intake::{ChildAtRisk, Need, Priority};

    fn d(y: u16, m: u8, day: u8) -> Date {
        Date::new(y, m, day).unwrap()
    }

    fn doc(case: CaseId, at: &str, entry: CaseEntry) -> CaseDocument {
        CaseDocument { schema: 2, case, created_at: at.into(), author: "cw".into(), supersedes: None, entry }
    }

    /// The Karimov family of Samarkand: a mother, a son of 10 at risk, a daughter of 4;
    /// consent to case work given; a psychologist's visit delivered.
    fn karimov(case: CaseId) -> Vec<CaseDocument> {
        let mut f = FamilyIntake { family_name: "Каримова".into(), ..FamilyIntake::default() };
        f.meta.date = Some(d(2026, 3, 2));
        f.address.region = Some(Region::UzSamarkand);
        f.address.district = Some(District::SaUrgut);
        f.address.mahalla = "Oʻzbekiston".into();
        let mother = f.add_member();
        let son = f.add_member();
        f.add_member();
        let _ = mother;
        f.household[0].full_name = "Дилноза Каримова".into();
        f.household[0].date_of_birth = Some(d(1990, 1, 5));
        f.household[0].document.number = "AD 123 4567".into();
        f.household[0].document.personal_number = "31234567890123".into();
        f.household[1].full_name = "Азиз Каримов".into();
        f.household[1].relation = Some(Relation::Child);
        f.household[1].date_of_birth = Some(d(2016, 3, 1));
        f.household[2].full_name = "Malika".into();
        f.household[2].date_of_birth = Some(d(2022, 5, 1));
        f.children_at_risk.push(ChildAtRisk { member: son, ..ChildAtRisk::default() });
        f.risk.factors = vec![RiskFactor::LabourMigration, RiskFactor::LowIncome];
        f.needs.push(Need { service: Service::Legal, priority: Priority::High, note: String::new() });
        let mut c = ConsentEntry::new(ConsentKind::Given);
        c.date = Some(d(2026, 3, 2));
        c.set(Permission::CaseWork, Some(true));
        let u = FollowUp {
            date: Some(d(2026, 4, 1)),
            services: vec![ServiceDelivered {
                service: Some(Service::Psychological),
                date: Some(d(2026, 4, 1)),
                ..Default::default()
            }],
            ..FollowUp::default()
        };
        vec![
            doc(case, "2026-03-02T09:00:00Z", CaseEntry::Intake(f)),
            doc(case, "2026-03-02T09:30:00Z", CaseEntry::Consent(c)),
            doc(case, "2026-04-01T09:00:00Z", CaseEntry::FollowUp(u)),
        ]
    }

    fn facts(case: CaseId, docs: &[CaseDocument]) -> CaseFacts {
        let ids: Vec<(EntryId, &CaseDocument)> = docs.iter().map(|d| (EntryId::of(&d.to_bytes()), d)).collect();
        CaseFacts::of(case, &ids, d(2026, 11, 23))
    }

    fn q(f: impl FnOnce(&mut Query)) -> Query {
        let mut q = Query::default();
        f(&mut q);
        q
    }

    #[test]
    fn a_name_is_found_in_either_script_and_any_case() {
        let case = CaseId::random();
        let f = facts(case, &karimov(case));
        for text in ["karimova", "КАРИМОВА", "Каримов", "aziz", "Азиз", "malika", "МАЛИКА", "ozbekiston"]
        {
            assert!(q(|q| q.text = text.into()).matches(&f), "{text}");
        }
        assert!(q(|q| q.text = "aziz karimov".into()).matches(&f), "every word, anywhere");
        assert!(!q(|q| q.text = "aziz rustam".into()).matches(&f));
        assert!(!q(|q| q.text = "Rustam".into()).matches(&f));
    }

    #[test]
    fn a_child_name_filter_finds_only_children_and_a_family_name_filter_only_the_family() {
        let case = CaseId::random();
        let f = facts(case, &karimov(case));
        assert_eq!(f.children().collect::<Vec<_>>(), ["Азиз Каримов", "Malika"]);
        assert!(q(|q| q.child_name = "Aziz".into()).matches(&f));
        assert!(q(|q| q.child_name = "малика".into()).matches(&f));
        assert!(!q(|q| q.child_name = "Dilnoza".into()).matches(&f), "the mother is not a child");
        assert!(q(|q| q.family_name = "karimova".into()).matches(&f));
        assert!(!q(|q| q.family_name = "Aziz".into()).matches(&f), "a member's name is not the family name");
    }

    #[test]
    fn a_document_number_is_found_however_it_is_spaced() {
        let case = CaseId::random();
        let f = facts(case, &karimov(case));
        for n in ["AD1234567", "ad 123-4567", "31234567890123", "3123 4567 8901 23"] {
            assert!(q(|q| q.document = n.into()).matches(&f), "{n}");
            assert!(q(|q| q.text = n.into()).matches(&f), "search box: {n}");
        }
        assert!(!q(|q| q.document = "AD7654321".into()).matches(&f));
    }

    #[test]
    fn options_are_matched_by_code() {
        let case = CaseId::random();
        let mut docs = karimov(case);
        let f = facts(case, &docs);
        assert!(q(|q| q.region = Some(Region::UzSamarkand)).matches(&f));
        assert!(!q(|q| q.region = Some(Region::UzKhorezm)).matches(&f));
        assert!(q(|q| q.risk_factor = Some(RiskFactor::LowIncome)).matches(&f));
        assert!(!q(|q| q.risk_factor = Some(RiskFactor::DomesticViolence)).matches(&f));
        assert!(q(|q| q.service = Some(Service::Legal)).matches(&f), "a need");
        assert!(q(|q| q.service = Some(Service::Psychological)).matches(&f), "a delivered service");
        assert!(!q(|q| q.service = Some(Service::DayCare)).matches(&f));
        assert!(q(|q| q.consent = Some(ConsentStatus::Granted)).matches(&f));
        assert!(q(|q| q.status = Some(CaseStatus::Open)).matches(&f));

        let mut w = ConsentEntry::new(ConsentKind::Withdrawn);
        w.date = Some(d(2026, 5, 1));
        w.withdraw_all = true;
        docs.push(doc(case, "2026-05-01T09:00:00Z", CaseEntry::Consent(w)));
        docs.push(doc(case, "2026-06-01T09:00:00Z", CaseEntry::Closure(Closure::default())));
        let f = facts(case, &docs);
        assert_eq!((f.consent, f.status), (ConsentStatus::Withdrawn, CaseStatus::Closed));
        assert!(!q(|q| q.consent = Some(ConsentStatus::Granted)).matches(&f));
        assert!(q(|q| q.status = Some(CaseStatus::Closed)).matches(&f));
    }

    #[test]
    fn a_superseded_intake_is_not_searched() {
        let case = CaseId::random();
        let docs = karimov(case);
        let old_id = EntryId::of(&docs[0].to_bytes());
        let CaseEntry::Intake(mut corrected) = docs[0].entry.clone() else { panic!() };
        corrected.family_name = "Rahimova".into();
        let mut fix = doc(case, "2026-03-01T00:00:00Z", CaseEntry::Intake(corrected));
        fix.supersedes = Some(old_id);
        let mut all = docs.clone();
        all.push(fix);
        let f = facts(case, &all);
        assert_eq!(f.family_name, "Rahimova", "the correction counts even though saved with an earlier time");
        assert!(!q(|q| q.family_name = "Karimova".into()).matches(&f));
    }

    #[test]
    fn the_cases_csv_has_codes_beside_labels_and_guards_formulas() {
        let case = CaseId::random();
        let mut docs = karimov(case);
        if let CaseEntry::Intake(f) = &mut docs[0].entry {
            f.family_name = "=cmd|' /C calc'!A0".into();
        }
        let mut f = facts(case, &docs);
        f.author_status = vec![AuthorStatus::Verified, AuthorStatus::Forged];
        let tr = |k: &str| format!("<{k}>");
        let csv = cases_csv(&[&f], &tr, &|l| format!("{l} (code)"));
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert!(lines[0]
            .starts_with("<export-col-case>,<export-col-family_name>,<export-col-region> (code),<export-col-region>,"));
        let row = lines[1];
        assert!(
            row.starts_with(&format!(
                "{case},'=cmd|' /C calc'!A0,uz-sa,<region-uz-sa>,uz-sa-urgut,<district-uz-sa-urgut>,"
            )),
            "{row}"
        );
        // Several values share a cell joined by "; ", so the cell is quoted: spreadsheets
        // in the ru, uz and kk locales split CSV on `;`.
        assert!(
            row.contains("\"labour_migration; low_income\",\"<risk-labour_migration>; <risk-low_income>\""),
            "{row}"
        );
        assert!(row.contains(",granted,<find-consent-granted>,open,<find-status-open>,02.03.2026,,,"), "{row}");
        assert!(lines[0].ends_with(",<export-col-author_status> (code),<export-col-author_status>"), "{}", lines[0]);
        assert!(row.ends_with(",\"verified; forged\",\"<author-verified>; <author-forged>\""), "{row}");
        assert_eq!(lines.len(), 3, "header, one case, and the final line end");
    }
}
