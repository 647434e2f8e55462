//! Every field path the checks can report, found by running them on forms wrong in
//! every way: the error summary needs a label for each, and a catalog test proves
//! every locale has them.

use super::*;

/// Every path a check here can report, with indices as `[0]`: the form's error summary
/// needs a label for each, and a test proves every catalog has them.
pub fn every_field_path() -> Vec<String> {
    use crate::forms::attachment::{AttachmentRef, MediaType};
    use crate::forms::consent::{ChildAssentEntry, WithdrawalForm};
    use crate::forms::followup::{Contact, PlanGoal, Referral, ServiceDelivered};
    use crate::forms::household::DisabilityGroup;
    use crate::forms::intake::{ChildAtRisk, Need, Priority, ReferralSource, Service};
    use crate::record::RiskFactor;

    let today = Date::new(2026, 1, 1).expect("a date");
    let mut paths = Vec::new();
    let mut push = |errors: Vec<FieldError>| paths.extend(errors.into_iter().map(|e| e.field));

    // An intake with every optional part present and wrong.
    let mut f = FamilyIntake::default();
    f.meta.referral_source = Some(ReferralSource::Other);
    f.address.phones = vec![String::new()];
    f.address.housing_note = "x".repeat(MAX_TEXT_CHARS + 1);
    f.address.street = "x".repeat(MAX_NAME_CHARS + 1);
    f.add_member();
    f.add_member();
    let m = &mut f.household[0];
    m.relation = Some(Relation::Head);
    m.document.kind = Some(crate::forms::household::DocumentType::UzIdCard);
    m.citizenship = Some(crate::forms::household::Citizenship::Uzbekistan);
    m.document.number = "x".repeat(MAX_DOCUMENT_CHARS + 1);
    m.document.personal_number = "1".into();
    m.disability = true;
    m.residence = Some(crate::forms::household::Residence::Institution);
    m.residence_note = "x".repeat(MAX_NAME_CHARS + 1);
    m.health_notes = "x".repeat(MAX_TEXT_CHARS + 1);
    f.household[1].relation = Some(Relation::Head);
    f.children_at_risk.push(ChildAtRisk { notes: "x".repeat(MAX_TEXT_CHARS + 1), ..ChildAtRisk::default() });
    f.children_at_risk[0].member = crate::forms::household::MemberKey(99);
    f.risk.factors = vec![RiskFactor::Other];
    f.risk.notes = "x".repeat(MAX_TEXT_CHARS + 1);
    f.needs = vec![Need { service: Service::Legal, priority: Priority::Low, note: String::new() }; 2];
    f.needs[0].note = "x".repeat(MAX_NAME_CHARS + 1);
    f.address.region = Some(crate::record::Region::UzBukhara);
    f.address.district_text = "x".repeat(MAX_NAME_CHARS + 1);
    push(intake(&f, today));
    f.address.region = Some(crate::record::Region::UzKhorezm);
    f.household[0].disability_group = Some(DisabilityGroup::Group1);
    push(intake(&f, today));
    push(intake(&FamilyIntake::default(), today));
    f.basis.ground = Some(crate::forms::basis::LawfulGround::ChildInDanger);
    push(intake(&f, today));

    let mut c = ConsentEntry::new(ConsentKind::Given);
    c.operator.country = Some(crate::forms::address::Country::Uzbekistan);
    c.children.push(ChildAssentEntry { date_of_birth: Date::new(2015, 1, 1), ..ChildAssentEntry::default() });
    c.consenter.citizenship = Some(crate::forms::household::Citizenship::Uzbekistan);
    c.consenter.document.personal_number = "1".into();
    c.notes = "x".repeat(MAX_TEXT_CHARS + 1);
    push(consent(&c, today, ConsentRules::default()));
    c.set(crate::forms::consent::Permission::Sharing(crate::forms::consent::SharingParty::OtherNgo), Some(true));
    push(consent(&c, today, ConsentRules::default()));
    c.decisions.truncate(0);
    c.signature = Some(Signature::OnPaper { scan: None });
    push(consent(&c, today, ConsentRules::default()));
    c.signature = Some(Signature::OnPaper {
        scan: Some(AttachmentRef {
            entry: crate::ids::EntryId::of(b""),
            media_type: MediaType::Png,
            size: u64::MAX,
            caption: String::new(),
            content: None,
        }),
    });
    push(consent(&c, today, ConsentRules::default()));
    let mut w = ConsentEntry::new(ConsentKind::Withdrawn);
    w.withdrawal_form = Some(WithdrawalForm::Written);
    push(consent(&w, today, ConsentRules::default()));
    w.withdrawal_form = None;
    push(consent(&w, today, ConsentRules::default()));

    let long = "x".repeat(MAX_TEXT_CHARS + 1);
    let fu = FollowUp {
        contacts: vec![Contact { notes: long.clone(), with_whom: long.clone(), ..Contact::default() }],
        services: vec![ServiceDelivered { notes: long.clone(), ..ServiceDelivered::default() }],
        referrals: vec![Referral { notes: long.clone(), ..Referral::default() }],
        goals: vec![PlanGoal { notes: long.clone(), ..PlanGoal::default() }],
        notes: long.clone(),
        ..FollowUp::default()
    };
    push(follow_up(&fu, today, None));
    push(follow_up(&FollowUp::default(), today, None));
    let cl = Closure {
        outcome: Some(crate::forms::followup::ClosureOutcome::Other),
        notes: long.clone(),
        ..Closure::default()
    };
    push(closure(&cl, today, None));
    let cl = Closure { outcome: Some(crate::forms::followup::ClosureOutcome::ChildReturned), ..Closure::default() };
    push(closure(&cl, today, None));
    let cl = Closure { outcome: Some(crate::forms::followup::ClosureOutcome::Transferred), ..Closure::default() };
    push(closure(&cl, today, None));
    push(closure(&Closure::default(), today, None));
    let mut c = ConsentEntry::new(ConsentKind::Given);
    c.children.push(ChildAssentEntry::default());
    push(consent(&c, today, ConsentRules::default()));
    // Repeat groups over their limits.
    let mut many = FamilyIntake::default();
    many.address.phones = vec![String::new(); MAX_PHONES + 1];
    many.needs = vec![Need { service: Service::Legal, priority: Priority::Low, note: String::new() }; MAX_ROWS + 1];
    push(intake(&many, today));
    c.children = vec![ChildAssentEntry::default(); MAX_MEMBERS + 1];
    push(consent(&c, today, ConsentRules::default()));
    let rows = FollowUp {
        contacts: vec![Contact::default(); MAX_ROWS + 1],
        services: vec![ServiceDelivered::default(); MAX_ROWS + 1],
        referrals: vec![Referral::default(); MAX_ROWS + 1],
        goals: vec![PlanGoal::default(); MAX_ROWS + 1],
        ..FollowUp::default()
    };
    push(follow_up(&rows, today, None));
    paths.sort();
    paths.dedup();
    paths
}
