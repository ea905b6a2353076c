//! The Gaotang County demo: about 1,500 fictional enterprises over the county's real divisions,
//! plus market-supervision offices, service stations and partner institutions.

use std::collections::HashSet;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shoumi_domain::credit_code::organisation_check_character;
use shoumi_domain::{
    CountyData, CreditCode, DivisionCode, DivisionKind, EnterpriseInput, EnterpriseSize,
    EnterpriseStatus, Industry, KeyTag, UnitForm, UnitInput, UnitKind,
};

use crate::DemoPerson;
use crate::codes::{enterprise_credit_code, mobile, organisation_code};
use crate::common::{
    Weighted, industry_choices, legal_form, person_name, pick, size, status, tags,
};
use crate::words::{BRAND_FIRST, BRAND_SECOND, ROADS, TITLES};

/// How many enterprises [`gaotang_demo`] generates, the two named ones included.
pub const GAOTANG_ENTERPRISE_COUNT: usize = 1500;
/// The development zone's key in `gaotang.toml`.
pub const ZONE_KEY: &str = "gtkfq";
/// The demo account that works for enterprise 0.
pub const ACCOUNT_ENTERPRISE: &str = "enterprise";
/// The demo account that works for enterprise 1 (a second firm, to show isolation).
pub const ACCOUNT_ENTERPRISE_B: &str = "enterprise-b";
/// Every key tag occurs at least this often, so every filter and chart has data.
pub const MIN_TAG_COUNT: usize = 5;

/// A generated enterprise with a stable handle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoEnterprise {
    /// `ent-0000`, `ent-0001`, …: the index in [`DemoData::enterprises`], stable for a seed.
    pub key: String,
    /// The demo account that belongs to this enterprise, for the two named ones.
    pub account: Option<&'static str>,
    pub input: EnterpriseInput,
}

/// A generated unit (office, station or partner) with a stable key such as `mso-371526101`,
/// `station-gtkfq` or `law-1`, so the demo can attach users and work to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoUnit {
    pub key: String,
    pub input: UnitInput,
}

impl DemoUnit {
    /// The unit as raw form fields, for code paths that import forms or spreadsheets.
    pub fn to_form(&self) -> UnitForm {
        self.input.to_form()
    }
}

/// Everything the `shoumi demo` command loads on top of the county reference data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoData {
    /// Index 0 is [`ACCOUNT_ENTERPRISE`]'s company, index 1 [`ACCOUNT_ENTERPRISE_B`]'s.
    pub enterprises: Vec<DemoEnterprise>,
    /// Market-supervision offices, service stations and partner institutions.
    pub units: Vec<DemoUnit>,
    /// Staff of the enterprises (contact, legal representative and a few more each);
    /// [`DemoPerson::enterprise`] indexes `enterprises`.
    pub people: Vec<DemoPerson>,
}

/// The fixed first part of the two named enterprises' organisation codes; generated codes skip
/// them, so all codes stay unique.
const NAMED_ORG_BODIES: [&[u8; 8]; 2] = [b"MA3DY7K2", b"MA3DY8L5"];

fn named_code(body: &[u8; 8]) -> CreditCode {
    let mut org = [0u8; 9];
    org[..8].copy_from_slice(body);
    org[8] = organisation_check_character(body).expect("alphabet") as u8;
    enterprise_credit_code("371526", &org)
}

fn div(code: &str) -> DivisionCode {
    DivisionCode::parse(code).expect("static division code")
}

/// The two named enterprises: the same for every seed, so guides and tests can name them.
fn named_enterprises() -> [EnterpriseInput; 2] {
    [
        EnterpriseInput {
            name: "高唐县砚澄精细化工有限公司".into(),
            credit_code: named_code(NAMED_ORG_BODIES[0]),
            legal_representative: Some("鲍振宁".into()),
            address: Some("高唐县梁村镇兴业路18号".into()),
            division_code: div("371526101"),
            zone_key: None,
            industry: Industry::parse("C26").expect("C26"),
            size: Some(EnterpriseSize::Small),
            tags: vec![KeyTag::Specialised, KeyTag::HighTech],
            contact_name: Some("房晓雯".into()),
            contact_phone: Some("13853500101".into()),
            contact_email: Some("baomi@yancheng-chem.example.com".into()),
            share_contacts: true,
            status: EnterpriseStatus::Operating,
        },
        EnterpriseInput {
            name: "高唐县琮禾食品有限公司".into(),
            credit_code: named_code(NAMED_ORG_BODIES[1]),
            legal_representative: Some("耿立群".into()),
            address: Some("高唐县固河镇丰收路66号".into()),
            division_code: div("371526104"),
            zone_key: None,
            industry: Industry::parse("C14").expect("C14"),
            size: Some(EnterpriseSize::Micro),
            tags: vec![KeyTag::TechSme],
            contact_name: Some("聂婷婷".into()),
            contact_phone: Some("15953500202".into()),
            contact_email: None,
            share_contacts: true,
            status: EnterpriseStatus::Operating,
        },
    ]
}

/// A division's name without 街道/镇/乡, as offices are named (梁村镇 → 梁村).
fn short_division_name(name: &str) -> &str {
    name.strip_suffix("街道")
        .or_else(|| name.strip_suffix('镇'))
        .or_else(|| name.strip_suffix('乡'))
        .unwrap_or(name)
}

/// Generates the Gaotang demo data. Pure and deterministic: the same `seed` gives identical
/// data, so a demo installation, its guide and the tests agree on what is there.
pub fn gaotang_demo(seed: u64) -> DemoData {
    let county = CountyData::gaotang();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let code_key: u64 = rng.random();
    let mobile_key: u64 = rng.random();
    let zone = county
        .zones
        .iter()
        .find(|z| z.key == ZONE_KEY)
        .expect("gaotang.toml has the development zone");
    let divisions = &county.divisions;
    // Streets (the county town) hold far more firms than towns.
    let mut street_weight = 180u32;
    let div_weights = Weighted::new(divisions.iter().enumerate().map(|(i, d)| match d.kind {
        DivisionKind::Street => {
            street_weight -= 20;
            street_weight
        }
        _ => 35 + (i as u32 * 13) % 25,
    }));
    let (industries, industry_weights) = industry_choices();

    let named = named_enterprises();
    let mut names: HashSet<String> = named.iter().map(|e| e.name.clone()).collect();
    let mut codes: HashSet<CreditCode> = named.iter().map(|e| e.credit_code.clone()).collect();
    let mut enterprises: Vec<DemoEnterprise> = named
        .into_iter()
        .zip([ACCOUNT_ENTERPRISE, ACCOUNT_ENTERPRISE_B])
        .enumerate()
        .map(|(i, (input, account))| DemoEnterprise {
            key: format!("ent-{i:04}"),
            account: Some(account),
            input,
        })
        .collect();

    let mut code_counter = 0u64;
    let mut mobile_counter = 0u64;
    while enterprises.len() < GAOTANG_ENTERPRISE_COUNT {
        let i = enterprises.len();
        let ind = &industries[industry_weights.sample(&mut rng)];
        let size = size(&mut rng);
        let in_zone = rng.random_bool(0.15);
        let division = if in_zone {
            let d = &zone.divisions[rng.random_range(0..zone.divisions.len())];
            divisions
                .iter()
                .find(|x| &x.code == d)
                .expect("zone divisions exist")
        } else {
            &divisions[div_weights.sample(&mut rng)]
        };
        let form = legal_form(&mut rng, size);
        let name = loop {
            let prefix = match rng.random_range(0..100) {
                0..80 => "高唐县",
                80..95 => "聊城",
                _ => "山东",
            };
            let candidate = format!(
                "{prefix}{}{}{}{form}",
                pick(&mut rng, BRAND_FIRST),
                pick(&mut rng, BRAND_SECOND),
                pick(&mut rng, ind.words)
            );
            if names.insert(candidate.clone()) {
                break candidate;
            }
        };
        let credit_code = loop {
            let c = enterprise_credit_code("371526", &organisation_code(code_counter, code_key));
            code_counter += 1;
            if codes.insert(c.clone()) {
                break c;
            }
        };
        let road = pick(&mut rng, ROADS);
        let number = rng.random_range(1..=999);
        let address = if in_zone {
            format!("高唐经济开发区{road}{number}号")
        } else {
            format!("高唐县{}{road}{number}号", division.name)
        };
        let legal_rep = person_name(&mut rng);
        let contact_name = if rng.random_bool(0.3) {
            legal_rep.clone()
        } else {
            person_name(&mut rng)
        };
        let contact_phone = mobile(mobile_counter, mobile_key);
        mobile_counter += 1;
        let contact_email = rng
            .random_bool(0.35)
            .then(|| format!("qy{i:04}@example.com"));
        let mut tags = tags(&mut rng, size, ind.manufacturing);
        tags.sort();
        enterprises.push(DemoEnterprise {
            key: format!("ent-{i:04}"),
            account: None,
            input: EnterpriseInput {
                name,
                credit_code,
                legal_representative: Some(legal_rep),
                address: Some(address),
                division_code: division.code.clone(),
                zone_key: in_zone.then(|| ZONE_KEY.to_string()),
                industry: ind.industry,
                size,
                tags,
                contact_name: Some(contact_name),
                contact_phone: Some(contact_phone),
                contact_email,
                share_contacts: rng.random_bool(0.7),
                status: status(&mut rng),
            },
        });
    }
    top_up_tags(&mut enterprises);

    let mut people = Vec::with_capacity(enterprises.len() * 4);
    for (i, e) in enterprises.iter().enumerate() {
        let input = &e.input;
        if let (Some(name), Some(phone)) = (&input.contact_name, &input.contact_phone) {
            people.push(DemoPerson {
                name: name.clone(),
                enterprise: i,
                title: if input.legal_representative.as_ref() == Some(name) {
                    "总经理"
                } else {
                    pick(&mut rng, &["办公室主任", "法务专员", "保密管理员"])
                },
                mobile: phone.clone(),
            });
        }
        if let Some(rep) = &input.legal_representative
            && input.contact_name.as_ref() != Some(rep)
        {
            people.push(DemoPerson {
                name: rep.clone(),
                enterprise: i,
                title: "总经理",
                mobile: next_mobile(&mut mobile_counter, mobile_key),
            });
        }
        for _ in 0..rng.random_range(0..=3) {
            people.push(DemoPerson {
                name: person_name(&mut rng),
                enterprise: i,
                title: pick(&mut rng, &TITLES[2..]),
                mobile: next_mobile(&mut mobile_counter, mobile_key),
            });
        }
    }

    let units = units(&county, &mut rng);
    DemoData {
        enterprises,
        units,
        people,
    }
}

fn next_mobile(counter: &mut u64, key: u64) -> String {
    let m = mobile(*counter, key);
    *counter += 1;
    m
}

/// Makes sure every tag occurs at least [`MIN_TAG_COUNT`] times, giving missing ones to the
/// largest manufacturers first (the likeliest holders), so the guarantee does not depend on luck.
fn top_up_tags(enterprises: &mut [DemoEnterprise]) {
    let rank = |s: Option<EnterpriseSize>| match s {
        Some(EnterpriseSize::Large) => 0,
        Some(EnterpriseSize::Medium) => 1,
        Some(EnterpriseSize::Small) => 2,
        _ => 3,
    };
    let mut order: Vec<usize> = (2..enterprises.len())
        .filter(|&i| enterprises[i].input.industry.section == 'C')
        .collect();
    order.sort_by_key(|&i| (rank(enterprises[i].input.size), i));
    for &tag in KeyTag::ALL {
        let mut have = enterprises
            .iter()
            .filter(|e| e.input.tags.contains(&tag))
            .count();
        for &i in &order {
            if have >= MIN_TAG_COUNT {
                break;
            }
            let tags = &mut enterprises[i].input.tags;
            if tag == KeyTag::TechSme && enterprises[i].input.size == Some(EnterpriseSize::Large) {
                continue;
            }
            if !tags.contains(&tag) {
                tags.push(tag);
                tags.sort();
                have += 1;
            }
        }
    }
}

fn landline(rng: &mut impl Rng) -> String {
    format!("0635-{}", rng.random_range(3_000_000..8_999_999))
}

/// Market-supervision offices (one per division), service stations (nine divisions and the
/// zone: the plan's 2024 target of ten) and fictional partner institutions.
fn units(county: &CountyData, rng: &mut impl Rng) -> Vec<DemoUnit> {
    let office_hours = "工作日 8:30–12:00，13:30–17:30";
    let mut out = Vec::new();
    for d in &county.divisions {
        let short = short_division_name(&d.name);
        out.push(DemoUnit {
            key: format!("mso-{}", d.code),
            input: UnitInput {
                name: format!("{short}市场监督管理所"),
                short_name: Some(format!("{short}所")),
                kind: UnitKind::MarketSupervisionOffice,
                credit_code: None,
                division_code: Some(d.code.clone()),
                zone_key: None,
                address: Some(format!(
                    "高唐县{}{}{}号",
                    d.name,
                    pick(rng, ROADS),
                    rng.random_range(1..=200)
                )),
                phone: Some(landline(rng)),
                opening_hours: Some(office_hours.into()),
            },
        });
    }
    // Stations in the three streets and six towns (梁村 and 固河 among them, where the named
    // enterprises are), plus one in the development zone.
    let station_divisions = [
        "371526001",
        "371526002",
        "371526003",
        "371526101",
        "371526103",
        "371526104",
        "371526105",
        "371526108",
        "371526109",
    ];
    for code in station_divisions {
        let d = county.division(code).expect("Gaotang division");
        out.push(DemoUnit {
            key: format!("station-{code}"),
            input: UnitInput {
                name: format!("{}商业秘密保护服务站", d.name),
                short_name: Some(format!("{}服务站", short_division_name(&d.name))),
                kind: UnitKind::ServiceStation,
                credit_code: None,
                division_code: Some(d.code.clone()),
                zone_key: None,
                address: Some(format!(
                    "高唐县{}{}{}号",
                    d.name,
                    pick(rng, ROADS),
                    rng.random_range(1..=200)
                )),
                phone: Some(landline(rng)),
                opening_hours: Some(office_hours.into()),
            },
        });
    }
    out.push(DemoUnit {
        key: format!("station-{ZONE_KEY}"),
        input: UnitInput {
            name: "高唐经济开发区商业秘密保护服务站".into(),
            short_name: Some("开发区服务站".into()),
            kind: UnitKind::ServiceStation,
            credit_code: None,
            division_code: None,
            zone_key: Some(ZONE_KEY.into()),
            address: Some(format!(
                "高唐经济开发区{}{}号",
                pick(rng, ROADS),
                rng.random_range(1..=200)
            )),
            phone: Some(landline(rng)),
            opening_hours: Some(office_hours.into()),
        },
    });
    let partners: [(&str, &str, &str, UnitKind); 7] = [
        ("univ-1", "聊城澄岳学院", "澄岳学院", UnitKind::University),
        (
            "univ-2",
            "山东琬川理工职业学院",
            "琬川理工",
            UnitKind::University,
        ),
        (
            "inst-1",
            "高唐县柘溪产业技术研究院",
            "柘溪研究院",
            UnitKind::ResearchInstitute,
        ),
        (
            "inst-2",
            "聊城璞衡知识产权研究所",
            "璞衡研究所",
            UnitKind::ResearchInstitute,
        ),
        ("law-1", "山东砚衡律师事务所", "砚衡律所", UnitKind::LawFirm),
        ("law-2", "聊城筠川律师事务所", "筠川律所", UnitKind::LawFirm),
        ("law-3", "高唐琮正律师事务所", "琮正律所", UnitKind::LawFirm),
    ];
    for (key, name, short, kind) in partners {
        let place = if name.starts_with("高唐") {
            "高唐县"
        } else {
            "聊城市"
        };
        out.push(DemoUnit {
            key: key.into(),
            input: UnitInput {
                name: name.into(),
                short_name: Some(short.into()),
                kind,
                credit_code: None,
                division_code: None,
                zone_key: None,
                address: Some(format!(
                    "{place}{}{}号",
                    pick(rng, ROADS),
                    rng.random_range(1..=500)
                )),
                phone: Some(landline(rng)),
                opening_hours: None,
            },
        });
    }
    out
}
