//! The relay's HTTP contract (DESIGN "HTTP API, version 1"), over real HTTP: every
//! answer of an upload, who may list and fetch what, sessions, headers, and what the
//! log must never hold.

use amanat_tests::support::relay::{Relay, RelayProcess};
use reqwest::StatusCode;
use shared::api::{
    ApiError, EntryPage, Role, SessionInfo, Stored, CASE_HEADER, KEYRING_VERSION_HEADER, SUPERSEDES_HEADER,
};
use shared::{CaseId, EntryId, ErrorCode};

async fn error_of(res: reqwest::Response) -> ErrorCode {
    assert_eq!(res.headers()["content-type"], "application/json");
    res.json::<ApiError>().await.expect("an error body is { error, message }").error
}

async fn entry_count(relay: &Relay) -> usize {
    relay.state.store().all_entries().await.unwrap().len()
}

// ---- PUT /api/v1/entries/{id} ----

#[tokio::test]
async fn a_sealed_entry_is_stored_201_and_a_retry_of_the_same_bytes_is_answered_200_and_stored_once() {
    let relay = Relay::start().await;
    let case = CaseId::random();
    let bytes = relay.seal(b"intake record");
    let id = EntryId::of(&bytes);

    let first = relay.put(&case, bytes.clone()).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert_eq!(first.json::<Stored>().await.unwrap(), Stored { id, created: true });

    let retry = relay.put(&case, bytes).await;
    assert_eq!(retry.status(), StatusCode::OK);
    assert_eq!(retry.json::<Stored>().await.unwrap(), Stored { id, created: false });
    assert_eq!(entry_count(&relay).await, 1);
}

#[tokio::test]
async fn a_plaintext_json_body_is_refused_as_not_age_and_nothing_is_stored() {
    let relay = Relay::start().await;
    let res = relay.put(&CaseId::random(), br#"{"family_name":"Karimova"}"#.to_vec()).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(res).await, ErrorCode::NotAge);
    assert_eq!(entry_count(&relay).await, 0);
    assert!(
        !relay.data.join("blobs").exists() || std::fs::read_dir(relay.data.join("blobs")).unwrap().next().is_none()
    );
}

#[tokio::test]
async fn a_tampered_body_sent_under_its_original_id_is_refused_as_id_mismatch() {
    let relay = Relay::start().await;
    let mut bytes = relay.seal(b"record");
    let id = EntryId::of(&bytes).to_string();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    let res = relay.put_as(&relay.caseworker_token, &id, &CaseId::random().to_string(), bytes).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(res).await, ErrorCode::IdMismatch);
    assert_eq!(entry_count(&relay).await, 0);
}

#[tokio::test]
async fn an_id_that_is_not_64_lowercase_hex_digits_is_refused_as_bad_entry_id() {
    let relay = Relay::start().await;
    let bytes = relay.seal(b"record");
    let upper = EntryId::of(&bytes).to_string().to_uppercase();
    for bad in [upper.as_str(), "abc", "not-an-id"] {
        let res = relay.put_as(&relay.caseworker_token, bad, &CaseId::random().to_string(), bytes.clone()).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(error_of(res).await, ErrorCode::BadEntryId);
    }
}

#[tokio::test]
async fn another_entrys_id_is_refused_as_id_mismatch() {
    let relay = Relay::start().await;
    let bytes = relay.seal(b"record");
    let other = EntryId::of(b"something else").to_string();
    let res = relay.put_as(&relay.caseworker_token, &other, &CaseId::random().to_string(), bytes).await;
    assert_eq!(error_of(res).await, ErrorCode::IdMismatch);
}

#[tokio::test]
async fn a_missing_or_malformed_case_header_is_refused_as_bad_case_id() {
    let relay = Relay::start().await;
    let bytes = relay.seal(b"record");
    let id = EntryId::of(&bytes).to_string();
    for bad in ["", "ABCDEF0123456789ABCDEF0123456789", "1234"] {
        let res = relay.put_as(&relay.caseworker_token, &id, bad, bytes.clone()).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert_eq!(error_of(res).await, ErrorCode::BadCaseId, "{bad:?}");
    }
    let res = relay
        .http
        .put(relay.url(&format!("/api/v1/entries/{id}")))
        .bearer_auth(&relay.caseworker_token)
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(res).await, ErrorCode::BadCaseId);
}

#[tokio::test]
async fn an_entry_sealed_to_fewer_recipients_than_the_keyring_holds_is_refused() {
    let relay = Relay::start().await;
    // Only the adviser: the keyring also holds the recovery key.
    let bytes = seal_to(&[relay.adviser_identity.to_public()]);
    let res = relay.put(&CaseId::random(), bytes).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(res).await, ErrorCode::TooFewRecipients);
}

fn seal_to(recipients: &[shared::seal::Recipient]) -> Vec<u8> {
    shared::seal::seal_bytes(b"record", recipients.iter()).unwrap().into_bytes()
}

#[tokio::test]
async fn a_passphrase_sealed_file_is_refused_as_scrypt_in_record() {
    let relay = Relay::start().await;
    let enc = age::Encryptor::with_user_passphrase(age::secrecy::SecretString::from("pw".to_owned()));
    let mut bytes = vec![];
    let mut w = enc.wrap_output(&mut bytes).unwrap();
    std::io::Write::write_all(&mut w, b"record").unwrap();
    w.finish().unwrap();
    let res = relay.put(&CaseId::random(), bytes).await;
    assert_eq!(error_of(res).await, ErrorCode::ScryptInRecord);
}

#[tokio::test]
async fn an_upload_without_a_token_or_with_a_bad_one_is_refused_401() {
    let relay = Relay::start().await;
    let bytes = relay.seal(b"record");
    let id = EntryId::of(&bytes).to_string();
    let url = relay.url(&format!("/api/v1/entries/{id}"));
    let case = CaseId::random().to_string();
    let none = relay.http.put(&url).header(CASE_HEADER, &case).body(bytes.clone()).send().await.unwrap();
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_of(none).await, ErrorCode::Unauthorized);
    // A real token id with a wrong secret, a made-up token, and a non-bearer scheme.
    let token_id = relay.caseworker_token.split('_').nth(1).unwrap();
    for bad in [format!("amt_{token_id}_wrongsecret"), "amt_0123456789abcdef_x".into(), "garbage".into()] {
        let res = relay.put_as(&bad, &id, &case, bytes.clone()).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{bad}");
        assert_eq!(error_of(res).await, ErrorCode::Unauthorized);
    }
    let basic = relay
        .http
        .put(&url)
        .header("authorization", "Basic YTpi")
        .header(CASE_HEADER, &case)
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(entry_count(&relay).await, 0);
}

#[tokio::test]
async fn a_privacy_officer_or_adviser_cannot_upload_403() {
    let relay = Relay::start().await;
    let officer = relay.add_user("officer", Role::PrivacyOfficer).await;
    let bytes = relay.seal(b"record");
    let id = EntryId::of(&bytes).to_string();
    for token in [&officer, &relay.adviser_token] {
        let res = relay.put_as(token, &id, &CaseId::random().to_string(), bytes.clone()).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert_eq!(error_of(res).await, ErrorCode::Forbidden);
    }
}

#[tokio::test]
async fn an_upload_over_the_size_limit_is_refused_413_with_a_json_error() {
    let relay = Relay::start_with(|c| c.max_body = 1024).await;
    let small = relay.seal(b"fits");
    assert_eq!(relay.put(&CaseId::random(), small).await.status(), StatusCode::CREATED);
    let big = relay.seal(&vec![7u8; 4096]);
    let res = relay.put(&CaseId::random(), big).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_of(res).await, ErrorCode::TooLarge);
    assert_eq!(entry_count(&relay).await, 1);
}

#[tokio::test]
async fn a_chunked_upload_over_the_size_limit_is_refused_413_too() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let relay = Relay::start_with(|c| c.max_body = 1024).await;
    let big = relay.seal(&vec![7u8; 4096]);
    let id = EntryId::of(&big).to_string();
    // A chunked body has no Content-Length: the limit applies while reading.
    let mut req = format!(
        "PUT /api/v1/entries/{id} HTTP/1.1\r\nhost: relay\r\nauthorization: Bearer {}\r\n{CASE_HEADER}: {}\r\n\
         transfer-encoding: chunked\r\nconnection: close\r\n\r\n",
        relay.caseworker_token,
        CaseId::random()
    )
    .into_bytes();
    for chunk in big.chunks(512) {
        req.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        req.extend_from_slice(chunk);
        req.extend_from_slice(b"\r\n");
    }
    req.extend_from_slice(b"0\r\n\r\n");
    let mut stream = tokio::net::TcpStream::connect(relay.base.trim_start_matches("http://")).await.unwrap();
    stream.write_all(&req).await.unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("\"error\":\"too_large\""), "{answer}");
    assert_eq!(entry_count(&relay).await, 0);
}

#[tokio::test]
async fn an_entry_stored_before_the_keyring_grew_is_still_answered_200_on_retry() {
    let relay = Relay::start().await;
    let case = CaseId::random();
    let bytes = relay.seal(b"record");
    assert_eq!(relay.put(&case, bytes.clone()).await.status(), StatusCode::CREATED);
    let old_keyring = relay.keyring();
    let extra = shared::seal::generate_identity().to_public().to_string();
    let key_file = relay.demo.org_key.clone();
    backend::keyring_file::change(&relay.data, &relay.org_key(), &key_file, |h| {
        backend::keyring_file::add_holder(h, "New adviser", shared::keyring::HolderRole::Adviser, &extra)
    })
    .unwrap();
    // The outbox lost the first answer and retries: the bytes are safe, so 200.
    assert_eq!(relay.put(&case, bytes).await.status(), StatusCode::OK);
    // A new entry sealed to the old keyring alone is refused: the relay read the change.
    // (The relay can only count stanzas: it cannot tell whose they are.)
    let stale = old_keyring.seal(b"new", &[]).unwrap().into_bytes();
    let res = relay.put(&case, stale).await;
    assert_eq!(error_of(res).await, ErrorCode::TooFewRecipients);
    assert_eq!(relay.put(&case, relay.seal(b"new")).await.status(), StatusCode::CREATED);
}

// ---- GET /api/v1/entries and /api/v1/entries/{id} ----

async fn list(relay: &Relay, token: &str, query: &str) -> EntryPage {
    let res = relay.get_as(token, &format!("/api/v1/entries{query}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

#[tokio::test]
async fn the_listing_pages_in_upload_order_and_filters_by_case() {
    let relay = Relay::start_with(|c| c.page_size = 2).await;
    let (a, b) = (CaseId::random(), CaseId::random());
    let mut ids = vec![];
    for (i, case) in [a, b, a, a, b].iter().enumerate() {
        let bytes = relay.seal(format!("entry {i}").as_bytes());
        ids.push(EntryId::of(&bytes));
        assert_eq!(relay.put(case, bytes).await.status(), StatusCode::CREATED);
    }
    let mut seen = vec![];
    let mut query = String::new();
    loop {
        let page = list(&relay, &relay.adviser_token, &query).await;
        assert!(page.entries.len() <= 2);
        seen.extend(page.entries.iter().map(|e| e.id));
        match page.next {
            Some(next) => query = format!("?after={next}"),
            None => break,
        }
    }
    assert_eq!(seen, ids);

    let first = list(&relay, &relay.adviser_token, &format!("?case={a}")).await;
    assert_eq!(first.entries.iter().map(|e| e.id).collect::<Vec<_>>(), [ids[0], ids[2]]);
    assert!(first.entries.iter().all(|e| e.case == a && e.author == "demo-caseworker"));
    let second = list(&relay, &relay.adviser_token, &format!("?case={a}&after={}", first.next.unwrap())).await;
    assert_eq!(second.entries.iter().map(|e| e.id).collect::<Vec<_>>(), [ids[3]]);
    assert_eq!(second.next, None);

    let bad = relay.get_as(&relay.adviser_token, "/api/v1/entries?case=XYZ").await;
    assert_eq!(error_of(bad).await, ErrorCode::BadCaseId);
}

#[tokio::test]
async fn a_caseworker_lists_and_fetches_only_their_own_entries() {
    let relay = Relay::start().await;
    let other = relay.add_user("other-caseworker", Role::Caseworker).await;
    let officer = relay.add_user("officer", Role::PrivacyOfficer).await;
    let case = CaseId::random();
    let mine = relay.seal(b"mine");
    let theirs = relay.seal(b"theirs");
    assert_eq!(relay.put(&case, mine.clone()).await.status(), StatusCode::CREATED);
    let theirs_id = EntryId::of(&theirs).to_string();
    // Their own case: a caseworker cannot add to a case another one started (access_matrix.rs).
    let their_case = CaseId::random();
    assert_eq!(relay.put_as(&other, &theirs_id, &their_case.to_string(), theirs).await.status(), StatusCode::CREATED);

    let own = list(&relay, &relay.caseworker_token, "").await;
    assert_eq!(own.entries.iter().map(|e| e.id).collect::<Vec<_>>(), [EntryId::of(&mine)]);
    assert_eq!(list(&relay, &relay.adviser_token, "").await.entries.len(), 2);
    assert_eq!(list(&relay, &officer, "").await.entries.len(), 2, "the privacy officer sees all metadata");

    let res = relay.get_as(&relay.caseworker_token, &format!("/api/v1/entries/{theirs_id}")).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_of(res).await, ErrorCode::NotFound);
}

#[tokio::test]
async fn a_stored_entry_comes_back_byte_for_byte_and_opens_with_the_adviser_key() {
    let relay = Relay::start().await;
    let bytes = relay.seal(b"consent signed");
    let id = EntryId::of(&bytes);
    assert_eq!(relay.put(&CaseId::random(), bytes.clone()).await.status(), StatusCode::CREATED);
    for token in [&relay.adviser_token, &relay.caseworker_token] {
        let res = relay.get_as(token, &format!("/api/v1/entries/{id}")).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "application/octet-stream");
        assert_eq!(res.headers()["cache-control"], "no-store");
        let got = res.bytes().await.unwrap();
        assert_eq!(&got[..], &bytes[..]);
    }
    let opened = shared::seal::open_bytes(&bytes, std::slice::from_ref(&relay.adviser_identity)).unwrap();
    assert_eq!(opened, b"consent signed");
}

#[tokio::test]
async fn a_privacy_officer_gets_no_ciphertext_and_unknown_ids_are_404() {
    let relay = Relay::start().await;
    let officer = relay.add_user("officer", Role::PrivacyOfficer).await;
    let bytes = relay.seal(b"record");
    let id = EntryId::of(&bytes);
    relay.put(&CaseId::random(), bytes).await;
    let res = relay.get_as(&officer, &format!("/api/v1/entries/{id}")).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let unknown = EntryId::of(b"never uploaded");
    let res = relay.get_as(&relay.adviser_token, &format!("/api/v1/entries/{unknown}")).await;
    assert_eq!(error_of(res).await, ErrorCode::NotFound);
    let res = relay.http.get(relay.url(&format!("/api/v1/entries/{id}"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

// ---- sessions ----

#[tokio::test]
async fn signing_in_sets_a_strict_http_only_cookie_that_dies_with_the_browser_and_works_until_sign_out() {
    let relay = Relay::start().await;
    let res = relay
        .http
        .post(relay.url("/api/v1/session"))
        .json(&serde_json::json!({ "name": "demo-caseworker", "token": relay.caseworker_token }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie} lacks {flag}");
    }
    assert!(!cookie.contains("Max-Age"), "a key holder's cookie dies with the browser: {cookie}");
    assert!(!cookie.contains("Secure"), "no Secure flag unless asked for");
    let info: SessionInfo = res.json().await.unwrap();
    assert_eq!(info, SessionInfo { name: "demo-caseworker".into(), role: Role::Caseworker });

    let pair = cookie.split(';').next().unwrap().to_owned();
    let who = relay.http.get(relay.url("/api/v1/session")).header("cookie", &pair).send().await.unwrap();
    assert_eq!(who.json::<SessionInfo>().await.unwrap().name, "demo-caseworker");
    let listed = relay.http.get(relay.url("/api/v1/entries")).header("cookie", &pair).send().await.unwrap();
    assert_eq!(listed.status(), StatusCode::OK);

    let out = relay.http.delete(relay.url("/api/v1/session")).header("cookie", &pair).send().await.unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert_eq!(out.headers()["clear-site-data"], "\"cache\"");
    let expired = out.headers()["set-cookie"].to_str().unwrap();
    assert!(expired.starts_with("amanat_session=;") && expired.contains("Max-Age=0"), "{expired}");
    let after = relay.http.get(relay.url("/api/v1/session")).header("cookie", &pair).send().await.unwrap();
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_session_cookie_is_secure_when_the_relay_is_told_it_is_behind_https() {
    let relay = Relay::start_with(|c| c.secure_cookies = true).await;
    let res = relay
        .http
        .post(relay.url("/api/v1/session"))
        .json(&serde_json::json!({ "name": "demo-adviser", "token": relay.adviser_token }))
        .send()
        .await
        .unwrap();
    assert!(res.headers()["set-cookie"].to_str().unwrap().contains("; Secure"));
}

#[tokio::test]
async fn a_wrong_name_and_a_wrong_token_get_the_same_401() {
    let relay = Relay::start().await;
    let sign_in = |name: &str, token: &str| {
        relay.http.post(relay.url("/api/v1/session")).json(&serde_json::json!({ "name": name, "token": token })).send()
    };
    let wrong_name = sign_in("demo-adviser", &relay.caseworker_token).await.unwrap();
    let wrong_token = sign_in("demo-caseworker", "amt_0123456789abcdef_nope").await.unwrap();
    assert_eq!(wrong_name.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong_name.headers().get("set-cookie").is_none());
    assert_eq!(wrong_token.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_name.text().await.unwrap(), wrong_token.text().await.unwrap());
    let no_session = relay.http.get(relay.url("/api/v1/session")).send().await.unwrap();
    assert_eq!(no_session.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn repeated_failed_sign_ins_are_slowed_down_with_429() {
    let relay = Relay::start().await;
    let mut last = StatusCode::OK;
    for _ in 0..25 {
        let res = relay
            .http
            .post(relay.url("/api/v1/session"))
            .json(&serde_json::json!({ "name": "demo-caseworker", "token": "amt_0123456789abcdef_guess" }))
            .send()
            .await
            .unwrap();
        last = res.status();
        if last == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(error_of(res).await, ErrorCode::RateLimited);
            break;
        }
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

// ---- headers, the app, the keyring ----

const SECURITY_HEADERS: &[(&str, &str)] = &[
    ("referrer-policy", "no-referrer"),
    ("x-content-type-options", "nosniff"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    ("x-frame-options", "DENY"),
];

fn assert_security_headers(res: &reqwest::Response) {
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    for part in [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ] {
        assert!(csp.contains(part), "{} CSP lacks {part}: {csp}", res.url());
    }
    for (name, value) in SECURITY_HEADERS {
        assert_eq!(res.headers()[*name], *value, "{} {name}", res.url());
    }
    assert!(res.headers().contains_key("permissions-policy"));
}

#[tokio::test]
async fn every_answer_api_app_and_error_carries_the_security_headers() {
    let relay = Relay::start_with(|c| {
        let dist = c.data_dir.parent().unwrap().join("dist");
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(dist.join("index.html"), "<!doctype html><title>Amanat app</title>").unwrap();
        std::fs::write(dist.join("amanat_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
        c.dist_dir = dist;
    })
    .await;
    for path in ["/api/v1/health", "/api/v1/keyring", "/api/v1/entries", "/api/v1/nope"] {
        let res = relay.http.get(relay.url(path)).send().await.unwrap();
        assert_security_headers(&res);
        assert_eq!(res.headers()["cache-control"], "no-store", "{path}");
    }
    let nope = relay.http.get(relay.url("/api/v1/nope")).send().await.unwrap();
    assert_eq!(error_of(nope).await, ErrorCode::NoSuchRoute);

    for path in ["/", "/adviser"] {
        let res = relay.http.get(relay.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_security_headers(&res);
        assert!(res.text().await.unwrap().contains("Amanat app"), "{path} serves index.html");
    }
    let wasm = relay.http.get(relay.url("/amanat_bg.wasm")).send().await.unwrap();
    assert_eq!(wasm.status(), StatusCode::OK);
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert_security_headers(&wasm);
    let missing = relay.http.get(relay.url("/no-such-file.js")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_security_headers(&missing);
}

/// The app fetches its language from `/locales/<tag>.ftl`: served as UTF-8 text, byte
/// for byte (Cyrillic and the Uzbek ʻ intact), with the same headers as every file.
#[tokio::test]
async fn a_translation_catalog_is_served_as_utf8_text() {
    let ftl = "app-name = Amanat\napp-tagline = Записи о семьях шифруются; oʻzbekcha.\n";
    let relay = Relay::start_with(|c| {
        let dist = c.data_dir.parent().unwrap().join("dist");
        std::fs::create_dir_all(dist.join("locales")).unwrap();
        std::fs::write(dist.join("index.html"), "<!doctype html><title>Amanat app</title>").unwrap();
        std::fs::write(dist.join("locales/ru.ftl"), ftl).unwrap();
        c.dist_dir = dist;
    })
    .await;
    let res = relay.http.get(relay.url("/locales/ru.ftl")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/plain; charset=utf-8");
    assert_security_headers(&res);
    assert_eq!(res.bytes().await.unwrap().as_ref(), ftl.as_bytes());
    let missing = relay.http.get(relay.url("/locales/de.ftl")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    // The app's other files keep their own types.
    let index = relay.http.get(relay.url("/index.html")).send().await.unwrap();
    assert!(index.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
}

#[tokio::test]
async fn the_keyring_is_public_and_verifies_with_the_organisation_key() {
    let relay = Relay::start().await;
    let res = relay.http.get(relay.url("/api/v1/keyring")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let kr: shared::keyring::Keyring = res.json().await.unwrap();
    let verified = kr.verify(&relay.org_key().public()).unwrap();
    assert_eq!(verified.version(), 1);
    assert_eq!(kr.organisation, "Amanat demo organisation");
    assert_eq!(kr.recipients.len(), 2);
    let health: shared::api::Health =
        relay.http.get(relay.url("/api/v1/health")).send().await.unwrap().json().await.unwrap();
    assert_eq!(health.status, "ok");
}

// ---- the log ----

#[test]
fn the_relays_log_names_routes_ids_and_sizes_but_never_bodies_tokens_or_cookies() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut relay = RelayProcess::start(&["--max-body", "100000"]);
    let token = relay.demo_file("caseworker.token");
    let marker = "Karimova-CANARY-7731";
    let http = reqwest::Client::new();
    let (session_cookie, stored_id) = rt.block_on(async {
        // A plaintext record (refused), a sign-in, and a real upload.
        let body = format!("{{\"family_name\":\"{marker}\"}}");
        let id = EntryId::of(body.as_bytes());
        let res = http
            .put(relay.url(&format!("/api/v1/entries/{id}")))
            .bearer_auth(&token)
            .header(CASE_HEADER, CaseId::random().to_string())
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let res = http
            .post(relay.url("/api/v1/session"))
            .json(&serde_json::json!({ "name": "demo-caseworker", "token": token }))
            .send()
            .await
            .unwrap();
        let cookie = res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
        let wrong = serde_json::json!({ "name": marker, "token": format!("amt_0123456789abcdef_{marker}") });
        http.post(relay.url("/api/v1/session")).json(&wrong).send().await.unwrap();
        let identity = std::fs::read_to_string(relay.data.join("demo/adviser-identity.txt")).unwrap();
        let adviser = shared::seal::parse_identity_file(&identity).unwrap().remove(0).to_public();
        let recovery_file = std::fs::read_to_string(relay.data.join("demo/recovery-identity.txt")).unwrap();
        let recovery = shared::seal::parse_identity_file(&recovery_file).unwrap().remove(0).to_public();
        let sealed = shared::seal::seal_bytes(marker.as_bytes(), [adviser, recovery].iter()).unwrap().into_bytes();
        let sealed_id = EntryId::of(&sealed);
        let res = http
            .put(relay.url(&format!("/api/v1/entries/{sealed_id}")))
            .header("cookie", &cookie)
            .header(CASE_HEADER, CaseId::random().to_string())
            .body(sealed)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        (cookie, sealed_id)
    });
    assert!(relay.terminate().success(), "SIGTERM shuts the relay down cleanly");
    let log = relay.stderr_text();
    assert!(log.contains("route=\"/api/v1/entries/{id}\""), "{log}");
    assert!(log.contains(&stored_id.to_string()), "the log names the stored entry id: {log}");
    assert!(log.contains("status=201") && log.contains("status=400"), "{log}");
    assert!(!log.contains(marker), "the log holds a body: {log}");
    let secret = token.rsplit('_').next().unwrap();
    assert!(!log.contains(secret), "the log holds a token");
    let session_id = session_cookie.split('=').nth(1).unwrap();
    assert!(!log.contains(session_id), "the log holds a session cookie");
    assert!(!relay.stdout_text().contains(marker));
}

// ---- the audit log ----

#[tokio::test]
async fn the_privacy_officer_reads_an_audit_log_of_who_stored_and_read_which_entry() {
    let relay = Relay::start().await;
    let officer = relay.add_user("officer", Role::PrivacyOfficer).await;
    let bytes = relay.seal(b"record");
    let id = EntryId::of(&bytes).to_string();
    relay.put(&CaseId::random(), bytes).await;
    relay.get_as(&relay.adviser_token, &format!("/api/v1/entries/{id}")).await;

    let res = relay.get_as(&officer, "/api/v1/audit").await;
    assert_eq!(res.status(), StatusCode::OK);
    let page: shared::api::AuditPage = res.json().await.unwrap();
    let about_entry: Vec<_> =
        page.events.iter().filter(|e| e.subject == id).map(|e| (e.actor.as_str(), e.action.as_str())).collect();
    assert_eq!(about_entry, [("demo-caseworker", "entry_stored"), ("demo-adviser", "entry_read")]);
    assert!(page.events.windows(2).all(|w| w[1].seq == w[0].seq + 1));

    let res = relay.get_as(&relay.caseworker_token, "/api/v1/audit").await;
    assert_eq!(error_of(res).await, ErrorCode::Forbidden);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_simultaneous_uploads_of_the_same_bytes_store_one_entry_and_both_succeed() {
    let relay = Relay::start().await;
    let case = CaseId::random();
    let bytes = relay.seal(b"sent twice at once");
    let (a, b) = tokio::join!(relay.put(&case, bytes.clone()), relay.put(&case, bytes.clone()));
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 201], "one stores, the other is told it already was");
    assert_eq!(entry_count(&relay).await, 1);
}

fn put_blocking(rt: &tokio::runtime::Runtime, url: &str, token: &str, case: &CaseId, bytes: &[u8]) -> StatusCode {
    let req =
        reqwest::Client::new().put(url).bearer_auth(token).header(CASE_HEADER, case.to_string()).body(bytes.to_vec());
    rt.block_on(req.send()).unwrap().status()
}

#[test]
fn an_entry_answered_201_survives_the_relay_being_killed_at_once() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut relay = RelayProcess::start(&[]);
    let token = relay.demo_file("caseworker.token");
    let recipients: Vec<_> = ["adviser-identity.txt", "recovery-identity.txt"]
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(relay.data.join("demo").join(f)).unwrap();
            shared::seal::parse_identity_file(&text).unwrap().remove(0).to_public()
        })
        .collect();
    let bytes = shared::seal::seal_bytes(b"saved just before the crash", recipients.iter()).unwrap().into_bytes();
    let url = relay.url(&format!("/api/v1/entries/{}", EntryId::of(&bytes)));
    let case = CaseId::random();
    assert_eq!(put_blocking(&rt, &url, &token, &case, &bytes), StatusCode::CREATED);
    relay.crash();
    relay.restart();
    let get = reqwest::Client::new().get(&url).bearer_auth(&token).send();
    let got = rt.block_on(async { get.await.unwrap().bytes().await.unwrap() });
    assert_eq!(&got[..], &bytes[..]);
    assert_eq!(put_blocking(&rt, &url, &token, &case, &bytes), StatusCode::OK, "the outbox's retry is answered 200");
    assert!(relay.stdout_text().contains("Demo organisation (made earlier)"), "the restart does not remake the demo");
}

// ---- issue 17: refused uploads claim nothing; the upload's headers are checked ----

/// `PUT` as `token` with the case header and any other headers (each pair sent as its
/// own header line, so a name may repeat).
async fn put_with(relay: &Relay, token: &str, bytes: Vec<u8>, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = relay
        .http
        .put(relay.url(&format!("/api/v1/entries/{}", EntryId::of(&bytes))))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream");
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    req.body(bytes).send().await.expect("the relay answers")
}

/// The cases `name` owns, from the store's `cases` table.
async fn cases_owned_by(relay: &Relay, name: &str) -> i64 {
    use sqlx::Row;
    sqlx::query("SELECT COUNT(*) AS n FROM cases WHERE owner = $1")
        .bind(name)
        .fetch_one(relay.state.store().pool())
        .await
        .unwrap()
        .try_get::<i64, _>("n")
        .unwrap()
}

#[tokio::test]
async fn a_strangers_refused_uploads_leave_the_case_free_for_its_owner() {
    let relay = Relay::start().await;
    let stranger = relay.add_user("stranger", Role::Caseworker).await;
    let case = CaseId::random();
    let case_text = case.to_string();
    // Bytes the owner already stored in another case: the stranger's copy is a 409.
    let elsewhere = relay.seal(b"the owner's other record");
    assert_eq!(relay.put(&CaseId::random(), elsewhere.clone()).await.status(), StatusCode::CREATED);

    let not_age = br#"{"family_name":"Karimova"}"#.to_vec();
    let res = put_with(&relay, &stranger, not_age, &[(CASE_HEADER, &case_text)]).await;
    assert_eq!(error_of(res).await, ErrorCode::NotAge);
    let mut damaged = relay.seal(b"damaged");
    let id = EntryId::of(&damaged).to_string();
    damaged[40] ^= 1;
    let res = relay.put_as(&stranger, &id, &case_text, damaged).await;
    assert_eq!(error_of(res).await, ErrorCode::IdMismatch);
    let unknown = EntryId::of(b"no such entry").to_string();
    let res =
        put_with(&relay, &stranger, relay.seal(b"s"), &[(CASE_HEADER, &case_text), (SUPERSEDES_HEADER, &unknown)])
            .await;
    assert_eq!(error_of(res).await, ErrorCode::BadRequest);
    let res = put_with(&relay, &stranger, elsewhere, &[(CASE_HEADER, &case_text)]).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(res).await, ErrorCode::EntryConflict);

    assert_eq!(cases_owned_by(&relay, "stranger").await, 0, "refused uploads claim nothing");
    let res = relay.put(&case, relay.seal(b"the owner's first record")).await;
    assert_eq!(res.status(), StatusCode::CREATED, "the owner still stores into the case");
    assert_eq!(cases_owned_by(&relay, "stranger").await, 0);
    let res = put_with(&relay, &stranger, relay.seal(b"late"), &[(CASE_HEADER, &case_text)]).await;
    assert_eq!(error_of(res).await, ErrorCode::Forbidden, "and it is the owner's now");
    let blobs = relay.state.store().blobs().list_files().unwrap();
    assert_eq!(blobs.len(), entry_count(&relay).await, "no refused upload left a blob: {blobs:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_caseworkers_racing_into_one_new_case_one_owns_it_the_other_gets_403_and_stores_nothing() {
    let relay = Relay::start().await;
    let other = relay.add_user("other-caseworker", Role::Caseworker).await;
    for round in 0..20 {
        let case = CaseId::random().to_string();
        let (mine, theirs) =
            (relay.seal(format!("mine {round}").as_bytes()), relay.seal(format!("theirs {round}").as_bytes()));
        let headers = [(CASE_HEADER, case.as_str())];
        let (a, b) = tokio::join!(
            put_with(&relay, &relay.caseworker_token, mine, &headers),
            put_with(&relay, &other, theirs, &headers),
        );
        let mut statuses = [a.status().as_u16(), b.status().as_u16()];
        statuses.sort();
        assert_eq!(statuses, [201, 403], "round {round}");
        let rows: Vec<_> = relay
            .state
            .store()
            .all_entries()
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.meta.case.to_string() == case)
            .collect();
        assert_eq!(rows.len(), 1, "round {round}: only the owner's entry is stored");
        let owner: String = sqlx::Row::get(
            &sqlx::query("SELECT owner FROM cases WHERE case_id = $1")
                .bind(&case)
                .fetch_one(relay.state.store().pool())
                .await
                .unwrap(),
            "owner",
        );
        assert_eq!(owner, rows[0].meta.author, "round {round}: the case is its entry's author's");
    }
}

#[tokio::test]
async fn a_keyring_version_above_the_current_one_is_refused_and_nothing_is_stored() {
    let relay = Relay::start().await;
    let current = relay.keyring().version().to_string();
    let case = CaseId::random().to_string();
    let above = (relay.keyring().version() + 1).to_string();
    for bad in [above.as_str(), "99999999"] {
        let res = put_with(
            &relay,
            &relay.caseworker_token,
            relay.seal(b"r"),
            &[(CASE_HEADER, &case), (KEYRING_VERSION_HEADER, bad)],
        )
        .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
        let err = res.json::<ApiError>().await.unwrap();
        assert_eq!(err.error, ErrorCode::BadRequest);
        assert!(err.message.contains("Amanat-Keyring-Version"), "{}", err.message);
    }
    assert_eq!(entry_count(&relay).await, 0);
    assert_eq!(cases_owned_by(&relay, "demo-caseworker").await, 0);
    let res = put_with(
        &relay,
        &relay.caseworker_token,
        relay.seal(b"r"),
        &[(CASE_HEADER, &case), (KEYRING_VERSION_HEADER, &current)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED, "the current version is fine");
}

#[tokio::test]
async fn two_case_headers_are_refused() {
    let relay = Relay::start().await;
    let (one, two) = (CaseId::random().to_string(), CaseId::random().to_string());
    for pair in [[&one, &two], [&one, &one]] {
        let res = put_with(
            &relay,
            &relay.caseworker_token,
            relay.seal(b"r"),
            &[(CASE_HEADER, pair[0]), (CASE_HEADER, pair[1])],
        )
        .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert_eq!(error_of(res).await, ErrorCode::BadCaseId);
    }
    assert_eq!(entry_count(&relay).await, 0);
    assert_eq!(cases_owned_by(&relay, "demo-caseworker").await, 0);
}

#[tokio::test]
async fn a_malformed_supersedes_header_is_refused_with_a_message_about_that_header() {
    let relay = Relay::start().await;
    let case = CaseId::random().to_string();
    let res = put_with(
        &relay,
        &relay.caseworker_token,
        relay.seal(b"r"),
        &[(CASE_HEADER, &case), (SUPERSEDES_HEADER, "xyz")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let err = res.json::<ApiError>().await.unwrap();
    assert_eq!(err.error, ErrorCode::BadEntryId);
    assert!(err.message.contains("Amanat-Supersedes"), "{}", err.message);
    assert!(!err.message.contains("SHA-256 of the body"), "{}", err.message);
}
