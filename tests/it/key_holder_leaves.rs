//! The key holder who closes the tab (issue 14): an adviser's sign-in used to set an
//! 8-hour `Max-Age` cookie, and neither leaving the page nor the idle lock signed out,
//! so the next person at that computer had her session. Now every role follows the
//! caseworker's rules, and this story holds the adviser page to them in headless
//! Chromium:
//!
//! - navigating away ends the relay session: the cookie the browser held answers 401
//!   at `GET /api/v1/session` at once;
//! - so does closing the tab;
//! - two tabs lock together: *End session* in one locks the other;
//! - the idle lock signs out too;
//! - the session cookie is never kept as a persistent cookie in the profile's `Cookies`
//!   store (Chromium writes session cookies there marked not persistent, and drops them
//!   at its next start): a persistent cookie set by the page for the purpose is there
//!   (the positive control that the store was written and is read), the session's is
//!   not.
//!
//! Each 401 is checked against the same cookie's 200 just before (so it cannot pass for
//! a cookie that never worked).

use std::time::{Duration, Instant};

use amanat_tests::support::driver::Browser;
use amanat_tests::support::profile;
use amanat_tests::support::relay::RelayProcess;
use amanat_tests::support::turns::heavy_story;

/// The organisation's idle time here: long enough for every step before the idle one.
const IDLE_SECONDS: u64 = 20;
const SESSION_COOKIE: &str = "amanat_session";

/// The relay session cookie the browser holds now (`name=value`), read through
/// WebDriver (it is HttpOnly: the page cannot read it).
async fn session_cookie(browser: &Browser) -> String {
    let cookies = browser.client.get_all_cookies().await.unwrap();
    let c = cookies
        .iter()
        .find(|c| c.name().ends_with(SESSION_COOKIE))
        .unwrap_or_else(|| panic!("no session cookie: {:?}", cookies.iter().map(|c| c.name()).collect::<Vec<_>>()));
    format!("{}={}", c.name(), c.value())
}

/// What the relay answers `GET /api/v1/session` with `cookie`.
async fn status_of(relay: &RelayProcess, cookie: &str) -> u16 {
    reqwest::Client::new()
        .get(relay.url("/api/v1/session"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Waits (up to 10 s: the sign-out is a keepalive request in flight) until `cookie` no
/// longer signs anything in.
async fn assert_signed_out(relay: &RelayProcess, cookie: &str, after: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let status = status_of(relay, cookie).await;
        if status == 401 {
            return;
        }
        assert!(Instant::now() < deadline, "{after}: the session cookie still answers {status}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The cookies a closed profile's cookie store (Chromium's SQLite `Cookies` file) holds:
/// each name and whether it is persistent.
async fn stored_cookies(store: &std::path::Path) -> Vec<(String, bool)> {
    use sqlx::{ConnectOptions, Row};
    let copy = tempfile::NamedTempFile::new().unwrap();
    std::fs::copy(store, copy.path()).unwrap();
    let mut db =
        sqlx::sqlite::SqliteConnectOptions::new().filename(copy.path()).read_only(true).connect().await.unwrap();
    sqlx::query("SELECT name, is_persistent FROM cookies")
        .fetch_all(&mut db)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1) != 0))
        .collect()
}

/// Signs in on the adviser page shown now; returns the session cookie, checked to work.
async fn sign_in(browser: &Browser, relay: &RelayProcess) -> String {
    browser.sign_in(backend::demo::ADVISER, &relay.demo_file("adviser.token")).await.unwrap();
    browser.wait_for("#session-name", 30).await.unwrap();
    let cookie = session_cookie(browser).await;
    assert_eq!(status_of(relay, &cookie).await, 200, "positive control: the fresh session works");
    cookie
}

/// Opens the adviser page in the current tab; signs in unless it opened signed in.
async fn open_signed_in(browser: &Browser, relay: &RelayProcess) -> String {
    browser.goto(&relay.url("/adviser")).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if browser.count("#session-name").await.unwrap() > 0 {
            let cookie = session_cookie(browser).await;
            assert_eq!(status_of(relay, &cookie).await, 200);
            return cookie;
        }
        if browser.count("#signin-token").await.unwrap() > 0 {
            return sign_in(browser, relay).await;
        }
        assert!(Instant::now() < deadline, "the adviser page showed neither the sign-in nor the workspace");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn an_advisers_session_ends_with_the_tab_the_page_the_other_tab_and_the_idle_lock_and_never_reaches_the_disk() {
    let _turn = heavy_story();
    let relay = RelayProcess::start_with_app(&["--idle-lock-seconds", &IDLE_SECONDS.to_string()]);
    let browser = Browser::start().await.unwrap();

    // 1. She signs in and navigates away.
    browser.goto(&relay.url("/adviser")).await.unwrap();
    let cookie = sign_in(&browser, &relay).await;
    browser.goto(&relay.url("/favicon.svg")).await.unwrap();
    assert_signed_out(&relay, &cookie, "after navigating away").await;

    // 2. She signs in again and closes the tab (another tab stays open).
    let cookie = open_signed_in(&browser, &relay).await;
    let adviser_tab = browser.client.window().await.unwrap();
    browser.client.new_window(true).await.unwrap();
    let other = browser.client.windows().await.unwrap().into_iter().find(|h| *h != adviser_tab).unwrap();
    browser.client.switch_to_window(adviser_tab).await.unwrap();
    browser.client.close_window().await.unwrap();
    browser.client.switch_to_window(other).await.unwrap();
    assert_signed_out(&relay, &cookie, "after closing the tab").await;

    // 3. Two tabs of the adviser page: *End session* in one locks the other.
    let _ = open_signed_in(&browser, &relay).await;
    let first = browser.client.window().await.unwrap();
    browser.client.new_window(true).await.unwrap();
    let second = browser.client.windows().await.unwrap().into_iter().find(|h| *h != first).unwrap();
    browser.client.switch_to_window(second.clone()).await.unwrap();
    let _ = open_signed_in(&browser, &relay).await;
    browser.client.switch_to_window(first.clone()).await.unwrap();
    if browser.count("#session-name").await.unwrap() == 0 {
        // The second tab's sign-in replaced the cookie both tabs share; if the first
        // tab locked on that, it signs in again.
        sign_in(&browser, &relay).await;
    }
    browser.client.switch_to_window(second.clone()).await.unwrap();
    assert_eq!(browser.count("#session-name").await.unwrap(), 1, "positive control: the second tab is signed in");
    let cookie = session_cookie(&browser).await;
    assert_eq!(status_of(&relay, &cookie).await, 200);
    browser.client.switch_to_window(first.clone()).await.unwrap();
    browser.click("#end-session").await.unwrap();
    browser.client.switch_to_window(second.clone()).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while browser.count("#session-name").await.unwrap() > 0 {
        assert!(Instant::now() < deadline, "the other tab did not lock with the first");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_signed_out(&relay, &cookie, "after End session in the other tab").await;
    browser.client.switch_to_window(first).await.unwrap();
    browser.client.close_window().await.unwrap();
    browser.client.switch_to_window(second).await.unwrap();

    // 4. Signed in and left alone: the idle lock signs out.
    let cookie = open_signed_in(&browser, &relay).await;
    let idle_from = Instant::now();
    let deadline = idle_from + Duration::from_secs(8 * IDLE_SECONDS);
    while browser.count("#session-name").await.unwrap() > 0 {
        assert!(Instant::now() < deadline, "the adviser page never locked when left alone");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(
        idle_from.elapsed() >= Duration::from_secs(IDLE_SECONDS - 1),
        "locked too early: {:?}",
        idle_from.elapsed()
    );
    assert_signed_out(&relay, &cookie, "after the idle lock").await;

    // 5. Signed in once more, the browser is closed: the profile's cookie store holds a
    //    persistent cookie the page set, and not the session cookie.
    let cookie = open_signed_in(&browser, &relay).await;
    browser
        .client
        .execute(
            "document.cookie = 'amanat_story_probe=kept; Max-Age=86400; Path=/; SameSite=Strict'; return true;",
            vec![],
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let profile_dir = browser.close().await.unwrap();
    let stores: Vec<_> = profile::files_under(profile_dir.path())
        .into_iter()
        .filter(|f| f.file_name().is_some_and(|n| n == "Cookies"))
        .collect();
    assert!(!stores.is_empty(), "the profile has a cookie store");
    let mut rows = Vec::new();
    for store in &stores {
        rows.extend(stored_cookies(store).await);
    }
    assert!(
        rows.iter().any(|(name, persistent)| name == "amanat_story_probe" && *persistent),
        "positive control: the persistent probe cookie is in the cookie store: {rows:?}"
    );
    // Chromium writes session cookies to the store too, marked not persistent (and
    // drops them at its next start); what must not be there is a persistent one.
    assert!(
        !rows.iter().any(|(name, persistent)| name.ends_with(SESSION_COOKIE) && *persistent),
        "the session cookie was kept as a persistent cookie: {rows:?}"
    );
    // Closing the whole browser (not a tab) may end it without `pagehide`: the session
    // then lives until the relay ends it (30 minutes, unless renewed). Said, not
    // asserted: the contract asks for the sign-out on leaving the page.
    println!("after closing the browser, the last session cookie answers {}", status_of(&relay, &cookie).await);
    let value = cookie.split_once('=').unwrap().1;
    assert!(
        profile::files_holding(profile_dir.path(), value.as_bytes()).is_empty(),
        "the session cookie's value is on disk"
    );
}
