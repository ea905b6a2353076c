//! Server-rendered pages. One template struct per page; the layout (navigation per role,
//! language switch, CSRF token) is built once from the request context.

pub mod account;
pub mod admin;
pub mod assessment;
pub mod demonstration;
pub mod enterprises;
pub mod home;
pub mod inbox;
pub mod ops;
pub mod orgs;
pub mod programme;
pub mod public;
pub mod stations;
pub mod worklist;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use shoumi_domain::{Action, FieldErrors, Timestamp};

use crate::Routes;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::i18n::T;

pub fn routes(r: Routes) -> Routes {
    let r = public::routes(r);
    let r = home::routes(r);
    let r = orgs::routes(r);
    let r = enterprises::routes(r);
    let r = programme::routes(r);
    let r = demonstration::routes(r);
    let r = stations::routes(r);
    let r = worklist::routes(r);
    let r = assessment::routes(r);
    let r = inbox::routes(r);
    let r = admin::routes(r);
    account::routes(r)
}

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

/// What every page's frame needs.
pub struct Layout {
    pub t: T,
    pub title: String,
    pub user: Option<String>,
    pub roles: String,
    pub nav: Vec<NavItem>,
    pub csrf: String,
    pub switch_href: String,
    pub switch_label: &'static str,
}

impl Layout {
    pub fn new(ctx: &Ctx, title: &str) -> Layout {
        let t = ctx.t();
        let mut nav = Vec::new();
        let mut item = |href: &'static str, key: &'static str| {
            let active = if href == "/home" {
                ctx.path == "/home"
            } else {
                ctx.path.starts_with(href)
            };
            nav.push(NavItem {
                href,
                label: t.s(key),
                active,
            });
        };
        if let Some(p) = &ctx.principal {
            item("/home", "nav.home");
            let scope = p.enterprise_scope();
            if !scope.is_empty() {
                if scope.is_single_own() {
                    item("/enterprises", "nav.my_enterprise");
                } else {
                    item("/enterprises", "nav.enterprises");
                }
            }
            if p.can(Action::Import).is_some() {
                item("/enterprises/import", "nav.import");
            }
            if p.can(Action::ReadProgramme).is_some() {
                item("/dashboard", "nav.dashboard");
                item("/programme", "nav.programme");
            }
            if !p.application_scope().is_empty() {
                item("/demonstration", "nav.demonstration");
            }
            if p.can(Action::ReadProgramme).is_some() {
                item("/worklist", "nav.worklist");
                item("/supervision", "nav.supervision");
                item("/stations", "nav.stations");
                item("/assessment", "nav.assessment");
            }
            item("/inbox", "nav.inbox");
            if p.can(Action::RegisterEvidence).is_some() || p.can(Action::ReadLedger).is_some() {
                item("/evidence", "nav.ledger");
            }
            if p.can(Action::ReadOrganisations).is_some() {
                item("/divisions", "nav.divisions");
                item("/units", "nav.units");
                item("/task-force", "nav.task_force");
            }
            if p.can(Action::ManageUsers).is_some() {
                item("/users", "nav.users");
            }
            if p.can(Action::ReadAudit).is_some() {
                item("/audit", "nav.audit");
            }
            item("/account", "nav.account");
        }
        let roles = ctx
            .principal
            .as_ref()
            .map(|p| {
                p.roles()
                    .iter()
                    .map(|r| r.label(t.en()))
                    .collect::<Vec<_>>()
                    .join(" · ")
            })
            .unwrap_or_default();
        let other = ctx.lang.other();
        let back = serde_urlencoded::to_string([("back", ctx.path.as_str())]).unwrap_or_default();
        Layout {
            t,
            title: title.to_string(),
            user: ctx.principal.as_ref().map(|p| p.display_name.clone()),
            roles,
            nav,
            csrf: ctx.csrf(),
            switch_href: format!("/lang/{}?{back}", if other.is_en() { "en" } else { "zh" }),
            switch_label: if other.is_en() { "English" } else { "中文" },
        }
    }
}

/// `?saved=1` after a write that redirects back to its page (post/redirect/get).
#[derive(serde::Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    pub saved: String,
}

impl SavedQuery {
    pub fn is_saved(&self) -> bool {
        !self.saved.is_empty()
    }
    /// The "saved" notice, or "".
    pub fn message(&self, t: T) -> String {
        if self.is_saved() {
            t.s("common.saved").to_string()
        } else {
            String::new()
        }
    }
}

/// How a page shows a write that storage refused: a refusal (a step the rules do not allow now)
/// as its reason with 409, invalid input as the field messages with 422. Anything else is an
/// error page.
pub fn refusal(
    e: shoumi_storage::StorageError,
    t: T,
) -> Result<(String, FieldErrors, StatusCode), AppError> {
    match e {
        shoumi_storage::StorageError::Refused { zh, en } => Ok((
            t.pick(&zh, &en).to_string(),
            FieldErrors::default(),
            StatusCode::CONFLICT,
        )),
        shoumi_storage::StorageError::Invalid(errors) => Ok((
            t.s("common.fix_errors").to_string(),
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        other => Err(other.into()),
    }
}

/// A multipart form: its text fields and its one file (`file`), after the CSRF check.
pub struct Upload {
    pub fields: std::collections::HashMap<String, String>,
    /// (file name, bytes); None when no file or an empty one was sent.
    pub file: Option<(String, Vec<u8>)>,
}

impl Upload {
    pub async fn read(
        ctx: &crate::auth::Ctx,
        mut mp: axum::extract::Multipart,
    ) -> Result<Upload, AppError> {
        let bad = |e: axum::extract::multipart::MultipartError| AppError::BadRequest(e.to_string());
        let mut fields = std::collections::HashMap::new();
        let mut file = None;
        while let Some(field) = mp.next_field().await.map_err(bad)? {
            let name = field.name().unwrap_or("").to_string();
            if name == "file" {
                let fname = field.file_name().unwrap_or("").to_string();
                let data = field.bytes().await.map_err(bad)?;
                if !data.is_empty() {
                    file = Some((fname, data.to_vec()));
                }
            } else {
                fields.insert(name, field.text().await.map_err(bad)?);
            }
        }
        crate::auth::check_csrf(ctx, fields.get("_csrf").map(String::as_str).unwrap_or(""))?;
        Ok(Upload { fields, file })
    }

    pub fn field(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }
}

/// Renders a template into a response.
pub fn render(t: impl Template) -> Result<Response, AppError> {
    t.render()
        .map(|html| Html(html).into_response())
        .map_err(|e| AppError::Internal(format!("template: {e}")))
}

/// Renders a form page: 422 when it is shown again because of errors, so that clients and
/// tests can tell a refused submission from a fresh form.
pub fn render_form(t: impl Template, has_errors: bool) -> Result<Response, AppError> {
    let mut r = render(t)?;
    if has_errors {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

/// A list as an XLSX download (`stem-YYYYMMDD.xlsx`).
pub fn xlsx(sheet: &str, headers: &[&str], rows: &[Vec<String>], stem: &str) -> Response {
    enterprises::download(
        shoumi_exchange::export_table_xlsx(sheet, headers, rows),
        stem,
        shoumi_exchange::Format::Xlsx,
    )
}

/// Shows a time stored in UTC in Asia/Shanghai.
pub fn local(t: impl std::borrow::Borrow<i64>) -> String {
    Timestamp(*t.borrow()).display_local()
}

pub fn local_opt(t: Option<i64>) -> String {
    t.map(local).unwrap_or_default()
}

/// The message for one field, in the page's language, or "".
pub fn field_error(errors: &FieldErrors, t: T, field: &str) -> String {
    errors
        .for_field(field)
        .map(|e| e.message(t.en()).to_string())
        .unwrap_or_default()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    l: Layout,
    status: u16,
    heading: String,
    message: String,
}

/// The 403/404/500 page in the caller's language.
pub fn error_page(ctx: Option<&Ctx>, status: StatusCode) -> Response {
    let fallback;
    let ctx = match ctx {
        Some(c) => c,
        None => {
            fallback = Ctx {
                principal: None,
                session: None,
                token_scope: None,
                lang: Default::default(),
                ip: String::new(),
                request_id: String::new(),
                is_api: false,
                path: String::new(),
                pre_csrf: None,
            };
            &fallback
        }
    };
    let t = ctx.t();
    let key = match status.as_u16() {
        401 => "401",
        403 => "403",
        404 => "404",
        429 => "429",
        409 => "409",
        400 | 413 => "400",
        _ => "500",
    };
    let page = ErrorPage {
        l: Layout::new(ctx, t.s(&format!("error.{key}.title"))),
        status: status.as_u16(),
        heading: t.s(&format!("error.{key}.title")).to_string(),
        message: t.s(&format!("error.{key}.message")).to_string(),
    };
    let html = page.render().unwrap_or_else(|_| "error".into());
    (status, Html(html)).into_response()
}

pub async fn not_found() -> AppError {
    AppError::NotFound
}

/// Pagination links for list pages.
pub struct Pager {
    pub page: u32,
    pub pages: u32,
    pub total: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    pub fn new(base_query: &[(&str, String)], page: u32, size: u32, total: i64) -> Pager {
        let pages = ((total.max(0) as u64).div_ceil(size.max(1) as u64)).max(1) as u32;
        let link = |p: u32| {
            let mut q: Vec<(&str, String)> = base_query
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .cloned()
                .collect();
            q.push(("page", p.to_string()));
            format!("?{}", serde_urlencoded::to_string(&q).unwrap_or_default())
        };
        Pager {
            page,
            pages,
            total,
            prev: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
        }
    }
}
