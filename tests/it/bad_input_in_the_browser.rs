//! Bad input meets the page: a keyring the relay tampered with, a wrong identity file,
//! a file that is no identity at all, and a ciphertext damaged on the relay's disk.
//! Each gets a clear sentence on the page (the one `shared::ErrorCode` defines), and
//! nothing is lost: the typed form stays, the outbox keeps what it had.

use amanat_tests::support::driver::Browser;
use amanat_tests::support::relay::RelayProcess;
use amanat_tests::support::turns::heavy_story;
use shared::ErrorCode;
use std::time::{Duration, Instant};

/// Opens the adviser page afresh (a reload asks for sign-in again) and loads `file`
/// as the identity.
async fn adviser_loads(browser: &Browser, relay: &RelayProcess, file: &std::path::Path) {
    browser.goto(&relay.url("/adviser")).await.unwrap();
    browser.sign_in("demo-adviser", &relay.demo_file("adviser.token")).await.unwrap();
    browser.wait_for("#identity-file", 20).await.unwrap().send_keys(file.to_str().unwrap()).await.unwrap();
}

#[tokio::test]
async fn a_keyring_tampered_on_the_relay_seals_nothing_and_keeps_the_typed_form() {
    let _turn = heavy_story();
    let relay = RelayProcess::start_with_app(&[]);
    let browser = Browser::start().await.unwrap();
    browser.enrol_demo_caseworker(&relay).await.unwrap();
    browser.fill_intake("Rakhimova", "Child of the family").await.unwrap();
    browser.open_part("outbox").await.unwrap();
    browser.wait_for("li.outbox-entry[data-state=uploaded]", 60).await.unwrap();

    // The relay slips in a recipient of its own without the organisation's signature.
    relay.slip_a_recipient_into_the_keyring();

    browser.fill_intake("Abdullaeva", "Child of the family").await.unwrap();
    browser.wait_for_text(ErrorCode::KeyringBadSignature.message(), 30).await.unwrap();
    browser.screenshot("bad-input-tampered-keyring").await.unwrap();
    let typed = browser.wait_for("#f-family_name", 5).await.unwrap().prop("value").await.unwrap();
    assert_eq!(typed.as_deref(), Some("Abdullaeva"), "the typed form must survive a refused save");
    browser.open_part("outbox").await.unwrap();
    assert_eq!(browser.count("li.outbox-entry").await.unwrap(), 1, "nothing new may be sealed to a tampered keyring");
}

#[tokio::test]
async fn a_wrong_key_a_non_key_file_and_a_damaged_entry_are_each_named_on_the_adviser_page() {
    let _turn = heavy_story();
    let relay = RelayProcess::start_with_app(&[]);
    let caseworker = Browser::start().await.unwrap();
    caseworker.enrol_demo_caseworker(&relay).await.unwrap();
    for family in ["Nazarova", "Ismoilova"] {
        caseworker.fill_intake(family, "Child of the family").await.unwrap();
        caseworker.open_part("outbox").await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while caseworker.count("li.outbox-entry[data-state=uploaded]").await.unwrap()
            < if family == "Nazarova" { 1 } else { 2 }
        {
            assert!(Instant::now() < deadline, "upload of {family} never finished");
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
    let first = caseworker.wait_for("li.outbox-entry", 5).await.unwrap().attr("data-id").await.unwrap().unwrap();
    caseworker.close().await.unwrap();

    let adviser = Browser::start().await.unwrap();

    // A file that holds no identity (here: the adviser's token file).
    adviser_loads(&adviser, &relay, &relay.data.join("demo/adviser.token")).await;
    adviser.wait_for_text(ErrorCode::BadIdentityFile.message(), 20).await.unwrap();

    // An identity the entries were not sealed to: every entry listed, none opened.
    let stranger = relay.data.join("stranger-identity.txt");
    let stranger_id = shared::seal::generate_identity();
    std::fs::write(&stranger, shared::seal::identity_file(&stranger_id, "not a key holder")).unwrap();
    adviser_loads(&adviser, &relay, &stranger).await;
    adviser.wait_for_text(ErrorCode::WrongKey.message(), 30).await.unwrap();
    assert_eq!(adviser.count("li.open-failure").await.unwrap(), 2, "every entry the key cannot open is listed");
    assert_eq!(adviser.count("article.record").await.unwrap(), 0);

    // A byte of one stored ciphertext flips on the relay's disk: that entry is named as
    // damaged, the other still opens with the right key.
    let blob = relay.data.join("blobs").join(&first[..2]).join(&first);
    let mut bytes = std::fs::read(&blob).unwrap();
    let last = bytes.len() - 3;
    bytes[last] ^= 0x40;
    std::fs::write(&blob, bytes).unwrap();
    adviser_loads(&adviser, &relay, &relay.data.join("demo/adviser-identity.txt")).await;
    adviser.wait_for_text(ErrorCode::Corrupted.message(), 30).await.unwrap();
    adviser.wait_for("article.record", 30).await.unwrap();
    let failure = adviser.wait_for(&format!("li.open-failure[data-id='{first}']"), 10).await.unwrap();
    assert!(failure.text().await.unwrap().contains(ErrorCode::Corrupted.message()));
    assert_eq!(adviser.count("article.record").await.unwrap(), 1);
    adviser.screenshot("bad-input-adviser-damaged-entry").await.unwrap();
}
