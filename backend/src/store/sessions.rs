//! Sessions: the `sessions` table, keyed by the SHA-256 of the session cookie.
//!
//! A token sign-in's session simply expires; a passphrase session also has an absolute
//! end (`ends_at`) that renewing never passes. Starting and ending a session is audited
//! in the same transaction ([`Store::sign_in`], [`Store::sign_out`]); renewing takes the
//! old session in one statement ([`Store::take_session`]) so it cannot split in two.

use sqlx::Row;

use super::accounts::user_from_row;
use super::{now_unix, Result, Store, Tx, User};
use crate::audit::{AuditAction, OwnedEvent};

/// A session about to start. `ends_at`: the absolute end that renewing never passes
/// (passphrase sessions); `None` for a session that simply expires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSession {
    pub id_sha256: [u8; 32],
    pub user: String,
    pub expires_at: i64,
    pub ends_at: Option<i64>,
}
impl Store {
    pub async fn add_session(&self, id_sha256: &[u8; 32], user: &str, expires_at: i64) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now_unix()).execute(&self.pool).await?;
        sqlx::query(r#"INSERT INTO sessions (id_sha256, "user", expires_at) VALUES ($1, $2, $3)"#)
            .bind(&id_sha256[..])
            .bind(user)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The signed-in user of an unexpired session (none for a disabled account).
    pub async fn session(&self, id_sha256: &[u8; 32]) -> Result<Option<User>> {
        let row = sqlx::query(
            r#"SELECT users.name, users.role FROM sessions JOIN users ON users.name = sessions."user"
               WHERE id_sha256 = $1 AND expires_at > $2 AND users.disabled = 0"#,
        )
        .bind(&id_sha256[..])
        .bind(now_unix())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| user_from_row(&r)).transpose()
    }

    /// Starts a session and records `signed_in` for its user, in one transaction run to
    /// its end (see [`Store::write_audited`]).
    pub async fn sign_in(&self, session: &NewSession) -> Result<()> {
        let session = session.clone();
        self.write_audited("starting a session", move |mut tx| async move {
            insert_session(&mut tx, &session).await?;
            Ok((tx, (), vec![OwnedEvent::on_account(&session.user, AuditAction::SignedIn)]))
        })
        .await
    }

    /// Ends an unexpired session and records `signed_out` for its user, in one
    /// transaction run to its end (see [`Store::write_audited`]). Returns whose session
    /// it was; `None` (nothing written) if there is no such unexpired session.
    pub async fn sign_out(&self, id_sha256: &[u8; 32]) -> Result<Option<User>> {
        let id = *id_sha256;
        self.write_audited("ending a session", move |mut tx| async move {
            let row = sqlx::query(r#"DELETE FROM sessions WHERE id_sha256 = $1 AND expires_at > $2 RETURNING "user""#)
                .bind(&id[..])
                .bind(now_unix())
                .fetch_optional(&mut *tx)
                .await?;
            let Some(row) = row else {
                return Ok((tx, None, Vec::new()));
            };
            let name: String = row.try_get("user")?;
            let user = sqlx::query("SELECT name, role FROM users WHERE name = $1")
                .bind(name)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| user_from_row(&r))
                .transpose()?;
            let events = user.iter().map(|u| OwnedEvent::on_account(&u.name, AuditAction::SignedOut)).collect();
            Ok((tx, user, events))
        })
        .await
    }

    pub async fn delete_session(&self, id_sha256: &[u8; 32]) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_sha256 = $1").bind(&id_sha256[..]).execute(&self.pool).await?;
        Ok(())
    }

    /// Ends every session of an account (after a passphrase change).
    pub async fn delete_sessions_of(&self, name: &str) -> Result<()> {
        sqlx::query(r#"DELETE FROM sessions WHERE "user" = $1"#).bind(name).execute(self.pool()).await?;
        Ok(())
    }

    /// Starts a passphrase session that lasts until `expires_at` unless renewed, and
    /// never past `ends_at`.
    pub async fn add_vault_session(
        &self,
        id_sha256: &[u8; 32],
        user: &str,
        expires_at: i64,
        ends_at: i64,
    ) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now_unix()).execute(self.pool()).await?;
        sqlx::query(r#"INSERT INTO sessions (id_sha256, "user", expires_at, ends_at) VALUES ($1, $2, $3, $4)"#)
            .bind(&id_sha256[..])
            .bind(user)
            .bind(expires_at.min(ends_at))
            .bind(ends_at)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Ends an unexpired session and says whose it was and when it had to end at the
    /// latest, in one statement: of two requests that present the same id, only one
    /// gets it (renewing cannot split a session in two).
    pub async fn take_session(&self, id_sha256: &[u8; 32]) -> Result<Option<(User, i64)>> {
        let row = sqlx::query(
            r#"DELETE FROM sessions WHERE id_sha256 = $1 AND expires_at > $2 RETURNING "user", expires_at, ends_at"#,
        )
        .bind(&id_sha256[..])
        .bind(now_unix())
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let name: String = row.try_get("user")?;
        let ends_at: i64 = row.try_get("ends_at")?;
        let ends_at = if ends_at > 0 { ends_at } else { row.try_get("expires_at")? };
        if self.disabled(&name).await? != Some(false) {
            return Ok(None);
        }
        Ok(self.user(&name).await?.map(|u| (u, ends_at)))
    }
}

/// Inserts a session inside a write transaction, first removing expired ones.
async fn insert_session(tx: &mut Tx, s: &NewSession) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now_unix()).execute(&mut **tx).await?;
    sqlx::query(r#"INSERT INTO sessions (id_sha256, "user", expires_at, ends_at) VALUES ($1, $2, $3, $4)"#)
        .bind(&s.id_sha256[..])
        .bind(s.user.clone())
        .bind(s.ends_at.map_or(s.expires_at, |end| s.expires_at.min(end)))
        .bind(s.ends_at.unwrap_or(0))
        .execute(&mut **tx)
        .await?;
    Ok(())
}
