//! Scene helpers for the stories in this folder: the relay in-process and as a
//! process that can be killed and restarted (`relay`), and headless Chromium (`browser`).
pub mod browser;
pub mod relay;
