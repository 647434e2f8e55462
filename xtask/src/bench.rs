//! `cargo xtask bench`: real work, timed, printed as one table.
//!
//! - seal and open of a 10 KB record and a 10 MB stream with `shared::seal`, native
//!   (release build);
//! - the same in headless Chromium: our wasm build, and typage (npm `age-encryption`)
//!   as the JavaScript baseline;
//! - the app's size, gzip.
//!
//! The measuring code is the ignored tests of `tests/bench.rs`, run in release; they
//! write `target/bench/{native,browser}.json` and this prints the table.
//!
//! Targets (issue 2): wasm ≥ 10× typage on records, ≥ 3× on streams; app ≤ 400 KB gzip.

use anyhow::{Context, Result};
use std::path::Path;
use std::process::Command;

use crate::{build, cargo, root, setup, sh};

const OPERATIONS: [&str; 4] = ["seal 10 KB record", "open 10 KB record", "seal 10 MB stream", "open 10 MB stream"];

/// `target/bench/dist`: the wasm built with the `bench` feature (exports
/// `bench_seal` / `bench_open`), typage bundled by esbuild, and the page.
fn bench_page(root: &Path) -> Result<()> {
    let page = root.join("xtask/bench-page");
    let dist = root.join("target/bench/dist");
    build::build_wasm(&["bench"], &dist)?;
    if !page.join("node_modules/age-encryption").exists() {
        sh(Command::new("npm").current_dir(&page).args(["ci", "--no-audit", "--no-fund"]))?;
    }
    sh(Command::new("npx").current_dir(&page).args(["esbuild", "typage-entry.js", "--bundle", "--format=esm", "--minify"])
        .arg(format!("--outfile={}", dist.join("typage.js").display())))?;
    for f in ["bench.html", "bench.js"] {
        std::fs::copy(page.join(f), dist.join(f))?;
    }
    Ok(())
}

pub fn all() -> Result<()> {
    setup::for_tests()?;
    let built = build::build_app()?;
    let root = root();
    bench_page(&root)?;
    eprintln!("xtask: benchmarks (native in release; wasm and typage in headless Chromium)");
    let dir = root.join("target/bench");
    for f in ["native.json", "browser.json"] {
        let _ = std::fs::remove_file(dir.join(f));
    }
    let mut cmd = Command::new(cargo());
    cmd.current_dir(&root).args(["test", "--release", "-p", "amanat-tests", "--test", "bench", "--"]);
    cmd.args(["--ignored", "--nocapture", "--test-threads=1"]);
    sh(&mut cmd)?;
    let read = |f: &str| -> Result<serde_json::Value> {
        Ok(serde_json::from_slice(&std::fs::read(dir.join(f)).with_context(|| format!("the bench wrote no {f}"))?)?)
    };
    let (native, browser) = (read("native.json")?, read("browser.json")?);

    println!();
    println!("| operation | native | wasm in Chromium | typage in Chromium | wasm vs typage | target |");
    println!("|---|---|---|---|---|---|");
    for name in OPERATIONS {
        let native_ms = native[name].as_f64().unwrap_or(f64::NAN);
        let wasm = browser["wasm"][name].as_f64().unwrap_or(f64::NAN);
        let typage = browser["typage"][name].as_f64().unwrap_or(f64::NAN);
        let target = if name.contains("record") { "≥ 10×" } else { "≥ 3×" };
        println!(
            "| {name} | {native_ms:.2} ms | {wasm:.2} ms | {typage:.2} ms | {:.1}× | {target} |",
            typage / wasm
        );
    }
    println!(
        "| app size (wasm + JS glue, gzip) | | {} KB | | | ≤ 400 KB |",
        built.gzip_bytes / 1024
    );
    crate::bench_load::run()
}
