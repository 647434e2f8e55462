//! The rules of the full forms, field by field: what the form runs on every keystroke
//! and on save, and what the sealing path runs again before anything is sealed.
//!
//! Every problem names its field by a path (`household[2].document.number`) that the
//! form turns into an anchor, and carries a [`FieldProblem`] whose message is the
//! catalog key `problem-{code}`; [`field_label_key`] names the field for the error
//! summary. Hidden fields (skip logic) are not checked: the form clears them before
//! saving ([`super::intake::FamilyIntake::prune_hidden`]). "Today" is passed in: this
//! crate reads no clock.

use super::address::{district_is_listed, Address};
use super::consent::{ConsentEntry, ConsentKind, ConsentState, Signature, MAX_RETENTION_YEARS};
use super::followup::{Closure, FollowUp};
use super::household::{Member, PersonalNumberKind, Relation};
use super::intake::FamilyIntake;
use crate::record::Date;
use crate::validate::{self, FieldError, FieldProblem, MAX_NAME_CHARS, MAX_TEXT_CHARS};

/// Most members one household lists.
pub const MAX_MEMBERS: usize = 30;
/// Most phone numbers one address lists.
pub const MAX_PHONES: usize = 5;
/// Most rows of any other repeat group (contacts, services, referrals, goals, needs…).
pub const MAX_ROWS: usize = 100;
/// Longest document number, in characters.
pub const MAX_DOCUMENT_CHARS: usize = 32;

/// The catalog key naming a field in the error summary: indices dropped, dots become
/// hyphens (`household[2].document.number` → `field-household-document-number`).
pub fn field_label_key(path: &str) -> String {
    let mut key = String::from("field-");
    let mut depth = 0;
    for c in path.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ if depth > 0 => {}
            '.' => key.push('-'),
            c => key.push(c),
        }
    }
    key
}

/// Collects problems in form order.
#[derive(Default)]
struct Problems(Vec<FieldError>);

impl Problems {
    fn add(&mut self, field: impl Into<String>, problem: FieldProblem) {
        self.0.push(FieldError { field: field.into(), problem });
    }

    fn check(&mut self, field: impl Into<String>, result: Result<(), FieldProblem>) {
        if let Err(p) = result {
            self.add(field, p);
        }
    }

    fn text(&mut self, field: impl Into<String>, value: &str, max: usize, required: bool) {
        if required && value.trim().is_empty() {
            self.add(field, FieldProblem::Required);
        } else if value.chars().count() > max {
            self.add(field, FieldProblem::TooLong);
        }
    }

    fn required<T>(&mut self, field: impl Into<String>, value: &Option<T>) -> bool {
        if value.is_none() {
            self.add(field, FieldProblem::Required);
        }
        value.is_some()
    }

    /// A date that must be given and not be later than `today`.
    fn past_date(&mut self, field: impl Into<String>, value: Option<Date>, today: Date) {
        let field = field.into();
        if self.required(field.clone(), &value) {
            self.check(field, validate::not_in_future(value.expect("checked"), today));
        }
    }

    fn rows(&mut self, field: &str, count: usize, max: usize, required: bool) {
        if required && count == 0 {
            self.add(field, FieldProblem::Required);
        } else if count > max {
            self.add(field, FieldProblem::TooMany);
        }
    }
}

fn address(p: &mut Problems, a: &Address) {
    p.required("address.country", &a.country);
    p.required("address.region", &a.region);
    if district_is_listed(a.region) {
        p.required("address.district", &a.district);
    } else {
        p.text("address.district_text", &a.district_text, MAX_NAME_CHARS, false);
    }
    p.text("address.mahalla", &a.mahalla, MAX_NAME_CHARS, true);
    p.text("address.street", &a.street, MAX_NAME_CHARS, false);
    p.rows("address.phones", a.phones.len(), MAX_PHONES, false);
    let mut seen = Vec::new();
    for (i, raw) in a.phones.iter().enumerate().take(MAX_PHONES) {
        let field = format!("address.phones[{i}]");
        if raw.trim().is_empty() {
            p.add(field, FieldProblem::Required);
            continue;
        }
        match validate::phone(raw) {
            Ok(n) if seen.contains(&n) => p.add(field, FieldProblem::Duplicate),
            Ok(n) => seen.push(n),
            Err(e) => p.add(field, e),
        }
    }
    p.text("address.housing_note", &a.housing_note, MAX_TEXT_CHARS, false);
}

/// Checks a member (at `path`, e.g. `household[2]`) as of the date `on`.
fn member(p: &mut Problems, path: &str, m: &Member, on: Date) {
    p.text(format!("{path}.full_name"), &m.full_name, MAX_NAME_CHARS, true);
    let dob_field = format!("{path}.date_of_birth");
    if p.required(dob_field.clone(), &m.date_of_birth) {
        p.check(dob_field, validate::birth_date(m.date_of_birth.expect("checked"), on));
    }
    p.required(format!("{path}.sex"), &m.sex);
    p.required(format!("{path}.relation"), &m.relation);
    p.required(format!("{path}.citizenship"), &m.citizenship);
    if m.shows_document_number() {
        p.text(format!("{path}.document.number"), &m.document.number, MAX_DOCUMENT_CHARS, false);
    }
    personal_number(
        p,
        &format!("{path}.document.personal_number"),
        m.shows_personal_number(),
        &m.document.personal_number,
        m.date_of_birth,
        m.sex,
    );
    if m.shows_disability_group() {
        p.required(format!("{path}.disability_group"), &m.disability_group);
    }
    p.text(format!("{path}.health_notes"), &m.health_notes, MAX_TEXT_CHARS, false);
    p.required(format!("{path}.residence"), &m.residence);
    if m.shows_residence_note() {
        p.text(format!("{path}.residence_note"), &m.residence_note, MAX_NAME_CHARS, false);
    }
}

/// A PINFL or IIN, when the field shows and something is typed (a family may not have
/// the document at hand; the number is then left empty, not made up).
fn personal_number(
    p: &mut Problems,
    field: &str,
    kind: Option<PersonalNumberKind>,
    value: &str,
    dob: Option<Date>,
    sex: Option<super::household::Sex>,
) {
    if value.trim().is_empty() {
        return;
    }
    let result = match kind {
        Some(PersonalNumberKind::Pinfl) => validate::pinfl(value, dob, sex).map(|_| ()),
        Some(PersonalNumberKind::Iin) => validate::iin(value, dob, sex).map(|_| ()),
        None => Ok(()),
    };
    p.check(field, result);
}

/// Every problem with a family intake, in form order; empty when it may be saved.
pub fn intake(f: &FamilyIntake, today: Date) -> Vec<FieldError> {
    let mut p = Problems::default();
    basis(&mut p, f, today);
    p.past_date("meta.date", f.meta.date, today);
    let on = super::form_day(f.meta.date, today);
    p.text("meta.caseworker", &f.meta.caseworker, MAX_NAME_CHARS, true);
    p.text("meta.office", &f.meta.office, MAX_NAME_CHARS, true);
    p.required("meta.channel", &f.meta.channel);
    p.required("meta.referral_source", &f.meta.referral_source);
    if f.meta.shows_referral_note() {
        p.text("meta.referral_note", &f.meta.referral_note, MAX_NAME_CHARS, true);
    }
    p.text("family_name", &f.family_name, MAX_NAME_CHARS, true);
    address(&mut p, &f.address);

    p.rows("household", f.household.len(), MAX_MEMBERS, true);
    let mut heads = 0;
    for (i, m) in f.household.iter().enumerate().take(MAX_MEMBERS) {
        member(&mut p, &format!("household[{i}]"), m, on);
        if m.relation == Some(Relation::Head) {
            heads += 1;
            if heads > 1 {
                p.add(format!("household[{i}].relation"), FieldProblem::OneHeadOnly);
            }
        }
    }

    p.rows("children_at_risk", f.children_at_risk.len(), MAX_MEMBERS, true);
    for (i, c) in f.children_at_risk.iter().enumerate().take(MAX_MEMBERS) {
        let path = format!("children_at_risk[{i}]");
        match f.member(c.member) {
            None => p.add(format!("{path}.member"), FieldProblem::UnknownMember),
            Some(_) if f.children_at_risk[..i].iter().any(|o| o.member == c.member) => {
                p.add(format!("{path}.member"), FieldProblem::Duplicate)
            }
            Some(m) if m.date_of_birth.is_some() && !m.is_child_on(on) => {
                p.add(format!("{path}.member"), FieldProblem::NotAChild)
            }
            Some(_) => {}
        }
        p.required(format!("{path}.separation_risk"), &c.separation_risk);
        p.required(format!("{path}.care_arrangement"), &c.care_arrangement);
        p.required(format!("{path}.school_attendance"), &c.school_attendance);
        p.text(format!("{path}.notes"), &c.notes, MAX_TEXT_CHARS, false);
    }

    if f.risk.factors.is_empty() {
        p.add("risk.factors", FieldProblem::Required);
    }
    if f.risk.shows_other() {
        p.text("risk.other", &f.risk.other, MAX_NAME_CHARS, true);
    }
    p.text("risk.notes", &f.risk.notes, MAX_TEXT_CHARS, false);
    p.required("risk.level", &f.risk.level);

    p.rows("needs", f.needs.len(), MAX_ROWS, false);
    for (i, n) in f.needs.iter().enumerate().take(MAX_ROWS) {
        if f.needs[..i].iter().any(|o| o.service == n.service) {
            p.add(format!("needs[{i}].service"), FieldProblem::Duplicate);
        }
        p.text(format!("needs[{i}].note"), &n.note, MAX_NAME_CHARS, false);
    }
    p.text("assessment", &f.assessment, MAX_TEXT_CHARS, true);
    p.0
}

/// The lawful basis comes first: a ground is chosen; a ground other than consent has
/// its reason; consent has the day of the case's consent to case work (the app fills
/// it from the case). Special-category answers while the basis does not open them are
/// refused where they are (the form never shows them; a caller that did not prune
/// gets told).
fn basis(p: &mut Problems, f: &FamilyIntake, today: Date) {
    use super::basis::LawfulGround;
    let b = &f.basis;
    if p.required("basis.ground", &b.ground) {
        if b.shows_reason() {
            p.text("basis.reason", &b.reason, MAX_TEXT_CHARS, true);
        } else if b.ground == Some(LawfulGround::Consent) {
            match b.consent_of {
                None => p.add("basis.ground", FieldProblem::ConsentFirst),
                Some(d) if d > today => p.add("basis.ground", FieldProblem::DateInFuture),
                Some(_) => {}
            }
        }
    }
    if !b.opens_special_data() && f.holds_special_data() {
        for (i, m) in f.household.iter().enumerate().take(MAX_MEMBERS) {
            if m.disability || m.disability_group.is_some() || !m.health_notes.trim().is_empty() {
                p.add(format!("household[{i}].health_notes"), FieldProblem::SpecialDataClosed);
            }
        }
        if f.risk.factors.iter().any(|r| super::basis::is_special_risk(*r)) {
            p.add("risk.factors", FieldProblem::SpecialDataClosed);
        }
        if !f.risk.notes.trim().is_empty() {
            p.add("risk.notes", FieldProblem::SpecialDataClosed);
        }
    }
}

/// An intake resting on consent, checked against the case's consent state: consent to
/// case work must stand on the intake's day.
fn basis_against(p: &mut Problems, f: &FamilyIntake, today: Date, state: &ConsentState) {
    if f.basis.ground == Some(super::basis::LawfulGround::Consent) {
        let on = super::form_day(f.meta.date, today);
        if state.allows(super::consent::Permission::CaseWork, on).is_err() {
            p.add("basis.ground", FieldProblem::ConsentFirst);
        }
    }
}

/// Organisation settings a consent form is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConsentRules {
    /// Age from which a child's assent is asked (default 7).
    pub assent_age: i32,
}

impl Default for ConsentRules {
    fn default() -> Self {
        Self { assent_age: super::consent::DEFAULT_ASSENT_AGE }
    }
}

fn signature(p: &mut Problems, e: &ConsentEntry, required_problem: FieldProblem) {
    match &e.signature {
        None => p.add("signature", required_problem),
        Some(Signature::Drawn { strokes }) => {
            if strokes.decode().is_err() {
                p.add("signature", FieldProblem::SignatureInvalid);
            }
        }
        Some(Signature::OnPaper { scan: None }) => p.add("signature.scan", FieldProblem::ScanRequired),
        Some(Signature::OnPaper { scan: Some(s) }) => {
            if s.size > super::attachment::MAX_ATTACHMENT_BYTES {
                p.add("signature.scan", FieldProblem::FileTooLarge);
            }
        }
    }
}

/// Every problem with a consent entry (given, renewed or withdrawn), in form order.
pub fn consent(e: &ConsentEntry, today: Date, rules: ConsentRules) -> Vec<FieldError> {
    let mut p = Problems::default();
    p.past_date("date", e.date, today);
    let on = super::form_day(e.date, today);
    p.text("place", &e.place, MAX_NAME_CHARS, true);
    p.text("operator.name", &e.operator.name, MAX_NAME_CHARS, true);
    if p.required("operator.country", &e.operator.country) {
        p.check(
            "operator.tax_number",
            validate::tax_number(&e.operator.tax_number, e.operator.country.expect("checked")).map(|_| ()),
        );
    }
    p.text("operator.complaints_contact", &e.operator.complaints_contact, MAX_NAME_CHARS, true);
    p.required("consenter.role", &e.consenter.role);
    p.text("consenter.full_name", &e.consenter.full_name, MAX_NAME_CHARS, true);
    if e.shows_terms() {
        p.required("consenter.document.kind", &e.consenter.document.kind);
        p.text("consenter.document.number", &e.consenter.document.number, MAX_DOCUMENT_CHARS, true);
        let kind = super::household::personal_number_for(e.consenter.citizenship);
        personal_number(
            &mut p,
            "consenter.document.personal_number",
            kind,
            &e.consenter.document.personal_number,
            None,
            None,
        );
    }
    p.text("witness", &e.witness, MAX_NAME_CHARS, true);

    p.rows("children", e.children.len(), MAX_MEMBERS, false);
    for (i, c) in e.children.iter().enumerate().take(MAX_MEMBERS) {
        let path = format!("children[{i}]");
        p.text(format!("{path}.full_name"), &c.full_name, MAX_NAME_CHARS, true);
        if p.required(format!("{path}.date_of_birth"), &c.date_of_birth) {
            p.check(format!("{path}.date_of_birth"), validate::birth_date(c.date_of_birth.expect("checked"), on));
        }
        if c.is_asked(on, rules.assent_age) {
            p.required(format!("{path}.assent"), &c.assent);
        }
    }

    if e.shows_withdrawal() {
        p.required("withdrawal_form", &e.withdrawal_form);
        if !e.withdraw_all && !e.decisions.iter().any(|d| d.granted == Some(false)) {
            p.add("decisions", FieldProblem::Required);
        }
        if e.withdrawal_form == Some(super::consent::WithdrawalForm::Written) {
            signature(&mut p, e, FieldProblem::Required);
        }
    } else {
        let asked = super::consent::Permission::for_country(e.operator.country);
        for (i, d) in e.decisions.iter().enumerate() {
            if !asked.contains(&d.permission) {
                // Another country's local body: not on the form, pruned before sealing.
                continue;
            }
            if d.granted.is_none() {
                p.add(format!("decisions[{i}]"), FieldProblem::Required);
            } else if e.decisions[..i].iter().any(|o| o.permission == d.permission) {
                p.add(format!("decisions[{i}]"), FieldProblem::Duplicate);
            }
            if d.needs_organisation() && d.organisation.trim().is_empty() {
                p.add(format!("decisions[{i}].organisation"), FieldProblem::OrganisationRequired);
            } else if d.shows_organisation() {
                p.text(format!("decisions[{i}].organisation"), &d.organisation, MAX_NAME_CHARS, false);
            }
        }
        for perm in super::consent::Permission::for_country(e.operator.country) {
            if !e.decisions.iter().any(|d| d.permission == perm) {
                p.add("decisions", FieldProblem::Required);
                break;
            }
        }
        if e.data_categories.is_empty() {
            p.add("data_categories", FieldProblem::Required);
        }
        match e.retention_years {
            None => p.add("retention_years", FieldProblem::Required),
            Some(y) if y == 0 || y > MAX_RETENTION_YEARS => p.add("retention_years", FieldProblem::RetentionInvalid),
            Some(_) => {}
        }
        match e.expires_on {
            None => p.add("expires_on", FieldProblem::Required),
            Some(x) if x <= on => p.add("expires_on", FieldProblem::DateBeforeStart),
            Some(_) => {}
        }
        let missing = if e.covers_special_data() { FieldProblem::SignatureRequired } else { FieldProblem::Required };
        signature(&mut p, e, missing);
    }
    p.text("notes", &e.notes, MAX_TEXT_CHARS, false);
    p.0
}

/// Every problem with a follow-up. With the case's consent state, a referral to a party
/// the family has not allowed (or has withdrawn) is a problem on that referral; the
/// reason is [`ConsentState::allows`]'s.
pub fn follow_up(f: &FollowUp, today: Date, consent: Option<&ConsentState>) -> Vec<FieldError> {
    let mut p = Problems::default();
    p.past_date("date", f.date, today);
    p.rows("contacts", f.contacts.len(), MAX_ROWS, false);
    for (i, c) in f.contacts.iter().enumerate().take(MAX_ROWS) {
        p.past_date(format!("contacts[{i}].date"), c.date, today);
        p.required(format!("contacts[{i}].channel"), &c.channel);
        p.text(format!("contacts[{i}].with_whom"), &c.with_whom, MAX_NAME_CHARS, false);
        p.text(format!("contacts[{i}].notes"), &c.notes, MAX_TEXT_CHARS, false);
    }
    p.rows("services", f.services.len(), MAX_ROWS, false);
    for (i, s) in f.services.iter().enumerate().take(MAX_ROWS) {
        p.required(format!("services[{i}].service"), &s.service);
        p.past_date(format!("services[{i}].date"), s.date, today);
        p.text(format!("services[{i}].provider"), &s.provider, MAX_NAME_CHARS, true);
        p.text(format!("services[{i}].notes"), &s.notes, MAX_TEXT_CHARS, false);
    }
    p.rows("referrals", f.referrals.len(), MAX_ROWS, false);
    for (i, r) in f.referrals.iter().enumerate().take(MAX_ROWS) {
        let path = format!("referrals[{i}]");
        if p.required(format!("{path}.party"), &r.party) {
            if let Some(state) = consent {
                let perm = super::consent::Permission::Sharing(r.party.expect("checked"));
                if state.allows(perm, super::form_day(r.date, today)).is_err() {
                    p.add(format!("{path}.party"), FieldProblem::ConsentMissing);
                }
            }
        }
        p.text(format!("{path}.organisation"), &r.organisation, MAX_NAME_CHARS, true);
        p.required(format!("{path}.service"), &r.service);
        p.past_date(format!("{path}.date"), r.date, today);
        p.required(format!("{path}.status"), &r.status);
        p.text(format!("{path}.notes"), &r.notes, MAX_TEXT_CHARS, false);
    }
    p.rows("goals", f.goals.len(), MAX_ROWS, false);
    for (i, g) in f.goals.iter().enumerate().take(MAX_ROWS) {
        p.text(format!("goals[{i}].goal"), &g.goal, MAX_NAME_CHARS, true);
        p.required(format!("goals[{i}].status"), &g.status);
        p.text(format!("goals[{i}].notes"), &g.notes, MAX_TEXT_CHARS, false);
    }
    if f.contacts.is_empty() && f.services.is_empty() && f.referrals.is_empty() && f.goals.is_empty() {
        p.add("contacts", FieldProblem::Required);
    }
    p.text("notes", &f.notes, MAX_TEXT_CHARS, false);
    p.0
}

/// Every problem with a closure. A transfer names the party it goes to, and with the
/// case's consent state a transfer to a party the family has not allowed (or has
/// withdrawn) is refused there, as a referral is.
pub fn closure(c: &Closure, today: Date, consent: Option<&ConsentState>) -> Vec<FieldError> {
    let mut p = Problems::default();
    p.past_date("date", c.date, today);
    p.required("outcome", &c.outcome);
    if c.shows_transferred_to() && p.required("transferred_to", &c.transferred_to) {
        if let Some(state) = consent {
            let perm = super::consent::Permission::Sharing(c.transferred_to.expect("checked"));
            if state.allows(perm, super::form_day(c.date, today)).is_err() {
                p.add("transferred_to", FieldProblem::ConsentMissing);
            }
        }
    }
    if c.shows_outcome_note() {
        p.text("outcome_note", &c.outcome_note, MAX_NAME_CHARS, true);
    }
    if c.shows_children_returned() && c.children_returned == 0 {
        p.add("children_returned", FieldProblem::Required);
    }
    p.text("notes", &c.notes, MAX_TEXT_CHARS, false);
    p.0
}

/// Every problem with one entry of a case, whatever its kind: what a save checks before
/// sealing (the page shows the same problems field by field while typing). A follow-up
/// and an intake resting on consent are checked against the case's consent state when
/// the caller knows it.
pub fn entry(e: &super::CaseEntry, today: Date, rules: ConsentRules, state: Option<&ConsentState>) -> Vec<FieldError> {
    match e {
        super::CaseEntry::Intake(f) => {
            let mut p = Problems(intake(f, today));
            if let Some(state) = state {
                basis_against(&mut p, f, today, state);
            }
            p.0
        }
        super::CaseEntry::Consent(c) => consent(c, today, rules),
        super::CaseEntry::FollowUp(f) => follow_up(f, today, state),
        super::CaseEntry::Closure(c) => closure(c, today, state),
    }
}

mod paths;
pub use paths::every_field_path;

#[cfg(test)]
mod tests;
