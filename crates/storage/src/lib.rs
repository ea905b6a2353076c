//! shoumi storage: one set of portable SQL that runs on SQLite and PostgreSQL.
//!
//! Why one set of queries rather than a trait with two implementations: the platform's queries are
//! plain relational SQL that both engines understand identically when written with care
//! (`$N` placeholders, `RETURNING`, `ON CONFLICT`, integers for times and booleans). Two
//! implementations would double the code that must be kept faithful; one set, run by the same
//! integration suite on both engines, is checked on every change. The few real differences
//! (DDL types, `BEGIN IMMEDIATE`, sequence resets) live in [`Backend`] and in the two migration
//! folders. See docs/ARCHITECTURE.md.
//!
//! Every write goes through an [`AuditedTx`]: the change and its audit row commit together, and
//! committing a transaction that wrote no audit row is an error.

#![forbid(unsafe_code)]

pub mod assessment;
pub mod audit;
pub mod bulk;
pub mod calendar;
pub mod demonstration;
pub mod dump;
pub mod enterprises;
pub mod jobs;
pub mod ledger;
pub mod migrate;
pub mod notify;
pub mod orgs;
pub mod programme;
mod query;
pub mod scratch;
pub mod seed;
pub mod sql;
pub mod stations;
pub mod users;
pub mod worklist;

use std::time::Duration;

use rand::Rng;

pub use audit::{Actor, AuditedTx};
pub use query::Page;
use shoumi_domain::FieldErrors;

/// Which engine a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend, StorageError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StorageError::Config(format!(
                "unsupported database URL (use sqlite:// or postgres://): {}",
                redact_url(url)
            )))
        }
    }
}

/// Removes a password from a database URL before it is printed or logged.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("not found")]
    NotFound,
    /// A unique constraint: the field is named so the page can show it beside the input.
    #[error("{field} is already in use")]
    Duplicate { field: String },
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    #[error("configuration: {0}")]
    Config(String),
    #[error("migration: {0}")]
    Migration(String),
    #[error("{0}")]
    Integrity(String),
    #[error("database: {0}")]
    Database(#[source] sqlx::Error),
    #[error("database: {0}")]
    Sqlite(#[source] rusqlite::Error),
    /// A value read back is not of the expected type (a bug, or a damaged database).
    #[error("database value: {0}")]
    Decode(String),
    #[error("database: timed out waiting for a connection")]
    PoolTimedOut,
    /// A step the rules do not allow now (a transition from the wrong stage, a publicity not
    /// yet over): nothing was changed. Chinese and English.
    #[error("{zh} / {en}")]
    Refused { zh: String, en: String },
}

impl StorageError {
    pub fn refused(zh: impl Into<String>, en: impl Into<String>) -> StorageError {
        StorageError::Refused {
            zh: zh.into(),
            en: en.into(),
        }
    }
}

impl From<shoumi_domain::demonstration::TransitionError> for StorageError {
    fn from(e: shoumi_domain::demonstration::TransitionError) -> Self {
        StorageError::Refused { zh: e.zh, en: e.en }
    }
}

/// The field a unique constraint is about, so the page can show it beside the input.
fn duplicate(field: &str) -> StorageError {
    StorageError::Duplicate {
        field: if field.is_empty() { "unknown" } else { field }.to_string(),
    }
}

impl From<rusqlite::Error> for StorageError {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, msg) = &e
            && matches!(
                f.extended_code,
                rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            )
        {
            // "UNIQUE constraint failed: users.username" (the first column of the constraint)
            let m = msg.as_deref().unwrap_or("");
            let col = m
                .rsplit(": ")
                .next()
                .and_then(|cols| cols.split(", ").next())
                .and_then(|c| c.rsplit('.').next())
                .unwrap_or("");
            return duplicate(col);
        }
        StorageError::Sqlite(e)
    }
}

impl From<sqlx::Error> for StorageError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::RowNotFound = e {
            return StorageError::NotFound;
        }
        if let sqlx::Error::Database(db) = &e
            && db.kind() == sqlx::error::ErrorKind::UniqueViolation
        {
            // PostgreSQL names a UNIQUE column constraint "{table}_{column}_key".
            let col = match (db.constraint(), db.table()) {
                (Some(c), Some(t)) => c
                    .strip_prefix(&format!("{t}_"))
                    .and_then(|c| c.strip_suffix("_key"))
                    .unwrap_or(c),
                (Some(c), None) => c,
                _ => "",
            };
            return duplicate(col);
        }
        if let sqlx::Error::PoolTimedOut = e {
            return StorageError::PoolTimedOut;
        }
        StorageError::Database(e)
    }
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// The database handle shared by the whole server. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pub(crate) pool: std::sync::Arc<sql::Pool>,
    pub backend: Backend,
}

/// See [`Db::data_version`]. Only equality is meaningful.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataVersion(Version);

impl DataVersion {
    /// A version for tests of code that compares versions.
    #[doc(hidden)]
    pub fn for_tests(n: i64) -> DataVersion {
        DataVersion(Version::Sqlite(n))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Version {
    Sqlite(i64),
    Pg(String),
}

/// Options for [`Db::connect`].
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    /// SQLite only: map up to this many bytes of the database file into memory (`PRAGMA
    /// mmap_size`; 0 = off). Reads of a large database then skip a copy per page.
    pub sqlite_mmap_bytes: u64,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(10),
            sqlite_mmap_bytes: 0,
        }
    }
}

/// The file path of a `sqlite://PATH` or `sqlite:PATH` URL (query options are ignored: shoumi
/// sets its own pragmas); `sqlite::memory:` is refused, since every connection would see a
/// database of its own.
fn sqlite_path(url: &str) -> Result<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let path = rest.split('?').next().unwrap_or("");
    if path.is_empty() || path == ":memory:" {
        return Err(StorageError::Config(format!(
            "a SQLite database needs a file path (sqlite://PATH), got {url}"
        )));
    }
    Ok(path.to_string())
}

impl Db {
    /// Connects to `sqlite://PATH` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str, opts: ConnectOptions) -> Result<Db> {
        let backend = Backend::from_url(url)?;
        let pool = match backend {
            Backend::Sqlite => sql::Pool::Sqlite(sql::SqlitePool::open(
                sqlite_path(url)?,
                opts.max_connections,
                opts.acquire_timeout,
                opts.sqlite_mmap_bytes,
            )?),
            Backend::Postgres => {
                sql::Pool::Pg(sql::pg_pool(url, opts.max_connections, opts.acquire_timeout).await?)
            }
        };
        Ok(Db {
            pool: std::sync::Arc::new(pool),
            backend,
        })
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<()> {
        sql::query("SELECT 1").fetch_one(self).await?;
        Ok(())
    }

    /// Starts a write transaction on behalf of `actor`. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a transaction that reads then writes cannot fail half-way with
    /// SQLITE_BUSY when another writer got in between.
    pub async fn begin<'a>(&self, actor: &'a Actor) -> Result<AuditedTx<'a>> {
        let tx = self.begin_raw(sql::TxKind::Write).await?;
        Ok(AuditedTx::new(tx, actor, self.backend))
    }

    /// As [`Db::begin`], for a change that must survive a power cut before it is acknowledged
    /// (the evidence ledger): see [`sql::TxKind::Durable`].
    pub async fn begin_durable<'a>(&self, actor: &'a Actor) -> Result<AuditedTx<'a>> {
        let tx = self.begin_raw(sql::TxKind::Durable).await?;
        Ok(AuditedTx::new(tx, actor, self.backend))
    }

    /// A read-only transaction for several reads that must see the same data (a page of a list
    /// and its total). End it with `commit` (or drop it).
    pub async fn read(&self) -> Result<sql::Tx> {
        self.begin_raw(sql::TxKind::Read).await
    }

    /// A transaction without the audit requirement: for migrations, restores and snapshots
    /// (storage-internal operations that are not user changes).
    pub(crate) async fn begin_raw(&self, kind: sql::TxKind) -> Result<sql::Tx> {
        sql::Tx::begin(&self.pool, kind).await
    }

    /// Where the database's data stands: two equal versions mean that no change was committed
    /// between the two readings — by this process, by another instance or by a command-line
    /// tool — so anything computed from the data at the first reading is still true at the
    /// second. Used to serve a rendered page again without rendering it (the web layer's page
    /// cache).
    ///
    /// SQLite: `PRAGMA data_version` on a connection that never writes. PostgreSQL: the current
    /// snapshot (`pg_current_snapshot()`: the oldest running transaction, the next transaction
    /// id and the ones in progress), which changes when any transaction that wrote commits or
    /// aborts; it is cluster-wide, so writes to other databases of the server change it too
    /// (a cache miss, never a stale page).
    pub async fn data_version(&self) -> Result<DataVersion> {
        match &*self.pool {
            sql::Pool::Sqlite(p) => Ok(DataVersion(Version::Sqlite(p.data_version()?))),
            sql::Pool::Pg(_) => Ok(DataVersion(Version::Pg(
                sql::query_scalar::<String>("SELECT pg_current_snapshot()::text")
                    .fetch_one(self)
                    .await?,
            ))),
        }
    }

    /// Connections open, idle, and the maximum (for `/metrics`).
    pub fn pool_stats(&self) -> (u32, u32, u32) {
        match &*self.pool {
            sql::Pool::Sqlite(p) => p.stats(),
            sql::Pool::Pg(p) => (
                p.size(),
                p.num_idle() as u32,
                p.options().get_max_connections(),
            ),
        }
    }

    pub async fn close(&self) {
        match &*self.pool {
            sql::Pool::Sqlite(p) => p.close(),
            sql::Pool::Pg(p) => p.close().await,
        }
    }
}

/// Now, as stored: Unix microseconds UTC.
pub fn now() -> i64 {
    shoumi_domain::Timestamp::now().0
}

/// A random identifier for public URLs: 14 characters of lower-case base32 (70 bits), so URLs
/// reveal neither how many rows exist nor in which order they were made.
pub fn new_public_id() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..14)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// A random secret token (for sessions, CSRF and API tokens): 32 bytes, hex.
pub fn new_secret() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill(&mut b);
    hex::encode(b)
}

/// SHA-256 of a secret token: only the hash is stored, so a database copy cannot sign anyone in.
pub fn hash_secret(token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}
