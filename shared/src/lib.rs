//! Amanat's one source of truth.
//!
//! The family forms a case is made of (intake, consent, follow-up, closure: types,
//! skip logic, validation, the sealed [`forms::CaseDocument`]) are in [`forms`], the
//! first app's schema-1 record, read-only, in [`forms::v1`]; dates and the region and
//! risk-factor codes in [`record`]; the field-level rules every form shares in
//! [`validate`]. Also here: how a document is sealed and opened with age ([`seal`]), how the
//! relay recognises an age file without opening it ([`age_header`]), the signed list
//! of key holders ([`keyring`]), the plaintext envelope that travels beside each
//! ciphertext ([`envelope`]), the HTTP API's bodies ([`api`]) and the error codes
//! people see ([`error`]); labels and messages in five languages are in [`i18n`].
//!
//! **Architecture invariant:** this crate does no I/O (no files, no network, no
//! clock); it compiles for the browser (wasm32) and for the relay alike, so both sides
//! run the same rules. Only [`seal`] touches age's encryption.

pub mod age_header;
pub mod api;
pub mod audit_chain;
pub mod authorship;
pub mod csv;
pub mod envelope;
pub mod error;
pub mod find;
#[cfg(any(test, feature = "test-fixtures"))]
pub mod fixtures;
pub mod forms;
pub mod i18n;
pub mod ids;
pub mod indicators;
pub mod ingest;
pub mod keyring;
pub mod org_settings;
pub mod origin;
pub mod record;
pub mod release;
pub mod seal;
pub mod validate;
pub mod vault;

pub use error::ErrorCode;
pub use ids::{CaseId, EntryId};
