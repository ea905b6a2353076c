//! Service and guidance stations: where they are, who staffs them, which hold the
//! guidance-station title, and each station's service log.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use shoumi_domain::programme::StationLogKind;
use shoumi_domain::{Action, FieldErrors, Role, Scope};
use shoumi_storage::StorageError;
use shoumi_storage::demonstration::today;
use shoumi_storage::stations::{self, Coverage, LogEntry, LogForm, Station};

use super::{Layout, SavedQuery, field_error, render};
use crate::auth::{CsrfForm, Signed};
use crate::error::AppResult;
use crate::{AppState, Routes};

pub fn routes(r: Routes) -> Routes {
    r.get("/stations", list)
        .get("/stations/export", export)
        .get("/stations/{id}", detail)
        .get("/stations/{id}/log.xlsx", log_export)
        .post("/stations/{id}/log", add_log)
}

#[derive(Template)]
#[template(path = "stations.html")]
struct ListPage {
    l: Layout,
    stations: Vec<Station>,
    coverage: Vec<Coverage>,
}

pub async fn list(State(state): State<AppState>, s: Signed) -> AppResult<Response> {
    s.can(Action::ReadProgramme)?;
    render(ListPage {
        l: Layout::new(&s.ctx, s.t().s("station.title")),
        stations: stations::stations(&state.db, today()).await?,
        coverage: {
            let refs = state.reference.get(&state.db).await?;
            stations::coverage(&state.db, &refs.divisions, &refs.zones).await?
        },
    })
}

/// The stations and the coverage by area, as a workbook with a sheet each.
pub async fn export(State(state): State<AppState>, s: Signed) -> AppResult<Response> {
    s.can(Action::ReadProgramme)?;
    let t = s.t();
    let stations = stations::stations(&state.db, today()).await?;
    let coverage = {
        let refs = state.reference.get(&state.db).await?;
        stations::coverage(&state.db, &refs.divisions, &refs.zones).await?
    };
    let bytes = shoumi_exchange::export_workbook(&[
        shoumi_exchange::Sheet {
            name: t.s("station.list"),
            headers: vec![
                t.s("report.name"),
                t.s("report.area"),
                t.s("unit.address"),
                t.s("unit.phone"),
                t.s("unit.opening_hours"),
                t.s("station.staff"),
                t.s("report.number"),
                t.s("station.entries_year"),
                t.s("station.last_entry"),
            ],
            rows: stations
                .iter()
                .map(|x| {
                    vec![
                        x.name.clone(),
                        x.area.clone(),
                        x.address.clone().unwrap_or_default(),
                        x.phone.clone().unwrap_or_default(),
                        x.opening_hours.clone().unwrap_or_default(),
                        x.staff.to_string(),
                        x.designation_number.clone().unwrap_or_default(),
                        x.entries_this_year.to_string(),
                        x.last_entry.clone().unwrap_or_default(),
                    ]
                })
                .collect(),
        },
        shoumi_exchange::Sheet {
            name: t.s("dash.coverage"),
            headers: vec![
                t.s("report.area"),
                t.s("report.stations"),
                t.s("report.guidance_stations"),
            ],
            rows: coverage
                .iter()
                .map(|c| {
                    vec![
                        c.name.clone(),
                        c.stations.to_string(),
                        c.designated.to_string(),
                    ]
                })
                .collect(),
        },
    ]);
    Ok(super::enterprises::download(
        bytes,
        "stations",
        shoumi_exchange::Format::Xlsx,
    ))
}

/// A station's whole service log as XLSX.
pub async fn log_export(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
) -> AppResult<Response> {
    s.can(Action::ReadProgramme)?;
    let t = s.t();
    let st = stations::station(&state.db, &id, today()).await?;
    let rows: Vec<Vec<String>> = stations::log(&state.db, &st, 100_000)
        .await?
        .iter()
        .map(|e| {
            vec![
                e.on_date.clone(),
                e.kind.label(t.en()).to_string(),
                e.title.clone(),
                e.people.to_string(),
                e.notes.clone(),
                e.created_by.clone().unwrap_or_default(),
            ]
        })
        .collect();
    Ok(super::xlsx(
        t.s("station.log"),
        &[
            t.s("demo.date"),
            t.s("station.kind"),
            t.s("station.entry_title"),
            t.s("station.people"),
            t.s("station.notes"),
            t.s("demo.by"),
        ],
        &rows,
        "station-log",
    ))
}

#[derive(Template)]
#[template(path = "station.html")]
struct DetailPage {
    l: Layout,
    st: Station,
    staff: Vec<String>,
    entries: Vec<LogEntry>,
    form: LogForm,
    errors: FieldErrors,
    kinds: Vec<(&'static str, &'static str)>,
    may_write: bool,
    saved: bool,
    today: String,
}

impl DetailPage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, self.l.t, f)
    }
}

/// The station's own staff and the programme office may add to a station's log.
fn may_write(s: &Signed, st: &Station) -> bool {
    s.principal.can(Action::ManageProgramme).is_some()
        || s.principal
            .grants
            .iter()
            .any(|g| g.role == Role::Station && g.scope == Scope::Unit(st.id))
}

async fn page(
    state: &AppState,
    s: &Signed,
    id: &str,
    form: LogForm,
    errors: FieldErrors,
    saved: bool,
) -> AppResult<Response> {
    let t = s.t();
    let st = stations::station(&state.db, id, today()).await?;
    let has_errors = !errors.is_empty();
    let mut r = render(DetailPage {
        l: Layout::new(&s.ctx, &st.name),
        entries: stations::log(&state.db, &st, 200).await?,
        staff: stations::staff(&state.db, &st).await?,
        may_write: may_write(s, &st),
        kinds: StationLogKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label(t.en())))
            .collect(),
        st,
        form,
        errors,
        saved,
        today: today().to_string(),
    })?;
    if has_errors {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn detail(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> AppResult<Response> {
    s.can(Action::ReadProgramme)?;
    page(
        &state,
        &s,
        &id,
        LogForm::default(),
        FieldErrors::default(),
        q.is_saved(),
    )
    .await
}

pub async fn add_log(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<LogForm>,
) -> AppResult<Response> {
    s.can(Action::ReadProgramme)?;
    let st = stations::station(&state.db, &id, today()).await?;
    if !may_write(&s, &st) {
        return Err(crate::error::AppError::Forbidden);
    }
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    match stations::add_log(&mut tx, true, &st, &form, today()).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/stations/{id}?saved=1")).into_response())
        }
        Err(StorageError::Invalid(errors)) => {
            drop(tx);
            page(&state, &s, &id, form, errors, false).await
        }
        Err(e) => Err(e.into()),
    }
}
