//! The browser half of `cargo xtask bench` (ignored in the normal suite: it measures,
//! it does not judge). Serves `target/bench/dist` (built by `cargo xtask bench`) on
//! 127.0.0.1, opens `bench.html` in headless Chromium, waits for the page to finish
//! the same four operations with Amanat's wasm and with typage, and writes the
//! figures to `target/bench/browser.json`.

use amanat_tests::browser::Browser;
use amanat_tests::relay::workspace_root;
use std::time::Duration;

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
    tokio::time::sleep(Duration::from_millis(10)).await;
}
