//! What makes a record valid: the one copy of each rule, run by the form on every
//! keystroke and on save, and nowhere else re-implemented.
//!
//! Validation needs "today" to refuse future dates; the caller passes it in, because
//! this crate reads no clock.
//!
//! Here: the v1 intake's rules ([`intake`]) and the field-level rules every form
//! shares — dates ([`not_in_future`], [`birth_date`]), Uzbekistan's PINFL ([`pinfl`]),
//! Kazakhstan's IIN ([`iin`]) and BIN ([`tax_number`]), phone numbers ([`phone`]). The
//! full forms' rules, field by field, are in [`crate::forms::check`].

use serde::{Deserialize, Serialize};

use crate::forms::address::Country;
use crate::forms::household::Sex;
use crate::forms::v1::Intake;
use crate::record::Date;

/// Longest free-text name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest assessment text accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 20_000;
/// Most children one intake lists.
pub const MAX_CHILDREN: usize = 30;
/// Age from which a person is no longer a child.
pub const ADULT_AGE: i32 = 18;

macro_rules! problems {
    ($( $(#[$meta:meta])* $variant:ident = $code:literal : $message:literal ),* $(,)?) => {
        /// Why a field is not yet acceptable. Its catalog message is `problem-{code}`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum FieldProblem { $( $(#[$meta])* $variant ),* }

        impl FieldProblem {
            /// Every problem, for catalogs and tests.
            pub const ALL: &'static [FieldProblem] = &[ $( FieldProblem::$variant ),* ];

            /// The stable code, for catalogs.
            pub fn code(self) -> &'static str {
                match self { $( FieldProblem::$variant => $code ),* }
            }

            /// The English sentence shown beside the field (the catalogs translate
            /// `problem-{code}`).
            pub fn message(self) -> &'static str {
                match self { $( FieldProblem::$variant => $message ),* }
            }

            /// The catalog key of the sentence (`problem-required`).
            pub fn message_key(self) -> String {
                format!("problem-{}", self.code())
            }
        }
    };
}

problems! {
    Required = "required": "Fill this in.",
    TooLong = "too_long": "This is too long.",
    DateInFuture = "date_in_future": "The date cannot be in the future.",
    NotAChild = "not_a_child": "A child at risk must be under 18 on the intake date.",
    TooMany = "too_many": "Too many entries.",
    /// A date of birth more than [`MAX_AGE`] years ago.
    AgeImplausible = "age_implausible": "This date of birth gives an implausible age; check the year.",
    /// A date before another date it must follow (expiry before signing, …).
    DateBeforeStart = "date_before_start": "This date must come after the start date.",
    PinflFormat = "pinfl_format": "A PINFL has 14 digits.",
    PinflInvalid = "pinfl_invalid": "This is not a valid PINFL: its first digit or its date of birth part is wrong.",
    PinflMismatch = "pinfl_mismatch": "The PINFL does not match the date of birth or sex entered.",
    IinFormat = "iin_format": "An IIN has 12 digits.",
    IinChecksum = "iin_checksum": "This IIN's check digit is wrong; check for a mistyped digit.",
    IinInvalid = "iin_invalid": "This is not a valid IIN: its date of birth or century digit is wrong.",
    IinMismatch = "iin_mismatch": "The IIN does not match the date of birth or sex entered.",
    PhoneFormat = "phone_format": "Enter a phone number as +998 and 9 digits, or +7 and 10 digits.",
    TaxNumberFormat = "tax_number_format": "A STIR has 9 digits; a BIN has 12 digits with a valid check digit.",
    Duplicate = "duplicate": "This is listed twice.",
    /// More than one head of household.
    OneHeadOnly = "one_head_only": "Only one member can be the head of the household.",
    /// A reference to a household member who is no longer listed.
    UnknownMember = "unknown_member": "This person is no longer in the household list.",
    SignatureInvalid = "signature_invalid": "The signature could not be read; ask the person to sign again.",
    /// Special data (health, private life, violence) needs a signed consent.
    SignatureRequired = "signature_required": "Special data (health, private life, violence) needs a signature, drawn or on paper.",
    ScanRequired = "scan_required": "Attach the scan of the signed paper form.",
    FileTooLarge = "file_too_large": "The file is too large.",
    /// An action the family's consent does not allow now.
    ConsentMissing = "consent_missing": "The family's consent does not allow this now.",
    RetentionInvalid = "retention_invalid": "The retention period must be between 1 and 75 years.",
    /// An intake resting on consent before the case has a consent to case work.
    ConsentFirst = "consent_first": "Record the family's consent to case work first, or choose the legal basis that allows work without it.",
    /// A special-category answer while neither a consent nor a legal basis is recorded.
    SpecialDataClosed = "special_data_closed": "Health, disability and violence details need the family's consent or a recorded legal basis first.",
    /// Sharing with another organisation needs its name.
    OrganisationRequired = "organisation_required": "Name the organisation the family agrees to share with.",
    /// An organisation setting: the child assent age outside 5..=17.
    AssentAgeInvalid = "assent_age_invalid": "The child assent age must be between 5 and 17.",
}

/// One problem with one field, named by its path in the form: `children.0.full_name` in
/// the v1 intake, `household[2].document.number` in the full forms
/// ([`crate::forms::check`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub problem: FieldProblem,
}

impl FieldError {
    /// The catalog key naming the field in the error summary (`field-household-sex`).
    pub fn field_label_key(&self) -> String {
        crate::forms::check::field_label_key(&self.field)
    }
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
        check_text(&mut errors, &format!("children.{i}.full_name"), &child.full_name, MAX_NAME_CHARS, true);
        let field = format!("children.{i}.date_of_birth");
        match child.date_of_birth {
            None => errors.push(FieldError { field, problem: FieldProblem::Required }),
            Some(dob) if dob > today => errors.push(FieldError { field, problem: FieldProblem::DateInFuture }),
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

/// Oldest plausible age of a living person, in years.
pub const MAX_AGE: i32 = 120;

/// A date that must not be later than `today`.
pub fn not_in_future(date: Date, today: Date) -> Result<(), FieldProblem> {
    if date > today {
        Err(FieldProblem::DateInFuture)
    } else {
        Ok(())
    }
}

/// A date of birth: not in the future, and not more than [`MAX_AGE`] years ago.
pub fn birth_date(dob: Date, today: Date) -> Result<(), FieldProblem> {
    not_in_future(dob, today)?;
    if dob.years_until(today) > MAX_AGE {
        return Err(FieldProblem::AgeImplausible);
    }
    Ok(())
}

/// Digits of an identifier as typed, with the spaces and hyphens people put in them
/// removed; `None` if anything else is in it.
fn digits(input: &str) -> Option<Vec<u8>> {
    input.chars().filter(|c| !matches!(c, ' ' | '-' | '\u{a0}')).map(|c| c.to_digit(10).map(|d| d as u8)).collect()
}

fn number(d: &[u8]) -> u16 {
    d.iter().fold(0u16, |n, &x| n * 10 + u16::from(x))
}

/// Century and sex from the digit both numbers use for them: 1/2 → 1800s, 3/4 → 1900s,
/// 5/6 → 2000s; odd is male, even is female.
fn century_and_sex(digit: u8) -> Option<(u16, Sex)> {
    let century = match digit {
        1 | 2 => 1800,
        3 | 4 => 1900,
        5 | 6 => 2000,
        _ => return None,
    };
    Some((century, if digit % 2 == 1 { Sex::Male } else { Sex::Female }))
}

fn matches_person(born: Date, sex: Sex, dob: Option<Date>, who: Option<Sex>) -> bool {
    dob.is_none_or(|d| d == born) && who.is_none_or(|s| s == sex)
}

/// What a PINFL says about its holder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pinfl {
    /// The 14 digits.
    pub digits: String,
    pub date_of_birth: Date,
    pub sex: Sex,
}

/// Uzbekistan's personal identification number (PINFL, ЖШШИР): 14 digits.
///
/// Structure checked: digit 1 is century and sex (1–6, as in [`century_and_sex`]);
/// digits 2–7 are the date of birth as DDMMYY and must be a real date; digits 8–10 (the
/// issuing district), 11–13 (a serial number) and 14 (a check digit) are not checked,
/// because the check digit's algorithm is not published by the issuer and refusing a
/// genuine PINFL would stop a family's enrolment. Where the date of birth or the sex is
/// known, they must agree with the number.
pub fn pinfl(input: &str, dob: Option<Date>, sex: Option<Sex>) -> Result<Pinfl, FieldProblem> {
    let d = digits(input).filter(|d| d.len() == 14).ok_or(FieldProblem::PinflFormat)?;
    let (century, holder_sex) = century_and_sex(d[0]).ok_or(FieldProblem::PinflInvalid)?;
    let born = Date::new(century + number(&d[5..7]), number(&d[3..5]) as u8, number(&d[1..3]) as u8)
        .ok_or(FieldProblem::PinflInvalid)?;
    if !matches_person(born, holder_sex, dob, sex) {
        return Err(FieldProblem::PinflMismatch);
    }
    Ok(Pinfl { digits: d.iter().map(|x| char::from(b'0' + x)).collect(), date_of_birth: born, sex: holder_sex })
}

/// The check digit of an IIN or BIN (the 12th), from the first 11: weights 1…11, sum
/// mod 11; if that is 10, weights 3…11, 1, 2; if that is 10 again, no number is issued
/// with these digits (`None`).
pub fn kz_check_digit(first11: &[u8]) -> Option<u8> {
    const W1: [u32; 11] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    const W2: [u32; 11] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];
    let sum = |w: &[u32; 11]| first11.iter().zip(w).map(|(&d, &w)| u32::from(d) * w).sum::<u32>() % 11;
    match sum(&W1) {
        10 => match sum(&W2) {
            10 => None,
            c => Some(c as u8),
        },
        c => Some(c as u8),
    }
}

/// What an IIN says about its holder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Iin {
    /// The 12 digits.
    pub digits: String,
    /// `None` when the century digit is 0 (issued to some foreign residents without it).
    pub date_of_birth: Option<Date>,
    pub sex: Option<Sex>,
}

/// Kazakhstan's individual identification number (IIN, ЖСН): 12 digits.
///
/// Structure checked: digits 1–6 are the date of birth as YYMMDD; digit 7 is century and
/// sex (1–6 as in [`century_and_sex`], or 0 where they are not encoded, then only day
/// and month are checked); digits 8–11 are a registration number; digit 12 is the
/// check digit ([`kz_check_digit`]). Where the date of birth or the sex is known, they
/// must agree with the number.
pub fn iin(input: &str, dob: Option<Date>, sex: Option<Sex>) -> Result<Iin, FieldProblem> {
    let d = digits(input).filter(|d| d.len() == 12).ok_or(FieldProblem::IinFormat)?;
    if kz_check_digit(&d[..11]) != Some(d[11]) {
        return Err(FieldProblem::IinChecksum);
    }
    let (yy, mm, dd) = (number(&d[0..2]), number(&d[2..4]) as u8, number(&d[4..6]) as u8);
    let digits: String = d.iter().map(|x| char::from(b'0' + x)).collect();
    if d[6] == 0 {
        // 2000 is a leap year, so 29 February passes when the century is unknown.
        Date::new(2000, mm, dd).ok_or(FieldProblem::IinInvalid)?;
        let agrees = dob.is_none_or(|b| b.to_string()[2..] == format!("{yy:02}-{mm:02}-{dd:02}"));
        return if agrees {
            Ok(Iin { digits, date_of_birth: None, sex: None })
        } else {
            Err(FieldProblem::IinMismatch)
        };
    }
    let (century, holder_sex) = century_and_sex(d[6]).ok_or(FieldProblem::IinInvalid)?;
    let born = Date::new(century + yy, mm, dd).ok_or(FieldProblem::IinInvalid)?;
    if !matches_person(born, holder_sex, dob, sex) {
        return Err(FieldProblem::IinMismatch);
    }
    Ok(Iin { digits, date_of_birth: Some(born), sex: Some(holder_sex) })
}

/// An organisation's tax number: Uzbekistan's STIR (9 digits) or Kazakhstan's BIN
/// (12 digits, the same check digit as the IIN). Returns the digits.
pub fn tax_number(input: &str, country: Country) -> Result<String, FieldProblem> {
    let d = digits(input).ok_or(FieldProblem::TaxNumberFormat)?;
    let ok = match country {
        Country::Uzbekistan => d.len() == 9,
        Country::Kazakhstan => d.len() == 12 && kz_check_digit(&d[..11]) == Some(d[11]),
    };
    if !ok {
        return Err(FieldProblem::TaxNumberFormat);
    }
    Ok(d.iter().map(|x| char::from(b'0' + x)).collect())
}

/// A phone number normalised to E.164 (`+998901234567`).
///
/// Spaces, hyphens, dots and parentheses are ignored. Accepted: `+998` and 9 digits
/// (also written `998…` or as the 9 national digits); `+7` and 10 digits (also `7…` or
/// `8…` with 11 digits, or the 10 national digits). A number with another country code
/// (a parent working abroad) is accepted as written when it has 8–15 digits after `+`.
pub fn phone(input: &str) -> Result<String, FieldProblem> {
    let trimmed = input.trim();
    let (plus, rest) = match trimmed.strip_prefix('+') {
        Some(r) => (true, r),
        None => (false, trimmed),
    };
    let d: String = rest.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{a0}')).collect();
    if d.is_empty() || !d.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FieldProblem::PhoneFormat);
    }
    let e164 = match (plus, d.len()) {
        (_, 12) if d.starts_with("998") => format!("+{d}"),
        (_, 11) if d.starts_with('7') => format!("+{d}"),
        (false, 11) if d.starts_with('8') => format!("+7{}", &d[1..]),
        (false, 9) => format!("+998{d}"),
        (false, 10) => format!("+7{d}"),
        (true, _) if d.starts_with("998") || d.starts_with('7') => return Err(FieldProblem::PhoneFormat),
        (true, 8..=15) if !d.starts_with('0') => format!("+{d}"),
        _ => return Err(FieldProblem::PhoneFormat),
    };
    Ok(e164)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::v1::Child;
    use crate::record::{Region, RiskFactor};
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

#[cfg(test)]
mod identifier_tests {
    //! Personal numbers, phones and dates: worked examples, then properties over every
    //! date, sex and serial a number can carry.

    use super::*;
    use proptest::prelude::*;

    fn d(y: u16, m: u8, day: u8) -> Date {
        Date::new(y, m, day).unwrap()
    }

    fn today() -> Date {
        d(2026, 11, 23)
    }

    #[test]
    fn an_iin_is_checked_by_its_check_digit_and_read_for_birth_date_and_sex() {
        // Check digits computed independently of this code (weights 1..11 mod 11).
        let read = iin("900101 400122", None, None).unwrap();
        assert_eq!(
            (read.digits.as_str(), read.date_of_birth, read.sex),
            ("900101400122", Some(d(1990, 1, 1)), Some(Sex::Female))
        );
        assert_eq!(iin("150301500128", Some(d(2015, 3, 1)), Some(Sex::Male)).unwrap().sex, Some(Sex::Male));
        assert_eq!(super::iin("900101400123", None, None), Err(FieldProblem::IinChecksum));
        assert_eq!(super::iin("90010140012", None, None), Err(FieldProblem::IinFormat));
        assert_eq!(super::iin("9001014001a2", None, None), Err(FieldProblem::IinFormat));
        assert_eq!(super::iin("900101400122", Some(d(1990, 1, 2)), None), Err(FieldProblem::IinMismatch));
        assert_eq!(super::iin("900101400122", None, Some(Sex::Male)), Err(FieldProblem::IinMismatch));
    }

    #[test]
    fn the_second_weight_sequence_is_used_when_the_first_gives_ten() {
        // Digits whose first weighted sum is 10 mod 11.
        let first11 = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0];
        assert_eq!(first11.iter().zip(1..=11u32).map(|(&x, w)| u32::from(x) * w).sum::<u32>() % 11, 10);
        assert_eq!(kz_check_digit(&first11), Some(1), "second weights: 1 × 1 = 1");
        // Both sums 10: no number is issued with these digits.
        let none = (0..10u32.pow(6)).map(|n| {
            let mut a = [0u8; 11];
            let mut k = n;
            for slot in a.iter_mut().rev().take(6) {
                *slot = (k % 10) as u8;
                k /= 10;
            }
            a
        });
        assert!(none.into_iter().any(|a| kz_check_digit(&a).is_none()));
    }

    #[test]
    fn a_pinfl_is_read_for_birth_date_and_sex() {
        let p = pinfl("3 150785 542 001 6", None, None).unwrap();
        assert_eq!((p.date_of_birth, p.sex), (d(1985, 7, 15), Sex::Male));
        assert_eq!(super::pinfl("61503155420016", None, None).unwrap().sex, Sex::Female);
        assert_eq!(super::pinfl("7150785542001", None, None), Err(FieldProblem::PinflFormat));
        assert_eq!(super::pinfl("71507855420016", None, None), Err(FieldProblem::PinflInvalid));
        assert_eq!(super::pinfl("33102855420016", None, None), Err(FieldProblem::PinflInvalid), "31.02 is no date");
        assert_eq!(super::pinfl("31507855420016", Some(d(1985, 7, 16)), None), Err(FieldProblem::PinflMismatch));
    }

    #[test]
    fn phones_are_normalised_from_the_ways_people_write_them() {
        for (typed, e164) in [
            ("+998 (90) 123-45-67", "+998901234567"),
            ("998901234567", "+998901234567"),
            ("90 123 45 67", "+998901234567"),
            ("+7 701 123 45 67", "+77011234567"),
            ("8 (701) 123-45-67", "+77011234567"),
            ("7011234567", "+77011234567"),
            ("+82 10 1234 5678", "+821012345678"),
        ] {
            assert_eq!(phone(typed).as_deref(), Ok(e164), "{typed}");
        }
        for bad in
            ["", "+998 90 123 45", "+998 90 123 45 678", "+7 701 123 45", "12345", "+998 9O 123 45 67", "+0123456789"]
        {
            assert_eq!(phone(bad), Err(FieldProblem::PhoneFormat), "{bad:?}");
        }
    }

    #[test]
    fn a_bin_needs_its_check_digit_and_a_stir_nine_digits() {
        assert_eq!(tax_number("201 234 567", Country::Uzbekistan).as_deref(), Ok("201234567"));
        assert!(tax_number("20123456", Country::Uzbekistan).is_err());
        // 12 digits with a valid check digit (same algorithm as the IIN).
        assert!(tax_number("900101400122", Country::Kazakhstan).is_ok());
        assert!(tax_number("900101400121", Country::Kazakhstan).is_err());
    }

    fn any_birth() -> impl Strategy<Value = Date> {
        (1900u16..=2099, 1u8..=12, 1u8..=31).prop_filter_map("a real date", |(y, m, d)| Date::new(y, m, d))
    }

    fn any_sex() -> impl Strategy<Value = Sex> {
        prop_oneof![Just(Sex::Female), Just(Sex::Male)]
    }

    fn century_digit(born: Date, sex: Sex) -> u8 {
        let year: u16 = born.to_string()[..4].parse().unwrap();
        let base = match year {
            1800..=1899 => 1,
            1900..=1999 => 3,
            _ => 5,
        };
        base + u8::from(sex == Sex::Female)
    }

    fn make_iin(born: Date, sex: Sex, serial: u16) -> Option<String> {
        let iso = born.to_string();
        let mut s = format!("{}{}{}{}{:04}", &iso[2..4], &iso[5..7], &iso[8..10], century_digit(born, sex), serial);
        let digits: Vec<u8> = s.bytes().map(|b| b - b'0').collect();
        s.push(char::from(b'0' + kz_check_digit(&digits)?));
        Some(s)
    }

    proptest! {
        #[test]
        fn every_iin_built_by_the_rules_is_accepted_and_read_back(born in any_birth(), sex in any_sex(), serial in 0u16..10_000) {
            if let Some(s) = make_iin(born, sex, serial) {
                let read = iin(&s, Some(born), Some(sex)).unwrap();
                prop_assert_eq!(read.date_of_birth, Some(born));
                prop_assert_eq!(read.sex, Some(sex));
            }
        }

        #[test]
        fn an_iin_with_any_other_check_digit_is_refused(born in any_birth(), sex in any_sex(), serial in 0u16..10_000, delta in 1u8..10) {
            if let Some(mut s) = make_iin(born, sex, serial) {
                let last = s.pop().unwrap() as u8 - b'0';
                s.push(char::from(b'0' + (last + delta) % 10));
                prop_assert_eq!(iin(&s, None, None), Err(FieldProblem::IinChecksum));
            }
        }

        #[test]
        fn every_pinfl_built_by_the_rules_is_accepted_and_a_wrong_sex_is_named(
            born in any_birth(), sex in any_sex(), rest in 0u32..10_000_000
        ) {
            let iso = born.to_string();
            let s = format!("{}{}{}{}{:07}", century_digit(born, sex), &iso[8..10], &iso[5..7], &iso[2..4], rest);
            let p = pinfl(&s, Some(born), Some(sex)).unwrap();
            prop_assert_eq!((p.date_of_birth, p.sex), (born, sex));
            let other = if sex == Sex::Male { Sex::Female } else { Sex::Male };
            prop_assert_eq!(pinfl(&s, None, Some(other)), Err(FieldProblem::PinflMismatch));
        }

        #[test]
        fn identifiers_never_panic_on_any_text(s in "\\PC{0,40}") {
            let _ = iin(&s, None, None);
            let _ = pinfl(&s, None, None);
            let _ = phone(&s);
            let _ = tax_number(&s, Country::Kazakhstan);
        }

        #[test]
        fn any_uzbek_or_kazakh_number_however_spaced_normalises_the_same(
            uz in "[0-9]{9}", kz in "[0-9]{10}", sep in prop_oneof![Just(""), Just(" "), Just("-"), Just(" - ")]
        ) {
            let spaced = |d: &str| d.chars().map(|c| c.to_string()).collect::<Vec<_>>().join(sep);
            let a = phone(&format!("+998{}", spaced(&uz))).unwrap();
            prop_assert_eq!(&a, &format!("+998{uz}"));
            prop_assert_eq!(phone(&a).unwrap(), a.clone());
            let b = phone(&format!("+7 {}", spaced(&kz))).unwrap();
            prop_assert_eq!(&b, &format!("+7{kz}"));
            prop_assert_eq!(phone(&b).unwrap(), b.clone());
        }

        #[test]
        fn a_birth_date_is_accepted_exactly_when_it_is_past_and_within_a_lifetime(born in any_birth()) {
            let ok = born <= today() && born.years_until(today()) <= MAX_AGE;
            prop_assert_eq!(birth_date(born, today()).is_ok(), ok);
            if born > today() {
                prop_assert_eq!(birth_date(born, today()), Err(FieldProblem::DateInFuture));
            }
        }
    }
}
