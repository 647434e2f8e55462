//! A small secret sealed to a passphrase: an armored age file with one scrypt stanza,
//! as `age -p -a` writes it (so the stock `age` CLI opens it too). The CLI keeps the
//! organisation signing key this way when the administrator chooses a passphrase.
//!
//! Opening caps the scrypt work factor at [`MAX_IDENTITY_WORK_FACTOR`], read from the
//! header before any work, as for protected identity files: a hostile file cannot make
//! the CLI spend gigabytes of memory.

use std::io::{Read, Write};

use age::secrecy::SecretString;
use zeroize::Zeroizing;

use super::{scrypt_work_factor, ARMOR_BEGIN, MAX_IDENTITY_FILE, MAX_IDENTITY_WORK_FACTOR};
use crate::age_header;
use crate::error::ErrorCode;

/// The scrypt work factor (log2 N) of files sealed here: what `age -p` uses on a
/// typical computer (256 MiB, about a second), within [`MAX_IDENTITY_WORK_FACTOR`].
pub const PASSPHRASE_WORK_FACTOR: u8 = 18;

/// Seals `plaintext` (at most [`MAX_IDENTITY_FILE`] bytes) to `passphrase`, armored.
/// An empty passphrase is refused: protecting with nothing protects nothing.
pub fn seal_to_passphrase(plaintext: &[u8], passphrase: &str) -> Result<String, ErrorCode> {
    if passphrase.is_empty() || plaintext.len() > MAX_IDENTITY_FILE {
        return Err(ErrorCode::Internal);
    }
    let mut r = age::scrypt::Recipient::new(SecretString::from(passphrase.to_owned()));
    r.set_work_factor(PASSPHRASE_WORK_FACTOR);
    let enc =
        age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient)).map_err(|_| ErrorCode::Internal)?;
    let mut out = Vec::new();
    let armor = age::armor::ArmoredWriter::wrap_output(&mut out, age::armor::Format::AsciiArmor)
        .map_err(|_| ErrorCode::Internal)?;
    let mut w = enc.wrap_output(armor).map_err(|_| ErrorCode::Internal)?;
    w.write_all(plaintext).map_err(|_| ErrorCode::Internal)?;
    w.finish().and_then(|a| a.finish()).map_err(|_| ErrorCode::Internal)?;
    String::from_utf8(out).map_err(|_| ErrorCode::Internal)
}

/// Opens what [`seal_to_passphrase`] (or `age -p -a`) made. Text before the armor
/// (comment lines) is skipped. A wrong passphrase is
/// [`ErrorCode::IdentityPassphraseWrong`]; a work factor over the cap is
/// [`ErrorCode::IdentityTooCostly`], refused before scrypt runs; anything else that is
/// not such a file is [`ErrorCode::BadIdentityFile`]. The plaintext is wiped when dropped.
pub fn open_with_passphrase(text: &str, passphrase: &str) -> Result<Zeroizing<Vec<u8>>, ErrorCode> {
    if text.len() > MAX_IDENTITY_FILE {
        return Err(ErrorCode::BadIdentityFile);
    }
    let start = text.find(ARMOR_BEGIN).ok_or(ErrorCode::BadIdentityFile)?;
    let mut binary = Vec::new();
    age::armor::ArmoredReader::new(&text.as_bytes()[start..])
        .take(MAX_IDENTITY_FILE as u64)
        .read_to_end(&mut binary)
        .map_err(|_| ErrorCode::BadIdentityFile)?;
    let summary = age_header::inspect(&binary).map_err(|_| ErrorCode::BadIdentityFile)?;
    if summary.scrypt != 1 || summary.x25519 + summary.other > 0 {
        return Err(ErrorCode::BadIdentityFile);
    }
    let work_factor = scrypt_work_factor(&binary[..summary.header_len]).ok_or(ErrorCode::BadIdentityFile)?;
    if work_factor > MAX_IDENTITY_WORK_FACTOR {
        return Err(ErrorCode::IdentityTooCostly);
    }
    let mut identity = age::scrypt::Identity::new(SecretString::from(passphrase.to_owned()));
    identity.set_max_work_factor(MAX_IDENTITY_WORK_FACTOR);
    let dec = age::Decryptor::new_buffered(&binary[..]).map_err(|_| ErrorCode::BadIdentityFile)?;
    let mut reader = dec.decrypt(std::iter::once(&identity as &dyn age::Identity)).map_err(|e| match e {
        age::DecryptError::DecryptionFailed
        | age::DecryptError::KeyDecryptionFailed
        | age::DecryptError::NoMatchingKeys => ErrorCode::IdentityPassphraseWrong,
        age::DecryptError::ExcessiveWork { .. } => ErrorCode::IdentityTooCostly,
        _ => ErrorCode::BadIdentityFile,
    })?;
    let mut plain = Zeroizing::new(Vec::new());
    match reader.by_ref().take(MAX_IDENTITY_FILE as u64 + 1).read_to_end(&mut plain) {
        Ok(n) if n <= MAX_IDENTITY_FILE => Ok(plain),
        _ => Err(ErrorCode::BadIdentityFile),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_with_its_passphrase_only() {
        let sealed = seal_to_passphrase(b"AMANAT-ORG-SECRET-KEY-V1:abc\n", "correct horse").unwrap();
        assert!(sealed.starts_with(ARMOR_BEGIN));
        assert!(!sealed.contains("AMANAT-ORG-SECRET"), "the secret is not in the clear");
        let with_comment = format!("# a comment before the armor\n{sealed}");
        assert_eq!(
            &open_with_passphrase(&with_comment, "correct horse").unwrap()[..],
            b"AMANAT-ORG-SECRET-KEY-V1:abc\n"
        );
        assert_eq!(open_with_passphrase(&sealed, "correct horsE").err(), Some(ErrorCode::IdentityPassphraseWrong));
        assert_eq!(open_with_passphrase("no armor here", "x").err(), Some(ErrorCode::BadIdentityFile));
        assert_eq!(seal_to_passphrase(b"x", "").err(), Some(ErrorCode::Internal));
    }
}
