//! `cargo xtask test`: every suite, in the order a failure is cheapest to find.
//!
//! 1. `cargo xtask lint` (rustfmt, clippy native and wasm32, tidy): style fails in
//!    minutes, before anything slow; then install what the tests need (see
//!    `setup::for_tests`);
//! 2. build the release app into `dist/`, pinned to `tests/fixtures/test-org.pub` (the
//!    end-to-end stories load it; their relays sign with the matching test key);
//! 3. native tests: `shared` and frontend logic, the relay, and the end-to-end stories,
//!    all of them one test binary (`tests/it/`: the CLI, the relay contract over real
//!    HTTP, the storage stories, the stories in headless Chromium, `age` CLI interop).
//!    Its stories run side by side on libtest's threads; the heavy ones (Chromium, a
//!    relay under load) take turns inside the binary (`tests/support/turns.rs`), so no
//!    `--test-threads` is needed here. The benchmarks (`tests/bench/`, feature `bench`)
//!    are neither built nor run: `cargo xtask bench` does that;
//! 4. browser tests: `amanat-frontend`'s `tests/browser/` compiled to wasm32
//!    (`wasm-release` profile, so nothing is compiled twice; one binary, one link) and run by
//!    wasm-bindgen-test-runner in headless Chromium (IndexedDB outbox, sealing).

use anyhow::Result;
use std::process::Command;

use crate::pin::Trust;
use crate::{build, cargo, lint, root, setup, sh};

pub fn all(extra: &[String]) -> Result<()> {
    lint::all()?;
    setup::for_tests()?;
    let root = root();
    // Pinned to the tests' organisation key, which every demo relay in the stories signs with.
    build::build_app(&Trust::test_key(&root)?, None)?;

    // The stories start `amanat serve` as a process; `tests/support/relay.rs` runs exactly this
    // build (a no-op when fresh). Doing it here first keeps it out of the tests' time
    // budget (the workspace test build unifies other features, so it is a second build).
    sh(Command::new(cargo()).current_dir(&root).args(["build", "--quiet", "-p", "amanat-backend", "--bin", "amanat"]))?;

    let mut native = Command::new(cargo());
    native.current_dir(&root).args(["test", "--workspace", "--exclude", "xtask"]);
    native.args(extra);
    sh(&mut native)?;

    let mut wasm = Command::new(cargo());
    wasm.current_dir(&root)
        // The release app's profile: its dependencies are already built by step 2.
        // Only the browser tests' one binary: the lib's unit tests ran natively in step 3, and
        // each wasm test binary is a whole-program (LTO) link of the app.
        .args(["test", "-p", "amanat-frontend", "--target", "wasm32-unknown-unknown", "--profile", "wasm-release"])
        .args(["--test", "*"])
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env("WASM_BINDGEN_TEST_TIMEOUT", "180");
    sh(&mut wasm)?;
    eprintln!("xtask: every suite passed");
    Ok(())
}
