//! Argon2id in a one-off Web Worker, ended as soon as it answers, so its 64 MiB of
//! working memory (wiped by argon2's `zeroize` as well) goes with the worker instead of
//! staying in the page's wasm memory, which only grows.
//!
//! - **Worker side** ([`amanat_worker_derive`]): the worker is the key holder's
//!   opening worker script (`/open-worker.js`, which loads this crate's own wasm); it
//!   takes the passphrase (UTF-8, in a transferred buffer it wipes after use) and the
//!   salt, runs `shared::vault::master_key`, and answers the 32-byte master key in a
//!   transferred buffer; the wasm copy is wiped. In the release build the Argon2 code
//!   is in the `unlock` chunk, fetched by the worker on its call.
//! - **Page side** ([`master`]): starts the worker, sends the job, takes the answer
//!   (copied into a wiped-on-drop array, the JavaScript buffer zeroed), and terminates
//!   the worker whatever happened. HKDF into `auth` and the wrapping key is done on the
//!   page (`shared::vault::keys_from_master`, microseconds).
//!
//! A worker that cannot start or load answers [`ErrorCode::AppPartUnavailable`]; the
//! caller then derives on the page (the lock's reload still drops that memory).

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::oneshot;
use shared::vault::Salt;
use shared::ErrorCode;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use zeroize::Zeroizing;

use crate::adviser::pool::{get, start_worker};

// ---- in the worker ----

/// Worker: Argon2id over `passphrase` (UTF-8) and `salt`; answers the master key.
#[wasm_bindgen]
pub async fn amanat_worker_derive(passphrase: Vec<u8>, salt: Vec<u8>) -> Result<js_sys::Uint8Array, JsError> {
    let passphrase = Zeroizing::new(passphrase);
    let master = in_chunk::master(passphrase, salt).await.map_err(|c| JsError::new(c.code()))?;
    Ok(js_sys::Uint8Array::from(&master[..]))
}

fn master_now(passphrase: &[u8], salt: &[u8]) -> Result<Zeroizing<[u8; 32]>, ErrorCode> {
    let passphrase = std::str::from_utf8(passphrase).map_err(|_| ErrorCode::BadRequest)?;
    let salt = Salt(salt.try_into().map_err(|_| ErrorCode::BadRequest)?);
    shared::vault::master_key(passphrase, &salt)
}

#[cfg(feature = "split")]
mod in_chunk {
    use super::*;
    use leptos::wasm_split::{wasm_split, SplitLoaderError};

    type Loaded<T> = Result<Result<T, ErrorCode>, SplitLoaderError>;

    pub async fn master(passphrase: Zeroizing<Vec<u8>>, salt: Vec<u8>) -> Result<Zeroizing<[u8; 32]>, ErrorCode> {
        master_in_chunk(passphrase, salt).await.unwrap_or(Err(ErrorCode::AppPartUnavailable))
    }

    #[wasm_split(unlock, wasm_split_path = ::leptos::wasm_split, fallible)]
    fn master_in_chunk(passphrase: Zeroizing<Vec<u8>>, salt: Vec<u8>) -> Loaded<Zeroizing<[u8; 32]>> {
        Ok(master_now(&passphrase, &salt))
    }
}

#[cfg(not(feature = "split"))]
mod in_chunk {
    use super::*;

    pub async fn master(passphrase: Zeroizing<Vec<u8>>, salt: Vec<u8>) -> Result<Zeroizing<[u8; 32]>, ErrorCode> {
        master_now(&passphrase, &salt)
    }
}

// ---- on the page ----

type Reply = Result<Zeroizing<[u8; 32]>, ErrorCode>;

/// Reads the worker's answer: the master key (the JavaScript copy is zeroed), or why not.
fn reply_of(data: &JsValue) -> Reply {
    match get(data, "out").dyn_into::<js_sys::Uint8Array>() {
        Ok(out) => {
            let mut master = Zeroizing::new([0u8; 32]);
            let fits = out.length() == 32;
            if fits {
                out.copy_to(master.as_mut());
            }
            out.fill(0, 0, out.length());
            if fits {
                Ok(master)
            } else {
                Err(ErrorCode::AppPartUnavailable)
            }
        }
        Err(_) => Err(get(data, "error")
            .as_string()
            .and_then(|c| ErrorCode::from_code(&c))
            .unwrap_or(ErrorCode::AppPartUnavailable)),
    }
}

/// Runs Argon2id in a one-off worker (see the module doc) and ends it.
pub async fn master(passphrase: &str, salt: &Salt) -> Reply {
    let worker = start_worker().map_err(|_| ErrorCode::AppPartUnavailable)?;
    let (tx, rx) = oneshot::channel::<Reply>();
    let tx = Rc::new(RefCell::new(Some(tx)));
    let answer = {
        let tx = tx.clone();
        move |reply: Reply| {
            if let Some(tx) = tx.borrow_mut().take() {
                let _ = tx.send(reply);
            }
        }
    };
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new({
        let answer = answer.clone();
        move |event: web_sys::MessageEvent| answer(reply_of(&event.data()))
    });
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new({
        let answer = answer.clone();
        move |event: web_sys::Event| {
            event.prevent_default();
            answer(Err(ErrorCode::AppPartUnavailable));
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    worker.set_onmessageerror(Some(on_error.as_ref().unchecked_ref()));

    let msg = js_sys::Object::new();
    let set = |k: &str, v: &JsValue| js_sys::Reflect::set(&msg, &JsValue::from_str(k), v).map(drop);
    let secret = js_sys::Uint8Array::from(passphrase.as_bytes());
    let sent = set("job", &JsValue::from(0))
        .and_then(|()| set("derive", &secret))
        .and_then(|()| set("salt", &js_sys::Uint8Array::from(&salt.0[..])))
        .and_then(|()| worker.post_message_with_transfer(&msg, &js_sys::Array::of1(&secret.buffer())));
    let reply = match sent {
        Ok(()) => rx.await.unwrap_or(Err(ErrorCode::AppPartUnavailable)),
        Err(_) => {
            secret.fill(0, 0, secret.length());
            Err(ErrorCode::AppPartUnavailable)
        }
    };
    // Ended whatever happened: its memory (Argon2's 64 MiB) goes with it.
    worker.terminate();
    worker.set_onmessage(None);
    worker.set_onerror(None);
    worker.set_onmessageerror(None);
    drop((on_message, on_error));
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worker_derives_the_master_key_the_vault_derives_from() {
        let salt = Salt([3; shared::vault::SALT_LEN]);
        let master = master_now("walnut lantern harbour".as_bytes(), &salt.0).unwrap();
        let keys = shared::vault::keys_from_master(&master).unwrap();
        let whole = shared::vault::derive("walnut lantern harbour", &salt).unwrap();
        assert_eq!(keys.auth, whole.auth);
        assert_eq!(master_now(b"\xff", &salt.0).err(), Some(ErrorCode::BadRequest));
        assert_eq!(master_now(b"walnut", &[1, 2]).err(), Some(ErrorCode::BadRequest));
    }
}
