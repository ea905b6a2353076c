//! The programme: its current version (phases, targets, tasks, criteria, indicators), import and
//! export of programme files, the dashboard (驾驶舱) and the progress report (工作进展报告).

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use shoumi_domain::demonstration::Stage;
use shoumi_domain::programme::{self, DemoType, ProgrammeSpec, SpecFormat};
use shoumi_domain::{Action, UnitKind};
use shoumi_storage::demonstration::{self as demo, Application};
use shoumi_storage::{programme as prog, stations};

use super::{Layout, local, render};
use crate::auth::Signed;
use crate::charts::{BarInput, Bars, Marker};
use crate::error::{AppError, AppResult};
use crate::i18n::T;
use crate::{AppState, Routes};

pub fn routes(r: Routes) -> Routes {
    r.get("/programme", programme_page)
        .get("/programme/export", export)
        .post("/programme/import", import)
        .get_cached("/dashboard", dashboard)
        .get("/programme/report", report)
        .get("/programme/report.xlsx", report_xlsx)
}

/// A date query (`?on=YYYY-MM-DD`, default today); a malformed date is a 400 naming it.
#[derive(serde::Deserialize, Default)]
pub struct OnQuery {
    #[serde(default)]
    pub on: String,
}

impl OnQuery {
    /// The date asked about: 2000-01-01 to 2100-12-31.
    pub fn date(&self) -> Result<NaiveDate, AppError> {
        if self.on.trim().is_empty() {
            return Ok(demo::today());
        }
        let d = NaiveDate::parse_from_str(self.on.trim(), "%Y-%m-%d").map_err(|_| {
            AppError::BadRequest(format!(
                "on: expected a date YYYY-MM-DD, got \"{}\"",
                self.on
            ))
        })?;
        let (lo, hi) = (
            NaiveDate::from_ymd_opt(2000, 1, 1).expect("a date"),
            NaiveDate::from_ymd_opt(2100, 12, 31).expect("a date"),
        );
        if d < lo || d > hi {
            return Err(AppError::BadRequest(format!(
                "on: {d} is outside {lo} to {hi}"
            )));
        }
        Ok(d)
    }
}

pub struct TaskRow {
    pub number: String,
    pub title: String,
    pub units: String,
}

pub struct PhaseRow {
    pub name: String,
    pub deadline: NaiveDate,
    pub summary: String,
    pub passed: bool,
}

pub struct IndicatorRow {
    pub depth: usize,
    pub key: String,
    pub name: String,
    pub points: u32,
    pub guidance: String,
}

pub struct TypeRules {
    pub label: &'static str,
    pub pass_mark: u32,
    pub publicity: u32,
    pub validity: u32,
    pub prefix: String,
    pub indicators: Vec<IndicatorRow>,
}

/// Names of responsible units: unit keys to short names, `kind:…` to "every …".
async fn unit_names(state: &AppState, t: T) -> AppResult<HashMap<String, String>> {
    let units = shoumi_storage::orgs::units(&state.db, &Default::default()).await?;
    Ok(units
        .into_iter()
        .filter_map(|u| {
            let name = if t.en() && !u.name_en.is_empty() {
                u.name_en.clone()
            } else {
                u.short_name.clone().unwrap_or(u.name.clone())
            };
            u.key.map(|k| (k, name))
        })
        .collect())
}

fn responsible(names: &HashMap<String, String>, keys: &[String], t: T) -> String {
    keys.iter()
        .map(|k| match k.strip_prefix("kind:") {
            Some(kind) => {
                let label = UnitKind::parse(kind)
                    .map(|u| u.label(t.en()))
                    .unwrap_or(kind);
                if t.en() {
                    format!("every {label}")
                } else {
                    format!("各{label}")
                }
            }
            None => names.get(k).cloned().unwrap_or_else(|| k.clone()),
        })
        .collect::<Vec<_>>()
        .join(if t.en() { ", " } else { "、" })
}

fn tasks(spec: &ProgrammeSpec, names: &HashMap<String, String>, t: T) -> Vec<TaskRow> {
    spec.tasks
        .iter()
        .map(|k| TaskRow {
            number: k.number.clone(),
            title: t.pick(&k.title, &k.title_en).to_string(),
            units: responsible(names, &k.responsible, t),
        })
        .collect()
}

fn phases(spec: &ProgrammeSpec, on: NaiveDate, t: T) -> Vec<PhaseRow> {
    spec.phases
        .iter()
        .map(|p| PhaseRow {
            name: t.pick(&p.name, &p.name_en).to_string(),
            deadline: p.deadline,
            summary: p.summary.clone(),
            passed: p.deadline < on,
        })
        .collect()
}

fn flatten(nodes: &[programme::Indicator], depth: usize, t: T, out: &mut Vec<IndicatorRow>) {
    for n in nodes {
        out.push(IndicatorRow {
            depth,
            key: n.key.clone(),
            name: t.pick(&n.name, &n.name_en).to_string(),
            points: n.points,
            guidance: n.guidance.clone(),
        });
        flatten(&n.children, depth + 1, t, out);
    }
}

#[derive(Template)]
#[template(path = "programme.html")]
struct ProgrammePage {
    l: Layout,
    spec: ProgrammeSpec,
    current: prog::Version,
    versions: Vec<prog::Version>,
    phases: Vec<PhaseRow>,
    targets: Vec<TargetView>,
    tasks: Vec<TaskRow>,
    types: Vec<TypeRules>,
    can_manage: bool,
    errors: Vec<String>,
    imported: String,
}

async fn programme_view(
    state: &AppState,
    s: &Signed,
    errors: Vec<String>,
    imported: String,
) -> AppResult<Response> {
    let t = s.t();
    let stored = state.current_programme().await?;
    let on = demo::today();
    let names = unit_names(state, t).await?;
    let targets = target_views(state, &stored.spec, on, t).await?;
    let types = stored
        .spec
        .unit_types
        .iter()
        .map(|(k, r)| {
            let mut indicators = Vec::new();
            flatten(
                stored
                    .spec
                    .indicators
                    .get(k)
                    .map(|v| v.as_slice())
                    .unwrap_or(&[]),
                0,
                t,
                &mut indicators,
            );
            TypeRules {
                label: k.label(t.en()),
                pass_mark: r.pass_mark,
                publicity: r.publicity_working_days,
                validity: r.validity_years,
                prefix: r.number_prefix.clone(),
                indicators,
            }
        })
        .collect();
    let has_errors = !errors.is_empty();
    let mut resp = render(ProgrammePage {
        l: Layout::new(&s.ctx, t.s("programme.title")),
        phases: phases(&stored.spec, on, t),
        tasks: tasks(&stored.spec, &names, t),
        targets,
        types,
        versions: prog::versions(&state.db).await?,
        current: stored.version.clone(),
        spec: stored.spec.clone(),
        can_manage: s.principal.can(Action::ManageProgramme).is_some(),
        errors,
        imported,
    })?;
    if has_errors {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

pub async fn programme_page(State(state): State<AppState>, s: Signed) -> AppResult<Response> {
    s.can(Action::ReadProgramme)?;
    programme_view(&state, &s, vec![], String::new()).await
}

#[derive(serde::Deserialize, Default)]
pub struct ExportQuery {
    #[serde(default)]
    format: String,
    #[serde(default)]
    version: String,
}

/// The programme file (current version or `?version=<public id>`), YAML or JSON.
pub async fn export(
    State(state): State<AppState>,
    s: Signed,
    Query(q): Query<ExportQuery>,
) -> AppResult<Response> {
    s.can(Action::ReadProgramme)?;
    let stored = if q.version.is_empty() {
        state.current_programme().await?
    } else {
        std::sync::Arc::new(prog::by_public_id(&state.db, &q.version).await?)
    };
    let format = SpecFormat::parse(&q.format).unwrap_or(SpecFormat::Yaml);
    let (ext, mime) = match format {
        SpecFormat::Yaml => ("yaml", "application/yaml; charset=utf-8"),
        SpecFormat::Json => ("json", "application/json; charset=utf-8"),
    };
    let mut resp = stored.spec.to_text(format).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    let name = format!(
        "programme-{}-v{}.{ext}",
        stored.version.programme_key, stored.version.version
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

/// Loads a programme file as a new version (the office).
pub async fn import(
    State(state): State<AppState>,
    s: Signed,
    mp: Multipart,
) -> AppResult<Response> {
    let cap = s.can(Action::ManageProgramme)?;
    let t = s.t();
    let upload = super::Upload::read(&s.ctx, mp).await?;
    let note = upload.field("note");
    let file = upload.file;
    let Some((fname, data)) = file else {
        return programme_view(
            &state,
            &s,
            vec![t.s("programme.no_file").into()],
            String::new(),
        )
        .await;
    };
    let Ok(text) = String::from_utf8(data) else {
        return programme_view(
            &state,
            &s,
            vec![t.s("programme.not_utf8").into()],
            String::new(),
        )
        .await;
    };
    let units = prog::unit_keys(&state.db).await?;
    let spec =
        match ProgrammeSpec::parse(&text, SpecFormat::from_name(&fname), |k| units.contains(k)) {
            Ok(spec) => spec,
            Err(e) => {
                let errors = e.0.iter().map(|x| x.to_string()).collect();
                return programme_view(&state, &s, errors, String::new()).await;
            }
        };
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    let outcome = prog::import(&mut tx, cap, &spec, &note).await?;
    let message = match outcome {
        prog::Imported::Version(v, _) => {
            tx.commit().await?;
            format!("{} {v}", t.s("programme.imported"))
        }
        prog::Imported::Unchanged(v) => {
            drop(tx);
            format!("{} {v}", t.s("programme.unchanged"))
        }
    };
    programme_view(&state, &s, vec![], message).await
}

// ---------------------------------------------------------------------------------------------
// Targets, forecast, dashboard

/// A target with its count, its status and its forecast, as shown.
pub struct TargetView {
    pub unit_type: DemoType,
    pub label: &'static str,
    pub deadline: NaiveDate,
    pub target: u32,
    pub designated: i64,
    pub at_deadline: Option<i64>,
    pub forecast: Option<i64>,
    pub status: String,
    pub met: bool,
}

pub async fn target_views(
    state: &AppState,
    spec: &ProgrammeSpec,
    on: NaiveDate,
    t: T,
) -> AppResult<Vec<TargetView>> {
    let progress = prog::progress(&state.db, spec, on).await?;
    Ok(progress
        .into_iter()
        .map(|p| {
            let forecast = programme::forecast(p.pace, p.designated, on, p.deadline);
            let target = i64::from(p.target);
            let met = p.met();
            let status = match (p.designated_at_deadline, forecast) {
                (Some(n), _) if n >= target => t.s("dash.status_met").to_string(),
                (Some(n), _) => format!("{} {}", t.s("dash.status_missed"), target - n),
                (None, _) if p.designated >= target => t.s("dash.status_met_early").to_string(),
                (None, Some(f)) if f >= target => format!(
                    "{} {} · {} {f}",
                    t.s("dash.status_short"),
                    target - p.designated,
                    t.s("dash.forecast")
                ),
                (None, f) => format!(
                    "{} {} · {} {} ⚠",
                    t.s("dash.status_short"),
                    target - p.designated,
                    t.s("dash.forecast"),
                    f.unwrap_or(p.designated)
                ),
            };
            TargetView {
                unit_type: p.unit_type,
                label: p.unit_type.label(t.en()),
                deadline: p.deadline,
                target: p.target,
                designated: p.designated,
                at_deadline: p.designated_at_deadline,
                forecast,
                status,
                met,
            }
        })
        .collect())
}

/// The targets chart: one bar per unit type (designated now), each target a dashed line, the
/// forecast for the next open deadline a dotted one.
fn target_chart(views: &[TargetView], on: NaiveDate, t: T) -> Bars {
    let mut by_type: BTreeMap<DemoType, Vec<&TargetView>> = BTreeMap::new();
    for v in views {
        by_type.entry(v.unit_type).or_default().push(v);
    }
    let rows = by_type
        .into_iter()
        .map(|(k, vs)| {
            let designated = vs.first().map(|v| v.designated).unwrap_or(0);
            let mut markers: Vec<Marker> = vs
                .iter()
                .map(|v| Marker {
                    value: f64::from(v.target),
                    text: format!("{} {}", v.deadline.format("%Y"), v.target),
                    dotted: false,
                })
                .collect();
            if let Some(f) = vs
                .iter()
                .find(|v| v.deadline >= on)
                .and_then(|v| v.forecast)
            {
                markers.push(Marker {
                    value: f as f64,
                    text: format!("{} {f}", t.s("dash.forecast")),
                    dotted: true,
                });
            }
            BarInput {
                label: k.label(t.en()).to_string(),
                value: designated as f64,
                value_text: designated.to_string(),
                hatched: false,
                markers,
            }
        })
        .collect();
    Bars::new(
        t.s("dash.targets"),
        &format!("{} {on}", t.s("dash.targets_desc")),
        rows,
        vec![
            (t.s("dash.legend_designated"), "solid"),
            (t.s("dash.legend_target"), "dashed"),
            (t.s("dash.legend_forecast"), "dotted"),
        ],
    )
}

pub struct StageRow {
    pub stage: Stage,
    pub label: &'static str,
    pub counts: Vec<i64>,
    pub total: i64,
}

async fn pipeline(state: &AppState, t: T) -> AppResult<(Vec<StageRow>, Bars)> {
    let raw = demo::pipeline(&state.db).await?;
    let mut rows: Vec<StageRow> = Stage::ALL
        .iter()
        .map(|s| {
            let counts: Vec<i64> = DemoType::ALL
                .iter()
                .map(|k| {
                    raw.iter()
                        .filter(|(a, b, _)| a == k && b == s)
                        .map(|x| x.2)
                        .sum()
                })
                .collect();
            StageRow {
                stage: *s,
                label: s.label(t.en()),
                total: counts.iter().sum(),
                counts,
            }
        })
        .collect();
    rows.retain(|r| Stage::PIPELINE.contains(&r.stage) || r.total > 0);
    let chart = Bars::new(
        t.s("dash.pipeline"),
        t.s("dash.pipeline_desc"),
        rows.iter()
            .filter(|r| Stage::PIPELINE.contains(&r.stage))
            .map(|r| BarInput {
                label: r.label.to_string(),
                value: r.total as f64,
                value_text: r.total.to_string(),
                hatched: !r.stage.holds_title(),
                markers: vec![],
            })
            .collect(),
        vec![
            (t.s("dash.legend_in_progress"), "hatch"),
            (t.s("dash.legend_holding"), "solid"),
        ],
    );
    Ok((rows, chart))
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    l: Layout,
    on: NaiveDate,
    title: String,
    version: i64,
    targets: Vec<TargetView>,
    target_svg: String,
    stages: Vec<StageRow>,
    types: Vec<&'static str>,
    pipeline_svg: String,
    coverage: Vec<stations::Coverage>,
    covered: usize,
    areas: usize,
    activity: Vec<demo::Activity>,
    phases: Vec<PhaseRow>,
    work: shoumi_storage::worklist::StatusCounts,
    work_svg: String,
    supervised: Vec<super::worklist::Row>,
    late_notices: Vec<shoumi_storage::worklist::Notice>,
}

/// Work items by status, as bars: open (of which overdue) hatched, done solid.
fn work_chart(c: &shoumi_storage::worklist::StatusCounts, t: T) -> Bars {
    let bar = |label: &str, v: i64, hatched: bool| BarInput {
        label: label.to_string(),
        value: v as f64,
        value_text: v.to_string(),
        hatched,
        markers: vec![],
    };
    Bars::new(
        t.s("dash.work"),
        t.s("dash.work_desc"),
        vec![
            bar(t.s("dash.work_open"), c.open, true),
            bar(t.s("dash.work_overdue"), c.overdue, true),
            bar(t.s("dash.work_done"), c.done, false),
            bar(t.s("dash.work_cancelled"), c.cancelled, true),
        ],
        vec![
            (t.s("dash.legend_in_progress"), "hatch"),
            (t.s("dash.work_done"), "solid"),
        ],
    )
}

pub async fn dashboard(
    State(state): State<AppState>,
    s: Signed,
    Query(q): Query<OnQuery>,
) -> AppResult<Response> {
    s.can(Action::ReadProgramme)?;
    let t = s.t();
    let on = q.date()?;
    let (stored, cal) = state.programme.both(&state.db).await?;
    let targets = target_views(&state, &stored.spec, on, t).await?;
    let target_svg = target_chart(&targets, on, t).svg();
    let (stages, chart) = pipeline(&state, t).await?;
    let mut coverage = {
        let refs = state.reference.get(&state.db).await?;
        stations::coverage(&state.db, &refs.divisions, &refs.zones).await?
    };
    let covered = coverage.iter().filter(|c| c.designated > 0).count();
    let areas = coverage.len();
    // A county has a dozen areas; a province database thousands: then the dashboard lists the
    // first areas still without a guidance station, and /stations has them all.
    if areas > 40 {
        coverage.retain(|c| c.designated == 0);
        coverage.truncate(40);
    }
    let scope = s.principal.application_scope();
    // The responsibility list and the pipeline are shown as they stand now; `on` dates the
    // targets (the page says so).
    let now = demo::today();
    let work = shoumi_storage::worklist::status_counts(&state.db, now).await?;
    let listed = shoumi_storage::worklist::supervised_first(
        &state.db,
        &cal,
        &stored.spec.supervision,
        now,
        10,
    )
    .await?;
    let supervised = super::worklist::rows_with(
        &stored.spec,
        &cal,
        listed.into_iter().map(|(i, _)| i).collect(),
        t,
    );
    let late_notices = shoumi_storage::worklist::late_notices(&state.db, now, 10).await?;
    render(DashboardPage {
        work_svg: work_chart(&work, t).svg(),
        work,
        supervised,
        late_notices,
        l: Layout::new(&s.ctx, t.s("dash.title")),
        on,
        title: t
            .pick(&stored.spec.title, &stored.spec.title_en)
            .to_string(),
        version: stored.version.version,
        target_svg,
        targets,
        stages,
        types: DemoType::ALL.iter().map(|k| k.label(t.en())).collect(),
        pipeline_svg: chart.svg(),
        coverage,
        covered,
        areas,
        activity: demo::recent_events(&state.db, &scope, 12).await?,
        phases: phases(&stored.spec, on, t),
    })
}

// ---------------------------------------------------------------------------------------------
// The progress report

struct Report {
    on: NaiveDate,
    spec: ProgrammeSpec,
    version: i64,
    targets: Vec<TargetView>,
    designated: Vec<Application>,
    stages: Vec<StageRow>,
    coverage: Vec<stations::Coverage>,
    phases: Vec<PhaseRow>,
    tasks: Vec<TaskRow>,
}

async fn report_data(state: &AppState, on: NaiveDate, t: T) -> AppResult<Report> {
    let stored = state.current_programme().await?;
    let names = unit_names(state, t).await?;
    Ok(Report {
        on,
        targets: target_views(state, &stored.spec, on, t).await?,
        designated: demo::holding_title_on(&state.db, on).await?,
        stages: pipeline(state, t).await?.0,
        coverage: {
            let refs = state.reference.get(&state.db).await?;
            stations::coverage(&state.db, &refs.divisions, &refs.zones).await?
        },
        phases: phases(&stored.spec, on, t),
        tasks: tasks(&stored.spec, &names, t),
        version: stored.version.version,
        spec: stored.spec.clone(),
    })
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    l: Layout,
    r: Report,
    title: String,
    types: Vec<&'static str>,
    generated: String,
    target_svg: String,
}

pub async fn report(
    State(state): State<AppState>,
    s: Signed,
    Query(q): Query<OnQuery>,
) -> AppResult<Response> {
    s.can(Action::ReadProgramme)?;
    let t = s.t();
    let on = q.date()?;
    let r = report_data(&state, on, t).await?;
    render(ReportPage {
        l: Layout::new(&s.ctx, t.s("report.title")),
        title: t.pick(&r.spec.title, &r.spec.title_en).to_string(),
        types: DemoType::ALL.iter().map(|k| k.label(t.en())).collect(),
        generated: local(shoumi_storage::now()),
        target_svg: target_chart(&r.targets, on, t).svg(),
        r,
    })
}

/// The progress report as a workbook with every table of the page on a sheet of its own.
pub async fn report_xlsx(
    State(state): State<AppState>,
    s: Signed,
    Query(q): Query<OnQuery>,
) -> AppResult<Response> {
    s.can(Action::ReadProgramme)?;
    let t = s.t();
    let on = q.date()?;
    let r = report_data(&state, on, t).await?;
    let h = |k: &'static str| t.s(k);
    let targets: Vec<Vec<String>> = r
        .targets
        .iter()
        .map(|v| {
            vec![
                v.label.to_string(),
                v.deadline.to_string(),
                v.target.to_string(),
                v.designated.to_string(),
                v.at_deadline.map(|n| n.to_string()).unwrap_or_default(),
                v.forecast.map(|n| n.to_string()).unwrap_or_default(),
                v.status.clone(),
            ]
        })
        .collect();
    let designated: Vec<Vec<String>> = r
        .designated
        .iter()
        .map(|a| {
            vec![
                a.unit_type.label(t.en()).to_string(),
                a.subject_name.clone(),
                a.area(),
                a.designation_number.clone().unwrap_or_default(),
                a.designated_on.clone().unwrap_or_default(),
                a.valid_until.clone().unwrap_or_default(),
                a.stage.label(t.en()).to_string(),
            ]
        })
        .collect();
    let mut stage_headers = vec![h("report.stage")];
    let type_labels: Vec<&str> = DemoType::ALL.iter().map(|k| k.label(t.en())).collect();
    stage_headers.extend(type_labels.iter().copied());
    stage_headers.push(h("report.total"));
    let stages: Vec<Vec<String>> = r
        .stages
        .iter()
        .map(|s| {
            let mut row = vec![s.label.to_string()];
            row.extend(s.counts.iter().map(|c| c.to_string()));
            row.push(s.total.to_string());
            row
        })
        .collect();
    let coverage: Vec<Vec<String>> = r
        .coverage
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                c.stations.to_string(),
                c.designated.to_string(),
            ]
        })
        .collect();
    let phases: Vec<Vec<String>> = r
        .phases
        .iter()
        .map(|p| {
            vec![
                p.name.clone(),
                p.deadline.to_string(),
                if p.passed {
                    h("report.phase_due").to_string()
                } else {
                    h("report.phase_open").to_string()
                },
                p.summary.clone(),
            ]
        })
        .collect();
    let tasks: Vec<Vec<String>> = r
        .tasks
        .iter()
        .map(|k| vec![k.number.clone(), k.title.clone(), k.units.clone()])
        .collect();
    let bytes = shoumi_exchange::export_workbook(&[
        shoumi_exchange::Sheet {
            name: h("report.sheet_targets"),
            headers: vec![
                h("report.type"),
                h("report.deadline"),
                h("report.target"),
                h("report.designated"),
                h("report.at_deadline"),
                h("dash.forecast"),
                h("report.status"),
            ],
            rows: targets,
        },
        shoumi_exchange::Sheet {
            name: h("report.sheet_designated"),
            headers: vec![
                h("report.type"),
                h("report.name"),
                h("report.area"),
                h("report.number"),
                h("report.designated_on"),
                h("report.valid_until"),
                h("report.stage"),
            ],
            rows: designated,
        },
        shoumi_exchange::Sheet {
            name: h("report.sheet_pipeline"),
            headers: stage_headers,
            rows: stages,
        },
        shoumi_exchange::Sheet {
            name: h("report.sheet_coverage"),
            headers: vec![
                h("report.area"),
                h("report.stations"),
                h("report.guidance_stations"),
            ],
            rows: coverage,
        },
        shoumi_exchange::Sheet {
            name: h("report.sheet_phases"),
            headers: vec![
                h("report.phase"),
                h("report.deadline"),
                h("report.status"),
                h("report.summary"),
            ],
            rows: phases,
        },
        shoumi_exchange::Sheet {
            name: h("report.sheet_tasks"),
            headers: vec![h("report.number_col"), h("report.task"), h("report.units")],
            rows: tasks,
        },
    ]);
    let mut resp = bytes.into_response();
    let hd = resp.headers_mut();
    hd.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"progress-report-{on}.xlsx\""
    )) {
        hd.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}
