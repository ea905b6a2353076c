//! The home page of each role: what that person works on, at a glance.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use shoumi_domain::{Action, Role, Scope};
use shoumi_storage::enterprises::{self, Enterprise};
use shoumi_storage::{audit, orgs, users};

use super::{Layout, local, render};
use crate::auth::Signed;
use crate::error::AppResult;
use crate::{AppState, Routes};

pub fn routes(r: Routes) -> Routes {
    r.get_cached("/home", home)
}

pub struct Card {
    pub label: String,
    pub value: String,
    pub href: String,
}

pub struct Row3 {
    pub a: String,
    pub b: String,
    pub c: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    l: Layout,
    greeting: String,
    cards: Vec<Card>,
    scopes: Vec<Row3>,
    own: Vec<Enterprise>,
    by_division: Vec<Row3>,
    recent: Vec<Row3>,
    units: Vec<Row3>,
}

pub async fn home(State(state): State<AppState>, s: Signed) -> AppResult<Response> {
    let t = s.t();
    let db = &state.db;
    let p = &s.principal;
    let scope = p.enterprise_scope();
    let mut cards = Vec::new();
    let grants = users::grants_of(db, p.user_id).await?;
    let scopes = grants
        .iter()
        .map(|g| Row3 {
            a: g.role.label(t.en()).to_string(),
            b: g.scope_name.clone(),
            c: local(g.granted_at),
        })
        .collect();

    let own: Vec<Enterprise> = if scope.own().is_empty() {
        vec![]
    } else {
        let mut v = Vec::new();
        for id in p.enterprise_ids() {
            v.push(
                enterprises::get_by_id(db, &scope, id)
                    .await?
                    .view_for(p.relation_to(id)),
            );
        }
        v
    };
    // One grouped count gives both the per-division table and the total.
    let mut by_division = Vec::new();
    if !scope.is_empty() && !scope.is_single_own() {
        let groups = enterprises::count_by_division(db, &scope).await?;
        let own_only: i64 = if scope.covers_areas() {
            0
        } else {
            scope.own().len() as i64
        };
        let total: i64 = groups.iter().map(|g| g.2).sum::<i64>().max(own_only);
        cards.push(Card {
            label: t.s("home.enterprises_visible").into(),
            value: total.to_string(),
            href: "/enterprises".into(),
        });
        if scope.covers_areas() {
            for (pid, name, n) in groups {
                by_division.push(Row3 {
                    a: name,
                    b: n.to_string(),
                    c: format!("/enterprises?division={pid}"),
                });
            }
        }
    }
    if p.can(Action::ManageUsers).is_some() {
        let cap = s.can(Action::ManageUsers)?;
        cards.push(Card {
            label: t.s("home.users").into(),
            value: users::count(db, cap).await?.to_string(),
            href: "/users".into(),
        });
    }
    if p.can(Action::ReadOrganisations).is_some() {
        let (units, members) = orgs::summary_counts(db).await?;
        cards.push(Card {
            label: t.s("home.units").into(),
            value: units.to_string(),
            href: "/units".into(),
        });
        cards.push(Card {
            label: t.s("home.task_force_members").into(),
            value: members.to_string(),
            href: "/task-force".into(),
        });
    }
    let mut recent = Vec::new();
    if let Some(cap) = p.can(Action::ReadAudit) {
        let rows = audit::recent(db, cap, 8).await?;
        recent = rows
            .into_iter()
            .map(|r| Row3 {
                a: local(r.at),
                b: r.actor_name,
                c: r.summary,
            })
            .collect();
    }
    // Units the person works for (departments, stations, agencies, partner institutions).
    let mut units = Vec::new();
    for g in &p.grants {
        if let Scope::Unit(id) = g.scope {
            let u = orgs::unit_by_id(db, id).await?;
            let mut detail = u.kind.label(t.en()).to_string();
            if g.role == Role::Station {
                if let Some(h) = &u.opening_hours {
                    detail = format!("{detail} · {}: {h}", t.s("unit.opening_hours"));
                }
                if let Some(area) = u.division_name.as_ref().or(u.zone_name.as_ref()) {
                    detail = format!("{detail} · {}: {area}", t.s("unit.area"));
                }
            }
            units.push(Row3 {
                a: u.name,
                b: detail,
                c: format!("/units/{}", u.public_id),
            });
        }
    }
    render(Home {
        l: Layout::new(&s.ctx, t.s("nav.home")),
        greeting: format!("{}，{}", t.s("home.hello"), p.display_name),
        cards,
        scopes,
        own,
        by_division,
        recent,
        units,
    })
}
