//! The unlocked caseworker's session as the forms see it: who writes, to whom entries
//! are sealed besides the keyring, the keyring pin this device checks against, and how
//! to tell the sync loop that a new entry waits.
//!
//! It is provided as a Leptos context by the caseworker's workspace, which exists only
//! while the vault is unlocked; locking unmounts the workspace and drops it. It holds
//! the author's *public* recipient only: opening drafts and own cases goes through the
//! vault's [`crate::vault::Unlocked`], and the author key is read from it at the
//! instant of signing ([`Session::author_key`] holds no key itself).

use std::sync::Arc;

use leptos::prelude::*;
use shared::authorship::AuthorKey;
use shared::seal::Recipient;

use crate::keyring_pin::Pin;

/// What a form needs to save.
#[derive(Clone)]
pub struct Session {
    /// The caseworker's account name (written into each sealed document).
    pub author: String,
    /// The caseworker's own recipient: every entry is sealed to it as well.
    pub own: Recipient,
    /// The unlocked vault's author key, read when a document is signed (`None` once
    /// locked): a derived signal over the vault, so the key lives in the vault only.
    pub author_key: Signal<Option<Arc<AuthorKey>>>,
    /// The organisation key in force on this device (shown, and checked on each save).
    pub pin: RwSignal<Option<Pin>>,
    /// Called after an entry is in the outbox (wakes the sync loop).
    pub saved: Callback<()>,
}

/// Provides the session to the workspace below.
pub fn provide_session(session: Session) {
    provide_context(session);
}

/// The session of the enclosing workspace (panics outside it, a programming error).
pub fn use_session() -> Session {
    expect_context::<Session>()
}
