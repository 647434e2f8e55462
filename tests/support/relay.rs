//! Relay scenes: a real relay on 127.0.0.1 with the demo organisation, in one line.
//!
//! [`Relay::start`] makes a temporary data directory, makes the demo organisation
//! through the library (as `amanat demo init` does), and serves it in-process on a
//! free port in a background task; tests talk to it over real HTTP with reqwest. It
//! knows the demo tokens and the keyring, so a test can seal valid entries with
//! `shared` and open them with the demo adviser identity.
//!
//! [`amanat`] runs the built `amanat` binary on a data directory, and
//! [`RelayProcess`] runs `amanat serve` as a child process (for what only a process
//! shows: its stderr log, its flags). How the binary is found: see [`amanat_binary`].

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use backend::demo::{self, DemoFiles};
use backend::{AppState, Config};
use shared::api::{Role, CASE_HEADER};
use shared::authorship::AuthorKey;
use shared::keyring::{Keyring, OrgSigningKey, VerifiedKeyring};
use shared::seal::{self, Identity, Recipient};
use shared::CaseId;

/// A running in-process relay with the demo organisation.
pub struct Relay {
    /// `http://127.0.0.1:<port>`
    pub base: String,
    pub data: PathBuf,
    pub demo: DemoFiles,
    pub caseworker_token: String,
    pub adviser_token: String,
    /// Opens every entry sealed to the keyring.
    pub adviser_identity: Identity,
    /// The demo caseworker's own recipient (added to every sealed entry, as the app does).
    pub caseworker_identity: Identity,
    pub state: AppState,
    pub http: reqwest::Client,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _dir: tempfile::TempDir,
}

impl Relay {
    /// A relay with default settings (and no built app: `dist` is an empty folder).
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// A relay whose settings `tweak` may change (`max_body`, `page_size`, `dist_dir`…).
    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let data = dir.path().join("data");
        let mut config = Config { data_dir: data.clone(), dist_dir: dir.path().join("dist"), ..Config::default() };
        tweak(&mut config);
        place_test_org_key(&data);
        let state = AppState::open(config).await.expect("the store opens");
        let demo = demo::init(state.store()).await.expect("the demo organisation is made");

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let addr: SocketAddr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(backend::serve_on(listener, state.clone(), async {
            let _ = rx.await;
        }));

        let read = |p: &Path| std::fs::read_to_string(p).unwrap().trim().to_owned();
        let adviser_identity = seal::parse_identity_file(&read(&demo.adviser_identity)).unwrap().remove(0);
        Relay {
            base: format!("http://{addr}"),
            caseworker_token: read(&demo.caseworker_token),
            adviser_token: read(&demo.adviser_token),
            adviser_identity,
            caseworker_identity: seal::generate_identity(),
            data,
            demo,
            state,
            http: reqwest::Client::new(),
            shutdown: Some(tx),
            task: Some(task),
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Enrols another account and returns its bearer token.
    pub async fn add_user(&self, name: &str, role: Role) -> String {
        backend::accounts::add_user(self.state.store(), name, role).await.unwrap();
        backend::accounts::issue_token(self.state.store(), name).await.unwrap()
    }

    /// The organisation key of the demo organisation.
    pub fn org_key(&self) -> OrgSigningKey {
        OrgSigningKey::from_file(&std::fs::read_to_string(&self.demo.org_key).unwrap()).unwrap()
    }

    /// The keyring as stored now, checked against the demo organisation key.
    pub fn keyring(&self) -> VerifiedKeyring {
        let bytes = std::fs::read(self.data.join("keyring.json")).unwrap();
        Keyring::from_json(&bytes).unwrap().verify(&self.org_key().public()).unwrap()
    }

    /// Seals `plaintext` as the app does: to the keyring and the caseworker's own key.
    pub fn seal(&self, plaintext: &[u8]) -> Vec<u8> {
        self.keyring().seal(plaintext, &[self.caseworker_recipient()]).unwrap().into_bytes()
    }

    pub fn caseworker_recipient(&self) -> Recipient {
        self.caseworker_identity.to_public()
    }

    /// `PUT /api/v1/entries/{id}` with `token`, the case header and the bytes.
    pub async fn put_as(&self, token: &str, id: &str, case: &str, bytes: Vec<u8>) -> reqwest::Response {
        self.http
            .put(self.url(&format!("/api/v1/entries/{id}")))
            .bearer_auth(token)
            .header(CASE_HEADER, case)
            .header("content-type", "application/octet-stream")
            .body(bytes)
            .send()
            .await
            .expect("the relay answers")
    }

    /// Uploads bytes as the demo caseworker under their own id.
    pub async fn put(&self, case: &CaseId, bytes: Vec<u8>) -> reqwest::Response {
        let id = shared::EntryId::of(&bytes).to_string();
        self.put_as(&self.caseworker_token.clone(), &id, &case.to_string(), bytes).await
    }

    /// `GET path` with a bearer token.
    pub async fn get_as(&self, token: &str, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).bearer_auth(token).send().await.expect("the relay answers")
    }

    /// Stops serving (finishing requests in flight) and closes the store.
    pub async fn stop(mut self) {
        self.stop_inner().await;
    }

    async fn stop_inner(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// An HTTP client whose connections come from `from` (another loopback address, such
/// as 127.0.0.2: Linux routes all of 127.0.0.0/8 to the loopback device), so the relay
/// on 127.0.0.1 sees a second client address, as it would see a stranger elsewhere.
pub fn client_from(from: std::net::IpAddr) -> reqwest::Client {
    reqwest::Client::builder().local_address(from).build().expect("a reqwest client")
}

/// The workspace root (the folder holding `Cargo.lock`).
/// The name a built app file has in `dist` (`amanat_bg.wasm` → `amanat_bg.<tag>.wasm`:
/// the build names its immutable files by their content, `xtask/src/hashed_names.rs`);
/// a file kept under its own name (`index.html`, `sw.js`) is itself.
pub fn built_name(dist: &Path, plain: &str) -> String {
    if dist.join(plain).is_file() {
        return plain.to_owned();
    }
    let (stem, ext) = plain.rsplit_once('.').expect("a file name with an extension");
    let mut found: Vec<String> = std::fs::read_dir(dist)
        .unwrap_or_else(|e| panic!("{}: {e}", dist.display()))
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.starts_with(&format!("{stem}.")) && n.ends_with(&format!(".{ext}")))
        .filter(|n| shared::release::is_content_tagged(n))
        .collect();
    assert_eq!(found.len(), 1, "one built {plain} in {}: {found:?}", dist.display());
    found.remove(0)
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ is inside the workspace").to_owned()
}

/// Copies the built app (`dist/`) into `to`, for a story that changes or re-signs it.
pub fn copy_dist(to: &Path) {
    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let target = to.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                copy_dir(&e.path(), &target);
            } else {
                std::fs::copy(e.path(), &target).unwrap();
            }
        }
    }
    copy_dir(&workspace_root().join("dist"), to)
}

/// The `amanat` binary of this build.
///
/// Cargo only gives `CARGO_BIN_EXE_*` to tests of the binary's own package, so this
/// runs `cargo build -p amanat-backend --bin amanat` once per test process (a no-op
/// when it is fresh, and it keeps a stale binary from being tested) with the same
/// profile and target directory as the running test, then takes the binary from
/// `target/<profile>/`, the parent of the test executable's `deps/` folder.
pub fn amanat_binary() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let exe = std::env::current_exe().expect("the test executable's path");
        let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>/deps/<test>");
        let target_dir = profile_dir.parent().expect("target/<profile>");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.current_dir(workspace_root())
            .args(["build", "--quiet", "-p", "amanat-backend", "--bin", "amanat", "--target-dir"])
            .arg(target_dir);
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("cargo runs");
        assert!(status.success(), "building the amanat binary failed");
        let bin = profile_dir.join(format!("amanat{}", std::env::consts::EXE_SUFFIX));
        assert!(bin.is_file(), "{} was not built", bin.display());
        bin
    })
    .clone()
}

/// Runs `amanat <args> --data <data>` to completion.
pub fn amanat(data: &Path, args: &[&str]) -> Output {
    Command::new(amanat_binary())
        .args(args)
        .arg("--data")
        .arg(data)
        .env_remove("AMANAT_LOG")
        .output()
        .expect("amanat runs")
}

/// stdout of a finished command, as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The organisation key the test build of the app pins (`cargo xtask test` builds with
/// `--org-key tests/fixtures/test-org.pub`), in the file it signs with.
pub fn test_org_key_file() -> PathBuf {
    workspace_root().join("tests/fixtures/test-org-signing.key")
}

/// Puts the tests' organisation key where the demo organisation looks for one, so a
/// demo relay signs its keyring with the key the test build pins.
pub fn place_test_org_key(data: &Path) {
    let files = DemoFiles::in_data_dir(data);
    std::fs::create_dir_all(&files.dir).unwrap();
    std::fs::copy(test_org_key_file(), &files.org_key).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&files.dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        std::fs::set_permissions(&files.org_key, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

/// `amanat serve` as a child process, its stdout and stderr appended to files.
pub struct RelayProcess {
    pub base: String,
    pub data: PathBuf,
    pub stdout: PathBuf,
    pub stderr: PathBuf,
    args: Vec<std::ffi::OsString>,
    port: u16,
    child: Child,
    _dir: tempfile::TempDir,
}

impl RelayProcess {
    /// Starts `amanat serve --demo` on a fresh (empty) data dir with extra flags (the
    /// demo organisation signs with the tests' key); waits until it says it is
    /// listening and accepts connections.
    pub fn start(extra_args: &[&str]) -> Self {
        Self::start_in(None, extra_args)
    }

    /// Like [`Self::start`], serving the built app from the workspace's `dist/`
    /// (`cargo xtask build` makes it; `cargo xtask test` builds it first).
    pub fn start_with_app(extra_args: &[&str]) -> Self {
        let dist = workspace_root().join("dist");
        assert!(
            dist.join("index.html").is_file(),
            "{} has no app: run `cargo xtask build` (or `cargo xtask test`)",
            dist.display()
        );
        Self::start_in(Some(dist), extra_args)
    }

    /// Like [`Self::start`], serving the app files in `dist` (the benches serve their
    /// own build).
    pub fn start_in(dist: Option<PathBuf>, extra_args: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        place_test_org_key(&data);
        let mut args = vec!["--demo"];
        args.extend_from_slice(extra_args);
        Self::launch(dir, data, dist, &args)
    }

    /// Starts `amanat serve` WITHOUT `--demo` on `data`, a production data dir (a keyring
    /// installed with `amanat keyring install`, no organisation key), which `dir` holds.
    pub fn start_on(dir: tempfile::TempDir, data: PathBuf, extra_args: &[&str]) -> Self {
        Self::launch(dir, data, None, extra_args)
    }

    fn launch(dir: tempfile::TempDir, data: PathBuf, dist: Option<PathBuf>, extra_args: &[&str]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut args: Vec<std::ffi::OsString> =
            ["serve", "--listen", &format!("127.0.0.1:{port}"), "--dist"].iter().map(Into::into).collect();
        args.push(dist.unwrap_or_else(|| dir.path().join("dist")).into());
        args.push("--data".into());
        args.push(data.clone().into());
        args.extend(extra_args.iter().map(Into::into));
        let (stdout, stderr) = (dir.path().join("stdout.log"), dir.path().join("stderr.log"));
        let child = spawn(&args, &stdout, &stderr);
        let p = RelayProcess {
            base: format!("http://127.0.0.1:{port}"),
            data,
            stdout,
            stderr,
            args,
            port,
            child,
            _dir: dir,
        };
        p.wait_until_listening(1);
        p
    }

    fn wait_until_listening(&self, times: usize) {
        let deadline = Instant::now() + Duration::from_secs(30);
        // It prints "listening on" just before it starts answering.
        while self.stdout_text().matches("listening on").count() < times
            || std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err()
        {
            assert!(Instant::now() < deadline, "amanat serve did not start: {}", self.stderr_text());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills the relay at once (SIGKILL: no shutdown), as a crash or power cut would.
    pub fn crash(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts it again on the same data dir and port (after [`Self::crash`] or
    /// [`Self::terminate`]).
    pub fn restart(&mut self) {
        let starts = self.stdout_text().matches("listening on").count();
        self.child = spawn(&self.args, &self.stdout, &self.stderr);
        self.wait_until_listening(starts + 1);
    }

    /// Starts it again on the same data dir and port with `flag` set to `value` (replaced
    /// if it was given before, added if not): `--quota-bytes` raised by the administrator.
    pub fn restart_with(&mut self, flag: &str, value: &str) {
        match self.args.iter().position(|a| a == flag) {
            Some(i) if i + 1 < self.args.len() => self.args[i + 1] = value.into(),
            _ => self.args.extend([flag.into(), value.into()]),
        }
        self.terminate();
        self.restart();
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A file the demo organisation wrote, trimmed (tokens).
    pub fn demo_file(&self, name: &str) -> String {
        std::fs::read_to_string(self.data.join("demo").join(name)).unwrap().trim().to_owned()
    }

    /// The keyring as stored now, checked against the demo organisation key (the
    /// stories seal entries natively to it, as the app would).
    pub fn keyring(&self) -> VerifiedKeyring {
        let org_key = std::fs::read_to_string(self.data.join("demo/org-signing.key")).unwrap();
        let org = OrgSigningKey::from_file(&org_key).unwrap();
        let bytes = std::fs::read(self.data.join("keyring.json")).unwrap();
        Keyring::from_json(&bytes).unwrap().verify(&org.public()).unwrap()
    }

    /// An author key for the demo caseworker, approved in this relay's roster with the
    /// tests' organisation key (`tests/fixtures/test-org-signing.key`, placed as the
    /// demo organisation's) through `backend::roster_file::approve`, what `amanat roster
    /// approve` does after the fingerprints were compared in person. For stories that
    /// mean "a real caseworker wrote this": documents signed with it
    /// ([`AuthorKey::sign_document`]) read as *verified author* and count.
    pub fn approved_caseworker_author(&self) -> AuthorKey {
        self.approved_author_for(demo::CASEWORKER)
    }

    /// An author key approved for `name` in this relay's roster, as
    /// [`Self::approved_caseworker_author`] does for the demo caseworker.
    pub fn approved_author_for(&self, name: &str) -> AuthorKey {
        let author = AuthorKey::generate();
        let key_file = self.data.join("demo/org-signing.key");
        let org = OrgSigningKey::from_file(&std::fs::read_to_string(&key_file).unwrap()).unwrap();
        backend::roster_file::approve(&self.data, &org, &key_file, name, &author.public()).unwrap();
        author
    }

    /// The relay serves the keyring's holders re-signed by `org` as `version`, valid for
    /// `validity`: another organisation's key (a relay forging its own keyring), an
    /// older version (a rollback) or dates in the past (a stale keyring). The relay
    /// reads `keyring.json` on every request, so this takes effect at once.
    pub fn serve_keyring_signed(&self, org: &OrgSigningKey, version: u64, validity: shared::keyring::Validity) {
        let path = self.data.join("keyring.json");
        let current = Keyring::from_json(&std::fs::read(&path).unwrap()).unwrap();
        let signed = Keyring::sign(version, &current.organisation, current.recipients, validity, org);
        std::fs::write(&path, signed.to_json()).unwrap();
    }

    /// The organisation settings as stored now (`DATA/settings.json`, made by the demo
    /// organisation with the tests' key).
    pub fn org_settings(&self) -> shared::org_settings::OrgSettings {
        shared::org_settings::OrgSettings::from_json(&std::fs::read(self.data.join("settings.json")).unwrap()).unwrap()
    }

    /// The relay serves `facts` signed by `org` as its organisation settings: another
    /// key (a relay forging its own operator details) or an older version (a rollback).
    /// The relay reads `settings.json` on every request, so this takes effect at once.
    pub fn serve_settings_signed(&self, org: &OrgSigningKey, facts: shared::org_settings::SettingsFacts) {
        let signed = shared::org_settings::OrgSettings::sign(facts, org);
        std::fs::write(self.data.join("settings.json"), signed.to_json()).unwrap();
    }

    /// How many ciphertexts the relay holds (files under `DATA/blobs/`).
    pub fn count_entries(&self) -> usize {
        fn walk(dir: &Path) -> usize {
            std::fs::read_dir(dir)
                .map_or(0, |rd| rd.flatten().map(|e| if e.path().is_dir() { walk(&e.path()) } else { 1 }).sum())
        }
        walk(&self.data.join("blobs"))
    }

    /// The tests' organisation key, the one the test build of the app pins.
    pub fn test_org_key() -> OrgSigningKey {
        OrgSigningKey::from_file(&std::fs::read_to_string(test_org_key_file()).unwrap()).unwrap()
    }

    /// The relay slips a recipient of its own into the keyring it serves, without the
    /// organisation's signature: what a compromised relay would try.
    pub fn slip_a_recipient_into_the_keyring(&self) {
        let path = self.data.join("keyring.json");
        let mut keyring: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        keyring["recipients"].as_array_mut().unwrap().push(serde_json::json!({
            "label": "curious relay",
            "role": "adviser",
            "recipient": seal::generate_identity().to_public().to_string(),
        }));
        std::fs::write(&path, serde_json::to_vec_pretty(&keyring).unwrap()).unwrap();
    }

    /// `GET /api/v1/entries/{id}` with `token`: the stored bytes (a refusal panics).
    pub async fn fetch(&self, token: &str, id: &str) -> Vec<u8> {
        reqwest::Client::new()
            .get(self.url(&format!("/api/v1/entries/{id}")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .to_vec()
    }

    pub fn stdout_text(&self) -> String {
        std::fs::read_to_string(&self.stdout).unwrap_or_default()
    }

    pub fn stderr_text(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// The lines of its stderr log that say something went wrong on the relay: every
    /// answer with a 5xx status and every warning or error (a 500's cause is logged as
    /// an error just before its request line). Never record content: the relay logs none.
    pub fn server_errors(&self) -> Vec<String> {
        self.stderr_text()
            .lines()
            .filter(|l| l.contains(" ERROR ") || l.contains(" WARN ") || l.contains(" status=5"))
            .map(str::to_owned)
            .collect()
    }

    /// Sends SIGTERM (graceful shutdown) and waits for the process to exit.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        #[cfg(unix)]
        {
            let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        }
        #[cfg(not(unix))]
        let _ = self.child.kill();
        self.child.wait().unwrap()
    }
}

fn spawn(args: &[std::ffi::OsString], stdout: &Path, stderr: &Path) -> Child {
    let append = |p: &Path| std::fs::OpenOptions::new().create(true).append(true).open(p).unwrap();
    Command::new(amanat_binary())
        .args(args)
        .env_remove("AMANAT_LOG")
        .stdin(Stdio::null())
        .stdout(append(stdout))
        .stderr(append(stderr))
        .spawn()
        .expect("amanat serve starts")
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // A story that fails shows what the relay logged (the cause behind an HTTP 500 is
        // only there): the last lines, which hold no record content (the relay never logs any).
        if std::thread::panicking() {
            let log = self.stderr_text();
            let lines: Vec<&str> = log.lines().collect();
            let tail = lines[lines.len().saturating_sub(60)..].join("\n");
            eprintln!(
                "--- amanat serve stderr (last {} of {} lines) ---\n{tail}\n---",
                lines.len().min(60),
                lines.len()
            );
        }
    }
}
