//! Consent that stands up legally, as a caseworker meets it on a fixed "today" (the
//! page's clock set 40 days ahead of the machine's, so the dates below are the same
//! whatever day the story runs):
//!
//! 1. A new family whose intake is to rest on the family's consent: until a consent to
//!    case work is on the case, the health, disability and violence fields are not on
//!    the form, and the intake cannot be saved (the summary says to record the consent
//!    first); nothing is sealed.
//! 2. "Record the family's consent first" opens a case with the consent form; the
//!    printed consent cites the law of the operator's country in each of the five
//!    languages (screenshots in `target/screenshots/`); the consent is saved.
//! 3. The case offers to fill the intake in: the typed intake is still there, the
//!    basis now names the consent's day, a health note can be written, and the intake
//!    is saved into the same case.
//! 4. The consent ends 10 days from "today": the case and My cases say when; "Renew
//!    the consent" pre-fills the family from it.
//! 5. A closure "transferred" to the police, whom the family refused: refused, with
//!    the family's reason under the form; to the guardianship body: saved.

use amanat_tests::support::driver::Browser;
use amanat_tests::support::relay::RelayProcess;
use amanat_tests::support::turns::heavy_story;
use shared::forms::basis::LawfulGround;
use shared::i18n::{Catalog, Locale};
use shared::record::Date;
use shared::validate::FieldProblem;
use std::time::Duration;

/// How far ahead of the machine the page's clock runs.
const SHIFT_DAYS: i64 = 40;

/// The page's own "today".
async fn page_today(browser: &Browser) -> Date {
    let v = browser
        .client
        .execute("const d = new Date(); return [d.getFullYear(), d.getMonth() + 1, d.getDate()];", vec![])
        .await
        .unwrap();
    let n = |i: usize| v[i].as_u64().unwrap();
    Date::new(n(0) as u16, n(1) as u8, n(2) as u8).unwrap()
}

async fn text(browser: &Browser, css: &str) -> String {
    browser.wait_for(css, 20).await.unwrap().text().await.unwrap()
}

#[tokio::test]
async fn an_intake_waits_for_consent_the_printed_consent_cites_the_law_and_a_transfer_needs_consent_to_share() {
    let _turn = heavy_story();
    let relay = RelayProcess::start_with_app(&[]);
    let browser = Browser::start().await.unwrap();
    browser.shift_clock_days(SHIFT_DAYS).await.unwrap();
    browser.enrol_demo_caseworker(&relay).await.unwrap();
    browser.wait_for("#intake-form", 30).await.unwrap();
    let today = page_today(&browser).await;
    let machine = Date::from_day_number(today.day_number() - SHIFT_DAYS).unwrap();
    assert!(machine.days_until(today) == SHIFT_DAYS, "the page's clock is the shifted one");

    // 1. Consent chosen, none recorded: the special fields are closed and saving is refused.
    browser.choose("f-basis-ground", LawfulGround::Consent.code()).await.unwrap();
    browser.wait_for("#intake-consent-first", 10).await.unwrap();
    browser.fill_intake_details("Saidova", "Madina Saidova", "Grandmother helps").await.unwrap();
    assert_eq!(browser.count("[id$='-health_notes'], #f-risk-notes").await.unwrap(), 0, "closed before consent");
    assert_eq!(browser.count("#f-risk-factors-domestic_violence").await.unwrap(), 0);
    assert!(browser.page_text().await.unwrap().contains(&en("intake-special_closed")));
    browser.click("#intake-form button.save").await.unwrap();
    let summary = text(&browser, "#form-error-summary").await;
    assert!(summary.contains(FieldProblem::ConsentFirst.message()), "the summary says why: {summary}");
    browser.open_part("outbox").await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(browser.count("li.outbox-entry").await.unwrap(), 0, "nothing sealed");

    // 2. The consent first: a new case with its consent form, printed in five languages.
    browser.open_part("intake").await.unwrap();
    browser.click("#intake-consent-first").await.unwrap();
    browser.wait_for("section#part-case #consent-form", 30).await.unwrap();
    let scans = tempfile::tempdir().unwrap();
    let scan = amanat_tests::support::steps::scan_file(scans.path(), "consent.jpg", "signed page").unwrap();
    browser.fill_consent_with("Saidova", &scan).await.unwrap();
    let ends = Date::from_day_number(today.day_number() + 10).unwrap();
    browser.type_into("c-expires_on", &ends.display()).await.unwrap();
    browser.click("#case-form-print").await.unwrap();
    for tag in ["uz-Latn", "uz-Cyrl", "ru", "kk", "en"] {
        browser.choose_language(tag).await.unwrap();
        let want = Catalog::embedded(Locale::from_tag(tag).unwrap()).tr("consent-law-uz", &[]);
        let shown = text(&browser, "#consent-law").await;
        assert!(shown.contains(want.trim()), "{tag}: the print cites ZRU-547 and order 3478: {shown}");
        assert!(!shown.contains("94-V"), "{tag}: an Uzbek operator's consent cites Uzbek law only");
        browser.client.execute("document.getElementById('consent-law').scrollIntoView()", vec![]).await.unwrap();
        browser.screenshot(&format!("consent-print-law-{tag}")).await.unwrap();
    }
    browser.click("#case-form-consent").await.unwrap();
    browser.save_consent().await.unwrap();

    // 3. The case offers the intake; the typed intake comes back with the consent's day.
    browser.click("#case-fill-intake").await.unwrap();
    let since = text(&browser, "#intake-consent-of").await;
    assert!(since.contains("02.11.2026"), "the basis names the consent's day: {since}");
    let family = browser.wait_for("#f-family_name", 10).await.unwrap().prop("value").await.unwrap();
    assert_eq!(family.as_deref(), Some("Saidova"), "the typed intake was kept");
    let heading = browser.ids_of("#f-household fieldset.member h3").await.unwrap()[0].clone();
    let key = heading.trim_end_matches("-heading").trim_start_matches("f-household-").to_owned();
    browser.enter(&format!("f-household-{key}-health_notes"), "Asthma; hospital twice this year").await.unwrap();
    browser.click("#f-risk-factors-domestic_violence").await.unwrap();
    browser.save_intake().await.unwrap();
    browser.wait_for("#case-heading", 30).await.unwrap();
    assert_eq!(browser.count("#case-fill-intake").await.unwrap(), 0, "the intake is in the case now");

    // 4. The consent ends in 10 days: said on the case and in My cases; renewal pre-fills.
    let warning = browser.wait_for("#consent-expiring", 20).await.unwrap();
    assert_eq!(warning.attr("data-until").await.unwrap().as_deref(), Some(ends.to_string().as_str()));
    assert!(warning.text().await.unwrap().contains(&ends.display()));
    browser.click("#consent-renew").await.unwrap();
    let kind = browser.wait_for("#c-kind", 10).await.unwrap().prop("value").await.unwrap();
    assert_eq!(kind.as_deref(), Some("renewed"));
    let consenter = browser.wait_for("#c-consenter-full_name", 10).await.unwrap().prop("value").await.unwrap();
    assert_eq!(consenter.as_deref(), Some("Saidova parent"), "the family carried over");
    assert_eq!(browser.count("#consent-form input[type=radio]:checked").await.unwrap(), 0, "every purpose asked again");
    browser.open_part("cases").await.unwrap();
    browser.click("#open-my-cases").await.unwrap();
    let listed = browser.wait_for(".case .case-consent-expiring", 60).await.unwrap();
    assert!(listed.text().await.unwrap().contains(&ends.display()));

    // 5. A transfer to a party the family refused is refused, with the family's reason.
    browser.click("button.continue-case").await.unwrap();
    browser.click("#case-form-closure").await.unwrap();
    browser.choose("x-outcome", "transferred").await.unwrap();
    browser.choose("x-transferred_to", "police").await.unwrap();
    browser.enter("x-outcome_note", "Urgut district police").await.unwrap();
    let why = text(&browser, "#x-transfer-refusal .consent-refusal").await;
    assert!(why.contains("02.11.2026"), "the refusal says when the family said no: {why}");
    browser.click("#closure-form button.save").await.unwrap();
    let summary = text(&browser, "#closure-error-summary").await;
    assert!(summary.contains(FieldProblem::ConsentMissing.message()), "{summary}");
    browser.choose("x-transferred_to", "guardianship_body").await.unwrap();
    assert_eq!(browser.count("#x-transfer-refusal .consent-refusal").await.unwrap(), 0);
    browser.save_form("closure-form", "closure-error-summary").await.unwrap();
}

fn en(key: &str) -> String {
    Catalog::embedded(Locale::from_tag("en").unwrap()).tr(key, &[])
}
