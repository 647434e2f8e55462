//! Accounts and their API tokens: the `users` and `tokens` tables.
//!
//! A user has a name and a role; a token is an id and the SHA-256 of its secret (the
//! secret itself is shown once by `amanat user token` and never stored). Passphrase
//! accounts of the vault are in [`super::vault`].

use std::str::FromStr;

use shared::api::Role;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{now_rfc3339, Result, Store, StoreError};

/// An account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub role: Role,
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

    /// Records a token (its id and the SHA-256 of its secret) for an existing user.
    pub async fn add_token(&self, user: &str, token_id: &str, secret_sha256: &[u8; 32]) -> Result<()> {
        if self.user(user).await?.is_none() {
            return Err(StoreError::NoSuchUser(user.to_owned()));
        }
        sqlx::query(r#"INSERT INTO tokens (token_id, "user", secret_sha256, created_at) VALUES ($1, $2, $3, $4)"#)
            .bind(token_id)
            .bind(user)
            .bind(&secret_sha256[..])
            .bind(now_rfc3339())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The token's owner and stored secret hash, if the token id exists.
    pub async fn token(&self, token_id: &str) -> Result<Option<(User, Vec<u8>)>> {
        let row = sqlx::query(
            r#"SELECT users.name, users.role, tokens.secret_sha256 FROM tokens JOIN users ON users.name = tokens."user" WHERE token_id = $1"#,
        )
        .bind(token_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((user_from_row(&r)?, r.try_get::<Vec<u8>, _>("secret_sha256")?))).transpose()
    }
}

pub(super) fn user_from_row(r: &AnyRow) -> Result<User> {
    let role: String = r.try_get("role")?;
    Ok(User {
        name: r.try_get("name")?,
        role: Role::from_str(&role).map_err(|_| StoreError::Malformed(format!("role {role:?}")))?,
    })
}
