//! Scene helpers for the stories in this folder: the relay in-process and as a
//! process that can be killed and restarted (`relay`), headless Chromium (`browser`), and
//! a throwaway PostgreSQL cluster (`pg`).
pub mod browser;
pub mod pg;
pub mod relay;
