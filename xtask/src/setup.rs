//! Installing what is missing, so a fresh machine needs only the Rust toolchain.

use anyhow::{Context, Result};
use std::process::Command;

use crate::{cargo, have, sh};

/// The wasm-bindgen version in Cargo.lock; the test runner must match it exactly.
pub const WASM_BINDGEN: &str = "0.2.130";

pub fn wasm_target() -> Result<()> {
    let out = Command::new("rustup").args(["target", "list", "--installed"]).output();
    if let Ok(out) = out {
        if String::from_utf8_lossy(&out.stdout).lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
            return Ok(());
        }
    }
    eprintln!("xtask: adding the wasm32-unknown-unknown target");
    sh(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// Adds rustup components (a minimal toolchain profile lacks rustfmt and clippy).
pub fn rust_components(names: &[&str]) -> Result<()> {
    let out = Command::new("rustup").args(["component", "list", "--installed"]).output();
    let installed = out.map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default();
    let missing: Vec<&str> =
        names.iter().copied().filter(|n| !installed.lines().any(|l| l.trim().starts_with(&format!("{n}-")))).collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("xtask: adding rustup components {missing:?}");
    sh(Command::new("rustup").args(["component", "add"]).args(&missing))
}

/// Installs Debian packages whose program is missing: `(program, package)` pairs.
pub fn apt(needs: &[(&str, &str)]) -> Result<()> {
    let missing: Vec<&str> = needs.iter().filter(|(p, _)| !have(p)).map(|(_, pkg)| *pkg).collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("xtask: installing Debian packages {missing:?}");
    let sudo = if is_root() { vec![] } else { vec!["sudo"] };
    let run = |args: &[&str]| -> Result<()> {
        let mut all: Vec<&str> = sudo.clone();
        all.extend_from_slice(args);
        let mut cmd = Command::new(all[0]);
        cmd.args(&all[1..]).env("DEBIAN_FRONTEND", "noninteractive");
        sh(&mut cmd)
    };
    run(&["apt-get", "update", "-qq"]).context("apt-get update")?;
    let mut args = vec!["apt-get", "install", "-y", "-qq", "--no-install-recommends"];
    args.extend(missing.iter());
    run(&args).context("apt-get install")
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0")).unwrap_or(false)
}

/// The wasm-bindgen test runner at exactly the crate's version.
pub fn wasm_bindgen_runner() -> Result<()> {
    let ok = Command::new("wasm-bindgen-test-runner")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains(WASM_BINDGEN))
        .unwrap_or(false);
    if ok {
        return Ok(());
    }
    // Without --locked: the registry lacks one locked dependency version (TOOLCHAIN.md).
    eprintln!("xtask: installing wasm-bindgen-cli {WASM_BINDGEN} (a few minutes, once)");
    sh(Command::new(cargo()).args(["install", "wasm-bindgen-cli", "--version", WASM_BINDGEN]))
}

/// Everything the test suites need.
pub fn for_tests() -> Result<()> {
    wasm_target()?;
    apt(&[
        ("chromium", "chromium"),
        ("chromedriver", "chromium-driver"),
        ("age", "age"),
        // tests/storage.rs starts a throwaway PostgreSQL cluster (initdb, pg_ctl).
        ("pg_ctlcluster", "postgresql"),
        // tests/it/behind_caddy.rs: the TLS proxy of docs/deploy.md, and `openssl` for
        // the key hash of its local CA that Chromium is told to trust.
        ("caddy", "caddy"),
        ("openssl", "openssl"),
    ])?;
    axe_core()?;
    wasm_bindgen_runner()
}

/// binaryen from the npm registry, pinned. Debian's binaryen 108 breaks current
/// wasm-bindgen output: with reference types it retypes the externref table (the app
/// fails with "WebAssembly.Table.set(): Argument 1 is invalid"), and with
/// `--all-features` it emits typed function references Chromium refuses.
pub const BINARYEN: &str = "132.0.0";

/// Path of a working `wasm-opt`, installing it under `target/tools/` once; `None`
/// (with a warning) when npm is not available.
pub fn wasm_opt() -> Option<std::path::PathBuf> {
    let tools = crate::root().join("target/tools");
    let bin = tools.join("node_modules/.bin/wasm-opt");
    let marker = tools.join(format!("node_modules/binaryen-{BINARYEN}.ok"));
    if bin.exists() && marker.exists() {
        return Some(bin);
    }
    if !have("npm") {
        eprintln!("xtask: npm not found; building without wasm-opt (the app is larger than it needs to be)");
        return None;
    }
    eprintln!("xtask: installing binaryen {BINARYEN} (wasm-opt) from npm into {}", tools.display());
    std::fs::create_dir_all(&tools).ok()?;
    let ok = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--no-save", "--prefix"])
        .arg(&tools)
        .arg(format!("binaryen@{BINARYEN}"))
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if ok && bin.exists() {
        std::fs::write(&marker, b"").ok()?;
        Some(bin)
    } else {
        eprintln!("xtask: could not install binaryen from npm; building without wasm-opt");
        None
    }
}

/// axe-core from the npm registry, pinned: the accessibility story
/// (`tests/accessibility.rs`) injects its `axe.min.js` into the pages it checks.
pub const AXE_CORE: &str = "4.14.1";

/// Installs axe-core under `target/tools/axe/` once (its own prefix, so installing it
/// never prunes binaryen) and returns the path of `axe.min.js`. Unlike wasm-opt it is
/// required: without npm the accessibility story cannot run, so this fails.
pub fn axe_core() -> Result<std::path::PathBuf> {
    let tools = crate::root().join("target/tools/axe");
    let script = tools.join("node_modules/axe-core/axe.min.js");
    let marker = tools.join(format!("node_modules/axe-core-{AXE_CORE}.ok"));
    if script.exists() && marker.exists() {
        return Ok(script);
    }
    anyhow::ensure!(
        have("npm"),
        "npm is needed to install axe-core {AXE_CORE} for tests/accessibility.rs (Debian package npm)"
    );
    eprintln!("xtask: installing axe-core {AXE_CORE} from npm into {}", tools.display());
    std::fs::create_dir_all(&tools)?;
    sh(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--no-save", "--prefix"])
        .arg(&tools)
        .arg(format!("axe-core@{AXE_CORE}")))
    .context("npm install axe-core")?;
    anyhow::ensure!(script.exists(), "npm installed axe-core but {} is missing", script.display());
    std::fs::write(&marker, b"")?;
    Ok(script)
}
