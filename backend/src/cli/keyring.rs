//! `amanat keyring init | add | remove | show`: the administrator signs the keyring
//! with the organisation key; the relay serves what is in `DATA/keyring.json`.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use shared::keyring::{HolderRole, Keyring};
use shared::ErrorCode;

use crate::keyring_file;

fn parse_holder_role(s: &str) -> Result<HolderRole, String> {
    s.parse().map_err(|_| "adviser or recovery".to_owned())
}

#[derive(Subcommand, Debug)]
pub enum KeyringCommand {
    /// Make the organisation key (if the file is missing) and an empty signed keyring.
    Init {
        #[arg(long, value_name = "FILE")]
        org_key: PathBuf,
        #[arg(long)]
        organisation: String,
    },
    /// Add a key holder; bumps the version and re-signs.
    Add {
        #[arg(long, value_name = "FILE")]
        org_key: PathBuf,
        #[arg(long)]
        label: String,
        #[arg(long, value_parser = parse_holder_role)]
        role: HolderRole,
        /// The holder's age public key (`age1…`).
        #[arg(long)]
        recipient: String,
    },
    /// Remove a key holder; bumps the version and re-signs.
    Remove {
        #[arg(long, value_name = "FILE")]
        org_key: PathBuf,
        #[arg(long)]
        recipient: String,
    },
    /// Show the keyring and whether its signature verifies.
    Show {
        /// Print the keyring document itself.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(data: &Path, cmd: KeyringCommand) -> anyhow::Result<()> {
    match cmd {
        KeyringCommand::Init { org_key, organisation } => {
            let (key, made) = keyring_file::org_key(&org_key, true)?;
            if made {
                println!("Made the organisation signing key {}.", org_key.display());
                println!("WARNING: in production keep this key offline (not on the relay); it is what makes a keyring trusted.");
            }
            let kr = keyring_file::init(data, &key, &organisation, vec![])?;
            println!("Signed keyring version {} for {:?}.", kr.version, kr.organisation);
            println!("Organisation public key (the app pins this): {}", kr.signed_by);
            println!("Next: add a recovery recipient and advisers with `amanat keyring add`.");
        }
        KeyringCommand::Add { org_key, label, role, recipient } => {
            let (key, _) = keyring_file::org_key(&org_key, false)?;
            let kr =
                keyring_file::change(data, &key, &org_key, |h| keyring_file::add_holder(h, &label, role, &recipient))?;
            println!("Added {label:?} ({}); keyring is now version {}.", role.code(), kr.version);
        }
        KeyringCommand::Remove { org_key, recipient } => {
            let (key, _) = keyring_file::org_key(&org_key, false)?;
            let kr = keyring_file::change(data, &key, &org_key, |h| keyring_file::remove_holder(h, &recipient))?;
            println!("Removed {}; keyring is now version {}.", recipient.trim(), kr.version);
            println!("Entries already sealed to it stay readable by it: re-seal them to revoke access.");
        }
        KeyringCommand::Show { json } => {
            let kr = keyring_file::load(data)?.ok_or(keyring_file::KeyringFileError::Missing)?;
            if json {
                println!("{}", kr.to_json());
            } else {
                print!("{}", describe(&kr));
            }
        }
    }
    Ok(())
}

fn describe(kr: &Keyring) -> String {
    let mut s = format!(
        "Keyring of {:?}, version {}\nSigned by {} (fingerprint {})\n",
        kr.organisation,
        kr.version,
        kr.signed_by,
        shared::keyring::fingerprint(&kr.signed_by)
    );
    let status = match kr.signed_by.parse().map_err(|_| ErrorCode::KeyringMalformed).and_then(|k| kr.verify(&k)) {
        Ok(_) => "signature verifies".to_owned(),
        Err(e @ (ErrorCode::KeyringEmpty | ErrorCode::KeyringNoRecovery)) => {
            format!("signature verifies, but the app will refuse it: {}", e.message())
        }
        Err(e) => format!("SIGNATURE DOES NOT VERIFY: {}", e.message()),
    };
    s.push_str(&format!("Status: {status}\n"));
    for h in &kr.recipients {
        // The fingerprint is the one the privacy page shows, for comparing in person.
        s.push_str(&format!(
            "  {:<9} {}  {}  {}\n",
            h.role.code(),
            h.recipient,
            shared::keyring::fingerprint(&h.recipient),
            h.label
        ));
    }
    s
}
