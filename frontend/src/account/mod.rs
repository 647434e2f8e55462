//! The screens that let a person in: the key holder's and privacy officer's sign-in
//! with a relay access token ([`signin`]), the caseworker's passphrase sign-in and
//! lock screen ([`passphrase_signin`]), enrolment from the one-time link (traded for
//! the enrolment cookie at boot, [`enrol_link`], then [`enrol_form`]), the key holder's
//! and privacy officer's session rules ([`session_guard`]), changing the passphrase ([`change_passphrase`]) and the author
//! key's fingerprint on the Account page ([`author_key`]).
//!
//! Screens only: what unlocking, enrolling and wrapping the identity do is `vault`'s.

pub mod author_key;
pub mod change_passphrase;
pub mod enrol_form;
pub mod enrol_link;
pub mod passphrase_signin;
pub mod session_guard;
pub mod signin;
