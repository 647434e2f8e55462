//! The relay under load (run by `cargo xtask bench`, in release; ignored otherwise):
//!
//! - 10 KB age entries (real: sealed with `shared::seal`, each with its own id) PUT at
//!   concurrency 64 by Debian's `wrk` (a Lua script walks the pre-generated bodies, so
//!   every request stores a new entry) against the release `amanat serve` process on
//!   loopback, with SQLite and with PostgreSQL (a throwaway cluster, `pg.rs`):
//!   entries/s, p50/p99 latency, the relay's peak RSS (VmHWM);
//! - one 1 GB entry uploaded and downloaded with `curl` against a fresh relay: both
//!   times, the download checked byte-identical (SHA-256), and the relay's peak RSS.
//!
//! Rate limits and the quota are switched off for the bench (`--rate-per-address 0
//! --rate-per-account 0 --uploads-per-hour 0`, a huge `--quota-bytes`): it measures
//! storage, not the limiter. Results go to
//! `target/bench/load.json`, which `xtask/src/bench_load.rs` prints as table rows.

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use amanat_tests::support::pg::Cluster;
use amanat_tests::support::relay::{amanat_binary, workspace_root};
use shared::api::CASE_HEADER;
use shared::{CaseId, EntryId};

/// wrk threads (one per core) and connections.
const THREADS: usize = 2;
const CONNECTIONS: usize = 64;
/// How long each load run lasts.
const SECONDS: u64 = 6;
/// Entries generated per wrk thread: more than a thread can send in `SECONDS`, so no
/// request repeats an entry (a repeat would be a cheaper 200).
const PER_THREAD: usize = 20_000;
const ENTRY_PLAINTEXT: usize = 10 * 1024;
const BIG_BYTES: u64 = 1_000_000_000;

const LUA: &str = r#"
-- Walks this thread's pre-generated entries: one new entry per request.
local body, ids, offs, lens, n, i = nil, {}, {}, {}, 0, 0
created, other = 0, 0
local threads, next_tid = {}, 0
function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end
function init(args)
  local dir = os.getenv("AMANAT_LOAD_DIR")
  local f = assert(io.open(dir .. "/bodies-" .. tid .. ".bin", "rb"))
  body = f:read("*a")
  f:close()
  local off = 1
  for line in io.lines(dir .. "/index-" .. tid .. ".txt") do
    local id, len = line:match("(%x+) (%d+)")
    n = n + 1
    ids[n], lens[n], offs[n] = id, tonumber(len), off
    off = off + tonumber(len)
  end
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("AMANAT_LOAD_TOKEN")
  wrk.headers["CASE_HEADER"] = os.getenv("AMANAT_LOAD_CASE")
  wrk.headers["Content-Type"] = "application/octet-stream"
end
function request()
  i = i + 1
  local k = ((i - 1) % n) + 1
  return wrk.format("PUT", "/api/v1/entries/" .. ids[k], nil, body:sub(offs[k], offs[k] + lens[k] - 1))
end
function response(status, headers, body)
  if status == 201 then created = created + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local c, o = 0, 0
  for _, t in ipairs(threads) do c = c + t:get("created"); o = o + t:get("other") end
  io.write(string.format("AMANAT created=%d other=%d requests=%d errors=%d micros=%d p50=%d p99=%d\n",
    c, o, summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout, summary.duration,
    latency:percentile(50), latency:percentile(99)))
end
"#;

/// A running `amanat serve` process.
struct Served {
    child: Child,
    base: String,
}

impl Served {
    fn start(data: &Path, database: Option<&str>, extra: &[&str]) -> Self {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut cmd = Command::new(amanat_binary());
        cmd.arg("--data").arg(data).args(["serve", "--listen", &format!("127.0.0.1:{port}")]);
        cmd.arg("--dist").arg(data.join("no-app"));
        // --demo: an empty data dir gets the demo organisation the bench uploads to.
        cmd.args([
            "--demo",
            "--rate-per-address",
            "0",
            "--rate-per-account",
            "0",
            "--uploads-per-hour",
            "0",
            "--quota-bytes",
            "1000000000000000",
        ])
        .args(extra);
        if let Some(url) = database {
            cmd.args(["--database", url]);
        }
        let child = cmd.env("AMANAT_LOG", "warn").stdout(Stdio::null()).spawn().expect("amanat serve starts");
        let served = Served { child, base: format!("http://127.0.0.1:{port}") };
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the relay did not start listening");
            std::thread::sleep(Duration::from_millis(50));
        }
        served
    }

    /// Peak resident memory so far (VmHWM), in MiB.
    fn peak_rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let kb: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM in /proc/PID/status");
        kb / 1024.0
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
    }
}

/// Makes the bench caseworker on a store, returning its bearer token.
fn caseworker_token(data: &Path, database: Option<&str>) -> String {
    let mut cmd = Command::new(amanat_binary());
    cmd.arg("--data").arg(data).args(["user", "add", "bench-cw", "--role", "caseworker", "--token"]);
    if let Some(url) = database {
        cmd.args(["--database", url]);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "amanat user add: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().last().expect("the token line").trim().to_owned()
}

/// Seals `PER_THREAD` distinct 10 KB entries per wrk thread into `dir`.
fn generate_entries(dir: &Path) {
    let recipient = shared::seal::generate_identity().to_public();
    for t in 0..THREADS {
        let mut bodies = std::io::BufWriter::new(std::fs::File::create(dir.join(format!("bodies-{t}.bin"))).unwrap());
        let mut index = std::io::BufWriter::new(std::fs::File::create(dir.join(format!("index-{t}.txt"))).unwrap());
        for i in 0..PER_THREAD {
            let mut plaintext = vec![b'.'; ENTRY_PLAINTEXT];
            plaintext[..16].copy_from_slice(&((t * PER_THREAD + i) as u128).to_le_bytes());
            let ct = shared::seal::seal_bytes(&plaintext, [recipient.clone()].iter()).unwrap();
            bodies.write_all(ct.as_bytes()).unwrap();
            writeln!(index, "{} {}", ct.id(), ct.len()).unwrap();
        }
    }
}

/// One wrk run; returns (entries/s, p50 ms, p99 ms, peak RSS MiB, created, other).
fn load_run(label: &str, entries: &Path, database: Option<&str>) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let token = caseworker_token(&data, database);
    let relay = Served::start(&data, database, &[]);
    let script = dir.path().join("put.lua");
    std::fs::write(&script, LUA.replace("CASE_HEADER", CASE_HEADER)).unwrap();
    let out = Command::new("wrk")
        .args([
            "-t",
            &THREADS.to_string(),
            "-c",
            &CONNECTIONS.to_string(),
            "-d",
            &format!("{SECONDS}s"),
            "--timeout",
            "10s",
        ])
        .arg("-s")
        .arg(&script)
        .arg(&relay.base)
        .env("AMANAT_LOAD_DIR", entries)
        .env("AMANAT_LOAD_TOKEN", &token)
        .env("AMANAT_LOAD_CASE", CaseId::random().to_string())
        .output()
        .expect("wrk runs (Debian's `wrk`; cargo xtask bench installs it)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "wrk failed: {text}{}", String::from_utf8_lossy(&out.stderr));
    let line = text
        .lines()
        .find(|l| l.starts_with("AMANAT "))
        .unwrap_or_else(|| panic!("no summary from the script:\n{text}"));
    let field = |name: &str| -> f64 {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name} in {line}"))
    };
    let rss = relay.peak_rss_mib();
    drop(relay);
    let (created, other, micros) = (field("created"), field("other"), field("micros"));
    assert!(created <= (THREADS * PER_THREAD) as f64, "entries repeated: generate more per thread");
    let result = serde_json::json!({
        "label": label,
        "entries_per_s": created / (micros / 1e6),
        "p50_ms": field("p50") / 1000.0,
        "p99_ms": field("p99") / 1000.0,
        "peak_rss_mib": rss,
        "created": created,
        "other": other,
        "errors": field("errors"),
    });
    eprintln!("{label}: {result}");
    // Every answer was a 201: otherwise the figures would not be about storing.
    assert_eq!(other, 0.0, "{label}: {other} responses were not 201 Created:\n{text}");
    result
}

fn sha256_of(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8(out.stdout).unwrap().split_whitespace().next().unwrap().to_owned()
}

/// Uploads and downloads one 1 GB entry with curl; returns times and peak RSS.
fn big_entry(work: &Path) -> serde_json::Value {
    let identity = shared::seal::generate_identity();
    let big = work.join("big.age");
    // The real age CLI seals a gigabyte of zeros (the ciphertext is random-looking).
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("head -c {BIG_BYTES} /dev/zero | age -r {} > '{}'", identity.to_public(), big.display()))
        .status()
        .unwrap();
    assert!(status.success(), "age sealed the 1 GB file");
    let id: EntryId = sha256_of(&big).parse().unwrap();
    let size = std::fs::metadata(&big).unwrap().len();

    let data = work.join("data");
    let token = caseworker_token(&data, None);
    let relay = Served::start(&data, None, &["--max-body", &(2 * BIG_BYTES).to_string()]);
    let url = format!("{}/api/v1/entries/{id}", relay.base);
    let started = Instant::now();
    let up = Command::new("curl")
        .args(["-sS", "-f", "-o", "/dev/null", "-w", "%{http_code}", "-T"])
        .arg(&big)
        .args(["-H", &format!("Authorization: Bearer {token}"), "-H"])
        .arg(format!("{CASE_HEADER}: {}", CaseId::random()))
        .args(["-H", "Content-Type: application/octet-stream", &url])
        .output()
        .unwrap();
    let upload_s = started.elapsed().as_secs_f64();
    assert_eq!(String::from_utf8_lossy(&up.stdout), "201", "upload: {}", String::from_utf8_lossy(&up.stderr));
    let after_upload = relay.peak_rss_mib();

    let started = Instant::now();
    let down = Command::new("sh")
        .arg("-c")
        .arg(format!("curl -sS -f -H 'Authorization: Bearer {token}' '{url}' | sha256sum"))
        .output()
        .unwrap();
    let download_s = started.elapsed().as_secs_f64();
    assert!(down.status.success());
    let got = String::from_utf8_lossy(&down.stdout).split_whitespace().next().unwrap_or_default().to_owned();
    assert_eq!(got, id.to_string(), "the downloaded gigabyte is byte-identical");
    let peak = relay.peak_rss_mib();
    drop(relay);
    let _ = std::fs::remove_file(&big);
    let result = serde_json::json!({
        "bytes": size,
        "upload_s": upload_s,
        "download_s": download_s,
        "peak_rss_after_upload_mib": after_upload,
        "peak_rss_mib": peak,
    });
    eprintln!("1 GB entry: {result}");
    assert!(peak < 100.0, "the relay's peak RSS was {peak:.1} MiB streaming 1 GB (target < 100 MiB)");
    result
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run by `cargo xtask bench` in release"]
async fn load_bench() {
    let out_dir: PathBuf = workspace_root().join("target/bench");
    std::fs::create_dir_all(&out_dir).unwrap();
    let work = tempfile::tempdir().unwrap();
    let entries = work.path().join("entries");
    std::fs::create_dir_all(&entries).unwrap();
    let started = Instant::now();
    generate_entries(&entries);
    eprintln!("sealed {} entries of 10 KB in {:.1} s", THREADS * PER_THREAD, started.elapsed().as_secs_f64());
    let _ = amanat_binary();

    let sqlite = tokio::task::block_in_place(|| load_run("SQLite", &entries, None));
    let cluster = Cluster::start();
    let url = cluster.database().await;
    let postgres = tokio::task::block_in_place(|| load_run("PostgreSQL", &entries, Some(&url)));
    drop(cluster);
    std::fs::remove_dir_all(&entries).unwrap();
    let big = tokio::task::block_in_place(|| big_entry(work.path()));

    let report = serde_json::json!({ "load": [sqlite, postgres], "big": big });
    std::fs::write(out_dir.join("load.json"), serde_json::to_vec_pretty(&report).unwrap()).unwrap();
}
