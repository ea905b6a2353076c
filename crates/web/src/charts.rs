//! Charts drawn on the server as SVG: readable without JavaScript, printable, and telling their
//! series apart by pattern, line style and text labels rather than by colour alone.
//!
//! The geometry is computed here; the markup is a template (`templates/charts/bars.svg`), which
//! escapes every label.

use askama::Template;

/// A horizontal bar chart: one bar per row, with optional markers (targets, forecasts) drawn as
/// labelled vertical lines.
#[derive(Template)]
#[template(path = "charts/bars.svg", escape = "html")]
pub struct Bars {
    /// Unique on the page (several charts share one document).
    pub uid: u32,
    pub title: String,
    pub desc: String,
    pub width: u32,
    pub height: u32,
    pub label_w: u32,
    pub plot_w: u32,
    pub rows: Vec<BarRow>,
    pub ticks: Vec<Tick>,
    pub legend: Vec<Legend>,
    pub legend_y: u32,
}

pub struct BarRow {
    pub y: u32,
    pub h: u32,
    pub label: String,
    pub w: u32,
    pub value: String,
    pub value_x: u32,
    pub hatched: bool,
    pub markers: Vec<MarkerGeom>,
}

pub struct MarkerGeom {
    pub x: u32,
    pub text: String,
    pub text_y: u32,
    pub dotted: bool,
}

pub struct Tick {
    pub x: u32,
    pub text: String,
}

pub struct Legend {
    pub x: u32,
    pub text: String,
    /// "solid", "hatch", "dashed" or "dotted".
    pub kind: &'static str,
}

/// Input for one bar.
pub struct BarInput {
    pub label: String,
    pub value: f64,
    pub value_text: String,
    pub hatched: bool,
    pub markers: Vec<Marker>,
}

pub struct Marker {
    pub value: f64,
    pub text: String,
    pub dotted: bool,
}

const ROW_H: u32 = 46;
const BAR_H: u32 = 18;
const TOP: u32 = 18;

impl Bars {
    pub fn new(
        title: &str,
        desc: &str,
        rows: Vec<BarInput>,
        legend: Vec<(&str, &'static str)>,
    ) -> Bars {
        let width = 640;
        let label_w = 150;
        let plot_w = width - label_w - 60;
        let max = rows
            .iter()
            .flat_map(|r| std::iter::once(r.value).chain(r.markers.iter().map(|m| m.value)))
            .fold(1.0_f64, f64::max);
        let step = nice_step(max);
        let top = (max / step).ceil() * step;
        let x = |v: f64| label_w + ((v / top) * plot_w as f64).round() as u32;
        let n = rows.len() as u32;
        let rows: Vec<BarRow> = rows
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                let y = TOP + i as u32 * ROW_H;
                let w = x(r.value) - label_w;
                BarRow {
                    y,
                    h: BAR_H,
                    label: r.label,
                    w,
                    value_x: label_w + w + 4,
                    value: r.value_text,
                    hatched: r.hatched,
                    markers: r
                        .markers
                        .into_iter()
                        .enumerate()
                        .map(|(j, m)| MarkerGeom {
                            x: x(m.value),
                            text: m.text,
                            // Alternate below and above the bar so that close markers do not overprint.
                            text_y: if j % 2 == 0 { y + BAR_H + 12 } else { y - 6 },
                            dotted: m.dotted,
                        })
                        .collect(),
                }
            })
            .collect();
        let axis_y = TOP + n * ROW_H;
        let mut ticks = Vec::new();
        let mut v = 0.0;
        while v <= top + 1e-9 {
            ticks.push(Tick {
                x: x(v),
                text: format_num(v),
            });
            v += step;
        }
        let mut lx = label_w;
        let legend = legend
            .into_iter()
            .map(|(text, kind)| {
                let l = Legend {
                    x: lx,
                    text: text.to_string(),
                    kind,
                };
                lx += 40 + text.chars().count() as u32 * 13;
                l
            })
            .collect::<Vec<_>>();
        let legend_y = axis_y + 30;
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
        Bars {
            uid: NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            title: title.to_string(),
            desc: desc.to_string(),
            width,
            height: legend_y + if legend.is_empty() { 0 } else { 20 },
            label_w,
            plot_w,
            rows,
            ticks,
            legend,
            legend_y,
        }
    }

    pub fn axis_y(&self) -> u32 {
        TOP + self.rows.len() as u32 * ROW_H
    }

    /// The chart as SVG markup (to be placed in a page unescaped: every label in it is escaped).
    pub fn svg(&self) -> String {
        self.render().unwrap_or_default()
    }
}

/// A step of 1, 2 or 5 × 10ⁿ giving four to eight ticks.
fn nice_step(max: f64) -> f64 {
    let raw = max / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let step = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    } * mag;
    step.max(1.0)
}

fn format_num(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_escapes_its_labels_and_places_markers_on_the_scale() {
        let b = Bars::new(
            "目标 <完成>",
            "desc",
            vec![BarInput {
                label: "示范企业 <script>".into(),
                value: 5.0,
                value_text: "5".into(),
                hatched: false,
                markers: vec![Marker {
                    value: 10.0,
                    text: "目标 10".into(),
                    dotted: false,
                }],
            }],
            vec![("已命名", "solid"), ("目标", "dashed")],
        );
        let svg = b.svg();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("示范企业 &#60;script&#62;"), "{svg}");
        assert!(!svg.contains("<script"));
        assert!(svg.contains("目标 10"));
        // The target (10) lies at the end of the scale, the bar (5) halfway.
        assert_eq!(b.rows[0].markers[0].x, b.label_w + b.plot_w);
        assert_eq!(b.rows[0].w, b.plot_w / 2);
    }

    #[test]
    fn ticks_are_round_numbers() {
        assert_eq!(nice_step(13.0), 5.0);
        assert_eq!(nice_step(2.0), 1.0);
        assert_eq!(nice_step(900.0), 200.0);
    }
}
