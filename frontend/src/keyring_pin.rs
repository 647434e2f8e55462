//! Which organisation key this device trusts to sign the keyring, and the check of a
//! fetched keyring against it.
//!
//! A key given at build time (`AMANAT_ORG_KEY=amanat-org-v1:…`) is pinned for good.
//! Otherwise the device trusts on first use: the signer of the first keyring that
//! verifies is stored in IndexedDB `settings` (a public key, nothing secret) and every
//! later keyring must be signed by it. The signature rules themselves are
//! `shared::keyring`'s; this module only decides *which* key to check against.

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
    let stored: Option<String> = {
        let tx = db.transaction(SETTINGS).build().map_err(StorageError::from)?;
        let store = tx.object_store(SETTINGS).map_err(StorageError::from)?;
        store.get(PIN_SETTING).primitive().map_err(StorageError::from)?.await.map_err(StorageError::from)?
    };
    match stored {
        // A stored pin that no longer parses is refused, never silently replaced.
        Some(s) => Ok(Some(Pin { key: s.parse()?, source: PinSource::FirstUse })),
        None => Ok(None),
    }
}

async fn store(db: &Database, key: &OrgPublicKey) -> Result<(), StorageError> {
    let tx = db.transaction(SETTINGS).with_mode(TransactionMode::Readwrite).build()?;
    let store = tx.object_store(SETTINGS)?;
    store.put(key.to_string()).with_key(PIN_SETTING).primitive()?.await?;
    tx.commit().await?;
    Ok(())
}

/// Fetches the keyring from the relay and checks it; pins its signer on first use.
pub async fn fetch_verified(db: &Database) -> Result<(VerifiedKeyring, Pin), Problem> {
    let pinned = current(db).await?;
    let json = relay_client::keyring_bytes().await?;
    let (keyring, pin) = check(&json, pinned)?;
    if pinned.is_none() {
        store(db, &pin.key).await?;
    }
    Ok((keyring, pin))
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::keyring::{HolderRole, KeyHolder, OrgSigningKey};

    fn keyring(org: &OrgSigningKey) -> Vec<u8> {
        let r = shared::seal::generate_identity().to_public().to_string();
        Keyring::sign(1, "Org", vec![KeyHolder { label: "r".into(), role: HolderRole::Recovery, recipient: r }], org)
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
}
