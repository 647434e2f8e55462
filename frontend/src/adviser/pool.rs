//! Opening entries off the main thread: a pool of Web Workers (`/open-worker.js`), each
//! running this crate's own wasm, that open the relay's bulk-read answers with the
//! loaded identity, so the key holder's page stays responsive while 10 000 entries open.
//!
//! - **Worker side** ([`amanat_worker_key`], [`amanat_worker_open`]): exported from the
//!   main wasm module, which the worker loads (`start()` mounts nothing where there is
//!   no `window`); the opening code itself is in the `open_worker` chunk of the split
//!   build, fetched by the worker on first use, so the first paint does not carry it. A worker takes the identity file's text once, then whole
//!   bulk answers (`shared::api::frames`), and answers one result frame per entry.
//!   Opening makes the checks of `opening::open_content` (id = SHA-256 of the bytes, age
//!   header, the identities); a document's JSON is parsed once, by the page, into the
//!   record it shows (one that does not parse is "unreadable").
//! - **Page side** ([`Pool`]): up to `navigator.hardwareConcurrency` workers (at most
//!   [`MAX_WORKERS`]), started before there is a key ([`Pool::spawn`], so they load the
//!   wasm while the key holder chooses one) and given it once it is loaded
//!   ([`Pool::load_key`]); each answer transferred, not copied; [`Pool::terminate`] ends the
//!   workers, and with them the only other copies of the key (forget key, end session,
//!   lock).
//!
//! Result frames: `id (32 bytes) | kind (1 byte) | length (4 bytes, big-endian) |
//! payload`: a document's JSON ([`KIND_DOCUMENT`]), an attachment's plaintext size (8
//! bytes) and format code ([`KIND_ATTACHMENT`]), or an error code ([`KIND_FAILED`]). The
//! plaintext crosses from worker to page in memory only, like everything opened.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use futures::channel::oneshot;
use shared::api::frames;
use shared::forms::attachment::MediaType;
use shared::forms::codes::Code;
use shared::ids::ContentHash;
use shared::seal::{identity_file, parse_identity_file, Identity};
use shared::{EntryId, ErrorCode};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::opening::Content;

/// Workers at most: opening is CPU-bound, and past four the answers arrive faster than
/// the page can show them.
pub const MAX_WORKERS: usize = 4;
/// The worker script (`frontend/static/open-worker.js`), served beside `amanat.js`.
const WORKER_URL: &str = "/open-worker.js";

pub const KIND_DOCUMENT: u8 = 0;
pub const KIND_ATTACHMENT: u8 = 1;
pub const KIND_FAILED: u8 = 2;

// ---- in the worker ----

thread_local! {
    /// The identities of this worker's instance; dropped with the worker.
    static KEY: RefCell<Vec<Identity>> = const { RefCell::new(Vec::new()) };
}

/// Worker: keeps the identities of `identity_file` (text, as `AGE-SECRET-KEY-1…` lines)
/// and answers how many there are.
#[wasm_bindgen]
pub async fn amanat_worker_key(identity_file: String) -> Result<u32, JsError> {
    let identity_file = zeroize::Zeroizing::new(identity_file);
    in_chunk::key(identity_file).await.map_err(|c| JsError::new(c.code()))
}

/// Worker: opens every entry of a bulk answer, one result frame each.
#[wasm_bindgen]
pub async fn amanat_worker_open(answer: Vec<u8>) -> Result<Vec<u8>, JsError> {
    in_chunk::open(answer).await.map_err(|c| JsError::new(c.code()))
}

/// Parses and keeps the identities.
fn key_now(identity_file: &str) -> Result<u32, ErrorCode> {
    let ids = parse_identity_file(identity_file)?;
    let n = ids.len() as u32;
    KEY.with(|k| *k.borrow_mut() = ids);
    Ok(n)
}

/// Opens every entry of a bulk answer (a missing entry is a failure `not_found`, so
/// nothing asked is dropped). A malformed answer is an error for the whole batch: its
/// frame boundaries cannot be trusted.
fn open_now(answer: &[u8]) -> Result<Vec<u8>, ErrorCode> {
    let parsed = frames::parse(answer)?;
    KEY.with(|k| {
        let ids = k.borrow();
        let mut out = Vec::with_capacity(answer.len());
        for frame in parsed {
            let result = match frame.bytes {
                None => Err(ErrorCode::NotFound),
                Some(_) if ids.is_empty() => Err(ErrorCode::WrongKey),
                Some(bytes) => open_for_page(&frame.id, bytes, &ids),
            };
            push_opened(&mut out, &frame.id, result);
        }
        Ok(out)
    })
}

/// In the release build the opening code (age, the record schema) lives in a wasm
/// chunk of its own, `open_worker`, fetched by the worker on its first call, so the
/// main module the first paint loads stays small; the exports above are only its door.
#[cfg(feature = "split")]
mod in_chunk {
    use super::*;
    use leptos::wasm_split::{wasm_split, SplitLoaderError};

    type Loaded<T> = Result<Result<T, ErrorCode>, SplitLoaderError>;

    fn flat<T>(r: Loaded<T>) -> Result<T, ErrorCode> {
        r.unwrap_or(Err(ErrorCode::AppPartUnavailable))
    }

    pub async fn key(identity_file: zeroize::Zeroizing<String>) -> Result<u32, ErrorCode> {
        flat(key_in_chunk(identity_file).await)
    }
    pub async fn open(answer: Vec<u8>) -> Result<Vec<u8>, ErrorCode> {
        flat(open_in_chunk(answer).await)
    }

    #[wasm_split(open_worker, wasm_split_path = ::leptos::wasm_split, fallible)]
    fn key_in_chunk(identity_file: zeroize::Zeroizing<String>) -> Loaded<u32> {
        Ok(key_now(&identity_file))
    }

    #[wasm_split(open_worker, wasm_split_path = ::leptos::wasm_split, fallible)]
    fn open_in_chunk(answer: Vec<u8>) -> Loaded<Vec<u8>> {
        Ok(open_now(&answer))
    }
}

#[cfg(not(feature = "split"))]
mod in_chunk {
    use super::*;

    pub async fn key(identity_file: zeroize::Zeroizing<String>) -> Result<u32, ErrorCode> {
        key_now(&identity_file)
    }
    pub async fn open(answer: Vec<u8>) -> Result<Vec<u8>, ErrorCode> {
        open_now(&answer)
    }
}

/// What a worker makes of one entry: a document's JSON as it was sealed (the page
/// parses it once, into the record it shows; parsing it here too would double the
/// work), or an attachment's format, size and content hash.
enum Plain {
    Json(Vec<u8>),
    Attachment { media_type: MediaType, size: u64, content: ContentHash },
}

/// Opens one entry with the checks of `opening::open_content` (`shared::seal::open_sniffed`:
/// the bytes are the entry listed, a well-formed age header, the identities), leaving a
/// document's JSON to the page.
fn open_for_page(id: &EntryId, ciphertext: &[u8], identities: &[Identity]) -> Result<Plain, ErrorCode> {
    let plain = shared::seal::open_sniffed(id, ciphertext, identities)?;
    if plain.is_document() {
        // Wiped in `push_opened`, once copied into the answer.
        return Ok(Plain::Json(plain.into_kept()));
    }
    MediaType::sniff(plain.kept())
        .map(|media_type| Plain::Attachment { media_type, size: plain.total(), content: plain.content() })
        .ok_or(ErrorCode::RecordUnreadable)
}

/// Appends one result frame.
fn push_opened(out: &mut Vec<u8>, id: &EntryId, result: Result<Plain, ErrorCode>) {
    let (kind, mut payload) = match result {
        Ok(Plain::Json(json)) => (KIND_DOCUMENT, json),
        Ok(Plain::Attachment { media_type, size, content }) => {
            let mut p = size.to_be_bytes().to_vec();
            p.extend_from_slice(content.as_bytes());
            p.extend_from_slice(media_type.code().as_bytes());
            (KIND_ATTACHMENT, p)
        }
        Err(code) => (KIND_FAILED, code.code().as_bytes().to_vec()),
    };
    out.extend_from_slice(id.as_bytes());
    out.push(kind);
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    out.extend_from_slice(&payload);
    // The copy in the frame is the one that travels; this one is wiped.
    zeroize::Zeroize::zeroize(&mut payload);
}

// ---- on the page ----

/// Reads result frames one at a time, so the page can yield between them.
pub struct Results<'a> {
    buf: &'a [u8],
}

impl<'a> Results<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Results { buf }
    }
}

impl Iterator for Results<'_> {
    /// The entry and what it holds; `Err(None)` when the frames themselves are broken
    /// (the rest of the batch is then unreadable).
    type Item = Result<(EntryId, Result<Content, ErrorCode>), ()>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.buf.is_empty() {
            return None;
        }
        let Some((head, rest)) = self.buf.split_at_checked(37) else {
            self.buf = &[];
            return Some(Err(()));
        };
        let id = EntryId::from_digest(head[..32].try_into().expect("32 bytes"));
        let len = u32::from_be_bytes(head[33..37].try_into().expect("4 bytes")) as usize;
        let Some((payload, rest)) = rest.split_at_checked(len) else {
            self.buf = &[];
            return Some(Err(()));
        };
        self.buf = rest;
        let result = match head[32] {
            KIND_DOCUMENT => {
                crate::opening::read_document(payload).map(|(d, signer)| Content::Document(Arc::new(d), signer))
            }
            KIND_ATTACHMENT if payload.len() >= 40 => {
                let size = u64::from_be_bytes(payload[..8].try_into().expect("8 bytes"));
                let content = ContentHash::from_digest(payload[8..40].try_into().expect("32 bytes"));
                std::str::from_utf8(&payload[40..])
                    .ok()
                    .and_then(MediaType::from_code)
                    .map(|media_type| Content::Attachment { media_type, size, content })
                    .ok_or(ErrorCode::RecordUnreadable)
            }
            KIND_FAILED => {
                Err(std::str::from_utf8(payload).ok().and_then(ErrorCode::from_code).unwrap_or(ErrorCode::Internal))
            }
            _ => return Some(Err(())),
        };
        Some(Ok((id, result)))
    }
}

/// Why the pool could not open a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PoolError {
    /// The browser would not start a worker, or a worker failed (its message).
    Worker(String),
    /// The pool was terminated (the key was forgotten) before the answer came.
    Terminated,
}

type Reply = Result<Vec<u8>, PoolError>;
/// Each job's reply channel, with the slot it went to.
type Pending = Rc<RefCell<HashMap<u32, (usize, oneshot::Sender<Reply>)>>>;

struct Slot {
    worker: web_sys::Worker,
    /// Batches sent and not yet answered, to send the next to the least busy.
    busy: Rc<Cell<usize>>,
    /// Set when the worker reported an error (its script did not load, or it crashed):
    /// anything sent to it later fails at once with this message instead of waiting
    /// for an answer that will not come.
    failed: Rc<RefCell<Option<String>>>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

struct Inner {
    slots: RefCell<Vec<Slot>>,
    next_job: Cell<u32>,
    pending: Pending,
}

/// The page's workers. Cloning shares them; [`Pool::terminate`] ends them for every clone.
#[derive(Clone)]
pub struct Pool {
    inner: Rc<Inner>,
}

fn set(obj: &js_sys::Object, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(obj, &JsValue::from_str(key), value);
}

/// A field of a worker's message (`undefined` when it has none).
pub(crate) fn get(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Workers for this browser: its logical processors, at most [`MAX_WORKERS`].
pub fn worker_count() -> usize {
    let n = web_sys::window().map_or(1.0, |w| w.navigator().hardware_concurrency());
    (n as usize).clamp(1, MAX_WORKERS)
}

/// A worker running [`WORKER_URL`] as a module: the opening workers here, the
/// one-off unlocking worker of `super::unlock`, and the caseworker vault's one-off
/// Argon2id worker (`crate::vault::kdf_worker`).
pub(crate) fn start_worker() -> Result<web_sys::Worker, JsValue> {
    let options = web_sys::WorkerOptions::new();
    options.set_type(web_sys::WorkerType::Module);
    web_sys::Worker::new_with_options(WORKER_URL, &options)
}

impl Pool {
    /// Starts the workers without a key: they load the app's wasm meanwhile, so the
    /// page can start them before the key holder has chosen a key ([`Pool::load_key`]).
    pub fn spawn() -> Result<Pool, PoolError> {
        let pending: Pending = Rc::default();
        let inner =
            Rc::new(Inner { slots: RefCell::new(Vec::new()), next_job: Cell::new(0), pending: pending.clone() });
        let pool = Pool { inner };
        for index in 0..worker_count() {
            let worker = match start_worker() {
                Ok(w) => w,
                Err(e) => {
                    pool.terminate();
                    return Err(PoolError::Worker(format!("{e:?}")));
                }
            };
            let busy = Rc::new(Cell::new(0usize));
            let (p, b) = (pending.clone(), busy.clone());
            let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
                let data = event.data();
                let Some(job) = get(&data, "job").as_f64() else { return };
                let Some((_, tx)) = p.borrow_mut().remove(&(job as u32)) else { return };
                b.set(b.get().saturating_sub(1));
                let reply = match get(&data, "out").dyn_into::<js_sys::Uint8Array>() {
                    Ok(out) => Ok(out.to_vec()),
                    Err(_) => Err(PoolError::Worker(get(&data, "error").as_string().unwrap_or_default())),
                };
                let _ = tx.send(reply);
            });
            // A worker that fails to load (or crashes) fails every job it holds, and every
            // job sent to it later: a failure before anything was sent is not lost.
            let p = pending.clone();
            let failed = Rc::new(RefCell::new(None::<String>));
            let f = failed.clone();
            let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                event.prevent_default();
                let message = get(&event, "message").as_string().unwrap_or_else(|| "the worker failed".into());
                f.borrow_mut().get_or_insert_with(|| message.clone());
                let mut pending = p.borrow_mut();
                let mine: Vec<u32> = pending.iter().filter(|(_, (slot, _))| *slot == index).map(|(j, _)| *j).collect();
                for job in mine {
                    if let Some((_, tx)) = pending.remove(&job) {
                        let _ = tx.send(Err(PoolError::Worker(message.clone())));
                    }
                }
            });
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            pool.inner.slots.borrow_mut().push(Slot {
                worker,
                busy,
                failed,
                _on_message: on_message,
                _on_error: on_error,
            });
        }
        Ok(pool)
    }

    /// Gives every worker the identities; resolves once each has parsed them (the first
    /// time, after it has loaded the wasm and the opening code). On failure the workers
    /// are ended.
    pub async fn load_key(&self, identities: &[Identity]) -> Result<(), PoolError> {
        let text =
            zeroize::Zeroizing::new(identities.iter().map(|i| identity_file(i, "key holder")).collect::<String>());
        let pool = self;
        let loading: Vec<_> = (0..pool.inner.slots.borrow().len())
            .map(|slot| {
                let msg = js_sys::Object::new();
                set(&msg, "key", &JsValue::from_str(&text));
                pool.post(slot, msg, None)
            })
            .collect();
        for reply in futures::future::join_all(loading).await {
            if let Err(e) = reply {
                pool.terminate();
                return Err(e);
            }
        }
        Ok(())
    }

    /// Sends `msg` (with a job number added) to worker `slot`; resolves with its answer.
    fn post(
        &self,
        slot: usize,
        msg: js_sys::Object,
        transfer: Option<&JsValue>,
    ) -> impl std::future::Future<Output = Reply> {
        let job = self.inner.next_job.get();
        self.inner.next_job.set(job.wrapping_add(1));
        set(&msg, "job", &JsValue::from(job));
        let (tx, rx) = oneshot::channel();
        let sent = match self.inner.slots.borrow().get(slot) {
            None => Err(PoolError::Terminated),
            Some(s) if s.failed.borrow().is_some() => {
                Err(PoolError::Worker(s.failed.borrow().clone().unwrap_or_default()))
            }
            Some(s) => {
                self.inner.pending.borrow_mut().insert(job, (slot, tx));
                s.busy.set(s.busy.get() + 1);
                let result = match transfer {
                    Some(t) => s.worker.post_message_with_transfer(&msg, &js_sys::Array::of1(t)),
                    None => s.worker.post_message(&msg),
                };
                result.map_err(|e| PoolError::Worker(format!("{e:?}")))
            }
        };
        async move {
            sent?;
            rx.await.unwrap_or(Err(PoolError::Terminated))
        }
    }

    /// Opens one bulk answer in the least busy worker that has not failed; the buffer is transferred to it
    /// (the page keeps no copy). Resolves with the result frames ([`Results`]).
    pub fn open(&self, answer: js_sys::Uint8Array) -> impl std::future::Future<Output = Reply> {
        let slot = self
            .inner
            .slots
            .borrow()
            .iter()
            .enumerate()
            .min_by_key(|(_, s)| (s.failed.borrow().is_some(), s.busy.get()))
            .map_or(usize::MAX, |(i, _)| i);
        let msg = js_sys::Object::new();
        set(&msg, "open", &answer);
        let buffer = answer.buffer();
        self.post(slot, msg, Some(&buffer))
    }

    /// Ends every worker now (their copies of the key go with them) and fails every
    /// batch still waiting.
    pub fn terminate(&self) {
        for slot in self.inner.slots.borrow_mut().drain(..) {
            slot.worker.terminate();
        }
        for (_, (_, tx)) in self.inner.pending.borrow_mut().drain() {
            let _ = tx.send(Err(PoolError::Terminated));
        }
    }

    /// Workers running.
    pub fn size(&self) -> usize {
        self.inner.slots.borrow().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::forms::{CaseDocument, CaseEntry, DOCUMENT_SCHEMA};
    use shared::seal::{generate_identity, seal_bytes};
    use shared::CaseId;

    fn answer(entries: &[(EntryId, Option<&[u8]>)]) -> Vec<u8> {
        let mut buf = Vec::new();
        for (id, bytes) in entries {
            match bytes {
                Some(b) => {
                    buf.extend_from_slice(&frames::header(id, frames::ENTRY, b.len() as u64));
                    buf.extend_from_slice(b);
                }
                None => buf.extend_from_slice(&frames::header(id, frames::MISSING, 0)),
            }
        }
        buf
    }

    #[test]
    fn a_worker_answers_every_entry_of_a_batch_opened_not_for_this_key_tampered_or_missing() {
        let me = generate_identity();
        let other = generate_identity();
        let doc = CaseDocument {
            schema: DOCUMENT_SCHEMA,
            case: CaseId::random(),
            created_at: "2026-11-23T10:00:00Z".into(),
            author: "cw".into(),
            supersedes: None,
            entry: CaseEntry::Closure(Default::default()),
        };
        let mine = seal_bytes(&doc.to_bytes(), [me.to_public()].iter()).unwrap();
        let theirs = seal_bytes(&doc.to_bytes(), [other.to_public()].iter()).unwrap();
        let mut pdf = b"%PDF-1.7\n".to_vec();
        pdf.resize(2000, b'x');
        let scan = seal_bytes(&pdf, [me.to_public()].iter()).unwrap();
        let mut tampered = mine.as_bytes().to_vec();
        let last = tampered.len() - 5;
        tampered[last] ^= 1;
        let gone = EntryId::of(b"gone");
        let not_a_record = seal_bytes(br#"{"schema":2}"#, [me.to_public()].iter()).unwrap();
        let buf = answer(&[
            (not_a_record.id(), Some(not_a_record.as_bytes())),
            (mine.id(), Some(mine.as_bytes())),
            (theirs.id(), Some(theirs.as_bytes())),
            (mine.id(), Some(&tampered)),
            (scan.id(), Some(scan.as_bytes())),
            (gone, None),
        ]);

        let before = open_now(&buf).unwrap();
        let before: Vec<_> = Results::new(&before).map(|r| r.unwrap().1.err()).collect();
        assert_eq!(
            before,
            [Some(ErrorCode::WrongKey); 5].into_iter().chain([Some(ErrorCode::NotFound)]).collect::<Vec<_>>(),
            "no key yet"
        );
        assert_eq!(key_now(&identity_file(&me, "test")), Ok(1));
        let out = open_now(&buf).unwrap();
        let mut got: Vec<_> = Results::new(&out).map(Result::unwrap).collect();
        assert_eq!(got.len(), 6, "one result per entry asked");
        assert_eq!(got.remove(0), (not_a_record.id(), Err(ErrorCode::RecordUnreadable)), "JSON but not a record");
        assert_eq!(got[0], (mine.id(), Ok(Content::Document(Arc::new(doc), shared::authorship::Signer::Unsigned))));
        assert_eq!(got[1], (theirs.id(), Err(ErrorCode::WrongKey)));
        assert_eq!(got[2], (mine.id(), Err(ErrorCode::Corrupted)));
        assert_eq!(
            got[3],
            (
                scan.id(),
                Ok(Content::Attachment { media_type: MediaType::Pdf, size: 2000, content: ContentHash::of(&pdf) })
            )
        );
        assert_eq!(got[4], (gone, Err(ErrorCode::NotFound)));
        assert!(Results::new(&out[..out.len() - 1]).any(|r| r.is_err()), "a cut result is noticed");
    }
}
