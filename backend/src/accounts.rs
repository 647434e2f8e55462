//! Enrolling accounts and issuing their bearer tokens and one-time enrolment links (the
//! `amanat user` commands and the demo organisation use this; the relay itself never
//! creates accounts).

use shared::api::Role;

use crate::audit::{AuditAction, NewEvent, CLI_ACTOR};
use crate::credentials;
use crate::store::{Store, StoreError};

/// Why an account could not be made.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("an account name is 1 to 64 characters: lowercase letters, digits, '.', '_' or '-', starting with a letter or digit")]
    BadName,
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

/// Issues a new bearer token for an existing account; the token is returned once and
/// only its hash is kept.
pub async fn issue_token(store: &Store, name: &str) -> Result<String, AccountError> {
    let t = credentials::new_token();
    store.add_token(name, &t.token_id, &t.secret_sha256).await?;
    store.audit(&NewEvent { actor: CLI_ACTOR, action: AuditAction::TokenIssued, subject: name, size: None }).await?;
    Ok(t.token)
}

/// Issues a one-time enrolment token for an existing account (valid 72 hours): the
/// caseworker opens the link and chooses a passphrase. Only its hash is kept. A new
/// token for an enrolled account lets its owner choose a new passphrase (the old
/// wrapped identity is replaced when the token is used).
pub async fn issue_enrolment(store: &Store, name: &str) -> Result<String, AccountError> {
    if store.user(name).await?.is_none() {
        return Err(StoreError::NoSuchUser(name.to_owned()).into());
    }
    let (token, hash) = crate::vault::auth::new_enrolment_token();
    let expires = crate::store::now_unix() + crate::vault::auth::ENROLMENT_SECONDS;
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
