//! Passphrases for the organisation key: asked on the terminal without echo, or read
//! from an environment variable named by `--passphrase-env` (scripts and tests).
//!
//! The terminal is switched to no-echo with `stty` on `/dev/tty` (POSIX; no crate for
//! ten lines) before the prompt is shown, and switched back even when reading fails. A
//! new passphrase is typed twice; after [`NEW_PASSPHRASE_TRIES`] differing pairs the
//! command gives up. The `passphrase_prompt` story drives all this through a real
//! pseudo-terminal.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::Args;

use crate::org_key::{self, OrgKeyError};

/// How often a new passphrase may be typed twice differently before the command gives up.
pub const NEW_PASSPHRASE_TRIES: usize = 3;

/// `--passphrase-env VAR`.
#[derive(Args, Debug, Clone, Default)]
pub struct PassphraseArgs {
    /// Read the organisation key's passphrase from the environment variable VAR instead
    /// of asking on the terminal (for scripts).
    #[arg(long, value_name = "VAR")]
    pub passphrase_env: Option<String>,
}

/// `--org-key FILE` and how to open it when it is protected.
#[derive(Args, Debug, Clone)]
pub struct OrgKeyArgs {
    /// The organisation signing key (`org-signing.key` from `amanat org init`), plain or
    /// protected by a passphrase.
    #[arg(long, value_name = "FILE")]
    pub org_key: PathBuf,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
}

impl OrgKeyArgs {
    /// Opens the key, asking for its passphrase only if it has one.
    pub fn open(&self) -> Result<shared::keyring::OrgSigningKey, OrgKeyError> {
        org_key::open(&self.org_key, |path| self.passphrase.existing(path))
    }
}

impl PassphraseArgs {
    /// The passphrase of an existing protected key file.
    pub fn existing(&self, path: &Path) -> Result<String, OrgKeyError> {
        if let Some(var) = &self.passphrase_env {
            return from_env(var);
        }
        if !std::io::stdin().is_terminal() {
            return Err(OrgKeyError::Passphrase(format!(
                "{} is protected by a passphrase: run this in a terminal to type it, or pass --passphrase-env VAR",
                path.display()
            )));
        }
        read_hidden(&format!("Passphrase for {}: ", path.display()))
    }

    /// A new passphrase, typed twice; `None` for none (the caller warns).
    pub fn new_passphrase(&self) -> Result<Option<String>, OrgKeyError> {
        if let Some(var) = &self.passphrase_env {
            return from_env(var).map(Some);
        }
        if !std::io::stdin().is_terminal() {
            return Ok(None);
        }
        for _ in 0..NEW_PASSPHRASE_TRIES {
            let first = read_hidden("Passphrase to protect the organisation key (empty: none): ")?;
            if first.is_empty() {
                return Ok(None);
            }
            let second = read_hidden("The same passphrase again: ")?;
            if first == second {
                return Ok(Some(first));
            }
            eprintln!("The two passphrases differ; try again.");
        }
        Err(OrgKeyError::Passphrase(format!(
            "the passphrase was typed differently {NEW_PASSPHRASE_TRIES} times; run the command again"
        )))
    }
}

fn from_env(var: &str) -> Result<String, OrgKeyError> {
    match std::env::var(var) {
        Ok(p) if !p.is_empty() => Ok(p),
        Ok(_) => Err(OrgKeyError::Passphrase(format!("the environment variable {var} (--passphrase-env) is empty"))),
        Err(_) => Err(OrgKeyError::Passphrase(format!("the environment variable {var} (--passphrase-env) is not set"))),
    }
}

fn stty(setting: &str) -> bool {
    std::fs::File::open("/dev/tty")
        .and_then(|tty| std::process::Command::new("stty").arg(setting).stdin(tty).status())
        .is_ok_and(|s| s.success())
}

fn read_hidden(prompt: &str) -> Result<String, OrgKeyError> {
    let fail = |e: std::io::Error| OrgKeyError::Passphrase(format!("reading the passphrase from the terminal: {e}"));
    let tty = std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty").map_err(fail)?;
    let mut out = &tty;
    // Echo goes off before the prompt shows: what is typed (or pasted) the moment the
    // prompt appears must not be echoed.
    if !stty("-echo") {
        return Err(OrgKeyError::Passphrase("cannot turn off echo on the terminal (stty); nothing was read".into()));
    }
    if let Err(e) = write!(out, "{prompt}").and_then(|()| out.flush()) {
        stty("echo");
        return Err(fail(e));
    }
    let mut line = String::new();
    let read = std::io::BufReader::new(&tty).read_line(&mut line);
    stty("echo");
    let _ = writeln!(out);
    read.map_err(fail)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}
