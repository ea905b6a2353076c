//! Reading a file into rows of text cells: XLSX through calamine, CSV through the csv crate
//! after decoding UTF-8 (with or without BOM), UTF-16 or GB18030/GBK.

use std::borrow::Cow;
use std::io::Cursor;

use calamine::{DataRef, Reader, ReaderRef, Xlsx};

use crate::error::ExchangeError;

/// A file format the exchange reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Office Open XML workbook (Excel 2007+, WPS, LibreOffice).
    Xlsx,
    /// Comma-separated text; written as UTF-8 with BOM and CRLF line endings.
    Csv,
}

impl Format {
    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }

    /// The MIME type for a download.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }

    /// Parses `xlsx` or `csv` (any case, with or without a leading dot).
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext
            .trim()
            .trim_start_matches('.')
            .to_ascii_lowercase()
            .as_str()
        {
            "xlsx" | "xlsm" => Some(Format::Xlsx),
            "csv" | "txt" | "tsv" => Some(Format::Csv),
            _ => None,
        }
    }
}

const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Decides how to read an uploaded file: by content first (an XLSX is a zip, starting with
/// `PK`), then by the file name's extension, then by whether it looks like text.
pub fn detect_format(file_name: &str, bytes: &[u8]) -> Result<Format, ExchangeError> {
    if bytes.starts_with(b"PK") {
        return Ok(Format::Xlsx);
    }
    if bytes.starts_with(OLE_MAGIC) {
        return Err(ExchangeError::LegacyXls);
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ExchangeError::Empty);
    }
    let ext = file_name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match Format::from_extension(ext) {
        Some(Format::Xlsx) => Err(ExchangeError::CorruptWorkbook(
            "不是 zip 格式 / not a zip archive".into(),
        )),
        Some(Format::Csv) => Ok(Format::Csv),
        None if looks_like_text(bytes) => Ok(Format::Csv),
        None => Err(ExchangeError::UnknownFormat),
    }
}

fn looks_like_text(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    let head = &bytes[..bytes.len().min(8192)];
    !head
        .iter()
        .any(|&b| b == 0 || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')))
}

/// A problem with a single cell found while reading it, before any field is parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CellIssue {
    /// A number with more digits than a spreadsheet keeps (≥ 10^15): digits were lost.
    LostPrecision,
    /// An Excel error value such as `#N/A`.
    ExcelError(String),
}

/// One cell as text (not yet trimmed), with an issue if reading it went wrong.
pub(crate) type Cell = (String, Option<CellIssue>);

/// Receives rows: the 1-based row number as a spreadsheet shows it, and the cells from column A.
pub(crate) trait RowSink {
    /// Takes one row; an error stops reading.
    fn row(&mut self, number: usize, cells: Vec<Cell>) -> Result<(), ExchangeError>;
}

/// Text of a number without a trailing `.0` or exponent.
pub(crate) fn number_text(f: f64) -> Cell {
    if !f.is_finite() {
        return (f.to_string(), None);
    }
    if f.fract() == 0.0 {
        let lossy = f.abs() >= 1e15;
        // `{}` on f64 never uses an exponent and omits `.0` for integral values.
        let text = if f.abs() < 9.0e18 {
            (f as i64).to_string()
        } else {
            format!("{f}")
        };
        return (text, lossy.then_some(CellIssue::LostPrecision));
    }
    (format!("{f}"), None)
}

fn data_text(d: &DataRef<'_>) -> Cell {
    match d {
        DataRef::Empty => (String::new(), None),
        DataRef::SharedString(s) => ((*s).to_string(), None),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => (s.clone(), None),
        DataRef::Int(i) => (i.to_string(), None),
        DataRef::Float(f) => number_text(*f),
        DataRef::Bool(b) => (if *b { "true" } else { "false" }.to_string(), None),
        DataRef::DateTime(dt) => (dt.to_string(), None),
        DataRef::Error(e) => {
            let text = e.to_string();
            (text.clone(), Some(CellIssue::ExcelError(text)))
        }
    }
}

/// Reads the worksheets of an XLSX in order, handing each to a fresh sink from `make_sink`,
/// until one is accepted. A sheet is skipped when it is empty or has no header row; other
/// errors stop at once.
pub(crate) fn read_xlsx<S: RowSink, T>(
    bytes: &[u8],
    mut make_sink: impl FnMut() -> S,
    mut finish: impl FnMut(S) -> Result<T, ExchangeError>,
) -> Result<T, ExchangeError> {
    let mut book =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| ExchangeError::CorruptWorkbook(e.to_string()))?;
    let names = book.sheet_names();
    let mut first_err = None;
    for name in names {
        let range = book
            .worksheet_range_ref(&name)
            .map_err(|e| ExchangeError::CorruptWorkbook(e.to_string()))?;
        let mut sink = make_sink();
        let start_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
        let start_col = range.start().map(|(_, c)| c as usize).unwrap_or(0);
        let mut result = Ok(());
        for (i, row) in range.rows().enumerate() {
            if row
                .iter()
                .all(|c| matches!(c, DataRef::Empty) || is_blank_data(c))
            {
                continue;
            }
            let mut cells = Vec::with_capacity(start_col + row.len());
            cells.resize(start_col, (String::new(), None));
            cells.extend(row.iter().map(data_text));
            if let Err(e) = sink.row(start_row + i + 1, cells) {
                result = Err(e);
                break;
            }
        }
        let outcome = result.and_then(|()| finish(sink));
        match outcome {
            Err(e @ (ExchangeError::Empty | ExchangeError::NoHeaderRow { .. })) => {
                // Prefer "no header row" over "empty" when reporting why nothing was found.
                if !matches!(first_err, Some(ExchangeError::NoHeaderRow { .. })) {
                    first_err = Some(e);
                }
            }
            other => return other,
        }
    }
    Err(first_err.unwrap_or(ExchangeError::Empty))
}

fn is_blank_data(d: &DataRef<'_>) -> bool {
    match d {
        DataRef::SharedString(s) => s.trim().is_empty(),
        DataRef::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// Decodes CSV bytes: a UTF-8 or UTF-16 BOM decides; otherwise UTF-8 if valid, else GB18030
/// (a superset of GBK and GB2312, which is what Excel on Chinese Windows writes).
pub(crate) fn decode_text(bytes: &[u8]) -> Cow<'_, str> {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return text;
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => encoding_rs::GB18030.decode_without_bom_handling(bytes).0,
    }
}

/// Picks the delimiter from the first non-empty line: comma, tab or semicolon.
fn sniff_delimiter(text: &str) -> u8 {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let count = |c: char| line.chars().filter(|&x| x == c).count();
    let (comma, tab, semi) = (count(','), count('\t'), count(';'));
    if tab > comma && tab >= semi {
        b'\t'
    } else if semi > comma && semi > tab {
        b';'
    } else {
        b','
    }
}

/// Undoes the formula-injection guard written on export: `'=…`, `'+…`, `'-…`, `'@…` lose the
/// apostrophe.
pub(crate) fn unescape_csv(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => s,
    }
}

/// Reads CSV text into the sink; row numbers count records from 1 as a spreadsheet shows them.
pub(crate) fn read_csv<S: RowSink>(bytes: &[u8], sink: &mut S) -> Result<(), ExchangeError> {
    let text = decode_text(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sniff_delimiter(&text))
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    // The csv crate skips empty lines, but a spreadsheet shows each as a row; a record with a
    // quoted line break is still one row. Count rows from record start lines accordingly.
    let mut number = 0usize;
    let raw = text.as_bytes();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                // A record's span starts with the empty lines skipped before it.
                let start = record.position().map_or(0, |p| p.byte() as usize);
                // (A `\n` right after the previous record's `\r` ends that record instead.)
                let from = if start > 0 && raw.get(start - 1) == Some(&b'\r') {
                    start + usize::from(raw.get(start) == Some(&b'\n'))
                } else {
                    start
                };
                let skipped = raw.get(from..).map_or(0, |rest| {
                    rest.iter()
                        .take_while(|&&b| b == b'\n' || b == b'\r')
                        .filter(|&&b| b == b'\n')
                        .count()
                });
                number += 1 + skipped;
                if record.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                let cells = record
                    .iter()
                    .map(|c| (unescape_csv(c).to_string(), None))
                    .collect();
                sink.row(number, cells)?;
            }
            Err(e) => return Err(ExchangeError::Csv(e.to_string())),
        }
    }
    Ok(())
}

/// Spreadsheet column letters for a 0-based index: 0 → `A`, 26 → `AA`.
pub(crate) fn column_letter(mut index: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}
