//! Which organisation key this device trusts to sign the keyring, and the check of a
//! fetched keyring against it.
//!
//! A key given at build time (`AMANAT_ORG_KEY=amanat-org-v1:…`) is pinned for good.
//! Otherwise the device trusts on first use: the signer of the first keyring that
//! verifies is stored in IndexedDB `settings` (a public key, nothing secret) and every
//! later keyring must be signed by it. The signature rules themselves are
//! `shared::keyring`'s; this module only decides *which* key to check against.
//!
//! The last keyring that verified is kept too (public data), so a caseworker can seal
//! while the relay is unreachable; it is checked against the pin again on every use,
//! and a relay serving an older keyring than one already seen does not win.

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use shared::keyring::{Keyring, OrgPublicKey, VerifiedKeyring};
use shared::ErrorCode;

use crate::local_db::{StorageError, SETTINGS};
use crate::problem::Problem;
use crate::relay_client;

/// The settings key under which a first-use pin is kept.
pub const PIN_SETTING: &str = "org_public_key";

/// The settings key under which the last verified keyring's JSON is kept.
pub const KEYRING_SETTING: &str = "keyring";

/// The organisation key built into this app, if any.
pub const BUILT_IN: Option<&str> = option_env!("AMANAT_ORG_KEY");

/// How the trusted key came to be trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinSource {
    BuiltIn,
    FirstUse,
}

/// The trusted organisation key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pin {
    pub key: OrgPublicKey,
    pub source: PinSource,
}

/// Checks a served keyring against the pin, or (with no pin yet) against its own
/// signer. Returns the verified keyring and the pin now in force; a pin that is new
/// (`FirstUse` and `pinned` was `None`) must be stored by the caller.
pub fn check(json: &[u8], pinned: Option<Pin>) -> Result<(VerifiedKeyring, Pin), ErrorCode> {
    let keyring = Keyring::from_json(json)?;
    let pin = match pinned {
        Some(pin) => pin,
        None => Pin { key: keyring.signed_by.parse()?, source: PinSource::FirstUse },
    };
    Ok((keyring.verify(&pin.key)?, pin))
}

/// The pin in force: the built-in key, else the stored first-use key, else none.
pub async fn current(db: &Database) -> Result<Option<Pin>, Problem> {
    if let Some(key) = BUILT_IN {
        return Ok(Some(Pin { key: key.parse()?, source: PinSource::BuiltIn }));
    }
    match setting(db, PIN_SETTING).await? {
        // A stored pin that no longer parses is refused, never silently replaced.
        Some(s) => Ok(Some(Pin { key: s.parse()?, source: PinSource::FirstUse })),
        None => Ok(None),
    }
}

pub(crate) async fn setting(db: &Database, key: &str) -> Result<Option<String>, StorageError> {
    let tx = db.transaction(SETTINGS).build()?;
    let store = tx.object_store(SETTINGS)?;
    let value: Option<String> = store.get(key).primitive()?.await?;
    Ok(value)
}

pub(crate) async fn set_setting(db: &Database, key: &str, value: String) -> Result<(), StorageError> {
    let tx = db.transaction(SETTINGS).with_mode(TransactionMode::Readwrite).build()?;
    let store = tx.object_store(SETTINGS)?;
    store.put(value).with_key(key).primitive()?.await?;
    tx.commit().await?;
    Ok(())
}

/// Of the keyring just served and the one kept from before (both checked against the
/// same pin), the one to seal to: the newer. A kept copy that no longer verifies is
/// ignored.
pub fn newest(served: VerifiedKeyring, kept: Option<&[u8]>, pin: Pin) -> VerifiedKeyring {
    match kept.and_then(|json| check(json, Some(pin)).ok()) {
        Some((kept, _)) if kept.version() > served.version() => kept,
        _ => served,
    }
}

/// Fetches the keyring from the relay and checks it; pins its signer on first use.
/// With the relay unreachable, falls back to the last keyring that verified.
pub async fn fetch_verified(db: &Database) -> Result<(VerifiedKeyring, Pin), Problem> {
    let pinned = current(db).await?;
    let kept = setting(db, KEYRING_SETTING).await?;
    let json = match relay_client::keyring_bytes().await {
        Ok(json) => json,
        Err(e) if e.is_transient() => match (kept, pinned) {
            (Some(kept), Some(pin)) => return Ok(check(kept.as_bytes(), Some(pin))?),
            _ => return Err(e.into()),
        },
        Err(e) => return Err(e.into()),
    };
    let (served, pin) = check(&json, pinned)?;
    if pinned.is_none() {
        set_setting(db, PIN_SETTING, pin.key.to_string()).await?;
    }
    let served_version = served.version();
    let keyring = newest(served, kept.as_deref().map(str::as_bytes), pin);
    let unchanged = kept.as_deref().map(str::as_bytes) == Some(&json[..]);
    if keyring.version() == served_version && !unchanged {
        if let Ok(text) = String::from_utf8(json) {
            set_setting(db, KEYRING_SETTING, text).await?;
        }
    }
    Ok((keyring, pin))
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::keyring::{HolderRole, KeyHolder, OrgSigningKey};

    fn keyring(org: &OrgSigningKey) -> Vec<u8> {
        keyring_v(org, 1)
    }

    fn keyring_v(org: &OrgSigningKey, version: u64) -> Vec<u8> {
        let r = shared::seal::generate_identity().to_public().to_string();
        Keyring::sign(
            version,
            "Org",
            vec![KeyHolder { label: "r".into(), role: HolderRole::Recovery, recipient: r }],
            shared::fixtures::WIDE_VALIDITY,
            org,
        )
        .to_json()
        .into_bytes()
    }

    #[test]
    fn the_first_keyring_pins_its_signer_and_later_ones_must_match() {
        let org = OrgSigningKey::generate();
        let (_, pin) = check(&keyring(&org), None).unwrap();
        assert_eq!(pin, Pin { key: org.public(), source: PinSource::FirstUse });
        assert!(check(&keyring(&org), Some(pin)).is_ok());
        let other = OrgSigningKey::generate();
        assert_eq!(check(&keyring(&other), Some(pin)).err(), Some(ErrorCode::KeyringWrongSigner));
    }

    #[test]
    fn a_tampered_or_malformed_keyring_pins_nothing() {
        let org = OrgSigningKey::generate();
        let mut kr: Keyring = serde_json::from_slice(&keyring(&org)).unwrap();
        kr.organisation = "Someone else".into();
        assert_eq!(check(kr.to_json().as_bytes(), None).err(), Some(ErrorCode::KeyringBadSignature));
        assert_eq!(check(b"<html>", None).err(), Some(ErrorCode::KeyringMalformed));
    }

    #[test]
    fn an_older_keyring_served_later_does_not_replace_a_newer_one_seen_before() {
        let org = OrgSigningKey::generate();
        let (v1, pin) = check(&keyring_v(&org, 1), None).unwrap();
        let kept = keyring_v(&org, 2);
        assert_eq!(newest(v1.clone(), Some(&kept), pin).version(), 2);
        let (v3, _) = check(&keyring_v(&org, 3), Some(pin)).unwrap();
        assert_eq!(newest(v3, Some(&kept), pin).version(), 3);
        let forged = keyring_v(&OrgSigningKey::generate(), 9);
        assert_eq!(newest(v1, Some(&forged), pin).version(), 1);
    }
}
