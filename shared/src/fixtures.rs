//! Test fixtures: the keyrings, records and households the tests of every crate build,
//! written once (feature `test-fixtures`, which also compiles the five catalogs in:
//! tests build a catalog with `i18n::Catalog::embedded`).
//!
//! Only tests and benchmarks turn the feature on (`[dev-dependencies]`, the
//! `amanat-tests` crate); nothing here is in the app or the relay. Each fixture is
//! valid as built, so a test changes the one field it is about.

use crate::api::EntryMeta;
use crate::forms::intake::FamilyIntake;
use crate::forms::v1::{self, Child, Document, Intake, Record};
use crate::keyring::{HolderRole, KeyHolder, Keyring, OrgSigningKey, Validity, VerifiedKeyring};
use crate::record::{Date, Region, RiskFactor};
use crate::seal::{self, Identity};
use crate::{CaseId, EntryId};

/// A validity wide enough for any test run: 1 January 2020 to 1 January 2100. Tests of
/// expiry sign their own.
pub const WIDE_VALIDITY: Validity = Validity { issued_at: 1_577_836_800, expires_at: 4_102_444_800 };

/// A keyring (version 1, organisation "Org") of one adviser and one recovery key,
/// signed by a fresh organisation key and verified; and the adviser's identity, which
/// opens what is sealed to it.
pub fn keyring() -> (VerifiedKeyring, Identity) {
    let adviser = seal::generate_identity();
    let recovery = seal::generate_identity();
    let org = OrgSigningKey::generate();
    let holder = |role, id: &Identity| KeyHolder { label: "k".into(), role, recipient: id.to_public().to_string() };
    let kr = Keyring::sign(
        1,
        "Org",
        vec![holder(HolderRole::Adviser, &adviser), holder(HolderRole::Recovery, &recovery)],
        WIDE_VALIDITY,
        &org,
    );
    (kr.verify(&org.public()).expect("a keyring verifies with its own organisation key"), adviser)
}

/// A schema 1 intake (`forms::v1::Intake`): the Karimova family in Samarkand region, one
/// child, Aziz, born 1 March 2016, low income; no assessment.
pub fn schema_1_intake() -> Intake {
    Intake {
        family_name: "Karimova".into(),
        region: Some(Region::UzSamarkand),
        children: vec![Child { full_name: "Aziz".into(), date_of_birth: Date::new(2016, 3, 1) }],
        risk_factors: vec![RiskFactor::LowIncome],
        assessment: String::new(),
    }
}

/// A schema 1 document holding `intake`, of a new case, written by `cw` on
/// 23 November 2026.
pub fn schema_1_document(intake: Intake) -> Document {
    Document {
        schema: v1::SCHEMA,
        case: CaseId::random(),
        created_at: "2026-11-23T10:00:00Z".into(),
        author: "cw".into(),
        record: Record::Intake(intake),
    }
}

/// `plaintext` sealed to a fresh recipient nobody keeps: a real age file with its own
/// id, for tests of storage, which never open what they store.
pub fn sealed_to_a_stranger(plaintext: &[u8]) -> Vec<u8> {
    let stranger = seal::generate_identity().to_public();
    seal::seal_bytes(plaintext, [stranger].iter()).expect("sealing to one recipient works").into_bytes()
}

/// What the relay records of `bytes` stored in `case` by `author` at `received_at`
/// (RFC 3339), with keyring version 1.
pub fn entry_meta(bytes: &[u8], case: CaseId, author: &str, received_at: String) -> EntryMeta {
    EntryMeta {
        id: EntryId::of(bytes),
        case,
        size: bytes.len() as u64,
        received_at,
        author: author.into(),
        keyring_version: Some(1),
    }
}

/// A full family intake with twelve household members, valid on `today`: the head,
/// her husband, his parents, a sister-in-law and seven children (four of them at
/// risk), with the address, phones, risk factors, needs and an assessment filled in,
/// as a caseworker would leave it before saving. The forms' benchmarks type into,
/// validate and save this one.
pub fn twelve_member_intake(today: Date) -> FamilyIntake {
    use crate::forms::address::{Address, Country, District, HousingCondition, HousingType, Region};
    use crate::forms::household::{Activity, Citizenship, DocumentType, Relation, Residence, Sex};
    use crate::forms::intake::{
        CareArrangement, Channel, ChildAtRisk, ReferralSource, RiskLevel, SchoolAttendance, SeparationRisk, Service,
    };

    let year: u16 = String::from(today)[..4].parse().expect("a date starts with its year");
    let mut f = FamilyIntake::default();
    f.basis.ground = Some(crate::forms::basis::LawfulGround::LegalDuty);
    f.basis.reason = "Guardianship body's request of 01.11 to assess the family".into();
    f.meta.date = Some(today);
    f.meta.caseworker = "Dilnoza Rahimova".into();
    f.meta.office = "SOS social centre, Urgench".into();
    f.meta.channel = Some(Channel::HomeVisit);
    f.meta.referral_source = Some(ReferralSource::Mahalla);
    f.family_name = "Karimovlar".into();
    f.address = Address {
        country: Some(Country::Uzbekistan),
        region: Some(Region::UzKhorezm),
        district: Some(District::XoUrganchCity),
        mahalla: "Navbahor".into(),
        street: "Al-Xorazmiy ko'chasi 14".into(),
        phones: vec!["+998 (90) 123-45-67".into(), "+998 (91) 765-43-21".into()],
        housing_type: Some(HousingType::OwnHouse),
        housing_condition: Some(HousingCondition::Poor),
        housing_note: "Two rooms for twelve people; the roof leaks in spring.".into(),
        ..Address::default()
    };
    // (name, age in years, sex, relation, activity)
    let people: [(&str, u16, Sex, Relation, Activity); 12] = [
        ("Gulnara Karimova", 38, Sex::Female, Relation::Head, Activity::SelfEmployed),
        ("Rustam Karimov", 41, Sex::Male, Relation::Spouse, Activity::Employed),
        ("Ozod Karimov", 68, Sex::Male, Relation::Parent, Activity::Employed),
        ("Mavluda Karimova", 64, Sex::Female, Relation::Parent, Activity::SelfEmployed),
        ("Shahnoza Karimova", 29, Sex::Female, Relation::Sibling, Activity::Employed),
        ("Aziz Karimov", 16, Sex::Male, Relation::Child, Activity::College),
        ("Madina Karimova", 14, Sex::Female, Relation::Child, Activity::School),
        ("Bekzod Karimov", 12, Sex::Male, Relation::Child, Activity::School),
        ("Zarina Karimova", 10, Sex::Female, Relation::Child, Activity::School),
        ("Jasur Karimov", 8, Sex::Male, Relation::Child, Activity::School),
        ("Nilufar Karimova", 5, Sex::Female, Relation::Child, Activity::Kindergarten),
        ("Timur Karimov", 2, Sex::Male, Relation::Child, Activity::HomeUnderSchoolAge),
    ];
    for (n, (name, age, sex, relation, activity)) in people.into_iter().enumerate() {
        let key = f.add_member();
        let m = f.household.last_mut().expect("just added");
        debug_assert_eq!(m.key, key);
        m.full_name = name.into();
        m.date_of_birth = Date::new(year - age, 1 + (n as u8 % 12), 1 + n as u8);
        m.sex = Some(sex);
        m.relation = Some(relation);
        m.citizenship = Some(Citizenship::Uzbekistan);
        m.activity = Some(activity);
        m.residence = Some(Residence::InHousehold);
        if age >= 16 {
            m.document.kind = Some(DocumentType::UzIdCard);
            m.document.number = format!("AD{:07}", 1_234_500 + n);
        } else {
            m.document.kind = Some(DocumentType::UzBirthCertificate);
            m.document.number = format!("I-XR {:07}", 7_654_300 + n);
        }
    }
    for key in f.household[6..10].iter().map(|m| m.key).collect::<Vec<_>>() {
        f.children_at_risk.push(ChildAtRisk {
            member: key,
            separation_risk: Some(SeparationRisk::High),
            care_arrangement: Some(CareArrangement::OneParent),
            school_attendance: Some(SchoolAttendance::Irregular),
            notes: "Misses school on market days to help at the stall.".into(),
        });
    }
    f.risk.factors = vec![RiskFactor::SingleParent, RiskFactor::LowIncome];
    f.risk.level = Some(RiskLevel::High);
    f.risk.notes = "The father works in Russia most of the year; money arrives irregularly.".into();
    for s in [Service::Education, Service::Medical, Service::Psychological, Service::Social, Service::Documents] {
        f.toggle_need(s);
    }
    f.assessment = "Twelve people in two rooms; the grandparents care for the youngest while the mother \
                    works at the market. Four children miss school regularly. Material help and a school \
                    social worker first; review in a month."
        .into();
    f
}
