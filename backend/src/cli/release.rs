//! `amanat release sign DIST --org-key FILE`: on the organisation's offline computer,
//! sign a built app's file list (`DIST/hashes.txt`) into `DIST/release.sig`.
//!
//! It first checks that every file the list names is in `DIST` with that SHA-256, so
//! the organisation never signs a list that does not describe the files beside it.
//! The rules of the signature are [`shared::release`]'s.
//!
//! With `--relay-origin URL` it first makes the app one served from another origin than
//! the relay's: it writes the relay origin into `index.html` ([`shared::origin`]), and
//! rewrites the service worker's list and `hashes.txt` as the build would
//! ([`shared::release::files`]), starting from the build's own list once that checked
//! (a file the build did not list is never added), then signs.

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
        /// The relay's origin, for an app served from another origin than the
        /// relay's (`amanat serve --app-origin`): written into DIST/index.html first.
        #[arg(long, value_name = "ORIGIN")]
        relay_origin: Option<shared::origin::WebOrigin>,
    },
}

pub fn run(cmd: ReleaseCommand) -> anyhow::Result<()> {
    match cmd {
        ReleaseCommand::Sign { dist, org_key, relay_origin } => {
            let key = org_key.open()?;
            if let Some(origin) = &relay_origin {
                set_relay_origin(&dist, origin)?;
                println!("The app in {} now calls the relay at {origin}.", dist.display());
            }
            let list_path = dist.join("hashes.txt");
            let list = std::fs::read(&list_path).with_context(|| {
                format!("reading {} (build the app with `cargo xtask build` first)", list_path.display())
            })?;
            let files = check_list(&dist, &list)?.len();
            let sig = shared::release::sign(&list, &key);
            let out = dist.join(shared::release::SIGNATURE_FILE);
            write_atomically(&out, &sig)?;
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

/// Writes `origin` into `dist/index.html` and rewrites `sw.js` and `hashes.txt` to
/// match, from the build's list (checked first). The service worker's compressed twins
/// would be stale, so they are removed (the plain `sw.js` is served instead).
fn set_relay_origin(dist: &Path, origin: &shared::origin::WebOrigin) -> anyhow::Result<()> {
    use shared::release::files::{self, SERVICE_WORKER};
    let list_path = dist.join(files::LIST_FILE);
    let list = std::fs::read(&list_path)
        .with_context(|| format!("reading {} (build the app with `cargo xtask build` first)", list_path.display()))?;
    let mut listed = check_list(dist, &list)?;
    let index_path = dist.join("index.html");
    let index = std::fs::read_to_string(&index_path).with_context(|| format!("reading {}", index_path.display()))?;
    let index = shared::origin::set_in_index(&index, Some(origin))
        .context("index.html has no <meta charset> line to put the relay origin after; nothing was changed")?;
    let twins = [format!("{SERVICE_WORKER}.br"), format!("{SERVICE_WORKER}.gz")];
    listed.retain(|(name, _)| !twins.contains(name));
    set_hash(&mut listed, "index.html", &index)?;
    let sw_path = dist.join(SERVICE_WORKER);
    let sw = std::fs::read_to_string(&sw_path).with_context(|| format!("reading {}", sw_path.display()))?;
    let sw = files::fill_service_worker(&sw, &listed)
        .context("sw.js has no shell list to fill (not a build of this version?); nothing was changed")?;
    set_hash(&mut listed, SERVICE_WORKER, &sw)?;
    write_atomically(&index_path, &index)?;
    write_atomically(&sw_path, &sw)?;
    for twin in &twins {
        match std::fs::remove_file(dist.join(twin)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    write_atomically(&list_path, &files::list_text(&listed))?;
    Ok(())
}

fn set_hash(listed: &mut [(String, String)], name: &str, bytes: &str) -> anyhow::Result<()> {
    let entry =
        listed.iter_mut().find(|(n, _)| n == name).with_context(|| format!("hashes.txt does not list {name}"))?;
    entry.1 = shared::release::files::sha256_hex(bytes.as_bytes());
    Ok(())
}

/// Checks every line of the list against the file in `dist`; returns the `(name,
/// sha256)` it lists.
fn check_list(dist: &Path, list: &[u8]) -> anyhow::Result<Vec<(String, String)>> {
    let text = std::str::from_utf8(list).context("hashes.txt is not text")?;
    let mut listed = Vec::new();
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
        listed.push((name.to_owned(), hash.to_owned()));
    }
    if listed.is_empty() {
        bail!("hashes.txt lists no file; nothing was signed");
    }
    Ok(listed)
}

fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    crate::replace_file::replace(path, text).with_context(|| format!("writing {}", path.display()))
}
