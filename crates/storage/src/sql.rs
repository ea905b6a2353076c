//! The database access layer: one SQL text, two engines.
//!
//! Storage code writes `sql::query("… $1 …").bind(x).fetch_all(db)` exactly once; this module runs
//! it on SQLite (through `rusqlite`, in place on the calling thread) or on PostgreSQL (through
//! `sqlx`'s typed Postgres driver), and hands back the same [`Row`] type either way.
//!
//! Why not `sqlx::Any` (what shoumi used first): its SQLite driver gives every connection a thread
//! of its own and sends each result row through a channel, so a page that reads 50 rows paid for
//! dozens of thread wake-ups and a per-value conversion into `Any` types — about a third of the
//! CPU time of the enterprise list went to the kernel's scheduler (`docs/PERFORMANCE.md`). SQLite
//! answers these queries in microseconds; calling it directly is the fast path.
//!
//! Concurrency on SQLite: reads run in place on any pooled connection (WAL readers never wait for
//! the writer). Writes — a transaction from [`Db::begin`](crate::Db::begin), or a single statement
//! that is not read-only — first take an in-process async writer lock, so a task never blocks a
//! runtime thread waiting for SQLite's write lock held by another task of the same process; the
//! busy timeout only covers other processes (a CLI command beside the server).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef};
use sqlx::postgres::{PgArguments, PgPoolOptions, PgRow};
use sqlx::{Column as _, Postgres, Row as _, TypeInfo as _};
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard, OwnedSemaphorePermit, Semaphore};

use crate::{Result, StorageError};

// ---------------------------------------------------------------------------------------------
// Values

/// The type of a NULL: PostgreSQL wants to know what a missing value would have been.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Real,
    Text,
    Blob,
}

/// A value bound to a statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null(Kind),
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// Types that can be bound to a placeholder.
pub trait Encode {
    fn encode(self) -> Value;
    /// The kind of this type's NULL.
    fn kind() -> Kind
    where
        Self: Sized;
}

impl Encode for i64 {
    fn encode(self) -> Value {
        Value::Int(self)
    }
    fn kind() -> Kind {
        Kind::Int
    }
}

impl Encode for f64 {
    fn encode(self) -> Value {
        Value::Real(self)
    }
    fn kind() -> Kind {
        Kind::Real
    }
}
impl Encode for String {
    fn encode(self) -> Value {
        Value::Text(self)
    }
    fn kind() -> Kind {
        Kind::Text
    }
}
impl Encode for &str {
    fn encode(self) -> Value {
        Value::Text(self.to_string())
    }
    fn kind() -> Kind {
        Kind::Text
    }
}
impl Encode for Vec<u8> {
    fn encode(self) -> Value {
        Value::Blob(self)
    }
    fn kind() -> Kind {
        Kind::Blob
    }
}
impl<T: Encode> Encode for Option<T> {
    fn encode(self) -> Value {
        match self {
            Some(v) => v.encode(),
            None => Value::Null(T::kind()),
        }
    }
    fn kind() -> Kind {
        T::kind()
    }
}

/// The arguments of one statement, in placeholder order (`$1` is the first).
#[derive(Debug, Clone, Default)]
pub struct Args(pub(crate) Vec<Value>);

impl Args {
    pub fn add(&mut self, v: impl Encode) {
        self.0.push(v.encode());
    }
}

// ---------------------------------------------------------------------------------------------
// Rows

/// One value as read back.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl Cell {
    fn type_name(&self) -> &'static str {
        match self {
            Cell::Null => "NULL",
            Cell::Int(_) => "integer",
            Cell::Real(_) => "real",
            Cell::Text(_) => "text",
            Cell::Blob(_) => "blob",
        }
    }
}

/// Types a column can be read as.
pub trait Decode: Sized {
    fn decode(cell: &Cell) -> std::result::Result<Self, String>;
}

fn mismatch<T>(want: &str, cell: &Cell) -> std::result::Result<T, String> {
    Err(format!("expected {want}, found {}", cell.type_name()))
}

impl Decode for i64 {
    fn decode(c: &Cell) -> std::result::Result<Self, String> {
        match c {
            Cell::Int(i) => Ok(*i),
            _ => mismatch("integer", c),
        }
    }
}
impl Decode for f64 {
    fn decode(c: &Cell) -> std::result::Result<Self, String> {
        match c {
            Cell::Real(f) => Ok(*f),
            Cell::Int(i) => Ok(*i as f64),
            _ => mismatch("real", c),
        }
    }
}
impl Decode for String {
    fn decode(c: &Cell) -> std::result::Result<Self, String> {
        match c {
            Cell::Text(s) => Ok(s.clone()),
            _ => mismatch("text", c),
        }
    }
}
impl Decode for Vec<u8> {
    fn decode(c: &Cell) -> std::result::Result<Self, String> {
        match c {
            Cell::Blob(b) => Ok(b.clone()),
            _ => mismatch("blob", c),
        }
    }
}
impl<T: Decode> Decode for Option<T> {
    fn decode(c: &Cell) -> std::result::Result<Self, String> {
        match c {
            Cell::Null => Ok(None),
            _ => T::decode(c).map(Some),
        }
    }
}

/// One result row: the column names (shared by all rows of a result) and the values.
#[derive(Debug)]
pub struct Row {
    names: Arc<[String]>,
    cells: Vec<Cell>,
    /// Where the next lookup by name starts: callers mostly read columns in SELECT order, so
    /// the search usually succeeds at once instead of comparing every earlier name.
    next: AtomicUsize,
}

impl Clone for Row {
    fn clone(&self) -> Self {
        Row {
            names: self.names.clone(),
            cells: self.cells.clone(),
            next: AtomicUsize::new(0),
        }
    }
}

impl Row {
    fn new(names: Arc<[String]>, cells: Vec<Cell>) -> Row {
        Row {
            names,
            cells,
            next: AtomicUsize::new(0),
        }
    }

    fn index_of(&self, name: &str) -> Option<usize> {
        let n = self.names.len();
        let start = self.next.load(Ordering::Relaxed).min(n);
        let i = (start..n)
            .chain(0..start)
            .find(|&i| self.names[i] == name)?;
        self.next.store(i + 1, Ordering::Relaxed);
        Some(i)
    }
}

impl Row {
    /// The value of column `name`, read as `T`; an error names the column.
    pub fn try_get<T: Decode>(&self, name: &str) -> Result<T> {
        let i = self
            .index_of(name)
            .ok_or_else(|| StorageError::Decode(format!("no column {name}")))?;
        T::decode(&self.cells[i]).map_err(|e| StorageError::Decode(format!("column {name}: {e}")))
    }
    /// The value of the column at `i` (0-based).
    pub fn try_get_at<T: Decode>(&self, i: usize) -> Result<T> {
        let c = self
            .cells
            .get(i)
            .ok_or_else(|| StorageError::Decode(format!("no column {i}")))?;
        T::decode(c).map_err(|e| StorageError::Decode(format!("column {i}: {e}")))
    }
}

/// What a statement that returns no rows reports.
#[derive(Debug, Clone, Copy, Default)]
pub struct Done {
    rows_affected: u64,
}

impl Done {
    pub fn rows_affected(&self) -> u64 {
        self.rows_affected
    }
}

// ---------------------------------------------------------------------------------------------
// Queries

/// Where a statement runs: the pool (its own connection, autocommit) or an open transaction.
pub enum Ex<'a> {
    Db(&'a crate::Db),
    Tx(&'a mut Tx),
}

impl<'a> From<&'a crate::Db> for Ex<'a> {
    fn from(d: &'a crate::Db) -> Self {
        Ex::Db(d)
    }
}
impl<'a> From<&'a mut Tx> for Ex<'a> {
    fn from(t: &'a mut Tx) -> Self {
        Ex::Tx(t)
    }
}

/// A statement with its arguments.
pub struct Query<'q> {
    sql: &'q str,
    args: Args,
}

/// A statement: `$1`, `$2`, … are its placeholders on both engines.
pub fn query(sql: &str) -> Query<'_> {
    Query {
        sql,
        args: Args::default(),
    }
}

/// A statement with arguments built beforehand.
pub fn query_with(sql: &str, args: Args) -> Query<'_> {
    Query { sql, args }
}

/// A statement whose first column is the result.
pub fn query_scalar<T: Decode>(sql: &str) -> Scalar<'_, T> {
    Scalar {
        q: query(sql),
        _t: std::marker::PhantomData,
    }
}

/// [`query_scalar`] with arguments built beforehand.
pub fn query_scalar_with<T: Decode>(sql: &str, args: Args) -> Scalar<'_, T> {
    Scalar {
        q: query_with(sql, args),
        _t: std::marker::PhantomData,
    }
}

pub struct Scalar<'q, T> {
    q: Query<'q>,
    _t: std::marker::PhantomData<T>,
}

impl<'q, T: Decode> Scalar<'q, T> {
    pub fn bind(mut self, v: impl Encode) -> Self {
        self.q.args.add(v);
        self
    }
    pub async fn fetch_one<'e>(self, ex: impl Into<Ex<'e>>) -> Result<T> {
        self.q.fetch_one(ex).await?.try_get_at(0)
    }
    pub async fn fetch_optional<'e>(self, ex: impl Into<Ex<'e>>) -> Result<Option<T>> {
        match self.q.fetch_optional(ex).await? {
            Some(r) => Ok(Some(r.try_get_at(0)?)),
            None => Ok(None),
        }
    }
}

impl<'q> Query<'q> {
    pub fn bind(mut self, v: impl Encode) -> Self {
        self.args.add(v);
        self
    }

    pub async fn fetch_all<'e>(self, ex: impl Into<Ex<'e>>) -> Result<Vec<Row>> {
        Ok(run(ex.into(), self.sql, self.args, Mode::Rows(None))
            .await?
            .0)
    }

    pub async fn fetch_optional<'e>(self, ex: impl Into<Ex<'e>>) -> Result<Option<Row>> {
        Ok(run(ex.into(), self.sql, self.args, Mode::Rows(Some(1)))
            .await?
            .0
            .into_iter()
            .next())
    }

    pub async fn fetch_one<'e>(self, ex: impl Into<Ex<'e>>) -> Result<Row> {
        self.fetch_optional(ex).await?.ok_or(StorageError::NotFound)
    }

    pub async fn execute<'e>(self, ex: impl Into<Ex<'e>>) -> Result<Done> {
        Ok(run(ex.into(), self.sql, self.args, Mode::Execute).await?.1)
    }
}

/// Runs several statements separated by `;` without arguments (migrations, maintenance).
pub async fn execute_batch<'e>(ex: impl Into<Ex<'e>>, sql: &str) -> Result<()> {
    match ex.into() {
        Ex::Db(db) => match &*db.pool {
            Pool::Sqlite(p) => {
                let _w = p.lock_writer().await?;
                let c = p.acquire().await?;
                c.conn().execute_batch(sql).map_err(StorageError::from)
            }
            Pool::Pg(p) => {
                sqlx::raw_sql(sql).execute(p).await?;
                Ok(())
            }
        },
        Ex::Tx(tx) => match &mut tx.inner {
            TxInner::Sqlite { conn, .. } => {
                conn.conn().execute_batch(sql).map_err(StorageError::from)
            }
            TxInner::Pg(t) => {
                sqlx::raw_sql(sql).execute(&mut **t).await?;
                Ok(())
            }
        },
    }
}

#[derive(Clone, Copy)]
enum Mode {
    Rows(Option<usize>),
    Execute,
}

async fn run(ex: Ex<'_>, sql: &str, args: Args, mode: Mode) -> Result<(Vec<Row>, Done)> {
    match ex {
        Ex::Db(db) => match &*db.pool {
            Pool::Sqlite(p) => {
                let c = p.acquire().await?;
                if !statement_writes(c.conn(), sql)? {
                    return sqlite_run(c.conn(), sql, &args, mode);
                }
                // A write: serialise with this process's transactions (see the module comment).
                // The connection goes back first, so writers queueing for the lock do not hold
                // the connections that readers need.
                drop(c);
                let _w = p.lock_writer().await?;
                let c = p.acquire().await?;
                sqlite_run(c.conn(), sql, &args, mode)
            }
            Pool::Pg(p) => {
                let mut c = p.acquire().await?;
                pg_run(&mut c, sql, args, mode).await
            }
        },
        Ex::Tx(tx) => match &mut tx.inner {
            TxInner::Sqlite { conn, .. } => sqlite_run(conn.conn(), sql, &args, mode),
            TxInner::Pg(t) => pg_run(t, sql, args, mode).await,
        },
    }
}

// ---------------------------------------------------------------------------------------------
// SQLite

fn statement_writes(conn: &rusqlite::Connection, sql: &str) -> Result<bool> {
    Ok(!conn.prepare_cached(sql)?.readonly())
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null(_) => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(*i),
            Value::Real(f) => ValueRef::Real(*f),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

fn sqlite_run(
    conn: &rusqlite::Connection,
    sql: &str,
    args: &Args,
    mode: Mode,
) -> Result<(Vec<Row>, Done)> {
    let mut stmt = conn.prepare_cached(sql)?;
    let n = stmt.parameter_count();
    let mut positional = 0usize;
    for i in 1..=n {
        // `$N` names argument N; an anonymous `?` takes the next one in order.
        let at = match stmt.parameter_name(i) {
            Some(name) => match name.strip_prefix('$').and_then(|d| d.parse::<usize>().ok()) {
                Some(k) if k >= 1 => k - 1,
                _ => {
                    return Err(StorageError::Decode(format!(
                        "unsupported placeholder {name} (use $N or ?)"
                    )));
                }
            },
            None => {
                positional += 1;
                positional - 1
            }
        };
        let v = args.0.get(at).ok_or_else(|| {
            StorageError::Decode(format!(
                "placeholder {i} has no argument ({} given)",
                args.0.len()
            ))
        })?;
        stmt.raw_bind_parameter(i, v)?;
    }
    match mode {
        Mode::Execute => {
            let changed = stmt.raw_execute()?;
            Ok((
                Vec::new(),
                Done {
                    rows_affected: changed as u64,
                },
            ))
        }
        Mode::Rows(limit) => {
            let names: Arc<[String]> = stmt.column_names().iter().map(|s| s.to_string()).collect();
            let width = names.len();
            let mut rows = stmt.raw_query();
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let mut cells = Vec::with_capacity(width);
                for i in 0..width {
                    cells.push(match r.get_ref(i)? {
                        ValueRef::Null => Cell::Null,
                        ValueRef::Integer(v) => Cell::Int(v),
                        ValueRef::Real(v) => Cell::Real(v),
                        ValueRef::Text(t) => {
                            Cell::Text(String::from_utf8(t.to_vec()).map_err(|_| {
                                StorageError::Decode(format!(
                                    "column {}: text is not UTF-8",
                                    names[i]
                                ))
                            })?)
                        }
                        ValueRef::Blob(b) => Cell::Blob(b.to_vec()),
                    });
                }
                out.push(Row::new(names.clone(), cells));
                if limit.is_some_and(|l| out.len() >= l) {
                    break;
                }
            }
            Ok((out, Done::default()))
        }
    }
}

/// The page cache of a pooled connection (up to 32 MiB; SQLite's default is 2 MiB): a county
/// database fits in a few MiB and never fills it; at province scale the filters that touch
/// thousands of rows stop re-reading pages from the OS (2–4× faster with one connection;
/// docs/PERFORMANCE.md).
const CACHE_SIZE: &str = "PRAGMA cache_size = -32768;";
/// The page cache of a bulk load's transaction ([`Tx::use_bulk_cache`]).
const BULK_CACHE_SIZE: &str = "PRAGMA cache_size = -200000;";

/// A pool of SQLite connections, used in place on the calling thread.
pub(crate) struct SqlitePool {
    path: String,
    /// `PRAGMA mmap_size` of every connection (0: off).
    mmap_bytes: u64,
    idle: StdMutex<VecDeque<rusqlite::Connection>>,
    permits: Arc<Semaphore>,
    max: u32,
    acquire_timeout: Duration,
    /// Held by every writer of this process; see the module comment.
    writer: Arc<AsyncMutex<()>>,
    /// A connection that only ever runs `PRAGMA data_version` (see [`SqlitePool::data_version`]);
    /// opened on first use.
    watcher: StdMutex<Option<rusqlite::Connection>>,
}

pub(crate) struct SqliteConn {
    conn: Option<rusqlite::Connection>,
    pool: Arc<SqlitePool>,
    _permit: OwnedSemaphorePermit,
    /// The connection carries the bulk page cache; it gets the usual one back before reuse.
    bulk_cache: bool,
    /// The connection runs with `synchronous = FULL`; it gets NORMAL back before reuse.
    durable: bool,
}

impl SqliteConn {
    pub(crate) fn conn(&self) -> &rusqlite::Connection {
        self.conn.as_ref().expect("connection present until drop")
    }
}

impl Drop for SqliteConn {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            // A connection left inside a transaction (a dropped Tx) is rolled back before reuse.
            if (!c.is_autocommit() && c.execute_batch("ROLLBACK").is_err())
                || (self.bulk_cache && c.execute_batch(CACHE_SIZE).is_err())
                || (self.durable && c.execute_batch("PRAGMA synchronous = NORMAL").is_err())
            {
                return; // drop the connection rather than reuse it in an unknown state
            }
            if let Ok(mut idle) = self.pool.idle.lock() {
                idle.push_back(c);
            }
        }
    }
}

impl SqlitePool {
    pub(crate) fn open(
        path: String,
        max: u32,
        acquire_timeout: Duration,
        mmap_bytes: u64,
    ) -> Result<Arc<SqlitePool>> {
        let pool = Arc::new(SqlitePool {
            path,
            mmap_bytes,
            idle: StdMutex::new(VecDeque::new()),
            permits: Arc::new(Semaphore::new(max as usize)),
            max,
            acquire_timeout,
            writer: Arc::new(AsyncMutex::new(())),
            watcher: StdMutex::new(None),
        });
        // Open one connection now, so a bad path fails at start-up with a clear error.
        let c = pool.connect()?;
        pool.idle.lock().expect("pool lock").push_back(c);
        Ok(pool)
    }

    fn connect(&self) -> Result<rusqlite::Connection> {
        use rusqlite::OpenFlags;
        let c = rusqlite::Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // WAL lets readers run beside the one writer; foreign keys are off by default in SQLite;
        // the busy timeout makes writers of other processes queue, not fail.
        c.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
             PRAGMA temp_store = MEMORY;",
        )?;
        c.execute_batch(CACHE_SIZE)?;
        if self.mmap_bytes > 0 {
            c.execute_batch(&format!("PRAGMA mmap_size = {};", self.mmap_bytes))?;
        }
        c.busy_timeout(Duration::from_secs(10))?;
        c.set_prepared_statement_cache_capacity(256);
        Ok(c)
    }

    pub(crate) async fn acquire(self: &Arc<Self>) -> Result<SqliteConn> {
        let permit =
            tokio::time::timeout(self.acquire_timeout, self.permits.clone().acquire_owned())
                .await
                .map_err(|_| StorageError::PoolTimedOut)?
                .map_err(|_| StorageError::PoolTimedOut)?;
        // Most recently used first: its page cache is the warmest.
        let idle = self.idle.lock().expect("pool lock").pop_back();
        let conn = match idle {
            Some(c) => c,
            None => self.connect()?,
        };
        Ok(SqliteConn {
            conn: Some(conn),
            pool: self.clone(),
            _permit: permit,
            bulk_cache: false,
            durable: false,
        })
    }

    /// A number that changes whenever any connection — of this pool, of another process, of
    /// any tool — commits a change to the database. SQLite's `PRAGMA data_version` counts the
    /// commits a connection did not make itself; this connection never writes, so it counts
    /// them all. It reads the WAL index in shared memory: no disk access, about a microsecond.
    pub(crate) fn data_version(&self) -> Result<i64> {
        let mut w = self.watcher.lock().expect("watcher lock");
        if w.is_none() {
            *w = Some(self.connect()?);
        }
        let c = w.as_ref().expect("opened above");
        let v = c
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |r| r.get(0))?;
        Ok(v)
    }

    /// This process's write lock. Waiting longer than the acquire timeout is an error rather
    /// than a hang (e.g. a pool write issued by a task that holds a write transaction).
    pub(crate) async fn lock_writer(&self) -> Result<OwnedMutexGuard<()>> {
        tokio::time::timeout(self.acquire_timeout, self.writer.clone().lock_owned())
            .await
            .map_err(|_| StorageError::PoolTimedOut)
    }

    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    pub(crate) fn stats(&self) -> (u32, u32, u32) {
        let idle = self.idle.lock().map(|i| i.len() as u32).unwrap_or(0);
        let in_use = self.max - self.permits.available_permits() as u32;
        (idle + in_use, idle, self.max)
    }

    pub(crate) fn close(&self) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.clear();
        }
        if let Ok(mut w) = self.watcher.lock() {
            w.take();
        }
        self.permits.close();
    }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

pub(crate) async fn pg_pool(
    url: &str,
    max: u32,
    acquire_timeout: Duration,
) -> Result<sqlx::PgPool> {
    Ok(PgPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(acquire_timeout)
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                sqlx::Executor::execute(&mut *conn, "SET TIME ZONE 'UTC'").await?;
                Ok(())
            })
        })
        .connect(url)
        .await?)
}

fn pg_args(args: Args) -> Result<PgArguments> {
    use sqlx::Arguments;
    let mut a = PgArguments::default();
    let e = |e: sqlx::error::BoxDynError| StorageError::Decode(e.to_string());
    for v in args.0 {
        match v {
            Value::Null(Kind::Int) => a.add(None::<i64>).map_err(e)?,
            Value::Null(Kind::Real) => a.add(None::<f64>).map_err(e)?,
            Value::Null(Kind::Text) => a.add(None::<String>).map_err(e)?,
            Value::Null(Kind::Blob) => a.add(None::<Vec<u8>>).map_err(e)?,
            Value::Int(i) => a.add(i).map_err(e)?,
            Value::Real(f) => a.add(f).map_err(e)?,
            Value::Text(s) => a.add(s).map_err(e)?,
            Value::Blob(b) => a.add(b).map_err(e)?,
        }
    }
    Ok(a)
}

async fn pg_run(
    conn: &mut sqlx::PgConnection,
    sql: &str,
    args: Args,
    mode: Mode,
) -> Result<(Vec<Row>, Done)> {
    let q = sqlx::query_with::<Postgres, _>(sql, pg_args(args)?);
    match mode {
        Mode::Execute => {
            let r = q.execute(&mut *conn).await?;
            Ok((
                Vec::new(),
                Done {
                    rows_affected: r.rows_affected(),
                },
            ))
        }
        Mode::Rows(limit) => {
            let rows = match limit {
                Some(_) => q.fetch_optional(&mut *conn).await?.into_iter().collect(),
                None => q.fetch_all(&mut *conn).await?,
            };
            let mut names: Option<Arc<[String]>> = None;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                let names = names
                    .get_or_insert_with(|| {
                        r.columns().iter().map(|c| c.name().to_string()).collect()
                    })
                    .clone();
                out.push(Row::new(names, pg_cells(r)?));
            }
            Ok((out, Done::default()))
        }
    }
}

fn pg_cells(r: &PgRow) -> Result<Vec<Cell>> {
    let mut cells = Vec::with_capacity(r.len());
    for (i, col) in r.columns().iter().enumerate() {
        let err = |e: sqlx::Error| StorageError::Decode(format!("column {}: {e}", col.name()));
        let cell = match col.type_info().name() {
            "INT8" => r.try_get::<Option<i64>, _>(i).map_err(err)?.map(Cell::Int),
            "INT4" => r
                .try_get::<Option<i32>, _>(i)
                .map_err(err)?
                .map(|v| Cell::Int(v.into())),
            "INT2" => r
                .try_get::<Option<i16>, _>(i)
                .map_err(err)?
                .map(|v| Cell::Int(v.into())),
            "BOOL" => r
                .try_get::<Option<bool>, _>(i)
                .map_err(err)?
                .map(|v| Cell::Int(v.into())),
            "FLOAT8" => r.try_get::<Option<f64>, _>(i).map_err(err)?.map(Cell::Real),
            "FLOAT4" => r
                .try_get::<Option<f32>, _>(i)
                .map_err(err)?
                .map(|v| Cell::Real(v.into())),
            "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" | "CHAR" => r
                .try_get::<Option<String>, _>(i)
                .map_err(err)?
                .map(Cell::Text),
            "BYTEA" => r
                .try_get::<Option<Vec<u8>>, _>(i)
                .map_err(err)?
                .map(Cell::Blob),
            "VOID" => None,
            other => {
                return Err(StorageError::Decode(format!(
                    "column {}: unsupported PostgreSQL type {other}",
                    col.name()
                )));
            }
        };
        cells.push(cell.unwrap_or(Cell::Null));
    }
    Ok(cells)
}

// ---------------------------------------------------------------------------------------------
// Pools and transactions

pub(crate) enum Pool {
    Sqlite(Arc<SqlitePool>),
    Pg(sqlx::PgPool),
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Pool::Sqlite(p) => write!(f, "SqlitePool({})", p.path),
            Pool::Pg(_) => write!(f, "PgPool"),
        }
    }
}

/// An open transaction; dropped without [`Tx::commit`] it rolls back.
pub struct Tx {
    inner: TxInner,
}

enum TxInner {
    Sqlite {
        conn: SqliteConn,
        _writer: Option<OwnedMutexGuard<()>>,
    },
    Pg(sqlx::Transaction<'static, Postgres>),
}

/// What a transaction is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxKind {
    /// Takes the write lock at once (SQLite `BEGIN IMMEDIATE`), so a transaction that reads then
    /// writes cannot fail half-way because another writer got in between.
    Write,
    /// Reads that must agree: a page and its total, every table of a backup or copy. On SQLite
    /// the snapshot starts at the first read and the WAL read lock is held until the end; on
    /// PostgreSQL it is REPEATABLE READ, READ ONLY.
    Read,
    /// A write whose commit must survive a power cut before it is acknowledged (the evidence
    /// ledger): as `Write`, and on SQLite with `synchronous = FULL`, so the commit fsyncs the WAL
    /// (the platform's other writes use NORMAL, which survives a crash of the process but may
    /// lose the last commits on power loss). PostgreSQL commits are durable as configured
    /// (`synchronous_commit = on` by default).
    Durable,
}

impl Tx {
    pub fn backend(&self) -> crate::Backend {
        match self.inner {
            TxInner::Sqlite { .. } => crate::Backend::Sqlite,
            TxInner::Pg(_) => crate::Backend::Postgres,
        }
    }

    pub(crate) async fn begin(pool: &Pool, kind: TxKind) -> Result<Tx> {
        let inner = match pool {
            Pool::Sqlite(p) => {
                let writer = match kind {
                    TxKind::Write | TxKind::Durable => Some(p.lock_writer().await?),
                    TxKind::Read => None,
                };
                let mut conn = p.acquire().await?;
                match kind {
                    TxKind::Write => conn.conn().execute_batch("BEGIN IMMEDIATE")?,
                    TxKind::Durable => {
                        conn.durable = true;
                        conn.conn()
                            .execute_batch("PRAGMA synchronous = FULL; BEGIN IMMEDIATE")?
                    }
                    TxKind::Read => conn.conn().execute_batch("BEGIN")?,
                }
                TxInner::Sqlite {
                    conn,
                    _writer: writer,
                }
            }
            // The isolation level in the BEGIN itself: one round trip, nothing between.
            Pool::Pg(p) => TxInner::Pg(match kind {
                TxKind::Write | TxKind::Durable => p.begin().await?,
                TxKind::Read => {
                    p.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                        .await?
                }
            }),
        };
        Ok(Tx { inner })
    }

    /// Gives this transaction's SQLite connection a large page cache (200 MB) for a bulk load:
    /// the random-order unique indexes of millions of rows otherwise thrash a small cache. The
    /// connection gets its usual cache back when the transaction ends. Nothing on PostgreSQL.
    pub fn use_bulk_cache(&mut self) -> Result<()> {
        if let TxInner::Sqlite { conn, .. } = &mut self.inner {
            conn.conn().execute_batch(BULK_CACHE_SIZE)?;
            conn.bulk_cache = true;
        }
        Ok(())
    }

    pub async fn commit(self) -> Result<()> {
        match self.inner {
            TxInner::Sqlite { conn, _writer } => {
                conn.conn().execute_batch("COMMIT")?;
                Ok(())
            }
            TxInner::Pg(t) => Ok(t.commit().await?),
        }
    }

    pub async fn rollback(self) -> Result<()> {
        match self.inner {
            TxInner::Sqlite { conn, _writer } => {
                conn.conn().execute_batch("ROLLBACK")?;
                Ok(())
            }
            TxInner::Pg(t) => Ok(t.rollback().await?),
        }
    }
}
