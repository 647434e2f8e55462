//! Sealing and opening with age: the only module that encrypts or decrypts.
//!
//! Records are age v1 files to X25519 recipients, so any stock `age` or `rage` CLI opens
//! them with a recipient's identity file. Big payloads (attachments) go through
//! [`seal_stream`] / [`open_stream`] in constant memory. What is *not* here: passphrase
//! sealing of records (records go to key holders, never to a passphrase), and any
//! format of our own.

use std::io::{self, BufRead, Read, Write};
use std::str::FromStr;

use age::x25519;

use crate::age_header::{self, HeaderSummary};
use crate::error::ErrorCode;
use crate::ids::EntryId;

pub use age::x25519::{Identity, Recipient};

/// Bytes known to be an age v1 file sealed to enough X25519 recipients.
///
/// It can only be made by sealing, or by [`Ciphertext::check`] on bytes from outside.
#[derive(Clone, PartialEq, Eq)]
pub struct Ciphertext(Vec<u8>);

impl Ciphertext {
    /// Accepts outside bytes only if they are an age v1 file with no passphrase stanza
    /// and at least `min_x25519` X25519 recipients.
    pub fn check(bytes: Vec<u8>, min_x25519: usize) -> Result<(Self, HeaderSummary), ErrorCode> {
        let summary = age_header::inspect(&bytes)?;
        if summary.scrypt > 0 {
            return Err(ErrorCode::ScryptInRecord);
        }
        if summary.x25519 < min_x25519.max(1) {
            return Err(ErrorCode::TooFewRecipients);
        }
        Ok((Self(bytes), summary))
    }

    /// The entry id: SHA-256 of these bytes.
    pub fn id(&self) -> EntryId {
        EntryId::of(&self.0)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Ciphertext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Ciphertext({} bytes)", self.0.len())
    }
}

/// Parses an `age1…` public key.
pub fn parse_recipient(s: &str) -> Result<Recipient, ErrorCode> {
    Recipient::from_str(s.trim()).map_err(|_| ErrorCode::BadRecipient)
}

/// Longest identity file read, in bytes.
pub const MAX_IDENTITY_FILE: usize = 64 * 1024;

/// Parses an age identity file (as `age-keygen` writes it: comments and
/// `AGE-SECRET-KEY-1…` lines). Refuses a file that holds no identity.
pub fn parse_identity_file(text: &str) -> Result<Vec<Identity>, ErrorCode> {
    if text.len() > MAX_IDENTITY_FILE {
        return Err(ErrorCode::BadIdentityFile);
    }
    let mut identities = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        identities.push(Identity::from_str(line).map_err(|_| ErrorCode::BadIdentityFile)?);
    }
    if identities.is_empty() {
        return Err(ErrorCode::BadIdentityFile);
    }
    Ok(identities)
}

fn encryptor<'a>(recipients: impl Iterator<Item = &'a Recipient>) -> Result<age::Encryptor, ErrorCode> {
    age::Encryptor::with_recipients(recipients.map(|r| r as &dyn age::Recipient))
        .map_err(|_| ErrorCode::KeyringEmpty)
}

/// Seals `plaintext` to every recipient.
pub fn seal_bytes<'a>(
    plaintext: &[u8],
    recipients: impl Iterator<Item = &'a Recipient>,
) -> Result<Ciphertext, ErrorCode> {
    let mut out = Vec::with_capacity(plaintext.len() + 512);
    seal_stream(plaintext, &mut out, recipients).map_err(|e| match e {
        SealError::Code(c) => c,
        SealError::Io(_) => ErrorCode::Internal,
    })?;
    Ok(Ciphertext(out))
}

/// Why a streamed seal or open stopped.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("{0}")]
    Code(ErrorCode),
    #[error("i/o: {0}")]
    Io(#[from] io::Error),
}

/// Seals everything `input` yields into `output`, in constant memory (64 KiB chunks).
pub fn seal_stream<'a>(
    mut input: impl Read,
    output: impl Write,
    recipients: impl Iterator<Item = &'a Recipient>,
) -> Result<u64, SealError> {
    let enc = encryptor(recipients).map_err(SealError::Code)?;
    let mut writer = enc.wrap_output(output)?;
    let n = io::copy(&mut input, &mut writer)?;
    writer.finish()?;
    Ok(n)
}

/// Seals a stream whose plaintext arrives in pieces the caller pushes (the browser reads
/// a `File` asynchronously, a slice at a time, so [`seal_stream`]'s `Read` cannot be
/// used there). Each [`push`](StreamSealer::push) returns the ciphertext made so far,
/// so the caller stores it and memory stays constant; the entry id (SHA-256 of the
/// whole ciphertext) and its size are computed on the way and given by
/// [`finish`](StreamSealer::finish). The output is the same age v1 file
/// [`seal_stream`] makes.
pub struct StreamSealer {
    writer: age::stream::StreamWriter<HashingSink>,
    /// The sink's buffer, shared because age's writer does not lend its output back.
    out: std::rc::Rc<std::cell::RefCell<Vec<u8>>>,
}

/// Collects ciphertext until it is taken, hashing and counting every byte.
struct HashingSink {
    out: std::rc::Rc<std::cell::RefCell<Vec<u8>>>,
    hasher: sha2::Sha256,
    len: u64,
}

impl Write for HashingSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        use sha2::Digest;
        self.hasher.update(buf);
        self.len += buf.len() as u64;
        self.out.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The end of a pushed stream: the last ciphertext bytes, and the whole file's id and size.
#[derive(Debug)]
pub struct SealedStream {
    pub tail: Vec<u8>,
    pub id: EntryId,
    pub size: u64,
}

impl StreamSealer {
    /// Starts an age file to every recipient (the header is returned by the first push).
    pub fn new<'a>(recipients: impl Iterator<Item = &'a Recipient>) -> Result<Self, ErrorCode> {
        use sha2::Digest;
        let out = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let sink = HashingSink { out: out.clone(), hasher: sha2::Sha256::new(), len: 0 };
        let writer = encryptor(recipients)?.wrap_output(sink).map_err(|_| ErrorCode::Internal)?;
        Ok(Self { writer, out })
    }

    /// Seals `plaintext` and returns the ciphertext ready so far (age writes whole
    /// 64 KiB chunks, so up to one chunk stays inside until the next push or the end).
    pub fn push(&mut self, plaintext: &[u8]) -> Result<Vec<u8>, ErrorCode> {
        self.writer.write_all(plaintext).map_err(|_| ErrorCode::Internal)?;
        Ok(std::mem::take(&mut *self.out.borrow_mut()))
    }

    /// Ends the file: the last chunk, and the id and size of everything returned.
    pub fn finish(self) -> Result<SealedStream, ErrorCode> {
        use sha2::Digest;
        let sink = self.writer.finish().map_err(|_| ErrorCode::Internal)?;
        let tail = std::mem::take(&mut *sink.out.borrow_mut());
        Ok(SealedStream { tail, id: EntryId::from_digest(sink.hasher.finalize().into()), size: sink.len })
    }
}

fn decrypt_error(e: age::DecryptError) -> ErrorCode {
    match e {
        age::DecryptError::NoMatchingKeys => ErrorCode::WrongKey,
        age::DecryptError::UnknownFormat => ErrorCode::NotAge,
        _ => ErrorCode::Corrupted,
    }
}

fn io_error(e: io::Error) -> ErrorCode {
    // age reports a failed chunk authentication as InvalidData.
    match e.kind() {
        io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => ErrorCode::Corrupted,
        _ => ErrorCode::Internal,
    }
}

/// Opens a sealed entry with any of `identities`.
pub fn open_bytes(ciphertext: &[u8], identities: &[Identity]) -> Result<Vec<u8>, ErrorCode> {
    age_header::inspect(ciphertext).map_err(|e| match e {
        ErrorCode::HeaderTooLarge => e,
        _ => ErrorCode::Corrupted,
    })?;
    let mut out = Vec::with_capacity(ciphertext.len());
    open_stream(ciphertext, &mut out, identities)?;
    Ok(out)
}

/// Opens a sealed stream into `output`, in constant memory. Refuses passphrase files.
pub fn open_stream(
    input: impl BufRead,
    mut output: impl Write,
    identities: &[Identity],
) -> Result<u64, ErrorCode> {
    let dec = age::Decryptor::new_buffered(input).map_err(decrypt_error)?;
    if dec.is_scrypt() {
        return Err(ErrorCode::ScryptInRecord);
    }
    let mut reader = dec
        .decrypt(identities.iter().map(|i| i as &dyn age::Identity))
        .map_err(decrypt_error)?;
    io::copy(&mut reader, &mut output).map_err(io_error)
}

/// A fresh random identity (for tests, the demo organisation and caseworkers).
pub fn generate_identity() -> Identity {
    x25519::Identity::generate()
}

/// The identity as an age identity file, as `age-keygen` would write it.
pub fn identity_file(identity: &Identity, comment: &str) -> String {
    use age::secrecy::ExposeSecret;
    format!(
        "# {comment}\n# public key: {}\n{}\n",
        identity.to_public(),
        identity.to_string().expose_secret()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> (Identity, Recipient) {
        let i = generate_identity();
        let r = i.to_public();
        (i, r)
    }

    #[test]
    fn a_record_sealed_to_two_holders_opens_with_either_key() {
        let (a, ra) = pair();
        let (b, rb) = pair();
        let ct = seal_bytes(b"family record", [ra, rb].iter()).unwrap();
        assert_eq!(open_bytes(ct.as_bytes(), &[a]).unwrap(), b"family record");
        assert_eq!(open_bytes(ct.as_bytes(), &[b]).unwrap(), b"family record");
        assert!(!ct.as_bytes().windows(6).any(|w| w == b"family"));
    }

    #[test]
    fn a_key_it_was_not_sealed_to_is_told_so() {
        let (_, r) = pair();
        let (other, _) = pair();
        let ct = seal_bytes(b"x", [r].iter()).unwrap();
        assert_eq!(open_bytes(ct.as_bytes(), &[other]), Err(ErrorCode::WrongKey));
    }

    #[test]
    fn a_flipped_payload_byte_is_reported_as_corrupted() {
        let (i, r) = pair();
        let mut ct = seal_bytes(b"some record bytes", [r].iter()).unwrap().into_bytes();
        let last = ct.len() - 5;
        ct[last] ^= 0x01;
        assert_eq!(open_bytes(&ct, &[i]), Err(ErrorCode::Corrupted));
    }

    #[test]
    fn a_flipped_header_byte_is_reported_as_corrupted_not_wrong_key() {
        let (i, r) = pair();
        let mut ct = seal_bytes(b"some record bytes", [r].iter()).unwrap().into_bytes();
        let s = age_header::inspect(&ct).unwrap();
        ct[s.header_len - 3] ^= 0x01; // inside the MAC
        assert_eq!(open_bytes(&ct, &[i]), Err(ErrorCode::Corrupted));
    }

    #[test]
    fn check_refuses_plaintext_and_too_few_recipients() {
        let (_, r) = pair();
        let ct = seal_bytes(b"x", [r].iter()).unwrap();
        assert!(Ciphertext::check(ct.as_bytes().to_vec(), 1).is_ok());
        assert_eq!(Ciphertext::check(ct.into_bytes(), 2).unwrap_err(), ErrorCode::TooFewRecipients);
        assert_eq!(Ciphertext::check(b"{}".to_vec(), 1).unwrap_err(), ErrorCode::NotAge);
    }

    #[test]
    fn identity_files_as_age_keygen_writes_them_parse() {
        let (i, r) = pair();
        let text = identity_file(&i, "created: today");
        let parsed = parse_identity_file(&text).unwrap();
        assert_eq!(parsed[0].to_public().to_string(), r.to_string());
        assert_eq!(parse_identity_file("# only a comment\n").err(), Some(ErrorCode::BadIdentityFile));
        assert_eq!(parse_identity_file(&r.to_string()).err(), Some(ErrorCode::BadIdentityFile));
    }

    #[test]
    fn a_pushed_stream_is_an_age_file_whose_id_is_its_hash() {
        let (i, r) = pair();
        let data: Vec<u8> = (0..200_000u32).map(|n| (n % 253) as u8).collect();
        let mut sealer = StreamSealer::new([r].iter()).unwrap();
        let mut ct = Vec::new();
        for piece in data.chunks(70_001) {
            let out = sealer.push(piece).unwrap();
            assert!(out.len() < 2 * 64 * 1024 + 1024, "output is handed back as it is made");
            ct.extend_from_slice(&out);
        }
        let end = sealer.finish().unwrap();
        ct.extend_from_slice(&end.tail);
        assert_eq!(end.size, ct.len() as u64);
        assert_eq!(end.id, EntryId::of(&ct));
        assert!(Ciphertext::check(ct.clone(), 1).is_ok());
        let mut back = Vec::new();
        open_stream(&ct[..], &mut back, &[i]).unwrap();
        assert_eq!(back, data);
    }

    #[test]
    fn a_stream_round_trips_in_chunks() {
        let (i, r) = pair();
        let data: Vec<u8> = (0..300_000u32).map(|n| (n % 251) as u8).collect();
        let mut ct = Vec::new();
        seal_stream(&data[..], &mut ct, [r].iter()).unwrap();
        let mut back = Vec::new();
        open_stream(&ct[..], &mut back, &[i]).unwrap();
        assert_eq!(back, data);
    }
}
