//! `amanat release sign DIST --org-key FILE`: on the organisation's offline computer,
//! sign a built app's file list (`DIST/hashes.txt`) into `DIST/release.sig`.
//!
//! It first checks that every file the list names is in `DIST` with that SHA-256, so
//! the organisation never signs a list that does not describe the files beside it.
//! The rules of the signature are [`shared::release`]'s.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Subcommand;
use sha2::{Digest, Sha256};

use super::prompt::OrgKeyArgs;

#[derive(Subcommand, Debug)]
pub enum ReleaseCommand {
    /// Sign DIST/hashes.txt (written by `cargo xtask build`) into DIST/release.sig.
    Sign {
        /// The built app (`dist/`).
        #[arg(value_name = "DIST")]
        dist: PathBuf,
        #[command(flatten)]
        org_key: OrgKeyArgs,
    },
}

pub fn run(cmd: ReleaseCommand) -> anyhow::Result<()> {
    match cmd {
        ReleaseCommand::Sign { dist, org_key } => {
            let key = org_key.open()?;
            let list_path = dist.join("hashes.txt");
            let list = std::fs::read(&list_path).with_context(|| {
                format!("reading {} (build the app with `cargo xtask build` first)", list_path.display())
            })?;
            let files = check_list(&dist, &list)?;
            let sig = shared::release::sign(&list, &key);
            let out = dist.join(shared::release::SIGNATURE_FILE);
            write_atomically(&out, sig.as_bytes())?;
            println!("Signed the release in {}: {files} files.", dist.display());
            println!("  hashes.txt SHA-256: {}", hex::encode(Sha256::digest(&list)));
            println!(
                "  signed by {} (fingerprint {})",
                key.public(),
                shared::keyring::fingerprint(&key.public().to_string())
            );
            println!("  wrote {}", out.display());
        }
    }
    Ok(())
}

/// Checks every line of the list against the file in `dist`; returns how many.
fn check_list(dist: &Path, list: &[u8]) -> anyhow::Result<usize> {
    let text = std::str::from_utf8(list).context("hashes.txt is not text")?;
    let mut n = 0;
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let Some((hash, name)) = line.split_once("  ") else {
            bail!("hashes.txt line {} is not `<sha256>  <path>`; nothing was signed", i + 1);
        };
        if name.split('/').any(|part| part.is_empty() || part == "." || part == "..") {
            bail!("hashes.txt line {} names {name:?}, not a path inside the build; nothing was signed", i + 1);
        }
        let path = dist.join(name);
        let bytes = std::fs::read(&path).with_context(|| {
            format!("hashes.txt lists {name}, but {} cannot be read; nothing was signed", path.display())
        })?;
        if hex::encode(Sha256::digest(&bytes)) != hash {
            bail!(
                "{} does not match its line in hashes.txt (changed after the build?); nothing was signed",
                path.display()
            );
        }
        n += 1;
    }
    if n == 0 {
        bail!("hashes.txt lists no file; nothing was signed");
    }
    Ok(n)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("sig.tmp");
    let mut f = std::fs::File::create(&tmp).with_context(|| format!("writing {}", tmp.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
