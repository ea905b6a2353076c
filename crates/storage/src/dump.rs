//! Moving whole installations: backup to a portable file, restore from it, and copy one database
//! into another (SQLite → PostgreSQL). All three stream every table in foreign-key order and are
//! all-or-nothing: the target is written in one transaction and row counts are checked on both
//! sides before it commits.

use crate::sql;
use std::io::{BufRead, Write};

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::{Backend, Db, Result, StorageError, now};

/// Derived tables: rebuilt from the others after a restore or copy, never dumped.
pub const DERIVED: &[&str] = &["enterprise_terms", "enterprise_counts"];

/// Every table, parents before children. A test checks this (with [`DERIVED`]) against the
/// migrated schema.
pub const TABLES: &[&str] = &[
    "divisions",
    "zones",
    "units",
    "enterprises",
    "people",
    "task_forces",
    "task_force_members",
    "users",
    "grants",
    "sessions",
    "api_tokens",
    "login_attempts",
    "audit_log",
    "jobs",
    "calendar_years",
    "programme_versions",
    "files",
    "applications",
    "application_events",
    "application_assessors",
    "application_scores",
    "application_objections",
    "station_log",
    "work_items",
    "work_item_units",
    "work_reports",
    "supervision_notices",
    "notifications",
    "unit_assessments",
    "unit_assessment_scores",
    "ledger_head",
    "ledger_entries",
    "ledger_tiles",
    "ledger_checkpoints",
    "ledger_pending",
    "audit_anchors",
];

/// A column value: the schema has only integers, text and bytes (evidence files).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
    /// Bytes, written as `{"base64": "…"}` so that they cannot be mistaken for text.
    Bytes(Base64Bytes),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Base64Bytes {
    pub base64: String,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum ColType {
    Int,
    Text,
    Bytes,
}

/// The column names and kinds of a table, read from the database itself.
async fn columns(db: &Db, table: &str) -> Result<Vec<(String, ColType)>> {
    let rows = match db.backend {
        Backend::Sqlite => {
            sql::query("SELECT name, type FROM pragma_table_info($1) ORDER BY cid")
                .bind(table.to_string())
                .fetch_all(db)
                .await?
        }
        Backend::Postgres => {
            sql::query(
                "SELECT CAST(column_name AS TEXT) AS name, CAST(data_type AS TEXT) AS type FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            )
            .bind(table.to_string())
            .fetch_all(db)
            .await?
        }
    };
    rows.iter()
        .map(|r| {
            let name: String = r.try_get("name")?;
            let ty: String = r.try_get("type")?;
            let t = ty.to_ascii_lowercase();
            let ct = if t.contains("int") {
                ColType::Int
            } else if t == "blob" || t == "bytea" {
                ColType::Bytes
            } else {
                ColType::Text
            };
            Ok((name, ct))
        })
        .collect()
}

/// The tables the database actually has (besides the migration bookkeeping).
pub async fn schema_tables(db: &Db) -> Result<Vec<String>> {
    let sql = match db.backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'shoumi_migrations' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables WHERE table_schema = current_schema() \
             AND table_type = 'BASE TABLE' AND table_name <> 'shoumi_migrations' ORDER BY table_name"
        }
    };
    let rows = sql::query(sql).fetch_all(db).await?;
    rows.iter().map(|r| r.try_get::<String>("name")).collect()
}

/// Row counts of every table.
pub async fn counts(db: &Db) -> Result<Vec<(String, i64)>> {
    let mut tx = db.read().await?;
    let counts = counts_on(&mut tx).await?;
    tx.rollback().await?;
    Ok(counts)
}

async fn counts_on(conn: &mut crate::sql::Tx) -> Result<Vec<(String, i64)>> {
    let mut out = Vec::new();
    for t in TABLES {
        let n: i64 = sql::query_scalar(&format!("SELECT COUNT(*) FROM {t}"))
            .fetch_one(&mut *conn)
            .await?;
        out.push((t.to_string(), n));
    }
    Ok(out)
}

/// Rows of `table` with `id > after`, in id order, at most `limit` (the id is the first column).
async fn read_chunk(
    conn: &mut crate::sql::Tx,
    table: &str,
    cols: &[(String, ColType)],
    after: i64,
    limit: i64,
) -> Result<Vec<Vec<Value>>> {
    let names: Vec<&str> = cols.iter().map(|(n, _)| n.as_str()).collect();
    let rows = sql::query(&format!(
        "SELECT {} FROM {table} WHERE id > $1 ORDER BY id LIMIT {limit}",
        names.join(", ")
    ))
    .bind(after)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            cols.iter()
                .enumerate()
                .map(|(i, (_, t))| {
                    Ok(match t {
                        ColType::Int => r
                            .try_get_at::<Option<i64>>(i)?
                            .map_or(Value::Null, Value::Int),
                        ColType::Text => r
                            .try_get_at::<Option<String>>(i)?
                            .map_or(Value::Null, Value::Text),
                        ColType::Bytes => {
                            r.try_get_at::<Option<Vec<u8>>>(i)?
                                .map_or(Value::Null, |b| {
                                    Value::Bytes(Base64Bytes {
                                        base64: base64::engine::general_purpose::STANDARD.encode(b),
                                    })
                                })
                        }
                    })
                })
                .collect::<Result<Vec<_>>>()
        })
        .collect()
}

/// The id of a row read by [`read_chunk`].
fn row_id(row: &[Value]) -> i64 {
    match row.first() {
        Some(Value::Int(i)) => *i,
        _ => i64::MAX,
    }
}

/// Streams a table through `f` in chunks, so memory stays bounded whatever its size.
async fn each_chunk<F>(
    conn: &mut crate::sql::Tx,
    table: &str,
    cols: &[(String, ColType)],
    mut f: F,
) -> Result<()>
where
    F: AsyncChunk,
{
    let mut after = i64::MIN;
    loop {
        let rows = read_chunk(conn, table, cols, after, 5_000).await?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = row_id(last);
        f.chunk(rows).await?;
    }
}

/// A consumer of chunks (a trait so it can borrow the target transaction across awaits).
trait AsyncChunk {
    async fn chunk(&mut self, rows: Vec<Vec<Value>>) -> Result<()>;
}

/// Inserts rows in batches inside the target transaction.
async fn write_rows(
    conn: &mut crate::sql::Tx,
    backend: Backend,
    table: &str,
    cols: &[(String, ColType)],
    rows: &[Vec<Value>],
) -> Result<()> {
    // Anonymous placeholders on SQLite make large statements cheap (see query::mark); stay well
    // under PostgreSQL's 65,535 parameters.
    let per = (10_000 / cols.len().max(1)).clamp(1, 1_000);
    for chunk in rows.chunks(per) {
        let mut args = crate::sql::Args::default();
        let mut values = Vec::with_capacity(chunk.len());
        let mut n = 0;
        for row in chunk {
            if row.len() != cols.len() {
                return Err(StorageError::Integrity(format!(
                    "{table}: a row has {} values for {} columns",
                    row.len(),
                    cols.len()
                )));
            }
            let mut ph = Vec::with_capacity(row.len());
            for (v, (_, ty)) in row.iter().zip(cols) {
                n += 1;
                ph.push(crate::query::mark(backend, n));
                match v {
                    // A typed NULL: PostgreSQL will not assign a text NULL to a bigint column.
                    Value::Null if *ty == ColType::Int => args.add(None::<i64>),
                    Value::Null if *ty == ColType::Bytes => args.add(None::<Vec<u8>>),
                    Value::Null => args.add(None::<String>),
                    Value::Int(i) => args.add(*i),
                    Value::Text(s) => args.add(s.clone()),
                    Value::Bytes(b) => args.add(
                        base64::engine::general_purpose::STANDARD
                            .decode(&b.base64)
                            .map_err(|e| {
                                StorageError::Integrity(format!(
                                    "a dump's bytes are not base64: {e}"
                                ))
                            })?,
                    ),
                }
            }
            values.push(format!("({})", ph.join(", ")));
        }
        let names: Vec<&str> = cols.iter().map(|(n, _)| n.as_str()).collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {}",
            names.join(", "),
            values.join(", ")
        );
        sql::query_with(&sql, args).execute(&mut *conn).await?;
    }
    Ok(())
}

/// After inserting explicit ids into PostgreSQL, moves each identity past the largest id.
async fn reset_sequences(conn: &mut crate::sql::Tx, backend: Backend) -> Result<()> {
    if backend != Backend::Postgres {
        return Ok(());
    }
    for t in TABLES {
        sql::query(&format!(
            "SELECT setval(pg_get_serial_sequence('{t}', 'id'), COALESCE((SELECT MAX(id) FROM {t}), 0) + 1, false)"
        ))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn ensure_empty(db: &Db) -> Result<()> {
    for (t, n) in counts(db).await? {
        if n > 0 {
            return Err(StorageError::Integrity(format!(
                "the target database is not empty: table {t} has {n} rows; use a new database"
            )));
        }
    }
    Ok(())
}

/// Progress: (table, rows done in it, rows in it).
pub type Progress<'a> = &'a (dyn Fn(&str, u64, u64) + Sync);

async fn begin_target(db: &Db) -> Result<crate::sql::Tx> {
    let mut tx = db.begin_raw(sql::TxKind::Write).await?;
    if db.backend == Backend::Sqlite {
        // Foreign keys are checked at commit, so the order within the copy cannot trip them.
        sql::query("PRAGMA defer_foreign_keys = ON")
            .execute(&mut tx)
            .await?;
    }
    Ok(tx)
}

async fn audit_system(
    conn: &mut crate::sql::Tx,
    action: &str,
    summary: &str,
    detail: serde_json::Value,
) -> Result<()> {
    sql::query(
        "INSERT INTO audit_log (at, actor_user_id, actor_name, action, entity_type, summary, after_json) \
         VALUES ($1, NULL, 'system:cli', $2, 'installation', $3, $4)",
    )
    .bind(now())
    .bind(action.to_string())
    .bind(summary.to_string())
    .bind(detail.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Copies every row of `from` into the empty, migrated `to`, all-or-nothing, and checks that
/// both sides hold the same number of rows in every table before committing.
pub async fn copy_db(from: &Db, to: &Db, progress: Progress<'_>) -> Result<Vec<(String, i64)>> {
    ensure_empty(to).await?;
    // One read transaction: every table sees the same snapshot, so a copy taken while the
    // server runs is consistent across tables.
    let mut source = from.read().await?;
    let source_counts = counts_on(&mut source).await?;
    let mut tx = begin_target(to).await?;
    struct Copy<'a, 'b> {
        tx: &'a mut crate::sql::Tx,
        backend: Backend,
        table: &'a str,
        cols: &'a [(String, ColType)],
        done: u64,
        total: u64,
        progress: Progress<'b>,
    }
    impl AsyncChunk for Copy<'_, '_> {
        async fn chunk(&mut self, rows: Vec<Vec<Value>>) -> Result<()> {
            write_rows(self.tx, self.backend, self.table, self.cols, &rows).await?;
            self.done += rows.len() as u64;
            (self.progress)(self.table, self.done, self.total);
            Ok(())
        }
    }
    for (t, total) in &source_counts {
        let cols = columns(from, t).await?;
        progress(t, 0, *total as u64);
        let copy = Copy {
            tx: &mut tx,
            backend: to.backend,
            table: t,
            cols: &cols,
            done: 0,
            total: *total as u64,
            progress,
        };
        each_chunk(&mut source, t, &cols, copy).await?;
    }
    reset_sequences(&mut tx, to.backend).await?;
    for (t, n) in &source_counts {
        let m: i64 = sql::query_scalar(&format!("SELECT COUNT(*) FROM {t}"))
            .fetch_one(&mut tx)
            .await?;
        if m != *n {
            return Err(StorageError::Integrity(format!(
                "row count mismatch in {t}: source {n}, target {m}; nothing was written"
            )));
        }
    }
    audit_system(
        &mut tx,
        "installation.copy_db",
        "整库迁移",
        serde_json::json!({"tables": source_counts}),
    )
    .await?;
    tx.commit().await?;
    crate::enterprises::rebuild_terms(to).await?;
    Ok(source_counts)
}

/// The header line of a backup file.
#[derive(Debug, Serialize, Deserialize)]
pub struct BackupHeader {
    pub format: String,
    pub schema_version: i64,
    pub created_at: i64,
    pub tables: Vec<(String, i64, Vec<String>)>,
}

#[derive(Serialize, Deserialize)]
struct BackupRow {
    t: String,
    r: Vec<Value>,
}

const FORMAT: &str = "shoumi-backup/1";

/// Writes a gzip-compressed JSON-lines backup: a header, then one line per row.
pub async fn backup<W: Write>(db: &Db, out: W, progress: Progress<'_>) -> Result<BackupHeader> {
    let mut gz = flate2::write::GzEncoder::new(out, flate2::Compression::default());
    // One read transaction, so the backup is consistent across tables (see copy_db).
    let mut source = db.read().await?;
    let counts = counts_on(&mut source).await?;
    let mut tables = Vec::new();
    let mut all_cols = Vec::new();
    for (t, n) in &counts {
        let cols = columns(db, t).await?;
        tables.push((t.clone(), *n, cols.iter().map(|(c, _)| c.clone()).collect()));
        all_cols.push(cols);
    }
    let header = BackupHeader {
        format: FORMAT.into(),
        schema_version: crate::migrate::latest_version(),
        created_at: now(),
        tables,
    };
    let io = |e: std::io::Error| StorageError::Integrity(format!("writing backup: {e}"));
    writeln!(gz, "{}", serde_json::to_string(&header).expect("json")).map_err(io)?;
    struct BackupWriter<'a, 'b, W: Write> {
        gz: &'a mut flate2::write::GzEncoder<W>,
        table: &'a str,
        done: u64,
        total: u64,
        progress: Progress<'b>,
    }
    impl<W: Write> AsyncChunk for BackupWriter<'_, '_, W> {
        async fn chunk(&mut self, rows: Vec<Vec<Value>>) -> Result<()> {
            for r in rows {
                let line = serde_json::to_string(&BackupRow {
                    t: self.table.to_string(),
                    r,
                })
                .expect("json");
                writeln!(self.gz, "{line}")
                    .map_err(|e| StorageError::Integrity(format!("writing backup: {e}")))?;
                self.done += 1;
            }
            (self.progress)(self.table, self.done, self.total);
            Ok(())
        }
    }
    for ((t, n, _), cols) in header.tables.iter().zip(&all_cols) {
        progress(t, 0, *n as u64);
        let w = BackupWriter {
            gz: &mut gz,
            table: t,
            done: 0,
            total: *n as u64,
            progress,
        };
        each_chunk(&mut source, t, cols, w).await?;
    }
    gz.finish().map_err(io)?;
    Ok(header)
}

/// Restores a backup into an empty, migrated database, all-or-nothing.
pub async fn restore<R: std::io::Read>(
    db: &Db,
    input: R,
    progress: Progress<'_>,
) -> Result<BackupHeader> {
    ensure_empty(db).await?;
    let mut lines = std::io::BufReader::new(flate2::read::GzDecoder::new(input)).lines();
    let bad = |m: String| StorageError::Integrity(format!("not a valid shoumi backup: {m}"));
    let first = lines
        .next()
        .ok_or_else(|| bad("empty file".into()))?
        .map_err(|e| bad(e.to_string()))?;
    let header: BackupHeader = serde_json::from_str(&first).map_err(|e| bad(e.to_string()))?;
    if header.format != FORMAT {
        return Err(bad(format!("format {}", header.format)));
    }
    if header.schema_version > crate::migrate::latest_version() {
        return Err(bad(format!(
            "made by a newer shoumi (schema {}); upgrade first",
            header.schema_version
        )));
    }
    let mut tx = begin_target(db).await?;
    let mut current: Option<String> = None;
    let mut buf: Vec<Vec<Value>> = Vec::new();
    let mut done = 0u64;
    // Column kinds come from the target schema; names and order from the backup.
    let mut kinds = std::collections::HashMap::new();
    for t in TABLES {
        kinds.insert(t.to_string(), columns(db, t).await?);
    }
    let cols_of = |t: &str| -> Result<Vec<(String, ColType)>> {
        let names = header
            .tables
            .iter()
            .find(|(n, _, _)| n == t)
            .map(|(_, _, c)| c.clone())
            .ok_or_else(|| bad(format!("row for unknown table {t}")))?;
        let target = kinds
            .get(t)
            .ok_or_else(|| bad(format!("unknown table {t}")))?;
        names
            .into_iter()
            .map(|n| {
                let ty = target
                    .iter()
                    .find(|(c, _)| *c == n)
                    .map(|(_, ty)| *ty)
                    .ok_or_else(|| bad(format!("column {t}.{n} does not exist in this schema")))?;
                Ok((n, ty))
            })
            .collect()
    };
    for (lineno, line) in lines.enumerate() {
        let line = line.map_err(|e| bad(e.to_string()))?;
        let row: BackupRow =
            serde_json::from_str(&line).map_err(|e| bad(format!("line {}: {e}", lineno + 2)))?;
        if current.as_deref() != Some(&row.t) {
            if let Some(t) = current.take() {
                write_rows(&mut tx, db.backend, &t, &cols_of(&t)?, &buf).await?;
                buf.clear();
            }
            current = Some(row.t.clone());
            done = 0;
        }
        buf.push(row.r);
        done += 1;
        if buf.len() >= 5_000 {
            let t = current.clone().expect("set");
            write_rows(&mut tx, db.backend, &t, &cols_of(&t)?, &buf).await?;
            buf.clear();
            let total = header
                .tables
                .iter()
                .find(|(n, _, _)| *n == t)
                .map_or(0, |x| x.1);
            progress(&t, done, total as u64);
        }
    }
    if let Some(t) = current.take() {
        write_rows(&mut tx, db.backend, &t, &cols_of(&t)?, &buf).await?;
    }
    reset_sequences(&mut tx, db.backend).await?;
    for (t, n, _) in &header.tables {
        let m: i64 = sql::query_scalar(&format!("SELECT COUNT(*) FROM {t}"))
            .fetch_one(&mut tx)
            .await?;
        if m != *n {
            return Err(StorageError::Integrity(format!(
                "row count mismatch in {t}: backup {n}, restored {m}; nothing was written"
            )));
        }
        progress(t, *n as u64, *n as u64);
    }
    audit_system(
        &mut tx,
        "installation.restore",
        "从备份恢复",
        serde_json::json!({"created_at": header.created_at}),
    )
    .await?;
    tx.commit().await?;
    crate::enterprises::rebuild_terms(db).await?;
    Ok(header)
}
