//! The organisation's signed roster of approved author keys as the relay keeps it:
//! `DATA/roster.json`, served as stored by `GET /api/v1/roster`, and the one change
//! `amanat roster approve` makes to it with the organisation key (brought on removable
//! media for the purpose and taken away again).
//!
//! Like the keyring ([`crate::keyring_file`]): every change bumps the version and
//! re-signs; only the key that signed the keyring (and the current roster, if any) may
//! sign it; it is written to a temporary file and renamed, so a reader never sees half
//! a roster. Signing and checking rules live in [`shared::authorship`].

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use shared::authorship::{ApprovedAuthor, AuthorPublicKey, Roster, MAX_AUTHORS, MAX_ROSTER_BYTES};
use shared::keyring::OrgSigningKey;

use crate::keyring_file;

/// File name inside the data directory.
pub const ROSTER_FILE: &str = "roster.json";

/// Why a roster change was refused (nothing was written).
#[derive(Debug, thiserror::Error)]
pub enum RosterFileError {
    #[error("reading or writing {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{0} is not a roster: {1}")]
    Malformed(PathBuf, shared::ErrorCode),
    #[error(transparent)]
    Keyring(#[from] keyring_file::KeyringFileError),
    #[error("the {what} is signed by {signed_by}, not by the key in {key_file} (or it was altered after signing); refusing to sign the roster with it")]
    WrongKey { what: &'static str, signed_by: String, key_file: PathBuf },
    #[error("{0}")]
    Refused(String),
}

type Result<T> = std::result::Result<T, RosterFileError>;

pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(ROSTER_FILE)
}

/// The stored roster's bytes as written, if there is one (at most
/// [`MAX_ROSTER_BYTES`]; a larger file is an error, not served).
pub fn read_bytes(data_dir: &Path) -> io::Result<Option<Vec<u8>>> {
    let file = match std::fs::File::open(path(data_dir)) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut bytes = Vec::new();
    file.take(MAX_ROSTER_BYTES as u64 + 1).read_to_end(&mut bytes)?;
    if bytes.len() > MAX_ROSTER_BYTES {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "the roster is larger than a roster may be"));
    }
    Ok(Some(bytes))
}

/// The stored roster, if there is one.
pub fn load(data_dir: &Path) -> Result<Option<Roster>> {
    let p = path(data_dir);
    match read_bytes(data_dir) {
        Ok(Some(bytes)) => Roster::from_json(&bytes).map(Some).map_err(|e| RosterFileError::Malformed(p, e)),
        Ok(None) => Ok(None),
        Err(source) => Err(RosterFileError::Io { path: p, source }),
    }
}

/// Replaces the stored roster atomically (`crate::replace_file`).
pub fn save(data_dir: &Path, roster: &Roster) -> Result<()> {
    let p = path(data_dir);
    crate::replace_file::replace(&p, &format!("{}\n", roster.to_json()))
        .map_err(|source| RosterFileError::Io { path: p.clone(), source })
}

/// Adds (`name`, `key`) to the roster, signed with `org` as version+1 (version 1 for
/// the first roster), for the keyring's organisation. Refused, with nothing written,
/// unless `org` signed the installed keyring and the current roster (so a relay's own
/// key, or a roster altered on the relay, is not extended), and if `key` is already
/// approved (for anyone).
pub fn approve(
    data_dir: &Path,
    org: &OrgSigningKey,
    key_file: &Path,
    name: &str,
    key: &AuthorPublicKey,
) -> Result<Roster> {
    let keyring = keyring_file::load(data_dir)?.ok_or(keyring_file::KeyringFileError::Missing)?;
    if keyring.check_signature(&org.public()).is_err() {
        return Err(RosterFileError::WrongKey {
            what: "keyring",
            signed_by: keyring.signed_by,
            key_file: key_file.to_owned(),
        });
    }
    let current = load(data_dir)?;
    let (version, mut authors) = match current {
        None => (0, Vec::new()),
        Some(r) => {
            if r.verify(&org.public()).is_err() {
                return Err(RosterFileError::WrongKey {
                    what: "roster",
                    signed_by: r.signed_by,
                    key_file: key_file.to_owned(),
                });
            }
            (r.version, r.authors)
        }
    };
    let key_text = key.to_string();
    if let Some(a) = authors.iter().find(|a| a.key == key_text) {
        return Err(RosterFileError::Refused(format!(
            "this author key is already approved (for {:?}); the roster was not changed",
            a.name
        )));
    }
    if authors.len() >= MAX_AUTHORS {
        return Err(RosterFileError::Refused(format!("a roster holds at most {MAX_AUTHORS} author keys")));
    }
    authors.push(ApprovedAuthor { name: name.to_owned(), key: key_text });
    let roster = Roster::sign(version + 1, &keyring.organisation, authors, org);
    save(data_dir, &roster)?;
    Ok(roster)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::authorship::AuthorKey;

    fn org_dir() -> (tempfile::TempDir, OrgSigningKey, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let key_file = dir.path().join("org.key");
        let (key, _) = keyring_file::org_key(&key_file, true).unwrap();
        keyring_file::init(dir.path(), &key, "Org", vec![]).unwrap();
        (dir, key, key_file)
    }

    #[test]
    fn each_approval_bumps_the_version_and_verifies_with_the_org_key() {
        let (dir, key, key_file) = org_dir();
        let (a, b) = (AuthorKey::generate().public(), AuthorKey::generate().public());
        assert_eq!(approve(dir.path(), &key, &key_file, "dilnoza", &a).unwrap().version, 1);
        let r = approve(dir.path(), &key, &key_file, "aziz", &b).unwrap();
        assert_eq!((r.version, r.organisation.as_str(), r.authors.len()), (2, "Org", 2));
        let stored = load(dir.path()).unwrap().unwrap();
        assert_eq!(stored, r);
        assert!(stored.verify(&key.public()).is_ok());
        let again = approve(dir.path(), &key, &key_file, "someone", &a).unwrap_err();
        assert!(matches!(again, RosterFileError::Refused(_)), "{again}");
        assert_eq!(load(dir.path()).unwrap().unwrap().version, 2, "a refusal changes nothing");
    }

    #[test]
    fn another_key_or_an_altered_roster_is_not_extended() {
        let (dir, key, key_file) = org_dir();
        let other = OrgSigningKey::generate();
        let a = AuthorKey::generate().public();
        let err = approve(dir.path(), &other, &key_file, "dilnoza", &a).unwrap_err();
        assert!(matches!(err, RosterFileError::WrongKey { what: "keyring", .. }), "{err}");
        assert!(load(dir.path()).unwrap().is_none());
        approve(dir.path(), &key, &key_file, "dilnoza", &a).unwrap();
        // The relay adds a key of its own to the stored roster.
        let mut r = load(dir.path()).unwrap().unwrap();
        r.authors.push(ApprovedAuthor { name: "relay".into(), key: AuthorKey::generate().public().to_string() });
        save(dir.path(), &r).unwrap();
        let err = approve(dir.path(), &key, &key_file, "aziz", &AuthorKey::generate().public()).unwrap_err();
        assert!(matches!(err, RosterFileError::WrongKey { what: "roster", .. }), "{err}");
        assert_eq!(load(dir.path()).unwrap().unwrap(), r, "nothing written");
    }
}
