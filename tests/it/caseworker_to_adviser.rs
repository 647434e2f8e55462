//! The foundation's story, end to end, in headless Chromium against the real relay:
//! a caseworker enrols a family (and another while the relay is down), the relay comes
//! back and the waiting entry uploads by itself, an adviser reads both families in the
//! browser with the demo identity file, and the reference `age` CLI opens the same
//! entry fetched from the relay.

use amanat_tests::support::driver::Browser;
use amanat_tests::support::relay::RelayProcess;
use amanat_tests::support::turns::heavy_story;
use std::process::Command;

async fn entry_ids(browser: &Browser, state: &str) -> Vec<String> {
    let mut ids = vec![];
    for el in browser
        .client
        .find_all(fantoccini::Locator::Css(&format!("li.outbox-entry[data-state={state}]")))
        .await
        .unwrap()
    {
        ids.push(el.attr("data-id").await.unwrap().unwrap());
    }
    ids
}

#[tokio::test]
async fn a_family_enrolled_in_the_browser_reaches_the_adviser_and_the_age_cli_even_across_a_relay_outage() {
    let _turn = heavy_story();
    let mut relay = RelayProcess::start_with_app(&[]);
    let caseworker = Browser::start().await.unwrap();
    caseworker.enrol_demo_caseworker(&relay).await.unwrap();

    // 1. Save with the relay up: sealed, then uploaded.
    caseworker.fill_intake_with("Karimova", "Aziz Karimov", "Mother works nights").await.unwrap();
    caseworker.screenshot("caseworker-intake-filled").await.unwrap();
    caseworker.save_intake().await.unwrap();
    caseworker.open_part("outbox").await.unwrap();
    caseworker.wait_for("li.outbox-entry[data-state=uploaded]", 60).await.unwrap();
    let first = entry_ids(&caseworker, "uploaded").await;
    assert_eq!(first.len(), 1);

    // 2. The relay goes down: the next entry waits in the outbox, then uploads by itself.
    relay.crash();
    caseworker.fill_intake("Tursunova", "Malika Tursunova").await.unwrap();
    caseworker.open_part("outbox").await.unwrap();
    caseworker.wait_for("li.outbox-entry[data-state=waiting]", 60).await.unwrap();
    caseworker.screenshot("caseworker-outbox-waiting").await.unwrap();
    relay.restart();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    while entry_ids(&caseworker, "uploaded").await.len() < 2 {
        assert!(std::time::Instant::now() < deadline, "the waiting entry never uploaded after the relay came back");
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    caseworker.screenshot("caseworker-outbox-uploaded").await.unwrap();
    // Nothing the caseworker typed is left on the page after saving.
    let text = caseworker.page_text().await.unwrap();
    assert!(!text.contains("Aziz Karimov") && !text.contains("Malika Tursunova"));
    caseworker.close().await.unwrap();

    // 3. The adviser opens both families in the browser with the demo identity file.
    let adviser = Browser::start().await.unwrap();
    adviser.goto(&relay.url("/adviser")).await.unwrap();
    adviser.sign_in("demo-adviser", &relay.demo_file("adviser.token")).await.unwrap();
    let identity_path = relay.data.join("demo/adviser-identity.txt");
    adviser.wait_for("#identity-file", 20).await.unwrap().send_keys(identity_path.to_str().unwrap()).await.unwrap();
    adviser.wait_for("article.record", 60).await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let text = adviser.page_text().await.unwrap();
        if text.contains("Karimova") && text.contains("Tursunova") {
            assert!(text.contains("01.03.2016"), "dates are shown dd.mm.yyyy: {text}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the adviser never saw both families: {text}");
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    adviser.screenshot("adviser-records-open").await.unwrap();

    // 4. The reference age CLI opens the same entry, fetched byte for byte from the relay.
    let body = relay.fetch(&relay.demo_file("adviser.token"), &first[0]).await;
    assert_eq!(shared::EntryId::of(&body).to_string(), first[0]);
    let file = relay.data.join("fetched.age");
    std::fs::write(&file, &body).unwrap();
    let out = Command::new("age").arg("-d").arg("-i").arg(&identity_path).arg(&file).output().expect("Debian's age");
    assert!(out.status.success(), "age -d failed: {}", String::from_utf8_lossy(&out.stderr));
    // What `age -d` gives is the document signed by its author: one JSON object holding
    // the document and the signature, which checks.
    let opened = shared::authorship::unwrap(&out.stdout).unwrap();
    assert!(
        matches!(opened.signer, shared::authorship::Signer::Signed { valid: true, .. }),
        "the browser signed what it sealed: {:?}",
        opened.signer
    );
    let doc = shared::forms::CaseDocument::from_bytes(opened.document).unwrap();
    let shared::forms::CaseEntry::Intake(intake) = doc.entry else { panic!("not an intake: {:?}", doc.entry.kind()) };
    assert_eq!(intake.family_name, "Karimova");

    // The relay answered no request with a 5xx and logged no error, not even one the
    // app retried past (a 500's cause is the error line before it).
    let problems = relay.server_errors();
    assert!(problems.iter().all(|l| l.contains(" WARN ")), "the relay failed requests:\n{}", problems.join("\n"));
    // The relay's log names ids and sizes, never what the caseworker typed.
    let log = relay.stdout_text() + &relay.stderr_text();
    assert!(!log.contains("Karimova") && !log.contains("Aziz"), "relay log leaked record content");
}
