//! Story: the organisation vouches for its caseworkers' author keys, and the relay can
//! only pass the roster on. Over real HTTP and the real `amanat` binary: a caseworker
//! enrols with an author key (a malformed one stores nothing), the relay hands it back
//! with the wrapped identity; before any roster is published `GET /api/v1/roster` is a
//! JSON 404; the administrator approves her key only with the fingerprint from her
//! Account page (a wrong one, or none without a terminal, changes nothing); the served
//! roster then verifies against the organisation key the app pins and shows her entry
//! as verified. A caseworker whose vault predates signed authorship registers a key once
//! (409 after, 403 for other roles, audited, only its fingerprint logged) and is listed
//! as pending; a roster the relay altered is neither extended nor trusted.

use amanat_tests::support::relay::{amanat, stdout, test_org_key_file, workspace_root, RelayProcess};
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::authorship::{self, AuthorKey, AuthorStatus, Roster};
use shared::keyring::OrgPublicKey;
use shared::seal;
use shared::vault::{self, Salt};

const PASS: &str = "walnut orchard kettle 9 blue";

fn org_key_arg() -> String {
    test_org_key_file().display().to_string()
}

fn pinned() -> OrgPublicKey {
    std::fs::read_to_string(workspace_root().join("tests/fixtures/test-org.pub")).unwrap().trim().parse().unwrap()
}

/// `amanat user add NAME --role ROLE` on the running relay's data: the enrolment token.
fn add_caseworker(relay: &RelayProcess, name: &str) -> String {
    let out = amanat(&relay.data, &["user", "add", name, "--role", "caseworker"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    stdout(&out).split("#enrol=").nth(1).expect("an enrolment link").lines().next().unwrap().trim().to_owned()
}

/// Enrols as the app does, sending `author_key` (or none, as an older app): the
/// status, the error code or the session cookie.
async fn enrol(relay: &RelayProcess, token: &str, name: &str, author_key: Option<&str>) -> (StatusCode, String) {
    let salt = Salt::random();
    let keys = vault::derive(PASS, &salt).unwrap();
    let personal = seal::generate_identity();
    let wrapped = vault::wrap_identity(&personal, &AuthorKey::generate(), &keys).unwrap();
    let mut body = json!({
        "token": token, "name": name, "salt": salt.encode(), "auth": keys.auth.encode(),
        "wrapped_identity": vault::encode_wrapped(&wrapped), "recipient": personal.to_public().to_string(),
    });
    if let Some(k) = author_key {
        body["author_key"] = json!(k);
    }
    let resp = reqwest::Client::new().post(relay.url("/api/v1/vault/enrol")).json(&body).send().await.unwrap();
    let status = resp.status();
    if status == StatusCode::OK {
        let set = resp.headers().get(SET_COOKIE).unwrap().to_str().unwrap();
        return (status, set.split(';').next().unwrap().to_owned());
    }
    (status, resp.json::<Value>().await.unwrap()["error"].as_str().unwrap().to_owned())
}

async fn identity(relay: &RelayProcess, cookie: &str) -> Value {
    let resp =
        reqwest::Client::new().get(relay.url("/api/v1/vault/identity")).header(COOKIE, cookie).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.unwrap()
}

/// `PUT /api/v1/vault/author-key` with `auth` (a cookie, or a bearer token).
async fn register(relay: &RelayProcess, auth: (&str, &str), author_key: &str) -> (StatusCode, Value) {
    let salt = Salt::random();
    let keys = vault::derive(PASS, &salt).unwrap();
    let wrapped = vault::wrap_identity(&seal::generate_identity(), &AuthorKey::generate(), &keys).unwrap();
    let body = json!({ "author_key": author_key, "wrapped_identity": vault::encode_wrapped(&wrapped) });
    let resp = reqwest::Client::new()
        .put(relay.url("/api/v1/vault/author-key"))
        .header(auth.0, auth.1)
        .json(&body)
        .send()
        .await
        .unwrap();
    (resp.status(), resp.json().await.unwrap_or(Value::Null))
}

async fn roster(relay: &RelayProcess, token: Option<&str>) -> reqwest::Response {
    let mut req = reqwest::Client::new().get(relay.url("/api/v1/roster"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

fn approve(relay: &RelayProcess, name: &str, fingerprint: Option<&str>) -> std::process::Output {
    let key = org_key_arg();
    let mut args = vec!["roster", "approve", name, "--org-key", &key];
    if let Some(f) = fingerprint {
        args.extend(["--fingerprint", f]);
    }
    amanat(&relay.data, &args)
}

#[tokio::test]
async fn the_administrator_approves_a_caseworkers_author_key_by_its_fingerprint_and_the_app_can_trust_the_roster() {
    let mut relay = RelayProcess::start(&[]);
    let adviser = relay.demo_file("adviser.token");
    let roster_file = relay.data.join("roster.json");

    // Before anything is published: signed in, a JSON 404; not signed in, 401.
    let none = roster(&relay, Some(&adviser)).await;
    assert_eq!(none.status(), StatusCode::NOT_FOUND);
    assert_eq!(none.json::<Value>().await.unwrap()["error"], "roster_missing");
    assert_eq!(roster(&relay, None).await.status(), StatusCode::UNAUTHORIZED);

    // Dilnoza enrols; a damaged author key is refused and stores nothing (her link
    // still works), then the app's key is kept and handed back with her identity.
    let token = add_caseworker(&relay, "dilnoza");
    assert_eq!(
        enrol(&relay, &token, "dilnoza", Some("amanat-author-v1:not-a-key")).await,
        (StatusCode::BAD_REQUEST, "author_key_malformed".into())
    );
    let out = amanat(&relay.data, &["roster", "show"]);
    assert!(!stdout(&out).contains("dilnoza"), "nothing stored: {}", stdout(&out));
    let author = AuthorKey::generate();
    let (status, cookie) = enrol(&relay, &token, "dilnoza", Some(&author.public().to_string())).await;
    assert_eq!(status, StatusCode::OK, "{cookie}");
    assert_eq!(identity(&relay, &cookie).await["author_key"], author.public().to_string());
    // She has a key: registering another is refused.
    let (status, body) =
        register(&relay, (COOKIE.as_str(), &cookie), &AuthorKey::generate().public().to_string()).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::CONFLICT, Some("author_key_exists")));

    // The administrator, without a terminal: no fingerprint, or the wrong one, changes
    // nothing.
    let fp = author.public().fingerprint();
    let no_fp = approve(&relay, "dilnoza", None);
    assert!(!no_fp.status.success());
    assert!(String::from_utf8_lossy(&no_fp.stderr).contains("--fingerprint"), "{no_fp:?}");
    let wrong = approve(&relay, "dilnoza", Some(&AuthorKey::generate().public().fingerprint()));
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("do not approve it"), "{wrong:?}");
    assert!(!roster_file.exists(), "a refused approval writes no roster");
    // With the fingerprint read off her Account page (typed in lower case, as people do).
    let done = approve(&relay, "dilnoza", Some(&fp.to_lowercase()));
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    let text = stdout(&done);
    assert!(text.contains(&fp) && text.contains(&author.public().to_string()), "{text}");
    assert!(text.contains("version 1"), "{text}");
    let again = approve(&relay, "dilnoza", Some(&fp));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already approved"), "{again:?}");

    // The relay serves the file as written; the app verifies it against the key it
    // pins, and an entry she signed is from a verified author.
    let served = roster(&relay, Some(&adviser)).await;
    assert_eq!(served.status(), StatusCode::OK);
    let bytes = served.bytes().await.unwrap();
    assert_eq!(bytes.as_ref(), std::fs::read(&roster_file).unwrap().as_slice());
    let verified = Roster::from_json(&bytes).unwrap().verify(&pinned()).unwrap();
    let signed = author.sign_document(br#"{"schema":2,"author":"dilnoza"}"#);
    let signer = authorship::unwrap(&signed).unwrap().signer;
    assert_eq!(verified.status("dilnoza", signer), AuthorStatus::Verified);
    assert_eq!(verified.status("aziz", signer), AuthorStatus::Forged, "her key under another name");

    // Aziz enrolled with an app that predates signed authorship: no key yet.
    let token = add_caseworker(&relay, "aziz");
    let (status, aziz) = enrol(&relay, &token, "aziz", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(identity(&relay, &aziz).await.get("author_key").is_none());
    let refused = approve(&relay, "aziz", Some(&fp));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("no registered author key"), "{refused:?}");
    // An adviser cannot register one; a damaged key is refused; then his app's key is
    // registered once, audited, and only its fingerprint is logged.
    let bearer = format!("Bearer {adviser}");
    let aziz_key = AuthorKey::generate().public();
    assert_eq!(register(&relay, ("authorization", &bearer), &aziz_key.to_string()).await.0, StatusCode::FORBIDDEN);
    let (status, body) = register(&relay, (COOKIE.as_str(), &aziz), "amanat-author-v1:AAAA").await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("author_key_malformed")));
    let (status, body) = register(&relay, (COOKIE.as_str(), &aziz), &aziz_key.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["author_key"], aziz_key.to_string());
    assert_eq!(identity(&relay, &aziz).await["author_key"], aziz_key.to_string());
    let (status, _) = register(&relay, (COOKIE.as_str(), &aziz), &AuthorKey::generate().public().to_string()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let log = relay.stderr_text();
    assert!(log.contains(&aziz_key.fingerprint()), "the registration is logged by fingerprint");
    let b64 = aziz_key.to_string()["amanat-author-v1:".len()..].to_owned();
    assert!(!log.contains(&b64), "no key material in the log");
    let audit = amanat(&relay.data, &["audit", "head"]);
    assert!(audit.status.success());

    // `roster show`: Dilnoza approved and verifying, Aziz pending.
    let show = stdout(&amanat(&relay.data, &["roster", "show"]));
    assert!(show.contains("signature verifies"), "{show}");
    assert!(show.lines().any(|l| l.contains("approved") && l.contains(&fp) && l.contains("dilnoza")), "{show}");
    assert!(
        show.lines().any(|l| l.contains("pending") && l.contains(&aziz_key.fingerprint()) && l.contains("aziz")),
        "{show}"
    );

    // The relay slips its own author into the roster it serves: the app refuses that
    // roster, `roster show` says so, and the administrator's key does not extend it.
    let mut doc: Value = serde_json::from_slice(&std::fs::read(&roster_file).unwrap()).unwrap();
    doc["authors"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "relay", "key": AuthorKey::generate().public().to_string()}));
    std::fs::write(&roster_file, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    let tampered = roster(&relay, Some(&adviser)).await.bytes().await.unwrap();
    assert_eq!(Roster::from_json(&tampered).unwrap().verify(&pinned()).err(), Some(shared::ErrorCode::RosterInvalid));
    assert!(stdout(&amanat(&relay.data, &["roster", "show"])).contains("SIGNATURE DOES NOT VERIFY"));
    let before = std::fs::read(&roster_file).unwrap();
    let refused = approve(&relay, "aziz", Some(&aziz_key.fingerprint()));
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("refusing to sign"), "{refused:?}");
    assert_eq!(std::fs::read(&roster_file).unwrap(), before, "nothing written");

    assert!(relay.server_errors().is_empty(), "{:?}", relay.server_errors());
    relay.terminate();
}

/// Re-enrolment (a new link, a new passphrase) brings a new identity and so a new author
/// key, which replaces the old one; an older app's re-enrolment leaves none.
#[tokio::test]
async fn re_enrolment_replaces_the_registered_author_key() {
    let mut relay = RelayProcess::start(&[]);
    let first = AuthorKey::generate().public().to_string();
    let token = add_caseworker(&relay, "malika");
    let (_, cookie) = enrol(&relay, &token, "malika", Some(&first)).await;
    assert_eq!(identity(&relay, &cookie).await["author_key"], first);
    let relink = |relay: &RelayProcess| {
        let out = amanat(&relay.data, &["user", "enrol", "malika"]);
        stdout(&out).split("#enrol=").nth(1).unwrap().lines().next().unwrap().trim().to_owned()
    };
    let second = AuthorKey::generate().public().to_string();
    let (status, cookie) = enrol(&relay, &relink(&relay), "malika", Some(&second)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(identity(&relay, &cookie).await["author_key"], second);
    let (_, cookie) = enrol(&relay, &relink(&relay), "malika", None).await;
    assert!(identity(&relay, &cookie).await.get("author_key").is_none());
    relay.terminate();
}
