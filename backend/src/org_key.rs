//! The organisation signing key as the administrator keeps it: a key file, plain or
//! sealed to a passphrase, opened by every command that signs (`--org-key FILE`), and
//! looked for by `amanat serve`, which refuses to run beside one.
//!
//! A protected key file is two comment lines (what it is, and the public key, which is
//! not secret) and then the key file's text sealed to the passphrase as an armored age
//! file (`shared::seal::seal_to_passphrase`, so `age -d` opens it too). What is not here:
//! asking for the passphrase (the CLI does, `cli/prompt.rs`), and signing rules
//! (`shared::keyring`).

use std::io::Read;
use std::path::{Path, PathBuf};

use shared::keyring::{OrgSigningKey, PUBLIC_PREFIX, SECRET_PREFIX};
use shared::{seal, ErrorCode};

/// The first line of a protected organisation key file.
pub const PROTECTED_HEADER: &str =
    "# Amanat organisation signing key, sealed to a passphrase (age, scrypt). Keep it offline; it signs the keyring.";

const ARMOR_BEGIN: &str = "-----BEGIN AGE ENCRYPTED FILE-----";
/// Files larger than this are not key files (the data directory holds big databases).
const MAX_KEY_FILE: u64 = 64 * 1024;

/// What a file given as `--org-key` turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyFileKind {
    /// An organisation signing key in the clear.
    Plain,
    /// An organisation signing key sealed to a passphrase.
    Protected,
    /// The organisation's public key (`org.pub`): it checks signatures, it cannot sign.
    PublicKey,
    /// An age identity (a key holder's or the recovery identity), plain or protected.
    AgeIdentity,
    /// A keyring document.
    Keyring,
    Other,
}

impl KeyFileKind {
    fn describe(self) -> &'static str {
        match self {
            Self::Plain | Self::Protected => "an organisation signing key",
            Self::PublicKey => "the organisation's PUBLIC key (org.pub), which can check a signature but not make one",
            Self::AgeIdentity => "an age identity (a key holder's or the recovery identity), not the organisation key",
            Self::Keyring => "a keyring document, not a key",
            Self::Other => "not a key file amanat knows",
        }
    }
}

/// Tells the kinds of key file apart by their text (nothing is decrypted).
pub fn classify(text: &str) -> KeyFileKind {
    let lines = || text.lines().map(str::trim);
    if lines().any(|l| l.starts_with(SECRET_PREFIX)) {
        KeyFileKind::Plain
    } else if text.contains(ARMOR_BEGIN) && lines().any(|l| l == PROTECTED_HEADER) {
        KeyFileKind::Protected
    } else if lines().any(|l| l.starts_with(PUBLIC_PREFIX)) {
        KeyFileKind::PublicKey
    } else if text.contains(ARMOR_BEGIN) || lines().any(|l| l.starts_with("AGE-SECRET-KEY-1")) {
        KeyFileKind::AgeIdentity
    } else if text.contains("\"signed_by\"") {
        KeyFileKind::Keyring
    } else {
        KeyFileKind::Other
    }
}

/// Why the organisation key could not be opened or written.
#[derive(Debug, thiserror::Error)]
pub enum OrgKeyError {
    #[error("reading {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path} is {}; give --org-key the organisation signing key file (org-signing.key, made by `amanat org init`)", .kind.describe())]
    NotASigningKey { path: PathBuf, kind: KeyFileKind },
    #[error("the passphrase for {0} is wrong; nothing was changed")]
    WrongPassphrase(PathBuf),
    #[error("{0} looks like an organisation key but cannot be read ({1}); nothing was changed")]
    Damaged(PathBuf, &'static str),
    #[error("{0}")]
    Passphrase(String),
}

/// Opens the key in `path`; `passphrase` is asked only if the file is protected.
pub fn open(
    path: &Path,
    passphrase: impl FnOnce(&Path) -> Result<String, OrgKeyError>,
) -> Result<OrgSigningKey, OrgKeyError> {
    let io = |source| OrgKeyError::Io { path: path.to_owned(), source };
    let mut text = String::new();
    std::fs::File::open(path).and_then(|f| f.take(MAX_KEY_FILE).read_to_string(&mut text)).map_err(io)?;
    match classify(&text) {
        KeyFileKind::Plain => OrgSigningKey::from_file(&text)
            .map_err(|_| OrgKeyError::Damaged(path.to_owned(), "its key line is malformed")),
        KeyFileKind::Protected => {
            let pass = passphrase(path)?;
            let plain = seal::open_with_passphrase(&text, &pass).map_err(|e| match e {
                ErrorCode::IdentityPassphraseWrong => OrgKeyError::WrongPassphrase(path.to_owned()),
                ErrorCode::IdentityTooCostly => {
                    OrgKeyError::Damaged(path.to_owned(), "its scrypt work factor is too high")
                }
                _ => OrgKeyError::Damaged(path.to_owned(), "the sealed part is malformed"),
            })?;
            let inner = std::str::from_utf8(&plain).ok().and_then(|t| OrgSigningKey::from_file(t).ok());
            inner.ok_or(OrgKeyError::Damaged(path.to_owned(), "it does not hold an organisation key"))
        }
        kind => Err(OrgKeyError::NotASigningKey { path: path.to_owned(), kind }),
    }
}

/// The text of a key file sealed to `passphrase` (see the module doc).
pub fn protected_file(key: &OrgSigningKey, passphrase: &str) -> String {
    let sealed = seal::seal_to_passphrase(key.to_file().as_bytes(), passphrase)
        .expect("a short key file seals to a non-empty passphrase");
    format!("{PROTECTED_HEADER}\n# public key: {}\n{sealed}", key.public())
}

/// The first organisation key file (plain or protected) directly in `data_dir` or in
/// `data_dir/demo`, where `amanat serve` must not find one.
pub fn find_in_data_dir(data_dir: &Path) -> Option<PathBuf> {
    for dir in [data_dir.to_owned(), data_dir.join("demo")] {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            // Symlinks are followed: a link to the key still puts it in reach of the relay.
            let Ok(meta) = std::fs::metadata(&path) else { continue };
            if !meta.is_file() {
                continue;
            }
            let mut bytes = Vec::new();
            if std::fs::File::open(&path).and_then(|f| f.take(MAX_KEY_FILE).read_to_end(&mut bytes)).is_err() {
                continue;
            }
            let text = String::from_utf8_lossy(&bytes);
            if matches!(classify(&text), KeyFileKind::Plain | KeyFileKind::Protected) {
                return Some(path);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_passphrase(_: &Path) -> Result<String, OrgKeyError> {
        panic!("a plain key needs no passphrase")
    }

    #[test]
    fn a_protected_key_opens_with_its_passphrase_only_and_other_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let key = OrgSigningKey::generate();
        let protected = dir.path().join("org-signing.key");
        std::fs::write(&protected, protected_file(&key, "pass phrase")).unwrap();
        let opened = open(&protected, |_| Ok("pass phrase".into())).unwrap();
        assert_eq!(opened.public(), key.public());
        assert!(matches!(open(&protected, |_| Ok("pass phrasE".into())), Err(OrgKeyError::WrongPassphrase(_))));

        let plain = dir.path().join("plain.key");
        std::fs::write(&plain, key.to_file()).unwrap();
        assert_eq!(open(&plain, no_passphrase).unwrap().public(), key.public());

        let public = dir.path().join("org.pub");
        std::fs::write(&public, format!("{}\n", key.public())).unwrap();
        let Err(err) = open(&public, no_passphrase) else { panic!("a public key opened as a signing key") };
        assert!(err.to_string().contains("PUBLIC key"), "{err}");
        let identity = dir.path().join("recovery-identity.txt");
        std::fs::write(&identity, seal::identity_file(&seal::generate_identity(), "recovery")).unwrap();
        let Err(err) = open(&identity, no_passphrase) else { panic!("an identity opened as a signing key") };
        assert!(err.to_string().contains("age identity"), "{err}");
    }

    #[test]
    fn a_key_is_found_in_the_data_dir_or_its_demo_folder_only() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("demo")).unwrap();
        std::fs::create_dir_all(dir.path().join("blobs/deep")).unwrap();
        std::fs::write(dir.path().join("keyring.json"), "{\"signed_by\": \"amanat-org-v1:x\"}").unwrap();
        std::fs::write(dir.path().join("org.pub"), "amanat-org-v1:abc\n").unwrap();
        std::fs::write(dir.path().join("blobs/deep/k"), OrgSigningKey::generate().to_file()).unwrap();
        assert_eq!(find_in_data_dir(dir.path()), None);
        let key = OrgSigningKey::generate();
        std::fs::write(dir.path().join("demo/copy.txt"), protected_file(&key, "p")).unwrap();
        assert_eq!(find_in_data_dir(dir.path()), Some(dir.path().join("demo/copy.txt")));
    }
}
