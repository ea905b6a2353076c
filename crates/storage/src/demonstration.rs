//! Demonstration-unit applications: creation, the steps of their lifecycle, assessors and
//! scores, publicity objections and evidence files.
//!
//! Every read takes an [`ApplicationScope`] and turns it into the `WHERE` (an application outside
//! it is "not found"); every step checks who may take it, asks the domain's state machine whether
//! it exists, checks the data it depends on, then moves the row only if it is still in the stage
//! it was read in, writing the history row and the audit row in the same transaction.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use shoumi_domain::demonstration::{
    self, PublicityState, Stage, Step, StepBy, check_designation, check_fail_publicity,
};
use shoumi_domain::files::CheckedFile;
use shoumi_domain::programme::{self, DemoType, Sheet, Tenths};
use shoumi_domain::{ApplicationScope, FieldError, FieldErrors, Role, Subject, UnitKind};

use crate::query::{any_in, like_contains};
use crate::sql;
use crate::{AuditedTx, Db, Result, StorageError, new_public_id, now};

/// An application as shown.
#[derive(Debug, Clone, Serialize)]
pub struct Application {
    #[serde(skip)]
    pub id: i64,
    pub public_id: String,
    #[serde(skip)]
    pub programme_version_id: i64,
    pub unit_type: DemoType,
    #[serde(skip)]
    pub enterprise_id: Option<i64>,
    #[serde(skip)]
    pub unit_id: Option<i64>,
    #[serde(skip)]
    pub division_id: Option<i64>,
    #[serde(skip)]
    pub zone_id: Option<i64>,
    pub subject_name: String,
    pub subject_public_id: Option<String>,
    pub division_name: Option<String>,
    pub zone_name: Option<String>,
    pub origin: String,
    pub statement: String,
    pub stage: Stage,
    pub stage_since: i64,
    pub submitted_on: Option<String>,
    pub score: Option<Tenths>,
    pub publicity_start: Option<String>,
    pub publicity_end: Option<String>,
    pub publicity_uncertain: bool,
    pub designation_number: Option<String>,
    pub designated_on: Option<String>,
    pub valid_until: Option<String>,
    pub rectify_by: Option<String>,
    pub ended_on: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// The reader is one of its assessors.
    #[serde(skip)]
    pub assigned: bool,
}

impl Application {
    pub fn subject(&self) -> Subject {
        Subject {
            enterprise_id: self.enterprise_id,
            unit_id: self.unit_id,
            division_id: self.division_id,
            zone_id: self.zone_id,
        }
    }
    pub fn score_text(&self) -> String {
        self.score.map(programme::show_tenths).unwrap_or_default()
    }
    pub fn area(&self) -> String {
        match (&self.division_name, &self.zone_name) {
            (Some(d), Some(z)) => format!("{d} · {z}"),
            (Some(d), None) => d.clone(),
            (None, Some(z)) => z.clone(),
            (None, None) => String::new(),
        }
    }
}

const SELECT: &str = "SELECT a.id, a.public_id, a.programme_version_id, a.unit_type, a.enterprise_id, \
     a.unit_id, a.division_id, a.zone_id, a.subject_name, COALESCE(e.public_id, un.public_id) AS subject_public_id, \
     d.name AS division_name, z.name AS zone_name, a.origin, a.statement, a.stage, a.stage_since, \
     a.submitted_on, a.score, a.publicity_start, a.publicity_end, a.publicity_uncertain, \
     a.designation_number, a.designated_on, a.valid_until, a.rectify_by, a.ended_on, a.created_at, a.updated_at, \
     (SELECT COUNT(*) FROM application_assessors aa WHERE aa.application_id = a.id AND aa.user_id = $1) AS assigned \
     FROM applications a \
     LEFT JOIN enterprises e ON e.id = a.enterprise_id \
     LEFT JOIN units un ON un.id = a.unit_id \
     LEFT JOIN divisions d ON d.id = a.division_id \
     LEFT JOIN zones z ON z.id = a.zone_id";

fn decode(r: &sql::Row) -> Result<Application> {
    let t: String = r.try_get("unit_type")?;
    let st: String = r.try_get("stage")?;
    Ok(Application {
        id: r.try_get("id")?,
        public_id: r.try_get("public_id")?,
        programme_version_id: r.try_get("programme_version_id")?,
        unit_type: DemoType::parse(&t)
            .ok_or_else(|| StorageError::Decode(format!("unit type {t}")))?,
        enterprise_id: r.try_get("enterprise_id")?,
        unit_id: r.try_get("unit_id")?,
        division_id: r.try_get("division_id")?,
        zone_id: r.try_get("zone_id")?,
        subject_name: r.try_get("subject_name")?,
        subject_public_id: r.try_get("subject_public_id")?,
        division_name: r.try_get("division_name")?,
        zone_name: r.try_get("zone_name")?,
        origin: r.try_get("origin")?,
        statement: r.try_get("statement")?,
        stage: Stage::parse(&st).ok_or_else(|| StorageError::Decode(format!("stage {st}")))?,
        stage_since: r.try_get("stage_since")?,
        submitted_on: r.try_get("submitted_on")?,
        score: r.try_get("score")?,
        publicity_start: r.try_get("publicity_start")?,
        publicity_end: r.try_get("publicity_end")?,
        publicity_uncertain: r.try_get::<i64>("publicity_uncertain")? != 0,
        designation_number: r.try_get("designation_number")?,
        designated_on: r.try_get("designated_on")?,
        valid_until: r.try_get("valid_until")?,
        rectify_by: r.try_get("rectify_by")?,
        ended_on: r.try_get("ended_on")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        assigned: r.try_get::<i64>("assigned")? > 0,
    })
}

/// The scope as SQL over `a` (ids are integers from the principal's grants, never user input).
fn scope_sql(scope: &ApplicationScope) -> String {
    if scope.is_office() {
        return "1=1".into();
    }
    format!(
        "(EXISTS (SELECT 1 FROM application_assessors aa2 WHERE aa2.application_id = a.id AND aa2.user_id = {}) OR {})",
        scope.user_id(),
        any_in(&[
            ("a.division_id", scope.area_divisions()),
            ("a.zone_id", scope.area_zones()),
            ("a.unit_id", scope.stations()),
            ("a.enterprise_id", scope.enterprises()),
        ])
    )
}

/// A list's filters.
#[derive(Debug, Clone, Default, serde::Deserialize, Serialize)]
pub struct ListQuery {
    #[serde(default)]
    pub stage: String,
    #[serde(default)]
    pub unit_type: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub page: Option<u32>,
}

pub const PAGE_SIZE: u32 = 50;

/// Applications the scope may read, newest change first, and their total.
pub async fn list(
    db: &Db,
    scope: &ApplicationScope,
    q: &ListQuery,
    limit: Option<u32>,
) -> Result<(Vec<Application>, i64)> {
    let mut filter = vec![scope_sql(scope), "a.archived_at IS NULL".to_string()];
    let mut args: Vec<String> = Vec::new();
    if let Some(s) = Stage::parse(&q.stage) {
        args.push(s.as_str().into());
        filter.push(format!("a.stage = ${}", args.len() + 1));
    }
    if let Some(t) = DemoType::parse(&q.unit_type) {
        args.push(t.as_str().into());
        filter.push(format!("a.unit_type = ${}", args.len() + 1));
    }
    let term = q.q.trim();
    if !term.is_empty() {
        args.push(like_contains(term));
        filter.push(format!(
            "LOWER(a.subject_name) LIKE LOWER(${}) ESCAPE '\\'",
            args.len() + 1
        ));
    }
    let where_ = filter.join(" AND ");
    let mut tx = db.read().await?;
    let count_sql = format!("SELECT COUNT(*) FROM applications a WHERE $1 = $1 AND {where_}");
    let mut count = sql::query_scalar::<i64>(&count_sql).bind(scope.user_id());
    for a in &args {
        count = count.bind(a.clone());
    }
    let total = count.fetch_one(&mut tx).await?;
    let page = u64::from(q.page.unwrap_or(1).clamp(1, 1_000_000));
    let (lim, off) = match limit {
        Some(l) => (u64::from(l), 0),
        None => (u64::from(PAGE_SIZE), (page - 1) * u64::from(PAGE_SIZE)),
    };
    let rows_sql = format!(
        "{SELECT} WHERE {where_} ORDER BY a.updated_at DESC, a.id DESC LIMIT {lim} OFFSET {off}"
    );
    let mut rows = sql::query(&rows_sql).bind(scope.user_id());
    for a in &args {
        rows = rows.bind(a.clone());
    }
    let rows = rows.fetch_all(&mut tx).await?;
    tx.commit().await?;
    Ok((rows.iter().map(decode).collect::<Result<_>>()?, total))
}

/// One application, if the scope may read it.
pub async fn get(
    ex: impl Into<sql::Ex<'_>>,
    scope: &ApplicationScope,
    public_id: &str,
) -> Result<Application> {
    let r = sql::query(&format!(
        "{SELECT} WHERE a.public_id = $2 AND a.archived_at IS NULL AND {}",
        scope_sql(scope)
    ))
    .bind(scope.user_id())
    .bind(public_id.to_string())
    .fetch_one(ex)
    .await?;
    decode(&r)
}

/// What a new application is about.
#[derive(Debug, Clone, Default, serde::Deserialize, Serialize)]
pub struct NewApplication {
    #[serde(default)]
    pub unit_type: String,
    /// The public id of the enterprise (for a demonstration enterprise) or of the unit.
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub statement: String,
}

/// Candidates an applicant may choose: (public id, name) of enterprises and units in scope.
pub async fn candidates(
    db: &Db,
    scope: &ApplicationScope,
    unit_type: DemoType,
) -> Result<Vec<(String, String)>> {
    if !unit_type.is_enterprise() {
        // Units are few: read those of the right kinds and keep the ones the domain's rule lets
        // this person apply for (the same rule `create` applies).
        let kinds: Vec<&str> = unit_kinds(unit_type).iter().map(|k| k.as_str()).collect();
        let rows = sql::query(
            "SELECT id, public_id, name, kind, division_id, zone_id FROM units WHERE archived_at IS NULL ORDER BY name",
        )
        .fetch_all(db)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let kind: String = r.try_get("kind")?;
            let subject = Subject {
                enterprise_id: None,
                unit_id: Some(r.try_get("id")?),
                division_id: r.try_get("division_id")?,
                zone_id: r.try_get("zone_id")?,
            };
            if kinds.contains(&kind.as_str()) && scope.can_apply_for(&subject) {
                out.push((r.try_get("public_id")?, r.try_get("name")?));
            }
        }
        return Ok(out);
    }
    // Enterprises are many: the rule as SQL — the area's (town or station) and one's own as
    // administrator.
    let filter = if scope.is_office() {
        "1=1".to_string()
    } else {
        let admin: Vec<i64> = scope
            .enterprises()
            .iter()
            .copied()
            .filter(|e| {
                scope.can_apply_for(&Subject {
                    enterprise_id: Some(*e),
                    unit_id: None,
                    division_id: None,
                    zone_id: None,
                })
            })
            .collect();
        any_in(&[
            ("e.division_id", scope.area_divisions()),
            ("e.zone_id", scope.area_zones()),
            ("e.id", &admin),
        ])
    };
    let rows = sql::query(&format!(
        "SELECT e.public_id, e.name FROM enterprises e WHERE e.archived_at IS NULL AND {filter} \
         ORDER BY e.name LIMIT 2000"
    ))
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("public_id")?, r.try_get("name")?)))
        .collect()
}

/// Which units may apply as a base or a station.
pub fn unit_kinds(t: DemoType) -> &'static [UnitKind] {
    match t {
        DemoType::Base => &[UnitKind::ZoneCommittee, UnitKind::TownGovernment],
        DemoType::Station => &[UnitKind::ServiceStation],
        DemoType::Enterprise => &[],
    }
}

fn field(f: &str, zh: &str, en: &str) -> StorageError {
    StorageError::Invalid(FieldErrors {
        errors: vec![FieldError::new(f, "invalid", zh, en)],
        warnings: vec![],
    })
}

/// Creates a draft. The applicant side (an enterprise's administrator, a town or station for
/// its area, the office) may; the subject may not already have an open application or hold the
/// title of that type.
pub async fn create(
    tx: &mut AuditedTx<'_>,
    scope: &ApplicationScope,
    input: &NewApplication,
    today: NaiveDate,
) -> Result<String> {
    let Some(t) = DemoType::parse(&input.unit_type) else {
        return Err(field("unit_type", "请选择类型", "choose a type"));
    };
    if input.statement.chars().count() > 5000 {
        return Err(StorageError::Invalid(FieldErrors {
            errors: vec![FieldError::too_long("statement", 5000)],
            warnings: vec![],
        }));
    }
    let subject_row = if t.is_enterprise() {
        sql::query(
            "SELECT id, name, division_id, zone_id, NULL AS kind FROM enterprises \
             WHERE public_id = $1 AND archived_at IS NULL",
        )
    } else {
        sql::query(
            "SELECT id, name, division_id, zone_id, kind FROM units WHERE public_id = $1 AND archived_at IS NULL",
        )
    }
    .bind(input.subject.trim().to_string())
    .fetch_optional(tx.conn())
    .await?;
    let Some(r) = subject_row else {
        return Err(field(
            "subject",
            "请选择申报对象",
            "choose who the application is for",
        ));
    };
    let id: i64 = r.try_get("id")?;
    let name: String = r.try_get("name")?;
    let subject = Subject {
        enterprise_id: t.is_enterprise().then_some(id),
        unit_id: (!t.is_enterprise()).then_some(id),
        division_id: r.try_get("division_id")?,
        zone_id: r.try_get("zone_id")?,
    };
    if !t.is_enterprise() {
        let kind: Option<String> = r.try_get("kind")?;
        let ok = kind
            .as_deref()
            .and_then(UnitKind::parse)
            .is_some_and(|k| unit_kinds(t).contains(&k));
        if !ok {
            return Err(field(
                "subject",
                "该单位不能申报此类示范单位",
                "this unit cannot apply for this type",
            ));
        }
    }
    if !scope.can_apply_for(&subject) {
        // Not revealed: outside the applicant's reach it does not exist for them.
        return Err(field(
            "subject",
            "请选择申报对象",
            "choose who the application is for",
        ));
    }
    let col = if t.is_enterprise() {
        "enterprise_id"
    } else {
        "unit_id"
    };
    let open: i64 = sql::query_scalar(&format!(
        "SELECT COUNT(*) FROM applications WHERE {col} = $1 AND unit_type = $2 AND archived_at IS NULL \
         AND stage IN ('draft','submitted','returned','assessing','publicity','designated','rectifying')"
    ))
    .bind(id)
    .bind(t.as_str())
    .fetch_one(tx.conn())
    .await?;
    if open > 0 {
        return Err(field(
            "subject",
            "该对象已有进行中的申报或已获命名",
            "it already has an open application or holds the title",
        ));
    }
    let version_id: i64 =
        sql::query_scalar("SELECT id FROM programme_versions ORDER BY id DESC LIMIT 1")
            .fetch_one(tx.conn())
            .await?;
    let origin = if scope.is_office() {
        "office"
    } else if subject.enterprise_id.is_some() && scope.enterprises().contains(&id) {
        "enterprise"
    } else if subject
        .unit_id
        .is_some_and(|u| scope.stations().contains(&u))
        || !scope.stations().is_empty()
    {
        "station"
    } else {
        "town"
    };
    let pid = new_public_id();
    let t_now = now();
    let app_id: i64 = sql::query_scalar(
        "INSERT INTO applications (public_id, programme_version_id, unit_type, enterprise_id, unit_id, \
         division_id, zone_id, subject_name, origin, statement, stage, stage_since, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'draft', $11, $12, $11, $11) RETURNING id",
    )
    .bind(pid.clone())
    .bind(version_id)
    .bind(t.as_str())
    .bind(subject.enterprise_id)
    .bind(subject.unit_id)
    .bind(subject.division_id)
    .bind(subject.zone_id)
    .bind(name.clone())
    .bind(origin)
    .bind(input.statement.trim().to_string())
    .bind(t_now)
    .bind(tx.actor().user_id)
    .fetch_one(tx.conn())
    .await?;
    event(tx, app_id, "create", None, Stage::Draft, "", today).await?;
    tx.audit(
        "application.create",
        "application",
        Some(&pid),
        &format!("{}申报：{name}", t.label_zh()),
        None,
        Some(&json!({ "unit_type": t.as_str(), "subject": name, "origin": origin, "stage": "draft" })),
    )
    .await?;
    Ok(pid)
}

async fn event(
    tx: &mut AuditedTx<'_>,
    app_id: i64,
    step: &str,
    from: Option<Stage>,
    to: Stage,
    reasons: &str,
    on: NaiveDate,
) -> Result<()> {
    let actor_name = tx.actor().name.clone();
    let actor_id = tx.actor().user_id;
    sql::query(
        "INSERT INTO application_events (application_id, step, from_stage, to_stage, reasons, on_date, \
         actor_user_id, actor_name, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(app_id)
    .bind(step.to_string())
    .bind(from.map(|s| s.as_str()))
    .bind(to.as_str())
    .bind(reasons.to_string())
    .bind(on.to_string())
    .bind(actor_id)
    .bind(actor_name)
    .bind(now())
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Today in Asia/Shanghai.
pub fn today() -> NaiveDate {
    shoumi_domain::Timestamp::now().local_date()
}

/// What a step carries besides itself.
#[derive(Debug, Clone, Default, serde::Deserialize, Serialize)]
pub struct StepForm {
    #[serde(default)]
    pub step: String,
    #[serde(default)]
    pub reasons: String,
    /// The date the step takes effect (publicity start, designation, revocation), default today.
    #[serde(default)]
    pub date: String,
    /// A designation number chosen by the office (default: the next of the year).
    #[serde(default)]
    pub number: String,
    /// The rectification deadline.
    #[serde(default)]
    pub rectify_by: String,
}

fn parse_date(s: &str, f: &str) -> Result<Option<NaiveDate>> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| field(f, "日期格式应为YYYY-MM-DD", "a date is written YYYY-MM-DD"))
}

/// Takes one step. `today` is passed in so that tests and demo history can fix it.
pub async fn step(
    tx: &mut AuditedTx<'_>,
    scope: &ApplicationScope,
    calendar: &shoumi_domain::calendar::WorkCalendar,
    public_id: &str,
    form: &StepForm,
    today: NaiveDate,
) -> Result<Stage> {
    let Some(step) = Step::parse(&form.step) else {
        return Err(field("step", "未知的操作", "unknown step"));
    };
    let app = get(tx.conn(), scope, public_id).await?;
    let subject = app.subject();
    let allowed = match step.by() {
        StepBy::Applicant => applicant_side(scope, &app),
        StepBy::FirstReviewer => scope.can_first_review(&subject),
        StepBy::Office => scope.is_office(),
    };
    if !allowed {
        return Err(StorageError::refused(
            format!("您无权对此申请执行“{}”", step.label_zh()),
            format!(
                "you may not take the step \"{}\" on this application",
                step.label_en()
            ),
        ));
    }
    let to = app.stage.next(step)?;
    let reasons = form.reasons.trim();
    if step.needs_reasons() && reasons.is_empty() {
        return Err(field("reasons", "请填写理由", "give the reasons"));
    }
    if reasons.chars().count() > 2000 {
        return Err(StorageError::Invalid(FieldErrors {
            errors: vec![FieldError::too_long("reasons", 2000)],
            warnings: vec![],
        }));
    }
    let date = parse_date(&form.date, "date")?;
    let on = date.unwrap_or(today);
    // A step cannot be dated before the step that led here: publicity cannot be backdated to
    // before the assessment, nor a designation to before the publicity.
    let previous: Option<String> = sql::query_scalar(
        "SELECT on_date FROM application_events WHERE application_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(app.id)
    .fetch_optional(tx.conn())
    .await?;
    if let Some(prev) = previous
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        && on < prev
    {
        return Err(field(
            "date",
            &format!("日期不能早于上一步骤的日期{prev}"),
            &format!("the date cannot be before the previous step's date, {prev}"),
        ));
    }
    if on > today {
        return Err(field(
            "date",
            "日期不能晚于今天",
            "the date cannot be in the future",
        ));
    }
    let version = crate::programme::by_id_tx(tx, app.programme_version_id).await?;
    let rules = version.spec.rules(app.unit_type).cloned().ok_or_else(|| {
        StorageError::Integrity(format!("programme has no rules for {}", app.unit_type))
    })?;
    // Columns this step sets, besides the stage.
    let mut sets: Vec<(&str, Option<String>)> = Vec::new();
    let mut score: Option<Tenths> = None;
    match step {
        Step::Submit => sets.push(("submitted_on", Some(on.to_string()))),
        Step::OpenPublicity | Step::FailAssessment => {
            let (sheets, names) = sheets_of(tx, app.id).await?;
            let leaves = version.spec.leaves(app.unit_type);
            let c = programme::combine(&leaves, &sheets, rules.pass_mark).map_err(|e| {
                let (zh, en) = e.split_once(" / ").unwrap_or((&e, &e));
                StorageError::refused(zh, en)
            })?;
            let _ = names;
            if step == Step::OpenPublicity && !c.passed {
                return Err(StorageError::refused(
                    format!(
                        "综合得分{}分，低于合格线{}分，不能公示",
                        programme::show_tenths(c.score),
                        rules.pass_mark
                    ),
                    format!(
                        "the combined score {} is below the pass mark {}: no publicity",
                        programme::show_tenths(c.score),
                        rules.pass_mark
                    ),
                ));
            }
            if step == Step::FailAssessment && c.passed {
                return Err(StorageError::refused(
                    format!(
                        "综合得分{}分，已达合格线{}分",
                        programme::show_tenths(c.score),
                        rules.pass_mark
                    ),
                    format!(
                        "the combined score {} reaches the pass mark {}",
                        programme::show_tenths(c.score),
                        rules.pass_mark
                    ),
                ));
            }
            score = Some(c.score);
            if step == Step::OpenPublicity {
                let end = demonstration::publicity_end(calendar, on, rules.publicity_working_days);
                sets.push(("publicity_start", Some(on.to_string())));
                sets.push(("publicity_end", Some(end.value.to_string())));
                sets.push((
                    "publicity_uncertain",
                    Some(if end.uncertain() { "1" } else { "0" }.into()),
                ));
            }
        }
        Step::Designate | Step::FailPublicity => {
            let mut p = publicity_state(tx, &app).await?;
            // The end by the calendar in force now: a year's notice imported since the publicity
            // opened settles an end that was assumed then.
            if let Some(start) = app
                .publicity_start
                .as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            {
                let end =
                    demonstration::publicity_end(calendar, start, rules.publicity_working_days);
                p.end = end.value;
                p.end_uncertain = end.uncertain();
            }
            if step == Step::Designate {
                if p.end_uncertain {
                    return Err(StorageError::refused(
                        format!(
                            "公示期跨入尚无节假日安排的年份，结束日期{}只是推定；请先导入该年度节假日安排",
                            p.end
                        ),
                        format!(
                            "the publicity runs into a year without a holiday notice, so its end {} is only assumed; import that year's calendar first",
                            p.end
                        ),
                    ));
                }
                check_designation(&p, on)?;
                let number = if form.number.trim().is_empty() {
                    next_number(tx, &rules.number_prefix, app.unit_type, on).await?
                } else {
                    let n = form.number.trim().to_string();
                    if n.chars().count() > 60 {
                        return Err(StorageError::Invalid(FieldErrors {
                            errors: vec![FieldError::too_long("number", 60)],
                            warnings: vec![],
                        }));
                    }
                    n
                };
                sets.push(("designation_number", Some(number)));
                sets.push(("designated_on", Some(on.to_string())));
                sets.push((
                    "valid_until",
                    Some(demonstration::valid_until(on, rules.validity_years).to_string()),
                ));
            } else {
                check_fail_publicity(&p)?;
            }
        }
        Step::Keep => sets.push(("rectify_by", None)),
        Step::Rectify => {
            let Some(by) = parse_date(&form.rectify_by, "rectify_by")? else {
                return Err(field(
                    "rectify_by",
                    "请填写整改期限",
                    "give the rectification deadline",
                ));
            };
            if by <= today {
                return Err(field(
                    "rectify_by",
                    "整改期限应晚于今天",
                    "the deadline must be after today",
                ));
            }
            sets.push(("rectify_by", Some(by.to_string())));
        }
        Step::Revoke => sets.push(("ended_on", Some(on.to_string()))),
        Step::Expire => {
            let until = app
                .valid_until
                .as_deref()
                .and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok());
            match until {
                Some(u) if u < today => {
                    sets.push(("ended_on", u.succ_opt().map(|d| d.to_string())));
                }
                _ => {
                    return Err(StorageError::refused(
                        format!(
                            "命名有效期至{}，尚未到期",
                            app.valid_until.clone().unwrap_or_default()
                        ),
                        format!(
                            "the designation is valid until {}: not yet expired",
                            app.valid_until.clone().unwrap_or_default()
                        ),
                    ));
                }
            }
        }
        Step::Withdraw | Step::Recommend | Step::Return | Step::Reject => {}
    }
    let t = now();
    let mut set_sql = vec![
        "stage = $1".to_string(),
        "stage_since = $2".into(),
        "updated_at = $2".into(),
    ];
    let mut args = sql::Args::default();
    args.add(to.as_str());
    args.add(t);
    let mut n = 2;
    for (col, v) in &sets {
        n += 1;
        if *col == "publicity_uncertain" {
            set_sql.push(format!("{col} = ${n}"));
            args.add(
                v.as_deref()
                    .map(|x| x.parse::<i64>().unwrap_or(0))
                    .unwrap_or(0),
            );
        } else {
            set_sql.push(format!("{col} = ${n}"));
            args.add(v.clone());
        }
    }
    if let Some(s) = score {
        n += 1;
        set_sql.push(format!("score = ${n}"));
        args.add(s);
    }
    args.add(app.id);
    args.add(app.stage.as_str());
    let done = sql::query_with(
        &format!(
            "UPDATE applications SET {} WHERE id = ${} AND stage = ${}",
            set_sql.join(", "),
            n + 1,
            n + 2
        ),
        args,
    )
    .execute(tx.conn())
    .await
    .map_err(|e| match e {
        StorageError::Duplicate { .. } => field(
            "number",
            "该命名编号已被使用",
            "that designation number is already in use",
        ),
        other => other,
    })?;
    if done.rows_affected() != 1 {
        return Err(StorageError::refused(
            "申请已被他人处理，请刷新后重试",
            "the application was changed meanwhile; reload and try again",
        ));
    }
    event(tx, app.id, step.as_str(), Some(app.stage), to, reasons, on).await?;
    let mut after = serde_json::Map::new();
    after.insert("stage".into(), json!(to.as_str()));
    for (col, v) in &sets {
        after.insert((*col).into(), json!(v));
    }
    if let Some(s) = score {
        after.insert("score".into(), json!(programme::show_tenths(s)));
    }
    if !reasons.is_empty() {
        after.insert("reasons".into(), json!(reasons));
    }
    tx.audit(
        &format!("application.{}", step.as_str()),
        "application",
        Some(&app.public_id),
        &format!(
            "{}：{}（{} → {}）",
            app.subject_name,
            step.label_zh(),
            app.stage.label_zh(),
            to.label_zh()
        ),
        Some(&json!({ "stage": app.stage.as_str() })),
        Some(&serde_json::Value::Object(after)),
    )
    .await?;
    notify_step(tx, &app, step, to, reasons).await?;
    Ok(to)
}

/// Who may take the applicant's steps (submit, withdraw): the office; for an enterprise's own
/// application only its administrators; for a nomination the side that may nominate it (the
/// town or zone, or a station for its area or itself) — not the enterprise it nominates.
fn applicant_side(scope: &ApplicationScope, app: &Application) -> bool {
    if scope.is_office() {
        return true;
    }
    let subject = app.subject();
    let own_admin = subject.enterprise_id.is_some_and(|e| {
        scope.can_apply_for(&Subject {
            enterprise_id: Some(e),
            unit_id: None,
            division_id: None,
            zone_id: None,
        })
    });
    if app.origin == "enterprise" {
        own_admin
    } else {
        scope.can_apply_for(&subject) && !own_admin
    }
}

/// Who hears of a step: the first reviewers when an application arrives, the office when one
/// is recommended, the applicant side (who made it, the enterprise's administrators, the
/// station's staff) of every decision.
async fn notify_step(
    tx: &mut AuditedTx<'_>,
    app: &Application,
    step: Step,
    to: Stage,
    reasons: &str,
) -> Result<()> {
    use crate::notify::{self, Kind, Message};
    let mut people = match step {
        Step::Submit => notify::area_officers(tx, app.division_id, app.zone_id).await?,
        Step::Recommend => notify::office_users(tx).await?,
        Step::Withdraw => vec![],
        _ => {
            let mut p = Vec::new();
            let creator: Option<i64> =
                sql::query_scalar("SELECT created_by FROM applications WHERE id = $1")
                    .bind(app.id)
                    .fetch_one(tx.conn())
                    .await?;
            p.extend(creator);
            if let Some(e) = app.enterprise_id {
                p.extend(notify::enterprise_admins(tx, e).await?);
            }
            if let Some(u) = app.unit_id {
                p.extend(notify::station_staff(tx, u).await?);
            }
            p
        }
    };
    if let Some(me) = tx.actor().user_id {
        people.retain(|u| *u != me);
    }
    notify::send(
        tx,
        &people,
        &Message {
            kind: Kind::Application,
            title: &format!(
                "{}（{}）：{} → {}",
                app.subject_name,
                app.unit_type.label_zh(),
                step.label_zh(),
                to.label_zh()
            ),
            body: reasons,
            link: &format!("/demonstration/{}", app.public_id),
            dedupe_key: None,
        },
    )
    .await?;
    Ok(())
}

async fn next_number(
    tx: &mut AuditedTx<'_>,
    prefix: &str,
    t: DemoType,
    on: NaiveDate,
) -> Result<String> {
    use chrono::Datelike;
    let year = on.year();
    let n: i64 = sql::query_scalar(
        "SELECT COUNT(*) FROM applications WHERE unit_type = $1 AND designated_on >= $2 AND designated_on <= $3",
    )
    .bind(t.as_str())
    .bind(format!("{year}-01-01"))
    .bind(format!("{year}-12-31"))
    .fetch_one(tx.conn())
    .await?;
    // Numbers chosen by hand may already hold the next one: take the first free.
    let mut k = n + 1;
    loop {
        let number = demonstration::document_number(prefix, year, k);
        let used: i64 =
            sql::query_scalar("SELECT COUNT(*) FROM applications WHERE designation_number = $1")
                .bind(number.clone())
                .fetch_one(tx.conn())
                .await?;
        if used == 0 {
            return Ok(number);
        }
        k += 1;
    }
}

async fn publicity_state(tx: &mut AuditedTx<'_>, app: &Application) -> Result<PublicityState> {
    let end = app
        .publicity_end
        .as_deref()
        .and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok())
        .ok_or_else(|| StorageError::Integrity("publicity without an end date".into()))?;
    let rows = sql::query(
        "SELECT resolution, COUNT(*) AS n FROM application_objections WHERE application_id = $1 GROUP BY resolution",
    )
    .bind(app.id)
    .fetch_all(tx.conn())
    .await?;
    let mut p = PublicityState {
        end,
        end_uncertain: app.publicity_uncertain,
        open_objections: 0,
        upheld_objections: 0,
    };
    for r in rows {
        let res: String = r.try_get("resolution")?;
        let n: i64 = r.try_get("n")?;
        match res.as_str() {
            "open" => p.open_objections = n as u32,
            "upheld" => p.upheld_objections = n as u32,
            _ => {}
        }
    }
    Ok(p)
}

/// Each assessor's sheet and name, in assignment order.
async fn sheets_of(tx: &mut AuditedTx<'_>, app_id: i64) -> Result<(Vec<Sheet>, Vec<String>)> {
    let assessors = sql::query(
        "SELECT aa.user_id, u.display_name FROM application_assessors aa JOIN users u ON u.id = aa.user_id \
         WHERE aa.application_id = $1 ORDER BY aa.id",
    )
    .bind(app_id)
    .fetch_all(tx.conn())
    .await?;
    let scores = sql::query(
        "SELECT assessor_user_id, indicator_key, score FROM application_scores WHERE application_id = $1",
    )
    .bind(app_id)
    .fetch_all(tx.conn())
    .await?;
    let mut sheets = Vec::new();
    let mut names = Vec::new();
    for a in &assessors {
        let uid: i64 = a.try_get("user_id")?;
        let mut s = Sheet::new();
        for r in &scores {
            if r.try_get::<i64>("assessor_user_id")? == uid {
                s.insert(r.try_get("indicator_key")?, r.try_get("score")?);
            }
        }
        sheets.push(s);
        names.push(a.try_get("display_name")?);
    }
    Ok((sheets, names))
}

/// One step of the history.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub step: String,
    pub from_stage: Option<Stage>,
    pub to_stage: Stage,
    pub reasons: String,
    pub on_date: String,
    pub actor_name: String,
    pub at: i64,
}

impl Event {
    pub fn step_label(&self, en: bool) -> &str {
        match Step::parse(&self.step) {
            Some(s) => s.label(en),
            None if en => "created",
            None => "创建",
        }
    }
}

pub async fn events(db: &Db, app: &Application) -> Result<Vec<Event>> {
    let rows = sql::query(
        "SELECT step, from_stage, to_stage, reasons, on_date, actor_name, at FROM application_events \
         WHERE application_id = $1 ORDER BY id",
    )
    .bind(app.id)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            let from: Option<String> = r.try_get("from_stage")?;
            let to: String = r.try_get("to_stage")?;
            Ok(Event {
                step: r.try_get("step")?,
                from_stage: from.as_deref().and_then(Stage::parse),
                to_stage: Stage::parse(&to)
                    .ok_or_else(|| StorageError::Decode(format!("stage {to}")))?,
                reasons: r.try_get("reasons")?,
                on_date: r.try_get("on_date")?,
                actor_name: r.try_get("actor_name")?,
                at: r.try_get("at")?,
            })
        })
        .collect()
}

/// Recent steps across the applications the scope may read (the dashboard's activity).
#[derive(Debug, Clone, Serialize)]
pub struct Activity {
    pub application_public_id: String,
    pub subject_name: String,
    pub unit_type: DemoType,
    pub event: Event,
}

pub async fn recent_events(db: &Db, scope: &ApplicationScope, limit: i64) -> Result<Vec<Activity>> {
    let rows = sql::query(&format!(
        "SELECT a.public_id, a.subject_name, a.unit_type, ev.step, ev.from_stage, ev.to_stage, ev.reasons, \
         ev.on_date, ev.actor_name, ev.at FROM application_events ev JOIN applications a ON a.id = ev.application_id \
         WHERE $1 = $1 AND {} ORDER BY ev.at DESC, ev.id DESC LIMIT {limit}",
        scope_sql(scope)
    ))
    .bind(scope.user_id())
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            let from: Option<String> = r.try_get("from_stage")?;
            let to: String = r.try_get("to_stage")?;
            let t: String = r.try_get("unit_type")?;
            Ok(Activity {
                application_public_id: r.try_get("public_id")?,
                subject_name: r.try_get("subject_name")?,
                unit_type: DemoType::parse(&t)
                    .ok_or_else(|| StorageError::Decode(format!("unit type {t}")))?,
                event: Event {
                    step: r.try_get("step")?,
                    from_stage: from.as_deref().and_then(Stage::parse),
                    to_stage: Stage::parse(&to)
                        .ok_or_else(|| StorageError::Decode(format!("stage {to}")))?,
                    reasons: r.try_get("reasons")?,
                    on_date: r.try_get("on_date")?,
                    actor_name: r.try_get("actor_name")?,
                    at: r.try_get("at")?,
                },
            })
        })
        .collect()
}

/// Applications per (type, stage), for the pipeline.
pub async fn pipeline(db: &Db) -> Result<Vec<(DemoType, Stage, i64)>> {
    let rows = sql::query(
        "SELECT unit_type, stage, COUNT(*) AS n FROM applications WHERE archived_at IS NULL GROUP BY unit_type, stage",
    )
    .fetch_all(db)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let t: String = r.try_get("unit_type")?;
        let s: String = r.try_get("stage")?;
        if let (Some(t), Some(s)) = (DemoType::parse(&t), Stage::parse(&s)) {
            out.push((t, s, r.try_get("n")?));
        }
    }
    Ok(out)
}

/// Designations whose validity ended before `today` move to "expired" (by the system, with
/// history and audit like any step). Returns how many.
pub async fn expire_due(
    db: &Db,
    calendar: &shoumi_domain::calendar::WorkCalendar,
    today: NaiveDate,
) -> Result<usize> {
    let due: Vec<String> = sql::query(
        "SELECT public_id FROM applications WHERE stage IN ('designated', 'rectifying') \
         AND valid_until IS NOT NULL AND valid_until < $1 AND archived_at IS NULL",
    )
    .bind(today.to_string())
    .fetch_all(db)
    .await?
    .iter()
    .map(|r| r.try_get("public_id"))
    .collect::<Result<_>>()?;
    let office = shoumi_domain::Principal::acting(
        0,
        "system",
        &[(Role::Office, shoumi_domain::Scope::County)],
    )
    .application_scope();
    let actor = crate::Actor::system("expiry");
    let mut n = 0;
    for pid in &due {
        let mut tx = db.begin(&actor).await?;
        let r = step(
            &mut tx,
            &office,
            calendar,
            pid,
            &StepForm {
                step: Step::Expire.as_str().into(),
                reasons: "命名有效期届满".into(),
                ..Default::default()
            },
            today,
        )
        .await;
        match r {
            Ok(_) => {
                tx.commit().await?;
                n += 1;
            }
            // Moved meanwhile (revoked, reviewed): the others still expire.
            Err(e) => tracing::warn!(application = %pid, error = %e, "designation not expired"),
        }
    }
    Ok(n)
}

/// Units holding a title on `on` (designations are public acts: no scope), by type and number.
pub async fn holding_title_on(db: &Db, on: NaiveDate) -> Result<Vec<Application>> {
    let rows = sql::query(&format!(
        "{SELECT} WHERE a.designated_on IS NOT NULL AND a.designated_on <= $2          AND (a.ended_on IS NULL OR a.ended_on > $2) AND (a.valid_until IS NULL OR a.valid_until >= $2)          AND a.archived_at IS NULL ORDER BY a.unit_type, a.designated_on, a.designation_number"
    ))
    .bind(0_i64)
    .bind(on.to_string())
    .fetch_all(db)
    .await?;
    rows.iter().map(decode).collect()
}

// ---------------------------------------------------------------------------------------------
// Assessors and scores

/// An assessor of an application with their progress.
#[derive(Debug, Clone, Serialize)]
pub struct Assessor {
    pub display_name: String,
    pub username: String,
    pub scored: i64,
    pub total: Option<Tenths>,
}

impl Assessor {
    pub fn total_text(&self) -> String {
        self.total.map(programme::show_tenths).unwrap_or_default()
    }
}

pub async fn assessors(db: &Db, app: &Application) -> Result<Vec<Assessor>> {
    let rows = sql::query(
        "SELECT u.display_name, u.username, \
         (SELECT COUNT(*) FROM application_scores s WHERE s.application_id = aa.application_id AND s.assessor_user_id = aa.user_id) AS scored, \
         (SELECT CAST(SUM(s.score) AS BIGINT) FROM application_scores s WHERE s.application_id = aa.application_id AND s.assessor_user_id = aa.user_id) AS total \
         FROM application_assessors aa JOIN users u ON u.id = aa.user_id WHERE aa.application_id = $1 ORDER BY aa.id",
    )
    .bind(app.id)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Assessor {
                display_name: r.try_get("display_name")?,
                username: r.try_get("username")?,
                scored: r.try_get("scored")?,
                total: r.try_get("total")?,
            })
        })
        .collect()
}

/// People who may be assigned as assessors: experts and the office.
pub async fn assessor_candidates(db: &Db) -> Result<Vec<(String, String)>> {
    let rows = sql::query(
        "SELECT DISTINCT u.username, u.display_name FROM users u JOIN grants g ON g.user_id = u.id \
         WHERE g.revoked_at IS NULL AND u.disabled = 0 AND g.role IN ($1, $2) ORDER BY u.username",
    )
    .bind(Role::Expert.as_str())
    .bind(Role::Office.as_str())
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("username")?, r.try_get("display_name")?)))
        .collect()
}

/// Assigns an assessor (the office, while the application is under assessment).
pub async fn assign(
    tx: &mut AuditedTx<'_>,
    scope: &ApplicationScope,
    public_id: &str,
    username: &str,
) -> Result<()> {
    let app = get(tx.conn(), scope, public_id).await?;
    if !scope.is_office() {
        return Err(StorageError::refused(
            "只有专班办公室可以指派评审专家",
            "only the programme office assigns assessors",
        ));
    }
    if app.stage != Stage::Assessing {
        return Err(StorageError::refused(
            format!("申请处于“{}”阶段，不能指派评审专家", app.stage.label_zh()),
            format!(
                "an application that is {} takes no assessors",
                app.stage.label_en()
            ),
        ));
    }
    let user = sql::query(
        "SELECT DISTINCT u.id, u.display_name FROM users u JOIN grants g ON g.user_id = u.id \
         WHERE u.username = $1 AND g.revoked_at IS NULL AND u.disabled = 0 AND g.role IN ($2, $3)",
    )
    .bind(username.trim().to_string())
    .bind(Role::Expert.as_str())
    .bind(Role::Office.as_str())
    .fetch_optional(tx.conn())
    .await?;
    let Some(user) = user else {
        return Err(field(
            "assessor",
            "请选择专家或专班办公室人员",
            "choose an expert or a programme office member",
        ));
    };
    let uid: i64 = user.try_get("id")?;
    let name: String = user.try_get("display_name")?;
    sql::query(
        "INSERT INTO application_assessors (application_id, user_id, assigned_by, assigned_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(app.id)
    .bind(uid)
    .bind(tx.actor().user_id)
    .bind(now())
    .execute(tx.conn())
    .await
    .map_err(|e| match e {
        StorageError::Duplicate { .. } => field(
            "assessor",
            "已指派过该专家",
            "already assigned",
        ),
        other => other,
    })?;
    tx.audit(
        "application.assign",
        "application",
        Some(&app.public_id),
        &format!("{}：指派评审专家 {name}", app.subject_name),
        None,
        Some(&json!({ "assessor": username })),
    )
    .await?;
    crate::notify::send(
        tx,
        &[uid],
        &crate::notify::Message {
            kind: crate::notify::Kind::Assigned,
            title: &format!(
                "请评审：{}（{}）",
                app.subject_name,
                app.unit_type.label_zh()
            ),
            body: "",
            link: &format!("/demonstration/{}/score", app.public_id),
            dedupe_key: None,
        },
    )
    .await?;
    Ok(())
}

/// One leaf of the sheet as the assessor sees it.
#[derive(Debug, Clone, Serialize)]
pub struct SheetRow {
    pub key: String,
    pub criterion: String,
    pub name: String,
    pub points: u32,
    pub guidance: String,
    pub score: String,
    pub comment: String,
}

/// The reader's own sheet for an application (they must be assigned).
pub async fn my_sheet(
    db: &Db,
    scope: &ApplicationScope,
    app: &Application,
    en: bool,
) -> Result<Vec<SheetRow>> {
    let version = crate::programme::by_id(db, app.programme_version_id).await?;
    let rows = sql::query(
        "SELECT indicator_key, score, comment FROM application_scores WHERE application_id = $1 AND assessor_user_id = $2",
    )
    .bind(app.id)
    .bind(scope.user_id())
    .fetch_all(db)
    .await?;
    let mut have = std::collections::HashMap::new();
    for r in rows {
        let k: String = r.try_get("indicator_key")?;
        let s: i64 = r.try_get("score")?;
        let c: String = r.try_get("comment")?;
        have.insert(k, (s, c));
    }
    Ok(version
        .spec
        .leaves(app.unit_type)
        .iter()
        .map(|l| {
            let (s, c) = have
                .get(&l.indicator.key)
                .map(|(s, c)| (programme::show_tenths(*s), c.clone()))
                .unwrap_or_default();
            let pick = |zh: &str, en_: &str| {
                if en && !en_.is_empty() {
                    en_.to_string()
                } else {
                    zh.to_string()
                }
            };
            SheetRow {
                key: l.indicator.key.clone(),
                criterion: pick(&l.criterion.name, &l.criterion.name_en),
                name: pick(&l.indicator.name, &l.indicator.name_en),
                points: l.indicator.points,
                guidance: l.indicator.guidance.clone(),
                score: s,
                comment: c,
            }
        })
        .collect())
}

/// Saves an assessor's scores: every leaf named in `entries` is parsed (0 to its points, one
/// decimal); any bad one refuses the whole sheet, naming each bad field `score.<key>`.
pub async fn save_scores(
    tx: &mut AuditedTx<'_>,
    scope: &ApplicationScope,
    public_id: &str,
    entries: &[(String, String, String)],
) -> Result<()> {
    let app = get(tx.conn(), scope, public_id).await?;
    if !app.assigned {
        return Err(StorageError::refused(
            "您不是此申请的评审专家",
            "you are not an assessor of this application",
        ));
    }
    if app.stage != Stage::Assessing {
        return Err(StorageError::refused(
            format!("申请处于“{}”阶段，不能打分", app.stage.label_zh()),
            format!(
                "an application that is {} cannot be scored",
                app.stage.label_en()
            ),
        ));
    }
    let version = crate::programme::by_id_tx(tx, app.programme_version_id).await?;
    let leaves = version.spec.leaves(app.unit_type);
    let mut errors = FieldErrors::default();
    let mut parsed = Vec::new();
    for (key, text, comment) in entries {
        let Some(leaf) = leaves.iter().find(|l| &l.indicator.key == key) else {
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
        match programme::parse_score(text, leaf.indicator.points) {
            Ok(v) => parsed.push((key.clone(), v, comment.trim().to_string())),
            Err(m) => {
                let (zh, en) = m.split_once(" / ").unwrap_or((&m, &m));
                errors
                    .errors
                    .push(FieldError::new(format!("score.{key}"), "invalid", zh, en));
            }
        }
        if comment.chars().count() > 1000 {
            errors
                .errors
                .push(FieldError::too_long(&format!("comment.{key}"), 1000));
        }
    }
    if !errors.is_empty() {
        return Err(StorageError::Invalid(errors));
    }
    let uid = scope.user_id();
    let before = sql::query(
        "SELECT indicator_key, score, comment FROM application_scores WHERE application_id = $1 AND assessor_user_id = $2",
    )
    .bind(app.id)
    .bind(uid)
    .fetch_all(tx.conn())
    .await?;
    let mut before_map = serde_json::Map::new();
    for r in before {
        let k: String = r.try_get("indicator_key")?;
        let v: i64 = r.try_get("score")?;
        let c: String = r.try_get("comment")?;
        before_map.insert(k, json!({"score": programme::show_tenths(v), "comment": c}));
    }
    let t = now();
    let mut after_map = before_map.clone();
    for (key, v, comment) in &parsed {
        sql::query(
            "INSERT INTO application_scores (application_id, assessor_user_id, indicator_key, score, comment, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (application_id, assessor_user_id, indicator_key) \
             DO UPDATE SET score = $4, comment = $5, updated_at = $6",
        )
        .bind(app.id)
        .bind(uid)
        .bind(key.clone())
        .bind(*v)
        .bind(comment.clone())
        .bind(t)
        .execute(tx.conn())
        .await?;
        after_map.insert(
            key.clone(),
            json!({"score": programme::show_tenths(*v), "comment": comment}),
        );
    }
    if before_map == after_map {
        return Ok(());
    }
    tx.audit(
        "application.score",
        "application",
        Some(&app.public_id),
        &format!("{}：评审打分（{}项）", app.subject_name, parsed.len()),
        Some(&serde_json::Value::Object(before_map)),
        Some(&serde_json::Value::Object(after_map)),
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Objections during publicity

#[derive(Debug, Clone, Serialize)]
pub struct Objection {
    pub public_id: String,
    pub received_on: String,
    pub objector: String,
    pub content: String,
    pub resolution: String,
    pub resolution_reasons: String,
}

impl Objection {
    pub fn resolution_label(&self, en: bool) -> &'static str {
        match (self.resolution.as_str(), en) {
            ("upheld", false) => "异议成立",
            ("upheld", true) => "upheld",
            ("dismissed", false) => "异议不成立",
            ("dismissed", true) => "dismissed",
            (_, false) => "待处理",
            (_, true) => "open",
        }
    }
}

pub async fn objections(db: &Db, app: &Application) -> Result<Vec<Objection>> {
    let rows = sql::query(
        "SELECT public_id, received_on, objector, content, resolution, resolution_reasons \
         FROM application_objections WHERE application_id = $1 ORDER BY id",
    )
    .bind(app.id)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Objection {
                public_id: r.try_get("public_id")?,
                received_on: r.try_get("received_on")?,
                objector: r.try_get("objector")?,
                content: r.try_get("content")?,
                resolution: r.try_get("resolution")?,
                resolution_reasons: r.try_get("resolution_reasons")?,
            })
        })
        .collect()
}

#[derive(Debug, Clone, Default, serde::Deserialize, Serialize)]
pub struct ObjectionForm {
    #[serde(default)]
    pub received_on: String,
    #[serde(default)]
    pub objector: String,
    #[serde(default)]
    pub content: String,
}

/// Records an objection received during publicity (the office).
pub async fn add_objection(
    tx: &mut AuditedTx<'_>,
    scope: &ApplicationScope,
    public_id: &str,
    form: &ObjectionForm,
    today: NaiveDate,
) -> Result<String> {
    let app = get(tx.conn(), scope, public_id).await?;
    if !scope.is_office() {
        return Err(StorageError::refused(
            "只有专班办公室可以登记异议",
            "only the programme office records objections",
        ));
    }
    if app.stage != Stage::Publicity {
        return Err(StorageError::refused(
            "只有公示中的申请可以登记异议",
            "objections are recorded during publicity only",
        ));
    }
    let received = parse_date(&form.received_on, "received_on")?.unwrap_or(today);
    let start = app
        .publicity_start
        .as_deref()
        .and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok());
    let end = app
        .publicity_end
        .as_deref()
        .and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok());
    if start.is_some_and(|s| received < s) || end.is_some_and(|e| received > e) || received > today
    {
        return Err(field(
            "received_on",
            "收到日期应在公示期内",
            "the date received must lie within the publicity",
        ));
    }
    let content = form.content.trim();
    let mut errors = FieldErrors::default();
    if content.is_empty() {
        errors.errors.push(FieldError::required("content"));
    } else if content.chars().count() > 5000 {
        errors.errors.push(FieldError::too_long("content", 5000));
    }
    if form.objector.chars().count() > 100 {
        errors.errors.push(FieldError::too_long("objector", 100));
    }
    if !errors.is_empty() {
        return Err(StorageError::Invalid(errors));
    }
    let pid = new_public_id();
    sql::query(
        "INSERT INTO application_objections (public_id, application_id, received_on, objector, content, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(pid.clone())
    .bind(app.id)
    .bind(received.to_string())
    .bind(form.objector.trim().to_string())
    .bind(content.to_string())
    .bind(tx.actor().user_id)
    .bind(now())
    .execute(tx.conn())
    .await?;
    tx.audit(
        "application.objection",
        "application",
        Some(&app.public_id),
        &format!("{}：登记公示异议", app.subject_name),
        None,
        Some(&json!({ "objection": pid, "received_on": received.to_string(), "content": content })),
    )
    .await?;
    Ok(pid)
}

/// Resolves an open objection as upheld or dismissed, with reasons (the office).
pub async fn resolve_objection(
    tx: &mut AuditedTx<'_>,
    scope: &ApplicationScope,
    public_id: &str,
    objection_id: &str,
    upheld: bool,
    reasons: &str,
) -> Result<()> {
    let app = get(tx.conn(), scope, public_id).await?;
    if !scope.is_office() {
        return Err(StorageError::refused(
            "只有专班办公室可以处理异议",
            "only the programme office resolves objections",
        ));
    }
    if reasons.trim().is_empty() {
        return Err(field("reasons", "请填写处理理由", "give the reasons"));
    }
    let resolution = if upheld { "upheld" } else { "dismissed" };
    let done = sql::query(
        "UPDATE application_objections SET resolution = $1, resolution_reasons = $2, resolved_by = $3, resolved_at = $4 \
         WHERE public_id = $5 AND application_id = $6 AND resolution = 'open'",
    )
    .bind(resolution)
    .bind(reasons.trim().to_string())
    .bind(tx.actor().user_id)
    .bind(now())
    .bind(objection_id.to_string())
    .bind(app.id)
    .execute(tx.conn())
    .await?;
    if done.rows_affected() != 1 {
        return Err(StorageError::refused(
            "该异议不存在或已处理",
            "no such open objection",
        ));
    }
    tx.audit(
        "application.objection_resolved",
        "application",
        Some(&app.public_id),
        &format!("{}：异议处理（{}）", app.subject_name, if upheld { "成立" } else { "不成立" }),
        Some(&json!({ "objection": objection_id, "resolution": "open" })),
        Some(&json!({ "objection": objection_id, "resolution": resolution, "reasons": reasons.trim() })),
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Evidence files

#[derive(Debug, Clone, Serialize)]
pub struct FileMeta {
    pub public_id: String,
    pub purpose: String,
    pub name: String,
    pub kind: String,
    pub size: i64,
    pub sha256: String,
    pub sm3: String,
    pub uploaded_by: Option<String>,
    pub uploaded_at: i64,
}

impl FileMeta {
    pub fn media_type(&self) -> &'static str {
        shoumi_domain::files::FileKind::parse(&self.kind)
            .map(|k| k.media_type())
            .unwrap_or("application/octet-stream")
    }
}

/// A file's description (never its bytes), with whoever uploaded it; `f` and `u` in the FROM.
pub(crate) const FILE_COLUMNS: &str = "f.public_id, f.purpose, f.name, f.kind, f.size, f.sha256, f.sm3, \
     u.display_name AS uploaded_by, f.uploaded_at";

pub(crate) fn file_meta_row(r: &sql::Row) -> Result<FileMeta> {
    Ok(FileMeta {
        public_id: r.try_get("public_id")?,
        purpose: r.try_get("purpose")?,
        name: r.try_get("name")?,
        kind: r.try_get("kind")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        sm3: r.try_get("sm3")?,
        uploaded_by: r.try_get("uploaded_by")?,
        uploaded_at: r.try_get("uploaded_at")?,
    })
}

/// The files of an application the scope may see: the office and the application's assessors
/// see every file; the applicant side and the area see the application's own material, not the
/// assessors' or the office's.
pub async fn files(db: &Db, scope: &ApplicationScope, app: &Application) -> Result<Vec<FileMeta>> {
    let all = files_of(db, "application", app.id).await?;
    Ok(if scope.is_office() || app.assigned {
        all
    } else {
        all.into_iter()
            .filter(|f| f.purpose == "application")
            .collect()
    })
}

/// The files attached to a record (`owner_kind`: application, work_report).
pub async fn files_of(db: &Db, owner_kind: &str, owner_id: i64) -> Result<Vec<FileMeta>> {
    sql::query(&format!(
        "SELECT {FILE_COLUMNS} FROM files f LEFT JOIN users u ON u.id = f.uploaded_by \
         WHERE f.owner_kind = $1 AND f.owner_id = $2 AND f.archived_at IS NULL ORDER BY f.id"
    ))
    .bind(owner_kind.to_string())
    .bind(owner_id)
    .fetch_all(db)
    .await?
    .iter()
    .map(file_meta_row)
    .collect()
}

/// Stores a checked file for a record, hashed, without auditing (the caller audits the change
/// it belongs to).
pub(crate) async fn store_file(
    tx: &mut AuditedTx<'_>,
    owner_kind: &str,
    owner_id: i64,
    purpose: &str,
    file: &CheckedFile,
    bytes: Vec<u8>,
) -> Result<String> {
    let pid = new_public_id();
    sql::query(
        "INSERT INTO files (public_id, owner_kind, owner_id, purpose, name, kind, size, sha256, sm3, content, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(pid.clone())
    .bind(owner_kind.to_string())
    .bind(owner_id)
    .bind(purpose.to_string())
    .bind(file.name.clone())
    .bind(file.kind.as_str())
    .bind(file.size as i64)
    .bind(file.digests.sha256.clone())
    .bind(file.digests.sm3.clone())
    .bind(bytes)
    .bind(tx.actor().user_id)
    .bind(now())
    .execute(tx.conn())
    .await?;
    Ok(pid)
}

/// Attaches a checked file: the applicant side while the application is open to changes
/// (draft, returned, submitted), assessors while assessing, the office at any stage.
pub async fn attach(
    tx: &mut AuditedTx<'_>,
    scope: &ApplicationScope,
    public_id: &str,
    file: &CheckedFile,
    bytes: Vec<u8>,
) -> Result<String> {
    let app = get(tx.conn(), scope, public_id).await?;
    let purpose = if scope.is_office() {
        "office"
    } else if app.assigned && app.stage == Stage::Assessing {
        "assessment"
    } else if scope.can_apply_for(&app.subject())
        && matches!(app.stage, Stage::Draft | Stage::Returned | Stage::Submitted)
    {
        "application"
    } else {
        return Err(StorageError::refused(
            format!("申请处于“{}”阶段，您不能上传材料", app.stage.label_zh()),
            format!(
                "you cannot attach files to an application that is {}",
                app.stage.label_en()
            ),
        ));
    };
    let pid = store_file(tx, "application", app.id, purpose, file, bytes).await?;
    tx.audit(
        "file.attach",
        "application",
        Some(&app.public_id),
        &format!("{}：上传材料 {}", app.subject_name, file.name),
        None,
        Some(&json!({ "file": pid, "name": file.name, "size": file.size, "sha256": file.digests.sha256, "sm3": file.digests.sm3, "purpose": purpose })),
    )
    .await?;
    Ok(pid)
}

/// A file's content, if the scope may read the application it belongs to.
pub async fn file_content(
    db: &Db,
    scope: &ApplicationScope,
    file_id: &str,
) -> Result<(FileMeta, Vec<u8>)> {
    let r = sql::query(&format!(
        "SELECT {FILE_COLUMNS}, f.content FROM files f LEFT JOIN users u ON u.id = f.uploaded_by \
         JOIN applications a ON a.id = f.owner_id AND f.owner_kind = 'application' \
         WHERE f.public_id = $2 AND f.archived_at IS NULL AND $1 = $1 AND {} \
         AND (f.purpose = 'application' OR {} OR EXISTS (SELECT 1 FROM application_assessors aa3 \
              WHERE aa3.application_id = a.id AND aa3.user_id = $1))",
        scope_sql(scope),
        if scope.is_office() { "1=1" } else { "1=0" }
    ))
    .bind(scope.user_id())
    .bind(file_id.to_string())
    .fetch_one(db)
    .await?;
    Ok((file_meta_row(&r)?, r.try_get("content")?))
}
