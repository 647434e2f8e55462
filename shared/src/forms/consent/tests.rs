//! Stories of one consent entry: assent by age, codes stored, withdrawal and renewal,
//! pruning, each country's parties.

use super::*;

fn d(y: u16, m: u8, day: u8) -> Date {
    Date::new(y, m, day).unwrap()
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
        organisation: String::new(),
    })
    .unwrap();
    assert_eq!(json, r#"{"permission":{"purpose":"sharing","party":"inson_centre"},"granted":true}"#);
    let json = serde_json::to_string(&Permission::CaseWork).unwrap();
    assert_eq!(json, r#"{"purpose":"case_work"}"#);
}

#[test]
fn each_country_is_asked_about_its_own_local_bodies_and_a_named_organisation_is_kept() {
    let uz = SharingParty::for_country(Some(Country::Uzbekistan));
    assert!(uz.contains(&SharingParty::Mahalla) && uz.contains(&SharingParty::InsonCentre));
    assert!(!uz.contains(&SharingParty::Akimat) && !uz.contains(&SharingParty::FamilySupportCentre));
    let kz = SharingParty::for_country(Some(Country::Kazakhstan));
    assert!(kz.contains(&SharingParty::Akimat) && kz.contains(&SharingParty::FamilySupportCentre));
    assert!(!kz.contains(&SharingParty::Mahalla) && !kz.contains(&SharingParty::InsonCentre));
    assert_eq!(SharingParty::for_country(None).len(), SharingParty::ALL.len());

    let mut e = ConsentEntry::new(ConsentKind::Given);
    e.operator.country = Some(Country::Kazakhstan);
    e.set(Permission::Sharing(SharingParty::OtherNgo), Some(true));
    e.decisions.iter_mut().for_each(|d| d.organisation = "Umit".into());
    e.prune_hidden(d(2026, 11, 23), DEFAULT_ASSENT_AGE);
    assert!(!e.decisions.iter().any(|x| x.permission == Permission::Sharing(SharingParty::Mahalla)));
    let ngo = e.decisions.iter().find(|x| x.permission == Permission::Sharing(SharingParty::OtherNgo)).unwrap();
    assert_eq!(ngo.organisation, "Umit", "named where the answer is yes");
    assert!(e.decisions.iter().filter(|x| x.granted.is_none()).all(|x| x.organisation.is_empty()));
}

#[test]
fn a_withdrawal_keeps_only_what_it_withdraws_and_an_oral_one_no_signature() {
    let mut e = ConsentEntry::new(ConsentKind::Given);
    e.data_categories = vec![DataCategory::Health];
    e.signature = Some(Signature::OnPaper { scan: None });
    e.set_kind(ConsentKind::Withdrawn);
    assert!(e.decisions.is_empty(), "a withdrawal starts with nothing withdrawn");
    e.set(Permission::PhotosAudio, Some(false));
    e.set(Permission::Public, Some(true));
    e.withdrawal_form = Some(WithdrawalForm::Oral);
    e.prune_hidden(d(2026, 11, 23), DEFAULT_ASSENT_AGE);
    assert_eq!(e.decisions.len(), 1);
    assert!(e.data_categories.is_empty() && e.signature.is_none());
    e.withdraw_all = true;
    e.prune_hidden(d(2026, 11, 23), DEFAULT_ASSENT_AGE);
    assert!(e.decisions.is_empty(), "'all' needs no list");
    e.set_kind(ConsentKind::Renewed);
    e.prune_hidden(d(2026, 11, 23), DEFAULT_ASSENT_AGE);
    assert_eq!(e.decisions.len(), Permission::all().len());
    assert!(!e.withdraw_all && e.withdrawal_form.is_none());
}

#[test]
fn a_childs_answer_is_dropped_while_the_child_is_too_young_to_be_asked() {
    let mut e = ConsentEntry::new(ConsentKind::Given);
    e.date = Some(d(2026, 11, 23));
    e.children.push(ChildAssentEntry {
        date_of_birth: Some(d(2015, 1, 1)),
        assent: Some(ChildAssent::Assents),
        ..Default::default()
    });
    e.prune_hidden(d(2026, 11, 23), DEFAULT_ASSENT_AGE);
    assert_eq!(e.children[0].assent, Some(ChildAssent::Assents));
    e.children[0].date_of_birth = Some(d(2022, 1, 1));
    e.prune_hidden(d(2026, 11, 23), DEFAULT_ASSENT_AGE);
    assert_eq!(e.children[0].assent, None);
}

#[test]
fn a_consent_dated_in_the_future_counts_ages_on_today() {
    // Turns 7 in 2029: not asked today, though the (mistyped) date says 2030.
    let mut e = ConsentEntry::new(ConsentKind::Given);
    e.date = Some(d(2030, 1, 1));
    e.children.push(ChildAssentEntry {
        date_of_birth: Some(d(2022, 1, 1)),
        assent: Some(ChildAssent::Assents),
        ..Default::default()
    });
    e.prune_hidden(d(2026, 11, 23), DEFAULT_ASSENT_AGE);
    assert_eq!(e.children[0].assent, None);
}

#[test]
fn a_renewal_carries_the_family_over_but_asks_every_purpose_again() {
    let mut before = ConsentEntry::new(ConsentKind::Given);
    before.operator.name = "SOS".into();
    before.consenter.full_name = "Gulnara".into();
    before.children.push(ChildAssentEntry {
        full_name: "Aziz".into(),
        assent: Some(ChildAssent::Assents),
        ..Default::default()
    });
    before.set(Permission::Public, Some(true));
    before.signature = Some(Signature::OnPaper { scan: None });
    let r = ConsentEntry::renewal_of(&before, d(2027, 1, 5));
    assert_eq!((r.kind, r.date, r.operator.name.as_str()), (ConsentKind::Renewed, Some(d(2027, 1, 5)), "SOS"));
    assert_eq!((r.children[0].full_name.as_str(), r.children[0].assent), ("Aziz", None));
    assert!(r.decisions.iter().all(|x| x.granted.is_none()) && r.signature.is_none());
    let w = ConsentEntry::withdrawal_of(&before, d(2027, 1, 5));
    assert_eq!((w.kind, w.consenter.full_name.as_str()), (ConsentKind::Withdrawn, "Gulnara"));
    assert!(w.decisions.is_empty() && w.children.is_empty());
}

#[test]
fn the_intakes_children_and_head_of_household_fill_a_new_consent_once() {
    use crate::forms::household::{Citizenship, Sex};
    let mut intake = FamilyIntake::default();
    let head = intake.add_member();
    let child = intake.add_member();
    intake.add_member();
    let m = &mut intake.household[0];
    (m.full_name, m.relation, m.date_of_birth, m.sex) =
        ("Gulnara".into(), Some(Relation::Head), Some(d(1985, 1, 1)), Some(Sex::Female));
    m.citizenship = Some(Citizenship::Uzbekistan);
    let c = &mut intake.household[1];
    (c.full_name, c.date_of_birth) = ("Aziz".into(), Some(d(2015, 3, 1)));
    let mut e = ConsentEntry::new(ConsentKind::Given);
    e.prefill_from_intake(&intake, d(2026, 11, 23));
    e.prefill_from_intake(&intake, d(2026, 11, 23));
    assert_eq!(e.children.len(), 1, "only the child, once");
    assert_eq!((e.children[0].member, e.children[0].full_name.as_str()), (Some(child), "Aziz"));
    assert_eq!((e.consenter.member, e.consenter.full_name.as_str()), (Some(head), "Gulnara"));
    assert_eq!(e.consenter.citizenship, Some(Citizenship::Uzbekistan));
}
