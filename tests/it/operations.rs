//! What an organisation's IT person relies on to run the relay: settings from the
//! environment and a file as well as flags (and `--check-config` to see which won),
//! JSON log lines for a log shipper, and a readiness check that notices a blob store
//! that can no longer be written.

use std::process::Command;

use amanat_tests::support::relay::{amanat_binary, stdout, Relay, RelayProcess};
use reqwest::StatusCode;
use shared::api::Ready;

#[test]
fn check_config_says_which_setting_came_from_flag_environment_file_or_default() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("amanat.toml");
    std::fs::write(
        &file,
        "listen = \"127.0.0.1:9099\"\nrate-per-address = 7\ntrusted-proxy = [\"127.0.0.1\", \"::1\"]\ndemo = true\n",
    )
    .unwrap();
    let out = Command::new(amanat_binary())
        .args(["serve", "--check-config", "--config"])
        .arg(&file)
        .args(["--rate-per-address", "9", "--data"])
        .arg(dir.path().join("data"))
        .env("AMANAT_SECURE_COOKIES", "true")
        .env("AMANAT_DATABASE", "postgres://amanat:s3cret@db.example/amanat")
        .env_remove("AMANAT_CONFIG")
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    let file_name = file.display().to_string();
    for line in [
        format!("listen = \"127.0.0.1:9099\"  # {file_name}"),
        "rate-per-address = 9  # flag".to_owned(),
        "secure-cookies = true  # AMANAT_SECURE_COOKIES".to_owned(),
        format!("trusted-proxy = [\"127.0.0.1\", \"::1\"]  # {file_name}"),
        "max-body = 67108864  # default".to_owned(),
        "database = \"postgres://amanat:***@db.example/amanat\"  # AMANAT_DATABASE".to_owned(),
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line:?} in:\n{text}");
    }
    assert!(!text.contains("s3cret"), "the database password is never printed");
    assert!(!dir.path().join("data").exists(), "checking the settings creates nothing");
}

#[test]
fn a_misspelt_setting_in_the_file_stops_the_relay_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("amanat.toml");
    std::fs::write(&file, "trusted-proxies = [\"127.0.0.1\"]\n").unwrap();
    let out = Command::new(amanat_binary()).args(["serve", "--check-config", "--config"]).arg(&file).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("\"trusted-proxies\" is not a setting"), "{err}");
}

#[test]
fn check_config_without_demo_refuses_a_data_dir_with_no_keyring_as_serve_would() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(amanat_binary())
        .args(["serve", "--check-config", "--data"])
        .arg(dir.path())
        .env_remove("AMANAT_CONFIG")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no installed keyring"));
}

#[tokio::test]
async fn json_logs_are_one_object_a_line_with_the_route_and_no_credentials() {
    let mut relay = RelayProcess::start(&["--log-format", "json"]);
    let token = relay.demo_file("caseworker.token");
    let res = reqwest::Client::new().get(relay.url("/api/v1/entries")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    relay.terminate();
    let log = relay.stderr_text();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(
        lines.iter().any(|l| l["route"] == "/api/v1/entries" && l["status"] == 200),
        "the request line names its route and status: {log}"
    );
    assert!(!log.contains(&token), "no token in the log");
}

#[tokio::test]
async fn ready_answers_503_when_the_blob_store_cannot_be_written() {
    let relay = Relay::start().await;
    let ready = relay.http.get(relay.url("/api/v1/ready")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(ready.json::<Ready>().await.unwrap(), Ready { database: true, blobs_writable: true });
    // The blob directory replaced by a file: no upload could be stored (root ignores
    // permission bits, so a read-only mode would not show it in a test run as root).
    let blobs = relay.state.store().blobs().root().to_owned();
    std::fs::remove_dir_all(&blobs).unwrap();
    std::fs::write(&blobs, b"not a directory").unwrap();
    let ready = relay.http.get(relay.url("/api/v1/ready")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.json::<Ready>().await.unwrap(), Ready { database: true, blobs_writable: false });
    let health = relay.http.get(relay.url("/api/v1/health")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK, "health still says the process is up");
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_failed_sign_ins_on_their_own_address_only() {
    let port = amanat_tests::support::driver::free_port();
    let metrics_addr = format!("127.0.0.1:{port}");
    let relay = RelayProcess::start(&["--metrics-listen", &metrics_addr]);
    let http = reqwest::Client::new();
    let token = relay.demo_file("caseworker.token");
    for _ in 0..2 {
        let res = http.get(relay.url("/api/v1/entries")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
    let wrong = http
        .post(relay.url("/api/v1/session"))
        .json(&serde_json::json!({ "name": "demo-caseworker", "token": "amt_0123456789abcdef_guess" }))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

    let scrape = http.get(format!("http://{metrics_addr}/metrics")).send().await.unwrap();
    assert_eq!(scrape.status(), StatusCode::OK);
    assert!(scrape.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let text = scrape.text().await.unwrap();
    for line in [
        "amanat_http_requests_total{method=\"GET\",route=\"/api/v1/entries\",status=\"200\"} 2",
        "amanat_http_requests_total{method=\"POST\",route=\"/api/v1/session\",status=\"401\"} 1",
        "amanat_http_request_duration_seconds_count{route=\"/api/v1/entries\"} 2",
        "amanat_sign_in_failures_total 1",
        "amanat_entries_stored 0",
        "amanat_store_up 1",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line:?} in:\n{text}");
    }
    assert!(!text.contains(&token) && !text.contains("demo-caseworker"), "no credential, no account name");
    // The relay's own address does not serve them.
    let on_relay = http.get(relay.url("/metrics")).send().await.unwrap();
    assert_eq!(on_relay.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tablet_can_put_the_app_on_its_home_screen() {
    let _turn = amanat_tests::support::turns::heavy_story();
    let relay = RelayProcess::start_with_app(&[]);
    let browser = amanat_tests::support::driver::Browser::start().await.unwrap();
    browser.goto(&relay.url("/")).await.unwrap();
    browser.wait_for("#signin-name", 60).await.unwrap();
    // Chromium's own verdict on the manifest, its icons and the service worker.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let errors = loop {
        let answer = browser.cdp("Page.getInstallabilityErrors", serde_json::json!({})).await.unwrap();
        let errors = answer["installabilityErrors"].as_array().cloned().unwrap_or_default();
        if errors.is_empty() || std::time::Instant::now() > deadline {
            break errors;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    };
    assert!(errors.is_empty(), "Chromium would not install the app: {errors:?}");
    let manifest = browser.cdp("Page.getAppManifest", serde_json::json!({})).await.unwrap();
    assert!(manifest["errors"].as_array().is_none_or(|e| e.is_empty()), "{manifest}");
    browser.close().await.unwrap();
}
