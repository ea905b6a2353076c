//! Pieces shared by the Gaotang and province generators: weighted choice, industries, sizes,
//! tags, statuses and personal names.

use rand::Rng;
use shoumi_domain::{EnterpriseSize, EnterpriseStatus, Industry, KeyTag};

use crate::words::{DENIED_PERSONS, GIVEN, SURNAMES};

/// A weighted choice among `n` items, sampled by binary search over cumulative weights.
#[derive(Debug, Clone)]
pub(crate) struct Weighted {
    cumulative: Vec<u32>,
}

impl Weighted {
    pub(crate) fn new(weights: impl IntoIterator<Item = u32>) -> Weighted {
        let mut total = 0u32;
        let cumulative: Vec<u32> = weights
            .into_iter()
            .map(|w| {
                total += w;
                total
            })
            .collect();
        assert!(total > 0, "weights must not all be zero");
        Weighted { cumulative }
    }

    pub(crate) fn sample(&self, rng: &mut impl Rng) -> usize {
        let total = *self.cumulative.last().expect("non-empty");
        let r = rng.random_range(0..total);
        self.cumulative.partition_point(|&c| c <= r)
    }
}

pub(crate) fn pick<'a, T: ?Sized>(rng: &mut impl Rng, items: &[&'a T]) -> &'a T {
    items[rng.random_range(0..items.len())]
}

/// An industry the generators use, with words that fit it in a company name.
#[derive(Debug, Clone)]
pub(crate) struct IndustryChoice {
    pub industry: Industry,
    pub words: &'static [&'static str],
    pub manufacturing: bool,
}

/// Industry mix of a Shandong county: about 70% manufacturing (agricultural machinery,
/// textiles, paper, chemicals, food, metal products), then trade, construction, transport,
/// farming and a little software and technical services.
const INDUSTRY_MIX: &[(&str, u32, &[&str])] = &[
    ("C13", 6, &["粮油", "饲料", "农产品加工", "面粉"]),
    ("C14", 5, &["食品", "调味品", "烘焙食品"]),
    ("C17", 7, &["纺织", "棉纺", "织造"]),
    ("C18", 4, &["服饰", "制衣"]),
    ("C20", 2, &["木业", "板材"]),
    ("C21", 2, &["家具"]),
    ("C22", 3, &["纸业", "纸制品"]),
    ("C26", 6, &["精细化工", "化工", "新材料"]),
    ("C27", 2, &["生物医药", "药业"]),
    ("C29", 5, &["塑业", "橡塑制品", "塑料制品"]),
    ("C30", 5, &["建材", "新型建材", "玻璃制品"]),
    ("C33", 7, &["金属制品", "五金", "钢结构"]),
    ("C34", 7, &["机械", "通用设备", "泵业"]),
    ("C35", 5, &["专用设备", "农业装备", "机械设备"]),
    ("C36", 5, &["汽车零部件", "车辆配件", "专用车"]),
    ("C38", 4, &["电气", "电机", "电缆"]),
    ("C39", 2, &["电子", "电子科技"]),
    ("C42", 1, &["再生资源"]),
    ("F51", 8, &["商贸", "贸易", "物资"]),
    ("F52", 4, &["百货", "商店", "超市"]),
    ("I65", 2, &["软件", "信息技术", "网络科技"]),
    ("M73", 1, &["技术研究", "科技研发"]),
    ("M74", 2, &["检测", "工程设计", "检验检测"]),
    ("M75", 2, &["科技服务", "技术推广"]),
    ("A01", 3, &["农业", "种植", "生态农业"]),
    ("A03", 2, &["畜牧", "养殖"]),
    ("E48", 3, &["建设工程", "路桥工程", "水利工程"]),
    ("G54", 3, &["运输", "物流"]),
    ("L72", 2, &["企业管理咨询", "商务服务"]),
];

pub(crate) fn industry_choices() -> (Vec<IndustryChoice>, Weighted) {
    let choices = INDUSTRY_MIX
        .iter()
        .map(|&(code, _, words)| IndustryChoice {
            industry: Industry::parse(code).expect("GB/T 4754-2017 division"),
            words,
            manufacturing: code.starts_with('C'),
        })
        .collect();
    let weights = Weighted::new(INDUSTRY_MIX.iter().map(|&(_, w, _)| w));
    (choices, weights)
}

/// Size weighted toward micro and small firms, as in any county's registry; a few have none
/// recorded, as imports often lack it.
pub(crate) fn size(rng: &mut impl Rng) -> Option<EnterpriseSize> {
    match rng.random_range(0..1000) {
        0..30 => None,
        30..470 => Some(EnterpriseSize::Micro),
        470..840 => Some(EnterpriseSize::Small),
        840..965 => Some(EnterpriseSize::Medium),
        _ => Some(EnterpriseSize::Large),
    }
}

/// Key-enterprise tags, in per-mille at an average firm; larger and manufacturing firms are
/// several times likelier to carry one (tech-SME is for SMEs only).
pub(crate) fn tags(
    rng: &mut impl Rng,
    size: Option<EnterpriseSize>,
    manufacturing: bool,
) -> Vec<KeyTag> {
    let size_factor = match size {
        Some(EnterpriseSize::Large) => 4.0,
        Some(EnterpriseSize::Medium) => 2.5,
        Some(EnterpriseSize::Small) => 1.0,
        Some(EnterpriseSize::Micro) | None => 0.4,
    };
    let industry_factor = if manufacturing { 1.3 } else { 0.3 };
    let f: f64 = size_factor * industry_factor;
    let mut out = Vec::new();
    for &(tag, base) in &[
        (KeyTag::Specialised, 0.08),
        (KeyTag::Gazelle, 0.03),
        (KeyTag::SingleChampion, 0.01),
        (KeyTag::Leader, 0.02),
        (KeyTag::HighTech, 0.10),
        (KeyTag::TechSme, 0.12),
    ] {
        let p: f64 = match tag {
            KeyTag::SingleChampion if !manufacturing => 0.0,
            KeyTag::SingleChampion | KeyTag::Leader => base * f * f / 2.0,
            KeyTag::TechSme if size == Some(EnterpriseSize::Large) => 0.0,
            KeyTag::TechSme => base * if manufacturing { 1.15 } else { 0.6 },
            _ => base * f,
        };
        if rng.random_bool(p.clamp(0.0, 0.95)) {
            out.push(tag);
        }
    }
    out
}

/// Registration status: nearly all operating, a few suspended, moved out or closed.
pub(crate) fn status(rng: &mut impl Rng) -> EnterpriseStatus {
    match rng.random_range(0..1000) {
        0..20 => EnterpriseStatus::Suspended,
        20..35 => EnterpriseStatus::MovedOut,
        35..60 => EnterpriseStatus::Deregistered,
        60..70 => EnterpriseStatus::Revoked,
        _ => EnterpriseStatus::Operating,
    }
}

/// A plausible fictional Chinese personal name appended to `out`: a surname (the common ones
/// likelier) and one or two given-name characters, never a prominent public figure's name.
pub(crate) fn person_name_into(rng: &mut impl Rng, out: &mut String) {
    let start = out.len();
    loop {
        out.truncate(start);
        let s = if rng.random_bool(0.6) {
            SURNAMES[rng.random_range(0..20)]
        } else {
            pick(rng, SURNAMES)
        };
        out.push_str(s);
        out.push_str(pick(rng, GIVEN));
        if rng.random_bool(0.7) {
            out.push_str(pick(rng, GIVEN));
        }
        if !DENIED_PERSONS.contains(&&out[start..]) {
            return;
        }
    }
}

pub(crate) fn person_name(rng: &mut impl Rng) -> String {
    let mut s = String::with_capacity(9);
    person_name_into(rng, &mut s);
    s
}

/// The legal form ending a company name; joint-stock companies are the larger ones.
pub(crate) fn legal_form(rng: &mut impl Rng, size: Option<EnterpriseSize>) -> &'static str {
    let joint_stock = match size {
        Some(EnterpriseSize::Large) => 0.4,
        Some(EnterpriseSize::Medium) => 0.12,
        _ => 0.01,
    };
    if rng.random_bool(joint_stock) {
        "股份有限公司"
    } else if rng.random_bool(0.2) {
        "有限责任公司"
    } else {
        "有限公司"
    }
}
