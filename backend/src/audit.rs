//! The audit log's hash chain: what an event is and how its hash is made and checked.
//!
//! Each event's hash is SHA-256 over the previous hash and a fixed text form of the
//! event, starting from 32 zero bytes. Whoever removes, reorders or edits a stored
//! event must recompute every later hash; keeping a copy of the latest hash elsewhere
//! (the verify report prints it) makes that visible. No I/O here: the store appends.

use shared::api::AuditEvent;

/// The hash before the first event.
pub use shared::audit_chain::GENESIS;

/// Actor name for changes made by the `amanat` CLI.
pub const CLI_ACTOR: &str = "amanat-cli";

/// What happened, as recorded in the chain (the stored action codes). Not what a
/// caller may do: that is [`crate::access::Permission`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditAction {
    EntryStored,
    EntryRead,
    UserAdded,
    TokenIssued,
    SignedIn,
    SignedOut,
    EnrolmentIssued,
    Enrolled,
    PassphraseChanged,
    /// A sign-in with a wrong token or passphrase for an existing account.
    SignInFailed,
    /// An account locked after too many wrong passphrases in a row (written by relays
    /// before the growing delays replaced the lock; kept so old chains read the same).
    AccountLocked,
    /// Wrong passphrases for an account from one client address began to delay that
    /// address's next attempts (subject: the account).
    SignInDelayed,
    /// `amanat user token revoke` (subject: the account; size: tokens revoked).
    TokenRevoked,
    /// `amanat user disable`: every credential of the account ended.
    UserDisabled,
    /// `amanat user enable`.
    UserEnabled,
    /// Someone listed entry metadata (subject: the case, or `*`; size: rows answered).
    EntriesListed,
    /// Someone ran the verification report over HTTP (size: entries checked).
    VerificationRun,
    /// An upload named an entry it supersedes (subject: the superseded entry).
    EntrySuperseded,
    /// `amanat entries remove` removed an entry (subject: its id; size: its size).
    EntryRemoved,
    /// A caseworker whose vault predates signed authorship registered an author key
    /// (subject: the account; the key itself is in the store, not the chain).
    AuthorKeyRegistered,
}

impl AuditAction {
    pub fn code(self) -> &'static str {
        match self {
            AuditAction::EntryStored => "entry_stored",
            AuditAction::EntryRead => "entry_read",
            AuditAction::UserAdded => "user_added",
            AuditAction::TokenIssued => "token_issued",
            AuditAction::SignedIn => "signed_in",
            AuditAction::SignedOut => "signed_out",
            AuditAction::EnrolmentIssued => "enrolment_issued",
            AuditAction::Enrolled => "enrolled",
            AuditAction::PassphraseChanged => "passphrase_changed",
            AuditAction::SignInFailed => "sign_in_failed",
            AuditAction::AccountLocked => "account_locked",
            AuditAction::SignInDelayed => "sign_in_delayed",
            AuditAction::TokenRevoked => "token_revoked",
            AuditAction::UserDisabled => "user_disabled",
            AuditAction::UserEnabled => "user_enabled",
            AuditAction::EntriesListed => "entries_listed",
            AuditAction::VerificationRun => "verification_run",
            AuditAction::EntrySuperseded => "entry_superseded",
            AuditAction::EntryRemoved => "entry_removed",
            AuditAction::AuthorKeyRegistered => "author_key_registered",
        }
    }
}

/// An event about to be appended.
#[derive(Clone, Debug)]
pub struct NewEvent<'a> {
    pub actor: &'a str,
    pub action: AuditAction,
    pub subject: &'a str,
    pub size: Option<u64>,
}

/// An event that owns its text, for a write that runs in its own task and so may
/// outlive the request that asked for it (see `Store::write_audited`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedEvent {
    pub actor: String,
    pub action: AuditAction,
    pub subject: String,
    pub size: Option<u64>,
}

impl OwnedEvent {
    /// `action` done by `name` to its own account (sign-in, sign-out, enrolment,
    /// passphrase change).
    pub fn on_account(name: &str, action: AuditAction) -> Self {
        Self { actor: name.to_owned(), action, subject: name.to_owned(), size: None }
    }

    pub fn borrowed(&self) -> NewEvent<'_> {
        NewEvent { actor: &self.actor, action: self.action, subject: &self.subject, size: self.size }
    }
}

impl From<&NewEvent<'_>> for OwnedEvent {
    fn from(e: &NewEvent<'_>) -> Self {
        Self { actor: e.actor.to_owned(), action: e.action, subject: e.subject.to_owned(), size: e.size }
    }
}

/// The chained hash of an event (the rule is `shared::audit_chain`'s, which the
/// privacy officer's browser uses to re-check the listing).
pub use shared::audit_chain::chain_hash;

/// Checks a run of stored events (in order, from the first), returning the seq of the
/// first event that breaks the chain and why.
pub fn check_chain(events: &[(AuditEvent, Vec<u8>)]) -> Result<(), (u64, &'static str)> {
    ChainCheck::new().check(events)
}

/// A chain check that goes page by page: each page continues from the previous
/// page's last hash, so a long log is checked in constant memory.
#[derive(Clone, Debug)]
pub struct ChainCheck {
    prev: Vec<u8>,
    next_seq: u64,
}

impl Default for ChainCheck {
    fn default() -> Self {
        Self::new()
    }
}

impl ChainCheck {
    pub fn new() -> Self {
        Self { prev: GENESIS.to_vec(), next_seq: 1 }
    }

    /// Checks the next page of events (in order, continuing the previous page).
    pub fn check(&mut self, events: &[(AuditEvent, Vec<u8>)]) -> Result<(), (u64, &'static str)> {
        for (e, stored_prev) in events {
            check_one(&mut self.prev, self.next_seq, e, stored_prev)?;
            self.next_seq += 1;
        }
        Ok(())
    }
}

fn check_one(
    prev: &mut Vec<u8>,
    expected_seq: u64,
    e: &AuditEvent,
    stored_prev: &[u8],
) -> Result<(), (u64, &'static str)> {
    if e.seq != expected_seq {
        return Err((e.seq, "an event before it is missing"));
    }
    if stored_prev != prev.as_slice() {
        return Err((e.seq, "it does not follow the event before it"));
    }
    let h = chain_hash(prev, e.seq, &e.at, &e.actor, &e.action, &e.subject, e.size);
    if hex::encode(h) != e.hash {
        return Err((e.seq, "its hash does not match its content (it was altered)"));
    }
    *prev = h.to_vec();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: u64) -> Vec<(AuditEvent, Vec<u8>)> {
        let mut prev = GENESIS.to_vec();
        (1..=n)
            .map(|seq| {
                let h = chain_hash(&prev, seq, "t", "a", "entry_stored", "id", Some(seq));
                let e = AuditEvent {
                    seq,
                    at: "t".into(),
                    actor: "a".into(),
                    action: "entry_stored".into(),
                    subject: "id".into(),
                    size: Some(seq),
                    hash: hex::encode(h),
                };
                let out = (e, prev.clone());
                prev = h.to_vec();
                out
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies_and_an_edited_or_removed_event_is_found() {
        assert_eq!(check_chain(&chain(3)), Ok(()));
        let mut edited = chain(3);
        edited[1].0.actor = "someone else".into();
        assert_eq!(check_chain(&edited).unwrap_err().0, 2);
        let mut removed = chain(3);
        removed.remove(1);
        assert_eq!(check_chain(&removed).unwrap_err().0, 3);
    }

    #[test]
    fn a_chain_checked_page_by_page_finds_what_a_whole_check_finds() {
        let events = chain(10);
        let mut paged = ChainCheck::new();
        for page in events.chunks(3) {
            paged.check(page).unwrap();
        }
        // An edit in a later page, and a page boundary where an event went missing.
        let mut edited = chain(10);
        edited[7].0.subject = "another".into();
        let mut paged = ChainCheck::new();
        let found = edited.chunks(3).find_map(|p| paged.check(p).err());
        assert_eq!(found.unwrap().0, 8);
        let mut cut = chain(10);
        cut.remove(3);
        let mut paged = ChainCheck::new();
        let found = cut.chunks(3).find_map(|p| paged.check(p).err());
        assert_eq!(found.unwrap().0, 5);
    }
}
