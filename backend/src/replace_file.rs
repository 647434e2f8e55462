//! Replacing a public file (the relay's signed keyring, roster and settings; a release's
//! `index.html`, `sw.js`, `hashes.txt` and `release.sig`) all at once: a reader sees the old file or the new one, never half of either, and a
//! crash after the call cannot bring the old one back.

use std::io::{self, Write};
use std::path::Path;

/// Writes `contents` to `file` through a temporary file beside it (`.NAME.tmp`): write,
/// fsync, rename over `file`, then fsync the directory so the rename itself is durable.
/// Makes the directory if it is missing.
pub fn replace(file: &Path, contents: &str) -> io::Result<()> {
    let dir = file.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = file.file_name().ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
    let tmp = dir.join(format!(".{}.tmp", name.to_string_lossy()));
    std::fs::create_dir_all(dir)?;
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(contents.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, file)?;
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_replaced_file_holds_the_new_contents_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("state/keyring.json");
        super::replace(&file, "one\n").unwrap();
        super::replace(&file, "two\n").unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "two\n");
        let names: Vec<_> =
            std::fs::read_dir(dir.path().join("state")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["keyring.json"]);
    }
}
