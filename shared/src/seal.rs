//! Sealing and opening with age: the only module that encrypts or decrypts.
//!
//! Records are age v1 files to X25519 recipients, so any stock `age` or `rage` CLI opens
//! them with a recipient's identity file. Big payloads (attachments) go through
//! [`seal_stream`] / [`open_stream`] in constant memory; an entry opened for reading
//! keeps only what is needed of its plaintext ([`open_sniffed`], in `seal/sniff.rs`).
//! Small secrets kept by a person (the organisation signing key) are sealed to a
//! passphrase in `seal/passphrase.rs`. What is *not* here: passphrase sealing of records
//! (records go to key holders, never to a passphrase), and any format of our own.

use std::io::{self, BufRead, Read, Write};
use std::str::FromStr;

use age::x25519;

use crate::age_header::{self, HeaderSummary};
use crate::error::ErrorCode;
use crate::ids::EntryId;

mod passphrase;
mod sniff;
pub use passphrase::{open_with_passphrase, seal_to_passphrase, PASSPHRASE_WORK_FACTOR};
pub use sniff::{open_sniffed, Sniffed, SNIFF_BYTES};

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

/// Highest scrypt work factor (log2 N) accepted in a passphrase-protected identity
/// file. `age -p` writes 18 (256 MiB of scrypt memory); the `age` CLI itself accepts up
/// to 22, but scrypt needs 128 · r · N bytes (r = 8): 4 GiB at 22, which the browser's
/// 32-bit wasm memory cannot hold at all, so the page would abort. 20 (1 GiB, a few
/// seconds) leaves room above what age writes, and a hostile file is refused at once.
pub const MAX_IDENTITY_WORK_FACTOR: u8 = 20;

const ARMOR_BEGIN: &str = "-----BEGIN AGE ENCRYPTED FILE-----";
const AGE_MAGIC: &[u8] = b"age-encryption.org/v1\n";

/// An identity file as the key holder chose it: ready to use, or sealed with a
/// passphrase (as `age -p` makes them) and waiting for it.
pub enum IdentityFile {
    Plain(Vec<Identity>),
    Protected(ProtectedIdentityFile),
}

/// A passphrase-protected identity file (armored or binary), checked to be an age file
/// with one scrypt stanza and a work factor within [`MAX_IDENTITY_WORK_FACTOR`].
pub struct ProtectedIdentityFile {
    /// The binary age file (armor removed).
    bytes: Vec<u8>,
    work_factor: u8,
}

impl std::fmt::Debug for ProtectedIdentityFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ProtectedIdentityFile({} bytes, work factor {})", self.bytes.len(), self.work_factor)
    }
}

/// Reads an identity file: plain text (`age-keygen`), or an age file sealed to a
/// passphrase (`age -p`, armored `-a` or binary). Only the shape is checked here; a
/// protected file is opened with [`ProtectedIdentityFile::unlock`].
pub fn read_identity_file(bytes: &[u8]) -> Result<IdentityFile, ErrorCode> {
    if bytes.len() > MAX_IDENTITY_FILE {
        return Err(ErrorCode::BadIdentityFile);
    }
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(bytes.len());
    let rest = &bytes[start..];
    let binary = if rest.starts_with(ARMOR_BEGIN.as_bytes()) {
        let mut out = Vec::new();
        age::armor::ArmoredReader::new(rest)
            .take(MAX_IDENTITY_FILE as u64)
            .read_to_end(&mut out)
            .map_err(|_| ErrorCode::BadIdentityFile)?;
        out
    } else if rest.starts_with(AGE_MAGIC) {
        rest.to_vec()
    } else {
        let text = std::str::from_utf8(bytes).map_err(|_| ErrorCode::BadIdentityFile)?;
        return parse_identity_file(text).map(IdentityFile::Plain);
    };
    let summary = age_header::inspect(&binary).map_err(|_| ErrorCode::BadIdentityFile)?;
    // An age file sealed to recipients (a record, say) is not an identity file.
    if summary.scrypt != 1 || summary.x25519 + summary.other > 0 {
        return Err(ErrorCode::BadIdentityFile);
    }
    let work_factor = scrypt_work_factor(&binary[..summary.header_len]).ok_or(ErrorCode::BadIdentityFile)?;
    if work_factor > MAX_IDENTITY_WORK_FACTOR {
        return Err(ErrorCode::IdentityTooCostly);
    }
    Ok(IdentityFile::Protected(ProtectedIdentityFile { bytes: binary, work_factor }))
}

/// The `log2 N` of the header's scrypt stanza (`-> scrypt <salt> <log2 N>`).
fn scrypt_work_factor(header: &[u8]) -> Option<u8> {
    let text = std::str::from_utf8(header).ok()?;
    let line = text.lines().find(|l| l.starts_with("-> scrypt "))?;
    let n = line.split(' ').nth(3)?;
    // Canonical decimal only, as age requires.
    if n.is_empty() || n.len() > 2 || n.starts_with('0') || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    n.parse().ok()
}

impl ProtectedIdentityFile {
    /// The scrypt work factor (log2 N) unlocking will spend: 18 for files `age -p` makes.
    pub fn work_factor(&self) -> u8 {
        self.work_factor
    }

    /// Opens the file with the passphrase (scrypt: about a second at work factor 18
    /// natively, a few in the browser) and reads the identities inside. A wrong
    /// passphrase is [`ErrorCode::IdentityPassphraseWrong`].
    pub fn unlock(&self, passphrase: &str) -> Result<Vec<Identity>, ErrorCode> {
        use age::secrecy::SecretString;
        use zeroize::Zeroize;
        let mut identity = age::scrypt::Identity::new(SecretString::from(passphrase.to_owned()));
        identity.set_max_work_factor(MAX_IDENTITY_WORK_FACTOR);
        let dec = age::Decryptor::new_buffered(&self.bytes[..]).map_err(|_| ErrorCode::BadIdentityFile)?;
        let mut reader = dec.decrypt(std::iter::once(&identity as &dyn age::Identity)).map_err(|e| match e {
            age::DecryptError::DecryptionFailed
            | age::DecryptError::KeyDecryptionFailed
            | age::DecryptError::NoMatchingKeys => ErrorCode::IdentityPassphraseWrong,
            age::DecryptError::ExcessiveWork { .. } => ErrorCode::IdentityTooCostly,
            _ => ErrorCode::BadIdentityFile,
        })?;
        let mut plain = Vec::new();
        let read = reader.by_ref().take(MAX_IDENTITY_FILE as u64 + 1).read_to_end(&mut plain);
        let parsed = match read {
            Ok(n) if n <= MAX_IDENTITY_FILE => {
                std::str::from_utf8(&plain).map_err(|_| ErrorCode::BadIdentityFile).and_then(parse_identity_file)
            }
            _ => Err(ErrorCode::BadIdentityFile),
        };
        // The secret key's text is wiped; only the parsed identities stay in memory.
        plain.zeroize();
        parsed
    }
}

fn encryptor<'a>(recipients: impl Iterator<Item = &'a Recipient>) -> Result<age::Encryptor, ErrorCode> {
    age::Encryptor::with_recipients(recipients.map(|r| r as &dyn age::Recipient)).map_err(|_| ErrorCode::KeyringEmpty)
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
    /// The plaintext's SHA-256, so a document can name the attachment by its content.
    plain: sha2::Sha256,
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
    /// The SHA-256 of everything pushed (the plaintext), for the document's reference.
    pub content: crate::ids::ContentHash,
}

impl StreamSealer {
    /// Starts an age file to every recipient (the header is returned by the first push).
    pub fn new<'a>(recipients: impl Iterator<Item = &'a Recipient>) -> Result<Self, ErrorCode> {
        use sha2::Digest;
        let out = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let sink = HashingSink { out: out.clone(), hasher: sha2::Sha256::new(), len: 0 };
        let writer = encryptor(recipients)?.wrap_output(sink).map_err(|_| ErrorCode::Internal)?;
        Ok(Self { writer, plain: sha2::Sha256::new(), out })
    }

    /// Seals `plaintext` and returns the ciphertext ready so far (age writes whole
    /// 64 KiB chunks, so up to one chunk stays inside until the next push or the end).
    pub fn push(&mut self, plaintext: &[u8]) -> Result<Vec<u8>, ErrorCode> {
        use sha2::Digest;
        self.writer.write_all(plaintext).map_err(|_| ErrorCode::Internal)?;
        self.plain.update(plaintext);
        Ok(std::mem::take(&mut *self.out.borrow_mut()))
    }

    /// Ends the file: the last chunk, and the id and size of everything returned.
    pub fn finish(self) -> Result<SealedStream, ErrorCode> {
        use sha2::Digest;
        let sink = self.writer.finish().map_err(|_| ErrorCode::Internal)?;
        let tail = std::mem::take(&mut *sink.out.borrow_mut());
        Ok(SealedStream {
            tail,
            id: EntryId::from_digest(sink.hasher.finalize().into()),
            size: sink.len,
            content: crate::ids::ContentHash::from_digest(self.plain.finalize().into()),
        })
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
pub fn open_stream(input: impl BufRead, mut output: impl Write, identities: &[Identity]) -> Result<u64, ErrorCode> {
    let dec = age::Decryptor::new_buffered(input).map_err(decrypt_error)?;
    if dec.is_scrypt() {
        return Err(ErrorCode::ScryptInRecord);
    }
    let mut reader = dec.decrypt(identities.iter().map(|i| i as &dyn age::Identity)).map_err(decrypt_error)?;
    io::copy(&mut reader, &mut output).map_err(io_error)
}

/// A fresh random identity (for tests, the demo organisation and caseworkers).
pub fn generate_identity() -> Identity {
    x25519::Identity::generate()
}

/// The identity as an age identity file, as `age-keygen` would write it.
pub fn identity_file(identity: &Identity, comment: &str) -> String {
    use age::secrecy::ExposeSecret;
    format!("# {comment}\n# public key: {}\n{}\n", identity.to_public(), identity.to_string().expose_secret())
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

    /// Runs the real `age` CLI on a pseudo-terminal (`script`), since `age -p` reads the
    /// passphrase from the terminal only; `typed` are the lines typed at its prompts.
    #[cfg(not(target_arch = "wasm32"))]
    fn age_cli_on_a_tty(args: &str, typed: &[&str]) {
        use std::process::{Command, Stdio};
        let mut child = Command::new("script")
            .args(["-q", "-e", "-c", &format!("age {args}"), "/dev/null"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("`script` (util-linux) and `age` are installed (see TOOLCHAIN.md)");
        let mut stdin = child.stdin.take().unwrap();
        for line in typed {
            // Each answer after its prompt: the terminal is switched to no-echo first.
            std::thread::sleep(std::time::Duration::from_millis(400));
            stdin.write_all(format!("{line}\n").as_bytes()).unwrap();
            stdin.flush().unwrap();
        }
        let status = child.wait().unwrap();
        assert!(status.success(), "age {args} failed");
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn protected_by_the_age_cli(armor: bool, passphrase: &str) -> (tempfile::TempDir, Vec<u8>, Identity) {
        let dir = tempfile::tempdir().unwrap();
        let i = generate_identity();
        let plain = dir.path().join("key.txt");
        let sealed = dir.path().join("key.age");
        std::fs::write(&plain, identity_file(&i, "adviser")).unwrap();
        let a = if armor { "-a " } else { "" };
        age_cli_on_a_tty(&format!("-e -p {a}-o {} {}", sealed.display(), plain.display()), &[passphrase, passphrase]);
        let bytes = std::fs::read(&sealed).unwrap();
        (dir, bytes, i)
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn unlock(bytes: &[u8], passphrase: &str) -> Result<Vec<Identity>, ErrorCode> {
        match read_identity_file(bytes)? {
            IdentityFile::Protected(p) => p.unlock(passphrase),
            IdentityFile::Plain(_) => panic!("a protected file read as plain"),
        }
    }

    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn an_identity_file_protected_by_age_p_armored_or_binary_opens_with_its_passphrase_only() {
        for armor in [true, false] {
            let (_dir, bytes, i) = protected_by_the_age_cli(armor, "correct horse battery staple");
            assert_eq!(bytes.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"), armor);
            let IdentityFile::Protected(p) = read_identity_file(&bytes).unwrap() else { panic!("not protected") };
            assert_eq!(p.work_factor(), 18, "age -p's work factor");
            let ids = p.unlock("correct horse battery staple").unwrap();
            assert_eq!(ids[0].to_public().to_string(), i.to_public().to_string());
            assert_eq!(p.unlock("correct horse battery stapler").err(), Some(ErrorCode::IdentityPassphraseWrong));
        }
    }

    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn a_file_protected_here_opens_with_the_age_cli() {
        use age::secrecy::SecretString;
        let dir = tempfile::tempdir().unwrap();
        let i = generate_identity();
        let text = identity_file(&i, "adviser");
        let mut r = age::scrypt::Recipient::new(SecretString::from("a long passphrase".to_owned()));
        r.set_work_factor(12);
        let mut sealed = Vec::new();
        let enc = age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient)).unwrap();
        let mut w = enc
            .wrap_output(age::armor::ArmoredWriter::wrap_output(&mut sealed, age::armor::Format::AsciiArmor).unwrap())
            .unwrap();
        w.write_all(text.as_bytes()).unwrap();
        w.finish().unwrap().finish().unwrap();
        std::fs::write(dir.path().join("key.age"), &sealed).unwrap();
        let out = dir.path().join("back.txt");
        age_cli_on_a_tty(
            &format!("-d -o {} {}", out.display(), dir.path().join("key.age").display()),
            &["a long passphrase"],
        );
        assert_eq!(std::fs::read_to_string(&out).unwrap(), text);
        assert_eq!(unlock(&sealed, "a long passphrase").unwrap()[0].to_public().to_string(), i.to_public().to_string());
    }

    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn a_work_factor_over_ages_limit_is_refused_before_any_work() {
        use age::secrecy::SecretString;
        let mut r = age::scrypt::Recipient::new(SecretString::from("pw".to_owned()));
        r.set_work_factor(10);
        let enc = age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient)).unwrap();
        let mut sealed = Vec::new();
        let mut w = enc.wrap_output(&mut sealed).unwrap();
        w.write_all(b"AGE-SECRET-KEY-1").unwrap();
        w.finish().unwrap();
        let header_end = age_header::inspect(&sealed).unwrap().header_len;
        let header = String::from_utf8(sealed[..header_end].to_vec()).unwrap();
        let costly = header.replacen(" 10\n", " 21\n", 1);
        assert_ne!(costly, header);
        let mut bytes = costly.into_bytes();
        bytes.extend_from_slice(&sealed[header_end..]);
        // The refusal comes from reading the stanza's work factor, before scrypt runs;
        // how long it takes is a benchmark row (`cargo xtask bench`), not a test.
        assert_eq!(read_identity_file(&bytes).err(), Some(ErrorCode::IdentityTooCostly));
    }

    #[test]
    fn a_record_or_junk_is_not_an_identity_file() {
        let (_, r) = pair();
        let record = seal_bytes(b"family record", [r].iter()).unwrap();
        assert_eq!(read_identity_file(record.as_bytes()).err(), Some(ErrorCode::BadIdentityFile));
        assert_eq!(read_identity_file(b"\xff\xfe binary junk").err(), Some(ErrorCode::BadIdentityFile));
        assert_eq!(
            read_identity_file(b"-----BEGIN AGE ENCRYPTED FILE-----\nnot base64!\n").err(),
            Some(ErrorCode::BadIdentityFile)
        );
        assert_eq!(read_identity_file(&vec![b'#'; MAX_IDENTITY_FILE + 1]).err(), Some(ErrorCode::BadIdentityFile));
        let (i, _) = pair();
        let IdentityFile::Plain(ids) = read_identity_file(identity_file(&i, "x").as_bytes()).unwrap() else { panic!() };
        assert_eq!(ids.len(), 1);
    }

    #[test]
    fn a_pushed_stream_is_an_age_file_whose_id_is_its_hash_and_names_its_contents() {
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
        assert_eq!(end.content, crate::ids::ContentHash::of(&data), "the plaintext's hash, whatever the pieces");
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
