//! Widgets every page shares: the status region ([`status`]). Screens live with their
//! feature: sign-in, enrolment and passphrase screens in `account`, the caseworker's
//! lists in `caseworker`, how opened entries are shown in `reading`.
//!
//! The re-exports below keep the old paths of screens that moved out of this folder
//! working for files outside this room (`pages/workspace.rs`, `frontend/tests/`); new
//! code uses the new paths.

pub mod status;

pub use crate::account::change_passphrase;
pub use crate::caseworker::{my_cases, outbox_list, pin_info};
pub use crate::reading as record_view;
