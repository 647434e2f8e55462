//! The key holder's (adviser's) page, split into parts each owned by one concern:
//! opening entries in Web Workers (`pool`), the bulk-open job that lists, fetches
//! and files every entry (`bulk_open`), finding and exporting, timelines, keys
//! (`key`; a passphrase-protected one is unlocked in a worker, `unlock`) and resealing.
//! `pages::adviser` composes them; everything here lives in the lazily loaded
//! adviser chunk of the split wasm build.

pub mod bulk_open;
pub mod case_print;
pub mod export;
pub mod find;
pub mod indicators;
pub mod key;
pub mod pool;
pub mod reseal;
pub mod unlock;
