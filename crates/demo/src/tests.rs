use std::collections::{HashMap, HashSet};

use shoumi_domain::{CountyData, CreditCode, EnterpriseSize, EnterpriseStatus, KeyTag, UnitKind};

use crate::*;

fn demo() -> DemoData {
    gaotang_demo(20_240_229)
}

#[test]
fn every_generated_credit_code_passes_the_gb32100_check() {
    let d = demo();
    for e in &d.enterprises {
        let code = e.input.credit_code.as_str();
        assert!(CreditCode::parse_strict(code).is_ok(), "{code}");
        assert!(code.starts_with("91371526"), "{code}");
        let org = &code.as_bytes()[8..16];
        assert_eq!(
            shoumi_domain::credit_code::organisation_check_character(org),
            code[16..17].chars().next(),
            "organisation code check of {code}"
        );
    }
    let unique: HashSet<_> = d.enterprises.iter().map(|e| &e.input.credit_code).collect();
    assert_eq!(unique.len(), d.enterprises.len());
}

#[test]
fn the_same_seed_gives_the_same_data() {
    let a = gaotang_demo(7);
    let b = gaotang_demo(7);
    assert_eq!(a, b);
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    let c = gaotang_demo(8);
    assert_ne!(a.enterprises[2..], c.enterprises[2..]);
    let p1: Vec<_> = province_enterprises(3, 500).collect();
    let p2: Vec<_> = province_enterprises(3, 500).collect();
    assert_eq!(p1, p2);
    assert_eq!(province_divisions(3), province_divisions(3));
    assert!(province_people(3, 200).eq(province_people(3, 200)));
}

#[test]
fn the_named_enterprises_come_first_and_do_not_depend_on_the_seed() {
    let a = gaotang_demo(1);
    let b = gaotang_demo(99);
    assert_eq!(a.enterprises[..2], b.enterprises[..2]);
    let e0 = &a.enterprises[0];
    assert_eq!(e0.account, Some(ACCOUNT_ENTERPRISE));
    assert_eq!(e0.input.division_code.as_str(), "371526101");
    assert_eq!(e0.input.industry.code(), "C26");
    assert!(e0.input.tags.contains(&KeyTag::Specialised));
    let e1 = &a.enterprises[1];
    assert_eq!(e1.account, Some(ACCOUNT_ENTERPRISE_B));
    assert_eq!(e1.input.division_code.as_str(), "371526104");
    assert_eq!(e1.input.industry.code(), "C14");
    assert!(a.enterprises[2..].iter().all(|e| e.account.is_none()));
    assert_eq!(a.enterprises.len(), GAOTANG_ENTERPRISE_COUNT);
}

#[test]
fn every_enterprise_survives_its_own_form() {
    // What the demo loads must pass the same parsing as a user's form or import.
    for e in &demo().enterprises {
        let (parsed, warnings) = e.input.to_form().parse().expect("demo enterprise parses");
        assert!(warnings.is_empty(), "{}: {warnings:?}", e.input.name);
        assert_eq!(parsed, e.input);
    }
    for e in province_enterprises(5, 2_000) {
        assert_eq!(e.to_form().parse().expect("parses").0, e);
    }
}

#[test]
fn every_key_tag_occurs() {
    let d = demo();
    let n = d.enterprises.len() as f64;
    for &tag in KeyTag::ALL {
        let count = d
            .enterprises
            .iter()
            .filter(|e| e.input.tags.contains(&tag))
            .count();
        assert!(count >= MIN_TAG_COUNT, "{tag}: {count}");
        assert!((count as f64) < n * 0.25, "{tag} too common: {count}");
    }
    // Tags are kept sorted and without repeats, as parsing gives them.
    for e in &d.enterprises {
        let mut t = e.input.tags.clone();
        t.sort();
        t.dedup();
        assert_eq!(t, e.input.tags);
    }
    // And a seed whose luck is bad still gets them (the top-up does not depend on chance).
    for seed in 0..5 {
        let d = gaotang_demo(seed);
        for &tag in KeyTag::ALL {
            assert!(
                d.enterprises
                    .iter()
                    .filter(|e| e.input.tags.contains(&tag))
                    .count()
                    >= MIN_TAG_COUNT
            );
        }
    }
}

#[test]
fn names_are_unique_and_fictional() {
    let d = demo();
    let names: HashSet<_> = d
        .enterprises
        .iter()
        .map(|e| e.input.name.as_str())
        .collect();
    assert_eq!(names.len(), d.enterprises.len());
    let all_names = d
        .enterprises
        .iter()
        .map(|e| e.input.name.as_str())
        .chain(d.units.iter().map(|u| u.input.name.as_str()));
    for name in all_names {
        for brand in DENIED_BRANDS {
            assert!(
                !name.contains(brand),
                "{name} contains the real brand {brand}"
            );
        }
    }
    for e in &d.enterprises {
        let n = &e.input.name;
        assert!(
            n.ends_with("有限公司") || n.ends_with("有限责任公司"),
            "{n}"
        );
        assert!(
            ["高唐县", "聊城", "山东"].iter().any(|p| n.starts_with(p)),
            "{n}"
        );
    }
    for e in province_enterprises(11, 5_000) {
        for brand in DENIED_BRANDS {
            assert!(!e.name.contains(brand), "{} contains {brand}", e.name);
        }
    }
    for (_, name) in province_counties(11) {
        for brand in DENIED_BRANDS {
            assert!(!name.contains(brand));
        }
    }
}

#[test]
fn zone_enterprises_lie_in_the_zones_divisions() {
    let county = CountyData::gaotang();
    let zone = county.zones.iter().find(|z| z.key == ZONE_KEY).unwrap();
    let d = demo();
    let in_zone: Vec<_> = d
        .enterprises
        .iter()
        .filter(|e| e.input.zone_key.is_some())
        .collect();
    let share = in_zone.len() as f64 / d.enterprises.len() as f64;
    assert!((0.10..0.20).contains(&share), "zone share {share}");
    for e in in_zone {
        assert_eq!(e.input.zone_key.as_deref(), Some(ZONE_KEY));
        assert!(zone.divisions.contains(&e.input.division_code));
    }
}

#[test]
fn every_division_has_enterprises_and_streets_have_more() {
    let county = CountyData::gaotang();
    let d = demo();
    let mut per: HashMap<&str, usize> = HashMap::new();
    for e in &d.enterprises {
        assert!(
            county.division(e.input.division_code.as_str()).is_some(),
            "unknown division {}",
            e.input.division_code
        );
        *per.entry(e.input.division_code.as_str()).or_default() += 1;
    }
    assert_eq!(per.len(), 12);
    let min_street = ["371526001", "371526002", "371526003"]
        .iter()
        .map(|c| per[c])
        .min()
        .unwrap();
    let max_town = per
        .iter()
        .filter(|(c, _)| c.as_bytes()[6] == b'1')
        .map(|(_, n)| *n)
        .max()
        .unwrap();
    assert!(min_street > max_town, "{per:?}");
}

#[test]
fn addresses_name_the_enterprises_division() {
    let county = CountyData::gaotang();
    for e in &demo().enterprises {
        let addr = e.input.address.as_deref().unwrap();
        let div = county.division(e.input.division_code.as_str()).unwrap();
        if e.input.zone_key.is_some() {
            assert!(addr.starts_with("高唐经济开发区"), "{addr}");
        } else {
            assert!(addr.starts_with(&format!("高唐县{}", div.name)), "{addr}");
        }
        assert!(addr.ends_with('号'));
    }
}

#[test]
fn the_mix_is_a_manufacturing_county_of_small_firms() {
    let d = demo();
    let n = d.enterprises.len() as f64;
    let share = |f: &dyn Fn(&DemoEnterprise) -> bool| {
        d.enterprises.iter().filter(|e| f(e)).count() as f64 / n
    };
    let mfg = share(&|e| e.input.industry.section == 'C');
    assert!((0.6..0.8).contains(&mfg), "manufacturing {mfg}");
    let small = share(&|e| {
        matches!(
            e.input.size,
            Some(EnterpriseSize::Micro | EnterpriseSize::Small)
        )
    });
    assert!(small > 0.7, "micro+small {small}");
    let large = share(&|e| e.input.size == Some(EnterpriseSize::Large));
    assert!(large > 0.0 && large < 0.08);
    let operating = share(&|e| e.input.status == EnterpriseStatus::Operating);
    assert!((0.88..0.97).contains(&operating), "operating {operating}");
    let sharing = share(&|e| e.input.share_contacts);
    assert!((0.62..0.78).contains(&sharing), "share_contacts {sharing}");
    for e in &d.enterprises {
        let phone = e.input.contact_phone.as_deref().unwrap();
        assert_eq!(phone.len(), 11);
        assert!(["13", "15", "18"].contains(&&phone[..2]), "{phone}");
        assert!(phone.bytes().all(|b| b.is_ascii_digit()));
        if let Some(m) = &e.input.contact_email {
            assert!(m.ends_with("example.com"));
        }
    }
}

#[test]
fn units_cover_offices_stations_and_partners_with_stable_keys() {
    let county = CountyData::gaotang();
    let d = demo();
    let keys: HashSet<_> = d.units.iter().map(|u| u.key.as_str()).collect();
    assert_eq!(keys.len(), d.units.len(), "unit keys are unique");
    for div in &county.divisions {
        assert!(keys.contains(format!("mso-{}", div.code).as_str()));
    }
    assert!(keys.contains("station-gtkfq"));
    assert!(keys.contains("station-371526101"));
    assert!(keys.contains("law-1"));
    let count = |k: UnitKind| d.units.iter().filter(|u| u.input.kind == k).count();
    assert_eq!(count(UnitKind::MarketSupervisionOffice), 12);
    assert_eq!(count(UnitKind::ServiceStation), 10);
    assert_eq!(count(UnitKind::University), 2);
    assert_eq!(count(UnitKind::ResearchInstitute), 2);
    assert_eq!(count(UnitKind::LawFirm), 3);
    let mso = d.units.iter().find(|u| u.key == "mso-371526101").unwrap();
    assert_eq!(mso.input.name, "梁村市场监督管理所");
    let zone_station = d.units.iter().find(|u| u.key == "station-gtkfq").unwrap();
    assert_eq!(zone_station.input.zone_key.as_deref(), Some(ZONE_KEY));
    for u in &d.units {
        if let Some(div) = &u.input.division_code {
            assert!(county.division(div.as_str()).is_some());
        }
        // A unit survives the form round trip, as an import would see it.
        let (parsed, _) = u.to_form().parse().expect("unit parses");
        assert_eq!(parsed, u.input);
    }
}

#[test]
fn people_belong_to_existing_enterprises() {
    let d = demo();
    assert!(d.people.len() >= d.enterprises.len() * 2);
    assert!(d.people.iter().all(|p| p.enterprise < d.enterprises.len()));
    let e0: Vec<_> = d.people.iter().filter(|p| p.enterprise == 0).collect();
    assert!(e0.iter().any(|p| p.name == "房晓雯"));
    assert!(e0.iter().any(|p| p.title == "总经理"));
}

#[test]
fn province_credit_codes_are_unique() {
    let mut codes = HashSet::with_capacity(300_000);
    for e in province_enterprises(42, 300_000) {
        assert!(!e.credit_code.as_str().starts_with("91371526"));
        assert!(codes.insert(e.credit_code), "duplicate credit code");
    }
    assert_eq!(codes.len(), 300_000);
}

#[test]
fn province_enterprises_lie_in_the_province_divisions() {
    let divisions = province_divisions(9);
    let counties = province_counties(9);
    assert_eq!(counties.len(), PROVINCE_COUNTY_COUNT);
    assert!(
        (1_500..1_900).contains(&divisions.len()),
        "{}",
        divisions.len()
    );
    let county_codes: HashSet<_> = counties.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(county_codes.len(), counties.len());
    assert!(!county_codes.contains("371526"));
    let codes: HashSet<_> = divisions.iter().map(|(c, _, _)| c.as_str()).collect();
    assert_eq!(codes.len(), divisions.len(), "division codes are unique");
    for (code, _, _) in &divisions {
        assert_eq!(code.len(), 9);
        assert!(code.starts_with("37"));
        assert!(county_codes.contains(&code[..6]));
    }
    let mut used = HashSet::new();
    for e in province_enterprises(9, 20_000) {
        let code = e.division_code.as_str();
        assert!(codes.contains(code), "{code}");
        // The credit code carries the enterprise's county.
        assert_eq!(e.credit_code.division_code(), &code[..6]);
        used.insert(code.to_string());
    }
    assert!(used.len() > 1_000, "enterprises spread over many divisions");
}

#[test]
fn province_people_point_at_their_enterprises() {
    let people: Vec<_> = province_people(4, 1_000).collect();
    assert_eq!(people[0].enterprise, 0);
    assert_eq!(people[999].enterprise, 999 / PEOPLE_PER_ENTERPRISE);
    assert!(
        people
            .iter()
            .step_by(PEOPLE_PER_ENTERPRISE)
            .all(|p| p.title == "总经理")
    );
    let mobiles: HashSet<_> = province_people(4, 50_000).map(|p| p.mobile).collect();
    assert_eq!(mobiles.len(), 50_000);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]
    #[test]
    fn any_seed_gives_valid_province_enterprises(seed: u64) {
        for e in province_enterprises(seed, 50) {
            proptest::prop_assert!(CreditCode::parse_strict(e.credit_code.as_str()).is_ok());
            proptest::prop_assert!(e.to_form().parse().is_ok());
        }
    }
}
