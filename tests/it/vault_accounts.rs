//! Passphrase accounts on the relay, over real HTTP: a one-time enrolment link works
//! once and not after it expires, sign-in gives a short HttpOnly session and the
//! wrapped identity that only the passphrase opens, wrong passphrases delay that
//! address's next attempts for the account (parallel guesses included, and audited),
//! unknown names look like known ones (same answers, same delays), a passphrase change
//! rewraps only, re-enrolment ends
//! sessions and older links, and the session cookie rotates, once, up to an absolute
//! end. The browser's side (Argon2id, HKDF, wrapping) is the
//! real `shared::vault` code.

use amanat_tests::support::relay::Relay;
use reqwest::header::{CACHE_CONTROL, COOKIE, SET_COOKIE};
use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::api::Role;
use shared::seal;
use shared::vault::{self, Salt};

const PASS: &str = "walnut orchard kettle 9 blue";

/// What a browser keeps after enrolling: the passphrase's salt and the personal recipient.
struct Enrolled {
    salt: Salt,
    recipient: String,
    cookie: String,
}

async fn link_for(relay: &Relay, name: &str) -> String {
    backend::accounts::issue_enrolment(relay.state.store(), name).await.unwrap()
}

fn session_cookie(resp: &reqwest::Response) -> String {
    let set = resp.headers().get(SET_COOKIE).expect("a Set-Cookie header").to_str().unwrap().to_owned();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "{set}");
    set.split(';').next().unwrap().to_owned()
}

async fn post(relay: &Relay, path: &str, body: Value) -> reqwest::Response {
    relay.http.post(relay.url(path)).json(&body).send().await.unwrap()
}

async fn error_code(resp: reqwest::Response) -> String {
    resp.json::<Value>().await.unwrap()["error"].as_str().unwrap().to_owned()
}

async fn enrol(relay: &Relay, token: &str, name: &str, pass: &str) -> Result<Enrolled, (StatusCode, String)> {
    let salt = Salt::random();
    let keys = vault::derive(pass, &salt).unwrap();
    let personal = seal::generate_identity();
    let wrapped = vault::wrap_identity(&personal, &shared::authorship::AuthorKey::generate(), &keys).unwrap();
    let body = json!({
        "token": token, "name": name, "salt": salt.encode(), "auth": keys.auth.encode(),
        "wrapped_identity": vault::encode_wrapped(&wrapped), "recipient": personal.to_public().to_string(),
    });
    let resp = post(relay, "/api/v1/vault/enrol", body).await;
    if resp.status() != StatusCode::OK {
        let status = resp.status();
        return Err((status, error_code(resp).await));
    }
    let cookie = session_cookie(&resp);
    Ok(Enrolled { salt, recipient: personal.to_public().to_string(), cookie })
}

async fn salt_of(relay: &Relay, name: &str) -> String {
    let resp = post(relay, "/api/v1/vault/salt", json!({ "name": name })).await;
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json::<Value>().await.unwrap()["salt"].as_str().unwrap().to_owned()
}

/// Signs in the way the app does: salt, derive, send `auth`.
async fn sign_in(relay: &Relay, name: &str, pass: &str) -> reqwest::Response {
    let salt = Salt::decode(&salt_of(relay, name).await).unwrap();
    let keys = vault::derive(pass, &salt).unwrap();
    post(relay, "/api/v1/vault/session", json!({ "name": name, "auth": keys.auth.encode() })).await
}

async fn whoami(relay: &Relay, cookie: &str) -> StatusCode {
    relay.http.get(relay.url("/api/v1/session")).header(COOKIE, cookie).send().await.unwrap().status()
}

#[tokio::test]
async fn an_enrolment_link_works_once_for_its_own_account_and_the_passphrase_then_signs_in_anywhere() {
    let relay = Relay::start().await;
    relay.add_user("malika", Role::Caseworker).await;
    let token = link_for(&relay, "malika").await;

    // Opened by someone typing another name: refused, and the link still works.
    assert_eq!(enrol(&relay, &token, "demo-caseworker", PASS).await.err().unwrap().1, "enrolment_invalid");
    let enrolled = enrol(&relay, &token, "malika", PASS).await.unwrap();
    assert_eq!(whoami(&relay, &enrolled.cookie).await, StatusCode::OK);
    // Single use.
    assert_eq!(
        enrol(&relay, &token, "malika", PASS).await.err().unwrap(),
        (StatusCode::BAD_REQUEST, "enrolment_invalid".into())
    );

    // On another computer: name → salt → auth → session + the wrapped identity.
    assert_eq!(salt_of(&relay, "malika").await, enrolled.salt.encode());
    let resp = sign_in(&relay, "malika", PASS).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers().get(CACHE_CONTROL).unwrap(), "no-store");
    let cookie = session_cookie(&resp);
    let set = resp.headers().get(SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    assert!(!set.contains("Max-Age"), "a browser session cookie, gone when the browser closes: {set}");
    let w: Value = resp.json().await.unwrap();
    assert_eq!(w["recipient"], enrolled.recipient);
    let keys = vault::derive(PASS, &enrolled.salt).unwrap();
    let wrapped = vault::decode_wrapped(w["wrapped_identity"].as_str().unwrap()).unwrap();
    let identity = vault::unwrap_identity(wrapped.as_bytes(), &keys).unwrap().identity;
    assert_eq!(identity.to_public().to_string(), enrolled.recipient);
    assert_eq!(whoami(&relay, &cookie).await, StatusCode::OK);

    // The relay's copy holds neither the passphrase nor the auth value.
    let db = std::fs::read(relay.data.join("amanat.sqlite")).unwrap_or_default();
    let wal = std::fs::read(relay.data.join("amanat.sqlite-wal")).unwrap_or_default();
    for hay in [&db, &wal] {
        assert!(!hay.windows(PASS.len()).any(|w| w == PASS.as_bytes()));
        let auth = keys.auth.encode();
        assert!(!hay.windows(auth.len()).any(|w| w == auth.as_bytes()));
    }
}

#[tokio::test]
async fn an_expired_enrolment_link_is_refused() {
    let relay = Relay::start().await;
    relay.add_user("aziz", Role::Caseworker).await;
    let (token, hash) = backend::vault::auth::new_enrolment_token();
    relay.state.store().add_enrolment(&hash, "aziz", backend::store::now_unix() - 1).await.unwrap();
    assert_eq!(enrol(&relay, &token, "aziz", PASS).await.err().unwrap().1, "enrolment_invalid");
}

fn retry_after(resp: &reqwest::Response) -> u64 {
    resp.headers()["retry-after"].to_str().unwrap().parse().unwrap()
}

/// Three wrong passphrases are checked; then the address waits, and even the right
/// passphrase is answered 429 `sign_in_delayed` without being checked, until the wait
/// (given in `Retry-After`) is over. Then the right one signs in.
#[tokio::test]
async fn three_wrong_passphrases_make_the_address_wait_then_the_right_one_signs_in() {
    let relay = Relay::start().await;
    relay.add_user("nodira", Role::Caseworker).await;
    let token = link_for(&relay, "nodira").await;
    enrol(&relay, &token, "nodira", PASS).await.unwrap();

    for attempt in 1..=3 {
        let resp = sign_in(&relay, "nodira", "walnut orchard kettle 9 blew").await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "attempt {attempt}");
        assert_eq!(error_code(resp).await, "wrong_passphrase");
    }
    let right = sign_in(&relay, "nodira", PASS).await;
    assert_eq!(right.status(), StatusCode::TOO_MANY_REQUESTS, "answered without checking while the address waits");
    let wait = retry_after(&right);
    assert!((1..=2).contains(&wait), "the first wait is a second or so: {wait}");
    let body: Value = right.json().await.unwrap();
    assert_eq!(body["error"], "sign_in_delayed");
    tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
    let right = sign_in(&relay, "nodira", PASS).await;
    assert_eq!(right.status(), StatusCode::OK, "after the wait the right passphrase signs in");
}

#[tokio::test]
async fn an_unknown_name_gets_a_stable_decoy_salt_and_the_same_answer_as_a_wrong_passphrase() {
    let relay = Relay::start().await;
    let a = salt_of(&relay, "nobody-here").await;
    assert_eq!(a, salt_of(&relay, "nobody-here").await);
    assert_ne!(a, salt_of(&relay, "nobody-else").await);
    assert!(Salt::decode(&a).is_ok());
    let resp = sign_in(&relay, "nobody-here", PASS).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(resp).await, "wrong_passphrase");
}

#[tokio::test]
async fn a_passphrase_change_needs_the_old_one_and_rewraps_the_same_identity() {
    let relay = Relay::start().await;
    relay.add_user("zarina", Role::Caseworker).await;
    let token = link_for(&relay, "zarina").await;
    let enrolled = enrol(&relay, &token, "zarina", PASS).await.unwrap();
    let old_keys = vault::derive(PASS, &enrolled.salt).unwrap();
    let identity = {
        let w: Value = sign_in(&relay, "zarina", PASS).await.json().await.unwrap();
        let wrapped = vault::decode_wrapped(w["wrapped_identity"].as_str().unwrap()).unwrap();
        vault::unwrap_identity(wrapped.as_bytes(), &old_keys).unwrap()
    };
    let author = identity.author.expect("enrolled with an author key");
    let identity = identity.identity;
    const NEW: &str = "copper meadow lantern 42 fig";
    let new_salt = Salt::random();
    let new_keys = vault::derive(NEW, &new_salt).unwrap();
    let rewrapped = vault::encode_wrapped(&vault::wrap_identity(&identity, &author, &new_keys).unwrap());
    let change = |old_auth: String| json!({ "old_auth": old_auth, "salt": new_salt.encode(), "auth": new_keys.auth.encode(), "wrapped_identity": rewrapped });
    let wrong_old = vault::derive("not the old one at all 77", &enrolled.salt).unwrap();
    let resp = relay
        .http
        .put(relay.url("/api/v1/vault/passphrase"))
        .header(COOKIE, &enrolled.cookie)
        .json(&change(wrong_old.auth.encode()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    let resp = relay
        .http
        .put(relay.url("/api/v1/vault/passphrase"))
        .header(COOKIE, &enrolled.cookie)
        .json(&change(old_keys.auth.encode()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(whoami(&relay, &enrolled.cookie).await, StatusCode::UNAUTHORIZED, "other sessions end");

    assert_eq!(sign_in(&relay, "zarina", PASS).await.status(), StatusCode::UNAUTHORIZED);
    let w: Value = sign_in(&relay, "zarina", NEW).await.json().await.unwrap();
    assert_eq!(w["recipient"], enrolled.recipient, "same identity, rewrapped");
    let wrapped = vault::decode_wrapped(w["wrapped_identity"].as_str().unwrap()).unwrap();
    let back = vault::unwrap_identity(wrapped.as_bytes(), &new_keys).unwrap();
    assert_eq!(back.identity.to_public().to_string(), enrolled.recipient);
    assert_eq!(back.author.map(|a| a.public()), Some(author.public()), "and the same author key");
}

#[tokio::test]
async fn renewing_rotates_the_session_cookie_and_signing_out_clears_the_cache() {
    let relay = Relay::start().await;
    relay.add_user("kamola", Role::Caseworker).await;
    let token = link_for(&relay, "kamola").await;
    let first = enrol(&relay, &token, "kamola", PASS).await.unwrap().cookie;
    let resp = relay.http.post(relay.url("/api/v1/session/renew")).header(COOKIE, &first).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let second = session_cookie(&resp);
    assert_ne!(first, second);
    assert_eq!(whoami(&relay, &first).await, StatusCode::UNAUTHORIZED);
    assert_eq!(whoami(&relay, &second).await, StatusCode::OK);
    let out = relay.http.delete(relay.url("/api/v1/session")).header(COOKIE, &second).send().await.unwrap();
    assert_eq!(out.headers().get("clear-site-data").unwrap(), "\"cache\"");
    assert_eq!(whoami(&relay, &second).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_idle_lock_setting_is_public_and_the_cli_prints_an_enrolment_link() {
    let relay = Relay::start_with(|c| c.idle_lock_minutes = 3).await;
    let v: Value = relay.http.get(relay.url("/api/v1/vault/settings")).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["idle_lock_minutes"], 3);
    assert!(relay.demo.caseworker_enrolment.is_file(), "the demo caseworker has an enrolment link");
}

async fn audited(relay: &Relay, action: &str, subject: &str) -> usize {
    let events = relay.state.store().audit_events(0, usize::MAX).await.unwrap();
    events.iter().filter(|(e, _)| e.action == action && e.subject == subject).count()
}

/// Twelve wrong passphrases sent at once: the attempts are counted before the slow
/// check, so at most three are checked, the address then waits, and the right
/// passphrase from it is refused too until then. Every guess was answered 401 or 429,
/// none crashed the relay.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_wrong_passphrases_cannot_get_past_the_delay() {
    let relay = Relay::start().await;
    relay.add_user("farrukh", Role::Caseworker).await;
    let token = link_for(&relay, "farrukh").await;
    let enrolled = enrol(&relay, &token, "farrukh", PASS).await.unwrap();
    let wrong = vault::derive("walnut orchard kettle 9 blew", &enrolled.salt).unwrap().auth.encode();
    let body = json!({ "name": "farrukh", "auth": wrong });
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..12 {
        let (http, url, body) = (relay.http.clone(), relay.url("/api/v1/vault/session"), body.clone());
        tasks.spawn(async move { http.post(url).json(&body).send().await.unwrap() });
    }
    let mut codes = Vec::new();
    while let Some(answer) = tasks.join_next().await {
        codes.push(error_code(answer.unwrap()).await);
    }
    let wrong_answers = codes.iter().filter(|c| *c == "wrong_passphrase").count();
    assert!(codes.iter().all(|c| c == "wrong_passphrase" || c == "sign_in_delayed"), "{codes:?}");
    assert!(wrong_answers <= 3, "at most three checked before the delay, got {wrong_answers}: {codes:?}");
    assert!(audited(&relay, "sign_in_failed", "farrukh").await <= 3, "at most three passphrases were checked");
    assert_eq!(audited(&relay, "sign_in_delayed", "farrukh").await, 1);
    let right = sign_in(&relay, "farrukh", PASS).await;
    assert_eq!(error_code(right).await, "sign_in_delayed");
}

/// Wrong passphrases for an existing account and the delay they start are audit events
/// (a name without an account is not audited: it may be anything a person typed).
#[tokio::test]
async fn wrong_passphrases_and_the_delay_are_audited_under_the_account() {
    let relay = Relay::start().await;
    relay.add_user("shahlo", Role::Caseworker).await;
    let token = link_for(&relay, "shahlo").await;
    enrol(&relay, &token, "shahlo", PASS).await.unwrap();
    for _ in 0..5 {
        sign_in(&relay, "shahlo", "walnut orchard kettle 9 blew").await;
    }
    assert_eq!(audited(&relay, "sign_in_failed", "shahlo").await, 3, "the delayed ones were not checked");
    assert_eq!(audited(&relay, "sign_in_delayed", "shahlo").await, 1, "once, when the delay starts");
    sign_in(&relay, "nobody-at-all", PASS).await;
    assert_eq!(audited(&relay, "sign_in_failed", "nobody-at-all").await, 0);
}

/// A name without an account answers like a real one through the whole run: three
/// `wrong_passphrase`, then `sign_in_delayed`, and no sooner than the failure floor.
#[tokio::test]
async fn an_unknown_name_is_delayed_after_three_failures_like_a_real_account() {
    let relay = Relay::start().await;
    relay.add_user("real", Role::Caseworker).await;
    let token = link_for(&relay, "real").await;
    enrol(&relay, &token, "real", PASS).await.unwrap();
    for name in ["nobody-here", "real"] {
        let mut codes = Vec::new();
        for _ in 0..5 {
            let started = std::time::Instant::now();
            let resp = sign_in(&relay, name, "walnut orchard kettle 9 blew").await;
            assert!(started.elapsed() >= backend::vault::routes::FAILURE_FLOOR);
            codes.push(error_code(resp).await);
        }
        assert_eq!(codes[..3], ["wrong_passphrase"; 3], "{name}");
        assert_eq!(codes[3..], ["sign_in_delayed"; 2], "{name}");
    }
    let too_long = post(&relay, "/api/v1/vault/session", json!({ "name": "x".repeat(65), "auth": "x" })).await;
    assert_eq!(too_long.status(), StatusCode::BAD_REQUEST, "names are capped as on the salt route");
}

/// An administrator re-issues a link (a lost device, a suspected leak): the earlier
/// link stops working, and redeeming the new one signs out every session of the
/// account, so whoever knew the old passphrase is out.
#[tokio::test]
async fn re_enrolment_ends_the_accounts_sessions_and_only_the_newest_link_works() {
    let relay = Relay::start().await;
    relay.add_user("dilnoza", Role::Caseworker).await;
    let first = link_for(&relay, "dilnoza").await;
    let old = enrol(&relay, &first, "dilnoza", PASS).await.unwrap();
    let thief = session_cookie(&sign_in(&relay, "dilnoza", PASS).await);
    let older = link_for(&relay, "dilnoza").await;
    let newest = link_for(&relay, "dilnoza").await;
    assert_eq!(
        enrol(&relay, &older, "dilnoza", "a new passphrase for 2027").await.err().unwrap().1,
        "enrolment_invalid"
    );
    let fresh = enrol(&relay, &newest, "dilnoza", "a new passphrase for 2027").await.unwrap();
    assert_eq!(whoami(&relay, &old.cookie).await, StatusCode::UNAUTHORIZED);
    assert_eq!(whoami(&relay, &thief).await, StatusCode::UNAUTHORIZED);
    assert_eq!(whoami(&relay, &fresh.cookie).await, StatusCode::OK);
}

/// The owner's tab and a thief with a copied cookie renew at the same moment: only one
/// of them gets a session. And renewing never goes past the session's absolute end.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_session_cannot_be_split_by_parallel_renewals_nor_renewed_past_its_end() {
    let relay = Relay::start().await;
    relay.add_user("jasur", Role::Caseworker).await;
    let token = link_for(&relay, "jasur").await;
    let mut cookie = enrol(&relay, &token, "jasur", PASS).await.unwrap().cookie;
    for round in 0..5 {
        let renew = || relay.http.post(relay.url("/api/v1/session/renew")).header(COOKIE, &cookie).send();
        let (a, b) = tokio::join!(renew(), renew());
        let (a, b) = (a.unwrap(), b.unwrap());
        let ok: Vec<_> = [&a, &b].into_iter().filter(|r| r.status() == StatusCode::OK).collect();
        assert_eq!(ok.len(), 1, "round {round}: {} and {}", a.status(), b.status());
        let next = session_cookie(ok[0]);
        let set = ok[0].headers().get(SET_COOKIE).unwrap().to_str().unwrap().to_owned();
        assert!(!set.contains("Max-Age"), "{set}");
        cookie = next;
    }
    // The absolute end has come (as it does 10 hours after sign-in): no more renewals.
    sqlx::query(r#"UPDATE sessions SET ends_at = $1 WHERE "user" = 'jasur'"#)
        .bind(backend::store::now_unix())
        .execute(relay.state.store().pool())
        .await
        .unwrap();
    let resp = relay.http.post(relay.url("/api/v1/session/renew")).header(COOKIE, &cookie).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

/// Over HTTPS (`--secure-cookies`) the cookie is `__Host-amanat_session`, `Secure`,
/// without `Max-Age`; only that name is read back.
#[tokio::test]
async fn with_secure_cookies_the_session_cookie_has_the_host_prefix() {
    let relay = Relay::start_with(|c| c.secure_cookies = true).await;
    relay.add_user("gulnora", Role::Caseworker).await;
    let token = link_for(&relay, "gulnora").await;
    let cookie = enrol(&relay, &token, "gulnora", PASS).await.unwrap().cookie;
    assert!(cookie.starts_with("__Host-amanat_session="), "{cookie}");
    assert_eq!(whoami(&relay, &cookie).await, StatusCode::OK);
    let plain = cookie.replacen("__Host-amanat_session", "amanat_session", 1);
    assert_eq!(whoami(&relay, &plain).await, StatusCode::UNAUTHORIZED);
    let resp = sign_in(&relay, "gulnora", PASS).await;
    let set = resp.headers().get(SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    assert!(
        set.contains("; Secure") && set.contains("Path=/") && !set.contains("Max-Age") && !set.contains("Domain"),
        "{set}"
    );
}

/// A write the browser marks as coming from another site is refused even with a valid
/// session cookie (CSRF); the same request from the app's own origin goes through.
#[tokio::test]
async fn a_cross_site_write_with_the_session_cookie_is_refused() {
    let relay = Relay::start().await;
    relay.add_user("bekzod", Role::Caseworker).await;
    let token = link_for(&relay, "bekzod").await;
    let cookie = enrol(&relay, &token, "bekzod", PASS).await.unwrap().cookie;
    let renew = |site: &'static str| {
        relay
            .http
            .post(relay.url("/api/v1/session/renew"))
            .header(COOKIE, &cookie)
            .header("sec-fetch-site", site)
            .send()
    };
    assert_eq!(renew("cross-site").await.unwrap().status(), StatusCode::FORBIDDEN);
    let bytes = relay.seal(b"forged");
    let id = shared::EntryId::of(&bytes).to_string();
    let put = relay
        .http
        .put(relay.url(&format!("/api/v1/entries/{id}")))
        .header(COOKIE, &cookie)
        .header("sec-fetch-site", "cross-site")
        .header(shared::api::CASE_HEADER, shared::CaseId::random().to_string())
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::FORBIDDEN);
    assert!(relay.state.store().entry(&id.parse().unwrap()).await.unwrap().is_none());
    assert_eq!(renew("same-origin").await.unwrap().status(), StatusCode::OK);
}

/// Each account change over HTTP is recorded once, under the account (the store writes
/// each with its event in one transaction): the enrolment, a sign-in, a passphrase
/// change, a sign-out; a second sign-out with the same cookie changes and records nothing.
#[tokio::test]
async fn each_account_change_over_http_is_audited_exactly_once() {
    let relay = Relay::start().await;
    relay.add_user("dilnoza", Role::Caseworker).await;
    let token = link_for(&relay, "dilnoza").await;
    let enrolled = enrol(&relay, &token, "dilnoza", PASS).await.unwrap();
    let resp = sign_in(&relay, "dilnoza", PASS).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let cookie = session_cookie(&resp);
    let new_salt = Salt::random();
    let new_keys = vault::derive("saffron bridge 12 quiet lake", &new_salt).unwrap();
    let identity = seal::generate_identity();
    let change = json!({
        "old_auth": vault::derive(PASS, &enrolled.salt).unwrap().auth.encode(), "salt": new_salt.encode(),
        "auth": new_keys.auth.encode(),
        "wrapped_identity": vault::encode_wrapped(&vault::wrap_identity(&identity, &shared::authorship::AuthorKey::generate(), &new_keys).unwrap()),
    });
    let resp = relay.http.put(relay.url("/api/v1/vault/passphrase")).header(COOKIE, &cookie).json(&change).send().await;
    let resp = resp.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let cookie = session_cookie(&resp);
    for _ in 0..2 {
        let out = relay.http.delete(relay.url("/api/v1/session")).header(COOKIE, &cookie).send().await.unwrap();
        assert_eq!(out.status(), StatusCode::NO_CONTENT);
    }
    for action in ["enrolled", "signed_in", "passphrase_changed", "signed_out"] {
        assert_eq!(audited(&relay, action, "dilnoza").await, 1, "{action}");
    }
    let events = relay.state.store().audit_events(0, usize::MAX).await.unwrap();
    assert_eq!(backend::audit::check_chain(&events), Ok(()));
}
