//! Start-up clean-up after a crash: temporary blob files of uploads that were cut off.
//!
//! An upload streams into `blobs/<shard>/.tmp-…` and is renamed into place only once
//! it is complete and fsynced, so a crash leaves at most a temporary file, never a
//! partial blob under an entry id. Such files are never served; this removes them so
//! they do not pile up. Only files untouched for longer than `idle` go (the relay
//! passes twice its body timeout): an upload in progress writes its file at least that
//! often, so this is safe even when several relays share one blob directory.
//!
//! Blobs that were renamed into place but whose metadata row was never written (a crash
//! in between) are left alone: they are not served, `amanat verify` lists them, and a
//! retry of the same upload completes them.

use std::io;
use std::time::{Duration, SystemTime};

use crate::blobs::{Blobs, TEMP_PREFIX};

/// Removes temporary files idle for longer than `idle`; returns how many.
pub fn remove_stale_temp_files(blobs: &Blobs, idle: Duration) -> io::Result<usize> {
    let now = SystemTime::now();
    let mut removed = 0;
    for (name, path) in blobs.list_files()? {
        if !name.starts_with(TEMP_PREFIX) {
            continue;
        }
        let modified = std::fs::metadata(&path).and_then(|m| m.modified())?;
        if now.duration_since(modified).unwrap_or_default() > idle {
            match std::fs::remove_file(&path) {
                Ok(()) => removed += 1,
                // Another relay got there first.
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::EntryId;

    #[test]
    fn stale_temporary_files_go_and_fresh_ones_and_blobs_stay() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::new(dir.path().join("blobs"));
        let id = EntryId::of(b"kept");
        blobs.put(&id, b"kept").unwrap();
        let shard = blobs.path(&id).parent().unwrap().to_owned();
        std::fs::write(shard.join(format!("{TEMP_PREFIX}old")), b"partial").unwrap();
        std::thread::sleep(Duration::from_millis(30));
        std::fs::write(shard.join(format!("{TEMP_PREFIX}new")), b"in progress").unwrap();
        assert_eq!(remove_stale_temp_files(&blobs, Duration::from_millis(20)).unwrap(), 1);
        let names: Vec<_> = blobs.list_files().unwrap().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, vec![format!("{TEMP_PREFIX}new"), id.to_string()]);
    }
}
