//! What `cargo xtask build --org-key FILE [--keyring FILE]` compiles into the app: the
//! organisation's public key (`AMANAT_ORG_KEY`, read by `frontend/src/keyring_pin.rs`)
//! and the lowest keyring version the app accepts (`AMANAT_KEYRING_FLOOR`: the version
//! of the keyring current at build time). Without `--org-key` the build is a demo build:
//! the app trusts the first keyring it sees, and says so on every page.

use anyhow::{bail, Context, Result};
use shared::keyring::{Keyring, OrgPublicKey};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The environment variable the app reads its pinned organisation key from.
pub const ORG_KEY_ENV: &str = "AMANAT_ORG_KEY";
/// The environment variable the app reads its lowest accepted keyring version from.
pub const FLOOR_ENV: &str = "AMANAT_KEYRING_FLOOR";

/// Whom a build of the app trusts to sign the keyring.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trust {
    /// No key compiled in: first-use trust, a banner on every page.
    Demo,
    /// The organisation key, and the lowest keyring version accepted (0: any).
    Pinned { key: OrgPublicKey, floor: u64 },
}

impl Trust {
    /// Pinned to the key in `org_key` (an `org.pub`); with `keyring`, that keyring must
    /// be signed by it and its version becomes the floor.
    pub fn from_files(org_key: &Path, keyring: Option<&Path>) -> Result<Self> {
        let text = std::fs::read_to_string(org_key)
            .with_context(|| format!("--org-key {}: cannot read it as text", org_key.display()))?;
        let key = parse_org_key(&text).map_err(|e| anyhow::anyhow!("--org-key {}: {e}", org_key.display()))?;
        let floor = match keyring {
            None => 0,
            Some(path) => {
                let json =
                    std::fs::read(path).with_context(|| format!("--keyring {}: cannot read it", path.display()))?;
                keyring_floor(&json, &key).map_err(|e| anyhow::anyhow!("--keyring {}: {e}", path.display()))?
            }
        };
        Ok(Self::Pinned { key, floor })
    }

    /// The test build: pinned to `tests/fixtures/test-org.pub`, the key every demo relay
    /// in the stories and benches signs with (`tests/support/relay.rs::place_test_org_key`).
    pub fn test_key(root: &Path) -> Result<Self> {
        Self::from_files(&root.join("tests/fixtures/test-org.pub"), None)
    }

    /// Sets (or, for a demo build, clears) the variables the app is compiled with, so
    /// the caller's environment cannot make a demo build pinned or the other way round.
    /// `option_env!` records them in rustc's dep-info, so cargo rebuilds when they change.
    pub fn apply(&self, cmd: &mut Command) {
        match self {
            Trust::Demo => {
                cmd.env_remove(ORG_KEY_ENV).env_remove(FLOOR_ENV);
            }
            Trust::Pinned { key, floor } => {
                cmd.env(ORG_KEY_ENV, key.to_string()).env(FLOOR_ENV, floor.to_string());
            }
        }
    }

    /// One line for the end of a build.
    pub fn describe(&self) -> String {
        match self {
            Trust::Demo => {
                "DEMO build: no organisation key compiled in (--org-key org.pub); the app trusts the first \
                            keyring it sees and says so on every page. Do not give it to caseworkers for real families."
                    .into()
            }
            Trust::Pinned { key, floor } => format!(
                "pinned to organisation key {key} (fingerprint {}); lowest keyring version accepted: {floor}",
                shared::keyring::fingerprint(&key.to_string())
            ),
        }
    }
}

/// The organisation public key an `org.pub` holds: one `amanat-org-v1:…` line (`#`
/// comments and blank lines aside). A secret key, an age key or anything else is refused,
/// saying what it is and what is wanted.
pub fn parse_org_key(text: &str) -> Result<OrgPublicKey> {
    const WANTED: &str = "wanted: the organisation's PUBLIC key file (org.pub, one line `amanat-org-v1:…`)";
    if text.contains("AMANAT-ORG-SECRET-KEY-V1:") {
        bail!("this is the organisation's SECRET signing key, which must never go into an app build; {WANTED}");
    }
    if text.contains("AGE-SECRET-KEY-") {
        bail!("this is an age secret identity, not an organisation key; {WANTED}");
    }
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    match lines.as_slice() {
        [line] if line.starts_with("amanat-org-v1:") => {
            line.parse().map_err(|_| anyhow::anyhow!("`{line}` is not a well-formed organisation key; {WANTED}"))
        }
        [line] if line.starts_with("age1") => {
            bail!("this is an age recipient (a key holder), not the organisation key; {WANTED}")
        }
        [] => bail!("the file is empty; {WANTED}"),
        _ => bail!("the file holds no organisation public key; {WANTED}"),
    }
}

/// The version of `json`, a keyring that must be signed by `key`.
pub fn keyring_floor(json: &[u8], key: &OrgPublicKey) -> Result<u64> {
    let keyring = Keyring::from_json(json).map_err(|e| anyhow::anyhow!("not a signed keyring ({})", e.code()))?;
    keyring.verify(key).map_err(|e| {
        anyhow::anyhow!(
            "does not verify against the organisation key ({}; signed by {})",
            e.message(),
            keyring.signed_by
        )
    })?;
    Ok(keyring.version)
}

/// `--org-key FILE` and `--keyring FILE` out of `args`; anything else is refused.
pub fn from_args(args: &[String]) -> Result<Trust> {
    let (mut org_key, mut keyring): (Option<PathBuf>, Option<PathBuf>) = (None, None);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let slot = match arg.as_str() {
            "--org-key" => &mut org_key,
            "--keyring" => &mut keyring,
            other => bail!("cargo xtask build: unknown argument `{other}` (usage: build [--org-key org.pub [--keyring keyring.json]])"),
        };
        let value = it.next().with_context(|| format!("{arg} needs a file"))?;
        *slot = Some(PathBuf::from(value));
    }
    match (org_key, keyring) {
        (None, None) => Ok(Trust::Demo),
        (None, Some(_)) => bail!("--keyring needs --org-key: the keyring is verified against the organisation key"),
        (Some(org), keyring) => Trust::from_files(&org, keyring.as_deref()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::keyring::{HolderRole, KeyHolder, OrgSigningKey, Validity};

    fn signed(org: &OrgSigningKey, version: u64) -> Vec<u8> {
        let r = shared::seal::generate_identity().to_public().to_string();
        let holders = vec![KeyHolder { label: "r".into(), role: HolderRole::Recovery, recipient: r }];
        Keyring::sign(version, "Org", holders, Validity::starting(1_700_000_000, 90), org).to_json().into_bytes()
    }

    #[test]
    fn the_test_fixture_public_key_is_accepted_and_the_secret_one_refused_by_name() {
        let root = crate::root();
        let public = std::fs::read_to_string(root.join("tests/fixtures/test-org.pub")).unwrap();
        assert_eq!(parse_org_key(&public).unwrap().to_string(), public.trim());
        let secret = std::fs::read_to_string(root.join("tests/fixtures/test-org-signing.key")).unwrap();
        let err = parse_org_key(&secret).unwrap_err().to_string();
        assert!(err.contains("SECRET signing key") && err.contains("org.pub"), "{err}");
    }

    #[test]
    fn anything_but_an_organisation_public_key_is_refused_saying_what_is_wanted() {
        let age = shared::seal::generate_identity();
        for text in [String::new(), "hello\n".into(), age.to_public().to_string(), "amanat-org-v1:AAAA".into()] {
            let err = parse_org_key(&text).unwrap_err().to_string();
            assert!(err.contains("amanat-org-v1:"), "{text:?}: {err}");
        }
    }

    #[test]
    fn the_keyring_given_becomes_the_floor_only_when_the_organisation_key_signed_it() {
        let org = OrgSigningKey::generate();
        assert_eq!(keyring_floor(&signed(&org, 7), &org.public()).unwrap(), 7);
        let other = OrgSigningKey::generate();
        let err = keyring_floor(&signed(&other, 7), &org.public()).unwrap_err().to_string();
        assert!(err.contains("does not verify"), "{err}");
        assert!(keyring_floor(b"{}", &org.public()).is_err());
    }

    #[test]
    fn a_build_without_org_key_is_a_demo_build_and_keyring_alone_is_refused() {
        assert_eq!(from_args(&[]).unwrap(), Trust::Demo);
        assert!(from_args(&["--keyring".into(), "k.json".into()]).is_err());
        assert!(from_args(&["--org-key".into()]).is_err());
        assert!(from_args(&["--pin".into(), "x".into()]).is_err());
    }
}
