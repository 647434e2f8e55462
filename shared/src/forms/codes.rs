//! Closed lists of language-neutral codes: what a stored answer is.
//!
//! Every option a form offers is a variant of a code list. The record stores the code
//! (`"home_visit"`), never a label, so a record filled in Uzbek reads in Kazakh. The
//! label of a code is a catalog message named `{list}-{code}` (`channel-home_visit`);
//! [`option_lists`] enumerates every list so a test proves each code has a label in
//! every locale.

/// A closed list of codes. Implemented by every option type of the forms.
pub trait Code: Copy + Eq + Sized + 'static {
    /// The list's name: the first part of every label key (`channel`).
    const LIST: &'static str;

    /// Every code, in display order.
    fn all() -> &'static [Self];

    /// The stored code.
    fn code(self) -> &'static str;

    /// The code for a stored string, if it is one of this list.
    fn from_code(code: &str) -> Option<Self> {
        Self::all().iter().copied().find(|c| c.code() == code)
    }

    /// The catalog key of this code's label (`channel-home_visit`).
    fn label_key(self) -> String {
        format!("{}-{}", Self::LIST, self.code())
    }
}

/// Declares a closed code list: an enum that (de)serialises as its codes, `ALL`, `code()`,
/// `FromStr` and [`Code`]. Labels live in the catalogs, not here.
macro_rules! code_list {
    ($(#[$meta:meta])* $name:ident = $list:literal { $( $(#[$vmeta:meta])* $variant:ident = $code:literal ),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name { $( $(#[$vmeta])* #[serde(rename = $code)] $variant ),* }

        impl $name {
            /// Every code, in display order.
            pub const ALL: &'static [$name] = &[ $( $name::$variant ),* ];

            /// The stored code.
            pub fn code(self) -> &'static str {
                match self { $( $name::$variant => $code ),* }
            }
        }

        impl std::str::FromStr for $name {
            type Err = ();
            fn from_str(s: &str) -> Result<Self, ()> {
                match s { $( $code => Ok($name::$variant), )* _ => Err(()) }
            }
        }

        impl $crate::forms::codes::Code for $name {
            const LIST: &'static str = $list;
            fn all() -> &'static [Self] { Self::ALL }
            fn code(self) -> &'static str { $name::code(self) }
        }
    };
}
pub(crate) use code_list;

/// One code list as plain strings: for catalogs, tests and generic UI (a `<select>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionList {
    pub list: &'static str,
    pub codes: Vec<&'static str>,
}

impl OptionList {
    /// The list of a code type.
    pub fn of<C: Code>() -> Self {
        Self { list: C::LIST, codes: C::all().iter().map(|c| c.code()).collect() }
    }

    /// The catalog key of every code's label.
    pub fn label_keys(&self) -> impl Iterator<Item = String> + '_ {
        self.codes.iter().map(move |c| format!("{}-{}", self.list, c))
    }
}

/// Every code list of the forms (and of the v1 [`crate::record`]).
pub fn option_lists() -> Vec<OptionList> {
    use super::{address::*, attachment::*, consent::*, followup::*, household::*, intake::*};
    use crate::record::{Region, RiskFactor};
    vec![
        OptionList::of::<Channel>(),
        OptionList::of::<ReferralSource>(),
        OptionList::of::<Country>(),
        OptionList::of::<Region>(),
        OptionList::of::<District>(),
        OptionList::of::<HousingType>(),
        OptionList::of::<HousingCondition>(),
        OptionList::of::<Sex>(),
        OptionList::of::<Relation>(),
        OptionList::of::<Citizenship>(),
        OptionList::of::<DocumentType>(),
        OptionList::of::<DisabilityGroup>(),
        OptionList::of::<Activity>(),
        OptionList::of::<Residence>(),
        OptionList::of::<SeparationRisk>(),
        OptionList::of::<CareArrangement>(),
        OptionList::of::<SchoolAttendance>(),
        OptionList::of::<RiskFactor>(),
        OptionList::of::<RiskLevel>(),
        OptionList::of::<Service>(),
        OptionList::of::<Priority>(),
        OptionList::of::<ConsenterRole>(),
        OptionList::of::<Purpose>(),
        OptionList::of::<SharingParty>(),
        OptionList::of::<DataCategory>(),
        OptionList::of::<ConsentKind>(),
        OptionList::of::<ChildAssent>(),
        OptionList::of::<WithdrawalForm>(),
        OptionList::of::<MediaType>(),
        OptionList::of::<GoalStatus>(),
        OptionList::of::<ReferralStatus>(),
        OptionList::of::<ClosureOutcome>(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_unique_in_its_list_and_parses_back() {
        let lists = option_lists();
        for l in &lists {
            for (i, c) in l.codes.iter().enumerate() {
                assert!(!l.codes[i + 1..].contains(c), "{}: duplicate code {c}", l.list);
                // Fluent message ids allow only [a-zA-Z0-9_-].
                assert!(c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'), "{c}");
            }
        }
        for (i, l) in lists.iter().enumerate() {
            assert!(lists[i + 1..].iter().all(|o| o.list != l.list), "list {} twice", l.list);
        }
    }
}
