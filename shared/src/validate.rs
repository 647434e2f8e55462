//! What makes a record valid: the one copy of each rule, run by the form on every
//! keystroke and on save, and nowhere else re-implemented.
//!
//! Validation needs "today" to refuse future dates; the caller passes it in, because
//! this crate reads no clock.

use serde::{Deserialize, Serialize};

use crate::record::{Date, Intake};

/// Longest free-text name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest assessment text accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 20_000;
/// Most children one intake lists.
pub const MAX_CHILDREN: usize = 30;
/// Age from which a person is no longer a child.
pub const ADULT_AGE: i32 = 18;

/// Why a field is not yet acceptable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldProblem {
    Required,
    TooLong,
    DateInFuture,
    NotAChild,
    TooMany,
}

impl FieldProblem {
    /// The stable code, for catalogs.
    pub fn code(self) -> &'static str {
        match self {
            FieldProblem::Required => "required",
            FieldProblem::TooLong => "too_long",
            FieldProblem::DateInFuture => "date_in_future",
            FieldProblem::NotAChild => "not_a_child",
            FieldProblem::TooMany => "too_many",
        }
    }

    /// The English sentence shown beside the field.
    pub fn message(self) -> &'static str {
        match self {
            FieldProblem::Required => "Fill this in.",
            FieldProblem::TooLong => "This is too long.",
            FieldProblem::DateInFuture => "The date cannot be in the future.",
            FieldProblem::NotAChild => "A child at risk must be under 18 on the intake date.",
            FieldProblem::TooMany => "Too many entries.",
        }
    }
}

/// One problem with one field, named by its path in the form (`children.0.full_name`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub problem: FieldProblem,
}

fn check_text(errors: &mut Vec<FieldError>, field: &str, value: &str, max: usize, required: bool) {
    let problem = if required && value.trim().is_empty() {
        Some(FieldProblem::Required)
    } else if value.chars().count() > max {
        Some(FieldProblem::TooLong)
    } else {
        None
    };
    if let Some(problem) = problem {
        errors.push(FieldError { field: field.to_owned(), problem });
    }
}

/// Every problem with an intake, in form order; empty when it may be saved.
pub fn intake(intake: &Intake, today: Date) -> Vec<FieldError> {
    let mut errors = Vec::new();
    check_text(&mut errors, "family_name", &intake.family_name, MAX_NAME_CHARS, true);
    if intake.region.is_none() {
        errors.push(FieldError { field: "region".into(), problem: FieldProblem::Required });
    }
    if intake.children.is_empty() {
        errors.push(FieldError { field: "children".into(), problem: FieldProblem::Required });
    } else if intake.children.len() > MAX_CHILDREN {
        errors.push(FieldError { field: "children".into(), problem: FieldProblem::TooMany });
    }
    for (i, child) in intake.children.iter().enumerate().take(MAX_CHILDREN) {
        check_text(
            &mut errors,
            &format!("children.{i}.full_name"),
            &child.full_name,
            MAX_NAME_CHARS,
            true,
        );
        let field = format!("children.{i}.date_of_birth");
        match child.date_of_birth {
            None => errors.push(FieldError { field, problem: FieldProblem::Required }),
            Some(dob) if dob > today => {
                errors.push(FieldError { field, problem: FieldProblem::DateInFuture })
            }
            Some(dob) if dob.years_until(today) >= ADULT_AGE => {
                errors.push(FieldError { field, problem: FieldProblem::NotAChild })
            }
            Some(_) => {}
        }
    }
    if intake.risk_factors.is_empty() {
        errors.push(FieldError { field: "risk_factors".into(), problem: FieldProblem::Required });
    }
    check_text(&mut errors, "assessment", &intake.assessment, MAX_TEXT_CHARS, false);
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Child, Region, RiskFactor};
    use proptest::prelude::*;

    fn today() -> Date {
        Date::new(2026, 11, 23).unwrap()
    }

    fn complete() -> Intake {
        Intake {
            family_name: "Karimova".into(),
            region: Some(Region::UzKhorezm),
            children: vec![Child { full_name: "Aziz".into(), date_of_birth: Date::new(2016, 3, 1) }],
            risk_factors: vec![RiskFactor::SingleParent],
            assessment: String::new(),
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<(&str, FieldProblem)> {
        errors.iter().map(|e| (e.field.as_str(), e.problem)).collect()
    }

    #[test]
    fn a_complete_intake_is_valid() {
        assert!(intake(&complete(), today()).is_empty());
    }

    #[test]
    fn an_empty_intake_names_every_required_field_in_form_order() {
        let errors = intake(&Intake::default(), today());
        assert_eq!(
            fields(&errors),
            vec![
                ("family_name", FieldProblem::Required),
                ("region", FieldProblem::Required),
                ("children", FieldProblem::Required),
                ("risk_factors", FieldProblem::Required),
            ]
        );
    }

    #[test]
    fn a_birth_date_in_the_future_or_of_an_adult_is_refused() {
        let mut i = complete();
        i.children[0].date_of_birth = Date::new(2027, 1, 1);
        assert_eq!(fields(&intake(&i, today())), vec![("children.0.date_of_birth", FieldProblem::DateInFuture)]);
        i.children[0].date_of_birth = Date::new(2008, 11, 23);
        assert_eq!(fields(&intake(&i, today())), vec![("children.0.date_of_birth", FieldProblem::NotAChild)]);
        i.children[0].date_of_birth = Date::new(2008, 11, 24);
        assert!(intake(&i, today()).is_empty());
    }

    #[test]
    fn whitespace_is_not_a_name_and_overlong_names_are_refused() {
        let mut i = complete();
        i.family_name = "   ".into();
        assert_eq!(fields(&intake(&i, today())), vec![("family_name", FieldProblem::Required)]);
        i.family_name = "ы".repeat(MAX_NAME_CHARS + 1);
        assert_eq!(fields(&intake(&i, today())), vec![("family_name", FieldProblem::TooLong)]);
        i.family_name = "ы".repeat(MAX_NAME_CHARS);
        assert!(intake(&i, today()).is_empty());
    }

    proptest! {
        #[test]
        fn any_name_within_limits_is_accepted(name in "\\PC{1,200}") {
            prop_assume!(!name.trim().is_empty());
            let mut i = complete();
            i.family_name = name;
            prop_assert!(intake(&i, today()).is_empty());
        }
    }
}
