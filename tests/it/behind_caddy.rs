//! The deployment of docs/deploy.md, for real: Debian's Caddy terminates TLS in front
//! of `amanat serve --secure-cookies --trusted-proxy 127.0.0.1`. Through it the app
//! arrives compressed, every answer carries HSTS, the session cookie is a `Secure`
//! `__Host-` cookie, and a stranger's wrong sign-ins from one address (127.0.0.2) make
//! that address wait while a caseworker at another (127.0.0.1) signs in: Caddy forwards
//! the client's address and the relay believes only Caddy. In headless Chromium (told
//! to trust Caddy's local CA by its key hash) a caseworker enrols a family over HTTPS
//! with the `__Host-` session cookie and an adviser reads it. The shipped
//! `deploy/Caddyfile` parses.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use amanat_tests::support::driver::{free_port, wait_for_port, Browser};
use amanat_tests::support::relay::{workspace_root, RelayProcess};
use amanat_tests::support::turns::heavy_story;

/// Where Caddy answers, and the CA that signed its certificate.
#[derive(Clone)]
struct Tls {
    port: u16,
    root_ca: std::path::PathBuf,
}

struct Caddy {
    child: Child,
    tls: Tls,
    _dir: tempfile::TempDir,
}

impl Drop for Caddy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Caddy on `https://localhost:<port>` with its own local CA, proxying to `upstream`.
fn caddy(upstream: &str) -> Caddy {
    let dir = tempfile::tempdir().unwrap();
    let (port, http_port) = (free_port(), free_port());
    let data = dir.path().join("caddy-data");
    let config = format!(
        "{{\n\tadmin off\n\tskip_install_trust\n\tauto_https disable_redirects\n\thttp_port {http_port}\n\thttps_port {port}\n\tstorage file_system {data}\n}}\n\
         https://localhost:{port} {{\n\ttls internal\n\treverse_proxy {upstream}\n}}\n",
        data = data.display(),
        upstream = upstream.trim_start_matches("http://"),
    );
    let file = dir.path().join("Caddyfile");
    std::fs::write(&file, config).unwrap();
    let child = Command::new("caddy")
        .args(["run", "--adapter", "caddyfile", "--config"])
        .arg(&file)
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.path().join("caddy.log")).unwrap())
        .spawn()
        .expect("caddy runs (Debian package caddy; cargo xtask test installs it)");
    wait_for_port(port, Duration::from_secs(30)).unwrap();
    let root_ca = data.join("pki/authorities/local/root.crt");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !root_ca.is_file() {
        assert!(std::time::Instant::now() < deadline, "Caddy made no local CA");
        std::thread::sleep(Duration::from_millis(100));
    }
    Caddy { child, tls: Tls { port, root_ca }, _dir: dir }
}

/// `curl` over TLS, trusting Caddy's CA only, from `source`: status line and headers,
/// then the body.
fn curl(tls: &Tls, source: &str, args: &[&str], path: &str) -> Output {
    Command::new("curl")
        .args(["-sS", "--max-time", "60", "--interface", source, "--cacert"])
        .arg(&tls.root_ca)
        .args(["-D", "-"])
        .args(args)
        .arg(format!("https://localhost:{}{path}", tls.port))
        .output()
        .expect("curl runs")
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_lowercase()
}

fn sign_in(tls: &Tls, source: &str, token: &str) -> Output {
    let body = format!(r#"{{"name":"demo-caseworker","token":"{token}"}}"#);
    curl(tls, source, &["-H", "content-type: application/json", "--data", &body], "/api/v1/session")
}

#[test]
fn behind_caddy_the_app_is_compressed_cookies_are_secure_and_limits_count_each_client() {
    let relay =
        RelayProcess::start_with_app(&["--secure-cookies", "--trusted-proxy", "127.0.0.1", "--trusted-proxy", "::1"]);
    let caddy = caddy(&relay.base);

    // The app's main module, compressed, through TLS; HSTS on every answer.
    let dist = amanat_tests::support::relay::workspace_root().join("dist");
    let main_wasm = format!("/{}", amanat_tests::support::relay::built_name(&dist, "amanat_bg.wasm"));
    let wasm = curl(&caddy.tls, "127.0.0.1", &["-H", "accept-encoding: br, gzip", "-o", "/dev/null"], &main_wasm);
    let head = text(&wasm);
    assert!(head.starts_with("http/2 200") || head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("content-encoding: br"), "{head}");
    assert!(head.contains("strict-transport-security: max-age="), "{head}");

    // A stranger at 127.0.0.2 guesses tokens until made to wait.
    let guesses: Vec<_> = (0..21)
        .map(|_| {
            let tls = caddy.tls.clone();
            std::thread::spawn(move || text(&sign_in(&tls, "127.0.0.2", "amt_0123456789abcdef_guess")))
        })
        .collect();
    let answers: Vec<String> = guesses.into_iter().map(|g| g.join().unwrap()).collect();
    assert!(answers.iter().any(|a| a.contains(" 429")), "the stranger waits: {answers:?}");

    // The caseworker at 127.0.0.1 is not held back, and gets a Secure __Host- cookie.
    let token = relay.demo_file("caseworker.token");
    let ok = text(&sign_in(&caddy.tls, "127.0.0.1", &token));
    assert!(ok.contains(" 200"), "{ok}");
    let cookie = ok.lines().find(|l| l.starts_with("set-cookie:")).expect("a session cookie");
    assert!(
        cookie.contains("__host-amanat_session=") && cookie.contains("secure") && cookie.contains("httponly"),
        "{cookie}"
    );
}

/// The base64 SHA-256 of the public key of Caddy's intermediate CA (which signs the
/// certificate it serves, and comes with it): what Chromium's
/// `--ignore-certificate-errors-spki-list` trusts.
fn intermediate_spki(tls: &Tls) -> String {
    let cert = tls.root_ca.with_file_name("intermediate.crt");
    let script = format!(
        "openssl x509 -in '{}' -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64",
        cert.display()
    );
    let out = Command::new("sh").args(["-c", &script]).output().expect("openssl runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[tokio::test]
async fn through_caddy_a_caseworker_enrols_a_family_over_https_and_an_adviser_reads_it_in_chromium() {
    let _turn = heavy_story();
    let relay =
        RelayProcess::start_with_app(&["--secure-cookies", "--trusted-proxy", "127.0.0.1", "--trusted-proxy", "::1"]);
    let caddy = caddy(&relay.base);
    let origin = format!("https://localhost:{}", caddy.tls.port);
    let trust = vec![format!("--ignore-certificate-errors-spki-list={}", intermediate_spki(&caddy.tls))];

    let caseworker = Browser::start_with_flags(&trust).await.unwrap();
    let link = format!("{origin}/#enrol={}", relay.demo_file("caseworker-enrolment.txt"));
    caseworker.enrol(&link, "demo-caseworker", Browser::DEMO_PASSPHRASE).await.unwrap();
    let cookies = caseworker.cdp("Network.getCookies", serde_json::json!({ "urls": [origin] })).await.unwrap();
    let session = cookies["cookies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "__Host-amanat_session")
        .unwrap_or_else(|| panic!("a __Host- session cookie: {cookies}"));
    assert_eq!((session["secure"].as_bool(), session["httpOnly"].as_bool()), (Some(true), Some(true)));
    assert_eq!(session["path"], "/");
    caseworker.fill_intake("Qodirova", "Zarina Qodirova").await.unwrap();
    caseworker.open_part("outbox").await.unwrap();
    caseworker.wait_for("li.outbox-entry[data-state=uploaded]", 60).await.unwrap();
    let worker = caseworker
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; navigator.serviceWorker.ready.then(r => done(!!r.active));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(worker, serde_json::json!(true), "the service worker runs on the HTTPS origin");
    caseworker.close().await.unwrap();

    let adviser = Browser::start_with_flags(&trust).await.unwrap();
    adviser.goto(&format!("{origin}/adviser")).await.unwrap();
    adviser.sign_in("demo-adviser", &relay.demo_file("adviser.token")).await.unwrap();
    let identity = relay.data.join("demo/adviser-identity.txt");
    adviser.wait_for("#identity-file", 20).await.unwrap().send_keys(identity.to_str().unwrap()).await.unwrap();
    adviser.wait_for_text("Qodirova", 60).await.unwrap();
    adviser.screenshot("behind-caddy-adviser").await.unwrap();
    let log = relay.stdout_text() + &relay.stderr_text();
    assert!(!log.contains("Qodirova"), "the relay's log holds no family's name");
}

#[test]
fn the_shipped_caddyfile_parses() {
    let out = Command::new("caddy")
        .args(["adapt", "--adapter", "caddyfile", "--config"])
        .arg(workspace_root().join("deploy/Caddyfile"))
        .output()
        .expect("caddy runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = json.to_string();
    assert!(text.contains("127.0.0.1:8080") && text.contains("amanat.example.org"), "{text}");
}

#[test]
fn the_shipped_unit_runs_the_relay_hardened_as_its_own_user() {
    let unit = std::fs::read_to_string(Path::new(&workspace_root()).join("deploy/amanat.service")).unwrap();
    let exec = unit.lines().find(|l| l.starts_with("ExecStart=")).unwrap().to_owned();
    // The flags the unit passes are real flags: `--check-config` accepts them.
    let continued: String = unit
        .split("ExecStart=")
        .nth(1)
        .unwrap()
        .lines()
        .take_while(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.trim_end_matches('\\').trim().to_owned())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(exec.contains("/opt/amanat/bin/amanat"));
    let args: Vec<&str> = continued.split_whitespace().skip(1).collect();
    let data = tempfile::tempdir().unwrap();
    let args: Vec<String> = args
        .iter()
        .map(|a| if *a == "/var/lib/amanat" { data.path().display().to_string() } else { (*a).to_owned() })
        .collect();
    let out = Command::new(amanat_tests::support::relay::amanat_binary())
        .args(&args)
        .args(["--check-config", "--demo"])
        .env_remove("AMANAT_CONFIG")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let settings = String::from_utf8_lossy(&out.stdout);
    assert!(settings.contains("secure-cookies = true  # flag"), "{settings}");
    assert!(settings.contains("trusted-proxy = [\"127.0.0.1\", \"::1\"]  # flag"), "{settings}");
    for hardening in [
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "StateDirectory=amanat",
        "User=amanat",
        "CapabilityBoundingSet=",
    ] {
        assert!(unit.lines().any(|l| l == hardening), "{hardening} missing from deploy/amanat.service");
    }
}
