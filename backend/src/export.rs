//! `amanat export`: copies stored ciphertext out as `<id>.age` files (for archives and
//! the `age` CLI), with `manifest.json` listing each entry's metadata. Nothing is
//! decrypted: the export is as safe to move as the store itself.

use std::path::{Path, PathBuf};

use shared::api::EntryMeta;
use shared::CaseId;

use crate::store::{Store, StoreError};

/// What an export wrote.
#[derive(Debug, Default)]
pub struct Exported {
    pub written: Vec<PathBuf>,
    /// Entries whose ciphertext file is missing.
    pub missing: Vec<String>,
    pub manifest: PathBuf,
}

/// Exports every entry (or one case's) into `out`.
pub async fn export(store: &Store, out: &Path, case: Option<CaseId>) -> Result<Exported, StoreError> {
    let rows = store.all_entries().await?;
    let metas: Vec<EntryMeta> = rows.into_iter().map(|r| r.meta).filter(|m| case.is_none_or(|c| m.case == c)).collect();
    let blobs = store.blobs().clone();
    let out = out.to_owned();
    tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&out)?;
        let mut result = Exported { manifest: out.join("manifest.json"), ..Default::default() };
        for m in &metas {
            // Copied file to file (never whole in memory: entries may be attachments).
            match blobs.open(&m.id)? {
                Some((mut file, _)) => {
                    let p = out.join(format!("{}.age", m.id));
                    std::io::copy(&mut file, &mut std::fs::File::create(&p)?)?;
                    result.written.push(p);
                }
                None => result.missing.push(m.id.to_string()),
            }
        }
        let manifest = serde_json::to_string_pretty(&metas).expect("metadata serialises");
        std::fs::write(&result.manifest, manifest + "\n")?;
        Ok(result)
    })
    .await
    .map_err(|e| StoreError::Io(std::io::Error::other(e)))?
}
