//! Enterprises: list and search, detail, create and edit, export, import.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use shoumi_domain::{
    Action, EnterpriseForm, EnterpriseSize, EnterpriseStatus, FieldErrors, KeyTag, Relation,
};
use shoumi_exchange::Format as FileFormat;
use shoumi_storage::enterprises::{self, Enterprise, EnterpriseQuery};
use shoumi_storage::orgs::{Division, Zone};
use shoumi_storage::{Page, audit};

use super::{Layout, Pager, field_error, local, render, render_form};
use crate::auth::{CsrfForm, Signed};
use crate::error::{AppError, AppResult};
use crate::{AppState, Routes};

pub fn routes(r: Routes) -> Routes {
    r.get_cached("/enterprises", list)
        .get("/enterprises/new", new)
        .post("/enterprises/new", create)
        .get("/enterprises/export", export)
        .get("/enterprises/import", import_page)
        .post("/enterprises/import", import)
        .post("/enterprises/import/report", import_report)
        .get("/enterprises/{id}", detail)
        .get("/enterprises/{id}/edit", edit)
        .post("/enterprises/{id}/edit", update)
        .post("/enterprises/{id}/archive", archive)
}

pub const PAGE_SIZE: u32 = 50;

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    #[serde(flatten)]
    pub q: EnterpriseQuery,
    #[serde(default)]
    pub page: Option<u32>,
}

pub struct SortLink {
    pub href: String,
    pub label: &'static str,
    pub mark: &'static str,
}

#[derive(Template)]
#[template(path = "enterprises.html")]
struct List {
    l: Layout,
    items: Vec<Enterprise>,
    q: EnterpriseQuery,
    pager: Pager,
    divisions: std::sync::Arc<Vec<Division>>,
    zones: std::sync::Arc<Vec<Zone>>,
    sections: Vec<(char, String)>,
    tags: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    sort_links: Vec<SortLink>,
    export_query: String,
    can_create: bool,
}

impl List {
    fn tags_label(&self, e: &Enterprise) -> String {
        shoumi_domain::enterprise::tags_label(&e.tags, self.l.t.en())
    }
    fn size_label(&self, e: &Enterprise) -> &'static str {
        e.size.map(|s| s.label(self.l.t.en())).unwrap_or("")
    }
}

fn query_pairs(q: &EnterpriseQuery) -> Vec<(&'static str, String)> {
    vec![
        ("q", q.q.clone()),
        ("division", q.division.clone()),
        ("zone", q.zone.clone()),
        ("industry", q.industry.clone()),
        ("tag", q.tag.clone()),
        ("status", q.status.clone()),
        ("sort", q.sort.clone()),
    ]
}

pub async fn list(
    State(state): State<AppState>,
    s: Signed,
    Query(lq): Query<ListQuery>,
) -> AppResult<Response> {
    let scope = s.principal.enterprise_scope();
    if scope.is_empty() {
        return Err(AppError::Forbidden);
    }
    let t = s.t();
    let page = Page::new(lq.page.unwrap_or(1), PAGE_SIZE);
    let (items, total) = enterprises::list_with(
        &state.db,
        &scope,
        &lq.q,
        page,
        enterprises::Columns::Listing,
    )
    .await?;
    let items = items
        .into_iter()
        .map(|e| {
            let rel = s.principal.relation_to(e.id);
            e.view_for(rel)
        })
        .collect();
    let pairs = query_pairs(&lq.q);
    let mut sort_links = Vec::new();
    for (key, label) in [
        ("name", "enterprise.name"),
        ("credit_code", "enterprise.credit_code"),
        ("division", "enterprise.division"),
        ("industry", "enterprise.industry"),
    ] {
        let current = lq.q.sort.trim();
        let (next, mark) = if current == key || (key == "name" && current.is_empty()) {
            (format!("-{key}"), "▲")
        } else if current == format!("-{key}") {
            (key.to_string(), "▼")
        } else {
            (key.to_string(), "")
        };
        let mut p: Vec<(&str, String)> = pairs
            .iter()
            .filter(|(k, v)| *k != "sort" && !v.is_empty())
            .cloned()
            .collect();
        p.push(("sort", next));
        sort_links.push(SortLink {
            href: format!("?{}", serde_urlencoded::to_string(&p).unwrap_or_default()),
            label: t.s(label),
            mark,
        });
    }
    let export_query = serde_urlencoded::to_string(
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .cloned()
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default();
    let cat = shoumi_domain::industry::catalogue();
    render(List {
        l: Layout::new(&s.ctx, t.s("nav.enterprises")),
        items,
        pager: Pager::new(&pairs, page.number, page.size, total),
        divisions: state.reference.get(&state.db).await?.divisions,
        zones: state.reference.get(&state.db).await?.zones,
        sections: cat
            .sections
            .iter()
            .map(|x| {
                (
                    x.code,
                    if t.en() {
                        x.name_en.clone()
                    } else {
                        x.name.clone()
                    },
                )
            })
            .collect(),
        tags: KeyTag::ALL
            .iter()
            .map(|k| (k.as_str(), k.label(t.en())))
            .collect(),
        statuses: EnterpriseStatus::ALL
            .iter()
            .map(|k| (k.as_str(), k.label(t.en())))
            .collect(),
        sort_links,
        export_query,
        can_create: s.principal.enterprise_edit_scope().covers_areas(),
        q: lq.q,
    })
}

pub struct HistoryRow {
    pub at: String,
    pub actor: String,
    pub summary: String,
}

#[derive(Template)]
#[template(path = "enterprise.html")]
struct Detail {
    l: Layout,
    e: Enterprise,
    own: bool,
    can_edit: bool,
    can_archive: bool,
    tags: String,
    size: String,
    status: String,
    updated: String,
    history: Vec<HistoryRow>,
}

pub async fn detail(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let scope = s.principal.enterprise_scope();
    let e = enterprises::get(&state.db, &scope, &id).await?;
    let rel = s.principal.relation_to(e.id);
    let e = e.view_for(rel);
    let t = s.t();
    let can_edit = s
        .principal
        .enterprise_edit_scope()
        .contains(e.id, e.division_id, e.zone_id);
    let history = if can_edit {
        audit::for_entity(&state.db, "enterprise", &e.public_id)
            .await?
            .into_iter()
            .map(|a| HistoryRow {
                at: local(a.at),
                actor: a.actor_name,
                summary: a.summary,
            })
            .collect()
    } else {
        vec![]
    };
    render(Detail {
        l: Layout::new(&s.ctx, &e.name),
        own: rel == Relation::Own,
        can_edit,
        can_archive: s.principal.can(Action::ManageEnterprises).is_some(),
        tags: shoumi_domain::enterprise::tags_label(&e.tags, t.en()),
        size: e
            .size
            .map(|x| x.label(t.en()).to_string())
            .unwrap_or_default(),
        status: e.status.label(t.en()).to_string(),
        updated: local(e.updated_at),
        history,
        e,
    })
}

#[derive(Template)]
#[template(path = "enterprise_form.html")]
struct FormPage {
    l: Layout,
    id: Option<String>,
    form: EnterpriseForm,
    errors: FieldErrors,
    divisions: std::sync::Arc<Vec<Division>>,
    zones: std::sync::Arc<Vec<Zone>>,
    sizes: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    warnings: Vec<String>,
}

impl FormPage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, self.l.t, f)
    }
    /// The free-text fields: (field, label key, value, required).
    fn text_fields(&self) -> Vec<(&'static str, &'static str, String, bool)> {
        let f = &self.form;
        vec![
            ("name", "enterprise.name", f.name.clone(), true),
            (
                "credit_code",
                "enterprise.credit_code",
                f.credit_code.clone(),
                true,
            ),
            (
                "legal_representative",
                "enterprise.legal_representative",
                f.legal_representative.clone(),
                false,
            ),
            ("address", "enterprise.address", f.address.clone(), false),
            (
                "industry",
                "enterprise.industry_code",
                f.industry.clone(),
                true,
            ),
            (
                "contact_name",
                "enterprise.contact_name",
                f.contact_name.clone(),
                false,
            ),
            (
                "contact_phone",
                "enterprise.contact_phone",
                f.contact_phone.clone(),
                false,
            ),
            (
                "contact_email",
                "enterprise.contact_email",
                f.contact_email.clone(),
                false,
            ),
        ]
    }
}

async fn form_page(
    state: &AppState,
    s: &Signed,
    id: Option<String>,
    form: EnterpriseForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let t = s.t();
    let title = if id.is_some() {
        t.s("enterprise.edit")
    } else {
        t.s("enterprise.new")
    };
    let has_errors = !errors.is_empty();
    let warnings = errors
        .warnings
        .iter()
        .map(|w| w.message(t.en()).to_string())
        .collect();
    render_form(
        FormPage {
            l: Layout::new(&s.ctx, title),
            id,
            form,
            errors,
            divisions: state.reference.get(&state.db).await?.divisions,
            zones: state.reference.get(&state.db).await?.zones,
            sizes: EnterpriseSize::ALL
                .iter()
                .map(|k| (k.as_str(), k.label(t.en())))
                .collect(),
            statuses: EnterpriseStatus::ALL
                .iter()
                .map(|k| (k.as_str(), k.label(t.en())))
                .collect(),
            warnings,
        },
        has_errors,
    )
}

fn edit_form(e: &Enterprise) -> EnterpriseForm {
    EnterpriseForm {
        name: e.name.clone(),
        credit_code: e.credit_code.clone(),
        legal_representative: e.legal_representative.clone().unwrap_or_default(),
        address: e.address.clone().unwrap_or_default(),
        division_code: e.division_code.clone(),
        zone_key: e.zone_key.clone().unwrap_or_default(),
        industry: e.industry.clone(),
        size: e.size.map(|x| x.as_str().to_string()).unwrap_or_default(),
        tags: e
            .tags
            .iter()
            .map(|x| x.as_str())
            .collect::<Vec<_>>()
            .join(","),
        contact_name: e.contact_name.clone().unwrap_or_default(),
        contact_phone: e.contact_phone.clone().unwrap_or_default(),
        contact_email: e.contact_email.clone().unwrap_or_default(),
        share_contacts: if e.share_contacts { "1" } else { "0" }.into(),
        status: e.status.as_str().into(),
    }
}

/// Checkbox groups arrive as repeated `tags` fields; fold them into the comma list the form
/// parser takes.
#[derive(serde::Deserialize)]
#[serde(transparent)]
pub struct RawForm(Vec<(String, String)>);

impl RawForm {
    fn into_form(self) -> EnterpriseForm {
        let mut f = EnterpriseForm::default();
        let mut tags = Vec::new();
        for (k, v) in self.0 {
            match k.as_str() {
                "name" => f.name = v,
                "credit_code" => f.credit_code = v,
                "legal_representative" => f.legal_representative = v,
                "address" => f.address = v,
                "division_code" => f.division_code = v,
                "zone_key" => f.zone_key = v,
                "industry" => f.industry = v,
                "size" => f.size = v,
                "tags" => tags.push(v),
                "contact_name" => f.contact_name = v,
                "contact_phone" => f.contact_phone = v,
                "contact_email" => f.contact_email = v,
                "share_contacts" => f.share_contacts = v,
                "status" => f.status = v,
                _ => {}
            }
        }
        f.tags = tags.join(",");
        f
    }
}

fn can_create(s: &Signed) -> bool {
    s.principal.enterprise_edit_scope().covers_areas()
}

pub async fn new(State(state): State<AppState>, s: Signed) -> AppResult<Response> {
    if !can_create(&s) {
        return Err(AppError::Forbidden);
    }
    form_page(
        &state,
        &s,
        None,
        EnterpriseForm::default(),
        FieldErrors::default(),
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    s: Signed,
    CsrfForm(raw): CsrfForm<RawForm>,
) -> AppResult<Response> {
    if !can_create(&s) {
        return Err(AppError::Forbidden);
    }
    let form = raw.into_form();
    let (input, _) = match form.parse() {
        Ok(x) => x,
        Err(errors) => return form_page(&state, &s, None, form, errors).await,
    };
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    match enterprises::create(&mut tx, &s.principal.enterprise_edit_scope(), &input).await {
        Ok(pid) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/enterprises/{pid}")).into_response())
        }
        Err(e) => match AppError::from(e) {
            AppError::Invalid(errors) => form_page(&state, &s, None, form, errors).await,
            other => Err(other),
        },
    }
}

pub async fn edit(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let edit = s.principal.enterprise_edit_scope();
    let e = enterprises::get(&state.db, &edit, &id).await?;
    form_page(&state, &s, Some(id), edit_form(&e), FieldErrors::default()).await
}

pub async fn update(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    CsrfForm(raw): CsrfForm<RawForm>,
) -> AppResult<Response> {
    let edit = s.principal.enterprise_edit_scope();
    let existing = enterprises::get(&state.db, &edit, &id).await?;
    let mut form = raw.into_form();
    // Contacts hidden from a government editor are kept, not erased.
    if s.principal.relation_to(existing.id) == Relation::Government && !existing.share_contacts {
        form.contact_name = existing.contact_name.clone().unwrap_or_default();
        form.contact_phone = existing.contact_phone.clone().unwrap_or_default();
        form.contact_email = existing.contact_email.clone().unwrap_or_default();
        form.share_contacts = "0".into();
    }
    let (input, _) = match form.parse() {
        Ok(x) => x,
        Err(errors) => return form_page(&state, &s, Some(id), form, errors).await,
    };
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    match enterprises::update(&mut tx, &edit, &id, &input).await {
        Ok(()) => {
            // Nothing changed means no audit row and nothing to commit.
            tx.commit_if_audited().await?;
            Ok(Redirect::to(&format!("/enterprises/{id}")).into_response())
        }
        Err(e) => match AppError::from(e) {
            AppError::Invalid(errors) => form_page(&state, &s, Some(id), form, errors).await,
            other => Err(other),
        },
    }
}

pub fn file_format(s: &str) -> FileFormat {
    if s.eq_ignore_ascii_case("csv") {
        FileFormat::Csv
    } else {
        FileFormat::Xlsx
    }
}

/// A file download with an RFC 6266 file name.
pub fn download(bytes: Vec<u8>, stem: &str, format: FileFormat) -> Response {
    let (ext, mime) = match format {
        FileFormat::Csv => ("csv", "text/csv; charset=utf-8"),
        FileFormat::Xlsx => (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    };
    let date = chrono::Utc::now()
        .with_timezone(&shoumi_domain::time::shanghai())
        .format("%Y%m%d");
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{stem}-{date}.{ext}\""))
            .expect("ascii name"),
    );
    resp
}

#[derive(serde::Deserialize, Default)]
pub struct ExportQuery {
    #[serde(flatten)]
    q: EnterpriseQuery,
    #[serde(default)]
    format: String,
}

pub async fn export(
    State(state): State<AppState>,
    s: Signed,
    Query(eq): Query<ExportQuery>,
) -> AppResult<Response> {
    let scope = s.principal.enterprise_scope();
    if scope.is_empty() {
        return Err(AppError::Forbidden);
    }
    let rows = enterprises::list_all(&state.db, &scope, &eq.q).await?;
    let inputs: Vec<_> = rows
        .into_iter()
        .filter_map(|e| {
            let rel = s.principal.relation_to(e.id);
            e.view_for(rel).to_input()
        })
        .collect();
    let format = file_format(&eq.format);
    Ok(download(
        shoumi_exchange::export_enterprises(&inputs, format),
        "enterprises",
        format,
    ))
}

pub struct ReportRow {
    pub row: usize,
    pub column: String,
    pub severity: &'static str,
    pub message: String,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    l: Layout,
    kind: String,
    file_name: String,
    report: Vec<ReportRow>,
    report_json: String,
    summary: String,
    error: String,
}

pub async fn import_page(s: Signed) -> AppResult<Response> {
    s.can(Action::Import)?;
    render(ImportPage {
        l: Layout::new(&s.ctx, s.t().s("import.title")),
        kind: "enterprises".into(),
        file_name: String::new(),
        report: vec![],
        report_json: String::new(),
        summary: String::new(),
        error: String::new(),
    })
}

pub async fn import(
    State(state): State<AppState>,
    s: Signed,
    mp: Multipart,
) -> AppResult<Response> {
    s.can(Action::Import)?;
    let t = s.t();
    let upload = super::Upload::read(&s.ctx, mp).await?;
    let kind = upload
        .fields
        .get("kind")
        .cloned()
        .unwrap_or_else(|| "enterprises".to_string());
    let file = upload.file;
    let mut page = ImportPage {
        l: Layout::new(&s.ctx, t.s("import.title")),
        kind: kind.clone(),
        file_name: String::new(),
        report: vec![],
        report_json: String::new(),
        summary: String::new(),
        error: String::new(),
    };
    let Some((name, data)) = file else {
        page.error = t.s("import.no_file").into();
        let mut r = render(page)?;
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(r);
    };
    page.file_name = name.clone();
    let actor = s.actor();
    let result = match crate::import::import_file(
        &state.db,
        &actor,
        &s.principal,
        &kind,
        &name,
        &data,
    )
    .await
    {
        Ok(r) => r,
        Err(crate::import::ImportError::Storage(e)) => return Err(e.into()),
        Err(crate::import::ImportError::Forbidden) => return Err(AppError::Forbidden),
        Err(e @ crate::import::ImportError::Kind(_)) => {
            return Err(AppError::BadRequest(e.to_string()));
        }
        Err(crate::import::ImportError::Unreadable(e)) => {
            page.error = e.message(t.en());
            let mut r = render(page)?;
            *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(r);
        }
    };
    let has_errors = result
        .problems
        .iter()
        .any(|p| p.severity == shoumi_exchange::Severity::Error);
    page.report = result
        .problems
        .iter()
        .map(|p| ReportRow {
            row: p.row,
            column: p.column.clone(),
            severity: match p.severity {
                shoumi_exchange::Severity::Error => t.s("import.error"),
                shoumi_exchange::Severity::Warning => t.s("import.warning"),
            },
            message: if t.en() {
                p.message_en.clone()
            } else {
                p.message_zh.clone()
            },
        })
        .collect();
    page.report_json = serde_json::to_string(&result.problems).unwrap_or_default();
    page.summary = if has_errors {
        t.s("import.nothing_imported").to_string()
    } else {
        format!(
            "{} {} · {} {} · {} {}",
            t.s("import.created"),
            result.created,
            t.s("import.updated"),
            result.updated,
            t.s("import.unchanged"),
            result.unchanged
        )
    };
    let mut r = render(page)?;
    if has_errors {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

#[derive(serde::Deserialize)]
pub struct ReportForm {
    report: String,
    #[serde(default)]
    lang: String,
}

/// Downloads the row report of a failed import as XLSX (the report travels with the form, so
/// nothing about the rejected file is kept on the server).
pub async fn import_report(s: Signed, CsrfForm(f): CsrfForm<ReportForm>) -> AppResult<Response> {
    s.can(Action::Import)?;
    let problems: Vec<shoumi_exchange::RowProblem> =
        serde_json::from_str(&f.report).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let en = f.lang == "en" || s.t().en();
    Ok(download(
        shoumi_exchange::problems_report_xlsx(&problems, en),
        "import-report",
        FileFormat::Xlsx,
    ))
}

/// Removes an enterprise from the register (archived, never deleted: its history stays).
pub async fn archive(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<super::public::Empty>,
) -> AppResult<Response> {
    s.can(Action::ManageEnterprises)?;
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    enterprises::archive(&mut tx, &s.principal.enterprise_edit_scope(), &id).await?;
    tx.commit().await?;
    Ok(Redirect::to("/enterprises").into_response())
}
