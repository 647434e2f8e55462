//! Signed authorship in the browser (issue 13, point 4): who wrote an entry is proven,
//! not claimed. A caseworker enrols in the app and saves an intake; the adviser sees it
//! as from an author not yet approved, and not counted; the administrator approves her
//! author key by the fingerprint her Account page shows; the adviser reloads and sees a
//! verified author. Then the relay plays the attacker: it seals a consent "yes to
//! sharing" to the keyring under her name, once with a key of its own and once with
//! another approved caseworker's key, and uploads both. The adviser sees one as not
//! approved and one as forged, and the case's consent state does not change. Both
//! name a "signed page" the relay sealed into the case as well: it is listed as named
//! by no record of a verified author, so an adviser knows not to rely on it.

use std::time::{Duration, Instant};

use amanat_tests::support::driver::Browser;
use amanat_tests::support::relay::{amanat, stdout, test_org_key_file, RelayProcess};
use amanat_tests::support::turns::heavy_story;
use fantoccini::Locator;
use shared::api::CASE_HEADER;
use shared::authorship::AuthorKey;
use shared::forms::attachment::{AttachmentRef, MediaType};
use shared::forms::consent::{ConsentEntry, ConsentKind, Permission, Signature};
use shared::forms::{CaseDocument, CaseEntry, DOCUMENT_SCHEMA};
use shared::ids::ContentHash;
use shared::record::Date;
use shared::{CaseId, EntryId};

/// The adviser page, signed in, with the demo adviser's identity loaded, showing at
/// least `records` records.
async fn adviser_reads(relay: &RelayProcess, records: usize) -> Browser {
    let adviser = Browser::start().await.unwrap();
    adviser.goto(&relay.url("/adviser")).await.unwrap();
    adviser.choose_language("en").await.unwrap();
    adviser.sign_in("demo-adviser", &relay.demo_file("adviser.token")).await.unwrap();
    let identity = relay.data.join("demo/adviser-identity.txt");
    adviser.wait_for("#identity-file", 20).await.unwrap().send_keys(identity.to_str().unwrap()).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    while adviser.count("article.record[data-author]").await.unwrap() < records {
        assert!(
            Instant::now() < deadline,
            "the adviser never saw {records} records: {}",
            adviser.page_text().await.unwrap()
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    adviser
}

/// The `data-author` of every record shown, in page order.
async fn statuses(adviser: &Browser) -> Vec<String> {
    let mut out = Vec::new();
    for r in adviser.client.find_all(Locator::Css("article.record[data-author]")).await.unwrap() {
        out.push(r.attr("data-author").await.unwrap().unwrap_or_default());
    }
    out
}

#[tokio::test]
async fn an_adviser_trusts_a_caseworkers_entries_only_once_her_key_is_approved_and_never_a_forged_consent() {
    let _turn = heavy_story();
    let relay = RelayProcess::start_with_app(&[]);

    // The caseworker enrols in the browser and saves an intake; her Account page shows
    // the fingerprint of the author key her entries are signed with.
    let caseworker = Browser::start().await.unwrap();
    caseworker.enrol_demo_caseworker(&relay).await.unwrap();
    caseworker.fill_intake_with("Karimova", "Aziz Karimov", "Mother works nights").await.unwrap();
    caseworker.save_intake().await.unwrap();
    caseworker.open_part("outbox").await.unwrap();
    caseworker.wait_for("li.outbox-entry[data-state=uploaded]", 60).await.unwrap();
    caseworker.open_part("account").await.unwrap();
    let fingerprint = caseworker.wait_for("#author-fingerprint", 30).await.unwrap().text().await.unwrap();
    assert_eq!(fingerprint.len(), 24, "five groups of four: {fingerprint}");
    caseworker.close().await.unwrap();

    // Before the organisation vouches for her key: shown, marked, not counted.
    let adviser = adviser_reads(&relay, 1).await;
    assert_eq!(statuses(&adviser).await, ["unapproved"]);
    adviser.screenshot("authorship-unapproved").await.unwrap();
    let case: CaseId = adviser
        .client
        .find(Locator::Css("article.record[data-case]"))
        .await
        .unwrap()
        .attr("data-case")
        .await
        .unwrap()
        .unwrap()
        .parse()
        .unwrap();
    adviser.close().await.unwrap();

    // A wrong fingerprint approves nothing; hers, compared in person, does.
    let key = test_org_key_file();
    let key = key.to_str().unwrap();
    let wrong = amanat(
        &relay.data,
        &["roster", "approve", "demo-caseworker", "--org-key", key, "--fingerprint", "0000-0000-0000-0000-0000"],
    );
    assert!(!wrong.status.success(), "a wrong fingerprint approved: {}", stdout(&wrong));
    let approved =
        amanat(&relay.data, &["roster", "approve", "demo-caseworker", "--org-key", key, "--fingerprint", &fingerprint]);
    assert!(approved.status.success(), "{}", String::from_utf8_lossy(&approved.stderr));
    assert!(stdout(&approved).contains(&fingerprint), "{}", stdout(&approved));

    // The relay as attacker seals a consent "yes to sharing" into her case under her
    // name: once signed with a key of its own, once with another caseworker's key that
    // the organisation approved (for him, not for her).
    // Both name a "signed page" the relay sealed into her case too: an attachment is
    // anyone's to seal, so only a counted record naming its bytes vouches for it.
    let other = relay.approved_author_for("bekzod");
    let stranger = AuthorKey::generate();
    let keyring = relay.keyring();
    let http = reqwest::Client::new();
    let put = |sealed: Vec<u8>| {
        let id = EntryId::of(&sealed);
        http.put(relay.url(&format!("/api/v1/entries/{id}")))
            .bearer_auth(relay.demo_file("caseworker.token"))
            .header(CASE_HEADER, case.to_string())
            .header("content-type", "application/octet-stream")
            .body(sealed)
    };
    let page = b"%PDF-1.7 a consent page the relay made".to_vec();
    let sealed_page = keyring.seal(&page, &[]).unwrap().into_bytes();
    let page_ref = AttachmentRef {
        entry: EntryId::of(&sealed_page),
        media_type: MediaType::Pdf,
        size: page.len() as u64,
        caption: String::new(),
        content: Some(ContentHash::of(&page)),
    };
    assert_eq!(put(sealed_page).send().await.unwrap().status(), 201);
    for (signer, minute) in [(&stranger, 1), (&other, 2)] {
        let mut consent = ConsentEntry::new(ConsentKind::Given);
        consent.date = Date::new(2026, 12, 1);
        consent.set(Permission::CaseWork, Some(true));
        consent.set(Permission::AnonymisedReports, Some(true));
        consent.signature = Some(Signature::OnPaper { scan: Some(page_ref.clone()) });
        let forged = CaseDocument {
            schema: DOCUMENT_SCHEMA,
            case,
            created_at: format!("2026-12-01T10:0{minute}:00Z"),
            author: backend::demo::CASEWORKER.into(),
            supersedes: None,
            entry: CaseEntry::Consent(consent),
        };
        let sealed = keyring.seal(&signer.sign_document(&forged.to_bytes()), &[]).unwrap().into_bytes();
        let res = put(sealed).send().await.unwrap();
        assert_eq!(res.status(), 201, "the relay stores what it is given");
    }

    // The adviser reloads: her intake is a verified author's; the two consents are
    // shown, marked, and change nothing: the case still has no consent that counts.
    let adviser = adviser_reads(&relay, 3).await;
    let mut seen = statuses(&adviser).await;
    seen.sort();
    assert_eq!(seen, ["forged", "unapproved", "verified"], "{}", adviser.page_text().await.unwrap());
    for status in ["forged", "unapproved"] {
        let record = adviser.client.find(Locator::Css(&format!("article.record[data-author={status}]"))).await.unwrap();
        assert_eq!(record.attr("data-kind").await.unwrap().as_deref(), Some("consent"));
    }
    let text = adviser.page_text().await.unwrap();
    assert!(text.contains("Not counted"), "the marked entries say they do not count: {text}");
    // The page the forged consents name is listed, and said to be vouched for by no one.
    let listed = adviser.wait_for("li.attachment[data-vouched]", 30).await.unwrap();
    assert_eq!(listed.attr("data-vouched").await.unwrap().as_deref(), Some("none"));
    assert!(
        listed.text().await.unwrap().contains("named by no record of a verified author"),
        "{}",
        listed.text().await.unwrap()
    );
    adviser.screenshot("authorship-verified-and-forged").await.unwrap();
    // The search counts only the verified intake: the case is found, with no consent.
    let consent = adviser.wait_for(".result-consent[data-code]", 30).await.unwrap();
    assert_ne!(
        consent.attr("data-code").await.unwrap().as_deref(),
        Some("granted"),
        "a forged consent changed the case's consent state: {}",
        adviser.page_text().await.unwrap()
    );
}
