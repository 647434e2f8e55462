//! Widgets every page shares: the status region ([`status`]). Screens live with their
//! feature: sign-in, enrolment and passphrase screens in `account`, the caseworker's
//! lists in `caseworker`, how opened entries are shown in `reading`.

pub mod status;
