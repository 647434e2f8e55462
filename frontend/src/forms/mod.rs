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
//! - [`signature_pad`]: a signature drawn on a canvas, or "signed on paper";
//! - [`repeat`]: repeat groups whose rows are named by position (children,
//!   contacts, services, referrals, goals);
//! - [`consent_form`]: informed consent and its withdrawal;
//! - [`consent_standing`]: the case's current consent, and refusing what consent does
//!   not allow;
//! - [`followup_form`]: the follow-up (contacts, services, referrals, goals) and the
//!   closure;
//! - [`print`]: the consent laid out on A4 for a paper signature.
//!
//! **Invariant:** these components hold answers in signals only; sealing and storage
//! are the pages' (through `sealing` and `outbox`), never here.

pub mod consent_form;
pub mod consent_standing;
pub mod descriptor;
pub mod fields;
pub mod followup_form;
pub mod household;
pub mod intake_form;
pub mod print;
pub mod repeat;
pub mod signature_pad;
pub mod summary;

pub use consent_form::{new_consent, ConsentForm};
pub use consent_standing::{ConsentRefusal, ConsentStateView};
pub use followup_form::{new_closure, new_follow_up, ClosureForm, FollowUpForm};
pub use intake_form::{new_intake, IntakeForm};
pub use print::ConsentPrint;
