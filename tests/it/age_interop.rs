//! Interop with the reference `age` CLI (Debian's `age` package): what Amanat seals any
//! age tool opens, and what any age tool seals to the keyring the relay accepts and
//! Amanat opens. No format of our own stands between a key holder and their records.

use amanat_tests::support::relay::Relay;
use shared::fixtures;
use shared::forms::v1::Document;
use shared::CaseId;
use std::io::Write;
use std::process::{Command, Stdio};

/// The shared schema 1 intake, in `case`.
fn intake_document(case: CaseId) -> Document {
    Document { case, ..fixtures::schema_1_document(fixtures::schema_1_intake()) }
}

fn age_cli(args: &[&str], stdin: &[u8]) -> std::process::Output {
    let mut child = Command::new("age")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the age CLI (Debian package age) is installed");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn the_reference_age_cli_opens_an_entry_fetched_from_the_relay_with_the_demo_adviser_identity() {
    let relay = Relay::start().await;
    let case = CaseId::random();
    let doc = intake_document(case);
    let sealed = relay.seal(&doc.to_bytes());
    let id = shared::EntryId::of(&sealed).to_string();
    assert_eq!(relay.put(&case, sealed).await.status(), 201);

    let fetched = relay.get_as(&relay.adviser_token, &format!("/api/v1/entries/{id}")).await;
    assert_eq!(fetched.status(), 200);
    let bytes = fetched.bytes().await.unwrap();
    let identity = relay.demo.adviser_identity.to_str().unwrap();
    let out = age_cli(&["-d", "-i", identity], &bytes);
    assert!(out.status.success(), "age -d: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(Document::from_bytes(&out.stdout).unwrap(), doc);

    // The recovery identity opens it too: a lost adviser key loses no record.
    let recovery = relay.demo.recovery_identity.to_str().unwrap();
    let out = age_cli(&["-d", "-i", recovery], &bytes);
    assert!(out.status.success(), "recovery: {}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test]
async fn an_entry_sealed_by_the_age_cli_to_every_key_holder_is_accepted_and_opens_in_shared() {
    let relay = Relay::start().await;
    let case = CaseId::random();
    let doc = intake_document(case);
    let mut args = vec![];
    let recipients: Vec<String> = relay.keyring().recipients().iter().map(|r| r.to_string()).collect();
    for r in &recipients {
        args.push("-r");
        args.push(r.as_str());
    }
    let out = age_cli(&args, &doc.to_bytes());
    assert!(out.status.success(), "age -r: {}", String::from_utf8_lossy(&out.stderr));
    let sealed = out.stdout;
    assert_eq!(relay.put(&case, sealed.clone()).await.status(), 201);
    let opened = shared::seal::open_bytes(&sealed, std::slice::from_ref(&relay.adviser_identity)).unwrap();
    assert_eq!(Document::from_bytes(&opened).unwrap(), doc);
}

#[tokio::test]
async fn a_file_sealed_to_a_passphrase_is_refused_by_the_relay() {
    let relay = Relay::start().await;
    // What `age -p` makes (the CLI reads passphrases from a terminal only, so the age
    // crate makes it here): records go to key holders, never to a passphrase.
    let enc = age::Encryptor::with_user_passphrase(age::secrecy::SecretString::from("correct horse".to_owned()));
    let mut file = vec![];
    let mut w = enc.wrap_output(&mut file).unwrap();
    w.write_all(b"{\"family_name\":\"Yusupova\"}").unwrap();
    w.finish().unwrap();
    let answer = relay.put(&CaseId::random(), file).await;
    assert_eq!(answer.status(), 400);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["error"], "scrypt_in_record");
}
