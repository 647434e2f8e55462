//! Every end-to-end story of Amanat, in one test binary: each module is one story
//! (or one family of stories) across a real relay, and where the story needs one, real
//! headless Chromium and the real `age` CLI. The scenes are set by
//! `amanat_tests::support` (`tests/support/`).
//!
//! One binary links the relay, sqlx and the browser driver once (24 binaries each
//! linked them before). Stories run on libtest's threads side by side; those that start
//! Chromium or put a relay under load take turns ([`amanat_tests::support::turns`]).
//! Run one story with its module name as the filter:
//! `cargo test -p amanat-tests --test it -- relay_contract`.
//!
//! The benchmarks are a separate binary (`tests/bench/`, feature `bench`), run by
//! `cargo xtask bench`, never by `cargo xtask test`.

// The relay over HTTP and its command line.
mod access_matrix;
mod accounts_hardening;
mod age_interop;
mod app_on_its_own_origin;
mod audit_head;
mod author_roster;
mod backup_restore;
mod behind_a_proxy;
mod behind_caddy;
mod bulk_read;
mod cli;
mod compressed_app;
mod crash_safety;
mod enrolment_qr;
mod hostile_clients;
mod operations;
mod org_ceremony;
mod org_settings;
mod passphrase_prompt;
mod relay_contract;
mod removal_by_proof;
mod restart_sign_in;
mod storage;
mod vault_accounts;

// In headless Chromium against the real relay.
mod abandoned_enrolment_link;
mod accessibility;
mod adviser_finds_and_exports;
mod adviser_opens_everything;
mod bad_input_in_the_browser;
mod canary;
mod caseworker_to_adviser;
mod consent_and_the_law;
mod idle_lock;
mod key_holder_leaves;
mod keyboard_only;
mod keyring_rotation;
mod keyring_trust;
mod languages;
mod lock_leaves_no_key;
mod privacy_audit_head;
mod privacy_officer;
mod quota;
mod shared_tablet;
mod signed_authorship;
mod stranger_cannot_lock_out;

// The scene helpers' own rules.
mod support_rules;
