//! `cargo xtask <command>`: the project's chores, in Rust (see docs/cli.md).
//!
//! - `build [--org-key org.pub [--keyring keyring.json]] [--relay-origin URL]`: the
//!   release app into `dist/` (wasm-bindgen as a library, pinned to the crate's version,
//!   so nothing is downloaded at build time; then `wasm-opt`), with the organisation key
//!   compiled in, or a demo build without one (see `pin.rs`); with `--relay-origin`, an
//!   app served from another origin than the relay's (`shared::origin`).
//! - `run`: install what is missing, build, start the relay on 127.0.0.1:8080.
//! - `test`: install what the tests need (wasm target, wasm-bindgen test runner,
//!   Debian's chromium, chromium-driver, age; binaryen from npm), build, run every suite.
//! - `lint`: rustfmt check, clippy with `-D warnings` (native and wasm32), tidy checks.
//! - `bench`: the benchmarks, as a table.
//! - `fuzz [--seconds N]`: the ingest fuzz target for N seconds (default 60).

mod bench;
mod bench_load;
mod build;
mod fuzz;
mod hashed_names;
mod lint;
mod pin;
mod setup;
mod test;
mod tidy;

use anyhow::{bail, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest = &args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("build") => {
            let (relay, rest) = relay_origin_arg(rest)?;
            build::build_app(&pin::from_args(&rest)?, relay.as_ref()).map(|_| ())
        }
        Some("run") => run(rest),
        Some("test") => test::all(rest),
        Some("bench") if rest.first().is_some_and(|a| a == "load") => bench_load::run(),
        Some("bench") if rest.first().is_some_and(|a| a == "forms") => bench::forms(),
        Some("bench") if rest.first().is_some_and(|a| a == "adviser") => bench::adviser(),
        Some("bench") if rest.first().is_some_and(|a| a == "checks") => bench::checks(),
        Some("bench") if rest.first().is_some_and(|a| a == "wire") => bench::wire(),
        Some("bench") => bench::all(),
        Some("fuzz") => fuzz::run(rest),
        Some("lint") => lint::all(),
        _ => {
            eprintln!("usage: cargo xtask <build|run|test|lint|bench|fuzz>");
            eprintln!("  build   release app into dist/ (--org-key org.pub [--keyring keyring.json] pins it; without: a demo build; --relay-origin https://relay.example.org: the app is served from another origin than the relay's)");
            eprintln!("  run     build, then serve on http://127.0.0.1:8080 with ./data");
            eprintln!("  test    install test tools, lint, build, run every test suite");
            eprintln!("  lint    rustfmt check, clippy -D warnings (native and wasm32), tidy checks");
            eprintln!("  bench   benchmarks, printed as a table (`bench load`: only the relay load bench; `bench forms`: typing, save, app size; `bench adviser`: opening 10 000 entries; `bench checks`: the rules' speed; `bench wire`: the sign-in page over a slow link)");
            eprintln!("  fuzz    fuzz the relay's ingest path (--seconds N, default 60)");
            bail!("unknown or missing command")
        }
    }
}

fn run(extra: &[String]) -> Result<()> {
    setup::wasm_target()?;
    // `run` is the demo: first-use trust, and the app says so on every page.
    build::build_app(&pin::Trust::Demo, None)?;
    let root = root();
    let mut cmd = Command::new(cargo());
    cmd.current_dir(&root).args(["run", "--release", "-p", "amanat-backend", "--bin", "amanat", "--", "serve"]);
    // The demo organisation (made on the first start): `cargo xtask run` is for trying
    // Amanat out; production runs `amanat serve` on a keyring installed from offline.
    cmd.args(["--demo", "--data", "data", "--dist", "dist", "--listen", "127.0.0.1:8080"]);
    cmd.args(extra);
    sh(&mut cmd)
}

/// `--relay-origin URL` taken out of `build`'s arguments (checked by
/// `shared::origin`), and the rest.
fn relay_origin_arg(args: &[String]) -> Result<(Option<shared::origin::WebOrigin>, Vec<String>)> {
    let mut relay = None;
    let mut rest = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if arg == "--relay-origin" {
            let value = it
                .next()
                .ok_or_else(|| anyhow::anyhow!("--relay-origin needs an origin (https://relay.example.org)"))?;
            let origin = value.parse().map_err(|e| anyhow::anyhow!("--relay-origin {value}: {e}"))?;
            relay = Some(origin);
        } else {
            rest.push(arg.clone());
        }
    }
    Ok((relay, rest))
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

/// The cargo that runs us.
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Runs a command to completion, failing on a non-zero exit.
pub fn sh(cmd: &mut Command) -> Result<()> {
    let status = cmd.status().map_err(|e| anyhow::anyhow!("cannot start {:?}: {e}", cmd.get_program()))?;
    if !status.success() {
        bail!("{:?} failed: {status}", cmd.get_program());
    }
    Ok(())
}

/// Whether a program is on PATH.
pub fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program} >/dev/null 2>&1")])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}
