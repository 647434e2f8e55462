//! A shared tablet at a mahalla office, end to end in headless Chromium against the
//! real relay process:
//!
//! - a caseworker saves six families while the relay is down; the relay comes
//!   back and is killed again in the middle of the upload; after it returns, the
//!   relay holds every entry exactly once (the ids the device sealed, no more);
//! - two tabs of the app lock together when one ends the session;
//! - a second caseworker on the same browser sees none of the first one's outbox or
//!   cases; the first one, signing in again, reopens her own cases with her own key,
//!   then changes her passphrase: the new one unlocks, the old one no longer does.

use std::time::{Duration, Instant};

use amanat_tests::support::driver::Browser;
use amanat_tests::support::relay::{amanat, stdout, RelayProcess};
use amanat_tests::support::turns::heavy_story;
use fantoccini::Locator;

const PASS_A: &str = "quince ferry marble 12 owl";
const PASS_B: &str = "tulip canyon parcel 83 moth";
const ENTRIES: usize = 6;

fn link_for(relay: &RelayProcess, name: &str) -> String {
    let out = amanat(&relay.data, &["user", "add", name, "--role", "caseworker"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(&out);
    let line = text.lines().find(|l| l.contains("#enrol=")).expect("an enrolment link");
    relay.url(&format!("/#enrol={}", line.split("#enrol=").nth(1).unwrap().trim()))
}

async fn ids_in(browser: &Browser, css: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for el in browser.client.find_all(Locator::Css(css)).await.unwrap() {
        ids.push(el.attr("data-id").await.unwrap().unwrap());
    }
    ids
}

async fn relay_ids(relay: &RelayProcess) -> Vec<String> {
    let page: serde_json::Value = reqwest::Client::new()
        .get(relay.url("/api/v1/entries"))
        .bearer_auth(relay.demo_file("adviser.token"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["entries"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_owned()).collect()
}

/// Waits until the outbox part lists `n` rows: it reads them from IndexedDB after it
/// opens, so a count taken at once may be of rows not loaded yet.
async fn wait_for_outbox_rows(browser: &Browser, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let rows = browser.count("li.outbox-entry").await.unwrap();
        if rows == n {
            return;
        }
        assert!(Instant::now() < deadline, "the outbox listed {rows} rows, not {n}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// An outbox that must stay empty: there is nothing to wait for, so it is watched for
/// a few seconds after it opens (far longer than reading IndexedDB takes).
async fn assert_outbox_stays_empty(browser: &Browser, why: &str) {
    let until = Instant::now() + Duration::from_secs(3);
    while Instant::now() < until {
        assert_eq!(browser.count("li.outbox-entry").await.unwrap(), 0, "{why}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_shared_tablet_keeps_each_caseworkers_work_apart_and_uploads_every_entry_exactly_once_across_relay_kills() {
    let _turn = heavy_story();
    let mut relay = RelayProcess::start_with_app(&[]);
    let (link_a, link_b) = (link_for(&relay, "aziza"), link_for(&relay, "bekzod"));
    let tablet = Browser::start().await.unwrap();
    tablet.enrol(&link_a, "aziza", PASS_A).await.unwrap();
    // Let the app check the keyring once while the relay is up (it then seals offline).
    tablet.wait_for("#org-key-fingerprint", 30).await.unwrap();

    // 1. Six families saved while the relay is down (each a full intake typed in).
    relay.crash();
    for n in 0..ENTRIES {
        tablet.fill_intake(&format!("Family{n}"), &format!("Child{n}")).await.unwrap();
        tablet.open_part("outbox").await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while tablet.count("li.outbox-entry").await.unwrap() < n + 1 {
            assert!(Instant::now() < deadline, "entry {n} was not sealed");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let sealed = ids_in(&tablet, "li.outbox-entry").await;
    assert_eq!(sealed.len(), ENTRIES);
    tablet.wait_for_text(&format!("{ENTRIES} waiting · 0 uploaded"), 10).await.unwrap();

    // 2. The relay returns and is killed again as soon as the upload is under way.
    relay.restart();
    tablet.click("#sync-now").await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let caught_mid_sync = loop {
        let up = tablet.count("li.outbox-entry[data-state=uploaded]").await.unwrap();
        if up > 0 {
            relay.crash();
            break up < ENTRIES;
        }
        assert!(Instant::now() < deadline, "the upload never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    println!("relay killed mid-sync: {caught_mid_sync}");
    relay.restart();
    let deadline = Instant::now() + Duration::from_secs(90);
    while tablet.count("li.outbox-entry[data-state=uploaded]").await.unwrap() < ENTRIES {
        assert!(Instant::now() < deadline, "not every entry uploaded after the relay came back");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    tablet.wait_for_text(&format!("0 waiting · {ENTRIES} uploaded"), 10).await.unwrap();
    let mut on_relay = relay_ids(&relay).await;
    on_relay.sort();
    let mut expected = sealed.clone();
    expected.sort();
    assert_eq!(on_relay, expected, "every entry exactly once");

    // 3. A second tab of the app: ending the session in one locks both.
    tablet.client.new_window(true).await.unwrap();
    let handles = tablet.client.windows().await.unwrap();
    let first = tablet.client.window().await.unwrap();
    let second = handles.iter().find(|h| **h != first).unwrap().clone();
    tablet.client.switch_to_window(second.clone()).await.unwrap();
    tablet.goto(&relay.url("/")).await.unwrap();
    tablet.unlock("aziza", PASS_A).await.unwrap();
    tablet.client.switch_to_window(first.clone()).await.unwrap();
    tablet.click("#end-session").await.unwrap();
    tablet.wait_for("#signin-passphrase", 10).await.unwrap();
    tablet.client.switch_to_window(second).await.unwrap();
    tablet.wait_for("#lock-reason", 10).await.unwrap();
    assert_eq!(tablet.count("#session-name").await.unwrap(), 0, "the other tab must lock too");
    tablet.client.close_window().await.unwrap();
    tablet.client.switch_to_window(first).await.unwrap();

    // 4. The next caseworker on the same tablet sees nothing of the first one's work.
    tablet.enrol(&link_b, "bekzod", PASS_B).await.unwrap();
    tablet.open_part("outbox").await.unwrap();
    assert_outbox_stays_empty(&tablet, "another caseworker's outbox must not show").await;
    tablet.open_part("cases").await.unwrap();
    tablet.click("#open-my-cases").await.unwrap();
    tablet.wait_for_text("You have not recorded anything yet.", 30).await.unwrap();
    assert!(!tablet.page_text().await.unwrap().contains("Family0"));
    tablet.click("#end-session").await.unwrap();

    // 5. The first caseworker signs in again and reopens her own cases with her key.
    tablet.unlock("aziza", PASS_A).await.unwrap();
    tablet.open_part("outbox").await.unwrap();
    wait_for_outbox_rows(&tablet, ENTRIES).await;
    tablet.open_part("cases").await.unwrap();
    tablet.click("#open-my-cases").await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while tablet.count("#my-cases article.record").await.unwrap() < ENTRIES {
        assert!(Instant::now() < deadline, "her cases did not all open");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_eq!(tablet.count("#my-cases .open-failure").await.unwrap(), 0);
    let text = tablet.page_text().await.unwrap();
    assert!(text.contains("Family0") && text.contains(&format!("Family{}", ENTRIES - 1)));
    tablet.screenshot("shared-tablet-my-cases").await.unwrap();
    tablet.click("#end-session").await.unwrap();
    tablet.wait_for("#signin-passphrase", 10).await.unwrap();
    assert!(!tablet.page_text().await.unwrap().contains("Family0"), "locked: nothing readable on the page");

    // 6. She changes her passphrase (typed twice): the new one unlocks, the old one not.
    const NEW_A: &str = "harbour lemon quilt 64 crane";
    tablet.unlock("aziza", PASS_A).await.unwrap();
    tablet.open_part("account").await.unwrap();
    tablet.click("#change-passphrase summary").await.unwrap();
    tablet.type_into("current-passphrase", PASS_A).await.unwrap();
    tablet.type_into("new-passphrase", NEW_A).await.unwrap();
    tablet.type_into("new-passphrase-again", NEW_A).await.unwrap();
    tablet.click("#change-passphrase-submit").await.unwrap();
    tablet.wait_for_text("Passphrase changed.", 30).await.unwrap();
    tablet.click("#end-session").await.unwrap();
    tablet.type_into("signin-name", "aziza").await.unwrap();
    tablet.type_into("signin-passphrase", PASS_A).await.unwrap();
    tablet.click("#signin-submit").await.unwrap();
    tablet.wait_for_text(shared::ErrorCode::WrongPassphrase.message(), 30).await.unwrap();
    tablet.unlock("aziza", NEW_A).await.unwrap();
    tablet.open_part("outbox").await.unwrap();
    // The same identity, the same work.
    wait_for_outbox_rows(&tablet, ENTRIES).await;
}
