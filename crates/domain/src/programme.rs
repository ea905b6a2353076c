//! The programme as data: a county's plan (title, period, phases, targets per unit type and date,
//! key tasks with their responsible units, the demonstration criteria and the indicator system)
//! read from a documented YAML or JSON file (`docs/PROGRAMME_FORMAT.md`). Gaotang's plan is the
//! default (`data/programme-gaotang.yaml`).
//!
//! A [`ProgrammeSpec`] is only ever obtained through [`ProgrammeSpec::parse`], which refuses a
//! file with every problem named by its path (`targets[2].deadline`, `indicators.enterprise[0]`).
//! Storage keeps every imported version; an application is scored against the version it was
//! assessed under, so a new version never rewrites past scores.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::org::string_enum;

/// The file format this code reads and writes.
pub const FORMAT: &str = "shoumi-programme/1";

/// Gaotang's plan, shipped with the binary.
pub const GAOTANG_YAML: &str = include_str!("../data/programme-gaotang.yaml");

string_enum! {
    /// The three kinds of demonstration unit of the plan.
    DemoType {
        Base = "base" / "示范基地" / "demonstration base",
        Station = "station" / "示范指导站（点）" / "guidance station",
        Enterprise = "enterprise" / "示范企业" / "demonstration enterprise",
    }
}

string_enum! {
    /// What a station's service log entry records.
    StationLogKind {
        Lecture = "lecture" / "政策法规宣讲" / "talk on law and policy",
        Consultation = "consultation" / "咨询服务" / "consultation",
        Complaint = "complaint" / "受理投诉" / "complaint received",
        Training = "training" / "培训" / "training",
        Other = "other" / "其他" / "other",
    }
}

impl DemoType {
    /// Whether the applicant is an enterprise (otherwise a unit: a park committee or a station).
    pub fn is_enterprise(self) -> bool {
        self == DemoType::Enterprise
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    pub deadline: NaiveDate,
    #[serde(default)]
    pub summary: String,
}

/// What the programme decides per demonstration unit type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitTypeRules {
    /// Combined score (0–100) at or above which an assessment passes.
    pub pass_mark: u32,
    /// Length of the publicity (公示) in working days, counting its first day.
    pub publicity_working_days: u32,
    /// How long a designation holds, in years from its date.
    pub validity_years: u32,
    /// The designation number's prefix, e.g. `高唐商秘示范企业` → `高唐商秘示范企业〔2025〕3号`.
    pub number_prefix: String,
}

/// A cumulative target: `count` units of `unit_type` designated by `deadline`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub unit_type: DemoType,
    pub deadline: NaiveDate,
    pub count: u32,
}

/// A key task (重点任务) and its responsible units, lead unit first. An entry is a unit key of
/// the county data or `kind:<unit kind>` for every unit of that kind (e.g. every town).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    pub key: String,
    #[serde(default)]
    pub number: String,
    pub title: String,
    #[serde(default)]
    pub title_en: String,
    pub responsible: Vec<String>,
}

/// Periods of the responsibility list's supervision, in working days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupervisionRules {
    /// Remind the owners this many working days before a deadline.
    pub reminder_working_days: u32,
    /// An item with no report for this many working days appears on the supervision list.
    pub stale_report_working_days: u32,
    /// Default reply period of a supervision notice (督办单).
    pub notice_reply_working_days: u32,
    /// Supervision notices are numbered `prefix〔year〕n号`.
    #[serde(default = "default_notice_prefix")]
    pub notice_prefix: String,
}

fn default_notice_prefix() -> String {
    "督办".into()
}

impl Default for SupervisionRules {
    fn default() -> Self {
        SupervisionRules {
            reminder_working_days: 3,
            stale_report_working_days: 20,
            notice_reply_working_days: 5,
            notice_prefix: default_notice_prefix(),
        }
    }
}

/// A node of an indicator tree. A node with children has the sum of their points; a leaf is
/// scored from 0 to its points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    pub points: u32,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub guidance: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Indicator>,
}

/// A scoreable leaf with the names of the nodes above it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Leaf<'a> {
    pub indicator: &'a Indicator,
    /// The top-level criterion the leaf belongs to.
    pub criterion: &'a Indicator,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeSpec {
    pub format: String,
    pub key: String,
    pub title: String,
    #[serde(default)]
    pub title_en: String,
    #[serde(default)]
    pub issued_by: String,
    #[serde(default)]
    pub issued_on: Option<NaiveDate>,
    #[serde(default)]
    pub source: String,
    pub period: Period,
    pub phases: Vec<Phase>,
    pub unit_types: BTreeMap<DemoType, UnitTypeRules>,
    pub targets: Vec<Target>,
    pub tasks: Vec<Task>,
    #[serde(default)]
    pub criteria: Vec<String>,
    #[serde(default)]
    pub supervision: SupervisionRules,
    pub indicators: BTreeMap<DemoType, Vec<Indicator>>,
    /// Indicators of the year-end assessment of responsible units (五(三) 突出考核评价).
    #[serde(default)]
    pub unit_indicators: Vec<Indicator>,
}

/// One problem in a programme file, named by its path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpecError {
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for SpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Every problem found in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpecErrors(pub Vec<SpecError>);

impl std::fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SpecErrors {}

/// The two file forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecFormat {
    Yaml,
    Json,
}

impl SpecFormat {
    /// From a file name's extension; YAML unless it ends in `.json`.
    pub fn from_name(name: &str) -> SpecFormat {
        if name.to_ascii_lowercase().ends_with(".json") {
            SpecFormat::Json
        } else {
            SpecFormat::Yaml
        }
    }
    pub fn parse(s: &str) -> Option<SpecFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "yaml" | "yml" => Some(SpecFormat::Yaml),
            "json" => Some(SpecFormat::Json),
            _ => None,
        }
    }
}

fn err(path: impl Into<String>, message: impl Into<String>) -> SpecError {
    SpecError {
        path: path.into(),
        message: message.into(),
    }
}

impl ProgrammeSpec {
    /// The default programme (Gaotang's plan).
    pub fn gaotang() -> ProgrammeSpec {
        ProgrammeSpec::parse(GAOTANG_YAML, SpecFormat::Yaml, |_| true)
            .expect("the embedded Gaotang programme is valid")
    }

    /// Reads and checks a programme file. `known_unit` says whether a unit key exists in the
    /// county data (responsible units must).
    pub fn parse(
        text: &str,
        format: SpecFormat,
        known_unit: impl Fn(&str) -> bool,
    ) -> Result<ProgrammeSpec, SpecErrors> {
        let spec: ProgrammeSpec = match format {
            SpecFormat::Yaml => serde_norway::from_str(text).map_err(|e| {
                let path = e
                    .location()
                    .map(|l| format!("line {} column {}", l.line(), l.column()))
                    .unwrap_or_default();
                SpecErrors(vec![err(path, e.to_string())])
            })?,
            SpecFormat::Json => serde_json::from_str(text).map_err(|e| {
                SpecErrors(vec![err(
                    format!("line {} column {}", e.line(), e.column()),
                    e.to_string(),
                )])
            })?,
        };
        let problems = spec.check(&known_unit);
        if problems.is_empty() {
            Ok(spec)
        } else {
            Err(SpecErrors(problems))
        }
    }

    /// Writes the programme in the documented format.
    pub fn to_text(&self, format: SpecFormat) -> String {
        match format {
            SpecFormat::Yaml => serde_norway::to_string(self).expect("a programme serialises"),
            SpecFormat::Json => {
                serde_json::to_string_pretty(self).expect("a programme serialises") + "\n"
            }
        }
    }

    /// The canonical stored form (compact JSON): what a version's digest is taken over.
    pub fn canonical_json(&self) -> String {
        serde_json::to_string(self).expect("a programme serialises")
    }

    /// Reads the stored form back (no unit check: it was checked when imported).
    pub fn from_stored(json: &str) -> Result<ProgrammeSpec, SpecErrors> {
        ProgrammeSpec::parse(json, SpecFormat::Json, |_| true)
    }

    fn check(&self, known_unit: &dyn Fn(&str) -> bool) -> Vec<SpecError> {
        let mut out = Vec::new();
        if self.format != FORMAT {
            out.push(err(
                "format",
                format!("expected \"{FORMAT}\", found \"{}\"", self.format),
            ));
        }
        if !is_key(&self.key) {
            out.push(err("key", "a key is 1–64 letters, digits, '-', '_' or '.'"));
        }
        if self.title.trim().is_empty() {
            out.push(err("title", "required"));
        }
        if self.period.start > self.period.end {
            out.push(err("period", "start is after end"));
        }
        let in_period = |d: NaiveDate| d >= self.period.start && d <= self.period.end;
        let mut keys = BTreeSet::new();
        let mut last: Option<NaiveDate> = None;
        for (i, p) in self.phases.iter().enumerate() {
            let at = format!("phases[{i}]");
            if !is_key(&p.key) || !keys.insert(p.key.as_str()) {
                out.push(err(format!("{at}.key"), "missing, malformed or repeated"));
            }
            if p.name.trim().is_empty() {
                out.push(err(format!("{at}.name"), "required"));
            }
            if !in_period(p.deadline) {
                out.push(err(format!("{at}.deadline"), "outside the period"));
            }
            if last.is_some_and(|l| p.deadline < l) {
                out.push(err(
                    format!("{at}.deadline"),
                    "phases must be in deadline order",
                ));
            }
            last = Some(p.deadline);
        }
        for (t, r) in &self.unit_types {
            let at = format!("unit_types.{}", t.as_str());
            if !(1..=100).contains(&r.pass_mark) {
                out.push(err(format!("{at}.pass_mark"), "between 1 and 100"));
            }
            if !(1..=60).contains(&r.publicity_working_days) {
                out.push(err(
                    format!("{at}.publicity_working_days"),
                    "between 1 and 60",
                ));
            }
            if !(1..=10).contains(&r.validity_years) {
                out.push(err(format!("{at}.validity_years"), "between 1 and 10"));
            }
            if r.number_prefix.trim().is_empty() {
                out.push(err(format!("{at}.number_prefix"), "required"));
            }
            if !self.indicators.contains_key(t) {
                out.push(err(
                    format!("indicators.{}", t.as_str()),
                    "every unit type needs an indicator tree",
                ));
            }
        }
        let sv = &self.supervision;
        for (name, v, lo, hi) in [
            ("reminder_working_days", sv.reminder_working_days, 0, 30),
            (
                "stale_report_working_days",
                sv.stale_report_working_days,
                1,
                250,
            ),
            (
                "notice_reply_working_days",
                sv.notice_reply_working_days,
                1,
                60,
            ),
        ] {
            if !(lo..=hi).contains(&v) {
                out.push(err(
                    format!("supervision.{name}"),
                    format!("between {lo} and {hi}"),
                ));
            }
        }
        if sv.notice_prefix.trim().is_empty() {
            out.push(err("supervision.notice_prefix", "required"));
        }
        let mut seen_targets: BTreeMap<DemoType, Vec<(NaiveDate, u32, usize)>> = BTreeMap::new();
        for (i, t) in self.targets.iter().enumerate() {
            let at = format!("targets[{i}]");
            if !self.unit_types.contains_key(&t.unit_type) {
                out.push(err(
                    format!("{at}.unit_type"),
                    "not listed under unit_types",
                ));
            }
            if !in_period(t.deadline) {
                out.push(err(format!("{at}.deadline"), "outside the period"));
            }
            seen_targets
                .entry(t.unit_type)
                .or_default()
                .push((t.deadline, t.count, i));
        }
        for list in seen_targets.values_mut() {
            list.sort();
            for w in list.windows(2) {
                if w[0].0 == w[1].0 {
                    out.push(err(
                        format!("targets[{}]", w[1].2),
                        "two targets for the same type and deadline",
                    ));
                } else if w[1].1 < w[0].1 {
                    out.push(err(
                        format!("targets[{}].count", w[1].2),
                        "targets are cumulative: a later one cannot be smaller",
                    ));
                }
            }
        }
        let mut task_keys = BTreeSet::new();
        for (i, t) in self.tasks.iter().enumerate() {
            let at = format!("tasks[{i}]");
            if !is_key(&t.key) || !task_keys.insert(t.key.as_str()) {
                out.push(err(format!("{at}.key"), "missing, malformed or repeated"));
            }
            if t.title.trim().is_empty() {
                out.push(err(format!("{at}.title"), "required"));
            }
            if t.responsible.is_empty() {
                out.push(err(
                    format!("{at}.responsible"),
                    "name at least the lead unit",
                ));
            }
            for (j, u) in t.responsible.iter().enumerate() {
                let ok = match u.strip_prefix("kind:") {
                    Some(kind) => crate::org::UnitKind::parse(kind).is_some(),
                    None => known_unit(u),
                };
                if !ok {
                    out.push(err(
                        format!("{at}.responsible[{j}]"),
                        format!("no unit with key \"{u}\" in the county data"),
                    ));
                }
            }
        }
        let mut trees: Vec<(String, &Vec<Indicator>)> = self
            .indicators
            .iter()
            .map(|(t, tree)| (format!("indicators.{}", t.as_str()), tree))
            .collect();
        if !self.unit_indicators.is_empty() {
            trees.push(("unit_indicators".into(), &self.unit_indicators));
        }
        for (at, tree) in trees {
            let total: u32 = tree.iter().map(|n| n.points).sum();
            if total != 100 {
                out.push(err(
                    at.clone(),
                    format!("top-level points add up to {total}, not 100"),
                ));
            }
            let mut keys = BTreeSet::new();
            for (i, n) in tree.iter().enumerate() {
                check_node(n, &format!("{at}[{i}]"), &mut keys, &mut out);
            }
        }
        out
    }

    pub fn rules(&self, t: DemoType) -> Option<&UnitTypeRules> {
        self.unit_types.get(&t)
    }

    /// The scoreable leaves of the year-end unit assessment.
    pub fn unit_leaves(&self) -> Vec<Leaf<'_>> {
        let mut out = Vec::new();
        for top in &self.unit_indicators {
            collect_leaves(top, top, &mut out);
        }
        out
    }

    /// The scoreable leaves of a unit type's tree, in order.
    pub fn leaves(&self, t: DemoType) -> Vec<Leaf<'_>> {
        let mut out = Vec::new();
        for top in self.indicators.get(&t).map(|v| v.as_slice()).unwrap_or(&[]) {
            collect_leaves(top, top, &mut out);
        }
        out
    }

    /// The targets of a type in deadline order.
    pub fn targets_of(&self, t: DemoType) -> Vec<&Target> {
        let mut v: Vec<&Target> = self.targets.iter().filter(|x| x.unit_type == t).collect();
        v.sort_by_key(|x| x.deadline);
        v
    }
}

fn collect_leaves<'a>(n: &'a Indicator, top: &'a Indicator, out: &mut Vec<Leaf<'a>>) {
    if n.children.is_empty() {
        out.push(Leaf {
            indicator: n,
            criterion: top,
        });
    } else {
        for c in &n.children {
            collect_leaves(c, top, out);
        }
    }
}

fn check_node<'a>(
    n: &'a Indicator,
    at: &str,
    keys: &mut BTreeSet<&'a str>,
    out: &mut Vec<SpecError>,
) {
    if !is_key(&n.key) || !keys.insert(n.key.as_str()) {
        out.push(err(format!("{at}.key"), "missing, malformed or repeated"));
    }
    if n.name.trim().is_empty() {
        out.push(err(format!("{at}.name"), "required"));
    }
    if n.points == 0 {
        out.push(err(format!("{at}.points"), "must be at least 1"));
    }
    if !n.children.is_empty() {
        let sum: u32 = n.children.iter().map(|c| c.points).sum();
        if sum != n.points {
            out.push(err(
                format!("{at}.children"),
                format!("children's points add up to {sum}, not {}", n.points),
            ));
        }
        for (i, c) in n.children.iter().enumerate() {
            check_node(c, &format!("{at}.children[{i}]"), keys, out);
        }
    }
}

fn is_key(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

// ---------------------------------------------------------------------------------------------
// Scores

/// A score in tenths of a point (7.5 points = 75), so sums are exact.
pub type Tenths = i64;

/// Parses a score typed by an assessor for a leaf worth `max` points: 0 to `max`, at most one
/// decimal place.
pub fn parse_score(text: &str, max: u32) -> Result<Tenths, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("请打分 / a score is required".into());
    }
    let (whole, frac) = match t.split_once('.') {
        Some((w, f)) => (w, f),
        None => (t, ""),
    };
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 1
        || !frac.chars().all(|c| c.is_ascii_digit())
        || whole.len() > 4
    {
        return Err(format!(
            "分数应为0至{max}之间、最多一位小数的数字 / a number from 0 to {max} with at most one decimal: {t}"
        ));
    }
    let v: i64 = whole.parse::<i64>().unwrap_or(i64::MAX) * 10
        + frac.parse::<i64>().unwrap_or(0) * if frac.is_empty() { 0 } else { 1 };
    if v > i64::from(max) * 10 {
        return Err(format!(
            "不能超过该项分值{max}分 / at most the indicator's {max} points"
        ));
    }
    Ok(v)
}

/// Shows tenths as points ("7.5", "8").
pub fn show_tenths(v: Tenths) -> String {
    if v % 10 == 0 {
        (v / 10).to_string()
    } else {
        format!("{}.{}", v / 10, (v % 10).abs())
    }
}

/// One assessor's scores by leaf key.
pub type Sheet = BTreeMap<String, Tenths>;

/// The combined result of an assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Combined {
    /// Each assessor's total, in the order given.
    pub totals: Vec<Tenths>,
    /// The mean of the totals, rounded half up to a tenth.
    pub score: Tenths,
    pub passed: bool,
}

/// Combines assessors' sheets: every assessor must have scored every leaf. Each sheet's total is
/// the sum of its leaf scores (points are the weights); the result is the mean of the totals.
pub fn combine(leaves: &[Leaf<'_>], sheets: &[Sheet], pass_mark: u32) -> Result<Combined, String> {
    if sheets.is_empty() {
        return Err("尚无评审专家打分 / no assessor has scored".into());
    }
    let mut totals = Vec::with_capacity(sheets.len());
    for (i, s) in sheets.iter().enumerate() {
        let mut total = 0;
        for l in leaves {
            match s.get(&l.indicator.key) {
                Some(v) => total += v,
                None => {
                    return Err(format!(
                        "第{}位评审专家未对“{}”打分 / assessor {} has not scored \"{}\"",
                        i + 1,
                        l.indicator.name,
                        i + 1,
                        l.indicator.key
                    ));
                }
            }
        }
        totals.push(total);
    }
    let n = totals.len() as i64;
    let sum: i64 = totals.iter().sum();
    let score = (2 * sum + n) / (2 * n);
    Ok(Combined {
        passed: score >= i64::from(pass_mark) * 10,
        totals,
        score,
    })
}

/// A straight-line forecast of the count on `deadline`: the pace of the last twelve months
/// (`recent`: designations in the 365 days up to `today`) carried forward from `current`. None
/// once the deadline has passed.
pub fn forecast(recent: i64, current: i64, today: NaiveDate, deadline: NaiveDate) -> Option<i64> {
    if deadline < today {
        return None;
    }
    let days_left = (deadline - today).num_days();
    Some(current + recent * days_left / 365)
}

/// The first day of the forecast's twelve-month window ending on `today` (exclusive).
pub fn forecast_window_start(today: NaiveDate) -> NaiveDate {
    today - chrono::Duration::days(365)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forecast_carries_the_last_years_pace_to_the_deadline() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let dates = [
            d("2024-03-01"),
            d("2024-09-01"),
            d("2025-03-01"),
            d("2025-06-01"),
        ];
        let today = d("2025-06-30");
        let from = forecast_window_start(today);
        let recent = dates.iter().filter(|x| **x > from && **x <= today).count() as i64;
        // Three in the 365 days up to 2025-06-30; half a year left → one more (3 × 183 / 365).
        assert_eq!(recent, 3);
        assert_eq!(forecast(recent, 4, today, d("2025-12-30")), Some(5));
        assert_eq!(forecast(recent, 4, today, d("2026-06-30")), Some(7));
        assert_eq!(forecast(recent, 4, d("2026-01-01"), d("2025-12-31")), None);
    }

    #[test]
    fn the_gaotang_programme_is_valid_and_round_trips_through_yaml_and_json() {
        let p = ProgrammeSpec::gaotang();
        assert_eq!(p.targets_of(DemoType::Enterprise).len(), 2);
        assert_eq!(p.targets_of(DemoType::Station)[1].count, 13);
        assert_eq!(p.tasks.len(), 5);
        assert_eq!(p.criteria.len(), 5);
        for fmt in [SpecFormat::Yaml, SpecFormat::Json] {
            let back = ProgrammeSpec::parse(&p.to_text(fmt), fmt, |_| true).unwrap();
            assert_eq!(back, p);
        }
        let total: u32 = p
            .leaves(DemoType::Enterprise)
            .iter()
            .map(|l| l.indicator.points)
            .sum();
        assert_eq!(total, 100);
    }

    #[test]
    fn the_enterprise_tree_carries_the_reasonable_measures_of_article_six() {
        let p = ProgrammeSpec::gaotang();
        let names: Vec<String> = p
            .leaves(DemoType::Enterprise)
            .iter()
            .map(|l| l.indicator.name.clone())
            .collect();
        for item in ["第一项", "第二项", "第三项", "第四项", "第五项", "第六项"] {
            assert!(names.iter().any(|n| n.contains(item)), "{item}");
        }
    }

    #[test]
    fn every_problem_in_a_file_is_named_by_its_path() {
        let mut p = ProgrammeSpec::gaotang();
        p.targets[4].count = 0; // station 2025 below 2024
        p.indicators.get_mut(&DemoType::Base).unwrap()[0].points = 25;
        p.tasks[0].responsible.push("nowhere".into());
        p.phases[0].deadline = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
        let text = p.to_text(SpecFormat::Json);
        let e = ProgrammeSpec::parse(&text, SpecFormat::Json, |k| k != "nowhere").unwrap_err();
        let paths: Vec<&str> = e.0.iter().map(|x| x.path.as_str()).collect();
        assert!(paths.contains(&"targets[4].count"), "{e}");
        assert!(paths.contains(&"indicators.base"), "{e}");
        assert!(paths.contains(&"indicators.base[0].children"), "{e}");
        assert!(paths.contains(&"tasks[0].responsible[3]"), "{e}");
        assert!(paths.contains(&"phases[0].deadline"), "{e}");
    }

    #[test]
    fn a_malformed_file_names_the_line() {
        let e = ProgrammeSpec::parse("format: x\nkey: [", SpecFormat::Yaml, |_| true).unwrap_err();
        assert!(e.0[0].path.starts_with("line "), "{e}");
        let e = ProgrammeSpec::parse("{\"format\": 1}", SpecFormat::Json, |_| true).unwrap_err();
        assert!(e.0[0].path.starts_with("line 1"), "{e}");
    }

    #[test]
    fn scores_parse_to_tenths_within_the_leaf() {
        assert_eq!(parse_score("7.5", 8), Ok(75));
        assert_eq!(parse_score(" 8 ", 8), Ok(80));
        assert_eq!(parse_score("0", 8), Ok(0));
        assert!(parse_score("8.1", 8).is_err());
        assert!(parse_score("-1", 8).is_err());
        assert!(parse_score("7.55", 8).is_err());
        assert!(parse_score("", 8).is_err());
        assert!(parse_score("abc", 8).is_err());
        assert_eq!(show_tenths(75), "7.5");
        assert_eq!(show_tenths(80), "8");
    }

    #[test]
    fn scores_combine_as_the_mean_of_complete_sheets() {
        let p = ProgrammeSpec::gaotang();
        let leaves = p.leaves(DemoType::Station);
        let full: Sheet = leaves
            .iter()
            .map(|l| (l.indicator.key.clone(), i64::from(l.indicator.points) * 10))
            .collect();
        let mut low = full.clone();
        for v in low.values_mut() {
            *v = *v * 7 / 10;
        }
        let c = combine(&leaves, &[full.clone(), low.clone()], 80).unwrap();
        assert_eq!(c.totals, vec![1000, 700]);
        assert_eq!(c.score, 850);
        assert!(c.passed);
        let c = combine(&leaves, &[low.clone()], 80).unwrap();
        assert!(!c.passed);
        let mut partial = full.clone();
        partial.remove(&leaves[3].indicator.key);
        assert!(combine(&leaves, &[full, partial], 80).is_err());
        assert!(combine(&leaves, &[], 80).is_err());
    }
}
