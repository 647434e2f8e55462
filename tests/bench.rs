//! The measurements behind `cargo xtask bench` (ignored in the normal suite: they
//! measure, they do not judge; xtask runs them in release and prints the table).
//!
//! - native: seal and open of a 10 KB record and a 10 MB stream with `shared::seal`,
//!   median of runs, into `target/bench/native.json`;
//! - browser: serves `target/bench/dist` (built by `cargo xtask bench`) on 127.0.0.1,
//!   opens `bench.html` in headless Chromium, waits for the page to do the same four
//!   operations with Amanat's wasm and with typage, into `target/bench/browser.json`.

use amanat_tests::browser::Browser;
use amanat_tests::relay::workspace_root;
use shared::seal::{generate_identity, open_bytes, open_stream, seal_bytes, seal_stream};
use std::time::{Duration, Instant};

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

#[test]
#[ignore = "benchmark: run by `cargo xtask bench`"]
fn native_bench_seals_and_opens_records_and_streams() {
    let ids = [generate_identity(), generate_identity()];
    let recipients: Vec<_> = ids.iter().map(|i| i.to_public()).collect();
    let record: Vec<u8> = (0..RECORD).map(|i| (i % 251) as u8).collect();
    let stream: Vec<u8> = (0..STREAM).map(|i| (i % 253) as u8).collect();
    let sealed = seal_bytes(&record, recipients.iter()).unwrap();
    let mut sealed_stream = Vec::new();
    seal_stream(&stream[..], &mut sealed_stream, recipients.iter()).unwrap();
    let figures = serde_json::json!({
        "seal 10 KB record": median_ms(101, || {
            seal_bytes(&record, recipients.iter()).unwrap();
        }),
        "open 10 KB record": median_ms(101, || {
            open_bytes(sealed.as_bytes(), &ids[1..]).unwrap();
        }),
        "seal 10 MB stream": median_ms(7, || {
            let mut out = Vec::with_capacity(STREAM + 4096);
            seal_stream(&stream[..], &mut out, recipients.iter()).unwrap();
        }),
        "open 10 MB stream": median_ms(7, || {
            let mut out = Vec::with_capacity(STREAM);
            open_stream(&sealed_stream[..], &mut out, &ids[1..]).unwrap();
        }),
    });
    let dir = workspace_root().join("target/bench");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("native.json"), figures.to_string()).unwrap();
    println!("native figures (ms): {figures}");
}

#[tokio::test]
#[ignore = "benchmark: run by `cargo xtask bench`"]
async fn browser_bench_seals_and_opens_with_wasm_and_with_typage() {
    let dist = workspace_root().join("target/bench/dist");
    assert!(dist.join("bench.html").exists(), "run `cargo xtask bench`, which builds {}", dist.display());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().fallback_service(tower_http::services::ServeDir::new(&dist));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let browser = Browser::start().await.unwrap();
    browser.goto(&format!("http://{addr}/bench.html")).await.unwrap();
    let body = browser.wait_for("body[data-results], body[data-error]", 600).await.unwrap();
    if let Some(err) = body.attr("data-error").await.unwrap() {
        panic!("the benchmark page failed: {err}");
    }
    let results = body.attr("data-results").await.unwrap().unwrap();
    let out = workspace_root().join("target/bench/browser.json");
    std::fs::write(&out, &results).unwrap();
    println!("browser figures (ms): {results}");
    browser.close().await.unwrap();
}
