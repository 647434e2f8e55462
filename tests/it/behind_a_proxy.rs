//! A relay behind a reverse proxy (Caddy, nginx) sees every client as the proxy. Told
//! which proxies to trust (`--trusted-proxy`), it counts each client by the address
//! the proxy forwards, so one stranger's wrong sign-ins slow that stranger only; told
//! nothing, it ignores the forwarding headers, so a client cannot pick the address it
//! is counted under.

use amanat_tests::support::relay::Relay;
use reqwest::StatusCode;
use shared::api::ApiError;
use shared::ErrorCode;

/// The relay's default failed sign-ins a minute per address.
const LIMIT: usize = 20;

async fn sign_in(relay: &Relay, forwarded_for: &str, token: &str) -> reqwest::Response {
    relay
        .http
        .post(relay.url("/api/v1/session"))
        .header("x-forwarded-for", forwarded_for)
        .json(&serde_json::json!({ "name": "demo-caseworker", "token": token }))
        .send()
        .await
        .unwrap()
}

/// Wrong sign-ins sent at once (each failure is answered only after the relay's
/// failure floor), one per forwarded address given; their statuses.
async fn guesses(relay: &Relay, forwarded_for: impl Iterator<Item = String>) -> Vec<StatusCode> {
    let mut set = tokio::task::JoinSet::new();
    for addr in forwarded_for {
        let req = relay
            .http
            .post(relay.url("/api/v1/session"))
            .header("x-forwarded-for", addr)
            .json(&serde_json::json!({ "name": "demo-caseworker", "token": "amt_0123456789abcdef_guess" }));
        set.spawn(async move { req.send().await.unwrap().status() });
    }
    set.join_all().await
}

/// A stranger at 203.0.113.9 guesses tokens until the relay makes them wait; then a
/// colleague at another address signs in with the right token. Returns the
/// colleague's status.
async fn stranger_then_colleague(relay: &Relay) -> StatusCode {
    let statuses = guesses(relay, (0..=LIMIT).map(|_| "203.0.113.9".to_owned())).await;
    assert!(statuses.contains(&StatusCode::TOO_MANY_REQUESTS), "the stranger is made to wait: {statuses:?}");
    let colleague = sign_in(relay, "198.51.100.7", &relay.caseworker_token).await;
    let status = colleague.status();
    if status == StatusCode::TOO_MANY_REQUESTS {
        assert_eq!(colleague.json::<ApiError>().await.unwrap().error, ErrorCode::RateLimited);
    }
    status
}

#[tokio::test]
async fn behind_a_trusted_proxy_one_strangers_wrong_sign_ins_do_not_stop_a_colleague() {
    let relay = Relay::start_with(|c| {
        c.trusted_proxies = backend::client_addr::TrustedProxies(vec!["127.0.0.1".parse().unwrap()]);
    })
    .await;
    assert_eq!(stranger_then_colleague(&relay).await, StatusCode::OK, "the colleague is counted apart");
    // The stranger is still waiting: the limit is theirs, not lifted for everyone.
    let again = sign_in(&relay, "203.0.113.9", &relay.caseworker_token).await;
    assert_eq!(again.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn without_trusted_proxies_every_client_of_a_proxy_shares_one_limit_as_before() {
    // What every organisation behind Caddy had before `--trusted-proxy`: the proxy's
    // address is everyone's, so the stranger's guesses stop the colleague too.
    let relay = Relay::start().await;
    assert_eq!(stranger_then_colleague(&relay).await, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_client_cannot_dodge_the_limit_by_forging_forwarding_headers() {
    // Not a trusted proxy: each guess claims a new address, and each is still counted
    // under the socket's.
    let relay = Relay::start_with(|c| {
        c.trusted_proxies = backend::client_addr::TrustedProxies(vec!["10.0.0.0/8".parse().unwrap()]);
    })
    .await;
    let statuses = guesses(&relay, (0..=LIMIT).map(|i| format!("192.0.2.{i}"))).await;
    assert!(statuses.contains(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
}
