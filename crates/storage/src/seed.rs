//! Seeding a new installation with its county's reference data (Gaotang's by default).

use crate::sql;
use serde_json::json;
use shoumi_domain::CountyData;

use crate::{Actor, Db, Result, new_public_id, now};

/// Loads divisions, zones, units and the task force if the database has none yet.
/// Returns whether anything was loaded.
pub async fn seed_reference(db: &Db, county: &CountyData) -> Result<bool> {
    let n: i64 = sql::query_scalar("SELECT COUNT(*) FROM divisions")
        .fetch_one(db)
        .await?;
    if n > 0 {
        return Ok(false);
    }
    let actor = Actor::system("seed");
    let mut tx = db.begin(&actor).await?;
    // Instances starting together: the first seeds, the others find it done.
    if !first_to_seed(&mut tx, "SELECT COUNT(*) FROM divisions").await? {
        return Ok(false);
    }
    let t = now();
    // The county itself is a division (level county) so county-wide units can point at it.
    sql::query(
        "INSERT INTO divisions (public_id, code, name, name_en, kind, aliases, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'county', '', $5, $5)",
    )
    .bind(new_public_id())
    .bind(county.county.code.to_string())
    .bind(county.county.name.clone())
    .bind(county.county.name_en.clone())
    .bind(t)
    .execute(tx.conn())
    .await?;
    for d in &county.divisions {
        sql::query(
            "INSERT INTO divisions (public_id, code, name, name_en, kind, aliases, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(new_public_id())
        .bind(d.code.to_string())
        .bind(d.name.clone())
        .bind(d.name_en.clone())
        .bind(d.kind.as_str())
        .bind(d.aliases.join(","))
        .bind(t)
        .execute(tx.conn())
        .await?;
    }
    for z in &county.zones {
        sql::query(
            "INSERT INTO zones (public_id, key, name, name_en, kind, division_codes, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(new_public_id())
        .bind(z.key.clone())
        .bind(z.name.clone())
        .bind(z.name_en.clone())
        .bind(z.kind.as_str())
        .bind(z.divisions.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(","))
        .bind(t)
        .execute(tx.conn())
        .await?;
    }
    for u in &county.units {
        let division_id: Option<i64> = match &u.division {
            Some(c) => crate::orgs::division_id_by_code(tx.conn(), c.as_str()).await?,
            None => None,
        };
        let zone_id: Option<i64> = match &u.zone {
            Some(k) => crate::orgs::zone_id_by_key(tx.conn(), k).await?,
            None => None,
        };
        sql::query(
            "INSERT INTO units (public_id, key, name, short_name, name_en, kind, division_id, zone_id, \
             programme_office, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        )
        .bind(new_public_id())
        .bind(u.key.clone())
        .bind(u.name.clone())
        .bind(u.short_name.clone())
        .bind(u.name_en.clone())
        .bind(u.kind.as_str())
        .bind(division_id)
        .bind(zone_id)
        .bind(u.programme_office as i64)
        .bind(t)
        .execute(tx.conn())
        .await?;
    }
    let tf = &county.task_force;
    let office: i64 = sql::query_scalar("SELECT id FROM units WHERE key = $1")
        .bind(tf.office_unit.clone())
        .fetch_one(tx.conn())
        .await?;
    let tf_id: i64 = sql::query_scalar(
        "INSERT INTO task_forces (public_id, name, name_en, office_unit_id, office_duty, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(new_public_id())
    .bind(tf.name.clone())
    .bind(tf.name_en.clone())
    .bind(office)
    .bind(tf.office_duty.clone())
    .bind(t)
    .fetch_one(tx.conn())
    .await?;
    for (i, m) in tf.members.iter().enumerate() {
        let unit: i64 = sql::query_scalar("SELECT id FROM units WHERE key = $1")
            .bind(m.unit.clone())
            .fetch_one(tx.conn())
            .await?;
        let person =
            crate::orgs::insert_person(&mut tx, &m.name, None, Some(unit), Some(&m.title)).await?;
        sql::query(
            "INSERT INTO task_force_members (public_id, task_force_id, person_id, position, sort_order, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(new_public_id())
        .bind(tf_id)
        .bind(person)
        .bind(m.position.as_str())
        .bind((i as i64 + 1) * 10)
        .bind(t)
        .execute(tx.conn())
        .await?;
    }
    tx.audit(
        "reference.seed",
        "county",
        Some(county.county.code.as_str()),
        &format!("载入{}参考数据", county.county.name),
        None,
        Some(&json!({
            "divisions": county.divisions.len(),
            "zones": county.zones.len(),
            "units": county.units.len(),
            "task_force_members": tf.members.len(),
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Inside a write transaction: serialises seeding across processes (PostgreSQL: an advisory lock
/// held to the end of the transaction; SQLite: the transaction already holds the write lock) and
/// checks again that nothing is there (`count_sql` returns 0).
pub(crate) async fn first_to_seed(tx: &mut crate::AuditedTx<'_>, count_sql: &str) -> Result<bool> {
    if tx.backend() == crate::Backend::Postgres {
        sql::query("SELECT pg_advisory_xact_lock(7256002)")
            .execute(tx.conn())
            .await?;
    }
    let n: i64 = sql::query_scalar(count_sql).fetch_one(tx.conn()).await?;
    Ok(n == 0)
}
