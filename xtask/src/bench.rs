//! `cargo xtask bench`: real work, timed, printed as one table.
//!
//! - seal and open of a 10 KB record and a 10 MB stream with `shared::seal`, native
//!   (release build);
//! - the same in headless Chromium: our wasm build, and typage (npm `age-encryption`)
//!   as the JavaScript baseline;
//! - the vault's unlock (Argon2id + unwrapping the identity), native and in Chromium;
//! - the app's size, gzip;
//! - sync throughput: 1 000 sealed 10 KB entries queued in the app's IndexedDB outbox,
//!   uploaded by the app's sync loop in Chromium to the release relay on 127.0.0.1;
//! - the forms (issue 3): typing latency in the app's intake form with a 12-member
//!   household, and the save of that intake (validate + seal + IndexedDB write), in
//!   Chromium against the release relay; the first paint's size and each lazily loaded
//!   split's chunk set.
//!
//! - the rules' speed, native: validating a full intake with a 12-member household,
//!   loading each locale's catalog and formatting every message, refusing a costly
//!   scrypt identity file and a passphrase-sealed record from the header alone (once
//!   wall-clock asserts in unit tests; a bar missed is printed as missed).
//!
//! The measuring code is the ignored tests of the `bench` test binary
//! (`tests/bench/`, feature `bench`), run in release; they write
//! `target/bench/{native,checks,browser,sync,forms,adviser}.json` and this prints the
//! table. The relay's load bench (`tests/bench/load.rs`) runs last, on its own
//! (`bench_load.rs`).
//!
//! Targets (issue 2): wasm ≥ 10× typage on records, ≥ 3× on streams; app ≤ 400 KB gzip.
//! Issue 6: unlock ≤ 1.5 s in the browser; sync throughput has no target, it is reported.
//! Issue 3: typing < 16.7 ms (one frame) from input to paint; save ≤ 50 ms.
//! Issue 5: opening 10 000 sealed 10 KB entries in the adviser's page ≤ 5 s, no
//! main-thread task over 100 ms (`tests/bench.rs`, into `target/bench/adviser.json`).
//! `cargo xtask bench forms` runs only the forms rows; `cargo xtask bench adviser` only
//! the adviser's; `cargo xtask bench checks` only the rules' rows.

use anyhow::{Context, Result};
use std::path::Path;
use std::process::Command;

use crate::pin::Trust;
use crate::{build, cargo, root, setup, sh};

/// The unlock row's name in the JSON the benches write.
const UNLOCK: &str = "unlock (Argon2id + unwrap)";

const OPERATIONS: [&str; 4] = ["seal 10 KB record", "open 10 KB record", "seal 10 MB stream", "open 10 MB stream"];

/// `target/bench/dist`: the wasm built with the `bench` feature (exports
/// `bench_seal` / `bench_open` / `bench_unlock` / `bench_sync_*`), typage bundled by
/// esbuild, and the pages.
fn bench_page(root: &Path) -> Result<()> {
    let page = root.join("xtask/bench-page");
    let dist = root.join("target/bench/dist");
    build::build_wasm(&["bench"], &dist, &Trust::test_key(root)?)?;
    if !page.join("node_modules/age-encryption").exists() {
        sh(Command::new("npm").current_dir(&page).args(["ci", "--no-audit", "--no-fund"]))?;
    }
    sh(Command::new("npx")
        .current_dir(&page)
        .args(["esbuild", "typage-entry.js", "--bundle", "--format=esm", "--minify"])
        .arg(format!("--outfile={}", dist.join("typage.js").display())))?;
    for f in ["bench.html", "bench.js", "sync.html", "sync.js", "forms.html", "forms.js"] {
        std::fs::copy(page.join(f), dist.join(f))?;
    }
    // The forms page mounts the real intake form: with the app's stylesheets and the
    // English catalog, as the app serves them, so layout and labels are the app's.
    for f in ["style.css", "forms.css"] {
        std::fs::copy(root.join("frontend/static").join(f), dist.join(f))?;
    }
    std::fs::create_dir_all(dist.join("locales"))?;
    std::fs::copy(root.join("shared/locales/en.ftl"), dist.join("locales/en.ftl"))?;
    Ok(())
}

pub fn all() -> Result<()> {
    setup::for_tests()?;
    let root = root();
    let built = build::build_app(&Trust::test_key(&root)?, None)?;
    bench_page(&root)?;
    eprintln!("xtask: benchmarks (native in release; wasm and typage in headless Chromium)");
    let dir = root.join("target/bench");
    for f in ["native.json", "checks.json", "browser.json", "sync.json", "forms.json", "adviser.json", "wire.json"] {
        let _ = std::fs::remove_file(dir.join(f));
    }
    let mut cmd = bench_tests(&root);
    // The load bench runs last, by itself (`bench_load::run`).
    cmd.args(["--ignored", "--nocapture", "--test-threads=1", "--skip", "load::"]);
    sh(&mut cmd)?;
    let read = |f: &str| -> Result<serde_json::Value> {
        Ok(serde_json::from_slice(&std::fs::read(dir.join(f)).with_context(|| format!("the bench wrote no {f}"))?)?)
    };
    let (native, browser, sync, forms) =
        (read("native.json")?, read("browser.json")?, read("sync.json")?, read("forms.json")?);
    let adviser = read("adviser.json")?;
    let checks = read("checks.json")?;
    let wire = read("wire.json")?;

    println!();
    println!("| operation | native | wasm in Chromium | typage in Chromium | wasm vs typage | target |");
    println!("|---|---|---|---|---|---|");
    for name in OPERATIONS {
        let native_ms = native[name].as_f64().unwrap_or(f64::NAN);
        let wasm = browser["wasm"][name].as_f64().unwrap_or(f64::NAN);
        let typage = browser["typage"][name].as_f64().unwrap_or(f64::NAN);
        let target = if name.contains("record") { "≥ 10×" } else { "≥ 3×" };
        println!("| {name} | {native_ms:.2} ms | {wasm:.2} ms | {typage:.2} ms | {:.1}× | {target} |", typage / wasm);
    }
    println!(
        "| {UNLOCK} | {:.0} ms | {:.0} ms | | | ≤ 1 500 ms in the browser |",
        native[UNLOCK].as_f64().unwrap_or(f64::NAN),
        browser["wasm"][UNLOCK].as_f64().unwrap_or(f64::NAN),
    );
    print_checks_rows(&checks);
    print_forms_rows(&built, &forms);
    println!(
        "| sync {} queued 10 KB entries to a local relay | | {:.0} entries/s ({:.1} s; queueing took {:.1} s) | | | |",
        sync["entries"].as_u64().unwrap_or(0),
        sync["entries_per_s"].as_f64().unwrap_or(f64::NAN),
        sync["sync_s"].as_f64().unwrap_or(f64::NAN),
        sync["queue_s"].as_f64().unwrap_or(f64::NAN),
    );
    print_adviser_row(&adviser);
    print_wire_rows(&wire);
    crate::bench_load::run()
}

/// The wire bench's test (in `tests/bench/wire.rs`), run alone by `bench wire`.
const WIRE_TEST: &str = "wire::browser_bench_sign_in_page_over_a_slow_link";

/// `cargo xtask bench wire`: only the sign-in page over the slow link, against the app
/// built into `dist/` (with its compressed twins).
pub fn wire() -> Result<()> {
    setup::for_tests()?;
    let root = root();
    build::build_app(&Trust::test_key(&root)?, None)?;
    let out = root.join("target/bench/wire.json");
    let _ = std::fs::remove_file(&out);
    let mut cmd = bench_tests(&root);
    cmd.args(["--ignored", "--nocapture", "--test-threads=1", "--exact", WIRE_TEST]);
    sh(&mut cmd)?;
    let wire = serde_json::from_slice(&std::fs::read(&out).context("the bench wrote no wire.json")?)?;
    println!();
    println!("| operation | native | wasm in Chromium | typage in Chromium | wasm vs typage | target |");
    println!("|---|---|---|---|---|---|");
    print_wire_rows(&wire);
    Ok(())
}

/// Issue 15's rows: the caseworker's sign-in page on a fresh profile through a slow 3G
/// link (400 kbit/s, 400 ms round trip), every byte and request on the wire counted.
fn print_wire_rows(w: &serde_json::Value) {
    let f = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
    let (kb, s) = (f(&w["interactive_kb"]), f(&w["interactive_s"]));
    println!(
        "| caseworker's sign-in page, fresh profile, slow 3G (400 kbit/s, 400 ms RTT): until the form is on the page | | {kb:.0} KB in {} requests, {s:.1} s | | | {}; {} |",
        w["interactive_requests"].as_u64().unwrap_or(0),
        if kb <= 400.0 { "≤ 400 KB: met" } else { "≤ 400 KB: **missed**" },
        if s <= 8.0 { "≤ 8 s: met" } else { "≤ 8 s: **missed**" },
    );
    println!(
        "| the same first visit until the network is quiet (the service worker's offline copy of the whole app included) | | {:.0} KB in {} requests, {:.1} s | | | |",
        f(&w["first_visit_kb"]),
        w["first_visit_requests"].as_u64().unwrap_or(0),
        f(&w["first_visit_s"]),
    );
    if w.get("repeat_visit_kb").is_some() {
        println!(
            "| a repeat visit in the same profile until the network is quiet (content-tagged files kept immutable) | | {:.0} KB in {} requests, form after {:.1} s | | | |",
            f(&w["repeat_visit_kb"]),
            w["repeat_visit_requests"].as_u64().unwrap_or(0),
            f(&w["repeat_interactive_s"]),
        );
    }
}

/// `cargo test --release` of the bench binary (`tests/bench/`), up to the `--` before
/// libtest's own arguments.
pub fn bench_tests(root: &Path) -> Command {
    let mut cmd = Command::new(cargo());
    cmd.current_dir(root).args([
        "test",
        "--release",
        "-p",
        "amanat-tests",
        "--features",
        "bench",
        "--test",
        "bench",
        "--",
    ]);
    cmd
}

/// The adviser bench's test (in `tests/bench/main.rs`), run alone by `bench adviser`.
const ADVISER_TEST: &str = "browser_bench_adviser_opens_10000_entries_of_10_kb";

/// `cargo xtask bench adviser`: only issue 5's row (opening 10 000 entries in the
/// adviser's page), against the app built into `dist/`.
pub fn adviser() -> Result<()> {
    setup::for_tests()?;
    let root = root();
    build::build_app(&Trust::test_key(&root)?, None)?;
    let out = root.join("target/bench/adviser.json");
    let _ = std::fs::remove_file(&out);
    let mut cmd = bench_tests(&root);
    cmd.args(["--ignored", "--nocapture", "--test-threads=1", "--exact", ADVISER_TEST]);
    sh(&mut cmd)?;
    let adviser = serde_json::from_slice(&std::fs::read(&out).context("the bench wrote no adviser.json")?)?;
    println!();
    println!("| operation | native | wasm in Chromium | typage in Chromium | wasm vs typage | target |");
    println!("|---|---|---|---|---|---|");
    print_adviser_row(&adviser);
    Ok(())
}

/// `cargo xtask bench checks`: only the rules' rows (native, release), which need
/// neither the app nor a browser.
pub fn checks() -> Result<()> {
    let root = root();
    let out = root.join("target/bench/checks.json");
    let _ = std::fs::remove_file(&out);
    let mut cmd = bench_tests(&root);
    cmd.args(["--ignored", "--nocapture", "--test-threads=1", "checks::"]);
    sh(&mut cmd)?;
    let checks = serde_json::from_slice(&std::fs::read(&out).context("the bench wrote no checks.json")?)?;
    println!();
    println!("| operation | native | wasm in Chromium | typage in Chromium | wasm vs typage | target |");
    println!("|---|---|---|---|---|---|");
    print_checks_rows(&checks);
    Ok(())
}

/// `figure` in milliseconds against `bar`: the target cell says whether it was met.
fn against(figure: f64, bar: f64, target: &str) -> String {
    if figure <= bar {
        format!("{target}: met")
    } else {
        format!("{target}: **missed**")
    }
}

/// The rules' rows (`checks.json`): what unit tests once asserted against the clock.
fn print_checks_rows(c: &serde_json::Value) {
    let f = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
    let validate = f(&c["validate_12_member_intake_ms"]);
    println!(
        "| validate a full intake, 12 household members (`forms::check::intake`, median of 101) | {validate:.3} ms | | | | {} |",
        against(validate, 16.0, "≤ 16 ms (under one frame, every keystroke)")
    );
    for catalog in c["catalogs"].as_array().into_iter().flatten() {
        let load = f(&catalog["load_ms"]);
        println!(
            "| load the `{}` catalog ({} messages), then format every message | {load:.2} ms, then {:.2} ms | | | | {} |",
            catalog["locale"].as_str().unwrap_or("?"),
            catalog["keys"].as_u64().unwrap_or(0),
            f(&catalog["format_all_ms"]),
            against(load, 16.7, "load ≤ 16.7 ms (a language switch within one frame)")
        );
    }
    let identity = f(&c["refuse_costly_identity_file_ms"]);
    println!(
        "| refuse an identity file protected with scrypt work factor 2^21 (no scrypt run) | {identity:.3} ms | | | | {} |",
        against(identity, 100.0, "≤ 100 ms")
    );
    let record = f(&c["refuse_passphrase_sealed_record_ms"]);
    println!(
        "| refuse a record sealed to a passphrase (the relay's ingest check, no scrypt run) | {record:.3} ms | | | | {} |",
        against(record, 100.0, "≤ 100 ms")
    );
}

/// Issue 5's row: from the key loaded to every entry opened, in the adviser's page
/// (workers, bulk reads), and the longest main-thread task meanwhile.
fn print_adviser_row(a: &serde_json::Value) {
    let f = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
    let longest = f(&a["longest_task_ms"]);
    let longest = if a["long_tasks_over_50_ms"].as_u64() == Some(0) {
        "none over 50 ms".to_owned()
    } else {
        format!("{longest:.0} ms")
    };
    // The 1-minute load average before and after (the machine is shared).
    let load = a["load_average"].as_array().map_or(String::new(), |l| {
        format!(
            "; load average {}",
            l.iter().map(|v| v.as_f64().map_or("?".into(), |v| format!("{v:.1}"))).collect::<Vec<_>>().join(" → ")
        )
    });
    println!(
        "| open {} entries of {} KB (adviser, Chromium; {} workers): key loaded → all opened; longest main-thread task | | {:.2} s; longest task {longest} ({} over 100 ms{load}) | | | ≤ 5 s; no task > 100 ms |",
        a["entries"].as_u64().unwrap_or(0),
        a["entry_bytes"].as_u64().unwrap_or(0) / 1024,
        a["workers"].as_u64().unwrap_or(0),
        f(&a["open_ms"]) / 1000.0,
        a["long_tasks_over_100_ms"].as_u64().unwrap_or(0),
    );
}

/// `cargo xtask bench forms`: only issue 3's rows (typing, save, app size), for a
/// quicker run than the whole bench.
pub fn forms() -> Result<()> {
    setup::for_tests()?;
    let root = root();
    let built = build::build_app(&Trust::test_key(&root)?, None)?;
    bench_page(&root)?;
    let out = root.join("target/bench/forms.json");
    let _ = std::fs::remove_file(&out);
    let mut cmd = bench_tests(&root);
    cmd.args(["--ignored", "--nocapture", "--test-threads=1", "--exact", FORMS_TEST]);
    sh(&mut cmd)?;
    let forms = serde_json::from_slice(&std::fs::read(&out).context("the bench wrote no forms.json")?)?;
    println!();
    println!("| operation | native | wasm in Chromium | typage in Chromium | wasm vs typage | target |");
    println!("|---|---|---|---|---|---|");
    print_forms_rows(&built, &forms);
    Ok(())
}

/// The forms bench's test (in `tests/bench/main.rs`), run alone by `bench forms`.
const FORMS_TEST: &str = "browser_bench_types_into_and_saves_a_12_member_intake";

/// Issue 3's performance rows: typing latency and save time of the 12-member intake
/// (from `forms.json`), the first paint's size against the budget, and what opening
/// the caseworker's workspace fetches after it.
fn print_forms_rows(built: &build::Built, forms: &serde_json::Value) {
    let f = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
    let typing = &forms["typing"];
    println!(
        "| typing in the intake form, {} members (input to end of the frame's rendering; p50 / p95 of {} keystrokes) | | {:.1} / {:.1} ms (max {:.1} ms; {} over one frame) | | | < 16.7 ms |",
        typing["members"].as_u64().unwrap_or(0),
        typing["keystrokes"].as_u64().unwrap_or(0),
        f(&typing["p50_ms"]),
        f(&typing["p95_ms"]),
        f(&typing["max_ms"]),
        typing["over_frame"].as_u64().unwrap_or(0),
    );
    println!(
        "| of which (p50): script {:.1} ms (validating the whole intake alone: {:.3} ms), style + layout {:.1} ms, paint and commit {:.1} ms | | | | | |",
        f(&typing["script_p50_ms"]),
        f(&typing["check_intake_ms"]),
        f(&typing["layout_p50_ms"]),
        f(&typing["paint_p50_ms"]),
    );
    let save = &forms["save"];
    println!(
        "| save a {}-member intake: validate + seal + IndexedDB write (median of {}) | | {:.1} ms (whole save with the keyring fetched from the relay: {:.1} ms) | | | ≤ 50 ms |",
        save["members"].as_u64().unwrap_or(0),
        save["seal_put_ms"].as_array().map_or(0, Vec::len),
        f(&save["seal_put_median_ms"]),
        f(&save["save_entry_median_ms"]),
    );
    println!(
        "| app first paint (main wasm + JS glue + chunk loader, gzip) | | {} KB | | | ≤ 400 KB |",
        built.gzip_bytes / 1024
    );
    let gzip_of = |file: &str| built.chunk_gzip.iter().find(|(name, _)| name == file).map_or(0, |(_, bytes)| *bytes);
    let all: usize = built.chunk_gzip.iter().map(|(_, bytes)| bytes).sum();
    for (split, files) in &built.splits {
        let total: usize = files.iter().map(|file| gzip_of(file)).sum();
        println!(
            "| then `{split}`, loaded when first opened ({}, gzip) | | {} KB | | | |",
            files.join(" + "),
            total / 1024
        );
    }
    // What a caseworker's browser fetches after unlocking: the workspace and its forms.
    let caseworker: std::collections::BTreeSet<&String> = built
        .splits
        .iter()
        .filter(|(split, _)| split == "workspace" || split == "case_forms")
        .flat_map(|(_, files)| files)
        .collect();
    if !caseworker.is_empty() {
        let total: usize = caseworker.iter().map(|file| gzip_of(file)).sum();
        println!(
            "| the caseworker's workspace with its forms (`workspace` ∪ `case_forms`, gzip) | | {} KB | | | |",
            total / 1024
        );
    }
    println!("| every lazily loaded chunk together (gzip) | | {} KB | | | |", all / 1024);
}
