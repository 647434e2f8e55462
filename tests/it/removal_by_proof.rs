//! Removal by proof, not by word: `amanat entries remove --superseded` removes an entry
//! only when a key holder (an adviser) re-sealed it to a newer keyring version and named
//! it, and only with `--yes`. A caseworker's upload that names another entry as
//! superseded, or an adviser's that declares no newer version, is listed as kept and
//! never removed.

use amanat_tests::support::relay::{amanat, stdout, Relay};
use reqwest::StatusCode;
use shared::api::{CASE_HEADER, KEYRING_VERSION_HEADER, SUPERSEDES_HEADER};
use shared::{CaseId, EntryId};

/// Uploads `bytes` with `token` into `case`, declaring `version` and, if given, the entry
/// it supersedes, as the app's Re-seal does.
async fn upload(
    relay: &Relay,
    token: &str,
    case: &CaseId,
    bytes: Vec<u8>,
    version: u64,
    supersedes: Option<&EntryId>,
) -> EntryId {
    let id = EntryId::of(&bytes);
    let mut req = relay
        .http
        .put(relay.url(&format!("/api/v1/entries/{id}")))
        .bearer_auth(token)
        .header(CASE_HEADER, case.to_string())
        .header(KEYRING_VERSION_HEADER, version.to_string())
        .header("content-type", "application/octet-stream")
        .body(bytes);
    if let Some(old) = supersedes {
        req = req.header(SUPERSEDES_HEADER, old.to_string());
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    id
}

/// A relay whose keyring is at version 2, with one caseworker entry sealed to version 1.
async fn relay_after_a_keyring_change() -> (Relay, CaseId, EntryId) {
    let relay = Relay::start().await;
    let case = CaseId::random();
    let token = relay.caseworker_token.clone();
    let intake = upload(&relay, &token, &case, relay.seal(b"intake: Karimova"), 1, None).await;
    let key_file = relay.demo.org_key.to_str().unwrap().to_owned();
    let recipient = shared::seal::generate_identity().to_public().to_string();
    let args = ["keyring", "add", "--org-key", &key_file, "--label", "New adviser", "--role", "adviser"];
    let out = amanat(&relay.data, &[&args[..], &["--recipient", &recipient]].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(relay.keyring().version(), 2);
    (relay, case, intake)
}

fn stored(relay: &Relay, id: &EntryId) -> bool {
    let hex = id.to_string();
    relay.data.join("blobs").join(&hex[..2]).join(&hex).exists()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_caseworkers_upload_naming_a_real_entry_as_superseded_is_ignored_even_with_yes() {
    let (relay, case, intake) = relay_after_a_keyring_change().await;
    let token = relay.caseworker_token.clone();
    let claim = upload(&relay, &token, &case, relay.seal(b"nothing to see"), 2, Some(&intake)).await;

    let out = amanat(&relay.data, &["entries", "remove", "--superseded", "--yes"]);
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "a kept claim is reported in the exit status: {report}");
    assert!(
        report
            .contains(&format!("kept {intake}: its replacement {claim} was uploaded by demo-caseworker (caseworker)")),
        "the reason is given: {report}"
    );
    assert!(report.contains("Removed 0 superseded entries"), "{report}");
    assert!(stored(&relay, &intake) && stored(&relay, &claim), "nothing is removed: {report}");
    let verified = amanat(&relay.data, &["verify"]);
    assert!(verified.status.success() && stdout(&verified).contains("2 entries checked"), "{}", stdout(&verified));
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_advisers_re_seal_to_a_newer_keyring_version_is_removed_only_with_yes() {
    let (relay, case, intake) = relay_after_a_keyring_change().await;
    let adviser = relay.adviser_token.clone();
    let resealed = upload(&relay, &adviser, &case, relay.seal(b"intake: Karimova"), 2, Some(&intake)).await;

    for args in [&["entries", "remove", "--superseded"][..], &["entries", "remove", "--superseded", "--dry-run"]] {
        let out = amanat(&relay.data, args);
        let report = stdout(&out);
        assert!(out.status.success(), "nothing was kept: {report}");
        assert!(report.contains(&format!("would remove {intake}")) && report.contains("keyring version 2"), "{report}");
        assert!(report.contains("nothing was changed (run again with --yes"), "{report}");
        assert!(stored(&relay, &intake), "{args:?} changed nothing");
    }

    let out = amanat(&relay.data, &["entries", "remove", "--superseded", "--yes"]);
    let report = stdout(&out);
    assert!(out.status.success(), "{report}");
    assert!(
        report.contains(&format!("removed {intake}")) && report.contains("Removed 1 superseded entries"),
        "{report}"
    );
    assert!(!stored(&relay, &intake) && stored(&relay, &resealed));
    let verified = amanat(&relay.data, &["verify"]);
    assert!(verified.status.success(), "{}", stdout(&verified));
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_advisers_upload_declaring_the_same_or_an_older_keyring_version_is_kept() {
    let (relay, case, intake) = relay_after_a_keyring_change().await;
    let (token, adviser) = (relay.caseworker_token.clone(), relay.adviser_token.clone());
    let newer = upload(&relay, &token, &case, relay.seal(b"follow-up"), 2, None).await;
    let same = upload(&relay, &adviser, &case, relay.seal(b"intake again"), 1, Some(&intake)).await;
    let older = upload(&relay, &adviser, &case, relay.seal(b"follow-up again"), 1, Some(&newer)).await;

    let out = amanat(&relay.data, &["entries", "remove", "--superseded", "--yes"]);
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(
        report.contains(&format!(
            "kept {intake}: its replacement {same} declares keyring version 1, not newer than its own version 1"
        )),
        "{report}"
    );
    assert!(
        report.contains(&format!(
            "kept {newer}: its replacement {older} declares keyring version 1, not newer than its own version 2"
        )),
        "{report}"
    );
    assert!([intake, newer, same, older].iter().all(|id| stored(&relay, id)), "{report}");
    relay.stop().await;
}
