//! XLSX, read with calamine's streaming cell reader (no dense sheet in memory, so a sheet
//! that claims `A1:XFD1048576` costs only the cells it has).

use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx, XlsxError};

use super::{Ctx, ExtractError, Extracted, Format, TextBuilder};

pub(crate) fn extract(ctx: &Ctx<'_>, bytes: &[u8]) -> Result<Extracted, ExtractError> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| error(ctx, e))?;
    let mut b = TextBuilder::new(ctx.limits);
    let names = book.sheet_names();
    for name in &names {
        let cells = match read_sheet(&mut book, name) {
            Ok(cells) => cells,
            // A chart sheet, or a sheet whose XML is broken: keep the other sheets.
            Err(e @ (XlsxError::NotAWorksheet(_) | XlsxError::WorksheetNotFound(_))) => {
                b.warn(format!("sheet {name} has no cells to read ({e})"));
                continue;
            }
            Err(e) => {
                b.warn(format!("sheet {name} is damaged and was skipped: {e}"));
                continue;
            }
        };
        b.section(format!("sheet {name}"));
        b.text.push_str(&one_line(name));
        b.text.push('\n');
        write_rows(&mut b, cells);
        if b.over_limit() {
            return Err(ctx.too_large("the extracted text", ctx.limits.max_text_bytes as u64));
        }
    }
    if names.is_empty() {
        b.warn("the workbook has no sheets");
    }
    Ok(b.finish(Format::Xlsx))
}

fn error(ctx: &Ctx<'_>, e: XlsxError) -> ExtractError {
    match e {
        XlsxError::Password => ctx.encrypted("XLSX"),
        e => ctx.corrupt("XLSX", e),
    }
}

/// (row, column, text) of every non-empty cell, in the order the sheet lists them.
fn read_sheet(
    book: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
) -> Result<Vec<(u32, u32, String)>, XlsxError> {
    let mut reader = book.worksheet_cells_reader(name)?;
    let mut cells = Vec::new();
    while let Some((cell, style)) = reader.next_cell_with_style_id()? {
        let format = reader
            .styles()
            .get(style)
            .and_then(|s| s.number_format.as_ref())
            .map(|f| f.format_code.as_str());
        let text = one_line_owned(cell_text(cell.get_value(), format));
        if !text.is_empty() {
            let (row, col) = cell.get_position();
            cells.push((row, col, text));
        }
    }
    Ok(cells)
}

/// One line per row, cells separated by tabs. Columns that are empty throughout the sheet
/// are left out, so that a stray cell in column XFD does not make 16,000 tabs.
fn write_rows(b: &mut TextBuilder, mut cells: Vec<(u32, u32, String)>) {
    cells.sort_by_key(|&(r, c, _)| (r, c));
    let mut columns: Vec<u32> = cells.iter().map(|&(_, c, _)| c).collect();
    columns.sort_unstable();
    columns.dedup();
    let mut i = 0;
    while i < cells.len() {
        let row = cells[i].0;
        let mut at = 0; // dense column index the line has reached
        let mut first = true;
        while i < cells.len() && cells[i].0 == row {
            let (_, col, ref text) = cells[i];
            // Same position twice (a malformed sheet): the later one wins.
            if cells.get(i + 1).is_some_and(|n| n.0 == row && n.1 == col) {
                i += 1;
                continue;
            }
            let dense = columns.binary_search(&col).unwrap_or(0);
            let tabs = if first {
                dense
            } else {
                dense.saturating_sub(at)
            };
            b.text.extend(std::iter::repeat_n('\t', tabs));
            b.text.push_str(text);
            at = dense;
            first = false;
            i += 1;
        }
        b.text.push('\n');
        if b.over_limit() {
            return;
        }
    }
}

fn one_line(s: &str) -> String {
    s.replace(['\r', '\n', '\t'], " ")
}

fn one_line_owned(s: String) -> String {
    if s.contains(['\r', '\n', '\t']) {
        one_line(&s)
    } else {
        s
    }
}

/// A cell as Excel would show it: numbers in General format unless the format is a
/// percentage; dates and times as ISO 8601.
fn cell_text(value: &DataRef<'_>, format: Option<&str>) -> String {
    match value {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Int(i) => match format.and_then(percent_decimals) {
            Some(d) => percent(*i as f64, d),
            None => i.to_string(),
        },
        DataRef::Float(f) => match format.and_then(percent_decimals) {
            Some(d) => percent(*f, d),
            None => general(*f),
        },
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        DataRef::DateTime(dt) => {
            let v = dt.as_f64();
            if dt.is_duration() {
                duration(v)
            } else if !(0.0..2_958_466.0).contains(&v) {
                // Outside 1900-01-00..9999-12-31: show the number rather than a wrong date.
                general(v)
            } else {
                let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
                if v < 1.0 {
                    format!("{h:02}:{mi:02}:{s:02}")
                } else if (h, mi, s) == (0, 0, 0) {
                    format!("{y:04}-{mo:02}-{d:02}")
                } else {
                    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
                }
            }
        }
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
    }
}

/// A number as Excel's General format shows it: at most 15 significant digits (so stored
/// binary noise such as 0.30000000000000004 reads 0.3), no trailing `.0`, exponent notation
/// only for very large or very small magnitudes.
pub(crate) fn general(v: f64) -> String {
    if !v.is_finite() {
        return "#NUM!".into();
    }
    if v == 0.0 {
        return "0".into();
    }
    let abs = v.abs();
    if (1e-5..1e15).contains(&abs) {
        if v.fract() == 0.0 {
            return format!("{v:.0}");
        }
        // The shortest text that reads back as `v`; when that has at most 15 significant
        // digits (0.35, 2.5) it is what Excel shows.
        let shortest = v.to_string();
        if significant_digits(&shortest) <= 15 {
            return shortest;
        }
    }
    // Round to 15 significant digits.
    let rounded: f64 = format!("{v:.14e}").parse().unwrap_or(v);
    let abs = rounded.abs();
    if (1e-5..1e15).contains(&abs) {
        if rounded.fract() == 0.0 {
            return format!("{rounded:.0}");
        }
        return format!("{rounded}");
    }
    // 1E-07, 1.5E+20
    let s = format!("{rounded:e}");
    match s.split_once('e') {
        Some((mantissa, exp)) => {
            let (sign, digits) = match exp.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', exp),
            };
            format!("{mantissa}E{sign}{digits:0>2}")
        }
        None => s,
    }
}

/// Significant digits of a plain decimal ("0.0035" → 2, "120.5" → 4). Leading zeros do not
/// count; a shortest representation has no trailing zeros after the point.
fn significant_digits(s: &str) -> usize {
    s.bytes()
        .filter(u8::is_ascii_digit)
        .skip_while(|&b| b == b'0')
        .count()
}

/// Decimal places of a percentage number format (`0%` → 0, `0.0%` → 1), `None` if the
/// format is not a percentage. Only the first (positive) section counts; quoted text and
/// escaped characters are not format characters.
fn percent_decimals(code: &str) -> Option<usize> {
    let mut in_quote = false;
    let mut escaped = false;
    let mut after_point = None::<usize>;
    let mut in_bracket = false;
    for c in code.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '"' => in_quote = !in_quote,
            _ if in_quote => {}
            '\\' | '_' | '*' => escaped = true,
            '[' => in_bracket = true,
            ']' => in_bracket = false,
            _ if in_bracket => {}
            ';' => return None,
            '.' => after_point = Some(0),
            '0' | '#' | '?' => {
                if let Some(n) = after_point.as_mut() {
                    *n += 1;
                }
            }
            '%' => return Some(after_point.unwrap_or(0).min(15)),
            _ => {}
        }
    }
    None
}

fn percent(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "#NUM!".into();
    }
    format!("{:.*}%", decimals, v * 100.0)
}

/// A duration as `[h]:mm:ss`.
fn duration(days: f64) -> String {
    if !days.is_finite() || days.abs() > 1e9 {
        return general(days);
    }
    let total = (days * 86_400.0).round() as i64;
    let sign = if total < 0 { "-" } else { "" };
    let total = total.unsigned_abs();
    format!(
        "{sign}{}:{:02}:{:02}",
        total / 3600,
        total / 60 % 60,
        total % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn general_numbers() {
        assert_eq!(general(0.35), "0.35");
        assert_eq!(general(180.0), "180");
        assert_eq!(general(-2.0), "-2");
        assert_eq!(general(0.1 + 0.2), "0.3");
        assert_eq!(general(1234567.125), "1234567.125");
        assert_eq!(general(1e-7), "1E-07");
        assert_eq!(general(1.5e20), "1.5E+20");
        assert_eq!(general(0.0), "0");
        assert_eq!(general(f64::NAN), "#NUM!");
    }

    #[test]
    fn percentages() {
        assert_eq!(percent_decimals("0%"), Some(0));
        assert_eq!(percent_decimals("0.0%"), Some(1));
        assert_eq!(percent_decimals("0.00%"), Some(2));
        assert_eq!(percent_decimals("#,##0.00"), None);
        assert_eq!(percent_decimals("\"%\"0"), None);
        assert_eq!(percent_decimals("General"), None);
        assert_eq!(percent(0.025, 1), "2.5%");
        assert_eq!(percent(0.35, 0), "35%");
    }

    #[test]
    fn durations() {
        assert_eq!(duration(1.5), "36:00:00");
        assert_eq!(duration(-0.5), "-12:00:00");
    }
}
