//! The key holder's (adviser's) page, split into parts each owned by one concern:
//! opening entries in Web Workers (`pool`), finding and exporting, timelines, keys
//! (`key`; a passphrase-protected one is unlocked in a worker, `unlock`) and resealing.
//! `pages::adviser` composes them; everything here lives in the lazily loaded
//! adviser chunk of the split wasm build.

pub mod case_print;
pub mod export;
pub mod find;
pub mod indicators;
pub mod key;
pub mod pool;
pub mod reseal;
pub mod unlock;
