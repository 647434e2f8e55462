//! Stories: clients that misbehave on purpose. A slow-loris client is cut off and the
//! relay keeps serving others; too many requests get 429 with `Retry-After` and the
//! JSON error; oversized headers, too many headers and overlong query strings are
//! refused before any handler runs.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use amanat_tests::support::relay::Relay;
use reqwest::StatusCode;
use shared::api::ApiError;
use shared::{CaseId, ErrorCode};

fn addr(relay: &Relay) -> String {
    relay.base.trim_start_matches("http://").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_loris_client_is_cut_off_and_others_are_served_meanwhile() {
    let relay = Relay::start_with(|c| c.header_timeout = Duration::from_secs(1)).await;
    let target = addr(&relay);
    let loris = tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(target).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        // Half a header, then nothing.
        s.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: relay\r\nX-Slow: ").unwrap();
        let start = Instant::now();
        let mut buf = [0u8; 1024];
        let n = s.read(&mut buf).unwrap_or(0);
        (start.elapsed(), String::from_utf8_lossy(&buf[..n]).into_owned())
    });
    // While the slow client hangs, others are answered at once.
    for _ in 0..5 {
        let t = Instant::now();
        let res = relay.http.get(relay.url("/api/v1/health")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(t.elapsed() < Duration::from_millis(500), "a normal client waited {:?}", t.elapsed());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (waited, answer) = loris.await.unwrap();
    assert!(waited < Duration::from_secs(3), "the slow client was held {waited:?}");
    assert!(!answer.contains("200 OK"), "the half header was answered as a request: {answer}");
    relay.stop().await;
}

#[tokio::test]
async fn a_body_that_stalls_midway_is_cut_off_and_nothing_is_stored() {
    let relay = Relay::start_with(|c| c.body_timeout = Duration::from_millis(500)).await;
    let bytes = relay.seal(b"stalled upload");
    let id = shared::EntryId::of(&bytes).to_string();
    let head = format!(
        "PUT /api/v1/entries/{id} HTTP/1.1\r\nHost: relay\r\nAuthorization: Bearer {}\r\nAmanat-Case: {}\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
        relay.caseworker_token,
        CaseId::random(),
        bytes.len()
    );
    let target = addr(&relay);
    let (waited, answer) = tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(target).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(&bytes[..bytes.len() / 2]).unwrap();
        let start = Instant::now();
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        (start.elapsed(), String::from_utf8_lossy(&out).into_owned())
    })
    .await
    .unwrap();
    assert!(waited < Duration::from_secs(5), "the stalled upload was held {waited:?}");
    assert!(!answer.starts_with("HTTP/1.1 20"), "a stalled upload was accepted: {answer}");
    assert_eq!(relay.state.store().all_entries().await.unwrap().len(), 0);
    relay.stop().await;
}

#[tokio::test]
async fn too_many_requests_from_one_address_get_429_with_retry_after_and_a_json_error() {
    let relay = Relay::start_with(|c| c.rate_per_address = 5.0).await;
    // A burst of twice the rate passes, then the address must wait.
    let mut statuses = Vec::new();
    let mut limited = None;
    for _ in 0..20 {
        let res = relay.http.get(relay.url("/api/v1/health")).send().await.unwrap();
        statuses.push(res.status().as_u16());
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(res);
            break;
        }
    }
    let res = limited.unwrap_or_else(|| panic!("never limited: {statuses:?}"));
    assert!(statuses.len() >= 10, "limited too early: {statuses:?}");
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry), "Retry-After {retry}");
    assert!(res.headers().contains_key("x-content-type-options"), "429s carry the security headers too");
    let body: ApiError = res.json().await.unwrap();
    assert_eq!(body.error, ErrorCode::RateLimited);
    // After the wait, the address is served again.
    tokio::time::sleep(Duration::from_secs(retry)).await;
    assert_eq!(relay.http.get(relay.url("/api/v1/health")).send().await.unwrap().status(), StatusCode::OK);
    relay.stop().await;
}

#[tokio::test]
async fn an_account_that_spends_its_budget_gets_429_and_others_are_not_slowed() {
    let relay = Relay::start_with(|c| c.rate_per_account = 3.0).await;
    let mut last = StatusCode::OK;
    for _ in 0..10 {
        last = relay.get_as(&relay.caseworker_token, "/api/v1/entries").await.status();
        if last == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    let res = relay.get_as(&relay.caseworker_token, "/api/v1/entries").await;
    assert!(res.headers().contains_key("retry-after"));
    // Another account (same address) still gets through.
    assert_eq!(relay.get_as(&relay.adviser_token, "/api/v1/entries").await.status(), StatusCode::OK);
    relay.stop().await;
}

#[tokio::test]
async fn a_json_body_over_its_cap_is_refused_413_and_malformed_json_400() {
    let relay = Relay::start().await;
    let huge = serde_json::json!({ "name": "x".repeat(64 * 1024), "token": "t" });
    let res = relay.http.post(relay.url("/api/v1/session")).json(&huge).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(res.json::<ApiError>().await.unwrap().error, ErrorCode::TooLarge);
    let res = relay
        .http
        .post(relay.url("/api/v1/session"))
        .header("content-type", "application/json")
        .body("{\"name\": [")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.json::<ApiError>().await.unwrap().error, ErrorCode::BadRequest);
    relay.stop().await;
}

/// A cross-site HTML form can post `text/plain` or a form encoding, never JSON without
/// a CORS preflight: every JSON route refuses other content types (415 `not_json`).
#[tokio::test]
async fn json_routes_refuse_bodies_that_are_not_declared_json() {
    let relay = Relay::start().await;
    for path in [
        "/api/v1/session",
        "/api/v1/vault/salt",
        "/api/v1/vault/session",
        "/api/v1/vault/enrol",
        "/api/v1/vault/enrol/open",
    ] {
        for ct in [None, Some("text/plain"), Some("application/x-www-form-urlencoded")] {
            let mut req = relay.http.post(relay.url(path)).body(r#"{"name":"demo-caseworker","token":"x","auth":"x"}"#);
            if let Some(ct) = ct {
                req = req.header("content-type", ct);
            }
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{path} {ct:?}");
            assert_eq!(res.json::<ApiError>().await.unwrap().error, ErrorCode::NotJson);
        }
    }
    relay.stop().await;
}

/// A JSON body sent a byte at a time, each within the body timeout, is cut off at the
/// whole-body deadline instead of holding the connection for days.
#[tokio::test]
async fn a_json_body_trickled_slowly_is_cut_off_at_the_whole_body_deadline() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let relay = Relay::start().await;
    let addr = relay.base.trim_start_matches("http://").to_owned();
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/v1/vault/salt HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let started = std::time::Instant::now();
    let deadline = backend::json_body::JSON_BODY_DEADLINE;
    let mut answer = vec![0u8; 1024];
    let n = loop {
        tokio::select! {
            n = s.read(&mut answer) => break n.unwrap_or(0),
            () = tokio::time::sleep(std::time::Duration::from_millis(500)) => {
                assert!(started.elapsed() < deadline * 2, "still reading a trickled body after {:?}", started.elapsed());
                let _ = s.write_all(b" ").await;
            }
        }
    };
    let elapsed = started.elapsed();
    assert!(elapsed >= deadline - std::time::Duration::from_secs(1), "cut off early: {elapsed:?}");
    let text = String::from_utf8_lossy(&answer[..n]);
    assert!(text.starts_with("HTTP/1.1 400"), "{text}");
    relay.stop().await;
}

#[tokio::test]
async fn oversized_headers_too_many_headers_and_long_queries_are_refused() {
    let relay = Relay::start().await;
    let big = "x".repeat(20 * 1024);
    let res = relay.http.get(relay.url("/api/v1/health")).header("x-big", big).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    let mut req = relay.http.get(relay.url("/api/v1/health"));
    for i in 0..100 {
        req = req.header(format!("x-h{i}"), "1");
    }
    assert_eq!(req.send().await.unwrap().status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    let long = format!("/api/v1/entries?case={}", "a".repeat(2000));
    let res = relay.get_as(&relay.adviser_token, &long).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: ApiError = res.json().await.unwrap();
    assert_eq!(body.error, ErrorCode::BadRequest);
    // The relay is still fine.
    assert_eq!(relay.http.get(relay.url("/api/v1/health")).send().await.unwrap().status(), StatusCode::OK);
    relay.stop().await;
}

/// Someone guessing tokens for a real account cannot flood the audit log: ten failed
/// sign-ins are audited at once, then one a minute; every guess is still refused 401
/// no sooner than the failure floor, whether or not it was written down.
#[tokio::test]
async fn failed_token_sign_ins_for_one_account_cannot_flood_the_audit_log() {
    let relay = Relay::start().await;
    for _ in 0..14 {
        let started = Instant::now();
        let res = relay
            .http
            .post(relay.url("/api/v1/session"))
            .json(&serde_json::json!({ "name": "demo-caseworker", "token": "amt_0123456789abcdef_nope" }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert!(started.elapsed() >= backend::vault::routes::FAILURE_FLOOR);
    }
    let events = relay.state.store().audit_events(0, usize::MAX).await.unwrap();
    let failed = events.iter().filter(|(e, _)| e.action == "sign_in_failed").count();
    assert_eq!(failed, 10, "ten audited, the rest only logged");
    relay.stop().await;
}

// ---- what the relay serves from the app directory ----

/// A small built app in `dist`: an index, a wasm file and a catalog, listed in
/// `hashes.txt` as `cargo xtask build` lists them (when `listed`).
fn small_app(dist: &std::path::Path, listed: bool) {
    std::fs::create_dir_all(dist.join("locales")).unwrap();
    std::fs::write(dist.join("index.html"), "<!doctype html><title>Amanat app</title>").unwrap();
    std::fs::write(dist.join("amanat_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(dist.join("locales/en.ftl"), "app-name = Amanat\n").unwrap();
    if listed {
        let list = "0000000000000000000000000000000000000000000000000000000000000000  amanat_bg.wasm\n\
                    0000000000000000000000000000000000000000000000000000000000000000  index.html\n\
                    0000000000000000000000000000000000000000000000000000000000000000  locales/en.ftl\n";
        std::fs::write(dist.join("hashes.txt"), list).unwrap();
    }
}

async fn assert_json_404(res: reqwest::Response, what: &str) {
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "{what}");
    assert_eq!(res.headers()["content-type"], "application/json", "{what}");
    let body: ApiError = res.json().await.unwrap();
    assert_eq!(body.error, ErrorCode::NotFound, "{what}");
}

/// A path no app file can have (a segment over 255 bytes, a path over 4 KB) is a
/// plain 404 before the file system is asked: no 500, no ERROR line anyone could
/// flood the log with.
#[tokio::test]
async fn a_path_too_long_to_name_a_file_is_404_without_an_error_in_the_log() {
    let dist = tempfile::tempdir().unwrap();
    small_app(dist.path(), true);
    let relay = amanat_tests::support::relay::RelayProcess::start_in(Some(dist.path().to_path_buf()), &[]);
    let http = reqwest::Client::new();
    let long_segment = format!("/{}", "a".repeat(256));
    let long_path = format!("/{}", vec!["b".repeat(200); 25].join("/"));
    let long_catalog = format!("/locales/{}.ftl", "c".repeat(300));
    for path in [&long_segment, &long_path, &long_catalog] {
        let res = http.get(relay.url(path)).send().await.unwrap();
        assert_json_404(res, &format!("a path of {} bytes", path.len())).await;
    }
    assert_eq!(http.get(relay.url("/")).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(http.get(relay.url("/amanat_bg.wasm")).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(relay.server_errors(), Vec::<String>::new(), "the relay logged no error");
}

/// Someone (an unpacked archive, a deploy script, a careless admin) leaves a `.env`, a
/// `.git/` and a symlink into the data directory in the served folder: none is served,
/// with the build's list and without it (a dev build), while the app still is.
#[tokio::test]
async fn dotfiles_git_folders_and_symlinks_in_the_app_directory_are_not_served() {
    for listed in [true, false] {
        let mut token_path = std::path::PathBuf::new();
        let relay = Relay::start_with(|c| {
            let dist = c.data_dir.parent().unwrap().join("dist");
            small_app(&dist, listed);
            std::fs::write(dist.join(".env"), "DATABASE_URL=postgres://amanat:secret@db/amanat\n").unwrap();
            std::fs::create_dir_all(dist.join(".git")).unwrap();
            std::fs::write(dist.join(".git/config"), "[remote \"origin\"]\n").unwrap();
            std::fs::create_dir_all(dist.join("assets/.cache")).unwrap();
            std::fs::write(dist.join("assets/.cache/x.js"), "hidden").unwrap();
            // Links into the data directory (made later by the demo), as a file and as
            // a folder on the way.
            token_path = c.data_dir.join("demo/caseworker.token");
            std::os::unix::fs::symlink(&token_path, dist.join("token.txt")).unwrap();
            std::os::unix::fs::symlink(c.data_dir.join("demo"), dist.join("demo")).unwrap();
            if listed {
                // Even a list that names them does not make them servable.
                let mut list = std::fs::read_to_string(dist.join("hashes.txt")).unwrap();
                for name in [".env", ".git/config", "assets/.cache/x.js", "token.txt", "demo/caseworker.token"] {
                    list.push_str(&format!("{}  {name}\n", "0".repeat(64)));
                }
                std::fs::write(dist.join("hashes.txt"), list).unwrap();
            }
            c.dist_dir = dist;
        })
        .await;
        let token = std::fs::read_to_string(&token_path).unwrap();
        for path in [
            "/.env",
            "/.git/config",
            "/.git/",
            "/assets/.cache/x.js",
            "/token.txt",
            "/demo/caseworker.token",
            "/locales/../token.txt",
            "/%2eenv",
            "/%2e%2e/data/demo/caseworker.token",
        ] {
            let res = relay.http.get(relay.url(path)).send().await.unwrap();
            let what = format!("{path} (hashes.txt: {listed})");
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{what}");
            let body = res.text().await.unwrap();
            assert!(!body.contains(token.trim()) && !body.contains("secret"), "{what} leaked: {body}");
        }
        assert_json_404(relay.http.get(relay.url("/.env")).send().await.unwrap(), ".env").await;
        // The app is still served: its pages, its files, its catalogs.
        for path in ["/", "/adviser", "/privacy", "/index.html"] {
            let res = relay.http.get(relay.url(path)).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            assert!(res.text().await.unwrap().contains("Amanat app"), "{path}");
        }
        let wasm = relay.http.get(relay.url("/amanat_bg.wasm")).send().await.unwrap();
        assert_eq!(wasm.status(), StatusCode::OK);
        assert_eq!(wasm.headers()["content-type"], "application/wasm");
        let ftl = relay.http.get(relay.url("/locales/en.ftl")).send().await.unwrap();
        assert_eq!(ftl.status(), StatusCode::OK);
        assert_eq!(ftl.headers()["content-type"], "text/plain; charset=utf-8");
        relay.stop().await;
    }
}

/// With the build's list, only what it names is served, and the list itself (the
/// privacy page compares the served files with it).
#[tokio::test]
async fn with_the_builds_list_only_listed_files_and_the_list_are_served() {
    let relay = Relay::start_with(|c| {
        let dist = c.data_dir.parent().unwrap().join("dist");
        small_app(&dist, true);
        std::fs::write(dist.join("backup.tar"), "not part of the build").unwrap();
        std::fs::write(dist.join("locales/de.ftl"), "app-name = Amanat\n").unwrap();
        c.dist_dir = dist;
    })
    .await;
    assert_json_404(relay.http.get(relay.url("/backup.tar")).send().await.unwrap(), "an unlisted file").await;
    assert_json_404(relay.http.get(relay.url("/locales/de.ftl")).send().await.unwrap(), "an unlisted catalog").await;
    assert_json_404(relay.http.get(relay.url("/no-such-file.js")).send().await.unwrap(), "a missing file").await;
    let list = relay.http.get(relay.url("/hashes.txt")).send().await.unwrap();
    assert_eq!(list.status(), StatusCode::OK);
    assert!(list.text().await.unwrap().contains("  locales/en.ftl"));
    relay.stop().await;
}

/// Every route that reads a JSON body, with the token it needs to get that far: one
/// table, so a new JSON route that skips the shared rules shows up here.
fn json_routes(relay: &Relay) -> Vec<(reqwest::Method, &'static str, Option<String>)> {
    use reqwest::Method;
    vec![
        (Method::POST, "/api/v1/session", None),
        (Method::POST, "/api/v1/vault/enrol", None),
        (Method::POST, "/api/v1/vault/enrol/open", None),
        (Method::POST, "/api/v1/vault/salt", None),
        (Method::POST, "/api/v1/vault/session", None),
        (Method::PUT, "/api/v1/vault/passphrase", Some(relay.caseworker_token.clone())),
        (Method::POST, "/api/v1/entries/read", Some(relay.adviser_token.clone())),
    ]
}

/// The same rules on every JSON route: only `application/json` is read (a wrong type
/// and `application/vnd.api+json` are 415 `not_json`), a body over the route's cap is
/// 413 `too_large`, and a body dribbled a byte at a time is cut at the whole-body
/// deadline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_json_route_keeps_the_same_json_rules() {
    let relay = Relay::start().await;
    let routes = json_routes(&relay);
    // Over every JSON route's cap, well under the 2 MB the bulk read once read.
    let ids: Vec<String> = (0..1500u32).map(|i| shared::EntryId::of(&i.to_be_bytes()).to_string()).collect();
    let over_cap = serde_json::to_vec(&serde_json::json!({ "ids": ids, "name": "x".repeat(4096) })).unwrap();
    assert!(over_cap.len() > 64 * 1024 && over_cap.len() < 1024 * 1024);
    for (method, path, token) in &routes {
        let send = |ct: &'static str, body: Vec<u8>| {
            let mut req = relay.http.request(method.clone(), relay.url(path)).header("content-type", ct).body(body);
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            req.send()
        };
        for ct in ["text/plain", "application/vnd.api+json", "application/json-seq"] {
            let res = send(ct, br#"{"ids":[]}"#.to_vec()).await.unwrap();
            assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{method} {path} {ct}");
            assert_eq!(res.json::<ApiError>().await.unwrap().error, ErrorCode::NotJson, "{path} {ct}");
        }
        let res = send("application/json", over_cap.clone()).await.unwrap();
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE, "{method} {path} over its cap");
        assert_eq!(res.json::<ApiError>().await.unwrap().error, ErrorCode::TooLarge, "{path}");
    }
    // Dribbled, every route at once: each is cut at the deadline, none held past it.
    let deadline = backend::json_body::JSON_BODY_DEADLINE;
    let target = addr(&relay);
    let dribbles = routes.into_iter().map(|(method, path, token)| {
        let target = target.clone();
        tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let mut s = tokio::net::TcpStream::connect(&target).await.unwrap();
            let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
            let head = format!(
                "{method} {path} HTTP/1.1\r\nHost: {target}\r\n{auth}Content-Type: application/json\r\nContent-Length: 4096\r\n\r\n"
            );
            s.write_all(head.as_bytes()).await.unwrap();
            let started = Instant::now();
            let mut answer = vec![0u8; 1024];
            let n = loop {
                tokio::select! {
                    n = s.read(&mut answer) => break n.unwrap_or(0),
                    () = tokio::time::sleep(Duration::from_millis(500)) => {
                        assert!(started.elapsed() < deadline * 2, "{path}: still reading a dribbled body after {:?}", started.elapsed());
                        let _ = s.write_all(b" ").await;
                    }
                }
            };
            (path, started.elapsed(), String::from_utf8_lossy(&answer[..n]).into_owned())
        })
    });
    for d in dribbles.collect::<Vec<_>>() {
        let (path, elapsed, text) = d.await.unwrap();
        assert!(elapsed >= deadline - Duration::from_secs(1), "{path}: cut off early: {elapsed:?}");
        assert!(text.starts_with("HTTP/1.1 400"), "{path}: {text}");
    }
    relay.stop().await;
}

async fn bulk_read(relay: &Relay, ids: &[shared::EntryId]) -> reqwest::Response {
    relay
        .http
        .post(relay.url("/api/v1/entries/read"))
        .bearer_auth(&relay.adviser_token)
        .json(&shared::api::ReadMany { ids: ids.to_vec() })
        .send()
        .await
        .unwrap()
}

async fn entry_read_events(relay: &Relay) -> usize {
    let events = relay.state.store().audit_events(0, usize::MAX).await.unwrap();
    events.iter().filter(|(e, _)| e.action == "entry_read").count()
}

/// One entry asked 500 times once answered 500 copies and wrote 500 audit events:
/// a bulk read naming an id twice is refused whole, before anything is audited.
#[tokio::test]
async fn a_bulk_read_naming_an_entry_twice_is_refused_and_nothing_is_audited() {
    let relay = Relay::start().await;
    let bytes = relay.seal(b"asked many times");
    assert_eq!(relay.put(&CaseId::random(), bytes.clone()).await.status(), StatusCode::CREATED);
    let id = shared::EntryId::of(&bytes);
    let other = shared::EntryId::of(b"never stored");
    for ids in [vec![id, id], vec![id; 500], vec![other, id, other]] {
        let res = bulk_read(&relay, &ids).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{} ids", ids.len());
        assert_eq!(res.json::<ApiError>().await.unwrap().error, ErrorCode::DuplicateIds);
    }
    assert_eq!(entry_read_events(&relay).await, 0, "a refused bulk read audits nothing");
    relay.stop().await;
}

/// The entries one bulk read sends add up to at most `READ_MANY_MAX_BYTES`; more is
/// refused up front (413 `read_too_large`, nothing audited). One entry alone is always
/// sent, whatever its size, as a single read sends it.
#[tokio::test]
async fn a_bulk_read_over_the_byte_cap_is_refused_before_anything_is_audited() {
    let relay = Relay::start().await;
    let half = shared::api::READ_MANY_MAX_BYTES as usize / 2 + 1024;
    let case = CaseId::random();
    let mut ids = Vec::new();
    for fill in [b'a', b'b'] {
        let bytes = relay.seal(&vec![fill; half]);
        assert_eq!(relay.put(&case, bytes.clone()).await.status(), StatusCode::CREATED);
        ids.push(shared::EntryId::of(&bytes));
    }
    let res = bulk_read(&relay, &ids).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(res.json::<ApiError>().await.unwrap().error, ErrorCode::ReadTooLarge);
    assert_eq!(entry_read_events(&relay).await, 0);
    let res = bulk_read(&relay, &ids[..1]).await;
    assert_eq!(res.status(), StatusCode::OK, "one entry alone is sent");
    assert_eq!(entry_read_events(&relay).await, 1);
    relay.stop().await;
}

#[tokio::test]
async fn an_unknown_api_route_says_no_such_route_not_no_such_entry() {
    let relay = Relay::start().await;
    for path in ["/api/v1/nope", "/api", "/api/v2/entries"] {
        let res = relay.http.get(relay.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(res.json::<ApiError>().await.unwrap().error, ErrorCode::NoSuchRoute, "{path}");
    }
    relay.stop().await;
}

/// Sends raw bytes and reads the whole answer (the relay closes or the read times out).
async fn raw(relay: &Relay, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr(relay)).await.unwrap();
    s.write_all(request).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(3), s.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn a_request_with_no_host_or_two_hosts_is_refused_with_the_json_error() {
    let relay = Relay::start().await;
    for request in [
        "GET /api/v1/health HTTP/1.1\r\nConnection: close\r\n\r\n".to_owned(),
        "GET /api/v1/health HTTP/1.1\r\nHost: relay\r\nHost: elsewhere\r\nConnection: close\r\n\r\n".to_owned(),
        "GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\nConnection: close\r\n\r\n".to_owned(),
    ] {
        let answer = raw(&relay, request.as_bytes()).await;
        assert!(answer.starts_with("HTTP/1.1 400"), "{request:?} → {answer}");
        assert!(answer.contains(r#""error":"bad_request""#), "{request:?} → {answer}");
    }
    let answer = raw(&relay, b"GET /api/v1/health HTTP/1.1\r\nHost: relay\r\nConnection: close\r\n\r\n").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    relay.stop().await;
}

/// Requests hyper's parser would refuse (a bare CR or a NUL in a header, two differing
/// `Content-Length`s, `HTTP/1.2`, a head over 16 KiB or 64 fields) are read first by the
/// relay's head guard (`backend::head_guard`), which answers them as every other refusal
/// is answered: the JSON error with the security headers, then the connection closed.
#[tokio::test]
async fn requests_the_parser_refuses_are_answered_with_the_json_error() {
    let relay = Relay::start().await;
    let big = "x".repeat(20 * 1024);
    let many: String = (0..100).map(|i| format!("X-H{i}: 1\r\n")).collect();
    let cases: Vec<(Vec<u8>, &str, &str)> = vec![
        (b"GET /api/v1/health HTTP/1.1\r\nHost: relay\r\nX-A: a\rb\r\n\r\n".to_vec(), "400", "bad_request"),
        (b"GET /api/v1/health HTTP/1.1\r\nHost: relay\r\nX-A: a\0b\r\n\r\n".to_vec(), "400", "bad_request"),
        (
            b"POST /api/v1/session HTTP/1.1\r\nHost: relay\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}"
                .to_vec(),
            "400",
            "bad_request",
        ),
        (
            b"POST /api/v1/session HTTP/1.1\r\nHost: relay\r\nContent-Length: +2\r\n\r\n{}".to_vec(),
            "400",
            "bad_request",
        ),
        (b"GET /api/v1/health HTTP/1.2\r\nHost: relay\r\n\r\n".to_vec(), "400", "bad_request"),
        (b"GET /api/v1/he\x7flth HTTP/1.1\r\nHost: relay\r\n\r\n".to_vec(), "400", "bad_request"),
        (
            format!("GET /api/v1/health HTTP/1.1\r\nHost: relay\r\nX-Big: {big}\r\n\r\n").into_bytes(),
            "431",
            "request_head_too_large",
        ),
        (
            format!("GET /api/v1/health HTTP/1.1\r\nHost: relay\r\n{many}\r\n").into_bytes(),
            "431",
            "request_head_too_large",
        ),
    ];
    for (request, status, code) in cases {
        let answer = raw(&relay, &request).await;
        let shown = String::from_utf8_lossy(&request[..request.len().min(80)]).into_owned();
        assert!(answer.starts_with(&format!("HTTP/1.1 {status} ")), "{shown:?} → {answer}");
        assert!(answer.contains(&format!(r#""error":"{code}""#)), "{shown:?} → {answer}");
        let lower = answer.to_ascii_lowercase();
        assert!(lower.contains("x-content-type-options: nosniff"), "{shown:?} → {answer}");
        assert!(lower.contains("connection: close"), "{shown:?} → {answer}");
    }
    // A bare LF ending a line is a line end (RFC 9112 §2.2), as hyper reads it.
    let answer = raw(&relay, b"GET /api/v1/health HTTP/1.1\nHost: relay\nConnection: close\n\n").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    relay.stop().await;
}

/// The guard reads every request on a kept-alive connection, not only the first, and
/// steps over bodies exactly as hyper does (by `Content-Length` or chunked), so a body
/// that looks like a bad head is never taken for one: after four good requests sent in
/// one write, the fifth (bad) one gets the JSON error; sent later, the same.
#[tokio::test]
async fn a_bad_request_after_good_ones_on_a_kept_alive_connection_gets_the_json_error_too() {
    let relay = Relay::start().await;
    let lookalike = "GET / HTTP/1.2\r\n\r\n";
    let good = [
        "GET /api/v1/health HTTP/1.1\r\nHost: relay\r\n\r\n".to_owned(),
        format!(
            "POST /api/v1/session HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{lookalike}",
            lookalike.len()
        ),
        format!(
            "POST /api/v1/session HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x};ext=1\r\n{lookalike}\r\n0\r\nX-Trailer: 1\r\n\r\n",
            lookalike.len()
        ),
        "GET /api/v1/health HTTP/1.1\nHost: relay\n\n".to_owned(),
    ]
    .concat();
    let bad = "GET /api/v1/health HTTP/1.1\r\nHost: relay\r\nX-A: a\0b\r\n\r\n";
    let statuses = |answer: &str| -> Vec<String> {
        answer.split("HTTP/1.1 ").skip(1).map(|r| r.get(..3).unwrap_or_default().to_owned()).collect()
    };
    // All in one write.
    let answer = raw(&relay, format!("{good}{bad}").as_bytes()).await;
    let got = statuses(&answer);
    assert_eq!(got.len(), 5, "{answer}");
    assert_eq!((got[0].as_str(), got[3].as_str(), got[4].as_str()), ("200", "200", "400"), "{answer}");
    assert!(!got[1..3].contains(&"200".to_owned()), "the lookalike bodies reached the session route: {answer}");
    let last = answer.rsplit("HTTP/1.1 ").next().unwrap();
    assert!(last.contains(r#""error":"bad_request""#), "{answer}");
    // The bad one a moment after the good ones were answered.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr(&relay)).await.unwrap();
    s.write_all(good.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    s.write_all(bad.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(3), s.read_to_end(&mut out)).await;
    let answer = String::from_utf8_lossy(&out).into_owned();
    assert_eq!(statuses(&answer).len(), 5, "{answer}");
    assert!(answer.rsplit("HTTP/1.1 ").next().unwrap().contains(r#""error":"bad_request""#), "{answer}");
    relay.stop().await;
}
