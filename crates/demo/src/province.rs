//! Province-scale data for benchmarks: ~140 fictional counties, ~1,700 divisions, hundreds of
//! thousands of enterprises and millions of people, streamed so nothing large is held twice.

use std::collections::HashSet;
use std::fmt::Write as _;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shoumi_domain::{DivisionCode, DivisionKind, EnterpriseInput};

use crate::DemoPerson;
use crate::codes::{MOBILE_SPACE, ORG_SPACE, enterprise_credit_code, mobile, organisation_code};
use crate::common::{
    IndustryChoice, Weighted, industry_choices, legal_form, person_name_into, pick, size, status,
    tags,
};
use crate::words::{BRAND_FIRST, BRAND_SECOND, PLACE, ROADS, TITLES};

/// How many fictional counties [`province_divisions`] lays out.
pub const PROVINCE_COUNTY_COUNT: usize = 140;
/// [`province_people`] gives each enterprise this many people: person `i` works for
/// enterprise `i / PEOPLE_PER_ENTERPRISE`, so 3,000,000 people cover 300,000 enterprises.
pub const PEOPLE_PER_ENTERPRISE: usize = 10;

/// Shandong's prefecture-level city codes (3701–3717; 3712 was merged into 3701 in 2019).
const CITIES: [u8; 16] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17];

const LAYOUT_SALT: u64 = 0x7072_6f76_696e_6365;
const ENTERPRISE_SALT: u64 = 0x656e_7465_7270_7269;
const PEOPLE_SALT: u64 = 0x7065_6f70_6c65_0001;

#[derive(Debug, Clone)]
struct Layout {
    counties: Vec<(String, String)>,
    /// code, name, kind, county index
    divisions: Vec<(String, String, DivisionKind, usize)>,
}

fn place_name(rng: &mut impl Rng, suffix: &str) -> String {
    format!("{}{}{suffix}", pick(rng, PLACE), pick(rng, PLACE))
}

fn layout(seed: u64) -> Layout {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ LAYOUT_SALT);
    let mut counties = Vec::with_capacity(PROVINCE_COUNTY_COUNT);
    let mut county_names = HashSet::new();
    let mut divisions = Vec::with_capacity(PROVINCE_COUNTY_COUNT * 13);
    'cities: for yy in 21..=29u8 {
        for city in CITIES {
            if counties.len() == PROVINCE_COUNTY_COUNT {
                break 'cities;
            }
            let code = format!("37{city:02}{yy:02}");
            // Gaotang itself is loaded from its real reference data: never collide with it.
            if code == "371526" {
                continue;
            }
            let name = loop {
                let n = place_name(&mut rng, "县");
                if county_names.insert(n.clone()) {
                    break n;
                }
            };
            let county = counties.len();
            let mut local = HashSet::new();
            let streets = rng.random_range(2..=4u32);
            let towns = rng.random_range(7..=11u32);
            for (kind, count, base, suffix) in [
                (DivisionKind::Street, streets, 1, "街道"),
                (DivisionKind::Town, towns, 101, "镇"),
            ] {
                for k in 0..count {
                    let dname = loop {
                        let n = place_name(&mut rng, suffix);
                        if local.insert(n.clone()) {
                            break n;
                        }
                    };
                    divisions.push((format!("{code}{:03}", base + k), dname, kind, county));
                }
            }
            counties.push((code, name));
        }
    }
    Layout {
        counties,
        divisions,
    }
}

/// The fictional counties as (six-digit code `37ccyy`, name): load these before
/// [`province_divisions`] so every division has its county. Deterministic in `seed`; Gaotang's
/// code 371526 is never used.
pub fn province_counties(seed: u64) -> Vec<(String, String)> {
    layout(seed).counties
}

/// The fictional streets and towns as (nine-digit code, name, kind): 140 counties with 2–4
/// streets (`…001`) and 7–11 towns (`…101`) each, about 1,700 in all. Every division code that
/// [`province_enterprises`] uses with the same `seed` is in this list.
pub fn province_divisions(seed: u64) -> Vec<(String, String, DivisionKind)> {
    layout(seed)
        .divisions
        .into_iter()
        .map(|(code, name, kind, _)| (code, name, kind))
        .collect()
}

struct ProvinceDivision {
    code: DivisionCode,
    county_code: String,
    /// County name, the company-name prefix.
    county_name: String,
    /// 某某县某某镇, the address prefix.
    address_prefix: String,
}

/// The iterator behind [`province_enterprises`].
struct ProvinceEnterprises {
    rng: ChaCha8Rng,
    next: usize,
    count: usize,
    code_key: u64,
    mobile_key: u64,
    divisions: Vec<ProvinceDivision>,
    industries: Vec<IndustryChoice>,
    industry_weights: Weighted,
}

impl Iterator for ProvinceEnterprises {
    type Item = EnterpriseInput;

    fn next(&mut self) -> Option<EnterpriseInput> {
        if self.next >= self.count {
            return None;
        }
        let i = self.next;
        self.next += 1;
        let rng = &mut self.rng;
        let d = &self.divisions[rng.random_range(0..self.divisions.len())];
        let ind = &self.industries[self.industry_weights.sample(rng)];
        let size = size(rng);
        let mut name = String::with_capacity(48);
        name.push_str(&d.county_name);
        name.push_str(pick(rng, BRAND_FIRST));
        name.push_str(pick(rng, BRAND_SECOND));
        name.push_str(pick(rng, ind.words));
        name.push_str(legal_form(rng, size));
        let mut legal_rep = String::with_capacity(9);
        person_name_into(rng, &mut legal_rep);
        let mut address = String::with_capacity(48);
        address.push_str(&d.address_prefix);
        address.push_str(pick(rng, ROADS));
        // Writing into a String cannot fail.
        let _ = write!(address, "{}号", rng.random_range(1..=999u32));
        let contact_name = if rng.random_bool(0.3) {
            legal_rep.clone()
        } else {
            let mut s = String::with_capacity(9);
            person_name_into(rng, &mut s);
            s
        };
        let contact_email = rng.random_bool(0.3).then(|| format!("qy{i}@example.com"));
        let mut tags = tags(rng, size, ind.manufacturing);
        tags.sort();
        let share_contacts = rng.random_bool(0.7);
        let status = status(rng);
        Some(EnterpriseInput {
            name,
            credit_code: enterprise_credit_code(
                &d.county_code,
                &organisation_code(i as u64, self.code_key),
            ),
            legal_representative: Some(legal_rep),
            address: Some(address),
            division_code: d.code.clone(),
            zone_key: None,
            industry: ind.industry,
            size,
            tags,
            contact_name: Some(contact_name),
            contact_phone: Some(mobile(i as u64, self.mobile_key)),
            contact_email,
            share_contacts,
            status,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.count - self.next;
        (left, Some(left))
    }
}

impl ExactSizeIterator for ProvinceEnterprises {}

/// Streams `count` fictional enterprises spread over [`province_divisions`]`(seed)`, for
/// benchmarks of import, search and statistics at province scale (300,000 is the design size).
/// Credit codes are unique by construction (a permuted counter, see `codes::permute`), valid
/// under GB 32100, and never in Gaotang's 371526. Deterministic in `seed`.
///
/// # Panics
/// If `count` exceeds the 887,503,681 distinct organisation codes of the `MA` series.
pub fn province_enterprises(seed: u64, count: usize) -> impl Iterator<Item = EnterpriseInput> {
    assert!(
        count as u64 <= ORG_SPACE,
        "at most {ORG_SPACE} enterprises have distinct codes"
    );
    let layout = layout(seed);
    let divisions = layout
        .divisions
        .iter()
        .map(|(code, dname, _, county)| {
            let (county_code, county_name) = &layout.counties[*county];
            ProvinceDivision {
                code: DivisionCode::parse(code).expect("generated nine-digit code"),
                county_code: county_code.clone(),
                county_name: county_name.clone(),
                address_prefix: format!("{county_name}{dname}"),
            }
        })
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ ENTERPRISE_SALT);
    let code_key = rng.random();
    let mobile_key = rng.random();
    let (industries, industry_weights) = industry_choices();
    ProvinceEnterprises {
        rng,
        next: 0,
        count,
        code_key,
        mobile_key,
        divisions,
        industries,
        industry_weights,
    }
}

/// Streams `count` fictional people (3,000,000 is the design size): person `i` works for
/// enterprise `i / PEOPLE_PER_ENTERPRISE` of [`province_enterprises`] with the same seed, the
/// first of each as 总经理. Mobile numbers are distinct (a permuted counter). Deterministic.
///
/// # Panics
/// If `count` exceeds 100,000,000 (the distinct eight-digit mobile tails).
pub fn province_people(seed: u64, count: usize) -> impl Iterator<Item = DemoPerson> {
    assert!(
        count as u64 <= MOBILE_SPACE,
        "at most {MOBILE_SPACE} people have distinct mobiles"
    );
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ PEOPLE_SALT);
    let mobile_key: u64 = rng.random();
    (0..count).map(move |i| {
        let mut name = String::with_capacity(9);
        person_name_into(&mut rng, &mut name);
        DemoPerson {
            name,
            enterprise: i / PEOPLE_PER_ENTERPRISE,
            title: if i % PEOPLE_PER_ENTERPRISE == 0 {
                TITLES[0]
            } else {
                pick(&mut rng, &TITLES[1..])
            },
            mobile: mobile(i as u64, mobile_key),
        }
    })
}
