//! `amanat org init`: the organisation's set-up ceremony, on an offline computer. It
//! makes the organisation signing key (optionally sealed to a passphrase), its public
//! key for the app build, a recovery identity, and version 1 of the signed keyring
//! holding the recovery recipient, and a `settings.toml` template for the
//! organisation's signed settings (`amanat settings sign`). Only `keyring.json` and
//! the signed `settings.json` ever go to the relay.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use shared::keyring::{fingerprint, HolderRole, KeyHolder, OrgSigningKey};
use shared::seal;

use super::prompt::PassphraseArgs;
use crate::staged_dir::StagedDir;
use crate::{keyring_file, org_key};

#[derive(Subcommand, Debug)]
pub enum OrgCommand {
    /// Make the organisation key, recovery identity and first keyring in DIR (offline).
    Init {
        /// The folder to make (new, or an empty folder; kept offline). It appears whole or
        /// not at all.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The organisation's name, as the keyring shows it.
        #[arg(long)]
        organisation: String,
        #[command(flatten)]
        passphrase: PassphraseArgs,
    },
}

/// The files `org init` writes, by name inside `--out`.
pub const KEY_FILE: &str = "org-signing.key";
pub const PUBLIC_FILE: &str = "org.pub";
pub const RECOVERY_FILE: &str = "recovery-identity.txt";
pub const SETTINGS_TEMPLATE: &str = "settings.toml";

pub fn run(cmd: OrgCommand) -> anyhow::Result<()> {
    let OrgCommand::Init { out, organisation, passphrase } = cmd;
    init(&out, &organisation, &passphrase)
}

/// Names the staging folders `org init` writes into (`.DIR.org-init-…`, beside DIR).
const STAGING_TAG: &str = "org-init";

fn init(out: &Path, organisation: &str, passphrase: &PassphraseArgs) -> anyhow::Result<()> {
    let nothing = |e: &dyn std::fmt::Display| anyhow::anyhow!("{e}. Nothing was written.");
    if organisation.trim().is_empty() {
        return Err(nothing(&"--organisation must name the organisation"));
    }
    // Refused before the passphrase is asked: DIR must be new or empty.
    let checked = StagedDir::check(out, STAGING_TAG).map_err(|e| nothing(&e))?;
    for left in &checked.leftovers {
        eprintln!(
            "WARNING: {} is left from an `amanat org init` that did not finish (it was interrupted): it holds an organisation key that was never used. Delete it: rm -r {}",
            left.display(),
            left.display()
        );
    }
    let pass = passphrase.new_passphrase().map_err(|e| nothing(&e))?;

    let key = OrgSigningKey::generate();
    let recovery = seal::generate_identity();
    let key_text = match &pass {
        Some(p) => org_key::protected_file(&key, p),
        None => key.to_file(),
    };
    let public = key.public().to_string();
    let holders = vec![KeyHolder {
        label: "Recovery key".into(),
        role: HolderRole::Recovery,
        recipient: recovery.to_public().to_string(),
    }];
    let recovery_text =
        seal::identity_file(&recovery, &format!("Amanat recovery identity of {organisation}: keep it offline"));
    // Everything is written beside DIR, flushed, then renamed to DIR at once: a crash
    // or an error midway leaves no half-made ceremony under DIR's name.
    let write_all = || -> anyhow::Result<shared::keyring::Keyring> {
        let staged = StagedDir::begin(out, STAGING_TAG)?;
        staged.write(KEY_FILE, &key_text, true)?;
        staged.write(RECOVERY_FILE, &recovery_text, true)?;
        staged.write(PUBLIC_FILE, &format!("{public}\n"), false)?;
        let kr = keyring_file::init(staged.path(), &key, organisation, holders)?;
        staged.write(SETTINGS_TEMPLATE, &crate::settings_file::template(organisation), false)?;
        staged.commit()?;
        Ok(kr)
    };
    let kr = write_all().map_err(|e| nothing(&e))?;
    let key_path = out.join(KEY_FILE);
    let pub_path = out.join(PUBLIC_FILE);
    let recovery_path = out.join(RECOVERY_FILE);
    let keyring_path = keyring_file::path(out);
    let settings_path = out.join(SETTINGS_TEMPLATE);

    println!("Made the organisation {organisation:?} in {}:", out.display());
    println!(
        "  {}  the organisation signing key ({}); it never goes on the relay",
        key_path.display(),
        if pass.is_some() { "protected by your passphrase" } else { "NOT protected by a passphrase" }
    );
    println!("  {}  the public key, for `cargo xtask build --org-key`", pub_path.display());
    println!("  {}  the recovery identity: keep it offline (print it, lock it away)", recovery_path.display());
    println!(
        "  {}  keyring version {}, signed, valid {} days",
        keyring_path.display(),
        kr.version,
        shared::keyring::DEFAULT_VALID_DAYS
    );
    println!(
        "  {}  the organisation's settings to fill in (operator, tax number, retention, assent age)",
        settings_path.display()
    );
    println!("Organisation key fingerprint: {}", fingerprint(&public));
    println!("  Write it down: `amanat keyring install` prints it on the relay, and the app's privacy page shows it.");
    if pass.is_none() {
        println!("WARNING: anyone who copies {} can sign keyrings for {organisation:?}.", key_path.display());
    }
    let d = out.display();
    println!("Next steps, here on this computer:");
    println!(
        "  amanat --data {d} keyring add --org-key {} --label NAME --role adviser --recipient age1…",
        key_path.display()
    );
    println!(
        "  amanat settings sign {} --org-key {} --out {}",
        settings_path.display(),
        key_path.display(),
        out.join(crate::settings_file::SETTINGS_FILE).display()
    );
    println!("  cargo xtask build --org-key {}", pub_path.display());
    println!("Then on the relay (copy only keyring.json and settings.json there):");
    println!("  amanat --data DATA keyring install keyring.json");
    println!("  amanat --data DATA settings install settings.json");
    println!(
        "Every 90 days at the latest, here: amanat --data {d} keyring renew --org-key {} and install again.",
        key_path.display()
    );
    Ok(())
}
