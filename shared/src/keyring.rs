//! The keyring: who may open records, signed by the organisation.
//!
//! The relay serves the keyring but cannot change it: it is signed with the
//! organisation's Ed25519 key, which is kept off the relay (`amanat keyring` signs it
//! on the administrator's computer). The app pins the organisation's public key and
//! seals nothing to a keyring whose signature fails. A [`VerifiedKeyring`] can only be
//! obtained by checking the signature, so code that seals cannot forget to.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::error::ErrorCode;
use crate::seal::{self, Ciphertext, Recipient};

/// Largest keyring document accepted, in bytes.
pub const MAX_KEYRING_BYTES: usize = 256 * 1024;
/// Most recipients a keyring may hold (each is a header stanza of every record).
pub const MAX_RECIPIENTS: usize = 32;

/// How long a keyring signed today stays valid unless the administrator says otherwise.
pub const DEFAULT_VALID_DAYS: u32 = 90;
/// Longest validity a keyring may be signed for: a stolen old keyring must not be
/// replayable for years.
pub const MAX_VALID_DAYS: u32 = 400;
/// How many days before a keyring expires the app starts warning.
pub const WARN_DAYS: u64 = 14;
/// Clock difference tolerated between the administrator's computer and a device: a
/// keyring issued this many seconds "in the future" is still accepted.
pub const CLOCK_SKEW_SECONDS: u64 = 3600;
const DAY: u64 = 86_400;

/// How an organisation public key's text starts (`org.pub`, `signed_by`).
pub const PUBLIC_PREFIX: &str = "amanat-org-v1:";
/// How the secret line of an organisation key file starts: what `amanat serve` looks
/// for to refuse a data directory holding the key.
pub const SECRET_PREFIX: &str = "AMANAT-ORG-SECRET-KEY-V1:";

/// Why a key holder is in the keyring.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolderRole {
    /// A legal adviser who opens case files.
    Adviser,
    /// The organisation's offline recovery key.
    Recovery,
}

impl HolderRole {
    pub fn code(self) -> &'static str {
        match self {
            HolderRole::Adviser => "adviser",
            HolderRole::Recovery => "recovery",
        }
    }
}

impl FromStr for HolderRole {
    type Err = ErrorCode;
    fn from_str(s: &str) -> Result<Self, ErrorCode> {
        match s {
            "adviser" => Ok(HolderRole::Adviser),
            "recovery" => Ok(HolderRole::Recovery),
            _ => Err(ErrorCode::KeyringMalformed),
        }
    }
}

/// One key holder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyHolder {
    pub label: String,
    pub role: HolderRole,
    /// `age1…`
    pub recipient: String,
}

/// When a keyring may be sealed to: from `issued_at` until `expires_at`, both Unix
/// seconds (UTC), both signed. A keyring carries an expiry so that a relay cannot keep
/// serving an old one (for example one that still names a dismissed adviser) for long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Validity {
    pub issued_at: u64,
    pub expires_at: u64,
}

impl Validity {
    /// Valid from `now` for `days` days.
    pub fn starting(now: u64, days: u32) -> Self {
        Self { issued_at: now, expires_at: now + u64::from(days) * DAY }
    }
}

/// Whether a keyring may be sealed to now, and how soon that ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Freshness {
    /// Valid, and more than [`WARN_DAYS`] from expiry.
    Fresh,
    /// Valid, but expires within [`WARN_DAYS`]: say so, so it is renewed in time.
    ExpiresSoon { days_left: u64 },
}

/// The keyring as served: holders, version, validity, and the organisation's signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keyring {
    /// Increases with every signed change of holders; entries record the version they
    /// were sealed to. Renewing the validity keeps the version.
    pub version: u64,
    pub organisation: String,
    pub recipients: Vec<KeyHolder>,
    /// Unix seconds from which the keyring is valid (signed). A keyring signed before
    /// keyrings carried dates has none, and is never fresh: `amanat keyring renew`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<u64>,
    /// Unix seconds at which the keyring stops being valid (signed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
    /// The organisation public key that signed (`amanat-org-v1:…`).
    pub signed_by: String,
    /// Base64 Ed25519 signature over [`Keyring::signed_bytes`].
    pub signature: String,
}

impl Keyring {
    /// The exact bytes the organisation signs: one line per fact, labels JSON-quoted.
    /// A dated keyring signs `amanat keyring v2` with its two dates; an undated one
    /// (signed by an older `amanat`) is checked as `v1`, so its signature still verifies
    /// and it can be renewed, but it is never [fresh](VerifiedKeyring::usable).
    pub fn signed_bytes(
        version: u64,
        organisation: &str,
        recipients: &[KeyHolder],
        validity: Option<Validity>,
    ) -> Vec<u8> {
        let q = |s: &str| serde_json::to_string(s).expect("strings serialise");
        let mut out = match validity {
            Some(v) => format!(
                "amanat keyring v2\nversion {version}\norganisation {}\nissued_at {}\nexpires_at {}\n",
                q(organisation),
                v.issued_at,
                v.expires_at
            ),
            None => format!("amanat keyring v1\nversion {version}\norganisation {}\n", q(organisation)),
        };
        for h in recipients {
            out.push_str(&format!("recipient {} {} {}\n", h.role.code(), h.recipient, q(&h.label)));
        }
        out.into_bytes()
    }

    /// Signs a keyring with the organisation key, valid for `validity`.
    pub fn sign(
        version: u64,
        organisation: &str,
        recipients: Vec<KeyHolder>,
        validity: Validity,
        key: &OrgSigningKey,
    ) -> Self {
        let sig = key.0.sign(&Self::signed_bytes(version, organisation, &recipients, Some(validity)));
        Keyring {
            version,
            organisation: organisation.to_owned(),
            recipients,
            issued_at: Some(validity.issued_at),
            expires_at: Some(validity.expires_at),
            signed_by: key.public().to_string(),
            signature: STANDARD.encode(sig.to_bytes()),
        }
    }

    /// Parses a keyring document (JSON), refusing oversize input.
    pub fn from_json(bytes: &[u8]) -> Result<Self, ErrorCode> {
        if bytes.len() > MAX_KEYRING_BYTES {
            return Err(ErrorCode::KeyringMalformed);
        }
        serde_json::from_slice(bytes).map_err(|_| ErrorCode::KeyringMalformed)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("keyrings serialise")
    }

    /// Checks only that `key` signed exactly this keyring (not whether the app could seal
    /// to it): what `amanat keyring` checks before it re-signs or installs.
    pub fn check_signature(&self, key: &OrgPublicKey) -> Result<(), ErrorCode> {
        let signer: OrgPublicKey = self.signed_by.parse().map_err(|_| ErrorCode::KeyringMalformed)?;
        if signer != *key {
            return Err(ErrorCode::KeyringWrongSigner);
        }
        let sig_bytes: [u8; 64] = STANDARD
            .decode(&self.signature)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(ErrorCode::KeyringBadSignature)?;
        let validity = match (self.issued_at, self.expires_at) {
            (Some(issued_at), Some(expires_at)) => Some(Validity { issued_at, expires_at }),
            (None, None) => None,
            _ => return Err(ErrorCode::KeyringMalformed),
        };
        let msg = Self::signed_bytes(self.version, &self.organisation, &self.recipients, validity);
        key.0.verify(&msg, &Signature::from_bytes(&sig_bytes)).map_err(|_| ErrorCode::KeyringBadSignature)
    }

    /// Checks the signature against the pinned organisation key and every recipient.
    pub fn verify(&self, pinned: &OrgPublicKey) -> Result<VerifiedKeyring, ErrorCode> {
        self.check_signature(pinned)?;
        if self.recipients.is_empty() {
            return Err(ErrorCode::KeyringEmpty);
        }
        if self.recipients.len() > MAX_RECIPIENTS {
            return Err(ErrorCode::KeyringMalformed);
        }
        if !self.recipients.iter().any(|h| h.role == HolderRole::Recovery) {
            return Err(ErrorCode::KeyringNoRecovery);
        }
        let mut recipients: Vec<Recipient> = Vec::new();
        for h in &self.recipients {
            let r = seal::parse_recipient(&h.recipient)?;
            if !recipients.iter().any(|x| x.to_string() == r.to_string()) {
                recipients.push(r);
            }
        }
        Ok(VerifiedKeyring { keyring: self.clone(), recipients })
    }

    /// How many distinct X25519 recipients every entry must be sealed to (no
    /// signature check: the relay uses this on its own, trusted copy).
    pub fn recipient_count(&self) -> usize {
        let mut seen: Vec<&str> = self.recipients.iter().map(|h| h.recipient.as_str()).collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    }
}

/// A keyring whose signature verified against the pinned organisation key.
#[derive(Clone)]
pub struct VerifiedKeyring {
    keyring: Keyring,
    recipients: Vec<Recipient>,
}

impl VerifiedKeyring {
    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    pub fn version(&self) -> u64 {
        self.keyring.version
    }

    pub fn recipients(&self) -> &[Recipient] {
        &self.recipients
    }

    /// The signed validity, if the keyring carries one.
    pub fn validity(&self) -> Option<Validity> {
        Some(Validity { issued_at: self.keyring.issued_at?, expires_at: self.keyring.expires_at? })
    }

    /// Whether this keyring may be sealed to at `now` (Unix seconds) on a device that
    /// has already seen version `floor` (or whose build says no lower): refuses an
    /// older version than `floor` (a relay replaying an old keyring), an undated or
    /// expired keyring, and one not valid yet (beyond [`CLOCK_SKEW_SECONDS`]).
    pub fn usable(&self, now: u64, floor: u64) -> Result<Freshness, ErrorCode> {
        if self.version() < floor {
            return Err(ErrorCode::KeyringRollback);
        }
        let v = self.validity().ok_or(ErrorCode::KeyringExpired)?;
        if now.saturating_add(CLOCK_SKEW_SECONDS) < v.issued_at {
            return Err(ErrorCode::KeyringNotYetValid);
        }
        if now >= v.expires_at {
            return Err(ErrorCode::KeyringExpired);
        }
        let days_left = (v.expires_at - now) / DAY;
        Ok(if days_left < WARN_DAYS { Freshness::ExpiresSoon { days_left } } else { Freshness::Fresh })
    }

    /// Seals to every key holder, plus `extra` recipients (the author's own key).
    pub fn seal(&self, plaintext: &[u8], extra: &[Recipient]) -> Result<Ciphertext, ErrorCode> {
        seal::seal_bytes(plaintext, self.recipients.iter().chain(extra))
    }
}

/// The organisation's public key, pinned by the app.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct OrgPublicKey(VerifyingKey);

impl OrgPublicKey {
    /// Checks a base64 Ed25519 signature by this key over `msg` (the release list and
    /// other signed documents of the organisation; keyrings use [`Keyring::verify`]).
    pub(crate) fn verify_b64(&self, msg: &[u8], signature: &str) -> bool {
        let Some(bytes) = STANDARD.decode(signature.trim()).ok().and_then(|b| <[u8; 64]>::try_from(b).ok()) else {
            return false;
        };
        self.0.verify(msg, &Signature::from_bytes(&bytes)).is_ok()
    }
}

impl FromStr for OrgPublicKey {
    type Err = ErrorCode;
    fn from_str(s: &str) -> Result<Self, ErrorCode> {
        let b64 = s.trim().strip_prefix(PUBLIC_PREFIX).ok_or(ErrorCode::KeyringMalformed)?;
        let bytes: [u8; 32] =
            STANDARD.decode(b64).ok().and_then(|b| b.try_into().ok()).ok_or(ErrorCode::KeyringMalformed)?;
        VerifyingKey::from_bytes(&bytes).map(Self).map_err(|_| ErrorCode::KeyringMalformed)
    }
}

impl fmt::Display for OrgPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PUBLIC_PREFIX}{}", STANDARD.encode(self.0.as_bytes()))
    }
}

impl fmt::Debug for OrgPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OrgPublicKey({self})")
    }
}

/// The organisation's signing key. Lives on the administrator's computer, never on
/// the relay and never in the browser.
pub struct OrgSigningKey(SigningKey);

impl OrgSigningKey {
    pub fn generate() -> Self {
        Self(SigningKey::generate(&mut rand::rngs::OsRng))
    }

    pub fn public(&self) -> OrgPublicKey {
        OrgPublicKey(self.0.verifying_key())
    }

    /// A base64 Ed25519 signature over `msg`.
    pub(crate) fn sign_b64(&self, msg: &[u8]) -> String {
        STANDARD.encode(self.0.sign(msg).to_bytes())
    }

    /// The key file's text.
    pub fn to_file(&self) -> String {
        format!(
            "# Amanat organisation signing key. Keep it offline; it signs the keyring.\n# public key: {}\n{SECRET_PREFIX}{}\n",
            self.public(),
            STANDARD.encode(self.0.to_bytes())
        )
    }

    /// Reads a key file written by [`OrgSigningKey::to_file`].
    pub fn from_file(text: &str) -> Result<Self, ErrorCode> {
        let line =
            text.lines().map(str::trim).find(|l| l.starts_with(SECRET_PREFIX)).ok_or(ErrorCode::KeyringMalformed)?;
        let bytes: [u8; 32] = STANDARD
            .decode(&line[SECRET_PREFIX.len()..])
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(ErrorCode::KeyringMalformed)?;
        Ok(Self(SigningKey::from_bytes(&bytes)))
    }
}

/// A short, readable fingerprint of a public key (an `age1…` recipient or the
/// organisation's `amanat-org-v1:…` key), for comparing in person: the app's privacy
/// page and `amanat keyring show` print the same one. SHA-256 over a labelled copy of
/// the key's text (the encodings are canonical, so the text is the key), the first 100
/// bits in Crockford's base32 (no I, L, O, U to misread), five groups of four.
pub fn fingerprint(public_key: &str) -> String {
    use sha2::{Digest, Sha256};
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let digest =
        Sha256::new().chain_update(b"amanat fingerprint v1\n").chain_update(public_key.trim().as_bytes()).finalize();
    let mut bits = 0u32;
    let mut nbits = 0;
    let mut out = String::with_capacity(24);
    let mut bytes = digest.iter();
    for i in 0..20 {
        if nbits < 5 {
            bits = (bits << 8) | u32::from(*bytes.next().expect("a digest has 32 bytes"));
            nbits += 8;
        }
        nbits -= 5;
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(ALPHABET[((bits >> nbits) & 31) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_is_five_groups_of_four_unambiguous_characters_and_differs_per_key() {
        let a = seal::generate_identity().to_public().to_string();
        let b = seal::generate_identity().to_public().to_string();
        let fa = fingerprint(&a);
        assert_eq!(fa, fingerprint(&format!(" {a}\n")), "surrounding space is not part of the key");
        assert_ne!(fa, fingerprint(&b));
        let groups: Vec<&str> = fa.split('-').collect();
        assert_eq!(groups.len(), 5, "{fa}");
        assert!(
            groups.iter().all(|g| g.len() == 4
                && g.bytes().all(|c| c.is_ascii_digit() || (c.is_ascii_uppercase() && !b"ILOU".contains(&c)))),
            "{fa}"
        );
        // Pinned (computed apart, with Python's hashlib): the CLI and the app must
        // print this very form, so changing it is a visible, deliberate break.
        assert_eq!(fingerprint("age1example"), "H7C6-KCBF-JFS0-F6XB-S9TG");
    }

    /// 1 December 2026, 00:00 UTC, and a keyring valid for 90 days from then.
    const NOW: u64 = 1_796_083_200;
    fn valid() -> Validity {
        Validity::starting(NOW, DEFAULT_VALID_DAYS)
    }

    fn holders() -> Vec<KeyHolder> {
        let r = |role| KeyHolder {
            label: format!("{role:?} key"),
            role,
            recipient: seal::generate_identity().to_public().to_string(),
        };
        vec![r(HolderRole::Adviser), r(HolderRole::Recovery)]
    }

    #[test]
    fn a_signed_keyring_verifies_and_seals_to_every_holder() {
        let org = OrgSigningKey::generate();
        let kr = Keyring::sign(1, "SOS Children's Villages Uzbekistan", holders(), valid(), &org);
        let back = Keyring::from_json(kr.to_json().as_bytes()).unwrap();
        let v = back.verify(&org.public()).unwrap();
        assert_eq!(v.recipients().len(), 2);
        let ct = v.seal(b"x", &[]).unwrap();
        assert_eq!(crate::age_header::inspect(ct.as_bytes()).unwrap().x25519, 2);
    }

    #[test]
    fn a_recipient_added_by_the_relay_breaks_the_signature() {
        let org = OrgSigningKey::generate();
        let mut kr = Keyring::sign(1, "Org", holders(), valid(), &org);
        kr.recipients.push(KeyHolder {
            label: "curious relay".into(),
            role: HolderRole::Adviser,
            recipient: seal::generate_identity().to_public().to_string(),
        });
        assert_eq!(kr.verify(&org.public()).err(), Some(ErrorCode::KeyringBadSignature));
    }

    #[test]
    fn a_keyring_signed_by_another_organisation_is_refused() {
        let org = OrgSigningKey::generate();
        let other = OrgSigningKey::generate();
        let kr = Keyring::sign(1, "Org", holders(), valid(), &other);
        assert_eq!(kr.verify(&org.public()).err(), Some(ErrorCode::KeyringWrongSigner));
    }

    #[test]
    fn malformed_keyrings_and_missing_recovery_are_refused() {
        assert_eq!(Keyring::from_json(b"{\"version\":1}").err(), Some(ErrorCode::KeyringMalformed));
        let org = OrgSigningKey::generate();
        let advisers_only: Vec<_> = holders().into_iter().filter(|h| h.role == HolderRole::Adviser).collect();
        let kr = Keyring::sign(1, "Org", advisers_only, valid(), &org);
        assert_eq!(kr.verify(&org.public()).err(), Some(ErrorCode::KeyringNoRecovery));
        let kr = Keyring::sign(1, "Org", vec![], valid(), &org);
        assert_eq!(kr.verify(&org.public()).err(), Some(ErrorCode::KeyringEmpty));
    }

    #[test]
    fn a_keyring_is_sealed_to_only_while_its_signed_dates_say_so_and_never_below_the_floor() {
        let org = OrgSigningKey::generate();
        let v = Keyring::sign(3, "Org", holders(), valid(), &org).verify(&org.public()).unwrap();
        assert_eq!(v.usable(NOW + DAY, 3), Ok(Freshness::Fresh));
        assert_eq!(v.usable(NOW + 80 * DAY, 0), Ok(Freshness::ExpiresSoon { days_left: 10 }));
        assert_eq!(v.usable(NOW + 90 * DAY, 0), Err(ErrorCode::KeyringExpired));
        assert_eq!(v.usable(NOW - 2 * CLOCK_SKEW_SECONDS, 0), Err(ErrorCode::KeyringNotYetValid));
        assert_eq!(v.usable(NOW - CLOCK_SKEW_SECONDS / 2, 0), Ok(Freshness::Fresh), "a slow clock is tolerated");
        assert_eq!(v.usable(NOW + DAY, 4), Err(ErrorCode::KeyringRollback), "a device that saw version 4");
    }

    #[test]
    fn the_dates_are_signed_so_a_relay_cannot_extend_an_old_keyring() {
        let org = OrgSigningKey::generate();
        let mut kr = Keyring::sign(1, "Org", holders(), valid(), &org);
        kr.expires_at = Some(NOW + 900 * DAY);
        assert_eq!(kr.verify(&org.public()).err(), Some(ErrorCode::KeyringBadSignature));
        kr.expires_at = None;
        assert_eq!(kr.verify(&org.public()).err(), Some(ErrorCode::KeyringMalformed), "one date without the other");
        kr.issued_at = None;
        assert_eq!(kr.verify(&org.public()).err(), Some(ErrorCode::KeyringBadSignature), "dropping both dates");
    }

    #[test]
    fn an_undated_keyring_signed_by_an_older_amanat_verifies_but_is_never_sealed_to() {
        let org = OrgSigningKey::generate();
        let recipients = holders();
        let sig = org.0.sign(&Keyring::signed_bytes(2, "Org", &recipients, None));
        let old = Keyring {
            version: 2,
            organisation: "Org".into(),
            recipients,
            issued_at: None,
            expires_at: None,
            signed_by: org.public().to_string(),
            signature: STANDARD.encode(sig.to_bytes()),
        };
        let back = Keyring::from_json(old.to_json().as_bytes()).unwrap();
        assert!(!old.to_json().contains("expires_at"));
        let v = back.verify(&org.public()).unwrap();
        assert_eq!(v.usable(NOW, 0), Err(ErrorCode::KeyringExpired));
    }

    #[test]
    fn keys_round_trip_through_their_files() {
        let org = OrgSigningKey::generate();
        let back = OrgSigningKey::from_file(&org.to_file()).unwrap();
        assert_eq!(back.public(), org.public());
        assert_eq!(org.public().to_string().parse::<OrgPublicKey>().unwrap(), org.public());
    }
}
