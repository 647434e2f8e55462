//! Pieces of the pages, each named after what the user sees.

pub mod change_passphrase;
pub mod enrol_form;
pub mod my_cases;
pub mod outbox_list;
pub mod passphrase_signin;
pub mod pin_info;
pub mod record_view;
pub mod signin;
pub mod status;
