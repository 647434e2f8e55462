//! Passphrase accounts on the relay, over real HTTP: a one-time enrolment link works
//! once and not after it expires, sign-in gives a short HttpOnly session and the
//! wrapped identity that only the passphrase opens, wrong passphrases lock the
//! account, unknown names look like known ones, a passphrase change rewraps only, and
//! the session cookie rotates. The browser's side (Argon2id, HKDF, wrapping) is the
//! real `shared::vault` code.

use amanat_tests::relay::Relay;
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
    let wrapped = vault::wrap_identity(&personal, &keys).unwrap();
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
    assert_eq!(enrol(&relay, &token, "malika", PASS).await.err().unwrap(), (StatusCode::BAD_REQUEST, "enrolment_invalid".into()));

    // On another computer: name → salt → auth → session + the wrapped identity.
    assert_eq!(salt_of(&relay, "malika").await, enrolled.salt.encode());
    let resp = sign_in(&relay, "malika", PASS).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers().get(CACHE_CONTROL).unwrap(), "no-store");
    let cookie = session_cookie(&resp);
    assert!(resp.headers().get(SET_COOKIE).unwrap().to_str().unwrap().contains("Max-Age=1800"), "short session");
    let w: Value = resp.json().await.unwrap();
    assert_eq!(w["recipient"], enrolled.recipient);
    let keys = vault::derive(PASS, &enrolled.salt).unwrap();
    let wrapped = vault::decode_wrapped(w["wrapped_identity"].as_str().unwrap()).unwrap();
    let identity = vault::unwrap_identity(wrapped.as_bytes(), &keys).unwrap();
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
    let (token, hash) = backend::vault_auth::new_enrolment_token();
    relay.state.store().add_enrolment(&hash, "aziz", backend::store::now_unix() - 1).await.unwrap();
    assert_eq!(enrol(&relay, &token, "aziz", PASS).await.err().unwrap().1, "enrolment_invalid");
}

#[tokio::test]
async fn five_wrong_passphrases_lock_the_account_even_against_the_right_one() {
    let relay = Relay::start().await;
    relay.add_user("nodira", Role::Caseworker).await;
    let token = link_for(&relay, "nodira").await;
    enrol(&relay, &token, "nodira", PASS).await.unwrap();

    for attempt in 1..=4 {
        let resp = sign_in(&relay, "nodira", "walnut orchard kettle 9 blew").await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "attempt {attempt}");
        assert_eq!(error_code(resp).await, "wrong_passphrase");
    }
    let fifth = sign_in(&relay, "nodira", "walnut orchard kettle 9 blew").await;
    assert_eq!(error_code(fifth).await, "account_locked");
    let right = sign_in(&relay, "nodira", PASS).await;
    assert_eq!(right.status(), StatusCode::FORBIDDEN);
    let body: Value = right.json().await.unwrap();
    assert_eq!(body["error"], "account_locked");
    assert!(body["message"].as_str().unwrap().contains("15 minutes"));
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
    const NEW: &str = "copper meadow lantern 42 fig";
    let new_salt = Salt::random();
    let new_keys = vault::derive(NEW, &new_salt).unwrap();
    let rewrapped = vault::encode_wrapped(&vault::wrap_identity(&identity, &new_keys).unwrap());
    let change = |old_auth: String| {
        json!({ "old_auth": old_auth, "salt": new_salt.encode(), "auth": new_keys.auth.encode(), "wrapped_identity": rewrapped })
    };
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
    assert_eq!(back.to_public().to_string(), enrolled.recipient);
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
