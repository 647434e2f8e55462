//! The forms' UI: field components bound to `shared`'s form types, validated by
//! `shared::forms::check` on every change and labelled from the catalogs.
//!
//! - [`fields`]: the building blocks (text, date, phone, select over a code list,
//!   yes/no, multiple choice with priority, identity document), each with label, help,
//!   problem and the ARIA that ties them together;
//! - [`summary`]: field ids that survive reordering, and the error summary;
//! - [`descriptor`]: forms as tables of fields, rendered by one generic function;
//! - [`household`]: the household repeat group (add, remove, move up/down);
//! - [`intake_form`]: the whole family intake;
//! - [`signature_pad`]: a signature drawn on a canvas, or "signed on paper".
//!
//! **Invariant:** these components hold answers in signals only; sealing and storage
//! are the pages' (through `sealing` and `outbox`), never here.

pub mod descriptor;
pub mod fields;
pub mod household;
pub mod intake_form;
pub mod signature_pad;
pub mod summary;

pub use intake_form::{new_intake, IntakeForm};
