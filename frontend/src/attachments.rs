//! Attachments: a photo or scan picked (camera on tablets, file picker elsewhere),
//! recognised by its first bytes, sealed with age **as a stream** and kept in the
//! outbox as an entry of its own, which the sync loop uploads like any other.
//!
//! Memory stays constant whatever the file's size: the `File` is read one
//! [`CHUNK_BYTES`] slice at a time (`Blob.slice` + `arrayBuffer`), each slice is pushed
//! through [`shared::seal::StreamSealer`] and the ciphertext it hands back becomes a
//! small `Blob` at once; the finished file is one `Blob` made of those parts, stored in
//! IndexedDB (`blobs`) beside a normal outbox envelope, and uploaded as a `Blob` body.
//! So wasm memory holds one slice of plaintext (wiped after use) and about one slice of
//! ciphertext at a time, never the file. The plaintext's type and size travel only
//! inside the form that refers to it ([`AttachmentRef`]); the relay sees one more
//! opaque entry of the case.
//!
//! What is *not* here yet: opening an attachment for viewing (author or adviser). Its
//! bytes are a plain age file of the original photo or PDF, so `age -d` opens an
//! exported one today.

use std::cell::Cell;

use indexed_db_futures::database::Database;
use leptos::prelude::*;
use shared::envelope::Envelope;
use shared::forms::attachment::{AttachmentRef, MediaType, MAX_ATTACHMENT_BYTES};
use shared::keyring::VerifiedKeyring;
use shared::seal::{Recipient, StreamSealer};
use shared::{CaseId, ErrorCode};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use zeroize::Zeroizing;

use crate::i18n::use_i18n;
use crate::outbox::{self, StoredEntry, HEAD_BYTES};
use crate::problem::Problem;
use crate::session::use_session;
use crate::{clock, keyring_pin, local_db};

/// Plaintext read from the file per step (1 MiB).
pub const CHUNK_BYTES: u32 = 1 << 20;

/// The bytes [`MediaType::sniff`] needs to tell every accepted format apart.
const SNIFF_BYTES: u32 = 16;

/// Why a file was not attached. Each has a catalog key: what happened, what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttachError {
    /// Not JPEG, PNG, WebP or PDF by its first bytes (whatever its name says).
    Unsupported,
    /// Larger than [`MAX_ATTACHMENT_BYTES`].
    TooLarge,
    /// The browser could not read the file (moved, revoked permission…).
    Unreadable,
    /// Sealing or storing failed (keyring, storage quota…).
    Failed(Problem),
}

impl AttachError {
    /// The catalog key of the sentence people see, or the [`Problem`] that has its own.
    pub fn key(&self) -> Result<&'static str, Problem> {
        match self {
            AttachError::Unsupported => Ok("attachment-unsupported"),
            AttachError::TooLarge => Ok("attachment-too_large"),
            AttachError::Unreadable => Ok("attachment-unreadable"),
            AttachError::Failed(p) => Err(p.clone()),
        }
    }
}

impl From<Problem> for AttachError {
    fn from(p: Problem) -> Self {
        AttachError::Failed(p)
    }
}

impl From<ErrorCode> for AttachError {
    fn from(c: ErrorCode) -> Self {
        AttachError::Failed(c.into())
    }
}

/// An attachment sealed and in the outbox.
#[derive(Clone, Debug)]
pub struct Attached {
    pub reference: AttachmentRef,
    pub entry: StoredEntry,
}

/// Reads `[start, end)` of a Blob into `buf` (which must be long enough); the bytes
/// pass through one JS `ArrayBuffer` that the browser collects.
async fn read_into(file: &web_sys::Blob, start: u64, end: u64, buf: &mut [u8]) -> Result<usize, AttachError> {
    let slice = file.slice_with_f64_and_f64(start as f64, end as f64).map_err(|_| AttachError::Unreadable)?;
    let ab = JsFuture::from(slice.array_buffer()).await.map_err(|_| AttachError::Unreadable)?;
    let bytes = js_sys::Uint8Array::new(&ab);
    let n = bytes.length() as usize;
    if n != (end - start) as usize || n > buf.len() {
        return Err(AttachError::Unreadable); // the file changed under us
    }
    bytes.copy_to(&mut buf[..n]);
    Ok(n)
}

/// A `Blob` holding a copy of `bytes` (the browser copies them at once, so the view
/// into wasm memory does not outlive this call).
fn blob_of(bytes: &[u8]) -> Result<web_sys::Blob, AttachError> {
    let parts = js_sys::Array::new();
    // SAFETY: the view is used only by the Blob constructor, which copies it before
    // anything else can run (no allocation happens in between).
    #[allow(unsafe_code)]
    parts.push(&wasm_bindgen::JsValue::from(unsafe { js_sys::Uint8Array::view(bytes) }));
    web_sys::Blob::new_with_u8_array_sequence(&parts)
        .map_err(|_| AttachError::Failed(Problem::Code(ErrorCode::Internal)))
}

/// The format of a file by its first bytes, and its size, or why it is refused. Cheap:
/// reads [`SNIFF_BYTES`] only, so the page answers before any sealing.
pub async fn inspect(file: &web_sys::Blob) -> Result<(MediaType, u64), AttachError> {
    let size = file.size() as u64;
    if size > MAX_ATTACHMENT_BYTES {
        return Err(AttachError::TooLarge);
    }
    let mut head = [0u8; SNIFF_BYTES as usize];
    let n = read_into(file, 0, size.min(SNIFF_BYTES.into()), &mut head).await?;
    let media = MediaType::sniff(&head[..n]).ok_or(AttachError::Unsupported)?;
    Ok((media, size))
}

/// Who seals and to whom, read at the edge (the picker takes them from the session).
pub struct Sealing<'a> {
    pub case: CaseId,
    pub author: &'a str,
    /// The author's own recipient (so they can reopen it), besides the keyring.
    pub own: &'a Recipient,
    pub keyring: &'a VerifiedKeyring,
    pub now: String,
}

/// Seals `file` as a stream and stores it in `db`'s outbox (entry + Blob, one
/// transaction). `progress(done, total)` is called after every slice, last with
/// `done == total`. Nothing is stored on failure.
pub async fn seal_file(
    db: &Database,
    file: &web_sys::Blob,
    caption: &str,
    cx: &Sealing<'_>,
    mut progress: impl FnMut(u64, u64),
) -> Result<Attached, AttachError> {
    let (media_type, size) = inspect(file).await?;
    let mut sealer = StreamSealer::new(cx.keyring.recipients().iter().chain(std::iter::once(cx.own)))?;
    let parts = js_sys::Array::new();
    let mut head = Vec::with_capacity(HEAD_BYTES);
    let keep = |ct: &[u8], head: &mut Vec<u8>| -> Result<(), AttachError> {
        if head.len() < HEAD_BYTES {
            head.extend_from_slice(&ct[..ct.len().min(HEAD_BYTES - head.len())]);
        }
        if !ct.is_empty() {
            parts.push(&wasm_bindgen::JsValue::from(blob_of(ct)?));
        }
        Ok(())
    };
    // One plaintext buffer for the whole file, wiped when dropped.
    let mut buf = Zeroizing::new(vec![0u8; CHUNK_BYTES as usize]);
    let mut done = 0u64;
    progress(0, size);
    while done < size {
        let end = (done + u64::from(CHUNK_BYTES)).min(size);
        let n = read_into(file, done, end, &mut buf).await?;
        let ct = sealer.push(&buf[..n])?;
        keep(&ct, &mut head)?;
        done = end;
        progress(done, size);
    }
    drop(buf);
    let end = sealer.finish()?;
    keep(&end.tail, &mut head)?;
    let whole = web_sys::Blob::new_with_blob_sequence(&parts).map_err(|_| AttachError::from(ErrorCode::Internal))?;
    if whole.size() as u64 != end.size {
        return Err(ErrorCode::Internal.into());
    }
    let envelope = Envelope::new(cx.case, shared::forms::DOCUMENT_SCHEMA, cx.keyring.version(), &cx.now, &end);
    let entry = StoredEntry::streamed(envelope, head, cx.author);
    entry.integrity()?;
    outbox::put_streamed(db, &entry, &whole).await.map_err(Problem::from)?;
    let reference =
        AttachmentRef { entry: end.id, media_type, size, caption: caption.to_owned(), content: Some(end.content) };
    Ok(Attached { reference, entry })
}

thread_local! {
    static NEXT_ID: Cell<u32> = const { Cell::new(0) };
}

/// Where the picker stands.
#[derive(Clone, Debug, PartialEq)]
enum Stage {
    Idle,
    /// Sealing, this percentage done.
    Sealing(u8),
    Sealed,
    /// Refused or failed: a catalog key, or a problem with a sentence of its own.
    Refused(Result<&'static str, Problem>),
}

/// Whole percent of `done` out of `total` (an empty file is done at once).
pub fn percent(done: u64, total: u64) -> u8 {
    done.saturating_mul(100).checked_div(total).map_or(100, |p| p.min(100) as u8)
}

/// A file input for one photo or scan of `case`, with a progress bar and a spoken
/// status. The input offers the rear camera on tablets (`capture`) and a file picker
/// elsewhere; a keyboard user reaches it with Tab and opens it with Space or Enter.
/// Once sealed and in the outbox, `on_attached` gets the reference to keep in the form
/// (captioned with `caption`), and the sync loop is woken.
#[component]
pub fn AttachmentPicker(
    case: CaseId,
    #[prop(into)] caption: String,
    on_attached: Callback<AttachmentRef>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let n = NEXT_ID.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    let input_id = format!("attachment-{n}");
    let status_id = format!("attachment-{n}-status");
    let stage = RwSignal::new(Stage::Idle);
    let caption = StoredValue::new(caption);

    let on_change = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        // Forget the choice in the element: the File stays referenced only here.
        input.set_value("");
        if matches!(stage.get_untracked(), Stage::Sealing(_)) {
            return;
        }
        let session = session.clone();
        stage.set(Stage::Sealing(0));
        leptos::task::spawn_local(async move {
            let result = attach(&session, case, &caption.get_value(), &file, stage).await;
            match result {
                Ok(attached) => {
                    stage.try_set(Stage::Sealed);
                    session.saved.run(());
                    on_attached.run(attached.reference);
                }
                Err(e) => {
                    stage.try_set(Stage::Refused(e.key()));
                }
            }
        });
    };

    let pct = move || match stage.get() {
        Stage::Sealing(p) => p,
        Stage::Sealed => 100,
        _ => 0,
    };
    let status = move || match stage.get() {
        Stage::Idle => String::new(),
        Stage::Sealing(p) => i18n.tr_args("attachment-sealing", &[("percent", shared::i18n::Arg::Num(i64::from(p)))]),
        Stage::Sealed => i18n.tr("attachment-sealed"),
        Stage::Refused(Ok(key)) => i18n.tr(key),
        Stage::Refused(Err(problem)) => problem.message(),
    };
    let refused = move || matches!(stage.get(), Stage::Refused(_));
    let label_key = move || if on_tablet() { "attachment-take_photo" } else { "attachment-choose_file" };
    view! {
        <div class="attachment-picker">
            <label for=input_id.clone()>{move || i18n.tr(label_key())}</label>
            <input type="file" id=input_id.clone() accept="image/*,application/pdf" capture="environment"
                aria-describedby=status_id.clone()
                disabled=move || matches!(stage.get(), Stage::Sealing(_))
                on:change=on_change />
            <progress max="100" value=move || pct().to_string()
                hidden=move || matches!(stage.get(), Stage::Idle | Stage::Refused(_))
                aria-label=move || i18n.tr("attachment-progress")>
                {move || format!("{}%", pct())}
            </progress>
            <p id=status_id class=move || if refused() { "field-error" } else { "attachment-status" }
                role="status" aria-live="polite">{status}</p>
        </div>
    }
}

/// Whether this looks like a touch tablet (the input then opens the camera).
fn on_tablet() -> bool {
    web_sys::window().and_then(|w| w.match_media("(pointer: coarse)").ok().flatten()).is_some_and(|m| m.matches())
}

/// The picker's work: check, fetch the keyring, seal, store; progress into `stage`.
async fn attach(
    session: &crate::session::Session,
    case: CaseId,
    caption: &str,
    file: &web_sys::File,
    stage: RwSignal<Stage>,
) -> Result<Attached, AttachError> {
    let blob: &web_sys::Blob = file.as_ref();
    // Refuse a wrong type or size before asking the relay for anything.
    inspect(blob).await?;
    let db = local_db::open().await.map_err(Problem::from)?;
    let (keyring, pin) = keyring_pin::fetch_verified(&db).await?;
    session.pin.try_set(Some(pin));
    let cx = Sealing { case, author: &session.author, own: &session.own, keyring: &keyring, now: clock::now_rfc3339() };
    seal_file(&db, blob, caption, &cx, |done, total| {
        let p = percent(done, total);
        if stage.get_untracked() != Stage::Sealing(p) {
            stage.try_set(Stage::Sealing(p));
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_whole_percent_and_ends_at_100() {
        assert_eq!(percent(0, 20 << 20), 0);
        assert_eq!(percent(1 << 20, 20 << 20), 5);
        assert_eq!(percent(20 << 20, 20 << 20), 100);
        assert_eq!(percent(0, 0), 100);
    }

    #[test]
    fn every_refusal_names_a_catalog_sentence() {
        assert_eq!(AttachError::Unsupported.key(), Ok("attachment-unsupported"));
        assert_eq!(AttachError::TooLarge.key(), Ok("attachment-too_large"));
        assert_eq!(AttachError::Unreadable.key(), Ok("attachment-unreadable"));
        assert_eq!(AttachError::from(ErrorCode::KeyringEmpty).key(), Err(Problem::Code(ErrorCode::KeyringEmpty)));
    }
}
