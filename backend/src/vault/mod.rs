//! The caseworker vault, relay side: passphrase accounts that sign in without the relay
//! ever seeing the passphrase.
//!
//! [`auth`] makes and checks what the relay keeps (the Argon2id hash of the browser's
//! `auth` value, enrolment tokens, decoy salts) and gates every Argon2id call;
//! [`routes`] is the HTTP side (`/api/v1/vault/*`, registered in [`crate::routes::api`]).
//! The rows themselves are [`crate::store::vault`]'s. What the browser derives and
//! sends is `shared::vault`'s.

pub mod auth;
pub mod routes;
