//! Schema migrations, embedded in the binary, one folder per backend with the same versions.
//! Applied in order inside a transaction each; a checksum guards against a migration edited
//! after it was applied.

use crate::sql;

use crate::{Backend, Db, Result, StorageError, hash_secret, now};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

/// One migration: the same file name in both backends' folders.
macro_rules! migration {
    ($version:literal, $name:literal, $file:literal) => {
        Migration {
            version: $version,
            name: $name,
            sqlite: include_str!(concat!("../migrations/sqlite/", $file, ".sql")),
            postgres: include_str!(concat!("../migrations/postgres/", $file, ".sql")),
        }
    };
}

const MIGRATIONS: &[Migration] = &[
    migration!(1, "foundation", "0001_foundation"),
    migration!(2, "search", "0002_search"),
    migration!(3, "live_indexes", "0003_live_indexes"),
    migration!(4, "live_counts", "0004_live_counts"),
    migration!(5, "calendar", "0005_calendar"),
    migration!(6, "live_terms", "0006_live_terms"),
    migration!(7, "programme", "0007_programme"),
    migration!(8, "worklist", "0008_worklist"),
    migration!(9, "event_order", "0009_event_order"),
    migration!(10, "ledger", "0010_ledger"),
    migration!(11, "audit_anchors", "0011_audit_anchors"),
];

/// The newest schema version this binary knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map(|m| m.version).unwrap_or(0)
}

/// Applies every pending migration; returns the versions applied.
pub async fn run(db: &Db) -> Result<Vec<i64>> {
    sql::execute_batch(
        db,
        "CREATE TABLE IF NOT EXISTS shoumi_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .await?;
    let applied: Vec<(i64, String)> =
        sql::query("SELECT version, checksum FROM shoumi_migrations ORDER BY version")
            .fetch_all(db)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("version")?, r.try_get("checksum")?)))
            .collect::<Result<_>>()?;
    if let Some((v, _)) = applied.last()
        && *v > latest_version()
    {
        return Err(StorageError::Migration(format!(
            "the database is at schema version {v}, newer than this binary ({}); upgrade shoumi",
            latest_version()
        )));
    }
    let mut done = Vec::new();
    for m in MIGRATIONS {
        let sql = match db.backend {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        let checksum = hash_secret(sql);
        if let Some((_, c)) = applied.iter().find(|(v, _)| *v == m.version) {
            if *c != checksum {
                return Err(StorageError::Migration(format!(
                    "migration {} ({}) was changed after it was applied",
                    m.version, m.name
                )));
            }
            continue;
        }
        let mut tx = db.begin_raw(sql::TxKind::Write).await?;
        if db.backend == Backend::Postgres {
            // Serialise concurrent starters: two instances migrating one database at once.
            sql::query("SELECT pg_advisory_xact_lock(7256001)")
                .execute(&mut tx)
                .await?;
            let again: Option<i64> =
                sql::query_scalar("SELECT version FROM shoumi_migrations WHERE version = $1")
                    .bind(m.version)
                    .fetch_optional(&mut tx)
                    .await?;
            if again.is_some() {
                continue;
            }
        }
        // The whole file as one batch: trigger bodies hold `;` of their own.
        sql::execute_batch(&mut tx, sql).await.map_err(|e| {
            StorageError::Migration(format!("migration {} ({}) failed: {e}", m.version, m.name))
        })?;
        sql::query("INSERT INTO shoumi_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)")
            .bind(m.version)
            .bind(m.name.to_string())
            .bind(checksum)
            .bind(now())
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        done.push(m.version);
    }
    if done.contains(&2) {
        // The search index is derived from the enterprises that already exist.
        crate::enterprises::rebuild_terms(db).await?;
    }
    Ok(done)
}
