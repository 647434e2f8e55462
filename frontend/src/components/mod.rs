//! Widgets every page shares: the status region ([`status`]) and the service worker's
//! alarm about app code that is not the build's ([`integrity`]). Screens live with their
//! feature: sign-in, enrolment and passphrase screens in `account`, the caseworker's
//! lists in `caseworker`, how opened entries are shown in `reading`.

pub mod integrity;
pub mod status;
