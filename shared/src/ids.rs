//! Identifiers parsed once at the edge.
//!
//! A [`CaseId`] is 128 random bits written as 32 lowercase hex digits; an [`EntryId`] is
//! the SHA-256 of an entry's ciphertext written as 64 lowercase hex digits. Neither
//! carries any meaning about the family: that is the point. A [`ContentHash`] (the
//! SHA-256 of a plaintext) is written the same way and lives only inside ciphertext.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

use crate::error::ErrorCode;

fn parse_lower_hex<const N: usize>(s: &str) -> Option<[u8; N]> {
    if s.len() != N * 2 || !s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let mut out = [0u8; N];
    hex::decode_to_slice(s, &mut out).ok()?;
    Some(out)
}

/// The parsing and printing every hex identifier here shares: lowercase hex only (so an
/// id has one spelling), a wrong one refused with `$error`.
macro_rules! hex_id {
    ($name:ident, $bytes:literal, $error:expr) => {
        impl FromStr for $name {
            type Err = ErrorCode;
            fn from_str(s: &str) -> Result<Self, ErrorCode> {
                parse_lower_hex::<$bytes>(s).map(Self).ok_or($error)
            }
        }

        impl TryFrom<String> for $name {
            type Error = ErrorCode;
            fn try_from(s: String) -> Result<Self, ErrorCode> {
                s.parse()
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.to_string()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&hex::encode(self.0))
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self)
            }
        }
    };
}

/// A [`hex_id!`] that is a SHA-256: made from bytes, or from a digest finished by a
/// stream's hasher, and read back as its 32 bytes.
macro_rules! sha256_id {
    ($name:ident, $error:expr) => {
        impl $name {
            /// The SHA-256 of these bytes.
            pub fn of(bytes: &[u8]) -> Self {
                Self(Sha256::digest(bytes).into())
            }

            /// From a finished SHA-256 digest (for streamed bytes).
            pub fn from_digest(digest: [u8; 32]) -> Self {
                Self(digest)
            }

            /// The raw digest.
            pub fn as_bytes(&self) -> &[u8; 32] {
                &self.0
            }
        }

        hex_id!($name, 32, $error);
    };
}

/// A case: the chain of entries about one family. Random, 128-bit.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CaseId([u8; 16]);

impl CaseId {
    /// A fresh random case id.
    pub fn random() -> Self {
        use rand::RngCore;
        let mut b = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut b);
        Self(b)
    }
}

hex_id!(CaseId, 16, ErrorCode::BadCaseId);

/// An entry: lowercase hex SHA-256 of its ciphertext.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EntryId([u8; 32]);

sha256_id!(EntryId, ErrorCode::BadEntryId);

/// What a file holds, whichever ciphertext holds it: lowercase hex SHA-256 of its
/// plaintext. A signed document names its attachment by this as well as by entry id, so
/// the attachment can be sealed again (a new ciphertext, a new entry id) and still be
/// shown to be the very bytes the author signed for. Only ever inside ciphertext: the
/// relay never sees it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ContentHash([u8; 32]);

sha256_id!(ContentHash, ErrorCode::BadRequest);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_ids_are_32_lowercase_hex_digits_and_round_trip() {
        let id = CaseId::random();
        let s = id.to_string();
        assert_eq!(s.len(), 32);
        assert_eq!(s.parse::<CaseId>().unwrap(), id);
        assert_eq!(s.to_uppercase().parse::<CaseId>(), Err(ErrorCode::BadCaseId));
        assert_eq!("abc".parse::<CaseId>(), Err(ErrorCode::BadCaseId));
    }

    #[test]
    fn entry_id_is_the_sha256_of_the_bytes() {
        let id = EntryId::of(b"abc");
        assert_eq!(id.to_string(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(id.to_string().parse::<EntryId>().unwrap(), id);
        assert!("zz".repeat(32).parse::<EntryId>().is_err());
    }
}
