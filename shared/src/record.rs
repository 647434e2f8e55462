//! The calendar [`Date`] every form uses, and the two code lists the first app's
//! record introduced and the full forms kept ([`Region`], [`RiskFactor`]).
//!
//! Coded answers are language-neutral codes, so a record filled in one language reads
//! in any other. What is sealed today is a [`crate::forms::CaseDocument`]; the first
//! app's document (schema 1) is in [`crate::forms::v1`], read-only.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Declares a closed list of language-neutral codes with their English labels.
macro_rules! code_list {
    ($(#[$meta:meta])* $name:ident { $( $variant:ident = $code:literal : $label:literal ),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name { $( #[serde(rename = $code)] $variant ),* }

        impl $name {
            /// Every code, in display order.
            pub const ALL: &'static [$name] = &[ $( $name::$variant ),* ];

            /// The stored code.
            pub fn code(self) -> &'static str {
                match self { $( $name::$variant => $code ),* }
            }

            /// The English label.
            pub fn label(self) -> &'static str {
                match self { $( $name::$variant => $label ),* }
            }
        }

        impl FromStr for $name {
            type Err = ();
            fn from_str(s: &str) -> Result<Self, ()> {
                match s { $( $code => Ok($name::$variant), )* _ => Err(()) }
            }
        }
    };
}

code_list! {
    /// Region (Uzbekistan: viloyat; Kazakhstan: oblys), and cities of republican status.
    Region {
        UzKarakalpakstan = "uz-qr": "Republic of Karakalpakstan",
        UzAndijan = "uz-an": "Andijan region",
        UzBukhara = "uz-bu": "Bukhara region",
        UzFergana = "uz-fa": "Fergana region",
        UzJizzakh = "uz-ji": "Jizzakh region",
        UzKashkadarya = "uz-qa": "Kashkadarya region",
        UzKhorezm = "uz-xo": "Khorezm region",
        UzNamangan = "uz-ng": "Namangan region",
        UzNavoi = "uz-nw": "Navoi region",
        UzSamarkand = "uz-sa": "Samarkand region",
        UzSirdarya = "uz-si": "Sirdarya region",
        UzSurkhandarya = "uz-su": "Surkhandarya region",
        UzTashkentRegion = "uz-to": "Tashkent region",
        UzTashkentCity = "uz-tk": "Tashkent city",
        KzAbai = "kz-10": "Abai region",
        KzAkmola = "kz-11": "Akmola region",
        KzAktobe = "kz-15": "Aktobe region",
        KzAlmatyRegion = "kz-19": "Almaty region",
        KzAtyrau = "kz-23": "Atyrau region",
        KzWestKazakhstan = "kz-27": "West Kazakhstan region",
        KzJambyl = "kz-31": "Jambyl region",
        KzJetisu = "kz-33": "Jetisu region",
        KzKaraganda = "kz-35": "Karaganda region",
        KzKostanay = "kz-39": "Kostanay region",
        KzKyzylorda = "kz-43": "Kyzylorda region",
        KzMangystau = "kz-47": "Mangystau region",
        KzPavlodar = "kz-55": "Pavlodar region",
        KzNorthKazakhstan = "kz-59": "North Kazakhstan region",
        KzTurkistan = "kz-61": "Turkistan region",
        KzUlytau = "kz-62": "Ulytau region",
        KzEastKazakhstan = "kz-63": "East Kazakhstan region",
        KzAstanaCity = "kz-71": "Astana city",
        KzAlmatyCity = "kz-75": "Almaty city",
        KzShymkentCity = "kz-79": "Shymkent city",
    }
}

code_list! {
    /// Situation and risk factors of DOMAIN.md.
    RiskFactor {
        LowIncome = "low_income": "Low income",
        Unemployment = "unemployment": "Unemployment",
        LabourMigration = "labour_migration": "Parent in labour migration",
        SingleParent = "single_parent": "Single parent",
        DisabilityOrIllness = "disability_or_illness": "Disability or chronic illness of a child or parent",
        DomesticViolence = "domestic_violence": "Domestic violence or abuse",
        SubstanceUse = "substance_use": "Alcohol or substance use",
        HousingProblem = "housing_problem": "Housing problem",
        NoDocuments = "no_documents": "No identity documents",
        ChildOutOfSchool = "child_out_of_school": "Child out of school",
        FamilyConflict = "family_conflict": "Conflict in the family",
        PreviousPlacement = "previous_placement": "Previous placement of a child in an institution",
        Other = "other": "Other",
    }
}

/// The v1 code lists are code lists of the forms too: their labels live in the catalogs
/// under `region-…` and `risk-…` (the English `label()` above stays for v1 callers).
macro_rules! v1_code {
    ($name:ident = $list:literal) => {
        impl crate::forms::codes::Code for $name {
            const LIST: &'static str = $list;
            fn all() -> &'static [Self] {
                Self::ALL
            }
            fn code(self) -> &'static str {
                $name::code(self)
            }
        }
    };
}
v1_code!(Region = "region");
v1_code!(RiskFactor = "risk");

/// A calendar date, stored as `YYYY-MM-DD` and shown as `dd.mm.yyyy`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// A date, if it exists in the Gregorian calendar.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        // `is_multiple_of` is newer (1.87) than the workspace's rust-version (1.85).
        #[allow(clippy::manual_is_multiple_of)]
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (year >= 1900 && (1..=days).contains(&day)).then_some(Self { year, month, day })
    }

    /// Parses the ISO form `YYYY-MM-DD` (what `<input type=date>` gives).
    pub fn parse_iso(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<u16>().ok();
        Self::new(num(0..4)?, num(5..7)? as u8, num(8..10)? as u8)
    }

    /// Parses the form people type, `dd.mm.yyyy` (also with `/` or `-`, and one-digit
    /// day or month: `7.5.2019`).
    pub fn parse_display(s: &str) -> Option<Self> {
        let mut parts = s.trim().split(['.', '/', '-']);
        let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
        let ok = |p: &str, max: usize| !p.is_empty() && p.len() <= max && p.bytes().all(|b| b.is_ascii_digit());
        if parts.next().is_some() || !ok(d, 2) || !ok(m, 2) || y.len() != 4 || !ok(y, 4) {
            return None;
        }
        Self::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }

    /// Whole years from `self` to `on` (an age).
    pub fn years_until(self, on: Date) -> i32 {
        let mut years = on.year as i32 - self.year as i32;
        if (on.month, on.day) < (self.month, self.day) {
            years -= 1;
        }
        years
    }

    /// Days since 1970-01-01 (negative before), for counting days between dates.
    pub fn day_number(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let (m, d) = (self.month as i64, self.day as i64);
        let y = self.year as i64 - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `n` days after 1970-01-01 ([`Date::day_number`]'s inverse), if it is
    /// one this type holds (from 1900).
    pub fn from_day_number(n: i64) -> Option<Date> {
        // Howard Hinnant's civil_from_days.
        let z = n + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date::new(u16::try_from(year).ok()?, month as u8, day as u8)
    }

    /// Whole days from `self` to `on` (negative when `on` is earlier).
    pub fn days_until(self, on: Date) -> i64 {
        on.day_number() - self.day_number()
    }

    /// `dd.mm.yyyy`, as dates are shown to people.
    pub fn display(self) -> String {
        format!("{:02}.{:02}.{:04}", self.day, self.month, self.year)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({self})")
    }
}

impl TryFrom<String> for Date {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Date::parse_iso(&s).ok_or_else(|| format!("not a date: {s:?}"))
    }
}

impl From<Date> for String {
    fn from(d: Date) -> String {
        d.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_exist_or_are_refused() {
        assert!(Date::new(2024, 2, 29).is_some());
        assert!(Date::new(2023, 2, 29).is_none());
        assert!(Date::new(2023, 13, 1).is_none());
        assert_eq!(Date::parse_iso("2019-05-07").unwrap().display(), "07.05.2019");
        assert!(Date::parse_iso("2019-5-07").is_none());
        assert!(Date::parse_iso("2019-05-0x").is_none());
    }

    #[test]
    fn days_between_dates_count_leap_days_and_month_ends() {
        let d = |y, m, day| Date::new(y, m, day).unwrap();
        assert_eq!(d(1970, 1, 1).day_number(), 0);
        assert_eq!(d(2000, 3, 1).day_number(), 11_017);
        assert_eq!(d(2028, 2, 1).days_until(d(2028, 3, 1)), 29, "2028 is a leap year");
        assert_eq!(d(2026, 12, 7).days_until(d(2027, 1, 6)), 30);
        assert_eq!(d(2027, 1, 6).days_until(d(2026, 12, 7)), -30);
        for n in [-25_567, 0, 11_016, 11_017, 20_794, 21_000, 40_000] {
            assert_eq!(Date::from_day_number(n).unwrap().day_number(), n);
        }
        assert_eq!(Date::from_day_number(d(2028, 2, 28).day_number() + 1), Some(d(2028, 2, 29)));
    }

    #[test]
    fn dates_are_typed_as_people_write_them() {
        assert_eq!(Date::parse_display("07.05.2019"), Date::new(2019, 5, 7));
        assert_eq!(Date::parse_display(" 7/5/2019 "), Date::new(2019, 5, 7));
        assert_eq!(Date::parse_display("29.02.2023"), None);
        assert_eq!(Date::parse_display("07.05.19"), None);
        assert_eq!(Date::parse_display("07.05.2019.1"), None);
        assert_eq!(Date::parse_display("+7.05.2019"), None);
        for d in [Date::new(1999, 12, 31).unwrap(), Date::new(2024, 2, 29).unwrap()] {
            assert_eq!(Date::parse_display(&d.display()), Some(d));
        }
    }

    #[test]
    fn age_counts_whole_years() {
        let dob = Date::new(2015, 6, 10).unwrap();
        assert_eq!(dob.years_until(Date::new(2026, 6, 9).unwrap()), 10);
        assert_eq!(dob.years_until(Date::new(2026, 6, 10).unwrap()), 11);
    }

    #[test]
    fn every_code_parses_back() {
        for r in Region::ALL {
            assert_eq!(r.code().parse::<Region>(), Ok(*r));
        }
        for r in RiskFactor::ALL {
            assert_eq!(r.code().parse::<RiskFactor>(), Ok(*r));
        }
    }
}
