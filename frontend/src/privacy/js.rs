//! The browser calls the privacy scan makes that no other part of the app does:
//! `indexedDB.databases()`, opening any database read-only, paging through any store,
//! Cache Storage, `localStorage`, `sessionStorage`, `document.cookie` and SubtleCrypto's
//! SHA-256. They are reached through `js_sys::Reflect` rather than more `web-sys`
//! features: a dozen calls used on one page do not justify rebuilding `web-sys` for
//! every part of the app.

use js_sys::{Array, Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// A failed browser call, as the browser described it (for the status line's detail).
#[derive(Clone, Debug)]
pub struct JsError(pub String);

impl From<JsValue> for JsError {
    fn from(v: JsValue) -> Self {
        let text = v
            .as_string()
            .or_else(|| Reflect::get(&v, &"message".into()).ok().and_then(|m| m.as_string()))
            .unwrap_or_else(|| "browser error".into());
        JsError(text)
    }
}

pub type JsResult<T> = Result<T, JsError>;

pub fn global() -> JsValue {
    js_sys::global().into()
}

pub fn get(obj: &JsValue, name: &str) -> JsResult<JsValue> {
    Ok(Reflect::get(obj, &JsValue::from_str(name))?)
}

pub fn call(obj: &JsValue, name: &str, args: &[JsValue]) -> JsResult<JsValue> {
    let f: Function = get(obj, name)?.dyn_into().map_err(|_| JsError(format!("{name} is not a function")))?;
    Ok(f.apply(obj, &args.iter().collect::<Array>())?)
}

/// Awaits a value that is (or resolves like) a promise.
pub async fn resolve(v: JsValue) -> JsResult<JsValue> {
    Ok(JsFuture::from(Promise::resolve(&v)).await?)
}

/// Awaits an `IDBRequest`: its `result` on success, its `error` on failure.
///
/// The handlers are `Closure::<dyn FnMut(_)>::new` like the rest of the app's (the wasm
/// splitter has been seen to mishandle other closure shapes); they live until the
/// request settles, then the future drops them.
pub async fn request(req: JsValue) -> JsResult<JsValue> {
    let (tx, rx) = futures::channel::oneshot::channel::<Result<JsValue, JsValue>>();
    let tx = std::rc::Rc::new(std::cell::RefCell::new(Some(tx)));
    let (ok_tx, err_tx) = (tx.clone(), tx);
    let (ok_req, err_req) = (req.clone(), req.clone());
    let on_ok = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
        if let Some(tx) = ok_tx.borrow_mut().take() {
            let _ = tx.send(Ok(Reflect::get(&ok_req, &"result".into()).unwrap_or(JsValue::UNDEFINED)));
        }
    });
    let on_err = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
        if let Some(tx) = err_tx.borrow_mut().take() {
            let _ = tx.send(Err(Reflect::get(&err_req, &"error".into()).unwrap_or(JsValue::UNDEFINED)));
        }
    });
    Reflect::set(&req, &"onsuccess".into(), on_ok.as_ref())?;
    Reflect::set(&req, &"onerror".into(), on_err.as_ref())?;
    let result = rx.await.map_err(|_| JsError("the request was dropped".into()))?;
    // The request has settled: neither handler runs again.
    let _ = Reflect::set(&req, &"onsuccess".into(), &JsValue::NULL);
    let _ = Reflect::set(&req, &"onerror".into(), &JsValue::NULL);
    drop((on_ok, on_err));
    Ok(result?)
}

/// The elements of a JS array (or array-like `DOMStringList`).
pub fn items(list: &JsValue) -> Vec<JsValue> {
    let n = get(list, "length").ok().and_then(|l| l.as_f64()).unwrap_or(0.0) as u32;
    (0..n).filter_map(|i| Reflect::get_u32(list, i).ok()).collect()
}

pub fn string(v: &JsValue, name: &str) -> Option<String> {
    get(v, name).ok().and_then(|s| s.as_string())
}

/// The names of the origin's IndexedDB databases.
pub async fn database_names() -> JsResult<Vec<String>> {
    let factory = get(&global(), "indexedDB")?;
    let list = resolve(call(&factory, "databases", &[])?).await?;
    Ok(items(&list).iter().filter_map(|d| string(d, "name")).collect())
}

/// Opens an existing database at its current version (no upgrade, no schema change).
pub async fn open_database(name: &str) -> JsResult<JsValue> {
    let factory = get(&global(), "indexedDB")?;
    request(call(&factory, "open", &[name.into()])?).await
}

pub fn store_names(db: &JsValue) -> Vec<String> {
    get(db, "objectStoreNames").map(|l| items(&l).iter().filter_map(|s| s.as_string()).collect()).unwrap_or_default()
}

/// One page of a store, in key order, after `after` (exclusive): keys and values.
pub async fn store_page(
    db: &JsValue,
    store: &str,
    after: Option<&JsValue>,
    count: u32,
) -> JsResult<(Vec<JsValue>, Vec<JsValue>)> {
    let tx = call(db, "transaction", &[store.into(), "readonly".into()])?;
    let os = call(&tx, "objectStore", &[store.into()])?;
    let range = match after {
        Some(k) => call(&get(&global(), "IDBKeyRange")?, "lowerBound", &[k.clone(), JsValue::TRUE])?,
        None => JsValue::UNDEFINED,
    };
    // Both requests go out in the same transaction before either is awaited, so they
    // see the same records.
    let keys = call(&os, "getAllKeys", &[range.clone(), count.into()])?;
    let values = call(&os, "getAll", &[range, count.into()])?;
    let keys = request(keys).await?;
    let values = request(values).await?;
    Ok((items(&keys), items(&values)))
}

/// `localStorage` or `sessionStorage` as (key, value) pairs.
pub fn web_storage(which: &str) -> JsResult<Vec<(String, String)>> {
    let storage = get(&global(), which)?;
    let n = get(&storage, "length")?.as_f64().unwrap_or(0.0) as u32;
    let mut out = Vec::new();
    for i in 0..n {
        let Some(key) = call(&storage, "key", &[i.into()])?.as_string() else { continue };
        let value = call(&storage, "getItem", &[key.clone().into()])?.as_string().unwrap_or_default();
        out.push((key, value));
    }
    Ok(out)
}

/// The cookies scripts can read (`document.cookie`).
pub fn cookie_text() -> String {
    get(&global(), "document").and_then(|d| get(&d, "cookie")).ok().and_then(|c| c.as_string()).unwrap_or_default()
}

/// Every (cache name, request URL, response) of the origin's Cache Storage.
pub async fn cache_names() -> JsResult<Vec<String>> {
    let caches = get(&global(), "caches")?;
    if caches.is_undefined() {
        return Ok(Vec::new());
    }
    let names = resolve(call(&caches, "keys", &[])?).await?;
    Ok(items(&names).iter().filter_map(|n| n.as_string()).collect())
}

/// The requests a cache holds: (URL, request).
pub async fn cache_requests(name: &str) -> JsResult<(JsValue, Vec<(String, JsValue)>)> {
    let caches = get(&global(), "caches")?;
    let cache = resolve(call(&caches, "open", &[name.into()])?).await?;
    let reqs = resolve(call(&cache, "keys", &[])?).await?;
    Ok((cache.clone(), items(&reqs).into_iter().filter_map(|r| string(&r, "url").map(|u| (u, r))).collect()))
}

/// The body of the response a cache keeps for a request.
pub async fn cached_body(cache: &JsValue, req: &JsValue) -> JsResult<Vec<u8>> {
    let resp = resolve(call(cache, "match", std::slice::from_ref(req))?).await?;
    if resp.is_undefined() {
        return Ok(Vec::new());
    }
    let buf = resolve(call(&resp, "arrayBuffer", &[])?).await?;
    Ok(Uint8Array::new(&buf).to_vec())
}

/// The first `n` bytes of a `Blob`.
pub async fn blob_head(blob: &JsValue, n: usize) -> JsResult<Vec<u8>> {
    let part = call(blob, "slice", &[0.into(), (n as f64).into()])?;
    let buf = resolve(call(&part, "arrayBuffer", &[])?).await?;
    Ok(Uint8Array::new(&buf).to_vec())
}

/// Lowercase hex SHA-256, computed by the browser's own SubtleCrypto.
pub async fn sha256_hex(bytes: &[u8]) -> JsResult<String> {
    let subtle = get(&get(&global(), "crypto")?, "subtle")?;
    let data = Uint8Array::from(bytes);
    let digest = resolve(call(&subtle, "digest", &["SHA-256".into(), data.into()])?).await?;
    Ok(hex::encode(Uint8Array::new(&digest).to_vec()))
}
