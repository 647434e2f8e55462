//! The privacy page keeps the audit head it verified, and a relay that rewrites its log
//! cannot hide it: the officer checks the relay (the head is kept in this browser); the
//! relay deletes an audit event and recomputes every hash after it (edited in its
//! SQLite store between visits, so `amanat verify` passes); the officer checks again and
//! the page raises the alarm, keeping the head it had.

use amanat_tests::support::driver::Browser;
use amanat_tests::support::relay::{amanat, stdout, RelayProcess};
use amanat_tests::support::turns::heavy_story;
use backend::store::Store;
use sqlx::Row;

/// Deletes audit event `cut` and renumbers and re-chains every later one, as whoever
/// controls the relay's database could.
async fn rewrite_the_chain_without(data: &std::path::Path, cut: i64) {
    let store = Store::open(data).await.unwrap();
    let rows = sqlx::query("SELECT seq, at, actor, action, subject, size FROM audit_events ORDER BY seq")
        .fetch_all(store.pool())
        .await
        .unwrap();
    sqlx::query("DELETE FROM audit_events").execute(store.pool()).await.unwrap();
    let mut prev = backend::audit::GENESIS.to_vec();
    let mut seq = 0i64;
    for r in rows.iter().filter(|r| r.get::<i64, _>("seq") != cut) {
        seq += 1;
        let (at, actor, action, subject): (String, String, String, String) =
            (r.get("at"), r.get("actor"), r.get("action"), r.get("subject"));
        let size: Option<i64> = r.get("size");
        let h = backend::audit::chain_hash(&prev, seq as u64, &at, &actor, &action, &subject, size.map(|n| n as u64));
        sqlx::query(
            "INSERT INTO audit_events (seq, at, actor, action, subject, size, prev_sha256, sha256) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(seq)
        .bind(at)
        .bind(actor)
        .bind(action)
        .bind(subject)
        .bind(size)
        .bind(prev.clone())
        .bind(h.to_vec())
        .execute(store.pool())
        .await
        .unwrap();
        prev = h.to_vec();
    }
    store.close().await;
}

async fn attr(browser: &Browser, css: &str, name: &str) -> String {
    browser.wait_for(css, 120).await.unwrap().attr(name).await.unwrap().unwrap_or_default()
}

#[tokio::test]
async fn a_relay_that_rewrites_its_audit_log_between_visits_is_caught_by_the_head_the_page_kept() {
    let _turn = heavy_story();
    let relay = RelayProcess::start_with_app(&[]);
    let out = amanat(&relay.data, &["user", "add", "zarina", "--role", "privacy-officer", "--token"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = stdout(&out).lines().last().unwrap().trim().to_owned();

    // First visit: every check passes and the page keeps the head it verified.
    let browser = Browser::start().await.unwrap();
    browser.client.goto(&relay.url("/privacy")).await.unwrap();
    browser.choose_language("en").await.unwrap();
    browser.sign_in("zarina", &token).await.unwrap();
    assert_eq!(
        attr(&browser, "#privacy-relay-result", "data-ok").await,
        "true",
        "{}",
        browser.page_text().await.unwrap()
    );
    let kept_seq = attr(&browser, "#privacy-audit-kept", "data-seq").await;
    let kept_hash = attr(&browser, "#privacy-audit-kept", "data-hash").await;
    assert!(kept_seq.parse::<u64>().unwrap() > 2 && kept_hash.len() == 64, "{kept_seq} {kept_hash}");
    let shown = browser.wait_for("#privacy-audit-kept", 5).await.unwrap().text().await.unwrap();
    assert!(shown.contains(&kept_hash[..16]) && shown.contains("amanat audit head"), "{shown}");

    // Between visits the relay deletes event 2 and recomputes the chain: its own check passes.
    rewrite_the_chain_without(&relay.data, 2).await;
    let verified = amanat(&relay.data, &["verify"]);
    assert!(verified.status.success(), "the relay's own check cannot see it: {}", stdout(&verified));

    // Second visit: the alarm, and the kept head does not move.
    browser.click("#privacy-relay-run").await.unwrap();
    let alarm = browser.wait_for("#privacy-audit-rewritten", 120).await.unwrap().text().await.unwrap();
    assert!(alarm.contains("rewritten since") && alarm.contains("report it"), "{alarm}");
    browser.screenshot("privacy-audit-rewritten").await.unwrap();
    assert_eq!(attr(&browser, "#privacy-relay-result", "data-ok").await, "false");
    assert_eq!(attr(&browser, "#privacy-audit-kept", "data-seq").await, kept_seq, "the kept head stays");
    assert_eq!(attr(&browser, "#privacy-audit-kept", "data-hash").await, kept_hash);

    // A reload does not make it go away.
    browser.click("#privacy-relay-run").await.unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    browser.wait_for("#privacy-audit-rewritten", 120).await.unwrap();
    assert_eq!(attr(&browser, "#privacy-audit-kept", "data-hash").await, kept_hash);
    browser.close().await.unwrap();
}
