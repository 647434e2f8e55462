//! Reading what was sealed: how an opened entry is described (`describe`), how a
//! case's entries are put in reading order (`case_book`), and how both are shown
//! (`view`). Used by the caseworker's "My cases" and by the key holder's pages
//! (bulk open, find, export, print).
//!
//! Data-driven on purpose: each kind of entry is first described as plain lines by
//! ordinary functions, and one small renderer turns lines into DOM. This keeps the
//! wasm small (one view shape instead of one per field) and the describing testable
//! natively.

pub mod case_book;
pub mod describe;
pub mod view;

pub use case_book::{by_case, Authorship, CaseBook, CaseEntries, Judge};
pub use describe::{describe, Bit, Item, Line, Value};
pub(crate) use view::UNSIGNED;
pub use view::{CaseGroup, RecordView};

#[cfg(test)]
mod tests;
