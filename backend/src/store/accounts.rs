//! Accounts and their API tokens: the `users` and `tokens` tables.
//!
//! A user has a name and a role; a token is an id and the SHA-256 of its secret (the
//! secret itself is shown once by `amanat user token` and never stored), an expiry and
//! a revoked flag. An account may be disabled (`amanat user disable`): then none of its
//! credentials is accepted. The account's last use is kept to the minute (migration
//! `0008_accounts_hardening.sql`). Passphrase accounts of the vault are in
//! [`super::vault`].

use std::str::FromStr;

use shared::api::Role;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{now_rfc3339, now_unix, Result, Store, StoreError};
use crate::audit::{AuditAction, OwnedEvent, CLI_ACTOR};

/// An account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub role: Role,
}

/// An account as `amanat user list` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountSummary {
    pub user: User,
    pub disabled: bool,
    /// Unix seconds of the last authenticated request (to the minute); `None`: never.
    pub last_used_at: Option<i64>,
    /// Tokens neither revoked nor expired.
    pub live_tokens: i64,
}

/// A stored token as a sign-in sees it: live (neither revoked nor expired).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveToken {
    pub user: User,
    pub secret_sha256: Vec<u8>,
    /// Whether its account is disabled (then the token opens nothing).
    pub disabled: bool,
}

impl Store {
    pub async fn add_user(&self, name: &str, role: Role) -> Result<()> {
        let res =
            sqlx::query("INSERT INTO users (name, role, created_at) VALUES ($1, $2, $3) ON CONFLICT(name) DO NOTHING")
                .bind(name)
                .bind(role.code())
                .bind(now_rfc3339())
                .execute(&self.pool)
                .await?;
        if res.rows_affected() == 0 {
            return Err(StoreError::UserExists(name.to_owned()));
        }
        Ok(())
    }

    pub async fn user(&self, name: &str) -> Result<Option<User>> {
        let row =
            sqlx::query("SELECT name, role FROM users WHERE name = $1").bind(name).fetch_optional(&self.pool).await?;
        row.map(|r| user_from_row(&r)).transpose()
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query("SELECT name, role FROM users ORDER BY name").fetch_all(&self.pool).await?;
        rows.iter().map(user_from_row).collect()
    }

    /// Every account with its status, last use and live tokens, by name.
    pub async fn account_summaries(&self) -> Result<Vec<AccountSummary>> {
        let rows = sqlx::query(
            r#"SELECT name, role, disabled, last_used_at,
                 (SELECT COUNT(*) FROM tokens t WHERE t."user" = users.name AND t.revoked = 0 AND t.expires_at > $1) AS live
               FROM users ORDER BY name"#,
        )
        .bind(now_unix())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let last: i64 = r.try_get("last_used_at")?;
                Ok(AccountSummary {
                    user: user_from_row(r)?,
                    disabled: r.try_get::<i64, _>("disabled")? != 0,
                    last_used_at: (last > 0).then_some(last),
                    live_tokens: r.try_get("live")?,
                })
            })
            .collect()
    }

    /// Whether `name` is disabled (`None`: no such account).
    pub async fn disabled(&self, name: &str) -> Result<Option<bool>> {
        let row = sqlx::query("SELECT disabled FROM users WHERE name = $1").bind(name).fetch_optional(&self.pool).await?;
        row.map(|r| Ok(r.try_get::<i64, _>("disabled")? != 0)).transpose()
    }

    /// Records a token (its id, the SHA-256 of its secret, its expiry in Unix seconds)
    /// for an existing user.
    pub async fn add_token(&self, user: &str, token_id: &str, secret_sha256: &[u8; 32], expires_at: i64) -> Result<()> {
        if self.user(user).await?.is_none() {
            return Err(StoreError::NoSuchUser(user.to_owned()));
        }
        sqlx::query(
            r#"INSERT INTO tokens (token_id, "user", secret_sha256, created_at, expires_at, revoked) VALUES ($1, $2, $3, $4, $5, 0)"#,
        )
        .bind(token_id)
        .bind(user)
        .bind(&secret_sha256[..])
        .bind(now_rfc3339())
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A live token (neither revoked nor expired) by its id: owner, stored secret hash,
    /// whether the owner is disabled.
    pub async fn token(&self, token_id: &str) -> Result<Option<LiveToken>> {
        let row = sqlx::query(
            r#"SELECT users.name, users.role, users.disabled, tokens.secret_sha256 FROM tokens JOIN users ON users.name = tokens."user"
               WHERE token_id = $1 AND tokens.revoked = 0 AND tokens.expires_at > $2"#,
        )
        .bind(token_id)
        .bind(now_unix())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(LiveToken {
                user: user_from_row(&r)?,
                secret_sha256: r.try_get("secret_sha256")?,
                disabled: r.try_get::<i64, _>("disabled")? != 0,
            })
        })
        .transpose()
    }

    /// Revokes every live token of `name` and ends its sessions (one begun with a token
    /// would outlive it otherwise), recording `token_revoked` (size: tokens revoked),
    /// in one transaction run to its end. `None` if there is no such account.
    pub async fn revoke_tokens(&self, name: &str) -> Result<Option<u64>> {
        let name = name.to_owned();
        self.write_audited("revoking tokens", move |mut tx| async move {
            if sqlx::query("SELECT name FROM users WHERE name = $1").bind(name.clone()).fetch_optional(&mut *tx).await?.is_none()
            {
                return Ok((tx, None, Vec::new()));
            }
            let n = sqlx::query(r#"UPDATE tokens SET revoked = 1 WHERE "user" = $1 AND revoked = 0 AND expires_at > $2"#)
                .bind(name.clone())
                .bind(now_unix())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            sqlx::query(r#"DELETE FROM sessions WHERE "user" = $1"#).bind(name.clone()).execute(&mut *tx).await?;
            let event = OwnedEvent {
                actor: CLI_ACTOR.to_owned(),
                action: AuditAction::TokenRevoked,
                subject: name,
                size: Some(n),
            };
            Ok((tx, Some(n), vec![event]))
        })
        .await
    }

    /// Disables (`true`) or enables an account, recorded as `user_disabled` or
    /// `user_enabled`, in one transaction run to its end. Disabling ends at once every
    /// session, token (revoked: enabling does not bring them back), enrolment link and
    /// enrolment session of the account. False if there is no such account.
    pub async fn set_disabled(&self, name: &str, disabled: bool) -> Result<bool> {
        let name = name.to_owned();
        self.write_audited("disabling or enabling an account", move |mut tx| async move {
            let found = sqlx::query("UPDATE users SET disabled = $2 WHERE name = $1")
                .bind(name.clone())
                .bind(i64::from(disabled))
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 1;
            if !found {
                return Ok((tx, false, Vec::new()));
            }
            if disabled {
                sqlx::query(r#"DELETE FROM sessions WHERE "user" = $1"#).bind(name.clone()).execute(&mut *tx).await?;
                sqlx::query(r#"UPDATE tokens SET revoked = 1 WHERE "user" = $1"#).bind(name.clone()).execute(&mut *tx).await?;
                sqlx::query("DELETE FROM enrolments WHERE account = $1").bind(name.clone()).execute(&mut *tx).await?;
            }
            let action = if disabled { AuditAction::UserDisabled } else { AuditAction::UserEnabled };
            let event = OwnedEvent { actor: CLI_ACTOR.to_owned(), action, subject: name, size: None };
            Ok((tx, true, vec![event]))
        })
        .await
    }

    /// Records that `name` was used now (the caller writes at most once a minute per
    /// account).
    pub async fn note_use(&self, name: &str) -> Result<()> {
        sqlx::query("UPDATE users SET last_used_at = $2 WHERE name = $1 AND last_used_at < $2")
            .bind(name)
            .bind(now_unix())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

pub(super) fn user_from_row(r: &AnyRow) -> Result<User> {
    let role: String = r.try_get("role")?;
    Ok(User {
        name: r.try_get("name")?,
        role: Role::from_str(&role).map_err(|_| StoreError::Malformed(format!("role {role:?}")))?,
    })
}
