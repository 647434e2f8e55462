//! The caseworker vault in the browser: who is unlocked, and locking.
//!
//! A caseworker unlocks with name + passphrase ([`unlock`]): the passphrase derives
//! (Argon2id, `shared::vault`) the key that opens their wrapped personal identity,
//! cached on the device ([`cache`]) so it also works offline. The unlocked identity
//! lives only in this module's signal, in memory. Locking (End session, idle, another
//! tab locking, leaving the page — see [`guard`]) drops it: the workspace unmounts, so
//! no decrypted record and no form content stays in the DOM, the relay session is
//! ended (its answer clears the HTTP cache), and then the page reloads (`crate::lock`),
//! so the wasm instance whose memory held the keys is dropped whole. The outbox stays:
//! ciphertext.

pub mod cache;
pub mod guard;
pub mod kdf;
pub mod settings;
pub mod unlock;

use std::sync::Arc;

use leptos::prelude::*;
use shared::api::Role;
use shared::authorship::AuthorKey;
use shared::seal::{Identity, Recipient};
use shared::vault::AuthKey;

use crate::relay_client;

/// An unlocked caseworker: their personal identity and author key, in memory only
/// (the author key wipes itself when this, its only lasting holder, is dropped).
pub struct Unlocked {
    pub name: String,
    pub role: Role,
    pub identity: Identity,
    pub recipient: Recipient,
    /// Signs every document this caseworker seals (`shared::authorship`).
    pub author: Arc<AuthorKey>,
}

pub use crate::lock::LockReason;

/// The vault's state, shared through context.
#[derive(Clone, Copy)]
pub struct Vault {
    pub unlocked: RwSignal<Option<Arc<Unlocked>>>,
    /// Whether the relay session exists (false after an offline unlock, until it follows).
    pub online: RwSignal<bool>,
    pub last_lock: RwSignal<Option<LockReason>>,
    /// Seconds without input before locking (organisation setting, see [`settings`]).
    pub idle_seconds: RwSignal<u32>,
    /// Set while the relay session is still to be made (unlocked offline): the relay
    /// credential, kept until the relay answers, then dropped. Never stored.
    pub pending_auth: StoredValue<Option<AuthKey>>,
    /// Not before this time (`Date.now()` milliseconds) does the guard try to make the
    /// relay session after an offline unlock: the relay's `Retry-After` after a 429.
    pub follow_up_at: StoredValue<f64>,
}

impl Vault {
    /// Makes the vault for the page and installs the lock guards.
    pub fn provide() -> Self {
        let vault = Vault {
            unlocked: RwSignal::new(None),
            online: RwSignal::new(false),
            // Said after the reload that ended the last lock (`crate::lock`).
            last_lock: RwSignal::new(crate::lock::last_reason()),
            idle_seconds: RwSignal::new(shared::vault::DEFAULT_IDLE_LOCK_MINUTES * 60),
            pending_auth: StoredValue::new(None),
            follow_up_at: StoredValue::new(0.0),
        };
        provide_context(vault);
        guard::install(vault);
        vault
    }

    pub fn is_unlocked(&self) -> bool {
        self.unlocked.with_untracked(Option::is_some)
    }

    /// Unlocks with an identity opened by [`unlock`].
    pub fn open(&self, unlocked: Unlocked, online: bool, pending_auth: Option<AuthKey>) {
        self.open_later(unlocked, online, pending_auth, None);
    }

    /// Unlocks, and makes the relay session no sooner than `retry_after` seconds from
    /// now (the relay answered 429 at unlock).
    pub fn open_later(&self, unlocked: Unlocked, online: bool, pending_auth: Option<AuthKey>, retry_after: Option<u32>) {
        let wait = f64::from(retry_after.unwrap_or(0)) * 1_000.0;
        self.follow_up_at.set_value(js_sys::Date::now() + wait);
        self.pending_auth.set_value(pending_auth);
        self.online.set(online);
        self.last_lock.set(None);
        self.unlocked.set(Some(Arc::new(unlocked)));
    }

    /// Locks this tab and tells every other tab of the app to lock too.
    pub fn lock(&self, reason: LockReason) {
        let was = self.wipe(reason);
        crate::lock::broadcast();
        self.reload_if(was, reason);
    }

    /// Locks this tab only (another tab already locked everyone).
    pub fn lock_here(&self, reason: LockReason) {
        let was = self.wipe(reason);
        self.reload_if(was, reason);
    }

    /// Drops the identity (the workspace unmounts with it) and the pending relay
    /// credential, and ends the relay session; whether anything was unlocked.
    fn wipe(&self, reason: LockReason) -> bool {
        let was = self.unlocked.try_update(|u| u.take().is_some()).unwrap_or(false);
        self.pending_auth.try_set_value(None);
        self.online.try_set(false);
        if was {
            self.last_lock.try_set(Some(reason));
            // Ends the relay session (its answer carries Clear-Site-Data: "cache"), with a
            // request that survives the page's unload (or reload) that follows.
            relay_client::sign_out_keepalive();
        }
        was
    }

    /// After a lock, the page reloads so the wasm memory that held the keys goes with
    /// the old instance (`crate::lock`); leaving the page needs no reload, only the reason.
    fn reload_if(&self, was: bool, reason: LockReason) {
        if !was {
            return;
        }
        if reason == LockReason::PageLeft {
            crate::lock::remember(reason);
        } else {
            crate::lock::finish(reason);
        }
    }
}

/// The page's vault.
pub fn use_vault() -> Vault {
    expect_context::<Vault>()
}
