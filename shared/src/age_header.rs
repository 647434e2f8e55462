//! Recognising an age v1 file without opening it: hostile-input parsing for the relay
//! and for anything read back from storage.
//!
//! This reads the header's text lines (version line, recipient stanzas, MAC line) with
//! hard caps on size and stanza count, counts the stanzas by type, and checks that a
//! payload follows. It proves *shape*, not authenticity: only a key holder's identity
//! can check the MAC. It is not an age implementation; the `age` crate does the
//! cryptography in [`crate::seal`].

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;

use crate::error::ErrorCode;

/// Most bytes a header may take. A header is ~100 bytes a recipient.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Most stanzas a header may hold (a header of thousands costs seconds to process).
pub const MAX_STANZAS: usize = 64;

const VERSION_LINE: &[u8] = b"age-encryption.org/v1";
/// Nonce (16 bytes) + the smallest possible chunk (a 16-byte tag).
const MIN_PAYLOAD: usize = 32;

/// What the header says about who can open the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct HeaderSummary {
    /// X25519 recipient stanzas: one per key holder it is sealed to.
    pub x25519: usize,
    /// Passphrase (scrypt) stanzas.
    pub scrypt: usize,
    /// Any other stanza type (plugins, grease).
    pub other: usize,
    /// Header length in bytes, MAC line included.
    pub header_len: usize,
}

fn line_at(bytes: &[u8], start: usize) -> Result<(&[u8], usize), ErrorCode> {
    let rest = bytes.get(start..).ok_or(ErrorCode::NotAge)?;
    let window = &rest[..rest.len().min(MAX_HEADER_BYTES.saturating_sub(start) + 1)];
    match window.iter().position(|&b| b == b'\n') {
        Some(n) => Ok((&rest[..n], start + n + 1)),
        None if start + window.len() > MAX_HEADER_BYTES => Err(ErrorCode::HeaderTooLarge),
        None => Err(ErrorCode::NotAge),
    }
}

fn is_arg(arg: &[u8]) -> bool {
    !arg.is_empty() && arg.iter().all(|&b| (33..=126).contains(&b))
}

fn decode_b64(s: &[u8]) -> Option<Vec<u8>> {
    STANDARD_NO_PAD.decode(s).ok()
}

/// Checks that `bytes` is a complete age v1 file and summarises its header.
pub fn inspect(bytes: &[u8]) -> Result<HeaderSummary, ErrorCode> {
    let (first, mut pos) = line_at(bytes, 0)?;
    if first != VERSION_LINE {
        return Err(ErrorCode::NotAge);
    }
    let mut summary = HeaderSummary::default();
    loop {
        if pos > MAX_HEADER_BYTES {
            return Err(ErrorCode::HeaderTooLarge);
        }
        let (line, next) = line_at(bytes, pos)?;
        if let Some(mac) = line.strip_prefix(b"--- ") {
            if mac.len() != 43 || decode_b64(mac).is_none() {
                return Err(ErrorCode::NotAge);
            }
            summary.header_len = next;
            break;
        }
        let stanza = line.strip_prefix(b"-> ").ok_or(ErrorCode::NotAge)?;
        let args: Vec<&[u8]> = stanza.split(|&b| b == b' ').collect();
        if !args.iter().all(|a| is_arg(a)) {
            return Err(ErrorCode::NotAge);
        }
        if summary.x25519 + summary.scrypt + summary.other >= MAX_STANZAS {
            return Err(ErrorCode::HeaderTooLarge);
        }
        // The body: full 64-column lines, then one shorter (possibly empty) final line.
        pos = next;
        let mut body_len = 0usize;
        loop {
            let (body_line, after) = line_at(bytes, pos)?;
            if body_line.len() > 64 || decode_b64(body_line).is_none() {
                return Err(ErrorCode::NotAge);
            }
            body_len += body_line.len();
            pos = after;
            if body_line.len() < 64 {
                break;
            }
            if pos > MAX_HEADER_BYTES {
                return Err(ErrorCode::HeaderTooLarge);
            }
        }
        match args[0] {
            b"X25519" => {
                // One 32-byte ephemeral share; a 32-byte wrapped file key (43 chars).
                let share_ok = args.len() == 2 && args[1].len() == 43 && decode_b64(args[1]).is_some();
                if !share_ok || body_len != 43 {
                    return Err(ErrorCode::NotAge);
                }
                summary.x25519 += 1;
            }
            b"scrypt" => summary.scrypt += 1,
            _ => summary.other += 1,
        }
    }
    if bytes.len() < summary.header_len + MIN_PAYLOAD {
        return Err(ErrorCode::NotAge);
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sealed_to(n: usize) -> Vec<u8> {
        let ids: Vec<_> = (0..n).map(|_| age::x25519::Identity::generate()).collect();
        let recipients: Vec<_> = ids.iter().map(|i| i.to_public()).collect();
        crate::seal::seal_bytes(b"hello", recipients.iter()).unwrap().into_bytes()
    }

    #[test]
    fn a_real_age_file_is_recognised_with_its_recipient_count() {
        let s = inspect(&sealed_to(3)).unwrap();
        // age adds one random "grease" stanza to keep parsers honest.
        assert_eq!((s.x25519, s.scrypt), (3, 0));
        assert!(s.other <= 1);
    }

    #[test]
    fn plaintext_json_and_empty_bodies_are_not_age() {
        assert_eq!(inspect(b"{\"family_name\":\"Karimova\"}"), Err(ErrorCode::NotAge));
        assert_eq!(inspect(b""), Err(ErrorCode::NotAge));
        assert_eq!(inspect(b"age-encryption.org/v1\n"), Err(ErrorCode::NotAge));
    }

    #[test]
    fn a_header_without_payload_is_refused() {
        let file = sealed_to(1);
        let s = inspect(&file).unwrap();
        assert_eq!(inspect(&file[..s.header_len + 10]), Err(ErrorCode::NotAge));
    }

    #[test]
    fn thousands_of_stanzas_are_refused_quickly() {
        let mut h = b"age-encryption.org/v1\n".to_vec();
        for _ in 0..5000 {
            h.extend_from_slice(b"-> grease\n\n");
        }
        h.extend_from_slice(b"--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n");
        h.extend_from_slice(&[0u8; 64]);
        assert_eq!(inspect(&h), Err(ErrorCode::HeaderTooLarge));
    }

    #[test]
    fn a_passphrase_file_is_recognised_as_scrypt() {
        let enc = age::Encryptor::with_user_passphrase(age::secrecy::SecretString::from("pw".to_owned()));
        let mut out = vec![];
        let mut w = enc.wrap_output(&mut out).unwrap();
        std::io::Write::write_all(&mut w, b"x").unwrap();
        w.finish().unwrap();
        let s = inspect(&out).unwrap();
        assert_eq!((s.x25519, s.scrypt), (0, 1));
    }

    proptest! {
        #[test]
        fn any_bytes_are_refused_or_summarised_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
            let _ = inspect(&bytes);
        }

        #[test]
        fn any_single_byte_flip_in_the_header_never_panics(pos in 0usize..300, bit in 0u8..8) {
            let mut file = sealed_to(2);
            let pos = pos % file.len();
            file[pos] ^= 1 << bit;
            let _ = inspect(&file);
        }
    }
}
