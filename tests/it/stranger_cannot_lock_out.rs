//! The stranger (issue 14): someone who only knows a caseworker's name sends fifty
//! wrong passphrases for it from another address (127.0.0.2) while she works. Before
//! issue 14, five wrong ones locked the account for 15 minutes and the relay's refusal
//! beat her device's offline unlock. Now the relay slows the stranger down (growing
//! delays per account *and address*) and not her: she unlocks in Chromium on
//! 127.0.0.1 meanwhile, saves an intake, and it syncs: the outbox empties and the relay
//! holds the entry.
//!
//! Positive control: the stranger's guesses are really being counted against the
//! account: the relay delays them (429 sign_in_delayed with Retry-After) before she
//! unlocks, so her unlock happens while the account is under attack.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use amanat_tests::support::driver::Browser;
use amanat_tests::support::relay::{client_from, RelayProcess};
use amanat_tests::support::turns::heavy_story;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

const NAME: &str = "demo-caseworker";
const GUESSES: usize = 50;
const STRANGER: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

/// What the relay answered one guess: the status, the error code and Retry-After.
#[derive(Debug, Clone)]
struct Answer {
    status: u16,
    error: String,
    retry_after: Option<String>,
}

/// One wrong passphrase, sent as the app sends any: the name's salt, then an `auth`
/// value (here random bytes: what Argon2id of a wrong passphrase looks like to the relay).
async fn guess(http: &reqwest::Client, relay: &RelayProcess) -> Answer {
    let _ = http.post(relay.url("/api/v1/vault/salt")).json(&json!({ "name": NAME })).send().await;
    let auth = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let resp = http
        .post(relay.url("/api/v1/vault/session"))
        .json(&json!({ "name": NAME, "auth": auth }))
        .send()
        .await
        .expect("the relay answers the stranger");
    let status = resp.status().as_u16();
    let retry_after = resp.headers().get("retry-after").map(|v| v.to_str().unwrap_or_default().to_owned());
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    Answer { status, error: body["error"].as_str().unwrap_or_default().to_owned(), retry_after }
}

#[tokio::test]
async fn fifty_wrong_passphrases_from_another_address_do_not_stop_the_caseworker_unlocking_saving_and_syncing() {
    let _turn = heavy_story();
    let relay = RelayProcess::start_with_app(&[]);
    let browser = Browser::start().await.unwrap();
    browser.enrol_demo_caseworker(&relay).await.unwrap();
    // Let the app check the keyring once while the relay is up, then end the session.
    browser.wait_for("#org-key-fingerprint", 30).await.unwrap();
    browser.click("#end-session").await.unwrap();
    browser.wait_for("#signin-passphrase", 30).await.unwrap();

    // 1. The stranger starts guessing from 127.0.0.2, one guess every 600 ms, and goes on
    //    while she works.
    let relay = std::sync::Arc::new(relay);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Answer>();
    let stranger = {
        let relay = relay.clone();
        tokio::spawn(async move {
            let http = client_from(STRANGER);
            let mut answers = Vec::new();
            for _ in 0..GUESSES {
                let a = guess(&http, &relay).await;
                let _ = tx.send(a.clone());
                answers.push(a);
                tokio::time::sleep(Duration::from_millis(600)).await;
            }
            answers
        })
    };
    // Positive control: the relay is delaying the stranger before she unlocks.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    while !seen.iter().any(|a: &Answer| a.status == 429) {
        let left = deadline.saturating_duration_since(Instant::now());
        let a = tokio::time::timeout(left, rx.recv()).await.expect("the relay never delayed the stranger");
        seen.push(a.expect("the stranger stopped early"));
    }
    let delayed = seen.iter().find(|a| a.status == 429).unwrap();
    assert_eq!(delayed.error, "sign_in_delayed", "{delayed:?}");
    assert!(delayed.retry_after.is_some(), "a delay says how long: {delayed:?}");

    // 2. Meanwhile, on her own computer (127.0.0.1): unlock, save an intake, sync.
    browser.unlock(NAME, Browser::DEMO_PASSPHRASE).await.unwrap();
    assert!(!stranger.is_finished(), "she unlocked while the stranger was still guessing");
    browser.fill_intake("Stranger-Rahimova", "Dilnoza").await.unwrap();
    browser.open_part("outbox").await.unwrap();
    browser.wait_for("li.outbox-entry", 60).await.unwrap();
    let id = browser.wait_for("li.outbox-entry", 5).await.unwrap().attr("data-id").await.unwrap().unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    while browser.count("li.outbox-entry[data-state=uploaded]").await.unwrap() < 1 {
        assert!(Instant::now() < deadline, "her entry never synced: {}", browser.page_text().await.unwrap());
        if browser.count("#sync-now").await.unwrap() > 0 {
            let _ = browser.click("#sync-now").await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    browser.wait_for_text("0 waiting · 1 uploaded", 20).await.unwrap();
    let held = reqwest::Client::new()
        .get(relay.url(&format!("/api/v1/entries/{id}")))
        .bearer_auth(relay.demo_file("adviser.token"))
        .send()
        .await
        .unwrap();
    assert_eq!(held.status(), 200, "the relay holds her entry");
    assert_eq!(relay.count_entries(), 1);

    // 3. The stranger's fifty guesses: none signed in; each a wrong passphrase or a delay.
    let answers = stranger.await.unwrap();
    assert_eq!(answers.len(), GUESSES);
    for a in &answers {
        assert!(
            (a.status == 401) || (a.status == 429 && ["sign_in_delayed", "rate_limited"].contains(&a.error.as_str())),
            "a guess must be refused as wrong, delayed or rate-limited, nothing else: {a:?}"
        );
    }
    let delays = answers.iter().filter(|a| a.status == 429).count();
    println!(
        "the stranger's {GUESSES} guesses: {} refused as wrong, {delays} delayed or rate-limited",
        GUESSES - delays
    );
    assert!(delays > 0);
    browser.close().await.unwrap();
}
