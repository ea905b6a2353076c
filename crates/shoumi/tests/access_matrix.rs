//! Every route × every role, including anonymous visitors, a user of another enterprise, an
//! officer of another division and an enterprise member, against the expected allow or deny.
//! A route registered by the server but missing from the matrix fails the test.

mod common;

use std::collections::BTreeMap;

use common::{Client, TestApp};
use serde_json::json;
use shoumi_domain::{Action, Role, Scope};
use shoumi_storage::{Actor, demonstration, enterprises, orgs, users, worklist};

/// 县工信局's public id, for the report form (set by `setup`).
static UNIT_GXJ: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The people of the matrix. Besides the demo accounts: `town-other` (an officer of 固河镇,
/// where enterprise-b is) and `member` (an enterprise member of the first demo enterprise).
const ROLES: &[&str] = &[
    "anonymous",
    "admin",
    "office",
    "department",
    "town",
    "town-other",
    "station",
    "enterprise",
    "enterprise-b",
    "member",
    "expert",
    "agency",
];

const GOV: &[&str] = &[
    "admin",
    "office",
    "department",
    "town",
    "town-other",
    "station",
    "agency",
];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    /// The handler serves this person (any success, redirect not to sign-in, or 422 for the
    /// deliberately empty form).
    Allow,
    /// 401/403/404 or the redirect to sign-in.
    Deny,
    /// An exact status for everyone listed.
    Status(u16),
}

/// Who gets what on one route.
type Rule = Box<dyn Fn(&str) -> Expect>;

/// Expected outcome per (method, path) → per role.
fn matrix() -> BTreeMap<(&'static str, &'static str), Rule> {
    let mut m: BTreeMap<(&'static str, &'static str), Rule> = BTreeMap::new();
    let only = |roles: &'static [&'static str]| -> Rule {
        Box::new(move |r: &str| {
            if roles.contains(&r) {
                Expect::Allow
            } else {
                Expect::Deny
            }
        })
    };
    let everyone = || -> Rule { Box::new(|_: &str| Expect::Allow) };
    let signed = || -> Rule {
        Box::new(|r: &str| {
            if r == "anonymous" {
                Expect::Deny
            } else {
                Expect::Allow
            }
        })
    };
    const READ_ORGS: &[&str] = &[
        "admin",
        "office",
        "department",
        "town",
        "town-other",
        "station",
        "agency",
        "expert",
    ];
    const MANAGE: &[&str] = &["admin", "office"];
    const ADMIN: &[&str] = &["admin"];
    const ENTERPRISE_LIST: &[&str] = &[
        "admin",
        "office",
        "department",
        "town",
        "town-other",
        "station",
        "agency",
        "enterprise",
        "enterprise-b",
        "member",
    ];
    // Enterprise A lies in 梁村镇: its own people, the county-wide readers, 梁村's officer and station.
    const ENTERPRISE_A: &[&str] = &[
        "admin",
        "office",
        "department",
        "town",
        "station",
        "agency",
        "enterprise",
        "member",
    ];
    const EDIT_A: &[&str] = &["admin", "office", "town", "enterprise"];
    const CREATE: &[&str] = &["admin", "office", "town", "town-other"];
    let _ = GOV;

    // Public pages.
    m.insert(("GET", "/"), everyone());
    m.insert(("GET", "/login"), everyone());
    m.insert(("POST", "/login"), Box::new(|_| Expect::Status(401)));
    m.insert(("POST", "/logout"), everyone());
    m.insert(("GET", "/lang/{lang}"), everyone());
    m.insert(("GET", "/healthz"), everyone());
    m.insert(("GET", "/readyz"), everyone());
    m.insert(("GET", "/metrics"), everyone());
    m.insert(("GET", "/assets/{*path}"), everyone());
    // Signed-in pages.
    m.insert(("GET", "/home"), signed());
    m.insert(("GET", "/account"), signed());
    m.insert(("GET", "/account/password"), signed());
    m.insert(("POST", "/account/password"), signed());
    m.insert(("POST", "/account/tokens"), signed());
    // Revoking someone else's token: nobody may.
    m.insert(("POST", "/account/tokens/{id}/revoke"), only(&[]));
    // Organisations.
    m.insert(("GET", "/divisions"), only(READ_ORGS));
    m.insert(("GET", "/divisions/export"), only(READ_ORGS));
    m.insert(("GET", "/task-force/export"), only(READ_ORGS));
    m.insert(("GET", "/units"), only(READ_ORGS));
    m.insert(("GET", "/units/export"), only(READ_ORGS));
    m.insert(("GET", "/units/{id}"), only(READ_ORGS));
    m.insert(("GET", "/units/new"), only(MANAGE));
    m.insert(("POST", "/units/new"), only(MANAGE));
    m.insert(("POST", "/units/{id}"), only(MANAGE));
    m.insert(("GET", "/task-force"), only(READ_ORGS));
    m.insert(("POST", "/task-force/members"), only(MANAGE));
    m.insert(("GET", "/task-force/members/{id}"), only(MANAGE));
    m.insert(("POST", "/task-force/members/{id}"), only(MANAGE));
    m.insert(("POST", "/task-force/members/{id}/remove"), only(MANAGE));
    // Enterprises.
    m.insert(("GET", "/enterprises"), only(ENTERPRISE_LIST));
    m.insert(("GET", "/enterprises/export"), only(ENTERPRISE_LIST));
    m.insert(("GET", "/enterprises/{id}"), only(ENTERPRISE_A));
    m.insert(("GET", "/enterprises/{id}/edit"), only(EDIT_A));
    m.insert(("POST", "/enterprises/{id}/edit"), only(EDIT_A));
    m.insert(("POST", "/enterprises/{id}/archive"), only(MANAGE));
    m.insert(("GET", "/enterprises/new"), only(CREATE));
    m.insert(("POST", "/enterprises/new"), only(CREATE));
    m.insert(("GET", "/enterprises/import"), only(MANAGE));
    m.insert(("POST", "/enterprises/import"), only(MANAGE));
    m.insert(("POST", "/enterprises/import/report"), only(MANAGE));
    // Administration.
    for (meth, p) in [
        ("GET", "/users"),
        ("GET", "/users/export"),
        ("GET", "/users/new"),
        ("POST", "/users/new"),
        ("GET", "/users/{id}"),
        ("POST", "/users/{id}/grants"),
        ("POST", "/users/{id}/grants/{grant}/revoke"),
        ("POST", "/users/{id}/reset-password"),
        ("POST", "/users/{id}/disable"),
        ("POST", "/users/{id}/enable"),
        ("GET", "/audit"),
        ("GET", "/audit/export"),
    ] {
        m.insert((meth, p), only(ADMIN));
    }
    // Programme, dashboard, report, stations: government readers; the office manages.
    const PROGRAMME: &[&str] = &[
        "admin",
        "office",
        "department",
        "town",
        "town-other",
        "station",
        "agency",
    ];
    for p in [
        "/programme",
        "/programme/export",
        "/dashboard",
        "/programme/report",
        "/programme/report.xlsx",
        "/stations",
        "/stations/export",
        "/stations/{id}",
        "/stations/{id}/log.xlsx",
    ] {
        m.insert(("GET", p), only(PROGRAMME));
    }
    m.insert(("POST", "/programme/import"), only(MANAGE));
    // A station's log: its own staff and the office.
    m.insert(
        ("POST", "/stations/{id}/log"),
        only(&["admin", "office", "station"]),
    );
    // Demonstration applications. Application A (enterprise A's, not passed at assessment, in
    // 梁村镇) is read by the office, 梁村's officer and station, the enterprise's own people and
    // the expert who assessed it.
    const APPLICATIONS: &[&str] = &[
        "admin",
        "office",
        "town",
        "town-other",
        "station",
        "enterprise",
        "enterprise-b",
        "member",
        "expert",
    ];
    const APPLY: &[&str] = &[
        "admin",
        "office",
        "town",
        "town-other",
        "station",
        "enterprise",
        "enterprise-b",
    ];
    const APP_A: &[&str] = &[
        "admin",
        "office",
        "town",
        "station",
        "enterprise",
        "member",
        "expert",
    ];
    // Readers of A get this status (a refusal that names the reason: the step does not apply to
    // A's stage or to the reader), everybody else is denied.
    let readers_get = |code: u16| -> Rule {
        Box::new(move |r: &str| {
            if APP_A.contains(&r) {
                Expect::Status(code)
            } else {
                Expect::Deny
            }
        })
    };
    m.insert(("GET", "/demonstration"), only(APPLICATIONS));
    m.insert(("GET", "/demonstration/export"), only(APPLICATIONS));
    m.insert(("GET", "/demonstration/new"), only(APPLY));
    m.insert(("POST", "/demonstration/new"), only(APPLY));
    m.insert(("GET", "/demonstration/{id}"), only(APP_A));
    m.insert(("POST", "/demonstration/{id}/step"), only(APP_A));
    // The matrix's file is the office's own material: the office and the assessors only.
    m.insert(
        ("GET", "/demonstration/{id}/files/{file}"),
        only(&["admin", "office", "expert"]),
    );
    // Only the office may add files once an application is closed.
    m.insert(
        ("POST", "/demonstration/{id}/files"),
        Box::new(|r: &str| match r {
            "admin" | "office" => Expect::Allow,
            r if APP_A.contains(&r) => Expect::Status(409),
            _ => Expect::Deny,
        }),
    );
    m.insert(("POST", "/demonstration/{id}/assessors"), readers_get(409));
    // The score sheet: its assessors only.
    m.insert(
        ("GET", "/demonstration/{id}/score"),
        only(&["office", "expert"]),
    );
    m.insert(("POST", "/demonstration/{id}/score"), readers_get(409));
    m.insert(("POST", "/demonstration/{id}/objections"), readers_get(409));
    m.insert(
        ("POST", "/demonstration/{id}/objections/{objection}"),
        only(APP_A),
    );
    // The responsibility list and supervision: government readers; the office manages; a unit's
    // report or reply comes from its own people (the department account is 县工信局's).
    let programme_readers_get = |code: u16, allowed: &'static [&'static str]| -> Rule {
        Box::new(move |r: &str| {
            if allowed.contains(&r) {
                Expect::Allow
            } else if PROGRAMME.contains(&r) {
                Expect::Status(code)
            } else {
                Expect::Deny
            }
        })
    };
    for p in [
        "/worklist",
        "/worklist/export",
        "/worklist/{id}",
        "/worklist/{id}/files/{file}",
        "/supervision",
        "/supervision/export",
        "/supervision/notices/{id}",
        "/assessment",
        "/assessment/{id}",
        "/assessment/{id}/export",
        "/assessment/{id}/units/{unit}",
    ] {
        m.insert(("GET", p), only(PROGRAMME));
    }
    for p in [
        "/worklist/new",
        "/supervision/notices",
        "/assessment",
        "/assessment/{id}/units/{unit}",
    ] {
        m.insert(("POST", p), only(MANAGE));
    }
    m.insert(("GET", "/worklist/new"), only(MANAGE));
    m.insert(
        ("POST", "/worklist/{id}/reports"),
        programme_readers_get(409, &["department"]),
    );
    m.insert(
        ("POST", "/worklist/{id}/reports/{report}/review"),
        programme_readers_get(409, MANAGE),
    );
    m.insert(
        ("POST", "/worklist/{id}/cancel"),
        programme_readers_get(409, MANAGE),
    );
    m.insert(
        ("POST", "/supervision/notices/{id}/reply"),
        programme_readers_get(409, &["department"]),
    );
    m.insert(
        ("POST", "/supervision/notices/{id}/close"),
        programme_readers_get(409, MANAGE),
    );
    // Closing the (already closed) 2025 assessment: refused for the office, forbidden to others.
    m.insert(
        ("POST", "/assessment/{id}/close"),
        Box::new(|r: &str| {
            if MANAGE.contains(&r) {
                Expect::Status(409)
            } else {
                Expect::Deny
            }
        }),
    );
    // The inbox: everyone signed in; a notification opens only for its owner (the office's here).
    m.insert(("GET", "/inbox"), signed());
    m.insert(("POST", "/inbox/read"), signed());
    m.insert(("POST", "/inbox/{id}/open"), only(&["office"]));
    // API.
    m.insert(("GET", "/api/v1/openapi.json"), everyone());
    m.insert(
        ("POST", "/api/v1/session"),
        Box::new(|_| Expect::Status(401)),
    );
    m.insert(("GET", "/api/v1/me"), signed());
    m.insert(("GET", "/api/v1/enterprises"), only(ENTERPRISE_LIST));
    m.insert(("POST", "/api/v1/enterprises"), only(CREATE));
    m.insert(("GET", "/api/v1/enterprises/{id}"), only(ENTERPRISE_A));
    m.insert(("PATCH", "/api/v1/enterprises/{id}"), only(EDIT_A));
    m.insert(("GET", "/api/v1/divisions"), only(READ_ORGS));
    m.insert(("GET", "/api/v1/zones"), only(READ_ORGS));
    m.insert(("GET", "/api/v1/units"), only(READ_ORGS));
    m.insert(("POST", "/api/v1/units"), only(MANAGE));
    m.insert(("GET", "/api/v1/units/{id}"), only(READ_ORGS));
    m.insert(("PATCH", "/api/v1/units/{id}"), only(MANAGE));
    m.insert(("GET", "/api/v1/task-force"), only(READ_ORGS));
    m.insert(("GET", "/api/v1/users"), only(ADMIN));
    m.insert(("GET", "/api/v1/audit"), only(ADMIN));
    m.insert(("GET", "/api/v1/programme"), only(PROGRAMME));
    m.insert(("GET", "/api/v1/programme/progress"), only(PROGRAMME));
    m.insert(("GET", "/api/v1/applications"), only(APPLICATIONS));
    m.insert(("GET", "/api/v1/applications/{id}"), only(APP_A));
    // Evidence ledger: the tiles and the verification page are public; registering is for
    // everyone who works on the platform except the system administrator; an entry's
    // certificate and proof are for its submitter's people and the ledger's readers.
    // Everyone signed in but the system administrator.
    let register = || -> Rule {
        Box::new(|r: &str| {
            if r == "anonymous" || r == "admin" {
                Expect::Deny
            } else {
                Expect::Allow
            }
        })
    };
    const ENTRY_A: &[&str] = &["admin", "office", "agency", "enterprise", "member"];
    m.insert(("GET", "/log/checkpoint"), everyone());
    m.insert(("GET", "/log/tile/{*path}"), everyone());
    m.insert(("GET", "/evidence"), signed());
    m.insert(("POST", "/evidence"), register());
    m.insert(("GET", "/evidence/verify"), everyone());
    m.insert(("POST", "/evidence/verify"), everyone());
    m.insert(("GET", "/evidence/{index}"), only(ENTRY_A));
    m.insert(("GET", "/evidence/{index}/proof"), only(ENTRY_A));
    m.insert(("POST", "/api/v1/ledger/entries"), register());
    m.insert(("GET", "/api/v1/ledger/entries/{identity}"), only(ENTRY_A));
    m.insert(("GET", "/api/v1/ledger/proofs/{index}"), only(ENTRY_A));
    m
}

/// Concrete targets for the path parameters.
struct Targets {
    /// An entry registered by enterprise A: its index and identity (hex).
    entry_a: (u64, String),
    enterprise_a: String,
    application_a: String,
    file_a: String,
    /// An open work item 县工信局 shares, with a report file; a notice to 县工信局; the office's
    /// notification; the open (2026) and closed (2025) assessments and an assessed unit.
    item: String,
    item_file: String,
    notice: String,
    notification: String,
    assessment_open: String,
    assessment_closed: String,
    assessed_unit: String,
    unit: String,
    spare_user: String,
    spare_token: String,
    /// One task-force member and one grant per role, so destructive routes find theirs.
    members: BTreeMap<String, String>,
    grants: BTreeMap<String, String>,
    /// One enterprise per role to archive.
    archivable: BTreeMap<String, String>,
}

async fn setup(app: &TestApp) -> Targets {
    let db = &app.db;
    let op = shoumi::demo::operator();
    let cap = op.can(Action::ManageUsers).unwrap();
    let actor = Actor::system("test");
    let hash = users::hash_password(common::PASSWORD);
    let mut tx = db.begin(&actor).await.unwrap();
    let guhe = orgs::divisions(db)
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.code == "371526104")
        .unwrap();
    let new_user = |u: &str| users::NewUser {
        username: u.into(),
        display_name: u.into(),
        email: String::new(),
    };
    let (town_other, _) = users::create(&mut tx, cap, &new_user("town-other"), &hash, false)
        .await
        .unwrap();
    users::grant(
        &mut tx,
        cap,
        town_other,
        Role::Town,
        Scope::Division(guhe.id),
    )
    .await
    .unwrap();
    let code = shoumi_demo::gaotang_demo(7).enterprises[0]
        .input
        .credit_code
        .to_string();
    let (a_id, _) = enterprises::id_by_credit_code(db, cap, &code)
        .await
        .unwrap()
        .unwrap();
    let a = enterprises::get_by_id(db, &op.enterprise_scope(), a_id)
        .await
        .unwrap();
    let (member, _) = users::create(&mut tx, cap, &new_user("member"), &hash, false)
        .await
        .unwrap();
    users::grant(
        &mut tx,
        cap,
        member,
        Role::EnterpriseMember,
        Scope::Enterprise(a.id),
    )
    .await
    .unwrap();
    let (spare, spare_pid) = users::create(&mut tx, cap, &new_user("spare"), &hash, false)
        .await
        .unwrap();
    let (secret, _) = users::create_token(&mut tx, spare, "spare", users::TokenScope::Read, None)
        .await
        .unwrap();
    let _ = secret;
    let station = orgs::unit_by_key(db, "station-371526101").await.unwrap();
    let ocap = op.can(Action::ManageOrganisations).unwrap();
    let mut members = BTreeMap::new();
    let mut grants = BTreeMap::new();
    let mut archivable = BTreeMap::new();
    let demo = shoumi_demo::gaotang_demo(7);
    for (i, r) in ROLES.iter().enumerate() {
        let code = demo.enterprises[100 + i].input.credit_code.to_string();
        let (id, _) = enterprises::id_by_credit_code(db, cap, &code)
            .await
            .unwrap()
            .unwrap();
        let e = enterprises::get_by_id(db, &op.enterprise_scope(), id)
            .await
            .unwrap();
        archivable.insert(r.to_string(), e.public_id);
    }
    for r in ROLES {
        let pid = orgs::add_member(
            &mut tx,
            ocap,
            &orgs::MemberForm {
                name: format!("matrix {r}"),
                title: String::new(),
                unit_public_id: station.public_id.clone(),
                position: "member".into(),
                sort_order: "999".into(),
            },
        )
        .await
        .unwrap();
        members.insert(r.to_string(), pid);
        let unit = orgs::units(db, &Default::default())
            .await
            .unwrap()
            .into_iter()
            .nth(members.len())
            .unwrap();
        let g = users::grant(&mut tx, cap, spare, Role::Department, Scope::Unit(unit.id))
            .await
            .unwrap();
        grants.insert(r.to_string(), g);
    }
    tx.commit().await.unwrap();
    // Enterprise A's application from the demo history, and a file on it.
    let office_scope = op.application_scope();
    let (apps, _) = demonstration::list(
        db,
        &office_scope,
        &demonstration::ListQuery {
            q: a.name.clone(),
            ..Default::default()
        },
        None,
    )
    .await
    .unwrap();
    let application_a = apps
        .into_iter()
        .find(|x| x.subject_name == a.name)
        .expect("enterprise A has an application in the demo history");
    let checked =
        shoumi_domain::files::check_upload("matrix.pdf", b"%PDF-1.4 matrix", 1 << 20).unwrap();
    let mut tx = db.begin(&actor).await.unwrap();
    let file_a = demonstration::attach(
        &mut tx,
        &office_scope,
        &application_a.public_id,
        &checked,
        b"%PDF-1.4 matrix".to_vec(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    // Responsibility-list targets.
    let scope = shoumi::demo::operator().work_scope();
    let items = worklist::items(db, &scope, &Default::default())
        .await
        .unwrap();
    let item = items
        .iter()
        .find(|i| i.title.contains("专题培训"))
        .expect("the training item")
        .clone();
    let gxj = orgs::unit_by_key(db, "gxj").await.unwrap();
    let _ = UNIT_GXJ.set(gxj.public_id.clone());
    let dept = users::by_username(db, "department").await.unwrap().unwrap();
    let dept_scope = users::principal(db, dept.id)
        .await
        .unwrap()
        .unwrap()
        .work_scope();
    let mut tx = db.begin(&actor).await.unwrap();
    let (_, report_id) = worklist::file_report(
        &mut tx,
        &dept_scope,
        &item,
        &worklist::ReportForm {
            unit: gxj.public_id.clone(),
            content: "matrix".into(),
            ..Default::default()
        },
        demonstration::today(),
    )
    .await
    .unwrap();
    let item_file = worklist::attach_report_file(
        &mut tx,
        &item,
        report_id,
        &checked,
        b"%PDF-1.4 matrix".to_vec(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let notice = worklist::notices(db, None)
        .await
        .unwrap()
        .into_iter()
        .find(|n| n.unit_id == gxj.id)
        .expect("a notice to 县工信局")
        .public_id;
    let office = users::by_username(db, "office").await.unwrap().unwrap();
    let notification = shoumi_storage::notify::inbox(db, office.id, 1)
        .await
        .unwrap()[0]
        .public_id
        .clone();
    let assessments = shoumi_storage::assessment::list(db).await.unwrap();
    let assessment_open = assessments
        .iter()
        .find(|a| !a.closed)
        .unwrap()
        .public_id
        .clone();
    let assessment_closed = assessments
        .iter()
        .find(|a| a.closed)
        .unwrap()
        .public_id
        .clone();
    let spare_token = users::tokens_of(db, spare).await.unwrap()[0]
        .public_id
        .clone();
    let entry_a = register_entry_a(app, &a.credit_code).await;
    Targets {
        entry_a,
        enterprise_a: a.public_id,
        application_a: application_a.public_id,
        file_a,
        item: item.public_id,
        item_file,
        notice,
        notification,
        assessment_open,
        assessment_closed,
        assessed_unit: orgs::unit_by_key(db, "scjgj").await.unwrap().public_id,
        unit: station.public_id,
        spare_user: spare_pid,
        spare_token,
        members,
        grants,
        archivable,
    }
}

fn concrete(path: &str, role: &str, t: &Targets) -> String {
    let p = match path {
        "/lang/{lang}" => "/lang/en?back=/".to_string(),
        "/assets/{*path}" => "/assets/app.css".to_string(),
        "/account/tokens/{id}/revoke" => format!("/account/tokens/{}/revoke", t.spare_token),
        "/units/{id}"
        | "/api/v1/units/{id}"
        | "/stations/{id}"
        | "/stations/{id}/log"
        | "/stations/{id}/log.xlsx" => path.replace("{id}", &t.unit),
        "/worklist/{id}/files/{file}" => path
            .replace("{id}", &t.item)
            .replace("{file}", &t.item_file),
        "/worklist/{id}/reports/{report}/review" => path
            .replace("{id}", &t.item)
            .replace("{report}", "no-such-report"),
        p if p.starts_with("/worklist/{id}") => p.replace("{id}", &t.item),
        p if p.starts_with("/supervision/notices/{id}") => p.replace("{id}", &t.notice),
        "/inbox/{id}/open" => path.replace("{id}", &t.notification),
        "/log/tile/{*path}" => "/log/tile/0/000.p/1".to_string(),
        "/evidence/{index}" | "/evidence/{index}/proof" | "/api/v1/ledger/proofs/{index}" => {
            path.replace("{index}", &t.entry_a.0.to_string())
        }
        "/api/v1/ledger/entries/{identity}" => path.replace("{identity}", &t.entry_a.1),
        "/assessment/{id}/close" => path.replace("{id}", &t.assessment_closed),
        "/assessment/{id}/units/{unit}" => path
            .replace("{id}", &t.assessment_open)
            .replace("{unit}", &t.assessed_unit),
        p if p.starts_with("/assessment/{id}") => p.replace("{id}", &t.assessment_open),
        "/demonstration/{id}/files/{file}" => path
            .replace("{id}", &t.application_a)
            .replace("{file}", &t.file_a),
        "/demonstration/{id}/objections/{objection}" => path
            .replace("{id}", &t.application_a)
            .replace("{objection}", "no-such-objection"),
        p if p.starts_with("/demonstration/{id}") || p == "/api/v1/applications/{id}" => {
            p.replace("{id}", &t.application_a)
        }
        "/task-force/members/{id}" | "/task-force/members/{id}/remove" => {
            path.replace("{id}", &t.members[role])
        }
        "/enterprises/{id}/archive" => format!("/enterprises/{}/archive", t.archivable[role]),
        "/users/{id}/grants/{grant}/revoke" => {
            format!("/users/{}/grants/{}/revoke", t.spare_user, t.grants[role])
        }
        p if p.starts_with("/users/{id}") => p.replace("{id}", &t.spare_user),
        p if p.contains("/enterprises/{id}") => p.replace("{id}", &t.enterprise_a),
        p => p.to_string(),
    };
    assert!(!p.contains('{'), "no target for {path}");
    p
}
/// Enterprise A registers a document in the ledger (the first entry of the test's log).
async fn register_entry_a(app: &TestApp, credit_code: &str) -> (u64, String) {
    use shoumi_ledger::{Digests, Entry, EntryKind};
    let e = Entry::new(
        EntryKind::SecretVersion,
        Digests::of(b"matrix secret"),
        [0; 32],
        1_764_000_000_000,
        &format!("uscc:{credit_code}"),
    )
    .unwrap();
    app.ledger
        .append(shoumi_storage::ledger::Submission {
            actor: Actor::system("matrix"),
            entries: vec![e.clone()],
        })
        .await
        .unwrap();
    let (index, _) = app
        .ledger
        .wait_sequenced(&e.identity(), std::time::Duration::from_secs(10))
        .await
        .unwrap();
    (index, hex::encode(e.identity()))
}

async fn call(c: &mut Client, method: &str, route: &str, path: &str) -> common::Response {
    let api = path.starts_with("/api/");
    match (method, api) {
        ("GET", _) => c.get(path).await,
        ("POST", false) if route == "/enterprises/import" => {
            c.post_file(path, &[("kind", "enterprises")], "empty.csv", b"")
                .await
        }
        ("POST", false) if route == "/worklist/{id}/reports" => {
            c.post_file(
                path,
                &[
                    ("unit", UNIT_GXJ.get().map(String::as_str).unwrap_or("")),
                    ("content", "matrix report"),
                ],
                "report.pdf",
                b"%PDF-1.4 report",
            )
            .await
        }
        ("POST", false) if route == "/demonstration/{id}/files" => {
            c.post_file(path, &[], "evidence.pdf", b"%PDF-1.4 evidence")
                .await
        }
        ("POST", false) if route == "/programme/import" => {
            c.post_file(
                path,
                &[("note", "matrix")],
                "programme.yaml",
                b"format: wrong\n",
            )
            .await
        }
        ("POST", false) if route == "/evidence/verify" => {
            c.post_file(path, &[("sha256", "")], "x.tlog-proof", b"")
                .await
        }
        ("POST", false) if route == "/enterprises/import/report" => {
            c.post_form(path, &[("report", "[]")]).await
        }
        ("POST", false) if route == "/login" => {
            c.post_form(path, &[("username", "nobody-matrix"), ("password", "x")])
                .await
        }
        ("POST", false) => c.post_form(path, &[]).await,
        ("POST", true) if route == "/api/v1/session" => {
            c.json(
                "POST",
                path,
                json!({"username": "nobody-matrix", "password": "x"}),
            )
            .await
        }
        (m, true) => c.json(m, path, json!({})).await,
        (m, false) => panic!("unexpected method {m}"),
    }
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_matrix_says() {
    let app = TestApp::spawn().await;
    let t = setup(&app).await;
    let m = matrix();
    let mut routes: Vec<(String, &'static str)> = shoumi_web::route_specs()
        .into_iter()
        .map(|r| (r.method.to_string(), r.path))
        .collect();
    // Every registered route has a row, and every row a route.
    for (meth, p) in &routes {
        assert!(
            m.contains_key(&(meth.as_str(), *p)),
            "route {meth} {p} is missing from the access matrix"
        );
    }
    for (meth, p) in m.keys() {
        assert!(
            routes.iter().any(|(a, b)| a == meth && b == p),
            "matrix row {meth} {p} matches no route"
        );
    }
    // Sign-out last, so the session serves every other route first.
    routes.sort_by_key(|(meth, p)| (*p == "/logout", meth.clone(), *p));
    let mut failures = Vec::new();
    for role in ROLES {
        let mut page = if *role == "anonymous" {
            app.client()
        } else {
            app.signed_in(role).await
        };
        let mut api = app.client();
        if *role != "anonymous" {
            api.api_sign_in(role).await;
        }
        for (meth, route) in &routes {
            let path = concrete(route, role, &t);
            let c = if path.starts_with("/api/") {
                &mut api
            } else {
                &mut page
            };
            let r = call(c, meth, route, &path).await;
            let expected = m[&(meth.as_str(), *route)](role);
            let ok = match expected {
                Expect::Allow => {
                    !r.is_denied() && (r.status.as_u16() < 400 || r.status.as_u16() == 422)
                }
                Expect::Deny => r.is_denied(),
                Expect::Status(s) => r.status.as_u16() == s,
            };
            if !ok {
                failures.push(format!(
                    "{role:<13} {meth:<5} {path}: expected {expected:?}, got {} {}",
                    r.status,
                    r.location.clone().unwrap_or_default()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
