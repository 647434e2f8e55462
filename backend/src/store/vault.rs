//! The vault's rows (migration `0004_vault.sql`): enrolment tokens, passphrase accounts
//! with their failure count and lock, and the relay's own secrets. Passphrase sessions
//! are in [`super::sessions`], case ownership in [`super::entries`].
//!
//! The author key (migration `0007_author_keys.sql`) is public and only passed on: the
//! organisation's signed roster decides whether it is trusted.
//!
//! Written as portable SQL (`$1` placeholders, TEXT and INTEGER columns) so the same
//! queries serve SQLite and PostgreSQL. Only hashes, salts, public keys and age files
//! are stored here; see [`crate::vault::auth`] for how they are made and checked.

use sqlx::Row;

use super::{now_unix, Result, Store, StoreError, User};
use crate::audit::{AuditAction, OwnedEvent};

/// A passphrase account as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VaultAccount {
    pub user: User,
    pub salt: String,
    pub auth_hash: String,
    pub wrapped_identity: String,
    pub recipient: String,
    /// The registered author key (`amanat-author-v1:…`), if any.
    pub author_key: Option<String>,
    pub failed_sign_ins: i64,
    pub locked_until: i64,
}

/// The outcome of counting a sign-in attempt ([`Store::vault_reserve`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reservation {
    /// Go ahead: the attempt's number in the current run of failures.
    Attempt(i64),
    /// The account is locked (or gone).
    Locked,
    /// This attempt was one too many while others were in flight: now locked.
    JustLocked,
}

/// What an enrolment writes.
pub struct NewCredentials<'a> {
    pub salt: &'a str,
    pub auth_hash: &'a str,
    pub wrapped_identity: &'a str,
    pub recipient: &'a str,
    /// The author key the app made (checked by the caller); `None` from an app that
    /// predates signed authorship. Re-enrolment replaces the stored one either way: the
    /// old key's secret half was wrapped with the identity this replaces.
    pub author_key: Option<&'a str>,
}

/// The outcome of [`Store::register_author_key`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthorKeyRegistration {
    Registered,
    /// The account already has one (nothing written).
    AlreadyRegistered,
    /// The account has no passphrase account (nothing written).
    NotEnrolled,
}

impl Store {
    /// Keeps a new enrolment token's hash for `account` until `expires_at`. Earlier
    /// tokens of the account stop working: only the newest link is valid.
    pub async fn add_enrolment(&self, token_sha256_hex: &str, account: &str, expires_at: i64) -> Result<()> {
        sqlx::query("DELETE FROM enrolments WHERE expires_at <= $1 OR account = $2")
            .bind(now_unix())
            .bind(account)
            .execute(self.pool())
            .await?;
        sqlx::query("INSERT INTO enrolments (token_sha256, account, expires_at) VALUES ($1, $2, $3)")
            .bind(token_sha256_hex)
            .bind(account)
            .bind(expires_at)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The account an unexpired enrolment token belongs to (checked before the slow
    /// hash of a new passphrase is made, so a made-up token costs no hash).
    pub async fn enrolment_account(&self, token_sha256_hex: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT account FROM enrolments WHERE token_sha256 = $1 AND expires_at > $2")
            .bind(token_sha256_hex)
            .bind(now_unix())
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get("account")).transpose()?)
    }

    /// Redeems an enrolment token: in one transaction, removes it (single use), writes
    /// the account's credentials, ends the account's sessions (whoever held the old
    /// passphrase is signed out) and records `enrolled`, run to its end even if the
    /// request is dropped (see [`Store::write_audited`]). `None` (nothing written) if the
    /// token is unknown, expired, or belongs to another account than `name` (then it
    /// stays usable).
    pub async fn redeem_enrolment(
        &self,
        token_sha256_hex: &str,
        name: &str,
        creds: &NewCredentials<'_>,
    ) -> Result<Option<User>> {
        let (token, name) = (token_sha256_hex.to_owned(), name.to_owned());
        let (salt, auth_hash, wrapped_identity, recipient, author_key) = (
            creds.salt.to_owned(),
            creds.auth_hash.to_owned(),
            creds.wrapped_identity.to_owned(),
            creds.recipient.to_owned(),
            creds.author_key.map(str::to_owned),
        );
        // It reads, then writes: under the write lock (`BEGIN IMMEDIATE`), since in WAL
        // mode a plain `BEGIN` whose read saw an older state than another write committed
        // meanwhile fails at its first write at once (SQLITE_BUSY, no wait).
        self.write_audited("redeeming an enrolment", move |mut tx| async move {
            let now = now_unix();
            let row = sqlx::query("SELECT account FROM enrolments WHERE token_sha256 = $1 AND expires_at > $2")
                .bind(token.clone())
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
            let account: Option<String> = row.map(|r| r.try_get("account")).transpose()?;
            if account.as_deref() != Some(name.as_str()) {
                return Ok((tx, None, Vec::new()));
            }
            let gone =
                sqlx::query("DELETE FROM enrolments WHERE token_sha256 = $1").bind(token).execute(&mut *tx).await?;
            if gone.rows_affected() != 1 {
                return Ok((tx, None, Vec::new())); // redeemed by a concurrent request
            }
            sqlx::query(
                "INSERT INTO vault_accounts (account, salt, auth_hash, wrapped_identity, recipient, failed_sign_ins, locked_until, updated_at, author_key) \
                 VALUES ($1, $2, $3, $4, $5, 0, 0, $6, CAST($7 AS TEXT)) \
                 ON CONFLICT (account) DO UPDATE SET salt = excluded.salt, auth_hash = excluded.auth_hash, \
                 wrapped_identity = excluded.wrapped_identity, recipient = excluded.recipient, failed_sign_ins = 0, \
                 locked_until = 0, updated_at = excluded.updated_at, author_key = excluded.author_key",
            )
            .bind(name.clone())
            .bind(salt)
            .bind(auth_hash)
            .bind(wrapped_identity)
            .bind(recipient)
            .bind(now)
            .bind(author_key)
            .execute(&mut *tx)
            .await?;
            sqlx::query(r#"DELETE FROM sessions WHERE "user" = $1"#).bind(name.clone()).execute(&mut *tx).await?;
            let row = sqlx::query("SELECT role FROM users WHERE name = $1").bind(name.clone()).fetch_one(&mut *tx).await?;
            let role: String = row.try_get("role")?;
            let role = role.parse().map_err(|_| StoreError::Malformed(format!("role {role:?}")))?;
            let event = OwnedEvent::on_account(&name, AuditAction::Enrolled);
            Ok((tx, Some(User { name, role }), vec![event]))
        })
        .await
    }

    /// The passphrase account of `name`, if it has enrolled.
    pub async fn vault_account(&self, name: &str) -> Result<Option<VaultAccount>> {
        let row = sqlx::query(
            "SELECT v.account, u.role, v.salt, v.auth_hash, v.wrapped_identity, v.recipient, v.author_key, v.failed_sign_ins, v.locked_until \
             FROM vault_accounts v JOIN users u ON u.name = v.account WHERE v.account = $1",
        )
        .bind(name)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let role: String = row.try_get("role")?;
        Ok(Some(VaultAccount {
            user: User {
                name: row.try_get("account")?,
                role: role.parse().map_err(|_| StoreError::Malformed(format!("role {role:?}")))?,
            },
            salt: row.try_get("salt")?,
            auth_hash: row.try_get("auth_hash")?,
            wrapped_identity: row.try_get("wrapped_identity")?,
            recipient: row.try_get("recipient")?,
            author_key: row.try_get("author_key")?,
            failed_sign_ins: row.try_get("failed_sign_ins")?,
            locked_until: row.try_get("locked_until")?,
        }))
    }

    /// Counts a sign-in attempt *before* its passphrase is checked, so parallel
    /// attempts cannot all pass the lock. More than `max` in a row locks
    /// the account until `now + lock_secs`.
    pub async fn vault_reserve(&self, name: &str, max: i64, lock_secs: i64) -> Result<Reservation> {
        let now = now_unix();
        let row = sqlx::query(
            "UPDATE vault_accounts SET failed_sign_ins = failed_sign_ins + 1 WHERE account = $1 AND locked_until <= $2 \
             RETURNING failed_sign_ins",
        )
        .bind(name)
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(Reservation::Locked);
        };
        let n: i64 = row.try_get("failed_sign_ins")?;
        if n > max {
            self.vault_lock(name, lock_secs).await?;
            return Ok(Reservation::JustLocked);
        }
        Ok(Reservation::Attempt(n))
    }

    /// Locks an account for `lock_secs` (its `max`-th wrong passphrase in a row).
    pub async fn vault_lock(&self, name: &str, lock_secs: i64) -> Result<()> {
        sqlx::query("UPDATE vault_accounts SET locked_until = $2, failed_sign_ins = 0 WHERE account = $1")
            .bind(name)
            .bind(now_unix() + lock_secs)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Clears the failure count after a right passphrase.
    pub async fn vault_succeeded(&self, name: &str) -> Result<()> {
        sqlx::query("UPDATE vault_accounts SET failed_sign_ins = 0 WHERE account = $1")
            .bind(name)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Changes an account's passphrase: replaces salt, auth hash and wrapped identity
    /// (the personal identity and its recipient stay), ends every session of the
    /// account and records `passphrase_changed`, in one transaction run to its end (see
    /// [`Store::write_audited`]). False (nothing written) if the account has no
    /// passphrase.
    pub async fn change_passphrase(
        &self,
        name: &str,
        salt: &str,
        auth_hash: &str,
        wrapped_identity: &str,
    ) -> Result<bool> {
        let (name, salt, auth_hash, wrapped_identity) =
            (name.to_owned(), salt.to_owned(), auth_hash.to_owned(), wrapped_identity.to_owned());
        self.write_audited("changing a passphrase", move |mut tx| async move {
            let changed = sqlx::query(
                "UPDATE vault_accounts SET salt = $2, auth_hash = $3, wrapped_identity = $4, failed_sign_ins = 0, updated_at = $5 \
                 WHERE account = $1",
            )
            .bind(name.clone())
            .bind(salt)
            .bind(auth_hash)
            .bind(wrapped_identity)
            .bind(now_unix())
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if !changed {
                return Ok((tx, false, Vec::new()));
            }
            sqlx::query(r#"DELETE FROM sessions WHERE "user" = $1"#).bind(name.clone()).execute(&mut *tx).await?;
            Ok((tx, true, vec![OwnedEvent::on_account(&name, AuditAction::PassphraseChanged)]))
        })
        .await
    }

    /// Registers the author key of an account that has none (a vault enrolled before
    /// signed authorship), with the identity rewrapped to hold its secret half, and
    /// records `author_key_registered`, in one transaction run to its end (see
    /// [`Store::write_audited`]). Never replaces a registered key: a new one comes only
    /// with re-enrolment.
    pub async fn register_author_key(
        &self,
        name: &str,
        author_key: &str,
        wrapped_identity: &str,
    ) -> Result<AuthorKeyRegistration> {
        let (name, author_key, wrapped_identity) =
            (name.to_owned(), author_key.to_owned(), wrapped_identity.to_owned());
        self.write_audited("registering an author key", move |mut tx| async move {
            let done = sqlx::query(
                "UPDATE vault_accounts SET author_key = $2, wrapped_identity = $3, updated_at = $4 \
                 WHERE account = $1 AND author_key IS NULL",
            )
            .bind(name.clone())
            .bind(author_key)
            .bind(wrapped_identity)
            .bind(now_unix())
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if done {
                return Ok((
                    tx,
                    AuthorKeyRegistration::Registered,
                    vec![OwnedEvent::on_account(&name, AuditAction::AuthorKeyRegistered)],
                ));
            }
            let exists = sqlx::query("SELECT account FROM vault_accounts WHERE account = $1")
                .bind(name)
                .fetch_optional(&mut *tx)
                .await?
                .is_some();
            let outcome =
                if exists { AuthorKeyRegistration::AlreadyRegistered } else { AuthorKeyRegistration::NotEnrolled };
            Ok((tx, outcome, Vec::new()))
        })
        .await
    }

    /// Every account with a registered author key, by name: (name, key).
    pub async fn author_keys(&self) -> Result<Vec<(String, String)>> {
        let rows =
            sqlx::query("SELECT account, author_key FROM vault_accounts WHERE author_key IS NOT NULL ORDER BY account")
                .fetch_all(self.pool())
                .await?;
        rows.into_iter().map(|r| Ok((r.try_get("account")?, r.try_get("author_key")?))).collect()
    }

    /// A random secret the relay keeps under `name`, made (by `make`) on first use.
    pub async fn relay_secret(&self, name: &str, make: impl FnOnce() -> String) -> Result<String> {
        sqlx::query("INSERT INTO relay_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(make())
            .execute(self.pool())
            .await?;
        let row =
            sqlx::query("SELECT value FROM relay_secrets WHERE name = $1").bind(name).fetch_one(self.pool()).await?;
        Ok(row.try_get("value")?)
    }
}
