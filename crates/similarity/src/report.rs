//! Reports: a self-contained side-by-side HTML page (Chinese or English) with the shared runs
//! highlighted in matching colours and linked to each other, and JSON for machines.

use askama::Template;

use crate::compare::Comparison;
use crate::document::Document;

/// The language of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ReportLang {
    /// 简体中文 (the default).
    #[default]
    Zh,
    En,
}

impl ReportLang {
    /// `zh` or `en`.
    pub fn parse(s: &str) -> Option<ReportLang> {
        match s.to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh-hans" | "cn" => Some(ReportLang::Zh),
            "en" | "en-us" | "en-gb" => Some(ReportLang::En),
            _ => None,
        }
    }
}

struct Labels {
    html_lang: &'static str,
    title: &'static str,
    left: &'static str,
    right: &'static str,
    similarity: &'static str,
    left_containment: &'static str,
    right_containment: &'static str,
    longest: &'static str,
    tokens: &'static str,
    shared: &'static str,
    parameters: &'static str,
    settings: &'static str,
    note: &'static str,
    none: &'static str,
    runs: &'static str,
    run_tokens: &'static str,
    footer: &'static str,
    lines: &'static str,
    line: &'static str,
}

const ZH: Labels = Labels {
    html_lang: "zh-CN",
    title: "同一性比对报告",
    left: "左侧",
    right: "右侧",
    similarity: "相似度（重叠系数）",
    left_containment: "左侧内容在右侧中出现的比例",
    right_containment: "右侧内容在左侧中出现的比例",
    longest: "最长相同片段（词元数）",
    tokens: "参与比对的词元数（左 / 右）",
    shared: "其中相同：",
    parameters: "参数（数值与单位）",
    settings: "比对设置",
    note: "高亮部分是规范化后相同的片段：标识符改名、排版、注释、全角半角、繁简体的差异不影响比对；代码片段的顺序调整也能找到。颜色和编号在两侧对应，点击一侧的片段可跳到另一侧。本报告只说明文本的重合情况，是否构成“实质上相同”由鉴定人结合技术秘密的内容判断。",
    none: "没有找到达到最短长度的相同片段。",
    runs: "相同片段",
    run_tokens: "词元数",
    footer: "由 shoumi（守秘）同一性比对引擎生成。相似度 = 相同词元数 ÷ 较短一侧的词元数；比例中不计模板（基础文件）中的内容。",
    lines: "第 {a}–{b} 行",
    line: "第 {a} 行",
};

const EN: Labels = Labels {
    html_lang: "en",
    title: "Similarity appraisal report",
    left: "Left",
    right: "Right",
    similarity: "Similarity (overlap coefficient)",
    left_containment: "Share of the left found in the right",
    right_containment: "Share of the right found in the left",
    longest: "Longest shared run (tokens)",
    tokens: "Tokens compared (left / right)",
    shared: "shared:",
    parameters: "Parameters (values with units)",
    settings: "Settings",
    note: "Highlighted text is the same after normalisation: renamed identifiers, layout, comments, full/half-width forms and traditional/simplified characters do not hide it, and reordered blocks are still found. Colours and numbers correspond on both sides; click a run to jump to the other side. This report shows textual overlap only; whether the material is substantially identical is for the appraiser to judge against the content of the secret.",
    none: "No shared run reaches the minimum length.",
    runs: "Shared runs",
    run_tokens: "Tokens",
    footer: "Made by the shoumi similarity engine. Similarity = shared tokens ÷ tokens of the shorter side; base (template) material is not counted.",
    lines: "lines {a}–{b}",
    line: "line {a}",
};

struct Seg {
    text: String,
    cls: String,
    id: String,
    href: String,
    n: usize,
}

struct Line {
    no: usize,
    segs: Vec<Seg>,
}

struct Run {
    n: usize,
    cls: String,
    left: String,
    right: String,
    tokens: u32,
}

#[derive(Template)]
#[template(path = "report.html")]
struct Page<'a> {
    l: &'a Labels,
    left_name: &'a str,
    right_name: &'a str,
    similarity: String,
    left_containment: String,
    right_containment: String,
    longest: u32,
    left_tokens: usize,
    right_tokens: usize,
    shared_tokens: usize,
    params: String,
    settings: String,
    runs: Vec<Run>,
    left_lines: Vec<Line>,
    right_lines: Vec<Line>,
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn lines_label(l: &Labels, a: u32, b: u32) -> String {
    if a == b {
        l.line.replace("{a}", &a.to_string())
    } else {
        l.lines
            .replace("{a}", &a.to_string())
            .replace("{b}", &b.to_string())
    }
}

/// Splits a text into lines of segments, marking the byte ranges `marks` (start, end, run
/// number), which must not overlap.
fn marked_lines(text: &str, marks: &[(u32, u32, usize)], side: char, other: char) -> Vec<Line> {
    let mut marks: Vec<(usize, usize, usize)> = marks
        .iter()
        .map(|&(s, e, n)| (s as usize, e as usize, n))
        .collect();
    marks.sort_unstable();
    let mut out = Vec::new();
    let mut mi = 0;
    let mut first_seen = vec![false; marks.iter().map(|m| m.2 + 1).max().unwrap_or(0)];
    let mut ls = 0usize;
    for (no, raw) in text.split('\n').enumerate() {
        let le = ls + raw.len();
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let le_vis = ls + line.len();
        let mut segs = Vec::new();
        let mut pos = ls;
        while pos < le_vis {
            while mi < marks.len() && marks[mi].1 <= pos {
                mi += 1;
            }
            let (end, mark) = match marks.get(mi) {
                Some(&(s, e, n)) if s <= pos => (e.min(le_vis), Some(n)),
                Some(&(s, _, _)) => (s.min(le_vis), None),
                None => (le_vis, None),
            };
            let end = end.max(pos + 1).min(le_vis);
            let mut end = end;
            while end < le_vis && !text.is_char_boundary(end) {
                end += 1;
            }
            let piece = &text[pos..end];
            match mark {
                Some(n) => {
                    let id = if first_seen[n] {
                        String::new()
                    } else {
                        first_seen[n] = true;
                        format!("{side}{}", n + 1)
                    };
                    segs.push(Seg {
                        text: piece.to_string(),
                        cls: format!("m{}", n % 8),
                        id,
                        href: format!("#{other}{}", n + 1),
                        n: n + 1,
                    });
                }
                None => segs.push(Seg {
                    text: piece.to_string(),
                    cls: String::new(),
                    id: String::new(),
                    href: String::new(),
                    n: 0,
                }),
            }
            pos = end;
        }
        out.push(Line { no: no + 1, segs });
        ls = le + 1;
    }
    out
}

/// The side-by-side HTML report of a comparison of `left` and `right` (the documents compared).
pub fn html(c: &Comparison, left: &Document, right: &Document, lang: ReportLang) -> String {
    let l = match lang {
        ReportLang::Zh => &ZH,
        ReportLang::En => &EN,
    };
    let lm: Vec<(u32, u32, usize)> = c
        .matches
        .iter()
        .enumerate()
        .map(|(n, m)| (m.left.bytes[0], m.left.bytes[1], n))
        .collect();
    let rm: Vec<(u32, u32, usize)> = c
        .matches
        .iter()
        .enumerate()
        .map(|(n, m)| (m.right.bytes[0], m.right.bytes[1], n))
        .collect();
    let runs = c
        .matches
        .iter()
        .enumerate()
        .map(|(n, m)| Run {
            n: n + 1,
            cls: format!("m{}", n % 8),
            left: lines_label(l, m.left.start.line, m.left.end.line),
            right: lines_label(l, m.right.start.line, m.right.end.line),
            tokens: m.tokens,
        })
        .collect();
    let params = match &c.parameters {
        Some(p) => match lang {
            ReportLang::Zh => format!(
                "左侧 {} 个，右侧 {} 个，相同 {} 个（权重 {:.2} / {:.2}）",
                p.left, p.right, p.shared, p.left_weight, p.right_weight
            ),
            ReportLang::En => format!(
                "left {}, right {}, shared {} (weight {:.2} / {:.2})",
                p.left, p.right, p.shared, p.left_weight, p.right_weight
            ),
        },
        None => String::new(),
    };
    let settings = match lang {
        ReportLang::Zh => format!(
            "语言 {} / {}；最短片段 {} 个词元",
            left.language.name(),
            right.language.name(),
            c.min_run
        ),
        ReportLang::En => format!(
            "languages {} / {}; minimum run {} tokens",
            left.language.name(),
            right.language.name(),
            c.min_run
        ),
    };
    let page = Page {
        l,
        left_name: &c.left,
        right_name: &c.right,
        similarity: pct(c.similarity),
        left_containment: pct(c.left_containment),
        right_containment: pct(c.right_containment),
        longest: c.longest,
        left_tokens: c.left_tokens,
        right_tokens: c.right_tokens,
        shared_tokens: c.shared_tokens,
        params,
        settings,
        runs,
        left_lines: marked_lines(&left.text, &lm, 'L', 'R'),
        right_lines: marked_lines(&right.text, &rm, 'R', 'L'),
    };
    // Rendering into a String cannot fail for these types; keep the error readable anyway.
    page.render()
        .unwrap_or_else(|e| format!("<!DOCTYPE html><p>report error: {e}</p>"))
}

/// The comparison as pretty-printed JSON.
pub fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}
