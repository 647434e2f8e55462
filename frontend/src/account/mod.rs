//! The screens that let a person in: the key holder's and privacy officer's sign-in
//! with a relay access token ([`signin`]), the caseworker's passphrase sign-in and
//! lock screen ([`passphrase_signin`]), enrolment from the one-time link
//! ([`enrol_form`]) and changing the passphrase ([`change_passphrase`]).
//!
//! Screens only: what unlocking, enrolling and wrapping the identity do is `vault`'s.

pub mod change_passphrase;
pub mod enrol_form;
pub mod passphrase_signin;
pub mod signin;
