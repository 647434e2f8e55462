//! The abandoned enrolment link (issue 14): a caseworker opens her one-time link on a
//! shared computer and walks away before choosing a passphrase. Chromium writes the
//! address, fragment and token included, into the profile (History, Sessions, Top
//! Sites…) before any script of the page runs, so the next person at that computer can
//! read the token out of the profile files. What they read must enrol nobody: the page
//! traded the token for a short-lived HttpOnly enrolment session the moment it opened,
//! and that session died with the browser.
//!
//! The positive controls: the token *is* in the closed browser's profile files (so the
//! refusals are about the token, not about a search that found nothing), and a fresh
//! link opened in the same fresh browser does enrol (so the page's refusal is not a
//! broken page).

use std::time::{Duration, Instant};

use amanat_tests::support::driver::Browser;
use amanat_tests::support::profile;
use amanat_tests::support::relay::{amanat, stdout, RelayProcess};
use amanat_tests::support::turns::heavy_story;
use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::vault::{self, Salt};
use shared::ErrorCode;

const NAME: &str = "gulnora";
const PASSPHRASE: &str = "lantern meadow copper 47 finch";

/// The token of the link `amanat <args>` printed.
fn token_printed(relay: &RelayProcess, args: &[&str]) -> String {
    let out = amanat(&relay.data, args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(&out);
    let line = text.lines().find(|l| l.contains("#enrol=")).expect("an enrolment link is printed");
    line.split("#enrol=").nth(1).unwrap().trim().to_owned()
}

/// A complete enrolment body carrying `token`, as the app before issue 14 sent it.
fn enrol_body(token: &str, name: &str) -> Value {
    let salt = Salt::random();
    let keys = vault::derive(PASSPHRASE, &salt).unwrap();
    let personal = shared::seal::generate_identity();
    let wrapped = vault::wrap_identity(&personal, &shared::authorship::AuthorKey::generate(), &keys).unwrap();
    json!({
        "token": token, "name": name, "salt": salt.encode(), "auth": keys.auth.encode(),
        "wrapped_identity": vault::encode_wrapped(&wrapped), "recipient": personal.to_public().to_string(),
    })
}

async fn refusal(resp: reqwest::Response) -> (StatusCode, String) {
    let status = resp.status();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    (status, body["error"].as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn an_enrolment_link_read_back_from_a_closed_browsers_profile_enrols_nobody() {
    let _turn = heavy_story();
    let relay = RelayProcess::start_with_app(&[]);
    let add = ["user", "add", NAME, "--role", "caseworker"];
    let token = token_printed(&relay, &add);
    assert!(token.starts_with("enr_"), "{token}");

    // 1. She opens the link on the office computer and walks away without typing.
    let shared_pc = Browser::start().await.unwrap();
    shared_pc.goto(&relay.url(&format!("/#enrol={token}"))).await.unwrap();
    shared_pc.wait_for("#enrol-passphrase", 30).await.unwrap();
    let address = shared_pc.client.current_url().await.unwrap();
    assert!(!address.as_str().contains(&token), "the token must leave the address bar: {address}");
    // What Chromium writes on its own (History, Sessions) has a moment to reach the disk;
    // closing the session shuts the browser down cleanly, which flushes the rest.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let profile = shared_pc.close().await.unwrap();

    // 2. The next person reads the profile files.
    let found = profile::tokens_in(profile.path(), "enr_", 16);
    let files = found.get(&token).unwrap_or_else(|| {
        panic!(
            "positive control: the opened link's token must be in the closed profile's files \
             (Chromium writes the address before the page runs); tokens found: {:?}",
            found.keys().collect::<Vec<_>>()
        )
    });
    println!("the token was left in {} profile file(s): {files:?}", files.len());

    // 3. The tokens found (the link's first, then up to three others: the sign-in
    //    limiter counts these tries), tried through the API, as the link's trade and as
    //    the old enrolment body: refused as invalid.
    let http = reqwest::Client::new();
    let others = found.keys().filter(|t| **t != token).take(3);
    for candidate in std::iter::once(&token).chain(others) {
        let open = http.post(relay.url("/api/v1/vault/enrol/open")).json(&json!({ "token": candidate })).send();
        assert_eq!(
            refusal(open.await.unwrap()).await,
            (StatusCode::BAD_REQUEST, "enrolment_invalid".into()),
            "trading {candidate} again"
        );
        let enrol = http.post(relay.url("/api/v1/vault/enrol")).json(&enrol_body(candidate, NAME)).send();
        assert_eq!(
            refusal(enrol.await.unwrap()).await,
            (StatusCode::BAD_REQUEST, "enrolment_invalid".into()),
            "enrolling with {candidate}"
        );
    }

    // 4. And through the page, from a fresh profile: the link says it is not valid, and
    //    no account is opened (if a form shows, it is filled in and sent, and refused).
    let stranger = Browser::start().await.unwrap();
    stranger.goto(&relay.url(&format!("/#enrol={token}"))).await.unwrap();
    let refused = ErrorCode::EnrolmentInvalid.message();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if stranger.page_text().await.unwrap().contains(refused) {
            break;
        }
        if stranger.count("#enrol-submit").await.unwrap() > 0 {
            stranger.type_into("enrol-name", NAME).await.unwrap();
            stranger.type_into("enrol-passphrase", PASSPHRASE).await.unwrap();
            stranger.type_into("enrol-again", PASSPHRASE).await.unwrap();
            stranger.click("#enrol-submit").await.unwrap();
            stranger.wait_for_text(refused, 60).await.unwrap();
            break;
        }
        assert!(Instant::now() < deadline, "the page neither refused the link nor offered the form");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(stranger.count("#session-name").await.unwrap(), 0, "the old link must enrol nobody");
    stranger.screenshot("abandoned-link-refused").await.unwrap();

    // 5. Positive control: a new link, opened in the same fresh browser, enrols her (the
    //    page works; it was the old token that was dead).
    let fresh = token_printed(&relay, &["user", "enrol", NAME]);
    assert_ne!(fresh, token);
    stranger.enrol(&relay.url(&format!("/#enrol={fresh}")), NAME, PASSPHRASE).await.unwrap();
    assert!(stranger.page_text().await.unwrap().contains(NAME));
    stranger.close().await.unwrap();
}
