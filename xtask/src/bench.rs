//! `cargo xtask bench`: real work, timed, printed as one table.
//!
//! - seal and open of a 10 KB record and a 10 MB stream with `shared::seal`, native;
//! - the same in headless Chromium: our wasm build, and typage (npm `age-encryption`)
//!   as the JavaScript baseline (the browser half runs as the ignored test
//!   `browser_bench` of the tests crate, which writes `target/bench/browser.json`);
//! - the app's size, gzip.
//!
//! Targets (issue 2): wasm ≥ 10× typage on records, ≥ 3× on streams; app ≤ 400 KB gzip.

use anyhow::{Context, Result};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use shared::seal::{generate_identity, open_bytes, open_stream, seal_bytes, seal_stream};

use crate::{build, cargo, root, setup, sh};

const RECORD: usize = 10 * 1024;
const STREAM: usize = 10 * 1024 * 1024;

/// Median of `runs` timings of `f`, in milliseconds.
fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut t: Vec<f64> = (0..runs)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    t.sort_by(|a, b| a.partial_cmp(b).unwrap());
    t[t.len() / 2]
}

/// `(name, native ms)` for the four operations.
fn native() -> Vec<(&'static str, f64)> {
    let ids = [generate_identity(), generate_identity()];
    let recipients: Vec<_> = ids.iter().map(|i| i.to_public()).collect();
    let record: Vec<u8> = (0..RECORD).map(|i| (i % 251) as u8).collect();
    let stream: Vec<u8> = (0..STREAM).map(|i| (i % 253) as u8).collect();
    let sealed = seal_bytes(&record, recipients.iter()).unwrap();
    let mut sealed_stream = Vec::new();
    seal_stream(&stream[..], &mut sealed_stream, recipients.iter()).unwrap();
    vec![
        ("seal 10 KB record", median_ms(101, || {
            seal_bytes(&record, recipients.iter()).unwrap();
        })),
        ("open 10 KB record", median_ms(101, || {
            open_bytes(sealed.as_bytes(), &ids[1..]).unwrap();
        })),
        ("seal 10 MB stream", median_ms(7, || {
            let mut out = Vec::with_capacity(STREAM + 4096);
            seal_stream(&stream[..], &mut out, recipients.iter()).unwrap();
        })),
        ("open 10 MB stream", median_ms(7, || {
            let mut out = Vec::with_capacity(STREAM);
            open_stream(&sealed_stream[..], &mut out, &ids[1..]).unwrap();
        })),
    ]
}

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
    eprintln!("xtask: native benchmarks");
    let native = native();

    eprintln!("xtask: browser benchmarks (headless Chromium: wasm and typage)");
    let root = root();
    bench_page(&root)?;
    let out = root.join("target/bench/browser.json");
    let _ = std::fs::remove_file(&out);
    let mut cmd = Command::new(cargo());
    cmd.current_dir(&root).args([
        "test", "--release", "-p", "amanat-tests", "--test", "browser_bench", "--", "--ignored", "--nocapture",
    ]);
    sh(&mut cmd)?;
    let browser: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).context("browser bench wrote no figures")?)?;

    println!();
    println!("| operation | native | wasm in Chromium | typage in Chromium | wasm vs typage | target |");
    println!("|---|---|---|---|---|---|");
    for (name, native_ms) in &native {
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
    Ok(())
}
