//! Enrolling and unlocking: passphrase → keys (`shared::vault::derive`) → the
//! personal identity, with or without the relay.
//!
//! Sign-in tries the device's cached wrapped identity first, so it works offline; the
//! relay session follows when the relay answers ([`follow_up`]). With no cached copy
//! (or one that the passphrase no longer opens, after a change on another device) it
//! asks the relay: the salt for the name, then the session with the derived `auth`.
//! A relay that refuses (wrong passphrase, disabled account) wins over the cached copy;
//! one that only asks to wait (429 `sign_in_delayed` after a stranger's wrong
//! passphrases from the same address, `rate_limited`) does not: the caseworker unlocks
//! on this device and the session is made later, no sooner than its `Retry-After`.
//! The passphrase itself never leaves this module's stack.
//!
//! The wrapped identity also holds the author key that signs every document
//! (`shared::authorship`): made at enrolment and sent as `author_key`. A vault wrapped
//! before that has none: unlocking it makes one, rewraps, keeps the rewrapped copy in
//! the device's cache at once (so the key is never lost), and registers it with `PUT
//! /api/v1/vault/author-key` when the relay answers ([`reconcile`]; retried at every
//! online unlock until the relay has one). The key lives in [`Unlocked`], dropped with
//! the identity at lock.

use std::sync::Arc;

use gloo_timers::future::TimeoutFuture;
use indexed_db_futures::database::Database;
use shared::api::Role;
use shared::authorship::AuthorKey;
use shared::seal;
use shared::vault::{
    self, AuthKey, ChangePassphrase, Enrol, PersonalKeys, RegisterAuthorKey, Salt, VaultKeys, WrappedIdentity,
};
use shared::ErrorCode;
use zeroize::Zeroizing;

use crate::local_db;
use crate::problem::Problem;
use crate::relay_client::{self, RelayError};
use crate::vault::{cache, kdf, Unlocked};

/// Lets the page paint ("Unlocking…") before the second of Argon2id.
async fn breathe() {
    TimeoutFuture::new(30).await;
}

async fn derive(passphrase: &str, salt: &str) -> Result<VaultKeys, Problem> {
    let salt = Salt::decode(salt).map_err(|_| ErrorCode::Corrupted)?;
    Ok(kdf::derive(passphrase, &salt).await?)
}

fn unlocked(w: &WrappedIdentity, identity: seal::Identity, author: Arc<AuthorKey>) -> Result<Unlocked, Problem> {
    let recipient = identity.to_public();
    if recipient.to_string() != w.recipient {
        return Err(ErrorCode::Corrupted.into());
    }
    Ok(Unlocked { name: w.name.clone(), role: w.role, identity, recipient, author })
}

/// Enrols (the relay's enrolment cookie stands for the link's token, see
/// `account::enrol_link`): checks the new passphrase (typed twice), makes a random
/// personal identity and author key, wraps them, and registers with the relay.
pub async fn enrol(name: &str, passphrase: &str, again: &str) -> Result<Unlocked, Problem> {
    if passphrase != again {
        return Err(ErrorCode::PassphraseMismatch.into());
    }
    vault::check_new_passphrase(passphrase, name)?;
    breathe().await;
    let salt = Salt::random();
    let keys = kdf::derive(passphrase, &salt).await?;
    let personal = seal::generate_identity();
    let author = Arc::new(AuthorKey::generate());
    let wrapped = kdf::wrap_identity(&personal, &author, &keys).await?;
    let recipient = personal.to_public().to_string();
    let author_key = Some(author.public().to_string());
    let body = Enrol {
        token: None,
        name: name.to_owned(),
        salt: salt.encode(),
        auth: keys.auth.encode(),
        wrapped_identity: vault::encode_wrapped(&wrapped),
        recipient: recipient.clone(),
        author_key: author_key.clone(),
    };
    let session = relay_client::vault_enrol(&body).await?;
    let w = WrappedIdentity {
        name: session.name,
        role: session.role,
        salt: body.salt,
        wrapped_identity: body.wrapped_identity,
        recipient,
        author_key,
    };
    let db = local_db::open().await?;
    cache::put(&db, &w).await?;
    unlocked(&w, personal, author)
}

/// Opens `w` with `keys`. A vault without an author key gets one here: rewrapped and
/// kept in the device's cache before anything else (its `author_key` stays `None`
/// until the relay has it, see [`reconcile`]). Gives the copy now in the cache.
async fn open(
    db: &Database,
    w: WrappedIdentity,
    keys: &VaultKeys,
) -> Result<(WrappedIdentity, seal::Identity, Arc<AuthorKey>), Problem> {
    let PersonalKeys { identity, author } = kdf::unwrap_identity(&decode(&w.wrapped_identity)?, keys).await?;
    match author {
        Some(author) => Ok((w, identity, Arc::new(author))),
        None => {
            let author = Arc::new(AuthorKey::generate());
            let rewrapped = kdf::wrap_identity(&identity, &author, keys).await?;
            let w = WrappedIdentity { wrapped_identity: vault::encode_wrapped(&rewrapped), author_key: None, ..w };
            cache::put(db, &w).await?;
            Ok((w, identity, author))
        }
    }
}

/// Brings the device's copy `local` (what was opened) and the relay's `fresh` answer
/// together, with the relay session up. When the relay has no author key for the
/// account, registers the one in `local` (and marks the copy registered); when it has
/// one, its copy is kept. A failure to register leaves `local` as it is, to retry at
/// the next online unlock: the key is never dropped for want of a relay.
async fn reconcile(db: &Database, local: &WrappedIdentity, fresh: WrappedIdentity, author: &AuthorKey) {
    let mine = author.public().to_string();
    if fresh.author_key.is_none() && fresh.salt == local.salt {
        let body = RegisterAuthorKey { author_key: mine.clone(), wrapped_identity: local.wrapped_identity.clone() };
        if relay_client::vault_register_author_key(&body).await.is_ok() {
            let registered = WrappedIdentity { author_key: Some(mine), ..local.clone() };
            let _ = cache::put(db, &registered).await;
        }
        return;
    }
    if fresh != *local {
        let _ = cache::put(db, &fresh).await;
    }
}

/// What signing in achieved.
pub struct SignedIn {
    pub unlocked: Unlocked,
    /// Whether the relay session exists now.
    pub online: bool,
    /// The relay credential to make the session with later (offline unlock only).
    pub pending_auth: Option<AuthKey>,
    /// Seconds the relay asked to wait before the session is made (its Retry-After).
    pub retry_after: Option<u32>,
    /// Whether the relay answered "not now" (429) rather than not at all.
    pub delayed: bool,
}

impl SignedIn {
    fn online(unlocked: Unlocked) -> Self {
        SignedIn { unlocked, online: true, pending_auth: None, retry_after: None, delayed: false }
    }
}

/// Signs in with name + passphrase (see the module doc for the order of attempts).
pub async fn sign_in(name: &str, passphrase: &str) -> Result<SignedIn, Problem> {
    let passphrase = Zeroizing::new(passphrase.to_owned());
    let db = local_db::open().await?;
    breathe().await;
    let cached = cache::get(&db, name).await?;
    let had_cache = cached.is_some();
    if let Some(cached) = cached {
        let keys = derive(&passphrase, &cached.salt).await?;
        match open(&db, cached, &keys).await {
            Ok((local, identity, author)) => {
                return match relay_client::vault_sign_in(name, &keys.auth.encode()).await {
                    Ok(fresh) => {
                        reconcile(&db, &local, fresh, &author).await;
                        Ok(SignedIn::online(unlocked(&local, identity, author)?))
                    }
                    // Unreachable, or a 429 (`sign_in_delayed` after someone's wrong
                    // passphrases, `rate_limited`): the passphrase opened this device's
                    // copy, so the caseworker works; the session follows, no sooner
                    // than the relay's Retry-After.
                    Err(e) if e.is_transient() => Ok(SignedIn {
                        unlocked: unlocked(&local, identity, author)?,
                        online: false,
                        pending_auth: Some(keys.auth.clone()),
                        retry_after: e.retry_after(),
                        delayed: e.is_busy(),
                    }),
                    // `wrong_passphrase` (changed on another device), `account_disabled`.
                    Err(refused) => Err(refused.into()),
                };
            }
            Err(Problem::Code(ErrorCode::WrongPassphrase)) => {} // maybe changed elsewhere: ask the relay
            Err(other) => return Err(other),
        }
    }
    let salt = match relay_client::vault_salt(name).await {
        Ok(s) => s.salt,
        Err(e) if e.is_transient() && had_cache => return Err(ErrorCode::WrongPassphrase.into()),
        Err(RelayError::Unavailable) => return Err(offline_first_time()),
        // A 429 with no copy on this device to open: its sentence (wait, and why).
        Err(e) => return Err(e.into()),
    };
    let keys = derive(&passphrase, &salt).await?;
    let w = relay_client::vault_sign_in(name, &keys.auth.encode()).await?;
    let keys = if w.salt == salt { keys } else { derive(&passphrase, &w.salt).await? };
    let (local, identity, author) = open(&db, w.clone(), &keys).await?;
    cache::put(&db, &local).await?;
    reconcile(&db, &local, w, &author).await;
    Ok(SignedIn::online(unlocked(&local, identity, author)?))
}

/// The sentence for "offline, and this device has never seen this account" (or the
/// passphrase did not open the cached copy and the relay cannot be asked).
fn offline_first_time() -> Problem {
    Problem::Message("vault-offline_unknown")
}

fn decode(wire: &str) -> Result<Vec<u8>, Problem> {
    Ok(vault::decode_wrapped(wire).map_err(|_| ErrorCode::Corrupted)?.into_bytes())
}

/// What a try at making the relay session after an offline unlock gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FollowUp {
    /// The session exists.
    Made,
    /// Not yet: the relay is unreachable or asked to wait (`retry_after` seconds).
    Later { retry_after: Option<u32> },
}

/// After an offline unlock: makes the relay session with the kept `auth` (and
/// registers the author key if the relay has none, see [`reconcile`]). A refusal
/// (`wrong_passphrase`, `account_disabled`) is an error: the guard locks.
pub async fn follow_up(name: &str, auth: &AuthKey, author: &AuthorKey) -> Result<FollowUp, Problem> {
    match relay_client::vault_sign_in(name, &auth.encode()).await {
        Ok(fresh) => {
            let db = local_db::open().await?;
            match cache::get(&db, name).await? {
                Some(local) => reconcile(&db, &local, fresh, author).await,
                None => cache::put(&db, &fresh).await?,
            }
            Ok(FollowUp::Made)
        }
        Err(e) if e.is_transient() => Ok(FollowUp::Later { retry_after: e.retry_after() }),
        Err(e) => Err(e.into()),
    }
}

/// Whether this page may be used by the role.
pub fn is_caseworker(role: Role) -> bool {
    role == Role::Caseworker
}

/// Changes the passphrase: the old one must open this device's copy, the new one
/// (typed twice, checked by the rules) wraps the *same* identity under a new salt, and
/// the relay swaps salt, `auth` hash and wrapped identity (it needs the old `auth`).
/// No record is re-encrypted. Needs the relay.
pub async fn change_passphrase(unlocked: &Unlocked, old: &str, new: &str, again: &str) -> Result<(), Problem> {
    if new != again {
        return Err(ErrorCode::PassphraseMismatch.into());
    }
    vault::check_new_passphrase(new, &unlocked.name)?;
    let db = local_db::open().await?;
    let cached = cache::get(&db, &unlocked.name).await?.ok_or(ErrorCode::NotEnrolled)?;
    breathe().await;
    let old_keys = derive(old, &cached.salt).await?;
    kdf::unwrap_identity(&decode(&cached.wrapped_identity)?, &old_keys).await?;
    let salt = Salt::random();
    let new_keys = kdf::derive(new, &salt).await?;
    let wrapped = kdf::wrap_identity(&unlocked.identity, &unlocked.author, &new_keys).await?;
    let body = ChangePassphrase {
        old_auth: old_keys.auth.encode(),
        salt: salt.encode(),
        auth: new_keys.auth.encode(),
        wrapped_identity: vault::encode_wrapped(&wrapped),
    };
    relay_client::vault_change_passphrase(&body).await?;
    let fresh = WrappedIdentity { salt: body.salt, wrapped_identity: body.wrapped_identity, ..cached };
    cache::put(&db, &fresh).await?;
    Ok(())
}
