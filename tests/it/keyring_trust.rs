//! The relay is the attacker, and the app is the pinned build (`cargo xtask build
//! --org-key tests/fixtures/test-org.pub`): a keyring the relay signed with a key of
//! its own, an older keyring brought back after a newer one was seen, and a keyring
//! whose dates have passed are each refused on a caseworker's device. Nothing is
//! sealed or queued (the outbox stays as it was), the typed form is kept, and the page
//! says why in the sentence `shared::ErrorCode` defines. Offline (the page's clock moved
//! on, the relay down), the keyring kept on the device warns before it ends and, once
//! ended, seals nothing either.

use amanat_tests::support::driver::Browser;
use amanat_tests::support::relay::RelayProcess;
use amanat_tests::support::turns::heavy_story;
use shared::keyring::{OrgSigningKey, Validity};
use shared::ErrorCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const DAY: u64 = 86_400;

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// Fills an intake for `family` and presses save; waits for `refusal` on the page, then
/// checks the form still holds the family's name and that the outbox holds `queued`
/// entries, as before.
async fn save_is_refused(browser: &Browser, family: &str, refusal: ErrorCode, queued: usize) {
    browser.open_part("intake").await.unwrap();
    browser.fill_intake_with(family, "Child of the family", "Lives with her aunt").await.unwrap();
    browser.click("#intake-form button.save").await.unwrap();
    browser.wait_for_text(refusal.message(), 60).await.unwrap();
    let typed = browser.wait_for("#f-family_name", 5).await.unwrap().prop("value").await.unwrap();
    assert_eq!(typed.as_deref(), Some(family), "the typed form must survive a refused save");
    browser.open_part("outbox").await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(browser.count("li.outbox-entry").await.unwrap(), queued, "nothing may be sealed to a refused keyring");
}

#[tokio::test]
async fn a_fresh_device_refuses_a_keyring_the_relay_signed_with_its_own_key() {
    let _turn = heavy_story();
    let relay = RelayProcess::start_with_app(&[]);
    // Before the device has seen anything: a first-use app would pin this key.
    let relays_own = OrgSigningKey::generate();
    relay.serve_keyring_signed(&relays_own, 2, Validity::starting(now(), 90));
    let browser = Browser::start().await.unwrap();
    browser.enrol_demo_caseworker(&relay).await.unwrap();
    save_is_refused(&browser, "Yusupova", ErrorCode::KeyringWrongSigner, 0).await;
    browser.screenshot("keyring-trust-forged-signer").await.unwrap();
    assert_eq!(relay.count_entries(), 0, "nothing reached the relay");
}

#[tokio::test]
async fn a_device_that_saw_version_2_refuses_a_correctly_signed_version_1() {
    let _turn = heavy_story();
    let relay = RelayProcess::start_with_app(&[]);
    let org = RelayProcess::test_org_key();
    let old = relay.keyring();
    assert_eq!(old.version(), 1, "a demo relay starts at version 1");
    relay.serve_keyring_signed(&org, 2, Validity::starting(now(), 90));
    let browser = Browser::start().await.unwrap();
    browser.enrol_demo_caseworker(&relay).await.unwrap();
    browser.fill_intake("Karimova", "Child of the family").await.unwrap();
    browser.open_part("outbox").await.unwrap();
    browser.wait_for("li.outbox-entry[data-state=uploaded]", 60).await.unwrap();

    // The relay brings back version 1: correctly signed by the organisation, and once
    // current, but older than what this device has accepted.
    relay.serve_keyring_signed(&org, 1, Validity::starting(now(), 90));
    save_is_refused(&browser, "Tursunova", ErrorCode::KeyringRollback, 1).await;
    browser.screenshot("keyring-trust-rollback").await.unwrap();
    assert_eq!(relay.count_entries(), 1, "only the entry sealed to version 2 reached the relay");
}

#[tokio::test]
async fn a_fresh_device_refuses_an_expired_keyring_signed_by_the_organisation() {
    let _turn = heavy_story();
    let relay = RelayProcess::start_with_app(&[]);
    let org = RelayProcess::test_org_key();
    relay.serve_keyring_signed(&org, 1, Validity { issued_at: now() - 100 * DAY, expires_at: now() - 10 * DAY });
    let browser = Browser::start().await.unwrap();
    browser.enrol_demo_caseworker(&relay).await.unwrap();
    save_is_refused(&browser, "Rashidova", ErrorCode::KeyringExpired, 0).await;
    browser.screenshot("keyring-trust-expired").await.unwrap();
    assert_eq!(relay.count_entries(), 0, "nothing reached the relay");
}

#[tokio::test]
async fn the_workspace_warns_two_weeks_before_the_keyring_expires_and_the_pinned_build_shows_no_demo_banner() {
    let _turn = heavy_story();
    let relay = RelayProcess::start_with_app(&[]);
    let org = RelayProcess::test_org_key();
    relay.serve_keyring_signed(&org, 1, Validity { issued_at: now() - 80 * DAY, expires_at: now() + 5 * DAY + 3600 });
    let browser = Browser::start().await.unwrap();
    browser.enrol_demo_caseworker(&relay).await.unwrap();
    let warning = browser.wait_for("#keyring-expires-soon", 30).await.unwrap();
    assert_eq!(warning.attr("data-days").await.unwrap().as_deref(), Some("5"));
    assert!(warning.text().await.unwrap().contains("expires in 5 days"));
    assert_eq!(browser.count("#demo-build").await.unwrap(), 0, "the test build is pinned, not a demo build");
    // Still valid: saving works.
    browser.fill_intake("Saidova", "Child of the family").await.unwrap();
    browser.open_part("outbox").await.unwrap();
    browser.wait_for("li.outbox-entry[data-state=uploaded]", 60).await.unwrap();
}

#[tokio::test]
async fn offline_a_kept_keyring_warns_before_it_expires_and_once_expired_seals_nothing_and_keeps_the_form() {
    let _turn = heavy_story();
    let mut relay = RelayProcess::start_with_app(&[]);
    let org = RelayProcess::test_org_key();
    relay.serve_keyring_signed(&org, 1, Validity { issued_at: now() - 70 * DAY, expires_at: now() + 20 * DAY + 3600 });
    let browser = Browser::start().await.unwrap();
    browser.enrol_demo_caseworker(&relay).await.unwrap();
    browser.wait_for("#intake-form", 30).await.unwrap();
    assert_eq!(browser.count("#keyring-expires-soon").await.unwrap(), 0, "20 days left: no warning yet");
    browser.click("#end-session").await.unwrap();
    browser.wait_for("#signin-passphrase", 20).await.unwrap();

    // Offline, ten days on: the kept keyring still seals, and says it ends in 10 days.
    relay.crash();
    browser.shift_clock_days(10).await.unwrap();
    browser.goto(&relay.url("/")).await.unwrap();
    browser.unlock("demo-caseworker", Browser::DEMO_PASSPHRASE).await.unwrap();
    let warning = browser.wait_for("#keyring-expires-soon", 30).await.unwrap();
    assert_eq!(warning.attr("data-days").await.unwrap().as_deref(), Some("10"));
    browser.fill_intake("Nazarova", "Child of the family").await.unwrap();
    browser.open_part("outbox").await.unwrap();
    browser.wait_for("li.outbox-entry[data-state=waiting]", 30).await.unwrap();
    browser.click("#end-session").await.unwrap();
    browser.wait_for("#signin-passphrase", 20).await.unwrap();

    // Still offline, the keyring's end passed: nothing is sealed, the form stays.
    browser.shift_clock_days(15).await.unwrap();
    browser.goto(&relay.url("/")).await.unwrap();
    browser.unlock("demo-caseworker", Browser::DEMO_PASSPHRASE).await.unwrap();
    save_is_refused(&browser, "Ergasheva", ErrorCode::KeyringExpired, 1).await;
    browser.screenshot("keyring-trust-expired-offline").await.unwrap();
}
