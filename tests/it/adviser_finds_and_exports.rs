//! Issue 5's reading story, in headless Chromium against the real relay: three
//! families' entries are on the relay (sealed natively with `shared`, as the app seals);
//! the adviser loads the key and
//! - finds the Karimov family by a child's name typed in Latin letters (stored in
//!   Cyrillic), and by the mother's document number typed with other spacing;
//! - opens the case, its photo (decrypted on demand, its Blob URL revoked on close) and
//!   its print view (the `@page` rule with "page n of m" is in the
//!   page's stylesheet while it is shown);
//! - exports the selected case as CSV: the plaintext warning comes first, "Cancel"
//!   exports nothing, "I understand" hands over a CSV that holds the case (codes and
//!   labels);
//! - downloads the case's sealed entries as a zip whose every `.age` file the real
//!   `age` CLI opens with the adviser's identity file;
//! - exports the indicators: counts only, no name, no id;
//! - downloads the case's scanned PDF only after a warning that it is stored
//!   unencrypted: "Cancel" downloads nothing, "I understand" hands over the PDF.
//!
//! Downloads are read from the page: the story wraps `HTMLAnchorElement.click` so that
//! a download's `Blob` is read back instead of written to disk.

use std::process::Command;
use std::time::{Duration, Instant};

use amanat_tests::support::driver::Browser;
use amanat_tests::support::relay::RelayProcess;
use amanat_tests::support::turns::heavy_story;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use shared::api::CASE_HEADER;
use shared::forms::address::District;
use shared::forms::consent::{ConsentEntry, ConsentKind, Permission};
use shared::forms::followup::{FollowUp, ServiceDelivered};
use shared::forms::household::Relation;
use shared::forms::intake::{ChildAtRisk, FamilyIntake, Service};
use shared::forms::{CaseDocument, CaseEntry, DOCUMENT_SCHEMA};
use shared::record::{Date, Region};
use shared::seal::generate_identity;
use shared::{CaseId, EntryId};

struct Family {
    name: &'static str,
    child: &'static str,
    document: &'static str,
    region: Region,
    district: Option<District>,
}

const FAMILIES: [Family; 3] = [
    Family {
        name: "Karimova",
        child: "Азиз Каримов",
        document: "AD 1234567",
        region: Region::UzSamarkand,
        district: None,
    },
    Family {
        name: "Tursunova",
        child: "Malika Tursunova",
        document: "AB 7654321",
        region: Region::UzKhorezm,
        district: Some(District::XoUrganchCity),
    },
    Family {
        name: "Rashidova",
        child: "Timur Rashidov",
        document: "N12345678",
        region: Region::KzAlmatyCity,
        district: None,
    },
];

/// A real one-pixel PNG, so the browser decodes the opened photo.
const PNG_1X1: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

fn d(y: u16, m: u8, day: u8) -> Option<Date> {
    Date::new(y, m, day)
}

/// A small PDF, as a scanned consent form would start.
const PDF: &[u8] = b"%PDF-1.4\n% scanned consent form\n%%EOF\n";

/// Seals each family's intake, consent and follow-up and uploads them as the demo
/// caseworker; returns each case and its entry ids.
async fn seed(relay: &RelayProcess) -> Vec<(CaseId, Vec<EntryId>)> {
    let keyring = relay.keyring();
    // Written by the demo caseworker with her approved author key: every entry counts.
    let author = relay.approved_caseworker_author();
    let caseworker = generate_identity().to_public();
    let token = relay.demo_file("caseworker.token");
    let http = reqwest::Client::new();
    let mut out = Vec::new();
    for (i, fam) in FAMILIES.iter().enumerate() {
        let case = CaseId::random();
        let doc = |minute: usize, entry: CaseEntry| CaseDocument {
            schema: DOCUMENT_SCHEMA,
            case,
            created_at: format!("2026-03-{:02}T10:{minute:02}:00Z", 10 + i),
            author: backend::demo::CASEWORKER.into(),
            supersedes: None,
            entry,
        };
        let mut intake = FamilyIntake { family_name: fam.name.into(), ..FamilyIntake::default() };
        intake.meta.date = d(2026, 3, 10 + i as u8);
        intake.address.region = Some(fam.region);
        intake.address.district = fam.district;
        intake.add_member();
        let child = intake.add_member();
        intake.household[0].full_name = format!("Mother of {}", fam.name);
        intake.household[0].date_of_birth = d(1990, 1, 1);
        intake.household[0].document.number = fam.document.into();
        intake.household[1].full_name = fam.child.into();
        intake.household[1].relation = Some(Relation::Child);
        intake.household[1].date_of_birth = d(2016, 3, 1);
        intake.children_at_risk.push(ChildAtRisk { member: child, ..ChildAtRisk::default() });
        let mut consent = ConsentEntry::new(ConsentKind::Given);
        consent.date = d(2026, 3, 10 + i as u8);
        consent.set(Permission::CaseWork, Some(true));
        consent.set(Permission::AnonymisedReports, Some(true));
        let follow_up = FollowUp {
            date: d(2026, 4, 1),
            services: vec![ServiceDelivered {
                service: Some(Service::Psychological),
                date: d(2026, 4, 1),
                ..Default::default()
            }],
            ..FollowUp::default()
        };
        let mut ids = Vec::new();
        for document in [
            doc(0, CaseEntry::Intake(intake)),
            doc(5, CaseEntry::Consent(consent)),
            doc(9, CaseEntry::FollowUp(follow_up)),
        ] {
            let sealed = keyring
                .seal(&author.sign_document(&document.to_bytes()), std::slice::from_ref(&caseworker))
                .unwrap()
                .into_bytes();
            let id = EntryId::of(&sealed);
            let res = http
                .put(relay.url(&format!("/api/v1/entries/{id}")))
                .bearer_auth(&token)
                .header(CASE_HEADER, case.to_string())
                .header("content-type", "application/octet-stream")
                .body(sealed)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 201, "upload of {}'s entry", fam.name);
            ids.push(id);
        }
        // The first family's: a photo of a document and a scanned PDF, each an entry of its own.
        use base64::Engine;
        let png = base64::engine::general_purpose::STANDARD.decode(PNG_1X1).unwrap();
        let attachments: &[&[u8]] = if i == 0 { &[&png, PDF] } else { &[] };
        for attachment in attachments {
            let sealed = keyring.seal(attachment, std::slice::from_ref(&caseworker)).unwrap().into_bytes();
            let id = EntryId::of(&sealed);
            let res = http
                .put(relay.url(&format!("/api/v1/entries/{id}")))
                .bearer_auth(&token)
                .header(CASE_HEADER, case.to_string())
                .header("content-type", "application/octet-stream")
                .body(sealed)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 201, "upload of an attachment");
            ids.push(id);
        }
        out.push((case, ids));
    }
    out
}

/// Makes the page hand every download's bytes to the story instead of the disk (the
/// `Blob` behind the link is kept when its URL is made: the app's CSP does not let a
/// script `fetch` a `blob:` URL), and records every URL the page revokes.
const CAPTURE_DOWNLOADS: &str = r#"
    window.__downloads = [];
    window.__revoked = [];
    const blobs = new Map();
    const create = URL.createObjectURL.bind(URL);
    const revoke = URL.revokeObjectURL.bind(URL);
    URL.createObjectURL = (blob) => { const url = create(blob); blobs.set(url, blob); return url; };
    URL.revokeObjectURL = (url) => { window.__revoked.push(url); revoke(url); };
    HTMLAnchorElement.prototype.click = function () {
        const blob = blobs.get(this.href);
        if (this.hasAttribute('download') && blob) {
            const name = this.getAttribute('download');
            window.__downloads.push(blob.arrayBuffer()
                .then(b => ({ name, bytes: Array.from(new Uint8Array(b)) })));
        }
    };
"#;

/// The downloads so far: (file name, bytes).
async fn downloads(browser: &Browser) -> Vec<(String, Vec<u8>)> {
    let v = browser.client.execute("return Promise.all(window.__downloads);", vec![]).await.unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let bytes = d["bytes"].as_array().unwrap().iter().map(|b| b.as_u64().unwrap() as u8).collect();
            (d["name"].as_str().unwrap().to_owned(), bytes)
        })
        .collect()
}

async fn wait_downloads(browser: &Browser, n: usize) -> Vec<(String, Vec<u8>)> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let got = downloads(browser).await;
        if got.len() >= n {
            return got;
        }
        assert!(
            Instant::now() < deadline,
            "only {} downloads; the page said: {}",
            got.len(),
            browser.page_text().await.unwrap()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The cases listed as results, once the list has settled on `n` of them.
async fn results(browser: &Browser, n: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let cases: Vec<String> = browser
            .client
            .execute("return [...document.querySelectorAll('li.find-result')].map(li => li.dataset.case);", vec![])
            .await
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect();
        if cases.len() == n {
            return cases;
        }
        if Instant::now() > deadline {
            let console = browser.console().await.unwrap_or_default().join("\n");
            panic!(
                "expected {n} results, have {cases:?}; the page said:\n{}\nits console:\n{console}",
                browser.page_text().await.unwrap()
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Empties a text field with keys (select all, delete), as a person would, so the
/// page hears the input.
async fn empty(browser: &Browser, id: &str) {
    let el = browser.wait_for(&format!("#{id}"), 10).await.unwrap();
    el.send_keys("\u{E009}a\u{E000}\u{E003}").await.unwrap();
}

#[tokio::test]
async fn an_adviser_finds_a_family_by_child_and_document_reads_prints_and_exports_it() {
    let _turn = heavy_story();
    let relay = RelayProcess::start_with_app(&[]);
    let seeded = seed(&relay).await;
    let (karimova, karimova_ids) = &seeded[0];

    let adviser = Browser::start().await.unwrap();
    adviser.goto(&relay.url("/adviser")).await.unwrap();
    adviser.sign_in(backend::demo::ADVISER, &relay.demo_file("adviser.token")).await.unwrap();
    let identity = relay.data.join("demo/adviser-identity.txt");
    adviser.wait_for("#identity-file", 20).await.unwrap().send_keys(identity.to_str().unwrap()).await.unwrap();
    results(&adviser, 3).await;
    adviser.client.execute(CAPTURE_DOWNLOADS, vec![]).await.unwrap();

    // Found by the child's name in the other script, and by the mother's document number.
    adviser.type_into("find-child", "aziz").await.unwrap();
    assert_eq!(results(&adviser, 1).await, [karimova.to_string()]);
    empty(&adviser, "find-child").await;
    results(&adviser, 3).await;
    adviser.type_into("find-document", "ad123-45 67").await.unwrap();
    assert_eq!(results(&adviser, 1).await, [karimova.to_string()]);
    empty(&adviser, "find-document").await;
    adviser.type_into("find-text", "ТУРСУНОВА").await.unwrap();
    assert_eq!(results(&adviser, 1).await, [seeded[1].0.to_string()], "the search box folds Cyrillic to Latin");
    empty(&adviser, "find-text").await;
    adviser.choose("find-region", "kz-75").await.unwrap();
    assert_eq!(results(&adviser, 1).await, [seeded[2].0.to_string()], "a region filter by code");
    adviser.choose("find-region", "").await.unwrap();
    adviser.type_into("find-child", "Азиз").await.unwrap();
    results(&adviser, 1).await;

    // Opens the case: its entries read in English, then its print view.
    adviser.click(&format!("li.find-result[data-case='{karimova}'] button.show-case")).await.unwrap();
    let heading = adviser.wait_for("#chosen-case article.record[data-kind=intake] .family-name", 20).await.unwrap();
    assert_eq!(heading.text().await.unwrap(), "Karimova");
    // Its photo, opened on demand and shown from a Blob URL that is revoked on close.
    adviser.click("#chosen-case li.attachment-view[data-code=png] button.show-attachment").await.unwrap();
    let img = adviser.wait_for("#chosen-case img.attachment-image", 30).await.unwrap();
    let src = img.attr("src").await.unwrap().unwrap();
    assert!(src.starts_with("blob:"), "{src}");
    let width = adviser
        .client
        .execute(
            "const i = document.querySelector('img.attachment-image'); return i.decode().then(() => i.naturalWidth);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(width.as_u64(), Some(1), "the decrypted photo is a real image");
    adviser.click("#chosen-case button.close-attachment").await.unwrap();
    assert_eq!(adviser.count("img.attachment-image").await.unwrap(), 0);
    let revoked = adviser
        .client
        .execute("return window.__revoked.includes(arguments[0]);", vec![serde_json::json!(src)])
        .await
        .unwrap();
    assert_eq!(revoked.as_bool(), Some(true), "the photo's Blob URL is revoked when it is closed");
    adviser.click("#show-print").await.unwrap();
    let sheet = adviser.wait_for(&format!("section.case-print[data-case='{karimova}']"), 20).await.unwrap();
    let text = sheet.text().await.unwrap();
    assert!(text.to_lowercase().contains("confidential") && text.contains("Printed"), "{text}");
    let rule = adviser
        .client
        .execute(
            "for (const s of document.styleSheets) for (const r of s.cssRules) \
             if (r.cssText.includes('amanat-case-file') && r.cssText.startsWith('@page')) return r.cssText; return null;",
            vec![],
        )
        .await
        .unwrap();
    let rule = rule.as_str().expect("the case file's @page rule is in the stylesheet").to_owned();
    assert!(
        rule.contains("counter(page)") && rule.contains("counter(pages)") && rule.contains("Confidential"),
        "{rule}"
    );
    adviser.screenshot("adviser-case-print").await.unwrap();

    // CSV export: the warning first; cancel exports nothing; confirming exports the case.
    adviser.click(&format!("li.find-result[data-case='{karimova}'] input.select-case")).await.unwrap();
    adviser.click("#export-csv").await.unwrap();
    adviser.wait_for("dialog#export-warning[open]", 10).await.unwrap();
    adviser.screenshot("adviser-export-warning").await.unwrap();
    adviser.click("#export-cancel").await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(downloads(&adviser).await.is_empty(), "cancel exports nothing");
    assert_eq!(adviser.count("dialog#export-warning[open]").await.unwrap(), 0);
    adviser.click("#export-csv").await.unwrap();
    adviser.wait_for("dialog#export-warning[open]", 10).await.unwrap();
    adviser.click("#export-confirm").await.unwrap();
    let got = wait_downloads(&adviser, 1).await;
    let (name, csv) = &got[0];
    assert!(name.ends_with(".csv"), "{name}");
    let csv = String::from_utf8(csv.clone()).unwrap();
    let rows: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").filter(|r| !r.is_empty()).collect();
    assert_eq!(rows.len(), 2, "a header and the one selected case: {csv}");
    assert!(rows[0].starts_with("Case id,Family name,Region (code),Region,"), "{}", rows[0]);
    assert!(rows[1].starts_with(&format!("{karimova},Karimova,uz-sa,Samarkand region,")), "{}", rows[1]);
    assert!(
        rows[1].contains("Азиз Каримов") && rows[1].contains("AD 1234567") && rows[1].contains(",granted,"),
        "{}",
        rows[1]
    );

    // The sealed entries as a zip: each opens with the real age CLI.
    adviser.click("#export-zip").await.unwrap();
    let got = wait_downloads(&adviser, 2).await;
    let (name, zip) = &got[1];
    assert!(name.ends_with(".zip"), "{name}");
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("sealed.zip");
    std::fs::write(&zip_path, zip).unwrap();
    let out = Command::new("unzip")
        .arg("-q")
        .arg(&zip_path)
        .arg("-d")
        .arg(dir.path().join("x"))
        .output()
        .expect("unzip (Debian package unzip)");
    assert!(out.status.success(), "unzip: {}", String::from_utf8_lossy(&out.stderr));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("x/manifest.json")).unwrap()).unwrap();
    let rows = manifest.as_array().unwrap();
    assert_eq!(rows.len(), karimova_ids.len(), "every stored entry of the case: {manifest}");
    for row in rows {
        assert_eq!(row["case"], serde_json::json!(karimova.to_string()));
        assert_eq!(row["author"], serde_json::json!(backend::demo::CASEWORKER), "as `amanat export` writes it");
        assert!(row["received_at"].is_string() && row["size"].is_u64(), "{row}");
    }
    for id in karimova_ids {
        let file = dir.path().join(format!("x/{id}.age"));
        assert_eq!(EntryId::of(&std::fs::read(&file).unwrap()), *id, "the ciphertext as stored");
        let out = Command::new("age").arg("-d").arg("-i").arg(&identity).arg(&file).output().unwrap();
        assert!(out.status.success(), "age -d: {}", String::from_utf8_lossy(&out.stderr));
        if out.stdout.starts_with(b"\x89PNG") || out.stdout.starts_with(b"%PDF") {
            continue; // the photo, the scan
        }
        let opened = shared::authorship::unwrap(&out.stdout).unwrap();
        assert_eq!(CaseDocument::from_bytes(opened.document).unwrap().case, *karimova);
    }

    // The indicators: three families served in 2026, exported as counts only.
    let served = adviser.wait_for("#indicators .figure[data-figure=families_served] .figure-value", 20).await.unwrap();
    assert_eq!(served.text().await.unwrap(), "3");
    adviser.click("#indicators-export").await.unwrap();
    let got = wait_downloads(&adviser, 3).await;
    let csv = String::from_utf8(got[2].1.clone()).unwrap();
    assert!(csv.contains("families_served") && csv.contains("total,total,All areas"), "{csv}");
    for (case, _) in &seeded {
        assert!(!csv.contains(&case.to_string()), "no case id in the indicators CSV");
    }
    for fam in &FAMILIES {
        assert!(
            !csv.contains(fam.name) && !csv.contains(fam.child) && !csv.contains(fam.document),
            "no name or document: {csv}"
        );
    }
    adviser.screenshot("adviser-indicators").await.unwrap();

    // The case's PDF scan: a warning first (it leaves the page unencrypted); Cancel
    // downloads nothing, confirming hands over the PDF as it was sealed, Escape (the
    // dialog's own cancel) downloads nothing and says so as Cancel does.
    let pdf = "#chosen-case li.attachment-view[data-code=pdf]";
    adviser.click(&format!("{pdf} button.show-attachment")).await.unwrap();
    adviser.wait_for(&format!("{pdf} dialog.attachment-warning[open]"), 10).await.unwrap();
    adviser.wait_for_text("will be saved on this computer unencrypted", 5).await.unwrap();
    adviser.screenshot("adviser-pdf-warning").await.unwrap();
    adviser.click(&format!("{pdf} button.attachment-warning-cancel")).await.unwrap();
    adviser.wait_for_text("Nothing was downloaded.", 5).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(downloads(&adviser).await.len(), 3, "cancel downloads nothing");
    assert_eq!(adviser.count("dialog.attachment-warning[open]").await.unwrap(), 0);
    adviser.click(&format!("{pdf} button.show-attachment")).await.unwrap();
    adviser.wait_for(&format!("{pdf} dialog.attachment-warning[open]"), 10).await.unwrap();
    adviser.click(&format!("{pdf} button.attachment-warning-confirm")).await.unwrap();
    let got = wait_downloads(&adviser, 4).await;
    let (name, bytes) = &got[3];
    assert!(name.ends_with(".pdf"), "{name}");
    assert_eq!(bytes.as_slice(), PDF, "the scan as it was sealed");
    adviser.wait_for_text("The PDF is in this computer's downloads, unencrypted.", 5).await.unwrap();
    adviser.click(&format!("{pdf} button.show-attachment")).await.unwrap();
    adviser.wait_for(&format!("{pdf} dialog.attachment-warning[open]"), 10).await.unwrap();
    let escape: char = Key::Escape.into();
    let press = KeyActions::new("keyboard".to_owned())
        .then(KeyAction::Down { value: escape })
        .then(KeyAction::Up { value: escape });
    adviser.client.perform_actions(press).await.unwrap();
    adviser.wait_for_text("Nothing was downloaded.", 5).await.unwrap();
    assert_eq!(adviser.count("dialog.attachment-warning[open]").await.unwrap(), 0, "Escape closes the warning");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(downloads(&adviser).await.len(), 4, "Escape downloads nothing");
    adviser.close().await.unwrap();
}
