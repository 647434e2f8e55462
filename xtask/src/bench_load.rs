//! `cargo xtask bench`, the relay's half: load on loopback and the 1 GB stream.
//!
//! The measuring code is the ignored test `load::load_bench` of the bench binary
//! (`tests/bench/load.rs`), run in release (it starts the release `amanat serve`,
//! drives it with Debian's `wrk`, starts its own PostgreSQL cluster, and writes
//! `target/bench/load.json`); this installs what it needs and prints the figures as
//! table rows.
//!
//! Targets (issue 4), on a 2-core machine: ≥ 3 000 entries/s and p99 ≤ 50 ms with
//! SQLite; the relay's peak RSS under 100 MB while a 1 GB entry goes up and down.

use anyhow::{Context, Result};

use crate::{root, setup, sh};

/// Runs the load bench and prints its rows.
pub fn run() -> Result<()> {
    setup::apt(&[("wrk", "wrk"), ("pg_ctlcluster", "postgresql"), ("age", "age"), ("curl", "curl")])?;
    let root = root();
    let json = root.join("target/bench/load.json");
    let _ = std::fs::remove_file(&json);
    eprintln!("xtask: relay load bench (release amanat serve, wrk, SQLite and PostgreSQL, 1 GB entry)");
    sh(crate::bench::bench_tests(&root).args(["--ignored", "--nocapture", "--exact", "load::load_bench"]))?;
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).context("the load bench wrote no target/bench/load.json")?)?;
    println!();
    println!("| relay, 10 KB entries, 64 connections | entries/s | p50 | p99 | relay peak RSS | target |");
    println!("|---|---|---|---|---|---|");
    for run in report["load"].as_array().into_iter().flatten() {
        let target = if run["label"] == "SQLite" { "≥ 3 000/s, p99 ≤ 50 ms" } else { "" };
        println!(
            "| {} | {:.0} | {:.1} ms | {:.1} ms | {:.0} MiB | {target} |",
            run["label"].as_str().unwrap_or("?"),
            run["entries_per_s"].as_f64().unwrap_or(f64::NAN),
            run["p50_ms"].as_f64().unwrap_or(f64::NAN),
            run["p99_ms"].as_f64().unwrap_or(f64::NAN),
            run["peak_rss_mib"].as_f64().unwrap_or(f64::NAN),
        );
    }
    let big = &report["big"];
    println!(
        "| 1 GB entry (SQLite): upload {:.1} s, download {:.1} s | | | | {:.0} MiB | < 100 MB |",
        big["upload_s"].as_f64().unwrap_or(f64::NAN),
        big["download_s"].as_f64().unwrap_or(f64::NAN),
        big["peak_rss_mib"].as_f64().unwrap_or(f64::NAN),
    );
    Ok(())
}
