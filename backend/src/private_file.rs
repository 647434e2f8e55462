//! Files only their owner may read: organisation key, identities, tokens.
//!
//! Created with mode 0600 from the start (never widened then narrowed), and never
//! overwritten: losing an organisation key or an identity by accident loses records.

use std::io::{self, Write};
use std::path::Path;

/// Creates a directory (and missing parents) that only its owner can enter; an
/// existing directory is left as it is.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Writes a new owner-only file (making its directory owner-only if it is new);
/// fails if the file already exists.
pub fn create(path: &Path, contents: &str) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        create_dir(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    f.write_all(contents.as_bytes())?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_private_file_is_owner_only_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/key.txt");
        create(&p, "secret\n").unwrap();
        assert!(create(&p, "other\n").is_err());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "secret\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
}
