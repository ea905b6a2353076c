//! The responsibility list (责任清单): work items under the key tasks, the progress reports units
//! file on them, supervision (督办) of items that are overdue or have gone quiet, and supervision
//! notices (督办单). The rules here are pure; storage applies them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::WorkCalendar;
use crate::org::string_enum;

string_enum! {
    /// Where a work item stands.
    ItemStatus {
        Open = "open" / "进行中" / "open",
        Done = "done" / "已完成" / "done",
        Cancelled = "cancelled" / "已取消" / "cancelled",
    }
}

string_enum! {
    /// A progress report's review.
    ReportStatus {
        Submitted = "submitted" / "待审核" / "awaiting review",
        Accepted = "accepted" / "已采纳" / "accepted",
        Returned = "returned" / "已退回" / "returned",
    }
}

string_enum! {
    /// A supervision notice (督办单).
    NoticeStatus {
        Issued = "issued" / "待回复" / "awaiting reply",
        Answered = "answered" / "已回复" / "answered",
        Closed = "closed" / "已办结" / "closed",
    }
}

string_enum! {
    /// Why an item is on the supervision list.
    SupervisionReason {
        Overdue = "overdue" / "逾期未完成" / "overdue",
        Stale = "stale" / "长期未报送进展" / "no report for too long",
        DueSoon = "due_soon" / "即将到期" / "due soon",
    }
}

/// What the supervision rules need to know about an open item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemFacts {
    pub deadline: NaiveDate,
    /// The day of the latest report filed on it (any review), or the day the item was made.
    pub last_activity: NaiveDate,
}

/// A reason with how many days are behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Flag {
    pub reason: SupervisionReason,
    /// Calendar days overdue, working days without a report, or working days left.
    pub days: i64,
    /// The count runs through a year without a holiday notice.
    pub uncertain: bool,
}

/// The reasons an open item appears on the supervision list (overdue, or no report for
/// `stale_days` working days) or in its owners' reminders (due within `reminder_days` working
/// days).
pub fn flags(
    cal: &WorkCalendar,
    facts: ItemFacts,
    today: NaiveDate,
    stale_days: u32,
    reminder_days: u32,
) -> Vec<Flag> {
    let mut out = Vec::new();
    if facts.deadline < today {
        out.push(Flag {
            reason: SupervisionReason::Overdue,
            days: (today - facts.deadline).num_days(),
            uncertain: false,
        });
    } else {
        let left = cal.working_days_between(today, facts.deadline);
        if left.value <= i64::from(reminder_days) {
            out.push(Flag {
                reason: SupervisionReason::DueSoon,
                days: left.value,
                uncertain: left.uncertain(),
            });
        }
    }
    let quiet = cal.working_days_between(facts.last_activity, today);
    if quiet.value >= i64::from(stale_days) {
        out.push(Flag {
            reason: SupervisionReason::Stale,
            days: quiet.value,
            uncertain: quiet.uncertain(),
        });
    }
    out
}

/// Whether a flag puts the item on the office's supervision list (reminders do not).
pub fn supervised(flags: &[Flag]) -> bool {
    flags.iter().any(|f| f.reason != SupervisionReason::DueSoon)
}

/// A figure reported with a progress report: `label: value` per line, value a number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub label: String,
    pub value: f64,
}

/// Parses figures typed one per line as `名称：数值` or `name: value`; names the bad line.
pub fn parse_figures(text: &str) -> Result<Vec<Figure>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.is_empty() {
            continue;
        }
        let Some((label, value)) = l.split_once(['：', ':']) else {
            return Err(format!(
                "第{}行应写作“名称：数值” / line {} should read \"name: value\"",
                i + 1,
                i + 1
            ));
        };
        let v = value.trim().trim_end_matches('%').replace(',', "");
        let Some(value) = v.parse::<f64>().ok().filter(|x| x.is_finite()) else {
            return Err(format!(
                "第{}行的数值“{}”不是数字 / line {}: \"{}\" is not a number",
                i + 1,
                value.trim(),
                i + 1,
                value.trim()
            ));
        };
        if label.trim().is_empty() || label.chars().count() > 60 {
            return Err(format!(
                "第{}行的名称应为1至60个字符 / line {}: a name has 1 to 60 characters",
                i + 1,
                i + 1
            ));
        }
        out.push(Figure {
            label: label.trim().to_string(),
            value,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn an_item_past_its_deadline_is_overdue_and_one_without_reports_goes_stale() {
        let cal = WorkCalendar::builtin();
        let f = flags(
            cal,
            ItemFacts {
                deadline: d("2025-09-30"),
                last_activity: d("2025-09-01"),
            },
            d("2025-10-09"),
            20,
            3,
        );
        assert_eq!(f[0].reason, SupervisionReason::Overdue);
        assert_eq!(f[0].days, 9);
        // 2025-09-01 to 10-09: September's 21 weekdays after the 1st, Sunday 09-28 (a make-up
        // working day), then the National Day holiday 10-01..10-08, and 10-09: 23.
        assert_eq!(f[1].reason, SupervisionReason::Stale);
        assert_eq!(f[1].days, 23);
        assert!(supervised(&f));
    }

    #[test]
    fn a_deadline_three_working_days_ahead_is_a_reminder_not_supervision() {
        let cal = WorkCalendar::builtin();
        // Friday 2025-09-26 → Tuesday 09-30: 09-28 (Sunday) is a working day, so 3 working days.
        let f = flags(
            cal,
            ItemFacts {
                deadline: d("2025-09-30"),
                last_activity: d("2025-09-20"),
            },
            d("2025-09-26"),
            20,
            3,
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].reason, SupervisionReason::DueSoon);
        assert_eq!(f[0].days, 3);
        assert!(!supervised(&f));
    }

    #[test]
    fn figures_are_read_per_line_and_a_bad_line_is_named() {
        let f = parse_figures("走访企业：35\nsigned agreements: 92%\n\n培训人次: 1,200").unwrap();
        assert_eq!(f.len(), 3);
        assert_eq!(f[1].value, 92.0);
        assert_eq!(f[2].value, 1200.0);
        let e = parse_figures("走访企业：35\n培训很多").unwrap_err();
        assert!(e.contains("第2行"), "{e}");
        let e = parse_figures("走访企业：许多").unwrap_err();
        assert!(e.contains("不是数字"), "{e}");
    }
}
