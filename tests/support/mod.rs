//! Scene setting for the stories, each in one line: a relay in-process or as a process
//! that can be killed and restarted ([`relay`]), headless Chromium ([`driver`]) and the
//! app's steps a person repeats in it ([`steps`]), a throwaway PostgreSQL cluster
//! ([`pg`]), the turns heavy stories take in the one test binary ([`turns`]), and a
//! person typing at `amanat`'s prompts in a real pseudo-terminal ([`terminal`]).
//! Below what WebDriver shows: the page's wasm memories and JS heap through the
//! DevTools protocol ([`devtools`]), and a closed browser's profile files ([`profile`]).

pub mod devtools;
pub mod driver;
pub mod pg;
pub mod profile;
pub mod relay;
pub mod steps;
pub mod terminal;
pub mod turns;
