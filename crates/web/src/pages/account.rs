//! My account: profile and roles, password change, API tokens.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use shoumi_domain::FieldErrors;
use shoumi_storage::users::{self, ApiToken, GrantRow, TokenScope, User};

use super::{Layout, field_error, local, local_opt, render_form};
use crate::auth::{CsrfForm, Signed};
use crate::error::{AppError, AppResult};
use crate::{AppState, Routes};

pub fn routes(r: Routes) -> Routes {
    r.get("/account", account)
        .get("/account/password", password_page)
        .post("/account/password", change_password)
        .post("/account/tokens", create_token)
        .post("/account/tokens/{id}/revoke", revoke_token)
}

pub struct TokenRow {
    pub t: ApiToken,
    pub created: String,
    pub last_used: String,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct Account {
    l: Layout,
    u: User,
    grants: Vec<(String, GrantRow)>,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
    errors: FieldErrors,
}

impl Account {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, self.l.t, f)
    }
}

async fn account_page(
    state: &AppState,
    s: &Signed,
    new_token: Option<String>,
    errors: FieldErrors,
) -> AppResult<Response> {
    let t = s.t();
    let u = users::by_id(&state.db, s.principal.user_id).await?;
    let grants = users::grants_of(&state.db, u.id)
        .await?
        .into_iter()
        .map(|g| (g.role.label(t.en()).to_string(), g))
        .collect();
    let tokens = users::tokens_of(&state.db, u.id)
        .await?
        .into_iter()
        .map(|tk| TokenRow {
            created: local(tk.created_at),
            last_used: local_opt(tk.last_used_at),
            revoked: tk.revoked_at.is_some(),
            t: tk,
        })
        .collect();
    let has_errors = !errors.is_empty();
    render_form(
        Account {
            l: Layout::new(&s.ctx, t.s("nav.account")),
            u,
            grants,
            tokens,
            new_token,
            errors,
        },
        has_errors,
    )
}

pub async fn account(State(state): State<AppState>, s: Signed) -> AppResult<Response> {
    account_page(&state, &s, None, FieldErrors::default()).await
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    l: Layout,
    must_change: bool,
    errors: FieldErrors,
}

impl PasswordPage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, self.l.t, f)
    }
}

fn password_response(s: &Signed, errors: FieldErrors) -> AppResult<Response> {
    let has_errors = !errors.is_empty();
    render_form(
        PasswordPage {
            l: Layout::new(&s.ctx, s.t().s("password.title")),
            must_change: s.principal.must_change_password,
            errors,
        },
        has_errors,
    )
}

pub async fn password_page(s: Signed) -> AppResult<Response> {
    password_response(&s, FieldErrors::default())
}

#[derive(serde::Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    s: Signed,
    CsrfForm(f): CsrfForm<PasswordForm>,
) -> AppResult<Response> {
    let u = users::by_id(&state.db, s.principal.user_id).await?;
    let mut errors = FieldErrors::default();
    let (cur, hash) = (f.current.clone(), u.password_hash.clone());
    let ok = tokio::task::spawn_blocking(move || users::verify_password(&cur, &hash))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    if !ok {
        errors.push(shoumi_domain::FieldError::new(
            "current",
            "wrong",
            "当前密码不正确",
            "the current password is wrong",
        ));
    }
    if let Err(e) = shoumi_domain::user::check_new_password("new", &f.new) {
        errors.push(e);
    } else if f.new == f.current {
        errors.push(shoumi_domain::FieldError::new(
            "new",
            "same",
            "新密码不能与当前密码相同",
            "the new password must differ from the current one",
        ));
    }
    if f.new != f.confirm {
        errors.push(shoumi_domain::FieldError::new(
            "confirm",
            "mismatch",
            "两次输入的新密码不一致",
            "the two new passwords differ",
        ));
    }
    if !errors.is_empty() {
        return password_response(&s, errors);
    }
    let pw = f.new.clone();
    let hash = tokio::task::spawn_blocking(move || users::hash_password(&pw))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    users::set_password(&mut tx, u.id, &hash, false).await?;
    // Setting a password ends every session; start a new one for this browser.
    let (token, _) = users::create_session(
        &mut tx,
        u.id,
        Some(&s.ctx.ip),
        None,
        state.config.session_ttl_secs,
    )
    .await?;
    tx.commit().await?;
    let mut resp = Redirect::to("/home").into_response();
    crate::auth::append_cookie(
        &mut resp,
        crate::auth::SESSION_COOKIE,
        &token,
        state.config.secure_cookies,
        None,
    );
    Ok(resp)
}

#[derive(serde::Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    days: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    s: Signed,
    CsrfForm(f): CsrfForm<TokenForm>,
) -> AppResult<Response> {
    let scope = if f.scope == "write" {
        TokenScope::Write
    } else {
        TokenScope::Read
    };
    let days: Option<i64> = f.days.trim().parse().ok().filter(|d: &i64| *d > 0);
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    match users::create_token(
        &mut tx,
        s.principal.user_id,
        &f.name,
        scope,
        days.map(|d| d * 86400),
    )
    .await
    {
        Ok((secret, _)) => {
            tx.commit().await?;
            account_page(&state, &s, Some(secret), FieldErrors::default()).await
        }
        Err(e) => match AppError::from(e) {
            AppError::Invalid(errors) => account_page(&state, &s, None, errors).await,
            other => Err(other),
        },
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<super::public::Empty>,
) -> AppResult<Response> {
    let actor = s.actor();
    let mut tx = state.db.begin(&actor).await?;
    users::revoke_token(&mut tx, s.principal.user_id, &id).await?;
    tx.commit().await?;
    Ok(Redirect::to("/account").into_response())
}
