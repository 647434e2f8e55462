//! "This device": reads every place the origin can keep data in this browser —
//! every IndexedDB database and store, Cache Storage (every cache, every response
//! body), localStorage, sessionStorage and the cookies scripts can see — and sorts each
//! value with [`super::classify`]. Nothing is written, and nothing read leaves the page:
//! only counts, places and redacted previews are kept.
//!
//! A stored record is walked down to its leaves (`envelope.id`, `ciphertext`…) and each
//! leaf, and the record's key, counts as one value. Stores are read a page at a time so
//! a tablet with thousands of sealed entries does not need them all in memory at once.

use std::collections::BTreeMap;

use js_sys::{Array, Object, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

use super::app_files::{self, Hashes};
use super::classify::{self, Area, Kind, Leaf, HEAD_BYTES, KEY_FIELD, MAX_TEXT};
use super::js::{self, JsResult};

/// Records read per IndexedDB request.
const PAGE: u32 = 200;
/// Deepest nesting walked into (the app's records are three levels deep).
const MAX_DEPTH: usize = 8;
/// Most "else" values listed one by one (all are counted).
pub const MAX_LISTED: usize = 500;

/// A value that is not ciphertext, an allowed field or an app file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub area: String,
    /// The record's key, redacted like the value.
    pub key: String,
    pub field: String,
    pub preview: String,
}

/// What the scan found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DeviceScan {
    pub counts: BTreeMap<Kind, usize>,
    /// Per place (its label), the count of each kind.
    pub places: BTreeMap<String, BTreeMap<Kind, usize>>,
    pub findings: Vec<Finding>,
    /// Databases or caches that could not be read, and why.
    pub unreadable: Vec<String>,
    /// Whether `/hashes.txt` could be fetched to recognise the app's cached files.
    pub hashes_known: bool,
}

impl DeviceScan {
    pub fn count(&self, kind: Kind) -> usize {
        self.counts.get(&kind).copied().unwrap_or(0)
    }

    fn add(&mut self, area: &Area, key: &str, field: &str, value: &Leaf, kind: Kind) {
        *self.counts.entry(kind).or_default() += 1;
        *self.places.entry(area.label()).or_default().entry(kind).or_default() += 1;
        if kind == Kind::Else && self.findings.len() < MAX_LISTED {
            let key_leaf = Leaf::Text(key.chars().take(MAX_TEXT).collect(), key.chars().count());
            self.findings.push(Finding {
                area: area.label(),
                key: classify::preview(&key_leaf),
                field: field.to_owned(),
                preview: classify::preview(value),
            });
        }
    }

    fn judge(&mut self, area: &Area, key: &str, field: &str, value: &Leaf) {
        let kind = classify::classify(area, key, field, value);
        self.add(area, key, field, value, kind);
    }
}

/// Scans everything; `progress` is told each place as it starts.
pub async fn scan(progress: impl Fn(&str)) -> DeviceScan {
    let mut out = DeviceScan::default();
    progress("IndexedDB");
    match js::database_names().await {
        Ok(names) => {
            for db in names {
                if let Err(e) = scan_database(&db, &mut out, &progress).await {
                    out.unreadable.push(format!("IndexedDB {db}: {}", e.0));
                }
            }
        }
        Err(e) => out.unreadable.push(format!("IndexedDB: {}", e.0)),
    }
    progress("Cache Storage");
    let hashes = app_files::recorded().await.map(|(h, _, _)| h);
    out.hashes_known = hashes.is_some();
    if let Err(e) = scan_caches(hashes.as_ref(), &mut out).await {
        out.unreadable.push(format!("Cache Storage: {}", e.0));
    }
    progress("localStorage, sessionStorage, cookies");
    for (which, area) in [("localStorage", Area::LocalStorage), ("sessionStorage", Area::SessionStorage)] {
        match js::web_storage(which) {
            Ok(items) => {
                for (key, value) in items {
                    let n = value.chars().count();
                    out.judge(&area, &key, "", &Leaf::Text(value.chars().take(MAX_TEXT).collect(), n));
                }
            }
            Err(e) => out.unreadable.push(format!("{which}: {}", e.0)),
        }
    }
    for cookie in js::cookie_text().split(';').map(str::trim).filter(|c| !c.is_empty()) {
        let (name, value) = cookie.split_once('=').unwrap_or(("", cookie));
        out.judge(&Area::Cookie, name, "", &Leaf::Text(value.to_owned(), value.chars().count()));
    }
    out
}

async fn scan_database(name: &str, out: &mut DeviceScan, progress: &impl Fn(&str)) -> JsResult<()> {
    let db = js::open_database(name).await?;
    let result = async {
        for store in js::store_names(&db) {
            progress(&format!("IndexedDB {name} / {store}"));
            let area = Area::IndexedDb { db: name.to_owned(), store: store.clone() };
            let mut after: Option<JsValue> = None;
            loop {
                let (keys, values) = js::store_page(&db, &store, after.as_ref(), PAGE).await?;
                for (key, value) in keys.iter().zip(values.iter()) {
                    let key_text = key_string(key);
                    out.judge(&area, &key_text, KEY_FIELD, &Leaf::Text(key_text.clone(), key_text.chars().count()));
                    let mut leaves = Vec::new();
                    let mut blobs = Vec::new();
                    walk(value, String::new(), 0, &mut leaves, &mut blobs);
                    for (path, blob) in blobs {
                        let head = js::blob_head(&blob, HEAD_BYTES).await?;
                        let size = js::get(&blob, "size").ok().and_then(|s| s.as_f64()).unwrap_or(0.0) as u64;
                        leaves.push((path, Leaf::Bytes(head, size)));
                    }
                    for (path, leaf) in leaves {
                        out.judge(&area, &key_text, &path, &leaf);
                    }
                }
                if (keys.len() as u32) < PAGE {
                    break;
                }
                after = keys.last().cloned();
            }
        }
        Ok(())
    }
    .await;
    let _ = js::call(&db, "close", &[]);
    result
}

/// A key as text (the app's keys are strings; others are shown as JSON-ish text).
fn key_string(key: &JsValue) -> String {
    key.as_string()
        .or_else(|| key.as_f64().map(|n| n.to_string()))
        .or_else(|| js_sys::JSON::stringify(key).ok().and_then(|s| s.as_string()))
        .unwrap_or_else(|| "?".into())
}

/// Walks a stored value down to its leaves; `Blob`s are set aside to be read.
fn walk(v: &JsValue, path: String, depth: usize, leaves: &mut Vec<(String, Leaf)>, blobs: &mut Vec<(String, JsValue)>) {
    let join = |name: &str| if path.is_empty() { name.to_owned() } else { format!("{path}.{name}") };
    if v.is_null() || v.is_undefined() {
        leaves.push((path, Leaf::Null));
    } else if let Some(b) = v.as_bool() {
        leaves.push((path, Leaf::Bool(b)));
    } else if let Some(n) = v.as_f64() {
        leaves.push((path, Leaf::Num(n)));
    } else if let Some(s) = v.as_string() {
        let n = s.chars().count();
        leaves.push((path, Leaf::Text(if n > MAX_TEXT { s.chars().take(MAX_TEXT).collect() } else { s }, n)));
    } else if v.is_instance_of::<js_sys::ArrayBuffer>() || js_sys::ArrayBuffer::is_view(v) {
        let bytes = if v.is_instance_of::<js_sys::ArrayBuffer>() {
            Uint8Array::new(v)
        } else {
            let buffer = js::get(v, "buffer").unwrap_or(JsValue::UNDEFINED);
            let offset = js::get(v, "byteOffset").ok().and_then(|n| n.as_f64()).unwrap_or(0.0) as u32;
            let len = js::get(v, "byteLength").ok().and_then(|n| n.as_f64()).unwrap_or(0.0) as u32;
            Uint8Array::new_with_byte_offset_and_length(&buffer, offset, len)
        };
        let total = bytes.length() as u64;
        let head = bytes.subarray(0, (HEAD_BYTES as u32).min(bytes.length())).to_vec();
        leaves.push((path, Leaf::Bytes(head, total)));
    } else if v.is_instance_of::<web_sys::Blob>() {
        blobs.push((path, v.clone()));
    } else if depth >= MAX_DEPTH {
        leaves.push((path, Leaf::Opaque("nested too deep".into())));
    } else if Array::is_array(v) {
        for (i, item) in Array::from(v).iter().enumerate() {
            walk(&item, join(&i.to_string()), depth + 1, leaves, blobs);
        }
    } else if let Some(obj) = v.dyn_ref::<Object>().filter(|o| is_plain(o)) {
        for entry in Object::entries(obj).iter() {
            let pair = Array::from(&entry);
            let name = pair.get(0).as_string().unwrap_or_default();
            walk(&pair.get(1), join(&name), depth + 1, leaves, blobs);
        }
    } else {
        let kind = js::get(v, "constructor").and_then(|c| js::get(&c, "name")).ok().and_then(|n| n.as_string());
        leaves.push((path, Leaf::Opaque(kind.unwrap_or_else(|| "value".into()))));
    }
}

fn is_plain(o: &Object) -> bool {
    let proto = Object::get_prototype_of(o);
    proto.is_null() || proto == Object::get_prototype_of(&Object::new())
}

async fn scan_caches(hashes: Option<&Hashes>, out: &mut DeviceScan) -> JsResult<()> {
    for name in js::cache_names().await? {
        let area = Area::CacheStorage { cache: name.clone() };
        let (cache, requests) = js::cache_requests(&name).await?;
        for (url, req) in requests {
            let body = js::cached_body(&cache, &req).await?;
            let path = url_path(&url);
            let expected = hashes.and_then(|h| h.get(&app_files::release_path(&path)));
            let served = js::sha256_hex(&body).await?;
            let head: Vec<u8> = body.iter().take(HEAD_BYTES).copied().collect();
            let leaf = Leaf::Bytes(head, body.len() as u64);
            let kind =
                if expected == Some(&served) { Kind::AppFile } else { classify::classify(&area, &path, "", &leaf) };
            out.add(&area, &path, "", &leaf, kind);
        }
    }
    Ok(())
}

/// The path of a same-origin URL (`http://host:port/a/b?x` → `/a/b`).
fn url_path(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    path.split(['?', '#']).next().unwrap_or("/").to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_cached_urls_path_is_what_the_hash_list_names() {
        assert_eq!(super::url_path("http://127.0.0.1:8080/locales/en.ftl?v=1"), "/locales/en.ftl");
        assert_eq!(super::url_path("https://amanat.example/"), "/");
        assert_eq!(super::url_path("https://amanat.example"), "/");
    }
}
