//! Later entries of a case: follow-ups (contacts, services delivered, referrals, plan
//! goals) and the closure with its outcome.
//!
//! A referral names a [`SharingParty`]; [`FollowUp::consent_needed`] lists the
//! permissions a follow-up needs (and [`Closure::consent_needed`] a transfer's), so the app checks them against the case's
//! [`super::consent::ConsentState`] and refuses to record a referral the family has not
//! allowed (or has withdrawn), saying why.

use serde::{Deserialize, Serialize};

use super::codes::code_list;
use super::consent::{Permission, SharingParty};
use super::intake::{Channel, Service};
use crate::record::Date;

code_list! {
    /// Where a service-plan goal stands.
    GoalStatus = "goal_status" {
        NotStarted = "not_started",
        InProgress = "in_progress",
        Achieved = "achieved",
        NotAchieved = "not_achieved",
        Dropped = "dropped",
    }
}

code_list! {
    /// Where a referral stands.
    ReferralStatus = "referral_status" {
        Sent = "sent",
        Accepted = "accepted",
        ServiceReceived = "service_received",
        Declined = "declined",
    }
}

code_list! {
    /// How a case ended.
    ClosureOutcome = "closure_outcome" {
        SituationRecovered = "situation_recovered",
        ChildReturned = "child_returned",
        Moved = "moved",
        Transferred = "transferred",
        FamilyDeclined = "family_declined",
        Other = "other",
    }
}

/// One visit or contact with the family.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Contact {
    pub date: Option<Date>,
    pub channel: Option<Channel>,
    /// Who took part (family members, other professionals).
    pub with_whom: String,
    pub notes: String,
}

/// A service delivered to the family.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceDelivered {
    pub service: Option<Service>,
    pub date: Option<Date>,
    /// Who delivered it (this organisation, an "Inson" centre, a clinic…).
    pub provider: String,
    /// Whether it came through a referral.
    pub via_referral: bool,
    pub notes: String,
}

/// A referral of the family to another party.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Referral {
    pub party: Option<SharingParty>,
    /// The organisation's name.
    pub organisation: String,
    pub service: Option<Service>,
    pub date: Option<Date>,
    pub status: Option<ReferralStatus>,
    pub notes: String,
}

/// A goal of the family's service plan.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanGoal {
    pub goal: String,
    pub service: Option<Service>,
    pub target_date: Option<Date>,
    pub status: Option<GoalStatus>,
    pub notes: String,
}

/// A follow-up entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FollowUp {
    pub date: Option<Date>,
    pub contacts: Vec<Contact>,
    pub services: Vec<ServiceDelivered>,
    pub referrals: Vec<Referral>,
    pub goals: Vec<PlanGoal>,
    pub notes: String,
}

impl FollowUp {
    /// Every permission this entry needs from the family's consent: case work always,
    /// and sharing with each party it refers to.
    pub fn consent_needed(&self) -> Vec<Permission> {
        let mut v = vec![Permission::CaseWork];
        for p in self.referrals.iter().filter_map(|r| r.party) {
            let p = Permission::Sharing(p);
            if !v.contains(&p) {
                v.push(p);
            }
        }
        v
    }
}

/// The closure of a case.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Closure {
    pub date: Option<Date>,
    pub outcome: Option<ClosureOutcome>,
    /// For a transfer: the party the case goes to (checked against the family's consent
    /// to share with it).
    pub transferred_to: Option<SharingParty>,
    /// Where the family moved or was transferred to (the receiving organisation's
    /// name), or what "other" is.
    pub outcome_note: String,
    /// How many children returned to the family (a reported indicator).
    pub children_returned: u8,
    pub notes: String,
}

impl Closure {
    /// Skip logic: the outcome note shows for "moved", "transferred" and "other".
    pub fn shows_outcome_note(&self) -> bool {
        matches!(self.outcome, Some(ClosureOutcome::Moved | ClosureOutcome::Transferred | ClosureOutcome::Other))
    }

    /// Skip logic: the receiving party shows for "transferred".
    pub fn shows_transferred_to(&self) -> bool {
        self.outcome == Some(ClosureOutcome::Transferred)
    }

    /// Every permission this closure needs from the family's consent: sharing with the
    /// party a transfer goes to.
    pub fn consent_needed(&self) -> Vec<Permission> {
        match self.transferred_to.filter(|_| self.shows_transferred_to()) {
            Some(p) => vec![Permission::Sharing(p)],
            None => Vec::new(),
        }
    }

    /// Skip logic: the returned-children count shows for "child returned to family".
    pub fn shows_children_returned(&self) -> bool {
        self.outcome == Some(ClosureOutcome::ChildReturned)
    }

    /// Clears the answers the form no longer shows (the outcome's details, the count
    /// of children returned), so a stale one is never sealed.
    pub fn prune_hidden(&mut self) {
        if !self.shows_outcome_note() {
            self.outcome_note.clear();
        }
        if !self.shows_children_returned() {
            self.children_returned = 0;
        }
        if !self.shows_transferred_to() {
            self.transferred_to = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closure_drops_details_its_outcome_does_not_ask_for() {
        let mut c = Closure {
            outcome: Some(ClosureOutcome::Moved),
            outcome_note: "Samarkand".into(),
            children_returned: 2,
            ..Closure::default()
        };
        c.prune_hidden();
        assert_eq!((c.outcome_note.as_str(), c.children_returned), ("Samarkand", 0));
        c.outcome = Some(ClosureOutcome::SituationRecovered);
        c.prune_hidden();
        assert!(c.outcome_note.is_empty());
    }

    #[test]
    fn a_follow_up_with_referrals_needs_consent_for_each_party_once() {
        let f = FollowUp {
            referrals: vec![
                Referral { party: Some(SharingParty::School), ..Referral::default() },
                Referral { party: Some(SharingParty::School), ..Referral::default() },
                Referral { party: Some(SharingParty::InsonCentre), ..Referral::default() },
            ],
            ..FollowUp::default()
        };
        assert_eq!(
            f.consent_needed(),
            vec![
                Permission::CaseWork,
                Permission::Sharing(SharingParty::School),
                Permission::Sharing(SharingParty::InsonCentre)
            ]
        );
    }
}
