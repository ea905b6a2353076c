//! Divisions, zones, units, people and the task force.

use crate::sql;
use serde::Serialize;
use serde_json::json;
use shoumi_domain::{
    Capability, DivisionKind, FieldError, FieldErrors, TaskForcePosition, UnitInput, UnitKind,
    ZoneKind,
};

use crate::{AuditedTx, Db, Result, StorageError, new_public_id, now};

#[derive(Debug, Clone, Serialize)]
pub struct Division {
    #[serde(skip)]
    pub id: i64,
    pub public_id: String,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub kind: DivisionKind,
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Zone {
    #[serde(skip)]
    pub id: i64,
    pub public_id: String,
    pub key: String,
    pub name: String,
    pub name_en: String,
    pub kind: ZoneKind,
    pub division_codes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Unit {
    #[serde(skip)]
    pub id: i64,
    pub public_id: String,
    pub key: Option<String>,
    pub name: String,
    pub short_name: Option<String>,
    pub name_en: String,
    pub kind: UnitKind,
    pub credit_code: Option<String>,
    #[serde(skip)]
    pub division_id: Option<i64>,
    pub division_code: Option<String>,
    pub division_name: Option<String>,
    #[serde(skip)]
    pub zone_id: Option<i64>,
    pub zone_key: Option<String>,
    pub zone_name: Option<String>,
    pub programme_office: bool,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub opening_hours: Option<String>,
}

impl Unit {
    /// The unit as the form that edits it (and as export and import see it).
    pub fn to_form(&self) -> shoumi_domain::UnitForm {
        shoumi_domain::UnitForm {
            name: self.name.clone(),
            short_name: self.short_name.clone().unwrap_or_default(),
            kind: self.kind.as_str().into(),
            credit_code: self.credit_code.clone().unwrap_or_default(),
            division_code: self.division_code.clone().unwrap_or_default(),
            zone_key: self.zone_key.clone().unwrap_or_default(),
            address: self.address.clone().unwrap_or_default(),
            phone: self.phone.clone().unwrap_or_default(),
            opening_hours: self.opening_hours.clone().unwrap_or_default(),
        }
    }
}

fn split_list(s: String) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn division(r: &sql::Row) -> Result<Division> {
    let kind: String = r.try_get("kind")?;
    Ok(Division {
        id: r.try_get("id")?,
        public_id: r.try_get("public_id")?,
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        name_en: r.try_get("name_en")?,
        kind: DivisionKind::parse(&kind).unwrap_or(DivisionKind::Town),
        aliases: split_list(r.try_get("aliases")?),
    })
}

fn zone(r: &sql::Row) -> Result<Zone> {
    let kind: String = r.try_get("kind")?;
    Ok(Zone {
        id: r.try_get("id")?,
        public_id: r.try_get("public_id")?,
        key: r.try_get("key")?,
        name: r.try_get("name")?,
        name_en: r.try_get("name_en")?,
        kind: ZoneKind::parse(&kind).unwrap_or(ZoneKind::IndustrialPark),
        division_codes: split_list(r.try_get("division_codes")?),
    })
}

const UNIT_SELECT: &str = "SELECT u.id, u.public_id, u.key, u.name, u.short_name, u.name_en, u.kind, \
     u.credit_code, u.division_id, d.code AS division_code, d.name AS division_name, u.zone_id, \
     z.key AS zone_key, z.name AS zone_name, u.programme_office, u.address, u.phone, u.opening_hours \
     FROM units u LEFT JOIN divisions d ON d.id = u.division_id LEFT JOIN zones z ON z.id = u.zone_id";

fn unit(r: &sql::Row) -> Result<Unit> {
    let kind: String = r.try_get("kind")?;
    let po: i64 = r.try_get("programme_office")?;
    Ok(Unit {
        id: r.try_get("id")?,
        public_id: r.try_get("public_id")?,
        key: r.try_get("key")?,
        name: r.try_get("name")?,
        short_name: r.try_get("short_name")?,
        name_en: r.try_get("name_en")?,
        kind: UnitKind::parse(&kind).unwrap_or(UnitKind::GovernmentDepartment),
        credit_code: r.try_get("credit_code")?,
        division_id: r.try_get("division_id")?,
        division_code: r.try_get("division_code")?,
        division_name: r.try_get("division_name")?,
        zone_id: r.try_get("zone_id")?,
        zone_key: r.try_get("zone_key")?,
        zone_name: r.try_get("zone_name")?,
        programme_office: po != 0,
        address: r.try_get("address")?,
        phone: r.try_get("phone")?,
        opening_hours: r.try_get("opening_hours")?,
    })
}

/// Divisions are reference data every signed-in user may read.
pub async fn divisions(db: &Db) -> Result<Vec<Division>> {
    let rows = sql::query("SELECT * FROM divisions WHERE archived_at IS NULL ORDER BY code")
        .fetch_all(db)
        .await?;
    rows.iter().map(division).collect()
}

pub async fn zones(db: &Db) -> Result<Vec<Zone>> {
    let rows = sql::query("SELECT * FROM zones WHERE archived_at IS NULL ORDER BY key")
        .fetch_all(db)
        .await?;
    rows.iter().map(zone).collect()
}

pub async fn division_by_public_id(db: &Db, public_id: &str) -> Result<Division> {
    let r = sql::query("SELECT * FROM divisions WHERE public_id = $1")
        .bind(public_id.to_string())
        .fetch_one(db)
        .await?;
    division(&r)
}

pub async fn zone_by_public_id(db: &Db, public_id: &str) -> Result<Zone> {
    let r = sql::query("SELECT * FROM zones WHERE public_id = $1")
        .bind(public_id.to_string())
        .fetch_one(db)
        .await?;
    zone(&r)
}

/// Resolves a division code (or alias name) to its row id inside a transaction.
pub(crate) async fn division_id_by_code(
    conn: &mut crate::sql::Tx,
    code: &str,
) -> Result<Option<i64>> {
    let id: Option<i64> = sql::query_scalar(
        "SELECT id FROM divisions WHERE (code = $1 OR name = $1) AND archived_at IS NULL",
    )
    .bind(code.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(id)
}

pub(crate) async fn zone_id_by_key(conn: &mut crate::sql::Tx, key: &str) -> Result<Option<i64>> {
    let id: Option<i64> = sql::query_scalar(
        "SELECT id FROM zones WHERE (key = $1 OR name = $1) AND archived_at IS NULL",
    )
    .bind(key.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(id)
}

/// Filters for the unit list.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct UnitQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub kind: String,
}

pub async fn units(db: &Db, q: &UnitQuery) -> Result<Vec<Unit>> {
    let mut f = crate::query::Filter::default();
    f.push("u.archived_at IS NULL");
    if !q.q.trim().is_empty() {
        f.push("(u.name LIKE ? ESCAPE '\\' OR u.short_name LIKE ? ESCAPE '\\')");
        let like = crate::query::like_contains(q.q.trim());
        f.bind_str(like.clone()).bind_str(like);
    }
    if let Some(k) = UnitKind::parse(&q.kind) {
        f.push("u.kind = ?").bind_str(k.as_str());
    }
    let sql = format!("{UNIT_SELECT}{} ORDER BY u.kind, u.name", f.where_sql());
    let rows = sql::query_with(&sql, f.args()).fetch_all(db).await?;
    rows.iter().map(unit).collect()
}

pub async fn unit_by_public_id(db: &Db, public_id: &str) -> Result<Unit> {
    let r = sql::query(&format!("{UNIT_SELECT} WHERE u.public_id = $1"))
        .bind(public_id.to_string())
        .fetch_one(db)
        .await?;
    unit(&r)
}

pub async fn unit_by_id(db: &Db, id: i64) -> Result<Unit> {
    let r = sql::query(&format!("{UNIT_SELECT} WHERE u.id = $1"))
        .bind(id)
        .fetch_one(db)
        .await?;
    unit(&r)
}

pub async fn unit_by_key(db: &Db, key: &str) -> Result<Unit> {
    let r = sql::query(&format!("{UNIT_SELECT} WHERE u.key = $1"))
        .bind(key.to_string())
        .fetch_one(db)
        .await?;
    unit(&r)
}

/// Resolves a division code and a zone key to row ids, naming each field that does not resolve
/// (shared by units and enterprises).
pub(crate) async fn resolve_area(
    tx: &mut AuditedTx<'_>,
    division_code: Option<&str>,
    zone_key: Option<&str>,
) -> Result<(Option<i64>, Option<i64>)> {
    let mut errs = FieldErrors::default();
    let division_id = match division_code {
        Some(c) => {
            let id = division_id_by_code(tx.conn(), c).await?;
            if id.is_none() {
                errs.push(FieldError::new(
                    "division_code",
                    "unknown",
                    format!("没有代码为 {c} 的镇街"),
                    format!("no division has code {c}"),
                ));
            }
            id
        }
        None => None,
    };
    let zone_id = match zone_key {
        Some(k) => {
            let id = zone_id_by_key(tx.conn(), k).await?;
            if id.is_none() {
                errs.push(FieldError::new(
                    "zone_key",
                    "unknown",
                    format!("没有“{k}”这个园区"),
                    format!("no zone '{k}'"),
                ));
            }
            id
        }
        None => None,
    };
    if errs.is_empty() {
        Ok((division_id, zone_id))
    } else {
        Err(StorageError::Invalid(errs))
    }
}

async fn resolve_unit_refs(
    tx: &mut AuditedTx<'_>,
    input: &UnitInput,
) -> Result<(Option<i64>, Option<i64>)> {
    resolve_area(
        tx,
        input.division_code.as_ref().map(|d| d.as_str()),
        input.zone_key.as_deref(),
    )
    .await
}

/// Inserts a unit, or updates the one with the same name (import semantics).
pub async fn upsert_unit(
    tx: &mut AuditedTx<'_>,
    _cap: Capability,
    key: Option<&str>,
    input: &UnitInput,
) -> Result<(String, bool)> {
    let (division_id, zone_id) = resolve_unit_refs(tx, input).await?;
    let existing = sql::query(&format!("{UNIT_SELECT} WHERE u.name = $1"))
        .bind(input.name.clone())
        .fetch_optional(tx.conn())
        .await?;
    let t = now();
    match existing {
        Some(row) => {
            let before = unit(&row)?;
            let same = before.short_name == input.short_name
                && before.kind == input.kind
                && before.credit_code == input.credit_code
                && before.division_id == division_id
                && before.zone_id == zone_id
                && before.address == input.address
                && before.phone == input.phone
                && before.opening_hours == input.opening_hours;
            if same {
                return Ok((before.public_id, false));
            }
            sql::query(
                "UPDATE units SET short_name = $1, kind = $2, credit_code = $3, division_id = $4, \
                 zone_id = $5, address = $6, phone = $7, opening_hours = $8, updated_at = $9 WHERE id = $10",
            )
            .bind(input.short_name.clone())
            .bind(input.kind.as_str())
            .bind(input.credit_code.clone())
            .bind(division_id)
            .bind(zone_id)
            .bind(input.address.clone())
            .bind(input.phone.clone())
            .bind(input.opening_hours.clone())
            .bind(t)
            .bind(before.id)
            .execute(tx.conn())
            .await?;
            tx.audit(
                "unit.update",
                "unit",
                Some(&before.public_id),
                &format!("修改单位 {}", input.name),
                Some(&serde_json::to_value(&before).unwrap_or_default()),
                Some(&serde_json::to_value(input).unwrap_or_default()),
            )
            .await?;
            Ok((before.public_id, true))
        }
        None => {
            let pid = new_public_id();
            sql::query(
                "INSERT INTO units (public_id, key, name, short_name, name_en, kind, credit_code, division_id, \
                 zone_id, programme_office, address, phone, opening_hours, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, '', $5, $6, $7, $8, 0, $9, $10, $11, $12, $12)",
            )
            .bind(pid.clone())
            .bind(key.map(str::to_string))
            .bind(input.name.clone())
            .bind(input.short_name.clone())
            .bind(input.kind.as_str())
            .bind(input.credit_code.clone())
            .bind(division_id)
            .bind(zone_id)
            .bind(input.address.clone())
            .bind(input.phone.clone())
            .bind(input.opening_hours.clone())
            .bind(t)
            .execute(tx.conn())
            .await?;
            tx.audit(
                "unit.create",
                "unit",
                Some(&pid),
                &format!("新增单位 {}", input.name),
                None,
                Some(&serde_json::to_value(input).unwrap_or_default()),
            )
            .await?;
            Ok((pid, true))
        }
    }
}

/// Edits a unit in place (its name may change).
pub async fn update_unit(
    tx: &mut AuditedTx<'_>,
    _cap: Capability,
    public_id: &str,
    input: &UnitInput,
) -> Result<()> {
    let row = sql::query(&format!("{UNIT_SELECT} WHERE u.public_id = $1"))
        .bind(public_id.to_string())
        .fetch_one(tx.conn())
        .await?;
    let before = unit(&row)?;
    let (division_id, zone_id) = resolve_unit_refs(tx, input).await?;
    sql::query(
        "UPDATE units SET name = $1, short_name = $2, kind = $3, credit_code = $4, division_id = $5, \
         zone_id = $6, address = $7, phone = $8, opening_hours = $9, updated_at = $10 WHERE id = $11",
    )
    .bind(input.name.clone())
    .bind(input.short_name.clone())
    .bind(input.kind.as_str())
    .bind(input.credit_code.clone())
    .bind(division_id)
    .bind(zone_id)
    .bind(input.address.clone())
    .bind(input.phone.clone())
    .bind(input.opening_hours.clone())
    .bind(now())
    .bind(before.id)
    .execute(tx.conn())
    .await?;
    tx.audit(
        "unit.update",
        "unit",
        Some(public_id),
        &format!("修改单位 {}", input.name),
        Some(&serde_json::to_value(&before).unwrap_or_default()),
        Some(&serde_json::to_value(input).unwrap_or_default()),
    )
    .await
}

/// A task-force member with their unit.
#[derive(Debug, Clone, Serialize)]
pub struct TaskForceMember {
    pub public_id: String,
    pub name: String,
    pub title: Option<String>,
    pub unit_public_id: Option<String>,
    pub unit_name: Option<String>,
    pub position: TaskForcePosition,
    pub sort_order: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskForce {
    #[serde(skip)]
    pub id: i64,
    pub public_id: String,
    pub name: String,
    pub name_en: String,
    pub office_unit_name: String,
    pub office_duty: String,
    pub members: Vec<TaskForceMember>,
}

pub async fn task_force(db: &Db) -> Result<Option<TaskForce>> {
    let Some(r) = sql::query(
        "SELECT t.id, t.public_id, t.name, t.name_en, t.office_duty, u.name AS office_unit_name \
         FROM task_forces t JOIN units u ON u.id = t.office_unit_id WHERE t.archived_at IS NULL ORDER BY t.id LIMIT 1",
    )
    .fetch_optional(db)
    .await?
    else {
        return Ok(None);
    };
    let id: i64 = r.try_get("id")?;
    let members = sql::query(
        "SELECT m.public_id, p.name, p.title, u.public_id AS unit_public_id, u.name AS unit_name, \
         m.position, m.sort_order FROM task_force_members m JOIN people p ON p.id = m.person_id \
         LEFT JOIN units u ON u.id = p.unit_id WHERE m.task_force_id = $1 AND m.archived_at IS NULL \
         ORDER BY m.sort_order, m.id",
    )
    .bind(id)
    .fetch_all(db)
    .await?
    .iter()
    .map(|m| {
        let pos: String = m.try_get("position")?;
        Ok(TaskForceMember {
            public_id: m.try_get("public_id")?,
            name: m.try_get("name")?,
            title: m.try_get("title")?,
            unit_public_id: m.try_get("unit_public_id")?,
            unit_name: m.try_get("unit_name")?,
            position: TaskForcePosition::parse(&pos).unwrap_or(TaskForcePosition::Member),
            sort_order: m.try_get("sort_order")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    Ok(Some(TaskForce {
        id,
        public_id: r.try_get("public_id")?,
        name: r.try_get("name")?,
        name_en: r.try_get("name_en")?,
        office_unit_name: r.try_get("office_unit_name")?,
        office_duty: r.try_get("office_duty")?,
        members,
    }))
}

/// Input for adding or editing a task-force member.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub unit_public_id: String,
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub sort_order: String,
}

struct MemberInput {
    name: String,
    title: Option<String>,
    unit_id: i64,
    position: TaskForcePosition,
    sort_order: i64,
}

async fn parse_member(tx: &mut AuditedTx<'_>, f: &MemberForm) -> Result<MemberInput> {
    use shoumi_domain::validation::{optional_text, required_text};
    let mut e = FieldErrors::default();
    let name = required_text(&mut e, "name", &f.name, 50);
    let title = optional_text(&mut e, "title", &f.title, 100);
    let position = TaskForcePosition::parse(&f.position).unwrap_or_else(|| {
        e.push(FieldError::new(
            "position",
            "invalid",
            "请选择职务",
            "choose a position",
        ));
        TaskForcePosition::Member
    });
    let sort_order = if f.sort_order.trim().is_empty() {
        100
    } else {
        f.sort_order.trim().parse::<i64>().unwrap_or_else(|_| {
            e.push(FieldError::new(
                "sort_order",
                "invalid",
                "排序应为整数",
                "order must be a whole number",
            ));
            0
        })
    };
    let unit_id: Option<i64> = sql::query_scalar("SELECT id FROM units WHERE public_id = $1")
        .bind(f.unit_public_id.trim().to_string())
        .fetch_optional(tx.conn())
        .await?;
    if unit_id.is_none() {
        e.push(FieldError::new(
            "unit_public_id",
            "required",
            "请选择所在单位",
            "choose a unit",
        ));
    }
    if !e.is_empty() {
        return Err(StorageError::Invalid(e));
    }
    Ok(MemberInput {
        name,
        title,
        unit_id: unit_id.unwrap_or_default(),
        position,
        sort_order,
    })
}

pub async fn add_member(
    tx: &mut AuditedTx<'_>,
    _cap: Capability,
    f: &MemberForm,
) -> Result<String> {
    let m = parse_member(tx, f).await?;
    let tf_id: i64 = sql::query_scalar(
        "SELECT id FROM task_forces WHERE archived_at IS NULL ORDER BY id LIMIT 1",
    )
    .fetch_one(tx.conn())
    .await?;
    let person = insert_person(tx, &m.name, None, Some(m.unit_id), m.title.as_deref()).await?;
    let pid = new_public_id();
    let t = now();
    sql::query(
        "INSERT INTO task_force_members (public_id, task_force_id, person_id, position, sort_order, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(pid.clone())
    .bind(tf_id)
    .bind(person)
    .bind(m.position.as_str())
    .bind(m.sort_order)
    .bind(t)
    .execute(tx.conn())
    .await?;
    tx.audit(
        "task_force.member_add",
        "task_force_member",
        Some(&pid),
        &format!("专班新增成员 {}", m.name),
        None,
        Some(&json!({"name": m.name, "title": m.title, "position": m.position, "sort_order": m.sort_order})),
    )
    .await?;
    Ok(pid)
}

pub async fn update_member(
    tx: &mut AuditedTx<'_>,
    _cap: Capability,
    public_id: &str,
    f: &MemberForm,
) -> Result<()> {
    let m = parse_member(tx, f).await?;
    let row = sql::query(
        "SELECT m.id, m.person_id, m.position, m.sort_order, p.name, p.title, p.unit_id \
         FROM task_force_members m JOIN people p ON p.id = m.person_id WHERE m.public_id = $1 AND m.archived_at IS NULL",
    )
    .bind(public_id.to_string())
    .fetch_one(tx.conn())
    .await?;
    let before = json!({
        "name": row.try_get::<String>("name")?,
        "title": row.try_get::<Option<String>>("title")?,
        "position": row.try_get::<String>("position")?,
        "sort_order": row.try_get::<i64>("sort_order")?,
    });
    let t = now();
    let person_id: i64 = row.try_get("person_id")?;
    sql::query(
        "UPDATE people SET name = $1, title = $2, unit_id = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(m.name.clone())
    .bind(m.title.clone())
    .bind(m.unit_id)
    .bind(t)
    .bind(person_id)
    .execute(tx.conn())
    .await?;
    sql::query("UPDATE task_force_members SET position = $1, sort_order = $2, updated_at = $3 WHERE public_id = $4")
        .bind(m.position.as_str())
        .bind(m.sort_order)
        .bind(t)
        .bind(public_id.to_string())
        .execute(tx.conn())
        .await?;
    tx.audit(
        "task_force.member_update",
        "task_force_member",
        Some(public_id),
        &format!("修改专班成员 {}", m.name),
        Some(&before),
        Some(&json!({"name": m.name, "title": m.title, "position": m.position, "sort_order": m.sort_order})),
    )
    .await
}

/// Removes a member from the task force (archived, not deleted: the history stays).
pub async fn archive_member(
    tx: &mut AuditedTx<'_>,
    _cap: Capability,
    public_id: &str,
) -> Result<()> {
    let n = sql::query("UPDATE task_force_members SET archived_at = $1 WHERE public_id = $2 AND archived_at IS NULL")
        .bind(now())
        .bind(public_id.to_string())
        .execute(tx.conn())
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StorageError::NotFound);
    }
    tx.audit(
        "task_force.member_remove",
        "task_force_member",
        Some(public_id),
        "专班成员调出",
        None,
        None,
    )
    .await
}

pub(crate) async fn insert_person(
    tx: &mut AuditedTx<'_>,
    name: &str,
    enterprise_id: Option<i64>,
    unit_id: Option<i64>,
    title: Option<&str>,
) -> Result<i64> {
    let t = now();
    let id: i64 = sql::query_scalar(
        "INSERT INTO people (public_id, name, enterprise_id, unit_id, title, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(new_public_id())
    .bind(name.to_string())
    .bind(enterprise_id)
    .bind(unit_id)
    .bind(title.map(str::to_string))
    .bind(t)
    .fetch_one(tx.conn())
    .await?;
    Ok(id)
}

/// Units and task-force members, in one statement (home pages).
pub async fn summary_counts(db: &Db) -> Result<(i64, i64)> {
    let r = sql::query(
        "SELECT (SELECT COUNT(*) FROM units WHERE archived_at IS NULL) AS units, \
         (SELECT COUNT(*) FROM task_force_members WHERE archived_at IS NULL) AS members",
    )
    .fetch_one(db)
    .await?;
    Ok((r.try_get("units")?, r.try_get("members")?))
}
