//! Enrolling accounts, issuing their bearer tokens (with an expiry) and one-time
//! enrolment links (with a lifetime), revoking tokens, disabling and enabling accounts
//! (the `amanat user` commands and the demo organisation use this; the relay itself
//! never creates accounts).

use shared::api::Role;

use crate::audit::{AuditAction, NewEvent, CLI_ACTOR};
use crate::credentials;
use crate::store::{Store, StoreError};

/// Why an account could not be made.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("an account name is 1 to 64 characters: lowercase letters, digits, '.', '_' or '-', starting with a letter or digit")]
    BadName,
    #[error("the account {0:?} is disabled (`amanat user enable` it first)")]
    Disabled(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Whether `name` is an acceptable account name.
pub fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name.bytes().all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-'))
        && name.as_bytes()[0].is_ascii_alphanumeric()
}

/// Makes an account.
pub async fn add_user(store: &Store, name: &str, role: Role) -> Result<(), AccountError> {
    if !valid_name(name) {
        return Err(AccountError::BadName);
    }
    store.add_user(name, role).await?;
    store.audit(&NewEvent { actor: CLI_ACTOR, action: AuditAction::UserAdded, subject: name, size: None }).await?;
    Ok(())
}

/// Default days a bearer token stays valid.
pub const DEFAULT_TOKEN_DAYS: u32 = 90;
/// The most days a bearer token may stay valid (`--expires-days`: 1 to 3650).
pub const MAX_TOKEN_DAYS: u32 = 3650;

/// A token just issued: shown once; only its hash is kept.
pub struct IssuedToken {
    pub token: String,
    /// Unix seconds from which it is refused.
    pub expires_at: i64,
}

/// Issues a new bearer token for an existing, enabled account, valid `days` days; the
/// token is returned once and only its hash is kept.
pub async fn issue_token_for(store: &Store, name: &str, days: u32) -> Result<IssuedToken, AccountError> {
    refuse_disabled(store, name).await?;
    let t = credentials::new_token();
    let expires_at = crate::store::now_unix() + i64::from(days.clamp(1, MAX_TOKEN_DAYS)) * 86_400;
    store.add_token(name, &t.token_id, &t.secret_sha256, expires_at).await?;
    store.audit(&NewEvent { actor: CLI_ACTOR, action: AuditAction::TokenIssued, subject: name, size: None }).await?;
    Ok(IssuedToken { token: t.token, expires_at })
}

/// Issues a bearer token valid [`DEFAULT_TOKEN_DAYS`] days (see [`issue_token_for`]).
pub async fn issue_token(store: &Store, name: &str) -> Result<String, AccountError> {
    Ok(issue_token_for(store, name, DEFAULT_TOKEN_DAYS).await?.token)
}

async fn refuse_disabled(store: &Store, name: &str) -> Result<(), AccountError> {
    match store.disabled(name).await? {
        None => Err(StoreError::NoSuchUser(name.to_owned()).into()),
        Some(true) => Err(AccountError::Disabled(name.to_owned())),
        Some(false) => Ok(()),
    }
}

/// Revokes every live token of `name` (and ends its sessions); how many were revoked.
pub async fn revoke_tokens(store: &Store, name: &str) -> Result<u64, AccountError> {
    store.revoke_tokens(name).await?.ok_or_else(|| StoreError::NoSuchUser(name.to_owned()).into())
}

/// Disables (`true`) or enables `name` (see [`Store::set_disabled`]).
pub async fn set_disabled(store: &Store, name: &str, disabled: bool) -> Result<(), AccountError> {
    if !store.set_disabled(name, disabled).await? {
        return Err(StoreError::NoSuchUser(name.to_owned()).into());
    }
    Ok(())
}

/// Issues a one-time enrolment token for an existing account, valid
/// [`DEFAULT_ENROLMENT_HOURS`](crate::vault::auth::DEFAULT_ENROLMENT_HOURS) hours (see
/// [`issue_enrolment_for`]).
pub async fn issue_enrolment(store: &Store, name: &str) -> Result<String, AccountError> {
    issue_enrolment_for(store, name, crate::vault::auth::DEFAULT_ENROLMENT_HOURS).await
}

/// Issues a one-time enrolment token for an existing, enabled account, valid `hours`
/// hours (1 to 168): the caseworker opens the link and chooses a passphrase. Only its
/// hash is kept; the account's earlier links and open enrolment sessions stop working.
/// A new token for an enrolled account lets its owner choose a new passphrase (the old
/// wrapped identity is replaced when the token is used).
pub async fn issue_enrolment_for(store: &Store, name: &str, hours: u32) -> Result<String, AccountError> {
    refuse_disabled(store, name).await?;
    let (token, hash) = crate::vault::auth::new_enrolment_token();
    let hours = hours.clamp(1, crate::vault::auth::MAX_ENROLMENT_HOURS);
    let expires = crate::store::now_unix() + i64::from(hours) * 3600;
    store.add_enrolment(&hash, name, expires).await?;
    store
        .audit(&NewEvent { actor: CLI_ACTOR, action: AuditAction::EnrolmentIssued, subject: name, size: None })
        .await?;
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_names_are_plain_lowercase_words() {
        assert!(valid_name("demo-caseworker"));
        assert!(valid_name("a.b_c9"));
        for bad in ["", "-x", "Aziz", "a b", "a/b", &"x".repeat(65)] {
            assert!(!valid_name(bad), "{bad:?}");
        }
    }
}
