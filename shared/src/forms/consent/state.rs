//! A case's current consent: its consent entries folded, oldest first, into where each
//! permission stands ([`ConsentState`]), and the answer to "may we do X on this
//! day?" ([`ConsentState::allows`]) with the reason when not ([`Refusal`]).
//!
//! The entries themselves, and what a form may hold, are in the parent module.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::{ConsentEntry, ConsentKind, Permission};
use crate::record::Date;

/// Where a permission stands now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Standing {
    Granted { since: Date, until: Option<Date> },
    Refused { on: Date },
    Withdrawn { on: Date },
}

/// Why an action is not allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalReason {
    /// No consent entry answers it.
    NotAsked,
    /// The family said no.
    Refused,
    /// The family withdrew it.
    Withdrawn,
    /// The consent that granted it expired.
    Expired,
}

/// The answer to "may we do this?" when it is no.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// What was asked for.
    pub permission: Permission,
    /// The permission that is missing (case work, when sharing is asked while case work
    /// is withdrawn).
    pub missing: Permission,
    pub reason: RefusalReason,
    /// When it was refused, withdrawn or expired.
    pub since: Option<Date>,
}

impl Refusal {
    /// The catalog message explaining it (args: `$permission` label, `$date` dd.mm.yyyy).
    pub fn message_key(&self) -> &'static str {
        match self.reason {
            RefusalReason::NotAsked => "consent-refusal-not_asked",
            RefusalReason::Refused => "consent-refusal-refused",
            RefusalReason::Withdrawn => "consent-refusal-withdrawn",
            RefusalReason::Expired => "consent-refusal-expired",
        }
    }
}

/// The current consent of a case, folded from its consent entries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConsentState {
    standing: BTreeMap<Permission, Standing>,
}

impl ConsentState {
    /// Folds a case's consent entries, oldest first by date (entries of the same date
    /// keep the order given, which is the case chain's order). Entries without a date
    /// are drafts and are ignored. Later answers replace earlier ones per permission;
    /// a withdrawal only withdraws (a "yes" inside a withdrawal grants nothing).
    pub fn from_entries<'a>(entries: impl IntoIterator<Item = &'a ConsentEntry>) -> Self {
        let mut dated: Vec<(Date, &ConsentEntry)> =
            entries.into_iter().filter_map(|e| e.date.map(|d| (d, e))).collect();
        dated.sort_by_key(|(d, _)| *d);
        let mut state = ConsentState::default();
        for (date, e) in dated {
            if e.kind == ConsentKind::Withdrawn {
                let withdrawn: Vec<Permission> = if e.withdraw_all {
                    state.standing.keys().copied().collect()
                } else {
                    e.decisions.iter().filter(|d| d.granted == Some(false)).map(|d| d.permission).collect()
                };
                for p in withdrawn {
                    if matches!(state.standing.get(&p), Some(Standing::Granted { .. })) {
                        state.standing.insert(p, Standing::Withdrawn { on: date });
                    }
                }
                continue;
            }
            for d in &e.decisions {
                let standing = match d.granted {
                    Some(true) => Standing::Granted { since: date, until: e.expires_on },
                    Some(false) => Standing::Refused { on: date },
                    None => continue,
                };
                state.standing.insert(d.permission, standing);
            }
        }
        state
    }

    /// Where `permission` stands (`None`: never asked).
    pub fn standing(&self, permission: Permission) -> Option<Standing> {
        self.standing.get(&permission).copied()
    }

    fn check_one(&self, asked: Permission, p: Permission, today: Date) -> Result<(), Refusal> {
        let refuse = |reason, since| Err(Refusal { permission: asked, missing: p, reason, since });
        match self.standing(p) {
            None => refuse(RefusalReason::NotAsked, None),
            Some(Standing::Refused { on }) => refuse(RefusalReason::Refused, Some(on)),
            Some(Standing::Withdrawn { on }) => refuse(RefusalReason::Withdrawn, Some(on)),
            Some(Standing::Granted { until: Some(end), .. }) if today >= end => {
                refuse(RefusalReason::Expired, Some(end))
            }
            Some(Standing::Granted { .. }) => Ok(()),
        }
    }

    /// Whether `permission` is allowed on `today`, and why not. Every purpose other
    /// than case work also needs case work to be allowed.
    pub fn allows(&self, permission: Permission, today: Date) -> Result<(), Refusal> {
        if permission != Permission::CaseWork {
            self.check_one(permission, Permission::CaseWork, today)?;
        }
        self.check_one(permission, permission, today)
    }

    /// Whether the family is counted in anonymised report figures.
    pub fn counts_in_reports(&self, today: Date) -> bool {
        self.allows(Permission::AnonymisedReports, today).is_ok()
    }

    /// The day the family consented to case work, while that consent stands on
    /// `today`: what an intake resting on consent records ([`crate::forms::basis`]).
    pub fn case_work_since(&self, today: Date) -> Option<Date> {
        match (self.allows(Permission::CaseWork, today), self.standing(Permission::CaseWork)) {
            (Ok(()), Some(Standing::Granted { since, .. })) => Some(since),
            _ => None,
        }
    }

    /// The earliest day a granted permission stops holding, when that is within
    /// `within_days` of `today` (and not yet past): the consent to renew soon. Case
    /// work's expiry is what stops everything, but any purpose expiring is worth a
    /// renewal, so the earliest of them counts.
    pub fn expiring_within(&self, today: Date, within_days: i64) -> Option<Date> {
        self.standing
            .values()
            .filter_map(|s| match s {
                Standing::Granted { until: Some(end), .. } if *end > today => Some(*end),
                _ => None,
            })
            .filter(|end| today.days_until(*end) <= within_days)
            .min()
    }

    /// Every permission with its standing, in form order (for the case's consent panel);
    /// one country's local body only once the family answered about it.
    pub fn summary(&self) -> Vec<(Permission, Option<Standing>)> {
        Permission::all()
            .into_iter()
            .map(|p| (p, self.standing(p)))
            .filter(|(p, st)| st.is_some() || !matches!(p, Permission::Sharing(party) if party.only_in().is_some()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::consent::SharingParty;

    fn d(y: u16, m: u8, day: u8) -> Date {
        Date::new(y, m, day).unwrap()
    }

    fn given(on: Date) -> ConsentEntry {
        let mut e = ConsentEntry::new(ConsentKind::Given);
        e.date = Some(on);
        for p in Permission::all() {
            e.set(p, Some(true));
        }
        e.set(Permission::Sharing(SharingParty::Police), Some(false));
        e.expires_on = Some(d(2029, 1, 1));
        e
    }

    #[test]
    fn a_referral_to_a_party_the_family_refused_is_refused_with_the_reason() {
        let s = ConsentState::from_entries([&given(d(2026, 1, 10))]);
        let today = d(2026, 11, 23);
        assert_eq!(s.allows(Permission::Sharing(SharingParty::School), today), Ok(()));
        let r = s.allows(Permission::Sharing(SharingParty::Police), today).unwrap_err();
        assert_eq!((r.reason, r.since), (RefusalReason::Refused, Some(d(2026, 1, 10))));
        assert_eq!(r.message_key(), "consent-refusal-refused");
    }

    #[test]
    fn a_later_withdrawal_stops_the_purpose_from_its_date_and_says_so() {
        let mut w = ConsentEntry::new(ConsentKind::Withdrawn);
        w.date = Some(d(2026, 6, 1));
        w.set(Permission::PhotosAudio, Some(false));
        let s = ConsentState::from_entries([&w, &given(d(2026, 1, 10))]);
        let today = d(2026, 11, 23);
        let r = s.allows(Permission::PhotosAudio, today).unwrap_err();
        assert_eq!((r.reason, r.since), (RefusalReason::Withdrawn, Some(d(2026, 6, 1))));
        assert!(s.counts_in_reports(today), "other purposes stand");
    }

    #[test]
    fn withdrawing_case_work_or_everything_stops_every_sharing() {
        let today = d(2026, 11, 23);
        let mut w = ConsentEntry::new(ConsentKind::Withdrawn);
        w.date = Some(d(2026, 6, 1));
        w.set(Permission::CaseWork, Some(false));
        let s = ConsentState::from_entries([&given(d(2026, 1, 10)), &w]);
        let r = s.allows(Permission::Sharing(SharingParty::Mahalla), today).unwrap_err();
        assert_eq!((r.missing, r.reason), (Permission::CaseWork, RefusalReason::Withdrawn));

        let mut all = ConsentEntry::new(ConsentKind::Withdrawn);
        all.date = Some(d(2026, 6, 1));
        all.withdraw_all = true;
        let s = ConsentState::from_entries([&given(d(2026, 1, 10)), &all]);
        assert!(Permission::all().into_iter().all(|p| s.allows(p, today).is_err()));
        // The police sharing was refused, not withdrawn: the history stays true.
        assert_eq!(
            s.standing(Permission::Sharing(SharingParty::Police)),
            Some(Standing::Refused { on: d(2026, 1, 10) })
        );
    }

    #[test]
    fn a_withdrawal_grants_nothing_and_a_renewal_restores() {
        let today = d(2026, 11, 23);
        let mut w = ConsentEntry::new(ConsentKind::Withdrawn);
        w.date = Some(d(2026, 2, 1));
        w.set(Permission::Public, Some(false));
        w.set(Permission::Sharing(SharingParty::Police), Some(true));
        let mut renew = ConsentEntry::new(ConsentKind::Renewed);
        renew.date = Some(d(2026, 3, 1));
        renew.set(Permission::Public, Some(true));
        let s = ConsentState::from_entries([&given(d(2026, 1, 10)), &w]);
        assert!(s.allows(Permission::Sharing(SharingParty::Police), today).is_err());
        assert!(s.allows(Permission::Public, today).is_err());
        let s = ConsentState::from_entries([&given(d(2026, 1, 10)), &w, &renew]);
        assert_eq!(s.allows(Permission::Public, today), Ok(()));
    }

    #[test]
    fn a_consent_expiring_within_thirty_days_is_flagged_and_not_before_or_after() {
        let s = ConsentState::from_entries([&given(d(2026, 1, 10))]);
        assert_eq!(s.expiring_within(d(2028, 12, 1), 30), None, "31 days left");
        assert_eq!(s.expiring_within(d(2028, 12, 2), 30), Some(d(2029, 1, 1)), "30 days left");
        assert_eq!(s.expiring_within(d(2028, 12, 31), 30), Some(d(2029, 1, 1)), "the last day");
        assert_eq!(s.expiring_within(d(2029, 1, 1), 30), None, "expired: a refusal says so, not a warning");
        let mut w = ConsentEntry::new(ConsentKind::Withdrawn);
        w.date = Some(d(2026, 6, 1));
        w.withdraw_all = true;
        let s = ConsentState::from_entries([&given(d(2026, 1, 10)), &w]);
        assert_eq!(s.expiring_within(d(2028, 12, 31), 30), None, "nothing withdrawn expires");
        assert_eq!(s.case_work_since(d(2028, 12, 31)), None, "case work withdrawn");
        let s = ConsentState::from_entries([&given(d(2026, 1, 10))]);
        assert_eq!(s.case_work_since(d(2028, 12, 31)), Some(d(2026, 1, 10)));
        assert_eq!(s.case_work_since(d(2029, 1, 1)), None, "expired");
    }

    #[test]
    fn consent_expires_on_its_expiry_date_and_unasked_purposes_are_not_allowed() {
        let s = ConsentState::from_entries([&given(d(2026, 1, 10))]);
        assert!(s.allows(Permission::CaseWork, d(2028, 12, 31)).is_ok());
        let r = s.allows(Permission::CaseWork, d(2029, 1, 1)).unwrap_err();
        assert_eq!((r.reason, r.since), (RefusalReason::Expired, Some(d(2029, 1, 1))));
        let none = ConsentState::from_entries([]);
        assert_eq!(none.allows(Permission::CaseWork, d(2026, 1, 1)).unwrap_err().reason, RefusalReason::NotAsked);
    }
}
