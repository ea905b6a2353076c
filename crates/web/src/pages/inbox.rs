//! Each person's inbox: deadlines, returned reports, supervision notices, applications moved.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use shoumi_storage::notify::{self, Notification};

use super::{Layout, local, render};
use crate::auth::{CsrfForm, Signed};
use crate::error::AppResult;
use crate::{AppState, Routes};

pub fn routes(r: Routes) -> Routes {
    r.get("/inbox", inbox)
        .post("/inbox/read", read_all)
        .post("/inbox/{id}/open", open)
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    l: Layout,
    items: Vec<Notification>,
    unread: i64,
}

impl InboxPage {
    fn when(&self, n: &Notification) -> String {
        local(n.created_at)
    }
}

pub async fn inbox(State(state): State<AppState>, s: Signed) -> AppResult<Response> {
    let uid = s.principal.user_id;
    render(InboxPage {
        l: Layout::new(&s.ctx, s.t().s("inbox.title")),
        items: notify::inbox(&state.db, uid, 200).await?,
        unread: notify::unread(&state.db, uid).await?,
    })
}

#[derive(serde::Deserialize, Default)]
pub struct Empty {}

pub async fn read_all(
    State(state): State<AppState>,
    s: Signed,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<Response> {
    notify::mark_read(&state.db, s.principal.user_id, None).await?;
    Ok(Redirect::to("/inbox").into_response())
}

/// Marks one notification read and follows its link (only the owner's own notifications).
pub async fn open(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<Response> {
    let uid = s.principal.user_id;
    let n = notify::get(&state.db, uid, &id).await?;
    notify::mark_read(&state.db, uid, Some(&id)).await?;
    // Only links inside the application are followed.
    let to = if n.link.starts_with('/') && !n.link.starts_with("//") {
        n.link.clone()
    } else {
        "/inbox".to_string()
    };
    Ok(Redirect::to(&to).into_response())
}
