//! Writing enterprises, units, problem reports and arbitrary tables as XLSX or CSV.

use rust_xlsxwriter::{Format as CellFormat, FormatAlign, Workbook, Worksheet};
use shoumi_domain::{EnterpriseInput, UnitInput};

use crate::columns::{
    Column, ENTERPRISE_COLUMNS, UNIT_COLUMNS, enterprise_values, unit_to_form, unit_values,
};
use crate::import::RowProblem;
use crate::read::Format;

/// Data rows per worksheet: Excel's limit of 1,048,576 rows less the header.
const MAX_DATA_ROWS: usize = 1_048_575;
/// Columns per worksheet in Excel.
const MAX_COLUMNS: usize = 16_384;
/// Characters per cell in Excel.
const MAX_CELL_CHARS: usize = 32_767;
/// Rows sampled when sizing columns.
const WIDTH_SAMPLE_ROWS: usize = 1_000;

/// Writes enterprises with the Chinese headers of the import sheet and canonical values
/// ([`EnterpriseInput::to_form`]), so that the file imports back unchanged.
pub fn export_enterprises(rows: &[EnterpriseInput], format: Format) -> Vec<u8> {
    let values: Vec<Vec<String>> = rows
        .iter()
        .map(|e| enterprise_values(e.to_form()))
        .collect();
    export_columns("企业", ENTERPRISE_COLUMNS, &values, format)
}

/// Writes units with the Chinese headers of the import sheet and canonical values
/// ([`unit_to_form`]), so that the file imports back unchanged.
pub fn export_units(rows: &[UnitInput], format: Format) -> Vec<u8> {
    let values: Vec<Vec<String>> = rows.iter().map(|u| unit_values(unit_to_form(u))).collect();
    export_columns("单位", UNIT_COLUMNS, &values, format)
}

fn export_columns(
    sheet: &str,
    columns: &[Column],
    rows: &[Vec<String>],
    format: Format,
) -> Vec<u8> {
    let headers: Vec<&str> = columns.iter().map(|c| c.zh).collect();
    match format {
        Format::Csv => export_table_csv(&headers, rows),
        Format::Xlsx => {
            let widths: Vec<f64> = columns.iter().map(|c| c.width).collect();
            let text_columns: Vec<bool> = columns.iter().map(|c| c.code_like).collect();
            write_xlsx(sheet, &headers, rows, Some(&widths), &text_columns)
        }
    }
}

/// Writes the problems of an import as a workbook the user can download: row, column,
/// severity and message, in Chinese or English.
pub fn problems_report_xlsx(problems: &[RowProblem], lang_en: bool) -> Vec<u8> {
    let headers: &[&str] = if lang_en {
        &["Row", "Column", "Field", "Severity", "Problem"]
    } else {
        &["行号", "列", "字段", "级别", "问题说明"]
    };
    let mut sorted: Vec<&RowProblem> = problems.iter().collect();
    sorted.sort_by_key(|p| (p.row, p.severity));
    let rows: Vec<Vec<String>> = sorted
        .iter()
        .map(|p| {
            vec![
                p.row.to_string(),
                p.column.clone(),
                p.field.clone(),
                p.severity.label(lang_en).to_string(),
                p.message(lang_en).to_string(),
            ]
        })
        .collect();
    let sheet = if lang_en { "Problems" } else { "问题清单" };
    write_xlsx(
        sheet,
        headers,
        &rows,
        Some(&[8.0, 18.0, 18.0, 8.0, 80.0]),
        &[],
    )
}

/// Writes any table as an XLSX workbook: text cells, a bold frozen header row, an autofilter
/// and column widths fitted to the content. Rows beyond Excel's limit continue on further
/// sheets (`name (2)`, …).
pub fn export_table_xlsx(sheet_name: &str, headers: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    write_xlsx(sheet_name, headers, rows, None, &[])
}

/// One sheet of a workbook.
pub struct Sheet<'a> {
    pub name: &'a str,
    pub headers: Vec<&'a str>,
    pub rows: Vec<Vec<String>>,
}

/// Writes several tables into one workbook, a sheet each (a report with all its tables), with
/// the same formatting as [`export_table_xlsx`].
pub fn export_workbook(sheets: &[Sheet<'_>]) -> Vec<u8> {
    let header_format = CellFormat::new()
        .set_bold()
        .set_background_color(0xD9E1F2)
        .set_align(FormatAlign::Center);
    let text_format = CellFormat::new().set_num_format("@");
    let mut workbook = Workbook::new();
    let mut used = std::collections::HashSet::new();
    for s in sheets {
        let ncols = s.headers.len().min(MAX_COLUMNS);
        let widths = fitted_widths(&s.headers[..ncols], &s.rows);
        let chunks: Vec<&[Vec<String>]> = if s.rows.is_empty() {
            vec![&[]]
        } else {
            s.rows.chunks(MAX_DATA_ROWS).collect()
        };
        for (part, chunk) in chunks.into_iter().enumerate() {
            let mut title = sheet_title(s.name, part + 1);
            let mut n = 2;
            while !used.insert(title.clone()) {
                title = sheet_title(&format!("{} {n}", s.name), part + 1);
                n += 1;
            }
            let sheet = workbook.add_worksheet();
            let _ = sheet.set_name(title);
            write_sheet(
                sheet,
                &s.headers[..ncols],
                chunk,
                &widths,
                &[],
                &header_format,
                &text_format,
            );
        }
    }
    workbook.save_to_buffer().unwrap_or_default()
}

/// Writes any table as CSV: UTF-8 with a BOM (so Excel reads Chinese correctly), CRLF line
/// endings, and an apostrophe before values starting with `=`, `+`, `-` or `@` so that a
/// spreadsheet does not run them as formulas (the importer removes it again).
pub fn export_table_csv(headers: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + rows.len() * 64);
    out.extend_from_slice("\u{feff}".as_bytes());
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    // Writing to a Vec cannot fail.
    let header: Vec<_> = headers.iter().map(|h| escape_csv(h)).collect();
    let _ = writer.write_record(header.iter().map(|c| c.as_bytes()));
    let mut record = Vec::new();
    for row in rows {
        record.clear();
        record.extend(row.iter().map(|v| escape_csv(v)));
        let _ = writer.write_record(record.iter().map(|c| c.as_bytes()));
    }
    writer.into_inner().unwrap_or_default()
}

fn escape_csv(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

/// Excel's rules for sheet names: 1–31 characters, none of `[]:*?/\`, no leading or trailing
/// apostrophe.
fn sheet_title(name: &str, part: usize) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .collect();
    let clean = clean.trim().trim_matches('\'');
    let clean = if clean.is_empty() { "Sheet1" } else { clean };
    let suffix = if part > 1 {
        format!(" ({part})")
    } else {
        String::new()
    };
    let keep = 31 - suffix.chars().count();
    let mut title: String = clean.chars().take(keep).collect();
    title.push_str(&suffix);
    title
}

/// Display width of text in "characters" of the default font: CJK and full-width count two.
fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
        .sum()
}

fn fitted_widths(headers: &[&str], rows: &[Vec<String>]) -> Vec<f64> {
    let mut widths: Vec<usize> = headers.iter().map(|h| display_width(h) + 2).collect();
    for row in rows.iter().take(WIDTH_SAMPLE_ROWS) {
        for (i, v) in row.iter().enumerate().take(widths.len()) {
            let w = v.lines().map(display_width).max().unwrap_or(0);
            widths[i] = widths[i].max(w + 1);
        }
    }
    widths.into_iter().map(|w| w.clamp(6, 60) as f64).collect()
}

fn cell_text(s: &str) -> &str {
    match s.char_indices().nth(MAX_CELL_CHARS) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

fn write_xlsx(
    sheet_name: &str,
    headers: &[&str],
    rows: &[Vec<String>],
    widths: Option<&[f64]>,
    text_columns: &[bool],
) -> Vec<u8> {
    let ncols = headers.len().min(MAX_COLUMNS);
    let fitted;
    let widths = match widths {
        Some(w) => w,
        None => {
            fitted = fitted_widths(&headers[..ncols], rows);
            &fitted
        }
    };
    let header_format = CellFormat::new()
        .set_bold()
        .set_background_color(0xD9E1F2)
        .set_align(FormatAlign::Center);
    let text_format = CellFormat::new().set_num_format("@");

    let mut workbook = Workbook::new();
    let chunks: Vec<&[Vec<String>]> = if rows.is_empty() {
        vec![&[]]
    } else {
        rows.chunks(MAX_DATA_ROWS).collect()
    };
    for (part, chunk) in chunks.into_iter().enumerate() {
        let sheet = workbook.add_worksheet();
        let _ = sheet.set_name(sheet_title(sheet_name, part + 1));
        write_sheet(
            sheet,
            &headers[..ncols],
            chunk,
            widths,
            text_columns,
            &header_format,
            &text_format,
        );
    }
    // Only invalid names or dimensions can fail, and both are guarded above.
    workbook.save_to_buffer().unwrap_or_default()
}

fn write_sheet(
    sheet: &mut Worksheet,
    headers: &[&str],
    rows: &[Vec<String>],
    widths: &[f64],
    text_columns: &[bool],
    header_format: &CellFormat,
    text_format: &CellFormat,
) {
    for (c, h) in headers.iter().enumerate() {
        let col = c as u16;
        let _ = sheet.set_column_width(col, widths.get(c).copied().unwrap_or(12.0));
        if text_columns.get(c).copied().unwrap_or(false) {
            // New values typed into these columns stay text (leading zeros, long codes).
            let _ = sheet.set_column_format(col, text_format);
        }
        let _ = sheet.write_string_with_format(0, col, cell_text(h), header_format);
    }
    for (r, row) in rows.iter().enumerate() {
        let rn = (r + 1) as u32;
        for (c, v) in row.iter().enumerate().take(headers.len()) {
            if v.is_empty() {
                continue;
            }
            let col = c as u16;
            let v = cell_text(v);
            if text_columns.get(c).copied().unwrap_or(false) {
                let _ = sheet.write_string_with_format(rn, col, v, text_format);
            } else {
                let _ = sheet.write_string(rn, col, v);
            }
        }
    }
    if !headers.is_empty() {
        let _ = sheet.set_freeze_panes(1, 0);
        let _ = sheet.autofilter(0, 0, rows.len() as u32, (headers.len() - 1) as u16);
    }
}
