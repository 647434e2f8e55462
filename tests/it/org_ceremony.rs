//! The organisation's set-up ceremony and a relay that never holds the organisation
//! key: `amanat org init` on an "offline" folder, key holders added there, the keyring
//! installed on a relay's data dir and served by `amanat serve` without `--demo`. The
//! relay refuses to start beside the key or without a keyring, and `keyring install`
//! refuses anything but a newer, valid keyring from the same organisation key.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use amanat_tests::support::relay::{amanat_binary, RelayProcess};
use shared::keyring::{fingerprint, HolderRole, Keyring, OrgPublicKey, OrgSigningKey, Validity};

const PASS_VAR: &str = "AMANAT_TEST_ORG_PASSPHRASE";

/// `amanat <args> --data <data>`, with the passphrase variable set to `passphrase`.
fn run(data: &Path, args: &[&str], passphrase: Option<&str>) -> Output {
    let mut cmd = Command::new(amanat_binary());
    cmd.args(args).arg("--data").arg(data).env_remove("AMANAT_LOG").env_remove(PASS_VAR).stdin(Stdio::null());
    if let Some(p) = passphrase {
        cmd.env(PASS_VAR, p);
    }
    cmd.output().expect("amanat runs")
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "failed: {}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn refused(o: &Output) -> String {
    assert!(!o.status.success(), "should have been refused: {}", String::from_utf8_lossy(&o.stdout));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The offline computer's ceremony folder, after `amanat org init`.
struct Offline {
    dir: PathBuf,
    passphrase: Option<&'static str>,
    init_output: String,
}

impl Offline {
    fn init(parent: &Path, name: &str, passphrase: Option<&'static str>) -> Self {
        let dir = parent.join(name);
        let mut args = vec!["org", "init", "--out", dir.to_str().unwrap(), "--organisation", name];
        if passphrase.is_some() {
            args.extend(["--passphrase-env", PASS_VAR]);
        }
        let init_output = ok(&run(&dir, &args, passphrase));
        Offline { dir, passphrase, init_output }
    }

    fn key_file(&self) -> PathBuf {
        self.dir.join("org-signing.key")
    }

    fn keyring_file(&self) -> PathBuf {
        self.dir.join("keyring.json")
    }

    fn public(&self) -> OrgPublicKey {
        std::fs::read_to_string(self.dir.join("org.pub")).unwrap().trim().parse().unwrap()
    }

    /// `amanat --data DIR keyring <args> --org-key DIR/org-signing.key`, the production flow.
    fn keyring(&self, args: &[&str]) -> Output {
        let key = self.key_file();
        let mut all = vec!["keyring"];
        all.extend_from_slice(args);
        all.extend(["--org-key", key.to_str().unwrap()]);
        if self.passphrase.is_some() {
            all.extend(["--passphrase-env", PASS_VAR]);
        }
        run(&self.dir, &all, self.passphrase)
    }

    fn add_adviser(&self, label: &str) -> String {
        let r = shared::seal::generate_identity().to_public().to_string();
        ok(&self.keyring(&["add", "--label", label, "--role", "adviser", "--recipient", &r]));
        r
    }

    fn current(&self) -> Keyring {
        Keyring::from_json(&std::fs::read(self.keyring_file()).unwrap()).unwrap()
    }
}

fn install(data: &Path, file: &Path) -> Output {
    run(data, &["keyring", "install", file.to_str().unwrap()], None)
}

/// Runs `amanat serve` (no `--demo`) on `data` and expects it to exit refusing; a
/// relay that starts instead is killed and the test fails.
fn serve_refusal(data: &Path) -> String {
    let mut child = Command::new(amanat_binary())
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .env_remove("AMANAT_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            assert!(!status.success(), "serve exited successfully");
            return String::from_utf8_lossy(&out.stderr).into_owned();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!("amanat serve started instead of refusing: {}", String::from_utf8_lossy(&out.stdout));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_administrator_sets_up_offline_and_the_relay_serves_a_keyring_it_holds_no_key_for() {
    let tmp = tempfile::tempdir().unwrap();
    let offline = Offline::init(tmp.path(), "Oila Yordam", Some("a long offline passphrase"));
    let fp = fingerprint(&offline.public().to_string());
    assert!(offline.init_output.contains(&fp), "org init prints the fingerprint: {}", offline.init_output);
    #[cfg(unix)]
    for secret in ["org-signing.key", "recovery-identity.txt"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(offline.dir.join(secret)).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{secret} is owner-only");
    }
    let v1 = offline.current();
    assert_eq!((v1.version, v1.recipients.len()), (1, 1));
    assert_eq!(v1.recipients[0].role, HolderRole::Recovery);
    assert_eq!(v1.expires_at.unwrap() - v1.issued_at.unwrap(), 90 * 86_400);

    // A second ceremony in the same folder writes nothing.
    let before = std::fs::read(offline.key_file()).unwrap();
    let again =
        run(&offline.dir, &["org", "init", "--out", offline.dir.to_str().unwrap(), "--organisation", "Other"], None);
    assert!(refused(&again).contains("already exists"));
    assert_eq!(std::fs::read(offline.key_file()).unwrap(), before);

    let adviser = offline.add_adviser("Adviser Dilnoza");
    let shown = ok(&run(&offline.dir, &["keyring", "show"], None));
    assert!(shown.contains("version 2") && shown.contains(" days left)"), "{shown}");

    // Only keyring.json goes to the relay.
    let relay_dir = tempfile::tempdir().unwrap();
    let data = relay_dir.path().join("data");
    let copied = relay_dir.path().join("keyring.json");
    std::fs::copy(offline.keyring_file(), &copied).unwrap();
    let installed = ok(&install(&data, &copied));
    assert!(installed.contains(&fp), "the first install prints the signer's fingerprint: {installed}");

    let relay = RelayProcess::start_on(relay_dir, data.clone(), &[]);
    let served: Keyring = reqwest::get(relay.url("/api/v1/keyring")).await.unwrap().json().await.unwrap();
    let verified = served.verify(&offline.public()).expect("the served keyring verifies against org.pub");
    assert_eq!(verified.version(), 2);
    assert!(served.recipients.iter().any(|h| h.recipient == adviser));
    assert!(!relay.stdout_text().contains("demo"), "no demo organisation: {}", relay.stdout_text());
    assert_eq!(backend::org_key::find_in_data_dir(&data), None, "the relay holds no organisation key");
}

#[test]
fn serve_refuses_to_start_without_a_keyring_or_beside_the_organisation_key() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let why = serve_refusal(&data);
    assert!(why.contains("no installed keyring") && why.contains("org init") && why.contains("--demo"), "{why}");
    assert!(!data.exists(), "nothing was made in the data directory");

    // A relay set up properly, then the key copied into its data dir (plain), or into
    // its demo folder (protected): the relay will not start beside either.
    let plain = Offline::init(tmp.path(), "Plain Org", None);
    ok(&install(&data, &plain.keyring_file()));
    let stray = data.join("org-signing.key");
    std::fs::copy(plain.key_file(), &stray).unwrap();
    let why = serve_refusal(&data);
    assert!(why.contains(stray.to_str().unwrap()) && why.contains("offline"), "{why}");
    std::fs::remove_file(&stray).unwrap();

    let protected = Offline::init(tmp.path(), "Protected Org", Some("pass"));
    std::fs::create_dir_all(data.join("demo")).unwrap();
    let stray = data.join("demo/backup-of-the-key.txt");
    std::fs::copy(protected.key_file(), &stray).unwrap();
    let why = serve_refusal(&data);
    assert!(why.contains(stray.to_str().unwrap()), "{why}");
}

#[test]
fn install_refuses_another_organisations_keyring_an_older_one_an_expired_one_and_a_tampered_one() {
    let tmp = tempfile::tempdir().unwrap();
    let offline = Offline::init(tmp.path(), "Org A", None);
    assert!(offline.init_output.contains("WARNING"), "no passphrase is warned about");
    let data = tmp.path().join("relay");
    let v1_copy = tmp.path().join("v1.json");
    std::fs::copy(offline.keyring_file(), &v1_copy).unwrap();
    ok(&install(&data, &offline.keyring_file()));
    offline.add_adviser("Adviser");
    let second = ok(&install(&data, &offline.keyring_file()));
    assert!(!second.contains("First keyring"), "{second}");
    let installed = || std::fs::read(data.join("keyring.json")).unwrap();
    let good = installed();

    let why = refused(&install(&data, &v1_copy));
    assert!(why.contains("older than the installed version 2"), "{why}");

    let other = Offline::init(tmp.path(), "Org B", None);
    other.add_adviser("B adviser");
    other.add_adviser("B adviser 2");
    let why = refused(&install(&data, &other.keyring_file()));
    assert!(why.contains("another organisation key"), "{why}");

    let tampered = tmp.path().join("tampered.json");
    let text = std::fs::read_to_string(offline.keyring_file()).unwrap().replace("\"version\": 2", "\"version\": 3");
    std::fs::write(&tampered, text).unwrap();
    let why = refused(&install(&data, &tampered));
    assert!(why.contains("altered after signing"), "{why}");

    let key = OrgSigningKey::from_file(&std::fs::read_to_string(offline.key_file()).unwrap()).unwrap();
    let now = backend::keyring_file::now();
    let stale = Validity { issued_at: now - 100 * 86_400, expires_at: now - 86_400 };
    let current = offline.current();
    let expired = Keyring::sign(5, &current.organisation, current.recipients, stale, &key);
    let expired_file = tmp.path().join("expired.json");
    std::fs::write(&expired_file, expired.to_json()).unwrap();
    let why = refused(&install(&data, &expired_file));
    assert!(why.contains("expired"), "{why}");

    assert_eq!(installed(), good, "no refusal changed the installed keyring");
}

#[test]
fn renew_extends_the_expiry_keeps_the_version_and_is_installed_as_newer() {
    let tmp = tempfile::tempdir().unwrap();
    let offline = Offline::init(tmp.path(), "Org R", None);
    offline.add_adviser("Adviser");
    let before = offline.current();
    let data = tmp.path().join("relay");
    ok(&install(&data, &offline.keyring_file()));

    assert!(refused(&offline.keyring(&["renew", "--days", "0"])).contains("0"));
    assert!(refused(&offline.keyring(&["renew", "--days", "401"])).contains("401"));
    // Signed within the same second as the installed one, it would not be newer.
    std::thread::sleep(Duration::from_millis(1100));
    ok(&offline.keyring(&["renew", "--days", "200"]));
    let after = offline.current();
    assert_eq!((after.version, &after.recipients), (before.version, &before.recipients));
    assert!(after.issued_at > before.issued_at);
    assert_eq!(after.expires_at.unwrap() - after.issued_at.unwrap(), 200 * 86_400);
    after.verify(&offline.public()).unwrap();
    ok(&install(&data, &offline.keyring_file()));
    let why = refused(&install(&data, &offline.keyring_file()));
    assert!(why.contains("not newer"), "the same keyring twice: {why}");

    // Another organisation's key cannot renew it.
    let other = Offline::init(tmp.path(), "Org S", None);
    let renew_with_other =
        run(&offline.dir, &["keyring", "renew", "--org-key", other.key_file().to_str().unwrap()], None);
    assert!(refused(&renew_with_other).contains("not by the key in"));

    // Near its end, `show` says so, and so does the relay's log at start.
    std::thread::sleep(Duration::from_millis(1100));
    ok(&offline.keyring(&["renew", "--days", "5"]));
    let shown = ok(&run(&offline.dir, &["keyring", "show"], None));
    assert!(shown.contains("EXPIRES SOON") && !shown.contains("EXPIRED"), "{shown}");
    ok(&install(&data, &offline.keyring_file()));
    let relay_dir = tempfile::tempdir().unwrap();
    let relay_data = relay_dir.path().join("data");
    std::fs::create_dir_all(&relay_data).unwrap();
    std::fs::copy(data.join("keyring.json"), relay_data.join("keyring.json")).unwrap();
    let relay = RelayProcess::start_on(relay_dir, relay_data, &[]);
    assert!(relay.server_errors().iter().any(|l| l.contains("expires soon")), "{}", relay.stderr_text());
}

#[test]
fn a_protected_key_opens_only_with_the_right_passphrase_and_other_files_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let offline = Offline::init(tmp.path(), "Org P", Some("correct horse battery"));
    let key_text = std::fs::read_to_string(offline.key_file()).unwrap();
    assert!(!key_text.contains(shared::keyring::SECRET_PREFIX), "the key is not in the clear");
    let before = std::fs::read(offline.keyring_file()).unwrap();
    let key = offline.key_file();
    let r = shared::seal::generate_identity().to_public().to_string();
    let add = |extra: &[&str], pass: Option<&str>| {
        let mut args = vec!["keyring", "add", "--label", "X", "--role", "adviser", "--recipient", &r];
        args.extend_from_slice(extra);
        run(&offline.dir, &args, pass)
    };
    let key_arg = ["--org-key", key.to_str().unwrap()];

    let wrong = add(&[&key_arg[..], &["--passphrase-env", PASS_VAR]].concat(), Some("correct horse batterY"));
    assert!(refused(&wrong).contains("passphrase") && refused(&wrong).contains("wrong"));
    let no_terminal = add(&key_arg, None);
    assert!(refused(&no_terminal).contains("--passphrase-env"));
    let public = offline.dir.join("org.pub");
    let given_public = add(&["--org-key", public.to_str().unwrap()], None);
    assert!(refused(&given_public).contains("PUBLIC key"));
    let recovery = offline.dir.join("recovery-identity.txt");
    let given_identity = add(&["--org-key", recovery.to_str().unwrap()], None);
    assert!(refused(&given_identity).contains("age identity"));
    assert_eq!(std::fs::read(offline.keyring_file()).unwrap(), before, "nothing changed");

    ok(&add(&[&key_arg[..], &["--passphrase-env", PASS_VAR]].concat(), Some("correct horse battery")));
    assert_eq!(offline.current().version, 2);
}

/// The entries of a folder, by name, with their bytes (files) or `None` (folders).
fn snapshot(dir: &Path) -> Vec<(String, Option<Vec<u8>>)> {
    let mut all: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let bytes = e.file_type().unwrap().is_file().then(|| std::fs::read(e.path()).unwrap());
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    all.sort();
    all
}

/// `amanat org init --out DIR` run under a file-size limit of `max_file_bytes` (util-linux
/// `prlimit`): the first file larger than that fails to be written, as on a disk that
/// fills up midway. With `crash` the kernel's SIGXFSZ kills the process at that write
/// (a crash midway); without, the signal is ignored and the write fails with EFBIG (an
/// error midway).
fn init_under_file_size_limit(dir: &Path, max_file_bytes: u64, crash: bool) -> Output {
    let trap = if crash { "" } else { "trap '' XFSZ; " };
    Command::new("sh")
        .arg("-c")
        .arg(format!("{trap}exec prlimit --fsize={max_file_bytes} -- \"$@\""))
        .arg("sh")
        .arg(amanat_binary())
        .args(["org", "init", "--organisation", "Half Made", "--out"])
        .arg(dir)
        .env_remove("AMANAT_LOG")
        .env_remove(PASS_VAR)
        .stdin(Stdio::null())
        .output()
        .expect("sh runs")
}

#[test]
fn org_init_is_all_or_nothing_a_used_folder_is_refused_and_a_failure_midway_leaves_no_half_made_folder() {
    let tmp = tempfile::tempdir().unwrap();

    // A folder already in use (here by someone's notes) is refused and left as it was.
    let used = tmp.path().join("used");
    std::fs::create_dir(&used).unwrap();
    std::fs::write(used.join("notes.txt"), "the USB stick's own notes\n").unwrap();
    let before = snapshot(&used);
    let why = refused(&run(&used, &["org", "init", "--out", used.to_str().unwrap(), "--organisation", "X"], None));
    assert!(why.contains("not empty") && why.contains("Nothing was written"), "{why}");
    assert_eq!(snapshot(&used), before, "the used folder is untouched");

    // An empty folder (a fresh mount point's subfolder, say) is used as it is.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    ok(&run(&empty, &["org", "init", "--out", empty.to_str().unwrap(), "--organisation", "E"], None));
    let made: Vec<String> = snapshot(&empty).into_iter().map(|(name, _)| name).collect();
    assert_eq!(made, ["keyring.json", "org-signing.key", "org.pub", "recovery-identity.txt", "settings.toml"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&empty).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the ceremony folder is owner-only");
    }

    // The signed keyring (about 470 bytes) is larger than every other file (at most
    // about 220): under a 300-byte limit, writing it fails after the others were written.
    let parent = tmp.path().join("stick");
    std::fs::create_dir(&parent).unwrap();
    let out = parent.join("org");
    let failed = init_under_file_size_limit(&out, 300, false);
    assert!(!failed.status.success(), "org init succeeded under the limit: {failed:?}");
    let why = String::from_utf8_lossy(&failed.stderr).into_owned();
    assert!(why.contains("Nothing was written"), "{why}");
    assert!(!out.exists(), "a failed org init left a half-made {}", out.display());
    assert_eq!(snapshot(&parent), [], "nothing is left beside it either");

    // Killed midway (SIGXFSZ at the same write): no half-made folder under the name
    // either; what the dead process was writing is a hidden folder beside it, which the
    // next run names, and the next run succeeds.
    let crashed = init_under_file_size_limit(&out, 300, true);
    assert!(!crashed.status.success(), "the process was not killed: {crashed:?}");
    assert!(!out.exists(), "a crashed org init left a half-made {}", out.display());
    let leftovers: Vec<String> = snapshot(&parent).into_iter().map(|(name, _)| name).collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    let next = run(&out, &["org", "init", "--out", out.to_str().unwrap(), "--organisation", "Whole"], None);
    ok(&next);
    let warned = String::from_utf8_lossy(&next.stderr);
    assert!(warned.contains(&leftovers[0]) && warned.contains("did not finish"), "{warned}");
    assert!(out.join("keyring.json").exists());
}
