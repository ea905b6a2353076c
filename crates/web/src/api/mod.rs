//! The JSON API under `/api/v1`: the same resources and the same authorization as the pages.
//! Sign in with `POST /api/v1/session` to get a bearer token. Errors are JSON; validation errors
//! are 422 and name the field.

mod openapi;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use shoumi_domain::{Action, EnterpriseForm, Relation, UnitForm};
use shoumi_storage::enterprises::{self, EnterpriseQuery};
use shoumi_storage::users::{self, TokenScope};
use shoumi_storage::{Page, audit, orgs};

use crate::auth::{Ctx, Signed};
use crate::error::{AppError, AppResult};
use crate::pages::public::{SignIn, check_credentials};
use crate::{AppState, Routes};

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/openapi.json", openapi::document)
        .post("/api/v1/session", create_session)
        .get("/api/v1/me", me)
        .get("/api/v1/enterprises", list_enterprises)
        .post("/api/v1/enterprises", create_enterprise)
        .get("/api/v1/enterprises/{id}", get_enterprise)
        .patch("/api/v1/enterprises/{id}", patch_enterprise)
        .get("/api/v1/divisions", divisions)
        .get("/api/v1/zones", zones)
        .get("/api/v1/units", list_units)
        .post("/api/v1/units", create_unit)
        .get("/api/v1/units/{id}", get_unit)
        .patch("/api/v1/units/{id}", patch_unit)
        .get("/api/v1/task-force", task_force)
        .get("/api/v1/users", list_users)
        .get("/api/v1/audit", list_audit)
        .get("/api/v1/programme", programme)
        .get("/api/v1/programme/progress", programme_progress)
        .get("/api/v1/applications", list_applications)
        .get("/api/v1/applications/{id}", get_application)
}

/// The programme in force: its version, digests and the programme itself (the documented
/// file format, as JSON).
pub async fn programme(State(state): State<AppState>, s: Signed) -> AppResult<Json<Value>> {
    s.can(Action::ReadProgramme)?;
    let p = shoumi_storage::programme::current(&state.db).await?;
    Ok(Json(json!({
        "version": p.version.version,
        "key": p.version.programme_key,
        "loaded_at": shoumi_domain::Timestamp(p.version.created_at).rfc3339(),
        "sha256": p.version.sha256,
        "sm3": p.version.sm3,
        "programme": p.spec,
    })))
}

/// For each target (unit type, deadline, target count) the units holding the title on a date
/// (`?on=YYYY-MM-DD`, default today), and on the deadline once it has passed.
pub async fn programme_progress(
    State(state): State<AppState>,
    s: Signed,
    Query(q): Query<crate::pages::programme::OnQuery>,
) -> AppResult<Json<Value>> {
    s.can(Action::ReadProgramme)?;
    let on = q.date()?;
    let p = state.current_programme().await?;
    let progress = shoumi_storage::programme::progress(&state.db, &p.spec, on).await?;
    let targets: Vec<Value> = progress
        .iter()
        .map(|t| {
            json!({
                "unit_type": t.unit_type,
                "unit_type_label": t.unit_type.label_zh(),
                "deadline": t.deadline,
                "target": t.target,
                "designated": t.designated,
                "designated_at_deadline": t.designated_at_deadline,
                "met": t.met(),
            })
        })
        .collect();
    Ok(Json(json!({
        "on": on,
        "programme": {"key": p.version.programme_key, "version": p.version.version, "title": p.spec.title},
        "targets": targets,
    })))
}

/// Demonstration applications the caller may read.
pub async fn list_applications(
    State(state): State<AppState>,
    s: Signed,
    Query(q): Query<shoumi_storage::demonstration::ListQuery>,
) -> AppResult<Json<Value>> {
    let scope = s.principal.application_scope();
    if scope.is_empty() {
        return Err(AppError::Forbidden);
    }
    let (items, total) = shoumi_storage::demonstration::list(&state.db, &scope, &q, None).await?;
    Ok(Json(json!({"items": items, "total": total})))
}

pub async fn get_application(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let scope = s.principal.application_scope();
    if scope.is_empty() {
        return Err(AppError::Forbidden);
    }
    let a = shoumi_storage::demonstration::get(&state.db, &scope, &id).await?;
    let events = shoumi_storage::demonstration::events(&state.db, &a).await?;
    let files = shoumi_storage::demonstration::files(&state.db, &scope, &a).await?;
    Ok(Json(
        json!({"application": a, "history": events, "files": files}),
    ))
}

/// JSON body whose rejection is a JSON error naming the problem.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(e @ JsonRejection::JsonDataError(_)) => {
                Err(AppError::Invalid(shoumi_domain::FieldErrors {
                    errors: vec![shoumi_domain::FieldError::new(
                        "body",
                        "invalid",
                        e.body_text(),
                        e.body_text(),
                    )],
                    warnings: vec![],
                }))
            }
            Err(e) => Err(AppError::BadRequest(e.body_text())),
        }
    }
}

#[derive(serde::Deserialize)]
pub struct SessionBody {
    username: String,
    password: String,
}

/// Exchanges a user name and password for a bearer token (valid 8 hours, revocable under
/// "my account"). Same throttling and lockout as the sign-in page.
pub async fn create_session(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<SessionBody>,
) -> AppResult<Response> {
    match check_credentials(&state, &ctx, &b.username, &b.password).await? {
        SignIn::Ok(uid) => {
            let p = users::principal(&state.db, uid)
                .await?
                .ok_or(AppError::Unauthorized)?;
            let mut actor = ctx.actor();
            actor.user_id = Some(uid);
            actor.name = p.username.clone();
            let mut tx = state.db.begin(&actor).await?;
            users::record_attempt(
                &mut tx,
                &b.username,
                &ctx.ip,
                Some(uid),
                true,
                state.config.throttle,
            )
            .await?;
            let ttl = state.config.session_ttl_secs;
            let (secret, token) =
                users::create_token(&mut tx, uid, "API session", TokenScope::Write, Some(ttl))
                    .await?;
            tx.commit().await?;
            Ok((
                StatusCode::CREATED,
                Json(json!({
                    "token": secret,
                    "token_type": "Bearer",
                    "expires_at": token.expires_at.map(|t| shoumi_domain::Timestamp(t).rfc3339()),
                    "must_change_password": p.must_change_password,
                })),
            )
                .into_response())
        }
        SignIn::Wrong => Err(AppError::Unauthorized),
        SignIn::Locked | SignIn::Throttled => Err(AppError::TooManyRequests),
    }
}

pub async fn me(State(state): State<AppState>, s: Signed) -> AppResult<Json<Value>> {
    let u = users::by_id(&state.db, s.principal.user_id).await?;
    let grants = users::grants_of(&state.db, u.id).await?;
    let ents = s.principal.enterprise_ids();
    let mut enterprise_ids = Vec::new();
    for id in &ents {
        let e = enterprises::get_by_id(&state.db, &s.principal.enterprise_scope(), *id).await?;
        enterprise_ids.push(e.public_id);
    }
    Ok(Json(json!({
        "id": u.public_id,
        "username": u.username,
        "display_name": u.display_name,
        "must_change_password": u.must_change_password,
        "roles": grants.iter().map(|g| json!({
            "role": g.role,
            "scope_kind": g.scope.kind_str(),
            "scope_id": g.scope_public_id,
            "scope_name": g.scope_name,
        })).collect::<Vec<_>>(),
        "enterprise_id": enterprise_ids.first(),
        "enterprise_ids": enterprise_ids,
    })))
}

#[derive(serde::Deserialize, Default)]
pub struct ApiListQuery {
    #[serde(flatten)]
    q: EnterpriseQuery,
    #[serde(default)]
    page: Option<u32>,
    #[serde(default)]
    per_page: Option<u32>,
}

pub async fn list_enterprises(
    State(state): State<AppState>,
    s: Signed,
    Query(lq): Query<ApiListQuery>,
) -> AppResult<Json<Value>> {
    let scope = s.principal.enterprise_scope();
    if scope.is_empty() {
        return Err(AppError::Forbidden);
    }
    let page = Page::new(lq.page.unwrap_or(1), lq.per_page.unwrap_or(50));
    let (items, total) = enterprises::list(&state.db, &scope, &lq.q, page).await?;
    let items: Vec<_> = items
        .into_iter()
        .map(|e| {
            let rel = s.principal.relation_to(e.id);
            e.view_for(rel)
        })
        .collect();
    Ok(Json(
        json!({"items": items, "total": total, "page": page.number, "per_page": page.size}),
    ))
}

pub async fn get_enterprise(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let e = enterprises::get(&state.db, &s.principal.enterprise_scope(), &id).await?;
    let rel = s.principal.relation_to(e.id);
    Ok(Json(
        serde_json::to_value(e.view_for(rel)).unwrap_or_default(),
    ))
}

pub async fn create_enterprise(
    State(state): State<AppState>,
    s: Signed,
    ApiJson(f): ApiJson<EnterpriseForm>,
) -> AppResult<Response> {
    let edit = s.principal.enterprise_edit_scope();
    if !edit.covers_areas() {
        return Err(AppError::Forbidden);
    }
    let (input, warnings) = f.parse()?;
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    let pid = enterprises::create(&mut tx, &edit, &input).await?;
    tx.commit().await?;
    let e = enterprises::get(&state.db, &s.principal.enterprise_scope(), &pid).await?;
    let mut body = serde_json::to_value(e).unwrap_or_default();
    body["warnings"] = serde_json::to_value(warnings).unwrap_or_default();
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

fn merge(base: &mut Value, patch: Value) -> AppResult<()> {
    let Value::Object(p) = patch else {
        return Err(AppError::BadRequest(
            "the body must be a JSON object".into(),
        ));
    };
    let obj = base.as_object_mut().expect("object");
    for (k, v) in p {
        if !obj.contains_key(&k) {
            return Err(AppError::Invalid(shoumi_domain::FieldErrors {
                errors: vec![shoumi_domain::FieldError::new(
                    k.clone(),
                    "unknown",
                    "未知字段",
                    "unknown field",
                )],
                warnings: vec![],
            }));
        }
        let text = match v {
            Value::String(s) => s,
            Value::Bool(b) => (if b { "1" } else { "0" }).into(),
            Value::Null => String::new(),
            Value::Array(a) => a
                .iter()
                .filter_map(|x| x.as_str())
                .collect::<Vec<_>>()
                .join(","),
            other => other.to_string(),
        };
        obj.insert(k, Value::String(text));
    }
    Ok(())
}

/// Changes the fields given; the others keep their values.
pub async fn patch_enterprise(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<Value>,
) -> AppResult<Json<Value>> {
    let edit = s.principal.enterprise_edit_scope();
    let e = enterprises::get(&state.db, &edit, &id).await?;
    if s.principal.relation_to(e.id) == Relation::Government
        && !e.share_contacts
        && let Some(o) = patch.as_object()
        && o.keys()
            .any(|k| k.starts_with("contact_") || k == "share_contacts")
    {
        return Err(AppError::Forbidden);
    }
    let input = e
        .to_input()
        .ok_or_else(|| AppError::Internal("stored enterprise does not parse".into()))?;
    let mut form = serde_json::to_value(input.to_form()).unwrap_or_default();
    merge(&mut form, patch)?;
    let form: EnterpriseForm =
        serde_json::from_value(form).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let (input, _) = form.parse()?;
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    enterprises::update(&mut tx, &edit, &id, &input).await?;
    tx.commit_if_audited().await?;
    let e = enterprises::get(&state.db, &s.principal.enterprise_scope(), &id).await?;
    let rel = s.principal.relation_to(e.id);
    Ok(Json(
        serde_json::to_value(e.view_for(rel)).unwrap_or_default(),
    ))
}

pub async fn divisions(State(state): State<AppState>, s: Signed) -> AppResult<Json<Value>> {
    s.can(Action::ReadOrganisations)?;
    Ok(Json(json!({"items": orgs::divisions(&state.db).await?})))
}

pub async fn zones(State(state): State<AppState>, s: Signed) -> AppResult<Json<Value>> {
    s.can(Action::ReadOrganisations)?;
    Ok(Json(json!({"items": orgs::zones(&state.db).await?})))
}

pub async fn list_units(
    State(state): State<AppState>,
    s: Signed,
    Query(q): Query<orgs::UnitQuery>,
) -> AppResult<Json<Value>> {
    s.can(Action::ReadOrganisations)?;
    Ok(Json(json!({"items": orgs::units(&state.db, &q).await?})))
}

pub async fn get_unit(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    s.can(Action::ReadOrganisations)?;
    Ok(Json(
        serde_json::to_value(orgs::unit_by_public_id(&state.db, &id).await?).unwrap_or_default(),
    ))
}

pub async fn create_unit(
    State(state): State<AppState>,
    s: Signed,
    ApiJson(f): ApiJson<UnitForm>,
) -> AppResult<Response> {
    let cap = s.can(Action::ManageOrganisations)?;
    let (input, _) = f.parse()?;
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    let (pid, _) = orgs::upsert_unit(&mut tx, cap, None, &input).await?;
    tx.commit_if_audited().await?;
    let u = orgs::unit_by_public_id(&state.db, &pid).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::to_value(u).unwrap_or_default()),
    )
        .into_response())
}

pub async fn patch_unit(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<Value>,
) -> AppResult<Json<Value>> {
    let cap = s.can(Action::ManageOrganisations)?;
    let u = orgs::unit_by_public_id(&state.db, &id).await?;
    let mut form = serde_json::to_value(u.to_form()).unwrap_or_default();
    merge(&mut form, patch)?;
    let form: UnitForm =
        serde_json::from_value(form).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let (input, _) = form.parse()?;
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    orgs::update_unit(&mut tx, cap, &id, &input).await?;
    tx.commit().await?;
    Ok(Json(
        serde_json::to_value(orgs::unit_by_public_id(&state.db, &id).await?).unwrap_or_default(),
    ))
}

pub async fn task_force(State(state): State<AppState>, s: Signed) -> AppResult<Json<Value>> {
    s.can(Action::ReadOrganisations)?;
    Ok(Json(
        serde_json::to_value(orgs::task_force(&state.db).await?).unwrap_or_default(),
    ))
}

pub async fn list_users(State(state): State<AppState>, s: Signed) -> AppResult<Json<Value>> {
    let cap = s.can(Action::ManageUsers)?;
    Ok(Json(json!({"items": users::list(&state.db, cap).await?})))
}

#[derive(serde::Deserialize, Default)]
pub struct ApiAuditQuery {
    #[serde(flatten)]
    f: crate::pages::admin::AuditForm,
    #[serde(default)]
    per_page: Option<u32>,
}

pub async fn list_audit(
    State(state): State<AppState>,
    s: Signed,
    Query(q): Query<ApiAuditQuery>,
) -> AppResult<Json<Value>> {
    let cap = s.can(Action::ReadAudit)?;
    let page = Page::new(q.f.page.unwrap_or(1), q.per_page.unwrap_or(50));
    let (items, total) = audit::list(&state.db, cap, &q.f.query()?, page).await?;
    Ok(Json(
        json!({"items": items, "total": total, "page": page.number, "per_page": page.size}),
    ))
}
