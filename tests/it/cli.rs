//! The `amanat` command line as an administrator scripts it, run as the real binary on
//! the same data directory as a running relay.

use amanat_tests::support::relay::{amanat, stdout, Relay, RelayProcess};
use reqwest::StatusCode;
use shared::api::{Role, SessionInfo};
use shared::keyring::Keyring;
use shared::{CaseId, EntryId};

#[tokio::test(flavor = "multi_thread")]
async fn the_last_line_of_user_add_with_token_works_as_a_bearer_token() {
    let relay = Relay::start().await;
    let out = amanat(&relay.data, &["user", "add", "zarina", "--role", "privacy-officer", "--token"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(&out);
    let token = text.lines().last().unwrap();
    let res = relay.get_as(token, "/api/v1/session").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<SessionInfo>().await.unwrap(),
        SessionInfo { name: "zarina".into(), role: Role::PrivacyOfficer }
    );

    let again = amanat(&relay.data, &["user", "add", "zarina", "--role", "admin"]);
    assert!(!again.status.success(), "an existing account is not replaced");
    let bad_role = amanat(&relay.data, &["user", "add", "x", "--role", "superuser"]);
    assert!(!bad_role.status.success());
    let list = stdout(&amanat(&relay.data, &["user", "list"]));
    assert!(list.contains("zarina\tprivacy-officer") && list.contains("demo-caseworker\tcaseworker"), "{list}");
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_passes_on_a_good_store_and_names_the_entry_whose_stored_byte_was_flipped() {
    let relay = Relay::start().await;
    let case = CaseId::random();
    let mut ids = vec![];
    for text in ["intake", "consent"] {
        let bytes = relay.seal(text.as_bytes());
        ids.push(EntryId::of(&bytes));
        assert_eq!(relay.put(&case, bytes).await.status(), StatusCode::CREATED);
    }
    let good = amanat(&relay.data, &["verify"]);
    assert!(good.status.success(), "{}", stdout(&good));
    assert!(stdout(&good).contains("2 entries checked: 2 passed, 0 failed"), "{}", stdout(&good));

    let hex = ids[1].to_string();
    let blob = relay.data.join("blobs").join(&hex[..2]).join(&hex);
    let mut bytes = std::fs::read(&blob).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&blob, bytes).unwrap();
    std::fs::write(relay.data.join("blobs").join(&hex[..2]).join("stray"), b"?").unwrap();

    let bad = amanat(&relay.data, &["verify"]);
    let report = stdout(&bad);
    assert_eq!(bad.status.code(), Some(1), "{report}");
    assert!(report.contains(&format!("FAIL {hex}")), "{report}");
    assert!(report.contains("SHA-256"), "the reason is given: {report}");
    assert!(!report.contains(&format!("FAIL {}", ids[0])), "{report}");
    assert!(report.contains("warning:") && report.contains("stray"), "orphans are listed: {report}");
    assert!(report.contains("1 failed"), "{report}");
}

#[tokio::test(flavor = "multi_thread")]
async fn keyring_add_bumps_the_version_and_the_running_relay_serves_it_signed_by_the_org_key() {
    let relay = Relay::start().await;
    let key_file = relay.demo.org_key.to_str().unwrap().to_owned();
    let recipient = shared::seal::generate_identity().to_public().to_string();
    let out = amanat(
        &relay.data,
        &[
            "keyring",
            "add",
            "--org-key",
            &key_file,
            "--label",
            "Second adviser",
            "--role",
            "adviser",
            "--recipient",
            &recipient,
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let served: Keyring = relay.http.get(relay.url("/api/v1/keyring")).send().await.unwrap().json().await.unwrap();
    assert_eq!(served.version, 2);
    let verified = served.verify(&relay.org_key().public()).expect("the served keyring verifies");
    assert_eq!(verified.recipients().len(), 3);
    assert!(served.recipients.iter().any(|h| h.recipient == recipient && h.label == "Second adviser"));

    let shown = stdout(&amanat(&relay.data, &["keyring", "show"]));
    assert!(shown.contains("version 2") && shown.contains("signature verifies"), "{shown}");

    let removed = amanat(&relay.data, &["keyring", "remove", "--org-key", &key_file, "--recipient", &recipient]);
    assert!(removed.status.success());
    let served: Keyring = relay.http.get(relay.url("/api/v1/keyring")).send().await.unwrap().json().await.unwrap();
    assert_eq!((served.version, served.recipients.len()), (3, 2));

    let not_age = amanat(
        &relay.data,
        &["keyring", "add", "--org-key", &key_file, "--label", "x", "--role", "adviser", "--recipient", "age1nope"],
    );
    assert!(!not_age.status.success());
    let other_key = relay.data.parent().unwrap().join("other-org.key");
    std::fs::write(&other_key, shared::keyring::OrgSigningKey::generate().to_file()).unwrap();
    let wrong_key = amanat(
        &relay.data,
        &[
            "keyring",
            "add",
            "--org-key",
            other_key.to_str().unwrap(),
            "--label",
            "x",
            "--role",
            "adviser",
            "--recipient",
            &recipient,
        ],
    );
    assert!(!wrong_key.status.success(), "another organisation key cannot re-sign the keyring");
    assert_eq!(relay.keyring().version(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn keyring_init_makes_an_org_key_and_a_signed_version_1() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let key = dir.path().join("offline/org.key");
    let key_s = key.to_str().unwrap();
    let out = amanat(&data, &["keyring", "init", "--org-key", key_s, "--organisation", "SOS Samarkand"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).contains("offline"));
    let recovery = shared::seal::generate_identity().to_public().to_string();
    let add =
        ["keyring", "add", "--org-key", key_s, "--label", "Recovery", "--role", "recovery", "--recipient", &recovery];
    assert!(amanat(&data, &add).status.success());
    let kr = Keyring::from_json(&std::fs::read(data.join("keyring.json")).unwrap()).unwrap();
    let org = shared::keyring::OrgSigningKey::from_file(&std::fs::read_to_string(&key).unwrap()).unwrap();
    assert_eq!(kr.verify(&org.public()).unwrap().version(), 2);
    let again = amanat(&data, &["keyring", "init", "--org-key", key_s, "--organisation", "Other"]);
    assert!(!again.status.success(), "an existing keyring is not replaced");
}

#[tokio::test(flavor = "multi_thread")]
async fn export_writes_each_entry_as_an_age_file_identical_to_what_the_relay_serves() {
    let relay = Relay::start().await;
    let (a, b) = (CaseId::random(), CaseId::random());
    let in_a = relay.seal(b"case a");
    let in_b = relay.seal(b"case b");
    relay.put(&a, in_a.clone()).await;
    relay.put(&b, in_b.clone()).await;
    let out_dir = relay.data.parent().unwrap().join("export");
    let out = amanat(&relay.data, &["export", "--out", out_dir.to_str().unwrap(), "--case", &a.to_string()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let file = out_dir.join(format!("{}.age", EntryId::of(&in_a)));
    assert_eq!(std::fs::read(&file).unwrap(), in_a);
    assert!(!out_dir.join(format!("{}.age", EntryId::of(&in_b))).exists(), "only the asked case");
    let opened =
        shared::seal::open_bytes(&std::fs::read(&file).unwrap(), std::slice::from_ref(&relay.adviser_identity));
    assert_eq!(opened.unwrap(), b"case a");
    let manifest = std::fs::read_to_string(out_dir.join("manifest.json")).unwrap();
    assert!(manifest.contains(&a.to_string()) && !manifest.contains(&b.to_string()));
}

#[test]
fn demo_init_makes_the_demo_organisation_once_and_changes_nothing_the_second_time() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let first = amanat(&data, &["demo", "init"]);
    assert!(first.status.success());
    let text = stdout(&first);
    for file in
        ["org-signing.key", "adviser-identity.txt", "recovery-identity.txt", "caseworker.token", "adviser.token"]
    {
        assert!(data.join("demo").join(file).is_file(), "{file}");
        assert!(text.contains(file), "{text}");
    }
    assert!(text.contains("kept offline"), "{text}");
    let token = std::fs::read_to_string(data.join("demo/caseworker.token")).unwrap();
    let second = amanat(&data, &["demo", "init"]);
    assert!(second.status.success());
    assert!(stdout(&second).contains("already initialised"));
    assert_eq!(std::fs::read_to_string(data.join("demo/caseworker.token")).unwrap(), token);
}

#[test]
fn serve_on_an_empty_data_dir_makes_the_demo_organisation_and_says_how_to_sign_in() {
    let mut relay = RelayProcess::start(&[]);
    let out = relay.stdout_text();
    assert!(out.contains("adviser-identity.txt") && out.contains(&relay.base), "{out}");
    let link = format!("{}/#enrol={}", relay.base, relay.demo_file("caseworker-enrolment.txt"));
    assert!(out.contains(&link), "the demo caseworker's enrolment link is printed: {out}");
    assert!(out.contains("at /adviser sign in as demo-adviser with the token in"), "{out}");
    let token = relay.demo_file("caseworker.token");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let status = rt.block_on(async {
        reqwest::Client::new().get(relay.url("/api/v1/session")).bearer_auth(&token).send().await.unwrap().status()
    });
    assert_eq!(status, StatusCode::OK);
    assert!(relay.terminate().success());
}
