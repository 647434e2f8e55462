//! Ciphertext files on disk, under `DATA/blobs/<first 2 hex>/<id>`.
//!
//! A blob is written to a temporary file in its final directory, fsynced, renamed into
//! place and the directory fsynced, so once [`Blobs::put`] returns the bytes survive a
//! crash. Only then does the relay record the metadata row and answer "stored". This
//! module knows nothing about age or accounts: it stores bytes by id.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use rand::RngCore;
use shared::EntryId;

/// Prefix of temporary files; a leftover one means an upload was interrupted.
pub const TEMP_PREFIX: &str = ".tmp-";

/// The blob directory.
#[derive(Clone, Debug)]
pub struct Blobs {
    root: PathBuf,
}

impl Blobs {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the blob with this id lives.
    pub fn path(&self, id: &EntryId) -> PathBuf {
        let hex = id.to_string();
        self.root.join(&hex[..2]).join(&hex)
    }

    /// Writes the bytes durably (see the module doc). Blocking: call from a blocking task.
    pub fn put(&self, id: &EntryId, bytes: &[u8]) -> io::Result<()> {
        let path = self.path(id);
        let dir = path.parent().expect("blob paths have a parent");
        std::fs::create_dir_all(dir)?;
        let mut suffix = [0u8; 8];
        rand::rngs::OsRng.fill_bytes(&mut suffix);
        let tmp = dir.join(format!("{TEMP_PREFIX}{}", hex::encode(suffix)));
        let result = (|| {
            let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            drop(f);
            std::fs::rename(&tmp, &path)?;
            sync_dir(dir)?;
            // The new shard directory's own entry must be durable too.
            sync_dir(&self.root)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    /// Reads a blob; `Ok(None)` if it is missing.
    pub fn get(&self, id: &EntryId) -> io::Result<Option<Vec<u8>>> {
        match std::fs::read(self.path(id)) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every file under the blob directory, as (file name, path). For `amanat verify`.
    pub fn list_files(&self) -> io::Result<Vec<(String, PathBuf)>> {
        let mut out = Vec::new();
        let shards = match std::fs::read_dir(&self.root) {
            Ok(s) => s,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(e),
        };
        for shard in shards {
            let shard = shard?;
            if !shard.file_type()?.is_dir() {
                out.push((shard.file_name().to_string_lossy().into_owned(), shard.path()));
                continue;
            }
            for file in std::fs::read_dir(shard.path())? {
                let file = file?;
                out.push((file.file_name().to_string_lossy().into_owned(), file.path()));
            }
        }
        out.sort();
        Ok(out)
    }
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blob_is_stored_under_its_shard_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::new(dir.path().join("blobs"));
        let id = EntryId::of(b"bytes");
        blobs.put(&id, b"bytes").unwrap();
        let hex = id.to_string();
        assert!(dir.path().join("blobs").join(&hex[..2]).join(&hex).is_file());
        assert_eq!(blobs.get(&id).unwrap().as_deref(), Some(&b"bytes"[..]));
        assert_eq!(blobs.get(&EntryId::of(b"other")).unwrap(), None);
        let files = blobs.list_files().unwrap();
        assert_eq!(files.len(), 1, "no temporary file is left behind");
    }
}
