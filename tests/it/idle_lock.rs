//! The idle lock on a shared computer: a caseworker who walks away from a half-typed
//! intake finds the app locked after the organisation's idle time, with nothing of the
//! form left on the page, and her relay session ended. Offline too: the organisation's
//! idle time, learnt while the relay was reachable, is kept on the device, so an office
//! without network does not fall back to the built-in five minutes.
//!
//! The idle time here is [`IDLE_SECONDS`], set with `amanat serve --idle-lock-seconds`
//! (a flag for tests: organisations set whole minutes), so the story waits seconds, not
//! the shortest real setting's minute.

use std::time::{Duration, Instant};

use amanat_tests::support::driver::Browser;
use amanat_tests::support::relay::RelayProcess;
use amanat_tests::support::turns::heavy_story;

/// The organisation's idle time in these stories.
const IDLE_SECONDS: u64 = 10;

/// `amanat serve` with the idle time of [`IDLE_SECONDS`] and the built app.
fn relay_with_short_idle_time() -> RelayProcess {
    RelayProcess::start_with_app(&["--idle-lock-seconds", &IDLE_SECONDS.to_string()])
}

/// Locked no earlier than the idle time allows (less a second: the app's clock starts
/// at the last input, a little before the story reads its own).
fn assert_not_locked_early(idle: Duration) {
    assert!(idle >= Duration::from_secs(IDLE_SECONDS - 1), "locked too early: after {idle:?}");
}

#[tokio::test]
async fn a_caseworker_who_walks_away_finds_the_app_locked_with_nothing_typed_left() {
    let _turn = heavy_story();
    let relay = relay_with_short_idle_time();
    let browser = Browser::start().await.unwrap();
    browser.enrol_demo_caseworker(&relay).await.unwrap();
    browser.type_into("f-family_name", "Walked-away-Karimova").await.unwrap();
    let typed_at = Instant::now();

    browser.wait_for("#lock-reason", 6 * IDLE_SECONDS).await.unwrap();
    assert_not_locked_early(typed_at.elapsed());
    let text = browser.page_text().await.unwrap();
    assert!(text.contains("Locked after a time without use"), "{text}");
    assert!(!browser.client.source().await.unwrap().contains("Walked-away"), "the half-typed form must be gone");
    assert_eq!(browser.count("#session-name").await.unwrap(), 0);
    // The relay session ended too: the app's cookie no longer signs anything in.
    tokio::time::sleep(Duration::from_secs(1)).await; // the sign-out request in flight
    assert_eq!(session_status(&browser).await, serde_json::json!(401));
    browser.screenshot("idle-locked").await.unwrap();
}

#[tokio::test]
async fn offline_the_app_still_locks_after_the_organisations_idle_time_learnt_online() {
    let _turn = heavy_story();
    let mut relay = relay_with_short_idle_time();
    let browser = Browser::start().await.unwrap();
    browser.enrol_demo_caseworker(&relay).await.unwrap();
    // The app shell is cached by the service worker, so the page opens with the relay down.
    let ready: serde_json::Value = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; navigator.serviceWorker.ready.then(() => done(true));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(ready, serde_json::json!(true));
    // End the session (if the short idle time has not locked the app already: either
    // way the page asks for the passphrase next).
    if browser.count("#end-session").await.unwrap() > 0 {
        let _ = browser.click("#end-session").await;
    }
    browser.wait_for("#signin-passphrase", 20).await.unwrap();

    // The office loses its network: the relay is gone, the page is reloaded.
    relay.crash();
    browser.goto(&relay.url("/")).await.unwrap();
    browser.unlock("demo-caseworker", Browser::DEMO_PASSPHRASE).await.unwrap();
    let unlocked_at = Instant::now();
    assert!(browser.page_text().await.unwrap().contains("demo-caseworker"), "unlocked offline");

    // The organisation's idle time, not the default five minutes: the wait below gives
    // up long before five.
    browser.wait_for("#lock-reason", 6 * IDLE_SECONDS).await.unwrap();
    assert_not_locked_early(unlocked_at.elapsed());
    let text = browser.page_text().await.unwrap();
    assert!(text.contains("Locked after a time without use"), "{text}");
    assert_eq!(browser.count("#session-name").await.unwrap(), 0);
}

/// What the relay says of this browser's session cookie, asked from the page.
async fn session_status(browser: &Browser) -> serde_json::Value {
    browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; fetch('/api/v1/session').then(r => done(r.status));",
            vec![],
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn a_caseworker_who_leaves_the_page_ends_her_relay_session_with_it() {
    let _turn = heavy_story();
    let relay = RelayProcess::start_with_app(&[]);
    let browser = Browser::start().await.unwrap();
    browser.enrol_demo_caseworker(&relay).await.unwrap();
    assert_eq!(session_status(&browser).await, serde_json::json!(200), "signed in after enrolment");

    // Leaving the page (reload, tab close, navigation) fires `pagehide`; the sign-out is a
    // keepalive request, so the unload does not cancel it.
    browser.goto(&relay.url("/favicon.svg")).await.unwrap();
    browser.goto(&relay.url("/")).await.unwrap();
    let mut status = serde_json::Value::Null;
    for _ in 0..20 {
        status = session_status(&browser).await;
        if status == serde_json::json!(401) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, serde_json::json!(401), "the session cookie still signs in after the page was left");
}
