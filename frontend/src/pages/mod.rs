//! The two pages the relay serves: `/` for caseworkers, `/adviser` for key holders.

pub mod adviser;
pub mod caseworker;
