//! The measurements behind `cargo xtask bench` (ignored in the normal suite: they
//! measure, they do not judge; xtask runs them in release and prints the table).
//!
//! - native: seal and open of a 10 KB record and a 10 MB stream with `shared::seal`,
//!   and the vault's unlock (Argon2id + unwrap), median of runs, into
//!   `target/bench/native.json`;
//! - browser: serves `target/bench/dist` (built by `cargo xtask bench`) on 127.0.0.1,
//!   opens `bench.html` in headless Chromium, waits for the page to do the same four
//!   operations with Amanat's wasm and with typage (and the unlock with the wasm), into
//!   `target/bench/browser.json`;
//! - sync: the release `amanat serve` serving `target/bench/dist` on 127.0.0.1; in
//!   headless Chromium the app's own outbox gets 1 000 sealed 10 KB entries, then the
//!   app's own sync loop uploads them; timed until the relay has acknowledged every one,
//!   and the relay's list must hold exactly those ids. Into `target/bench/sync.json`;
//! - forms: the same relay serving `forms.html`: typing into the app's real intake
//!   form with a 12-member household, and saving that intake through the app's
//!   `seal_entry` + `outbox::put` and `save_entry`. Into `target/bench/forms.json`.

use std::collections::BTreeSet;

use amanat_tests::browser::Browser;
use amanat_tests::relay::{workspace_root, RelayProcess};
use shared::seal::{generate_identity, open_bytes, open_stream, seal_bytes, seal_stream};
use shared::vault;
use std::time::Instant;

const RECORD: usize = 10 * 1024;
const STREAM: usize = 10 * 1024 * 1024;
/// The unlock row's name (as `bench.js` names it) and the passphrase it derives from.
const UNLOCK: &str = "unlock (Argon2id + unwrap)";
const PASSPHRASE: &str = "saffron window pelican 58 drum";

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
    let salt = vault::Salt::random();
    let wrapped = vault::wrap_identity(&ids[0], &vault::derive(PASSPHRASE, &salt).unwrap()).unwrap();
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
        UNLOCK: median_ms(5, || {
            let keys = vault::derive(PASSPHRASE, &salt).unwrap();
            vault::unwrap_identity(wrapped.as_bytes(), &keys).unwrap();
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

/// Entries queued for the sync bench, and the plaintext size of each.
const SYNC_ENTRIES: usize = 1000;
const SYNC_ENTRY_BYTES: usize = 10 * 1024;

/// Every entry id the relay lists to `token`, page by page.
async fn relay_entry_ids(relay: &RelayProcess, token: &str) -> BTreeSet<String> {
    let http = reqwest::Client::new();
    let mut ids = BTreeSet::new();
    let mut after: Option<String> = None;
    loop {
        let mut req = http.get(relay.url("/api/v1/entries")).bearer_auth(token);
        if let Some(a) = &after {
            req = req.query(&[("after", a)]);
        }
        let page: serde_json::Value = req.send().await.unwrap().error_for_status().unwrap().json().await.unwrap();
        for e in page["entries"].as_array().unwrap() {
            assert!(ids.insert(e["id"].as_str().unwrap().to_owned()), "the relay listed an entry twice");
        }
        match page["next"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => return ids,
        }
    }
}

#[tokio::test]
#[ignore = "benchmark: run by `cargo xtask bench`"]
async fn browser_bench_syncs_1000_queued_entries_to_a_local_relay() {
    let dist = workspace_root().join("target/bench/dist");
    assert!(dist.join("sync.html").exists(), "run `cargo xtask bench`, which builds {}", dist.display());
    let relay = RelayProcess::start_in(Some(dist), &[]);
    let name = backend::demo::CASEWORKER;
    let token = relay.demo_file("caseworker.token");

    let browser = Browser::start().await.unwrap();
    browser.goto(&relay.url("/sync.html")).await.unwrap();
    browser.wait_for("body[data-ready]", 60).await.unwrap();
    browser
        .client
        .execute(
            "window.amanatSyncBench(arguments[0], arguments[1], arguments[2], arguments[3]);",
            vec![name.into(), token.clone().into(), SYNC_ENTRIES.into(), SYNC_ENTRY_BYTES.into()],
        )
        .await
        .unwrap();
    let body = browser.wait_for("body[data-results], body[data-error]", 1500).await.unwrap();
    if let Some(err) = body.attr("data-error").await.unwrap() {
        panic!("the sync benchmark page failed: {err}");
    }
    let results: serde_json::Value = serde_json::from_str(&body.attr("data-results").await.unwrap().unwrap()).unwrap();
    browser.close().await.unwrap();

    // The relay side: exactly the queued entries, each once.
    let queued: BTreeSet<String> =
        results["ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect();
    assert_eq!(queued.len(), SYNC_ENTRIES, "the page queued {} distinct entries", queued.len());
    let on_relay = relay_entry_ids(&relay, &token).await;
    assert_eq!(on_relay, queued, "the relay must hold exactly the queued entries");

    let sync_s = results["sync_ms"].as_f64().unwrap() / 1000.0;
    let figures = serde_json::json!({
        "entries": SYNC_ENTRIES,
        "entry_bytes": SYNC_ENTRY_BYTES,
        "queue_s": results["queue_ms"].as_f64().unwrap() / 1000.0,
        "sync_s": sync_s,
        "entries_per_s": SYNC_ENTRIES as f64 / sync_s,
        "relay_entries": on_relay.len(),
    });
    std::fs::write(workspace_root().join("target/bench/sync.json"), figures.to_string()).unwrap();
    println!("sync figures: {figures}");
}

/// Keystrokes timed in the typing bench (after a warm-up the page drops), and saves of
/// the full intake timed each way.
const KEYSTROKES: usize = 200;
const SAVES: usize = 20;

/// Issue 3's performance rows: typing into the real intake form with a 12-member
/// household (input to the end of the frame's rendering, one keystroke per frame), and
/// saving that intake (validate + seal + IndexedDB write; and the whole save with the
/// keyring fetched from the relay), in headless Chromium against the release relay.
/// Into `target/bench/forms.json`.
#[tokio::test]
#[ignore = "benchmark: run by `cargo xtask bench`"]
async fn browser_bench_types_into_and_saves_a_12_member_intake() {
    let dist = workspace_root().join("target/bench/dist");
    assert!(dist.join("forms.html").exists(), "run `cargo xtask bench`, which builds {}", dist.display());
    let relay = RelayProcess::start_in(Some(dist), &[]);
    let name = backend::demo::CASEWORKER;
    let token = relay.demo_file("caseworker.token");

    let browser = Browser::start().await.unwrap();
    browser.goto(&relay.url("/forms.html")).await.unwrap();
    browser.wait_for("body[data-ready]", 60).await.unwrap();
    browser
        .client
        .execute(
            "window.amanatFormsBench(arguments[0], arguments[1], arguments[2], arguments[3]);",
            vec![name.into(), token.into(), KEYSTROKES.into(), SAVES.into()],
        )
        .await
        .unwrap();
    let body = browser.wait_for("body[data-results], body[data-error]", 600).await.unwrap();
    if let Some(err) = body.attr("data-error").await.unwrap() {
        panic!("the forms benchmark page failed: {err}");
    }
    let results: serde_json::Value = serde_json::from_str(&body.attr("data-results").await.unwrap().unwrap()).unwrap();
    browser.close().await.unwrap();

    assert_eq!(results["typing"]["members"], 12, "the form shows the twelve members");
    assert_eq!(results["typing"]["keystrokes"], KEYSTROKES);
    assert_eq!(results["save"]["members"], 12);
    assert_eq!(results["save"]["seal_put_ms"].as_array().unwrap().len(), SAVES);
    std::fs::write(workspace_root().join("target/bench/forms.json"), results.to_string()).unwrap();
    println!("forms figures: {results}");
}
