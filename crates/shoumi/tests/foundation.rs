//! Behaviour of the foundation: sign-in and sessions, isolation, validation, audit, import and
//! export, API tokens, several instances, backup/restore and copy-db. Each test runs on a fresh
//! database: SQLite by default, PostgreSQL when SHOUMI_TEST_DATABASE_URL is set.

mod common;

use axum::http::StatusCode;
use common::{PASSWORD, TestApp};
use serde_json::json;
use shoumi_domain::Action;
use shoumi_storage::{Actor, audit, dump, enterprises};

fn demo_code(i: usize) -> String {
    shoumi_demo::gaotang_demo(7).enterprises[i]
        .input
        .credit_code
        .to_string()
}

async fn enterprise_pid(app: &TestApp, i: usize) -> String {
    let op = shoumi::demo::operator();
    let cap = op.can(Action::ManageUsers).unwrap();
    let (id, _) = enterprises::id_by_credit_code(&app.db, cap, &demo_code(i))
        .await
        .unwrap()
        .unwrap();
    enterprises::get_by_id(&app.db, &op.enterprise_scope(), id)
        .await
        .unwrap()
        .public_id
}

#[tokio::test]
async fn postgres_backend_is_exercised() {
    let app = TestApp::spawn().await;
    let backend = match app.backend() {
        shoumi_storage::Backend::Sqlite => "sqlite",
        shoumi_storage::Backend::Postgres => "postgres",
    };
    // .ci/run looks for this line to prove the PostgreSQL run was not skipped.
    println!("backend={backend}");
    if std::env::var("SHOUMI_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
        assert_eq!(backend, "postgres");
    }
}

#[tokio::test]
async fn sign_in_sets_an_http_only_session_cookie_and_security_headers() {
    let app = TestApp::spawn().await;
    let mut c = app.client();
    c.get("/login").await;
    let r = c
        .post_form(
            "/login",
            &[
                ("username", "office"),
                ("password", PASSWORD),
                ("next", "/home"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location.as_deref(), Some("/home"));
    let cookie = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("shoumi_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let home = c.get("/home").await;
    assert_eq!(home.status, StatusCode::OK);
    let csp = home
        .headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        csp.contains("script-src 'self'")
            && csp.contains("frame-ancestors 'none'")
            && !csp.contains("unsafe-inline")
    );
    assert_eq!(
        home.headers.get("x-content-type-options").unwrap(),
        "nosniff"
    );
    assert!(home.headers.get("referrer-policy").is_some());
    assert!(home.headers.get("x-request-id").is_some());
    // No inline script anywhere in the page.
    assert!(!home.text().contains("<script>"));
}

#[tokio::test]
async fn an_open_redirect_after_sign_in_is_refused() {
    let app = TestApp::spawn().await;
    let mut c = app.client();
    c.get("/login").await;
    let r = c
        .post_form(
            "/login",
            &[
                ("username", "office"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/home"));
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_even_for_the_right_one() {
    let app = TestApp::spawn().await;
    let mut c = app.client();
    for _ in 0..5 {
        let r = c.sign_in("town", "wrong-password-1").await;
        assert!(r.status == StatusCode::UNAUTHORIZED || r.status == StatusCode::TOO_MANY_REQUESTS);
    }
    let r = c.sign_in("town", PASSWORD).await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the account should be locked"
    );
    assert!(r.text().contains("锁定"));
    // The lockout is in the audit trail.
    let cap = shoumi::demo::operator().can(Action::ReadAudit).unwrap();
    let (rows, _) = audit::list(
        &app.db,
        cap,
        &audit::AuditQuery {
            action: "user.locked".into(),
            ..Default::default()
        },
        Default::default(),
    )
    .await
    .unwrap();
    assert_eq!(rows.len(), 1);
}

#[tokio::test]
async fn a_form_without_the_csrf_token_is_refused() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in("office").await;
    c.csrf = "forged".into();
    let r = c
        .post_form("/units/new", &[("name", "伪造单位"), ("kind", "law_firm")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let units = shoumi_storage::orgs::units(&app.db, &Default::default())
        .await
        .unwrap();
    assert!(!units.iter().any(|u| u.name == "伪造单位"));
}

#[tokio::test]
async fn a_cross_site_post_is_refused_even_with_a_token() {
    let app = TestApp::spawn().await;
    let c = app.signed_in("office").await;
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/units/new")
        .header("host", "localhost")
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(format!(
            "_csrf={}&name=x&kind=law_firm",
            c.csrf
        )))
        .unwrap();
    let mut c = c;
    let r = c.send(req).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_account_made_by_an_administrator_must_change_its_password_first() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in("admin").await;
    let r = admin
        .post_form(
            "/users/new",
            &[("username", "zhang.san"), ("display_name", "张三")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    let i = html.find("class=\"mono big\">").unwrap() + "class=\"mono big\">".len();
    let temp = html[i..i + html[i..].find('<').unwrap()].to_string();
    let mut u = app.client();
    let r = u.sign_in("zhang.san", &temp).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Every page leads to the password page until the password is changed.
    let r = u.get("/home").await;
    assert_eq!(r.location.as_deref(), Some("/account/password"));
    u.get("/account/password").await;
    let r = u
        .post_form(
            "/account/password",
            &[("current", &temp), ("new", "short"), ("confirm", "short")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("id=\"new-error\""));
    let r = u
        .post_form(
            "/account/password",
            &[
                ("current", &temp),
                ("new", "Brand-new-pass-1"),
                ("confirm", "Brand-new-pass-1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(u.get("/home").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_town_officer_sees_only_the_enterprises_of_their_division() {
    let app = TestApp::spawn().await;
    let mut town = app.signed_in("town").await;
    let r = town.get("/api/v1/enterprises?per_page=500").await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "the API takes bearer tokens, not cookies"
    );
    town.api_sign_in("town").await;
    let body = town.get("/api/v1/enterprises?per_page=500").await.json();
    assert!(body["total"].as_i64().unwrap() > 10);
    for e in body["items"].as_array().unwrap() {
        assert_eq!(e["division_code"], "371526101");
    }
    // Another division's enterprise is not found (not "forbidden": its existence stays hidden).
    let b = enterprise_pid(&app, 1).await;
    assert_eq!(
        town.get(&format!("/api/v1/enterprises/{b}")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_enterprise_user_cannot_open_another_enterprise() {
    let app = TestApp::spawn().await;
    let a = enterprise_pid(&app, 0).await;
    let mut b_user = app.signed_in("enterprise-b").await;
    let r = b_user.get(&format!("/enterprises/{a}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text().contains("未找到"));
    let list = b_user.get("/enterprises").await.text();
    assert_eq!(list.matches("class=\"enterprise-link\"").count(), 1);
}

#[tokio::test]
async fn the_government_does_not_see_contacts_an_enterprise_does_not_share() {
    let app = TestApp::spawn().await;
    let op = shoumi::demo::operator();
    let rows = enterprises::list_all(&app.db, &op.enterprise_scope(), &Default::default())
        .await
        .unwrap();
    let hidden = rows
        .iter()
        .find(|e| !e.share_contacts && e.contact_phone.is_some() && e.division_code == "371526101")
        .unwrap();
    let mut town = app.client();
    town.api_sign_in("town").await;
    let e = town
        .get(&format!("/api/v1/enterprises/{}", hidden.public_id))
        .await
        .json();
    assert_eq!(e["name"], hidden.name.as_str());
    assert!(e["contact_phone"].is_null(), "contacts leaked: {e}");
}

#[tokio::test]
async fn a_bad_enterprise_form_names_every_wrong_field_on_the_page_and_in_the_api() {
    let app = TestApp::spawn().await;
    let mut office = app.signed_in("office").await;
    office.get("/enterprises/new").await;
    let r = office
        .post_form(
            "/enterprises/new",
            &[
                ("name", ""),
                ("credit_code", "123"),
                ("division_code", "371526101"),
                ("industry", "Z99"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    for f in ["name-error", "credit_code-error", "industry-error"] {
        assert!(
            html.contains(&format!("id=\"{f}\"")),
            "no {f} beside the field"
        );
    }
    let mut api = app.client();
    api.api_sign_in("office").await;
    let r = api.json("POST", "/api/v1/enterprises", json!({"name": "测试", "credit_code": "91310110666007217O", "division_code": "371526101", "industry": "C26"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "credit_code");
    // A duplicate credit code is a field error too.
    let r = api.json("POST", "/api/v1/enterprises", json!({"name": "重复", "credit_code": demo_code(0), "division_code": "371526101", "industry": "C26"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.json()["error"]["fields"][0]["field"], "credit_code");
}

#[tokio::test]
async fn an_edit_is_audited_with_before_and_after_in_the_same_transaction() {
    let app = TestApp::spawn().await;
    let a = enterprise_pid(&app, 0).await;
    let mut api = app.client();
    api.api_sign_in("town").await;
    let r = api
        .json(
            "PATCH",
            &format!("/api/v1/enterprises/{a}"),
            json!({"address": "高唐县梁村镇审计路1号"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["address"], "高唐县梁村镇审计路1号");
    let rows = audit::for_entity(&app.db, "enterprise", &a).await.unwrap();
    let last = &rows[0];
    assert_eq!(last.action, "enterprise.update");
    assert_eq!(last.actor_name, "town");
    assert!(last.after_json.as_deref().unwrap().contains("审计路1号"));
    assert!(!last.before_json.as_deref().unwrap().contains("审计路1号"));
    // A write without an audit row cannot commit.
    let actor = Actor::system("test");
    let tx = app.db.begin(&actor).await.unwrap();
    assert!(tx.commit().await.is_err());
}

fn csv(rows: &[[&str; 4]]) -> Vec<u8> {
    let mut s = String::from("\u{feff}企业名称,统一社会信用代码,所属镇街代码,行业\r\n");
    for r in rows {
        s.push_str(&r.join(","));
        s.push_str("\r\n");
    }
    s.into_bytes()
}

#[tokio::test]
async fn a_file_with_a_bad_row_imports_nothing_and_names_the_row_and_column() {
    let app = TestApp::spawn().await;
    let good = shoumi_domain::CreditCode::with_check_character("91371526MA0QWE701")
        .unwrap()
        .to_string();
    let good2 = shoumi_domain::CreditCode::with_check_character("91371526MA0QWE702")
        .unwrap()
        .to_string();
    let file = csv(&[
        ["导入测试一有限公司", &good, "371526101", "C26"],
        ["导入测试二有限公司", &good2, "371526101", "C26"],
        ["坏行有限公司", "123", "371526101", "C26"],
    ]);
    let mut office = app.signed_in("office").await;
    office.get("/enterprises/import").await;
    let r = office
        .post_file(
            "/enterprises/import",
            &[("kind", "enterprises")],
            "e.csv",
            &file,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("id=\"import-report\""));
    assert!(
        html.contains("<td class=\"num\">4</td><td>统一社会信用代码</td>"),
        "{html}"
    );
    let op = shoumi::demo::operator();
    let q = enterprises::EnterpriseQuery {
        q: "导入测试".into(),
        ..Default::default()
    };
    assert_eq!(
        enterprises::list(&app.db, &op.enterprise_scope(), &q, Default::default())
            .await
            .unwrap()
            .1,
        0
    );
    // A row naming a division that does not exist is caught against the database, too.
    let file = csv(&[["导入测试一有限公司", &good, "371526999", "C26"]]);
    let r = office
        .post_file(
            "/enterprises/import",
            &[("kind", "enterprises")],
            "e.csv",
            &file,
        )
        .await;
    assert!(r.text().contains("所属镇街代码"));
    // The clean file imports.
    let file = csv(&[
        ["导入测试一有限公司", &good, "371526101", "C26"],
        ["导入测试二有限公司", &good2, "371526101", "C26"],
    ]);
    let r = office
        .post_file(
            "/enterprises/import",
            &[("kind", "enterprises")],
            "e.csv",
            &file,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        enterprises::list(&app.db, &op.enterprise_scope(), &q, Default::default())
            .await
            .unwrap()
            .1,
        2
    );
}

#[tokio::test]
async fn re_importing_an_export_changes_nothing() {
    let app = TestApp::spawn().await;
    let mut office = app.signed_in("office").await;
    let before = dump::counts(&app.db).await.unwrap();
    for fmt in ["xlsx", "csv"] {
        let r = office
            .get(&format!("/enterprises/export?format={fmt}"))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        office.get("/enterprises/import").await;
        let r = office
            .post_file(
                "/enterprises/import",
                &[("kind", "enterprises")],
                &format!("export.{fmt}"),
                &r.body,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(
            r.text().contains("新增 0 · 更新 0 · 未变 1500"),
            "{}",
            r.text()
        );
    }
    let after = dump::counts(&app.db).await.unwrap();
    assert_eq!(
        before.iter().find(|t| t.0 == "audit_log"),
        after.iter().find(|t| t.0 == "audit_log")
    );
}

#[tokio::test]
async fn an_api_token_is_shown_once_limited_to_its_scope_and_revocable() {
    let app = TestApp::spawn().await;
    let mut town = app.signed_in("town").await;
    let r = town
        .post_form(
            "/account/tokens",
            &[("name", "报表脚本"), ("scope", "read"), ("days", "30")],
        )
        .await;
    let html = r.text();
    let i = html.find("shm_").unwrap();
    let secret = html[i..i + 68].to_string();
    // Shown once: the account page no longer contains it.
    assert!(!town.get("/account").await.text().contains(&secret));
    let mut api = app.client();
    api.bearer = Some(secret.clone());
    assert_eq!(api.get("/api/v1/me").await.status, StatusCode::OK);
    let a = enterprise_pid(&app, 0).await;
    let r = api
        .json(
            "PATCH",
            &format!("/api/v1/enterprises/{a}"),
            json!({"address": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "a read token cannot write");
    let tokens = shoumi_storage::users::tokens_of(
        &app.db,
        shoumi_storage::users::by_username(&app.db, "town")
            .await
            .unwrap()
            .unwrap()
            .id,
    )
    .await
    .unwrap();
    town.get("/account").await;
    town.post_form(
        &format!("/account/tokens/{}/revoke", tokens[0].public_id),
        &[],
    )
    .await;
    assert_eq!(api.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn me_reports_the_roles_and_the_enterprise_of_an_enterprise_user() {
    let app = TestApp::spawn().await;
    let mut api = app.client();
    api.api_sign_in("enterprise").await;
    let me = api.get("/api/v1/me").await.json();
    assert_eq!(me["username"], "enterprise");
    assert_eq!(me["roles"][0]["role"], "enterprise_admin");
    assert_eq!(me["enterprise_id"], enterprise_pid(&app, 0).await.as_str());
}

#[tokio::test]
async fn two_instances_share_sessions_through_the_database() {
    let app = TestApp::spawn().await;
    // A second instance with its own connection pool, as on another machine.
    let other = app.another_instance(common::connect(&app.url).await);
    let mut c = app.signed_in("office").await;
    let mut c2 = c.with_router(other);
    let r = c2.get("/home").await;
    assert_eq!(r.status, StatusCode::OK);
    let r = c2
        .post_form(
            "/units/new",
            &[("name", "第二实例创建的单位"), ("kind", "law_firm")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let units = c.get("/units?q=第二实例").await.text();
    assert!(units.contains("第二实例创建的单位"));
}

/// The page cache's hit and miss counters, from `/metrics`.
async fn page_cache_counts(app: &TestApp) -> (u64, u64) {
    let m = app.client().get("/metrics").await.text();
    let count = |outcome: &str| {
        let prefix = format!("shoumi_page_cache_requests_total{{outcome=\"{outcome}\"}} ");
        m.lines()
            .find_map(|l| l.strip_prefix(prefix.as_str()))
            .unwrap_or_else(|| panic!("no {outcome} counter in /metrics"))
            .parse::<u64>()
            .unwrap()
    };
    (count("hit"), count("miss"))
}

#[tokio::test]
async fn a_page_served_again_shows_a_change_committed_elsewhere_at_once() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in("office").await;
    let code = demo_code(0);
    let path = format!("/enterprises?q={code}");
    let before = c.get(&path).await.text();
    // The page is served again. (On PostgreSQL the version is the server's snapshot, which any
    // commit in any database of the server changes — the other tests' among them — so it may
    // take a few tries there; on SQLite the first one.)
    let mut served_again = false;
    for _ in 0..50 {
        let (hits, _) = page_cache_counts(&app).await;
        assert_eq!(c.get(&path).await.text(), before);
        if page_cache_counts(&app).await.0 > hits {
            served_again = true;
            break;
        }
    }
    assert!(served_again, "the page was never served from the cache");

    // Another instance (its own connections, as on another machine) renames the enterprise.
    let other = common::connect(&app.url).await;
    let op = shoumi::demo::operator();
    let scope = op.enterprise_scope();
    let e = enterprises::get(&other, &scope, &enterprise_pid(&app, 0).await)
        .await
        .unwrap();
    assert!(before.contains(&e.name), "the list shows {}", e.name);
    let mut input = e.to_input().unwrap();
    input.name = "缓存之后改名的企业有限公司".into();
    let actor = Actor::system("test");
    let mut tx = other.begin(&actor).await.unwrap();
    enterprises::update(&mut tx, &scope, &e.public_id, &input)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let after = c.get(&path).await.text();
    assert!(after.contains("缓存之后改名的企业有限公司"), "{after}");
    assert!(!after.contains(&e.name));
}

#[tokio::test]
async fn signing_out_ends_a_page_served_again_at_once() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in("office").await;
    let mut same_cookie = c.with_router(app.router.clone());
    assert_eq!(c.get("/home").await.status, StatusCode::OK);
    assert_eq!(same_cookie.get("/home").await.status, StatusCode::OK);
    let r = c.post_form("/logout", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(same_cookie.get("/home").await.is_denied());
}

#[tokio::test]
async fn a_page_served_again_reaches_only_the_session_it_was_rendered_for() {
    let app = TestApp::spawn().await;
    let mut office = app.signed_in("office").await;
    let mut town = app.signed_in("town").await;
    for _ in 0..2 {
        let a = office.get("/home").await.text();
        let b = town.get("/home").await.text();
        assert_ne!(a, b);
        assert!(a.contains(&office.csrf) && !a.contains(&town.csrf));
        assert!(b.contains(&town.csrf) && !b.contains(&office.csrf));
    }
    // In English, then in Chinese again: the language is part of the key.
    let en = office.get("/home?lang=en").await.text();
    let zh = office.get("/home").await.text();
    assert_ne!(en, zh);
}

#[tokio::test]
async fn the_openapi_document_lists_exactly_the_api_routes() {
    let app = TestApp::spawn().await;
    let doc = app.client().get("/api/v1/openapi.json").await.json();
    let paths = doc["paths"].as_object().unwrap();
    for r in shoumi_web::route_specs()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/"))
    {
        let ops = paths
            .get(r.path)
            .unwrap_or_else(|| panic!("{} not documented", r.path));
        assert!(
            ops.get(r.method.as_str().to_ascii_lowercase()).is_some(),
            "{} {} not documented",
            r.method,
            r.path
        );
    }
    let n: usize = paths.values().map(|v| v.as_object().unwrap().len()).sum();
    assert_eq!(
        n,
        shoumi_web::route_specs()
            .iter()
            .filter(|r| r.path.starts_with("/api/"))
            .count()
    );
}

#[tokio::test]
async fn errors_are_pages_in_the_users_language_and_json_in_the_api() {
    let app = TestApp::spawn().await;
    let mut c = app.client();
    let r = c.get("/no-such-page").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text().contains("未找到"));
    let r = c.get("/no-such-page?lang=en").await;
    assert!(r.text().contains("Not found"));
    let r = c.get("/api/v1/nothing").await;
    assert_eq!(r.json()["error"]["code"], "not_found");
    let r = c.get("/api/v1/enterprises").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"]["code"], "unauthorized");
}

#[tokio::test]
async fn public_identifiers_do_not_reveal_counts() {
    let app = TestApp::spawn().await;
    let a = enterprise_pid(&app, 0).await;
    let b = enterprise_pid(&app, 1).await;
    assert_eq!(a.len(), 14);
    assert!(a.parse::<i64>().is_err() && b.parse::<i64>().is_err());
    assert_ne!(a[..4], b[..4]);
}

#[tokio::test]
async fn backup_and_restore_give_back_every_row() {
    let app = TestApp::spawn().await;
    let mut buf = Vec::new();
    let header = dump::backup(&app.db, &mut buf, &|_, _, _| {})
        .await
        .unwrap();
    let scratch = common::ScratchDb::new().await;
    let url = scratch.url.clone();
    let target = common::connect(&url).await;
    shoumi_storage::migrate::run(&target).await.unwrap();
    dump::restore(&target, buf.as_slice(), &|_, _, _| {})
        .await
        .unwrap();
    let restored = dump::counts(&target).await.unwrap();
    for (t, n, _) in &header.tables {
        let m = restored.iter().find(|x| &x.0 == t).unwrap().1;
        // The restore adds its own audit row.
        let expected = if t == "audit_log" { n + 1 } else { *n };
        assert_eq!(m, expected, "{t}");
    }
    // Restoring into a database that is not empty is refused.
    assert!(
        dump::restore(&target, buf.as_slice(), &|_, _, _| {})
            .await
            .is_err()
    );
    // And the restored installation works: new rows get fresh ids.
    let mut c = common::Client::with_router(
        &app.client(),
        shoumi_web::app(shoumi_web::AppState::new(target, Default::default())),
    );
    c.sign_in("office", PASSWORD).await;
    let r = c
        .post_form(
            "/units/new",
            &[("name", "恢复后新增单位"), ("kind", "law_firm")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
}

#[tokio::test]
async fn copy_db_moves_everything_or_nothing() {
    let app = TestApp::spawn().await;
    let scratch = common::ScratchDb::new().await;
    let url = scratch.url.clone();
    let target = common::connect(&url).await;
    shoumi_storage::migrate::run(&target).await.unwrap();
    let copied = dump::copy_db(&app.db, &target, &|_, _, _| {})
        .await
        .unwrap();
    let after = dump::counts(&target).await.unwrap();
    for ((t, n), (_, m)) in copied.iter().zip(after.iter()) {
        let expected = if t == "audit_log" { n + 1 } else { *n };
        assert_eq!(*m, expected, "{t}");
    }
    // A second copy into the now non-empty target is refused and changes nothing.
    assert!(
        dump::copy_db(&app.db, &target, &|_, _, _| {})
            .await
            .is_err()
    );
    assert_eq!(dump::counts(&target).await.unwrap(), after);
}

#[tokio::test]
async fn the_dump_table_list_covers_the_whole_schema() {
    let app = TestApp::spawn().await;
    let mut schema = dump::schema_tables(&app.db).await.unwrap();
    let mut listed: Vec<String> = dump::TABLES
        .iter()
        .chain(dump::DERIVED)
        .map(|s| s.to_string())
        .collect();
    schema.sort();
    listed.sort();
    assert_eq!(schema, listed);
}

#[tokio::test]
async fn name_search_through_the_index_finds_exactly_what_a_scan_finds() {
    let app = TestApp::spawn().await;
    let op = shoumi::demo::operator();
    let scope = op.enterprise_scope();
    let all = enterprises::list_all(&app.db, &scope, &Default::default())
        .await
        .unwrap();
    for q in [
        "化工",
        "食品有限",
        "精细化工",
        "机械",
        "高唐县",
        "有限公司",
        "县",
        "ＡＢ",
    ] {
        let query = enterprises::EnterpriseQuery {
            q: q.into(),
            ..Default::default()
        };
        let mut found: Vec<String> = enterprises::list_all(&app.db, &scope, &query)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.public_id)
            .collect();
        let mut expected: Vec<String> = all
            .iter()
            .filter(|e| e.name.contains(q))
            .map(|e| e.public_id.clone())
            .collect();
        found.sort();
        expected.sort();
        assert_eq!(found, expected, "query {q}");
        let (_, total) = enterprises::list(&app.db, &scope, &query, Default::default())
            .await
            .unwrap();
        assert_eq!(total as usize, expected.len(), "count for {q}");
    }
    // A renamed enterprise is found by its new name, not its old one; tags filter through the index.
    let a = enterprise_pid(&app, 0).await;
    let mut api = app.client();
    api.api_sign_in("office").await;
    let r = api
        .json(
            "PATCH",
            &format!("/api/v1/enterprises/{a}"),
            json!({"name": "高唐县新名称测试有限公司", "tags": "gazelle"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let found = |q: &str, tag: &str| {
        let query = enterprises::EnterpriseQuery {
            q: q.into(),
            tag: tag.into(),
            ..Default::default()
        };
        let db = app.db.clone();
        let scope = scope.clone();
        async move {
            enterprises::list_all(&db, &scope, &query)
                .await
                .unwrap()
                .into_iter()
                .map(|e| e.public_id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(found("新名称", "").await, vec![a.clone()]);
    assert!(found("砚澄", "").await.is_empty());
    assert!(found("新名称", "gazelle").await.contains(&a));
    let gazelles = found("", "gazelle").await;
    assert_eq!(
        gazelles.len(),
        all.iter()
            .filter(|e| e.tags.contains(&shoumi_domain::KeyTag::Gazelle))
            .count()
            + 1
    );
}

#[tokio::test]
async fn an_archived_enterprise_leaves_the_register_but_keeps_its_history() {
    let app = TestApp::spawn().await;
    let b = enterprise_pid(&app, 1).await;
    let mut office = app.signed_in("office").await;
    office.get(&format!("/enterprises/{b}")).await;
    let r = office
        .post_form(&format!("/enterprises/{b}/archive"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        office.get(&format!("/enterprises/{b}")).await.status,
        StatusCode::NOT_FOUND
    );
    // The row is still there, archived, with its audit trail.
    let n: i64 = shoumi_storage::sql::query_scalar::<i64>(
        "SELECT COUNT(*) FROM enterprises WHERE archived_at IS NOT NULL",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(n, 1);
    let history = audit::for_entity(&app.db, "enterprise", &b).await.unwrap();
    assert_eq!(history[0].action, "enterprise.archive");
    assert!(history[0].before_json.is_some());
}

/// The live-count table (list totals, home figures) equals a count of the enterprises after
/// creates (the demo load), a move to another town and an archive, and after a backup is
/// restored into a new database.
#[tokio::test]
async fn list_totals_from_the_count_table_equal_a_count_of_the_enterprises() {
    /// Rows of three integer columns.
    async fn triples(db: &shoumi_storage::Db, q: &str) -> Vec<(i64, i64, i64)> {
        let rows = shoumi_storage::sql::query(q).fetch_all(db).await.unwrap();
        rows.iter()
            .map(|r| {
                (
                    r.try_get_at(0).unwrap(),
                    r.try_get_at(1).unwrap(),
                    r.try_get_at(2).unwrap(),
                )
            })
            .collect()
    }
    async fn assert_counts_match(db: &shoumi_storage::Db) {
        let scan = triples(
            db,
            "SELECT division_id, COALESCE(zone_id, 0) AS z, COUNT(*) FROM enterprises \
             WHERE archived_at IS NULL GROUP BY division_id, COALESCE(zone_id, 0) \
             ORDER BY division_id, z",
        )
        .await;
        let table = triples(
            db,
            "SELECT division_id, zone_id, live FROM enterprise_counts WHERE live <> 0 \
             ORDER BY division_id, zone_id",
        )
        .await;
        assert_eq!(table, scan);
        assert!(!scan.is_empty());
    }

    let app = TestApp::spawn().await;
    assert_counts_match(&app.db).await;

    // Move enterprise 0 to another town, archive enterprise 1.
    let op = shoumi::demo::operator();
    let scope = op.enterprise_scope();
    let actor = Actor::system("test");
    let a = enterprises::get(&app.db, &scope, &enterprise_pid(&app, 0).await)
        .await
        .unwrap();
    let mut input = a.to_input().unwrap();
    input.division_code = shoumi_domain::DivisionCode::parse("371526104").unwrap();
    let mut tx = app.db.begin(&actor).await.unwrap();
    enterprises::update(&mut tx, &scope, &a.public_id, &input)
        .await
        .unwrap();
    let b = enterprise_pid(&app, 1).await;
    enterprises::archive(&mut tx, &scope, &b).await.unwrap();
    tx.commit().await.unwrap();
    assert_counts_match(&app.db).await;

    // Totals shown by the list: the county, and one town, from the table; with a filter that
    // the table cannot answer, by counting. All three agree with a plain count.
    let all = enterprises::EnterpriseQuery::default();
    let (_, total) = enterprises::list(&app.db, &scope, &all, shoumi_storage::Page::default())
        .await
        .unwrap();
    let live: i64 = shoumi_storage::sql::query_scalar(
        "SELECT COUNT(*) FROM enterprises WHERE archived_at IS NULL",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(total, live);
    assert_eq!(enterprises::count(&app.db, &scope).await.unwrap(), live);
    let town = enterprises::EnterpriseQuery {
        division: "371526104".into(),
        ..Default::default()
    };
    let (_, in_town) = enterprises::list(&app.db, &scope, &town, shoumi_storage::Page::default())
        .await
        .unwrap();
    let town_filtered = enterprises::EnterpriseQuery {
        division: "371526104".into(),
        status: "operating".into(),
        ..Default::default()
    };
    let (_, operating) = enterprises::list(
        &app.db,
        &scope,
        &town_filtered,
        shoumi_storage::Page::default(),
    )
    .await
    .unwrap();
    let by_scan: i64 = shoumi_storage::sql::query_scalar(
        "SELECT COUNT(*) FROM enterprises e JOIN divisions d ON d.id = e.division_id \
         WHERE e.archived_at IS NULL AND d.code = '371526104'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(in_town, by_scan);
    assert!(operating <= in_town && operating > 0);

    // Tag totals (from the tag's postings, which hold live enterprises only) equal a count of
    // the live enterprises carrying the tag — also after archiving one that carries it.
    let everyone = enterprises::list_all(&app.db, &scope, &all).await.unwrap();
    let tagged = everyone.iter().find(|e| !e.tags.is_empty()).unwrap();
    let mut tx = app.db.begin(&actor).await.unwrap();
    enterprises::archive(&mut tx, &scope, &tagged.public_id)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let live = enterprises::list_all(&app.db, &scope, &all).await.unwrap();
    for tag in shoumi_domain::KeyTag::ALL {
        let q = enterprises::EnterpriseQuery {
            tag: tag.as_str().into(),
            ..Default::default()
        };
        let (_, total) = enterprises::list(&app.db, &scope, &q, shoumi_storage::Page::default())
            .await
            .unwrap();
        let expected = live.iter().filter(|e| e.tags.contains(tag)).count() as i64;
        assert_eq!(total, expected, "tag {}", tag.as_str());
    }

    // A restore rebuilds the table from the restored rows.
    let mut buf = Vec::new();
    dump::backup(&app.db, &mut buf, &|_, _, _| {})
        .await
        .unwrap();
    let scratch = common::ScratchDb::new().await;
    let url = scratch.url.clone();
    let other = common::connect(&url).await;
    shoumi_storage::migrate::run(&other).await.unwrap();
    dump::restore(&other, &buf[..], &|_, _, _| {})
        .await
        .unwrap();
    assert_counts_match(&other).await;
}
