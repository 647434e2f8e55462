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
//! data directory (it also holds `keyring.json`), see docs/storage.md. A blob is durable
//! (fsync, rename, directory fsync) before its row is committed, so a row never points
//! at bytes that a crash could lose. SQLite runs in WAL mode with `synchronous=FULL`:
//! a commit is on disk before the relay answers 201, and `amanat` subcommands can work
//! on the store while a server runs on it. Writers that append to the audit chain take
//! the database's write lock first (`BEGIN IMMEDIATE` in SQLite, a table lock in
//! PostgreSQL), so concurrent relays never fork the chain.
//!
//! What is not here: deciding who may do what (see [`crate::auth`] and the routes), or
//! what a valid entry is (see `shared`).
//!
//! One file per concept, each adding its part of [`Store`]'s methods: [`accounts`]
//! (users and API tokens), [`sessions`], [`entries`] (entry metadata, group commit,
//! case ownership), [`audit`] (appending to and reading the chain), [`vault`]
//! (passphrase accounts and enrolment) and [`supersessions`]. This file holds the
//! store itself: opening and migrating it, and the write lock and detached writes that
//! keep every audited write whole.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Once};
use std::time::Duration;

use shared::api::EntryMeta;
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, Executor};

use crate::audit::{NewEvent, OwnedEvent};
use crate::blobs::Blobs;

mod accounts;
mod audit;
mod entries;
mod sessions;
mod supersessions;
#[cfg(test)]
pub(crate) mod tests;
pub mod vault;

pub use accounts::{AccountSummary, LiveToken, User};
pub use entries::{EntryFilter, EntryRow, Recorded};
pub use sessions::NewSession;
pub use supersessions::Superseded;
pub use vault::{AuthorKeyRegistration, Delay, EnrolmentKey, NewCredentials, VaultAccount};

use audit::append_audit_events;
use entries::Answer;

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

/// Connections in a SQLite store's pool.
const SQLITE_CONNECTIONS: u32 = 8;

/// How long closing the store waits for detached writes (longer than SQLite's busy
/// timeout, so a write waiting for the lock gets its turn).
const CLOSE_GRACE: Duration = Duration::from_secs(15);

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
                    .max_connections(SQLITE_CONNECTIONS)
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

    /// The database, for tests that tamper with it.
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
}

/// A storage task that panicked (its panic is on stderr) or was cancelled at shutdown.
fn task_failed(e: tokio::task::JoinError) -> StoreError {
    StoreError::Io(std::io::Error::other(format!("a storage task failed: {e}")))
}

/// A detached write that ended without answering: it panicked (its panic is on stderr)
/// or the runtime shut down.
fn task_ended_unanswered() -> StoreError {
    StoreError::Io(std::io::Error::other("a storage task ended without an answer"))
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
