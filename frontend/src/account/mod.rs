//! The screens that let a person in: the key holder's and privacy officer's sign-in
//! with a relay access token ([`signin`]), the caseworker's passphrase sign-in and
//! lock screen ([`passphrase_signin`]), enrolment from the one-time link
//! ([`enrol_form`]), changing the passphrase ([`change_passphrase`]) and the author
//! key's fingerprint on the Account page ([`author_key`]).
//!
//! Screens only: what unlocking, enrolling and wrapping the identity do is `vault`'s.

pub mod author_key;
pub mod change_passphrase;
pub mod enrol_form;
pub mod passphrase_signin;
pub mod signin;
