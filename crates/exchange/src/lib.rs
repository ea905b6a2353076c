//! shoumi exchange: import and export of units and enterprises as XLSX and CSV.
//!
//! Bytes in, bytes out; no database. Importing reads a sheet whose header row names the
//! columns (Chinese, or the English field names, in any order), maps each row onto the domain's
//! forms ([`shoumi_domain::EnterpriseForm`], [`shoumi_domain::UnitForm`]) and parses it, so a
//! spreadsheet row is checked by exactly the rules a web form is. Problems name the row and
//! column as the user sees them in Excel or LibreOffice, and can be downloaded as a workbook
//! ([`problems_report_xlsx`]). Imports are all or nothing: save only an
//! [`ImportOutcome::is_clean`] outcome.
//!
//! Exports write the same headers and canonical values, so an export imports back unchanged.

#![forbid(unsafe_code)]

mod columns;
mod error;
mod export;
mod import;
mod read;

pub use columns::{Column, ENTERPRISE_COLUMNS, UNIT_COLUMNS, unit_to_form};
pub use error::ExchangeError;
pub use export::{
    Sheet, export_enterprises, export_table_csv, export_table_xlsx, export_units, export_workbook,
    problems_report_xlsx,
};
pub use import::{
    ImportOutcome, ParsedRow, RowProblem, Severity, import_enterprises, import_units,
};
pub use read::{Format, detect_format};
