//! The heavy half of unlocking — Argon2id with HKDF, and opening or sealing the
//! wrapped identity with age — behind one split point.
//!
//! In the release build (`split` feature) this code (argon2, blake2 and age's X25519
//! decryption) sits in the `unlock` wasm chunk, which the sign-in page fetches in the
//! background after its first paint ([`preload`]), so the first paint does not carry
//! it and pressing "Unlock" does not wait for it. The service worker keeps the chunk
//! for offline unlocking. In tests the same functions are called directly.
//!
//! Argon2id itself runs in a one-off Web Worker on the app's page
//! ([`super::kdf_worker`], the same chunk loaded in the worker), ended after each
//! derive so its 64 MiB go with it.

use shared::authorship::AuthorKey;
use shared::seal::{Ciphertext, Identity};
use shared::vault::{self, PersonalKeys, Salt, VaultKeys};
use shared::ErrorCode;
use std::sync::Arc;
use zeroize::Zeroizing;

/// Argon2id + HKDF (`shared::vault::derive`). On the app's page Argon2id runs in a
/// one-off worker that is ended afterwards ([`super::kdf_worker`]); where no worker can
/// run (a browser test's page, a worker that fails to load) it runs here.
pub async fn derive(passphrase: &str, salt: &Salt) -> Result<VaultKeys, ErrorCode> {
    if crate::lock::is_app_page() {
        match super::kdf_worker::master(passphrase, salt).await {
            Ok(master) => return imp::keys(master).await,
            Err(ErrorCode::AppPartUnavailable) => {} // no worker: derive on the page
            Err(e) => return Err(e),
        }
    }
    let passphrase = Zeroizing::new(passphrase.to_owned());
    imp::derive(passphrase, *salt).await
}

/// Opens a wrapped identity and the author key beside it (`shared::vault::unwrap_identity`).
pub async fn unwrap_identity(wrapped: &[u8], keys: &VaultKeys) -> Result<PersonalKeys, ErrorCode> {
    imp::unwrap(wrapped.to_vec(), keys.clone()).await
}

/// Seals the personal identity and the author key to the wrapping key
/// (`shared::vault::wrap_identity`). The author key is shared (it wipes itself when
/// the last holder drops it), not copied.
pub async fn wrap_identity(
    personal: &Identity,
    author: &Arc<AuthorKey>,
    keys: &VaultKeys,
) -> Result<Ciphertext, ErrorCode> {
    imp::wrap(personal.clone(), author.clone(), keys.clone()).await
}

/// Fetches the chunk now (the sign-in page awaits it in the background once painted).
/// A failure is not kept: the real call retries and reports it.
pub async fn preload() {
    #[cfg(feature = "split")]
    imp::preload().await;
}

#[cfg(feature = "split")]
mod imp {
    use super::*;
    use leptos::wasm_split::{wasm_split, SplitLoaderError};

    type Loaded<T> = Result<Result<T, ErrorCode>, SplitLoaderError>;

    pub async fn preload() {
        let _ = __preload_unlock().await;
    }

    fn flat<T>(r: Loaded<T>) -> Result<T, ErrorCode> {
        r.unwrap_or(Err(ErrorCode::AppPartUnavailable))
    }

    pub async fn derive(passphrase: Zeroizing<String>, salt: Salt) -> Result<VaultKeys, ErrorCode> {
        flat(derive_in_chunk(passphrase, salt).await)
    }
    pub async fn keys(master: Zeroizing<[u8; 32]>) -> Result<VaultKeys, ErrorCode> {
        flat(keys_in_chunk(master).await)
    }
    pub async fn unwrap(wrapped: Vec<u8>, keys: VaultKeys) -> Result<PersonalKeys, ErrorCode> {
        flat(unwrap_in_chunk(wrapped, keys).await)
    }
    pub async fn wrap(personal: Identity, author: Arc<AuthorKey>, keys: VaultKeys) -> Result<Ciphertext, ErrorCode> {
        flat(wrap_in_chunk(personal, author, keys).await)
    }

    #[wasm_split(unlock, wasm_split_path = ::leptos::wasm_split, fallible, preload(__preload_unlock))]
    fn derive_in_chunk(passphrase: Zeroizing<String>, salt: Salt) -> Loaded<VaultKeys> {
        Ok(vault::derive(&passphrase, &salt))
    }

    #[wasm_split(unlock, wasm_split_path = ::leptos::wasm_split, fallible)]
    fn keys_in_chunk(master: Zeroizing<[u8; 32]>) -> Loaded<VaultKeys> {
        Ok(vault::keys_from_master(&master))
    }

    #[wasm_split(unlock, wasm_split_path = ::leptos::wasm_split, fallible)]
    fn unwrap_in_chunk(wrapped: Vec<u8>, keys: VaultKeys) -> Loaded<PersonalKeys> {
        Ok(vault::unwrap_identity(&wrapped, &keys))
    }

    #[wasm_split(unlock, wasm_split_path = ::leptos::wasm_split, fallible)]
    fn wrap_in_chunk(personal: Identity, author: Arc<AuthorKey>, keys: VaultKeys) -> Loaded<Ciphertext> {
        Ok(vault::wrap_identity(&personal, &author, &keys))
    }
}

#[cfg(not(feature = "split"))]
mod imp {
    use super::*;

    pub async fn derive(passphrase: Zeroizing<String>, salt: Salt) -> Result<VaultKeys, ErrorCode> {
        vault::derive(&passphrase, &salt)
    }
    pub async fn keys(master: Zeroizing<[u8; 32]>) -> Result<VaultKeys, ErrorCode> {
        vault::keys_from_master(&master)
    }
    pub async fn unwrap(wrapped: Vec<u8>, keys: VaultKeys) -> Result<PersonalKeys, ErrorCode> {
        vault::unwrap_identity(&wrapped, &keys)
    }
    pub async fn wrap(personal: Identity, author: Arc<AuthorKey>, keys: VaultKeys) -> Result<Ciphertext, ErrorCode> {
        vault::wrap_identity(&personal, &author, &keys)
    }
}
