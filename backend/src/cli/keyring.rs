//! `amanat keyring init | add | remove | renew | install | show`: the administrator
//! signs the keyring with the organisation key on the offline computer (`--data` the
//! folder `amanat org init` made); `install` puts it on the relay, which serves what is
//! in `DATA/keyring.json`.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use shared::keyring::{HolderRole, Keyring};
use shared::ErrorCode;

use super::prompt::OrgKeyArgs;
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
        #[command(flatten)]
        org_key: OrgKeyArgs,
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
        #[command(flatten)]
        org_key: OrgKeyArgs,
        #[arg(long)]
        recipient: String,
    },
    /// Re-sign the keyring with a fresh validity (same version and holders).
    Renew {
        #[command(flatten)]
        org_key: OrgKeyArgs,
        /// Days the renewed keyring stays valid.
        #[arg(long, default_value_t = shared::keyring::DEFAULT_VALID_DAYS,
              value_parser = clap::value_parser!(u32).range(1..=i64::from(shared::keyring::MAX_VALID_DAYS)))]
        days: u32,
    },
    /// Install a keyring signed offline into the data directory (on the relay).
    Install {
        /// The keyring.json made or changed on the offline computer.
        file: PathBuf,
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
            let key = org_key.open()?;
            let kr = keyring_file::change(data, &key, &org_key.org_key, |h| {
                keyring_file::add_holder(h, &label, role, &recipient)
            })?;
            println!("Added {label:?} ({}); keyring is now version {}.", role.code(), kr.version);
        }
        KeyringCommand::Remove { org_key, recipient } => {
            let key = org_key.open()?;
            let kr =
                keyring_file::change(data, &key, &org_key.org_key, |h| keyring_file::remove_holder(h, &recipient))?;
            println!("Removed {}; keyring is now version {}.", recipient.trim(), kr.version);
            println!("Entries already sealed to it stay readable by it: re-seal them to revoke access.");
        }
        KeyringCommand::Renew { org_key, days } => {
            let key = org_key.open()?;
            let kr = keyring_file::renew(data, &key, &org_key.org_key, days)?;
            println!("Renewed keyring version {}: {}.", kr.version, validity_line(&kr, keyring_file::now()));
            println!("Install it on the relay: amanat --data DATA keyring install keyring.json");
        }
        KeyringCommand::Install { file } => {
            let done = keyring_file::install(data, &file, keyring_file::now())?;
            let kr = &done.keyring;
            println!(
                "Installed keyring version {} of {:?} into {} ({}).",
                kr.version,
                kr.organisation,
                keyring_file::path(data).display(),
                validity_line(kr, keyring_file::now())
            );
            if done.first {
                println!("First keyring on this relay: from now on only keyrings signed by this key are accepted.");
                println!(
                    "Organisation key fingerprint: {}
  Compare it with the one `amanat org init` printed; if they differ, do not use this relay.",
                    shared::keyring::fingerprint(&kr.signed_by)
                );
            }
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

/// A UTC date and time, to the minute.
fn date(unix: u64) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    i64::try_from(unix)
        .ok()
        .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_else(|| format!("{unix} (Unix seconds)"))
}

/// When the keyring may be sealed to, and what to do when that ends.
fn validity_line(kr: &Keyring, now: u64) -> String {
    const DAY: u64 = 86_400;
    let (Some(from), Some(until)) = (kr.issued_at, kr.expires_at) else {
        return "UNDATED (signed by an older amanat): the app never seals to it; run `amanat keyring renew`".into();
    };
    if now >= until {
        format!("EXPIRED on {}: the app refuses it; run `amanat keyring renew` and install the result", date(until))
    } else if now.saturating_add(shared::keyring::CLOCK_SKEW_SECONDS) < from {
        format!("NOT VALID YET: valid from {} until {} (check this computer's clock)", date(from), date(until))
    } else {
        let days_left = (until - now) / DAY;
        let soon = if days_left < shared::keyring::WARN_DAYS {
            "; EXPIRES SOON: run `amanat keyring renew` and install the result"
        } else {
            ""
        };
        format!("valid from {} until {} ({days_left} days left{soon})", date(from), date(until))
    }
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
    s.push_str(&format!("Validity: {}\n", validity_line(kr, keyring_file::now())));
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
