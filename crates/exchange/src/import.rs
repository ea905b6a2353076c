//! Importing enterprises and units: header matching, row mapping onto the domain's forms,
//! duplicate detection and row-level problems.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use shoumi_domain::{
    CreditCode, EnterpriseForm, EnterpriseInput, FieldError, FieldErrors, UnitForm, UnitInput,
};

use crate::columns::{
    Column, ENTERPRISE_COLUMNS, IGNORED_HEADERS, UNIT_COLUMNS, enterprise_field, find_column,
    normalise_header, unit_field,
};
use crate::error::ExchangeError;
use crate::read::{
    Cell, CellIssue, Format, RowSink, column_letter, detect_format, read_csv, read_xlsx,
};

/// How serious a [`RowProblem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The row cannot be imported; because imports are all or nothing, neither can the file.
    Error,
    /// Worth checking, but the row imports (e.g. a legacy credit code failing its check).
    Warning,
}

impl Severity {
    /// `错误`/`警告` or `error`/`warning`.
    pub fn label(self, lang_en: bool) -> &'static str {
        match (self, lang_en) {
            (Severity::Error, false) => "错误",
            (Severity::Warning, false) => "警告",
            (Severity::Error, true) => "error",
            (Severity::Warning, true) => "warning",
        }
    }
}

/// A problem with one cell (or one row) of an imported file. Serialisable both ways so a page
/// can carry a report and later turn it into a download ([`crate::problems_report_xlsx`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    /// 1-based row number as a person sees it in Excel or LibreOffice, header row included.
    pub row: usize,
    /// The column's header text as written in the file, e.g. `统一社会信用代码`.
    pub column: String,
    /// The form field, e.g. `credit_code`.
    pub field: String,
    /// What is wrong, in Chinese.
    pub message_zh: String,
    /// What is wrong, in English.
    pub message_en: String,
    /// Whether the problem blocks the import.
    pub severity: Severity,
}

impl RowProblem {
    /// The message in one language.
    pub fn message(&self, lang_en: bool) -> &str {
        if lang_en {
            &self.message_en
        } else {
            &self.message_zh
        }
    }
}

/// A row that parsed, with its spreadsheet row number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParsedRow<T> {
    /// 1-based row number as a spreadsheet shows it.
    pub row: usize,
    /// The parsed record.
    pub value: T,
}

/// The result of reading a whole file: the rows that parsed and every problem found.
///
/// Imports are all or nothing: the caller saves `rows` only when [`ImportOutcome::is_clean`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportOutcome<T> {
    /// Rows without errors, in file order (rows with only warnings are included).
    pub rows: Vec<ParsedRow<T>>,
    /// Errors and warnings, in file order.
    pub problems: Vec<RowProblem>,
}

impl<T> ImportOutcome<T> {
    /// True when no problem is an error, so the rows may be saved.
    pub fn is_clean(&self) -> bool {
        !self.problems.iter().any(|p| p.severity == Severity::Error)
    }

    /// Number of error problems.
    pub fn error_count(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count()
    }

    /// Number of warning problems.
    pub fn warning_count(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Warning)
            .count()
    }

    /// The parsed records without their row numbers.
    pub fn values(self) -> Vec<T> {
        self.rows.into_iter().map(|r| r.value).collect()
    }
}

/// What an importable record type needs from its form.
pub(crate) trait Schema {
    type Form: Default;
    type Input;
    const COLUMNS: &'static [Column];
    fn field(form: &mut Self::Form, index: usize) -> Option<&mut String>;
    fn parse(form: &Self::Form) -> Result<(Self::Input, Vec<FieldError>), FieldErrors>;
    fn credit_code(form: &Self::Form) -> &str;
}

pub(crate) struct Enterprises;
impl Schema for Enterprises {
    type Form = EnterpriseForm;
    type Input = EnterpriseInput;
    const COLUMNS: &'static [Column] = ENTERPRISE_COLUMNS;
    fn field(form: &mut EnterpriseForm, index: usize) -> Option<&mut String> {
        enterprise_field(form, index)
    }
    fn parse(form: &EnterpriseForm) -> Result<(EnterpriseInput, Vec<FieldError>), FieldErrors> {
        form.parse()
    }
    fn credit_code(form: &EnterpriseForm) -> &str {
        &form.credit_code
    }
}

pub(crate) struct Units;
impl Schema for Units {
    type Form = UnitForm;
    type Input = UnitInput;
    const COLUMNS: &'static [Column] = UNIT_COLUMNS;
    fn field(form: &mut UnitForm, index: usize) -> Option<&mut String> {
        unit_field(form, index)
    }
    fn parse(form: &UnitForm) -> Result<(UnitInput, Vec<FieldError>), FieldErrors> {
        form.parse()
    }
    fn credit_code(form: &UnitForm) -> &str {
        &form.credit_code
    }
}

/// Where each file column goes, once the header row is known.
struct Header {
    /// For each file column: the schema column index, or `None` for an ignored/blank column.
    targets: Vec<Option<usize>>,
    /// For each file column: whether its header cell was blank (data there is an error).
    blank: Vec<bool>,
    /// For each schema column: the header text as written in the file.
    texts: Vec<Option<String>>,
}

/// Number of non-blank rows looked at for a header before giving up.
const HEADER_SEARCH_ROWS: usize = 20;

struct Importer<S: Schema> {
    header: Option<Header>,
    rows_before_header: usize,
    seen_any: bool,
    rows: Vec<ParsedRow<S::Input>>,
    problems: Vec<RowProblem>,
    first_row_of_code: HashMap<String, usize>,
}

impl<S: Schema> Importer<S> {
    fn new() -> Self {
        Importer {
            header: None,
            rows_before_header: 0,
            seen_any: false,
            rows: Vec::new(),
            problems: Vec::new(),
            first_row_of_code: HashMap::new(),
        }
    }

    fn finish(self) -> Result<ImportOutcome<S::Input>, ExchangeError> {
        if self.header.is_none() {
            return Err(if self.seen_any {
                no_header::<S>()
            } else {
                ExchangeError::Empty
            });
        }
        Ok(ImportOutcome {
            rows: self.rows,
            problems: self.problems,
        })
    }

    /// Tries a row as the header; `Ok(None)` when it names no known column.
    fn header_from(cells: &[Cell]) -> Result<Option<Header>, ExchangeError> {
        let known = cells
            .iter()
            .any(|(t, _)| find_column(S::COLUMNS, t).is_some());
        if !known {
            return Ok(None);
        }
        let mut targets = Vec::with_capacity(cells.len());
        let mut blank = Vec::with_capacity(cells.len());
        let mut texts: Vec<Option<String>> = vec![None; S::COLUMNS.len()];
        let mut unknown = Vec::new();
        for (i, (raw, _)) in cells.iter().enumerate() {
            let text = raw.trim();
            let norm = normalise_header(text);
            if norm.is_empty() {
                targets.push(None);
                blank.push(true);
                continue;
            }
            blank.push(false);
            if IGNORED_HEADERS.contains(&norm.as_str()) {
                targets.push(None);
                continue;
            }
            match find_column(S::COLUMNS, text) {
                Some(c) => {
                    if texts[c].is_some() {
                        return Err(ExchangeError::DuplicateColumn {
                            column: text.to_string(),
                        });
                    }
                    texts[c] = Some(text.to_string());
                    targets.push(Some(c));
                }
                None => {
                    unknown.push(format!("{text}（{}）", column_letter(i)));
                    targets.push(None);
                }
            }
        }
        if !unknown.is_empty() {
            return Err(ExchangeError::UnknownColumns { columns: unknown });
        }
        let missing: Vec<&Column> = S::COLUMNS
            .iter()
            .zip(&texts)
            .filter(|(c, t)| c.required && t.is_none())
            .map(|(c, _)| c)
            .collect();
        if !missing.is_empty() {
            return Err(ExchangeError::MissingColumns {
                zh: missing.iter().map(|c| c.zh.to_string()).collect(),
                en: missing.iter().map(|c| c.field.to_string()).collect(),
            });
        }
        Ok(Some(Header {
            targets,
            blank,
            texts,
        }))
    }

    fn problem(
        &self,
        row: usize,
        column: usize,
        severity: Severity,
        zh: String,
        en: String,
    ) -> RowProblem {
        let col = &S::COLUMNS[column];
        let header = self.header.as_ref();
        RowProblem {
            row,
            column: header
                .and_then(|h| h.texts[column].clone())
                .unwrap_or_else(|| col.zh.to_string()),
            field: col.field.to_string(),
            message_zh: zh,
            message_en: en,
            severity,
        }
    }

    fn field_problem(&mut self, row: usize, e: FieldError, severity: Severity) {
        let column = S::COLUMNS.iter().position(|c| c.field == e.field);
        let (zh, en) = split_bilingual(e.message_zh, e.message_en);
        let p = match column {
            Some(c) => self.problem(row, c, severity, zh, en),
            None => RowProblem {
                row,
                column: e.field.clone(),
                field: e.field,
                message_zh: zh,
                message_en: en,
                severity,
            },
        };
        self.problems.push(p);
    }

    fn data_row(&mut self, number: usize, cells: Vec<Cell>) -> Result<(), ExchangeError> {
        let Some(header) = self.header.as_ref() else {
            return Ok(());
        };
        let mut form = S::Form::default();
        let mut bad_fields: Vec<usize> = Vec::new();
        let mut cell_problems: Vec<(usize, String, String)> = Vec::new();
        for (i, (text, issue)) in cells.into_iter().enumerate() {
            let target = header.targets.get(i).copied().flatten();
            let Some(c) = target else {
                let blank_header = header.blank.get(i).copied().unwrap_or(true);
                if blank_header && !text.trim().is_empty() {
                    return Err(ExchangeError::UnnamedColumn {
                        letter: column_letter(i),
                    });
                }
                continue;
            };
            let column = &S::COLUMNS[c];
            match issue {
                Some(CellIssue::LostPrecision) => {
                    bad_fields.push(c);
                    cell_problems.push((
                        c,
                        format!(
                            "“{text}”位数过多，表格软件按数字保存已丢失精度；请将此列设为文本格式后重新输入"
                        ),
                        format!(
                            "'{text}' has too many digits: the spreadsheet stored it as a number and lost digits; format the column as text and enter it again"
                        ),
                    ));
                    continue;
                }
                Some(CellIssue::ExcelError(e)) => {
                    bad_fields.push(c);
                    cell_problems.push((
                        c,
                        format!("单元格包含错误值 {e}"),
                        format!("the cell holds the error value {e}"),
                    ));
                    continue;
                }
                None => {}
            }
            let trimmed = text.trim();
            if column.code_like && looks_scientific(trimmed) {
                bad_fields.push(c);
                cell_problems.push((
                    c,
                    format!(
                        "“{trimmed}”是科学计数法，原始位数已丢失；请将此列设为文本格式后重新输入"
                    ),
                    format!(
                        "'{trimmed}' is in scientific notation and has lost digits; format the column as text and enter it again"
                    ),
                ));
                continue;
            }
            if let Some(slot) = S::field(&mut form, c) {
                *slot = if trimmed.len() == text.len() {
                    text
                } else {
                    trimmed.to_string()
                };
            }
        }
        for (c, zh, en) in cell_problems {
            let p = self.problem(number, c, Severity::Error, zh, en);
            self.problems.push(p);
        }

        // Duplicate credit codes within the file (compared in canonical form).
        let code_col = S::COLUMNS.iter().position(|c| c.field == "credit_code");
        let mut duplicate = false;
        if let Some(cc) = code_col
            && !bad_fields.contains(&cc)
            && let Ok((code, _)) = CreditCode::parse(S::credit_code(&form))
        {
            match self.first_row_of_code.get(code.as_str()) {
                Some(&first) => {
                    duplicate = true;
                    let p = self.problem(
                        number,
                        cc,
                        Severity::Error,
                        format!("统一社会信用代码 {code} 与第{first}行重复"),
                        format!("credit code {code} duplicates row {first}"),
                    );
                    self.problems.push(p);
                }
                None => {
                    self.first_row_of_code
                        .insert(code.as_str().to_string(), number);
                }
            }
        }

        let bad_names: Vec<&str> = bad_fields.iter().map(|&c| S::COLUMNS[c].field).collect();
        match S::parse(&form) {
            Ok((value, warnings)) => {
                for w in warnings {
                    self.field_problem(number, w, Severity::Warning);
                }
                if bad_fields.is_empty() && !duplicate {
                    self.rows.push(ParsedRow { row: number, value });
                }
            }
            Err(errs) => {
                for e in errs.errors {
                    if !bad_names.contains(&e.field.as_str()) {
                        self.field_problem(number, e, Severity::Error);
                    }
                }
                for w in errs.warnings {
                    self.field_problem(number, w, Severity::Warning);
                }
            }
        }
        Ok(())
    }
}

impl<S: Schema> RowSink for Importer<S> {
    fn row(&mut self, number: usize, cells: Vec<Cell>) -> Result<(), ExchangeError> {
        if cells.iter().all(|(t, _)| t.trim().is_empty()) {
            return Ok(());
        }
        self.seen_any = true;
        if self.header.is_some() {
            return self.data_row(number, cells);
        }
        if self.rows_before_header >= HEADER_SEARCH_ROWS {
            return Err(no_header::<S>());
        }
        match Self::header_from(&cells)? {
            Some(h) => self.header = Some(h),
            None => self.rows_before_header += 1,
        }
        Ok(())
    }
}

fn no_header<S: Schema>() -> ExchangeError {
    ExchangeError::NoHeaderRow {
        expected: S::COLUMNS[0].zh.to_string(),
    }
}

/// `9.13715E+17` and the like: what a spreadsheet shows for a long number.
fn looks_scientific(s: &str) -> bool {
    (s.contains("E+") || s.contains("e+")) && s.parse::<f64>().is_ok()
}

/// Some domain messages carry both languages in one string (`中文 / English`); split them.
fn split_bilingual(zh: String, en: String) -> (String, String) {
    if zh == en
        && let Some((z, e)) = zh.split_once(" / ")
    {
        return (z.to_string(), e.to_string());
    }
    (zh, en)
}

fn import<S: Schema>(
    file_name: &str,
    bytes: &[u8],
) -> Result<ImportOutcome<S::Input>, ExchangeError> {
    match detect_format(file_name, bytes)? {
        Format::Xlsx => {
            // calamine should not panic on bad input, but an upload must never take the
            // server down: treat any panic inside the reader as a corrupt file.
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                read_xlsx(bytes, Importer::<S>::new, Importer::finish)
            }))
            .unwrap_or_else(|_| {
                Err(ExchangeError::CorruptWorkbook(
                    "读取失败 / reader failure".into(),
                ))
            })
        }
        Format::Csv => {
            let mut importer = Importer::<S>::new();
            read_csv(bytes, &mut importer)?;
            importer.finish()
        }
    }
}

/// Reads an enterprise sheet (XLSX or CSV, see [`detect_format`]) and parses every row with
/// [`EnterpriseForm::parse`]. `file_name` only helps to tell the format.
///
/// Returns an error when the file as a whole cannot be read (format, header); problems with
/// single rows are in [`ImportOutcome::problems`].
pub fn import_enterprises(
    file_name: &str,
    bytes: &[u8],
) -> Result<ImportOutcome<EnterpriseInput>, ExchangeError> {
    import::<Enterprises>(file_name, bytes)
}

/// Reads a unit sheet (XLSX or CSV) and parses every row with [`UnitForm::parse`].
pub fn import_units(
    file_name: &str,
    bytes: &[u8],
) -> Result<ImportOutcome<UnitInput>, ExchangeError> {
    import::<Units>(file_name, bytes)
}
