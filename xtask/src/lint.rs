//! `cargo xtask lint`: the house style, checked before any test runs.
//!
//! 1. `cargo fmt --check` against the committed `rustfmt.toml` (the workspace, and the
//!    fuzz target, which is not a workspace member);
//! 2. clippy with `-D warnings` on every native target, then on the browser app for
//!    wasm32 (with and without the `split` feature, which `cargo xtask build` uses);
//! 3. the tidy checks of [`crate::tidy`]: what ARCHITECTURE.md names exists, every wasm
//!    chunk is named there, every file has a `//!` doc, no source file is too long.
//!
//! The lints themselves are set once, in the root `Cargo.toml`'s `[workspace.lints]`.

use anyhow::{Context, Result};
use std::process::Command;

use crate::{cargo, root, setup, sh, tidy};

pub fn all() -> Result<()> {
    let root = root();
    setup::rust_components(&["rustfmt", "clippy"])?;
    eprintln!("xtask lint: rustfmt");
    sh(Command::new(cargo()).current_dir(&root).args(["fmt", "--all", "--check"]))
        .context("cargo fmt --check: run `cargo fmt --all` and commit")?;
    let fuzz_targets: Vec<_> = std::fs::read_dir(root.join("fuzz/fuzz_targets"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    sh(Command::new("rustfmt")
        .current_dir(&root)
        .args(["--check", "--edition", "2021", "--config-path", "rustfmt.toml"])
        .args(&fuzz_targets))
    .context("rustfmt --check of fuzz/fuzz_targets")?;

    eprintln!("xtask lint: tidy");
    tidy::check(&root)?;
    sh(Command::new(cargo()).current_dir(&root).args(["test", "--quiet", "-p", "xtask"]))
        .context("xtask's own tests")?;

    eprintln!("xtask lint: clippy (native)");
    sh(Command::new(cargo()).current_dir(&root).args([
        "clippy",
        "--quiet",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))
    .context("clippy (native)")?;

    setup::wasm_target()?;
    for features in [&[][..], &["--features", "split"][..]] {
        eprintln!("xtask lint: clippy (wasm32 {features:?})");
        sh(Command::new(cargo())
            .current_dir(&root)
            .args(["clippy", "--quiet", "-p", "amanat-frontend", "--target", "wasm32-unknown-unknown", "--all-targets"])
            .args(features)
            .args(["--", "-D", "warnings"]))
        .context("clippy (wasm32)")?;
    }
    eprintln!("xtask lint: clean");
    Ok(())
}
