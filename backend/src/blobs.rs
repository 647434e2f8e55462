//! Ciphertext files on disk, under `DATA/blobs/<first 2 hex>/<id>`.
//!
//! A blob is written to a temporary file in its final directory ([`PendingBlob`], which
//! an upload streams into piece by piece), fsynced, renamed into place and the
//! directory fsynced, so once [`PendingBlob::commit`] (or [`Blobs::put`]) returns the
//! bytes survive a crash. Only then does the relay record the metadata row and answer
//! "stored". A pending blob that is dropped uncommitted (a refused or broken upload)
//! removes its temporary file. Reads go through [`Blobs::open`] so big entries stream
//! out. This module knows nothing about age or accounts: it stores bytes by id.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use rand::RngCore;
use shared::EntryId;

/// Prefix of temporary files; a leftover one means an upload was interrupted.
pub const TEMP_PREFIX: &str = ".tmp-";

/// The blob directory.
#[derive(Clone, Debug)]
pub struct Blobs {
    root: PathBuf,
    /// Shard directories whose entry in `root` this process has fsynced: the root is
    /// fsynced once per shard (256 times in a process's life), not once per blob.
    durable_shards: Arc<[AtomicBool; 256]>,
}

impl Blobs {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into(), durable_shards: Arc::new(std::array::from_fn(|_| AtomicBool::new(false))) }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Makes the blob directory if it is missing and fsyncs the directory that holds
    /// it, so the first blob of a new store does not hang from a directory entry a
    /// crash could lose. Blocking (store opening).
    pub fn create_root(&self) -> io::Result<()> {
        if !self.root.is_dir() {
            std::fs::create_dir_all(&self.root)?;
            if let Some(parent) = self.root.parent() {
                sync_dir(parent)?;
            }
        }
        Ok(())
    }

    /// Writes, fsyncs and removes a small temporary file in the blob directory: whether
    /// an upload could be stored now (disk full, read-only mount, wrong owner). A file
    /// left by a crash here is removed at the next start like any interrupted upload's.
    /// Blocking.
    pub fn probe_writable(&self) -> io::Result<()> {
        let mut suffix = [0u8; 8];
        rand::rngs::OsRng.fill_bytes(&mut suffix);
        let path = self.root.join(format!("{TEMP_PREFIX}ready-{}", hex::encode(suffix)));
        let result = (|| {
            let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&path)?;
            f.write_all(b"amanat readiness probe")?;
            f.sync_all()
        })();
        let removed = std::fs::remove_file(&path);
        result.and(removed)
    }

    /// Where the blob with this id lives.
    pub fn path(&self, id: &EntryId) -> PathBuf {
        let hex = id.to_string();
        self.root.join(&hex[..2]).join(&hex)
    }

    /// Writes the bytes durably (see the module doc). Blocking: call from a blocking task.
    pub fn put(&self, id: &EntryId, bytes: &[u8]) -> io::Result<()> {
        let mut pending = self.create_pending(id)?;
        pending.write(bytes)?;
        pending.commit()
    }

    /// Starts writing the blob `id` (a temporary file next to its final place).
    /// Blocking: call from a blocking task.
    pub fn create_pending(&self, id: &EntryId) -> io::Result<PendingBlob> {
        let path = self.path(id);
        let dir = path.parent().expect("blob paths have a parent");
        std::fs::create_dir_all(dir)?;
        let mut suffix = [0u8; 8];
        rand::rngs::OsRng.fill_bytes(&mut suffix);
        let tmp = dir.join(format!("{TEMP_PREFIX}{}", hex::encode(suffix)));
        let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        let shard = id.as_bytes()[0] as usize;
        Ok(PendingBlob {
            file: Some(file),
            tmp,
            path,
            root: self.root.clone(),
            shard,
            durable_shards: self.durable_shards.clone(),
        })
    }

    /// Reads a whole blob; `Ok(None)` if it is missing. For small blobs and tests:
    /// serving and checking go through [`Blobs::open`].
    pub fn get(&self, id: &EntryId) -> io::Result<Option<Vec<u8>>> {
        match std::fs::read(self.path(id)) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Opens a blob for reading, with its length; `Ok(None)` if it is missing.
    pub fn open(&self, id: &EntryId) -> io::Result<Option<(std::fs::File, u64)>> {
        match std::fs::File::open(self.path(id)) {
            Ok(f) => {
                let len = f.metadata()?.len();
                Ok(Some((f, len)))
            }
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

/// A blob being written: bytes go to a temporary file until [`PendingBlob::commit`].
#[derive(Debug)]
pub struct PendingBlob {
    file: Option<std::fs::File>,
    tmp: PathBuf,
    path: PathBuf,
    root: PathBuf,
    shard: usize,
    durable_shards: Arc<[AtomicBool; 256]>,
}

impl PendingBlob {
    /// Appends bytes. Blocking.
    pub fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.file.as_mut().expect("an uncommitted blob has its file").write_all(bytes)
    }

    /// Makes the blob durable under its id (fsync, rename, directory fsync). Blocking.
    pub fn commit(mut self) -> io::Result<()> {
        let file = self.file.take().expect("a blob is committed once");
        file.sync_all()?;
        drop(file);
        std::fs::rename(&self.tmp, &self.path)?;
        // Renamed: nothing left for Drop to remove, even if a directory sync fails.
        self.tmp = PathBuf::new();
        sync_dir(self.path.parent().expect("blob paths have a parent"))?;
        // The shard directory's own entry must be durable too (it may be new). Once
        // this process has fsynced the root after the shard existed, that holds for
        // every later blob in it, so the flag is set only after a successful sync.
        if !self.durable_shards[self.shard].load(Ordering::Acquire) {
            sync_dir(&self.root)?;
            self.durable_shards[self.shard].store(true, Ordering::Release);
        }
        Ok(())
    }
}

impl Drop for PendingBlob {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            // An upload that was refused or broke off: leave nothing behind.
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

pub fn sync_dir(dir: &Path) -> io::Result<()> {
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

    #[test]
    fn a_pending_blob_is_invisible_until_committed_and_gone_if_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::new(dir.path().join("blobs"));
        let id = EntryId::of(b"in two parts");
        let mut pending = blobs.create_pending(&id).unwrap();
        pending.write(b"in two ").unwrap();
        pending.write(b"parts").unwrap();
        assert!(blobs.open(&id).unwrap().is_none(), "not visible before commit");
        pending.commit().unwrap();
        let (_, len) = blobs.open(&id).unwrap().unwrap();
        assert_eq!(len, 12);
        assert_eq!(blobs.list_files().unwrap().len(), 1);

        let other = EntryId::of(b"refused");
        let mut refused = blobs.create_pending(&other).unwrap();
        refused.write(b"refu").unwrap();
        drop(refused);
        assert!(blobs.open(&other).unwrap().is_none());
        assert_eq!(blobs.list_files().unwrap().len(), 1, "the dropped upload's temporary file is removed");
    }
}
