//! Error codes people see, on the page and in the relay's JSON errors.
//!
//! Every error has a stable machine code (`bad_case_id`) that scripts and the
//! translation catalogs key on, and an English sentence that says what happened and
//! what to do next. The relay answers `{ "error": code, "message": sentence }`; the app
//! shows the sentence for the code.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! codes {
    ($( $variant:ident = $code:literal : $message:literal ),* $(,)?) => {
        /// A failure someone can act on.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode { $( $variant ),* }

        impl ErrorCode {
            /// Every code, for catalogs and tests.
            pub const ALL: &'static [ErrorCode] = &[ $( ErrorCode::$variant ),* ];

            /// The stable machine code.
            pub fn code(self) -> &'static str {
                match self { $( ErrorCode::$variant => $code ),* }
            }

            /// The English sentence: what happened and what to do next.
            pub fn message(self) -> &'static str {
                match self { $( ErrorCode::$variant => $message ),* }
            }

            /// The code for a machine code string, if it is one of ours.
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $( $code => Some(ErrorCode::$variant), )* _ => None }
            }
        }
    };
}

codes! {
    BadCaseId = "bad_case_id": "The case id must be 32 lowercase hexadecimal digits.",
    BadEntryId = "bad_entry_id": "The entry id must be 64 lowercase hexadecimal digits (the SHA-256 of the body).",
    IdMismatch = "id_mismatch": "The entry id is not the SHA-256 of the uploaded bytes; the upload was damaged or the id is wrong.",
    NotAge = "not_age": "This is not an age v1 encrypted file. Only sealed records are accepted; nothing was stored.",
    HeaderTooLarge = "header_too_large": "The age header is too large or has too many recipients.",
    ScryptInRecord = "scrypt_in_record": "Records must be sealed to key holders, not to a passphrase.",
    TooFewRecipients = "too_few_recipients": "The entry is sealed to fewer key holders than the current keyring holds. Reload the keyring and save again.",
    TooLarge = "too_large": "The upload is larger than the relay accepts.",
    Unauthorized = "unauthorized": "Sign in first: the request had no valid session or token.",
    Forbidden = "forbidden": "Your role does not allow this.",
    NotFound = "not_found": "No such entry.",
    RateLimited = "rate_limited": "Too many requests; wait a moment and try again.",
    BadRequest = "bad_request": "The request is malformed.",
    Internal = "internal": "The relay failed to complete the request; nothing was changed. Try again.",
    KeyringMalformed = "keyring_malformed": "The keyring is malformed. Nothing was sealed; ask an administrator to publish a signed keyring.",
    KeyringBadSignature = "keyring_bad_signature": "The keyring's signature does not verify against the organisation key. Nothing was sealed to it; report this to your privacy officer.",
    KeyringWrongSigner = "keyring_wrong_signer": "The keyring is signed by a different organisation key than this device trusts. Nothing was sealed to it; report this to your privacy officer.",
    KeyringEmpty = "keyring_empty": "The keyring holds no adviser and no recovery recipient, so nobody could open the record. Nothing was sealed.",
    KeyringExpired = "keyring_expired": "The keyring has expired (or carries no expiry date), so it may name people who no longer hold keys. Nothing was sealed; what you typed is kept. Ask your administrator to renew the keyring (amanat keyring renew).",
    KeyringNotYetValid = "keyring_not_yet_valid": "The keyring is dated in the future. Check this device's date and time; nothing was sealed and what you typed is kept.",
    KeyringRollback = "keyring_rollback": "The relay served an older keyring than this device has already seen, which could bring back a removed key holder. Nothing was sealed; what you typed is kept. Report this to your privacy officer.",
    AuthorKeyMalformed = "author_key_malformed": "This is not an Amanat author key (amanat-author-v1:…). Nothing was changed; check that the whole key was copied.",
    RosterInvalid = "roster_invalid": "The list of approved authors is damaged or not signed by this organisation's key. Entries are shown as from authors not yet approved, and none of them counts; report this to your privacy officer.",
    RosterMissing = "roster_missing": "No list of approved authors has been published yet, so no entry's author can be verified. Ask your administrator to approve authors (amanat roster approve).",
    AuthorKeyExists = "author_key_exists": "This account already has an author key; nothing was changed. A new one comes only with a new enrolment link from your administrator.",
    ReleaseBadSignature = "release_bad_signature": "The app's signed file list (release.sig) is missing, damaged or does not match the list of files served. The app in use may not be the organisation's release: stop entering records and report this to your privacy officer.",
    ReleaseWrongSigner = "release_wrong_signer": "The app's file list is signed by a different key than the organisation key built into this app. The app in use may not be the organisation's release: stop entering records and report this to your privacy officer.",
    KeyringNoRecovery = "keyring_no_recovery": "The keyring has no offline recovery recipient, so a lost key would lose records. Nothing was sealed; ask an administrator to add one.",
    BadRecipient = "bad_recipient": "A recipient is not a valid age X25519 public key (age1…).",
    BadIdentityFile = "bad_identity_file": "This file holds no age identity (AGE-SECRET-KEY-1…). Choose the identity file you were given.",
    IdentityPassphraseWrong = "identity_passphrase_wrong": "This passphrase does not open the identity file. Check the keyboard language and Caps Lock, then type it again.",
    IdentityTooCostly = "identity_too_costly": "This identity file's passphrase protection asks for more work than the browser can do (scrypt work factor over 20; age -p writes 18). Make it again with age -p.",
    WrongKey = "wrong_key": "This key does not open the entry: it was not sealed to you.",
    Corrupted = "corrupted": "The entry is damaged or was tampered with: its integrity check failed. It was kept as it is.",
    RecordUnreadable = "record_unreadable": "The entry opened, but its content is not a record this version understands.",
    Invalid = "invalid": "Some fields need attention before the record can be saved.",
    WrongPassphrase = "wrong_passphrase": "The name or passphrase is not right. Check the keyboard language and Caps Lock, then try again.",
    SignInDelayed = "sign_in_delayed": "Too many wrong passphrases for this account from this address: wait before trying again (the wait grows with each wrong try). Anything saved on this device is safe, and a device that has opened this account before still unlocks offline.",
    AccountDisabled = "account_disabled": "This account has been disabled by your administrator: the relay accepts nothing from it. Records already saved on this device stay sealed; ask your administrator.",
    QuotaExceeded = "quota_exceeded": "This account has used all the space on the relay that the organisation allows it. Nothing is lost: the record stays sealed on this device and is sent once your administrator raises the quota.",
    UploadRateLimited = "upload_rate_limited": "This account has sent more records in a short time than the relay allows. Nothing is lost: they stay sealed on this device and are sent automatically in a little while.",
    StorageFull = "storage_full": "The relay is running out of disk space and is not accepting records for now. Nothing is lost: they stay sealed on this device and are sent later; tell your administrator.",
    PassphraseWeak = "passphrase_weak": "Choose a longer passphrase: at least 12 characters, best several unrelated words, not your account name.",
    PassphraseTooLong = "passphrase_too_long": "The passphrase is too long (at most 1024 bytes).",
    PassphraseMismatch = "passphrase_mismatch": "The two passphrases differ. Type the new passphrase twice, the same both times.",
    EnrolmentInvalid = "enrolment_invalid": "This enrolment link is not valid: it was already used, has expired or was mistyped. Ask your administrator for a new one.",
    NotEnrolled = "not_enrolled": "This account has not chosen a passphrase yet. Open the enrolment link your administrator gave you.",
    VaultLocked = "vault_locked": "The session is locked. Sign in again with your passphrase.",
    NotJson = "not_json": "The request body must be JSON (Content-Type: application/json). Nothing was changed.",
    EntryConflict = "entry_conflict": "An entry with these exact bytes is already stored under another author or case. Nothing was stored; save the record again to seal a new copy.",
    AppPartUnavailable = "app_part_unavailable": "A part of the app could not be loaded: this device has not opened it while online yet. Connect once, then try again; nothing was lost.",
    DuplicateIds = "duplicate_ids": "The request names the same entry more than once. Ask for each entry once; nothing was sent.",
    ReadTooLarge = "read_too_large": "The entries asked for add up to more than one bulk read sends (64 MiB). Ask for fewer at a time; nothing was sent.",
    NoSuchRoute = "no_such_route": "No such route: the relay has no API at this address. Check the path and the relay's version.",
    RequestHeadTooLarge = "request_head_too_large": "The request's headers are too large or too many (at most 16 KiB and 64 fields unless configured otherwise). Nothing was changed; send fewer or shorter headers.",
    SettingsMalformed = "settings_malformed": "The organisation's settings are damaged or not settings at all. Consent cannot be recorded until they are; ask the administrator to install the organisation's signed settings (amanat settings install).",
    SettingsBadSignature = "settings_bad_signature": "The organisation's settings were changed after they were signed. Consent cannot be recorded with them; what you typed is kept. Report this to your privacy officer.",
    SettingsWrongSigner = "settings_wrong_signer": "The organisation's settings are signed by a different key than this device trusts. Consent cannot be recorded with them; what you typed is kept. Report this to your privacy officer.",
    SettingsRollback = "settings_rollback": "The relay served older organisation settings than this device has already seen. Consent cannot be recorded with them; what you typed is kept. Report this to your privacy officer.",
    SettingsMissing = "settings_missing": "The organisation's settings (its legal details for the consent form) are not installed yet. Consent cannot be recorded until they are; ask the administrator to install the organisation's settings.",
    SettingsInvalid = "settings_invalid": "The organisation's settings are signed but break a rule (a missing operator name, a wrong tax number, or a retention period or assent age out of range). Consent cannot be recorded with them; ask the administrator to correct and sign them again.",
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for ErrorCode {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_through_its_string_and_serde() {
        for &c in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_code(c.code()), Some(c));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.code()));
            assert!(c.message().ends_with('.'), "{} must be a sentence", c.code());
        }
    }
}
