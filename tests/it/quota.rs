//! The quota (issue 14): the relay keeps any one account from filling its disk
//! (`amanat serve --quota-bytes`). A caseworker over her quota loses nothing: her save
//! is sealed on the device, the outbox says in her language why it waits
//! (quota_exceeded's sentence) and keeps the entry; once the administrator raises the
//! quota (here: the relay restarted with a larger one), it syncs.
//!
//! Positive control: the same entry, with nothing changed but the quota, is accepted
//! (so the refusal was the quota's, not a broken upload).

use std::time::{Duration, Instant};

use amanat_tests::support::driver::Browser;
use amanat_tests::support::relay::RelayProcess;
use amanat_tests::support::turns::heavy_story;
use shared::ErrorCode;

/// Less than any sealed intake (an age header with the keyring's stanzas alone is more).
const SMALL_QUOTA: &str = "1000";
const LARGE_QUOTA: &str = "104857600";

#[tokio::test]
async fn a_caseworker_over_her_quota_is_told_why_keeps_the_entry_and_it_syncs_once_the_quota_is_raised() {
    let _turn = heavy_story();
    let mut relay = RelayProcess::start_with_app(&["--quota-bytes", SMALL_QUOTA]);
    let browser = Browser::start().await.unwrap();
    browser.enrol_demo_caseworker(&relay).await.unwrap();

    // 1. Over the quota: refused by the relay, explained, kept.
    browser.fill_intake("Quota-Yusupova", "Madina").await.unwrap();
    browser.open_part("outbox").await.unwrap();
    let entry = browser.wait_for("li.outbox-entry", 60).await.unwrap();
    let id = entry.attr("data-id").await.unwrap().unwrap();
    let sentence = ErrorCode::QuotaExceeded.message();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !browser.page_text().await.unwrap().contains(sentence) {
        assert!(
            Instant::now() < deadline,
            "the outbox never said why the entry waits; it shows:\n{}",
            browser.page_text().await.unwrap()
        );
        let _ = browser.click("#sync-now").await;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    browser.screenshot("quota-exceeded-outbox").await.unwrap();
    assert_eq!(
        browser.count("#relay-problem[data-code=quota_exceeded]").await.unwrap(),
        1,
        "the outbox names the reason"
    );
    assert_eq!(browser.count(&format!("li.outbox-entry[data-id='{id}']")).await.unwrap(), 1, "the entry is kept");
    assert_eq!(browser.count("li.outbox-entry[data-state=uploaded]").await.unwrap(), 0);
    assert_eq!(relay.count_entries(), 0, "the relay stored nothing over the quota");
    let log = relay.stdout_text() + &relay.stderr_text();
    assert!(log.contains("status=413"), "the relay answered 413 quota_exceeded");

    // 2. The administrator raises the quota: the same entry syncs.
    relay.restart_with("--quota-bytes", LARGE_QUOTA);
    let deadline = Instant::now() + Duration::from_secs(90);
    while browser.count(&format!("li.outbox-entry[data-id='{id}'][data-state=uploaded]")).await.unwrap() == 0 {
        assert!(Instant::now() < deadline, "the entry never synced: {}", browser.page_text().await.unwrap());
        let _ = browser.click("#sync-now").await;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    browser.wait_for_text("0 waiting · 1 uploaded", 20).await.unwrap();
    assert_eq!(browser.count("#relay-problem").await.unwrap(), 0, "the outbox's explanation goes once it syncs");
    assert_eq!(relay.count_entries(), 1);
    let stored = relay.fetch(&relay.demo_file("adviser.token"), &id).await;
    assert_eq!(shared::EntryId::of(&stored).to_string(), id, "the relay holds the entry the device sealed");
    browser.close().await.unwrap();
}
