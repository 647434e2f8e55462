//! `amanat roster approve | show`: the organisation vouches for caseworkers' author
//! keys. `approve` runs on the relay's data directory (it reads the account's registered
//! key from the store) with the organisation key brought on removable media for it and
//! taken away again (`serve` refuses to start with it in the data directory).
//!
//! Before signing, the administrator compares the key's fingerprint with the one on the
//! caseworker's Account page, in person: on a terminal by typing `yes`, in a script by
//! passing the fingerprint read off that page (`--fingerprint`), which must match.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use anyhow::{anyhow, bail};
use clap::Subcommand;
use shared::authorship::AuthorPublicKey;
use shared::keyring::fingerprint;

use super::prompt::OrgKeyArgs;
use crate::store::Store;
use crate::{keyring_file, roster_file};

#[derive(Subcommand, Debug)]
pub enum RosterCommand {
    /// Approve NAME's registered author key: compare its fingerprint with NAME's Account
    /// page, then sign the next roster version with it added.
    Approve {
        /// The account whose author key to approve.
        name: String,
        #[command(flatten)]
        org_key: OrgKeyArgs,
        /// The fingerprint shown on NAME's Account page (XXXX-XXXX-XXXX-XXXX-XXXX):
        /// required without a terminal; it must match the registered key's.
        #[arg(long, value_name = "FINGERPRINT")]
        fingerprint: Option<String>,
    },
    /// List approved authors (and whether the roster's signature verifies against the
    /// keyring's signer), then accounts with a registered author key not yet approved.
    Show,
}

pub async fn run(data: &Path, database: Option<&str>, cmd: RosterCommand) -> anyhow::Result<()> {
    let store = Store::open_with(data, database).await?;
    let result = run_on(data, &store, cmd).await;
    store.close().await;
    result
}

/// A fingerprint as people copy it: case, spaces and dashes do not matter.
fn normalised(fp: &str) -> String {
    fp.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

async fn run_on(data: &Path, store: &Store, cmd: RosterCommand) -> anyhow::Result<()> {
    match cmd {
        RosterCommand::Approve { name, org_key, fingerprint: given } => {
            let account = store
                .vault_account(&name)
                .await?
                .ok_or_else(|| anyhow!("{name:?} has not enrolled (no passphrase account); nothing was changed"))?;
            let key_text = account.author_key.ok_or_else(|| {
                anyhow!(
                    "{name:?} has no registered author key: they sign in once with the current app, which makes and \
                     registers one; then run this again. Nothing was changed"
                )
            })?;
            let key: AuthorPublicKey = key_text
                .parse()
                .map_err(|_| anyhow!("the stored author key of {name:?} is malformed; nothing was changed"))?;
            let fp = key.fingerprint();
            println!("Account:     {name}");
            println!("Author key:  {key}");
            println!("Fingerprint: {fp}");
            match given {
                Some(g) if normalised(&g) == normalised(&fp) => {
                    println!("The fingerprint given matches.");
                }
                Some(g) => bail!(
                    "the fingerprint given ({}) is not that of {name:?}'s registered author key ({fp}): do not approve it; \
                     check with {name} in person which key their Account page shows. Nothing was changed",
                    g.trim()
                ),
                None if std::io::stdin().is_terminal() => {
                    print!("Compare it with the fingerprint on {name}'s Account page, in person. Type yes if they are the same: ");
                    std::io::stdout().flush()?;
                    let mut line = String::new();
                    std::io::stdin().lock().read_line(&mut line)?;
                    if line.trim() != "yes" {
                        bail!("not approved; nothing was changed");
                    }
                }
                None => bail!(
                    "no terminal to confirm on: pass --fingerprint with the fingerprint shown on {name}'s Account page. \
                     Nothing was changed"
                ),
            }
            let org = org_key.open()?;
            let roster = roster_file::approve(data, &org, &org_key.org_key, &name, &key)?;
            println!("Approved {name}'s author key ({fp}); the roster is now version {}.", roster.version);
            println!("Take the organisation key away from this computer again.");
        }
        RosterCommand::Show => {
            let roster = roster_file::load(data)?;
            let keyring = keyring_file::load(data)?;
            let approved: Vec<String> =
                roster.as_ref().map(|r| r.authors.iter().map(|a| a.key.clone()).collect()).unwrap_or_default();
            match &roster {
                None => {
                    println!("No roster yet: no author key is approved (amanat roster approve NAME --org-key FILE).")
                }
                Some(r) => {
                    let status = match keyring.as_ref().map(|k| k.signed_by.parse()) {
                        None => "cannot be checked: there is no keyring in this data directory".to_owned(),
                        Some(Err(_)) => "cannot be checked: the keyring names no valid organisation key".to_owned(),
                        Some(Ok(signer)) => match r.verify(&signer) {
                            Ok(_) => format!("signature verifies against the keyring's signer ({})", fingerprint(&r.signed_by)),
                            Err(_) => "SIGNATURE DOES NOT VERIFY against the keyring's signer: the app treats every author as not approved; report this to your privacy officer".to_owned(),
                        },
                    };
                    println!("Roster of {:?}, version {}: {status}", r.organisation, r.version);
                    for a in &r.authors {
                        let fp = a
                            .key
                            .parse::<AuthorPublicKey>()
                            .map_or_else(|_| "(malformed key)".to_owned(), |k| k.fingerprint());
                        println!("  approved  {fp}  {}", a.name);
                    }
                }
            }
            let pending: Vec<_> =
                store.author_keys().await?.into_iter().filter(|(_, k)| !approved.contains(k)).collect();
            if !pending.is_empty() {
                println!("Registered author keys not yet approved:");
                for (name, k) in pending {
                    let fp =
                        k.parse::<AuthorPublicKey>().map_or_else(|_| "(malformed key)".to_owned(), |k| k.fingerprint());
                    println!("  pending   {fp}  {name}");
                }
            }
        }
    }
    Ok(())
}
