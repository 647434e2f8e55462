//! Accounts hardening (issue 14), over real HTTP: a revoked token and every credential
//! of a disabled account are refused (401) at once on every route that needs one; the
//! right passphrase of a disabled account is 403 `account_disabled`; `amanat user list`
//! shows status, last use and live tokens; an opened enrolment link's token is dead and
//! only the HttpOnly enrolment cookie enrols; fifty wrong passphrases for a
//! caseworker's name from another address delay that address while the caseworker
//! signs in, saves and syncs from hers at once; a key holder's token sign-in gets a
//! short renewable session cookie without `Max-Age`; the storage limits answer 413,
//! 429 (with `Retry-After`) and 507 but never refuse a retry of a stored entry; HSTS
//! comes only with `--secure-cookies`.

use amanat_tests::support::relay::{amanat, stdout, Relay, RelayProcess};
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shared::api::Role;
use shared::vault::{self, Salt};
use shared::{seal, CaseId, EntryId};

const PASS: &str = "quince lantern 47 harbour dusk";
const WRONG: &str = "quince lantern 47 harbour dust";

/// Every route of `backend/src/routes/mod.rs` that needs a signed-in caller, with a
/// body it would accept from one (the credential is refused before the body matters).
fn signed_in_routes() -> Vec<(Method, String, Option<Value>)> {
    let id = EntryId::of(b"some entry");
    vec![
        (Method::GET, "/api/v1/session".into(), None),
        (Method::GET, "/api/v1/entries".into(), None),
        (Method::POST, "/api/v1/entries/read".into(), Some(json!({ "ids": [id.to_string()] }))),
        (Method::PUT, format!("/api/v1/entries/{id}"), None),
        (Method::GET, format!("/api/v1/entries/{id}"), None),
        (Method::GET, "/api/v1/audit".into(), None),
        (Method::GET, "/api/v1/verification".into(), None),
        (Method::GET, "/api/v1/roster".into(), None),
        (Method::GET, "/api/v1/vault/identity".into(), None),
        (Method::PUT, "/api/v1/vault/passphrase".into(), Some(json!({}))),
        (Method::PUT, "/api/v1/vault/author-key".into(), Some(json!({}))),
    ]
}

enum Cred<'a> {
    Token(&'a str),
    Cookie(&'a str),
}

async fn call(relay: &Relay, cred: &Cred<'_>, method: &Method, path: &str, body: &Option<Value>) -> StatusCode {
    let mut req = relay.http.request(method.clone(), relay.url(path));
    req = match cred {
        Cred::Token(t) => req.bearer_auth(t),
        Cred::Cookie(c) => req.header(COOKIE, *c),
    };
    if let Some(b) = body {
        req = req.json(b);
    } else if *method == Method::PUT {
        req = req.header("content-type", "application/octet-stream").body(b"x".to_vec());
    }
    req.send().await.unwrap().status()
}

/// Asserts that `cred` gets 401 on every signed-in route.
async fn refused_everywhere(relay: &Relay, cred: Cred<'_>, what: &str) {
    for (method, path, body) in signed_in_routes() {
        assert_eq!(
            call(relay, &cred, &method, &path, &body).await,
            StatusCode::UNAUTHORIZED,
            "{what}: {method} {path}"
        );
    }
}

fn cookie_pair(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().to_owned())
}

fn set_cookie_of<'r>(resp: &'r reqwest::Response, name: &str) -> &'r str {
    resp.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no Set-Cookie for {name}"))
}

async fn code_of(resp: reqwest::Response) -> String {
    resp.json::<Value>().await.unwrap()["error"].as_str().unwrap_or_default().to_owned()
}

/// The body the app sends to enrol (`token`: none when the enrolment cookie is used).
fn enrol_body(token: Option<&str>, name: &str, pass: &str) -> Value {
    let salt = Salt::random();
    let keys = vault::derive(pass, &salt).unwrap();
    let personal = seal::generate_identity();
    let wrapped = vault::wrap_identity(&personal, &shared::authorship::AuthorKey::generate(), &keys).unwrap();
    let mut body = json!({
        "name": name, "salt": salt.encode(), "auth": keys.auth.encode(),
        "wrapped_identity": vault::encode_wrapped(&wrapped), "recipient": personal.to_public().to_string(),
    });
    if let Some(t) = token {
        body["token"] = json!(t);
    }
    body
}

async fn enrol_with_token(relay: &Relay, name: &str) -> reqwest::Response {
    let token = backend::accounts::issue_enrolment(relay.state.store(), name).await.unwrap();
    relay.http.post(relay.url("/api/v1/vault/enrol")).json(&enrol_body(Some(&token), name, PASS)).send().await.unwrap()
}

async fn passphrase_sign_in(http: &reqwest::Client, relay: &Relay, name: &str, pass: &str) -> reqwest::Response {
    let salt = http.post(relay.url("/api/v1/vault/salt")).json(&json!({ "name": name })).send().await.unwrap();
    let salt: Value = salt.json().await.unwrap();
    let salt = Salt::decode(salt["salt"].as_str().unwrap()).unwrap();
    let auth = vault::derive(pass, &salt).unwrap().auth.encode();
    http.post(relay.url("/api/v1/vault/session")).json(&json!({ "name": name, "auth": auth })).send().await.unwrap()
}

async fn token_sign_in(relay: &Relay, name: &str, token: &str) -> reqwest::Response {
    let body = json!({ "name": name, "token": token });
    relay.http.post(relay.url("/api/v1/session")).json(&body).send().await.unwrap()
}

async fn audited(relay: &Relay, action: &str, subject: &str) -> usize {
    let events = relay.state.store().audit_events(0, usize::MAX).await.unwrap();
    events.iter().filter(|(e, _)| e.action == action && e.subject == subject).count()
}

/// A leaked adviser token, revoked: the token and the session begun with it are refused
/// on every route at the next request; another account's token still works.
#[tokio::test]
async fn a_revoked_token_gets_401_at_once_on_every_route() {
    let relay = Relay::start().await;
    let token = relay.add_user("leaky-adviser", Role::Adviser).await;
    assert_eq!(relay.get_as(&token, "/api/v1/entries").await.status(), StatusCode::OK);
    let signed_in = token_sign_in(&relay, "leaky-adviser", &token).await;
    let session = cookie_pair(&signed_in, "amanat_session").expect("a session cookie");

    assert_eq!(backend::accounts::revoke_tokens(relay.state.store(), "leaky-adviser").await.unwrap(), 1);
    refused_everywhere(&relay, Cred::Token(&token), "revoked token").await;
    refused_everywhere(&relay, Cred::Cookie(&session), "session begun with the revoked token").await;
    assert_eq!(code_of(token_sign_in(&relay, "leaky-adviser", &token).await).await, "unauthorized");
    assert_eq!(audited(&relay, "token_revoked", "leaky-adviser").await, 1);
    assert_eq!(relay.get_as(&relay.adviser_token, "/api/v1/entries").await.status(), StatusCode::OK);
}

/// An expired token is refused like a revoked one, and a token issued for a day is
/// refused once the day is over (the stored expiry moved back, as time would).
#[tokio::test]
async fn an_expired_token_gets_401() {
    let relay = Relay::start().await;
    backend::accounts::add_user(relay.state.store(), "brief", Role::Adviser).await.unwrap();
    let issued = backend::accounts::issue_token_for(relay.state.store(), "brief", 1).await.unwrap();
    let in_a_day = issued.expires_at - backend::store::now_unix();
    assert!((86_390..=86_400).contains(&in_a_day), "{in_a_day}");
    assert_eq!(relay.get_as(&issued.token, "/api/v1/session").await.status(), StatusCode::OK);
    sqlx::query("UPDATE tokens SET expires_at = $1")
        .bind(backend::store::now_unix() - 1)
        .execute(relay.state.store().pool())
        .await
        .unwrap();
    refused_everywhere(&relay, Cred::Token(&issued.token), "expired token").await;
}

/// A caseworker's account disabled: her session cookie, her token and her enrolment
/// link are refused at once; the right passphrase is 403 `account_disabled` (only
/// after it proved right: a wrong one is still `wrong_passphrase`). Enabled again, the
/// passphrase signs in; the token stays revoked.
#[tokio::test]
async fn a_disabled_account_gets_401_at_once_on_every_route_and_403_only_for_the_right_passphrase() {
    let relay = Relay::start().await;
    let token = relay.add_user("zulfiya", Role::Caseworker).await;
    let enrolled = enrol_with_token(&relay, "zulfiya").await;
    assert_eq!(enrolled.status(), StatusCode::OK);
    let session = cookie_pair(&enrolled, "amanat_session").unwrap();
    let link = backend::accounts::issue_enrolment(relay.state.store(), "zulfiya").await.unwrap();

    backend::accounts::set_disabled(relay.state.store(), "zulfiya", true).await.unwrap();
    refused_everywhere(&relay, Cred::Cookie(&session), "disabled account's session").await;
    refused_everywhere(&relay, Cred::Token(&token), "disabled account's token").await;
    let open = relay.http.post(relay.url("/api/v1/vault/enrol/open")).json(&json!({ "token": link })).send().await;
    assert_eq!(code_of(open.unwrap()).await, "enrolment_invalid", "the link ended with the account");
    let wrong = passphrase_sign_in(&relay.http, &relay, "zulfiya", WRONG).await;
    assert_eq!(code_of(wrong).await, "wrong_passphrase");
    let right = passphrase_sign_in(&relay.http, &relay, "zulfiya", PASS).await;
    assert_eq!(right.status(), StatusCode::FORBIDDEN);
    assert!(right.headers().get(SET_COOKIE).is_none(), "no session for a disabled account");
    assert_eq!(code_of(right).await, "account_disabled");
    assert_eq!(audited(&relay, "user_disabled", "zulfiya").await, 1);

    backend::accounts::set_disabled(relay.state.store(), "zulfiya", false).await.unwrap();
    assert_eq!(audited(&relay, "user_enabled", "zulfiya").await, 1);
    assert_eq!(passphrase_sign_in(&relay.http, &relay, "zulfiya", PASS).await.status(), StatusCode::OK);
    assert_eq!(relay.get_as(&token, "/api/v1/session").await.status(), StatusCode::UNAUTHORIZED, "still revoked");
}

/// `amanat user token revoke`, `user disable`, `user enable` and `user list` on the
/// store a running relay uses: the list shows each account's status, its last use
/// (RFC 3339, or `never`) and its live tokens, tab-separated, first name and role.
#[tokio::test]
async fn user_list_shows_status_last_use_and_live_tokens_and_the_cli_revokes_and_disables() {
    let relay = Relay::start().await;
    let used = relay.add_user("used-adviser", Role::Adviser).await;
    relay.add_user("idle-adviser", Role::Adviser).await;
    assert_eq!(relay.get_as(&used, "/api/v1/entries").await.status(), StatusCode::OK);
    let data = relay.data.clone();
    let list = || {
        let out = amanat(&data, &["user", "list"]);
        assert!(out.status.success(), "{out:?}");
        stdout(&out)
    };
    let line_of = |text: &str, name: &str| -> Vec<String> {
        let line = text.lines().find(|l| l.starts_with(&format!("{name}\t"))).expect(name);
        line.split('\t').map(str::to_owned).collect()
    };
    let text = list();
    let used_line = line_of(&text, "used-adviser");
    assert_eq!(used_line[..3], ["used-adviser", "adviser", "active"]);
    let last = &used_line[3];
    assert!(last.len() == 20 && last.ends_with('Z') && last.as_bytes()[10] == b'T', "RFC 3339 UTC: {text}");
    assert_eq!(used_line[4], "1");
    assert_eq!(line_of(&text, "idle-adviser")[3..], ["never", "1"]);

    let revoked = amanat(&data, &["user", "token", "revoke", "used-adviser"]);
    assert!(revoked.status.success() && stdout(&revoked).contains("Revoked 1"), "{revoked:?}");
    assert_eq!(relay.get_as(&used, "/api/v1/session").await.status(), StatusCode::UNAUTHORIZED);
    let issued = amanat(&data, &["user", "token", "used-adviser", "--expires-days", "7"]);
    assert!(issued.status.success(), "{issued:?}");
    let new_token = stdout(&issued).lines().last().unwrap().trim().to_owned();
    assert_eq!(relay.get_as(&new_token, "/api/v1/session").await.status(), StatusCode::OK);
    assert_eq!(line_of(&list(), "used-adviser")[4], "1", "the revoked one is not live");

    assert!(amanat(&data, &["user", "disable", "idle-adviser"]).status.success());
    assert_eq!(line_of(&list(), "idle-adviser")[2..], ["disabled", "never", "0"]);
    assert!(amanat(&data, &["user", "enable", "idle-adviser"]).status.success());
    assert_eq!(line_of(&list(), "idle-adviser")[2], "active");
    assert!(!amanat(&data, &["user", "token", "nobody-at-all"]).status.success());
    assert!(!amanat(&data, &["user", "enrol", "idle-adviser", "--hours", "169"]).status.success(), "a week at most");
}

/// The abandoned link: the page trades the token for an HttpOnly cookie as it opens
/// it, so the token the browser's history keeps is dead: opening it again, or enrolling
/// with it, from anywhere, is refused. Only the cookie enrols, once; success expires it.
#[tokio::test]
async fn an_opened_enrolment_token_is_refused_when_replayed() {
    let relay = Relay::start().await;
    relay.add_user("madina", Role::Caseworker).await;
    let token = backend::accounts::issue_enrolment(relay.state.store(), "madina").await.unwrap();
    let open = |http: &reqwest::Client| {
        http.post(relay.url("/api/v1/vault/enrol/open")).json(&json!({ "token": token.clone() })).send()
    };
    let opened = open(&relay.http).await.unwrap();
    assert_eq!(opened.status(), StatusCode::OK);
    let set = set_cookie_of(&opened, "amanat_enrol").to_owned();
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(flag), "{set}");
    }
    assert!(!set.contains("Max-Age"), "the enrolment cookie dies with the browser: {set}");
    let cookie = set.split(';').next().unwrap().to_owned();
    assert_eq!(opened.json::<Value>().await.unwrap(), json!({ "expires_in_seconds": 900 }));

    // Whoever reads the token out of the profile later: dead, however it is presented.
    let stranger = reqwest::Client::new();
    assert_eq!(code_of(open(&stranger).await.unwrap()).await, "enrolment_invalid");
    let with_token =
        stranger.post(relay.url("/api/v1/vault/enrol")).json(&enrol_body(Some(&token), "madina", WRONG)).send();
    assert_eq!(code_of(with_token.await.unwrap()).await, "enrolment_invalid");
    let without = stranger.post(relay.url("/api/v1/vault/enrol")).json(&enrol_body(None, "madina", WRONG)).send();
    assert_eq!(code_of(without.await.unwrap()).await, "enrolment_invalid", "no cookie, no enrolment");

    // The page that opened it enrols with the cookie, once.
    let enrol =
        |body: Value| relay.http.post(relay.url("/api/v1/vault/enrol")).header(COOKIE, &cookie).json(&body).send();
    let done = enrol(enrol_body(None, "madina", PASS)).await.unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    assert!(set_cookie_of(&done, "amanat_enrol").contains("Max-Age=0"), "the enrolment cookie is expired");
    assert!(cookie_pair(&done, "amanat_session").is_some(), "and a session begins");
    let again = enrol(enrol_body(None, "madina", WRONG)).await.unwrap();
    assert_eq!(code_of(again).await, "enrolment_invalid", "the cookie enrols once");
    assert_eq!(passphrase_sign_in(&relay.http, &relay, "madina", PASS).await.status(), StatusCode::OK);

    // A new link voids an open enrolment and the links before it.
    let first = backend::accounts::issue_enrolment(relay.state.store(), "madina").await.unwrap();
    let opened = relay.http.post(relay.url("/api/v1/vault/enrol/open")).json(&json!({ "token": first })).send();
    let cookie = cookie_pair(&opened.await.unwrap(), "amanat_enrol").unwrap();
    backend::accounts::issue_enrolment(relay.state.store(), "madina").await.unwrap();
    let late = relay
        .http
        .post(relay.url("/api/v1/vault/enrol"))
        .header(COOKIE, &cookie)
        .json(&enrol_body(None, "madina", WRONG));
    assert_eq!(code_of(late.send().await.unwrap()).await, "enrolment_invalid");
}

/// The stranger: fifty wrong passphrases for a caseworker's name from 127.0.0.2. That
/// address then waits (429 `sign_in_delayed` with `Retry-After`, even for the right
/// passphrase, audited once), while the caseworker on 127.0.0.1 signs in at once and
/// saves and syncs an entry with her session.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_wrong_passphrases_from_another_address_do_not_stop_the_caseworker() {
    let relay = Relay::start().await;
    relay.add_user("gulshan", Role::Caseworker).await;
    assert_eq!(enrol_with_token(&relay, "gulshan").await.status(), StatusCode::OK);
    let stranger = reqwest::Client::builder().local_address("127.0.0.2".parse().ok()).build().unwrap();
    let salt = stranger.post(relay.url("/api/v1/vault/salt")).json(&json!({ "name": "gulshan" })).send();
    let salt: Value = salt.await.unwrap().json().await.unwrap();
    let wrong = vault::derive(WRONG, &Salt::decode(salt["salt"].as_str().unwrap()).unwrap()).unwrap().auth.encode();
    let mut codes = Vec::new();
    for _ in 0..5 {
        let mut round = tokio::task::JoinSet::new();
        for _ in 0..10 {
            let (http, url, auth) = (stranger.clone(), relay.url("/api/v1/vault/session"), wrong.clone());
            round.spawn(async move { http.post(url).json(&json!({ "name": "gulshan", "auth": auth })).send().await });
        }
        while let Some(answer) = round.join_next().await {
            let answer = answer.unwrap().unwrap();
            codes.push((answer.status(), code_of(answer).await));
        }
    }
    let checked = codes.iter().filter(|(_, c)| c == "wrong_passphrase").count();
    assert!(checked <= 3, "at most three of the stranger's guesses were checked: {codes:?}");
    assert!(
        codes
            .iter()
            .all(|(s, c)| *s == StatusCode::TOO_MANY_REQUESTS && (c == "sign_in_delayed" || c == "rate_limited")
                || c == "wrong_passphrase"),
        "{codes:?}"
    );
    assert_eq!(audited(&relay, "sign_in_delayed", "gulshan").await, 1);
    let from_stranger = passphrase_sign_in(&stranger, &relay, "gulshan", PASS).await;
    assert_eq!(from_stranger.status(), StatusCode::TOO_MANY_REQUESTS, "the stranger's address waits");
    assert!(from_stranger.headers().contains_key("retry-after"));

    let mine = passphrase_sign_in(&relay.http, &relay, "gulshan", PASS).await;
    assert_eq!(mine.status(), StatusCode::OK, "the caseworker's own address is not slowed");
    let session = cookie_pair(&mine, "amanat_session").unwrap();
    let bytes = relay.seal(b"saved while a stranger guessed");
    let put = relay
        .http
        .put(relay.url(&format!("/api/v1/entries/{}", EntryId::of(&bytes))))
        .header(COOKIE, &session)
        .header(shared::api::CASE_HEADER, CaseId::random().to_string())
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::CREATED, "she saves and syncs");
}

/// A key holder's token sign-in: a cookie without `Max-Age` (gone when the browser
/// closes) whose session the app renews.
#[tokio::test]
async fn a_key_holders_token_sign_in_gets_a_browser_session_cookie_that_renews() {
    let relay = Relay::start().await;
    let signed_in = token_sign_in(&relay, "demo-adviser", &relay.adviser_token).await;
    assert!(!set_cookie_of(&signed_in, "amanat_session").contains("Max-Age"));
    let cookie = cookie_pair(&signed_in, "amanat_session").unwrap();
    let renewed = relay.http.post(relay.url("/api/v1/session/renew")).header(COOKIE, &cookie).send().await.unwrap();
    assert_eq!(renewed.status(), StatusCode::OK);
    let fresh = cookie_pair(&renewed, "amanat_session").unwrap();
    assert_ne!(fresh, cookie);
    let who = relay.http.get(relay.url("/api/v1/session")).header(COOKIE, &fresh).send().await.unwrap();
    assert_eq!(who.status(), StatusCode::OK);
}

async fn put_new(relay: &Relay, case: &CaseId, text: &str) -> (Vec<u8>, reqwest::Response) {
    let bytes = relay.seal(text.as_bytes());
    let resp = relay.put(case, bytes.clone()).await;
    (bytes, resp)
}

/// The quota: once an account's entries fill it, a new entry is 413 `quota_exceeded`;
/// the outbox's retry of an entry already stored is still 200.
#[tokio::test]
async fn over_the_quota_a_new_entry_is_413_but_a_retry_is_200() {
    let probe = Relay::start().await;
    let one_entry = probe.seal(b"entry one").len() as u64;
    probe.stop().await;
    let relay = Relay::start_with(|c| c.quota_bytes = one_entry + 100).await;
    let case = CaseId::random();
    let (first, resp) = put_new(&relay, &case, "entry one").await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let (_, resp) = put_new(&relay, &case, "entry two").await;
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(code_of(resp).await, "quota_exceeded");
    assert_eq!(relay.put(&case, first).await.status(), StatusCode::OK, "a retry is never refused");
}

/// The upload rate: past `--uploads-per-hour` a new entry is 429 `upload_rate_limited`
/// with `Retry-After`; a retry is still 200.
#[tokio::test]
async fn past_the_upload_rate_a_new_entry_is_429_with_retry_after_but_a_retry_is_200() {
    let relay = Relay::start_with(|c| c.uploads_per_hour = 2).await;
    let case = CaseId::random();
    let (first, resp) = put_new(&relay, &case, "one").await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    assert_eq!(put_new(&relay, &case, "two").await.1.status(), StatusCode::CREATED);
    let (_, resp) = put_new(&relay, &case, "three").await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = resp.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(wait >= 1, "{wait}");
    assert_eq!(code_of(resp).await, "upload_rate_limited");
    assert_eq!(relay.put(&case, first).await.status(), StatusCode::OK, "a retry is never refused");
}

/// The free-space floor, through the real flag: a relay told to keep more free space
/// than any disk has refuses new entries with 507 `storage_full` before writing them.
#[test]
fn below_the_free_space_floor_a_new_entry_is_507() {
    let relay = RelayProcess::start(&["--min-free-bytes", &u64::MAX.to_string()]);
    let token = relay.demo_file("caseworker.token");
    let bytes = relay.keyring().seal(b"no room", &[seal::generate_identity().to_public()]).unwrap().into_bytes();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (status, code) = rt.block_on(async {
        let resp = reqwest::Client::new()
            .put(relay.url(&format!("/api/v1/entries/{}", EntryId::of(&bytes))))
            .bearer_auth(&token)
            .header(shared::api::CASE_HEADER, CaseId::random().to_string())
            .header("content-type", "application/octet-stream")
            .body(bytes)
            .send()
            .await
            .unwrap();
        (resp.status(), code_of(resp).await)
    });
    assert_eq!((status, code.as_str()), (StatusCode::INSUFFICIENT_STORAGE, "storage_full"));
    assert_eq!(relay.count_entries(), 0, "nothing was stored");
}

/// HSTS on every answer, API and app alike, only from a relay served over HTTPS.
#[tokio::test]
async fn hsts_is_sent_only_with_secure_cookies() {
    let plain = Relay::start().await;
    for path in ["/api/v1/health", "/", "/api/v1/no-such-route"] {
        let resp = plain.http.get(plain.url(path)).send().await.unwrap();
        assert!(resp.headers().get("strict-transport-security").is_none(), "{path}");
    }
    let https = Relay::start_with(|c| c.secure_cookies = true).await;
    for path in ["/api/v1/health", "/", "/api/v1/no-such-route"] {
        let resp = https.http.get(https.url(path)).send().await.unwrap();
        assert_eq!(resp.headers()["strict-transport-security"], "max-age=63072000; includeSubDomains", "{path}");
    }
}
