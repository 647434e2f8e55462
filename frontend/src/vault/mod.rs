//! The caseworker vault in the browser: who is unlocked, and locking.
//!
//! A caseworker unlocks with name + passphrase ([`unlock`]): the passphrase derives
//! (Argon2id, `shared::vault`) the key that opens their wrapped personal identity,
//! cached on the device ([`cache`]) so it also works offline. The unlocked identity
//! lives only in this module's signal, in memory. Locking (End session, idle, another
//! tab locking, leaving the page — see [`guard`]) drops it: the workspace unmounts, so
//! no decrypted record and no form content stays in memory or in the DOM, and the relay
//! session is ended (its answer clears the HTTP cache). The outbox stays: ciphertext.

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

/// Why the vault locked (what the sign-in page says).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockReason {
    Ended,
    Idle,
    OtherTab,
}

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
}

impl Vault {
    /// Makes the vault for the page and installs the lock guards.
    pub fn provide() -> Self {
        let vault = Vault {
            unlocked: RwSignal::new(None),
            online: RwSignal::new(false),
            last_lock: RwSignal::new(None),
            idle_seconds: RwSignal::new(shared::vault::DEFAULT_IDLE_LOCK_MINUTES * 60),
            pending_auth: StoredValue::new(None),
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
        self.pending_auth.set_value(pending_auth);
        self.online.set(online);
        self.last_lock.set(None);
        self.unlocked.set(Some(Arc::new(unlocked)));
    }

    /// Locks this tab and tells every other tab of the app to lock too.
    pub fn lock(&self, reason: LockReason) {
        self.lock_here(reason);
        guard::broadcast_lock();
    }

    /// Locks this tab only (another tab already locked everyone).
    pub fn lock_here(&self, reason: LockReason) {
        let was = self.unlocked.try_update(|u| u.take().is_some()).unwrap_or(false);
        self.pending_auth.try_set_value(None);
        self.online.try_set(false);
        if was {
            self.last_lock.try_set(Some(reason));
            // Ends the relay session (its answer carries Clear-Site-Data: "cache"), with a
            // request that survives the page's unload when this runs on pagehide.
            relay_client::sign_out_keepalive();
        }
    }
}

/// The page's vault.
pub fn use_vault() -> Vault {
    expect_context::<Vault>()
}
