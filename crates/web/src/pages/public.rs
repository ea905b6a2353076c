//! Pages anyone may see: the public landing page, sign-in, the language switch.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use shoumi_storage::users;

use super::{Layout, render};
use crate::auth::{CsrfForm, Ctx, LANG_COOKIE, PRE_COOKIE, SESSION_COOKIE, set_cookie};
use crate::error::{AppError, AppResult};
use crate::{AppState, Routes};

pub fn routes(r: Routes) -> Routes {
    r.get("/", index)
        .get("/login", login_page)
        .post("/login", login)
        .post("/logout", logout)
        .get("/lang/{lang}", switch_lang)
}

#[derive(Template)]
#[template(path = "index.html")]
struct Index {
    l: Layout,
    signed_in: bool,
}

pub async fn index(ctx: Ctx) -> AppResult<Response> {
    let l = Layout::new(&ctx, ctx.t().s("app.name"));
    render(Index {
        signed_in: ctx.principal.is_some(),
        l,
    })
}

#[derive(Template)]
#[template(path = "login.html")]
struct Login {
    l: Layout,
    next: String,
    username: String,
    error: String,
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

/// Only local paths are accepted as a post-sign-in destination (no open redirect).
fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_string()
    } else {
        "/home".into()
    }
}

fn login_response(
    ctx: &Ctx,
    state: &AppState,
    next: &str,
    username: &str,
    error: String,
) -> AppResult<Response> {
    // A pre-session token for the double-submit CSRF check of the sign-in form.
    let mut ctx = ctx.clone();
    let pre = ctx
        .pre_csrf
        .clone()
        .unwrap_or_else(shoumi_storage::new_secret);
    ctx.pre_csrf = Some(pre.clone());
    let l = Layout::new(&ctx, ctx.t().s("login.title"));
    let mut resp = render(Login {
        l,
        next: safe_next(next),
        username: username.to_string(),
        error,
    })?;
    crate::auth::append_cookie(
        &mut resp,
        PRE_COOKIE,
        &pre,
        state.config.secure_cookies,
        None,
    );
    Ok(resp)
}

pub async fn login_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    if ctx.principal.is_some() {
        return Ok(Redirect::to(&safe_next(&q.next)).into_response());
    }
    login_response(&ctx, &state, &q.next, "", String::new())
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// The outcome of checking credentials, shared by the sign-in page and the API.
pub enum SignIn {
    Ok(i64),
    Wrong,
    Locked,
    Throttled,
}

/// Checks a user name and password with throttling and lockout; records the attempt.
pub async fn check_credentials(
    state: &AppState,
    ctx: &Ctx,
    username: &str,
    password: &str,
) -> AppResult<SignIn> {
    let db = &state.db;
    if users::ip_throttled(db, &ctx.ip, state.config.throttle).await? {
        return Ok(SignIn::Throttled);
    }
    let user = users::by_username(db, username).await?;
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| users::dummy_hash().to_string());
    let pw = password.to_string();
    let ok = tokio::task::spawn_blocking(move || users::verify_password(&pw, &hash))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let now = shoumi_storage::now();
    let actor = ctx.actor();
    let mut tx = db.begin(&actor).await?;
    let outcome = match &user {
        Some(u) if u.locked_until.is_some_and(|l| l > now) => {
            tx.audit(
                "session.login_refused",
                "user",
                Some(&u.public_id),
                "账号锁定期间尝试登录",
                None,
                None,
            )
            .await?;
            SignIn::Locked
        }
        Some(u) if u.disabled => {
            users::record_attempt(
                &mut tx,
                username,
                &ctx.ip,
                Some(u.id),
                false,
                state.config.throttle,
            )
            .await?;
            SignIn::Wrong
        }
        // Success is recorded by the caller, in the transaction that opens the session.
        Some(u) if ok => return Ok(SignIn::Ok(u.id)),
        Some(u) => {
            let locked = users::record_attempt(
                &mut tx,
                username,
                &ctx.ip,
                Some(u.id),
                false,
                state.config.throttle,
            )
            .await?;
            if locked.is_some() {
                SignIn::Locked
            } else {
                SignIn::Wrong
            }
        }
        None => {
            users::record_attempt(
                &mut tx,
                username,
                &ctx.ip,
                None,
                false,
                state.config.throttle,
            )
            .await?;
            SignIn::Wrong
        }
    };
    tx.commit().await?;
    Ok(outcome)
}

pub async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    CsrfForm(f): CsrfForm<LoginForm>,
) -> AppResult<Response> {
    let t = ctx.t();
    match check_credentials(&state, &ctx, &f.username, &f.password).await? {
        SignIn::Ok(uid) => {
            let actor = ctx.actor();
            let mut tx = state.db.begin(&actor).await?;
            let ua = headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok());
            users::record_attempt(
                &mut tx,
                &f.username,
                &ctx.ip,
                Some(uid),
                true,
                state.config.throttle,
            )
            .await?;
            let (token, _csrf) = users::create_session(
                &mut tx,
                uid,
                Some(&ctx.ip),
                ua,
                state.config.session_ttl_secs,
            )
            .await?;
            tx.commit().await?;
            let mut resp = Redirect::to(&safe_next(&f.next)).into_response();
            crate::auth::append_cookie(
                &mut resp,
                SESSION_COOKIE,
                &token,
                state.config.secure_cookies,
                None,
            );
            resp.headers_mut().append(
                header::SET_COOKIE,
                HeaderValue::from_str(&set_cookie(
                    PRE_COOKIE,
                    "",
                    state.config.secure_cookies,
                    Some(0),
                ))
                .expect("cookie"),
            );
            Ok(resp)
        }
        SignIn::Wrong => {
            let mut r = login_response(
                &ctx,
                &state,
                &f.next,
                &f.username,
                t.s("login.wrong").into(),
            )?;
            *r.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
            Ok(r)
        }
        SignIn::Locked => {
            let mut r = login_response(
                &ctx,
                &state,
                &f.next,
                &f.username,
                t.s("login.locked").into(),
            )?;
            *r.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
            Ok(r)
        }
        SignIn::Throttled => {
            let mut r = login_response(
                &ctx,
                &state,
                &f.next,
                &f.username,
                t.s("login.throttled").into(),
            )?;
            *r.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
            Ok(r)
        }
    }
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn logout(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<Response> {
    if let Some(s) = &ctx.session {
        let actor = ctx.actor();
        let mut tx = state.db.begin(&actor).await?;
        users::end_session(&mut tx, s.id).await?;
        tx.commit().await?;
    }
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&set_cookie(
            SESSION_COOKIE,
            "",
            state.config.secure_cookies,
            Some(0),
        ))
        .expect("cookie"),
    );
    Ok(resp)
}

#[derive(Deserialize, Default)]
pub struct BackQuery {
    #[serde(default)]
    back: String,
}

/// Sets the language cookie and returns to the page the person was on.
pub async fn switch_lang(
    State(state): State<AppState>,
    Path(lang): Path<String>,
    Query(q): Query<BackQuery>,
) -> AppResult<Response> {
    let lang = crate::i18n::Lang::from_tag(&lang).ok_or(AppError::NotFound)?;
    let mut resp = Redirect::to(&if q.back.is_empty() {
        "/".to_string()
    } else {
        safe_next(&q.back)
    })
    .into_response();
    let mut c = set_cookie(
        LANG_COOKIE,
        lang.tag(),
        state.config.secure_cookies,
        Some(365 * 86400),
    );
    c = c.replace("; HttpOnly", "");
    resp.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&c).expect("cookie"),
    );
    Ok(resp)
}
