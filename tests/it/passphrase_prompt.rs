//! The organisation key's passphrase typed at a real terminal: `amanat org init` run in
//! a pseudo-terminal (`support::terminal`) asks for it twice without echo, asks again
//! when the two differ and gives up, writing nothing, after three differing pairs; the
//! key it writes opens only with that passphrase, typed at `amanat keyring add`'s
//! prompt or given by `--passphrase-env`; and the passphrase never shows on the screen.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use amanat_tests::support::relay::amanat_binary;
use amanat_tests::support::terminal::Terminal;
use backend::org_key::{self, KeyFileKind};
use shared::keyring::{fingerprint, Keyring, SECRET_PREFIX};

const NEW: &str = "Passphrase to protect the organisation key (empty: none): ";
const AGAIN: &str = "The same passphrase again: ";
const DIFFER: &str = "The two passphrases differ; try again.";
const EXISTING: &str = "Passphrase for ";
/// What the administrator types; distinctive enough that any echo of it is found.
const PASSPHRASE: &str = "tulip-orchard-1987-quince";
const TYPO: &str = "tulip-orchard-1987-quinze";
const VAR: &str = "AMANAT_TEST_PROMPT_PASSPHRASE";

fn org_init_at_a_terminal(out: &Path) -> Terminal {
    let out = out.to_str().unwrap();
    Terminal::start(&amanat_binary(), &["org", "init", "--out", out, "--organisation", "Pty Org"], &[])
}

fn keyring_add_args<'a>(dir: &'a str, key: &'a str, recipient: &'a str) -> Vec<&'a str> {
    vec![
        "--data",
        dir,
        "keyring",
        "add",
        "--org-key",
        key,
        "--label",
        "Adviser",
        "--role",
        "adviser",
        "--recipient",
        recipient,
    ]
}

/// `amanat keyring add` without a terminal, the passphrase (if any) from `--passphrase-env`.
fn keyring_add_without_terminal(dir: &str, key: &str, recipient: &str, passphrase: Option<&str>) -> Output {
    let mut cmd = Command::new(amanat_binary());
    cmd.args(keyring_add_args(dir, key, recipient)).env_remove("AMANAT_LOG").env_remove(VAR).stdin(Stdio::null());
    if let Some(p) = passphrase {
        cmd.args(["--passphrase-env", VAR]).env(VAR, p);
    }
    cmd.output().unwrap()
}

fn never_shows_the_passphrase(screen: &str) {
    for secret in [PASSPHRASE, TYPO, "quince", "quinze"] {
        assert!(!screen.contains(secret), "the terminal showed {secret:?}:\n{screen}");
    }
}

#[test]
fn the_org_key_passphrase_is_typed_twice_unseen_asked_again_on_a_mismatch_and_then_needed_to_sign() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("org");

    let mut term = org_init_at_a_terminal(&dir);
    term.answer(NEW, 1, PASSPHRASE);
    term.answer(AGAIN, 1, TYPO);
    term.wait_for(DIFFER, 1);
    term.answer(NEW, 2, PASSPHRASE);
    term.answer(AGAIN, 2, PASSPHRASE);
    let (status, screen) = term.finish();
    assert!(status.success(), "org init failed:\n{screen}");
    assert!(screen.contains("protected by your passphrase") && !screen.contains("WARNING"), "{screen}");
    let public = std::fs::read_to_string(dir.join("org.pub")).unwrap();
    assert!(screen.contains(&fingerprint(public.trim())), "the fingerprint is shown:\n{screen}");
    never_shows_the_passphrase(&screen);

    // The key on disk is sealed to the passphrase: no key in the clear, and it opens
    // with that passphrase (to the key whose public half is org.pub), not with the typo.
    let key_path = dir.join("org-signing.key");
    let text = std::fs::read_to_string(&key_path).unwrap();
    assert_eq!(org_key::classify(&text), KeyFileKind::Protected);
    assert!(!text.contains(SECRET_PREFIX) && !text.contains(PASSPHRASE));
    let opened = org_key::open(&key_path, |_| Ok(PASSPHRASE.into())).expect("it opens with the passphrase");
    assert_eq!(opened.public().to_string(), public.trim());
    assert!(org_key::open(&key_path, |_| Ok(TYPO.into())).is_err());

    // Signing with it: refused without the passphrase (no terminal), with a wrong one
    // (from the environment, or typed), and the keyring stays version 1; typed right at
    // the prompt, it signs version 2.
    let (d, k) = (dir.to_str().unwrap(), key_path.to_str().unwrap());
    let recipient = shared::seal::generate_identity().to_public().to_string();
    let version = || Keyring::from_json(&std::fs::read(dir.join("keyring.json")).unwrap()).unwrap().version;
    let no_terminal = keyring_add_without_terminal(d, k, &recipient, None);
    assert!(!no_terminal.status.success());
    assert!(String::from_utf8_lossy(&no_terminal.stderr).contains("--passphrase-env"), "{no_terminal:?}");
    let wrong_env = keyring_add_without_terminal(d, k, &recipient, Some(TYPO));
    assert!(!wrong_env.status.success() && String::from_utf8_lossy(&wrong_env.stderr).contains("wrong"));
    let mut term = Terminal::start(&amanat_binary(), &keyring_add_args(d, k, &recipient), &[]);
    term.answer(EXISTING, 1, TYPO);
    let (status, screen) = term.finish();
    assert!(!status.success() && screen.contains("wrong"), "{screen}");
    never_shows_the_passphrase(&screen);
    assert_eq!(version(), 1, "no refusal signed anything");

    let mut term = Terminal::start(&amanat_binary(), &keyring_add_args(d, k, &recipient), &[]);
    term.answer(EXISTING, 1, PASSPHRASE);
    let (status, screen) = term.finish();
    assert!(status.success(), "keyring add with the typed passphrase failed:\n{screen}");
    never_shows_the_passphrase(&screen);
    assert_eq!(version(), 2);
}

#[test]
fn three_differing_pairs_give_up_writing_nothing_and_an_empty_passphrase_is_warned_about() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("org");
    let mut term = org_init_at_a_terminal(&dir);
    for n in 1..=3 {
        term.answer(NEW, n, PASSPHRASE);
        term.answer(AGAIN, n, TYPO);
    }
    let (status, screen) = term.finish();
    assert!(!status.success(), "org init went on:\n{screen}");
    assert_eq!(screen.matches(DIFFER).count(), 3, "{screen}");
    assert!(screen.contains("typed differently 3 times") && screen.contains("Nothing was written"), "{screen}");
    never_shows_the_passphrase(&screen);
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0, "nothing was written");

    // Enter at the first prompt: no passphrase, said loudly, the key in the clear.
    let mut term = org_init_at_a_terminal(&dir);
    term.answer(NEW, 1, "");
    let (status, screen) = term.finish();
    assert!(status.success(), "{screen}");
    assert!(!screen.contains(AGAIN) && screen.contains("NOT protected") && screen.contains("WARNING"), "{screen}");
    let text = std::fs::read_to_string(dir.join("org-signing.key")).unwrap();
    assert_eq!(org_key::classify(&text), KeyFileKind::Plain);
}
