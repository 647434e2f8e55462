//! The caseworker's screens around the forms: "My cases" ([`my_cases`], reopening what
//! they recorded), the outbox list ([`outbox_list`], ids, sizes and upload states
//! only) and which organisation key this device trusts ([`pin_info`]).
//!
//! The page that holds them is `pages::workspace`; the forms themselves are `forms`.

pub mod my_cases;
pub mod outbox_list;
pub mod pin_info;
