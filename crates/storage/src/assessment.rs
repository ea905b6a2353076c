//! The year-end assessment of responsible units (年度考核): one per year, scored by the office
//! against the programme version's unit indicators, ranked, with each unit's record on the
//! responsibility list beside its score.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::json;
use shoumi_domain::programme::{self, ProgrammeSpec, Tenths};
use shoumi_domain::{FieldError, FieldErrors, UnitKind, WorkScope};

use crate::sql;
use crate::{AuditedTx, Db, Result, StorageError, new_public_id, now};

#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    #[serde(skip)]
    pub id: i64,
    pub public_id: String,
    pub year: i64,
    #[serde(skip)]
    pub programme_version_id: i64,
    pub closed: bool,
    pub created_at: i64,
}

fn decode(r: &sql::Row) -> Result<Assessment> {
    Ok(Assessment {
        id: r.try_get("id")?,
        public_id: r.try_get("public_id")?,
        year: r.try_get("year")?,
        programme_version_id: r.try_get("programme_version_id")?,
        closed: r.try_get::<String>("status")? == "closed",
        created_at: r.try_get("created_at")?,
    })
}

const SELECT: &str =
    "SELECT id, public_id, year, programme_version_id, status, created_at FROM unit_assessments";

pub async fn list(db: &Db) -> Result<Vec<Assessment>> {
    sql::query(&format!("{SELECT} ORDER BY year DESC"))
        .fetch_all(db)
        .await?
        .iter()
        .map(decode)
        .collect()
}

pub async fn get(db: &Db, public_id: &str) -> Result<Assessment> {
    let r = sql::query(&format!("{SELECT} WHERE public_id = $1"))
        .bind(public_id.to_string())
        .fetch_one(db)
        .await?;
    decode(&r)
}

fn office_only(scope: &WorkScope) -> Result<()> {
    if scope.is_office() {
        Ok(())
    } else {
        Err(StorageError::refused(
            "只有专班办公室可以进行年度考核",
            "only the programme office runs the year-end assessment",
        ))
    }
}

/// Opens the assessment of a year under the programme in force.
pub async fn create(
    tx: &mut AuditedTx<'_>,
    scope: &WorkScope,
    year: i64,
    version_id: i64,
    spec: &ProgrammeSpec,
) -> Result<String> {
    office_only(scope)?;
    if spec.unit_indicators.is_empty() {
        return Err(StorageError::refused(
            "现行方案没有单位考核指标",
            "the programme in force has no unit indicators",
        ));
    }
    if !(2000..=2100).contains(&year) {
        return Err(StorageError::Invalid(FieldErrors {
            errors: vec![FieldError::new(
                "year",
                "invalid",
                "年份应在2000至2100之间",
                "a year from 2000 to 2100",
            )],
            warnings: vec![],
        }));
    }
    let pid = new_public_id();
    sql::query(
        "INSERT INTO unit_assessments (public_id, year, programme_version_id, status, created_by, created_at) \
         VALUES ($1, $2, $3, 'open', $4, $5)",
    )
    .bind(pid.clone())
    .bind(year)
    .bind(version_id)
    .bind(tx.actor().user_id)
    .bind(now())
    .execute(tx.conn())
    .await
    .map_err(|e| match e {
        StorageError::Duplicate { .. } => StorageError::Invalid(FieldErrors {
            errors: vec![FieldError::new(
                "year",
                "duplicate",
                "该年度的考核已建立",
                "that year's assessment already exists",
            )],
            warnings: vec![],
        }),
        other => other,
    })?;
    tx.audit(
        "assessment.create",
        "unit_assessment",
        Some(&pid),
        &format!("建立{year}年度单位考核"),
        None,
        Some(&json!({"year": year})),
    )
    .await?;
    Ok(pid)
}

/// A unit under assessment.
#[derive(Debug, Clone, Serialize)]
pub struct AssessedUnit {
    #[serde(skip)]
    pub id: i64,
    pub public_id: String,
    pub name: String,
}

/// The units the programme names as responsible (unit keys and `kind:` groups), in the order
/// the programme first names them.
pub async fn units(db: &Db, spec: &ProgrammeSpec) -> Result<Vec<AssessedUnit>> {
    let rows = sql::query(
        "SELECT id, public_id, key, kind, COALESCE(short_name, name) AS name FROM units \
         WHERE archived_at IS NULL ORDER BY id",
    )
    .fetch_all(db)
    .await?;
    let mut all = Vec::new();
    for r in rows {
        let key: Option<String> = r.try_get("key")?;
        let kind: String = r.try_get("kind")?;
        all.push((
            key,
            UnitKind::parse(&kind),
            AssessedUnit {
                id: r.try_get("id")?,
                public_id: r.try_get("public_id")?,
                name: r.try_get("name")?,
            },
        ));
    }
    let mut out: Vec<AssessedUnit> = Vec::new();
    for t in &spec.tasks {
        for k in &t.responsible {
            let matches: Vec<&AssessedUnit> = match k.strip_prefix("kind:") {
                Some(kind) => {
                    let kind = UnitKind::parse(kind);
                    all.iter()
                        .filter(|(_, uk, _)| *uk == kind)
                        .map(|x| &x.2)
                        .collect()
                }
                None => all
                    .iter()
                    .filter(|(key, _, _)| key.as_deref() == Some(k.as_str()))
                    .map(|x| &x.2)
                    .collect(),
            };
            for m in matches {
                if !out.iter().any(|u| u.id == m.id) {
                    out.push(m.clone());
                }
            }
        }
    }
    Ok(out)
}

/// A unit's record on the responsibility list for a year.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Record {
    pub items: i64,
    pub done_on_time: i64,
    pub done_late: i64,
    pub overdue: i64,
    pub reports: i64,
    pub notices: i64,
    pub notices_late: i64,
}

async fn records(db: &Db, year: i64) -> Result<HashMap<i64, Record>> {
    let (from, to) = (format!("{year}-01-01"), format!("{year}-12-31"));
    let today = crate::demonstration::today().to_string();
    let cut = if today < to { today } else { to.clone() };
    let rows = sql::query(
        "SELECT wu.unit_id, COUNT(*) AS items, \
         SUM(CASE WHEN i.status = 'done' AND i.completed_on <= i.deadline THEN 1 ELSE 0 END) AS on_time, \
         SUM(CASE WHEN i.status = 'done' AND i.completed_on > i.deadline THEN 1 ELSE 0 END) AS late, \
         SUM(CASE WHEN i.status = 'open' AND i.deadline < $3 THEN 1 ELSE 0 END) AS overdue \
         FROM work_item_units wu JOIN work_items i ON i.id = wu.item_id \
         WHERE i.deadline >= $1 AND i.deadline <= $2 AND i.status <> 'cancelled' AND i.archived_at IS NULL \
         GROUP BY wu.unit_id",
    )
    .bind(from.clone())
    .bind(to.clone())
    .bind(cut)
    .fetch_all(db)
    .await?;
    let mut out: HashMap<i64, Record> = HashMap::new();
    for r in rows {
        let e = out.entry(r.try_get("unit_id")?).or_default();
        e.items = r.try_get("items")?;
        e.done_on_time = r.try_get::<Option<i64>>("on_time")?.unwrap_or(0);
        e.done_late = r.try_get::<Option<i64>>("late")?.unwrap_or(0);
        e.overdue = r.try_get::<Option<i64>>("overdue")?.unwrap_or(0);
    }
    let rows = sql::query(
        "SELECT unit_id, COUNT(*) AS n FROM work_reports WHERE reported_on >= $1 AND reported_on <= $2 GROUP BY unit_id",
    )
    .bind(from.clone())
    .bind(to.clone())
    .fetch_all(db)
    .await?;
    for r in rows {
        out.entry(r.try_get("unit_id")?).or_default().reports = r.try_get("n")?;
    }
    let rows = sql::query(
        "SELECT unit_id, COUNT(*) AS n, \
         SUM(CASE WHEN (replied_on IS NULL AND reply_by < $3) OR replied_on > reply_by THEN 1 ELSE 0 END) AS late \
         FROM supervision_notices WHERE issued_on >= $1 AND issued_on <= $2 GROUP BY unit_id",
    )
    .bind(from)
    .bind(to)
    .bind(crate::demonstration::today().to_string())
    .fetch_all(db)
    .await?;
    for r in rows {
        let e = out.entry(r.try_get("unit_id")?).or_default();
        e.notices = r.try_get("n")?;
        e.notices_late = r.try_get::<Option<i64>>("late")?.unwrap_or(0);
    }
    Ok(out)
}

/// A unit's line in the ranking.
#[derive(Debug, Clone, Serialize)]
pub struct Ranked {
    /// 1-based; equal totals share a rank. None until every indicator is scored.
    pub rank: Option<usize>,
    pub unit: AssessedUnit,
    pub total: Tenths,
    pub scored: usize,
    pub record: Record,
}

impl Ranked {
    pub fn total_text(&self) -> String {
        programme::show_tenths(self.total)
    }
}

/// Scores by (unit, indicator key): (score, comment).
pub async fn scores(db: &Db, a: &Assessment) -> Result<HashMap<(i64, String), (Tenths, String)>> {
    let rows = sql::query(
        "SELECT unit_id, indicator_key, score, comment FROM unit_assessment_scores WHERE assessment_id = $1",
    )
    .bind(a.id)
    .fetch_all(db)
    .await?;
    let mut out = HashMap::new();
    for r in rows {
        out.insert(
            (r.try_get("unit_id")?, r.try_get("indicator_key")?),
            (r.try_get("score")?, r.try_get("comment")?),
        );
    }
    Ok(out)
}

/// The ranking: complete units by total (ties share a rank), then incomplete ones.
pub async fn ranking(db: &Db, a: &Assessment, spec: &ProgrammeSpec) -> Result<Vec<Ranked>> {
    let units = units(db, spec).await?;
    let scores = scores(db, a).await?;
    let records = records(db, a.year).await?;
    let leaves = spec.unit_leaves();
    let mut out: Vec<Ranked> = units
        .into_iter()
        .map(|u| {
            let mut total = 0;
            let mut scored = 0;
            for l in &leaves {
                if let Some((s, _)) = scores.get(&(u.id, l.indicator.key.clone())) {
                    total += s;
                    scored += 1;
                }
            }
            Ranked {
                rank: None,
                record: records.get(&u.id).cloned().unwrap_or_default(),
                unit: u,
                total,
                scored,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        let ca = a.scored == leaves.len();
        let cb = b.scored == leaves.len();
        cb.cmp(&ca).then(b.total.cmp(&a.total))
    });
    let mut rank = 0;
    let mut last: Option<Tenths> = None;
    for (i, r) in out.iter_mut().enumerate() {
        if r.scored != leaves.len() || leaves.is_empty() {
            continue;
        }
        if last != Some(r.total) {
            rank = i + 1;
            last = Some(r.total);
        }
        r.rank = Some(rank);
    }
    Ok(out)
}

/// Saves the office's scores for one unit: each leaf 0 to its points; a bad value refuses the
/// whole sheet, naming `score.<key>`.
pub async fn save(
    tx: &mut AuditedTx<'_>,
    scope: &WorkScope,
    a: &Assessment,
    spec: &ProgrammeSpec,
    unit: &AssessedUnit,
    entries: &[(String, String, String)],
) -> Result<()> {
    office_only(scope)?;
    if a.closed {
        return Err(StorageError::refused(
            "该年度考核已结束，不能再修改",
            "this year's assessment is closed",
        ));
    }
    let leaves = spec.unit_leaves();
    let mut errors = FieldErrors::default();
    let mut parsed = Vec::new();
    for (key, text, comment) in entries {
        let Some(l) = leaves.iter().find(|l| &l.indicator.key == key) else {
            errors.errors.push(FieldError::new(
                format!("score.{key}"),
                "invalid",
                "没有这个指标",
                "no such indicator",
            ));
            continue;
        };
        if text.trim().is_empty() && comment.trim().is_empty() {
            continue;
        }
        match programme::parse_score(text, l.indicator.points) {
            Ok(v) => parsed.push((key.clone(), v, comment.trim().to_string())),
            Err(m) => {
                let (zh, en) = m.split_once(" / ").unwrap_or((&m, &m));
                errors
                    .errors
                    .push(FieldError::new(format!("score.{key}"), "invalid", zh, en));
            }
        }
    }
    if !errors.is_empty() {
        return Err(StorageError::Invalid(errors));
    }
    if parsed.is_empty() {
        return Ok(());
    }
    let t = now();
    for (key, v, comment) in &parsed {
        sql::query(
            "INSERT INTO unit_assessment_scores (assessment_id, unit_id, indicator_key, score, comment, scored_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (assessment_id, unit_id, indicator_key) \
             DO UPDATE SET score = $4, comment = $5, scored_by = $6, updated_at = $7",
        )
        .bind(a.id)
        .bind(unit.id)
        .bind(key.clone())
        .bind(*v)
        .bind(comment.clone())
        .bind(tx.actor().user_id)
        .bind(t)
        .execute(tx.conn())
        .await?;
    }
    let after: serde_json::Map<String, serde_json::Value> = parsed
        .iter()
        .map(|(k, v, _)| (k.clone(), json!(programme::show_tenths(*v))))
        .collect();
    tx.audit(
        "assessment.score",
        "unit_assessment",
        Some(&a.public_id),
        &format!("{}年度考核：{}（{}项）", a.year, unit.name, parsed.len()),
        None,
        Some(&json!({"unit": unit.name, "scores": after})),
    )
    .await?;
    Ok(())
}

/// Closes the assessment: its scores and ranking are final.
pub async fn close(tx: &mut AuditedTx<'_>, scope: &WorkScope, a: &Assessment) -> Result<()> {
    office_only(scope)?;
    let done = sql::query(
        "UPDATE unit_assessments SET status = 'closed', closed_at = $1 WHERE id = $2 AND status = 'open'",
    )
    .bind(now())
    .bind(a.id)
    .execute(tx.conn())
    .await?;
    if done.rows_affected() != 1 {
        return Err(StorageError::refused(
            "该年度考核已结束",
            "this year's assessment is already closed",
        ));
    }
    tx.audit(
        "assessment.close",
        "unit_assessment",
        Some(&a.public_id),
        &format!("{}年度单位考核结束", a.year),
        Some(&json!({"status": "open"})),
        Some(&json!({"status": "closed"})),
    )
    .await?;
    Ok(())
}
