//! Cross-cutting layers: security headers, cross-site request refusal, metrics, error pages.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::auth::Ctx;
use crate::error::{AppError, ErrorMarker};

/// No inline script, no framing, no sniffing, no referrer leaks; HSTS behind TLS.
pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
             base-uri 'none'; object-src 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if state.config.secure_cookies {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// Runs a state-changing request (anything but GET and HEAD) in a task of its own, so that it
/// runs to completion even when the client goes away or the request times out: hyper drops a
/// request's future when its connection closes, and a handler that writes in more than one step
/// must not stop between them. GET and HEAD only read (each write they make, such as a session's
/// last-seen time, is one statement), so they run in place: a spawned task per request cost a
/// quarter of the enterprise list's throughput (cross-core wake-ups). Transactions are safe
/// either way: a dropped SQLite transaction rolls back when its connection returns to the pool,
/// and sqlx (0.8.6) guards a PostgreSQL `BEGIN` that is dropped before its answer with a queued
/// ROLLBACK (`tests/sql_layer.rs` abandons hundreds of them and checks every connection after).
/// A panic in a handler becomes a 500 instead of a dropped connection, on both paths.
pub async fn run_to_completion(req: Request, next: Next) -> Response {
    use futures::FutureExt;
    use tracing::Instrument;
    let outcome = if req.method() == Method::GET || req.method() == Method::HEAD {
        std::panic::AssertUnwindSafe(next.run(req))
            .catch_unwind()
            .await
            .map_err(|panic| {
                panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "panic".into())
            })
    } else {
        tokio::spawn(next.run(req).in_current_span())
            .await
            .map_err(|e| e.to_string())
    };
    match outcome {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "request task failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Refuses state-changing browser requests that come from another site (defence in depth beside
/// the CSRF token): `Sec-Fetch-Site` must be same-origin or none, and `Origin`, when sent, must
/// match the host.
pub async fn same_origin_writes(req: Request, next: Next) -> Response {
    let m = req.method();
    let unsafe_method = !(m == Method::GET || m == Method::HEAD || m == Method::OPTIONS);
    if unsafe_method && !req.uri().path().starts_with("/api/") {
        let h = req.headers();
        if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok())
            && !(site == "same-origin" || site == "none")
        {
            return AppError::Forbidden.into_response();
        }
        if let (Some(origin), Some(host)) = (
            h.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
            h.get(header::HOST).and_then(|v| v.to_str().ok()),
        ) {
            let o = origin
                .trim_start_matches("https://")
                .trim_start_matches("http://");
            if origin != "null" && o != host {
                return AppError::Forbidden.into_response();
            }
        }
    }
    next.run(req).await
}

/// Records request counts and latencies by route.
pub async fn track_metrics(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().clone();
    let resp = next.run(req).await;
    state.metrics.observe(
        &route,
        method.as_str(),
        resp.status().as_u16(),
        start.elapsed(),
    );
    resp
}

/// Turns error responses of page routes into pages in the caller's language.
pub async fn render_error_pages(req: Request, next: Next) -> Response {
    let ctx = req.extensions().get::<Ctx>().cloned();
    let is_api = req.uri().path().starts_with("/api/");
    let resp = next.run(req).await;
    if is_api {
        return resp;
    }
    let Some(ErrorMarker(status)) = resp.extensions().get::<ErrorMarker>().copied() else {
        return resp;
    };
    if status == StatusCode::UNPROCESSABLE_ENTITY {
        return resp;
    }
    crate::pages::error_page(ctx.as_ref(), status)
}
