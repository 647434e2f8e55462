//! Signed authorship: who wrote an entry is proven, not claimed.
//!
//! age does not authenticate the sender, and every recipient key is public, so anyone
//! (the relay, another caseworker) can seal a "consent" to the keyring under any
//! author's name. So every document is signed by its author before it is sealed (sign,
//! then seal), with an Ed25519 [`AuthorKey`] made at enrolment and kept wrapped with the
//! author's personal identity. The organisation vouches for authors' keys in a signed
//! [`Roster`] (`amanat roster approve NAME --org-key FILE`, after comparing the key's
//! fingerprint in person), as it vouches for key holders in the keyring. A reader
//! sees each entry as [`AuthorStatus::Verified`], [`AuthorStatus::Unapproved`],
//! [`AuthorStatus::Forged`] or [`AuthorStatus::UnsignedOlder`], and only a verified one
//! counts (toward consent state, indicators and search).
//!
//! The signed plaintext is still one JSON object, so a key holder opening it with the
//! `age` CLI reads it as before, and the reading code keeps it whole (it starts with
//! `{`):
//!
//! ```text
//! {"amanat_signed":1,"author_key":"amanat-author-v1:…","signature":"<base64>","document":<the document's JSON>}
//! ```
//!
//! The signature covers `amanat authorship v1\n` followed by the document's exact bytes,
//! so nothing is re-serialised before checking.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use zeroize::Zeroizing;

use crate::error::ErrorCode;
use crate::keyring::{OrgPublicKey, OrgSigningKey};

const PUBLIC_PREFIX: &str = "amanat-author-v1:";
const SECRET_PREFIX: &str = "AMANAT-AUTHOR-SECRET-KEY-V1:";
const CONTEXT: &[u8] = b"amanat authorship v1\n";
const HEAD: &str = r#"{"amanat_signed":1,"author_key":""#;
const AFTER_KEY: &str = r#"","signature":""#;
const AFTER_SIGNATURE: &str = r#"","document":"#;

/// Largest roster document accepted, in bytes.
pub const MAX_ROSTER_BYTES: usize = 1024 * 1024;
/// Most author keys a roster may hold.
pub const MAX_AUTHORS: usize = 4096;

/// An author's signing key. Made in the browser at enrolment; it leaves the browser only
/// wrapped with the author's personal identity. Wiped when dropped.
pub struct AuthorKey(SigningKey);

impl AuthorKey {
    pub fn generate() -> Self {
        Self(SigningKey::generate(&mut rand::rngs::OsRng))
    }

    pub fn public(&self) -> AuthorPublicKey {
        AuthorPublicKey(self.0.verifying_key())
    }

    /// The one line that stores the key (inside the wrapped identity, never alone).
    pub fn to_secret_line(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("{SECRET_PREFIX}{}", STANDARD.encode(self.0.to_bytes())))
    }

    /// The key from text holding a line written by [`AuthorKey::to_secret_line`]
    /// (other lines, such as the age identity beside it, are skipped).
    pub fn from_secret_text(text: &str) -> Result<Self, ErrorCode> {
        let line =
            text.lines().map(str::trim).find(|l| l.starts_with(SECRET_PREFIX)).ok_or(ErrorCode::AuthorKeyMalformed)?;
        let bytes: Zeroizing<Vec<u8>> =
            Zeroizing::new(STANDARD.decode(&line[SECRET_PREFIX.len()..]).map_err(|_| ErrorCode::AuthorKeyMalformed)?);
        let bytes: &[u8; 32] = bytes.as_slice().try_into().map_err(|_| ErrorCode::AuthorKeyMalformed)?;
        Ok(Self(SigningKey::from_bytes(bytes)))
    }

    /// Signs `document` (a document's JSON, as `CaseDocument::to_bytes` writes it): the
    /// plaintext to seal.
    pub fn sign_document(&self, document: &[u8]) -> Vec<u8> {
        let signature = self.0.sign(&[CONTEXT, document].concat());
        let mut out = Vec::with_capacity(document.len() + 200);
        out.extend_from_slice(HEAD.as_bytes());
        out.extend_from_slice(self.public().to_string().as_bytes());
        out.extend_from_slice(AFTER_KEY.as_bytes());
        out.extend_from_slice(STANDARD.encode(signature.to_bytes()).as_bytes());
        out.extend_from_slice(AFTER_SIGNATURE.as_bytes());
        out.extend_from_slice(document);
        out.push(b'}');
        out
    }
}

/// Whether `line` is an author key's secret line (what [`AuthorKey::to_secret_line`]
/// writes), so a reader of the text around it can set it aside.
pub fn is_secret_line(line: &str) -> bool {
    line.trim().starts_with(SECRET_PREFIX)
}

/// An author's public key, `amanat-author-v1:<base64>`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct AuthorPublicKey(VerifyingKey);

impl AuthorPublicKey {
    /// The fingerprint to compare in person (the Account page and `amanat roster`
    /// print the same one).
    pub fn fingerprint(&self) -> String {
        crate::keyring::fingerprint(&self.to_string())
    }
}

impl FromStr for AuthorPublicKey {
    type Err = ErrorCode;
    fn from_str(s: &str) -> Result<Self, ErrorCode> {
        let b64 = s.trim().strip_prefix(PUBLIC_PREFIX).ok_or(ErrorCode::AuthorKeyMalformed)?;
        let bytes: [u8; 32] =
            STANDARD.decode(b64).ok().and_then(|b| b.try_into().ok()).ok_or(ErrorCode::AuthorKeyMalformed)?;
        VerifyingKey::from_bytes(&bytes).map(Self).map_err(|_| ErrorCode::AuthorKeyMalformed)
    }
}

impl fmt::Display for AuthorPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PUBLIC_PREFIX}{}", STANDARD.encode(self.0.as_bytes()))
    }
}

impl fmt::Debug for AuthorPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuthorPublicKey({self})")
    }
}

/// What an opened plaintext says about its signer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signer {
    /// No signature: a document sealed before documents were signed (or by someone who
    /// left it off).
    Unsigned,
    /// Signed with `key`; `valid` says whether the signature checks over the document.
    Signed { key: AuthorPublicKey, valid: bool },
}

/// An opened plaintext, split into the document and its signer.
#[derive(Debug)]
pub struct Unwrapped<'a> {
    /// The document's JSON.
    pub document: &'a [u8],
    pub signer: Signer,
}

/// Splits an opened plaintext into the document and what its signature says. A
/// plaintext that is not in the signed form is an unsigned document, returned whole;
/// one that starts like the signed form but is not exactly it is refused.
pub fn unwrap(plaintext: &[u8]) -> Result<Unwrapped<'_>, ErrorCode> {
    let Some(rest) = plaintext.strip_prefix(HEAD.as_bytes()) else {
        return Ok(Unwrapped { document: plaintext, signer: Signer::Unsigned });
    };
    let bad = ErrorCode::RecordUnreadable;
    let key_end = rest.iter().position(|&b| b == b'"').ok_or(bad)?;
    let key: AuthorPublicKey = std::str::from_utf8(&rest[..key_end]).map_err(|_| bad)?.parse().map_err(|_| bad)?;
    let rest = rest[key_end..].strip_prefix(AFTER_KEY.as_bytes()).ok_or(bad)?;
    let sig_end = rest.iter().position(|&b| b == b'"').ok_or(bad)?;
    let signature = STANDARD.decode(&rest[..sig_end]).ok().and_then(|b| <[u8; 64]>::try_from(b).ok());
    let rest = rest[sig_end..].strip_prefix(AFTER_SIGNATURE.as_bytes()).ok_or(bad)?;
    let document = rest.strip_suffix(b"}").ok_or(bad)?;
    let valid =
        signature.is_some_and(|s| key.0.verify(&[CONTEXT, document].concat(), &Signature::from_bytes(&s)).is_ok());
    Ok(Unwrapped { document, signer: Signer::Signed { key, valid } })
}

/// How a reader should take an entry's authorship.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorStatus {
    /// Signed by a key the organisation approved for the author the document names.
    Verified,
    /// Signed, but by a key the organisation has not approved (yet): a new caseworker
    /// before `amanat roster approve`, or a stranger with a key of their own.
    Unapproved,
    /// The signature does not check, or the key is approved for someone else than the
    /// author the document names.
    Forged,
    /// Not signed: sealed before documents were signed.
    UnsignedOlder,
}

impl AuthorStatus {
    /// Whether the entry counts toward consent state, indicators and search: only a
    /// verified author's.
    pub fn counts(self) -> bool {
        self == AuthorStatus::Verified
    }

    /// The stable code (`data-author` in the app, `author_status` in exports).
    pub fn code(self) -> &'static str {
        match self {
            AuthorStatus::Verified => "verified",
            AuthorStatus::Unapproved => "unapproved",
            AuthorStatus::Forged => "forged",
            AuthorStatus::UnsignedOlder => "unsigned",
        }
    }

    /// The catalog message that names it to a reader (`author-<code>`).
    pub fn label_key(self) -> &'static str {
        match self {
            AuthorStatus::Verified => "author-verified",
            AuthorStatus::Unapproved => "author-unapproved",
            AuthorStatus::Forged => "author-forged",
            AuthorStatus::UnsignedOlder => "author-unsigned",
        }
    }

    /// Every status, in the order readers list them.
    pub fn all() -> [AuthorStatus; 4] {
        [AuthorStatus::Verified, AuthorStatus::Unapproved, AuthorStatus::Forged, AuthorStatus::UnsignedOlder]
    }
}

/// One approved author key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovedAuthor {
    /// The account name documents carry as `author`.
    pub name: String,
    /// `amanat-author-v1:…`
    pub key: String,
}

/// The organisation's signed list of approved author keys, served by the relay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roster {
    /// Increases with every signed change.
    pub version: u64,
    pub organisation: String,
    pub authors: Vec<ApprovedAuthor>,
    /// The organisation public key that signed (`amanat-org-v1:…`).
    pub signed_by: String,
    /// Base64 Ed25519 signature over [`Roster::signed_bytes`].
    pub signature: String,
}

impl Roster {
    /// The exact bytes the organisation signs: one line per fact, names JSON-quoted.
    pub fn signed_bytes(version: u64, organisation: &str, authors: &[ApprovedAuthor]) -> Vec<u8> {
        let q = |s: &str| serde_json::to_string(s).expect("strings serialise");
        let mut out = format!("amanat roster v1\nversion {version}\norganisation {}\n", q(organisation));
        for a in authors {
            out.push_str(&format!("author {} {}\n", a.key, q(&a.name)));
        }
        out.into_bytes()
    }

    /// Signs a roster with the organisation key.
    pub fn sign(version: u64, organisation: &str, authors: Vec<ApprovedAuthor>, key: &OrgSigningKey) -> Self {
        let signature = key.sign_b64(&Self::signed_bytes(version, organisation, &authors));
        Roster {
            version,
            organisation: organisation.to_owned(),
            authors,
            signed_by: key.public().to_string(),
            signature,
        }
    }

    /// Parses a roster document (JSON), refusing oversize input.
    pub fn from_json(bytes: &[u8]) -> Result<Self, ErrorCode> {
        if bytes.len() > MAX_ROSTER_BYTES {
            return Err(ErrorCode::RosterInvalid);
        }
        serde_json::from_slice(bytes).map_err(|_| ErrorCode::RosterInvalid)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("rosters serialise")
    }

    /// Checks the signature against the pinned organisation key, and every key.
    pub fn verify(&self, pinned: &OrgPublicKey) -> Result<VerifiedRoster, ErrorCode> {
        let signer: OrgPublicKey = self.signed_by.parse().map_err(|_| ErrorCode::RosterInvalid)?;
        if signer != *pinned {
            return Err(ErrorCode::RosterInvalid);
        }
        if self.authors.len() > MAX_AUTHORS {
            return Err(ErrorCode::RosterInvalid);
        }
        let msg = Self::signed_bytes(self.version, &self.organisation, &self.authors);
        if !pinned.verify_b64(&msg, &self.signature) {
            return Err(ErrorCode::RosterInvalid);
        }
        let mut approved = Vec::with_capacity(self.authors.len());
        for a in &self.authors {
            approved.push((a.name.clone(), a.key.parse::<AuthorPublicKey>().map_err(|_| ErrorCode::RosterInvalid)?));
        }
        Ok(VerifiedRoster { version: self.version, approved })
    }
}

/// A roster whose signature verified against the pinned organisation key.
#[derive(Clone, Debug, Default)]
pub struct VerifiedRoster {
    version: u64,
    approved: Vec<(String, AuthorPublicKey)>,
}

impl VerifiedRoster {
    /// No approved author at all: what a reader uses before a roster is published, so
    /// every signed entry is [`AuthorStatus::Unapproved`].
    pub fn empty() -> Self {
        Self::default()
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    /// How to take an entry whose document names `claimed_author` and whose plaintext
    /// had `signer`.
    pub fn status(&self, claimed_author: &str, signer: Signer) -> AuthorStatus {
        let key = match signer {
            Signer::Unsigned => return AuthorStatus::UnsignedOlder,
            Signer::Signed { valid: false, .. } => return AuthorStatus::Forged,
            Signer::Signed { key, valid: true } => key,
        };
        let mut approved_for_another = false;
        for (name, k) in &self.approved {
            if *k == key {
                if name == claimed_author {
                    return AuthorStatus::Verified;
                }
                approved_for_another = true;
            }
        }
        if approved_for_another {
            AuthorStatus::Forged
        } else {
            AuthorStatus::Unapproved
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &[u8] = br#"{"schema":2,"author":"dilnoza","entry":{"kind":"consent"}}"#;

    fn roster(org: &OrgSigningKey, authors: &[(&str, &AuthorKey)]) -> VerifiedRoster {
        let authors =
            authors.iter().map(|(n, k)| ApprovedAuthor { name: (*n).into(), key: k.public().to_string() }).collect();
        let r = Roster::sign(1, "Org", authors, org);
        Roster::from_json(r.to_json().as_bytes()).unwrap().verify(&org.public()).unwrap()
    }

    #[test]
    fn a_signed_document_is_still_one_json_object_and_unwraps_to_the_same_bytes() {
        let key = AuthorKey::generate();
        let signed = key.sign_document(DOC);
        let v: serde_json::Value = serde_json::from_slice(&signed).expect("the age CLI's reader sees JSON");
        assert_eq!(v["document"]["author"], "dilnoza");
        let u = unwrap(&signed).unwrap();
        assert_eq!(u.document, DOC);
        assert_eq!(u.signer, Signer::Signed { key: key.public(), valid: true });
        let plain = unwrap(DOC).unwrap();
        assert_eq!((plain.document, plain.signer), (DOC, Signer::Unsigned));
    }

    #[test]
    fn a_document_changed_after_signing_or_re_signed_under_another_key_shows() {
        let key = AuthorKey::generate();
        let signed = key.sign_document(DOC);
        let changed = String::from_utf8(signed.clone()).unwrap().replace("consent", "closure");
        assert!(matches!(unwrap(changed.as_bytes()).unwrap().signer, Signer::Signed { valid: false, .. }));
        // The relay swaps in its own key's name for the caseworker's key: the signature
        // no longer checks.
        let other = AuthorKey::generate();
        let swapped =
            String::from_utf8(signed).unwrap().replace(&key.public().to_string(), &other.public().to_string());
        assert!(matches!(unwrap(swapped.as_bytes()).unwrap().signer, Signer::Signed { valid: false, .. }));
        for bad in [&br#"{"amanat_signed":1,"author_key":"x"}"#[..], br#"{"amanat_signed":1,"author_key":""#] {
            assert_eq!(unwrap(bad).err(), Some(ErrorCode::RecordUnreadable));
        }
    }

    #[test]
    fn only_a_key_approved_for_the_named_author_is_verified() {
        let org = OrgSigningKey::generate();
        let dilnoza = AuthorKey::generate();
        let aziz = AuthorKey::generate();
        let stranger = AuthorKey::generate();
        let r = roster(&org, &[("dilnoza", &dilnoza), ("aziz", &aziz)]);
        let ok = |k: &AuthorKey| Signer::Signed { key: k.public(), valid: true };
        assert_eq!(r.status("dilnoza", ok(&dilnoza)), AuthorStatus::Verified);
        assert_eq!(r.status("dilnoza", ok(&aziz)), AuthorStatus::Forged, "another caseworker's key, her name");
        assert_eq!(r.status("dilnoza", ok(&stranger)), AuthorStatus::Unapproved, "a key nobody approved");
        assert_eq!(r.status("dilnoza", Signer::Signed { key: dilnoza.public(), valid: false }), AuthorStatus::Forged);
        assert_eq!(r.status("dilnoza", Signer::Unsigned), AuthorStatus::UnsignedOlder);
        assert!(AuthorStatus::Verified.counts());
        for s in [AuthorStatus::Unapproved, AuthorStatus::Forged, AuthorStatus::UnsignedOlder] {
            assert!(!s.counts(), "{s:?}");
        }
        assert_eq!(VerifiedRoster::empty().status("dilnoza", ok(&dilnoza)), AuthorStatus::Unapproved);
    }

    #[test]
    fn a_roster_the_relay_extended_or_signed_itself_is_refused() {
        let org = OrgSigningKey::generate();
        let mut r = Roster::sign(
            1,
            "Org",
            vec![ApprovedAuthor { name: "dilnoza".into(), key: AuthorKey::generate().public().to_string() }],
            &org,
        );
        assert!(r.verify(&org.public()).is_ok());
        r.authors.push(ApprovedAuthor { name: "relay".into(), key: AuthorKey::generate().public().to_string() });
        assert_eq!(r.verify(&org.public()).err(), Some(ErrorCode::RosterInvalid));
        let relays_own = Roster::sign(1, "Org", r.authors.clone(), &OrgSigningKey::generate());
        assert_eq!(relays_own.verify(&org.public()).err(), Some(ErrorCode::RosterInvalid));
        assert_eq!(Roster::from_json(b"{}").err(), Some(ErrorCode::RosterInvalid));
    }

    #[test]
    fn an_author_key_round_trips_through_its_secret_line_beside_an_identity() {
        let key = AuthorKey::generate();
        let text = format!("AGE-SECRET-KEY-1QQQ\n{}\n", key.to_secret_line().as_str());
        let back = AuthorKey::from_secret_text(&text).unwrap();
        assert_eq!(back.public(), key.public());
        assert_eq!(key.public().to_string().parse::<AuthorPublicKey>().unwrap(), key.public());
        assert_eq!(AuthorKey::from_secret_text("AGE-SECRET-KEY-1QQQ").err(), Some(ErrorCode::AuthorKeyMalformed));
        assert_eq!(key.public().fingerprint().len(), 24);
    }
}
