//! The signed keyring as the relay keeps it: `DATA/keyring.json`, the changes
//! `amanat keyring …` makes to it with the organisation key (on the offline computer,
//! `--data` pointing at the ceremony folder), and [`install`], which puts a keyring
//! signed offline onto the relay.
//!
//! The relay only reads this file (on every request that needs it, so a change made
//! by the CLI while a server runs takes effect at once). Every change bumps the version
//! and re-signs; it is written to a temporary file and renamed, so a reader never sees
//! half a keyring. Signing and checking rules live in [`shared::keyring`].

use std::io;
use std::path::{Path, PathBuf};

use shared::keyring::{
    fingerprint, HolderRole, KeyHolder, Keyring, OrgPublicKey, OrgSigningKey, Validity, DEFAULT_VALID_DAYS,
    MAX_KEYRING_BYTES, MAX_RECIPIENTS,
};
use shared::{seal, ErrorCode};

/// File name inside the data directory.
pub const KEYRING_FILE: &str = "keyring.json";

/// Why a keyring change was refused.
#[derive(Debug, thiserror::Error)]
pub enum KeyringFileError {
    #[error("reading or writing {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{0} is not a keyring: {1}")]
    Malformed(PathBuf, shared::ErrorCode),
    #[error("there is no keyring in this data directory (--data) yet: offline, make one with `amanat org init --out DIR` and pass `--data DIR`; on a relay, `amanat keyring install FILE`")]
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

/// Replaces the stored keyring atomically (`crate::replace_file`).
pub fn save(data_dir: &Path, keyring: &Keyring) -> Result<()> {
    let p = path(data_dir);
    crate::replace_file::replace(&p, &format!("{}\n", keyring.to_json())).map_err(io_err(&p))
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

/// Re-signs the stored keyring with a fresh validity of `days` days from now: same
/// version, organisation and holders. Refused unless `key` signed the current keyring.
pub fn renew(data_dir: &Path, key: &OrgSigningKey, key_file: &Path, days: u32) -> Result<Keyring> {
    let current = load(data_dir)?.ok_or(KeyringFileError::Missing)?;
    if current.check_signature(&key.public()).is_err() {
        return Err(KeyringFileError::WrongKey { signed_by: current.signed_by, key_file: key_file.to_owned() });
    }
    let validity = Validity::starting(now(), days);
    let kr = Keyring::sign(current.version, &current.organisation, current.recipients, validity, key);
    save(data_dir, &kr)?;
    Ok(kr)
}

/// What [`install`] did.
#[derive(Debug)]
pub struct Installed {
    pub keyring: Keyring,
    /// No keyring was installed before: the signer is trusted from this file, so its
    /// fingerprint must be compared with the one `amanat org init` printed.
    pub first: bool,
}

/// Installs a keyring signed offline into the data directory, atomically. Refused
/// (nothing changed) unless it verifies: against its own signer the first time, then
/// against the signer of the keyring installed before; unless it is newer than that
/// one (a higher version, or the same version issued later); and unless it can be
/// sealed to now (dated, not expired, not issued in the future).
pub fn install(data_dir: &Path, file: &Path, now: u64) -> Result<Installed> {
    let refused = |why: String| KeyringFileError::Refused(format!("{why}; the installed keyring was not changed"));
    let bytes = read_capped(file)?;
    let new = Keyring::from_json(&bytes).map_err(|e| KeyringFileError::Malformed(file.to_owned(), e))?;
    let installed = load(data_dir)?;
    let pin_text = installed.as_ref().map_or(new.signed_by.as_str(), |k| k.signed_by.as_str());
    let pin: OrgPublicKey =
        pin_text.parse().map_err(|_| refused(format!("{} names no valid organisation key", file.display())))?;
    let verified = new.verify(&pin).map_err(|e| match (e, &installed) {
        (ErrorCode::KeyringWrongSigner, Some(old)) => refused(format!(
            "{} is signed by another organisation key ({}, fingerprint {}) than the installed keyring ({}, fingerprint {}); a relay's keyring can only be replaced by one signed with the same key",
            file.display(),
            new.signed_by,
            fingerprint(&new.signed_by),
            old.signed_by,
            fingerprint(&old.signed_by)
        )),
        (ErrorCode::KeyringBadSignature, _) => {
            refused(format!("the signature of {} does not verify: it was altered after signing", file.display()))
        }
        (e, _) => refused(format!("{} cannot be installed: {}", file.display(), e.message())),
    })?;
    if let Some(old) = &installed {
        if new.version < old.version {
            return Err(refused(format!(
                "{} is version {}, older than the installed version {} (installing it would bring back removed key holders)",
                file.display(),
                new.version,
                old.version
            )));
        }
        if new.version == old.version && new.issued_at.unwrap_or(0) <= old.issued_at.unwrap_or(0) {
            return Err(refused(format!(
                "{} is version {} issued no later than the installed one: it is not newer",
                file.display(),
                new.version
            )));
        }
    }
    verified.usable(now, 0).map_err(|e| match e {
        ErrorCode::KeyringExpired => refused(format!(
            "{} is expired (or undated): renew it offline with `amanat keyring renew --org-key FILE` and install that",
            file.display()
        )),
        e => refused(format!("{} cannot be used now: {}", file.display(), e.message())),
    })?;
    save(data_dir, &new)?;
    Ok(Installed { keyring: new, first: installed.is_none() })
}

fn read_capped(file: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(file)
        .and_then(|f| f.take(MAX_KEYRING_BYTES as u64 + 1).read_to_end(&mut bytes))
        .map_err(io_err(file))?;
    if bytes.len() > MAX_KEYRING_BYTES {
        return Err(KeyringFileError::Malformed(file.to_owned(), ErrorCode::KeyringMalformed));
    }
    Ok(bytes)
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
