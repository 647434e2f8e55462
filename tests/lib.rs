//! Scene helpers for the stories in this folder: a relay in-process (`relay`), a relay
//! as a process that can be killed and restarted (`relay_process`), and headless
//! Chromium (`browser`).
pub mod browser;
pub mod relay_process;
pub mod relay;
