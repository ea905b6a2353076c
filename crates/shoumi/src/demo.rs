//! Loading the Gaotang demo: reference data, demo units, ~1,500 fictional enterprises and one
//! account per role, all through the same audited storage functions the application uses.

use shoumi_domain::{Action, Grant, Principal, Role, Scope};
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
    Principal {
        user_id: 0,
        username: "system".into(),
        display_name: "system".into(),
        grants: vec![Grant {
            role: Role::Admin,
            scope: Scope::County,
            area: None,
        }],
        must_change_password: false,
    }
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
        accounts.push((name.to_string(), display.to_string()));
    }
    Ok(accounts)
}
