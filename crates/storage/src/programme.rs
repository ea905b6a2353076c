//! Programme versions and progress against their targets.
//!
//! Every imported programme is a new row (`programme_versions`); nothing is overwritten. The
//! newest row is the programme in force; applications keep the version they were made under, so
//! their scores stay readable against the indicators they were scored with.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use shoumi_domain::programme::{DemoType, ProgrammeSpec};
use shoumi_domain::{Action, Capability};

use crate::sql;
use crate::{Actor, AuditedTx, Db, Result, StorageError, new_public_id, now};

/// One stored version.
#[derive(Debug, Clone, Serialize)]
pub struct Version {
    #[serde(skip)]
    pub id: i64,
    pub public_id: String,
    pub programme_key: String,
    pub version: i64,
    pub title: String,
    pub sha256: String,
    pub sm3: String,
    pub note: String,
    pub created_at: i64,
    pub created_by: Option<String>,
}

/// A version with its programme.
#[derive(Debug, Clone)]
pub struct Stored {
    pub version: Version,
    pub spec: ProgrammeSpec,
}

const SELECT: &str = "SELECT v.id, v.public_id, v.programme_key, v.version, v.title, v.sha256, v.sm3, \
     v.note, v.created_at, u.display_name AS created_by, v.spec_json \
     FROM programme_versions v LEFT JOIN users u ON u.id = v.created_by";

fn version(r: &sql::Row) -> Result<Version> {
    Ok(Version {
        id: r.try_get("id")?,
        public_id: r.try_get("public_id")?,
        programme_key: r.try_get("programme_key")?,
        version: r.try_get("version")?,
        title: r.try_get("title")?,
        sha256: r.try_get("sha256")?,
        sm3: r.try_get("sm3")?,
        note: r.try_get("note")?,
        created_at: r.try_get("created_at")?,
        created_by: r.try_get("created_by")?,
    })
}

fn stored(r: &sql::Row) -> Result<Stored> {
    let v = version(r)?;
    let json: String = r.try_get("spec_json")?;
    let spec = ProgrammeSpec::from_stored(&json).map_err(|e| {
        StorageError::Integrity(format!("stored programme version {}: {e}", v.version))
    })?;
    Ok(Stored { version: v, spec })
}

/// The row id of the programme in force (a cheap check for a cache).
pub async fn current_id(db: &Db) -> Result<i64> {
    sql::query_scalar("SELECT id FROM programme_versions ORDER BY id DESC LIMIT 1")
        .fetch_one(db)
        .await
}

/// The programme in force's id and the calendar's fingerprint (imported years, last change) in
/// one round trip: what the caches check per request.
pub async fn stamps(db: &Db) -> Result<(i64, (i64, i64))> {
    let r = sql::query(
        "SELECT (SELECT id FROM programme_versions ORDER BY id DESC LIMIT 1) AS v, \
         (SELECT COUNT(*) FROM calendar_years) AS n, \
         (SELECT CAST(COALESCE(MAX(updated_at), 0) AS BIGINT) FROM calendar_years) AS at",
    )
    .fetch_one(db)
    .await?;
    let v: Option<i64> = r.try_get("v")?;
    Ok((
        v.ok_or(StorageError::NotFound)?,
        (r.try_get("n")?, r.try_get("at")?),
    ))
}

/// The programme in force (the newest version).
pub async fn current(db: &Db) -> Result<Stored> {
    let r = sql::query(&format!("{SELECT} ORDER BY v.id DESC LIMIT 1"))
        .fetch_one(db)
        .await?;
    stored(&r)
}

/// A version by its row id (an application's).
pub async fn by_id(db: &Db, id: i64) -> Result<Stored> {
    let r = sql::query(&format!("{SELECT} WHERE v.id = $1"))
        .bind(id)
        .fetch_one(db)
        .await?;
    stored(&r)
}

/// A version by its row id, inside a transaction.
pub async fn by_id_tx(tx: &mut AuditedTx<'_>, id: i64) -> Result<Stored> {
    let r = sql::query(&format!("{SELECT} WHERE v.id = $1"))
        .bind(id)
        .fetch_one(tx.conn())
        .await?;
    stored(&r)
}

/// A version by its public id.
pub async fn by_public_id(db: &Db, public_id: &str) -> Result<Stored> {
    let r = sql::query(&format!("{SELECT} WHERE v.public_id = $1"))
        .bind(public_id.to_string())
        .fetch_one(db)
        .await?;
    stored(&r)
}

/// Every version, newest first.
pub async fn versions(db: &Db) -> Result<Vec<Version>> {
    sql::query(&format!("{SELECT} ORDER BY v.id DESC"))
        .fetch_all(db)
        .await?
        .iter()
        .map(version)
        .collect()
}

/// Unit keys of the county data, for checking a file's responsible units.
pub async fn unit_keys(db: &Db) -> Result<HashSet<String>> {
    let rows = sql::query("SELECT key FROM units WHERE key IS NOT NULL AND archived_at IS NULL")
        .fetch_all(db)
        .await?;
    rows.iter().map(|r| r.try_get::<String>("key")).collect()
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    /// A new version with this number.
    Version(i64, String),
    /// The file is exactly the programme in force.
    Unchanged(i64),
}

/// Stores a checked programme as a new version unless it equals the one in force.
pub async fn import(
    tx: &mut AuditedTx<'_>,
    cap: Capability,
    spec: &ProgrammeSpec,
    note: &str,
) -> Result<Imported> {
    debug_assert_eq!(cap.action(), Action::ManageProgramme);
    import_unchecked(tx, spec, note).await
}

async fn import_unchecked(
    tx: &mut AuditedTx<'_>,
    spec: &ProgrammeSpec,
    note: &str,
) -> Result<Imported> {
    let canonical = spec.canonical_json();
    let last = sql::query(
        "SELECT version, spec_json, public_id FROM programme_versions WHERE programme_key = $1 \
         ORDER BY version DESC LIMIT 1",
    )
    .bind(spec.key.clone())
    .fetch_optional(tx.conn())
    .await?;
    let current = sql::query("SELECT spec_json FROM programme_versions ORDER BY id DESC LIMIT 1")
        .fetch_optional(tx.conn())
        .await?;
    let (next, before) = match &last {
        Some(r) => {
            let v: i64 = r.try_get("version")?;
            let json: String = r.try_get("spec_json")?;
            let in_force = match &current {
                Some(c) => c.try_get::<String>("spec_json")? == json,
                None => false,
            };
            if json == canonical && in_force {
                return Ok(Imported::Unchanged(v));
            }
            (v + 1, Some(json))
        }
        None => (1, None),
    };
    let d = shoumi_domain::files::digests(canonical.as_bytes());
    let pid = new_public_id();
    sql::query(
        "INSERT INTO programme_versions (public_id, programme_key, version, title, spec_json, sha256, sm3, \
         note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(pid.clone())
    .bind(spec.key.clone())
    .bind(next)
    .bind(spec.title.clone())
    .bind(canonical)
    .bind(d.sha256.clone())
    .bind(d.sm3.clone())
    .bind(note.trim().to_string())
    .bind(tx.actor().user_id)
    .bind(now())
    .execute(tx.conn())
    .await?;
    tx.audit(
        "programme.version",
        "programme_version",
        Some(&pid),
        &format!("{} 第{next}版 (SHA-256 {})", spec.title, &d.sha256[..16]),
        before
            .as_ref()
            .map(|b| json!({ "sha256": shoumi_domain::files::digests(b.as_bytes()).sha256 }))
            .as_ref(),
        Some(&json!({ "key": spec.key, "version": next, "sha256": d.sha256, "sm3": d.sm3, "note": note })),
    )
    .await?;
    Ok(Imported::Version(next, pid))
}

/// Loads the default programme if the installation has none. Returns whether it did.
pub async fn seed_default(db: &Db, spec: &ProgrammeSpec) -> Result<bool> {
    let n: i64 = sql::query_scalar("SELECT COUNT(*) FROM programme_versions")
        .fetch_one(db)
        .await?;
    if n > 0 {
        return Ok(false);
    }
    let actor = Actor::system("seed");
    let mut tx = db.begin(&actor).await?;
    if !crate::seed::first_to_seed(&mut tx, "SELECT COUNT(*) FROM programme_versions").await? {
        return Ok(false);
    }
    import_unchecked(&mut tx, spec, "默认方案 / default programme").await?;
    tx.commit().await?;
    Ok(true)
}

/// One target against the designated count.
#[derive(Debug, Clone, Serialize)]
pub struct TargetProgress {
    pub unit_type: DemoType,
    pub deadline: NaiveDate,
    pub target: u32,
    /// Units holding the title on the date asked about.
    pub designated: i64,
    /// Units holding the title on the deadline, when the deadline is not after the date asked about.
    pub designated_at_deadline: Option<i64>,
    /// Designations of this type in the 365 days up to the date asked about (the forecast's pace).
    pub pace: i64,
}

impl TargetProgress {
    pub fn met(&self) -> bool {
        self.designated_at_deadline.unwrap_or(self.designated) >= i64::from(self.target)
    }
}

/// For each type: the units holding the title on each of `dates` (designated on or before it,
/// neither revoked nor expired by then), and the designations made in `(pace_from, pace_to]` —
/// all in one pass over the designated applications.
async fn designated_counts(
    db: &Db,
    dates: &[NaiveDate],
    pace: (NaiveDate, NaiveDate),
) -> Result<BTreeMap<DemoType, (Vec<i64>, i64)>> {
    let mut cols = Vec::with_capacity(dates.len() + 1);
    for i in 0..dates.len() {
        let p = format!("${}", i + 3);
        cols.push(format!(
            "SUM(CASE WHEN designated_on <= {p} AND (ended_on IS NULL OR ended_on > {p}) \
             AND (valid_until IS NULL OR valid_until >= {p}) THEN 1 ELSE 0 END) AS c{i}"
        ));
    }
    cols.push(
        "SUM(CASE WHEN designated_on > $1 AND designated_on <= $2 THEN 1 ELSE 0 END) AS pace"
            .into(),
    );
    let mut args = sql::Args::default();
    args.add(pace.0.to_string());
    args.add(pace.1.to_string());
    for d in dates {
        args.add(d.to_string());
    }
    let rows = sql::query_with(
        &format!(
            "SELECT unit_type, {} FROM applications WHERE designated_on IS NOT NULL AND archived_at IS NULL \
             GROUP BY unit_type",
            cols.join(", ")
        ),
        args,
    )
    .fetch_all(db)
    .await?;
    let mut out = BTreeMap::new();
    for r in rows {
        let t: String = r.try_get("unit_type")?;
        let Some(t) = DemoType::parse(&t) else {
            continue;
        };
        let counts = (0..dates.len())
            .map(|i| Ok(r.try_get::<Option<i64>>(&format!("c{i}"))?.unwrap_or(0)))
            .collect::<Result<Vec<i64>>>()?;
        out.insert(t, (counts, r.try_get::<Option<i64>>("pace")?.unwrap_or(0)));
    }
    Ok(out)
}

/// Each target of the programme against the units holding the title on `on` (and on its
/// deadline once that has passed), with the pace of designations in the year up to `on`.
pub async fn progress(db: &Db, spec: &ProgrammeSpec, on: NaiveDate) -> Result<Vec<TargetProgress>> {
    let mut dates = vec![on];
    for t in &spec.targets {
        if t.deadline <= on && !dates.contains(&t.deadline) {
            dates.push(t.deadline);
        }
    }
    let pace = (shoumi_domain::programme::forecast_window_start(on), on);
    let counts = designated_counts(db, &dates, pace).await?;
    let at = |t: DemoType, d: NaiveDate| -> i64 {
        let i = dates.iter().position(|x| *x == d).unwrap_or(0);
        counts.get(&t).map(|(c, _)| c[i]).unwrap_or(0)
    };
    let mut out: Vec<TargetProgress> = spec
        .targets
        .iter()
        .map(|t| TargetProgress {
            unit_type: t.unit_type,
            deadline: t.deadline,
            target: t.count,
            designated: at(t.unit_type, on),
            designated_at_deadline: (t.deadline <= on).then(|| at(t.unit_type, t.deadline)),
            pace: counts.get(&t.unit_type).map(|(_, p)| *p).unwrap_or(0),
        })
        .collect();
    out.sort_by_key(|t| (t.deadline, t.unit_type));
    Ok(out)
}
