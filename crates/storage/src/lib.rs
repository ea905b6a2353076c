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

pub mod audit;
pub mod bulk;
pub mod dump;
pub mod enterprises;
pub mod jobs;
pub mod migrate;
pub mod orgs;
mod query;
pub mod seed;
pub mod users;

use std::str::FromStr;
use std::time::Duration;

use rand::Rng;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

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
}

impl From<sqlx::Error> for StorageError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::RowNotFound = e {
            return StorageError::NotFound;
        }
        if let sqlx::Error::Database(db) = &e
            && db.kind() == sqlx::error::ErrorKind::UniqueViolation
        {
            let msg = format!("{} {}", db.message(), db.constraint().unwrap_or(""));
            for field in [
                "credit_code",
                "username",
                "code",
                "key",
                "name",
                "token_hash",
            ] {
                if msg.contains(field) {
                    return StorageError::Duplicate {
                        field: field.to_string(),
                    };
                }
            }
            return StorageError::Duplicate {
                field: "unknown".into(),
            };
        }
        StorageError::Database(e)
    }
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// The database handle shared by the whole server. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
}

/// Options for [`Db::connect`].
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(10),
        }
    }
}

impl Db {
    /// Connects to `sqlite://PATH` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str, opts: ConnectOptions) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_string(),
        };
        let connect = AnyConnectOptions::from_str(&url).map_err(StorageError::from)?;
        let pool = AnyPoolOptions::new()
            .max_connections(opts.max_connections)
            .acquire_timeout(opts.acquire_timeout)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the one writer; foreign keys are off by
                        // default in SQLite; the busy timeout makes writers queue, not fail.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                    } else {
                        conn.execute("SET TIME ZONE 'UTC'").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(connect)
            .await?;
        Ok(Db { pool, backend })
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Starts a write transaction on behalf of `actor`. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a transaction that reads then writes cannot fail half-way with
    /// SQLITE_BUSY when another writer got in between.
    pub async fn begin<'a>(&self, actor: &'a Actor) -> Result<AuditedTx<'a>> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(AuditedTx::new(tx, actor, self.backend))
    }

    pub async fn close(&self) {
        self.pool.close().await
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
