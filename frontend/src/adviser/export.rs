//! Exports of the selected cases: a CSV (plaintext, so only after a warning dialog the
//! adviser confirms) and the sealed entries as a zip (every stored entry of the cases,
//! ciphertext as the relay stores it: `<id>.age` files and a `manifest.json` of their
//! metadata, as `amanat export` writes them, for archives and the `age` CLI).
//!
//! Nothing is written by the app itself: the file is handed to the browser as a
//! download from a `Blob` URL that is revoked a minute after, or at once when the key
//! is forgotten or the page locks ([`revoke_all`]). The zip is written here
//! (stored entries, no compression — age output does not compress — with CRC-32),
//! about a hundred lines instead of a zip crate and its deflate code in the adviser's
//! chunk.
//!
//! Selectors: `#export-csv`, `dialog#export-warning` with `#export-confirm` and
//! `#export-cancel`, `#export-zip`.

use leptos::prelude::*;
use shared::api::EntryMeta;
use shared::find::{cases_csv, CaseFacts, MAX_EXPORT_CASES};
use shared::{CaseId, EntryId, ErrorCode};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::status::{use_status, Msg};
use crate::i18n::{t, use_i18n, OwnedArg};
use crate::problem::Problem;
use crate::reading::CaseEntries;
use crate::relay_client;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = URL, js_name = createObjectURL, catch)]
    fn create_object_url(blob: &web_sys::Blob) -> Result<String, JsValue>;
    #[wasm_bindgen(js_namespace = URL, js_name = revokeObjectURL)]
    pub(crate) fn revoke_object_url(url: &str);
}

/// A `Blob` of `bytes` and a URL for it (the caller revokes it).
pub(crate) fn blob_url(bytes: &[u8]) -> Result<String, JsValue> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts)?;
    create_object_url(&blob)
}

thread_local! {
    /// Download URLs not yet revoked: [`revoke_all`] ends them when the key is forgotten.
    static LIVE: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Revokes `url` (once) and forgets it.
fn revoke(url: &str) {
    let live = LIVE.with(|l| {
        let mut l = l.borrow_mut();
        let before = l.len();
        l.retain(|u| u != url);
        before != l.len()
    });
    if live {
        revoke_object_url(url);
    }
}

/// Revokes every download URL still live (the plaintext CSV's above all): called when
/// the key is forgotten or the page locks, so no `blob:` URL reaches what was opened.
pub fn revoke_all() {
    for url in LIVE.with(|l| std::mem::take(&mut *l.borrow_mut())) {
        revoke_object_url(&url);
    }
}

/// How many download URLs are live (for tests).
pub fn live_urls() -> usize {
    LIVE.with(|l| l.borrow().len())
}

/// Hands `bytes` to the browser as a download named `name`; the URL is revoked a
/// minute later (the browser has the file by then), or sooner by [`revoke_all`].
pub(crate) fn download(bytes: &[u8], name: &str) -> Result<(), JsValue> {
    let url = blob_url(bytes)?;
    LIVE.with(|l| l.borrow_mut().push(url.clone()));
    let document = window().document().ok_or(JsValue::NULL)?;
    let a: web_sys::HtmlElement = document.create_element("a")?.unchecked_into();
    a.set_attribute("href", &url)?;
    a.set_attribute("download", name)?;
    a.set_attribute("hidden", "")?;
    document.body().ok_or(JsValue::NULL)?.append_child(&a)?;
    a.click();
    a.remove();
    gloo_timers::callback::Timeout::new(60_000, move || revoke(&url)).forget();
    Ok(())
}

/// CRC-32 (IEEE), as zip files carry it.
fn crc32(bytes: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut t = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
                k += 1;
            }
            t[i] = c;
            i += 1;
        }
        t
    };
    !bytes.iter().fold(!0u32, |c, &b| TABLE[((c ^ b as u32) & 0xFF) as usize] ^ (c >> 8))
}

/// A zip archive of stored (uncompressed) files, written in memory. Sizes stay under
/// 4 GiB (no zip64): the page refuses bigger selections before getting here.
#[derive(Default)]
pub struct Zip {
    out: Vec<u8>,
    central: Vec<u8>,
    count: u16,
}

impl Zip {
    /// Adds a file. Names are ASCII here (ids and `manifest.json`).
    pub fn add(&mut self, name: &str, data: &[u8]) {
        let (crc, size, offset) = (crc32(data), data.len() as u32, self.out.len() as u32);
        // 1980-01-01 00:00 in DOS time (years since 1980 << 9 | month << 5 | day): no
        // clock is needed, and no time leaks.
        const JAN_1_1980: u16 = (1 << 5) | 1;
        let (time, date) = (0u16, JAN_1_1980);
        let common = |v: &mut Vec<u8>| {
            v.extend_from_slice(&20u16.to_le_bytes()); // version needed: 2.0
            v.extend_from_slice(&0u16.to_le_bytes()); // flags
            v.extend_from_slice(&0u16.to_le_bytes()); // method: stored
            v.extend_from_slice(&time.to_le_bytes());
            v.extend_from_slice(&date.to_le_bytes());
            v.extend_from_slice(&crc.to_le_bytes());
            v.extend_from_slice(&size.to_le_bytes());
            v.extend_from_slice(&size.to_le_bytes());
            v.extend_from_slice(&(name.len() as u16).to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes()); // extra length
        };
        self.out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        common(&mut self.out);
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(data);

        self.central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        self.central.extend_from_slice(&20u16.to_le_bytes()); // made by: 2.0
        common(&mut self.central);
        self.central.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
        self.central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        self.central.extend_from_slice(&offset.to_le_bytes());
        self.central.extend_from_slice(name.as_bytes());
        self.count += 1;
    }

    /// The finished archive.
    pub fn finish(mut self) -> Vec<u8> {
        let (start, len) = (self.out.len() as u32, self.central.len() as u32);
        self.out.append(&mut self.central);
        self.out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        self.out.extend_from_slice(&[0; 4]); // this disk, disk with the directory
        self.out.extend_from_slice(&self.count.to_le_bytes());
        self.out.extend_from_slice(&self.count.to_le_bytes());
        self.out.extend_from_slice(&len.to_le_bytes());
        self.out.extend_from_slice(&start.to_le_bytes());
        self.out.extend_from_slice(&0u16.to_le_bytes()); // comment length
        self.out
    }
}

/// Largest total of ciphertext one zip holds (the browser builds it in memory).
pub const MAX_ZIP_BYTES: usize = 1 << 30;

/// Every stored entry of `cases` as the relay holds it (each checked against its id),
/// with `manifest.json` listing their metadata as `amanat export` writes it; and how
/// many entries it holds.
async fn sealed_zip(cases: &[CaseId]) -> Result<(Vec<u8>, usize), Problem> {
    let mut metas: Vec<EntryMeta> = Vec::new();
    for case in cases {
        let mut after: Option<String> = None;
        loop {
            let page = relay_client::list_case_entries(case, after.as_deref()).await?;
            metas.extend(page.entries);
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
    }
    // A zip without the zip64 extension counts its files in 16 bits (manifest included).
    if metas.len() >= usize::from(u16::MAX) || metas.iter().map(|m| m.size as usize).sum::<usize>() > MAX_ZIP_BYTES {
        return Err(ErrorCode::TooLarge.into());
    }
    let mut zip = Zip::default();
    for m in &metas {
        let bytes = relay_client::get_entry(&m.id).await?;
        if EntryId::of(&bytes) != m.id {
            return Err(ErrorCode::Corrupted.into());
        }
        zip.add(&format!("{}.age", m.id), &bytes);
    }
    let manifest = serde_json::to_string_pretty(&metas).expect("metadata serialises") + "\n";
    zip.add("manifest.json", manifest.as_bytes());
    Ok((zip.finish(), metas.len()))
}

/// The export buttons for the selected cases, and the plaintext warning dialog.
#[component]
pub fn ExportSelected(
    #[prop(into)] selected: Signal<Vec<CaseEntries>>,
    #[prop(into)] facts: Signal<Vec<CaseFacts>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let status = use_status();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let busy = RwSignal::new(false);
    let count = move || selected.with(Vec::len);

    let ask = move |_| {
        if count() == 0 {
            status.info(Msg::key("export-none_selected"));
            return;
        }
        if count() > MAX_EXPORT_CASES {
            status.error(ErrorCode::TooLarge);
            return;
        }
        if let Some(d) = dialog.get() {
            let _ = d.show_modal();
        }
    };
    let close = move || {
        if let Some(d) = dialog.get() {
            d.close();
        }
    };
    let confirm = move |_| {
        close();
        let cases: Vec<CaseId> = selected.with_untracked(|v| v.iter().map(|g| g.case).collect());
        let (text, exported) = facts.with_untracked(|all| {
            let chosen: Vec<&CaseFacts> = all.iter().filter(|f| cases.contains(&f.case)).collect();
            let tr = |k: &str| i18n.tr(k);
            let code = |label: &str| i18n.tr_args("export-code", &[("column", shared::i18n::Arg::Str(label))]);
            (cases_csv(&chosen, &tr, &code), chosen.len())
        });
        match download(text.as_bytes(), &format!("amanat-cases-{}.csv", crate::clock::today())) {
            Ok(()) => status.info(Msg::args("export-csv_done", vec![("count", OwnedArg::Num(exported as i64))])),
            Err(_) => status.error(Msg::key("export-failed")),
        }
    };
    let cancel = move |_| {
        close();
        status.info(Msg::key("export-cancelled"));
    };
    let zip = move |_| {
        let cases: Vec<CaseId> = selected.with_untracked(|v| v.iter().map(|g| g.case).collect());
        if cases.is_empty() {
            status.info(Msg::key("export-none_selected"));
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = sealed_zip(&cases).await;
            busy.try_set(false);
            match result {
                Ok((bytes, n)) => match download(&bytes, &format!("amanat-sealed-{}.zip", crate::clock::today())) {
                    Ok(()) => status.info(Msg::args("export-zip_done", vec![("count", OwnedArg::Num(n as i64))])),
                    Err(_) => status.error(Msg::key("export-failed")),
                },
                Err(p) => status.error(p),
            }
        });
    };

    view! {
        <div class="export-actions actions">
            <span class="export-count">{move || i18n.tr_args("export-selected", &[("count", shared::i18n::Arg::Num(count() as i64))])}</span>
            <button id="export-csv" type="button" on:click=ask prop:disabled=move || count() == 0>{t("export-csv")}</button>
            <button id="export-zip" type="button" on:click=zip prop:disabled=move || count() == 0 || busy.get()>{t("export-zip")}</button>
        </div>
        <dialog id="export-warning" node_ref=dialog aria-labelledby="export-warning-title" aria-describedby="export-warning-text">
            <h2 id="export-warning-title">{t("export-warning-title")}</h2>
            <p id="export-warning-text">{t("export-warning-text")}</p>
            <div class="actions">
                // The safe choice has the focus first; Escape cancels too (the dialog's own).
                <button id="export-cancel" type="button" autofocus on:click=cancel>{t("export-cancel")}</button>
                <button id="export-confirm" type="button" class="danger" on:click=confirm>{t("export-confirm")}</button>
            </div>
        </dialog>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_is_the_ieee_one() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn a_stored_zip_has_each_file_and_a_central_directory_that_points_at_it() {
        let mut z = Zip::default();
        z.add("a.age", b"age-encryption.org/v1\n...");
        z.add("manifest.json", b"[]\n");
        let bytes = z.finish();
        assert_eq!(&bytes[..4], b"PK\x03\x04");
        let end = bytes.len() - 22;
        assert_eq!(&bytes[end..end + 4], b"PK\x05\x06");
        assert_eq!(u16::from_le_bytes([bytes[end + 10], bytes[end + 11]]), 2);
        let dir = u32::from_le_bytes(bytes[end + 16..end + 20].try_into().unwrap()) as usize;
        assert_eq!(&bytes[dir..dir + 4], b"PK\x01\x02");
        // The second central record's offset points at the second local header.
        let second = dir + 46 + "a.age".len();
        let offset = u32::from_le_bytes(bytes[second + 42..second + 46].try_into().unwrap()) as usize;
        assert_eq!(&bytes[offset..offset + 4], b"PK\x03\x04");
        assert_eq!(&bytes[offset + 30..offset + 30 + 13], b"manifest.json");
    }
}
