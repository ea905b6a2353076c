//! Programme management: the demonstration-unit lifecycle, who may take which step, scores and
//! programme versions, publicity, evidence files, progress against targets, the dashboard, the
//! report and the station log. Each test runs on a fresh database (SQLite, or PostgreSQL when
//! `SHOUMI_TEST_DATABASE_URL` is set) with the Gaotang demo and its programme history loaded.

mod common;

use chrono::{Duration, NaiveDate};
use common::TestApp;
use serde_json::json;
use shoumi_domain::demonstration::{Stage, Step};
use shoumi_domain::programme::{DemoType, ProgrammeSpec, SpecFormat};
use shoumi_domain::{Action, ApplicationScope, Principal};
use shoumi_storage::demonstration::{self as demo, ListQuery, NewApplication, StepForm};
use shoumi_storage::{Actor, Db, StorageError, enterprises, sql, users};

async fn principal(db: &Db, username: &str) -> Principal {
    let u = users::by_username(db, username).await.unwrap().unwrap();
    users::principal(db, u.id).await.unwrap().unwrap()
}

async fn scope(db: &Db, username: &str) -> ApplicationScope {
    principal(db, username).await.application_scope()
}

async fn count(db: &Db, table: &str) -> i64 {
    sql::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(db)
        .await
        .unwrap()
}

/// The public id of a demo enterprise by index.
async fn enterprise(db: &Db, index: usize) -> (String, String) {
    let op = shoumi::demo::operator();
    let code = shoumi_demo::gaotang_demo(7).enterprises[index]
        .input
        .credit_code
        .to_string();
    let cap = op.can(Action::ManageUsers).unwrap();
    let (id, _) = enterprises::id_by_credit_code(db, cap, &code)
        .await
        .unwrap()
        .unwrap();
    let e = enterprises::get_by_id(db, &op.enterprise_scope(), id)
        .await
        .unwrap();
    (e.public_id, e.name)
}

/// A fresh draft for enterprise A (the `enterprise` account's, whose earlier application failed).
async fn draft_for_enterprise_a(app: &TestApp) -> String {
    let db = &app.db;
    let (pid, _) = enterprise(db, 0).await;
    let s = scope(db, "enterprise").await;
    let actor = Actor::system("test");
    let mut tx = db.begin(&actor).await.unwrap();
    let id = demo::create(
        &mut tx,
        &s,
        &NewApplication {
            unit_type: "enterprise".into(),
            subject: pid,
            statement: "测试申报".into(),
        },
        demo::today(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn take(
    db: &Db,
    who: &ApplicationScope,
    id: &str,
    step: Step,
    form: StepForm,
    today: NaiveDate,
) -> Result<Stage, StorageError> {
    let cal = shoumi_storage::calendar::load(db).await.unwrap();
    let actor = Actor::system("test");
    let mut tx = db.begin(&actor).await.unwrap();
    let r = demo::step(
        &mut tx,
        who,
        &cal,
        id,
        &StepForm {
            step: step.as_str().into(),
            ..form
        },
        today,
    )
    .await;
    if r.is_ok() {
        tx.commit().await.unwrap();
    }
    r
}

fn reasons(text: &str) -> StepForm {
    StepForm {
        reasons: text.into(),
        ..Default::default()
    }
}

async fn score_all(db: &Db, who: &ApplicationScope, id: &str, percent: i64) {
    let a = demo::get(db, who, id).await.unwrap();
    let sheet = demo::my_sheet(db, who, &a, false).await.unwrap();
    let entries: Vec<(String, String, String)> = sheet
        .iter()
        .map(|r| {
            let v = i64::from(r.points) * 10 * percent / 100;
            (
                r.key.clone(),
                shoumi_domain::programme::show_tenths(v),
                String::new(),
            )
        })
        .collect();
    let actor = Actor::system("test");
    let mut tx = db.begin(&actor).await.unwrap();
    demo::save_scores(&mut tx, who, id, &entries).await.unwrap();
    tx.commit().await.unwrap();
}

async fn assign(db: &Db, id: &str, username: &str) {
    let office = scope(db, "office").await;
    let actor = Actor::system("test");
    let mut tx = db.begin(&actor).await.unwrap();
    demo::assign(&mut tx, &office, id, username).await.unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn every_legal_step_moves_the_application_and_writes_its_history_and_audit_rows() {
    let app = TestApp::spawn().await;
    let db = &app.db;
    let id = draft_for_enterprise_a(&app).await;
    let today = demo::today();
    let ent = scope(db, "enterprise").await;
    let town = scope(db, "town").await;
    let office = scope(db, "office").await;
    let expert = scope(db, "expert").await;
    let walk: Vec<(&ApplicationScope, Step, StepForm, Stage)> = vec![
        (&ent, Step::Submit, StepForm::default(), Stage::Submitted),
        (&town, Step::Return, reasons("请补充材料"), Stage::Returned),
        (&ent, Step::Submit, StepForm::default(), Stage::Submitted),
        (
            &town,
            Step::Recommend,
            reasons("同意推荐"),
            Stage::Assessing,
        ),
    ];
    for (who, step, form, want) in walk {
        let audits = count(db, "audit_log").await;
        let events = count(db, "application_events").await;
        let got = take(db, who, &id, step, form, today).await.unwrap();
        assert_eq!(got, want);
        assert_eq!(count(db, "audit_log").await, audits + 1, "{step}");
        assert_eq!(count(db, "application_events").await, events + 1, "{step}");
    }
    assign(db, &id, "office").await;
    assign(db, &id, "expert").await;
    score_all(db, &office, &id, 90).await;
    score_all(db, &expert, &id, 80).await;
    // Publicity opens today; the steps after it are taken a month on, when it is over.
    let later = today + Duration::days(30);
    let walk: Vec<(Step, StepForm, Stage, NaiveDate)> = vec![
        (
            Step::OpenPublicity,
            StepForm::default(),
            Stage::Publicity,
            today,
        ),
        (
            Step::Designate,
            StepForm::default(),
            Stage::Designated,
            later,
        ),
        (Step::Keep, StepForm::default(), Stage::Designated, later),
        (
            Step::Rectify,
            StepForm {
                reasons: "限期整改".into(),
                rectify_by: (later + Duration::days(20)).to_string(),
                ..Default::default()
            },
            Stage::Rectifying,
            later,
        ),
        (Step::Keep, StepForm::default(), Stage::Designated, later),
        (Step::Revoke, reasons("撤销"), Stage::Revoked, later),
    ];
    for (step, form, want, on) in walk {
        let audits = count(db, "audit_log").await;
        let got = take(db, &office, &id, step, form, on).await.unwrap();
        assert_eq!(got, want);
        assert_eq!(count(db, "audit_log").await, audits + 1, "{step}");
    }
    let a = demo::get(db, &office, &id).await.unwrap();
    assert_eq!(a.score, Some(850), "the mean of 90 and 80");
    assert!(a.designation_number.as_deref().unwrap().contains('〔'));
    assert_eq!(a.ended_on, Some(later.to_string()));
    let history = demo::events(db, &a).await.unwrap();
    assert_eq!(history.len(), 11, "created plus ten steps");
    let last = sql::query(
        "SELECT action, before_json, after_json FROM audit_log ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(db)
    .await
    .unwrap();
    assert_eq!(
        last.try_get::<String>("action").unwrap(),
        "application.revoke"
    );
    assert!(
        last.try_get::<String>("before_json")
            .unwrap()
            .contains("designated")
    );
}

#[tokio::test]
async fn every_illegal_step_is_refused_with_its_reason_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let db = &app.db;
    let office = scope(db, "office").await;
    let id = draft_for_enterprise_a(&app).await;
    let today = demo::today();
    let legal = [Step::Submit, Step::Withdraw];
    for step in Step::ALL.iter().copied().filter(|s| !legal.contains(s)) {
        let audits = count(db, "audit_log").await;
        let events = count(db, "application_events").await;
        let e = take(db, &office, &id, step, reasons("理由"), today)
            .await
            .unwrap_err();
        match e {
            StorageError::Refused { zh, en } => {
                assert!(zh.contains("草稿"), "{zh}");
                assert!(en.contains(step.label_en()), "{en}");
            }
            other => panic!("{step}: {other}"),
        }
        assert_eq!(count(db, "audit_log").await, audits, "{step}");
        assert_eq!(count(db, "application_events").await, events, "{step}");
        assert_eq!(
            demo::get(db, &office, &id).await.unwrap().stage,
            Stage::Draft
        );
    }
    // Reasons are required where the applicant must learn why.
    take(db, &office, &id, Step::Submit, StepForm::default(), today)
        .await
        .unwrap();
    let e = take(db, &office, &id, Step::Reject, StepForm::default(), today)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, StorageError::Invalid(f) if f.for_field("reasons").is_some()),
        "{e}"
    );
    // An unscored assessment cannot open publicity.
    take(
        db,
        &office,
        &id,
        Step::Recommend,
        StepForm::default(),
        today,
    )
    .await
    .unwrap();
    let e = take(
        db,
        &office,
        &id,
        Step::OpenPublicity,
        StepForm::default(),
        today,
    )
    .await
    .unwrap_err();
    assert!(matches!(e, StorageError::Refused { .. }), "{e}");
    assert_eq!(
        demo::get(db, &office, &id).await.unwrap().stage,
        Stage::Assessing
    );
}

#[tokio::test]
async fn the_score_decides_pass_or_fail_and_designation_waits_for_publicity_and_objections() {
    let app = TestApp::spawn().await;
    let db = &app.db;
    let office = scope(db, "office").await;
    let id = draft_for_enterprise_a(&app).await;
    let today = demo::today();
    for step in [Step::Submit, Step::Recommend] {
        take(db, &office, &id, step, StepForm::default(), today)
            .await
            .unwrap();
    }
    assign(db, &id, "office").await;
    score_all(db, &office, &id, 70).await;
    let e = take(
        db,
        &office,
        &id,
        Step::OpenPublicity,
        StepForm::default(),
        today,
    )
    .await
    .unwrap_err();
    assert!(format!("{e}").contains("70"), "{e}");
    score_all(db, &office, &id, 95).await;
    let e = take(db, &office, &id, Step::FailAssessment, reasons("x"), today)
        .await
        .unwrap_err();
    assert!(matches!(e, StorageError::Refused { .. }));
    // Publicity cannot be dated before the assessment began, nor designation skip it.
    let e = take(
        db,
        &office,
        &id,
        Step::OpenPublicity,
        StepForm {
            date: (today - Duration::days(30)).to_string(),
            ..Default::default()
        },
        today,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&e, StorageError::Invalid(f) if f.for_field("date").is_some()),
        "{e}"
    );
    take(
        db,
        &office,
        &id,
        Step::OpenPublicity,
        StepForm::default(),
        today,
    )
    .await
    .unwrap();
    // Publicity runs from today: designation must wait.
    let e = take(
        db,
        &office,
        &id,
        Step::Designate,
        StepForm::default(),
        today,
    )
    .await
    .unwrap_err();
    assert!(format!("{e}").contains("公示期至"), "{e}");
    // An open objection also holds it back, even after the end.
    let actor = Actor::system("test");
    let mut tx = db.begin(&actor).await.unwrap();
    let oid = demo::add_objection(
        &mut tx,
        &office,
        &id,
        &demo::ObjectionForm {
            received_on: today.to_string(),
            objector: "来信".into(),
            content: "异议".into(),
        },
        today,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let later = today + Duration::days(30);
    let e = take(
        db,
        &office,
        &id,
        Step::Designate,
        StepForm::default(),
        later,
    )
    .await
    .unwrap_err();
    assert!(format!("{e}").contains("异议"), "{e}");
    let e = take(db, &office, &id, Step::FailPublicity, reasons("x"), later)
        .await
        .unwrap_err();
    assert!(matches!(e, StorageError::Refused { .. }));
    let mut tx = db.begin(&actor).await.unwrap();
    demo::resolve_objection(&mut tx, &office, &id, &oid, false, "经核查不成立")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let form = StepForm {
        date: later.to_string(),
        ..Default::default()
    };
    assert_eq!(
        take(db, &office, &id, Step::Designate, form, later)
            .await
            .unwrap(),
        Stage::Designated
    );
}

#[tokio::test]
async fn a_town_officer_first_reviews_only_its_own_division() {
    let app = TestApp::spawn().await;
    let db = &app.db;
    let office = scope(db, "office").await;
    // Enterprise 49 (梁村镇) waits for first review in the demo history.
    let (_, name) = enterprise(db, 49).await;
    let (apps, _) = demo::list(
        db,
        &office,
        &ListQuery {
            q: name.clone(),
            stage: "submitted".into(),
            ..Default::default()
        },
        None,
    )
    .await
    .unwrap();
    let id = apps[0].public_id.clone();
    let path = format!("/demonstration/{id}/step");
    // An officer of 固河镇 cannot even see it.
    let mut guhe = guhe_officer(&app).await;
    guhe.get("/demonstration").await;
    let r = guhe
        .post_form(&path, &[("step", "recommend"), ("reasons", "x")])
        .await;
    assert_eq!(r.status.as_u16(), 404);
    // A station of 梁村 can read it but not review it.
    let mut station = app.signed_in("station").await;
    let r = station
        .post_form(&path, &[("step", "recommend"), ("reasons", "x")])
        .await;
    assert_eq!(r.status.as_u16(), 409, "{}", r.text());
    assert!(r.text().contains("无权"));
    // 梁村's officer recommends.
    let mut town = app.signed_in("town").await;
    let r = town
        .post_form(&path, &[("step", "recommend"), ("reasons", "同意")])
        .await;
    assert_eq!(r.status.as_u16(), 303);
    assert_eq!(
        demo::get(db, &office, &id).await.unwrap().stage,
        Stage::Assessing
    );
}

/// An officer of 固河镇 (not the demo `town`), created for the test and signed in.
async fn guhe_officer(app: &TestApp) -> common::Client {
    let db = &app.db;
    let op = shoumi::demo::operator();
    let cap = op.can(Action::ManageUsers).unwrap();
    let guhe = shoumi_storage::orgs::divisions(db)
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.code == "371526104")
        .unwrap();
    let actor = Actor::system("test");
    let mut tx = db.begin(&actor).await.unwrap();
    let (uid, _) = users::create(
        &mut tx,
        cap,
        &users::NewUser {
            username: "guhe".into(),
            display_name: "固河镇联络员".into(),
            email: String::new(),
        },
        &users::hash_password(common::PASSWORD),
        false,
    )
    .await
    .unwrap();
    users::grant(
        &mut tx,
        cap,
        uid,
        shoumi_domain::Role::Town,
        shoumi_domain::Scope::Division(guhe.id),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    app.signed_in("guhe").await
}

#[tokio::test]
async fn an_enterprise_sees_only_its_own_applications() {
    let app = TestApp::spawn().await;
    let db = &app.db;
    let (_, own) = enterprise(db, 0).await;
    let (_, other) = enterprise(db, 1).await;
    let mut c = app.client();
    c.api_sign_in("enterprise").await;
    let r = c.get("/api/v1/applications").await;
    assert_eq!(r.status.as_u16(), 200);
    let items = r.json()["items"].as_array().unwrap().clone();
    assert!(!items.is_empty());
    for i in &items {
        assert_eq!(i["subject_name"], json!(own));
    }
    // enterprise-b's designation exists but is not found for enterprise A's people.
    let office = scope(db, "office").await;
    let (apps, _) = demo::list(
        db,
        &office,
        &ListQuery {
            q: other,
            ..Default::default()
        },
        None,
    )
    .await
    .unwrap();
    let r = c
        .get(&format!("/api/v1/applications/{}", apps[0].public_id))
        .await;
    assert_eq!(r.status.as_u16(), 404);
    // The page list shows the same.
    let mut page = app.signed_in("enterprise").await;
    let html = page.get("/demonstration").await.text();
    assert!(html.contains(&own));
    assert!(!html.contains(&apps[0].subject_name));
}

#[tokio::test]
async fn assessors_see_only_what_they_are_assigned() {
    let app = TestApp::spawn().await;
    let db = &app.db;
    let expert = scope(db, "expert").await;
    let office = scope(db, "office").await;
    let (mine, n) = demo::list(db, &expert, &ListQuery::default(), Some(1000))
        .await
        .unwrap();
    let (all, total) = demo::list(db, &office, &ListQuery::default(), Some(1000))
        .await
        .unwrap();
    assert!(n > 0 && n < total, "{n} of {total}");
    assert!(mine.iter().all(|a| a.assigned));
    // The draft and the applications waiting for first review have no assessor.
    let unassigned = all
        .iter()
        .find(|a| a.stage == Stage::Submitted)
        .expect("a submitted application");
    let mut c = app.signed_in("expert").await;
    let r = c
        .get(&format!("/demonstration/{}", unassigned.public_id))
        .await;
    assert_eq!(r.status.as_u16(), 404);
    // And cannot score one it does not assess.
    let r = c
        .get(&format!("/demonstration/{}/score", unassigned.public_id))
        .await;
    assert_eq!(r.status.as_u16(), 404);
}

#[tokio::test]
async fn a_score_beyond_an_indicators_points_is_refused_by_field_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let db = &app.db;
    let office = scope(db, "office").await;
    let id = draft_for_enterprise_a(&app).await;
    let today = demo::today();
    for step in [Step::Submit, Step::Recommend] {
        take(db, &office, &id, step, StepForm::default(), today)
            .await
            .unwrap();
    }
    assign(db, &id, "office").await;
    let mut c = app.signed_in("office").await;
    let r = c.get(&format!("/demonstration/{id}/score")).await;
    assert_eq!(r.status.as_u16(), 200);
    let scores_before = count(db, "application_scores").await;
    let r = c
        .post_form(
            &format!("/demonstration/{id}/score"),
            &[
                ("score.org.lead", "7"),
                ("score.org.dept", "99"),
                ("comment.org.dept", "超出分值"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 422);
    assert!(r.text().contains("不能超过该项分值7分"), "{}", r.text());
    assert_eq!(count(db, "application_scores").await, scores_before);
    let r = c
        .post_form(
            &format!("/demonstration/{id}/score"),
            &[("score.org.lead", "7.5"), ("score.org.dept", "6")],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303);
    assert_eq!(count(db, "application_scores").await, scores_before + 2);
}

#[tokio::test]
async fn a_new_programme_version_leaves_past_scores_as_they_were() {
    let app = TestApp::spawn().await;
    let db = &app.db;
    let office = scope(db, "office").await;
    let old = shoumi_storage::programme::current(db).await.unwrap();
    let mut spec = old.spec.clone();
    let ind = spec.indicators.get_mut(&DemoType::Enterprise).unwrap();
    ind[0].children[0].name = "新版指标名称".into();
    spec.unit_types
        .get_mut(&DemoType::Enterprise)
        .unwrap()
        .pass_mark = 85;
    let mut c = app.signed_in("office").await;
    let r = c
        .post_file(
            "/programme/import",
            &[("note", "2026年修订")],
            "programme.json",
            spec.to_text(SpecFormat::Json).as_bytes(),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.text());
    assert!(r.text().contains("programme-imported"));
    let now = shoumi_storage::programme::current(db).await.unwrap();
    assert_eq!(now.version.version, old.version.version + 1);
    assert_ne!(now.version.sha256, old.version.sha256);
    // A designated application keeps the version it was scored under.
    let (designated, _) = demo::list(
        db,
        &office,
        &ListQuery {
            stage: "designated".into(),
            unit_type: "enterprise".into(),
            ..Default::default()
        },
        None,
    )
    .await
    .unwrap();
    let a = &designated[0];
    assert_eq!(a.programme_version_id, old.version.id);
    let sheet = demo::my_sheet(db, &office, a, false).await.unwrap();
    assert_ne!(sheet[0].name, "新版指标名称");
    assert!(sheet.iter().all(|r| !r.score.is_empty()));
    // A new application is made under the new version.
    let id = draft_for_enterprise_a(&app).await;
    let fresh = demo::get(db, &office, &id).await.unwrap();
    assert_eq!(fresh.programme_version_id, now.version.id);
    // Loading the same file again makes no version.
    let r = c
        .post_file(
            "/programme/import",
            &[],
            "programme.json",
            spec.to_text(SpecFormat::Json).as_bytes(),
        )
        .await;
    assert!(r.text().contains("与现行方案相同"), "{}", r.text());
    assert_eq!(
        shoumi_storage::programme::versions(db).await.unwrap().len(),
        2
    );
}

#[tokio::test]
async fn a_programme_file_round_trips_and_a_bad_one_is_refused_naming_each_problem() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in("office").await;
    let r = c.get("/programme/export?format=yaml").await;
    assert_eq!(r.status.as_u16(), 200);
    let yaml = r.text();
    let units = shoumi_storage::programme::unit_keys(&app.db).await.unwrap();
    let spec = ProgrammeSpec::parse(&yaml, SpecFormat::Yaml, |k| units.contains(k)).unwrap();
    assert_eq!(spec, ProgrammeSpec::gaotang());
    let bad = yaml
        .replacen("count: 13", "count: 3", 1)
        .replacen("- scjgj", "- no-such-unit", 1);
    let r = c
        .post_file("/programme/import", &[], "bad.yaml", bad.as_bytes())
        .await;
    assert_eq!(r.status.as_u16(), 422);
    let text = r.text();
    assert!(text.contains("targets[4].count"), "{text}");
    assert!(text.contains("no-such-unit"), "{text}");
    assert_eq!(
        shoumi_storage::programme::versions(&app.db)
            .await
            .unwrap()
            .len(),
        1
    );
    // Not the office: refused.
    let mut town = app.signed_in("town").await;
    let r = town
        .post_file("/programme/import", &[], "p.yaml", yaml.as_bytes())
        .await;
    assert_eq!(r.status.as_u16(), 403);
}

#[tokio::test]
async fn progress_counts_the_units_holding_a_title_on_a_date() {
    let app = TestApp::spawn().await;
    let mut c = app.client();
    c.api_sign_in("office").await;
    let get = |v: &serde_json::Value, t: &str, deadline: &str| -> (i64, Option<i64>, bool) {
        let x = v["targets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["unit_type"] == json!(t) && x["deadline"] == json!(deadline))
            .unwrap()
            .clone();
        (
            x["designated"].as_i64().unwrap(),
            x["designated_at_deadline"].as_i64(),
            x["met"].as_bool().unwrap(),
        )
    };
    let v = c
        .get("/api/v1/programme/progress?on=2024-12-31")
        .await
        .json();
    assert_eq!(v["on"], json!("2024-12-31"));
    assert_eq!(get(&v, "enterprise", "2024-12-31"), (11, Some(11), true));
    assert_eq!(get(&v, "station", "2024-12-31"), (10, Some(10), true));
    assert_eq!(get(&v, "base", "2024-12-31"), (1, Some(1), true));
    assert_eq!(get(&v, "enterprise", "2025-12-31"), (11, None, false));
    let v = c
        .get("/api/v1/programme/progress?on=2025-12-31")
        .await
        .json();
    // Eleven in 2024, one revoked in 2025, five more designated in 2025.
    assert_eq!(get(&v, "enterprise", "2025-12-31"), (15, Some(15), true));
    assert_eq!(get(&v, "station", "2025-12-31"), (10, Some(10), false));
    assert_eq!(get(&v, "base", "2025-12-31"), (2, Some(2), true));
    let v = c
        .get("/api/v1/programme/progress?on=2024-01-01")
        .await
        .json();
    assert_eq!(get(&v, "enterprise", "2024-12-31"), (0, None, false));
    let r = c.get("/api/v1/programme/progress?on=2024-13-01").await;
    assert_eq!(r.status.as_u16(), 400);
    assert!(r.text().contains("on:"));
}

#[tokio::test]
async fn evidence_files_are_checked_hashed_and_served_as_attachments() {
    let app = TestApp::spawn().await;
    let id = draft_for_enterprise_a(&app).await;
    let mut c = app.signed_in("enterprise").await;
    c.get(&format!("/demonstration/{id}")).await;
    let pdf = b"%PDF-1.7\n% shoumi evidence\n".to_vec();
    let r = c
        .post_file(
            &format!("/demonstration/{id}/files"),
            &[],
            "保密制度.pdf",
            &pdf,
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.text());
    let html = c.get(&format!("/demonstration/{id}")).await.text();
    let digests = shoumi_domain::files::digests(&pdf);
    assert!(html.contains(&digests.sha256) && html.contains(&digests.sm3));
    let i = html.find(&format!("/demonstration/{id}/files/")).unwrap();
    let href: String = html[i..].chars().take_while(|c| *c != '"').collect();
    let r = c.get(&href).await;
    assert_eq!(r.status.as_u16(), 200);
    assert_eq!(r.body, pdf);
    assert_eq!(r.content_type, "application/pdf");
    let h = |k: &str| r.headers.get(k).unwrap().to_str().unwrap().to_string();
    assert!(h("content-disposition").starts_with("attachment;"));
    assert_eq!(h("x-content-type-options"), "nosniff");
    assert_eq!(h("x-content-sha256"), digests.sha256);
    // A page disguised as a PDF, and a program, are refused and nothing is stored.
    let files = count(&app.db, "files").await;
    for (name, body) in [
        ("fake.pdf", b"<html><script>alert(1)</script>".as_slice()),
        ("setup.exe", b"MZ\x90\x00".as_slice()),
    ] {
        let r = c
            .post_file(&format!("/demonstration/{id}/files"), &[], name, body)
            .await;
        assert_eq!(r.status.as_u16(), 422, "{name}");
    }
    assert_eq!(count(&app.db, "files").await, files);
    // Another enterprise cannot fetch it.
    let mut b = app.signed_in("enterprise-b").await;
    assert_eq!(b.get(&href).await.status.as_u16(), 404);
}

#[tokio::test]
async fn the_dashboard_draws_svg_charts_and_its_count_moves_when_a_unit_is_designated() {
    let app = TestApp::spawn().await;
    let db = &app.db;
    let mut c = app.signed_in("office").await;
    let html = c.get("/dashboard").await.text();
    assert!(html.contains("<svg") && html.contains("<title>"));
    assert!(!html.contains("<script>"), "charts need no script");
    let designated = |html: &str| -> i64 {
        let i = html.find("id=\"target-enterprise-2025-12-31\"").unwrap();
        let j = html[i..].find("class=\"designated\">").unwrap() + i + 19;
        html[j..].split('<').next().unwrap().parse().unwrap()
    };
    let before = designated(&html);
    // Designate the application in publicity once its publicity is over.
    let office = scope(db, "office").await;
    let (apps, _) = demo::list(
        db,
        &office,
        &ListQuery {
            stage: "publicity".into(),
            ..Default::default()
        },
        None,
    )
    .await
    .unwrap();
    let id = &apps[0].public_id;
    let actor = Actor::system("test");
    let objections = demo::objections(db, &apps[0]).await.unwrap();
    let mut tx = db.begin(&actor).await.unwrap();
    for o in objections.iter().filter(|o| o.resolution == "open") {
        demo::resolve_objection(&mut tx, &office, id, &o.public_id, false, "不成立")
            .await
            .unwrap();
    }
    tx.commit_if_audited().await.unwrap();
    let later = demo::today() + Duration::days(20);
    take(db, &office, id, Step::Designate, StepForm::default(), later)
        .await
        .unwrap();
    // Designated "today" as seen from 20 days ahead: count it as of that day.
    let html = c.get(&format!("/dashboard?on={later}")).await.text();
    assert_eq!(designated(&html), before + 1);
    // The report and its workbook.
    let r = c.get("/programme/report").await;
    assert!(r.text().contains("工作进展报告"));
    let r = c.get("/programme/report.xlsx").await;
    assert_eq!(r.status.as_u16(), 200);
    assert!(r.body.starts_with(b"PK"));
    let r = c.get("/demonstration/export").await;
    assert!(r.body.starts_with(b"PK"));
}

#[tokio::test]
async fn a_station_logs_its_services_and_a_bad_entry_names_its_fields() {
    let app = TestApp::spawn().await;
    let station = shoumi_storage::orgs::unit_by_key(&app.db, "station-371526101")
        .await
        .unwrap();
    let mut c = app.signed_in("station").await;
    let path = format!("/stations/{}/log", station.public_id);
    c.get(&format!("/stations/{}", station.public_id)).await;
    let r = c
        .post_form(
            &path,
            &[
                ("kind", "lecture"),
                ("on_date", "2099-01-01"),
                ("title", ""),
                ("people", "many"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 422);
    let t = r.text();
    assert!(t.contains("title-error") && t.contains("日期不能晚于今天") && t.contains("人数应为"));
    let r = c
        .post_form(
            &path,
            &[
                ("kind", "lecture"),
                ("on_date", &demo::today().to_string()),
                ("title", "商业秘密保护政策宣讲"),
                ("people", "35"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303);
    let html = c
        .get(&format!("/stations/{}", station.public_id))
        .await
        .text();
    assert!(html.contains("商业秘密保护政策宣讲"));
    // Another station's staff cannot write this log; the office can.
    let mut town = app.signed_in("town").await;
    town.get("/stations").await;
    let r = town
        .post_form(&path, &[("kind", "other"), ("title", "x")])
        .await;
    assert_eq!(r.status.as_u16(), 403);
}

#[tokio::test]
async fn a_designation_past_its_validity_expires_by_itself_with_history() {
    let app = TestApp::spawn().await;
    let db = &app.db;
    let office = scope(db, "office").await;
    let (designated, _) = demo::list(
        db,
        &office,
        &ListQuery {
            stage: "designated".into(),
            ..Default::default()
        },
        None,
    )
    .await
    .unwrap();
    let a = &designated[0];
    let before = count(db, "audit_log").await;
    // Not yet: nothing expires.
    shoumi_web::daily_reminders(db).await.unwrap();
    assert_eq!(
        demo::get(db, &office, &a.public_id).await.unwrap().stage,
        Stage::Designated
    );
    sql::query("UPDATE applications SET valid_until = '2026-01-31' WHERE id = $1")
        .bind(a.id)
        .execute(db)
        .await
        .unwrap();
    shoumi_web::daily_reminders(db).await.unwrap();
    let now = demo::get(db, &office, &a.public_id).await.unwrap();
    assert_eq!(now.stage, Stage::Expired);
    assert_eq!(now.ended_on.as_deref(), Some("2026-02-01"));
    let history = demo::events(db, &now).await.unwrap();
    assert_eq!(history.last().unwrap().step, "expire");
    assert!(count(db, "audit_log").await > before);
    // It no longer counts from the day after its validity.
    let mut c = app.client();
    c.api_sign_in("office").await;
    let v = c
        .get("/api/v1/programme/progress?on=2026-02-01")
        .await
        .json();
    let w = c
        .get("/api/v1/programme/progress?on=2026-01-31")
        .await
        .json();
    let n = |v: &serde_json::Value| {
        v["targets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["unit_type"] == json!(a.unit_type.as_str()))
            .unwrap()["designated"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(n(&w), n(&v) + 1);
}

#[tokio::test]
async fn instances_starting_together_seed_the_programme_once() {
    let scratch = common::ScratchDb::new().await;
    let a = common::connect(&scratch.url).await;
    let b = common::connect(&scratch.url).await;
    shoumi_storage::migrate::run(&a).await.unwrap();
    let county = shoumi_domain::CountyData::gaotang();
    let spec = ProgrammeSpec::gaotang();
    let (ra, rb) = tokio::join!(
        async {
            shoumi_storage::seed::seed_reference(&a, &county).await?;
            shoumi_storage::programme::seed_default(&a, &spec).await
        },
        async {
            shoumi_storage::seed::seed_reference(&b, &county).await?;
            shoumi_storage::programme::seed_default(&b, &spec).await
        }
    );
    assert!(ra.is_ok() && rb.is_ok(), "{ra:?} {rb:?}");
    assert_eq!(
        shoumi_storage::programme::versions(&a).await.unwrap().len(),
        1
    );
    assert_eq!(
        count(&a, "divisions").await,
        13,
        "the county and its 12 divisions, once"
    );
}
