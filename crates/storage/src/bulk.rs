//! Bulk loading for large synthetic installations (province-scale benchmark data): many rows
//! per statement, one audit row per batch naming what was loaded.

use crate::sql;
use serde_json::json;
use shoumi_domain::DivisionKind;

use crate::{AuditedTx, Result, StorageError, new_public_id, now};

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

/// Fictional programme activity at province scale, for benchmarks: `apps` demonstration
/// applications over the existing enterprises (stages spread over the whole lifecycle,
/// designations through 2024–2026, three history rows each) and `reports` progress reports on
/// `reports / 10` work items of the programme's responsible units. Deterministic for a seed.
/// Returns (applications, items, reports).
pub async fn programme_scale(
    db: &crate::Db,
    actor: &crate::Actor,
    apps: usize,
    reports: usize,
    seed: u64,
) -> Result<(usize, usize, usize)> {
    use rand::{Rng, SeedableRng};
    use shoumi_domain::demonstration::Stage;
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let version: i64 =
        sql::query_scalar("SELECT id FROM programme_versions ORDER BY id DESC LIMIT 1")
            .fetch_one(db)
            .await?;
    let ents = sql::query(
        "SELECT id, division_id, zone_id, name FROM enterprises WHERE archived_at IS NULL ORDER BY id",
    )
    .fetch_all(db)
    .await?;
    let units: Vec<i64> = sql::query("SELECT id FROM units WHERE key IS NOT NULL ORDER BY id")
        .fetch_all(db)
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_>>()?;
    if ents.is_empty() || units.is_empty() {
        return Err(StorageError::Integrity(
            "programme_scale needs enterprises and units".into(),
        ));
    }
    let day0 = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).expect("a date");
    let stages = [
        Stage::Designated,
        Stage::Designated,
        Stage::Designated,
        Stage::Designated,
        Stage::Designated,
        Stage::Designated,
        Stage::Rectifying,
        Stage::Revoked,
        Stage::NotPassed,
        Stage::NotPassed,
        Stage::Rejected,
        Stage::Withdrawn,
        Stage::Publicity,
        Stage::Publicity,
        Stage::Assessing,
        Stage::Assessing,
        Stage::Submitted,
        Stage::Submitted,
        Stage::Returned,
        Stage::Draft,
    ];
    let t = now();
    let step = (ents.len() / apps.max(1)).max(1);
    let mut tx = db.begin(actor).await?;
    prepare(&mut tx)?;
    for chunk_start in (0..apps).step_by(500) {
        let n = (apps - chunk_start).min(500);
        let mut args = crate::sql::Args::default();
        let mut values = Vec::with_capacity(n);
        let mut meta = Vec::with_capacity(n);
        for k in 0..n {
            let i = chunk_start + k;
            let e = &ents[(i * step) % ents.len()];
            let stage = stages[i % stages.len()];
            let designated = matches!(
                stage,
                Stage::Designated | Stage::Rectifying | Stage::Revoked
            )
            .then(|| day0 + chrono::Duration::days(rng.random_range(0..1000)));
            let b = values.len() * 17;
            values.push(crate::query::tuple(tx.backend(), b, 17));
            let pid = new_public_id();
            args.add(pid.clone());
            args.add(version);
            args.add("enterprise");
            args.add(e.try_get::<i64>("id")?);
            args.add(e.try_get::<i64>("division_id")?);
            args.add(e.try_get::<Option<i64>>("zone_id")?);
            args.add(e.try_get::<String>("name")?);
            args.add("town");
            args.add(stage.as_str());
            args.add(t);
            args.add(designated.map(|_| 850_i64));
            args.add(designated.map(|d| {
                use chrono::Datelike;
                shoumi_domain::demonstration::document_number("示范企业", d.year(), i as i64)
            }));
            args.add(designated.map(|d| d.to_string()));
            args.add(
                designated.map(|d| shoumi_domain::demonstration::valid_until(d, 3).to_string()),
            );
            args.add(
                designated
                    .filter(|_| stage == Stage::Revoked)
                    .map(|d| (d + chrono::Duration::days(200)).to_string()),
            );
            args.add(t);
            args.add(t);
            meta.push((pid, stage));
        }
        let sql_text = format!(
            "INSERT INTO applications (public_id, programme_version_id, unit_type, enterprise_id, division_id, zone_id, \
             subject_name, origin, stage, stage_since, score, designation_number, designated_on, valid_until, ended_on, \
             created_at, updated_at) VALUES {}",
            values.join(",")
        );
        sql::query_with(&sql_text, args).execute(tx.conn()).await?;
        // History: created, submitted, and the current stage.
        let mut args = crate::sql::Args::default();
        let mut values = Vec::new();
        for (pid, stage) in &meta {
            for (j, (step, to)) in [
                ("create", Stage::Draft),
                ("submit", Stage::Submitted),
                ("recommend", *stage),
            ]
            .iter()
            .enumerate()
            {
                let b = values.len() * 6;
                values.push(crate::query::tuple(tx.backend(), b, 6));
                args.add(pid.clone());
                args.add(step.to_string());
                args.add(to.as_str());
                args.add((day0 + chrono::Duration::days(j as i64 * 10)).to_string());
                args.add("system:generate");
                args.add(t + j as i64);
            }
        }
        let sql_text = format!(
            "INSERT INTO application_events (application_id, step, to_stage, on_date, actor_name, at) \
             SELECT a.id, v.column2, v.column3, v.column4, v.column5, v.column6 FROM (VALUES {}) AS v \
             JOIN applications a ON a.public_id = v.column1",
            values.join(",")
        );
        sql::query_with(&sql_text, args).execute(tx.conn()).await?;
    }
    let n_items = (reports / 10).max(1);
    let tasks = ["task-1", "task-2", "task-3", "task-4", "task-5"];
    for i in 0..n_items {
        let deadline = day0 + chrono::Duration::days(rng.random_range(60..1200));
        let done = i % 5 < 2;
        let id: i64 = sql::query_scalar(
            "INSERT INTO work_items (public_id, programme_version_id, task_key, title, expected_output, opened_on, deadline, \
             status, completed_on, created_at, updated_at) VALUES ($1, $2, $3, $4, '', $5, $6, $7, $8, $9, $9) RETURNING id",
        )
        .bind(new_public_id())
        .bind(version)
        .bind(tasks[i % tasks.len()])
        .bind(format!("生成的责任事项 {i}"))
        .bind(day0.to_string())
        .bind(deadline.to_string())
        .bind(if done { "done" } else { "open" })
        .bind(done.then(|| deadline.to_string()))
        .bind(t)
        .fetch_one(tx.conn())
        .await?;
        let unit = units[i % units.len()];
        sql::query("INSERT INTO work_item_units (item_id, unit_id, sort_order) VALUES ($1, $2, 0)")
            .bind(id)
            .bind(unit)
            .execute(tx.conn())
            .await?;
        let mut args = crate::sql::Args::default();
        let mut values = Vec::new();
        for r in 0..10 {
            let b = values.len() * 7;
            values.push(crate::query::tuple(tx.backend(), b, 7));
            args.add(new_public_id());
            args.add(id);
            args.add(unit);
            args.add((day0 + chrono::Duration::days(r * 60 + (i % 30) as i64)).to_string());
            args.add("生成的进展报告");
            args.add(if r == 9 && !done {
                "submitted"
            } else {
                "accepted"
            });
            args.add(t);
        }
        let sql_text = format!(
            "INSERT INTO work_reports (public_id, item_id, unit_id, reported_on, content, status, created_at) VALUES {}",
            values.join(",")
        );
        sql::query_with(&sql_text, args).execute(tx.conn()).await?;
    }
    tx.audit(
        "bulk.programme",
        "application",
        None,
        &format!(
            "批量生成示范申请 {apps} 件、责任事项 {n_items} 项、进展报告 {} 份",
            n_items * 10
        ),
        None,
        Some(&json!({"applications": apps, "items": n_items, "reports": n_items * 10})),
    )
    .await?;
    tx.commit().await?;
    Ok((apps, n_items, n_items * 10))
}
