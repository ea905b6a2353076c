//! Guidance and service stations: where they are, who staffs them, whether they hold the
//! guidance-station title, and their service log (lectures, consultations, complaints received).

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use shoumi_domain::programme::StationLogKind as LogKind;
use shoumi_domain::{FieldError, FieldErrors, Role, UnitKind};

use crate::sql;
use crate::{AuditedTx, Db, Result, StorageError, new_public_id, now};

/// A station with its staff and title.
#[derive(Debug, Clone, Serialize)]
pub struct Station {
    #[serde(skip)]
    pub id: i64,
    pub public_id: String,
    pub name: String,
    pub area: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub opening_hours: Option<String>,
    pub staff: i64,
    pub designation_number: Option<String>,
    pub entries_this_year: i64,
    pub last_entry: Option<String>,
}

const SELECT: &str = "SELECT u.id, u.public_id, u.name, COALESCE(d.name, '') AS division_name, \
     COALESCE(z.name, '') AS zone_name, u.address, u.phone, u.opening_hours, \
     (SELECT COUNT(DISTINCT g.user_id) FROM grants g WHERE g.role = $1 AND g.scope_kind = 'unit' \
        AND g.scope_id = u.id AND g.revoked_at IS NULL) AS staff, \
     (SELECT MAX(a.designation_number) FROM applications a WHERE a.unit_id = u.id AND a.unit_type = 'station' \
        AND a.stage IN ('designated', 'rectifying') AND a.archived_at IS NULL) AS designation_number, \
     (SELECT COUNT(*) FROM station_log l WHERE l.unit_id = u.id AND l.archived_at IS NULL AND l.on_date >= $2) AS entries, \
     (SELECT MAX(l.on_date) FROM station_log l WHERE l.unit_id = u.id AND l.archived_at IS NULL) AS last_entry \
     FROM units u LEFT JOIN divisions d ON d.id = u.division_id LEFT JOIN zones z ON z.id = u.zone_id";

fn decode(r: &sql::Row) -> Result<Station> {
    let d: String = r.try_get("division_name")?;
    let z: String = r.try_get("zone_name")?;
    Ok(Station {
        id: r.try_get("id")?,
        public_id: r.try_get("public_id")?,
        name: r.try_get("name")?,
        area: [d, z]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · "),
        address: r.try_get("address")?,
        phone: r.try_get("phone")?,
        opening_hours: r.try_get("opening_hours")?,
        staff: r.try_get("staff")?,
        designation_number: r.try_get("designation_number")?,
        entries_this_year: r.try_get("entries")?,
        last_entry: r.try_get("last_entry")?,
    })
}

fn year_start(today: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}-01-01", today.year())
}

/// Every service station of the county.
pub async fn stations(db: &Db, today: NaiveDate) -> Result<Vec<Station>> {
    sql::query(&format!(
        "{SELECT} WHERE u.kind = $3 AND u.archived_at IS NULL ORDER BY d.code, u.name"
    ))
    .bind(Role::Station.as_str())
    .bind(year_start(today))
    .bind(UnitKind::ServiceStation.as_str())
    .fetch_all(db)
    .await?
    .iter()
    .map(decode)
    .collect()
}

pub async fn station(db: &Db, public_id: &str, today: NaiveDate) -> Result<Station> {
    let r = sql::query(&format!(
        "{SELECT} WHERE u.kind = $3 AND u.public_id = $4 AND u.archived_at IS NULL"
    ))
    .bind(Role::Station.as_str())
    .bind(year_start(today))
    .bind(UnitKind::ServiceStation.as_str())
    .bind(public_id.to_string())
    .fetch_one(db)
    .await?;
    decode(&r)
}

/// For each division (below the county) and each zone: how many service stations it has and
/// how many of them hold the guidance-station title.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub name: String,
    pub is_zone: bool,
    pub stations: i64,
    pub designated: i64,
}

/// `divisions` and `zones`: the live ones, in display order (the caller's cached lists).
pub async fn coverage(
    db: &Db,
    divisions: &[crate::orgs::Division],
    zones: &[crate::orgs::Zone],
) -> Result<Vec<Coverage>> {
    // Stations are few: read them once with their title, then count per area here (one pass,
    // however many divisions the database holds).
    let stations = sql::query(
        "SELECT u.division_id, u.zone_id, \
         (SELECT COUNT(*) FROM applications a WHERE a.unit_id = u.id AND a.unit_type = 'station' \
            AND a.stage IN ('designated', 'rectifying') AND a.archived_at IS NULL) AS designated \
         FROM units u WHERE u.kind = $1 AND u.archived_at IS NULL",
    )
    .bind(UnitKind::ServiceStation.as_str())
    .fetch_all(db)
    .await?;
    let mut by_division: std::collections::HashMap<i64, (i64, i64)> = Default::default();
    let mut by_zone: std::collections::HashMap<i64, (i64, i64)> = Default::default();
    for r in &stations {
        let titled = i64::from(r.try_get::<i64>("designated")? > 0);
        match (
            r.try_get::<Option<i64>>("zone_id")?,
            r.try_get::<Option<i64>>("division_id")?,
        ) {
            (Some(z), _) => {
                let e = by_zone.entry(z).or_default();
                e.0 += 1;
                e.1 += titled;
            }
            (None, Some(d)) => {
                let e = by_division.entry(d).or_default();
                e.0 += 1;
                e.1 += titled;
            }
            (None, None) => {}
        }
    }
    let mut out = Vec::with_capacity(divisions.len() + zones.len());
    for d in divisions
        .iter()
        .filter(|d| d.kind != shoumi_domain::DivisionKind::County)
    {
        let (n, t) = by_division.get(&d.id).copied().unwrap_or_default();
        out.push(Coverage {
            name: d.name.clone(),
            is_zone: false,
            stations: n,
            designated: t,
        });
    }
    for z in zones {
        let (n, t) = by_zone.get(&z.id).copied().unwrap_or_default();
        out.push(Coverage {
            name: z.name.clone(),
            is_zone: true,
            stations: n,
            designated: t,
        });
    }
    Ok(out)
}

/// The people with the station role on a station (display names), active accounts only.
pub async fn staff(db: &Db, station: &Station) -> Result<Vec<String>> {
    let rows = sql::query(
        "SELECT DISTINCT u.display_name FROM grants g JOIN users u ON u.id = g.user_id \
         WHERE g.role = $1 AND g.scope_kind = 'unit' AND g.scope_id = $2 AND g.revoked_at IS NULL \
         AND u.disabled = 0 ORDER BY u.display_name",
    )
    .bind(Role::Station.as_str())
    .bind(station.id)
    .fetch_all(db)
    .await?;
    rows.iter().map(|r| r.try_get("display_name")).collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    pub public_id: String,
    pub kind: LogKind,
    pub on_date: String,
    pub title: String,
    pub people: i64,
    pub notes: String,
    pub created_by: Option<String>,
}

pub async fn log(db: &Db, station: &Station, limit: i64) -> Result<Vec<LogEntry>> {
    let rows = sql::query(&format!(
        "SELECT l.public_id, l.kind, l.on_date, l.title, l.people, l.notes, u.display_name AS created_by \
         FROM station_log l LEFT JOIN users u ON u.id = l.created_by \
         WHERE l.unit_id = $1 AND l.archived_at IS NULL ORDER BY l.on_date DESC, l.id DESC LIMIT {limit}"
    ))
    .bind(station.id)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            let k: String = r.try_get("kind")?;
            Ok(LogEntry {
                public_id: r.try_get("public_id")?,
                kind: LogKind::parse(&k)
                    .ok_or_else(|| StorageError::Decode(format!("log kind {k}")))?,
                on_date: r.try_get("on_date")?,
                title: r.try_get("title")?,
                people: r.try_get("people")?,
                notes: r.try_get("notes")?,
                created_by: r.try_get("created_by")?,
            })
        })
        .collect()
}

#[derive(Debug, Clone, Default, serde::Deserialize, Serialize)]
pub struct LogForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub on_date: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub people: String,
    #[serde(default)]
    pub notes: String,
}

/// Adds an entry to a station's log. `may_write`: the caller is the station's staff or the office
/// (decided from the principal by the caller).
pub async fn add_log(
    tx: &mut AuditedTx<'_>,
    may_write: bool,
    station: &Station,
    form: &LogForm,
    today: NaiveDate,
) -> Result<String> {
    if !may_write {
        return Err(StorageError::refused(
            "只有本站工作人员或专班办公室可以登记服务记录",
            "only the station's staff or the programme office may add to its log",
        ));
    }
    let mut errors = FieldErrors::default();
    let kind = LogKind::parse(&form.kind);
    if kind.is_none() {
        errors.errors.push(FieldError::required("kind"));
    }
    let date = match NaiveDate::parse_from_str(form.on_date.trim(), "%Y-%m-%d") {
        Ok(d) if d <= today => Some(d),
        Ok(_) => {
            errors.errors.push(FieldError::new(
                "on_date",
                "invalid",
                "日期不能晚于今天",
                "the date cannot be in the future",
            ));
            None
        }
        Err(_) => {
            errors.errors.push(FieldError::new(
                "on_date",
                "invalid",
                "日期格式应为YYYY-MM-DD",
                "a date is written YYYY-MM-DD",
            ));
            None
        }
    };
    let title = form.title.trim();
    if title.is_empty() {
        errors.errors.push(FieldError::required("title"));
    } else if title.chars().count() > 200 {
        errors.errors.push(FieldError::too_long("title", 200));
    }
    let people = if form.people.trim().is_empty() {
        Some(0)
    } else {
        match form.people.trim().parse::<i64>() {
            Ok(n) if (0..=100_000).contains(&n) => Some(n),
            _ => {
                errors.errors.push(FieldError::new(
                    "people",
                    "invalid",
                    "人数应为0至100000之间的整数",
                    "a whole number from 0 to 100000",
                ));
                None
            }
        }
    };
    if form.notes.chars().count() > 5000 {
        errors.errors.push(FieldError::too_long("notes", 5000));
    }
    let (Some(kind), Some(date), Some(people)) = (kind, date, people) else {
        return Err(StorageError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(StorageError::Invalid(errors));
    }
    let pid = new_public_id();
    let t = now();
    sql::query(
        "INSERT INTO station_log (public_id, unit_id, kind, on_date, title, people, notes, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind(pid.clone())
    .bind(station.id)
    .bind(kind.as_str())
    .bind(date.to_string())
    .bind(title.to_string())
    .bind(people)
    .bind(form.notes.trim().to_string())
    .bind(tx.actor().user_id)
    .bind(t)
    .execute(tx.conn())
    .await?;
    tx.audit(
        "station_log.add",
        "unit",
        Some(&station.public_id),
        &format!("{}：{} {}", station.name, kind.label_zh(), title),
        None,
        Some(&json!({ "entry": pid, "kind": kind.as_str(), "on_date": date.to_string(), "title": title, "people": people })),
    )
    .await?;
    Ok(pid)
}
