//! The relay's storage: accounts, credentials, sessions, entry metadata and the audit
//! chain in a database, ciphertext in [`Blobs`] (`DATA/blobs/`).
//!
//! Two databases, one set of queries: SQLite (`DATA/amanat.sqlite`, the embedded
//! default) or PostgreSQL (`--database postgres://…`, for several relays behind a load
//! balancer). Queries go through sqlx's `any` driver in portable SQL: `$1` placeholders
//! (SQLite accepts them), `"user"` quoted (reserved in PostgreSQL), `CAST($n AS TEXT)`
//! where a parameter's type must be known. Each database has its own migration folder
//! with the same version numbers (`migrations/*.sql` for SQLite, `migrations/postgres/`).
//!
//! Ciphertext stays in files for both: with PostgreSQL, every relay must mount the same
//! data directory (it also holds `keyring.json`), see the README. A blob is durable
//! (fsync, rename, directory fsync) before its row is committed, so a row never points
//! at bytes that a crash could lose. SQLite runs in WAL mode with `synchronous=FULL`:
//! a commit is on disk before the relay answers 201, and `amanat` subcommands can work
//! on the store while a server runs on it. Writers that append to the audit chain take
//! the database's write lock first (`BEGIN IMMEDIATE` in SQLite, a table lock in
//! PostgreSQL), so concurrent relays never fork the chain.
//!
//! What is not here: deciding who may do what (see [`crate::auth`] and the routes), or
//! what a valid entry is (see `shared`).

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Once};
use std::time::Duration;

use shared::api::{AuditEvent, EntryMeta, Role};
use shared::{CaseId, EntryId};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, Executor, Row};

use crate::audit::{self, NewEvent, OwnedEvent};
use crate::blobs::Blobs;

mod supersessions;
pub use supersessions::Superseded;

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "amanat.sqlite";

/// SQLite's migrations (the original folder, so existing stores keep their history).
pub static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations");
/// PostgreSQL's migrations: same versions, same meaning, PostgreSQL types.
pub static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// What can go wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migrating the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("file system: {0}")]
    Io(#[from] std::io::Error),
    #[error("a user named {0:?} already exists")]
    UserExists(String),
    #[error("no user named {0:?}")]
    NoSuchUser(String),
    #[error("stored data is malformed: {0}")]
    Malformed(String),
    #[error(
        "unsupported database URL (use postgres://… or postgresql://…; leave it out for SQLite in the data directory)"
    )]
    BadDatabaseUrl,
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Which database holds the metadata.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The database a `--database` value names (`None`: SQLite in the data directory).
    pub fn of(database: Option<&str>) -> Result<Self> {
        match database {
            None => Ok(Backend::Sqlite),
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => Ok(Backend::Postgres),
            Some(_) => Err(StoreError::BadDatabaseUrl),
        }
    }

    /// This database's migrations.
    pub fn migrator(self) -> &'static Migrator {
        match self {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }
}

/// An account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub role: Role,
}

/// A stored entry's metadata, with its position in the listing order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryRow {
    pub seq: i64,
    pub meta: EntryMeta,
}

/// Which entries a listing returns.
#[derive(Clone, Debug, Default)]
pub struct EntryFilter {
    pub case: Option<CaseId>,
    /// Only entries uploaded by this account (caseworkers see only their own).
    pub author: Option<String>,
    /// Only entries after this position.
    pub after_seq: i64,
    pub limit: usize,
}

/// Where a queued entry's caller waits for its result.
type Answer = tokio::sync::oneshot::Sender<Result<bool>>;

/// This process's writers of the audit chain.
#[derive(Debug, Default)]
struct Writes {
    /// Held while a transaction appending to the audit chain runs: writers queue here
    /// (fair, asleep in tokio) rather than in SQLite's busy handler, which polls with
    /// sleeps of up to 100 ms.
    lock: Arc<tokio::sync::Mutex<()>>,
    /// Entries waiting for the next group commit (see [`Store::insert_entry`]).
    queue: std::sync::Mutex<Vec<(EntryMeta, Answer)>>,
    /// Writes running in their own tasks, which closing the store waits for.
    detached: Detached,
}

/// A count of the writes running in their own tasks, and a wake-up when it reaches 0.
#[derive(Debug, Default)]
struct Detached {
    running: std::sync::atomic::AtomicUsize,
    idle: tokio::sync::Notify,
}

/// One detached write running: counted from [`Store::running`] until dropped (when
/// the task ends, even by a panic).
struct Running(Arc<Writes>);

impl Drop for Running {
    fn drop(&mut self) {
        let detached = &self.0.detached;
        if detached.running.fetch_sub(1, std::sync::atomic::Ordering::SeqCst) == 1 {
            detached.idle.notify_waiters();
        }
    }
}

/// A write transaction, as [`Store::write_audited`] lends it.
pub(crate) type Tx = sqlx::Transaction<'static, Any>;

/// How long closing the store waits for detached writes (longer than SQLite's busy
/// timeout, so a write waiting for the lock gets its turn).
const CLOSE_GRACE: Duration = Duration::from_secs(15);

/// A session about to start. `ends_at`: the absolute end that renewing never passes
/// (passphrase sessions); `None` for a session that simply expires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSession {
    pub id_sha256: [u8; 32],
    pub user: String,
    pub expires_at: i64,
    pub ends_at: Option<i64>,
}

/// The store: database pool and blob directory.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    writes: Arc<Writes>,
    blobs: Blobs,
    data_dir: PathBuf,
}

/// Now, as RFC 3339 UTC.
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .expect("the current time formats")
}

/// Now, as Unix seconds.
pub fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A `sqlite://` URL for a file path (the driver percent-decodes it, so `?`, `#`, `%`
/// and spaces in a data directory's name are escaped).
fn sqlite_url(path: &Path) -> String {
    let mut url = String::from("sqlite://");
    for &b in path.to_string_lossy().as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'_' | b'-') {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url.push_str("?mode=rwc");
    url
}

impl Store {
    /// Opens (creating if needed) the SQLite store in `data_dir` and applies migrations.
    pub async fn open(data_dir: &Path) -> Result<Self> {
        Self::open_with(data_dir, None).await
    }

    /// Opens the store: blobs (and the keyring) in `data_dir`, metadata in `database`
    /// (`postgres://…`) or, if `None`, in SQLite in `data_dir`. Applies migrations.
    pub async fn open_with(data_dir: &Path, database: Option<&str>) -> Result<Self> {
        Self::open_migrated_to(data_dir, database, None).await
    }

    /// Like [`Store::open_with`], applying migrations only up to `max_version` (all if
    /// `None`). For tests that build a store as an older relay left it, then upgrade it.
    pub async fn open_migrated_to(data_dir: &Path, database: Option<&str>, max_version: Option<i64>) -> Result<Self> {
        static DRIVERS: Once = Once::new();
        DRIVERS.call_once(sqlx::any::install_default_drivers);
        let backend = Backend::of(database)?;
        crate::private_file::create_dir(data_dir)?;
        let pool = match backend {
            Backend::Sqlite => {
                let file = std::fs::canonicalize(data_dir)?.join(DB_FILE);
                AnyPoolOptions::new()
                    .max_connections(8)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // WAL: readers never wait for the writer. FULL: the WAL is
                            // fsynced at every commit, so a 201 survives power loss.
                            conn.execute(
                                "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                                 PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect(&sqlite_url(&file))
                    .await?
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect(database.expect("a PostgreSQL backend has a URL"))
                    .await?
            }
        };
        let migrator = backend.migrator();
        match max_version {
            None => migrator.run(&pool).await?,
            Some(max) => {
                let older: Vec<_> = migrator.iter().filter(|m| m.version <= max).cloned().collect();
                let partial = Migrator { migrations: older.into(), ..Migrator::DEFAULT };
                partial.run(&pool).await?
            }
        }
        let blobs = Blobs::new(data_dir.join("blobs"));
        blobs.create_root()?;
        Ok(Self { pool, backend, writes: Arc::default(), blobs, data_dir: data_dir.to_owned() })
    }

    /// Which database this store uses.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a transaction holding the database's write lock, for writes that append to
    /// the audit chain (whose next hash depends on the last row) and for those that read
    /// before they write.
    ///
    /// The begin runs in its own task, so a caller that stops waiting (hyper drops the
    /// handler of a client that hangs up, at whatever `.await` it is in) cannot cut it
    /// in two. sqlx-sqlite 0.8.6 runs `BEGIN IMMEDIATE`, then awaits once more to check
    /// that the connection is in a transaction, and only then makes the `Transaction`
    /// that would roll it back on drop: a caller dropped in between left its pooled
    /// connection inside the transaction, holding the write lock, so every other write
    /// waited out the busy timeout and failed and that connection's next `BEGIN` was
    /// refused: HTTP 500 on the next sign-in (the likeliest cause of the one the browser
    /// story once saw after a restart, where a closing browser cuts its last requests).
    /// In its own task the begin always completes; if nobody takes the transaction any
    /// more, it is dropped there and rolled back.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Any>> {
        let (pool, backend) = (self.pool.clone(), self.backend);
        let begin = async move {
            match backend {
                Backend::Sqlite => Ok(pool.begin_with("BEGIN IMMEDIATE").await?),
                Backend::Postgres => {
                    let mut tx = pool.begin().await?;
                    // EXCLUSIVE still lets others read; it serialises writers of the chain,
                    // including those on other relays.
                    sqlx::query("LOCK TABLE audit_events IN EXCLUSIVE MODE").execute(&mut *tx).await?;
                    Ok(tx)
                }
            }
        };
        tokio::spawn(begin).await.map_err(task_failed)?
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The database, for tests that tamper with it and for the vault's queries
    /// (`vault_store.rs`, written in portable SQL).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn blobs(&self) -> &Blobs {
        &self.blobs
    }

    /// Closes the pool, checkpointing the WAL, once the writes running in their own
    /// tasks have ended (those of requests dropped at shutdown, say), for at most
    /// [`CLOSE_GRACE`]: a write that finds the pool closed is lost whole (it is one
    /// transaction) but logged.
    pub async fn close(&self) {
        if tokio::time::timeout(CLOSE_GRACE, self.detached_writes_done()).await.is_err() {
            tracing::warn!("writes still running when the store closed");
        }
        self.pool.close().await;
    }

    /// Waits until no write runs in its own task (see [`Store::detached`]).
    pub async fn detached_writes_done(&self) {
        let detached = &self.writes.detached;
        loop {
            let idle = std::pin::pin!(detached.idle.notified());
            let mut idle = idle;
            idle.as_mut().enable();
            if detached.running.load(std::sync::atomic::Ordering::SeqCst) == 0 {
                return;
            }
            idle.await;
        }
    }

    fn running(&self) -> Running {
        self.writes.detached.running.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Running(self.writes.clone())
    }

    /// Runs `write` to its end in its own task and answers its result. A caller that
    /// stops waiting (hyper drops the handler of a client that hangs up, at whatever
    /// `.await` it is in) cannot cut it in two. A failure that nobody waits for any more
    /// is logged here (`what` says which write), since no handler will log it; closing
    /// the store waits for these tasks.
    async fn detached<T: Send + 'static>(
        &self,
        what: &'static str,
        write: impl std::future::Future<Output = Result<T>> + Send + 'static,
    ) -> Result<T> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let running = self.running();
        tokio::spawn(async move {
            let _running = running;
            if let Err(Err(e)) = answer.send(write.await) {
                tracing::error!(error = %e, write = what, "a write whose request was dropped failed");
            }
        });
        answered.await.map_err(|_| task_ended_unanswered())?
    }

    /// Does `work` and appends the audit events it returns in one write transaction
    /// (both are committed or neither), under the write lock, in its own task (see
    /// [`Store::detached`]): an action a request takes cannot be left without its
    /// event by a client hanging up. `work` hands the transaction back; returning an
    /// error rolls it back.
    pub(crate) async fn write_audited<T, F, Fut>(&self, what: &'static str, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(Tx) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<(Tx, T, Vec<OwnedEvent>)>> + Send + 'static,
    {
        let store = self.clone();
        self.detached(what, async move {
            let _guard = store.writes.lock.lock().await;
            let tx = store.begin_write().await?;
            let (mut tx, value, events) = work(tx).await?;
            let events: Vec<NewEvent<'_>> = events.iter().map(OwnedEvent::borrowed).collect();
            append_audit_events(&mut tx, &events).await?;
            tx.commit().await?;
            Ok(value)
        })
        .await
    }

    // ---- accounts ----

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

    // ---- sessions ----

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

    /// The signed-in user of an unexpired session.
    pub async fn session(&self, id_sha256: &[u8; 32]) -> Result<Option<User>> {
        let row = sqlx::query(
            r#"SELECT users.name, users.role FROM sessions JOIN users ON users.name = sessions."user" WHERE id_sha256 = $1 AND expires_at > $2"#,
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
            Ok((tx, (), vec![OwnedEvent::on_account(&session.user, audit::Action::SignedIn)]))
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
            let events = user.iter().map(|u| OwnedEvent::on_account(&u.name, audit::Action::SignedOut)).collect();
            Ok((tx, user, events))
        })
        .await
    }

    pub async fn delete_session(&self, id_sha256: &[u8; 32]) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_sha256 = $1").bind(&id_sha256[..]).execute(&self.pool).await?;
        Ok(())
    }

    // ---- entries ----

    /// Records an entry whose blob is already durable, with its audit event. Returns
    /// false if the id was already recorded (a retry, or a race between two uploads of
    /// the same bytes).
    ///
    /// Group commit: concurrent callers queue their entry; whoever holds the write
    /// lock next records every queued entry in one transaction (one WAL fsync for the
    /// lot), and each caller returns once the transaction holding its entry committed.
    /// The batch runs in its own task, so a caller that goes away (a client hanging up)
    /// never cuts a batch that others wait on.
    pub async fn insert_entry(&self, meta: &EntryMeta) -> Result<bool> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.writes.queue.lock().expect("the queue lock is never poisoned").push((meta.clone(), answer));
        let guard = self.writes.lock.clone().lock_owned().await;
        let batch = std::mem::take(&mut *self.writes.queue.lock().expect("the queue lock is never poisoned"));
        let store = self.clone();
        let running = self.running();
        let _ = tokio::spawn(async move {
            let (_guard, _running) = (guard, running);
            if !batch.is_empty() {
                store.record_batch(batch).await;
            }
        })
        .await;
        answered.await.map_err(|_| StoreError::Malformed("the transaction recording the entry was abandoned".into()))?
    }

    async fn record_batch(&self, batch: Vec<(EntryMeta, Answer)>) {
        let metas: Vec<&EntryMeta> = batch.iter().map(|(m, _)| m).collect();
        match self.insert_entries(&metas).await {
            Ok(created) => {
                for ((_, answer), created) in batch.into_iter().zip(created) {
                    let _ = answer.send(Ok(created));
                }
            }
            Err(e) if batch.len() == 1 => {
                if let Some((_, answer)) = batch.into_iter().next() {
                    answer_entry(answer, Err(e));
                }
            }
            // One bad entry must not fail the others: record them one by one.
            Err(_) => {
                for (meta, answer) in batch {
                    answer_entry(answer, self.insert_entries(&[&meta]).await.map(|c| c[0]));
                }
            }
        }
    }

    /// Records entries and their audit events in one transaction, with a few
    /// statements for the whole batch (each statement costs thread hand-offs in the
    /// driver, which dominate on a busy machine): one multi-row `INSERT … RETURNING`
    /// for the entries, one read of the chain's head, one multi-row insert of events.
    async fn insert_entries(&self, metas: &[&EntryMeta]) -> Result<Vec<bool>> {
        let mut tx = self.begin_write().await?;
        let mut inserted = std::collections::HashSet::new();
        for chunk in metas.chunks(ROWS_PER_STATEMENT) {
            let rows = placeholders(chunk.len(), 6);
            let sql = format!(
                "INSERT INTO entries (id, case_id, size, received_at, author, keyring_version) VALUES {rows} \
                 ON CONFLICT(id) DO NOTHING RETURNING id"
            );
            let mut q = sqlx::query(&sql);
            for meta in chunk {
                q = q
                    .bind(meta.id.to_string())
                    .bind(meta.case.to_string())
                    .bind(meta.size as i64)
                    .bind(meta.received_at.clone())
                    .bind(meta.author.clone())
                    .bind(meta.keyring_version.map(|v| v as i64));
            }
            for row in q.fetch_all(&mut *tx).await? {
                inserted.insert(row.try_get::<String, _>("id")?);
            }
        }
        // The first of several same-id entries in a batch is the one that was stored.
        let created: Vec<bool> = metas.iter().map(|m| inserted.remove(&m.id.to_string())).collect();
        let events: Vec<(String, &EntryMeta)> =
            metas.iter().zip(&created).filter(|(_, c)| **c).map(|(m, _)| (m.id.to_string(), *m)).collect();
        let events: Vec<NewEvent<'_>> = events
            .iter()
            .map(|(id, m)| NewEvent {
                actor: &m.author,
                action: audit::Action::EntryStored,
                subject: id,
                size: Some(m.size),
            })
            .collect();
        append_audit_events(&mut tx, &events).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn entry(&self, id: &EntryId) -> Result<Option<EntryRow>> {
        let row = sqlx::query(&format!("{SELECT_ENTRY} WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| entry_from_row(&r)).transpose()
    }

    /// Entries in upload order, filtered.
    pub async fn entries(&self, filter: &EntryFilter) -> Result<Vec<EntryRow>> {
        let rows = sqlx::query(&format!(
            "{SELECT_ENTRY} WHERE seq > $1 AND (CAST($2 AS TEXT) IS NULL OR case_id = $2) \
             AND (CAST($3 AS TEXT) IS NULL OR author = $3) ORDER BY seq LIMIT $4"
        ))
        .bind(filter.after_seq)
        .bind(filter.case.map(|c| c.to_string()))
        .bind(filter.author.as_deref())
        .bind(filter.limit.min(i64::MAX as usize) as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry_from_row).collect()
    }

    /// Every entry, for `amanat verify` and `amanat export`.
    pub async fn all_entries(&self) -> Result<Vec<EntryRow>> {
        let rows = sqlx::query(&format!("{SELECT_ENTRY} ORDER BY seq")).fetch_all(&self.pool).await?;
        rows.iter().map(entry_from_row).collect()
    }
}

impl Store {
    // ---- audit log ----

    /// Appends an event to the audit chain.
    pub async fn audit(&self, event: &NewEvent<'_>) -> Result<()> {
        self.audit_many(std::slice::from_ref(event)).await
    }

    /// Several audit events, chained in order in one write transaction (a bulk read
    /// records one event per entry sent, as single reads would, without one commit each).
    ///
    /// For events of their own (a failed sign-in, an entry about to be sent): an action
    /// and its event go through [`Store::write_audited`] together. The write runs to its
    /// end in its own task even if the client hangs up and its request is dropped.
    pub async fn audit_many(&self, events: &[NewEvent<'_>]) -> Result<()> {
        let events: Vec<OwnedEvent> = events.iter().map(OwnedEvent::from).collect();
        self.write_audited("appending audit events", move |tx| async move { Ok((tx, (), events)) }).await
    }

    /// Audit events after `after_seq`, in order, each with the previous hash it stored.
    pub async fn audit_events(&self, after_seq: u64, limit: usize) -> Result<Vec<(AuditEvent, Vec<u8>)>> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, subject, size, prev_sha256, sha256 FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after_seq as i64)
        .bind(limit.min(i64::MAX as usize) as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let size: Option<i64> = r.try_get("size")?;
                let hash: Vec<u8> = r.try_get("sha256")?;
                let event = AuditEvent {
                    seq: r.try_get::<i64, _>("seq")? as u64,
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    subject: r.try_get("subject")?,
                    size: size.map(|n| n as u64),
                    hash: hex::encode(hash),
                };
                Ok((event, r.try_get("prev_sha256")?))
            })
            .collect()
    }
}

/// A storage task that panicked (its panic is on stderr) or was cancelled at shutdown.
fn task_failed(e: tokio::task::JoinError) -> StoreError {
    StoreError::Io(std::io::Error::other(format!("a storage task failed: {e}")))
}

/// Answers an entry's caller; a failure nobody waits for any more (its upload was
/// dropped) is logged here, since no handler will log it.
fn answer_entry(answer: Answer, result: Result<bool>) {
    if let Err(Err(e)) = answer.send(result) {
        tracing::error!(error = %e, write = "recording an entry", "a write whose request was dropped failed");
    }
}

/// A detached write that ended without answering: it panicked (its panic is on stderr)
/// or the runtime shut down.
fn task_ended_unanswered() -> StoreError {
    StoreError::Io(std::io::Error::other("a storage task ended without an answer"))
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

/// Rows per multi-row statement (SQLite allows 32 766 parameters in one).
const ROWS_PER_STATEMENT: usize = 256;

/// `($1, $2, …), ($k+1, …), …`: `rows` groups of `cols` numbered placeholders.
fn placeholders(rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| format!("({})", (1..=cols).map(|c| format!("${}", r * cols + c)).collect::<Vec<_>>().join(", ")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Appends events to the audit chain, in order, inside the caller's write transaction.
async fn append_audit_events(tx: &mut sqlx::Transaction<'static, Any>, events: &[NewEvent<'_>]) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let last =
        sqlx::query("SELECT seq, sha256 FROM audit_events ORDER BY seq DESC LIMIT 1").fetch_optional(&mut **tx).await?;
    let (mut seq, mut prev) = match last {
        Some(r) => (r.try_get::<i64, _>("seq")? as u64, r.try_get::<Vec<u8>, _>("sha256")?),
        None => (0, audit::GENESIS.to_vec()),
    };
    let at = now_rfc3339();
    for chunk in events.chunks(ROWS_PER_STATEMENT) {
        let rows = placeholders(chunk.len(), 8);
        let sql = format!(
            "INSERT INTO audit_events (seq, at, actor, action, subject, size, prev_sha256, sha256) VALUES {rows}"
        );
        let mut q = sqlx::query(&sql);
        for e in chunk {
            seq += 1;
            let hash = audit::chain_hash(&prev, seq, &at, e.actor, e.action.code(), e.subject, e.size);
            q = q
                .bind(seq as i64)
                .bind(at.clone())
                .bind(e.actor.to_owned())
                .bind(e.action.code())
                .bind(e.subject.to_owned())
                .bind(e.size.map(|n| n as i64))
                .bind(prev)
                .bind(hash.to_vec());
            prev = hash.to_vec();
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

const SELECT_ENTRY: &str = "SELECT seq, id, case_id, size, received_at, author, keyring_version FROM entries";

fn user_from_row(r: &AnyRow) -> Result<User> {
    let role: String = r.try_get("role")?;
    Ok(User {
        name: r.try_get("name")?,
        role: Role::from_str(&role).map_err(|_| StoreError::Malformed(format!("role {role:?}")))?,
    })
}

fn entry_from_row(r: &AnyRow) -> Result<EntryRow> {
    let id: String = r.try_get("id")?;
    let case: String = r.try_get("case_id")?;
    let size: i64 = r.try_get("size")?;
    let keyring_version: Option<i64> = r.try_get("keyring_version")?;
    Ok(EntryRow {
        seq: r.try_get("seq")?,
        meta: EntryMeta {
            id: id.parse().map_err(|_| StoreError::Malformed(format!("entry id {id:?}")))?,
            case: case.parse().map_err(|_| StoreError::Malformed(format!("case id {case:?}")))?,
            size: size as u64,
            received_at: r.try_get("received_at")?,
            author: r.try_get("author")?,
            keyring_version: keyring_version.map(|v| v as u64),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(bytes: &[u8], case: CaseId, author: &str) -> EntryMeta {
        EntryMeta {
            id: EntryId::of(bytes),
            case,
            size: bytes.len() as u64,
            received_at: now_rfc3339(),
            author: author.into(),
            keyring_version: Some(1),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_uploads_of_the_same_bytes_are_one_entry_and_one_audit_event() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        store.add_user("a", Role::Caseworker).await.unwrap();
        let case = CaseId::random();
        let tasks: Vec<_> = (0..40)
            .map(|i| {
                let (store, m) = (store.clone(), meta(format!("{}", i % 10).as_bytes(), case, "a"));
                tokio::spawn(async move { store.insert_entry(&m).await.unwrap() })
            })
            .collect();
        let mut created = 0;
        for t in tasks {
            created += usize::from(t.await.unwrap());
        }
        assert_eq!(created, 10, "each of the 10 distinct entries is created exactly once");
        let events = store.audit_events(0, 100).await.unwrap();
        assert_eq!(events.len(), 10);
        assert_eq!(audit::check_chain(&events), Ok(()));
    }

    /// Polls `fut` at most `polls` times, pausing `pause` between polls so the
    /// database's worker thread gets ahead, then drops it unfinished (as hyper drops a
    /// handler whose client hung up), unless it finished before.
    async fn poll_then_drop<F: std::future::Future>(fut: F, polls: usize, pause: Duration) {
        use std::task::Poll;
        let mut fut = std::pin::pin!(fut);
        for _ in 0..polls {
            if std::future::poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx).is_ready())).await {
                return;
            }
            std::thread::sleep(pause);
            tokio::task::yield_now().await;
        }
    }

    /// Writes that must go through at once: no pooled connection was left inside a
    /// transaction (it would answer the next `BEGIN IMMEDIATE` with an error, or hold the
    /// write lock so that other writes wait out the busy timeout and fail).
    async fn assert_every_connection_writes(store: &Store) {
        let event = NewEvent { actor: "a", action: audit::Action::SignedIn, subject: "a", size: None };
        for _ in 0..32 {
            let t = std::time::Instant::now();
            let wait = Duration::from_secs(5);
            tokio::time::timeout(wait, store.audit(&event)).await.expect("no write lock left held").unwrap();
            let session = store.add_session(&[7; 32], "a", now_unix() + 60);
            tokio::time::timeout(wait, session).await.expect("no write lock left held").unwrap();
            store.delete_session(&[7; 32]).await.unwrap();
            assert!(t.elapsed() < Duration::from_secs(2), "a write waited {:?}", t.elapsed());
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_write_transaction_dropped_while_it_begins_leaves_no_connection_inside_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        store.add_user("a", Role::Adviser).await.unwrap();
        for i in 0..300 {
            let pause = Duration::from_micros(25 * (i % 9) as u64);
            poll_then_drop(async { drop(store.begin_write().await) }, 1 + i % 4, pause).await;
        }
        assert_every_connection_writes(&store).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_audit_event_whose_request_is_dropped_midway_is_still_recorded_whole() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        store.add_user("a", Role::Adviser).await.unwrap();
        let event = NewEvent { actor: "a", action: audit::Action::SignedOut, subject: "a", size: None };
        for i in 0..100 {
            poll_then_drop(store.audit(&event), 1 + i % 3, Duration::from_micros(25 * (i % 9) as u64)).await;
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while store.audit_events(0, 1000).await.unwrap().len() < 100 {
            assert!(std::time::Instant::now() < deadline, "an audit event whose request was dropped is missing");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_every_connection_writes(&store).await;
        let events = store.audit_events(0, 1000).await.unwrap();
        assert_eq!(events.len(), 132);
        assert_eq!(audit::check_chain(&events), Ok(()));
    }

    /// How many events of `action` the chain holds (after checking the chain).
    async fn events_of(store: &Store, action: audit::Action) -> usize {
        let events = store.audit_events(0, 100_000).await.unwrap();
        assert_eq!(audit::check_chain(&events), Ok(()));
        events.iter().filter(|(e, _)| e.action == action.code()).count()
    }

    fn session(i: u8, user: &str) -> NewSession {
        let now = now_unix();
        NewSession { id_sha256: [i; 32], user: user.into(), expires_at: now + 600, ends_at: Some(now + 900) }
    }

    fn cut(i: usize) -> (usize, Duration) {
        (1 + i % 4, Duration::from_micros(25 * (i % 9) as u64))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sign_ins_and_sign_outs_whose_requests_are_dropped_midway_are_each_recorded_with_their_event() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        store.add_user("a", Role::Adviser).await.unwrap();
        for i in 0..60u8 {
            let (polls, pause) = cut(i.into());
            poll_then_drop(store.sign_in(&session(i, "a")), polls, pause).await;
        }
        store.detached_writes_done().await;
        for i in 0..60u8 {
            assert!(store.session(&[i; 32]).await.unwrap().is_some(), "session {i} was started");
        }
        assert_eq!(events_of(&store, audit::Action::SignedIn).await, 60);
        for i in 0..60u8 {
            let (polls, pause) = cut(i.into());
            poll_then_drop(store.sign_out(&[i; 32]), polls, pause).await;
        }
        store.detached_writes_done().await;
        for i in 0..60u8 {
            assert!(store.session(&[i; 32]).await.unwrap().is_none(), "session {i} was ended");
        }
        assert_eq!(events_of(&store, audit::Action::SignedOut).await, 60, "every ended session has its event");
        assert_eq!(store.sign_out(&[0; 32]).await.unwrap(), None, "an ended session is not ended (or recorded) twice");
        assert_every_connection_writes(&store).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn enrolments_and_passphrase_changes_whose_requests_are_dropped_midway_are_each_recorded_with_their_event() {
        use crate::vault_store::NewCredentials;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        store.add_user("a", Role::Adviser).await.unwrap();
        let creds = NewCredentials { salt: "s1", auth_hash: "h1", wrapped_identity: "w1", recipient: "r" };
        for i in 0..40u8 {
            let name = format!("cw{i}");
            store.add_user(&name, Role::Caseworker).await.unwrap();
            store.add_enrolment(&format!("token{i}"), &name, now_unix() + 600).await.unwrap();
        }
        for i in 0..40u8 {
            let (polls, pause) = cut(i.into());
            poll_then_drop(store.redeem_enrolment(&format!("token{i}"), &format!("cw{i}"), &creds), polls, pause).await;
        }
        store.detached_writes_done().await;
        for i in 0..40u8 {
            let account = store.vault_account(&format!("cw{i}")).await.unwrap().expect("enrolled");
            assert_eq!(account.salt, "s1");
            assert_eq!(store.enrolment_account(&format!("token{i}")).await.unwrap(), None, "the link was used up");
            store.sign_in(&session(i, &format!("cw{i}"))).await.unwrap();
        }
        assert_eq!(events_of(&store, audit::Action::Enrolled).await, 40);
        for i in 0..40u8 {
            let (polls, pause) = cut(i.into());
            poll_then_drop(store.change_passphrase(&format!("cw{i}"), "s2", "h2", "w2"), polls, pause).await;
        }
        store.detached_writes_done().await;
        for i in 0..40u8 {
            let account = store.vault_account(&format!("cw{i}")).await.unwrap().unwrap();
            let stored = (account.salt.as_str(), account.auth_hash.as_str(), account.wrapped_identity.as_str());
            assert_eq!(stored, ("s2", "h2", "w2"));
            assert!(store.session(&[i; 32]).await.unwrap().is_none(), "the change ended the earlier session");
        }
        assert_eq!(events_of(&store, audit::Action::PassphraseChanged).await, 40);
        assert_every_connection_writes(&store).await;
    }

    #[tokio::test]
    async fn an_account_change_whose_audit_event_cannot_be_written_is_not_made() {
        use crate::vault_store::NewCredentials;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        store.add_user("a", Role::Adviser).await.unwrap();
        store.add_user("cw", Role::Caseworker).await.unwrap();
        store.add_enrolment("t1", "cw", now_unix() + 600).await.unwrap();
        let creds = NewCredentials { salt: "s1", auth_hash: "h1", wrapped_identity: "w1", recipient: "r" };
        store.redeem_enrolment("t1", "cw", &creds).await.unwrap().expect("enrolled");
        store.sign_in(&session(1, "cw")).await.unwrap();
        store.add_enrolment("t2", "cw", now_unix() + 600).await.unwrap();
        let before = store.audit_events(0, 100).await.unwrap().len();
        let refuse = "CREATE TRIGGER no_audit BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'refused'); END";
        sqlx::query(refuse).execute(store.pool()).await.unwrap();

        assert!(store.sign_in(&session(2, "cw")).await.is_err());
        assert!(store.session(&[2; 32]).await.unwrap().is_none(), "no session without its signed_in event");
        assert!(store.sign_out(&[1; 32]).await.is_err());
        assert!(store.session(&[1; 32]).await.unwrap().is_some(), "not ended without its signed_out event");
        assert!(store.change_passphrase("cw", "s2", "h2", "w2").await.is_err());
        assert_eq!(store.vault_account("cw").await.unwrap().unwrap().salt, "s1", "not changed without its event");
        assert!(store.session(&[1; 32]).await.unwrap().is_some(), "nor the account's sessions ended");
        let again = NewCredentials { salt: "s3", ..creds };
        assert!(store.redeem_enrolment("t2", "cw", &again).await.is_err());
        assert_eq!(store.vault_account("cw").await.unwrap().unwrap().salt, "s1", "not enrolled without its event");
        assert_eq!(store.enrolment_account("t2").await.unwrap().as_deref(), Some("cw"), "the link still works");

        sqlx::query("DROP TRIGGER no_audit").execute(store.pool()).await.unwrap();
        assert_eq!(store.audit_events(0, 100).await.unwrap().len(), before);
        assert_every_connection_writes(&store).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn closing_the_store_waits_for_writes_whose_requests_were_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        store.add_user("a", Role::Adviser).await.unwrap();
        // Each dropped at its first poll: queued on the write lock when the store closes.
        for i in 0..40u8 {
            poll_then_drop(store.sign_in(&session(i, "a")), 1, Duration::ZERO).await;
        }
        store.close().await;
        let store = Store::open(dir.path()).await.unwrap();
        for i in 0..40u8 {
            assert!(store.session(&[i; 32]).await.unwrap().is_some(), "session {i} was lost at close");
        }
        assert_eq!(events_of(&store, audit::Action::SignedIn).await, 40);
    }

    /// A `MakeWriter` into a shared buffer, to read what was logged.
    #[derive(Clone, Default)]
    struct Logged(Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Logged {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Logged {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    #[tokio::test]
    async fn a_write_that_fails_after_its_request_was_dropped_is_logged_once_and_without_its_content() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        store.add_user("someone", Role::Adviser).await.unwrap();
        let refuse = "CREATE TRIGGER no_audit BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'refused'); END";
        sqlx::query(refuse).execute(store.pool()).await.unwrap();
        let log = Logged::default();
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt().with_ansi(false).with_writer(move || writer.clone()).finish();
        let _default = tracing::subscriber::set_default(subscriber);

        // Its caller still waiting: the error is the caller's to log (a handler does).
        assert!(store.sign_in(&session(1, "someone")).await.is_err());
        assert_eq!(log.text(), "");
        // Its caller gone (this test runs on one thread: the task logs to this subscriber).
        poll_then_drop(store.sign_in(&session(2, "someone")), 1, Duration::ZERO).await;
        store.detached_writes_done().await;
        let text = log.text();
        assert_eq!(text.matches("a write whose request was dropped failed").count(), 1, "{text}");
        assert!(text.contains("ERROR") && text.contains("starting a session") && text.contains("refused"), "{text}");
        assert!(
            !text.contains("someone") && !text.contains(&hex::encode([2u8; 32])),
            "no account or session id: {text}"
        );
        assert!(store.session(&[2; 32]).await.unwrap().is_none());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_enrolment_queues_for_the_write_lock_in_tokio_without_holding_sqlites() {
        use crate::vault_store::NewCredentials;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        store.add_user("cw", Role::Caseworker).await.unwrap();
        store.add_enrolment("t1", "cw", now_unix() + 600).await.unwrap();
        let held = store.writes.lock.clone().lock_owned().await;
        let redeem = tokio::spawn({
            let store = store.clone();
            async move {
                let creds = NewCredentials { salt: "s", auth_hash: "h", wrapped_identity: "w", recipient: "r" };
                store.redeem_enrolment("t1", "cw", &creds).await
            }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(!redeem.is_finished(), "it waits for the chain's writers");
        // Meanwhile SQLite's write lock is free: another connection takes it at once.
        let mut conn = store.pool().acquire().await.unwrap();
        conn.execute("PRAGMA busy_timeout = 0").await.unwrap();
        conn.execute("BEGIN IMMEDIATE").await.expect("the enrolment does not hold SQLite's write lock while it waits");
        conn.execute("ROLLBACK; PRAGMA busy_timeout = 10000").await.unwrap();
        drop(conn);
        drop(held);
        assert_eq!(redeem.await.unwrap().unwrap().map(|u| u.name).as_deref(), Some("cw"));
        assert_eq!(events_of(&store, audit::Action::Enrolled).await, 1);
    }

    #[tokio::test]
    async fn a_new_store_has_its_blob_directory_before_the_first_upload() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        assert!(dir.path().join("blobs").is_dir(), "made (and its parent fsynced) at open");
        store.close().await;
    }

    #[tokio::test]
    async fn entries_list_in_upload_order_filtered_by_case_and_author() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        store.add_user("a", Role::Caseworker).await.unwrap();
        store.add_user("b", Role::Caseworker).await.unwrap();
        assert!(matches!(store.add_user("a", Role::Admin).await, Err(StoreError::UserExists(_))));
        let (c1, c2) = (CaseId::random(), CaseId::random());
        assert!(store.insert_entry(&meta(b"1", c1, "a")).await.unwrap());
        assert!(store.insert_entry(&meta(b"2", c2, "b")).await.unwrap());
        assert!(store.insert_entry(&meta(b"3", c1, "b")).await.unwrap());
        assert!(!store.insert_entry(&meta(b"1", c1, "a")).await.unwrap(), "same id twice is one row");

        let all = store.entries(&EntryFilter { limit: 10, ..Default::default() }).await.unwrap();
        assert_eq!(all.iter().map(|e| e.meta.id).collect::<Vec<_>>(), [b"1", b"2", b"3"].map(|b| EntryId::of(b)));
        let by_case = store.entries(&EntryFilter { case: Some(c1), limit: 10, ..Default::default() }).await.unwrap();
        assert_eq!(by_case.len(), 2);
        let by_b = store
            .entries(&EntryFilter { author: Some("b".into()), after_seq: all[1].seq, limit: 10, ..Default::default() })
            .await
            .unwrap();
        assert_eq!(by_b.len(), 1);
        assert_eq!(by_b[0].meta.id, EntryId::of(b"3"));
        assert_eq!(store.entry(&EntryId::of(b"2")).await.unwrap().unwrap().meta.author, "b");
    }
}
