//! The privacy officer's story (issue 5): on the browser a caseworker used, the
//! `/privacy` page shows that the device keeps nothing readable, that the relay's
//! checks pass with the same key fingerprints `amanat keyring show` prints, and that
//! the served app is the release; and it notices a planted plaintext value and a
//! changed app file.
//!
//! The relay serves a temporary copy of `dist/` (`--dist`), so one file of it can be
//! altered without touching the build other stories use. The copy is signed as an
//! organisation signs a release (`amanat release sign`, with the tests' organisation
//! key, the one the test build pins), so the page can tell the release from a relay's
//! rewrite of it, and the service worker refuses a wasm file changed by one byte.

use std::path::Path;
use std::time::{Duration, Instant};

use amanat_tests::support::driver::Browser;
use amanat_tests::support::relay::{amanat, copy_dist, stdout, RelayProcess};
use amanat_tests::support::turns::heavy_story;
use fantoccini::Locator;

const OFFICER: &str = "zarina";

/// The `data-*` attribute of the first element matching `css`, waiting for it.
/// The relay changes a served file: `change` rewrites its bytes, and its compressed
/// twins (`.br`, `.gz`, which browsers would otherwise get) are removed so the changed
/// bytes are what goes out. How many listed files now differ from the list.
fn tamper(dist: &Path, name: &str, change: impl FnOnce(&mut Vec<u8>)) -> usize {
    let file = dist.join(name);
    let mut bytes = std::fs::read(&file).unwrap();
    change(&mut bytes);
    std::fs::write(&file, bytes).unwrap();
    let mut differing = 1;
    for twin in ["br", "gz"] {
        if std::fs::remove_file(dist.join(format!("{name}.{twin}"))).is_ok() {
            differing += 1;
        }
    }
    differing
}

async fn attr(browser: &Browser, css: &str, name: &str) -> String {
    browser.wait_for(css, 120).await.unwrap().attr(name).await.unwrap().unwrap_or_default()
}

/// Clicks `button` and waits until `result` shows the outcome of run number `run`
/// (its `data-run`), so a stale result is never read.
async fn run_and_wait(browser: &Browser, button: &str, result: &str, run: u32, secs: u64) {
    browser.click(button).await.unwrap();
    browser.wait_for(&format!("{result}[data-run='{run}']"), secs).await.unwrap();
}

async fn count_of(browser: &Browser, kind: &str) -> usize {
    attr(browser, &format!("#privacy-count-{kind}"), "data-count").await.parse().unwrap()
}

#[tokio::test]
async fn a_privacy_officer_sees_a_clean_device_a_sound_relay_and_the_release_and_notices_what_is_not() {
    let _turn = heavy_story();
    let dist = tempfile::tempdir().unwrap();
    copy_dist(dist.path());
    let org_key = amanat_tests::support::relay::test_org_key_file();
    let signed = amanat(
        dist.path(),
        &["release", "sign", dist.path().to_str().unwrap(), "--org-key", org_key.to_str().unwrap()],
    );
    assert!(signed.status.success(), "{}", String::from_utf8_lossy(&signed.stderr));
    let mut relay = RelayProcess::start_in(Some(dist.path().to_path_buf()), &[]);

    // A caseworker saves an intake while the relay is down; it uploads when it is back.
    let browser = Browser::start().await.unwrap();
    browser.enrol_demo_caseworker(&relay).await.unwrap();
    browser.fill_intake_with("Karimova", "Aziza", "Lives with her father in Urgut").await.unwrap();
    browser.save_intake_through_a_relay_outage(&mut relay).await.unwrap();

    // The same browser profile: the privacy page finds ciphertext and nothing else.
    browser.client.goto(&relay.url("/privacy")).await.unwrap();
    browser.choose_language("en").await.unwrap();
    run_and_wait(&browser, "#privacy-scan", "#privacy-counts", 1, 120).await;
    browser.screenshot("privacy-device-clean").await.unwrap();
    let ciphertext = count_of(&browser, "ciphertext").await;
    let envelope = count_of(&browser, "envelope").await;
    assert!(ciphertext > 0, "the sealed intake and the wrapped identity are ciphertext");
    assert!(envelope > 0, "the outbox entry's envelope is allowed fields");
    assert!(count_of(&browser, "app_file").await > 0, "the service worker's copies are the release's files");
    assert_eq!(count_of(&browser, "else").await, 0, "a clean device: {}", browser.page_text().await.unwrap());
    assert_eq!(attr(&browser, "#privacy-device-verdict", "data-clean").await, "true");

    // A plaintext value planted in localStorage is listed, redacted.
    browser.client.execute("localStorage.setItem('amanat-note', 'Aziza Karimova, Urgut')", vec![]).await.unwrap();
    run_and_wait(&browser, "#privacy-scan", "#privacy-counts", 2, 120).await;
    assert_eq!(count_of(&browser, "else").await, 1);
    assert_eq!(browser.count("#privacy-else tr.privacy-else-item[data-area=localStorage]").await.unwrap(), 1);
    let listed = browser.client.find(Locator::Css("#privacy-else")).await.unwrap().text().await.unwrap();
    assert!(listed.contains("Aziz") && !listed.contains("Karimova"), "listed with a short preview only: {listed}");
    assert_eq!(count_of(&browser, "ciphertext").await, ciphertext, "the rest is unchanged");
    browser.screenshot("privacy-device-planted").await.unwrap();

    // The relay: the officer signs in; every check passes; the fingerprints are the CLI's.
    let out = amanat(&relay.data, &["user", "add", OFFICER, "--role", "privacy-officer", "--token"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = stdout(&out).lines().last().unwrap().trim().to_owned();
    browser.sign_in(OFFICER, &token).await.unwrap();
    browser.wait_for("#privacy-relay-result", 120).await.unwrap();
    browser.screenshot("privacy-relay").await.unwrap();
    let checks = browser.client.find_all(Locator::Css("li.privacy-check")).await.unwrap();
    // Six: the relay's five, and the build's own (pinned to the tests' organisation key).
    assert_eq!(checks.len(), 6);
    for c in checks {
        let text = c.text().await.unwrap();
        assert_eq!(c.attr("data-ok").await.unwrap().as_deref(), Some("true"), "{text}");
    }
    assert_eq!(attr(&browser, "#privacy-relay-result", "data-ok").await, "true");
    assert_eq!(attr(&browser, "#privacy-entries-total", "data-count").await, "1", "the one intake");

    let shown = stdout(&amanat(&relay.data, &["keyring", "show"]));
    // `  <role> <age1…>  <fingerprint>  <label>`: recipient and fingerprint.
    let mut cli: Vec<(String, String)> = shown
        .lines()
        .filter(|l| l.starts_with("  "))
        .map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            (w[1].to_owned(), w[2].to_owned())
        })
        .collect();
    let mut page = Vec::new();
    for row in browser.client.find_all(Locator::Css("#privacy-keyring tr.privacy-holder")).await.unwrap() {
        let recipient = row.attr("data-recipient").await.unwrap().unwrap();
        let fingerprint = row.find(Locator::Css(".privacy-fingerprint")).await.unwrap().text().await.unwrap();
        page.push((recipient, fingerprint));
    }
    cli.sort();
    page.sort();
    assert!(!cli.is_empty(), "keyring show lists the holders: {shown}");
    assert_eq!(page, cli, "the page's fingerprints are the CLI's");
    let signer = browser.client.find(Locator::Css("#privacy-signer-fingerprint")).await.unwrap().text().await.unwrap();
    assert!(shown.contains(&format!("(fingerprint {signer})")), "{shown}");

    // The app's files: all match the release's hashes.
    let listed_files = std::fs::read_to_string(dist.path().join("hashes.txt")).unwrap().lines().count();
    let started = Instant::now();
    run_and_wait(&browser, "#privacy-app-run", "#privacy-app-summary", 1, 180).await;
    println!("app files checked in the browser: {listed_files} in {:?}", started.elapsed());
    assert_eq!(attr(&browser, "#privacy-app-summary", "data-count").await, listed_files.to_string());
    assert_eq!(attr(&browser, "#privacy-app-summary", "data-bad").await, "0");
    assert_eq!(
        attr(&browser, "#privacy-app-signature", "data-state").await,
        "signed",
        "the list is the organisation's: {}",
        browser.page_text().await.unwrap()
    );

    // One served file changes: the page names it (and its compressed twins, gone).
    let bad = tamper(dist.path(), "favicon.svg", |b| b.extend_from_slice(b"<!-- changed -->"));
    run_and_wait(&browser, "#privacy-app-run", "#privacy-app-summary", 2, 180).await;
    assert_eq!(attr(&browser, "#privacy-app-summary", "data-bad").await, bad.to_string());
    assert_eq!(browser.count("tr.privacy-app-file[data-path='favicon.svg'][data-match=false]").await.unwrap(), 1);
    assert_eq!(browser.count("tr.privacy-app-file[data-match=false]").await.unwrap(), bad);
    browser.screenshot("privacy-app-mismatch").await.unwrap();

    // The relay changes one byte of the app's code. This browser keeps the build's
    // copy under its content-tagged name (immutable) and would never ask again; a
    // device whose cache was emptied asks. The service worker, which checked and kept
    // every file of the build, refuses the changed bytes, runs the kept copy and raises
    // the alarm on the page.
    let wasm = amanat_tests::support::relay::built_name(dist.path(), "amanat_bg.wasm");
    let wasm_path = format!("/{wasm}");
    let bad = bad + tamper(dist.path(), &wasm, |b| *b.last_mut().unwrap() ^= 1);
    browser.cdp("Network.clearBrowserCache", serde_json::json!({})).await.unwrap();
    browser.client.goto(&relay.url("/privacy")).await.unwrap();
    browser.wait_for("#integrity-alarm[role=alert]", 60).await.unwrap();
    // Every refused file is named (the icon changed above is refused too when the page
    // asks for it).
    let deadline = Instant::now() + Duration::from_secs(30);
    let refused = loop {
        let mut paths = Vec::new();
        for el in browser.client.find_all(Locator::Css("#integrity-alarm .integrity-path")).await.unwrap() {
            paths.push(el.text().await.unwrap());
        }
        if paths.contains(&wasm_path) || Instant::now() > deadline {
            break paths;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert!(refused.contains(&wasm_path), "the changed wasm is named: {refused:?}");
    assert!(refused.iter().all(|p| *p == wasm_path || p == "/favicon.svg"), "{refused:?}");
    browser.screenshot("integrity-alarm").await.unwrap();

    // The privacy page checks what the relay serves, past the worker: both changed
    // files differ (and their twins are missing).
    run_and_wait(&browser, "#privacy-app-run", "#privacy-app-summary", 1, 180).await;
    assert_eq!(attr(&browser, "#privacy-app-summary", "data-bad").await, bad.to_string());
    let changed = format!("tr.privacy-app-file[data-path='{wasm}'][data-match=false]");
    assert_eq!(browser.count(&changed).await.unwrap(), 1);

    // The relay rewrites the list to match its files: every file "matches", but the
    // organisation's signature no longer covers the list, and the page says so.
    let list = std::fs::read_to_string(dist.path().join("hashes.txt")).unwrap();
    let rewritten: String = list
        .lines()
        .filter(|l| dist.path().join(l.split_once("  ").unwrap().1).is_file())
        .map(|l| {
            let (_, name) = l.split_once("  ").unwrap();
            // An entry id is the lowercase hex SHA-256 of its bytes: the same form.
            let digest = shared::EntryId::of(&std::fs::read(dist.path().join(name)).unwrap());
            format!("{digest}  {name}\n")
        })
        .collect();
    std::fs::write(dist.path().join("hashes.txt"), rewritten).unwrap();
    run_and_wait(&browser, "#privacy-app-run", "#privacy-app-summary", 2, 180).await;
    assert_eq!(attr(&browser, "#privacy-app-summary", "data-bad").await, "0");
    assert_eq!(attr(&browser, "#privacy-app-signature", "data-state").await, "refused");
    browser.screenshot("privacy-app-list-rewritten").await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
}
