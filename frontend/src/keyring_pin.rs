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
//! while the relay is unreachable; it is checked against the pin again on every use.
//!
//! Freshness and rollback: a keyring is sealed to only while
//! [`VerifiedKeyring::usable`] says so at this device's clock, against a floor that is
//! the highest of the version this device has accepted before (IndexedDB `settings`,
//! `keyring_floor`, and the kept keyring's version) and the version compiled into the
//! build (`AMANAT_KEYRING_FLOOR`, from `cargo xtask build --keyring`). An expired, not
//! yet valid or older keyring is refused with its translated reason and nothing is
//! sealed. A relay serving an older version than one this device kept is refused
//! loudly too (the kept newer one is not quietly used instead: the caseworker and the
//! administrator must learn the relay misbehaves). Offline, the kept keyring is used
//! while it is itself still valid.

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use shared::keyring::{Freshness, Keyring, OrgPublicKey, VerifiedKeyring};
use shared::ErrorCode;

use crate::local_db::{StorageError, SETTINGS};
use crate::problem::Problem;
use crate::relay_client;

/// The settings key under which a first-use pin is kept.
pub const PIN_SETTING: &str = "org_public_key";

/// The settings key under which the last verified keyring's JSON is kept.
pub const KEYRING_SETTING: &str = "keyring";

/// The settings key under which the highest keyring version this device accepted is
/// kept (decimal text): no lower version is ever sealed to again.
pub const FLOOR_SETTING: &str = "keyring_floor";

/// The organisation key built into this app, if any.
pub const BUILT_IN: Option<&str> = option_env!("AMANAT_ORG_KEY");

/// The lowest keyring version this build accepts (`cargo xtask build --keyring`); 0
/// when none was given.
pub const BUILD_FLOOR: u64 = parse_floor(option_env!("AMANAT_KEYRING_FLOOR"));

/// Whether this is a demo build: no organisation key compiled in, first-use trust.
pub const fn is_demo_build() -> bool {
    BUILT_IN.is_none()
}

/// `AMANAT_KEYRING_FLOOR` as a number, at compile time: a build with anything but
/// decimal digits there fails instead of silently accepting every version.
pub const fn parse_floor(text: Option<&str>) -> u64 {
    let Some(text) = text else { return 0 };
    let bytes = text.as_bytes();
    assert!(!bytes.is_empty(), "AMANAT_KEYRING_FLOOR is empty");
    let mut value: u64 = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        assert!(b.is_ascii_digit(), "AMANAT_KEYRING_FLOOR must be a keyring version (decimal digits)");
        value = match value.checked_mul(10) {
            Some(v) => match v.checked_add((b - b'0') as u64) {
                Some(v) => v,
                None => panic!("AMANAT_KEYRING_FLOOR is too large"),
            },
            None => panic!("AMANAT_KEYRING_FLOOR is too large"),
        };
        i += 1;
    }
    value
}

/// The lowest version this device may seal to: the highest it accepted before (the
/// stored floor, the kept keyring's version), never lower than the build's floor.
pub fn floor(seen: &[Option<u64>]) -> u64 {
    seen.iter().flatten().copied().fold(BUILD_FLOOR, u64::max)
}

/// The current time as Unix seconds, from the browser's clock.
pub fn unix_now() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
}

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

/// The version of a kept keyring, if it still verifies against `pin`.
pub fn kept_version(kept: Option<&[u8]>, pin: Option<Pin>) -> Option<u64> {
    let (kept, _) = check(kept?, Some(pin?)).ok()?;
    Some(kept.version())
}

/// Checks a keyring (served, or kept for offline use) against the pin and then for
/// freshness at `now` against `floor`: the whole decision whether to seal to it.
pub fn accept(
    json: &[u8],
    pinned: Option<Pin>,
    now: u64,
    floor: u64,
) -> Result<(VerifiedKeyring, Pin, Freshness), ErrorCode> {
    let (keyring, pin) = check(json, pinned)?;
    let freshness = keyring.usable(now, floor)?;
    Ok((keyring, pin, freshness))
}

/// Fetches the keyring from the relay and accepts it or refuses it ([`accept`]); pins
/// its signer on first use and raises this device's floor to its version. With the
/// relay unreachable, falls back to the last keyring accepted, if it is still valid.
/// On a refusal nothing is stored.
pub async fn fetch_verified(db: &Database) -> Result<(VerifiedKeyring, Pin), Problem> {
    let pinned = current(db).await?;
    let kept = setting(db, KEYRING_SETTING).await?;
    let stored_floor = match setting(db, FLOOR_SETTING).await? {
        // A stored floor that no longer parses is refused, never silently dropped.
        Some(text) => Some(text.parse::<u64>().map_err(|_| ErrorCode::KeyringRollback)?),
        None => None,
    };
    let floor = floor(&[stored_floor, kept_version(kept.as_deref().map(str::as_bytes), pinned)]);
    let now = unix_now();
    let json = match relay_client::keyring_bytes().await {
        Ok(json) => json,
        Err(e) if e.is_transient() => match (kept, pinned) {
            (Some(kept), Some(pin)) => {
                let (keyring, pin, _) = accept(kept.as_bytes(), Some(pin), now, floor)?;
                return Ok((keyring, pin));
            }
            _ => return Err(e.into()),
        },
        Err(e) => return Err(e.into()),
    };
    let (keyring, pin, _) = accept(&json, pinned, now, floor)?;
    if pinned.is_none() {
        set_setting(db, PIN_SETTING, pin.key.to_string()).await?;
    }
    if stored_floor != Some(keyring.version()) {
        set_setting(db, FLOOR_SETTING, keyring.version().to_string()).await?;
    }
    if kept.as_deref().map(str::as_bytes) != Some(&json[..]) {
        if let Ok(text) = String::from_utf8(json) {
            set_setting(db, KEYRING_SETTING, text).await?;
        }
    }
    Ok((keyring, pin))
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::keyring::{HolderRole, KeyHolder, OrgSigningKey, Validity};

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

    fn dated(org: &OrgSigningKey, version: u64, validity: Validity) -> Vec<u8> {
        let r = shared::seal::generate_identity().to_public().to_string();
        Keyring::sign(
            version,
            "Org",
            vec![KeyHolder { label: "r".into(), role: HolderRole::Recovery, recipient: r }],
            validity,
            org,
        )
        .to_json()
        .into_bytes()
    }

    const NOW: u64 = 1_800_000_000;
    const DAY: u64 = 86_400;

    #[test]
    fn an_older_keyring_than_one_this_device_accepted_is_refused_as_a_rollback() {
        let org = OrgSigningKey::generate();
        let (_, pin) = check(&keyring_v(&org, 2), None).unwrap();
        let kept = keyring_v(&org, 2);
        let floor = floor(&[None, kept_version(Some(&kept), Some(pin))]);
        assert_eq!(floor, 2);
        assert_eq!(accept(&keyring_v(&org, 1), Some(pin), NOW, floor).err(), Some(ErrorCode::KeyringRollback));
        assert!(accept(&keyring_v(&org, 2), Some(pin), NOW, floor).is_ok());
        assert!(accept(&keyring_v(&org, 3), Some(pin), NOW, floor).is_ok());
        // The stored floor counts even when the kept keyring is gone.
        assert_eq!(
            accept(&keyring_v(&org, 4), Some(pin), NOW, super::floor(&[Some(5), None])).err(),
            Some(ErrorCode::KeyringRollback)
        );
        // A kept keyring signed by another key raises nothing.
        let forged = keyring_v(&OrgSigningKey::generate(), 9);
        assert_eq!(kept_version(Some(&forged), Some(pin)), None);
    }

    #[test]
    fn an_expired_or_future_keyring_is_refused_even_when_correctly_signed() {
        let org = OrgSigningKey::generate();
        let pin = Some(Pin { key: org.public(), source: PinSource::BuiltIn });
        let expired = dated(&org, 1, Validity { issued_at: NOW - 100 * DAY, expires_at: NOW - DAY });
        assert_eq!(accept(&expired, pin, NOW, 0).err(), Some(ErrorCode::KeyringExpired));
        let future = dated(&org, 1, Validity::starting(NOW + 2 * DAY, 90));
        assert_eq!(accept(&future, pin, NOW, 0).err(), Some(ErrorCode::KeyringNotYetValid));
        // (An undated keyring is refused as expired: `shared::keyring`'s own test.)
        // A first-use device pins nothing from a stale keyring: the check fails first.
        assert_eq!(accept(&expired, None, NOW, 0).err(), Some(ErrorCode::KeyringExpired));
    }

    #[test]
    fn a_keyring_within_fourteen_days_of_expiry_is_accepted_with_a_warning() {
        let org = OrgSigningKey::generate();
        let pin = Some(Pin { key: org.public(), source: PinSource::BuiltIn });
        let soon = dated(&org, 1, Validity { issued_at: NOW - 80 * DAY, expires_at: NOW + 10 * DAY });
        assert_eq!(accept(&soon, pin, NOW, 0).unwrap().2, Freshness::ExpiresSoon { days_left: 10 });
        let fresh = dated(&org, 1, Validity::starting(NOW, 90));
        assert_eq!(accept(&fresh, pin, NOW, 0).unwrap().2, Freshness::Fresh);
    }

    #[test]
    fn the_build_floor_is_read_at_compile_time_and_never_lowered_by_the_device() {
        assert_eq!(parse_floor(None), 0);
        assert_eq!(parse_floor(Some("7")), 7);
        assert_eq!(parse_floor(Some("18446744073709551615")), u64::MAX);
        assert!(std::panic::catch_unwind(|| parse_floor(Some("7a"))).is_err());
        assert!(std::panic::catch_unwind(|| parse_floor(Some(""))).is_err());
        assert_eq!(floor(&[]), BUILD_FLOOR, "a device that saw nothing has the build's floor");
        assert_eq!(floor(&[Some(BUILD_FLOOR + 3), Some(1)]), BUILD_FLOOR + 3);
        assert_eq!(floor(&[Some(0), None]), BUILD_FLOOR);
    }
}
