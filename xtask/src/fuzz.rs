//! `cargo xtask fuzz [--seconds N] [-- <libFuzzer flags>]`: runs the ingest fuzz target
//! (`fuzz/fuzz_targets/ingest.rs`) for N seconds (default 60) and says what it found.
//!
//! Only the stable toolchain is installed, and cargo-fuzz needs nightly flags
//! (`-Zsanitizer`, `-Cpasses=sancov-module`): `RUSTC_BOOTSTRAP=1` lets stable accept
//! them. The address sanitizer is off (`--sanitizer none`): the target is safe Rust,
//! so what it hunts is panics, hangs, huge allocations and wrong acceptances, which
//! libFuzzer catches without ASan. cargo-fuzz is installed with `cargo install` if
//! missing. New corpus entries stay in `fuzz/corpus/ingest/` (git ignores all but the
//! `seed-*` files); a finding is written to `fuzz/artifacts/ingest/` and fails the run.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

use crate::{cargo, have, root, sh};

pub fn run(args: &[String]) -> Result<()> {
    let mut seconds: u64 = 60;
    let mut extra = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seconds" => seconds = it.next().context("--seconds needs a number")?.parse().context("--seconds N")?,
            "--" => extra.extend(it.by_ref().cloned()),
            other => bail!("unknown argument {other}; usage: cargo xtask fuzz [--seconds N] [-- <libFuzzer flags>]"),
        }
    }
    if !have("cargo-fuzz") {
        println!("Installing cargo-fuzz (cargo install cargo-fuzz)…");
        sh(Command::new(cargo()).args(["install", "cargo-fuzz"]))?;
    }
    let fuzz_dir = root().join("fuzz");
    let artifacts = fuzz_dir.join("artifacts").join("ingest");
    let before = count_files(&artifacts);
    let mut cmd = Command::new(cargo());
    cmd.current_dir(root())
        .env("RUSTC_BOOTSTRAP", "1")
        .args(["fuzz", "run", "--sanitizer", "none", "ingest", "--"])
        .arg(format!("-max_total_time={seconds}"))
        .args(["-max_len=20000", "-timeout=10", "-rss_limit_mb=1024", "-print_final_stats=1"])
        .args(&extra)
        .stderr(Stdio::piped());
    println!("Fuzzing the ingest path for {seconds} s…");
    let mut child = cmd.spawn().context("cannot start cargo fuzz")?;
    let stderr = child.stderr.take().expect("stderr is piped");
    let mut last_status = String::new();
    let mut stats = Vec::new();
    for line in BufReader::new(stderr).lines() {
        let line = line?;
        if line.starts_with("stat::") {
            stats.push(line.clone());
        } else if line.contains("DONE") || line.contains("pulse") || line.contains("NEW") || line.contains("REDUCE") {
            last_status = line.clone();
        }
        // Progress lines are many; show the important ones as they come.
        if line.contains("ERROR")
            || line.contains("panicked")
            || line.contains("Test unit written")
            || line.contains("DONE")
            || line.contains("INITED")
        {
            eprintln!("{line}");
        }
    }
    let status = child.wait()?;
    let after = count_files(&artifacts);
    println!("{last_status}");
    for s in &stats {
        println!("{s}");
    }
    let execs = stats.iter().find_map(|s| s.strip_prefix("stat::number_of_executed_units:")).map(str::trim);
    let per_sec = stats.iter().find_map(|s| s.strip_prefix("stat::average_exec_per_sec:")).map(str::trim);
    println!(
        "Fuzzing summary: {} executions, {} exec/s, {} new finding(s) in {}",
        execs.unwrap_or("?"),
        per_sec.unwrap_or("?"),
        after.saturating_sub(before),
        artifacts.display()
    );
    if !status.success() || after > before {
        bail!("the fuzzer found a problem; reproduce with: RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none ingest <artifact>");
    }
    Ok(())
}

fn count_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}
