//! Demonstration-unit applications (示范创建): the list, a new application, the detail page with
//! the steps the reader may take, evidence files, assessors and their score sheets, and
//! publicity objections.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use shoumi_domain::demonstration::{Stage, Step, StepBy};
use shoumi_domain::programme::DemoType;
use shoumi_domain::{ApplicationScope, FieldErrors};
use shoumi_storage::StorageError;
use shoumi_storage::demonstration::{
    self as demo, Application, ListQuery, NewApplication, ObjectionForm, StepForm,
};

use super::{Layout, Pager, SavedQuery, field_error, local, render};
use crate::auth::{CsrfForm, Signed};
use crate::error::{AppError, AppResult};
use crate::i18n::T;
use crate::{AppState, Routes};

pub fn routes(r: Routes) -> Routes {
    r.get("/demonstration", list)
        .get("/demonstration/export", export)
        .get("/demonstration/new", new_form)
        .post("/demonstration/new", create)
        .get("/demonstration/{id}", detail)
        .post("/demonstration/{id}/step", step)
        .post("/demonstration/{id}/files", upload)
        .get("/demonstration/{id}/files/{file}", download)
        .post("/demonstration/{id}/assessors", assign)
        .get("/demonstration/{id}/score", score_form)
        .post("/demonstration/{id}/score", save_score)
        .post("/demonstration/{id}/objections", add_objection)
        .post(
            "/demonstration/{id}/objections/{objection}",
            resolve_objection,
        )
}

/// The application scope, or 403 for someone who can see none (anonymous is handled by Signed).
fn scope_of(s: &Signed) -> Result<ApplicationScope, AppError> {
    let scope = s.principal.application_scope();
    if scope.is_empty() {
        return Err(AppError::Forbidden);
    }
    Ok(scope)
}

/// Whether the reader may apply for anything (the office, towns, stations, enterprise admins).
fn may_apply(scope: &ApplicationScope, s: &Signed) -> bool {
    scope.is_office()
        || !scope.area_divisions().is_empty()
        || !scope.area_zones().is_empty()
        || !scope.stations().is_empty()
        || s.principal
            .grants
            .iter()
            .any(|g| g.role == shoumi_domain::Role::EnterpriseAdmin)
}

#[derive(Template)]
#[template(path = "demonstration_list.html")]
struct ListPage {
    l: Layout,
    rows: Vec<Application>,
    q: ListQuery,
    pager: Pager,
    stages: Vec<(&'static str, &'static str)>,
    types: Vec<(&'static str, &'static str)>,
    can_apply: bool,
    export_query: String,
}

fn stage_options(t: T) -> Vec<(&'static str, &'static str)> {
    Stage::ALL
        .iter()
        .map(|s| (s.as_str(), s.label(t.en())))
        .collect()
}

fn type_options(t: T) -> Vec<(&'static str, &'static str)> {
    DemoType::ALL
        .iter()
        .map(|s| (s.as_str(), s.label(t.en())))
        .collect()
}

pub async fn list(
    State(state): State<AppState>,
    s: Signed,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let scope = scope_of(&s)?;
    let t = s.t();
    let (rows, total) = demo::list(&state.db, &scope, &q, None).await?;
    let base = [
        ("stage", q.stage.clone()),
        ("unit_type", q.unit_type.clone()),
        ("q", q.q.clone()),
    ];
    let export_query = serde_urlencoded::to_string(
        base.iter()
            .filter(|(_, v)| !v.is_empty())
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default();
    render(ListPage {
        l: Layout::new(&s.ctx, t.s("demo.title")),
        pager: Pager::new(&base, q.page.unwrap_or(1).max(1), demo::PAGE_SIZE, total),
        rows,
        stages: stage_options(t),
        types: type_options(t),
        can_apply: may_apply(&scope, &s),
        export_query,
        q,
    })
}

/// Every application the reader may see (with the list's filters) as XLSX.
pub async fn export(
    State(state): State<AppState>,
    s: Signed,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let scope = scope_of(&s)?;
    let t = s.t();
    let (rows, _) = demo::list(&state.db, &scope, &q, Some(100_000)).await?;
    let headers = [
        t.s("report.type"),
        t.s("report.name"),
        t.s("report.area"),
        t.s("report.stage"),
        t.s("demo.submitted_on"),
        t.s("demo.score"),
        t.s("demo.publicity"),
        t.s("report.number"),
        t.s("report.designated_on"),
        t.s("report.valid_until"),
        t.s("common.updated"),
    ];
    let data: Vec<Vec<String>> = rows
        .iter()
        .map(|a| {
            vec![
                a.unit_type.label(t.en()).to_string(),
                a.subject_name.clone(),
                a.area(),
                a.stage.label(t.en()).to_string(),
                a.submitted_on.clone().unwrap_or_default(),
                a.score_text(),
                match (&a.publicity_start, &a.publicity_end) {
                    (Some(s), Some(e)) => format!("{s} — {e}"),
                    _ => String::new(),
                },
                a.designation_number.clone().unwrap_or_default(),
                a.designated_on.clone().unwrap_or_default(),
                a.valid_until.clone().unwrap_or_default(),
                local(a.updated_at),
            ]
        })
        .collect();
    Ok(super::enterprises::download(
        shoumi_exchange::export_table_xlsx(t.s("demo.title"), &headers, &data),
        "demonstration",
        shoumi_exchange::Format::Xlsx,
    ))
}

#[derive(Template)]
#[template(path = "demonstration_new.html")]
struct NewPage {
    l: Layout,
    form: NewApplication,
    errors: FieldErrors,
    types: Vec<(&'static str, &'static str)>,
    candidates: Vec<(String, String)>,
    chosen_type: String,
}

impl NewPage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, self.l.t, f)
    }
}

#[derive(serde::Deserialize, Default)]
pub struct TypeQuery {
    #[serde(default)]
    unit_type: String,
}

async fn new_page(
    state: &AppState,
    s: &Signed,
    scope: &ApplicationScope,
    form: NewApplication,
    errors: FieldErrors,
) -> AppResult<Response> {
    let t = s.t();
    let ty = DemoType::parse(&form.unit_type).unwrap_or(DemoType::Enterprise);
    let candidates = demo::candidates(&state.db, scope, ty).await?;
    let has_errors = !errors.is_empty();
    let mut r = render(NewPage {
        l: Layout::new(&s.ctx, t.s("demo.new")),
        chosen_type: ty.as_str().to_string(),
        form,
        errors,
        types: type_options(t),
        candidates,
    })?;
    if has_errors {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn new_form(
    State(state): State<AppState>,
    s: Signed,
    Query(q): Query<TypeQuery>,
) -> AppResult<Response> {
    let scope = scope_of(&s)?;
    if !may_apply(&scope, &s) {
        return Err(AppError::Forbidden);
    }
    let form = NewApplication {
        unit_type: q.unit_type,
        ..Default::default()
    };
    new_page(&state, &s, &scope, form, FieldErrors::default()).await
}

pub async fn create(
    State(state): State<AppState>,
    s: Signed,
    CsrfForm(form): CsrfForm<NewApplication>,
) -> AppResult<Response> {
    let scope = scope_of(&s)?;
    if !may_apply(&scope, &s) {
        return Err(AppError::Forbidden);
    }
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    match demo::create(&mut tx, &scope, &form, demo::today()).await {
        Ok(pid) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/demonstration/{pid}")).into_response())
        }
        Err(StorageError::Invalid(errors)) => {
            drop(tx);
            new_page(&state, &s, &scope, form, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A step the reader may take, with the fields it asks for.
pub struct StepView {
    pub step: Step,
    pub label: &'static str,
    pub reasons: bool,
    pub date: bool,
    pub number: bool,
    pub rectify_by: bool,
    pub danger: bool,
}

#[derive(Template)]
#[template(path = "demonstration.html")]
struct DetailPage {
    l: Layout,
    a: Application,
    events: Vec<demo::Event>,
    files: Vec<demo::FileMeta>,
    assessors: Vec<demo::Assessor>,
    candidates: Vec<(String, String)>,
    objections: Vec<demo::Objection>,
    steps: Vec<StepView>,
    is_office: bool,
    may_upload: bool,
    message: String,
    errors: FieldErrors,
    accepted: &'static str,
    today: String,
    tomorrow: String,
}

impl DetailPage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, self.l.t, f)
    }
    fn origin_key(&self) -> &'static str {
        match self.a.origin.as_str() {
            "enterprise" => "demo.origin_enterprise",
            "station" => "demo.origin_station",
            "office" => "demo.origin_office",
            _ => "demo.origin_town",
        }
    }
    fn purpose_key(&self, f: &demo::FileMeta) -> &'static str {
        match f.purpose.as_str() {
            "assessment" => "demo.purpose_assessment",
            "office" => "demo.purpose_office",
            _ => "demo.purpose_application",
        }
    }
}

fn steps_for(scope: &ApplicationScope, a: &Application, t: T) -> Vec<StepView> {
    let subject = a.subject();
    a.stage
        .steps()
        .into_iter()
        .filter(|st| match st.by() {
            StepBy::Applicant => scope.can_apply_for(&subject),
            StepBy::FirstReviewer => scope.can_first_review(&subject),
            StepBy::Office => scope.is_office(),
        })
        .map(|st| StepView {
            step: st,
            label: st.label(t.en()),
            reasons: st.needs_reasons() || matches!(st, Step::Recommend | Step::Keep),
            date: matches!(st, Step::OpenPublicity | Step::Designate | Step::Revoke),
            number: st == Step::Designate,
            rectify_by: st == Step::Rectify,
            danger: matches!(
                st,
                Step::Reject
                    | Step::Revoke
                    | Step::FailAssessment
                    | Step::FailPublicity
                    | Step::Withdraw
            ),
        })
        .collect()
}

async fn detail_page(
    state: &AppState,
    s: &Signed,
    id: &str,
    message: String,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let scope = scope_of(s)?;
    let t = s.t();
    let a = demo::get(&state.db, &scope, id).await?;
    let steps = steps_for(&scope, &a, t);
    let may_upload = scope.is_office()
        || (a.assigned && a.stage == Stage::Assessing)
        || (scope.can_apply_for(&a.subject())
            && matches!(a.stage, Stage::Draft | Stage::Returned | Stage::Submitted));
    let candidates = if scope.is_office() && a.stage == Stage::Assessing {
        demo::assessor_candidates(&state.db).await?
    } else {
        vec![]
    };
    let mut r = render(DetailPage {
        l: Layout::new(&s.ctx, &a.subject_name),
        events: demo::events(&state.db, &a).await?,
        files: demo::files(&state.db, &scope, &a).await?,
        assessors: demo::assessors(&state.db, &a).await?,
        objections: demo::objections(&state.db, &a).await?,
        candidates,
        steps,
        is_office: scope.is_office(),
        may_upload,
        message,
        errors,
        accepted: shoumi_domain::files::ACCEPTED,
        today: demo::today().to_string(),
        tomorrow: demo::today()
            .succ_opt()
            .map(|d| d.to_string())
            .unwrap_or_default(),
        a,
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

/// Shows a refused or invalid write on the detail page; other errors pass on.
async fn refused_or(
    state: &AppState,
    s: &Signed,
    id: &str,
    e: StorageError,
) -> AppResult<Response> {
    let (message, errors, status) = super::refusal(e, s.t())?;
    detail_page(state, s, id, message, errors, status).await
}

fn done(id: &str) -> Response {
    Redirect::to(&format!("/demonstration/{id}?saved=1")).into_response()
}

pub async fn step(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<StepForm>,
) -> AppResult<Response> {
    let scope = scope_of(&s)?;
    let calendar = state.calendar().await?;
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    match demo::step(&mut tx, &scope, &calendar, &id, &form, demo::today()).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(done(&id))
        }
        Err(e) => {
            drop(tx);
            refused_or(&state, &s, &id, e).await
        }
    }
}

pub async fn upload(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    mp: Multipart,
) -> AppResult<Response> {
    let scope = scope_of(&s)?;
    let t = s.t();
    let file = super::Upload::read(&s.ctx, mp).await?.file;
    let (name, bytes) = file.unwrap_or_default();
    let checked = match shoumi_domain::files::check_upload(
        &name,
        &bytes,
        shoumi_domain::files::MAX_EVIDENCE_BYTES,
    ) {
        Ok(c) => c,
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
    };
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    match demo::attach(&mut tx, &scope, &id, &checked, bytes).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(done(&id))
        }
        Err(e) => {
            drop(tx);
            refused_or(&state, &s, &id, e).await
        }
    }
}

/// Serves an evidence file as an attachment with its checked type (never HTML or a program),
/// its digests in headers, and no sniffing.
pub async fn download(
    State(state): State<AppState>,
    s: Signed,
    Path((_id, file)): Path<(String, String)>,
) -> AppResult<Response> {
    let scope = scope_of(&s)?;
    let (meta, bytes) = demo::file_content(&state.db, &scope, &file).await?;
    Ok(attachment(&meta, bytes))
}

/// An evidence file as a download: its checked type, `attachment`, no sniffing, a sandboxing
/// CSP, and its SHA-256 and SM3 digests in headers.
pub fn attachment(meta: &demo::FileMeta, bytes: Vec<u8>) -> Response {
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(meta.media_type()),
    );
    let ascii: String = meta
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = url::form_urlencoded::byte_serialize(meta.name.as_bytes()).collect();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        encoded.replace('+', "%20")
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    if let Ok(v) = HeaderValue::from_str(&meta.sha256) {
        h.insert("x-content-sha256", v);
    }
    if let Ok(v) = HeaderValue::from_str(&meta.sm3) {
        h.insert("x-content-sm3", v);
    }
    resp
}

#[derive(serde::Deserialize, Default)]
pub struct AssignForm {
    #[serde(default)]
    assessor: String,
}

pub async fn assign(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<AssignForm>,
) -> AppResult<Response> {
    let scope = scope_of(&s)?;
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    match demo::assign(&mut tx, &scope, &id, &form.assessor).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(done(&id))
        }
        Err(e) => {
            drop(tx);
            refused_or(&state, &s, &id, e).await
        }
    }
}

#[derive(Template)]
#[template(path = "score.html")]
struct ScorePage {
    l: Layout,
    a: Application,
    rows: Vec<demo::SheetRow>,
    errors: FieldErrors,
    message: String,
    editable: bool,
}

impl ScorePage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, self.l.t, f)
    }
    fn total(&self) -> String {
        let sum: i64 = self
            .rows
            .iter()
            .filter_map(|r| shoumi_domain::programme::parse_score(&r.score, r.points).ok())
            .sum();
        shoumi_domain::programme::show_tenths(sum)
    }
}

async fn score_page(
    state: &AppState,
    s: &Signed,
    id: &str,
    submitted: Option<&[(String, String)]>,
    errors: FieldErrors,
    message: String,
) -> AppResult<Response> {
    let scope = scope_of(s)?;
    let t = s.t();
    let a = demo::get(&state.db, &scope, id).await?;
    if !a.assigned {
        return Err(AppError::Forbidden);
    }
    let mut rows = demo::my_sheet(&state.db, &scope, &a, t.en()).await?;
    if let Some(pairs) = submitted {
        for r in &mut rows {
            for (k, v) in pairs {
                if k == &format!("score.{}", r.key) {
                    r.score = v.clone();
                }
                if k == &format!("comment.{}", r.key) {
                    r.comment = v.clone();
                }
            }
        }
    }
    let has_errors = !errors.is_empty();
    let mut resp = render(ScorePage {
        l: Layout::new(
            &s.ctx,
            &format!("{} · {}", a.subject_name, t.s("demo.score_sheet")),
        ),
        editable: a.stage == Stage::Assessing,
        a,
        rows,
        errors,
        message,
    })?;
    if has_errors {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

pub async fn score_form(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> AppResult<Response> {
    let message = q.message(s.t());
    score_page(&state, &s, &id, None, FieldErrors::default(), message).await
}

pub async fn save_score(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let scope = scope_of(&s)?;
    let mut entries: Vec<(String, String, String)> = Vec::new();
    for (k, v) in &pairs {
        if let Some(key) = k.strip_prefix("score.") {
            let comment = pairs
                .iter()
                .find(|(c, _)| c.strip_prefix("comment.") == Some(key))
                .map(|(_, c)| c.clone())
                .unwrap_or_default();
            entries.push((key.to_string(), v.clone(), comment));
        }
    }
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    match demo::save_scores(&mut tx, &scope, &id, &entries).await {
        Ok(()) => {
            tx.commit_if_audited().await?;
            Ok(Redirect::to(&format!("/demonstration/{id}/score?saved=1")).into_response())
        }
        Err(StorageError::Invalid(errors)) => {
            drop(tx);
            let m = s.t().s("common.fix_errors").to_string();
            score_page(&state, &s, &id, Some(&pairs), errors, m).await
        }
        Err(e) => {
            drop(tx);
            refused_or(&state, &s, &id, e).await
        }
    }
}

pub async fn add_objection(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ObjectionForm>,
) -> AppResult<Response> {
    let scope = scope_of(&s)?;
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    match demo::add_objection(&mut tx, &scope, &id, &form, demo::today()).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(done(&id))
        }
        Err(e) => {
            drop(tx);
            refused_or(&state, &s, &id, e).await
        }
    }
}

#[derive(serde::Deserialize, Default)]
pub struct ResolveForm {
    #[serde(default)]
    resolution: String,
    #[serde(default)]
    reasons: String,
}

pub async fn resolve_objection(
    State(state): State<AppState>,
    s: Signed,
    Path((id, objection)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ResolveForm>,
) -> AppResult<Response> {
    let scope = scope_of(&s)?;
    let actor = s.actor();
    let upheld = match form.resolution.as_str() {
        "upheld" => true,
        "dismissed" => false,
        _ => {
            return refused_or(
                &state,
                &s,
                &id,
                StorageError::Invalid(FieldErrors {
                    errors: vec![shoumi_domain::FieldError::required("resolution")],
                    warnings: vec![],
                }),
            )
            .await;
        }
    };
    let mut tx = state.db.begin(&actor).await?;
    match demo::resolve_objection(&mut tx, &scope, &id, &objection, upheld, &form.reasons).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(done(&id))
        }
        Err(e) => {
            drop(tx);
            refused_or(&state, &s, &id, e).await
        }
    }
}
