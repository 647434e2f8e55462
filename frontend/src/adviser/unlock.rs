//! Unlocking a passphrase-protected identity file (`age -p`) off the page's thread.
//!
//! scrypt at the work factor `age -p` writes (18: 256 MiB, seconds in wasm) would hold
//! the page still for as long; here it runs in a one-off Web Worker started
//! from `/open-worker.js` (the opening workers' script, which loads this crate's own
//! wasm), so the page keeps drawing, the card shows its progress and Cancel works.
//!
//! - **Worker side** ([`amanat_worker_unlock`]): takes the identity file as chosen and
//!   the passphrase (UTF-8 bytes), checks the file again (`shared::seal`'s
//!   [`read_identity_file`]: one scrypt stanza, the work factor cap) and unlocks it;
//!   answers the identities as identity-file text, or an error code (a wrong passphrase
//!   is `identity_passphrase_wrong`). That text is built in wiped-on-drop buffers and
//!   copied out to JavaScript; the copy in wasm memory is wiped. In the release build
//!   the code is in the `key_unlock` chunk of the split build, fetched by the worker on
//!   first use.
//! - **Page side** ([`Unlocking`]): one worker per unlock, ended as soon as it answers,
//!   on Cancel ([`Unlocking::cancel`]) and when the key is forgotten (lock, idle, page
//!   left); a worker error or an answer that cannot be read (`messageerror`) fails it.
//!   The passphrase goes to the worker in a transferred buffer (the page keeps no
//!   copy of those bytes) which the worker wipes after use; the identity text comes back
//!   in a transferred buffer the page parses and wipes. What JavaScript strings held (the
//!   input's value) cannot be wiped; it is never stored.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::channel::oneshot;
use shared::seal::{identity_file, parse_identity_file, read_identity_file, Identity, IdentityFile};
use shared::ErrorCode;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use zeroize::Zeroizing;

use super::pool::{get, start_worker};

// ---- in the worker ----

/// Worker: unlocks a passphrase-protected identity file; answers the identities as
/// identity-file text (UTF-8), or fails with an [`ErrorCode`]'s code. The text is
/// copied out to JavaScript and its copy in wasm memory wiped.
#[wasm_bindgen]
pub async fn amanat_worker_unlock(file: Vec<u8>, passphrase: Vec<u8>) -> Result<js_sys::Uint8Array, JsError> {
    let passphrase = Zeroizing::new(passphrase);
    let text = in_chunk::unlock(file, passphrase).await.map_err(|c| JsError::new(c.code()))?;
    Ok(js_sys::Uint8Array::from(&text[..]))
}

/// Checks the file, runs scrypt, and writes the identities out as an identity file. Every
/// copy of the secret text made here is wiped when dropped (the output is allocated once,
/// at its full length, so no growing leaves a copy behind).
fn unlock_now(file: &[u8], passphrase: &[u8]) -> Result<Zeroizing<Vec<u8>>, ErrorCode> {
    let passphrase = std::str::from_utf8(passphrase).map_err(|_| ErrorCode::IdentityPassphraseWrong)?;
    let IdentityFile::Protected(protected) = read_identity_file(file)? else {
        // Only protected files are sent here; a plain one is read on the page.
        return Err(ErrorCode::BadIdentityFile);
    };
    let ids = protected.unlock(passphrase)?;
    let texts: Vec<Zeroizing<String>> = ids.iter().map(|i| Zeroizing::new(identity_file(i, "key holder"))).collect();
    let mut out = Zeroizing::new(Vec::with_capacity(texts.iter().map(|t| t.len()).sum()));
    for t in &texts {
        out.extend_from_slice(t.as_bytes());
    }
    Ok(out)
}

/// In the release build scrypt (and age's passphrase stanza) live in a wasm chunk of
/// their own, `key_unlock`, which only an unlocking worker fetches.
#[cfg(feature = "split")]
mod in_chunk {
    use super::*;
    use leptos::wasm_split::{wasm_split, SplitLoaderError};

    type Loaded<T> = Result<Result<T, ErrorCode>, SplitLoaderError>;

    pub async fn unlock(file: Vec<u8>, passphrase: Zeroizing<Vec<u8>>) -> Result<Zeroizing<Vec<u8>>, ErrorCode> {
        unlock_in_chunk(file, passphrase).await.unwrap_or(Err(ErrorCode::AppPartUnavailable))
    }

    #[wasm_split(key_unlock, wasm_split_path = ::leptos::wasm_split, fallible)]
    fn unlock_in_chunk(file: Vec<u8>, passphrase: Zeroizing<Vec<u8>>) -> Loaded<Zeroizing<Vec<u8>>> {
        Ok(unlock_now(&file, &passphrase))
    }
}

#[cfg(not(feature = "split"))]
mod in_chunk {
    use super::*;

    pub async fn unlock(file: Vec<u8>, passphrase: Zeroizing<Vec<u8>>) -> Result<Zeroizing<Vec<u8>>, ErrorCode> {
        unlock_now(&file, &passphrase)
    }
}

// ---- on the page ----

/// Why an unlock gave no identities.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnlockError {
    /// The worker answered an error (a wrong passphrase, a file refused), or could not
    /// run at all ([`ErrorCode::AppPartUnavailable`]).
    Failed(ErrorCode),
    /// Cancelled, or the key was forgotten meanwhile: the worker was ended.
    Cancelled,
}

type Reply = Result<Vec<Identity>, UnlockError>;

/// The worker of the unlock under way, with its handlers; dropping it ends the worker.
struct Running {
    worker: web_sys::Worker,
    reply: Option<oneshot::Sender<Reply>>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
    _on_message_error: Closure<dyn FnMut(web_sys::MessageEvent)>,
}

impl Running {
    /// Ends the worker and answers the unlock (once). The handlers are dropped a task
    /// later: this may be running inside one of them.
    fn finish(mut self, reply: Reply) {
        self.worker.terminate();
        if let Some(tx) = self.reply.take() {
            let _ = tx.send(reply);
        }
        wasm_bindgen_futures::spawn_local(async move { drop(self) });
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// The card's unlocking worker: at most one at a time. Cloning shares it.
#[derive(Clone, Default)]
pub struct Unlocking {
    running: Rc<RefCell<Option<Running>>>,
    /// Bumped by every [`Unlocking::cancel`] (and so by every new unlock): an answer
    /// already on its way when the unlock was cancelled or the key forgotten is known
    /// stale by it ([`Unlocking::generation`]).
    generation: Rc<Cell<u64>>,
}

/// Reads the worker's answer: the identities (the text it came in is wiped), or why not.
fn reply_of(data: &JsValue) -> Reply {
    match get(data, "out").dyn_into::<js_sys::Uint8Array>() {
        Ok(out) => {
            let text = Zeroizing::new(out.to_vec());
            out.fill(0, 0, out.length());
            std::str::from_utf8(&text)
                .map_err(|_| ErrorCode::BadIdentityFile)
                .and_then(parse_identity_file)
                .map_err(UnlockError::Failed)
        }
        Err(_) => {
            let code = get(data, "error").as_string().and_then(|c| ErrorCode::from_code(&c));
            // Anything else is the worker failing to run (scrypt out of memory, say).
            Err(UnlockError::Failed(code.unwrap_or(ErrorCode::AppPartUnavailable)))
        }
    }
}

impl Unlocking {
    /// Whether an unlock is under way.
    pub fn is_running(&self) -> bool {
        self.running.borrow().is_some()
    }

    /// Which unlock is current: changes at every [`Unlocking::cancel`]. The worker's
    /// answer can already be on its way to the page when the key is forgotten (the
    /// oneshot is answered, the awaiting task not yet run): whoever awaits an unlock
    /// compares the generation it started in with this one before using the identities.
    pub fn generation(&self) -> u64 {
        self.generation.get()
    }

    /// Ends the worker under way, if any; its unlock resolves as [`UnlockError::Cancelled`].
    /// Any answer already sent becomes stale ([`Unlocking::generation`] changes).
    pub fn cancel(&self) {
        self.generation.set(self.generation.get().wrapping_add(1));
        let running = self.running.borrow_mut().take();
        if let Some(r) = running {
            r.finish(Err(UnlockError::Cancelled));
        }
    }

    /// Starts a worker and unlocks `file` (a protected identity file as chosen) with
    /// `passphrase`; an unlock already under way is cancelled first. Resolves with the
    /// identities once the worker answers; the worker is then ended.
    pub fn unlock(&self, file: &[u8], passphrase: &str) -> impl std::future::Future<Output = Reply> {
        self.cancel();
        let (tx, rx) = oneshot::channel();
        let started = self.start(file, passphrase, tx);
        async move {
            started?;
            rx.await.unwrap_or(Err(UnlockError::Cancelled))
        }
    }

    fn start(&self, file: &[u8], passphrase: &str, tx: oneshot::Sender<Reply>) -> Result<(), UnlockError> {
        let worker = start_worker().map_err(|_| UnlockError::Failed(ErrorCode::AppPartUnavailable))?;
        // Either handler ends the worker and answers once (the first to take `running`).
        let finish = {
            let running = self.running.clone();
            move |reply: Reply| {
                let taken = running.borrow_mut().take();
                if let Some(r) = taken {
                    r.finish(reply);
                }
            }
        };
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new({
            let finish = finish.clone();
            move |event: web_sys::MessageEvent| finish(reply_of(&event.data()))
        });
        // A worker that cannot load (the wasm, the chunk) fails the unlock.
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new({
            let finish = finish.clone();
            move |event: web_sys::Event| {
                event.prevent_default();
                finish(Err(UnlockError::Failed(ErrorCode::AppPartUnavailable)));
            }
        });
        // An answer that cannot be read on this side (it could not be deserialised):
        // no answer will come, so it fails the same way.
        let on_message_error = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_: web_sys::MessageEvent| {
            finish(Err(UnlockError::Failed(ErrorCode::AppPartUnavailable)));
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        worker.set_onmessageerror(Some(on_message_error.as_ref().unchecked_ref()));

        let msg = js_sys::Object::new();
        let set = |k: &str, v: &JsValue| js_sys::Reflect::set(&msg, &JsValue::from_str(k), v).map(drop);
        let secret = js_sys::Uint8Array::from(passphrase.as_bytes());
        let sent = set("job", &JsValue::from(0))
            .and_then(|()| set("unlock", &js_sys::Uint8Array::from(file)))
            .and_then(|()| set("passphrase", &secret))
            .and_then(|()| worker.post_message_with_transfer(&msg, &js_sys::Array::of1(&secret.buffer())));
        if sent.is_err() {
            secret.fill(0, 0, secret.length());
            worker.terminate();
            return Err(UnlockError::Failed(ErrorCode::AppPartUnavailable));
        }
        *self.running.borrow_mut() = Some(Running {
            worker,
            reply: Some(tx),
            _on_message: on_message,
            _on_error: on_error,
            _on_message_error: on_message_error,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A test identity file protected by `age -e -p -a` (work factor 18) with the
    /// passphrase "walnut lantern"; the identity inside is [`PUBLIC`]'s.
    const PROTECTED: &str = "-----BEGIN AGE ENCRYPTED FILE-----
YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IHNjcnlwdCAyVFNWNEV0RllpcVJ5eVNI
Uit4WGRnIDE4CkNFWTJiMzFLS3JzaG1RbW1zRENuSWVmamRyUUFUdVltK1pjN3hm
UVpMc3cKLS0tIGtYbi9JU2tHcHF4a1VYV3lOdXYyQXQ2NnM2cFdwbmRmZGR4anpI
b2l2bVkK27zSJuZ/f1flwj3gqdH0gtvZnrA4GyWcdhxjwHiskhVvLGHvW1mE56Z7
dnj4/Le4EY6K7jHl3jP63PHlbevmplbRoY3KQrpqD8Zt8WahKhwqAsOZ1IxgYNP9
ZRrhjP6pVB9VIgvAaFWBYcFc8M2mwC3ATG2B+OwjGenC3VHw4GPxkOOjsky3ZX5/
5MiUkYlSc4fknSWHxtYFFhOssmkd7GWeGrNJAc3x9wVsiXoSQ7u0/2C400dZqoJg
FRZTkQIouuwb8pJvAFESkP6guQUbv9tYSRYGeLTT
-----END AGE ENCRYPTED FILE-----
";
    const PUBLIC: &str = "age1elxkn7w2rhvjlvj0ksfesrgk74qanerwl32vh5alc6u38fck6ymquw5dw4";

    #[test]
    fn cancelling_makes_an_answer_already_sent_stale() {
        let unlocking = Unlocking::default();
        let shared = unlocking.clone();
        let started = unlocking.generation();
        assert_eq!(shared.generation(), started);
        shared.cancel(); // nothing running: still a new generation
        assert_ne!(unlocking.generation(), started, "a cancel (forget, lock, another tab) is seen by every clone");
        assert!(!unlocking.is_running());
    }

    #[test]
    fn the_worker_answers_the_identities_as_a_file_or_says_the_passphrase_is_wrong() {
        let text = unlock_now(PROTECTED.as_bytes(), b"walnut lantern").unwrap();
        let ids = parse_identity_file(std::str::from_utf8(&text).unwrap()).unwrap();
        assert_eq!(ids.iter().map(|i| i.to_public().to_string()).collect::<Vec<_>>(), [PUBLIC]);
        assert_eq!(unlock_now(PROTECTED.as_bytes(), b"walnut lanterns"), Err(ErrorCode::IdentityPassphraseWrong));
        assert_eq!(unlock_now(PROTECTED.as_bytes(), b"\xff\xfe"), Err(ErrorCode::IdentityPassphraseWrong), "not UTF-8");
        let plain = identity_file(&shared::seal::generate_identity(), "plain");
        assert_eq!(
            unlock_now(plain.as_bytes(), b"x"),
            Err(ErrorCode::BadIdentityFile),
            "only protected files come here"
        );
    }
}
