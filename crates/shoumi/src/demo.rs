//! Loading the Gaotang demo: reference data, demo units, ~1,500 fictional enterprises and one
//! account per role, all through the same audited storage functions the application uses.

use shoumi_domain::{Action, Principal, Role, Scope};
use shoumi_storage::{Actor, Db, enterprises, orgs, seed, users};

/// The demo accounts, named after their roles.
pub const ACCOUNTS: &[&str] = &[
    "admin",
    "office",
    "department",
    "town",
    "station",
    "enterprise",
    "enterprise-b",
    "expert",
    "agency",
];

/// A principal with the administrator role, for operator commands (CLI, demo loader).
pub fn operator() -> Principal {
    Principal::acting(0, "system", &[(Role::Admin, Scope::County)])
}

/// Loads everything; returns the demo accounts with their display names.
pub async fn load(
    db: &Db,
    password: &str,
    seed_value: u64,
) -> anyhow::Result<Vec<(String, String)>> {
    shoumi_storage::migrate::run(db).await?;
    seed::seed_reference(db, &shoumi_domain::CountyData::gaotang()).await?;
    shoumi_storage::programme::seed_default(
        db,
        &shoumi_domain::programme::ProgrammeSpec::gaotang(),
    )
    .await?;
    let data = shoumi_demo::gaotang_demo(seed_value);
    let op = operator();
    let actor = Actor::system("demo");
    let cap = op.can(Action::ManageOrganisations).expect("operator");
    let mut tx = db.begin(&actor).await?;
    for u in &data.units {
        orgs::upsert_unit(&mut tx, cap, Some(&u.key), &u.input).await?;
    }
    let rows: Vec<(usize, shoumi_domain::EnterpriseInput)> = data
        .enterprises
        .iter()
        .enumerate()
        .map(|(i, e)| (i + 2, e.input.clone()))
        .collect();
    let out = enterprises::import_batch(&mut tx, &op.enterprise_edit_scope(), &rows).await?;
    if let Some((row, e)) = out.problems.first() {
        anyhow::bail!("demo enterprise {row}: {}: {}", e.field, e.message_en);
    }
    tx.commit().await?;

    let hash = {
        let pw = password.to_string();
        tokio::task::spawn_blocking(move || users::hash_password(&pw)).await?
    };
    let ent_id = |i: usize| data.enterprises[i].input.credit_code.to_string();
    let ucap = op.can(Action::ManageUsers).expect("operator");
    let mut accounts = Vec::new();
    let mut ids = std::collections::HashMap::new();
    for name in ACCOUNTS {
        let (display, role, scope): (&str, Role, Scope) = match *name {
            "admin" => ("系统管理员", Role::Admin, Scope::County),
            "office" => ("专班办公室（县市场监管局）", Role::Office, Scope::County),
            "department" => (
                "县工信局联络员",
                Role::Department,
                Scope::Unit(orgs::unit_by_key(db, "gxj").await?.id),
            ),
            "town" => {
                let d = orgs::divisions(db)
                    .await?
                    .into_iter()
                    .find(|d| d.code == "371526101")
                    .expect("梁村镇");
                ("梁村镇联络员", Role::Town, Scope::Division(d.id))
            }
            "station" => (
                "梁村服务站工作人员",
                Role::Station,
                Scope::Unit(orgs::unit_by_key(db, "station-371526101").await?.id),
            ),
            "enterprise" | "enterprise-b" => {
                let idx = if *name == "enterprise" { 0 } else { 1 };
                let (id, _) = enterprises::id_by_credit_code(db, ucap, &ent_id(idx))
                    .await?
                    .expect("demo enterprise");
                (
                    if idx == 0 {
                        "企业管理员（砚澄精细化工）"
                    } else {
                        "企业管理员（琮禾食品）"
                    },
                    Role::EnterpriseAdmin,
                    Scope::Enterprise(id),
                )
            }
            "expert" => (
                "法律顾问",
                Role::Expert,
                Scope::Unit(orgs::unit_by_key(db, "law-1").await?.id),
            ),
            "agency" => (
                "县公安局联络员",
                Role::Agency,
                Scope::Unit(orgs::unit_by_key(db, "gaj").await?.id),
            ),
            _ => unreachable!("listed above"),
        };
        let mut tx = db.begin(&actor).await?;
        let (uid, _) = users::create(
            &mut tx,
            ucap,
            &users::NewUser {
                username: name.to_string(),
                display_name: display.to_string(),
                email: String::new(),
            },
            &hash,
            false,
        )
        .await?;
        users::grant(&mut tx, ucap, uid, role, scope).await?;
        tx.commit().await?;
        ids.insert(*name, uid);
        accounts.push((name.to_string(), display.to_string()));
    }
    load_programme_history(db, &data, ids["office"], ids["expert"]).await?;
    load_worklist(db, ids["office"]).await?;
    Ok(accounts)
}

/// Plays the demo's responsibility list ([`shoumi_demo::worklist_history`]): items assigned,
/// reports filed by the units and reviewed by the office, supervision notices issued, answered
/// and closed; then the 2025 year-end assessment (closed) and 2026's (under way).
async fn load_worklist(db: &Db, office_uid: i64) -> anyhow::Result<()> {
    use shoumi_storage::worklist::{self as wl, ItemForm, NoticeForm, ReportForm};
    let actor = Actor::system("demo");
    let cal = shoumi_storage::calendar::load(db).await?;
    let programme = shoumi_storage::programme::current(db).await?;
    let office = principal(office_uid, vec![(Role::Office, Scope::County)]).work_scope();
    let today = shoumi_storage::demonstration::today();
    for it in shoumi_demo::worklist_history(today) {
        let mut unit_pids = Vec::new();
        for k in it.units {
            unit_pids.push(orgs::unit_by_key(db, k).await?.public_id);
        }
        let mut tx = db.begin(&actor).await?;
        let pid = wl::create_item(
            &mut tx,
            &office,
            &programme.spec,
            programme.version.id,
            &ItemForm {
                task_key: it.task.into(),
                title: it.title.into(),
                expected_output: it.expected.into(),
                deadline: it.deadline.to_string(),
                units: unit_pids,
            },
            it.opened,
        )
        .await?;
        tx.commit().await?;
        for r in &it.reports {
            let unit = orgs::unit_by_key(db, r.unit).await?;
            let acting =
                principal(office_uid, vec![(Role::Department, Scope::Unit(unit.id))]).work_scope();
            let item = wl::item(db, &pid).await?;
            let mut tx = db.begin(&actor).await?;
            let (rpid, _) = wl::file_report(
                &mut tx,
                &acting,
                &item,
                &ReportForm {
                    unit: unit.public_id.clone(),
                    content: r.content.into(),
                    figures: r.figures.into(),
                    claims_done: if r.claims_done {
                        "1".into()
                    } else {
                        String::new()
                    },
                },
                r.on,
            )
            .await?;
            if let Some(accept) = r.accepted {
                wl::review_report(
                    &mut tx,
                    &office,
                    &item,
                    &rpid,
                    accept,
                    if accept {
                        ""
                    } else {
                        "请补充培训签到表和课件。"
                    },
                )
                .await?;
            }
            tx.commit().await?;
        }
        for n in &it.notices {
            let unit = orgs::unit_by_key(db, n.unit).await?;
            let mut tx = db.begin(&actor).await?;
            let npid = wl::issue_notice(
                &mut tx,
                &office,
                &cal,
                &programme.spec.supervision,
                &NoticeForm {
                    item: pid.clone(),
                    unit: unit.public_id.clone(),
                    content: n.content.into(),
                    reply_by: String::new(),
                },
                n.issued,
            )
            .await?;
            tx.commit().await?;
            if let Some((on, text, closed)) = n.reply {
                let acting = principal(office_uid, vec![(Role::Department, Scope::Unit(unit.id))])
                    .work_scope();
                let notice = wl::notice(db, &npid).await?;
                let mut tx = db.begin(&actor).await?;
                wl::reply_notice(&mut tx, &acting, &notice, text, on).await?;
                tx.commit().await?;
                if closed {
                    let notice = wl::notice(db, &npid).await?;
                    let mut tx = db.begin(&actor).await?;
                    wl::close_notice(
                        &mut tx,
                        &office,
                        &cal,
                        &programme.spec.supervision,
                        &notice,
                        true,
                        "",
                        on,
                    )
                    .await?;
                    tx.commit().await?;
                }
            }
        }
    }
    // Year-end assessments: 2025 scored and closed, 2026 under way.
    use shoumi_storage::assessment as ua;
    let units = ua::units(db, &programme.spec).await?;
    let leaves = programme.spec.unit_leaves();
    for (year, scored, closed) in [(2025_i64, units.len(), true), (2026, 6, false)] {
        let mut tx = db.begin(&actor).await?;
        let apid = ua::create(
            &mut tx,
            &office,
            year,
            programme.version.id,
            &programme.spec,
        )
        .await?;
        tx.commit().await?;
        let a = ua::get(db, &apid).await?;
        for (i, u) in units.iter().take(scored).enumerate() {
            let entries: Vec<(String, String, String)> = leaves
                .iter()
                .enumerate()
                .map(|(j, l)| {
                    let max = i64::from(l.indicator.points) * 10;
                    let pct = 70 + ((i * 7 + j * 3) % 29) as i64;
                    (
                        l.indicator.key.clone(),
                        shoumi_domain::programme::show_tenths(max * pct / 100),
                        String::new(),
                    )
                })
                .collect();
            let mut tx = db.begin(&actor).await?;
            ua::save(&mut tx, &office, &a, &programme.spec, u, &entries).await?;
            tx.commit().await?;
        }
        if closed {
            let mut tx = db.begin(&actor).await?;
            ua::close(&mut tx, &office, &a).await?;
            tx.commit().await?;
        }
    }
    Ok(())
}

fn principal(user_id: i64, grants: Vec<(Role, Scope)>) -> Principal {
    Principal::acting(user_id, "demo", &grants)
}

/// Plays the demo's programme history ([`shoumi_demo::programme_history`]) through the storage
/// functions the pages use: the applicant files, the town (or zone) reviews, the office and the
/// expert score, the office runs publicity and designates — each step on its historical date.
async fn load_programme_history(
    db: &Db,
    data: &shoumi_demo::DemoData,
    office_uid: i64,
    expert_uid: i64,
) -> anyhow::Result<()> {
    use shoumi_demo::{DemoAction, DemoOrigin, DemoSubject};
    use shoumi_storage::demonstration::{self as demo, NewApplication, ObjectionForm, StepForm};

    let actor = Actor::system("demo");
    let calendar = shoumi_storage::calendar::load(db).await?;
    let today = demo::today();
    let op = operator();
    let ucap = op.can(Action::ManageUsers).expect("operator");
    let office = principal(office_uid, vec![(Role::Office, Scope::County)]).application_scope();
    let expert = principal(expert_uid, vec![(Role::Expert, Scope::County)]).application_scope();
    let programme = shoumi_storage::programme::current(db).await?;
    for a in shoumi_demo::programme_history(today) {
        let (subject, enterprise_id, unit_id, division_id, zone_id) = match &a.subject {
            DemoSubject::Enterprise(i) => {
                let code = data.enterprises[*i].input.credit_code.to_string();
                let (id, _) = enterprises::id_by_credit_code(db, ucap, &code)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("demo enterprise {i}"))?;
                let e = enterprises::get_by_id(db, &op.enterprise_scope(), id).await?;
                (e.public_id, Some(id), None, Some(e.division_id), e.zone_id)
            }
            DemoSubject::Unit(key) => {
                let u = orgs::unit_by_key(db, key).await?;
                (u.public_id, None, Some(u.id), u.division_id, u.zone_id)
            }
        };
        let mut town_grants = Vec::new();
        if let Some(d) = division_id {
            town_grants.push((Role::Town, Scope::Division(d)));
        }
        if let Some(z) = zone_id {
            town_grants.push((Role::Town, Scope::Zone(z)));
        }
        let reviewer = principal(office_uid, town_grants.clone()).application_scope();
        let applicant = match (a.origin, enterprise_id, unit_id) {
            (DemoOrigin::Enterprise, Some(e), _) => principal(
                office_uid,
                vec![(Role::EnterpriseAdmin, Scope::Enterprise(e))],
            ),
            (DemoOrigin::Station, _, Some(u)) => {
                principal(office_uid, vec![(Role::Station, Scope::Unit(u))])
            }
            _ => principal(office_uid, town_grants),
        }
        .application_scope();
        let mut tx = db.begin(&actor).await?;
        let pid = demo::create(
            &mut tx,
            &applicant,
            &NewApplication {
                unit_type: a.unit_type.as_str().into(),
                subject,
                statement: a.statement.into(),
            },
            a.created,
        )
        .await?;
        tx.commit().await?;
        for act in &a.script {
            let mut tx = db.begin(&actor).await?;
            match act {
                DemoAction::Step {
                    step,
                    on,
                    reasons,
                    rectify_by,
                } => {
                    let scope = match step.by() {
                        shoumi_domain::demonstration::StepBy::Applicant => &applicant,
                        shoumi_domain::demonstration::StepBy::FirstReviewer => &reviewer,
                        shoumi_domain::demonstration::StepBy::Office => &office,
                    };
                    let form = StepForm {
                        step: step.as_str().into(),
                        reasons: reasons.to_string(),
                        date: on.to_string(),
                        number: String::new(),
                        rectify_by: rectify_by.map(|d| d.to_string()).unwrap_or_default(),
                    };
                    demo::step(&mut tx, scope, &calendar, &pid, &form, *on).await?;
                }
                DemoAction::Assess { percent, complete } => {
                    demo::assign(&mut tx, &office, &pid, "office").await?;
                    demo::assign(&mut tx, &office, &pid, "expert").await?;
                    let leaves = programme.spec.leaves(a.unit_type);
                    for (who, scope, pct) in [
                        (0, &office, *percent),
                        (1, &expert, percent.saturating_sub(2)),
                    ] {
                        let entries: Vec<(String, String, String)> = leaves
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| *complete || who == 0 || i % 2 == 0)
                            .map(|(i, l)| {
                                let max = i64::from(l.indicator.points) * 10;
                                let wobble = [0, 5, -5, 3][i % 4];
                                let v = (max * (i64::from(pct) + wobble) / 100).clamp(0, max);
                                (
                                    l.indicator.key.clone(),
                                    shoumi_domain::programme::show_tenths(v),
                                    if i == 0 {
                                        "制度文件齐全，执行记录完整。".to_string()
                                    } else {
                                        String::new()
                                    },
                                )
                            })
                            .collect();
                        demo::save_scores(&mut tx, scope, &pid, &entries).await?;
                    }
                }
                DemoAction::Objection {
                    on,
                    content,
                    upheld,
                } => {
                    let oid = demo::add_objection(
                        &mut tx,
                        &office,
                        &pid,
                        &ObjectionForm {
                            received_on: on.to_string(),
                            objector: "匿名来信".into(),
                            content: content.to_string(),
                        },
                        *on,
                    )
                    .await?;
                    if let Some(u) = upheld {
                        demo::resolve_objection(
                            &mut tx,
                            &office,
                            &pid,
                            &oid,
                            *u,
                            if *u {
                                "经现场核查，异议属实。"
                            } else {
                                "经核查，异议不成立。"
                            },
                        )
                        .await?;
                    }
                }
            }
            tx.commit().await?;
        }
    }
    Ok(())
}
