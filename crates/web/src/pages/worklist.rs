//! The responsibility list (责任清单) and supervision (督办): work items, progress reports and
//! their review, the supervision list and supervision notices.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use shoumi_domain::worklist::{Flag, ItemStatus, NoticeStatus, ReportStatus};
use shoumi_domain::{Action, FieldErrors};
use shoumi_storage::StorageError;
use shoumi_storage::demonstration::today;
use shoumi_storage::orgs;
use shoumi_storage::worklist::{self as wl, Item, ItemForm, ItemQuery, Notice, NoticeForm};

use super::{Layout, SavedQuery, field_error, render};
use crate::auth::{CsrfForm, Signed};
use crate::error::{AppError, AppResult};
use crate::i18n::T;
use crate::{AppState, Routes};

pub fn routes(r: Routes) -> Routes {
    r.get("/worklist", list)
        .get("/worklist/export", export)
        .get("/worklist/new", new_form)
        .post("/worklist/new", create)
        .get("/worklist/{id}", detail)
        .post("/worklist/{id}/reports", file_report)
        .post("/worklist/{id}/reports/{report}/review", review)
        .post("/worklist/{id}/cancel", cancel)
        .get("/worklist/{id}/files/{file}", download)
        .get("/supervision", supervision)
        .get("/supervision/export", supervision_export)
        .post("/supervision/notices", issue)
        .get("/supervision/notices/{id}", notice_page)
        .post("/supervision/notices/{id}/reply", reply)
        .post("/supervision/notices/{id}/close", close)
}

fn flag_text(f: &Flag, t: T) -> String {
    use shoumi_domain::worklist::SupervisionReason as R;
    let unit = match f.reason {
        R::Overdue => t.s("work.days"),
        R::Stale | R::DueSoon => t.s("work.working_days"),
    };
    format!(
        "{} {} {}{}",
        f.reason.label(t.en()),
        f.days,
        unit,
        if f.uncertain { " ?" } else { "" }
    )
}

/// An item as listed, with its flags.
pub struct Row {
    pub item: Item,
    pub task: String,
    pub flags: Vec<String>,
}

pub async fn rows(state: &AppState, items: Vec<Item>, t: T) -> AppResult<Vec<Row>> {
    let stored = state.current_programme().await?;
    let cal = state.calendar().await?;
    Ok(rows_with(&stored.spec, &cal, items, t))
}

/// The rows of items with the programme and calendar already at hand.
pub fn rows_with(
    spec: &shoumi_domain::programme::ProgrammeSpec,
    cal: &shoumi_domain::calendar::WorkCalendar,
    items: Vec<Item>,
    t: T,
) -> Vec<Row> {
    let today = today();
    items
        .into_iter()
        .map(|i| {
            let task = spec
                .tasks
                .iter()
                .find(|k| k.key == i.task_key)
                .map(|k| format!("{} {}", k.number, t.pick(&k.title, &k.title_en)))
                .unwrap_or_else(|| i.task_key.clone());
            let flags = i
                .flags(cal, today, &spec.supervision)
                .iter()
                .map(|f| flag_text(f, t))
                .collect();
            Row {
                item: i,
                task,
                flags,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "worklist.html")]
struct ListPage {
    l: Layout,
    rows: Vec<Row>,
    q: ItemQuery,
    tasks: Vec<(String, String)>,
    statuses: Vec<(&'static str, &'static str)>,
    can_manage: bool,
    acts: bool,
    export_query: String,
}

fn task_options(spec: &shoumi_domain::programme::ProgrammeSpec, t: T) -> Vec<(String, String)> {
    spec.tasks
        .iter()
        .map(|k| {
            (
                k.key.clone(),
                format!("{} {}", k.number, t.pick(&k.title, &k.title_en)),
            )
        })
        .collect()
}

pub async fn list(
    State(state): State<AppState>,
    s: Signed,
    Query(q): Query<ItemQuery>,
) -> AppResult<Response> {
    s.can(Action::ReadProgramme)?;
    let t = s.t();
    let scope = s.principal.work_scope();
    let items = wl::items(&state.db, &scope, &q).await?;
    let stored = state.current_programme().await?;
    let export_query = serde_urlencoded::to_string(&q).unwrap_or_default();
    render(ListPage {
        l: Layout::new(&s.ctx, t.s("work.title")),
        rows: rows(&state, items, t).await?,
        tasks: task_options(&stored.spec, t),
        statuses: ItemStatus::ALL
            .iter()
            .map(|x| (x.as_str(), x.label(t.en())))
            .collect(),
        can_manage: scope.is_office(),
        acts: !scope.acts_for_none(),
        export_query,
        q,
    })
}

pub async fn export(
    State(state): State<AppState>,
    s: Signed,
    Query(q): Query<ItemQuery>,
) -> AppResult<Response> {
    s.can(Action::ReadProgramme)?;
    let t = s.t();
    let scope = s.principal.work_scope();
    let items = wl::items(&state.db, &scope, &q).await?;
    let data: Vec<Vec<String>> = rows(&state, items, t)
        .await?
        .into_iter()
        .map(|r| {
            vec![
                r.task,
                r.item.title.clone(),
                r.item.unit_names(),
                r.item.deadline.to_string(),
                r.item.status.label(t.en()).to_string(),
                r.item.completed_on.clone().unwrap_or_default(),
                r.item.reports.to_string(),
                r.item.last_activity.to_string(),
                r.flags.join("；"),
                r.item.expected_output.clone(),
            ]
        })
        .collect();
    let headers = [
        t.s("report.task"),
        t.s("work.item"),
        t.s("report.units"),
        t.s("report.deadline"),
        t.s("report.status"),
        t.s("work.completed_on"),
        t.s("work.reports"),
        t.s("work.last_activity"),
        t.s("work.flags"),
        t.s("work.expected_output"),
    ];
    Ok(super::enterprises::download(
        shoumi_exchange::export_table_xlsx(t.s("work.title"), &headers, &data),
        "worklist",
        shoumi_exchange::Format::Xlsx,
    ))
}

#[derive(Template)]
#[template(path = "worklist_new.html")]
struct NewPage {
    l: Layout,
    form: ItemForm,
    errors: FieldErrors,
    tasks: Vec<(String, String)>,
    units: Vec<(String, String)>,
}

impl NewPage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, self.l.t, f)
    }
    fn picked(&self, i: impl std::borrow::Borrow<usize>, pid: &str) -> bool {
        self.form.units.get(*i.borrow()).is_some_and(|u| u == pid)
    }
}

async fn new_page(
    state: &AppState,
    s: &Signed,
    form: ItemForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let t = s.t();
    let stored = state.current_programme().await?;
    let units = orgs::units(&state.db, &Default::default())
        .await?
        .into_iter()
        .map(|u| (u.public_id, u.short_name.unwrap_or(u.name)))
        .collect();
    let has_errors = !errors.is_empty();
    let mut r = render(NewPage {
        l: Layout::new(&s.ctx, t.s("work.new")),
        tasks: task_options(&stored.spec, t),
        form,
        errors,
        units,
    })?;
    if has_errors {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn new_form(State(state): State<AppState>, s: Signed) -> AppResult<Response> {
    s.can(Action::ManageProgramme)?;
    new_page(&state, &s, ItemForm::default(), FieldErrors::default()).await
}

/// The item form: `units` may repeat (lead first); empty choices are dropped.
pub async fn create(
    State(state): State<AppState>,
    s: Signed,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    s.can(Action::ManageProgramme)?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(a, _)| a == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let form = ItemForm {
        task_key: get("task_key"),
        title: get("title"),
        expected_output: get("expected_output"),
        deadline: get("deadline"),
        // Kept in position (an empty choice included) so that a form shown again keeps them;
        // storage drops the empty ones, the first chosen being the lead.
        units: pairs
            .iter()
            .filter(|(k, _)| k == "units")
            .map(|(_, v)| v.clone())
            .collect(),
    };
    let stored = state.current_programme().await?;
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    match wl::create_item(
        &mut tx,
        &s.principal.work_scope(),
        &stored.spec,
        stored.version.id,
        &form,
        today(),
    )
    .await
    {
        Ok(pid) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/worklist/{pid}")).into_response())
        }
        Err(StorageError::Invalid(errors)) => {
            drop(tx);
            new_page(&state, &s, form, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "work_item.html")]
struct DetailPage {
    l: Layout,
    row: Row,
    reports: Vec<wl::Report>,
    notices: Vec<Notice>,
    my_units: Vec<wl::ItemUnit>,
    is_office: bool,
    message: String,
    errors: FieldErrors,
    accepted: &'static str,
}

impl DetailPage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, self.l.t, f)
    }
}

async fn detail_page(
    state: &AppState,
    s: &Signed,
    id: &str,
    message: String,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    s.can(Action::ReadProgramme)?;
    let t = s.t();
    let item = wl::item(&state.db, id).await?;
    let scope = s.principal.work_scope();
    let my_units = if item.status == ItemStatus::Open {
        wl::acting_units(&state.db, &scope, &item).await?
    } else {
        vec![]
    };
    let reports = wl::reports(&state.db, &item).await?;
    let notices = wl::notices(&state.db, Some(&item)).await?;
    let row = rows(state, vec![item], t)
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    let mut r = render(DetailPage {
        l: Layout::new(&s.ctx, &row.item.title),
        row,
        reports,
        notices,
        my_units,
        is_office: scope.is_office(),
        message,
        errors,
        accepted: shoumi_domain::files::ACCEPTED,
    })?;
    *r.status_mut() = status;
    Ok(r)
}

pub async fn detail(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> AppResult<Response> {
    let message = q.message(s.t());
    detail_page(
        &state,
        &s,
        &id,
        message,
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn refused_or(
    state: &AppState,
    s: &Signed,
    id: &str,
    e: StorageError,
) -> AppResult<Response> {
    let (message, errors, status) = super::refusal(e, s.t())?;
    detail_page(state, s, id, message, errors, status).await
}

/// A progress report, with an optional file, from a unit that owns the item.
pub async fn file_report(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    mp: Multipart,
) -> AppResult<Response> {
    s.can(Action::ReadProgramme)?;
    let t = s.t();
    let upload = super::Upload::read(&s.ctx, mp).await?;
    let form = wl::ReportForm {
        unit: upload.field("unit"),
        content: upload.field("content"),
        figures: upload.field("figures"),
        claims_done: upload.field("claims_done"),
    };
    let file = upload.file;
    let item = wl::item(&state.db, &id).await?;
    let checked = match &file {
        Some((name, bytes)) => match shoumi_domain::files::check_upload(
            name,
            bytes,
            shoumi_domain::files::MAX_EVIDENCE_BYTES,
        ) {
            Ok(c) => Some(c),
            Err(e) => {
                return detail_page(
                    &state,
                    &s,
                    &id,
                    t.pick(&e.zh, &e.en).to_string(),
                    FieldErrors::default(),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
        },
        None => None,
    };
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    let result = async {
        let (_, report_id) =
            wl::file_report(&mut tx, &s.principal.work_scope(), &item, &form, today()).await?;
        if let (Some(c), Some((_, bytes))) = (&checked, file) {
            wl::attach_report_file(&mut tx, &item, report_id, c, bytes).await?;
        }
        Ok::<(), StorageError>(())
    }
    .await;
    match result {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/worklist/{id}?saved=1")).into_response())
        }
        Err(e) => {
            drop(tx);
            refused_or(&state, &s, &id, e).await
        }
    }
}

#[derive(serde::Deserialize, Default)]
pub struct ReviewForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reasons: String,
}

pub async fn review(
    State(state): State<AppState>,
    s: Signed,
    Path((id, report)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ReviewForm>,
) -> AppResult<Response> {
    s.can(Action::ReadProgramme)?;
    let item = wl::item(&state.db, &id).await?;
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    let accept = form.decision == "accept";
    match wl::review_report(
        &mut tx,
        &s.principal.work_scope(),
        &item,
        &report,
        accept,
        &form.reasons,
    )
    .await
    {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/worklist/{id}?saved=1")).into_response())
        }
        Err(e) => {
            drop(tx);
            refused_or(&state, &s, &id, e).await
        }
    }
}

#[derive(serde::Deserialize, Default)]
pub struct ReasonsForm {
    #[serde(default)]
    reasons: String,
}

pub async fn cancel(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ReasonsForm>,
) -> AppResult<Response> {
    s.can(Action::ReadProgramme)?;
    wl::item(&state.db, &id).await?;
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    match wl::cancel_item(&mut tx, &s.principal.work_scope(), &id, &form.reasons).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/worklist/{id}?saved=1")).into_response())
        }
        Err(e) => {
            drop(tx);
            refused_or(&state, &s, &id, e).await
        }
    }
}

pub async fn download(
    State(state): State<AppState>,
    s: Signed,
    Path((id, file)): Path<(String, String)>,
) -> AppResult<Response> {
    s.can(Action::ReadProgramme)?;
    let item = wl::item(&state.db, &id).await?;
    let (meta, bytes) = wl::report_file(&state.db, &item, &file).await?;
    Ok(super::demonstration::attachment(&meta, bytes))
}

// ---------------------------------------------------------------------------------------------
// Supervision

#[derive(Template)]
#[template(path = "supervision.html")]
struct SupervisionPage {
    l: Layout,
    rows: Vec<Row>,
    notices: Vec<Notice>,
    late: Vec<bool>,
    is_office: bool,
    units: Vec<(String, String)>,
    form: NoticeForm,
    errors: FieldErrors,
    reply_days: u32,
}

impl SupervisionPage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, self.l.t, f)
    }
}

async fn supervision_page(
    state: &AppState,
    s: &Signed,
    form: NoticeForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    s.can(Action::ReadProgramme)?;
    let t = s.t();
    let stored = state.current_programme().await?;
    let cal = state.calendar().await?;
    let today = today();
    let listed = wl::supervision_list(&state.db, &cal, &stored.spec.supervision, today).await?;
    let rows = rows(state, listed.into_iter().map(|(i, _)| i).collect(), t).await?;
    let notices = wl::notices(&state.db, None).await?;
    let late = notices.iter().map(|n| n.late(today)).collect();
    let units = orgs::units(&state.db, &Default::default())
        .await?
        .into_iter()
        .map(|u| (u.public_id, u.short_name.unwrap_or(u.name)))
        .collect();
    let has_errors = !errors.is_empty();
    let mut r = render(SupervisionPage {
        l: Layout::new(&s.ctx, t.s("work.supervision")),
        rows,
        notices,
        late,
        is_office: s.principal.work_scope().is_office(),
        units,
        form,
        errors,
        reply_days: stored.spec.supervision.notice_reply_working_days,
    })?;
    if has_errors {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

/// The supervised items and every notice, as a workbook with a sheet each.
pub async fn supervision_export(State(state): State<AppState>, s: Signed) -> AppResult<Response> {
    s.can(Action::ReadProgramme)?;
    let t = s.t();
    let stored = state.current_programme().await?;
    let cal = state.calendar().await?;
    let today = today();
    let listed = wl::supervision_list(&state.db, &cal, &stored.spec.supervision, today).await?;
    let rows = rows(&state, listed.into_iter().map(|(i, _)| i).collect(), t).await?;
    let notices = wl::notices(&state.db, None).await?;
    let bytes = shoumi_exchange::export_workbook(&[
        shoumi_exchange::Sheet {
            name: t.s("work.supervised_items"),
            headers: vec![
                t.s("work.item"),
                t.s("report.task"),
                t.s("report.units"),
                t.s("report.deadline"),
                t.s("work.last_activity"),
                t.s("work.flags"),
            ],
            rows: rows
                .iter()
                .map(|r| {
                    vec![
                        r.item.title.clone(),
                        r.task.clone(),
                        r.item.unit_names(),
                        r.item.deadline.to_string(),
                        r.item.last_activity.to_string(),
                        r.flags.join("；"),
                    ]
                })
                .collect(),
        },
        shoumi_exchange::Sheet {
            name: t.s("work.notices"),
            headers: vec![
                t.s("work.number"),
                t.s("work.item"),
                t.s("work.to_unit"),
                t.s("work.issued_on"),
                t.s("work.reply_by"),
                t.s("report.status"),
                t.s("work.notice_content"),
                t.s("work.reply"),
            ],
            rows: notices
                .iter()
                .map(|n| {
                    vec![
                        n.number.clone(),
                        n.item_title.clone().unwrap_or_default(),
                        n.unit_name.clone(),
                        n.issued_on.clone(),
                        n.reply_by.clone(),
                        format!(
                            "{}{}",
                            n.status.label(t.en()),
                            if n.late(today) { " ⚑" } else { "" }
                        ),
                        n.content.clone(),
                        n.reply.clone(),
                    ]
                })
                .collect(),
        },
    ]);
    Ok(super::enterprises::download(
        bytes,
        "supervision",
        shoumi_exchange::Format::Xlsx,
    ))
}

pub async fn supervision(State(state): State<AppState>, s: Signed) -> AppResult<Response> {
    supervision_page(&state, &s, NoticeForm::default(), FieldErrors::default()).await
}

pub async fn issue(
    State(state): State<AppState>,
    s: Signed,
    CsrfForm(form): CsrfForm<NoticeForm>,
) -> AppResult<Response> {
    s.can(Action::ManageProgramme)?;
    let stored = state.current_programme().await?;
    let cal = state.calendar().await?;
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    match wl::issue_notice(
        &mut tx,
        &s.principal.work_scope(),
        &cal,
        &stored.spec.supervision,
        &form,
        today(),
    )
    .await
    {
        Ok(pid) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/supervision/notices/{pid}")).into_response())
        }
        Err(StorageError::Invalid(errors)) => {
            drop(tx);
            supervision_page(&state, &s, form, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage {
    l: Layout,
    n: Notice,
    late: bool,
    may_reply: bool,
    is_office: bool,
    message: String,
    errors: FieldErrors,
}

impl NoticePage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, self.l.t, f)
    }
}

async fn notice_view(
    state: &AppState,
    s: &Signed,
    id: &str,
    message: String,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    s.can(Action::ReadProgramme)?;
    let n = wl::notice(&state.db, id).await?;
    let scope = s.principal.work_scope();
    let may_reply =
        n.status == NoticeStatus::Issued && wl::acts_for_unit(&state.db, &scope, n.unit_id).await?;
    let mut r = render(NoticePage {
        l: Layout::new(&s.ctx, &n.number),
        late: n.late(today()),
        n,
        may_reply,
        is_office: scope.is_office(),
        message,
        errors,
    })?;
    *r.status_mut() = status;
    Ok(r)
}

pub async fn notice_page(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> AppResult<Response> {
    let message = q.message(s.t());
    notice_view(
        &state,
        &s,
        &id,
        message,
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(serde::Deserialize, Default)]
pub struct ReplyForm {
    #[serde(default)]
    reply: String,
}

async fn notice_refused(
    state: &AppState,
    s: &Signed,
    id: &str,
    e: StorageError,
) -> AppResult<Response> {
    let (message, errors, status) = super::refusal(e, s.t())?;
    notice_view(state, s, id, message, errors, status).await
}

pub async fn reply(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ReplyForm>,
) -> AppResult<Response> {
    s.can(Action::ReadProgramme)?;
    let n = wl::notice(&state.db, &id).await?;
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    match wl::reply_notice(&mut tx, &s.principal.work_scope(), &n, &form.reply, today()).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/supervision/notices/{id}?saved=1")).into_response())
        }
        Err(e) => {
            drop(tx);
            notice_refused(&state, &s, &id, e).await
        }
    }
}

pub async fn close(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ReviewForm>,
) -> AppResult<Response> {
    s.can(Action::ReadProgramme)?;
    let n = wl::notice(&state.db, &id).await?;
    let stored = state.current_programme().await?;
    let cal = state.calendar().await?;
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    match wl::close_notice(
        &mut tx,
        &s.principal.work_scope(),
        &cal,
        &stored.spec.supervision,
        &n,
        form.decision == "accept",
        &form.reasons,
        today(),
    )
    .await
    {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/supervision/notices/{id}?saved=1")).into_response())
        }
        Err(e) => {
            drop(tx);
            notice_refused(&state, &s, &id, e).await
        }
    }
}
