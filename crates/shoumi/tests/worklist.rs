//! The responsibility list, supervision, notifications (with e-mail through a local SMTP sink)
//! and the year-end assessment, on a fresh database with the demo's history.

mod common;

use common::{SmtpSink, TestApp};
use shoumi_domain::worklist::{ItemStatus, NoticeStatus};
use shoumi_storage::worklist::{self as wl, Item, ItemQuery};
use shoumi_storage::{Db, notify, orgs, sql, users};

async fn item(db: &Db, title_part: &str) -> Item {
    let scope = shoumi::demo::operator().work_scope();
    wl::items(db, &scope, &ItemQuery::default())
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.title.contains(title_part))
        .unwrap_or_else(|| panic!("no item {title_part}"))
}

async fn count(db: &Db, sql_text: &str) -> i64 {
    sql::query_scalar(sql_text).fetch_one(db).await.unwrap()
}

async fn uid(db: &Db, name: &str) -> i64 {
    users::by_username(db, name).await.unwrap().unwrap().id
}

#[tokio::test]
async fn a_department_officer_reports_only_on_its_own_units_items() {
    let app = TestApp::spawn().await;
    let db = &app.db;
    let gxj = orgs::unit_by_key(db, "gxj").await.unwrap();
    let liangcun = orgs::unit_by_key(db, "town-371526101").await.unwrap();
    let training = item(db, "专题培训").await;
    let town_item = item(db, "梁村镇重点企业").await;
    let mut dept = app.signed_in("department").await;
    dept.get(&format!("/worklist/{}", training.public_id)).await;
    let before = count(db, "SELECT COUNT(*) FROM work_reports").await;
    let r = dept
        .post_file(
            &format!("/worklist/{}/reports", training.public_id),
            &[
                ("unit", &gxj.public_id),
                ("content", "组织企业培训一次"),
                ("figures", "培训人次：80"),
            ],
            "签到表.pdf",
            b"%PDF-1.4 sign-in sheet",
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.text());
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM work_reports").await,
        before + 1
    );
    // Not its unit's item, even naming that unit.
    let r = dept
        .post_file(
            &format!("/worklist/{}/reports", town_item.public_id),
            &[("unit", &liangcun.public_id), ("content", "冒名报送")],
            "x.pdf",
            b"%PDF-1.4 x",
        )
        .await;
    assert_eq!(r.status.as_u16(), 409);
    assert!(r.text().contains("只能为本单位"));
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM work_reports").await,
        before + 1
    );
    // 梁村's officer reports for 梁村镇; a bad figure line is named and nothing is stored.
    let mut town = app.signed_in("town").await;
    let path = format!("/worklist/{}/reports", town_item.public_id);
    town.get(&format!("/worklist/{}", town_item.public_id))
        .await;
    let r = town
        .post_file(
            &path,
            &[
                ("unit", &liangcun.public_id),
                ("content", "继续走访"),
                ("figures", "走访企业：25\n很多"),
            ],
            "",
            b"",
        )
        .await;
    assert_eq!(r.status.as_u16(), 422);
    assert!(r.text().contains("第2行"), "{}", r.text());
    let r = town
        .post_file(
            &path,
            &[
                ("unit", &liangcun.public_id),
                ("content", "继续走访"),
                ("figures", "走访企业：25"),
            ],
            "",
            b"",
        )
        .await;
    assert_eq!(r.status.as_u16(), 303);
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM work_reports").await,
        before + 2
    );
}

#[tokio::test]
async fn an_accepted_report_that_claims_completion_completes_the_item_and_a_return_needs_reasons() {
    let app = TestApp::spawn().await;
    let db = &app.db;
    let gxj = orgs::unit_by_key(db, "gxj").await.unwrap();
    let training = item(db, "专题培训").await;
    let mut dept = app.signed_in("department").await;
    dept.get(&format!("/worklist/{}", training.public_id)).await;
    dept.post_file(
        &format!("/worklist/{}/reports", training.public_id),
        &[
            ("unit", &gxj.public_id),
            ("content", "全年培训4次，完成任务"),
            ("claims_done", "1"),
        ],
        "",
        b"",
    )
    .await;
    let reports = wl::reports(db, &training).await.unwrap();
    let latest = &reports[0];
    assert!(latest.claims_done);
    let mut office = app.signed_in("office").await;
    let review = format!(
        "/worklist/{}/reports/{}/review",
        training.public_id, latest.public_id
    );
    office
        .get(&format!("/worklist/{}", training.public_id))
        .await;
    let r = office
        .post_form(&review, &[("decision", "return"), ("reasons", "")])
        .await;
    assert_eq!(r.status.as_u16(), 422);
    let dept_uid = uid(db, "department").await;
    let unread = notify::unread(db, dept_uid).await.unwrap();
    let r = office
        .post_form(&review, &[("decision", "accept"), ("reasons", "")])
        .await;
    assert_eq!(r.status.as_u16(), 303);
    let done = wl::item(db, &training.public_id).await.unwrap();
    assert_eq!(done.status, ItemStatus::Done);
    assert!(done.completed_on.is_some());
    // The author hears of it.
    assert_eq!(notify::unread(db, dept_uid).await.unwrap(), unread + 1);
    let inbox = notify::inbox(db, dept_uid, 1).await.unwrap();
    assert!(inbox[0].title.contains("已采纳"));
    // A done item takes no more reports.
    let r = dept
        .post_file(
            &format!("/worklist/{}/reports", training.public_id),
            &[("unit", &gxj.public_id), ("content", "补充")],
            "",
            b"",
        )
        .await;
    assert_eq!(r.status.as_u16(), 409);
}

#[tokio::test]
async fn overdue_and_quiet_items_are_supervised_and_a_notice_is_tracked_until_closed() {
    let app = TestApp::spawn().await;
    let db = &app.db;
    let mut office = app.signed_in("office").await;
    let html = office.get("/supervision").await.text();
    assert!(html.contains("专题培训"), "overdue item listed");
    assert!(
        html.contains("专家咨询合作"),
        "overdue and quiet item listed"
    );
    assert!(
        !html.contains("梁村镇重点企业"),
        "an item on time with a recent report is not"
    );
    assert!(html.contains("逾期未完成"));
    // Issue a notice with the default reply period (five working days).
    let gxj = orgs::unit_by_key(db, "gxj").await.unwrap();
    let training = item(db, "专题培训").await;
    let r = office
        .post_form(
            "/supervision/notices",
            &[
                ("item", &training.public_id),
                ("unit", &gxj.public_id),
                ("content", "请说明培训任务逾期原因。"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.text());
    let path = r.location.unwrap();
    let id = path.rsplit('/').next().unwrap().to_string();
    let n = wl::notice(db, &id).await.unwrap();
    let cal = shoumi_storage::calendar::load(db).await.unwrap();
    let today = shoumi_storage::demonstration::today();
    assert_eq!(n.reply_by, cal.add_working_days(today, 5).value.to_string());
    assert!(n.number.starts_with("督办〔"));
    // The addressed unit's officer hears of it and answers; another unit cannot.
    let dept_uid = uid(db, "department").await;
    assert!(
        notify::inbox(db, dept_uid, 5)
            .await
            .unwrap()
            .iter()
            .any(|x| x.title.contains(&n.number))
    );
    let mut agency = app.signed_in("agency").await;
    agency.get(&path).await;
    let r = agency
        .post_form(&format!("{path}/reply"), &[("reply", "不是本单位")])
        .await;
    assert_eq!(r.status.as_u16(), 409);
    let mut dept = app.signed_in("department").await;
    dept.get(&path).await;
    let r = dept
        .post_form(
            &format!("{path}/reply"),
            &[("reply", "已制定补救计划，12月完成。")],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303);
    assert_eq!(
        wl::notice(db, &id).await.unwrap().status,
        NoticeStatus::Answered
    );
    office.get(&path).await;
    let r = office
        .post_form(&format!("{path}/close"), &[("decision", "accept")])
        .await;
    assert_eq!(r.status.as_u16(), 303);
    assert_eq!(
        wl::notice(db, &id).await.unwrap().status,
        NoticeStatus::Closed
    );
    let audits = count(
        db,
        "SELECT COUNT(*) FROM audit_log WHERE action IN ('notice.issue', 'notice.reply', 'notice.close')",
    )
    .await;
    assert!(audits >= 3);
}

#[tokio::test]
async fn reminders_are_written_once_for_deadlines_ahead_and_items_overdue() {
    let app = TestApp::spawn().await;
    let db = &app.db;
    let first = shoumi_web::daily_reminders(db).await.unwrap();
    assert!(first > 0);
    assert_eq!(
        shoumi_web::daily_reminders(db).await.unwrap(),
        0,
        "deduplicated"
    );
    // 县工信局 is an owner of the overdue training item; 县公安局 of the item due in two days.
    let dept = notify::inbox(db, uid(db, "department").await, 50)
        .await
        .unwrap();
    assert!(
        dept.iter()
            .any(|n| n.kind == "overdue" && n.title.contains("专题培训"))
    );
    let agency = notify::inbox(db, uid(db, "agency").await, 50)
        .await
        .unwrap();
    assert!(
        agency
            .iter()
            .any(|n| n.kind == "deadline_soon" && n.title.contains("行刑衔接"))
    );
    // The inbox page shows them, and reading marks them.
    let mut c = app.signed_in("agency").await;
    let html = c.get("/inbox").await.text();
    assert!(html.contains("行刑衔接"));
    let r = c.post_form("/inbox/read", &[]).await;
    assert_eq!(r.status.as_u16(), 303);
    assert_eq!(
        notify::unread(db, uid(db, "agency").await).await.unwrap(),
        0
    );
}

#[tokio::test]
async fn notifications_are_mailed_through_smtp_and_a_failure_is_recorded() {
    let app = TestApp::spawn().await;
    let db = &app.db;
    let sink = SmtpSink::start().await;
    sql::query("UPDATE users SET email = $1 WHERE username = 'department'")
        .bind("gxj-liaison@example.com")
        .execute(db)
        .await
        .unwrap();
    // A new item for 县工信局 notifies its officer, who now has an address.
    let gxj = orgs::unit_by_key(db, "gxj").await.unwrap();
    let mut office = app.signed_in("office").await;
    office.get("/worklist/new").await;
    let r = office
        .post_form(
            "/worklist/new",
            &[
                ("task_key", "task-5"),
                ("title", "编写企业保密培训教材"),
                ("deadline", "2027-03-31"),
                ("units", &gxj.public_id),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.text());
    let pending = notify::pending_mail(db, 100).await.unwrap();
    assert_eq!(pending.len(), 1);
    let mailer = shoumi_web::mail::Mailer::new(&shoumi_web::mail::MailConfig {
        host: "127.0.0.1".into(),
        port: sink.port,
        base_url: "https://shoumi.example".into(),
        from: "守秘 <shoumi@example.com>".into(),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(mailer.deliver_pending(db, 100).await.unwrap(), (1, 0));
    let got = sink.received.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, vec!["gxj-liaison@example.com".to_string()]);
    assert!(got[0].1.contains("Subject:"));
    let body = {
        use base64::Engine;
        let (_, b64) = got[0].1.split_once("\n\n").unwrap();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64.replace('\n', ""))
            .unwrap();
        String::from_utf8(bytes).unwrap()
    };
    assert!(
        body.contains("新的责任事项：编写企业保密培训教材"),
        "{body}"
    );
    assert!(body.contains("https://shoumi.example/worklist/"), "{body}");
    assert!(notify::pending_mail(db, 100).await.unwrap().is_empty());
    // A server that does not answer: the failure is kept with its reason.
    office.get("/worklist/new").await;
    office
        .post_form(
            "/worklist/new",
            &[
                ("task_key", "task-5"),
                ("title", "第二项"),
                ("deadline", "2027-03-31"),
                ("units", &gxj.public_id),
            ],
        )
        .await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let broken = shoumi_web::mail::Mailer::new(&shoumi_web::mail::MailConfig {
        host: "127.0.0.1".into(),
        port,
        timeout_secs: 2,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(broken.deliver_pending(db, 100).await.unwrap(), (0, 1));
    let failed = count(
        db,
        "SELECT COUNT(*) FROM notifications WHERE email_status = 'failed' AND email_error <> ''",
    )
    .await;
    assert_eq!(failed, 1);
    // A bad setting is refused by name.
    let e = shoumi_web::mail::Mailer::new(&shoumi_web::mail::MailConfig {
        host: "mail".into(),
        security: "ssl3".into(),
        ..Default::default()
    })
    .err()
    .unwrap();
    assert!(e.contains("smtp.security"), "{e}");
}

#[tokio::test]
async fn the_year_end_assessment_ranks_units_and_keeps_closed_results_final() {
    let app = TestApp::spawn().await;
    let db = &app.db;
    let list = shoumi_storage::assessment::list(db).await.unwrap();
    let closed = list.iter().find(|a| a.year == 2025).unwrap();
    let open = list.iter().find(|a| a.year == 2026).unwrap();
    let spec = shoumi_storage::programme::current(db).await.unwrap().spec;
    let ranking = shoumi_storage::assessment::ranking(db, closed, &spec)
        .await
        .unwrap();
    assert!(ranking.len() > 20, "every responsible unit, towns included");
    assert!(ranking.iter().all(|r| r.rank.is_some()));
    for w in ranking.windows(2) {
        assert!(w[0].total >= w[1].total);
        if w[0].total == w[1].total {
            assert_eq!(w[0].rank, w[1].rank, "ties share a rank");
        }
    }
    let mut office = app.signed_in("office").await;
    let r = office
        .get(&format!("/assessment/{}/export", closed.public_id))
        .await;
    assert!(r.body.starts_with(b"PK"));
    let unit = &ranking[0].unit.public_id;
    office
        .get(&format!("/assessment/{}/units/{unit}", open.public_id))
        .await;
    let r = office
        .post_form(
            &format!("/assessment/{}/units/{unit}", closed.public_id),
            &[("score.lead.people", "5")],
        )
        .await;
    assert_eq!(r.status.as_u16(), 409, "a closed year is final");
    let r = office
        .post_form(
            &format!("/assessment/{}/units/{unit}", open.public_id),
            &[("score.lead.people", "11")],
        )
        .await;
    assert_eq!(r.status.as_u16(), 422);
    assert!(r.text().contains("不能超过该项分值10分"));
    let r = office
        .post_form(
            &format!("/assessment/{}/units/{unit}", open.public_id),
            &[("score.lead.people", "9.5")],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303);
    // Another year again: refused by field.
    office.get("/assessment").await;
    let r = office.post_form("/assessment", &[("year", "2026")]).await;
    assert_eq!(r.status.as_u16(), 422);
    assert!(r.text().contains("year-error"));
}

#[tokio::test]
async fn the_dashboard_shows_work_by_status_and_the_supervised_items() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in("office").await;
    let html = c.get("/dashboard").await.text();
    let open = |html: &str, id: &str| -> i64 {
        let i = html.find(&format!("id=\"{id}\">")).unwrap() + id.len() + 6;
        html[i..].split('<').next().unwrap().parse().unwrap()
    };
    assert!(open(&html, "work-open") >= 5);
    assert!(open(&html, "work-overdue") >= 2);
    assert!(html.contains("dash-supervised"));
    assert_eq!(html.matches("<svg").count(), 3, "targets, pipeline, work");
    let r = c.get("/worklist/export").await;
    assert!(r.body.starts_with(b"PK"));
}
