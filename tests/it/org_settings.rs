//! The organisation's signed settings (operator details, retention, child assent age),
//! from the offline computer to the consent form, with the relay as the attacker.
//!
//! - The ceremony: `amanat org init` writes a `settings.toml` template; filled in, it is
//!   signed offline (`amanat settings sign`), installed on a relay that holds no
//!   organisation key (`amanat settings install`, checked against the keyring's
//!   signer), served by `GET /api/v1/settings` and verified natively against `org.pub`
//!   as the app does. A tampered file, settings signed by another organisation's key, a
//!   bad tax number and an older version are each refused with the reason, and the
//!   installed settings stay as they were; `amanat verify` names settings altered on
//!   the relay.
//! - In the pinned test build (`cargo xtask build --org-key tests/fixtures/test-org.pub`):
//!   the consent form shows the operator read-only from the honest settings, asks
//!   assent from their age, and seals exactly that operator; a relay serving settings
//!   signed with its own key gets no consent saved (the form says why, keeps what was
//!   typed); a device that saw version 2 refuses version 1 brought back.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use amanat_tests::support::driver::Browser;
use amanat_tests::support::relay::{amanat_binary, RelayProcess};
use amanat_tests::support::turns::heavy_story;
use shared::forms::address::Country;
use shared::forms::consent::Operator;
use shared::keyring::{fingerprint, OrgPublicKey, OrgSigningKey};
use shared::org_settings::{OrgSettings, SettingsFacts};
use shared::ErrorCode;

fn run(data: &Path, args: &[&str]) -> Output {
    Command::new(amanat_binary())
        .args(args)
        .arg("--data")
        .arg(data)
        .env_remove("AMANAT_LOG")
        .stdin(Stdio::null())
        .output()
        .expect("amanat runs")
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "failed: {}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn refused(o: &Output) -> String {
    assert!(!o.status.success(), "should have been refused: {}", String::from_utf8_lossy(&o.stdout));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `amanat org init` in `parent/name` (no passphrase: a test key).
fn ceremony(parent: &Path, name: &str) -> PathBuf {
    let dir = parent.join(name);
    ok(&run(&dir, &["org", "init", "--out", dir.to_str().unwrap(), "--organisation", name]));
    dir
}

/// The settings.toml `org init` wrote, filled in as `version` with `tax` as the tax
/// number.
fn fill_template(dir: &Path, version: u64, tax: &str) -> PathBuf {
    let template = std::fs::read_to_string(dir.join("settings.toml")).expect("org init writes settings.toml");
    let filled = template
        .replace("version = 1", &format!("version = {version}"))
        .replace("name = \"\"", "name = \"Oila va Bola NNT\"")
        .replace("tax_number = \"\"", &format!("tax_number = \"{tax}\""))
        .replace("address = \"\"", "address = \"Samarqand, Urgut tumani\"")
        .replace("complaints_contact = \"\"", "complaints_contact = \"+998 66 200 00 00\"");
    let file = dir.join(format!("settings-v{version}.toml"));
    std::fs::write(&file, filled).unwrap();
    file
}

fn sign(dir: &Path, toml: &Path, out: &Path) -> Output {
    let key = dir.join("org-signing.key");
    run(
        dir,
        &[
            "settings",
            "sign",
            toml.to_str().unwrap(),
            "--org-key",
            key.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    )
}

#[tokio::test]
async fn settings_signed_offline_are_installed_served_and_verified_and_every_forgery_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let offline = ceremony(tmp.path(), "Oila va Bola");
    let public: OrgPublicKey = std::fs::read_to_string(offline.join("org.pub")).unwrap().trim().parse().unwrap();

    // Offline: a bad tax number is refused before anything is signed, naming the field.
    let bad = fill_template(&offline, 1, "20123456");
    let why = refused(&sign(&offline, &bad, &offline.join("bad.json")));
    assert!(why.contains("operator.tax_number") && why.contains("STIR"), "{why}");
    assert!(!offline.join("bad.json").exists(), "nothing was signed");

    let v2 = offline.join("settings.json");
    let said = ok(&sign(&offline, &fill_template(&offline, 2, "201 234 567"), &v2));
    assert!(said.contains(&fingerprint(&public.to_string())), "sign prints the key's fingerprint: {said}");
    assert!(said.contains("Oila va Bola NNT") && said.contains("child assent from:  7"), "and what it signed: {said}");

    // The relay: settings before any keyring are refused (no organisation key known).
    let relay_dir = tempfile::tempdir().unwrap();
    let data = relay_dir.path().join("data");
    let copied = relay_dir.path().join("settings.json");
    std::fs::copy(&v2, &copied).unwrap();
    assert!(refused(&run(&data, &["settings", "install", copied.to_str().unwrap()])).contains("keyring install"));
    ok(&run(&data, &["keyring", "install", offline.join("keyring.json").to_str().unwrap()]));
    let relay = RelayProcess::start_on(relay_dir, data.clone(), &[]);
    let none = reqwest::get(relay.url("/api/v1/settings")).await.unwrap();
    assert_eq!(none.status(), 404);
    assert_eq!(none.json::<serde_json::Value>().await.unwrap()["error"], "settings_missing");

    let installed = ok(&run(&data, &["settings", "install", copied.to_str().unwrap()]));
    assert!(installed.contains("version 2"), "{installed}");
    let served = reqwest::get(relay.url("/api/v1/settings")).await.unwrap().bytes().await.unwrap();
    let verified = OrgSettings::from_json(&served).unwrap().verify(&public).expect("served as signed");
    assert_eq!((verified.version(), verified.operator().tax_number.as_str()), (2, "201 234 567"));
    let shown = ok(&run(&data, &["settings", "show"]));
    assert!(shown.contains("signature verifies") && shown.contains("Oila va Bola NNT"), "{shown}");
    let before = std::fs::read(data.join("settings.json")).unwrap();

    // A file altered after signing: the operator's name changed in transit.
    let text = std::fs::read_to_string(&copied).unwrap();
    let tampered = relay.data.parent().unwrap().join("tampered.json");
    std::fs::write(&tampered, text.replace("Oila va Bola NNT", "Relay Services LLC")).unwrap();
    assert!(
        refused(&run(&data, &["settings", "install", tampered.to_str().unwrap()])).contains("altered after signing")
    );

    // Settings signed by another organisation's key.
    let other = ceremony(tmp.path(), "Other");
    let foreign = other.join("settings.json");
    ok(&sign(&other, &fill_template(&other, 9, "201234567"), &foreign));
    let why = refused(&run(&data, &["settings", "install", foreign.to_str().unwrap()]));
    assert!(why.contains("another key") && why.contains(&fingerprint(&public.to_string())), "{why}");

    // An older version, correctly signed; and the same version saying something else.
    let v1 = offline.join("settings-v1.json");
    ok(&sign(&offline, &fill_template(&offline, 1, "201234567"), &v1));
    assert!(refused(&run(&data, &["settings", "install", v1.to_str().unwrap()]))
        .contains("older than the installed version 2"));
    let v2b = offline.join("settings-v2b.json");
    ok(&sign(&offline, &fill_template(&offline, 2, "301234567"), &v2b));
    assert!(refused(&run(&data, &["settings", "install", v2b.to_str().unwrap()])).contains("higher version"));
    assert_eq!(std::fs::read(data.join("settings.json")).unwrap(), before, "nothing refused was installed");

    // `amanat verify` checks them; settings altered on the relay itself fail by name.
    assert!(ok(&run(&data, &["verify"])).contains("Organisation settings: version 2, signature verifies"));
    std::fs::write(data.join("settings.json"), text.replace("\"retention_years\": 5", "\"retention_years\": 50"))
        .unwrap();
    let report = run(&data, &["verify"]);
    assert_eq!(report.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&report.stdout).contains("FAIL settings.json"),
        "{}",
        String::from_utf8_lossy(&report.stdout)
    );
}

/// Settings as the tests' organisation would sign them, at `version`, asking assent
/// from `assent_age`.
fn facts(version: u64, assent_age: u8) -> SettingsFacts {
    SettingsFacts {
        version,
        organisation: backend::demo::ORGANISATION.into(),
        issued_at: 1_800_000_000,
        operator: Operator {
            name: format!("Oila va Bola NNT v{version}"),
            country: Some(Country::Uzbekistan),
            tax_number: "201234567".into(),
            address: "Samarqand, Urgut tumani".into(),
            complaints_contact: "+998 66 200 00 00".into(),
        },
        retention_years: 5,
        assent_age,
    }
}

/// Scrolls the consent form's operator section to the top, for the screenshot.
async fn show_operator(browser: &Browser) {
    browser.client.execute("document.getElementById('c-section-operator').scrollIntoView()", vec![]).await.unwrap();
}

/// Enrols the demo caseworker and saves an intake for `family`; opens its case.
async fn case_open(browser: &Browser, relay: &RelayProcess, family: &str) {
    browser.enrol_demo_caseworker(relay).await.unwrap();
    browser.fill_intake(family, "Child of the family").await.unwrap();
    browser.open_part("case").await.unwrap();
}

#[tokio::test]
async fn the_consent_form_shows_the_signed_operator_read_only_and_a_device_refuses_an_older_version() {
    let _turn = heavy_story();
    let relay = RelayProcess::start_with_app(&[]);
    let org = RelayProcess::test_org_key();
    // The honest organisation raised the assent age to 9 in version 2.
    relay.serve_settings_signed(&org, facts(2, 9));
    let browser = Browser::start().await.unwrap();
    case_open(&browser, &relay, "Karimova").await;
    let name = browser.wait_for_operator_from_settings().await.unwrap();
    assert_eq!(name.trim(), "Oila va Bola NNT v2");
    assert_eq!(
        browser.count("#consent-form input#c-operator-name, #consent-form input#c-operator-tax_number").await.unwrap(),
        0,
        "read-only"
    );
    let help = browser.wait_for("#c-assent-help", 10).await.unwrap().text().await.unwrap();
    assert!(help.contains("from about 9 years old"), "the help names the settings' age: {help}");
    let retention = browser.wait_for("#c-retention_years", 10).await.unwrap().prop("value").await.unwrap();
    assert_eq!(retention.as_deref(), Some("5"), "retention offered from the settings");
    show_operator(&browser).await;
    browser.screenshot("org-settings-consent-operator").await.unwrap();

    // Saved, the consent names exactly the operator shown.
    let scans = tempfile::tempdir().unwrap();
    let scan = amanat_tests::support::steps::scan_file(scans.path(), "scan.jpg", "signed page").unwrap();
    browser.fill_consent_with("Karimova", &scan).await.unwrap();
    browser.save_consent().await.unwrap();
    browser.open_part("outbox").await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    while browser.count("li.outbox-entry[data-state=uploaded]").await.unwrap() < 3 {
        assert!(std::time::Instant::now() < deadline, "the intake, the scan and the consent never uploaded");
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    let consents = sealed_consents(&relay);
    assert_eq!(consents.len(), 1);
    assert_eq!(consents[0].operator, facts(2, 9).operator, "the sealed operator is the signed one");

    // The relay brings back version 1, correctly signed but older than what this
    // device has seen: the next page load refuses it.
    relay.serve_settings_signed(&org, facts(1, 7));
    browser.goto(&relay.url("/")).await.unwrap();
    browser.unlock("demo-caseworker", Browser::DEMO_PASSPHRASE).await.unwrap();
    browser.fill_intake("Tursunova", "Child of the family").await.unwrap();
    browser.open_part("case").await.unwrap();
    browser.wait_for_text(ErrorCode::SettingsRollback.message(), 30).await.unwrap();
    assert_eq!(browser.wait_for("#c-operator-name", 5).await.unwrap().text().await.unwrap().trim(), "");
    show_operator(&browser).await;
    browser.screenshot("org-settings-rollback").await.unwrap();
}

#[tokio::test]
async fn a_relay_serving_settings_signed_with_its_own_key_gets_no_consent_saved() {
    let _turn = heavy_story();
    let relay = RelayProcess::start_with_app(&[]);
    let relays_own = OrgSigningKey::generate();
    let mut forged = facts(5, 7);
    forged.operator.name = "Relay Services LLC".into();
    relay.serve_settings_signed(&relays_own, forged);
    let browser = Browser::start().await.unwrap();
    case_open(&browser, &relay, "Yusupova").await;
    browser.wait_for_text(ErrorCode::SettingsWrongSigner.message(), 30).await.unwrap();
    assert!(!browser.page_text().await.unwrap().contains("Relay Services"), "the forged operator is never shown");

    browser.type_into("c-place", "Urgut").await.unwrap();
    browser.click("#consent-form button.save").await.unwrap();
    let summary = browser.wait_for("#consent-error-summary", 20).await.unwrap().text().await.unwrap();
    assert!(!summary.trim().is_empty(), "the save is refused with the problems listed");
    let place = browser.wait_for("#c-place", 5).await.unwrap().prop("value").await.unwrap();
    assert_eq!(place.as_deref(), Some("Urgut"), "what was typed is kept");
    show_operator(&browser).await;
    browser.screenshot("org-settings-forged-signer").await.unwrap();
    browser.open_part("outbox").await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(browser.count("li.outbox-entry").await.unwrap(), 1, "only the intake was sealed");
    assert!(sealed_consents(&relay).is_empty(), "no consent reached the relay");
}

/// Every consent the relay holds, opened with the demo adviser's identity by the
/// reference `age` CLI.
fn sealed_consents(relay: &RelayProcess) -> Vec<shared::forms::consent::ConsentEntry> {
    let identity = relay.data.join("demo/adviser-identity.txt");
    let mut out = Vec::new();
    let mut stack = vec![relay.data.join("blobs")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let opened = Command::new("age").arg("-d").arg("-i").arg(&identity).arg(&path).output().unwrap();
            let Ok(doc) = shared::authorship::unwrap(&opened.stdout) else { continue };
            if let Ok(doc) = shared::forms::CaseDocument::from_bytes(doc.document) {
                if let shared::forms::CaseEntry::Consent(c) = doc.entry {
                    out.push(c);
                }
            }
        }
    }
    out
}
