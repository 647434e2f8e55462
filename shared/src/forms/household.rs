//! The household: a repeat group of members, each with identity, document, disability,
//! schooling or work, health notes and where they live now.
//!
//! Members carry a stable [`MemberKey`] so that other parts of a case (children at
//! risk, child assent) refer to a person, not to a row position that changes when the
//! caseworker reorders or removes rows. The skip logic of a member's fields (which
//! document types, which personal number, whether the disability group shows) is here
//! as functions, so the form and the validation agree on what is visible.

use serde::{Deserialize, Serialize};

use super::codes::code_list;
use crate::record::Date;

/// A member's stable key within one intake (never reused after removal).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MemberKey(pub u32);

code_list! {
    /// Sex as written in the identity document.
    Sex = "sex" {
        Female = "female",
        Male = "male",
    }
}

code_list! {
    /// Relation to the head of household.
    Relation = "relation" {
        Head = "head",
        Spouse = "spouse",
        Child = "child",
        Stepchild = "stepchild",
        Grandchild = "grandchild",
        Parent = "parent",
        Grandparent = "grandparent",
        Sibling = "sibling",
        OtherRelative = "other_relative",
        Guardian = "guardian",
        FosterChild = "foster_child",
        NotRelated = "not_related",
    }
}

code_list! {
    /// Citizenship; decides which documents and which personal number the form asks for.
    Citizenship = "citizenship" {
        Uzbekistan = "uz",
        Kazakhstan = "kz",
        Other = "other",
        Stateless = "stateless",
    }
}

code_list! {
    /// Identity document type.
    DocumentType = "document_type" {
        UzIdCard = "uz_id_card",
        UzPassport = "uz_passport",
        UzBirthCertificate = "uz_birth_certificate",
        KzIdCard = "kz_id_card",
        KzPassport = "kz_passport",
        KzBirthCertificate = "kz_birth_certificate",
        ForeignPassport = "foreign_passport",
        ResidencePermit = "residence_permit",
        StatelessCertificate = "stateless_certificate",
        NoDocument = "no_document",
    }
}

code_list! {
    /// Disability group (adults) or "disabled child" status (under 18).
    DisabilityGroup = "disability_group" {
        Group1 = "group_1",
        Group2 = "group_2",
        Group3 = "group_3",
        DisabledChild = "disabled_child",
        NotAssessed = "not_assessed",
    }
}

code_list! {
    /// Schooling or employment.
    Activity = "activity" {
        HomeUnderSchoolAge = "home_under_school_age",
        Kindergarten = "kindergarten",
        School = "school",
        College = "college",
        University = "university",
        OutOfSchool = "out_of_school",
        Employed = "employed",
        SelfEmployed = "self_employed",
        Unemployed = "unemployed",
        CaringAtHome = "caring_at_home",
        Pensioner = "pensioner",
        Other = "other",
    }
}

code_list! {
    /// Where the member lives now.
    Residence = "residence" {
        InHousehold = "in_household",
        MigrationAbroad = "migration_abroad",
        MigrationInCountry = "migration_in_country",
        Institution = "institution",
        WithRelatives = "with_relatives",
        Other = "other",
    }
}

/// Which personal number a document carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PersonalNumberKind {
    /// Uzbekistan's PINFL / ЖШШИР, 14 digits.
    Pinfl,
    /// Kazakhstan's IIN / ЖСН, 12 digits.
    Iin,
}

/// An identity document.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IdDocument {
    pub kind: Option<DocumentType>,
    /// Series and number as printed.
    pub number: String,
    /// PINFL or IIN, digits as typed (validation normalises spaces).
    pub personal_number: String,
}

/// One member of the household.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Member {
    pub key: MemberKey,
    pub full_name: String,
    pub date_of_birth: Option<Date>,
    pub sex: Option<Sex>,
    pub relation: Option<Relation>,
    pub citizenship: Option<Citizenship>,
    pub document: IdDocument,
    pub disability: bool,
    pub disability_group: Option<DisabilityGroup>,
    pub activity: Option<Activity>,
    pub health_notes: String,
    pub residence: Option<Residence>,
    /// Where and since when, when the member lives elsewhere.
    pub residence_note: String,
}

/// Document types offered for a citizenship (all of them while it is not chosen).
pub fn document_types_for(citizenship: Option<Citizenship>) -> &'static [DocumentType] {
    use DocumentType::*;
    match citizenship {
        Some(Citizenship::Uzbekistan) => &[UzIdCard, UzPassport, UzBirthCertificate, NoDocument],
        Some(Citizenship::Kazakhstan) => &[KzIdCard, KzPassport, KzBirthCertificate, NoDocument],
        Some(Citizenship::Other) => &[ForeignPassport, ResidencePermit, NoDocument],
        Some(Citizenship::Stateless) => &[StatelessCertificate, ResidencePermit, NoDocument],
        None => DocumentType::ALL,
    }
}

/// The personal number a citizen's document carries, if any: the field shows only then.
pub fn personal_number_for(citizenship: Option<Citizenship>) -> Option<PersonalNumberKind> {
    match citizenship {
        Some(Citizenship::Uzbekistan) => Some(PersonalNumberKind::Pinfl),
        Some(Citizenship::Kazakhstan) => Some(PersonalNumberKind::Iin),
        _ => None,
    }
}

/// Disability groups offered for a person of `age` (children have "disabled child"
/// status, adults a group 1–3).
pub fn disability_groups_for(age: Option<i32>) -> &'static [DisabilityGroup] {
    use DisabilityGroup::*;
    match age {
        Some(a) if a < crate::validate::ADULT_AGE => &[DisabledChild, NotAssessed],
        Some(_) => &[Group1, Group2, Group3, NotAssessed],
        None => DisabilityGroup::ALL,
    }
}

impl Member {
    /// Age in whole years on `on`, when the date of birth is known and not later.
    pub fn age_on(&self, on: Date) -> Option<i32> {
        self.date_of_birth.filter(|d| *d <= on).map(|d| d.years_until(on))
    }

    /// Whether the member is under 18 on `on` (unknown age counts as not a child).
    pub fn is_child_on(&self, on: Date) -> bool {
        self.age_on(on).is_some_and(|a| a < crate::validate::ADULT_AGE)
    }

    /// Skip logic: the document number shows once a document type other than "none" is chosen.
    pub fn shows_document_number(&self) -> bool {
        self.document.kind.is_some_and(|k| k != DocumentType::NoDocument)
    }

    /// Skip logic: the personal number (PINFL / IIN) shows for citizens of UZ and KZ
    /// who have a document.
    pub fn shows_personal_number(&self) -> Option<PersonalNumberKind> {
        personal_number_for(self.citizenship).filter(|_| self.shows_document_number())
    }

    /// Skip logic: the disability group shows only when disability is ticked.
    pub fn shows_disability_group(&self) -> bool {
        self.disability
    }

    /// Skip logic: "where and since when" shows when the member lives elsewhere.
    pub fn shows_residence_note(&self) -> bool {
        self.residence.is_some_and(|r| r != Residence::InHousehold)
    }

    /// Clears answers the form no longer shows, so stale answers are never sealed.
    pub fn prune_hidden(&mut self, today: Date) {
        if self.document.kind.is_some_and(|k| !document_types_for(self.citizenship).contains(&k)) {
            self.document.kind = None;
        }
        if !self.shows_document_number() {
            self.document.number.clear();
        }
        if self.shows_personal_number().is_none() {
            self.document.personal_number.clear();
        }
        if !self.shows_disability_group()
            || self.disability_group.is_some_and(|g| !disability_groups_for(self.age_on(today)).contains(&g))
        {
            self.disability_group = None;
        }
        if !self.shows_residence_note() {
            self.residence_note.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::new(2026, 11, 23).unwrap()
    }

    #[test]
    fn document_fields_follow_citizenship() {
        let mut m = Member { citizenship: Some(Citizenship::Kazakhstan), ..Member::default() };
        assert!(document_types_for(m.citizenship).contains(&DocumentType::KzIdCard));
        assert!(!document_types_for(m.citizenship).contains(&DocumentType::UzIdCard));
        assert_eq!(m.shows_personal_number(), None, "no document type chosen yet");
        m.document.kind = Some(DocumentType::KzIdCard);
        assert_eq!(m.shows_personal_number(), Some(PersonalNumberKind::Iin));
        m.citizenship = Some(Citizenship::Other);
        assert_eq!(m.shows_personal_number(), None);
        m.document.personal_number = "900101300123".into();
        m.prune_hidden(today());
        assert_eq!((m.document.kind, m.document.personal_number.as_str()), (None, ""));
    }

    #[test]
    fn the_disability_group_shows_only_when_disability_is_ticked_and_fits_the_age() {
        let mut m = Member {
            date_of_birth: Date::new(2015, 1, 1),
            disability_group: Some(DisabilityGroup::Group2),
            ..Member::default()
        };
        assert!(!m.shows_disability_group());
        m.disability = true;
        m.prune_hidden(today());
        assert_eq!(m.disability_group, None, "a child has no adult group");
        m.disability_group = Some(DisabilityGroup::DisabledChild);
        m.prune_hidden(today());
        assert_eq!(m.disability_group, Some(DisabilityGroup::DisabledChild));
        m.disability = false;
        m.prune_hidden(today());
        assert_eq!(m.disability_group, None);
    }
}
