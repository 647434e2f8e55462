//! Who may do what: the relay's one access table, over (role, [`Permission`]).
//! (What the audit log records having happened is [`crate::audit::AuditAction`].)
//!
//! Every route that needs an account asks [`scope`] (through [`crate::auth::Caller::may`])
//! and nothing else decides access, so the whole policy is readable here and the access
//! matrix test (`tests/access_matrix.rs`) checks it route by route.
//!
//! Case ownership: a case belongs to the caseworker who uploaded its first entry. A
//! caseworker may not add to a case another account started, so every entry a
//! caseworker uploaded is in one of their cases, and the store filters by author.
//! Advisers upload too, but only re-seals ([`Scope::Superseding`]): an entry that names
//! (header `Amanat-Supersedes`) an entry already stored in the same case, so a key
//! holder can re-seal to a rotated keyring but never start a case or add a record of
//! their own. What an adviser re-sealed is listed under the adviser, not under the
//! case's caseworker.
//!
//! Administrators manage accounts and the keyring with the `amanat` CLI on the data
//! directory (there are no HTTP routes for that, on purpose: a stolen admin session
//! cannot add a key holder). Over HTTP an admin sees what a privacy officer sees.

use shared::api::Role;

/// Something a caller asks the relay to do, as the access table knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// `PUT /api/v1/entries/{id}`
    UploadEntry,
    /// `GET /api/v1/entries`: metadata rows.
    ListEntries,
    /// `GET /api/v1/entries/{id}`: the ciphertext body.
    ReadCiphertext,
    /// `GET /api/v1/audit`
    ReadAudit,
    /// `GET /api/v1/verification`
    ReadVerification,
    /// `GET /api/v1/session`: who am I.
    ReadSession,
    /// `GET /api/v1/roster`: the organisation's signed roster of approved author keys.
    ReadRoster,
    /// `PUT /api/v1/vault/author-key`: register the author key of an older vault.
    RegisterAuthorKey,
}

impl Permission {
    pub const ALL: &'static [Permission] = &[
        Permission::UploadEntry,
        Permission::ListEntries,
        Permission::ReadCiphertext,
        Permission::ReadAudit,
        Permission::ReadVerification,
        Permission::ReadSession,
        Permission::ReadRoster,
        Permission::RegisterAuthorKey,
    ];
}

/// How far an allowed action reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Refused (403).
    Denied,
    /// Only the caller's own cases (caseworkers). Another's entry is answered 404, as
    /// if it did not exist, so ids of other cases cannot be probed.
    Own,
    /// Everything of that kind.
    All,
    /// Only an upload that supersedes an entry already stored in the same case
    /// (advisers re-sealing to the current keyring).
    Superseding,
}

/// The access table.
pub fn scope(role: Role, action: Permission) -> Scope {
    use Permission::*;
    use Role::*;
    use Scope::*;
    match (role, action) {
        (_, ReadSession | ReadRoster) => All,
        // Only caseworkers write documents; advisers re-seal what they opened, as it was.
        (Caseworker, RegisterAuthorKey) => All,
        (_, RegisterAuthorKey) => Denied,
        (Caseworker, UploadEntry | ListEntries | ReadCiphertext) => Own,
        (Caseworker, ReadAudit | ReadVerification) => Denied,
        (Adviser, ListEntries | ReadCiphertext) => All,
        (Adviser, UploadEntry) => Superseding,
        (Adviser, ReadAudit | ReadVerification) => Denied,
        (PrivacyOfficer | Admin, ListEntries | ReadAudit | ReadVerification) => All,
        (PrivacyOfficer | Admin, UploadEntry | ReadCiphertext) => Denied,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nobody_but_caseworkers_and_advisers_ever_gets_ciphertext_and_advisers_upload_only_re_seals() {
        for &role in Role::ALL {
            let read = scope(role, Permission::ReadCiphertext);
            assert_eq!(read != Scope::Denied, matches!(role, Role::Caseworker | Role::Adviser), "{role:?}");
            let upload = scope(role, Permission::UploadEntry);
            let want = match role {
                Role::Caseworker => Scope::Own,
                Role::Adviser => Scope::Superseding,
                _ => Scope::Denied,
            };
            assert_eq!(upload, want, "{role:?}");
        }
    }
}
