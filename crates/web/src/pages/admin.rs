//! Administration: users and their roles, and the audit trail.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use shoumi_domain::{Action, FieldError, FieldErrors, Role, Scope};
use shoumi_storage::audit::{self, AuditEntry, AuditQuery};
use shoumi_storage::orgs::{self, Division, Unit, UnitQuery, Zone};
use shoumi_storage::users::{self, GrantRow, NewUser, User};
use shoumi_storage::{Db, Page};

use super::{Layout, Pager, field_error, local, local_opt, render, render_form};
use crate::auth::{CsrfForm, Signed};
use crate::error::{AppError, AppResult};
use crate::{AppState, Routes};

pub fn routes(r: Routes) -> Routes {
    r.get("/users", list)
        .get("/users/export", users_export)
        .get("/users/new", new)
        .post("/users/new", create)
        .get("/users/{id}", detail)
        .post("/users/{id}/grants", grant)
        .post("/users/{id}/grants/{grant}/revoke", revoke)
        .post("/users/{id}/reset-password", reset_password)
        .post("/users/{id}/disable", disable)
        .post("/users/{id}/enable", enable)
        .get("/audit", audit_list)
        .get("/audit/export", audit_export)
}

pub struct UserRow {
    pub u: User,
    pub roles: String,
    pub last_login: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct Users {
    l: Layout,
    rows: Vec<UserRow>,
}

async fn user_rows(state: &AppState, s: &Signed) -> AppResult<Vec<UserRow>> {
    let cap = s.can(Action::ManageUsers)?;
    let t = s.t();
    let mut grants = users::all_grants(&state.db, cap).await?;
    Ok(users::list(&state.db, cap)
        .await?
        .into_iter()
        .map(|u| {
            let roles = grants
                .remove(&u.id)
                .unwrap_or_default()
                .iter()
                .map(|g| format!("{}（{}）", g.role.label(t.en()), g.scope_name))
                .collect::<Vec<_>>()
                .join("；");
            UserRow {
                last_login: local_opt(u.last_login_at),
                roles,
                u,
            }
        })
        .collect())
}

pub async fn list(State(state): State<AppState>, s: Signed) -> AppResult<Response> {
    let rows = user_rows(&state, &s).await?;
    render(Users {
        l: Layout::new(&s.ctx, s.t().s("nav.users")),
        rows,
    })
}

/// The accounts with their roles as XLSX (administrators).
pub async fn users_export(State(state): State<AppState>, s: Signed) -> AppResult<Response> {
    let rows = user_rows(&state, &s).await?;
    let t = s.t();
    let data: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.u.username.clone(),
                r.u.display_name.clone(),
                r.u.email.clone().unwrap_or_default(),
                r.roles.clone(),
                if r.u.disabled {
                    t.s("user.disabled")
                } else {
                    t.s("user.active")
                }
                .to_string(),
                r.last_login.clone(),
            ]
        })
        .collect();
    Ok(super::xlsx(
        t.s("nav.users"),
        &[
            t.s("user.username"),
            t.s("user.display_name"),
            t.s("user.email"),
            t.s("user.roles"),
            t.s("user.state"),
            t.s("user.last_login"),
        ],
        &data,
        "users",
    ))
}

#[derive(Template)]
#[template(path = "user_new.html")]
struct NewPage {
    l: Layout,
    form: NewUser,
    errors: FieldErrors,
}

impl NewPage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, self.l.t, f)
    }
}

pub async fn new(s: Signed) -> AppResult<Response> {
    s.can(Action::ManageUsers)?;
    render(NewPage {
        l: Layout::new(&s.ctx, s.t().s("user.new")),
        form: NewUser::default(),
        errors: FieldErrors::default(),
    })
}

/// A temporary password: 16 characters from an unambiguous alphabet (about 90 bits).
pub fn temporary_password() -> String {
    use rand::Rng;
    const A: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    let mut r = rand::rng();
    let s: String = (0..14)
        .map(|_| A[r.random_range(0..A.len())] as char)
        .collect();
    format!("{s}-7")
}

async fn hash(pw: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || users::hash_password(&pw))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}

pub async fn create(
    State(state): State<AppState>,
    s: Signed,
    CsrfForm(form): CsrfForm<NewUser>,
) -> AppResult<Response> {
    let cap = s.can(Action::ManageUsers)?;
    let pw = temporary_password();
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    match users::create(&mut tx, cap, &form, &hash(pw.clone()).await?, true).await {
        Ok((_, pid)) => {
            tx.commit().await?;
            detail_page(&state, &s, &pid, Some(pw), FieldErrors::default()).await
        }
        Err(e) => match AppError::from(e) {
            AppError::Invalid(errors) => render_form(
                NewPage {
                    l: Layout::new(&s.ctx, s.t().s("user.new")),
                    form,
                    errors,
                },
                true,
            ),
            other => Err(other),
        },
    }
}

pub struct GrantView {
    pub g: GrantRow,
    pub role: &'static str,
    pub since: String,
}

#[derive(Template)]
#[template(path = "user.html")]
struct Detail {
    l: Layout,
    u: User,
    grants: Vec<GrantView>,
    roles: Vec<(&'static str, &'static str)>,
    units: Vec<Unit>,
    divisions: std::sync::Arc<Vec<Division>>,
    zones: std::sync::Arc<Vec<Zone>>,
    new_password: Option<String>,
    errors: FieldErrors,
    last_login: String,
    locked_until: String,
    is_self: bool,
}

impl Detail {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, self.l.t, f)
    }
}

async fn detail_page(
    state: &AppState,
    s: &Signed,
    id: &str,
    new_password: Option<String>,
    errors: FieldErrors,
) -> AppResult<Response> {
    let t = s.t();
    let u = users::by_public_id(&state.db, id).await?;
    let grants = users::grants_of(&state.db, u.id)
        .await?
        .into_iter()
        .map(|g| GrantView {
            role: g.role.label(t.en()),
            since: local(g.granted_at),
            g,
        })
        .collect();
    let has_errors = !errors.is_empty();
    render_form(
        Detail {
            l: Layout::new(&s.ctx, &u.display_name),
            last_login: local_opt(u.last_login_at),
            locked_until: local_opt(u.locked_until.filter(|l| *l > shoumi_storage::now())),
            is_self: u.id == s.principal.user_id,
            u,
            grants,
            roles: Role::ALL
                .iter()
                .map(|r| (r.as_str(), r.label(t.en())))
                .collect(),
            units: orgs::units(&state.db, &UnitQuery::default()).await?,
            divisions: state.reference.get(&state.db).await?.divisions,
            zones: state.reference.get(&state.db).await?.zones,
            new_password,
            errors,
        },
        has_errors,
    )
}

pub async fn detail(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
) -> AppResult<Response> {
    s.can(Action::ManageUsers)?;
    detail_page(&state, &s, &id, None, FieldErrors::default()).await
}

#[derive(serde::Deserialize, Default)]
pub struct GrantForm {
    #[serde(default)]
    pub role: String,
    /// `county`, `unit:<public id>`, `division:<public id>`, `zone:<public id>`.
    #[serde(default)]
    pub scope: String,
    /// For enterprise roles: the enterprise's credit code.
    #[serde(default)]
    pub enterprise_credit_code: String,
}

/// Turns the grant form into a role and a scope, naming the field that does not resolve.
pub async fn parse_grant(
    db: &Db,
    cap: shoumi_domain::Capability,
    f: &GrantForm,
) -> AppResult<(Role, Scope)> {
    let bad = |field: &str, zh: &str, en: &str| {
        AppError::Invalid(FieldErrors {
            errors: vec![FieldError::new(field, "invalid", zh, en)],
            warnings: vec![],
        })
    };
    let role = Role::parse(&f.role).ok_or_else(|| bad("role", "请选择角色", "choose a role"))?;
    let scope = if matches!(role, Role::EnterpriseAdmin | Role::EnterpriseMember) {
        let (id, _) =
            shoumi_storage::enterprises::id_by_credit_code(db, cap, &f.enterprise_credit_code)
                .await?
                .ok_or_else(|| {
                    bad(
                        "enterprise_credit_code",
                        "没有该统一社会信用代码的企业",
                        "no enterprise has that credit code",
                    )
                })?;
        Scope::Enterprise(id)
    } else {
        let (kind, pid) = f.scope.split_once(':').unwrap_or((f.scope.as_str(), ""));
        let not_found = || bad("scope", "请选择有效的范围", "choose a valid scope");
        match kind {
            "county" => Scope::County,
            "unit" => Scope::Unit(
                orgs::unit_by_public_id(db, pid)
                    .await
                    .map_err(|_| not_found())?
                    .id,
            ),
            "division" => Scope::Division(
                orgs::division_by_public_id(db, pid)
                    .await
                    .map_err(|_| not_found())?
                    .id,
            ),
            "zone" => Scope::Zone(
                orgs::zone_by_public_id(db, pid)
                    .await
                    .map_err(|_| not_found())?
                    .id,
            ),
            _ => return Err(not_found()),
        }
    };
    if !role.accepts(scope) {
        return Err(bad(
            "scope",
            &format!("角色“{}”不能绑定到该范围", role.label_zh()),
            &format!(
                "role '{}' cannot be bound to a {}",
                role.label_en(),
                scope.kind_str()
            ),
        ));
    }
    Ok((role, scope))
}

pub async fn grant(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<GrantForm>,
) -> AppResult<Response> {
    let cap = s.can(Action::ManageUsers)?;
    let u = users::by_public_id(&state.db, &id).await?;
    let (role, scope) = match parse_grant(&state.db, cap, &f).await {
        Ok(x) => x,
        Err(AppError::Invalid(errors)) => return detail_page(&state, &s, &id, None, errors).await,
        Err(e) => return Err(e),
    };
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    users::grant(&mut tx, cap, u.id, role, scope).await?;
    tx.commit_if_audited().await?;
    Ok(Redirect::to(&format!("/users/{id}")).into_response())
}

pub async fn revoke(
    State(state): State<AppState>,
    s: Signed,
    Path((id, grant)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<super::public::Empty>,
) -> AppResult<Response> {
    let cap = s.can(Action::ManageUsers)?;
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    users::revoke(&mut tx, cap, &grant).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/users/{id}")).into_response())
}

pub async fn reset_password(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<super::public::Empty>,
) -> AppResult<Response> {
    s.can(Action::ManageUsers)?;
    let u = users::by_public_id(&state.db, &id).await?;
    let pw = temporary_password();
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    users::set_password(&mut tx, u.id, &hash(pw.clone()).await?, true).await?;
    tx.commit().await?;
    detail_page(&state, &s, &id, Some(pw), FieldErrors::default()).await
}

async fn set_disabled(
    state: &AppState,
    s: &Signed,
    id: &str,
    disabled: bool,
) -> AppResult<Response> {
    let cap = s.can(Action::ManageUsers)?;
    let u = users::by_public_id(&state.db, id).await?;
    if u.id == s.principal.user_id && disabled {
        return Err(AppError::BadRequest(
            "you cannot disable your own account".into(),
        ));
    }
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    users::set_disabled(&mut tx, cap, u.id, disabled).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/users/{id}")).into_response())
}

pub async fn disable(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<super::public::Empty>,
) -> AppResult<Response> {
    set_disabled(&state, &s, &id, true).await
}

pub async fn enable(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<super::public::Empty>,
) -> AppResult<Response> {
    set_disabled(&state, &s, &id, false).await
}

/// Audit filters as typed in the form (dates in Asia/Shanghai).
#[derive(serde::Deserialize, Default)]
pub struct AuditForm {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub entity_type: String,
    #[serde(default)]
    pub entity_id: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub page: Option<u32>,
    #[serde(default)]
    pub format: String,
}

impl AuditForm {
    pub fn query(&self) -> AppResult<AuditQuery> {
        let day = |s: &str, field: &str| -> AppResult<Option<chrono::NaiveDate>> {
            if s.trim().is_empty() {
                return Ok(None);
            }
            chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .map(Some)
                .map_err(|_| {
                    AppError::Invalid(FieldErrors {
                        errors: vec![FieldError::new(
                            field,
                            "invalid",
                            "日期格式应为 YYYY-MM-DD",
                            "dates are YYYY-MM-DD",
                        )],
                        warnings: vec![],
                    })
                })
        };
        Ok(AuditQuery {
            actor: self.actor.clone(),
            action: self.action.clone(),
            entity_type: self.entity_type.clone(),
            entity_id: self.entity_id.clone(),
            from: day(&self.from, "from")?.map(|d| shoumi_domain::Timestamp::local_day_start(d).0),
            to: day(&self.to, "to")?
                .and_then(|d| d.succ_opt())
                .map(|d| shoumi_domain::Timestamp::local_day_start(d).0),
        })
    }
    fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("actor", self.actor.clone()),
            ("action", self.action.clone()),
            ("entity_type", self.entity_type.clone()),
            ("entity_id", self.entity_id.clone()),
            ("from", self.from.clone()),
            ("to", self.to.clone()),
        ]
    }
}

pub struct AuditRow {
    pub e: AuditEntry,
    pub at: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    l: Layout,
    rows: Vec<AuditRow>,
    f: AuditForm,
    pager: Pager,
    export_query: String,
    error: String,
}

pub async fn audit_list(
    State(state): State<AppState>,
    s: Signed,
    Query(f): Query<AuditForm>,
) -> AppResult<Response> {
    let cap = s.can(Action::ReadAudit)?;
    let t = s.t();
    let (q, error) = match f.query() {
        Ok(q) => (q, String::new()),
        Err(AppError::Invalid(e)) => (
            AuditQuery::default(),
            e.errors[0].message(t.en()).to_string(),
        ),
        Err(e) => return Err(e),
    };
    let page = Page::new(f.page.unwrap_or(1), 50);
    let (rows, total) = audit::list(&state.db, cap, &q, page).await?;
    let pairs = f.pairs();
    let export_query = serde_urlencoded::to_string(
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .cloned()
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default();
    render(AuditPage {
        l: Layout::new(&s.ctx, t.s("nav.audit")),
        rows: rows
            .into_iter()
            .map(|e| AuditRow {
                at: super::local(e.at),
                e,
            })
            .collect(),
        pager: Pager::new(&pairs, page.number, page.size, total),
        export_query,
        error,
        f,
    })
}

pub async fn audit_export(
    State(state): State<AppState>,
    s: Signed,
    Query(f): Query<AuditForm>,
) -> AppResult<Response> {
    let cap = s.can(Action::ReadAudit)?;
    let q = f.query()?;
    let rows = audit::export(&state.db, cap, &q, 1_000_000).await?;
    let headers = [
        "时间(北京时间)",
        "UTC",
        "操作人",
        "IP",
        "请求ID",
        "操作",
        "对象类型",
        "对象ID",
        "摘要",
        "变更前",
        "变更后",
    ];
    let data: Vec<Vec<String>> = rows
        .into_iter()
        .map(|e| {
            vec![
                shoumi_domain::Timestamp(e.at).display_local_seconds(),
                shoumi_domain::Timestamp(e.at).rfc3339(),
                e.actor_name,
                e.ip.unwrap_or_default(),
                e.request_id.unwrap_or_default(),
                e.action,
                e.entity_type,
                e.entity_id.unwrap_or_default(),
                e.summary,
                e.before_json.unwrap_or_default(),
                e.after_json.unwrap_or_default(),
            ]
        })
        .collect();
    let format = super::enterprises::file_format(&f.format);
    let bytes = match format {
        shoumi_exchange::Format::Csv => shoumi_exchange::export_table_csv(&headers, &data),
        shoumi_exchange::Format::Xlsx => {
            shoumi_exchange::export_table_xlsx("审计日志", &headers, &data)
        }
    };
    Ok(super::enterprises::download(bytes, "audit", format))
}
