//! The demo organisation made on the first start of an empty data directory (or by
//! `amanat demo init`): an organisation signing key, an adviser and a recovery
//! identity, a signed keyring holding both, signed demo settings (an operator plainly
//! named as a demo), and two accounts with tokens; the demo
//! caseworker also gets a one-time enrolment link (kept in `caseworker-enrolment.txt`,
//! printed on every start) to choose a passphrase in the app.
//!
//! Everything lives in `DATA/demo/` beside the store, owner-only. That is fine for a
//! demonstration and wrong for production, where the organisation key and the recovery
//! identity are kept offline; the CLI says so when it makes them.

use std::path::{Path, PathBuf};

use shared::api::Role;
use shared::keyring::{HolderRole, KeyHolder};
use shared::seal;

use crate::{accounts, keyring_file, private_file, settings_file, store::Store};

/// The demo organisation's name in its keyring.
pub const ORGANISATION: &str = "Amanat demo organisation";
pub const CASEWORKER: &str = "demo-caseworker";
pub const ADVISER: &str = "demo-adviser";

/// Where the demo organisation's files are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoFiles {
    pub dir: PathBuf,
    pub org_key: PathBuf,
    pub adviser_identity: PathBuf,
    pub recovery_identity: PathBuf,
    pub caseworker_token: PathBuf,
    pub adviser_token: PathBuf,
    /// The demo caseworker's one-time enrolment token (the link is printed).
    pub caseworker_enrolment: PathBuf,
}

impl DemoFiles {
    pub fn in_data_dir(data_dir: &Path) -> Self {
        let dir = data_dir.join("demo");
        Self {
            org_key: dir.join("org-signing.key"),
            adviser_identity: dir.join("adviser-identity.txt"),
            recovery_identity: dir.join("recovery-identity.txt"),
            caseworker_token: dir.join("caseworker.token"),
            adviser_token: dir.join("adviser.token"),
            caseworker_enrolment: dir.join("caseworker-enrolment.txt"),
            dir,
        }
    }

    /// What to tell the person who started the relay (`made`: just now, or earlier).
    pub fn describe(&self, url: Option<&str>, made: bool) -> String {
        let mut s = String::new();
        s.push_str(if made { "Made a demo organisation:\n" } else { "Demo organisation (made earlier):\n" });
        s.push_str(&format!("  organisation signing key: {}\n", self.org_key.display()));
        s.push_str("    WARNING: in production the organisation key must be kept offline, never on the relay.\n");
        s.push_str(&format!(
            "  demo adviser identity (load it in the adviser view, or use it with `age -d -i`): {}\n",
            self.adviser_identity.display()
        ));
        s.push_str(&format!("  recovery identity (in production: offline): {}\n", self.recovery_identity.display()));
        s.push_str(&format!("  caseworker token: {}\n", self.caseworker_token.display()));
        s.push_str(&format!("  adviser token: {}\n", self.adviser_token.display()));
        if let Some(url) = url {
            s.push_str(&format!("Open {url}\n"));
        }
        if let Ok(token) = std::fs::read_to_string(&self.caseworker_enrolment) {
            let link = crate::vault::auth::enrolment_link(url.unwrap_or("http://127.0.0.1:8080"), token.trim());
            s.push_str(&format!(
                "Demo caseworker enrolment link (one use, 24 hours; opens the app to choose a passphrase):\n  {link}\n  (used or expired? `amanat user enrol {CASEWORKER}` prints a new one)\n"
            ));
        }
        s.push_str(&format!(
            "The caseworker page asks for {CASEWORKER}'s passphrase (chosen through the link); at /adviser sign in as {ADVISER} with the token in {}. Scripted clients: the bearer token in {}.\n",
            self.adviser_token.display(),
            self.caseworker_token.display()
        ));
        s
    }
}

/// Why the demo organisation was not made.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the data directory {0} is already initialised (it has a keyring, accounts or a demo folder); nothing was changed")]
    AlreadyInitialised(PathBuf),
    #[error("writing {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Keyring(#[from] keyring_file::KeyringFileError),
    #[error(transparent)]
    Account(#[from] accounts::AccountError),
    #[error(transparent)]
    Settings(#[from] settings_file::SettingsFileError),
}

/// The demo organisation's settings, plainly a demo: the consent form shows this
/// operator, so nobody mistakes a demo consent for a real one.
pub fn settings_facts(now: u64) -> shared::org_settings::SettingsFacts {
    shared::org_settings::SettingsFacts {
        version: 1,
        organisation: ORGANISATION.into(),
        issued_at: now,
        operator: shared::forms::consent::Operator {
            name: "Demo organisation (not a real operator)".into(),
            country: Some(shared::forms::address::Country::Uzbekistan),
            tax_number: "123456789".into(),
            address: "Demo address, Tashkent (demo only)".into(),
            complaints_contact: "demo@example.org (demo only)".into(),
        },
        retention_years: 5,
        assent_age: shared::forms::consent::DEFAULT_ASSENT_AGE as u8,
    }
}

/// Whether a data directory is empty (missing, or holding nothing but a demo
/// organisation key placed for [`init`] to use): the case in which `amanat serve`
/// makes the demo organisation.
pub fn is_empty_data_dir(data_dir: &Path) -> bool {
    let names = |dir: &Path| -> Vec<std::ffi::OsString> {
        std::fs::read_dir(dir).map(|d| d.filter_map(|e| e.ok().map(|e| e.file_name())).collect()).unwrap_or_default()
    };
    let top = names(data_dir);
    let files = DemoFiles::in_data_dir(data_dir);
    top.is_empty() || (top == ["demo"] && names(&files.dir) == ["org-signing.key"])
}

/// Makes the demo organisation in the store's data directory. Refuses (changing
/// nothing) if the directory already has a keyring, accounts or demo identities.
///
/// An organisation key already at `DATA/demo/org-signing.key` is used rather than a
/// new one: that is how the stories give their demo relays the key the test build of
/// the app pins (`tests/fixtures/test-org-signing.key`).
pub async fn init(store: &Store) -> Result<DemoFiles, DemoError> {
    let data_dir = store.data_dir();
    let files = DemoFiles::in_data_dir(data_dir);
    let initialised = files.adviser_identity.exists()
        || files.caseworker_token.exists()
        || keyring_file::path(data_dir).exists()
        || !store.users().await.map_err(accounts::AccountError::from)?.is_empty();
    if initialised {
        return Err(DemoError::AlreadyInitialised(data_dir.to_owned()));
    }
    let write = |path: &Path, text: &str| {
        private_file::create(path, text).map_err(|source| DemoError::Io { path: path.to_owned(), source })
    };

    let (org_key, _) = keyring_file::org_key(&files.org_key, true)?;
    let adviser = seal::generate_identity();
    let recovery = seal::generate_identity();
    write(&files.adviser_identity, &seal::identity_file(&adviser, "Amanat demo adviser identity (demo only)"))?;
    write(
        &files.recovery_identity,
        &seal::identity_file(&recovery, "Amanat demo recovery identity (demo only: in production keep it offline)"),
    )?;
    let holders = vec![
        KeyHolder {
            label: "Demo adviser".into(),
            role: HolderRole::Adviser,
            recipient: adviser.to_public().to_string(),
        },
        KeyHolder {
            label: "Demo recovery key".into(),
            role: HolderRole::Recovery,
            recipient: recovery.to_public().to_string(),
        },
    ];
    keyring_file::init(data_dir, &org_key, ORGANISATION, holders)?;
    let settings = settings_file::sign(settings_facts(keyring_file::now()), &org_key)?;
    settings_file::write(&settings_file::path(data_dir), &settings)?;

    for (name, role, token_file) in
        [(CASEWORKER, Role::Caseworker, &files.caseworker_token), (ADVISER, Role::Adviser, &files.adviser_token)]
    {
        accounts::add_user(store, name, role).await?;
        let token = accounts::issue_token(store, name).await?;
        write(token_file, &format!("{token}\n"))?;
    }
    let enrolment = accounts::issue_enrolment(store, CASEWORKER).await?;
    write(&files.caseworker_enrolment, &format!("{enrolment}\n"))?;
    Ok(files)
}
