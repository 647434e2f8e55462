//! Issue 5's key-holder story, in headless Chromium against the real relay: a
//! caseworker's entries are on the relay (sealed natively with `shared`, as the app
//! seals: to the signed keyring and the caseworker's own key); the adviser signs in and
//! loads the right key: every entry opens in the page's workers, fetched in bulk, the
//! counts say so and the case reads as a timeline (intake, follow-ups, closure; the
//! corrected follow-up marked superseded). A wrong key: every entry "not for this key",
//! nothing shown. One entry's stored file tampered with on the relay (a payload byte
//! flipped, the id kept): "failed integrity" 1, the rest opened. Forget key clears all.

use std::time::{Duration, Instant};

use amanat_tests::support::driver::Browser;
use amanat_tests::support::relay::RelayProcess;
use amanat_tests::support::turns::heavy_story;
use shared::api::CASE_HEADER;
use shared::forms::followup::{Closure, FollowUp};
use shared::forms::intake::FamilyIntake;
use shared::forms::{CaseDocument, CaseEntry, DOCUMENT_SCHEMA};
use shared::seal::{generate_identity, identity_file};
use shared::{CaseId, EntryId};

/// Families in the story and entries per family (intake, two follow-ups of which the
/// second corrects the first, closure).
const FAMILIES: [&str; 3] = ["Karimova", "Tursunova", "Rashidova"];
const PER_CASE: usize = 4;

struct Seeded {
    ids: Vec<EntryId>,
    /// The first family's follow-up that a later one supersedes.
    superseded: EntryId,
}

/// Seals each family's entries natively and uploads them as the demo caseworker.
async fn seed(relay: &RelayProcess) -> Seeded {
    let keyring = relay.keyring();
    // Written by the demo caseworker with her approved author key: every entry counts.
    let author = relay.approved_caseworker_author();
    let caseworker = generate_identity().to_public();
    let token = relay.demo_file("caseworker.token");
    let http = reqwest::Client::new();
    let (mut ids, mut superseded) = (Vec::new(), None);
    for (f, family) in FAMILIES.iter().enumerate() {
        let case = CaseId::random();
        let doc = |minute: usize, supersedes: Option<EntryId>, entry: CaseEntry| CaseDocument {
            schema: DOCUMENT_SCHEMA,
            case,
            created_at: format!("2026-11-{:02}T10:{minute:02}:00Z", 10 + f),
            author: backend::demo::CASEWORKER.into(),
            supersedes,
            entry,
        };
        let upload = |d: CaseDocument| {
            let sealed = keyring
                .seal(&author.sign_document(&d.to_bytes()), std::slice::from_ref(&caseworker))
                .unwrap()
                .into_bytes();
            let id = EntryId::of(&sealed);
            let req = http
                .put(relay.url(&format!("/api/v1/entries/{id}")))
                .bearer_auth(&token)
                .header(CASE_HEADER, case.to_string())
                .header("content-type", "application/octet-stream")
                .body(sealed);
            async move {
                let res = req.send().await.unwrap();
                assert_eq!(res.status(), 201, "upload of {family}'s entry");
                id
            }
        };
        // Uploaded out of reading order: the page must put them in order.
        ids.push(upload(doc(30, None, CaseEntry::Closure(Closure::default()))).await);
        let first = upload(doc(10, None, CaseEntry::FollowUp(FollowUp::default()))).await;
        ids.push(first);
        let intake = FamilyIntake { family_name: (*family).into(), ..Default::default() };
        ids.push(upload(doc(0, None, CaseEntry::Intake(intake))).await);
        ids.push(upload(doc(20, Some(first), CaseEntry::FollowUp(FollowUp::default()))).await);
        if f == 0 {
            superseded = Some(first);
        }
    }
    Seeded { ids, superseded: superseded.unwrap() }
}

/// The five counts the page shows, in the order opened, not for this key, failed
/// integrity, unreadable, could not fetch.
async fn counts(browser: &Browser) -> [usize; 5] {
    let mut out = [0; 5];
    for (i, id) in
        ["count-opened", "count-not-for-key", "count-failed-integrity", "count-unreadable", "count-not-fetched"]
            .iter()
            .enumerate()
    {
        out[i] = browser.wait_for(&format!("#{id}"), 10).await.unwrap().text().await.unwrap().trim().parse().unwrap();
    }
    out
}

/// Chooses `path` as the identity file and waits until every listed entry has an outcome.
async fn load_key(browser: &Browser, path: &std::path::Path, total: usize) -> [usize; 5] {
    browser.wait_for("#identity-file", 20).await.unwrap().send_keys(path.to_str().unwrap()).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if browser.count("#opening[data-state=done]").await.unwrap() == 1 {
            let c = counts(browser).await;
            if c.iter().sum::<usize>() == total {
                return c;
            }
        }
        assert!(Instant::now() < deadline, "the page never finished opening: {}", browser.page_text().await.unwrap());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn the_adviser_opens_every_entry_in_workers_and_a_wrong_key_or_a_tampered_entry_is_counted_not_dropped() {
    let _turn = heavy_story();
    let relay = RelayProcess::start_with_app(&[]);
    let seeded = seed(&relay).await;
    let total = FAMILIES.len() * PER_CASE;
    assert_eq!(seeded.ids.len(), total);

    let adviser = Browser::start().await.unwrap();
    adviser.goto(&relay.url("/adviser")).await.unwrap();
    adviser.sign_in(backend::demo::ADVISER, &relay.demo_file("adviser.token")).await.unwrap();

    // 1. The right key: everything opens, in workers, fetched in bulk.
    let right = relay.data.join("demo/adviser-identity.txt");
    assert_eq!(load_key(&adviser, &right, total).await, [total, 0, 0, 0, 0]);
    let progress = adviser.wait_for("#open-progress", 5).await.unwrap();
    assert_eq!(progress.attr("value").await.unwrap().as_deref(), Some(total.to_string().as_str()));
    assert_eq!(progress.attr("max").await.unwrap().as_deref(), Some(total.to_string().as_str()));
    assert_eq!(adviser.count("article.record").await.unwrap(), total);
    assert_eq!(adviser.count(".open-failure").await.unwrap(), 0);
    let text = adviser.page_text().await.unwrap();
    for family in FAMILIES {
        assert!(text.contains(family), "{family} is shown: {text}");
    }
    // The first family's timeline: intake, the two follow-ups in time, closure; the
    // corrected follow-up marked.
    let first_case = adviser
        .client
        .execute(
            "const a = [...document.querySelectorAll('section.case')].find(s => s.textContent.includes(arguments[0]));
             return [...a.querySelectorAll('article.record')].map(r => r.dataset.kind + (r.classList.contains('superseded') ? '*' : ''));",
            vec![FAMILIES[0].into()],
        )
        .await
        .unwrap();
    assert_eq!(first_case, serde_json::json!(["intake", "follow_up*", "follow_up", "closure"]));
    assert_eq!(adviser.count(&format!("article.record.superseded[data-id='{}']", seeded.superseded)).await.unwrap(), 1);
    // Fetched in bulk (one request for all twelve), as the relay's log shows.
    let log = relay.stdout_text() + &relay.stderr_text();
    assert!(log.contains("entries sent in bulk"), "the page did not use the bulk read");
    assert!(!log.contains("route=\"/api/v1/entries/{id}\" status=200"), "no entry was fetched one by one");
    adviser.screenshot("adviser-opened-all").await.unwrap();

    // 2. A wrong key: every entry is "not for this key", none shown, none dropped.
    let wrong = relay.data.join("wrong-identity.txt");
    std::fs::write(&wrong, identity_file(&generate_identity(), "not the adviser")).unwrap();
    assert_eq!(load_key(&adviser, &wrong, total).await, [0, total, 0, 0, 0]);
    assert_eq!(adviser.count("article.record").await.unwrap(), 0);
    assert_eq!(adviser.count(".open-failure[data-outcome=not-for-key]").await.unwrap(), total);

    // 3. One entry's stored file tampered with (a payload byte flipped, the id kept):
    //    it fails integrity, the rest open.
    let victim = seeded.ids[5];
    let blob = backend::blobs::Blobs::new(relay.data.join("blobs")).path(&victim);
    let mut bytes = std::fs::read(&blob).unwrap();
    let at = bytes.len() - 20;
    bytes[at] ^= 0x01;
    std::fs::write(&blob, bytes).unwrap();
    assert_eq!(load_key(&adviser, &right, total).await, [total - 1, 0, 1, 0, 0]);
    let failed = adviser
        .client
        .execute("return [...document.querySelectorAll('.open-failure[data-outcome=failed-integrity]')].map(li => li.dataset.id);", vec![])
        .await
        .unwrap();
    assert_eq!(failed, serde_json::json!([victim.to_string()]));
    assert_eq!(adviser.count("article.record").await.unwrap(), total - 1);
    adviser.screenshot("adviser-one-tampered").await.unwrap();

    // 4. Forget key: the records and the counts leave the page. The workers started
    //    ahead from here on cannot load their script (for step 5).
    adviser
        .client
        .execute(
            "const W = window.Worker; window.workerErrors = 0;
             window.Worker = function (url, options) {
                 const w = new W('/no-such-worker.js', options);
                 w.addEventListener('error', () => window.workerErrors++);
                 return w;
             };",
            vec![],
        )
        .await
        .unwrap();
    adviser.click("#forget-key").await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while adviser.count("article.record").await.unwrap() > 0 || adviser.count(".open-failure").await.unwrap() > 0 {
        assert!(Instant::now() < deadline, "forgetting the key left records on the page");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!adviser.page_text().await.unwrap().contains(FAMILIES[0]));

    // 5. Workers whose script failed to load before they were given anything: loading a
    //    key says so instead of staying "running" (their failure came when nothing was
    //    pending, and was lost).
    let deadline = Instant::now() + Duration::from_secs(10);
    while adviser.client.execute("return window.workerErrors;", vec![]).await.unwrap().as_u64() == Some(0) {
        assert!(Instant::now() < deadline, "the workers started ahead did not fail");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    adviser.wait_for("#identity-file", 20).await.unwrap().send_keys(right.to_str().unwrap()).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = adviser.wait_for("#status", 5).await.unwrap().text().await.unwrap();
        if text.contains("could not start its opening workers") {
            break;
        }
        assert!(Instant::now() < deadline, "no error for workers that failed to load: {text}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(adviser.count("#opening[data-state=running]").await.unwrap(), 0, "the run ended");
    assert_eq!(adviser.count("article.record").await.unwrap(), 0);
    adviser.close().await.unwrap();
}
