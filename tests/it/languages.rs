//! Issue 3, "switchable at any time without losing input": a caseworker changes the
//! app's language in the middle of a form, in headless Chromium against the real
//! relay, and finds every typed value where it was, the page relabelled, and the
//! choice remembered on this device at the next visit.

use amanat_tests::support::driver::Browser;
use amanat_tests::support::relay::RelayProcess;
use amanat_tests::support::turns::heavy_story;
use fantoccini::Locator;

const PASSPHRASE: &str = "walnut meadow copper 64 lark";

/// The value of the input with this id, as the page holds it now.
async fn value_of(browser: &Browser, id: &str) -> String {
    browser.wait_for(&format!("#{id}"), 20).await.unwrap().prop("value").await.unwrap().unwrap_or_default()
}

/// The text of the element matching `css` (its content, even when not on screen).
async fn text_of(browser: &Browser, css: &str) -> String {
    browser.wait_for(css, 20).await.unwrap().prop("textContent").await.unwrap().unwrap_or_default()
}

#[tokio::test]
async fn a_caseworker_switches_language_mid_form_and_keeps_what_was_typed() {
    let _turn = heavy_story();
    let relay = RelayProcess::start_with_app(&[]);
    let browser = Browser::start().await.unwrap();
    let link = relay.url(&format!("/#enrol={}", relay.demo_file("caseworker-enrolment.txt")));

    // The first visit opens in the default language, Uzbek in Latin script.
    browser.goto_keeping_language(&link).await.unwrap();
    browser.wait_for("#enrol", 30).await.unwrap();
    let lang = browser.client.execute("return document.documentElement.lang", vec![]).await.unwrap();
    assert_eq!(lang.as_str(), Some("uz-Latn"));
    assert_eq!(text_of(&browser, "#enrol h2").await, "Parolingizni tanlang");
    // How long the page waits for its catalog before it shows anything (resource
    // timing, milliseconds since navigation): a figure for the README, not a limit.
    let timing = browser
        .client
        .execute(
            "const e = performance.getEntriesByType('resource').find(r => r.name.endsWith('/locales/uz-Latn.ftl'));\
             return e ? [e.startTime, e.responseEnd, e.encodedBodySize] : null",
            vec![],
        )
        .await
        .unwrap();
    eprintln!("catalog uz-Latn.ftl [fetch start ms, response end ms, bytes]: {timing}");
    assert!(timing.is_array(), "the catalog was fetched from /locales/");

    // Half of the enrolment typed, then Russian chosen.
    browser.type_into("enrol-name", "demo-caseworker").await.unwrap();
    browser.type_into("enrol-passphrase", PASSPHRASE).await.unwrap();
    browser.choose_language("ru").await.unwrap();
    assert_eq!(text_of(&browser, "#enrol h2").await, "Выберите пароль");
    assert_eq!(text_of(&browser, "label[for=enrol-name]").await, "Имя учётной записи");
    assert_eq!(text_of(&browser, "label[for=language-switch]").await, "Язык");
    assert_eq!(value_of(&browser, "enrol-name").await, "demo-caseworker", "the typed name survives the switch");
    assert_eq!(value_of(&browser, "enrol-passphrase").await, PASSPHRASE, "the typed passphrase survives the switch");
    let strength = browser.wait_for("#enrol-strength", 5).await.unwrap().attr("data-strength").await.unwrap();
    assert_eq!(strength.as_deref(), Some("strong"), "the meter still measures what was typed");

    // A refusal reads in the language shown, and follows the next switch.
    browser.type_into("enrol-again", "walnut meadow copper 64 larks").await.unwrap();
    browser.click("#enrol-submit").await.unwrap();
    browser.wait_for_text("Два пароля различаются", 20).await.unwrap();
    browser.choose_language("kk").await.unwrap();
    browser.wait_for_text("Екі құпиясөз әртүрлі", 20).await.unwrap();
    assert_eq!(value_of(&browser, "enrol-name").await, "demo-caseworker");

    // Finished in Kazakh: the workspace opens in Kazakh.
    browser.type_into("enrol-again", PASSPHRASE).await.unwrap();
    browser.click("#enrol-submit").await.unwrap();
    browser.wait_for("#session-name", 60).await.unwrap();
    assert_eq!(text_of(&browser, ".tagline").await, "Отбасы жазбалары сақталмас бұрын осы браузерде шифрланады.");

    // In the middle of the intake, Uzbek in Cyrillic script: the family name stays
    // and its label is read from the new catalog.
    if browser.count("#part-intake-button").await.unwrap() > 0 {
        browser.click("#part-intake-button").await.unwrap();
    }
    browser.type_into("f-family_name", "Каримова").await.unwrap();
    assert!(text_of(&browser, "label[for=f-family_name]").await.contains("Отбасы тегі"));
    browser.choose_language("uz-Cyrl").await.unwrap();
    assert_eq!(value_of(&browser, "f-family_name").await, "Каримова", "the typed family name survives the switch");
    assert!(text_of(&browser, "label[for=f-family_name]").await.contains("Оила фамилияси"));
    assert_eq!(text_of(&browser, ".tagline").await, "Оила ёзувлари сақланишидан олдин шу браузерда шифрланади.");
    browser.screenshot("languages-intake-uz-Cyrl").await.unwrap();

    // The choice is kept on this device: the next visit opens in it (locked again).
    browser.goto_keeping_language(&relay.url("/")).await.unwrap();
    browser.wait_for("#unlock", 30).await.unwrap();
    let lang = browser.client.execute("return document.documentElement.lang", vec![]).await.unwrap();
    assert_eq!(lang.as_str(), Some("uz-Cyrl"));
    assert_eq!(text_of(&browser, "#unlock h2").await, "Қулфни очиш");
    let selected = browser.client.find(Locator::Css("#language-switch")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(selected.as_deref(), Some("uz-Cyrl"));
}
