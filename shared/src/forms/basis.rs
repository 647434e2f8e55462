//! The lawful basis an intake is processed on: the family's consent to case work, or a
//! ground the law gives for processing without it (a child in immediate danger, a duty
//! the law places on the organisation), with the caseworker's reason.
//!
//! Until one of the two exists, the intake's special-category fields (health,
//! disability, violence and substance use, the risk notes) stay closed: they are not
//! shown, [`super::intake::FamilyIntake::prune_hidden`] clears them, and
//! [`super::check::intake`] refuses them. The ground, its reason and the day of the
//! consent relied on are sealed with the intake, so a reader sees why it was processed.

use serde::{Deserialize, Serialize};

use super::codes::code_list;
use crate::record::{Date, RiskFactor};

code_list! {
    /// Why the family's data may be processed.
    LawfulGround = "lawful_ground" {
        /// The family's consent to case work, recorded on the case before the intake.
        Consent = "consent",
        /// A child's life or health is in immediate danger (no consent can wait).
        ChildInDanger = "child_in_danger",
        /// A duty the law places on the organisation (a request of the guardianship
        /// body, the court or the commission on minors).
        LegalDuty = "legal_duty",
    }
}

/// The intake's lawful basis, as sealed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProcessingBasis {
    pub ground: Option<LawfulGround>,
    /// Why the ground applies (required for every ground but consent).
    pub reason: String,
    /// For consent: the day the family consented to case work, as the case's consent
    /// state says when the intake is saved (the app fills it in; never typed).
    pub consent_of: Option<Date>,
}

impl ProcessingBasis {
    /// Skip logic: the reason shows for a ground other than consent.
    pub fn shows_reason(&self) -> bool {
        self.ground.is_some_and(|g| g != LawfulGround::Consent)
    }

    /// Whether the special-category fields may be opened: a consent to case work is on
    /// the case, or another ground is chosen with its reason written.
    pub fn opens_special_data(&self) -> bool {
        match self.ground {
            None => false,
            Some(LawfulGround::Consent) => self.consent_of.is_some(),
            Some(_) => !self.reason.trim().is_empty(),
        }
    }

    /// Clears what the chosen ground does not ask for.
    pub fn prune_hidden(&mut self) {
        if !self.shows_reason() {
            self.reason.clear();
        }
        if self.ground != Some(LawfulGround::Consent) {
            self.consent_of = None;
        }
    }
}

/// Risk factors that are special-category data (health, violence, substance use): the
/// form offers them only once the basis opens special data.
pub const SPECIAL_RISK_FACTORS: [RiskFactor; 3] =
    [RiskFactor::DisabilityOrIllness, RiskFactor::DomesticViolence, RiskFactor::SubstanceUse];

/// Whether `factor` is special-category data.
pub fn is_special_risk(factor: RiskFactor) -> bool {
    SPECIAL_RISK_FACTORS.contains(&factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_data_opens_only_with_a_consent_on_the_case_or_a_ground_with_its_reason() {
        let mut b = ProcessingBasis::default();
        assert!(!b.opens_special_data(), "nothing chosen");
        b.ground = Some(LawfulGround::Consent);
        assert!(!b.opens_special_data(), "consent chosen, none recorded yet");
        b.consent_of = Date::new(2026, 11, 2);
        assert!(b.opens_special_data());
        b.ground = Some(LawfulGround::ChildInDanger);
        b.prune_hidden();
        assert_eq!(b.consent_of, None, "a consent day belongs to the consent ground only");
        assert!(!b.opens_special_data(), "a ground without its reason");
        b.reason = "Father threatened the children tonight".into();
        assert!(b.opens_special_data());
        b.ground = Some(LawfulGround::Consent);
        b.prune_hidden();
        assert!(b.reason.is_empty(), "consent needs no written reason");
    }
}
