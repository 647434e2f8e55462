//! The browser tests, one wasm binary (one link of the app instead of one per file), run
//! by wasm-bindgen-test-runner in headless Chromium: what only a browser can show.
//!
//! Run all: `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p amanat-frontend --target
//! wasm32-unknown-unknown --profile wasm-release --test browser`; one file's tests: add
//! `-- forms::`. Each test mounts into its own container and opens its own database, so
//! the tests share a page without seeing each other.

#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod attachments;
mod demo_build;
mod drafts;
mod forms;
mod i18n;
mod lock;
mod support;
mod web;
