//! The signed keyring as the relay keeps it: `DATA/keyring.json`, and the changes
//! `amanat keyring …` makes to it with the organisation key.
//!
//! The relay only reads this file (on every request that needs it, so a change made
//! by the CLI while a server runs takes effect at once). Every change bumps the version
//! and re-signs; it is written to a temporary file and renamed, so a reader never sees
//! half a keyring. Signing and checking rules live in [`shared::keyring`].

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use shared::keyring::{HolderRole, KeyHolder, Keyring, OrgSigningKey, Validity, DEFAULT_VALID_DAYS, MAX_RECIPIENTS};
use shared::seal;

/// File name inside the data directory.
pub const KEYRING_FILE: &str = "keyring.json";

/// Why a keyring change was refused.
#[derive(Debug, thiserror::Error)]
pub enum KeyringFileError {
    #[error("reading or writing {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{0} is not a keyring: {1}")]
    Malformed(PathBuf, shared::ErrorCode),
    #[error("there is no keyring yet; run `amanat keyring init` first")]
    Missing,
    #[error("a keyring already exists at {0}")]
    Exists(PathBuf),
    #[error("the keyring is signed by {signed_by}, not by the key in {key_file} (or it was altered after signing); refusing to re-sign it")]
    WrongKey { signed_by: String, key_file: PathBuf },
    #[error("{0}")]
    Refused(String),
}

type Result<T> = std::result::Result<T, KeyringFileError>;

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> KeyringFileError + '_ {
    move |source| KeyringFileError::Io { path: path.to_owned(), source }
}

pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(KEYRING_FILE)
}

/// The stored keyring, if there is one.
pub fn load(data_dir: &Path) -> Result<Option<Keyring>> {
    let p = path(data_dir);
    match std::fs::read(&p) {
        Ok(bytes) => Keyring::from_json(&bytes).map(Some).map_err(|e| KeyringFileError::Malformed(p, e)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err(&p)(e)),
    }
}

/// Replaces the stored keyring atomically.
pub fn save(data_dir: &Path, keyring: &Keyring) -> Result<()> {
    let p = path(data_dir);
    let tmp = data_dir.join(format!(".{KEYRING_FILE}.tmp"));
    (|| {
        std::fs::create_dir_all(data_dir)?;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(keyring.to_json().as_bytes())?;
        f.write_all(b"\n")?;
        f.sync_all()?;
        std::fs::rename(&tmp, &p)?;
        #[cfg(unix)]
        std::fs::File::open(data_dir)?.sync_all()?;
        Ok(())
    })()
    .map_err(io_err(&p))
}

/// Reads the organisation key file, or makes one (owner-only) if it is missing.
/// Returns the key and whether it was made now.
pub fn org_key(key_file: &Path, create_if_missing: bool) -> Result<(OrgSigningKey, bool)> {
    match std::fs::read_to_string(key_file) {
        Ok(text) => OrgSigningKey::from_file(&text)
            .map(|k| (k, false))
            .map_err(|e| KeyringFileError::Malformed(key_file.to_owned(), e)),
        Err(e) if e.kind() == io::ErrorKind::NotFound && create_if_missing => {
            let key = OrgSigningKey::generate();
            crate::private_file::create(key_file, &key.to_file()).map_err(io_err(key_file))?;
            Ok((key, true))
        }
        Err(e) => Err(io_err(key_file)(e)),
    }
}

/// Now, in Unix seconds: keyrings are dated from the clock of the computer that signs.
pub fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Valid from now for the default [`DEFAULT_VALID_DAYS`].
pub fn default_validity() -> Validity {
    Validity::starting(now(), DEFAULT_VALID_DAYS)
}

/// Makes and stores version 1 of a keyring. Refuses if one exists.
pub fn init(data_dir: &Path, key: &OrgSigningKey, organisation: &str, holders: Vec<KeyHolder>) -> Result<Keyring> {
    if load(data_dir)?.is_some() {
        return Err(KeyringFileError::Exists(path(data_dir)));
    }
    check_holders(&holders)?;
    let kr = Keyring::sign(1, organisation, holders, default_validity(), key);
    save(data_dir, &kr)?;
    Ok(kr)
}

/// Applies `change` to the holders, bumps the version, re-signs and stores.
pub fn change(
    data_dir: &Path,
    key: &OrgSigningKey,
    key_file: &Path,
    change: impl FnOnce(&mut Vec<KeyHolder>) -> Result<()>,
) -> Result<Keyring> {
    let current = load(data_dir)?.ok_or(KeyringFileError::Missing)?;
    // Only the key that signed the keyring may change it, and only if nothing was
    // altered since.
    if current.check_signature(&key.public()).is_err() {
        return Err(KeyringFileError::WrongKey { signed_by: current.signed_by, key_file: key_file.to_owned() });
    }
    let mut holders = current.recipients;
    change(&mut holders)?;
    check_holders(&holders)?;
    let kr = Keyring::sign(current.version + 1, &current.organisation, holders, default_validity(), key);
    save(data_dir, &kr)?;
    Ok(kr)
}

/// Adds a holder (refusing a recipient already present).
pub fn add_holder(holders: &mut Vec<KeyHolder>, label: &str, role: HolderRole, recipient: &str) -> Result<()> {
    let r = seal::parse_recipient(recipient).map_err(|e| KeyringFileError::Refused(e.message().into()))?.to_string();
    if holders.iter().any(|h| h.recipient == r) {
        return Err(KeyringFileError::Refused(format!("{r} is already in the keyring")));
    }
    holders.push(KeyHolder { label: label.to_owned(), role, recipient: r });
    Ok(())
}

/// Removes the holder with this recipient.
pub fn remove_holder(holders: &mut Vec<KeyHolder>, recipient: &str) -> Result<()> {
    let before = holders.len();
    holders.retain(|h| h.recipient != recipient.trim());
    if holders.len() == before {
        return Err(KeyringFileError::Refused(format!("{} is not in the keyring", recipient.trim())));
    }
    Ok(())
}

fn check_holders(holders: &[KeyHolder]) -> Result<()> {
    if holders.len() > MAX_RECIPIENTS {
        return Err(KeyringFileError::Refused(format!("a keyring holds at most {MAX_RECIPIENTS} recipients")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recipient() -> String {
        seal::generate_identity().to_public().to_string()
    }

    #[test]
    fn each_change_bumps_the_version_and_verifies_with_the_org_key() {
        let dir = tempfile::tempdir().unwrap();
        let key_file = dir.path().join("org.key");
        let (key, made) = org_key(&key_file, true).unwrap();
        assert!(made);
        let mut holders = vec![];
        add_holder(&mut holders, "Recovery", HolderRole::Recovery, &recipient()).unwrap();
        init(dir.path(), &key, "Org", holders).unwrap();
        let r = recipient();
        let kr = change(dir.path(), &key, &key_file, |h| add_holder(h, "Adviser", HolderRole::Adviser, &r)).unwrap();
        assert_eq!(kr.version, 2);
        let stored = load(dir.path()).unwrap().unwrap();
        assert_eq!(stored.verify(&key.public()).unwrap().recipients().len(), 2);
        let kr = change(dir.path(), &key, &key_file, |h| remove_holder(h, &r)).unwrap();
        assert_eq!((kr.version, kr.recipients.len()), (3, 1));
    }

    #[test]
    fn another_org_key_cannot_re_sign_the_keyring() {
        let dir = tempfile::tempdir().unwrap();
        let (key, _) = org_key(&dir.path().join("a.key"), true).unwrap();
        let (other, _) = org_key(&dir.path().join("b.key"), true).unwrap();
        init(dir.path(), &key, "Org", vec![]).unwrap();
        let err = change(dir.path(), &other, &dir.path().join("b.key"), |_| Ok(())).unwrap_err();
        assert!(matches!(err, KeyringFileError::WrongKey { .. }));
        assert!(matches!(init(dir.path(), &key, "Org", vec![]), Err(KeyringFileError::Exists(_))));
    }
}
