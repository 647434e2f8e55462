//! Stories of the form rules: what a caseworker sees when a field is wrong.

use super::*;
use crate::forms::address::{Country, District};
use crate::forms::consent::{ChildAssent, ChildAssentEntry, DataCategory, Permission, SharingParty, WithdrawalForm};
use crate::forms::followup::Referral;
use crate::forms::household::{Citizenship, DocumentType, Residence, Sex};
use crate::forms::intake::{
    CareArrangement, Channel, ChildAtRisk, ReferralSource, RiskLevel, SchoolAttendance, SeparationRisk,
};
use crate::forms::signature::Strokes;
use crate::record::{Region, RiskFactor};

fn today() -> Date {
    Date::new(2026, 11, 23).unwrap()
}

fn fields(errors: &[FieldError]) -> Vec<(&str, FieldProblem)> {
    errors.iter().map(|e| (e.field.as_str(), e.problem)).collect()
}

/// A complete intake: mother (head, KZ citizen with IIN) and a son of 11.
pub(crate) fn complete_intake() -> FamilyIntake {
    let mut f = FamilyIntake::default();
    f.basis.ground = Some(crate::forms::basis::LawfulGround::Consent);
    f.basis.consent_of = Date::new(2026, 11, 20);
    f.meta.date = Some(today());
    f.meta.caseworker = "Dilnoza".into();
    f.meta.office = "SOS social centre, Urgench".into();
    f.meta.channel = Some(Channel::HomeVisit);
    f.meta.referral_source = Some(ReferralSource::Mahalla);
    f.family_name = "Karimova".into();
    f.address = Address {
        country: Some(Country::Uzbekistan),
        region: Some(Region::UzKhorezm),
        district: Some(District::XoUrganchCity),
        mahalla: "Navbahor".into(),
        phones: vec!["+998 (90) 123-45-67".into()],
        ..Address::default()
    };
    let mother = f.add_member();
    let son = f.add_member();
    let m = &mut f.household[0];
    m.full_name = "Gulnara Karimova".into();
    m.date_of_birth = Date::new(1990, 1, 1);
    m.sex = Some(Sex::Female);
    m.relation = Some(Relation::Head);
    m.citizenship = Some(Citizenship::Kazakhstan);
    m.document.kind = Some(DocumentType::KzIdCard);
    m.document.number = "N01234567".into();
    m.document.personal_number = "900101 400122".into();
    m.residence = Some(Residence::InHousehold);
    let s = &mut f.household[1];
    s.full_name = "Aziz Karimov".into();
    s.date_of_birth = Date::new(2015, 3, 1);
    s.sex = Some(Sex::Male);
    s.relation = Some(Relation::Child);
    s.citizenship = Some(Citizenship::Uzbekistan);
    s.residence = Some(Residence::InHousehold);
    assert_ne!(mother, son);
    f.children_at_risk.push(ChildAtRisk {
        member: son,
        separation_risk: Some(SeparationRisk::High),
        care_arrangement: Some(CareArrangement::OneParent),
        school_attendance: Some(SchoolAttendance::Irregular),
        notes: String::new(),
    });
    f.risk.factors = vec![RiskFactor::SingleParent, RiskFactor::LowIncome];
    f.risk.level = Some(RiskLevel::High);
    f.toggle_need(crate::forms::intake::Service::MaterialHelp);
    f.assessment = "Mother works nights; the boy misses school.".into();
    f
}

#[test]
fn a_complete_intake_is_valid() {
    assert_eq!(fields(&intake(&complete_intake(), today())), vec![]);
}

#[test]
fn an_empty_intake_names_the_required_fields_in_form_order() {
    let errors = intake(&FamilyIntake::default(), today());
    let got: Vec<_> = fields(&errors).into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        got,
        vec![
            "basis.ground",
            "meta.date",
            "meta.caseworker",
            "meta.office",
            "meta.channel",
            "meta.referral_source",
            "family_name",
            "address.country",
            "address.region",
            "address.mahalla",
            "household",
            "children_at_risk",
            "risk.factors",
            "risk.level",
            "assessment",
        ]
    );
    assert!(errors.iter().all(|e| e.problem == FieldProblem::Required));
}

#[test]
fn a_mistyped_iin_is_named_by_its_path_in_the_repeat_group() {
    let mut f = complete_intake();
    f.household[0].document.personal_number = "900101400123".into();
    assert_eq!(
        fields(&intake(&f, today())),
        vec![("household[0].document.personal_number", FieldProblem::IinChecksum)]
    );
    f.household[0].date_of_birth = Date::new(1990, 1, 2);
    f.household[0].document.personal_number = "900101400122".into();
    assert_eq!(
        fields(&intake(&f, today())),
        vec![("household[0].document.personal_number", FieldProblem::IinMismatch)]
    );
}

#[test]
fn the_disability_group_is_required_only_once_disability_is_ticked() {
    let mut f = complete_intake();
    f.household[1].disability = true;
    assert_eq!(fields(&intake(&f, today())), vec![("household[1].disability_group", FieldProblem::Required)]);
    f.household[1].disability_group = Some(crate::forms::household::DisabilityGroup::DisabledChild);
    assert!(intake(&f, today()).is_empty());
}

#[test]
fn phones_are_checked_one_by_one_and_a_repeat_is_flagged() {
    let mut f = complete_intake();
    f.address.phones.push("90 123 45 67".into());
    f.address.phones.push("+998 90 123".into());
    assert_eq!(
        fields(&intake(&f, today())),
        vec![("address.phones[1]", FieldProblem::Duplicate), ("address.phones[2]", FieldProblem::PhoneFormat)]
    );
}

#[test]
fn a_listed_region_needs_its_district_and_an_adult_is_not_a_child_at_risk() {
    let mut f = complete_intake();
    f.address.district = None;
    let mother = f.household[0].key;
    f.children_at_risk[0].member = mother;
    f.household[1].relation = Some(Relation::Head);
    assert_eq!(
        fields(&intake(&f, today())),
        vec![
            ("address.district", FieldProblem::Required),
            ("household[1].relation", FieldProblem::OneHeadOnly),
            ("children_at_risk[0].member", FieldProblem::NotAChild),
        ]
    );
}

#[test]
fn a_birth_date_in_the_future_or_impossibly_old_is_refused() {
    let mut f = complete_intake();
    f.household[0].date_of_birth = Date::new(1900, 1, 1);
    f.household[0].document.personal_number.clear();
    f.household[1].date_of_birth = Date::new(2027, 1, 1);
    let errors = intake(&f, today());
    assert!(fields(&errors).contains(&("household[0].date_of_birth", FieldProblem::AgeImplausible)));
    assert!(fields(&errors).contains(&("household[1].date_of_birth", FieldProblem::DateInFuture)));
}

fn complete_consent() -> ConsentEntry {
    let mut e = ConsentEntry::new(ConsentKind::Given);
    e.date = Some(today());
    e.place = "Urgench".into();
    e.operator = crate::forms::consent::Operator {
        name: "SOS Children's Villages Uzbekistan".into(),
        country: Some(Country::Uzbekistan),
        tax_number: "201 234 567".into(),
        address: "Tashkent".into(),
        complaints_contact: "+998 71 000 00 00".into(),
    };
    e.consenter.role = Some(crate::forms::consent::ConsenterRole::Parent);
    e.consenter.full_name = "Gulnara Karimova".into();
    e.consenter.citizenship = Some(Citizenship::Kazakhstan);
    e.consenter.document.kind = Some(DocumentType::KzIdCard);
    e.consenter.document.number = "N01234567".into();
    e.consenter.document.personal_number = "900101400122".into();
    e.children.push(ChildAssentEntry {
        member: None,
        full_name: "Aziz".into(),
        date_of_birth: Date::new(2015, 3, 1),
        assent: Some(ChildAssent::Assents),
    });
    e.witness = "Dilnoza".into();
    for p in Permission::all() {
        e.set(p, Some(p != Permission::Sharing(SharingParty::Police)));
    }
    let ngo = e.decisions.iter_mut().find(|d| d.permission == Permission::Sharing(SharingParty::OtherNgo));
    ngo.expect("asked").organisation = "Umid children's fund".into();
    e.data_categories = vec![DataCategory::Identity, DataCategory::Household, DataCategory::Health];
    e.retention_years = Some(5);
    e.expires_on = Date::new(2031, 11, 23);
    e.rights_text_locale = "uz-Latn".into();
    e.signature = Some(Signature::Drawn { strokes: Strokes::encode(600, 200, &[vec![(10, 10), (50, 40)]]).unwrap() });
    e
}

#[test]
fn a_complete_consent_is_valid() {
    assert_eq!(fields(&consent(&complete_consent(), today(), ConsentRules::default())), vec![]);
}

#[test]
fn every_purpose_needs_its_own_answer_and_special_data_needs_a_signature() {
    let mut e = complete_consent();
    e.set(Permission::Sharing(SharingParty::School), None);
    e.signature = None;
    assert_eq!(
        fields(&consent(&e, today(), ConsentRules::default())),
        vec![("decisions[4]", FieldProblem::Required), ("signature", FieldProblem::SignatureRequired)]
    );
    e.signature = Some(Signature::OnPaper { scan: None });
    e.set(Permission::Sharing(SharingParty::School), Some(false));
    assert_eq!(
        fields(&consent(&e, today(), ConsentRules::default())),
        vec![("signature.scan", FieldProblem::ScanRequired)]
    );
}

#[test]
fn a_childs_assent_is_asked_from_the_assent_age_and_silence_is_not_assent() {
    let mut e = complete_consent();
    e.children[0].assent = None;
    assert_eq!(
        fields(&consent(&e, today(), ConsentRules::default())),
        vec![("children[0].assent", FieldProblem::Required)]
    );
    e.children[0].date_of_birth = Date::new(2021, 1, 1);
    assert!(consent(&e, today(), ConsentRules::default()).is_empty(), "a five-year-old is not asked");
    assert_eq!(consent(&e, today(), ConsentRules { assent_age: 5 }).len(), 1, "unless the organisation says so");
    assert!(!ChildAssent::DidNotExpress.code().contains("assent"), "a separate answer from assent");
}

#[test]
fn expiry_must_follow_the_consent_and_the_operator_tax_number_is_checked() {
    let mut e = complete_consent();
    e.expires_on = Some(today());
    e.operator.country = Some(Country::Kazakhstan);
    assert_eq!(
        fields(&consent(&e, today(), ConsentRules::default())),
        vec![("operator.tax_number", FieldProblem::TaxNumberFormat), ("expires_on", FieldProblem::DateBeforeStart)]
    );
}

#[test]
fn a_withdrawal_must_say_what_it_withdraws_and_how() {
    let mut w = ConsentEntry::new(ConsentKind::Withdrawn);
    w.date = Some(today());
    w.place = "Urgench".into();
    w.operator = complete_consent().operator;
    w.consenter.role = Some(crate::forms::consent::ConsenterRole::Parent);
    w.consenter.full_name = "Gulnara Karimova".into();
    w.witness = "Dilnoza".into();
    assert_eq!(
        fields(&consent(&w, today(), ConsentRules::default())),
        vec![("withdrawal_form", FieldProblem::Required), ("decisions", FieldProblem::Required)]
    );
    w.withdrawal_form = Some(WithdrawalForm::Oral);
    w.set(Permission::PhotosAudio, Some(false));
    assert!(consent(&w, today(), ConsentRules::default()).is_empty());
}

#[test]
fn a_referral_the_family_did_not_allow_is_refused_on_that_row() {
    let state = ConsentState::from_entries([&complete_consent()]);
    let mut f = FollowUp { date: Some(today()), ..FollowUp::default() };
    for party in [SharingParty::School, SharingParty::Police] {
        f.referrals.push(Referral {
            party: Some(party),
            organisation: "School 12".into(),
            service: Some(crate::forms::intake::Service::Education),
            date: Some(today()),
            status: Some(crate::forms::followup::ReferralStatus::Sent),
            notes: String::new(),
        });
    }
    assert_eq!(
        fields(&follow_up(&f, today(), Some(&state))),
        vec![("referrals[1].party", FieldProblem::ConsentMissing)]
    );
    assert!(follow_up(&f, today(), None).is_empty(), "without the state only the form is checked");
}

#[test]
fn a_closure_names_its_outcome() {
    let mut c = Closure { date: Some(today()), ..Closure::default() };
    assert_eq!(fields(&closure(&c, today(), None)), vec![("outcome", FieldProblem::Required)]);
    c.outcome = Some(crate::forms::followup::ClosureOutcome::ChildReturned);
    assert_eq!(fields(&closure(&c, today(), None)), vec![("children_returned", FieldProblem::Required)]);
    c.children_returned = 2;
    assert!(closure(&c, today(), None).is_empty());
}

#[test]
fn a_health_note_waits_for_a_consent_or_a_recorded_legal_basis() {
    use crate::forms::basis::LawfulGround;
    let mut f = complete_intake();
    f.basis = Default::default();
    f.household[0].health_notes = "Asthma; hospital twice this year".into();
    f.risk.factors.push(RiskFactor::DomesticViolence);
    assert_eq!(
        fields(&intake(&f, today())),
        vec![
            ("basis.ground", FieldProblem::Required),
            ("household[0].health_notes", FieldProblem::SpecialDataClosed),
            ("risk.factors", FieldProblem::SpecialDataClosed),
        ]
    );
    // Consent chosen, none on the case yet: still closed, and the ground says why.
    f.basis.ground = Some(LawfulGround::Consent);
    assert_eq!(fields(&intake(&f, today()))[0], ("basis.ground", FieldProblem::ConsentFirst));
    // A legal ground needs its reason, then the details may be kept.
    f.basis.ground = Some(LawfulGround::ChildInDanger);
    assert_eq!(fields(&intake(&f, today()))[0], ("basis.reason", FieldProblem::Required));
    f.basis.reason = "Mother hospitalised; the children alone at home".into();
    assert_eq!(fields(&intake(&f, today())), vec![]);
    // Pruned while closed: the form never seals a detail it does not show.
    let mut closed = f.clone();
    closed.basis = Default::default();
    closed.prune_hidden(today());
    assert!(!closed.holds_special_data());
    assert_eq!(closed.risk.factors, vec![RiskFactor::SingleParent, RiskFactor::LowIncome]);
}

#[test]
fn an_intake_resting_on_consent_is_refused_when_the_cases_consent_does_not_stand() {
    let f = complete_intake();
    let entry = crate::forms::CaseEntry::Intake(f);
    let none = ConsentState::from_entries([]);
    assert_eq!(
        fields(&super::entry(&entry, today(), ConsentRules::default(), Some(&none))),
        vec![("basis.ground", FieldProblem::ConsentFirst)]
    );
    let state = ConsentState::from_entries([&complete_consent()]);
    assert!(super::entry(&entry, today(), ConsentRules::default(), Some(&state)).is_empty());
}

#[test]
fn a_transfer_to_a_party_the_family_did_not_allow_is_refused_with_the_reason() {
    use crate::forms::followup::ClosureOutcome;
    let state = ConsentState::from_entries([&complete_consent()]);
    let mut c = Closure {
        date: Some(today()),
        outcome: Some(ClosureOutcome::Transferred),
        outcome_note: "Urgench district police".into(),
        ..Closure::default()
    };
    assert_eq!(fields(&closure(&c, today(), Some(&state))), vec![("transferred_to", FieldProblem::Required)]);
    c.transferred_to = Some(SharingParty::Police);
    assert_eq!(fields(&closure(&c, today(), Some(&state))), vec![("transferred_to", FieldProblem::ConsentMissing)]);
    let why = state.allows(Permission::Sharing(SharingParty::Police), today()).unwrap_err();
    assert_eq!(why.message_key(), "consent-refusal-refused", "the form shows this reason");
    c.transferred_to = Some(SharingParty::GuardianshipBody);
    c.outcome_note = "Urgench guardianship body".into();
    assert!(closure(&c, today(), Some(&state)).is_empty());
    assert_eq!(c.consent_needed(), vec![Permission::Sharing(SharingParty::GuardianshipBody)]);
}

#[test]
fn sharing_with_another_organisation_names_it() {
    let mut e = complete_consent();
    let i = e.decisions.iter().position(|d| d.permission == Permission::Sharing(SharingParty::OtherNgo)).unwrap();
    e.decisions[i].organisation.clear();
    assert_eq!(
        fields(&consent(&e, today(), ConsentRules::default())),
        vec![(format!("decisions[{i}].organisation").as_str(), FieldProblem::OrganisationRequired)]
    );
}

#[test]
fn field_paths_name_their_label_without_indices() {
    assert_eq!(field_label_key("household[2].document.number"), "field-household-document-number");
    assert_eq!(field_label_key("address.phones[0]"), "field-address-phones");
    assert_eq!(field_label_key("family_name"), "field-family_name");
    let paths = every_field_path();
    assert!(paths.len() > 80, "{}", paths.len());
    assert!(paths.contains(&"household[0].document.personal_number".to_owned()));
}

/// A twelve-member household (the largest a caseworker meets) still checks clean.
/// How long `check::intake` takes on it is a benchmark row, not a unit test: a
/// wall-clock assert fails on a busy machine without anything being wrong.
#[test]
fn a_twelve_member_household_checks_clean() {
    let mut f = complete_intake();
    for i in 0..10 {
        let key = f.add_member();
        let mut m = Member { key, ..f.household[0].clone() };
        m.relation = Some(Relation::Child);
        m.full_name = format!("Child {i}");
        *f.household.last_mut().unwrap() = m;
    }
    assert_eq!(f.household.len(), 12);
    assert!(intake(&f, today()).is_empty());
}

#[test]
fn another_countrys_local_bodies_are_not_asked_and_not_required() {
    let mut e = complete_consent();
    e.operator.country = Some(Country::Uzbekistan);
    e.set(Permission::Sharing(SharingParty::Akimat), None);
    e.set(Permission::Sharing(SharingParty::FamilySupportCentre), None);
    assert!(consent(&e, today(), ConsentRules::default()).is_empty(), "not on an Uzbek operator's form");
    e.set(Permission::Sharing(SharingParty::Mahalla), None);
    let i = e.decisions.iter().position(|d| d.permission == Permission::Sharing(SharingParty::Mahalla)).unwrap();
    assert_eq!(
        fields(&consent(&e, today(), ConsentRules::default())),
        vec![(format!("decisions[{i}]").as_str(), FieldProblem::Required)]
    );
}
