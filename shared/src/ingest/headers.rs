//! The upload's own headers as steps of the ingest sequence: `Amanat-Case`,
//! `Amanat-Supersedes` and `Amanat-Keyring-Version` each at most once ([`once`]), the
//! entry a re-seal replaces ([`supersedes`]) and the keyring version it was sealed to
//! ([`keyring_version`], [`check_keyring_version`]).
//!
//! A refusal here names the header at fault ([`HeaderRefusal`]): the code alone would
//! speak of the body (`bad_entry_id` says "the SHA-256 of the body"). What needs the
//! store or the keyring (is the replaced entry stored in this case? which keyring
//! version is current?) is the caller's [`super::Steps`]; these functions only read
//! the values.

use crate::error::ErrorCode;
use crate::ids::EntryId;

use super::Target;

/// An upload's own headers as the request carried them: every line of each. A value
/// that is not text is passed as U+FFFD, which no rule accepts.
#[derive(Clone, Copy, Debug, Default)]
pub struct UploadHeaders<'a> {
    pub case: &'a [&'a str],
    pub supersedes: &'a [&'a str],
    pub keyring_version: &'a [&'a str],
}

/// The same headers once each was found to come at most once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Once<'a> {
    pub case: Option<&'a str>,
    pub supersedes: Option<&'a str>,
    pub keyring_version: Option<&'a str>,
}

/// What an upload's headers declare besides its case, checked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Declared {
    /// The entry it replaces (`Amanat-Supersedes`): stored, in the same case, not itself.
    pub supersedes: Option<EntryId>,
    /// The keyring version it says it was sealed to (`Amanat-Keyring-Version`), at most
    /// the current one.
    pub keyring_version: Option<u64>,
}

/// A header refused: its code, and a sentence about that header. A code whose own
/// sentence is right for the header has `message: None`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeaderRefusal {
    pub code: ErrorCode,
    pub message: Option<&'static str>,
}

impl HeaderRefusal {
    fn saying(code: ErrorCode, message: &'static str) -> Self {
        HeaderRefusal { code, message: Some(message) }
    }

    /// The sentence a client is answered with.
    pub fn message(&self) -> &'static str {
        self.message.unwrap_or_else(|| self.code.message())
    }
}

impl From<HeaderRefusal> for ErrorCode {
    fn from(r: HeaderRefusal) -> Self {
        r.code
    }
}

impl From<ErrorCode> for HeaderRefusal {
    fn from(code: ErrorCode) -> Self {
        HeaderRefusal { code, message: None }
    }
}

/// Said when one of the three headers comes twice.
pub const ONCE: &str =
    "Send each of the headers Amanat-Case, Amanat-Supersedes and Amanat-Keyring-Version at most once.";
const SUPERSEDES_MALFORMED: &str =
    "The Amanat-Supersedes header must be the id of the entry this one replaces: 64 lowercase hexadecimal digits.";
const VERSION_NOT_A_NUMBER: &str =
    "Amanat-Keyring-Version must be a whole number: the keyring version the entry was sealed to.";
const VERSION_TOO_HIGH: &str =
    "Amanat-Keyring-Version is higher than the current keyring's version. Reload the keyring and save again.";

/// Step 1: each header at most once (`Amanat-Case` twice is `bad_case_id`, the others
/// `bad_request`), checked in that order.
pub fn once<'a>(headers: &UploadHeaders<'a>) -> Result<Once<'a>, HeaderRefusal> {
    let single = |values: &'a [&'a str], code| match values {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        _ => Err(HeaderRefusal::saying(code, ONCE)),
    };
    Ok(Once {
        case: single(headers.case, ErrorCode::BadCaseId)?,
        supersedes: single(headers.supersedes, ErrorCode::BadRequest)?,
        keyring_version: single(headers.keyring_version, ErrorCode::BadRequest)?,
    })
}

/// `Amanat-Supersedes`: an entry id (`bad_entry_id`, with a sentence about this
/// header), other than the upload's own (`bad_request`: an entry "superseding" itself
/// would let `amanat entries remove --superseded` delete the only copy). Whether it is
/// stored in the same case is the next step, the caller's.
pub fn supersedes(value: &str, target: &Target) -> Result<EntryId, HeaderRefusal> {
    let old: EntryId = value.parse().map_err(|_| HeaderRefusal::saying(ErrorCode::BadEntryId, SUPERSEDES_MALFORMED))?;
    if old == target.id {
        return Err(ErrorCode::BadRequest.into());
    }
    Ok(old)
}

/// The replaced entry must be stored in the upload's case (`bad_request` otherwise).
pub fn check_supersedable(in_case: bool) -> Result<(), HeaderRefusal> {
    if in_case {
        Ok(())
    } else {
        Err(ErrorCode::BadRequest.into())
    }
}

/// `Amanat-Keyring-Version`: a whole number (`bad_request`, with a sentence about this
/// header).
pub fn keyring_version(value: &str) -> Result<u64, HeaderRefusal> {
    value.parse::<u64>().map_err(|_| HeaderRefusal::saying(ErrorCode::BadRequest, VERSION_NOT_A_NUMBER))
}

/// The declared version is at most the current keyring's (`current`, 0 when the relay
/// has none): versions only grow, so an app's honest value, or an outbox retry's,
/// never exceeds it.
pub fn check_keyring_version(declared: u64, current: u64) -> Result<u64, HeaderRefusal> {
    if declared > current {
        return Err(HeaderRefusal::saying(ErrorCode::BadRequest, VERSION_TOO_HIGH));
    }
    Ok(declared)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::CaseId;

    fn target() -> Target {
        Target { id: EntryId::of(b"new"), case: "0123456789abcdef0123456789abcdef".parse::<CaseId>().unwrap() }
    }

    #[test]
    fn each_header_may_come_once_and_twice_is_refused_naming_the_rule() {
        let h = UploadHeaders { case: &["c"], supersedes: &["s"], keyring_version: &["1"] };
        assert_eq!(once(&h), Ok(Once { case: Some("c"), supersedes: Some("s"), keyring_version: Some("1") }));
        assert_eq!(once(&UploadHeaders::default()), Ok(Once::default()));
        let twice = |code| Err(HeaderRefusal { code, message: Some(ONCE) });
        assert_eq!(once(&UploadHeaders { case: &["a", "a"], ..h }), twice(ErrorCode::BadCaseId));
        assert_eq!(once(&UploadHeaders { supersedes: &["a", "b"], ..h }), twice(ErrorCode::BadRequest));
        assert_eq!(once(&UploadHeaders { keyring_version: &["1", "1"], ..h }), twice(ErrorCode::BadRequest));
        for name in [crate::api::CASE_HEADER, crate::api::SUPERSEDES_HEADER, crate::api::KEYRING_VERSION_HEADER] {
            assert!(ONCE.to_ascii_lowercase().contains(name), "{name}");
        }
        // In order: the case header is reported first.
        let all_twice = UploadHeaders { case: &["a", "b"], supersedes: &["a", "b"], keyring_version: &["1", "2"] };
        assert_eq!(once(&all_twice), twice(ErrorCode::BadCaseId));
    }

    #[test]
    fn supersedes_is_an_entry_id_other_than_the_uploads_own() {
        let t = target();
        let old = EntryId::of(b"old");
        assert_eq!(supersedes(&old.to_string(), &t), Ok(old));
        for bad in ["", "xyz", "\u{fffd}", &old.to_string().to_uppercase(), &old.to_string()[1..]] {
            let err = supersedes(bad, &t).unwrap_err();
            assert_eq!(err.code, ErrorCode::BadEntryId, "{bad:?}");
            assert!(err.message().contains("Amanat-Supersedes"), "names the header, not the body: {bad:?}");
        }
        assert_eq!(supersedes(&t.id.to_string(), &t), Err(ErrorCode::BadRequest.into()), "not itself");
        assert_eq!(check_supersedable(true), Ok(()));
        assert_eq!(check_supersedable(false).unwrap_err().message(), ErrorCode::BadRequest.message());
    }

    #[test]
    fn the_keyring_version_is_a_number_no_higher_than_the_current_one() {
        assert_eq!(keyring_version("3"), Ok(3));
        for bad in ["", "-1", "1.0", "x", "\u{fffd}", "99999999999999999999999"] {
            let err = keyring_version(bad).unwrap_err();
            assert_eq!((err.code, err.message), (ErrorCode::BadRequest, Some(VERSION_NOT_A_NUMBER)), "{bad:?}");
        }
        assert_eq!(check_keyring_version(3, 3), Ok(3));
        assert_eq!(check_keyring_version(0, 3), Ok(0));
        let err = check_keyring_version(99_999_999, 1).unwrap_err();
        assert_eq!((err.code, err.message), (ErrorCode::BadRequest, Some(VERSION_TOO_HIGH)));
        assert!(check_keyring_version(1, 0).is_err(), "a relay with no keyring has no version to seal to");
    }
}
