//! The lifecycle of a demonstration unit (示范基地, 示范指导站/点, 示范企业): only the
//! transitions listed in [`Stage::next`] exist, each refused with a message that names the stage
//! and the step when it does not apply.
//!
//! ```text
//! draft ─submit─► submitted ─recommend─► assessing ─open publicity─► publicity ─designate─► designated
//!   ▲  │            │   │                  │                            │                    │  ▲
//!   │  withdraw     │   reject─► rejected  fail─► not passed            fail─► not passed     │  keep
//!   │  ▼            return                                                          rectify ─┤  │
//! returned ◄────────┘ (resubmit)                                                 rectifying─┴──┘
//!                                                  designated / rectifying ─revoke─► revoked
//!                                                  designated / rectifying ─expire─► expired
//! ```
//!
//! The checks that depend on data (scores complete, publicity over, objections resolved) are
//! pure functions here too, so the rules are tested without a database.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::{Reckoned, WorkCalendar};
use crate::org::string_enum;

string_enum! {
    /// Where an application stands.
    Stage {
        Draft = "draft" / "草稿" / "draft",
        Submitted = "submitted" / "待初审" / "awaiting first review",
        Returned = "returned" / "退回修改" / "returned for changes",
        Assessing = "assessing" / "评审中" / "under assessment",
        Publicity = "publicity" / "公示中" / "in publicity",
        Designated = "designated" / "已命名" / "designated",
        Rectifying = "rectifying" / "限期整改" / "rectifying",
        Rejected = "rejected" / "初审未通过" / "rejected at first review",
        NotPassed = "not_passed" / "未通过" / "not passed",
        Revoked = "revoked" / "已撤销" / "revoked",
        Expired = "expired" / "已到期" / "expired",
        Withdrawn = "withdrawn" / "已撤回" / "withdrawn",
    }
}

string_enum! {
    /// A step that moves an application.
    Step {
        Submit = "submit" / "提交申请" / "submit",
        Withdraw = "withdraw" / "撤回" / "withdraw",
        Recommend = "recommend" / "初审推荐" / "recommend",
        Return = "return" / "退回修改" / "return for changes",
        Reject = "reject" / "初审不予推荐" / "reject",
        OpenPublicity = "open_publicity" / "评审通过并公示" / "pass and open publicity",
        FailAssessment = "fail_assessment" / "评审未通过" / "fail the assessment",
        Designate = "designate" / "命名" / "designate",
        FailPublicity = "fail_publicity" / "公示异议成立，不予命名" / "objection upheld: not designated",
        Keep = "keep" / "年度复核：保留" / "annual review: keep",
        Rectify = "rectify" / "年度复核：限期整改" / "annual review: rectify",
        Revoke = "revoke" / "撤销命名" / "revoke",
        Expire = "expire" / "到期" / "expire",
    }
}

/// Who takes a step: the applicant side, the first reviewer, the programme office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepBy {
    Applicant,
    FirstReviewer,
    Office,
}

impl Step {
    pub fn by(self) -> StepBy {
        match self {
            Step::Submit | Step::Withdraw => StepBy::Applicant,
            Step::Recommend | Step::Return | Step::Reject => StepBy::FirstReviewer,
            _ => StepBy::Office,
        }
    }
    /// Steps that must give reasons (shown to the applicant and kept in the history).
    pub fn needs_reasons(self) -> bool {
        matches!(
            self,
            Step::Return
                | Step::Reject
                | Step::FailAssessment
                | Step::FailPublicity
                | Step::Rectify
                | Step::Revoke
        )
    }
}

/// A refused step.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{zh} / {en}")]
pub struct TransitionError {
    pub zh: String,
    pub en: String,
}

impl TransitionError {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        TransitionError {
            zh: zh.into(),
            en: en.into(),
        }
    }
    pub fn message(&self, en: bool) -> &str {
        if en { &self.en } else { &self.zh }
    }
}

impl Stage {
    /// The stage a step leads to from this one, or why it cannot be taken.
    pub fn next(self, step: Step) -> Result<Stage, TransitionError> {
        use Stage as S;
        use Step as T;
        let to = match (self, step) {
            (S::Draft | S::Returned, T::Submit) => S::Submitted,
            (S::Draft | S::Returned, T::Withdraw) => S::Withdrawn,
            (S::Submitted, T::Recommend) => S::Assessing,
            (S::Submitted, T::Return) => S::Returned,
            (S::Submitted, T::Reject) => S::Rejected,
            (S::Assessing, T::OpenPublicity) => S::Publicity,
            (S::Assessing, T::FailAssessment) => S::NotPassed,
            (S::Publicity, T::Designate) => S::Designated,
            (S::Publicity, T::FailPublicity) => S::NotPassed,
            (S::Designated | S::Rectifying, T::Keep) => S::Designated,
            (S::Designated, T::Rectify) => S::Rectifying,
            (S::Designated | S::Rectifying, T::Revoke) => S::Revoked,
            (S::Designated | S::Rectifying, T::Expire) => S::Expired,
            _ => {
                return Err(TransitionError::new(
                    format!(
                        "申请处于“{}”阶段，不能“{}”",
                        self.label_zh(),
                        step.label_zh()
                    ),
                    format!(
                        "an application {} cannot take the step \"{}\"",
                        match self {
                            S::Draft => "in draft".to_string(),
                            other => format!("that is {}", other.label_en()),
                        },
                        step.label_en()
                    ),
                ));
            }
        };
        Ok(to)
    }

    /// The steps that exist from this stage.
    pub fn steps(self) -> Vec<Step> {
        Step::ALL
            .iter()
            .copied()
            .filter(|s| self.next(*s).is_ok())
            .collect()
    }

    /// No step leads out of it.
    pub fn is_final(self) -> bool {
        self.steps().is_empty()
    }

    /// Counted as a designated unit (a unit under rectification still holds its title).
    pub fn holds_title(self) -> bool {
        matches!(self, Stage::Designated | Stage::Rectifying)
    }

    /// The pipeline stages shown on the dashboard, in order.
    pub const PIPELINE: &'static [Stage] = &[
        Stage::Draft,
        Stage::Submitted,
        Stage::Returned,
        Stage::Assessing,
        Stage::Publicity,
        Stage::Designated,
        Stage::Rectifying,
    ];
}

/// The last day of a publicity of `days` working days that opens on `start` (counted if it is a
/// working day). Uncertain when it runs into a year without a calendar notice.
pub fn publicity_end(cal: &WorkCalendar, start: NaiveDate, days: u32) -> Reckoned<NaiveDate> {
    let days = i64::from(days.max(1));
    if cal.is_working_day(start) {
        cal.add_working_days(start, days - 1)
    } else {
        cal.add_working_days(start, days)
    }
}

/// What the office must know before it designates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicityState {
    pub end: NaiveDate,
    pub end_uncertain: bool,
    pub open_objections: u32,
    pub upheld_objections: u32,
}

/// Whether an application in publicity may be designated on `today`.
pub fn check_designation(p: &PublicityState, today: NaiveDate) -> Result<(), TransitionError> {
    if today <= p.end {
        return Err(TransitionError::new(
            format!("公示期至{}结束，期满后方可命名", p.end),
            format!(
                "the publicity runs until {}; designate after it ends",
                p.end
            ),
        ));
    }
    if p.open_objections > 0 {
        return Err(TransitionError::new(
            format!("尚有{}条异议未处理", p.open_objections),
            format!("{} objection(s) not yet resolved", p.open_objections),
        ));
    }
    if p.upheld_objections > 0 {
        return Err(TransitionError::new(
            "公示异议成立，不能命名",
            "an objection was upheld: the unit cannot be designated",
        ));
    }
    Ok(())
}

/// Whether the publicity may be concluded as failed: only with an upheld objection.
pub fn check_fail_publicity(p: &PublicityState) -> Result<(), TransitionError> {
    if p.upheld_objections == 0 {
        return Err(TransitionError::new(
            "没有成立的异议，不能以公示异议为由不予命名",
            "no objection was upheld, so the publicity cannot fail",
        ));
    }
    Ok(())
}

/// A designation's last valid day: `years` after its date, the day before the anniversary.
pub fn valid_until(designated_on: NaiveDate, years: u32) -> NaiveDate {
    designated_on
        .checked_add_months(chrono::Months::new(12 * years))
        .and_then(|d| d.pred_opt())
        .expect("a date within chrono's range")
}

/// A document number as government offices write them: `prefix〔year〕n号` (designations,
/// supervision notices; the prefixes are the programme's).
pub fn document_number(prefix: &str, year: i32, n: i64) -> String {
    format!("{prefix}〔{year}〕{n}号")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_listed_transitions_exist() {
        let legal = [
            (Stage::Draft, Step::Submit, Stage::Submitted),
            (Stage::Draft, Step::Withdraw, Stage::Withdrawn),
            (Stage::Returned, Step::Submit, Stage::Submitted),
            (Stage::Returned, Step::Withdraw, Stage::Withdrawn),
            (Stage::Submitted, Step::Recommend, Stage::Assessing),
            (Stage::Submitted, Step::Return, Stage::Returned),
            (Stage::Submitted, Step::Reject, Stage::Rejected),
            (Stage::Assessing, Step::OpenPublicity, Stage::Publicity),
            (Stage::Assessing, Step::FailAssessment, Stage::NotPassed),
            (Stage::Publicity, Step::Designate, Stage::Designated),
            (Stage::Publicity, Step::FailPublicity, Stage::NotPassed),
            (Stage::Designated, Step::Keep, Stage::Designated),
            (Stage::Designated, Step::Rectify, Stage::Rectifying),
            (Stage::Designated, Step::Revoke, Stage::Revoked),
            (Stage::Designated, Step::Expire, Stage::Expired),
            (Stage::Rectifying, Step::Keep, Stage::Designated),
            (Stage::Rectifying, Step::Revoke, Stage::Revoked),
            (Stage::Rectifying, Step::Expire, Stage::Expired),
        ];
        for &from in Stage::ALL {
            for &step in Step::ALL {
                let expected = legal
                    .iter()
                    .find(|(f, s, _)| *f == from && *s == step)
                    .map(|x| x.2);
                match (from.next(step), expected) {
                    (Ok(to), Some(e)) => assert_eq!(to, e, "{from} {step}"),
                    (Err(msg), None) => {
                        assert!(msg.zh.contains(from.label_zh()), "{msg}");
                        assert!(msg.en.contains(step.label_en()), "{msg}");
                    }
                    (got, want) => panic!("{from} --{step}--> {got:?}, expected {want:?}"),
                }
            }
        }
        for s in [
            Stage::Rejected,
            Stage::NotPassed,
            Stage::Revoked,
            Stage::Expired,
            Stage::Withdrawn,
        ] {
            assert!(s.is_final(), "{s}");
        }
    }

    #[test]
    fn publicity_counts_working_days_from_its_first_day() {
        let cal = WorkCalendar::builtin();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // Opens Monday 2025-09-22: five working days end Friday 09-26.
        assert_eq!(
            publicity_end(cal, d("2025-09-22"), 5).value,
            d("2025-09-26")
        );
        // Opens Friday 2025-09-26: 09-28 (Sunday) is a make-up working day before National Day;
        // 09-26, 09-28, 09-29, 09-30, then the holiday to 10-08 (a working day after the break).
        assert_eq!(
            publicity_end(cal, d("2025-09-26"), 5).value,
            d("2025-10-09")
        );
        // Opens on a Saturday: the first day does not count.
        assert_eq!(
            publicity_end(cal, d("2025-09-20"), 5).value,
            d("2025-09-26")
        );
    }

    #[test]
    fn designation_waits_for_the_end_of_publicity_and_resolved_objections() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let mut p = PublicityState {
            end: d("2025-09-26"),
            end_uncertain: false,
            open_objections: 0,
            upheld_objections: 0,
        };
        assert!(check_designation(&p, d("2025-09-26")).is_err());
        assert!(check_designation(&p, d("2025-09-27")).is_ok());
        assert!(check_fail_publicity(&p).is_err());
        p.open_objections = 1;
        assert!(check_designation(&p, d("2025-10-01")).is_err());
        p.open_objections = 0;
        p.upheld_objections = 1;
        assert!(check_designation(&p, d("2025-10-01")).is_err());
        assert!(check_fail_publicity(&p).is_ok());
    }

    #[test]
    fn validity_ends_the_day_before_the_anniversary() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(valid_until(d("2024-06-15"), 3), d("2027-06-14"));
        assert_eq!(valid_until(d("2024-02-29"), 1), d("2025-02-27"));
        assert_eq!(
            document_number("高唐商秘示范企业", 2025, 3),
            "高唐商秘示范企业〔2025〕3号"
        );
    }
}
