//! `amanat backup --to PATH` and `amanat restore --from PATH`: a whole relay (database,
//! ciphertext files, keyring, roster and organisation settings) copied while it runs, and put back into an
//! empty data directory, with a manifest that proves the copy whole.
//!
//! Consistency comes from the order the relay itself writes in: a ciphertext file is
//! durable before its row commits, and rows are never changed after. So the database is
//! copied first, as one snapshot (SQLite: `VACUUM INTO`, a consistent copy taken inside
//! one read transaction while uploads go on; PostgreSQL: `pg_dump`, one repeatable-read
//! snapshot), and then exactly the files its entries name are copied: an upload that
//! lands meanwhile is in neither, and every row in the copy has its file. (With
//! PostgreSQL the list of files is read just after the dump; an entry removed by
//! `amanat entries remove --superseded` in between is reported and the backup fails,
//! so it can be taken again.)
//!
//! `MANIFEST.sha256` lists every file of the backup with its SHA-256 (`sha256sum -c`
//! reads it). `restore` checks the whole manifest before it writes anything, copies into
//! an empty data directory (and, for PostgreSQL, an empty database, with `pg_restore`),
//! then runs `amanat verify` on the result and fails unless it passes. The demo
//! organisation's folder (`DATA/demo/`, which holds its signing key) is never copied.
//! A backup holds only ciphertext, but it names accounts and dates: keep it as carefully
//! as the server.

use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};

use crate::store::{Backend, Store, DB_FILE};

/// The manifest's file name.
pub const MANIFEST: &str = "MANIFEST.sha256";
/// What the backup is (backend, version, counts), also listed in the manifest.
pub const ABOUT: &str = "backup.json";
/// The PostgreSQL dump's file name.
pub const PG_DUMP: &str = "amanat.pgdump";
/// The relay's own files beside the database, copied when present.
const RELAY_FILES: &[&str] = &["keyring.json", "roster.json", "settings.json"];

/// What a backup or a restore did.
#[derive(Debug)]
pub struct Summary {
    pub entries: usize,
    pub files: usize,
    pub bytes: u64,
}

fn sha256_file(path: &Path) -> Result<String> {
    let mut f = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// Copies `from` to `to` (making its folder) and fsyncs the copy.
fn copy_durably(from: &Path, to: &Path) -> Result<u64> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let n = std::fs::copy(from, to).with_context(|| format!("copying {}", from.display()))?;
    std::fs::File::open(to)?.sync_all()?;
    Ok(n)
}

/// Every file under `dir`, `/`-separated below it, sorted.
fn files_under(dir: &Path) -> Result<Vec<String>> {
    fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) -> Result<()> {
        for e in std::fs::read_dir(dir)? {
            let e = e?;
            let name = format!("{prefix}{}", e.file_name().to_string_lossy());
            if e.file_type()?.is_dir() {
                walk(&e.path(), &format!("{name}/"), out)?;
            } else {
                out.push(name);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, "", &mut out)?;
    out.sort();
    Ok(out)
}

fn is_empty_dir(dir: &Path) -> Result<bool> {
    match std::fs::read_dir(dir) {
        Ok(mut it) => Ok(it.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(e.into()),
    }
}

fn run(cmd: &mut Command, what: &str) -> Result<()> {
    let out = cmd.output().with_context(|| format!("starting {what} (Debian package postgresql-client)"))?;
    if !out.status.success() {
        bail!("{what} failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}

/// `amanat backup --to PATH`, from the store of `data_dir` (open as `store`).
pub async fn backup(store: &Store, data_dir: &Path, database: Option<&str>, to: &Path) -> Result<Summary> {
    if !is_empty_dir(to)? {
        bail!("{} is not empty: a backup goes into a new or empty folder; nothing was written", to.display());
    }
    crate::private_file::create_dir(to)?;
    // 1. The database, as one snapshot.
    let entries = match store.backend() {
        Backend::Sqlite => {
            let target = std::fs::canonicalize(to)?.join(DB_FILE);
            let quoted = target.to_string_lossy().replace('\'', "''");
            sqlx::query(&format!("VACUUM INTO '{quoted}'")).execute(store.pool()).await.context("VACUUM INTO")?;
            std::fs::File::open(&target)?.sync_all()?;
            // The snapshot's own entries: exactly the rows whose files must come along.
            let snapshot = Store::open_with(to, None).await?;
            let rows = snapshot.all_entries().await;
            snapshot.close().await;
            // Opening it made an empty blob folder and may have left WAL files: the
            // copy below fills the one, and a closed store's WAL is merged and gone.
            rows?
        }
        Backend::Postgres => {
            let url = database.expect("a PostgreSQL store has a URL");
            run(
                Command::new("pg_dump")
                    .args(["--format=custom", "--no-owner", "--file"])
                    .arg(to.join(PG_DUMP))
                    .arg(url),
                "pg_dump",
            )?;
            store.all_entries().await?
        }
    };
    // 2. The files those entries name.
    let blobs = store.blobs();
    let mut bytes = 0u64;
    for row in &entries {
        let from = blobs.path(&row.meta.id);
        let rel = from.strip_prefix(blobs.root()).expect("a blob is under its root");
        let to_file = to.join("blobs").join(rel);
        bytes += copy_durably(&from, &to_file).with_context(|| {
            format!("entry {} is in the database but its file is not (see amanat verify)", row.meta.id)
        })?;
    }
    // 3. The keyring and roster, and what this backup is.
    for name in RELAY_FILES {
        let from = data_dir.join(name);
        if from.is_file() {
            bytes += copy_durably(&from, &to.join(name))?;
        }
    }
    let about = serde_json::json!({
        "amanat": env!("CARGO_PKG_VERSION"),
        "backend": match store.backend() { Backend::Sqlite => "sqlite", Backend::Postgres => "postgres" },
        "entries": entries.len(),
        "taken_at": crate::store::now_rfc3339(),
    });
    std::fs::write(to.join(ABOUT), serde_json::to_vec_pretty(&about)?)?;
    // 4. The manifest, over every file.
    let files: Vec<String> = files_under(to)?.into_iter().filter(|f| f != MANIFEST).collect();
    let mut manifest = String::new();
    for f in &files {
        manifest.push_str(&format!("{}  {f}\n", sha256_file(&to.join(f))?));
    }
    let mut m = std::fs::File::create(to.join(MANIFEST))?;
    m.write_all(manifest.as_bytes())?;
    m.sync_all()?;
    crate::blobs::sync_dir(to)?;
    Ok(Summary { entries: entries.len(), files: files.len() + 1, bytes })
}

/// The manifest's lines, checked against the files: every listed file present with its
/// hash. Names every problem.
fn check_manifest(from: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(from.join(MANIFEST))
        .with_context(|| format!("{} has no {MANIFEST}: not an Amanat backup", from.display()))?;
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let Some((hash, name)) = line.split_once("  ") else { bail!("{MANIFEST}: a malformed line: {line:?}") };
        let safe = !name.is_empty()
            && name.split('/').all(|s| !s.is_empty() && s != "." && s != "..")
            && !name.starts_with('/');
        if !safe {
            bail!("{MANIFEST} names a path outside the backup: {name:?}");
        }
        match sha256_file(&from.join(name)) {
            Ok(h) if h == hash => files.push(name.to_owned()),
            Ok(_) => problems.push(format!("{name}: its SHA-256 differs from the manifest (changed or damaged)")),
            Err(_) => problems.push(format!("{name}: missing")),
        }
    }
    if !problems.is_empty() {
        bail!("the backup in {} is not whole; nothing was restored:\n  {}", from.display(), problems.join("\n  "));
    }
    Ok(files)
}

/// `amanat restore --from PATH` into the empty `data_dir` (and empty database).
pub async fn restore(from: &Path, data_dir: &Path, database: Option<&str>) -> Result<(Summary, crate::verify::Report)> {
    let files = check_manifest(from)?;
    if !is_empty_dir(data_dir)? {
        bail!(
            "{} is not empty: restore only into a new or empty data directory; nothing was changed",
            data_dir.display()
        );
    }
    let dump = files.iter().any(|f| f == PG_DUMP);
    match (dump, database) {
        (true, None) => {
            bail!("this backup is of a PostgreSQL relay: give --database postgres://… of an empty database")
        }
        (false, Some(_)) => bail!("this backup is of a SQLite relay: restore it without --database"),
        _ => {}
    }
    if let (true, Some(url)) = (dump, database) {
        // First, and in one transaction: a database that is not empty refuses it, and
        // then nothing at all has changed.
        run(
            Command::new("pg_restore")
                .args(["--no-owner", "--exit-on-error", "--single-transaction", "--dbname"])
                .arg(url)
                .arg(from.join(PG_DUMP)),
            "pg_restore (into an empty database)",
        )?;
    }
    crate::private_file::create_dir(data_dir)?;
    let mut bytes = 0u64;
    for f in files.iter().filter(|f| *f != ABOUT && *f != PG_DUMP) {
        bytes += copy_durably(&from.join(f), &data_dir.join(f))?;
    }
    crate::blobs::sync_dir(data_dir)?;
    let store = Store::open_with(data_dir, database).await?;
    let report = crate::verify::verify(&store).await;
    let entries = store.all_entries().await.map(|e| e.len());
    store.close().await;
    Ok((Summary { entries: entries?, files: files.len(), bytes }, report?))
}

/// Whether `dir` holds the demo organisation (whose folder a backup leaves out).
pub fn has_demo_folder(dir: &Path) -> bool {
    dir.join("demo").is_dir()
}
