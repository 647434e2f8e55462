//! The vault's rows (migration `0004_vault.sql`): enrolment links and the enrolment
//! sessions an opened link is traded for (`enrolments.kind`, migration
//! `0008_accounts_hardening.sql`), passphrase accounts, the wrong passphrases counted
//! per account and client address with the delay they impose (`sign_in_failures`), and
//! the relay's own secrets. Passphrase sessions are in [`super::sessions`], case
//! ownership in [`super::entries`].
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
    /// `amanat user disable` ran: a right passphrase is answered 403, no session.
    pub disabled: bool,
}

/// The outcome of counting a sign-in attempt ([`Store::delay_reserve`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delay {
    /// Go ahead: the attempt's number in the current run of failures from this address.
    Attempt(i64),
    /// Too soon after the last failure from this address: wait this many seconds.
    Wait(i64),
}

/// Wrong passphrases from one address for one account that are checked without delay.
pub const FREE_FAILURES: i64 = 3;
/// The longest delay, in seconds (15 minutes).
pub const MAX_DELAY_SECONDS: i64 = 15 * 60;

/// How long an address waits after its `n`-th wrong passphrase in a row for an account:
/// nothing for the first [`FREE_FAILURES`] − 1, then 1 s after the third, doubling
/// with each further failure, capped at [`MAX_DELAY_SECONDS`].
pub fn delay_after(n: i64) -> i64 {
    if n < FREE_FAILURES {
        return 0;
    }
    let exp = (n - FREE_FAILURES).min(20) as u32;
    (1i64 << exp).min(MAX_DELAY_SECONDS)
}

/// Which enrolment credential a request presents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnrolmentKey {
    /// The token of a link never opened (SHA-256, hex).
    Link(String),
    /// The enrolment cookie an opened link was traded for (SHA-256, hex).
    Session(String),
}

impl EnrolmentKey {
    fn parts(&self) -> (&str, &'static str) {
        match self {
            EnrolmentKey::Link(h) => (h, "link"),
            EnrolmentKey::Session(h) => (h, "session"),
        }
    }
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
    /// links of the account and its open enrolment sessions stop working: only the
    /// newest link is valid.
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

    /// Trades an unexpired, never opened link (its token's hash) for an enrolment
    /// session (`session_sha256_hex`, until `expires_at`), in one transaction: the
    /// link's row is deleted, so its token is dead from then on. The account, or `None`
    /// (nothing written) for an unknown, expired or already opened token.
    pub async fn open_enrolment(
        &self,
        token_sha256_hex: &str,
        session_sha256_hex: &str,
        expires_at: i64,
    ) -> Result<Option<String>> {
        let (token, session) = (token_sha256_hex.to_owned(), session_sha256_hex.to_owned());
        self.write_audited("opening an enrolment link", move |mut tx| async move {
            let row = sqlx::query(
                "DELETE FROM enrolments WHERE token_sha256 = $1 AND kind = 'link' AND expires_at > $2 RETURNING account",
            )
            .bind(token)
            .bind(now_unix())
            .fetch_optional(&mut *tx)
            .await?;
            let Some(row) = row else {
                return Ok((tx, None, Vec::new()));
            };
            let account: String = row.try_get("account")?;
            sqlx::query("INSERT INTO enrolments (token_sha256, account, expires_at, kind) VALUES ($1, $2, $3, 'session')")
                .bind(session)
                .bind(account.clone())
                .bind(expires_at)
                .execute(&mut *tx)
                .await?;
            Ok((tx, Some(account), Vec::new()))
        })
        .await
    }

    /// The account an unexpired enrolment link or session belongs to (checked before
    /// the slow hash of a new passphrase is made, so a made-up token costs no hash).
    pub async fn enrolment_account(&self, key: &EnrolmentKey) -> Result<Option<String>> {
        let (hash, kind) = key.parts();
        let row = sqlx::query("SELECT account FROM enrolments WHERE token_sha256 = $1 AND kind = $2 AND expires_at > $3")
            .bind(hash)
            .bind(kind)
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
        key: &EnrolmentKey,
        name: &str,
        creds: &NewCredentials<'_>,
    ) -> Result<Option<User>> {
        let (token, kind) = key.parts();
        let (token, kind, name) = (token.to_owned(), kind, name.to_owned());
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
            let row = sqlx::query(
                "SELECT e.account FROM enrolments e JOIN users u ON u.name = e.account \
                 WHERE e.token_sha256 = $1 AND e.kind = $2 AND e.expires_at > $3 AND u.disabled = 0",
            )
            .bind(token.clone())
            .bind(kind)
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
            "SELECT v.account, u.role, u.disabled, v.salt, v.auth_hash, v.wrapped_identity, v.recipient, v.author_key \
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
            disabled: row.try_get::<i64, _>("disabled")? != 0,
        }))
    }

    /// Counts a sign-in attempt for `name` from `client` *before* its passphrase is
    /// checked, under the write lock, so parallel attempts cannot all pass a delay:
    /// [`Delay::Wait`] while the address must still wait, else the attempt's number
    /// `n`. The delay that a failure of this attempt would start is set at once
    /// ([`delay_after`]`(n)`), and taken back by [`Store::delay_reset`] on success.
    pub async fn delay_reserve(&self, name: &str, client: &str) -> Result<Delay> {
        let (name, client) = (name.to_owned(), client.to_owned());
        self.write_audited("counting a sign-in attempt", move |mut tx| async move {
            let now = now_unix();
            let row = sqlx::query("SELECT failures, delayed_until FROM sign_in_failures WHERE account = $1 AND client = $2")
                .bind(name.clone())
                .bind(client.clone())
                .fetch_optional(&mut *tx)
                .await?;
            let (failures, until) = match row {
                Some(r) => (r.try_get::<i64, _>("failures")?, r.try_get::<i64, _>("delayed_until")?),
                None => (0, 0),
            };
            if until > now {
                return Ok((tx, Delay::Wait(until - now), Vec::new()));
            }
            let n = failures + 1;
            let wait = delay_after(n);
            sqlx::query(
                "INSERT INTO sign_in_failures (account, client, failures, delayed_until) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (account, client) DO UPDATE SET failures = excluded.failures, delayed_until = excluded.delayed_until",
            )
            .bind(name)
            .bind(client)
            .bind(n)
            .bind(if wait > 0 { now + wait } else { 0 })
            .execute(&mut *tx)
            .await?;
            Ok((tx, Delay::Attempt(n), Vec::new()))
        })
        .await
    }

    /// Attempt `n` from `client` failed: its delay runs from now; `events` (the failure,
    /// and `sign_in_delayed` when this failure starts the delays) are appended in the
    /// same transaction.
    pub async fn delay_failed(&self, name: &str, client: &str, n: i64, events: Vec<OwnedEvent>) -> Result<()> {
        let (name, client) = (name.to_owned(), client.to_owned());
        self.write_audited("recording a wrong passphrase", move |mut tx| async move {
            let wait = delay_after(n);
            if wait > 0 {
                sqlx::query(
                    "UPDATE sign_in_failures SET delayed_until = $3 WHERE account = $1 AND client = $2 AND delayed_until < $3",
                )
                .bind(name)
                .bind(client)
                .bind(now_unix() + wait)
                .execute(&mut *tx)
                .await?;
            }
            Ok((tx, (), events))
        })
        .await
    }

    /// A right passphrase from `client`: its count and delay for `name` start again.
    pub async fn delay_reset(&self, name: &str, client: &str) -> Result<()> {
        sqlx::query("DELETE FROM sign_in_failures WHERE account = $1 AND client = $2")
            .bind(name)
            .bind(client)
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
