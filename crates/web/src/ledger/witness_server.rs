//! `shoumi witness serve`: the C2SP tlog-witness `add-checkpoint` endpoint, run by a partner
//! agency with its own key and state file.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use shoumi_ledger::witness::{Refusal, Witness};

/// The witness's router: `POST /add-checkpoint`, and `GET /` naming its key.
pub fn router(w: Arc<Witness>) -> Router {
    Router::new()
        .route("/add-checkpoint", post(add_checkpoint))
        .route("/", get(info))
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        .with_state(w)
}

async fn info(State(w): State<Arc<Witness>>) -> Response {
    plain(
        StatusCode::OK,
        format!("shoumi witness\nverifier key: {}\n", w.verifier()),
        "text/plain; charset=utf-8",
    )
}

fn plain(status: StatusCode, body: String, ct: &'static str) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    r
}

async fn add_checkpoint(State(w): State<Arc<Witness>>, body: Bytes) -> Response {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    // The state file is written (and fsynced) before answering: off the async threads.
    let res = tokio::task::spawn_blocking(move || w.add_checkpoint(&body, now)).await;
    match res {
        Ok(Ok(lines)) => plain(StatusCode::OK, lines, "text/plain; charset=utf-8"),
        Ok(Err(Refusal::Conflict(size))) => plain(
            StatusCode::CONFLICT,
            format!("{size}\n"),
            "text/x.tlog.size",
        ),
        Ok(Err(e)) => {
            tracing::info!(error = %e, "witness: refused a checkpoint");
            plain(
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST),
                format!("{e}\n"),
                "text/plain; charset=utf-8",
            )
        }
        Err(e) => plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("{e}\n"),
            "text/plain; charset=utf-8",
        ),
    }
}
