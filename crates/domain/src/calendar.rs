//! The working-day calendar (工作日): statutory and programme deadlines counted in working days.
//!
//! China's working days are Monday–Friday, except the days off and the weekend working days
//! (调休上班) that the State Council's General Office publishes each year in its holiday notice
//! (国务院办公厅关于XXXX年部分节假日安排的通知). The notices are data (`data/calendar.toml`, and
//! years an administrator imports); nothing here knows a holiday.
//!
//! A notice usually appears in the autumn of the year before. A computation that touches a year
//! without a notice still answers Monday–Friday, but says so: every result is [`Reckoned`], with
//! the years it had to assume — a deadline is never silently guessed.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// One year's holiday notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearNotice {
    pub year: i32,
    /// The notice's title (and number, where known) — where the dates come from.
    pub source: String,
    /// Days off (may include the last days of the year before, e.g. 2022-12-31 in the 2023 notice).
    pub off: BTreeSet<NaiveDate>,
    /// Weekend days that are working days.
    pub work: BTreeSet<NaiveDate>,
}

/// Why a calendar file or notice was refused. The message names the year and the date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("日历文件无法读取 / the calendar file cannot be read: {0}")]
    Syntax(String),
    #[error(
        "{year} 年：日期 “{text}” 无效（应为 YYYY-MM-DD 或 YYYY-MM-DD..YYYY-MM-DD）/ year {year}: “{text}” is not a date or range (YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD)"
    )]
    BadDate { year: i32, text: String },
    #[error(
        "{year} 年：{date} 不在该通知的范围内（只能是 {year} 年或其前后相邻几天）/ year {year}: {date} is outside the notice's year"
    )]
    OutsideYear { year: i32, date: NaiveDate },
    #[error(
        "{year} 年：调休上班日 {date} 是{weekday}，只有周六、周日才能列为上班日 / year {year}: working day {date} is a weekday; only Saturdays and Sundays can be listed as working days"
    )]
    WorkOnWeekday {
        year: i32,
        date: NaiveDate,
        weekday: &'static str,
    },
    #[error(
        "{year} 年：{date} 同时列为休息日和上班日 / year {year}: {date} is listed both as a day off and as a working day"
    )]
    Both { year: i32, date: NaiveDate },
    #[error("年份 {0} 不合理（应在 2000–2100 之间）/ year {0} is out of range (2000–2100)")]
    Year(i32),
    #[error(
        "{year} 年：没有任何休息日，这不像一份节假日安排通知 / year {year}: no days off at all; this does not look like a holiday notice"
    )]
    Empty { year: i32 },
    #[error(
        "{year} 年：缺少来源（通知名称）/ year {year}: the source (the notice's title) is missing"
    )]
    NoSource { year: i32 },
}

/// The day of the week in Chinese (星期一 … 星期日).
pub fn weekday_zh(d: NaiveDate) -> &'static str {
    match d.weekday() {
        Weekday::Mon => "星期一",
        Weekday::Tue => "星期二",
        Weekday::Wed => "星期三",
        Weekday::Thu => "星期四",
        Weekday::Fri => "星期五",
        Weekday::Sat => "星期六",
        Weekday::Sun => "星期日",
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

impl YearNotice {
    /// Checks a notice: dates within the year (give or take the turn of the year), weekend
    /// working days only on weekends, no date both off and working.
    pub fn check(&self) -> Result<(), CalendarError> {
        let year = self.year;
        if !(2000..=2100).contains(&year) {
            return Err(CalendarError::Year(year));
        }
        if self.source.trim().is_empty() {
            return Err(CalendarError::NoSource { year });
        }
        if self.off.is_empty() {
            return Err(CalendarError::Empty { year });
        }
        let first = NaiveDate::from_ymd_opt(year - 1, 12, 1).expect("valid date");
        let last = NaiveDate::from_ymd_opt(year + 1, 1, 31).expect("valid date");
        for &date in self.off.iter().chain(&self.work) {
            if date < first || date > last {
                return Err(CalendarError::OutsideYear { year, date });
            }
        }
        for &date in &self.work {
            if !is_weekend(date) {
                return Err(CalendarError::WorkOnWeekday {
                    year,
                    date,
                    weekday: weekday_zh(date),
                });
            }
            if self.off.contains(&date) {
                return Err(CalendarError::Both { year, date });
            }
        }
        Ok(())
    }
}

/// The result of a computation, with the years it had no notice for (Monday–Friday assumed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reckoned<T> {
    pub value: T,
    pub assumed_years: Vec<i32>,
}

impl<T> Reckoned<T> {
    /// True when some day of the computation lies in a year without a notice.
    pub fn uncertain(&self) -> bool {
        !self.assumed_years.is_empty()
    }
}

/// The calendar: every notice known, by year.
#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    notices: BTreeMap<i32, YearNotice>,
    off: BTreeSet<NaiveDate>,
    work: BTreeSet<NaiveDate>,
}

/// How far a single computation may reach (about 27 years of working days): a guard against a
/// mistyped N, not a limit anyone meets.
pub const MAX_DAYS: i64 = 7_000;

impl WorkCalendar {
    /// The notices shipped in the binary (`data/calendar.toml`).
    pub fn builtin() -> &'static WorkCalendar {
        static CAL: OnceLock<WorkCalendar> = OnceLock::new();
        CAL.get_or_init(|| {
            let notices = parse_toml(include_str!("../data/calendar.toml"))
                .expect("embedded calendar.toml is valid");
            let mut c = WorkCalendar::default();
            for n in notices {
                c.insert(n);
            }
            c
        })
    }

    /// Adds (or replaces, for a corrected notice) one year.
    pub fn insert(&mut self, notice: YearNotice) {
        self.notices.insert(notice.year, notice);
        self.off = self
            .notices
            .values()
            .flat_map(|n| n.off.iter().copied())
            .collect();
        self.work = self
            .notices
            .values()
            .flat_map(|n| n.work.iter().copied())
            .collect();
    }

    pub fn notices(&self) -> impl Iterator<Item = &YearNotice> {
        self.notices.values()
    }

    /// Whether the calendar year of `d` has a notice.
    pub fn knows(&self, year: i32) -> bool {
        self.notices.contains_key(&year)
    }

    /// Whether `d` is a working day (Monday–Friday for a year without a notice).
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.off.contains(&d) {
            return false;
        }
        if self.work.contains(&d) {
            return true;
        }
        !is_weekend(d)
    }

    /// The date `n` working days after `d` (before it, for negative `n`); `d` itself for 0. The
    /// day `d` is not counted: 1 working day after a Friday is the next Monday, or the first
    /// working day after a holiday. The result is always a working day when `n` ≠ 0.
    pub fn add_working_days(&self, d: NaiveDate, n: i64) -> Reckoned<NaiveDate> {
        let n = n.clamp(-MAX_DAYS, MAX_DAYS);
        let mut assumed = BTreeSet::new();
        let mut cur = d;
        let mut left = n.abs();
        while left > 0 {
            cur = if n > 0 {
                cur.checked_add_days(Days::new(1))
            } else {
                cur.checked_sub_days(Days::new(1))
            }
            .expect("dates within chrono's range");
            if !self.knows(cur.year()) {
                assumed.insert(cur.year());
            }
            if self.is_working_day(cur) {
                left -= 1;
            }
        }
        Reckoned {
            value: cur,
            assumed_years: assumed.into_iter().collect(),
        }
    }

    /// Working days from `a` to `b`: for `b` ≥ `a` those in (a, b]; for `b` < `a`, minus those in
    /// [b, a). So `working_days_between(a, add_working_days(a, n)) == n` for every `n`.
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> Reckoned<i64> {
        let (from, to, sign) = if b >= a {
            (a.succ_opt(), b, 1)
        } else {
            (Some(b), a.pred_opt().unwrap_or(a), -1)
        };
        let mut assumed = BTreeSet::new();
        let mut count = 0;
        let mut cur = from;
        while let Some(d) = cur {
            if d > to {
                break;
            }
            if !self.knows(d.year()) {
                assumed.insert(d.year());
            }
            if self.is_working_day(d) {
                count += 1;
            }
            cur = d.succ_opt();
        }
        Reckoned {
            value: sign * count,
            assumed_years: assumed.into_iter().collect(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Files

#[derive(Deserialize)]
struct TomlFile {
    year: Vec<TomlYear>,
}

#[derive(Deserialize, Serialize)]
struct TomlYear {
    year: i32,
    source: String,
    #[serde(default)]
    off: Vec<String>,
    #[serde(default)]
    work: Vec<String>,
}

fn parse_dates(year: i32, items: &[String]) -> Result<BTreeSet<NaiveDate>, CalendarError> {
    let bad = |t: &str| CalendarError::BadDate {
        year,
        text: t.to_string(),
    };
    let date = |t: &str| NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").map_err(|_| bad(t));
    let mut out = BTreeSet::new();
    for item in items {
        match item.split_once("..") {
            Some((a, b)) => {
                let (a, b) = (date(a)?, date(b)?);
                if b < a || (b - a).num_days() > 31 {
                    return Err(bad(item));
                }
                out.extend(a.iter_days().take_while(|d| *d <= b));
            }
            None => {
                out.insert(date(item)?);
            }
        }
    }
    Ok(out)
}

/// Reads notices in shoumi's TOML format (see `data/calendar.toml`), checking each.
pub fn parse_toml(text: &str) -> Result<Vec<YearNotice>, CalendarError> {
    let f: TomlFile = toml::from_str(text).map_err(|e| CalendarError::Syntax(e.to_string()))?;
    f.year
        .into_iter()
        .map(|y| {
            let n = YearNotice {
                year: y.year,
                source: y.source,
                off: parse_dates(y.year, &y.off)?,
                work: parse_dates(y.year, &y.work)?,
            };
            n.check()?;
            Ok(n)
        })
        .collect()
}

#[derive(Deserialize)]
struct HolidayCn {
    year: i32,
    #[serde(default)]
    papers: Vec<String>,
    days: Vec<HolidayCnDay>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HolidayCnDay {
    #[serde(default)]
    name: String,
    date: String,
    is_off_day: bool,
}

/// Reads one year in the format of the public data set NateScarlet/holiday-cn (`YYYY.json`:
/// `{"year": …, "papers": [url…], "days": [{"name", "date", "isOffDay"}…]}`).
pub fn parse_holiday_cn(text: &str) -> Result<YearNotice, CalendarError> {
    let f: HolidayCn =
        serde_json::from_str(text).map_err(|e| CalendarError::Syntax(e.to_string()))?;
    let mut off = BTreeSet::new();
    let mut work = BTreeSet::new();
    for d in &f.days {
        let date = NaiveDate::parse_from_str(d.date.trim(), "%Y-%m-%d").map_err(|_| {
            CalendarError::BadDate {
                year: f.year,
                text: format!("{} {}", d.date, d.name),
            }
        })?;
        if d.is_off_day {
            off.insert(date);
        } else {
            work.insert(date);
        }
    }
    let source = if f.papers.is_empty() {
        format!("国务院办公厅关于{}年部分节假日安排的通知", f.year)
    } else {
        format!(
            "国务院办公厅关于{}年部分节假日安排的通知（{}）",
            f.year,
            f.papers.join("; ")
        )
    };
    let n = YearNotice {
        year: f.year,
        source,
        off,
        work,
    };
    n.check()?;
    Ok(n)
}

/// Reads a calendar file of either format: holiday-cn JSON (starts with `{`) or shoumi TOML.
pub fn parse_file(text: &str) -> Result<Vec<YearNotice>, CalendarError> {
    if text.trim_start().starts_with('{') {
        Ok(vec![parse_holiday_cn(text)?])
    } else {
        parse_toml(text)
    }
}

/// A notice in shoumi's TOML format (dates one by one), e.g. to store or export it.
pub fn to_toml(notices: &[&YearNotice]) -> String {
    let f = TomlFileOut {
        year: notices
            .iter()
            .map(|n| TomlYear {
                year: n.year,
                source: n.source.clone(),
                off: n.off.iter().map(|d| d.to_string()).collect(),
                work: n.work.iter().map(|d| d.to_string()).collect(),
            })
            .collect(),
    };
    toml::to_string(&f).unwrap_or_default()
}

#[derive(Serialize)]
struct TomlFileOut {
    year: Vec<TomlYear>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn cal() -> &'static WorkCalendar {
        WorkCalendar::builtin()
    }

    #[test]
    fn national_day_2024_is_skipped_and_the_make_up_saturday_counts() {
        // Mon 2024-09-30 is a working day; 10-01..10-07 are off; Sat 10-12 is a working day.
        let r = cal().add_working_days(d("2024-09-30"), 1);
        assert_eq!(r.value, d("2024-10-08"));
        assert!(!r.uncertain());
        // Sun 2024-09-29 is a make-up working day.
        assert!(cal().is_working_day(d("2024-09-29")));
        assert_eq!(
            cal().add_working_days(d("2024-09-27"), 1).value,
            d("2024-09-29")
        );
        // 2024-10-08 (Tue) + 4 = Sat 10-12 (make-up day).
        assert_eq!(
            cal().add_working_days(d("2024-10-08"), 4).value,
            d("2024-10-12")
        );
        assert_eq!(
            cal().add_working_days(d("2024-10-08"), 5).value,
            d("2024-10-14")
        );
    }

    #[test]
    fn spring_festival_2025_runs_from_new_years_eve_and_has_two_make_up_days() {
        assert!(cal().is_working_day(d("2025-01-26"))); // Sunday, worked
        assert!(!cal().is_working_day(d("2025-01-28"))); // 除夕, off from 2025
        assert!(!cal().is_working_day(d("2025-02-04")));
        assert!(cal().is_working_day(d("2025-02-05")));
        assert!(cal().is_working_day(d("2025-02-08"))); // Saturday, worked
        // Mon 2025-01-27 + 1 = Wed 2025-02-05; + 4 = Sat 02-08.
        assert_eq!(
            cal().add_working_days(d("2025-01-27"), 1).value,
            d("2025-02-05")
        );
        assert_eq!(
            cal().add_working_days(d("2025-01-27"), 4).value,
            d("2025-02-08")
        );
        assert_eq!(
            cal().add_working_days(d("2025-01-27"), 5).value,
            d("2025-02-10")
        );
        // Working days 2025-01-24 (Fri) .. 2025-02-10 (Mon): 01-26, 01-27, 02-05, 02-06, 02-07,
        // 02-08, 02-10.
        assert_eq!(
            cal()
                .working_days_between(d("2025-01-24"), d("2025-02-10"))
                .value,
            7
        );
    }

    #[test]
    fn spring_festival_2026_is_nine_days_with_make_up_saturdays_either_side() {
        assert!(cal().is_working_day(d("2026-02-14"))); // Saturday, worked
        for day in d("2026-02-15").iter_days().take(9) {
            assert!(!cal().is_working_day(day), "{day} should be off");
        }
        assert!(cal().is_working_day(d("2026-02-24")));
        assert!(cal().is_working_day(d("2026-02-28"))); // Saturday, worked
        // Fri 2026-02-13 + 1 = Sat 02-14; + 2 = Tue 02-24.
        assert_eq!(
            cal().add_working_days(d("2026-02-13"), 1).value,
            d("2026-02-14")
        );
        assert_eq!(
            cal().add_working_days(d("2026-02-13"), 2).value,
            d("2026-02-24")
        );
        // Backwards: 1 working day before Tue 2026-02-24 is Sat 02-14.
        assert_eq!(
            cal().add_working_days(d("2026-02-24"), -1).value,
            d("2026-02-14")
        );
    }

    #[test]
    fn a_deadline_in_a_year_without_a_notice_is_flagged_not_guessed() {
        let r = cal().add_working_days(d("2026-12-28"), 10);
        assert!(r.uncertain());
        assert_eq!(r.assumed_years, vec![2027]);
        // Monday–Friday is assumed: 2026-12-28 (Mon) + 10 → 2027-01-11 (Mon), with 12-31 a
        // Thursday and 2027-01-01 a Friday taken as working days.
        assert_eq!(r.value, d("2027-01-11"));
        let inside = cal().add_working_days(d("2026-03-02"), 10);
        assert!(!inside.uncertain());
    }

    #[test]
    fn notices_with_impossible_dates_are_refused_with_the_date_named() {
        let bad = r#"[[year]]
year = 2027
source = "test"
off = ["2027-02-06..2027-02-12"]
work = ["2027-02-03"]
"#;
        let e = parse_toml(bad).unwrap_err();
        assert!(matches!(e, CalendarError::WorkOnWeekday { .. }), "{e}");
        assert!(e.to_string().contains("2027-02-03"));
        let outside = bad.replace("work = [\"2027-02-03\"]", "work = [\"2029-02-03\"]");
        assert!(matches!(
            parse_toml(&outside).unwrap_err(),
            CalendarError::OutsideYear { .. }
        ));
        let garbled = bad.replace("2027-02-06..2027-02-12", "2027-02-30");
        assert!(matches!(
            parse_toml(&garbled).unwrap_err(),
            CalendarError::BadDate { .. }
        ));
    }

    #[test]
    fn holiday_cn_json_reads_as_the_same_notice() {
        let json = r#"{"year": 2025, "papers": ["https://www.gov.cn/zhengce/content/202411/content_6986383.htm"],
            "days": [
              {"name": "元旦", "date": "2025-01-01", "isOffDay": true},
              {"name": "春节", "date": "2025-01-26", "isOffDay": false},
              {"name": "春节", "date": "2025-01-28", "isOffDay": true}
            ]}"#;
        let n = parse_file(json).unwrap().remove(0);
        assert_eq!(n.year, 2025);
        assert!(n.off.contains(&d("2025-01-28")));
        assert!(n.work.contains(&d("2025-01-26")));
        assert!(n.source.contains("2025"));
    }

    #[test]
    fn toml_export_reads_back_unchanged() {
        let all: Vec<&YearNotice> = cal().notices().collect();
        let back = parse_toml(&to_toml(&all)).unwrap();
        assert_eq!(back.iter().collect::<Vec<_>>(), all);
    }

    fn date_2023_2026() -> impl Strategy<Value = NaiveDate> {
        (0u64..(4 * 365)).prop_map(|o| d("2023-01-01").checked_add_days(Days::new(o)).unwrap())
    }

    proptest! {
        #[test]
        fn adding_then_counting_gives_back_n(start in date_2023_2026(), n in -400i64..400) {
            let end = cal().add_working_days(start, n);
            prop_assert_eq!(cal().working_days_between(start, end.value).value, n);
        }

        #[test]
        fn no_result_is_a_day_off(start in date_2023_2026(), n in 1i64..400, back in any::<bool>()) {
            let n = if back { -n } else { n };
            let end = cal().add_working_days(start, n).value;
            prop_assert!(cal().is_working_day(end), "{} + {} = {} is a day off", start, n, end);
        }

        #[test]
        fn counting_is_additive(a in date_2023_2026(), x in 0u64..300, y in 0u64..300) {
            let b = a.checked_add_days(Days::new(x)).unwrap();
            let c = b.checked_add_days(Days::new(y)).unwrap();
            let ab = cal().working_days_between(a, b).value;
            let bc = cal().working_days_between(b, c).value;
            prop_assert_eq!(ab + bc, cal().working_days_between(a, c).value);
        }
    }
}
