//! Browser tests of attachments (headless Chromium through wasm-bindgen-test): a 20 MB
//! photo sealed as a stream in bounded wasm memory into the outbox, progress to 100 %,
//! the stored Blob an age file that opens to the same bytes; files of the wrong kind or
//! size refused with nothing stored; the picker saying why, in the catalog's words.
//!
//! The 20 MB file is built as a `Blob` of JS-side parts, so making it costs no wasm
//! memory: what the memory figure measures is the sealing alone. The figure is the
//! growth of the wasm linear memory (`WebAssembly.Memory.buffer.byteLength`) across
//! `seal_file` — memory a module can never give back, so growth is the honest measure.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p amanat-frontend --target
//! wasm32-unknown-unknown --profile wasm-release --test browser -- attachments::`

use crate::support::fresh_db;
use std::cell::RefCell;
use std::rc::Rc;

use amanat_frontend::attachments::{seal_file, AttachError, AttachmentPicker, Sealing};
use amanat_frontend::i18n::provide_i18n;
use amanat_frontend::local_db;
use amanat_frontend::outbox::{self, EntryState};
use amanat_frontend::session::{provide_session, Session};
use indexed_db_futures::database::Database;
use leptos::prelude::*;
use shared::fixtures::keyring;
use shared::forms::attachment::MediaType;
use shared::i18n::{Catalog, Locale};
use shared::seal::{generate_identity, open_bytes};
use shared::{CaseId, EntryId};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

const MIB: u32 = 1 << 20;

fn wasm_memory_bytes() -> u32 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    memory.buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length()
}

/// The byte at `offset` of the generated photo's body (after its JPEG marker).
fn pattern(offset: usize) -> u8 {
    (offset % 251) as u8 ^ (offset / 4093) as u8
}

const JPEG_HEAD: [u8; 4] = [0xFF, 0xD8, 0xFF, 0xE0];

/// A Blob of a JPEG marker and `mib` MiB of patterned bytes, made of JS-side parts
/// filled by JS, so that making it neither grows nor warms up wasm memory.
fn photo(mib: u32) -> web_sys::Blob {
    let fill = js_sys::Function::new_with_args(
        "a, s",
        "for (let i = 0; i < a.length; i++) { const o = s + i; a[i] = ((o % 251) ^ Math.floor(o / 4093)) & 255; }",
    );
    let parts = js_sys::Array::new();
    parts.push(&js_sys::Uint8Array::from(&JPEG_HEAD[..]).into());
    for i in 0..mib {
        let chunk = js_sys::Uint8Array::new_with_length(MIB);
        fill.call2(&JsValue::NULL, &chunk, &JsValue::from(i * MIB)).unwrap();
        parts.push(&chunk.into());
    }
    web_sys::Blob::new_with_u8_array_sequence(&parts).unwrap()
}

/// A Blob of `mib` MiB of zeros (one JS buffer repeated: nothing in wasm memory).
fn zeros(mib: u32, head: &[u8]) -> web_sys::Blob {
    let parts = js_sys::Array::new();
    parts.push(&js_sys::Uint8Array::from(head).into());
    let chunk = js_sys::Uint8Array::new_with_length(MIB);
    for _ in 0..mib {
        parts.push(&chunk.clone().into());
    }
    web_sys::Blob::new_with_u8_array_sequence(&parts).unwrap()
}

async fn bytes_of(blob: &web_sys::Blob) -> Vec<u8> {
    let ab = wasm_bindgen_futures::JsFuture::from(blob.array_buffer()).await.unwrap();
    js_sys::Uint8Array::new(&ab).to_vec()
}

async fn blob_count(db: &Database) -> usize {
    use indexed_db_futures::prelude::*;
    let tx = db.transaction(local_db::BLOBS).build().unwrap();
    let store = tx.object_store(local_db::BLOBS).unwrap();
    let n = store.count().primitive().unwrap().await.unwrap();
    n as usize
}

#[wasm_bindgen_test]
async fn a_20_mb_photo_is_sealed_as_a_stream_in_bounded_memory_and_waits_in_the_outbox() {
    let db = fresh_db().await;
    let (kr, adviser) = keyring();
    let me = generate_identity();
    let own = me.to_public();
    let case = CaseId::random();
    let file = photo(20);
    let size = file.size() as u64;
    assert_eq!(size, 20 * u64::from(MIB) + 4);

    let seen: Rc<RefCell<Vec<(u64, u64)>>> = Rc::default();
    let log = seen.clone();
    let cx = Sealing { case, author: "cw", own: &own, keyring: &kr, now: amanat_frontend::clock::now_rfc3339() };
    let before = wasm_memory_bytes();
    let started = js_sys::Date::now();
    let attached =
        seal_file(&db, &file, "consent, page 1", &cx, move |d, t| log.borrow_mut().push((d, t))).await.unwrap();
    let millis = js_sys::Date::now() - started;
    let grown = wasm_memory_bytes() - before;
    web_sys::console::log_1(&JsValue::from_str(&format!(
        "sealed {size} bytes in {millis:.0} ms ({:.1} MB/s); wasm memory {before} -> {} bytes (grew {grown})",
        size as f64 / 1e6 / (millis / 1e3),
        before + grown
    )));
    assert!(grown < 8 * MIB, "wasm memory grew {grown} bytes while sealing 20 MB");

    // Progress: from 0 to 100 %, one step per MiB slice, never backwards.
    let seen = seen.borrow().clone();
    assert_eq!(seen.first(), Some(&(0, size)));
    assert_eq!(seen.last(), Some(&(size, size)));
    assert_eq!(seen.len(), 1 + 21);
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0));

    // The reference the form keeps, and the outbox entry the sync loop will upload.
    let r = &attached.reference;
    assert_eq!((r.media_type, r.size, r.caption.as_str()), (MediaType::Jpeg, size, "consent, page 1"));
    let (entries, unreadable) = outbox::all(&db).await.unwrap();
    assert_eq!((entries.len(), unreadable), (1, 0));
    let entry = &entries[0];
    assert!(entry.streamed && entry.state == EntryState::Sealed && entry.owner == "cw");
    assert_eq!((entry.envelope.id, entry.envelope.case), (r.entry, case));
    assert!(entry.integrity().is_ok());
    assert!(entry.ciphertext.len() <= outbox::HEAD_BYTES, "the outbox value keeps only the header");

    // The stored Blob is the whole age file: its hash is the id, and both the author
    // and the adviser open it to the original bytes.
    let blob = outbox::blob(&db, &r.entry).await.unwrap().expect("the ciphertext Blob is stored");
    assert_eq!(blob.size() as u64, entry.envelope.size);
    let ct = bytes_of(&blob).await;
    assert_eq!(EntryId::of(&ct), r.entry);
    let plain = open_bytes(&ct, std::slice::from_ref(&adviser)).unwrap();
    assert_eq!(plain.len() as u64, size);
    assert_eq!(plain[..4], JPEG_HEAD);
    assert!(plain[4..].iter().enumerate().all(|(i, &b)| b == pattern(i)), "the bytes come back unchanged");
    drop(plain);
    assert_eq!(open_bytes(&ct, &[me]).unwrap().len() as u64, size, "the author can reopen it");
}

#[wasm_bindgen_test]
async fn a_file_that_is_not_a_photo_or_scan_is_refused_whatever_its_name_and_nothing_is_stored() {
    let db = fresh_db().await;
    let (kr, _) = keyring();
    let own = generate_identity().to_public();
    let cx = Sealing { case: CaseId::random(), author: "cw", own: &own, keyring: &kr, now: String::new() };
    for head in [&b"MZ\x90\0\x03\0\0\0"[..], b"<html><body>", b""] {
        let got = seal_file(&db, &zeros(1, head), "scan", &cx, |_, _| {}).await;
        assert_eq!(got.err(), Some(AttachError::Unsupported));
    }
    assert_eq!(outbox::all(&db).await.unwrap().0.len(), 0);
    assert_eq!(blob_count(&db).await, 0);
}

#[wasm_bindgen_test]
async fn a_file_over_32_mb_is_refused_before_anything_is_read() {
    let db = fresh_db().await;
    let (kr, _) = keyring();
    let own = generate_identity().to_public();
    let cx = Sealing { case: CaseId::random(), author: "cw", own: &own, keyring: &kr, now: String::new() };
    let calls = Rc::new(RefCell::new(0));
    let counted = calls.clone();
    let got = seal_file(&db, &zeros(33, &JPEG_HEAD), "scan", &cx, move |_, _| *counted.borrow_mut() += 1).await;
    assert_eq!(got.err(), Some(AttachError::TooLarge));
    assert_eq!(*calls.borrow(), 0, "no progress: nothing was sealed");
    assert_eq!(outbox::all(&db).await.unwrap().0.len(), 0);
}

#[wasm_bindgen_test]
async fn the_picker_offers_camera_or_file_and_says_in_words_why_it_refuses_a_file() {
    let container: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&container).unwrap();
    let attached = RwSignal::new(0);
    let handle = leptos::mount::mount_to(container.clone(), move || {
        provide_i18n(Locale::En, vec![Catalog::embedded(Locale::En)]);
        provide_session(Session {
            author: "cw".into(),
            own: generate_identity().to_public(),
            author_key: Signal::derive(|| None),
            pin: RwSignal::new(None),
            saved: Callback::new(|_| {}),
        });
        view! { <AttachmentPicker case=CaseId::random() caption="consent scan" on_attached=Callback::new(move |_| attached.update(|n| *n += 1)) /> }
    });
    gloo_timers::future::TimeoutFuture::new(40).await;

    let input: web_sys::HtmlInputElement =
        container.query_selector("input[type=file]").unwrap().unwrap().unchecked_into();
    assert_eq!(input.get_attribute("accept").as_deref(), Some("image/*,application/pdf"));
    assert_eq!(input.get_attribute("capture").as_deref(), Some("environment"));
    let label =
        container.query_selector(&format!("label[for='{}']", input.id())).unwrap().expect("the input has a label");
    assert!(!label.text_content().unwrap_or_default().is_empty());
    let status =
        document().get_element_by_id(&input.get_attribute("aria-describedby").unwrap()).expect("a status line");
    assert_eq!(status.get_attribute("aria-live").as_deref(), Some("polite"));

    // A text file named like a photo.
    let parts = js_sys::Array::new();
    parts.push(&js_sys::Uint8Array::from(&b"just some notes, not a photo"[..]).into());
    let file = web_sys::File::new_with_u8_array_sequence(&parts, "photo.jpg").unwrap();
    let dt = web_sys::DataTransfer::new().unwrap();
    dt.items().add_with_file(&file).unwrap();
    input.set_files(dt.files().as_ref());
    input.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    gloo_timers::future::TimeoutFuture::new(200).await;

    let expected = Catalog::embedded(Locale::En).tr("attachment-unsupported", &[]);
    assert_eq!(status.text_content().unwrap_or_default(), expected);
    assert_eq!(attached.get_untracked(), 0, "nothing was attached");
    let progress: web_sys::HtmlElement = container.query_selector("progress").unwrap().unwrap().unchecked_into();
    assert!(progress.hidden(), "no progress bar for a refused file");
    assert!(!input.disabled(), "another file can be chosen");
    drop(handle);
    container.remove();
}
