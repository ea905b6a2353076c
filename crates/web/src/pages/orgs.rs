//! Divisions and zones, units, and the task force.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use shoumi_domain::{Action, FieldErrors, TaskForcePosition, UnitForm, UnitKind};
use shoumi_storage::orgs::{self, Division, MemberForm, TaskForce, Unit, UnitQuery, Zone};

use super::{Layout, SavedQuery, field_error, render, render_form};
use crate::auth::{CsrfForm, Signed};
use crate::error::{AppError, AppResult};
use crate::{AppState, Routes};

pub fn routes(r: Routes) -> Routes {
    r.get("/divisions", divisions)
        .get("/divisions/export", divisions_export)
        .get("/units", units)
        .get("/units/new", new_unit)
        .post("/units/new", create_unit)
        .get("/units/export", export_units)
        .get("/units/{id}", unit)
        .post("/units/{id}", update_unit)
        .get("/task-force", task_force)
        .get("/task-force/export", task_force_export)
        .post("/task-force/members", add_member)
        .get("/task-force/members/{id}", member)
        .post("/task-force/members/{id}", update_member)
        .post("/task-force/members/{id}/remove", remove_member)
}

#[derive(Template)]
#[template(path = "divisions.html")]
struct Divisions {
    l: Layout,
    divisions: Vec<Division>,
    zones: Vec<Zone>,
}

pub async fn divisions(State(state): State<AppState>, s: Signed) -> AppResult<Response> {
    s.can(Action::ReadOrganisations)?;
    render(Divisions {
        l: Layout::new(&s.ctx, s.t().s("nav.divisions")),
        divisions: orgs::divisions(&state.db).await?,
        zones: orgs::zones(&state.db).await?,
    })
}

/// Divisions and zones as XLSX, a sheet each.
pub async fn divisions_export(State(state): State<AppState>, s: Signed) -> AppResult<Response> {
    s.can(Action::ReadOrganisations)?;
    let t = s.t();
    let divisions = orgs::divisions(&state.db).await?;
    let zones = orgs::zones(&state.db).await?;
    let bytes = shoumi_exchange::export_workbook(&[
        shoumi_exchange::Sheet {
            name: t.s("nav.divisions"),
            headers: vec![
                t.s("division.code"),
                t.s("division.name"),
                t.s("division.kind"),
            ],
            rows: divisions
                .iter()
                .map(|d| {
                    vec![
                        d.code.clone(),
                        d.name.clone(),
                        d.kind.label(t.en()).to_string(),
                    ]
                })
                .collect(),
        },
        shoumi_exchange::Sheet {
            name: t.s("enterprise.zone"),
            headers: vec![
                t.s("division.code"),
                t.s("division.name"),
                t.s("division.kind"),
            ],
            rows: zones
                .iter()
                .map(|z| {
                    vec![
                        z.key.clone(),
                        z.name.clone(),
                        z.kind.label(t.en()).to_string(),
                    ]
                })
                .collect(),
        },
    ]);
    Ok(super::enterprises::download(
        bytes,
        "divisions",
        shoumi_exchange::Format::Xlsx,
    ))
}

/// The task force's members as XLSX.
pub async fn task_force_export(State(state): State<AppState>, s: Signed) -> AppResult<Response> {
    s.can(Action::ReadOrganisations)?;
    let t = s.t();
    let tf = orgs::task_force(&state.db).await?;
    let rows: Vec<Vec<String>> = tf
        .map(|tf| {
            tf.members
                .iter()
                .map(|m| {
                    vec![
                        m.position.label(t.en()).to_string(),
                        m.name.clone(),
                        m.unit_name.clone().unwrap_or_default(),
                        m.title.clone().unwrap_or_default(),
                    ]
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(super::xlsx(
        t.s("nav.task_force"),
        &[
            t.s("task_force.position"),
            t.s("task_force.name"),
            t.s("task_force.unit"),
            t.s("task_force.title"),
        ],
        &rows,
        "task-force",
    ))
}

#[derive(Template)]
#[template(path = "units.html")]
struct Units {
    l: Layout,
    units: Vec<Unit>,
    q: UnitQuery,
    kinds: Vec<(&'static str, &'static str)>,
    can_manage: bool,
}

fn kinds(en: bool) -> Vec<(&'static str, &'static str)> {
    UnitKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label(en)))
        .collect()
}

pub async fn units(
    State(state): State<AppState>,
    s: Signed,
    Query(q): Query<UnitQuery>,
) -> AppResult<Response> {
    s.can(Action::ReadOrganisations)?;
    render(Units {
        l: Layout::new(&s.ctx, s.t().s("nav.units")),
        units: orgs::units(&state.db, &q).await?,
        kinds: kinds(s.t().en()),
        can_manage: s.principal.can(Action::ManageOrganisations).is_some(),
        q,
    })
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    l: Layout,
    unit: Option<Unit>,
    form: UnitForm,
    errors: FieldErrors,
    kinds: Vec<(&'static str, &'static str)>,
    divisions: std::sync::Arc<Vec<Division>>,
    zones: std::sync::Arc<Vec<Zone>>,
    can_manage: bool,
    saved: bool,
}

impl UnitPage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, self.l.t, f)
    }
}

async fn unit_page(
    state: &AppState,
    s: &Signed,
    unit: Option<Unit>,
    form: UnitForm,
    errors: FieldErrors,
    saved: bool,
) -> AppResult<Response> {
    let title = unit
        .as_ref()
        .map(|u| u.name.clone())
        .unwrap_or_else(|| s.t().s("unit.new").to_string());
    let has_errors = !errors.is_empty();
    let refs = state.reference.get(&state.db).await?;
    render_form(
        UnitPage {
            l: Layout::new(&s.ctx, &title),
            unit,
            form,
            errors,
            kinds: kinds(s.t().en()),
            divisions: refs.divisions,
            zones: refs.zones,
            can_manage: s.principal.can(Action::ManageOrganisations).is_some(),
            saved,
        },
        has_errors,
    )
}

pub async fn unit(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> AppResult<Response> {
    s.can(Action::ReadOrganisations)?;
    let u = orgs::unit_by_public_id(&state.db, &id).await?;
    let form = u.to_form();
    unit_page(
        &state,
        &s,
        Some(u),
        form,
        FieldErrors::default(),
        q.is_saved(),
    )
    .await
}

pub async fn new_unit(State(state): State<AppState>, s: Signed) -> AppResult<Response> {
    s.can(Action::ManageOrganisations)?;
    unit_page(
        &state,
        &s,
        None,
        UnitForm::default(),
        FieldErrors::default(),
        false,
    )
    .await
}

pub async fn create_unit(
    State(state): State<AppState>,
    s: Signed,
    CsrfForm(form): CsrfForm<UnitForm>,
) -> AppResult<Response> {
    let cap = s.can(Action::ManageOrganisations)?;
    let input = match form.parse() {
        Ok((i, _)) => i,
        Err(errors) => return unit_page(&state, &s, None, form, errors, false).await,
    };
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    match orgs::upsert_unit(&mut tx, cap, None, &input).await {
        Ok((pid, _)) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/units/{pid}?saved=1")).into_response())
        }
        Err(e) => match AppError::from(e) {
            AppError::Invalid(errors) => unit_page(&state, &s, None, form, errors, false).await,
            other => Err(other),
        },
    }
}

pub async fn update_unit(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<UnitForm>,
) -> AppResult<Response> {
    let cap = s.can(Action::ManageOrganisations)?;
    let u = orgs::unit_by_public_id(&state.db, &id).await?;
    let input = match form.parse() {
        Ok((i, _)) => i,
        Err(errors) => return unit_page(&state, &s, Some(u), form, errors, false).await,
    };
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    match orgs::update_unit(&mut tx, cap, &id, &input).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/units/{id}?saved=1")).into_response())
        }
        Err(e) => match AppError::from(e) {
            AppError::Invalid(errors) => unit_page(&state, &s, Some(u), form, errors, false).await,
            other => Err(other),
        },
    }
}

#[derive(serde::Deserialize, Default)]
pub struct FormatQuery {
    #[serde(default)]
    pub format: String,
}

pub async fn export_units(
    State(state): State<AppState>,
    s: Signed,
    Query(q): Query<FormatQuery>,
) -> AppResult<Response> {
    s.can(Action::ReadOrganisations)?;
    let units = orgs::units(&state.db, &UnitQuery::default()).await?;
    let inputs: Vec<shoumi_domain::UnitInput> = units
        .iter()
        .filter_map(|u| u.to_form().parse().ok().map(|(i, _)| i))
        .collect();
    let format = super::enterprises::file_format(&q.format);
    let bytes = shoumi_exchange::export_units(&inputs, format);
    Ok(super::enterprises::download(bytes, "units", format))
}

#[derive(Template)]
#[template(path = "task_force.html")]
struct TaskForcePage {
    l: Layout,
    tf: Option<TaskForce>,
    can_manage: bool,
    units: Vec<Unit>,
    positions: Vec<(&'static str, &'static str)>,
    form: MemberForm,
    errors: FieldErrors,
}

impl TaskForcePage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, self.l.t, f)
    }
}

fn positions(en: bool) -> Vec<(&'static str, &'static str)> {
    TaskForcePosition::ALL
        .iter()
        .map(|p| (p.as_str(), p.label(en)))
        .collect()
}

async fn task_force_page(
    state: &AppState,
    s: &Signed,
    form: MemberForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let has_errors = !errors.is_empty();
    render_form(
        TaskForcePage {
            l: Layout::new(&s.ctx, s.t().s("nav.task_force")),
            tf: orgs::task_force(&state.db).await?,
            can_manage: s.principal.can(Action::ManageOrganisations).is_some(),
            units: orgs::units(&state.db, &UnitQuery::default()).await?,
            positions: positions(s.t().en()),
            form,
            errors,
        },
        has_errors,
    )
}

pub async fn task_force(State(state): State<AppState>, s: Signed) -> AppResult<Response> {
    s.can(Action::ReadOrganisations)?;
    task_force_page(&state, &s, MemberForm::default(), FieldErrors::default()).await
}

pub async fn add_member(
    State(state): State<AppState>,
    s: Signed,
    CsrfForm(form): CsrfForm<MemberForm>,
) -> AppResult<Response> {
    let cap = s.can(Action::ManageOrganisations)?;
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    match orgs::add_member(&mut tx, cap, &form).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(Redirect::to("/task-force").into_response())
        }
        Err(e) => match AppError::from(e) {
            AppError::Invalid(errors) => task_force_page(&state, &s, form, errors).await,
            other => Err(other),
        },
    }
}

#[derive(Template)]
#[template(path = "member.html")]
struct MemberPage {
    l: Layout,
    id: String,
    units: Vec<Unit>,
    positions: Vec<(&'static str, &'static str)>,
    form: MemberForm,
    errors: FieldErrors,
}

impl MemberPage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, self.l.t, f)
    }
}

async fn member_page(
    state: &AppState,
    s: &Signed,
    id: &str,
    form: MemberForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let has_errors = !errors.is_empty();
    render_form(
        MemberPage {
            l: Layout::new(&s.ctx, &form.name),
            id: id.to_string(),
            units: orgs::units(&state.db, &UnitQuery::default()).await?,
            positions: positions(s.t().en()),
            form,
            errors,
        },
        has_errors,
    )
}

pub async fn member(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
) -> AppResult<Response> {
    s.can(Action::ManageOrganisations)?;
    let tf = orgs::task_force(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let m = tf
        .members
        .into_iter()
        .find(|m| m.public_id == id)
        .ok_or(AppError::NotFound)?;
    let form = MemberForm {
        name: m.name,
        title: m.title.unwrap_or_default(),
        unit_public_id: m.unit_public_id.unwrap_or_default(),
        position: m.position.as_str().into(),
        sort_order: m.sort_order.to_string(),
    };
    member_page(&state, &s, &id, form, FieldErrors::default()).await
}

pub async fn update_member(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<MemberForm>,
) -> AppResult<Response> {
    let cap = s.can(Action::ManageOrganisations)?;
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    match orgs::update_member(&mut tx, cap, &id, &form).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to("/task-force").into_response())
        }
        Err(e) => match AppError::from(e) {
            AppError::Invalid(errors) => member_page(&state, &s, &id, form, errors).await,
            other => Err(other),
        },
    }
}

pub async fn remove_member(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<super::public::Empty>,
) -> AppResult<Response> {
    let cap = s.can(Action::ManageOrganisations)?;
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    orgs::archive_member(&mut tx, cap, &id).await?;
    tx.commit().await?;
    Ok(Redirect::to("/task-force").into_response())
}
