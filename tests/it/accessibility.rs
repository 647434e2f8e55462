//! Issue 3, "accessibility": axe-core checks every page and state of the app in
//! headless Chromium against the real relay, in two languages (Uzbek in Latin script,
//! the app's default, and Russian): enrolment, each part of the workspace, the
//! intake with its error summary after a refused save, each form of a case (consent,
//! its print view, follow-up, closure), the unlock page, and the key holder's page
//! before and after opening the records; and the privacy page in each of its states
//! (before the device scan, after it, with a value listed that should not be there,
//! after the relay check and the app files check). No serious or critical finding is
//! allowed; when there are some, the story lists each (rule, impact, the elements).
//!
//! The same walk writes screenshots of every form in both languages at tablet
//! portrait width (768 px) and desktop width (1280 px), the whole page tall, under
//! `target/screenshots/` for review (`form-<form>-<lang>-<width>.png`).
//!
//! axe-core is the npm package, pinned and installed by `cargo xtask test`
//! (`xtask/src/setup.rs`, `axe_core`) under `target/tools/axe/`. Its script goes in
//! through WebDriver, which the relay's Content-Security-Policy does not govern.

use std::path::PathBuf;

use amanat_tests::support::driver::Browser;
use amanat_tests::support::relay::{amanat, stdout, workspace_root, RelayProcess};
use amanat_tests::support::turns::heavy_story;
use anyhow::{Context, Result};

/// axe-core's script, as `cargo xtask test` installs it.
fn axe_script() -> String {
    let path: PathBuf = workspace_root().join("target/tools/axe/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .with_context(|| format!("{} is missing: `cargo xtask test` installs axe-core (npm) there", path.display()))
        .unwrap()
}

/// The walk through the app in one language: axe after each step, findings kept.
struct Audit<'a> {
    browser: &'a Browser,
    axe: String,
    lang: &'static str,
    /// "state: rule (impact): elements" for each serious or critical finding.
    findings: Vec<String>,
    checked: usize,
}

impl Audit<'_> {
    /// Runs axe-core on the page as it is now, calling it `state`.
    async fn check(&mut self, state: &str) -> Result<()> {
        // Injected on each check: a navigation (the adviser page) drops it.
        let present = self.browser.client.execute("return typeof window.axe === 'object'", vec![]).await?;
        if present != true {
            self.browser.client.execute(&self.axe, vec![]).await.context("injecting axe-core")?;
        }
        let found = self
            .browser
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                   .then(r => done(r.violations
                     .filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => `${v.id} (${v.impact}): ${v.help} — ` +
                        v.nodes.slice(0, 5).map(n => n.target.join(' ')).join(', '))))
                   .catch(e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await?;
        for f in found.as_array().into_iter().flatten() {
            self.findings.push(format!("[{}] {state}: {}", self.lang, f.as_str().unwrap_or_default()));
        }
        self.checked += 1;
        Ok(())
    }

    /// Screenshots of the whole page at 768 px and at 1280 px wide.
    async fn screenshots(&self, form: &str) -> Result<()> {
        for width in [768u32, 1280] {
            self.browser.client.set_window_size(width, 1000).await?;
            let height = self
                .browser
                .client
                .execute("return Math.ceil(document.documentElement.scrollHeight)", vec![])
                .await?
                .as_u64()
                .unwrap_or(1000)
                .clamp(600, 12_000) as u32;
            // The window's outer size includes nothing in headless mode: the page fits.
            self.browser.client.set_window_size(width, height).await?;
            tokio::time::sleep(std::time::Duration::from_millis(150)).await;
            self.browser.screenshot(&format!("form-{form}-{}-{width}", self.lang)).await?;
        }
        self.browser.client.set_window_size(1280, 1000).await?;
        Ok(())
    }

    /// Opens the case form whose tab is the `n`th (1: consent, 2: print, 3: follow-up,
    /// 4: closure).
    async fn case_tab(&self, n: usize) -> Result<()> {
        self.browser.click(&format!("nav.case-forms button:nth-of-type({n})")).await
    }
}

async fn audit_every_page_in(lang: &'static str) {
    let relay = RelayProcess::start_with_app(&[]);
    let browser = Browser::start().await.unwrap();
    let mut audit = Audit { browser: &browser, axe: axe_script(), lang, findings: Vec::new(), checked: 0 };

    // Enrolment, in the language chosen.
    let link = relay.url(&format!("/#enrol={}", relay.demo_file("caseworker-enrolment.txt")));
    browser.goto_keeping_language(&link).await.unwrap();
    browser.choose_language(lang).await.unwrap();
    browser.wait_for("#enrol", 30).await.unwrap();
    audit.check("enrolment").await.unwrap();
    browser.type_into("enrol-name", "demo-caseworker").await.unwrap();
    browser.type_into("enrol-passphrase", Browser::DEMO_PASSPHRASE).await.unwrap();
    browser.type_into("enrol-again", Browser::DEMO_PASSPHRASE).await.unwrap();
    browser.click("#enrol-submit").await.unwrap();
    browser.wait_for("#session-name", 60).await.unwrap();

    // The workspace: each part, the intake empty and then refused with its summary.
    browser.wait_for("#intake-form", 30).await.unwrap();
    audit.check("workspace: new family (empty intake)").await.unwrap();
    browser.click("#intake-form button.save").await.unwrap();
    browser.wait_for("#form-error-summary", 10).await.unwrap();
    audit.check("intake: error summary after a refused save").await.unwrap();
    audit.screenshots("intake-errors").await.unwrap();
    for part in ["case", "cases", "outbox", "account"] {
        browser.open_part(part).await.unwrap();
        audit.check(&format!("workspace: part {part}")).await.unwrap();
    }
    browser.open_part("cases").await.unwrap();
    browser.click("#open-my-cases").await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    audit.check("my cases opened (none yet)").await.unwrap();

    // A family's intake filled in (its screenshots), then saved: the case's forms.
    browser.open_part("intake").await.unwrap();
    browser.fill_intake_with("Karimova", "Malika Karimova", "Mother works nights").await.unwrap();
    audit.check("intake filled in").await.unwrap();
    audit.screenshots("intake").await.unwrap();
    browser.save_intake().await.unwrap();
    browser.wait_for("#consent-form", 30).await.unwrap();
    audit.check("case: consent form").await.unwrap();
    browser.click("#consent-form button.save").await.unwrap();
    browser.wait_for("#consent-error-summary", 10).await.unwrap();
    audit.check("consent: error summary after a refused save").await.unwrap();
    audit.screenshots("consent").await.unwrap();
    for (n, form, selector) in
        [(2, "print", ".consent-print"), (3, "follow-up", "#follow-up-form"), (4, "closure", "#closure-form")]
    {
        audit.case_tab(n).await.unwrap();
        browser.wait_for(&format!("div:not(.hidden) > {selector}"), 10).await.unwrap();
        audit.check(&format!("case: {form}")).await.unwrap();
        audit.screenshots(form).await.unwrap();
    }
    browser.open_part("outbox").await.unwrap();
    browser.wait_for("li.outbox-entry[data-state=uploaded]", 60).await.unwrap();
    audit.check("outbox with an uploaded entry").await.unwrap();

    // Locked: the unlock page.
    browser.click("#end-session").await.unwrap();
    browser.wait_for("#unlock", 20).await.unwrap();
    audit.check("unlock").await.unwrap();

    // The key holder's page: sign-in, then the records opened.
    browser.goto_keeping_language(&relay.url("/adviser")).await.unwrap();
    browser.wait_for("#signin-token", 30).await.unwrap();
    audit.check("adviser: sign-in").await.unwrap();
    browser.sign_in("demo-adviser", &relay.demo_file("adviser.token")).await.unwrap();
    let identity = relay.data.join("demo/adviser-identity.txt");
    browser.wait_for("#identity-file", 20).await.unwrap();
    audit.check("adviser: identity file asked").await.unwrap();
    browser.wait_for("#identity-file", 5).await.unwrap().send_keys(identity.to_str().unwrap()).await.unwrap();
    browser.wait_for("article.record", 60).await.unwrap();
    audit.check("adviser: records opened").await.unwrap();
    audit.screenshots("adviser-records").await.unwrap();

    audit.report();
}

impl Audit<'_> {
    /// Fails with every finding kept, if there are any.
    fn report(&self) {
        println!("[{}] axe-core checked {} states", self.lang, self.checked);
        assert!(
            self.findings.is_empty(),
            "{} serious or critical accessibility findings:\n{}",
            self.findings.len(),
            self.findings.join("\n")
        );
    }
}

/// Clicks `button` and waits until `result` shows run number `run` (its `data-run`).
async fn run_and_wait(browser: &Browser, button: &str, result: &str, run: u32) {
    browser.click(button).await.unwrap();
    browser.wait_for(&format!("{result}[data-run='{run}']"), 180).await.unwrap();
}

/// The privacy page on a browser a caseworker used (one intake sealed and uploaded):
/// before the device scan, after it, with a plaintext value it lists, after the relay
/// check (signed in as privacy officer) and after the app files check.
async fn audit_the_privacy_page_in(lang: &'static str) {
    let relay = RelayProcess::start_with_app(&[]);
    let browser = Browser::start().await.unwrap();
    let mut audit = Audit { browser: &browser, axe: axe_script(), lang, findings: Vec::new(), checked: 0 };
    browser.enrol_demo_caseworker(&relay).await.unwrap();
    browser.fill_intake("Karimova", "Malika Karimova").await.unwrap();
    browser.open_part("outbox").await.unwrap();
    browser.wait_for("li.outbox-entry[data-state=uploaded]", 60).await.unwrap();

    browser.goto_keeping_language(&relay.url("/privacy")).await.unwrap();
    browser.choose_language(lang).await.unwrap();
    browser.wait_for("#privacy-scan", 30).await.unwrap();
    audit.check("privacy: before the device scan").await.unwrap();
    run_and_wait(&browser, "#privacy-scan", "#privacy-counts", 1).await;
    audit.check("privacy: device scanned, clean").await.unwrap();
    browser.client.execute("localStorage.setItem('amanat-note', 'Malika Karimova')", vec![]).await.unwrap();
    run_and_wait(&browser, "#privacy-scan", "#privacy-counts", 2).await;
    browser.wait_for("#privacy-else tr.privacy-else-item", 10).await.unwrap();
    audit.check("privacy: device scanned, a value listed").await.unwrap();
    browser.client.execute("localStorage.removeItem('amanat-note')", vec![]).await.unwrap();

    let out = amanat(&relay.data, &["user", "add", "zarina", "--role", "privacy-officer", "--token"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = stdout(&out).lines().last().unwrap().trim().to_owned();
    audit.check("privacy: relay sign-in").await.unwrap();
    browser.sign_in("zarina", &token).await.unwrap();
    browser.wait_for("#privacy-relay-result", 120).await.unwrap();
    audit.check("privacy: relay checked").await.unwrap();
    run_and_wait(&browser, "#privacy-app-run", "#privacy-app-summary", 1).await;
    audit.check("privacy: app files checked").await.unwrap();
    audit.screenshots("privacy").await.unwrap();
    audit.report();
}

#[tokio::test]
async fn every_page_and_state_in_uzbek_has_no_serious_or_critical_accessibility_finding() {
    let _turn = heavy_story();
    audit_every_page_in("uz-Latn").await;
}

#[tokio::test]
async fn every_page_and_state_in_russian_has_no_serious_or_critical_accessibility_finding() {
    let _turn = heavy_story();
    audit_every_page_in("ru").await;
}

#[tokio::test]
async fn the_privacy_page_in_each_state_in_uzbek_and_russian_has_no_serious_or_critical_finding() {
    let _turn = heavy_story();
    audit_the_privacy_page_in("uz-Latn").await;
    audit_the_privacy_page_in("ru").await;
}
