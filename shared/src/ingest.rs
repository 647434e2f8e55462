//! The relay's ingest steps for an uploaded entry, in one function ([`run`]) that both
//! the relay's `PUT /api/v1/entries/{id}` and the fuzz target (`fuzz/fuzz_targets/ingest.rs`,
//! through [`ingest`]) call, so what is fuzzed is what the relay runs.
//!
//! The steps, in order: `Amanat-Case`, `Amanat-Supersedes` and `Amanat-Keyring-Version`
//! come at most once each ([`headers::once`]); the id in the URL and the case parse
//! ([`target`]); the caller may put into that case ([`Steps::admit`]); the entry named
//! by `Amanat-Supersedes` is an entry id, not the upload's own ([`headers::supersedes`]),
//! stored in the same case ([`Steps::supersedable`]); the declared keyring version is a
//! number ([`headers::keyring_version`]) no higher than the current one
//! ([`Steps::keyring_version`], [`headers::check_keyring_version`]); the caller has room
//! for new bytes ([`Steps::reserve`]); all before a byte of the body is read. Then the
//! body is read to its end ([`Steps::receive`]); the id is the
//! SHA-256 of the body ([`check_hash`]); bytes already stored are answered as such
//! ([`Steps::already_stored`], before the age check, so a retry of bytes stored before
//! the keyring grew still gets 200); the body is an age v1 file sealed to enough X25519
//! recipients, no passphrase stanza, capped header ([`check_age`], on the first
//! [`HEADER_WINDOW`] bytes).
//!
//! No I/O here: what needs the network, the store or the keyring is the caller's
//! [`Steps`]. [`ingest`] runs the same steps on a body held in memory, with nothing
//! stored, for the fuzz target and the property tests.

use std::future::Future;

pub mod headers;

pub use headers::{Declared, HeaderRefusal, UploadHeaders};

use crate::age_header::{HeaderSummary, MAX_HEADER_BYTES};
use crate::error::ErrorCode;
use crate::ids::{CaseId, EntryId};
use crate::seal::Ciphertext;

/// Bytes of a body the age check reads: the largest header and the smallest payload.
/// The header parser never looks further, so the answer on these bytes is the answer
/// on the whole file; the relay keeps only these in memory while it streams the rest.
pub const HEADER_WINDOW: usize = MAX_HEADER_BYTES + 32;

/// Where an upload goes: its claimed id and its case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    pub id: EntryId,
    pub case: CaseId,
}

/// A body read to its end.
pub trait Hashed {
    /// The SHA-256 of all its bytes.
    fn id(&self) -> EntryId;
    /// Its first [`HEADER_WINDOW`] bytes (all of them if it is shorter).
    fn head(&self) -> &[u8];
}

/// A body held whole in memory.
impl Hashed for Vec<u8> {
    fn id(&self) -> EntryId {
        EntryId::of(self)
    }
    fn head(&self) -> &[u8] {
        &self[..self.len().min(HEADER_WINDOW)]
    }
}

/// What happens between the checks: the caller's I/O, in the order [`run`] asks for it.
pub trait Steps {
    /// What a step may fail with; every refusal of a check is an [`ErrorCode`], a
    /// header's with a sentence naming the header ([`HeaderRefusal`]).
    type Error: From<ErrorCode> + From<HeaderRefusal>;
    /// The body, once read.
    type Body: Hashed;

    /// Whether the caller may put an entry into `target`'s case (access, case ownership;
    /// `superseding`: the upload names an entry it replaces). Runs before the body is
    /// read, and before the store is asked about the entry it replaces, so nobody learns
    /// from the answer whether another's entry exists.
    fn admit(&mut self, target: &Target, superseding: bool) -> impl Future<Output = Result<(), Self::Error>> + Send;
    /// Whether `old` is a stored entry of `target`'s case (what `Amanat-Supersedes` may name).
    fn supersedable(
        &mut self,
        old: &EntryId,
        target: &Target,
    ) -> impl Future<Output = Result<bool, Self::Error>> + Send;
    /// The current keyring's version (0 when there is none).
    fn keyring_version(&mut self) -> impl Future<Output = Result<u64, Self::Error>> + Send;
    /// Whether the caller has room for the entry if its bytes are new (quota, upload
    /// rate, free space); a retry of stored bytes is answered by `already_stored`
    /// whatever the limits say.
    fn reserve(&mut self, target: &Target) -> impl Future<Output = Result<(), Self::Error>> + Send;
    /// Reads the body to its end (refusing one over the size limit).
    fn receive(&mut self, target: &Target) -> impl Future<Output = Result<Self::Body, Self::Error>> + Send;
    /// Whether these bytes are already stored under `target` (refusing them if they are
    /// stored for someone else). Asked only once the id is known to be their hash.
    fn already_stored(&mut self, target: &Target) -> impl Future<Output = Result<bool, Self::Error>> + Send;
    /// The least number of X25519 recipients an entry needs: the current keyring's size.
    fn min_recipients(&mut self) -> impl Future<Output = Result<usize, Self::Error>> + Send;
}

/// Parses the URL's id and the `Amanat-Case` header (`None`: header missing).
pub fn target(id: &str, case: Option<&str>) -> Result<Target, ErrorCode> {
    let id: EntryId = id.parse()?;
    let case: CaseId = case.ok_or(ErrorCode::BadCaseId)?.parse()?;
    Ok(Target { id, case })
}

/// The id must be the SHA-256 of the bytes.
pub fn check_hash(target: &Target, body: &impl Hashed) -> Result<(), ErrorCode> {
    if body.id() == target.id {
        Ok(())
    } else {
        Err(ErrorCode::IdMismatch)
    }
}

/// The bytes must be an age v1 file to at least `min_x25519` X25519 recipients (the
/// current keyring's size) and no passphrase: [`Ciphertext::check`]'s rule, on a body's
/// first [`HEADER_WINDOW`] bytes (or more; the answer is the same).
pub fn check_age(head: &[u8], min_x25519: usize) -> Result<HeaderSummary, ErrorCode> {
    let window = &head[..head.len().min(HEADER_WINDOW)];
    Ciphertext::check(window.to_vec(), min_x25519).map(|(_, summary)| summary)
}

/// An upload that passed every check.
#[derive(Clone, PartialEq, Eq)]
pub struct Accepted<B> {
    pub target: Target,
    pub declared: Declared,
    pub body: B,
    pub summary: HeaderSummary,
}

impl<B> std::fmt::Debug for Accepted<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The bytes are ciphertext, but a log has no use for them.
        f.debug_struct("Accepted")
            .field("target", &self.target)
            .field("declared", &self.declared)
            .field("summary", &self.summary)
            .finish()
    }
}

/// Where the steps ended, if nothing was refused.
#[derive(Debug)]
pub enum Outcome<B> {
    /// These bytes are already stored under this target: answer so, store nothing.
    AlreadyStored { target: Target, declared: Declared, body: B },
    /// A new entry that passed every check, to be stored.
    Accepted(Accepted<B>),
}

/// The ingest steps, in the relay's order (see the module doc).
pub async fn run<S: Steps>(id: &str, headers: &UploadHeaders<'_>, steps: &mut S) -> Result<Outcome<S::Body>, S::Error> {
    let once = headers::once(headers)?;
    let target = target(id, once.case)?;
    steps.admit(&target, once.supersedes.is_some()).await?;
    let supersedes = match once.supersedes {
        None => None,
        Some(value) => {
            let old = headers::supersedes(value, &target)?;
            headers::check_supersedable(steps.supersedable(&old, &target).await?)?;
            Some(old)
        }
    };
    let keyring_version = match once.keyring_version {
        None => None,
        Some(value) => {
            let declared = headers::keyring_version(value)?;
            Some(headers::check_keyring_version(declared, steps.keyring_version().await?)?)
        }
    };
    let declared = Declared { supersedes, keyring_version };
    steps.reserve(&target).await?;
    let body = steps.receive(&target).await?;
    check_hash(&target, &body)?;
    if steps.already_stored(&target).await? {
        return Ok(Outcome::AlreadyStored { target, declared, body });
    }
    let min_x25519 = steps.min_recipients().await?;
    let summary = check_age(body.head(), min_x25519)?;
    Ok(Outcome::Accepted(Accepted { target, declared, body, summary }))
}

/// [`Steps`] for a body held in memory: everyone is admitted, nothing is stored yet
/// (so no entry can be superseded), and the keyring is version 1 with `min_x25519`
/// recipients.
struct InMemory {
    body: Option<Vec<u8>>,
    min_x25519: usize,
}

impl Steps for InMemory {
    type Error = ErrorCode;
    type Body = Vec<u8>;

    fn admit(&mut self, _: &Target, _: bool) -> impl Future<Output = Result<(), ErrorCode>> + Send {
        std::future::ready(Ok(()))
    }
    fn supersedable(&mut self, _: &EntryId, _: &Target) -> impl Future<Output = Result<bool, ErrorCode>> + Send {
        std::future::ready(Ok(false))
    }
    fn keyring_version(&mut self) -> impl Future<Output = Result<u64, ErrorCode>> + Send {
        std::future::ready(Ok(1))
    }
    fn reserve(&mut self, _: &Target) -> impl Future<Output = Result<(), ErrorCode>> + Send {
        std::future::ready(Ok(()))
    }
    fn receive(&mut self, _: &Target) -> impl Future<Output = Result<Vec<u8>, ErrorCode>> + Send {
        std::future::ready(self.body.take().ok_or(ErrorCode::BadRequest))
    }
    fn already_stored(&mut self, _: &Target) -> impl Future<Output = Result<bool, ErrorCode>> + Send {
        std::future::ready(Ok(false))
    }
    fn min_recipients(&mut self) -> impl Future<Output = Result<usize, ErrorCode>> + Send {
        std::future::ready(Ok(self.min_x25519))
    }
}

/// Runs the relay's steps ([`run`]) on a body in memory, with a keyring of `min_x25519`
/// recipients and nothing stored: the fuzz target's and the property tests' way in.
pub fn ingest(id: &str, case: Option<&str>, body: Vec<u8>, min_x25519: usize) -> Result<Accepted<Vec<u8>>, ErrorCode> {
    let mut steps = InMemory { body: Some(body), min_x25519 };
    let case: Vec<&str> = case.into_iter().collect();
    let headers = UploadHeaders { case: &case, ..UploadHeaders::default() };
    let run = std::pin::pin!(run(id, &headers, &mut steps));
    // Every step of `InMemory` is ready at once, so one poll runs them all.
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match run.poll(&mut cx) {
        std::task::Poll::Ready(Ok(Outcome::Accepted(accepted))) => Ok(accepted),
        std::task::Poll::Ready(Ok(Outcome::AlreadyStored { .. })) => unreachable!("nothing is stored in memory"),
        std::task::Poll::Ready(Err(code)) => Err(code),
        std::task::Poll::Pending => unreachable!("in-memory steps never wait"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seal;
    use proptest::prelude::*;

    const CASE: &str = "0123456789abcdef0123456789abcdef";

    fn sealed(n: usize) -> Vec<u8> {
        let recipients: Vec<_> = (0..n).map(|_| seal::generate_identity().to_public()).collect();
        seal::seal_bytes(b"a record", recipients.iter()).unwrap().into_bytes()
    }

    #[test]
    fn a_real_age_file_under_its_own_id_is_accepted_with_its_recipient_count() {
        let body = sealed(3);
        let id = EntryId::of(&body).to_string();
        let ok = ingest(&id, Some(CASE), body.clone(), 3).unwrap();
        assert_eq!((ok.summary.x25519, &ok.body[..]), (3, &body[..]));
        assert_eq!(ingest(&id, Some(CASE), body, 4).unwrap_err(), ErrorCode::TooFewRecipients);
    }

    #[test]
    fn each_check_has_its_own_error_in_the_relays_order() {
        let body = sealed(1);
        let id = EntryId::of(&body).to_string();
        assert_eq!(ingest("ABC", None, body.clone(), 1).unwrap_err(), ErrorCode::BadEntryId);
        assert_eq!(ingest(&id, None, body.clone(), 1).unwrap_err(), ErrorCode::BadCaseId);
        assert_eq!(ingest(&id, Some("xyz"), body.clone(), 1).unwrap_err(), ErrorCode::BadCaseId);
        let other = EntryId::of(b"other").to_string();
        assert_eq!(ingest(&other, Some(CASE), body, 1).unwrap_err(), ErrorCode::IdMismatch);
        let plain = b"{\"name\":\"plaintext\"}".to_vec();
        assert_eq!(ingest(&EntryId::of(&plain).to_string(), Some(CASE), plain, 1).unwrap_err(), ErrorCode::NotAge);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Arbitrary bytes under their own id never panic and are never accepted:
        /// random data is not an age file.
        #[test]
        fn arbitrary_bytes_under_their_own_id_are_refused_without_panic(body in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let id = EntryId::of(&body).to_string();
            prop_assert!(ingest(&id, Some(CASE), body, 1).is_err());
        }

        /// A real age file with bytes flipped, cut or appended is accepted only if it is
        /// still shaped like age and its id still matches; a stale id is always refused.
        #[test]
        fn a_damaged_age_file_is_accepted_only_under_its_new_hash_and_never_under_the_old(
            cut in 0usize..400, flip in 0usize..400, bit in 0u8..8, tail in proptest::collection::vec(any::<u8>(), 0..16),
        ) {
            let good = sealed(2);
            let old_id = EntryId::of(&good).to_string();
            let mut body = good.clone();
            let flip = flip % body.len();
            body[flip] ^= 1 << bit;
            body.truncate(body.len() - cut.min(body.len()));
            body.extend_from_slice(&tail);
            if body != good {
                prop_assert_eq!(ingest(&old_id, Some(CASE), body.clone(), 1).unwrap_err(), ErrorCode::IdMismatch);
            }
            let new_id = EntryId::of(&body).to_string();
            if let Ok(ok) = ingest(&new_id, Some(CASE), body.clone(), 1) {
                prop_assert_eq!(&ok.body[..], &body[..]);
                prop_assert!(crate::age_header::inspect(&body).is_ok());
            }
        }

    }

    /// Ids as the property below needs them: valid (64 lowercase hex digits) as often
    /// as malformed (uppercase, a digit short or over, not hex at all, anything).
    fn any_id() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => "[0-9a-f]{64}",
            1 => "[0-9A-F]{64}",
            1 => "[0-9a-f]{63}|[0-9a-f]{65}",
            1 => "[0-9a-f]{20}[g-zG-Z_ -][0-9a-f]{43}",
            1 => "[0-9a-zA-Z]{0,70}",
        ]
    }

    /// Case ids likewise (32 lowercase hex digits, or not).
    fn any_case() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => "[0-9a-f]{32}",
            1 => "[0-9A-F]{32}",
            1 => "[0-9a-f]{31}|[0-9a-f]{33}",
            1 => "[0-9a-f]{10}[g-zG-Z_ -][0-9a-f]{21}",
            1 => "[0-9a-zA-Z]{0,40}",
        ]
    }

    fn lower_hex(s: &str, len: usize) -> bool {
        s.len() == len && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }

    /// Ids and case ids that are not exactly lowercase hex of the right length are
    /// refused before the body is looked at; well-formed ones reach the hash check
    /// (which a random id fails). Each of the three answers is seen in the run.
    #[test]
    fn malformed_ids_are_refused_before_the_body() {
        let body = sealed(1);
        let hits = std::cell::Cell::new([0usize; 3]);
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(512));
        runner
            .run(&(any_id(), any_case()), |(id, case)| {
                let (id_ok, case_ok) = (lower_hex(&id, 64), lower_hex(&case, 32));
                let arm = match ingest(&id, Some(&case), body.clone(), 1) {
                    Err(ErrorCode::BadEntryId) => {
                        prop_assert!(!id_ok);
                        0
                    }
                    Err(ErrorCode::BadCaseId) => {
                        prop_assert!(id_ok && !case_ok);
                        1
                    }
                    Err(ErrorCode::IdMismatch) => {
                        prop_assert!(id_ok && case_ok);
                        2
                    }
                    other => {
                        prop_assert!(false, "unexpected {:?}", other.map(|a| a.target));
                        unreachable!()
                    }
                };
                let mut h = hits.get();
                h[arm] += 1;
                hits.set(h);
                Ok(())
            })
            .unwrap();
        let [bad_id, bad_case, mismatch] = hits.get();
        assert!(bad_id > 0 && bad_case > 0 && mismatch > 0, "every answer is reached: {:?}", hits.get());
    }

    /// A [`Steps`] that logs what it is asked, with an adviser-like rule (an upload
    /// that names no entry it replaces is refused at `admit` when `must_supersede`).
    struct Logged {
        log: Vec<&'static str>,
        admit: bool,
        must_supersede: bool,
        in_case: bool,
        current_version: u64,
        stored: bool,
        body: Vec<u8>,
    }

    impl Logged {
        fn new(body: Vec<u8>) -> Self {
            Logged {
                log: Vec::new(),
                admit: true,
                must_supersede: false,
                in_case: true,
                current_version: 2,
                stored: false,
                body,
            }
        }
    }

    impl Steps for Logged {
        type Error = HeaderRefusal;
        type Body = Vec<u8>;
        fn admit(&mut self, _: &Target, superseding: bool) -> impl Future<Output = Result<(), HeaderRefusal>> + Send {
            self.log.push("admit");
            let ok = self.admit && (superseding || !self.must_supersede);
            std::future::ready(if ok { Ok(()) } else { Err(ErrorCode::Forbidden.into()) })
        }
        fn supersedable(
            &mut self,
            _: &EntryId,
            _: &Target,
        ) -> impl Future<Output = Result<bool, HeaderRefusal>> + Send {
            self.log.push("supersedable");
            std::future::ready(Ok(self.in_case))
        }
        fn keyring_version(&mut self) -> impl Future<Output = Result<u64, HeaderRefusal>> + Send {
            self.log.push("keyring_version");
            std::future::ready(Ok(self.current_version))
        }
        fn reserve(&mut self, _: &Target) -> impl Future<Output = Result<(), HeaderRefusal>> + Send {
            self.log.push("reserve");
            std::future::ready(Ok(()))
        }
        fn receive(&mut self, _: &Target) -> impl Future<Output = Result<Vec<u8>, HeaderRefusal>> + Send {
            self.log.push("receive");
            std::future::ready(Ok(self.body.clone()))
        }
        fn already_stored(&mut self, _: &Target) -> impl Future<Output = Result<bool, HeaderRefusal>> + Send {
            self.log.push("already_stored");
            std::future::ready(Ok(self.stored))
        }
        fn min_recipients(&mut self) -> impl Future<Output = Result<usize, HeaderRefusal>> + Send {
            self.log.push("min_recipients");
            std::future::ready(Ok(5))
        }
    }

    /// Runs the steps on ready futures; the outcome in a word, and the log.
    fn go(
        mut steps: Logged,
        id: &str,
        headers: UploadHeaders<'_>,
    ) -> (Result<(&'static str, Declared), HeaderRefusal>, Vec<&'static str>) {
        let result = {
            let fut = std::pin::pin!(run(id, &headers, &mut steps));
            match fut.poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
                std::task::Poll::Ready(result) => result,
                std::task::Poll::Pending => panic!("ready steps finish in one poll"),
            }
        };
        let result = result.map(|o| match o {
            Outcome::AlreadyStored { declared, .. } => ("already stored", declared),
            Outcome::Accepted(a) => ("accepted", a.declared),
        });
        (result, steps.log)
    }

    /// The steps run in order, the body is not read for a caller who may not upload,
    /// and bytes already stored are answered before the age check.
    #[test]
    fn run_asks_for_each_step_in_order_and_stops_at_the_first_refusal() {
        let body = sealed(1);
        let id = EntryId::of(&body).to_string();
        let case = UploadHeaders { case: &[CASE], ..UploadHeaders::default() };
        let refused = Logged { admit: false, ..Logged::new(body.clone()) };
        assert_eq!(go(refused, &id, case), (Err(ErrorCode::Forbidden.into()), vec!["admit"]));
        assert_eq!(go(Logged::new(body.clone()), "nope", case).1, Vec::<&str>::new(), "a bad id is refused first");
        let other = EntryId::of(b"other").to_string();
        assert_eq!(
            go(Logged::new(body.clone()), &other, case),
            (Err(ErrorCode::IdMismatch.into()), vec!["admit", "reserve", "receive"])
        );
        let all = vec!["admit", "reserve", "receive", "already_stored"];
        let stored = Logged { stored: true, ..Logged::new(body.clone()) };
        assert_eq!(go(stored, &id, case), (Ok(("already stored", Declared::default())), all.clone()));
        let all = [all, vec!["min_recipients"]].concat();
        assert_eq!(
            go(Logged::new(body), &id, case),
            (Err(ErrorCode::TooFewRecipients.into()), all),
            "one recipient, five needed"
        );
    }

    /// The header steps: twice is refused before anything is asked; the replaced entry
    /// is parsed only once access is granted, and looked up only once it parses; the
    /// keyring version is compared with the current one; what passed is in the outcome.
    #[test]
    fn the_header_steps_run_between_admit_and_the_body_and_land_in_the_outcome() {
        let body = sealed(5);
        let id = EntryId::of(&body).to_string();
        let old = EntryId::of(b"old").to_string();
        let (old_s, v2, v3) = ([old.as_str()], ["2"], ["3"]);
        let h = |supersedes: &'static [&'static str], keyring_version: &'static [&'static str]| UploadHeaders {
            case: &[CASE],
            supersedes,
            keyring_version,
        };
        // Twice: refused before a step is asked.
        let twice = UploadHeaders { case: &[CASE, CASE], ..UploadHeaders::default() };
        let (res, log) = go(Logged::new(body.clone()), &id, twice);
        assert_eq!((res.unwrap_err().code, log), (ErrorCode::BadCaseId, vec![]));
        let twice = h(&["a", "b"], &[]);
        assert_eq!(go(Logged::new(body.clone()), &id, twice).0.unwrap_err().code, ErrorCode::BadRequest);
        // A caller who must name a replaced entry and names none: 403 at admit.
        let adviser = || Logged { must_supersede: true, ..Logged::new(body.clone()) };
        assert_eq!(go(adviser(), &id, h(&[], &[])).0.unwrap_err().code, ErrorCode::Forbidden);
        // A malformed Amanat-Supersedes from someone refused access is 403, not 400.
        let (res, log) = go(Logged { admit: false, ..adviser() }, &id, h(&["xyz"], &[]));
        assert_eq!((res.unwrap_err().code, log), (ErrorCode::Forbidden, vec!["admit"]));
        let (res, log) = go(adviser(), &id, h(&["xyz"], &[]));
        assert_eq!((res.unwrap_err().code, log), (ErrorCode::BadEntryId, vec!["admit"]));
        // Itself, or not an entry of this case.
        let own = [id.as_str()];
        let (res, log) = go(adviser(), &id, UploadHeaders { supersedes: &own, ..h(&[], &[]) });
        assert_eq!((res.unwrap_err().code, log), (ErrorCode::BadRequest, vec!["admit"]));
        let elsewhere = Logged { in_case: false, ..adviser() };
        let (res, log) = go(elsewhere, &id, UploadHeaders { supersedes: &old_s, ..h(&[], &[]) });
        assert_eq!((res.unwrap_err().code, log), (ErrorCode::BadRequest, vec!["admit", "supersedable"]));
        // A keyring version above the current one (2).
        let (res, log) = go(Logged::new(body.clone()), &id, UploadHeaders { keyring_version: &v3, ..h(&[], &[]) });
        assert_eq!((res.unwrap_err().code, log), (ErrorCode::BadRequest, vec!["admit", "keyring_version"]));
        // All well: both declared values come out with the accepted entry.
        let headers = UploadHeaders { case: &[CASE], supersedes: &old_s, keyring_version: &v2 };
        let (res, log) = go(adviser(), &id, headers);
        let declared = Declared { supersedes: Some(old.parse().unwrap()), keyring_version: Some(2) };
        assert_eq!(res, Ok(("accepted", declared)));
        let steps =
            ["admit", "supersedable", "keyring_version", "reserve", "receive", "already_stored", "min_recipients"];
        assert_eq!(log, steps);
    }

    proptest! {
        /// The age check on a body's first [`HEADER_WINDOW`] bytes (what the relay keeps
        /// while it streams the rest) answers as on the whole body.
        #[test]
        fn the_age_check_on_the_header_window_answers_as_on_the_whole_body(
            len in 0usize..2 * HEADER_WINDOW, flip in 0usize..400, bit in 0u8..8, min in 0usize..4,
        ) {
            let mut body = sealed(2);
            body.extend(std::iter::repeat_n(7u8, len));
            let flip = flip % body.len();
            body[flip] ^= 1 << bit;
            let whole = Ciphertext::check(body.clone(), min).map(|(_, summary)| summary);
            prop_assert_eq!(check_age(body.head(), min), whole);
        }
    }
}
