//! The intake form as typed: strings straight from the inputs, turned into a
//! `shared::record::Intake` for validation and sealing. Also where a validation
//! problem's field path (`children.0.full_name`) meets the element id on the page
//! (`children-0-full_name`), so the summary can link to the field.

use shared::record::{Child, Date, Intake, RiskFactor};

/// One child as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChildDraft {
    pub full_name: String,
    /// `YYYY-MM-DD` from `<input type=date>`, or empty.
    pub date_of_birth: String,
}

/// The whole form as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IntakeDraft {
    pub family_name: String,
    /// A region code, or empty while none is chosen.
    pub region: String,
    pub children: Vec<ChildDraft>,
    pub risk_factors: Vec<RiskFactor>,
    pub assessment: String,
}

impl IntakeDraft {
    /// The record these answers make (incomplete answers become `None` / empty, and
    /// validation says what is missing).
    pub fn to_intake(&self) -> Intake {
        Intake {
            family_name: self.family_name.clone(),
            region: self.region.parse().ok(),
            children: self
                .children
                .iter()
                .map(|c| Child { full_name: c.full_name.clone(), date_of_birth: Date::parse_iso(&c.date_of_birth) })
                .collect(),
            // In the order of the form, whatever order they were ticked in.
            risk_factors: RiskFactor::ALL.iter().copied().filter(|r| self.risk_factors.contains(r)).collect(),
            assessment: self.assessment.clone(),
        }
    }
}

/// The element id of a field path: `children.0.full_name` → `children-0-full_name`.
pub fn field_id(path: &str) -> String {
    path.replace('.', "-")
}

/// The element a summary link for `path` should focus: the field itself, or the first
/// input of a group (`children`, `risk_factors`).
pub fn anchor_id(path: &str) -> String {
    match path {
        "children" => field_id("children.0.full_name"),
        "risk_factors" => risk_id(RiskFactor::ALL[0]),
        other => field_id(other),
    }
}

/// The id of a risk factor's checkbox: `risk-low_income`.
pub fn risk_id(r: RiskFactor) -> String {
    format!("risk-{}", r.code())
}

/// The label of the field a path names, as the summary shows it.
pub fn field_label_key(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or(path) {
        "family_name" => "intake.family_name",
        "region" => "intake.region",
        "children" => "intake.child",
        "full_name" => "intake.child_full_name",
        "date_of_birth" => "intake.child_date_of_birth",
        "risk_factors" => "intake.risk_factors",
        _ => "intake.assessment",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::record::Region;
    use shared::validate;

    fn today() -> Date {
        Date::new(2026, 11, 23).unwrap()
    }

    #[test]
    fn typed_answers_become_a_record_with_codes_in_form_order() {
        let draft = IntakeDraft {
            family_name: "Karimova".into(),
            region: "uz-sa".into(),
            children: vec![ChildDraft { full_name: "Aziz".into(), date_of_birth: "2016-03-01".into() }],
            risk_factors: vec![RiskFactor::SingleParent, RiskFactor::LowIncome],
            assessment: String::new(),
        };
        let intake = draft.to_intake();
        assert_eq!(intake.region, Some(Region::UzSamarkand));
        assert_eq!(intake.risk_factors, vec![RiskFactor::LowIncome, RiskFactor::SingleParent]);
        assert_eq!(intake.children[0].date_of_birth, Date::new(2016, 3, 1));
        assert!(validate::intake(&intake, today()).is_empty());
    }

    #[test]
    fn every_problem_of_an_empty_form_links_to_an_element_of_the_page() {
        let draft = IntakeDraft { children: vec![ChildDraft::default()], ..Default::default() };
        let ids: Vec<String> =
            validate::intake(&draft.to_intake(), today()).iter().map(|e| anchor_id(&e.field)).collect();
        assert_eq!(
            ids,
            ["family_name", "region", "children-0-full_name", "children-0-date_of_birth", "risk-low_income"]
        );
    }

    #[test]
    fn an_unfinished_date_or_an_unknown_region_is_missing_not_guessed() {
        let draft = IntakeDraft {
            region: "xx-00".into(),
            children: vec![ChildDraft { full_name: "A".into(), date_of_birth: "2016-02-30".into() }],
            ..Default::default()
        };
        let intake = draft.to_intake();
        assert_eq!(intake.region, None);
        assert_eq!(intake.children[0].date_of_birth, None);
    }
}
