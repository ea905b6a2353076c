//! Bulk loading for large synthetic installations (province-scale benchmark data): many rows
//! per statement, one audit row per batch naming what was loaded.

use crate::sql;
use serde_json::json;
use shoumi_domain::DivisionKind;

use crate::{AuditedTx, Result, new_public_id, now};

/// Prepares a bulk load's transaction (a large SQLite page cache: [`sql::Tx::use_bulk_cache`]).
pub fn prepare(tx: &mut AuditedTx<'_>) -> Result<()> {
    tx.conn().use_bulk_cache()
}

/// Inserts divisions that do not exist yet (by code).
pub async fn insert_divisions(
    tx: &mut AuditedTx<'_>,
    rows: &[(String, String, DivisionKind)],
) -> Result<usize> {
    let t = now();
    let mut n = 0;
    for chunk in rows.chunks(500) {
        let mut args = crate::sql::Args::default();
        let mut values = Vec::new();
        for (i, (code, name, kind)) in chunk.iter().enumerate() {
            let b = i * 6;
            let m = |k: usize| crate::query::mark(tx.backend(), b + k);
            values.push(format!(
                "({}, {}, {}, '', {}, '', {}, {})",
                m(1),
                m(2),
                m(3),
                m(4),
                m(5),
                m(6)
            ));
            args.add(new_public_id());
            args.add(code.clone());
            args.add(name.clone());
            args.add(kind.as_str().to_string());
            args.add(t);
            args.add(t);
        }
        let sql = format!(
            "INSERT INTO divisions (public_id, code, name, name_en, kind, aliases, created_at, updated_at) VALUES {} \
             ON CONFLICT (code) DO NOTHING",
            values.join(",")
        );
        n += sql::query_with(&sql, args)
            .execute(tx.conn())
            .await?
            .rows_affected() as usize;
    }
    tx.audit(
        "bulk.divisions",
        "division",
        None,
        &format!("批量载入镇街 {n} 个"),
        None,
        Some(&json!({"rows": n})),
    )
    .await?;
    Ok(n)
}

/// A person to insert: name, enterprise row id, title, phone.
pub type PersonRow = (String, i64, String, String);

/// Inserts people (enterprise staff) in batches.
pub async fn insert_people(tx: &mut AuditedTx<'_>, rows: &[PersonRow]) -> Result<usize> {
    prepare(tx)?;
    let t = now();
    for chunk in rows.chunks(1_000) {
        let mut args = crate::sql::Args::default();
        let mut values = Vec::with_capacity(chunk.len());
        for (i, (name, enterprise, title, phone)) in chunk.iter().enumerate() {
            let b = i * 7;
            values.push(crate::query::tuple(tx.backend(), b, 7));
            args.add(new_public_id());
            args.add(name.clone());
            args.add(*enterprise);
            args.add(title.clone());
            args.add(phone.clone());
            args.add(t);
            args.add(t);
        }
        let sql = format!(
            "INSERT INTO people (public_id, name, enterprise_id, title, phone, created_at, updated_at) VALUES {}",
            values.join(",")
        );
        sql::query_with(&sql, args).execute(tx.conn()).await?;
    }
    tx.audit(
        "bulk.people",
        "person",
        None,
        &format!("批量载入人员 {} 名", rows.len()),
        None,
        Some(&json!({"rows": rows.len()})),
    )
    .await?;
    Ok(rows.len())
}

/// Credit code → row id of every enterprise (for linking bulk-loaded people).
pub async fn enterprise_ids(db: &crate::Db) -> Result<std::collections::HashMap<String, i64>> {
    let rows = sql::query("SELECT id, credit_code FROM enterprises")
        .fetch_all(db)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get::<String>("credit_code")?, r.try_get::<i64>("id")?)))
        .collect()
}

/// Refreshes the query planner's statistics (after a bulk load).
pub async fn analyze(db: &crate::Db) -> Result<()> {
    sql::query("ANALYZE").execute(db).await?;
    Ok(())
}
