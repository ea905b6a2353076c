//! A plausible history of Gaotang's demonstration programme for the demo: applications at every
//! stage, designations on dates through 2024 and 2025 (and one in 2026), a revocation, a unit
//! under rectification, and work still open relative to the day the demo is loaded.
//!
//! Pure data: the loader (`shoumi::demo`) plays each script through the same audited storage
//! functions the application uses, so every row has its history and audit trail.

use chrono::{Datelike, Duration, NaiveDate};
use shoumi_domain::demonstration::Step;
use shoumi_domain::programme::DemoType;

/// Who an application is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DemoSubject {
    /// An enterprise of [`crate::DemoData::enterprises`] by index.
    Enterprise(usize),
    /// A unit by its key (`kfq`, `town-371526002`, `station-371526101`, …).
    Unit(String),
}

/// Who filed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoOrigin {
    Enterprise,
    Town,
    Station,
}

/// One action of a script.
#[derive(Debug, Clone, PartialEq)]
pub enum DemoAction {
    /// A lifecycle step on a date, with reasons (and a rectification deadline for `Rectify`).
    Step {
        step: Step,
        on: NaiveDate,
        reasons: &'static str,
        rectify_by: Option<NaiveDate>,
    },
    /// Both assessors (the office and the expert) are assigned; each scores every indicator at
    /// about this share of its points (percent). `complete: false` leaves the expert's sheet
    /// unfinished.
    Assess { percent: u32, complete: bool },
    /// An objection received during publicity, and how it was resolved (None: still open).
    Objection {
        on: NaiveDate,
        content: &'static str,
        upheld: Option<bool>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoApplication {
    pub unit_type: DemoType,
    pub subject: DemoSubject,
    pub origin: DemoOrigin,
    pub statement: &'static str,
    /// When the draft was made.
    pub created: NaiveDate,
    pub script: Vec<DemoAction>,
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("a valid demo date")
}

fn step(step: Step, on: NaiveDate) -> DemoAction {
    DemoAction::Step {
        step,
        on,
        reasons: "",
        rectify_by: None,
    }
}

fn with_reasons(step: Step, on: NaiveDate, reasons: &'static str) -> DemoAction {
    DemoAction::Step {
        step,
        on,
        reasons,
        rectify_by: None,
    }
}

/// Submit, recommend, assess and open publicity before `designated`, then designate on it.
fn designated_script(designated: NaiveDate, percent: u32) -> Vec<DemoAction> {
    vec![
        step(Step::Submit, designated - Duration::days(70)),
        with_reasons(
            Step::Recommend,
            designated - Duration::days(56),
            "材料齐全，制度落实到位，同意推荐。",
        ),
        DemoAction::Assess {
            percent,
            complete: true,
        },
        step(Step::OpenPublicity, designated - Duration::days(21)),
        step(Step::Designate, designated),
    ]
}

const ENTERPRISE_STATEMENT: &str = "公司设立商业秘密保护领导小组，明确秘点42项、分三级管理；与全部涉密岗位员工签订保密协议和竞业限制协议，车间分区管理并设置门禁，研发终端禁用外接存储。";
const STATION_STATEMENT: &str =
    "服务站依托镇市场监管所设立，配备工作人员2名，每周二、四律师坐班，建立投诉受理登记和服务台账。";
const BASE_STATEMENT: &str = "园区建立商业秘密保护工作机制，与县市场监管局、公安局建立联络机制，培育示范企业，开展宣传培训。";

/// The demo's applications. `today` is the day the demo is loaded: open work (publicity under
/// way, applications waiting for review) is dated relative to it.
pub fn programme_history(today: NaiveDate) -> Vec<DemoApplication> {
    let mut out = Vec::new();
    // Demonstration enterprises designated through 2024 and 2025, one in 2026. Enterprise
    // indices avoid 0 (the `enterprise` account applies in the browser test) and 100–115 (the
    // access test archives those).
    let designations = [
        (d(2024, 4, 26), 2),
        (d(2024, 5, 31), 3),
        (d(2024, 6, 28), 4),
        (d(2024, 7, 26), 5),
        (d(2024, 8, 30), 6),
        (d(2024, 9, 27), 7),
        (d(2024, 10, 31), 8),
        (d(2024, 11, 29), 9),
        (d(2024, 12, 13), 10),
        (d(2024, 12, 20), 11),
        (d(2024, 12, 27), 12),
        (d(2025, 3, 28), 13),
        (d(2025, 5, 30), 1),
        (d(2025, 8, 29), 14),
        (d(2025, 11, 28), 15),
        (d(2025, 12, 19), 16),
        (d(2026, 6, 26), 17),
    ];
    for (i, (on, idx)) in designations.iter().enumerate() {
        let mut script = designated_script(*on, 84 + (i as u32 * 7) % 12);
        if *idx == 5 {
            // Revoked after a confirmed infringement.
            script.push(with_reasons(
                Step::Revoke,
                d(2025, 6, 30),
                "企业发生商业秘密泄露事件且未按要求整改，依规撤销命名。",
            ));
        }
        if *idx == 3 {
            script.push(DemoAction::Step {
                step: Step::Rectify,
                on: today,
                reasons: "年度复核发现离职人员保密提醒记录缺失，限期整改。",
                rectify_by: Some(today + Duration::days(30)),
            });
        } else if on.year() == 2024 && *idx != 5 {
            script.push(with_reasons(
                Step::Keep,
                d(2025, 12, 26),
                "年度复核合格，保留命名。",
            ));
        }
        out.push(DemoApplication {
            unit_type: DemoType::Enterprise,
            subject: DemoSubject::Enterprise(*idx),
            origin: if i % 2 == 0 {
                DemoOrigin::Enterprise
            } else {
                DemoOrigin::Town
            },
            statement: ENTERPRISE_STATEMENT,
            created: *on - Duration::days(80),
            script,
        });
    }
    // Guidance stations: the nine stations and the zone's, all designated in 2024.
    let stations = [
        ("station-371526101", d(2024, 3, 29)),
        ("station-371526001", d(2024, 4, 26)),
        ("station-gtkfq", d(2024, 5, 31)),
        ("station-371526002", d(2024, 6, 28)),
        ("station-371526003", d(2024, 7, 26)),
        ("station-371526104", d(2024, 8, 30)),
        ("station-371526103", d(2024, 9, 27)),
        ("station-371526105", d(2024, 10, 31)),
        ("station-371526108", d(2024, 11, 29)),
        ("station-371526109", d(2024, 12, 20)),
    ];
    for (i, (key, on)) in stations.iter().enumerate() {
        out.push(DemoApplication {
            unit_type: DemoType::Station,
            subject: DemoSubject::Unit(key.to_string()),
            origin: DemoOrigin::Station,
            statement: STATION_STATEMENT,
            created: *on - Duration::days(80),
            script: designated_script(*on, 85 + (i as u32 * 5) % 10),
        });
    }
    // Bases: the development zone in 2024, 汇鑫街道 in 2025.
    for (key, on) in [
        ("kfq", d(2024, 11, 29)),
        ("town-371526002", d(2025, 10, 31)),
    ] {
        out.push(DemoApplication {
            unit_type: DemoType::Base,
            subject: DemoSubject::Unit(key.to_string()),
            origin: DemoOrigin::Town,
            statement: BASE_STATEMENT,
            created: on - Duration::days(80),
            script: designated_script(on, 88),
        });
    }
    // Applications that did not succeed.
    out.push(DemoApplication {
        unit_type: DemoType::Enterprise,
        subject: DemoSubject::Enterprise(0),
        origin: DemoOrigin::Enterprise,
        statement: ENTERPRISE_STATEMENT,
        created: d(2024, 8, 1),
        script: vec![
            step(Step::Submit, d(2024, 8, 9)),
            with_reasons(Step::Recommend, d(2024, 8, 23), "同意推荐。"),
            DemoAction::Assess {
                percent: 66,
                complete: true,
            },
            with_reasons(
                Step::FailAssessment,
                d(2024, 9, 20),
                "秘点未分级管理，离职管理措施缺失，综合得分低于合格线。",
            ),
        ],
    });
    out.push(DemoApplication {
        unit_type: DemoType::Enterprise,
        subject: DemoSubject::Enterprise(27),
        origin: DemoOrigin::Town,
        statement: ENTERPRISE_STATEMENT,
        created: d(2025, 2, 10),
        script: vec![
            step(Step::Submit, d(2025, 2, 14)),
            with_reasons(
                Step::Reject,
                d(2025, 2, 28),
                "企业尚未建立商业秘密保护制度，暂不具备申报条件。",
            ),
        ],
    });
    out.push(DemoApplication {
        unit_type: DemoType::Enterprise,
        subject: DemoSubject::Enterprise(19),
        origin: DemoOrigin::Enterprise,
        statement: ENTERPRISE_STATEMENT,
        created: d(2025, 4, 1),
        script: vec![with_reasons(
            Step::Withdraw,
            d(2025, 4, 20),
            "企业主动撤回。",
        )],
    });
    out.push(DemoApplication {
        unit_type: DemoType::Enterprise,
        subject: DemoSubject::Enterprise(20),
        origin: DemoOrigin::Town,
        statement: ENTERPRISE_STATEMENT,
        created: d(2025, 7, 1),
        script: vec![
            step(Step::Submit, d(2025, 7, 4)),
            with_reasons(Step::Recommend, d(2025, 7, 18), "同意推荐。"),
            DemoAction::Assess {
                percent: 90,
                complete: true,
            },
            step(Step::OpenPublicity, d(2025, 8, 15)),
            DemoAction::Objection {
                on: d(2025, 8, 18),
                content: "该企业曾使用离职员工带走的竞争对手工艺资料，已被另案处理。",
                upheld: Some(true),
            },
            with_reasons(
                Step::FailPublicity,
                d(2025, 8, 29),
                "公示期间异议经核实成立，不予命名。",
            ),
        ],
    });
    // Open work, relative to today.
    let recent = |days: i64| today - Duration::days(days);
    out.push(DemoApplication {
        unit_type: DemoType::Enterprise,
        subject: DemoSubject::Enterprise(21),
        origin: DemoOrigin::Enterprise,
        statement: ENTERPRISE_STATEMENT,
        created: recent(40),
        script: vec![
            step(Step::Submit, recent(35)),
            with_reasons(Step::Recommend, recent(28), "同意推荐。"),
            DemoAction::Assess {
                percent: 92,
                complete: true,
            },
            step(Step::OpenPublicity, recent(2)),
            DemoAction::Objection {
                on: recent(1),
                content: "反映该企业保密协议未覆盖劳务派遣人员。",
                upheld: None,
            },
        ],
    });
    // Publicity over, no objection: ready to be designated.
    out.push(DemoApplication {
        unit_type: DemoType::Enterprise,
        subject: DemoSubject::Enterprise(28),
        origin: DemoOrigin::Town,
        statement: ENTERPRISE_STATEMENT,
        created: recent(50),
        script: vec![
            step(Step::Submit, recent(45)),
            with_reasons(Step::Recommend, recent(38), "同意推荐。"),
            DemoAction::Assess {
                percent: 91,
                complete: true,
            },
            step(Step::OpenPublicity, recent(20)),
        ],
    });
    out.push(DemoApplication {
        unit_type: DemoType::Enterprise,
        subject: DemoSubject::Enterprise(22),
        origin: DemoOrigin::Town,
        statement: ENTERPRISE_STATEMENT,
        created: recent(30),
        script: vec![
            step(Step::Submit, recent(25)),
            with_reasons(Step::Recommend, recent(20), "同意推荐。"),
            DemoAction::Assess {
                percent: 87,
                complete: false,
            },
        ],
    });
    out.push(DemoApplication {
        unit_type: DemoType::Base,
        subject: DemoSubject::Unit("town-371526101".into()),
        origin: DemoOrigin::Town,
        statement: BASE_STATEMENT,
        created: recent(20),
        script: vec![
            step(Step::Submit, recent(15)),
            with_reasons(Step::Recommend, recent(10), "同意推荐。"),
        ],
    });
    // Waiting for 梁村镇's first review (the `town` demo account).
    for (idx, days) in [(49, 6), (18, 3)] {
        out.push(DemoApplication {
            unit_type: DemoType::Enterprise,
            subject: DemoSubject::Enterprise(idx),
            origin: DemoOrigin::Enterprise,
            statement: ENTERPRISE_STATEMENT,
            created: recent(days + 5),
            script: vec![step(Step::Submit, recent(days))],
        });
    }
    out.push(DemoApplication {
        unit_type: DemoType::Enterprise,
        subject: DemoSubject::Enterprise(25),
        origin: DemoOrigin::Town,
        statement: ENTERPRISE_STATEMENT,
        created: recent(20),
        script: vec![
            step(Step::Submit, recent(18)),
            with_reasons(
                Step::Return,
                recent(12),
                "请补充秘点清单和保密协议签约率统计。",
            ),
        ],
    });
    out.push(DemoApplication {
        unit_type: DemoType::Enterprise,
        subject: DemoSubject::Enterprise(26),
        origin: DemoOrigin::Enterprise,
        statement: "",
        created: recent(4),
        script: vec![],
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_script_follows_the_lifecycle() {
        use shoumi_domain::demonstration::Stage;
        let today = d(2026, 11, 30);
        let mut seen = std::collections::BTreeSet::new();
        for a in programme_history(today) {
            let mut stage = Stage::Draft;
            let mut last = a.created;
            for act in &a.script {
                if let DemoAction::Step { step, on, .. } = act {
                    stage = stage.next(*step).unwrap_or_else(|e| panic!("{a:?}: {e}"));
                    assert!(*on >= last && *on <= today, "{a:?}");
                    last = *on;
                }
            }
            seen.insert(stage);
        }
        for s in Stage::PIPELINE {
            assert!(seen.contains(s), "no demo application ends {s}");
        }
    }
}

/// A report on a demo work item.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoReport {
    pub unit: &'static str,
    pub on: NaiveDate,
    pub content: &'static str,
    pub figures: &'static str,
    pub claims_done: bool,
    /// Some(true): accepted; Some(false): returned with reasons; None: awaiting review.
    pub accepted: Option<bool>,
}

/// A supervision notice on a demo work item.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoNotice {
    pub unit: &'static str,
    pub issued: NaiveDate,
    pub content: &'static str,
    /// The reply and its date, and whether the office closed it.
    pub reply: Option<(NaiveDate, &'static str, bool)>,
}

/// A work item of the responsibility list, with its history.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoItem {
    pub task: &'static str,
    pub title: &'static str,
    pub expected: &'static str,
    /// Unit keys, lead first.
    pub units: &'static [&'static str],
    pub opened: NaiveDate,
    pub deadline: NaiveDate,
    pub reports: Vec<DemoReport>,
    pub notices: Vec<DemoNotice>,
}

fn report(
    unit: &'static str,
    on: NaiveDate,
    content: &'static str,
    figures: &'static str,
    claims_done: bool,
    accepted: Option<bool>,
) -> DemoReport {
    DemoReport {
        unit,
        on,
        content,
        figures,
        claims_done,
        accepted,
    }
}

/// The demo's responsibility list: items done on time and late, items open and due soon,
/// items overdue or gone quiet (on the supervision list), and supervision notices answered,
/// closed and still waiting. Dated relative to `today` where the item is still open.
pub fn worklist_history(today: NaiveDate) -> Vec<DemoItem> {
    let recent = |days: i64| today - Duration::days(days);
    let ahead = |days: i64| today + Duration::days(days);
    vec![
        DemoItem {
            task: "task-1",
            title: "开展全县企业商业秘密保护现状问卷调查",
            expected: "调查报告一份，覆盖规上企业、专精特新和瞪羚企业。",
            units: &["scjgj", "gxj"],
            opened: d(2024, 1, 2),
            deadline: d(2024, 2, 29),
            reports: vec![
                report(
                    "gxj",
                    d(2024, 1, 31),
                    "已向规上企业下发问卷，回收率78%。",
                    "下发问卷：312\n回收：243",
                    false,
                    Some(true),
                ),
                report(
                    "scjgj",
                    d(2024, 2, 27),
                    "完成调查报告，分析各行业保护现状和风险。",
                    "覆盖企业：243\n保密协议签约率：61%",
                    true,
                    Some(true),
                ),
            ],
            notices: vec![],
        },
        DemoItem {
            task: "task-1",
            title: "2024年建成示范企业10家",
            expected: "按计划完成示范企业遴选、评审、公示和命名。",
            units: &["scjgj", "town-371526101", "kfq"],
            opened: d(2024, 3, 1),
            deadline: d(2024, 12, 31),
            reports: vec![
                report(
                    "scjgj",
                    d(2024, 9, 30),
                    "已命名示范企业7家，另有4家在评审中。",
                    "已命名：7\n评审中：4",
                    false,
                    Some(true),
                ),
                report(
                    "scjgj",
                    d(2024, 12, 27),
                    "累计命名示范企业11家，完成年度目标。",
                    "已命名：11",
                    true,
                    Some(true),
                ),
            ],
            notices: vec![],
        },
        DemoItem {
            task: "task-2",
            title: "推广应用《聊城市化工企业商业秘密保护工作指引》",
            expected: "组织化工企业对照指引自查，形成自查台账。",
            units: &["scjgj", "gxj"],
            opened: d(2024, 4, 1),
            deadline: d(2024, 9, 30),
            reports: vec![report(
                "gxj",
                d(2024, 10, 18),
                "全县化工企业已完成对照自查。",
                "参与企业：46\n完成自查：46",
                true,
                Some(true),
            )],
            notices: vec![DemoNotice {
                unit: "gxj",
                issued: d(2024, 10, 8),
                content: "化工企业自查工作已超过期限，请于期限内报送进展。",
                reply: Some((
                    d(2024, 10, 15),
                    "已督促剩余企业完成自查，10月18日前报送。",
                    true,
                )),
            }],
        },
        DemoItem {
            task: "task-3",
            title: "在各镇街建立商业秘密保护服务站",
            expected: "12个镇街和开发区均设立服务站并公布开放时间。",
            units: &[
                "scjgj",
                "town-371526102",
                "town-371526106",
                "town-371526107",
            ],
            opened: d(2025, 1, 6),
            deadline: d(2025, 12, 31),
            reports: vec![report(
                "town-371526106",
                d(2025, 6, 30),
                "服务站选址已确定，人员待配备。",
                "",
                false,
                Some(true),
            )],
            notices: vec![DemoNotice {
                unit: "town-371526102",
                issued: d(2026, 1, 12),
                content: "尹集镇服务站建设任务已逾期，请说明原因并提出完成时限。",
                reply: None,
            }],
        },
        DemoItem {
            task: "task-4",
            title: "建立商业秘密案件行刑衔接和证据互认机制",
            expected: "会签工作机制文件，明确线索移送、证据互认和案情会商。",
            units: &["scjgj", "gaj", "jcy", "fy"],
            opened: d(2025, 3, 1),
            deadline: ahead(2),
            reports: vec![
                report(
                    "gaj",
                    recent(40),
                    "已与县市场监管局完成机制文件初稿。",
                    "会商次数：3",
                    false,
                    Some(true),
                ),
                report("jcy", recent(6), "检察院已提出修改意见。", "", false, None),
            ],
            notices: vec![],
        },
        DemoItem {
            task: "task-5",
            title: "开展商业秘密保护专题培训",
            expected: "全年组织专题培训不少于4次，培训企业管理人员300人次。",
            units: &["rsj", "scjgj", "gxj"],
            opened: d(2026, 1, 5),
            deadline: d(2026, 11, 20),
            reports: vec![report(
                "rsj",
                d(2026, 5, 29),
                "上半年组织培训2次。",
                "培训次数：2\n培训人次：160",
                false,
                Some(false),
            )],
            notices: vec![],
        },
        DemoItem {
            task: "task-5",
            title: "发布商业秘密保护典型案例",
            expected: "每年发布典型案例不少于3个。",
            units: &["fy", "scjgj", "rmtzx"],
            opened: d(2026, 2, 2),
            deadline: d(2026, 12, 31),
            reports: vec![report(
                "fy",
                recent(12),
                "已整理典型案例2个，待审核后发布。",
                "典型案例：2",
                false,
                None,
            )],
            notices: vec![],
        },
        DemoItem {
            task: "task-3",
            title: "与律师事务所、高校建立专家咨询合作",
            expected: "签订合作协议，建立专家库。",
            units: &["sfj", "scjgj"],
            opened: d(2026, 3, 2),
            deadline: d(2026, 10, 30),
            reports: vec![],
            notices: vec![DemoNotice {
                unit: "sfj",
                issued: recent(15),
                content: "专家咨询合作事项已逾期且未报送进展，请于期限内回复。",
                reply: Some((
                    recent(9),
                    "已与两家律师事务所达成合作意向，协议正在审核。",
                    false,
                )),
            }],
        },
        DemoItem {
            task: "task-2",
            title: "梁村镇重点企业建立商业秘密保护制度",
            expected: "辖区规上企业建立保护制度，明确秘点和密级。",
            units: &["town-371526101"],
            opened: recent(60),
            deadline: ahead(45),
            reports: vec![report(
                "town-371526101",
                recent(10),
                "已走访企业20家，指导建立制度。",
                "走访企业：20\n建立制度：12",
                false,
                Some(true),
            )],
            notices: vec![],
        },
    ]
}
