//! Why a file could not be read at all (as opposed to problems with single rows).

/// A file that cannot be imported as a whole. Row-level problems are [`crate::RowProblem`]s
/// instead. Every message is bilingual, `中文 / English`; [`ExchangeError::message`] picks one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExchangeError {
    /// Neither an XLSX workbook nor a text (CSV) file.
    #[error(
        "无法识别的文件格式，请上传 XLSX 或 CSV 文件 / unrecognised file format: upload an XLSX or CSV file"
    )]
    UnknownFormat,
    /// An Excel 97–2003 `.xls` (or other OLE) file.
    #[error(
        "不支持旧版 Excel（.xls）文件，请在 Excel 或 WPS 中另存为 .xlsx 后上传 / old Excel (.xls) files are not supported: save as .xlsx and upload again"
    )]
    LegacyXls,
    /// A zip that is not a readable workbook (truncated, corrupt, encrypted, …).
    #[error("XLSX 文件已损坏或无法读取（{0}） / the XLSX file is corrupt or unreadable ({0})")]
    CorruptWorkbook(String),
    /// The CSV text could not be split into records.
    #[error("CSV 文件无法读取（{0}） / the CSV file cannot be read ({0})")]
    Csv(String),
    /// The file, or every worksheet in it, has no cells with content.
    #[error("文件中没有数据 / the file contains no data")]
    Empty,
    /// No row near the top names any known column.
    #[error(
        "找不到表头行：前几行中没有可识别的列名（如“{expected}”） / no header row: none of the first rows names a known column (such as '{expected}')"
    )]
    NoHeaderRow {
        /// An example of a column name that was expected.
        expected: String,
    },
    /// Header cells that name no known column.
    #[error("未知的列：{} / unknown column(s): {}", .columns.join("、"), .columns.join(", "))]
    UnknownColumns {
        /// The header texts as written in the file, each with its column letter, e.g. `备注（F列）`.
        columns: Vec<String>,
    },
    /// Required columns that are not in the header row.
    #[error("缺少必需的列：{} / missing required column(s): {}", .zh.join("、"), .en.join(", "))]
    MissingColumns {
        /// Chinese header names of the missing columns.
        zh: Vec<String>,
        /// English (snake_case) names of the missing columns.
        en: Vec<String>,
    },
    /// The same field appears under two headers.
    #[error("列“{column}”出现了不止一次 / column '{column}' appears more than once")]
    DuplicateColumn {
        /// The header text of the second occurrence.
        column: String,
    },
    /// A column holds data but its header cell is blank.
    #[error("第{letter}列有数据但没有列名 / column {letter} has data but no header")]
    UnnamedColumn {
        /// Spreadsheet column letter (`A`, `B`, …, `AA`).
        letter: String,
    },
}

impl ExchangeError {
    /// The message in one language.
    pub fn message(&self, lang_en: bool) -> String {
        let full = self.to_string();
        match full.split_once(" / ") {
            Some((zh, en)) => if lang_en { en } else { zh }.to_string(),
            None => full,
        }
    }
}
