//! The app served from an origin the relay operator does not control (issue 13, point
//! 6): the shipped `deploy/app.Caddyfile` serves a copy of the test build from one
//! port, signed by the organisation with the relay's origin in it (`amanat release sign
//! --relay-origin`), and `amanat serve --app-origin` runs the API on another. In
//! headless Chromium a caseworker enrols and saves a family that reaches the relay
//! across origins, with her session cookie, and an adviser reads it there.
//!
//! As the attacker: a page on a third origin of the same site (so the browser does send
//! the session cookie) gets no CORS answer: it cannot read an API answer, its
//! preflighted write is never sent, and a write that needs no preflight is refused by
//! the relay's origin check; the same read from the app's origin succeeds. The relay
//! itself serves no copy of the app. An `index.html` whose relay origin is changed
//! without the organisation's signature is caught by the service worker (the alarm,
//! the kept copy) and named by the privacy page's app check like any other file.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use amanat_tests::support::driver::{free_port, wait_for_port, Browser};
use amanat_tests::support::relay::{amanat, copy_dist, test_org_key_file, workspace_root, Relay, RelayProcess};
use amanat_tests::support::turns::heavy_story;
use shared::origin::WebOrigin;

struct Caddy {
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Caddy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The shipped `deploy/app.Caddyfile`, imported under test-only global options (no
/// admin endpoint, no certificates), serving `root` on `http://127.0.0.1:<port>`.
fn app_host(root: &Path, port: u16, relay_origin: &str) -> Caddy {
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "{{\n\tadmin off\n\tauto_https off\n\tstorage file_system {}\n}}\nimport {}\n",
        dir.path().join("caddy-data").display(),
        workspace_root().join("deploy/app.Caddyfile").display()
    );
    let file = dir.path().join("Caddyfile");
    std::fs::write(&file, config).unwrap();
    let child = Command::new("caddy")
        .args(["run", "--adapter", "caddyfile", "--config"])
        .arg(&file)
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path())
        .env("AMANAT_APP_ADDRESS", format!("http://127.0.0.1:{port}"))
        .env("AMANAT_APP_ROOT", root)
        .env("AMANAT_RELAY_ORIGIN", relay_origin)
        .env("AMANAT_APP_LOG", dir.path().join("access.log"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.path().join("caddy.log")).unwrap())
        .spawn()
        .expect("caddy runs (Debian package caddy; cargo xtask test installs it)");
    if wait_for_port(port, Duration::from_secs(30)).is_err() {
        panic!("caddy did not start: {}", std::fs::read_to_string(dir.path().join("caddy.log")).unwrap_or_default());
    }
    Caddy { child, _dir: dir }
}

/// A stranger's page on `http://127.0.0.1:<port>`: any request gets a blank HTML page.
fn stranger_page(port: u16) {
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let body = "<!doctype html><title>elsewhere</title><p>a stranger's page</p>";
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
}

/// Runs `body` (an async function body that ends with `return {...}`) in the page,
/// returning what it returned.
async fn in_page(browser: &Browser, body: &str) -> serde_json::Value {
    let script = format!(
        "const done = arguments[arguments.length - 1]; (async () => {{ {body} }})().then(done, (e) => done({{ thrown: String(e) }}));"
    );
    browser.client.execute_async(&script, vec![]).await.unwrap()
}

/// What a page may do with the relay: read the entries list, delete the session
/// (preflighted), and renew the session with a bodiless POST (no preflight).
fn attempts(relay: &str) -> String {
    format!(
        "const out = {{}};
         try {{ const r = await fetch('{relay}/api/v1/entries', {{ credentials: 'include', cache: 'no-store' }}); out.read = r.status; }}
         catch (e) {{ out.read = 'blocked'; }}
         try {{ const r = await fetch('{relay}/api/v1/session', {{ method: 'DELETE', credentials: 'include' }}); out.delete = r.status; }}
         catch (e) {{ out.delete = 'blocked'; }}
         try {{ await fetch('{relay}/api/v1/session/renew', {{ method: 'POST', credentials: 'include', mode: 'no-cors' }}); out.renew = 'sent'; }}
         catch (e) {{ out.renew = 'failed'; }}
         return out;"
    )
}

#[tokio::test]
async fn the_app_on_its_own_host_talks_to_the_relay_that_allows_that_origin_only() {
    let _turn = heavy_story();
    let (app_port, stranger_port) = (free_port(), free_port());
    let app_origin = format!("http://127.0.0.1:{app_port}");
    let stranger = format!("http://127.0.0.1:{stranger_port}");
    let relay = RelayProcess::start(&["--app-origin", &app_origin, "--uploads-per-hour", "0"]);

    // The organisation signs a copy of the build for this relay (in a folder whose name
    // has no leading dot: the Caddyfile hides dotfiles, folders too).
    let app = tempfile::Builder::new().prefix("amanat-app").tempdir().unwrap();
    copy_dist(app.path());
    let key = test_org_key_file();
    let dir = app.path().to_str().unwrap();
    let signed = amanat(
        app.path(),
        &["release", "sign", dir, "--relay-origin", &relay.base, "--org-key", key.to_str().unwrap()],
    );
    assert!(signed.status.success(), "{}", String::from_utf8_lossy(&signed.stderr));
    let index = std::fs::read_to_string(app.path().join("index.html")).unwrap();
    assert_eq!(shared::origin::in_index(&index), Some(Ok(WebOrigin::parse(&relay.base).unwrap())));
    let host = app_host(app.path(), app_port, &relay.base);
    stranger_page(stranger_port);

    // The relay serves no app: `/` points at the app's origin, app files are not found.
    let http = reqwest::Client::new();
    let front = http.get(relay.url("/")).send().await.unwrap();
    assert_eq!(front.status(), 404, "a kept service worker passes it through");
    let front = front.text().await.unwrap();
    assert!(front.contains(&format!("href=\"{app_origin}/\"")) && !front.contains("boot"), "{front}");
    for file in ["/sw.js", "/hashes.txt", "/release.sig", "/favicon.svg"] {
        assert_eq!(http.get(relay.url(file)).send().await.unwrap().status(), 404, "{file}");
    }
    // CORS: the app's origin is answered, with credentials; a stranger's is not.
    let preflight = |origin: &str| {
        http.request(reqwest::Method::OPTIONS, relay.url("/api/v1/entries/00"))
            .header("origin", origin)
            .header("access-control-request-method", "PUT")
            .header("access-control-request-headers", "content-type, amanat-case")
            .send()
    };
    let ok = preflight(&app_origin).await.unwrap();
    assert_eq!(ok.status(), 204);
    let h = ok.headers();
    assert_eq!(h["access-control-allow-origin"], app_origin.as_str());
    assert_eq!(h["access-control-allow-credentials"], "true");
    assert!(h["access-control-allow-methods"].to_str().unwrap().contains("PUT"));
    assert!(h["access-control-allow-headers"].to_str().unwrap().contains("amanat-case"));
    assert_eq!(h["access-control-max-age"], "600");
    let refused = preflight(&stranger).await.unwrap();
    assert_eq!(refused.status(), 403);
    assert!(!refused.headers().contains_key("access-control-allow-origin"));
    let health = http.get(relay.url("/api/v1/health")).header("origin", &stranger).send().await.unwrap();
    assert!(!health.headers().contains_key("access-control-allow-origin"), "nothing for another origin");
    assert!(health.headers().get_all("vary").iter().any(|v| v.to_str().unwrap().contains("Origin")));

    // The app's host: the strict CSP with the relay as the one other place to connect.
    let page = http.get(format!("{app_origin}/adviser")).send().await.unwrap();
    assert_eq!(page.status(), 200, "{:?}", page.headers());
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert_eq!(
        csp,
        backend::headers::CSP.replace("connect-src 'self'", &format!("connect-src 'self' {}", relay.base)),
        "the app host's CSP is the relay's, with connect-src naming the relay"
    );
    assert_eq!(page.headers()["cache-control"], "no-cache");
    let wasm = amanat_tests::support::relay::built_name(app.path(), "amanat_bg.wasm");
    let code = http.get(format!("{app_origin}/{wasm}")).header("accept-encoding", "br").send().await.unwrap();
    assert_eq!(code.status(), 200);
    assert_eq!(code.headers()["content-encoding"], "br", "the build's Brotli twin");
    assert_eq!(code.headers()["cache-control"], backend::web::IMMUTABLE, "a content-tagged file is kept for good");
    assert_eq!(code.headers()["content-type"], "application/wasm");

    // A caseworker enrols on the app's host and saves a family; it reaches the relay.
    let caseworker = Browser::start().await.unwrap();
    let link = format!("{app_origin}/#enrol={}", relay.demo_file("caseworker-enrolment.txt"));
    caseworker.enrol(&link, "demo-caseworker", Browser::DEMO_PASSPHRASE).await.unwrap();
    caseworker.fill_intake("Yusupova", "Madina Yusupova").await.unwrap();
    caseworker.open_part("outbox").await.unwrap();
    caseworker.wait_for("li.outbox-entry[data-state=uploaded]", 90).await.unwrap();
    assert_eq!(relay.count_entries(), 1, "the entry is on the relay");
    let worker = in_page(&caseworker, "const r = await navigator.serviceWorker.ready; return !!r.active;").await;
    assert_eq!(worker, serde_json::json!(true), "the service worker runs on the app's origin");

    // From the app's origin, this browser's session reads the relay.
    let from_app = in_page(
        &caseworker,
        &format!("const r = await fetch('{}/api/v1/entries', {{ credentials: 'include', cache: 'no-store' }}); return r.status;", relay.base),
    )
    .await;
    assert_eq!(from_app, serde_json::json!(200), "the app's origin reads with the session cookie");

    // The stranger's page, in another tab of the same browser (the app's tab stays, so
    // its session does): same site, so the cookie goes along, yet it reads nothing, its
    // preflighted write is never sent, and its simple write is refused.
    let refusals =
        |log: &str| log.lines().filter(|l| l.contains("/api/v1/session/renew") && l.contains("status=403")).count();
    let before = refusals(&(relay.stdout_text() + &relay.stderr_text()));
    let app_tab = caseworker.client.window().await.unwrap();
    caseworker.client.new_window(true).await.unwrap();
    let other = caseworker.client.windows().await.unwrap().into_iter().find(|h| *h != app_tab).unwrap();
    caseworker.client.switch_to_window(other).await.unwrap();
    caseworker.client.goto(&format!("{stranger}/")).await.unwrap();
    let tried = in_page(&caseworker, &attempts(&relay.base)).await;
    assert_eq!(tried["read"], "blocked", "{tried}");
    assert_eq!(tried["delete"], "blocked", "{tried}");
    // The renewal is sent (the browser then hides the answer, CORP same-origin).
    assert!(tried["renew"] == "sent" || tried["renew"] == "failed", "{tried}");
    let log = relay.stdout_text() + &relay.stderr_text();
    assert_eq!(refusals(&log), before + 1, "the relay refused the stranger's renewal: {log}");
    assert!(
        !log.lines().any(|l| l.contains("route=\"/api/v1/session\"") && l.contains("DELETE")),
        "the preflighted write never reached the relay"
    );
    // Back in the app's tab: the session is whole, and the app's origin still reads.
    caseworker.client.close_window().await.unwrap();
    caseworker.client.switch_to_window(app_tab.clone()).await.unwrap();
    let again = in_page(
        &caseworker,
        &format!("const r = await fetch('{}/api/v1/entries', {{ credentials: 'include', cache: 'no-store' }}); return r.status;", relay.base),
    )
    .await;
    assert_eq!(again, serde_json::json!(200), "the stranger neither ended nor rotated the session");
    // Closing the app's tab signs out across origins too (a keepalive DELETE, preflighted).
    caseworker.client.new_window(true).await.unwrap();
    let spare = caseworker.client.windows().await.unwrap().into_iter().find(|h| *h != app_tab).unwrap();
    caseworker.client.close_window().await.unwrap();
    caseworker.client.switch_to_window(spare).await.unwrap();
    let signed_out = |log: &str| {
        log.lines()
            .any(|l| l.contains("method=DELETE") && l.contains("route=\"/api/v1/session\"") && l.contains("status=204"))
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while !signed_out(&(relay.stdout_text() + &relay.stderr_text())) {
        assert!(Instant::now() < deadline, "the closed tab's sign-out reached the relay: {}", relay.stderr_text());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    caseworker.close().await.unwrap();

    // An adviser reads the family on the app's host.
    let adviser = Browser::start().await.unwrap();
    adviser.goto(&format!("{app_origin}/adviser")).await.unwrap();
    adviser.sign_in("demo-adviser", &relay.demo_file("adviser.token")).await.unwrap();
    let identity = relay.data.join("demo/adviser-identity.txt");
    adviser.wait_for("#identity-file", 20).await.unwrap().send_keys(identity.to_str().unwrap()).await.unwrap();
    adviser.wait_for_text("Yusupova", 60).await.unwrap();
    adviser.screenshot("app-on-its-own-origin-adviser").await.unwrap();

    // The privacy page on the app's host: every file is the signed release's.
    adviser.goto(&format!("{app_origin}/privacy")).await.unwrap();
    adviser.click("#privacy-app-run").await.unwrap();
    adviser.wait_for("#privacy-app-summary[data-run='1']", 180).await.unwrap();
    let summary = adviser.wait_for("#privacy-app-summary", 10).await.unwrap();
    assert_eq!(summary.attr("data-bad").await.unwrap().as_deref(), Some("0"));
    let signature = adviser.wait_for("#privacy-app-signature", 10).await.unwrap();
    assert_eq!(signature.attr("data-state").await.unwrap().as_deref(), Some("signed"));

    let controlled = in_page(&adviser, "await navigator.serviceWorker.ready; for (let i = 0; i < 100 && !navigator.serviceWorker.controller; i++) { await new Promise((r) => setTimeout(r, 100)); } return !!navigator.serviceWorker.controller;").await;
    assert_eq!(controlled, serde_json::json!(true), "the service worker keeps the signed app");

    // Someone with the static host points the app at another relay without the
    // organisation's signature: the service worker keeps the signed page and raises the
    // alarm, and the privacy page names index.html.
    let changed = shared::origin::set_in_index(&index, Some(&WebOrigin::parse(&stranger).unwrap()))
        .expect("index.html has the tag");
    std::fs::write(app.path().join("index.html"), changed).unwrap();
    adviser.client.goto(&format!("{app_origin}/privacy")).await.unwrap();
    adviser.wait_for("#integrity-alarm[role=alert]", 60).await.unwrap();
    let alarm = adviser.wait_for("#integrity-alarm", 10).await.unwrap().text().await.unwrap();
    assert!(alarm.contains("/index.html"), "{alarm}");
    let kept = in_page(&adviser, "return document.querySelector('meta[name=amanat-relay]').content;").await;
    assert_eq!(kept, serde_json::json!(relay.base), "the page running is the signed one");
    adviser.choose_language("en").await.unwrap();
    adviser.click("#privacy-app-run").await.unwrap();
    adviser.wait_for("#privacy-app-summary[data-run='1']", 180).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while adviser.count("tr.privacy-app-file[data-path='index.html'][data-match=false]").await.unwrap() != 1 {
        assert!(Instant::now() < deadline, "index.html is named: {}", adviser.page_text().await.unwrap());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    adviser.screenshot("app-on-its-own-origin-changed-relay").await.unwrap();
    drop(host);
}

#[test]
fn a_relay_origin_is_refused_unless_it_is_an_origin_and_the_config_says_what_the_split_needs() {
    let app = tempfile::tempdir().unwrap();
    copy_dist(app.path());
    let key = test_org_key_file();
    let dir = app.path().to_str().unwrap();
    for bad in ["http://relay.example.org", "https://relay.example.org/api", "relay.example.org"] {
        let out =
            amanat(app.path(), &["release", "sign", dir, "--relay-origin", bad, "--org-key", key.to_str().unwrap()]);
        assert!(!out.status.success(), "{bad} refused");
    }
    assert!(!app.path().join("release.sig").exists(), "nothing was signed");

    let data = tempfile::tempdir().unwrap();
    let out = amanat(data.path(), &["serve", "--demo", "--check-config", "--app-origin", "https://app.example.org/"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("app-origin = \"https://app.example.org/\"  # flag"), "{text}");
    assert!(text.contains("CORS, with credentials, for https://app.example.org only"), "{text}");
    assert!(text.contains("SameSite=Strict"), "{text}");
    let from_env = Command::new(amanat_tests::support::relay::amanat_binary())
        .args(["--data", data.path().to_str().unwrap(), "serve", "--demo", "--check-config"])
        .env("AMANAT_APP_ORIGIN", "https://app.example.org")
        .env_remove("AMANAT_CONFIG")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&from_env.stdout)
        .contains("app-origin = \"https://app.example.org\"  # AMANAT_APP_ORIGIN"));
    let plain = amanat(data.path(), &["serve", "--demo", "--check-config", "--app-origin", "http://app.example.org"]);
    assert!(!plain.status.success(), "plain http to a real host is refused");
    let mixed = amanat(
        data.path(),
        &["serve", "--demo", "--check-config", "--secure-cookies", "--app-origin", "http://127.0.0.1:9"],
    );
    assert!(!mixed.status.success(), "an http app for a relay that requires https is refused");
}

#[test]
fn the_shipped_app_host_caddyfile_parses() {
    let out = Command::new("caddy")
        .args(["adapt", "--adapter", "caddyfile", "--config"])
        .arg(workspace_root().join("deploy/app.Caddyfile"))
        .output()
        .expect("caddy runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("app.example.org") && text.contains("connect-src 'self' https://relay.example.org"),
        "{text}"
    );
}

/// The session cookie from a token sign-in (`name=value`).
async fn session_cookie(relay: &Relay, origin: &str) -> String {
    let body = serde_json::json!({ "name": "demo-caseworker", "token": relay.caseworker_token });
    let res = relay.http.post(relay.url("/api/v1/session")).header("origin", origin).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["access-control-allow-origin"], origin, "the app reads its sign-in's answer");
    let set = res.headers()["set-cookie"].to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn the_apps_origin_reads_every_answer_and_only_its_cookie_writes_pass_from_the_same_site() {
    let app: WebOrigin = "https://app.example.org".parse().unwrap();
    let relay = Relay::start_with(|c| c.app_origin = Some(app.clone())).await;
    let from = |method: reqwest::Method, path: &str, origin: &str| {
        relay.http.request(method, relay.url(path)).header("origin", origin).header("sec-fetch-site", "same-site")
    };

    // Refusals carry CORS too, so the app can read the relay's error and its Retry-After.
    let refused = from(reqwest::Method::GET, "/api/v1/entries", app.as_str()).send().await.unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(refused.headers()["access-control-allow-origin"], app.as_str());
    assert_eq!(refused.headers()["access-control-allow-credentials"], "true");
    assert_eq!(refused.headers()["access-control-expose-headers"], "retry-after");
    let unknown = from(reqwest::Method::GET, "/api/v1/nothing", app.as_str()).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
    assert_eq!(unknown.headers()["access-control-allow-origin"], app.as_str());

    // A cookie write from a sibling origin of the same site is refused; from the app's, it passes.
    let cookie = session_cookie(&relay, app.as_str()).await;
    for other in ["https://evil.example.org", "https://app.example.org:8443", "http://app.example.org", "null"] {
        let res = from(reqwest::Method::POST, "/api/v1/session/renew", other).header("cookie", &cookie).send().await;
        let res = res.unwrap();
        assert_eq!(res.status(), 403, "{other}");
        assert!(!res.headers().contains_key("access-control-allow-origin"), "{other}");
    }
    let renewed = from(reqwest::Method::POST, "/api/v1/session/renew", app.as_str()).header("cookie", &cookie);
    assert_eq!(renewed.send().await.unwrap().status(), 200);

    // The relay serves none of the app.
    let page = relay.http.get(relay.url("/privacy")).send().await.unwrap();
    assert_eq!(page.status(), 404);
    assert!(page.text().await.unwrap().contains("https://app.example.org/"));
}
