//! The privacy officer's checks (issue 5), behind the `/privacy` page
//! ([`crate::pages::privacy`]): what this device keeps ([`device`], sorted by
//! [`classify`]), what the relay holds and logs ([`relay`]), and whether the app's
//! served files are the release's ([`app_files`]); [`chart`] draws the figures and
//! [`js`] reaches the browser storage APIs the rest of the app never needs.
//!
//! **Invariant:** these checks only read. Nothing here writes to browser storage or
//! to the relay (the relay records the verification run in its audit log itself).

pub mod app_files;
pub mod chart;
pub mod classify;
pub mod device;
pub mod js;
pub mod relay;
