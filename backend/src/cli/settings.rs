//! `amanat settings sign | install | show`: the organisation's settings (operator,
//! retention, child assent age), signed with the organisation key on the offline
//! computer (`sign`), put on the relay (`install`, checked against the relay's
//! organisation key: the signer of its keyring) and printed (`show`). Rules and
//! signing are `shared::org_settings`'s; files are [`crate::settings_file`]'s.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use shared::keyring::fingerprint;
use shared::org_settings::OrgSettings;

use super::prompt::OrgKeyArgs;
use crate::settings_file::{self, SettingsFileError};

#[derive(Subcommand, Debug)]
pub enum SettingsCommand {
    /// Sign a settings TOML file (`amanat org init` writes a template) with the
    /// organisation key, offline.
    Sign {
        /// The settings, as TOML: version, organisation, retention_years, assent_age and
        /// an [operator] table (name, country "uz" or "kz", tax_number, address,
        /// complaints_contact).
        file: PathBuf,
        #[command(flatten)]
        org_key: OrgKeyArgs,
        /// Where to write the signed settings (JSON), to copy to the relay.
        #[arg(long, value_name = "FILE", default_value = "settings.json")]
        out: PathBuf,
    },
    /// Install signed settings into the data directory (on the relay).
    Install {
        /// The settings.json `amanat settings sign` wrote.
        file: PathBuf,
    },
    /// Show the installed settings and whether they verify.
    Show {
        /// Print the settings document itself.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(data: &Path, cmd: SettingsCommand) -> anyhow::Result<()> {
    match cmd {
        SettingsCommand::Sign { file, org_key, out } => {
            let facts = settings_file::facts_from_toml(&file, crate::keyring_file::now())?;
            let key = org_key.open()?;
            let settings = settings_file::sign(facts, &key)?;
            settings_file::write(&out, &settings)?;
            println!(
                "Signed with the organisation key {} (fingerprint {}):",
                settings.signed_by,
                fingerprint(&settings.signed_by)
            );
            print!("{}", describe(&settings));
            println!(
                "Wrote {}. Install it on the relay: amanat --data DATA settings install {}",
                out.display(),
                out.display()
            );
        }
        SettingsCommand::Install { file } => {
            let done = settings_file::install(data, &file)?;
            let s = &done.settings;
            if done.unchanged {
                println!("Settings version {} are already installed; nothing was changed.", s.version);
            } else {
                println!(
                    "Installed settings version {} of {:?} into {}{}.",
                    s.version,
                    s.organisation,
                    settings_file::path(data).display(),
                    done.replaced.map_or_else(String::new, |v| format!(" (replacing version {v})"))
                );
                println!("Signed by {} (fingerprint {}).", s.signed_by, fingerprint(&s.signed_by));
            }
        }
        SettingsCommand::Show { json } => {
            let s = settings_file::load(data)?.ok_or(SettingsFileError::Missing)?;
            if json {
                println!("{}", s.to_json());
            } else {
                let status = match settings_file::relay_org_key(data) {
                    Ok(key) => match s.verify(&key) {
                        Ok(_) => "signature verifies against the keyring's organisation key; rules kept".to_owned(),
                        Err(e) => format!("REFUSED BY THE APP: {}", e.message()),
                    },
                    Err(e) => format!("not checked: {e}"),
                };
                println!("Signed by {} (fingerprint {})", s.signed_by, fingerprint(&s.signed_by));
                println!("Status: {status}");
                print!("{}", describe(&s));
            }
        }
    }
    Ok(())
}

/// What the settings say, one fact a line.
fn describe(s: &OrgSettings) -> String {
    let o = &s.operator;
    let mut out =
        format!("Settings of {:?}, version {}, signed at {} (Unix seconds)\n", s.organisation, s.version, s.issued_at);
    out.push_str(&format!("  operator:           {}\n", o.name));
    out.push_str(&format!("  country:            {}\n", o.country.map_or("(none)", |c| c.code())));
    out.push_str(&format!("  tax number:         {}\n", o.tax_number));
    out.push_str(&format!("  address:            {}\n", o.address));
    out.push_str(&format!("  complaints contact: {}\n", o.complaints_contact));
    out.push_str(&format!("  retention:          {} years\n", s.retention_years));
    out.push_str(&format!("  child assent from:  {} years\n", s.assent_age));
    let problems = s.problems();
    if !problems.is_empty() {
        out.push_str(&format!("  BREAKS THESE RULES:\n{}\n", settings_file::describe_problems(&problems)));
    }
    out
}
