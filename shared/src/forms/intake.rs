//! The family intake: one per family, at enrolment. Every section of the domain's
//! intake form — meta, address, household, children at risk, risk factors with an
//! overall level, needs with priorities, and the caseworker's assessment.
//!
//! The household is a repeat group the caseworker adds to, removes from and reorders
//! ([`FamilyIntake::add_member`], [`FamilyIntake::remove_member`],
//! [`FamilyIntake::move_member`]); children at risk point at members by [`MemberKey`],
//! so reordering never re-attaches a child's risk to someone else.

use serde::{Deserialize, Serialize};

use super::address::Address;
use super::basis::{is_special_risk, ProcessingBasis};
use super::codes::code_list;
use super::household::{Member, MemberKey};
use crate::record::{Date, RiskFactor};

code_list! {
    /// How the caseworker and the family met (also a follow-up contact's channel).
    Channel = "channel" {
        OfficeVisit = "office_visit",
        HomeVisit = "home_visit",
        Phone = "phone",
        Messenger = "messenger",
        VideoCall = "video_call",
    }
}

code_list! {
    /// How the family came to the service.
    ReferralSource = "referral_source" {
        SelfReferral = "self",
        Mahalla = "mahalla",
        School = "school",
        Hospital = "hospital",
        Police = "police",
        GuardianshipBody = "guardianship_body",
        OtherNgo = "other_ngo",
        Other = "other",
    }
}

code_list! {
    /// A child's risk of separation from the family.
    SeparationRisk = "separation_risk" {
        Low = "low",
        Medium = "medium",
        High = "high",
        Imminent = "imminent",
    }
}

code_list! {
    /// Who looks after the child now.
    CareArrangement = "care_arrangement" {
        BothParents = "both_parents",
        OneParent = "one_parent",
        Relatives = "relatives",
        Guardian = "guardian",
        TemporaryCare = "temporary_care",
        Institution = "institution",
        Other = "other",
    }
}

code_list! {
    /// How the child attends school or kindergarten.
    SchoolAttendance = "school_attendance" {
        Regular = "regular",
        Irregular = "irregular",
        NotAttending = "not_attending",
        NotOfSchoolAge = "not_of_school_age",
    }
}

code_list! {
    /// Overall risk level of the family.
    RiskLevel = "risk_level" {
        Low = "low",
        Medium = "medium",
        High = "high",
        Emergency = "emergency",
    }
}

code_list! {
    /// Services the programmes deliver (needs, deliveries, referrals).
    Service = "service" {
        Education = "education",
        Medical = "medical",
        Psychological = "psychological",
        Social = "social",
        ParentingSkills = "parenting_skills",
        VocationalTraining = "vocational_training",
        Employment = "employment",
        SmallBusiness = "small_business",
        Legal = "legal",
        Documents = "documents",
        Referral = "referral",
        DayCare = "day_care",
        TemporaryCare = "temporary_care",
        Reunification = "reunification",
        SpeechTherapy = "speech_therapy",
        MaterialHelp = "material_help",
        Benefits = "benefits",
    }
}

code_list! {
    /// Priority of a requested service.
    Priority = "priority" {
        Low = "low",
        Normal = "normal",
        High = "high",
        Urgent = "urgent",
    }
}

/// Who took the intake, where, when and how.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IntakeMeta {
    pub date: Option<Date>,
    pub caseworker: String,
    /// Office, social centre or "Inson" centre.
    pub office: String,
    pub channel: Option<Channel>,
    pub referral_source: Option<ReferralSource>,
    /// Which organisation or person referred, when the source needs naming.
    pub referral_note: String,
}

impl IntakeMeta {
    /// Skip logic: the referral note shows for "other NGO" and "other".
    pub fn shows_referral_note(&self) -> bool {
        matches!(self.referral_source, Some(ReferralSource::OtherNgo | ReferralSource::Other))
    }
}

/// A child of the household whose placement outside the family is a risk.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChildAtRisk {
    pub member: MemberKey,
    pub separation_risk: Option<SeparationRisk>,
    pub care_arrangement: Option<CareArrangement>,
    pub school_attendance: Option<SchoolAttendance>,
    pub notes: String,
}

/// Situation and risk factors, with the overall level.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RiskAssessment {
    pub factors: Vec<RiskFactor>,
    /// What "other" is, when ticked.
    pub other: String,
    pub notes: String,
    pub level: Option<RiskLevel>,
}

impl RiskAssessment {
    /// Skip logic: "what other risk" shows when "other" is ticked.
    pub fn shows_other(&self) -> bool {
        self.factors.contains(&RiskFactor::Other)
    }
}

/// A requested service and how urgent it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Need {
    pub service: Service,
    pub priority: Priority,
    #[serde(default)]
    pub note: String,
}

/// The full family intake.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FamilyIntake {
    /// Why the family's data may be processed ([`super::basis`]).
    pub basis: ProcessingBasis,
    pub meta: IntakeMeta,
    /// Family name as the family uses it (for lists inside the sealed view).
    pub family_name: String,
    pub address: Address,
    pub household: Vec<Member>,
    pub children_at_risk: Vec<ChildAtRisk>,
    pub risk: RiskAssessment,
    pub needs: Vec<Need>,
    /// Free-text caseworker assessment.
    pub assessment: String,
    /// The next member key to hand out.
    pub next_member_key: u32,
}

impl FamilyIntake {
    /// Adds an empty member at the end; returns its key.
    pub fn add_member(&mut self) -> MemberKey {
        let used = self.household.iter().map(|m| m.key.0 + 1).max().unwrap_or(0);
        let key = MemberKey(self.next_member_key.max(used));
        self.next_member_key = key.0 + 1;
        self.household.push(Member { key, ..Member::default() });
        key
    }

    /// Removes the member at `index`, and the child-at-risk entry that points at it.
    pub fn remove_member(&mut self, index: usize) -> Option<Member> {
        if index >= self.household.len() {
            return None;
        }
        let m = self.household.remove(index);
        self.children_at_risk.retain(|c| c.member != m.key);
        Some(m)
    }

    /// Moves the member at `from` to position `to` (both clamped to the list).
    pub fn move_member(&mut self, from: usize, to: usize) {
        if from < self.household.len() {
            let m = self.household.remove(from);
            let to = to.min(self.household.len());
            self.household.insert(to, m);
        }
    }

    /// The member with `key`.
    pub fn member(&self, key: MemberKey) -> Option<&Member> {
        self.household.iter().find(|m| m.key == key)
    }

    /// Members who may be listed as children at risk: under 18 on the intake's day
    /// ([`super::form_day`]).
    pub fn children(&self, today: Date) -> impl Iterator<Item = &Member> {
        let on = super::form_day(self.meta.date, today);
        self.household.iter().filter(move |m| m.is_child_on(on))
    }

    /// Toggles `service` in the needs (added with normal priority).
    pub fn toggle_need(&mut self, service: Service) {
        if let Some(i) = self.needs.iter().position(|n| n.service == service) {
            self.needs.remove(i);
        } else {
            self.needs.push(Need { service, priority: Priority::Normal, note: String::new() });
        }
    }

    /// Clears every answer the form no longer shows. Called before sealing, so an
    /// answer hidden by a later choice is never stored.
    pub fn prune_hidden(&mut self, today: Date) {
        self.basis.prune_hidden();
        if !self.basis.opens_special_data() {
            self.close_special_data();
        }
        if !self.meta.shows_referral_note() {
            self.meta.referral_note.clear();
        }
        self.address.prune_hidden();
        let on = super::form_day(self.meta.date, today);
        for m in &mut self.household {
            m.prune_hidden(on);
        }
        if !self.risk.shows_other() {
            self.risk.other.clear();
        }
    }
}

impl FamilyIntake {
    /// Clears every special-category answer (health, disability, violence, substance
    /// use, the risk notes): what stays closed until the basis opens it.
    pub fn close_special_data(&mut self) {
        for m in &mut self.household {
            m.disability = false;
            m.disability_group = None;
            m.health_notes.clear();
        }
        self.risk.factors.retain(|f| !is_special_risk(*f));
        self.risk.notes.clear();
    }

    /// Whether any special-category answer is filled in.
    pub fn holds_special_data(&self) -> bool {
        self.household.iter().any(|m| m.disability || m.disability_group.is_some() || !m.health_notes.trim().is_empty())
            || self.risk.factors.iter().any(|f| is_special_risk(*f))
            || !self.risk.notes.trim().is_empty()
    }
}

/// A version 1 intake (schema 1) read as the full form: codes carry over; the
/// children become household members and children at risk.
impl From<crate::forms::v1::Intake> for FamilyIntake {
    fn from(v1: crate::forms::v1::Intake) -> Self {
        let mut out = FamilyIntake {
            family_name: v1.family_name,
            address: Address { country: v1.region.map(|r| r.country()), region: v1.region, ..Address::default() },
            risk: RiskAssessment { factors: v1.risk_factors, ..RiskAssessment::default() },
            assessment: v1.assessment,
            ..FamilyIntake::default()
        };
        for child in v1.children {
            let key = out.add_member();
            let m = out.household.last_mut().expect("just added");
            m.full_name = child.full_name;
            m.date_of_birth = child.date_of_birth;
            m.relation = Some(super::household::Relation::Child);
            out.children_at_risk.push(ChildAtRisk { member: key, ..ChildAtRisk::default() });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reordering_the_household_keeps_each_childs_risk_attached_to_the_child() {
        let mut f = FamilyIntake::default();
        let a = f.add_member();
        let b = f.add_member();
        let c = f.add_member();
        f.children_at_risk.push(ChildAtRisk { member: b, ..ChildAtRisk::default() });
        f.move_member(1, 0);
        assert_eq!(f.household.iter().map(|m| m.key).collect::<Vec<_>>(), vec![b, a, c]);
        assert_eq!(f.children_at_risk[0].member, b);
        f.remove_member(0);
        assert!(f.children_at_risk.is_empty(), "removing a member removes its risk entry");
        let d = f.add_member();
        assert!(d != b && d != a && d != c, "keys are never reused");
    }

    #[test]
    fn a_version_1_intake_reads_as_the_full_form() {
        let v1 = crate::forms::v1::Intake {
            family_name: "Karimova".into(),
            region: Some(crate::record::Region::UzKhorezm),
            children: vec![crate::forms::v1::Child { full_name: "Aziz".into(), date_of_birth: Date::new(2016, 3, 1) }],
            risk_factors: vec![RiskFactor::SingleParent],
            assessment: "ok".into(),
        };
        let f = FamilyIntake::from(v1);
        assert_eq!(f.address.country, Some(super::super::address::Country::Uzbekistan));
        assert_eq!(f.household[0].full_name, "Aziz");
        assert_eq!(f.children_at_risk[0].member, f.household[0].key);
        assert_eq!(f.risk.factors, vec![RiskFactor::SingleParent]);
    }

    #[test]
    fn an_intake_dated_in_the_future_keeps_a_childs_answers_while_the_form_shows_them() {
        use super::super::household::DisabilityGroup;
        // The form counts ages on today while the date is in the future (form_day), so
        // pruning must too: on 2036 this 11-year-old would be an adult and lose the
        // "disabled child" status the form still offers.
        let today = Date::new(2026, 11, 23).unwrap();
        let mut f = FamilyIntake::default();
        f.meta.date = Date::new(2036, 1, 1);
        f.basis.ground = Some(super::super::basis::LawfulGround::ChildInDanger);
        f.basis.reason = "Left alone".into();
        f.add_member();
        let m = &mut f.household[0];
        (m.date_of_birth, m.disability, m.disability_group) =
            (Date::new(2015, 6, 1), true, Some(DisabilityGroup::DisabledChild));
        f.prune_hidden(today);
        assert_eq!(f.household[0].disability_group, Some(DisabilityGroup::DisabledChild));
        assert_eq!(f.children(today).count(), 1);
    }
}
