//! The year-end assessment of responsible units (年度考核): open a year, score each unit against
//! the unit indicators, rank, export, close.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use shoumi_domain::programme::{self, ProgrammeSpec};
use shoumi_domain::{Action, FieldErrors};
use shoumi_storage::StorageError;
use shoumi_storage::assessment::{self as ua, AssessedUnit, Assessment, Ranked};
use shoumi_storage::programme as prog;

use super::{Layout, field_error, render};
use crate::auth::{CsrfForm, Signed};
use crate::error::{AppError, AppResult};
use crate::{AppState, Routes};

pub fn routes(r: Routes) -> Routes {
    r.get("/assessment", list)
        .post("/assessment", create)
        .get("/assessment/{id}", detail)
        .get("/assessment/{id}/export", export)
        .get("/assessment/{id}/units/{unit}", unit_form)
        .post("/assessment/{id}/units/{unit}", save)
        .post("/assessment/{id}/close", close)
}

#[derive(Template)]
#[template(path = "assessments.html")]
struct ListPage {
    l: Layout,
    items: Vec<Assessment>,
    can_manage: bool,
    year: i32,
    errors: FieldErrors,
}

impl ListPage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, self.l.t, f)
    }
}

async fn list_page(state: &AppState, s: &Signed, errors: FieldErrors) -> AppResult<Response> {
    s.can(Action::ReadProgramme)?;
    let has_errors = !errors.is_empty();
    let mut r = render(ListPage {
        l: Layout::new(&s.ctx, s.t().s("assess.title")),
        items: ua::list(&state.db).await?,
        can_manage: s.principal.can(Action::ManageProgramme).is_some(),
        year: shoumi_storage::demonstration::today().year(),
        errors,
    })?;
    if has_errors {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn list(State(state): State<AppState>, s: Signed) -> AppResult<Response> {
    list_page(&state, &s, FieldErrors::default()).await
}

#[derive(serde::Deserialize, Default)]
pub struct YearForm {
    #[serde(default)]
    year: String,
}

pub async fn create(
    State(state): State<AppState>,
    s: Signed,
    CsrfForm(form): CsrfForm<YearForm>,
) -> AppResult<Response> {
    s.can(Action::ManageProgramme)?;
    let stored = state.current_programme().await?;
    let Ok(year) = form.year.trim().parse::<i64>() else {
        return list_page(
            &state,
            &s,
            FieldErrors {
                errors: vec![shoumi_domain::FieldError::new(
                    "year",
                    "invalid",
                    "请填写年份",
                    "give the year",
                )],
                warnings: vec![],
            },
        )
        .await;
    };
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    match ua::create(
        &mut tx,
        &s.principal.work_scope(),
        year,
        stored.version.id,
        &stored.spec,
    )
    .await
    {
        Ok(pid) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/assessment/{pid}")).into_response())
        }
        Err(StorageError::Invalid(errors)) => {
            drop(tx);
            list_page(&state, &s, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn load(state: &AppState, id: &str) -> AppResult<(Assessment, ProgrammeSpec)> {
    let a = ua::get(&state.db, id).await?;
    let spec = prog::by_id(&state.db, a.programme_version_id).await?.spec;
    Ok((a, spec))
}

#[derive(Template)]
#[template(path = "assessment.html")]
struct DetailPage {
    l: Layout,
    a: Assessment,
    ranking: Vec<Ranked>,
    leaves: usize,
    can_manage: bool,
}

pub async fn detail(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
) -> AppResult<Response> {
    s.can(Action::ReadProgramme)?;
    let (a, spec) = load(&state, &id).await?;
    render(DetailPage {
        l: Layout::new(&s.ctx, &format!("{} {}", a.year, s.t().s("assess.title"))),
        ranking: ua::ranking(&state.db, &a, &spec).await?,
        leaves: spec.unit_leaves().len(),
        can_manage: s.principal.can(Action::ManageProgramme).is_some() && !a.closed,
        a,
    })
}

pub async fn export(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
) -> AppResult<Response> {
    s.can(Action::ReadProgramme)?;
    let t = s.t();
    let (a, spec) = load(&state, &id).await?;
    let ranking = ua::ranking(&state.db, &a, &spec).await?;
    let scores = ua::scores(&state.db, &a).await?;
    let leaves = spec.unit_leaves();
    let mut headers = vec![
        t.s("assess.rank"),
        t.s("report.units"),
        t.s("demo.total"),
        t.s("assess.items"),
        t.s("assess.on_time"),
        t.s("assess.overdue"),
        t.s("work.reports"),
        t.s("work.notices"),
    ];
    let names: Vec<String> = leaves
        .iter()
        .map(|l| {
            format!(
                "{}（{}）",
                t.pick(&l.indicator.name, &l.indicator.name_en),
                l.indicator.points
            )
        })
        .collect();
    headers.extend(names.iter().map(|s| s.as_str()));
    let rows: Vec<Vec<String>> = ranking
        .iter()
        .map(|r| {
            let mut row = vec![
                r.rank.map(|x| x.to_string()).unwrap_or_default(),
                r.unit.name.clone(),
                r.total_text(),
                r.record.items.to_string(),
                r.record.done_on_time.to_string(),
                r.record.overdue.to_string(),
                r.record.reports.to_string(),
                r.record.notices.to_string(),
            ];
            for l in &leaves {
                row.push(
                    scores
                        .get(&(r.unit.id, l.indicator.key.clone()))
                        .map(|(v, _)| programme::show_tenths(*v))
                        .unwrap_or_default(),
                );
            }
            row
        })
        .collect();
    Ok(super::enterprises::download(
        shoumi_exchange::export_table_xlsx(
            &format!("{} {}", a.year, t.s("assess.title")),
            &headers,
            &rows,
        ),
        "assessment",
        shoumi_exchange::Format::Xlsx,
    ))
}

pub struct SheetRow {
    pub key: String,
    pub criterion: String,
    pub name: String,
    pub points: u32,
    pub guidance: String,
    pub score: String,
    pub comment: String,
}

#[derive(Template)]
#[template(path = "assessment_unit.html")]
struct UnitPage {
    l: Layout,
    a: Assessment,
    unit: AssessedUnit,
    rows: Vec<SheetRow>,
    errors: FieldErrors,
    editable: bool,
}

impl UnitPage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, self.l.t, f)
    }
}

async fn unit_page(
    state: &AppState,
    s: &Signed,
    id: &str,
    unit_pid: &str,
    submitted: Option<&[(String, String)]>,
    errors: FieldErrors,
) -> AppResult<Response> {
    s.can(Action::ReadProgramme)?;
    let t = s.t();
    let (a, spec) = load(state, id).await?;
    let unit = ua::units(&state.db, &spec)
        .await?
        .into_iter()
        .find(|u| u.public_id == unit_pid)
        .ok_or(AppError::NotFound)?;
    let scores = ua::scores(&state.db, &a).await?;
    let rows = spec
        .unit_leaves()
        .iter()
        .map(|l| {
            let key = l.indicator.key.clone();
            let (mut score, mut comment) = scores
                .get(&(unit.id, key.clone()))
                .map(|(v, c)| (programme::show_tenths(*v), c.clone()))
                .unwrap_or_default();
            if let Some(p) = submitted {
                for (k, v) in p {
                    if *k == format!("score.{key}") {
                        score = v.clone();
                    }
                    if *k == format!("comment.{key}") {
                        comment = v.clone();
                    }
                }
            }
            SheetRow {
                criterion: t.pick(&l.criterion.name, &l.criterion.name_en).to_string(),
                name: t.pick(&l.indicator.name, &l.indicator.name_en).to_string(),
                points: l.indicator.points,
                guidance: l.indicator.guidance.clone(),
                key,
                score,
                comment,
            }
        })
        .collect();
    let has_errors = !errors.is_empty();
    let mut r = render(UnitPage {
        l: Layout::new(&s.ctx, &format!("{} · {}", a.year, unit.name)),
        editable: !a.closed && s.principal.can(Action::ManageProgramme).is_some(),
        a,
        unit,
        rows,
        errors,
    })?;
    if has_errors {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn unit_form(
    State(state): State<AppState>,
    s: Signed,
    Path((id, unit)): Path<(String, String)>,
) -> AppResult<Response> {
    unit_page(&state, &s, &id, &unit, None, FieldErrors::default()).await
}

pub async fn save(
    State(state): State<AppState>,
    s: Signed,
    Path((id, unit_pid)): Path<(String, String)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    s.can(Action::ManageProgramme)?;
    let (a, spec) = load(&state, &id).await?;
    let unit = ua::units(&state.db, &spec)
        .await?
        .into_iter()
        .find(|u| u.public_id == unit_pid)
        .ok_or(AppError::NotFound)?;
    let entries: Vec<(String, String, String)> = pairs
        .iter()
        .filter_map(|(k, v)| {
            let key = k.strip_prefix("score.")?;
            let comment = pairs
                .iter()
                .find(|(c, _)| c.strip_prefix("comment.") == Some(key))
                .map(|(_, c)| c.clone())
                .unwrap_or_default();
            Some((key.to_string(), v.clone(), comment))
        })
        .collect();
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    match ua::save(
        &mut tx,
        &s.principal.work_scope(),
        &a,
        &spec,
        &unit,
        &entries,
    )
    .await
    {
        Ok(()) => {
            tx.commit_if_audited().await?;
            Ok(Redirect::to(&format!("/assessment/{id}")).into_response())
        }
        Err(StorageError::Invalid(errors)) => {
            drop(tx);
            unit_page(&state, &s, &id, &unit_pid, Some(&pairs), errors).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize, Default)]
pub struct Empty {}

pub async fn close(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<Response> {
    s.can(Action::ManageProgramme)?;
    let (a, _) = load(&state, &id).await?;
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    ua::close(&mut tx, &s.principal.work_scope(), &a).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/assessment/{id}")).into_response())
}
