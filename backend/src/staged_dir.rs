//! A folder made whole or not at all: `amanat org init` writes its files into a fresh
//! hidden folder beside the target (so on the same file system), flushes every file and
//! the folder to disk, and only then renames it to the target's name. A crash or an
//! error midway never leaves a half-made folder under that name.
//!
//! The target must be missing or an empty folder (the rename replaces an empty folder
//! atomically and fails on one that filled up meanwhile). On an error the staging folder
//! and any parent folders made for it are removed again; a crash leaves the staging
//! folder behind, which [`StagedDir::check`] finds and names on the next run. The target
//! may not be the top of another file system (a mount point): a rename cannot reach
//! across, so a folder inside it must be given instead.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Why a staged folder could not be made or put in place.
#[derive(Debug, thiserror::Error)]
pub enum StagedDirError {
    #[error("{0} already exists and is not empty; give a new or empty folder (its files are left as they are)")]
    NotEmpty(PathBuf),
    #[error("{0} exists and is not a folder; give a new or empty folder")]
    NotAFolder(PathBuf),
    #[error("{0} is the top of another file system (a mount point), where the finished folder cannot be renamed into place; give a folder inside it, such as {1}")]
    MountPoint(PathBuf, PathBuf),
    #[error("{0} names no folder; give a folder path such as ./org")]
    NoName(PathBuf),
    #[error("{what} {path}: {source}")]
    Io { what: &'static str, path: PathBuf, source: io::Error },
}

type Result<T> = std::result::Result<T, StagedDirError>;

fn io<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> StagedDirError + 'a {
    move |source| StagedDirError::Io { what, path: path.to_owned(), source }
}

/// A folder being filled beside its target; removed on drop unless committed.
#[derive(Debug)]
pub struct StagedDir {
    target: PathBuf,
    staging: PathBuf,
    /// Parent folders made for it, deepest last, removed again on failure.
    made_parents: Vec<PathBuf>,
    committed: bool,
}

/// What [`StagedDir::check`] found: nothing in the way, and staging folders that an
/// earlier run (that crashed) left beside the target.
#[derive(Debug)]
pub struct Checked {
    pub leftovers: Vec<PathBuf>,
}

fn parent_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

fn staging_prefix(target: &Path, tag: &str) -> Result<String> {
    let name = target.file_name().ok_or_else(|| StagedDirError::NoName(target.to_owned()))?;
    Ok(format!(".{}.{tag}-", name.to_string_lossy()))
}

/// Flushes a folder's entries (names, renames) to disk.
fn sync_dir(dir: &Path) -> io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

impl StagedDir {
    /// Checks, changing nothing, that `target` can be made: missing, or an empty folder
    /// on the same file system as its parent. `tag` names the staging folders
    /// (`.TARGET.TAG-…`), so leftovers of a crashed run are found.
    pub fn check(target: &Path, tag: &str) -> Result<Checked> {
        let prefix = staging_prefix(target, tag)?;
        match std::fs::symlink_metadata(target) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io("looking at", target)(e)),
            Ok(meta) if meta.is_dir() => {
                let mut entries = std::fs::read_dir(target).map_err(io("reading", target))?;
                if entries.next().is_some() {
                    return Err(StagedDirError::NotEmpty(target.to_owned()));
                }
                #[cfg(unix)]
                {
                    use std::os::unix::fs::MetadataExt;
                    let parent = parent_of(target);
                    let parent_meta = std::fs::metadata(&parent).map_err(io("looking at", &parent))?;
                    if parent_meta.dev() != meta.dev() {
                        return Err(StagedDirError::MountPoint(target.to_owned(), target.join("org")));
                    }
                }
            }
            Ok(_) => return Err(StagedDirError::NotAFolder(target.to_owned())),
        }
        let parent = parent_of(target);
        let mut leftovers = Vec::new();
        if let Ok(entries) = std::fs::read_dir(&parent) {
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().starts_with(&prefix) {
                    leftovers.push(e.path());
                }
            }
        }
        leftovers.sort();
        Ok(Checked { leftovers })
    }

    /// Checks again and makes the (owner-only) staging folder beside `target`, and
    /// `target`'s missing parent folders.
    pub fn begin(target: &Path, tag: &str) -> Result<Self> {
        Self::check(target, tag)?;
        let parent = parent_of(target);
        let mut missing = Vec::new();
        let mut up = parent.as_path();
        while !up.exists() {
            missing.push(up.to_owned());
            match up.parent() {
                Some(p) if !p.as_os_str().is_empty() => up = p,
                _ => break,
            }
        }
        // From here on, dropping `staged` removes what was made.
        let mut staged = StagedDir {
            target: target.to_owned(),
            staging: PathBuf::new(),
            made_parents: Vec::new(),
            committed: false,
        };
        for dir in missing.into_iter().rev() {
            private_dir(&dir).map_err(io("making the folder", &dir))?;
            staged.made_parents.push(dir);
        }
        let prefix = staging_prefix(target, tag)?;
        let staging = parent.join(format!("{prefix}{:016x}", rand::random::<u64>()));
        private_dir(&staging).map_err(io("making a folder beside it,", &staging))?;
        staged.staging = staging;
        Ok(staged)
    }

    /// The staging folder, to write into.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// Writes a new file (owner-only when `private`) in the staging folder and flushes it.
    pub fn write(&self, name: &str, contents: &str, private: bool) -> Result<PathBuf> {
        let path = self.staging.join(name);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(if private { 0o600 } else { 0o644 });
        }
        #[cfg(not(unix))]
        let _ = private;
        let write = || -> io::Result<()> {
            let mut f = options.open(&path)?;
            f.write_all(contents.as_bytes())?;
            f.sync_all()
        };
        write().map_err(io("writing", &path))?;
        Ok(path)
    }

    /// Flushes the staging folder and renames it to the target, then flushes the parent.
    /// Files written into it by others must already be flushed.
    pub fn commit(mut self) -> Result<()> {
        sync_dir(&self.staging).map_err(io("flushing", &self.staging))?;
        match std::fs::rename(&self.staging, &self.target) {
            Ok(()) => {}
            Err(e) if matches!(e.kind(), io::ErrorKind::DirectoryNotEmpty | io::ErrorKind::AlreadyExists) => {
                // The empty target filled up since it was checked.
                return Err(StagedDirError::NotEmpty(self.target.clone()));
            }
            Err(e) => return Err(io("renaming the finished folder to", &self.target)(e)),
        }
        self.committed = true;
        let parent = parent_of(&self.target);
        sync_dir(&parent).map_err(io("flushing", &parent))
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        if !self.staging.as_os_str().is_empty() {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
        for dir in self.made_parents.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

fn private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut all: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        all.sort();
        all
    }

    #[test]
    fn a_committed_folder_appears_whole_and_a_dropped_one_leaves_nothing_not_even_its_new_parents() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("a/b/org");
        let staged = StagedDir::begin(&target, "t").unwrap();
        staged.write("key", "secret\n", true).unwrap();
        assert!(!target.exists(), "nothing under the name before the commit");
        staged.commit().unwrap();
        assert_eq!(names(&target), ["key"]);
        assert_eq!(names(&tmp.path().join("a/b")), ["org"]);

        let other = tmp.path().join("c/d/org");
        let staged = StagedDir::begin(&other, "t").unwrap();
        staged.write("key", "secret\n", true).unwrap();
        drop(staged);
        assert_eq!(names(tmp.path()), ["a"], "the staging folder and the parents made for it are gone");
    }

    #[test]
    fn an_empty_target_is_replaced_a_filled_one_refused_and_leftovers_are_found() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("org");
        std::fs::create_dir(&target).unwrap();
        let staged = StagedDir::begin(&target, "t").unwrap();
        staged.write("f", "x", false).unwrap();
        // The target fills up between the check and the rename: refused, left alone.
        std::fs::write(target.join("theirs"), "y").unwrap();
        assert!(matches!(staged.commit(), Err(StagedDirError::NotEmpty(_))));
        assert_eq!(names(&target), ["theirs"]);
        assert_eq!(names(tmp.path()), ["org"]);
        assert!(matches!(StagedDir::check(&target, "t"), Err(StagedDirError::NotEmpty(_))));

        let fresh = tmp.path().join("fresh");
        let crashed = StagedDir::begin(&fresh, "t").unwrap();
        let left = crashed.path().to_owned();
        std::mem::forget(crashed);
        assert_eq!(StagedDir::check(&fresh, "t").unwrap().leftovers, [left]);
        assert!(StagedDir::check(&fresh, "other").unwrap().leftovers.is_empty());
    }
}
