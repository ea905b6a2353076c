//! Who is asking: the session cookie or bearer token is resolved once per request into a
//! [`Ctx`]; handlers that need a signed-in person take [`Signed`], which refuses everyone else.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;
use shoumi_domain::{Action, Capability, Principal};
use shoumi_storage::users::{SessionInfo, TokenScope};
use shoumi_storage::{Actor, users};

use crate::AppState;
use crate::error::AppError;
use crate::i18n::{Lang, T};

pub const SESSION_COOKIE: &str = "shoumi_session";
pub const PRE_COOKIE: &str = "shoumi_pre";
pub const LANG_COOKIE: &str = "shoumi_lang";

/// Everything the request layer knows about the caller.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub principal: Option<Principal>,
    pub session: Option<SessionInfo>,
    pub token_scope: Option<TokenScope>,
    pub lang: Lang,
    pub ip: String,
    pub request_id: String,
    pub is_api: bool,
    pub path: String,
    /// The pre-session CSRF value (double-submit cookie) for the sign-in form.
    pub pre_csrf: Option<String>,
}

impl Ctx {
    pub fn t(&self) -> T {
        T { lang: self.lang }
    }
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.principal.as_ref().map(|p| p.user_id),
            name: self
                .principal
                .as_ref()
                .map(|p| p.username.clone())
                .unwrap_or_else(|| "anonymous".into()),
            ip: Some(self.ip.clone()),
            request_id: Some(self.request_id.clone()),
        }
    }
    /// The token forms must carry.
    pub fn csrf(&self) -> String {
        self.session
            .as_ref()
            .map(|s| s.csrf_token.clone())
            .or_else(|| self.pre_csrf.clone())
            .unwrap_or_default()
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value. `Secure` is set when the server is reached over TLS.
pub fn set_cookie(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if secure {
        c.push_str("; Secure");
    }
    if let Some(m) = max_age {
        c.push_str(&format!("; Max-Age={m}"));
    }
    c
}

/// Adds a `Set-Cookie` header to a response.
pub fn append_cookie(
    resp: &mut axum::response::Response,
    name: &str,
    value: &str,
    secure: bool,
    max_age: Option<i64>,
) {
    if let Ok(v) = axum::http::HeaderValue::from_str(&set_cookie(name, value, secure, max_age)) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

fn client_ip(
    parts_headers: &HeaderMap,
    peer: Option<std::net::SocketAddr>,
    trust_proxy: bool,
) -> String {
    if trust_proxy
        && let Some(xff) = parts_headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
        && let Some(first) = xff.split(',').next()
    {
        return first.trim().to_string();
    }
    peer.map(|p| p.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Middleware: resolves the caller once and stores the [`Ctx`] in the request.
pub async fn load_ctx(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut req: Request,
    next: axum::middleware::Next,
) -> Response {
    // Take what is needed from the headers up front instead of cloning the whole map.
    let headers = req.headers();
    let path = req.uri().path().to_string();
    let is_api = path.starts_with("/api/");
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0);
    let ip = client_ip(headers, peer, state.config.trust_proxy);
    let request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let query_lang = req
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("lang=")))
        .and_then(Lang::from_tag);
    // Chinese unless the person chose English (the switch sets a cookie); the browser's
    // Accept-Language is not consulted, so a shared office computer shows what its users expect.
    let lang = query_lang
        .or_else(|| cookie(headers, LANG_COOKIE).and_then(Lang::from_tag))
        .unwrap_or(Lang::Zh);
    let method = req.method().clone();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|v| v.trim().to_string());
    let session_token = cookie(headers, SESSION_COOKIE).map(str::to_string);
    let mut ctx = Ctx {
        principal: None,
        session: None,
        token_scope: None,
        lang,
        ip,
        request_id,
        is_api,
        path,
        pre_csrf: cookie(headers, PRE_COOKIE).map(str::to_string),
    };
    let result: Result<(), AppError> = async {
        if is_api {
            if let Some(bearer) = &bearer {
                let Some((scope, principal)) = users::token_principal(&state.db, bearer).await?
                else {
                    return Err(AppError::Unauthorized);
                };
                ctx.principal = Some(principal);
                ctx.token_scope = Some(scope);
                if scope == TokenScope::Read && method != Method::GET && method != Method::HEAD {
                    return Err(AppError::Forbidden);
                }
            }
        } else if let Some(token) = &session_token
            && let Some((s, principal)) = users::session_principal(&state.db, token).await?
        {
            if shoumi_storage::now() - s.last_seen_at > 60_000_000 {
                users::touch_session(&state.db, s.id, state.config.session_ttl_secs).await?;
            }
            ctx.principal = Some(principal);
            ctx.session = Some(s);
        }
        Ok(())
    }
    .await;
    if let Err(e) = result {
        return e.into_response();
    }
    let signed_in = ctx.session.as_ref().map(|s| crate::pagecache::SignedIn {
        session_expires_at: s.expires_at,
    });
    req.extensions_mut().insert(ctx);
    let mut resp = next.run(req).await;
    if let Some(s) = signed_in {
        resp.extensions_mut().insert(s);
    }
    resp
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| AppError::Internal("request context missing".into()))
    }
}

/// A signed-in caller. Pages redirect anonymous visitors to sign-in; the API answers 401.
/// A person who must change their password reaches only the password page.
#[derive(Debug, Clone)]
pub struct Signed {
    pub ctx: Ctx,
    pub principal: Principal,
}

impl Signed {
    /// The capability for `action`, or 403.
    pub fn can(&self, action: Action) -> Result<Capability, AppError> {
        self.principal.can(action).ok_or(AppError::Forbidden)
    }
    pub fn actor(&self) -> Actor {
        self.ctx.actor()
    }
    pub fn t(&self) -> T {
        self.ctx.t()
    }
}

const PASSWORD_PAGES: &[&str] = &["/account/password", "/logout"];

impl<S: Send + Sync> FromRequestParts<S> for Signed {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Some(principal) = ctx.principal.clone() else {
            if ctx.is_api {
                return Err(AppError::Unauthorized.into_response());
            }
            let next = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".into());
            let q = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
            return Err(Redirect::to(&format!("/login?{q}")).into_response());
        };
        if principal.must_change_password && !PASSWORD_PAGES.contains(&ctx.path.as_str()) {
            if ctx.is_api {
                return Err(AppError::BadRequest(
                    "the password must be changed before the API can be used".into(),
                )
                .into_response());
            }
            return Err(Redirect::to("/account/password").into_response());
        }
        Ok(Signed { ctx, principal })
    }
}

/// A URL-encoded form whose `_csrf` field must match the caller's session (or, before sign-in,
/// the pre-session cookie). Every state-changing form handler takes this, never a bare `Form`.
pub struct CsrfForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for CsrfForm<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = req
            .extensions()
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| AppError::Internal("request context missing".into()))?;
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| AppError::BadRequest(e.to_string()))?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| AppError::BadRequest(e.to_string()))?;
        let sent = pairs
            .iter()
            .find(|(k, _)| k == "_csrf")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        check_csrf(&ctx, sent)?;
        let value = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| AppError::BadRequest(e.to_string()))?;
        Ok(CsrfForm(value))
    }
}

/// Compares a submitted CSRF token with the expected one in constant time.
pub fn check_csrf(ctx: &Ctx, sent: &str) -> Result<(), AppError> {
    let expected = ctx.csrf();
    let ok = !expected.is_empty()
        && expected.len() == sent.len()
        && expected
            .bytes()
            .zip(sent.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if ok { Ok(()) } else { Err(AppError::Forbidden) }
}
