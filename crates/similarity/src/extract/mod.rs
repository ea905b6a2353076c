//! Text extraction from DOCX, XLSX, PPTX, PDF and plain text (source code, notes, recipes).
//!
//! [`extract_path`] and [`extract_bytes`] turn one suspect or secret file into plain text for
//! fingerprinting. The format is told by the content (magic bytes, then the parts inside a
//! ZIP package); the file name's extension is only a hint, used to name the expected format
//! when a file turns out to be damaged. Every extractor works on untrusted input: none may
//! panic, and each is bounded in memory and time ([`Limits`]): oversized inputs, ZIP bombs and
//! PDF decompression bombs are refused as "too large" rather than read.
//!
//! The text always uses `\n` line endings. What a line is depends on the format:
//!
//! | format | text |
//! | --- | --- |
//! | plain text | as written: UTF-8 (BOM stripped), UTF-16 (BOM, or BOM-less with the telltale zero bytes), else GB18030/GBK when that decodes cleanly |
//! | DOCX | body, then headers, footers, footnotes, endnotes and comments; one line per paragraph, `w:tab` → `\t`, `w:br`/`w:cr` → `\n`; a table row per line, cells separated by `\t`; deleted revisions left out, insertions kept |
//! | XLSX | per sheet: the sheet name on a line, then one line per row, cells separated by `\t`; numbers as Excel shows them in General format (no `.0`, no float noise), percentages and dates as formatted |
//! | PPTX | per slide in presentation order: paragraphs and table rows as in DOCX, then the speaker notes |
//! | PDF | per page, text in content-stream order, lines broken where the baseline moves, spaces where the glyph positions leave a gap |
//!
//! [`Extracted::sections`] says where each page, sheet, slide or DOCX part starts in the
//! text, for reports that point at "page 3" or "sheet 配方".

mod detect;
mod ooxml;
mod pdf;
mod text;
mod xlsx;
mod zipped;

use std::fmt;
use std::path::Path;

/// The formats the extractors read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Text: source code, notes, CSV, recipes (UTF-8, UTF-16 or GB18030/GBK).
    PlainText,
    /// Word 2007+ (Office Open XML WordprocessingML).
    Docx,
    /// Excel 2007+ (Office Open XML SpreadsheetML).
    Xlsx,
    /// PowerPoint 2007+ (Office Open XML PresentationML).
    Pptx,
    /// PDF.
    Pdf,
}

impl Format {
    /// A short name for messages: "text", "DOCX", "XLSX", "PPTX", "PDF".
    pub fn name(self) -> &'static str {
        match self {
            Format::PlainText => "text",
            Format::Docx => "DOCX",
            Format::Xlsx => "XLSX",
            Format::Pptx => "PPTX",
            Format::Pdf => "PDF",
        }
    }

    /// The format a file name's extension suggests (a hint only: the content decides).
    pub fn from_extension(file_name: &str) -> Option<Format> {
        let ext = file_name.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match ext.as_str() {
            "docx" | "docm" | "dotx" | "dotm" => Format::Docx,
            "xlsx" | "xlsm" | "xltx" | "xltm" => Format::Xlsx,
            "pptx" | "pptm" | "potx" | "ppsx" => Format::Pptx,
            "pdf" => Format::Pdf,
            "txt" | "md" | "csv" | "tsv" | "log" | "json" | "xml" | "html" | "htm" | "yaml"
            | "yml" | "toml" | "ini" | "c" | "h" | "cc" | "cpp" | "hpp" | "cs" | "java" | "kt"
            | "go" | "rs" | "py" | "js" | "ts" | "sql" | "sh" | "rb" | "php" | "swift" | "m"
            | "scala" | "lua" | "pl" | "r" | "v" | "vhd" | "vhdl" | "sv" => Format::PlainText,
            _ => return None,
        })
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where one page, sheet, slide or document part starts in [`Extracted::text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// "page 3", "sheet 工艺参数", "slide 2", "notes 2", "body", "header", "footnotes", ...
    pub label: String,
    /// Byte offset into [`Extracted::text`] (always on a `char` boundary).
    pub start: usize,
}

/// The text of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// The text, `\n` line endings, no BOM.
    pub text: String,
    /// What the file turned out to be (by content, not by name).
    pub format: Format,
    /// Things a reader of the result should know: text that could not be decoded (a PDF font
    /// without a Unicode map, a damaged sheet), the encoding guessed for plain text, ...
    pub warnings: Vec<String>,
    /// Where each page, sheet, slide or part starts in `text`, in order of `start`. Plain
    /// text has none.
    pub sections: Vec<Section>,
}

/// Why a file's text could not be extracted. Every message names the file and says what is
/// wrong in words a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The file could not be read from disk.
    #[error("cannot read {file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// Not a format the extractors read (an image, an archive, an executable, binary data).
    #[error("{file} {what}; supported: text, source code, DOCX, XLSX, PPTX, PDF")]
    Unsupported {
        file: String,
        /// e.g. "looks like a PNG image", "is binary data, not text".
        what: String,
    },
    /// A password-protected (encrypted) document.
    #[error(
        "{file} is a password-protected (encrypted) {format}; save an unprotected copy and try again"
    )]
    Encrypted { file: String, format: String },
    /// The file claims a format but is damaged: truncated, a broken archive, malformed XML.
    #[error("{file} is a damaged {format} (corrupt or truncated): {detail}")]
    Corrupt {
        file: String,
        format: String,
        detail: String,
    },
    /// Over one of the [`Limits`].
    #[error("{file} is too large: {what} exceeds the limit of {limit}")]
    TooLarge {
        file: String,
        /// e.g. "the file (300 MiB)", "the decompressed content".
        what: String,
        /// The limit, readable: "256 MiB".
        limit: String,
    },
    /// A PDF with pages but no text that can be extracted.
    #[error("{file}: {reason}")]
    NoText { file: String, reason: String },
}

impl ExtractError {
    /// The file name the error is about.
    pub fn file(&self) -> &str {
        match self {
            ExtractError::Io { file, .. }
            | ExtractError::Unsupported { file, .. }
            | ExtractError::Encrypted { file, .. }
            | ExtractError::Corrupt { file, .. }
            | ExtractError::TooLarge { file, .. }
            | ExtractError::NoText { file, .. } => file,
        }
    }
}

/// Bounds on what one extraction may read and produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest input file, in bytes.
    pub max_input_bytes: u64,
    /// The most bytes decompressed from one file in total: all the ZIP parts read (XML) of a
    /// DOCX/XLSX/PPTX, or all the PDF streams decoded (contents, fonts' CMaps, forms).
    pub max_decompressed_bytes: u64,
    /// The longest extracted text, in bytes (UTF-8).
    pub max_text_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 256 * MIB,
            max_decompressed_bytes: 1024 * MIB,
            max_text_bytes: 128 * MIB as usize,
        }
    }
}

const MIB: u64 = 1024 * 1024;

/// "256 MiB", "1.5 KiB", "12 bytes".
pub(crate) fn human_bytes(n: u64) -> String {
    if n < 1024 {
        format!("{n} bytes")
    } else if n < MIB {
        trim_one_decimal(n as f64 / 1024.0, "KiB")
    } else if n < 1024 * MIB {
        trim_one_decimal(n as f64 / MIB as f64, "MiB")
    } else {
        trim_one_decimal(n as f64 / (1024 * MIB) as f64, "GiB")
    }
}

fn trim_one_decimal(v: f64, unit: &str) -> String {
    let s = format!("{v:.1}");
    let s = s.strip_suffix(".0").unwrap_or(&s);
    format!("{s} {unit}")
}

/// Extracts the text of the file at `path`. The error messages name the file by its path.
pub fn extract_path(path: &Path) -> Result<Extracted, ExtractError> {
    extract_path_with(path, &Limits::default())
}

/// [`extract_path`] with other [`Limits`].
pub fn extract_path_with(path: &Path, limits: &Limits) -> Result<Extracted, ExtractError> {
    let file = path.display().to_string();
    let io = |source| ExtractError::Io {
        file: file.clone(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(ExtractError::Unsupported {
            file,
            what: "is a directory, not a file".into(),
        });
    }
    if meta.len() > limits.max_input_bytes {
        return Err(too_large_input(&file, meta.len(), limits));
    }
    let bytes = std::fs::read(path).map_err(io)?;
    extract_bytes_with(&file, &bytes, limits)
}

/// Extracts the text of `bytes`, the content of a file called `file_name` (used in error
/// messages, and its extension as a hint).
pub fn extract_bytes(file_name: &str, bytes: &[u8]) -> Result<Extracted, ExtractError> {
    extract_bytes_with(file_name, bytes, &Limits::default())
}

/// [`extract_bytes`] with other [`Limits`].
pub fn extract_bytes_with(
    file_name: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Extracted, ExtractError> {
    if bytes.len() as u64 > limits.max_input_bytes {
        return Err(too_large_input(file_name, bytes.len() as u64, limits));
    }
    let ctx = Ctx {
        file: file_name,
        hint: Format::from_extension(file_name),
        limits,
    };
    let mut out = match detect::sniff(bytes) {
        detect::Sniffed::Pdf { at_start: true } => pdf::extract(&ctx, bytes)?,
        // Junk before the header, or a text (source code) that mentions "%PDF-": if it does
        // not read as a PDF, it may still be text.
        detect::Sniffed::Pdf { at_start: false } => match pdf::extract(&ctx, bytes) {
            Err(e @ ExtractError::Corrupt { .. }) => text::extract(&ctx, bytes).map_err(|_| e)?,
            r => r?,
        },
        detect::Sniffed::Zip => zipped::extract(&ctx, bytes)?,
        detect::Sniffed::Ole => return Err(detect::ole_error(&ctx, bytes)),
        detect::Sniffed::Binary(what) => {
            return Err(ExtractError::Unsupported {
                file: file_name.into(),
                what: format!("looks like {what}"),
            });
        }
        detect::Sniffed::Other => text::extract(&ctx, bytes)?,
    };
    normalise_newlines(&mut out);
    if out.text.len() > limits.max_text_bytes {
        return Err(ctx.too_large("the extracted text", limits.max_text_bytes as u64));
    }
    Ok(out)
}

fn too_large_input(file: &str, len: u64, limits: &Limits) -> ExtractError {
    ExtractError::TooLarge {
        file: file.into(),
        what: format!("the file ({})", human_bytes(len)),
        limit: human_bytes(limits.max_input_bytes),
    }
}

/// What every extractor needs: the file's name for messages, the extension's hint, limits.
pub(crate) struct Ctx<'a> {
    pub file: &'a str,
    pub hint: Option<Format>,
    pub limits: &'a Limits,
}

impl Ctx<'_> {
    pub fn corrupt(&self, format: &str, detail: impl fmt::Display) -> ExtractError {
        ExtractError::Corrupt {
            file: self.file.into(),
            format: format.into(),
            detail: detail.to_string(),
        }
    }

    pub fn encrypted(&self, format: &str) -> ExtractError {
        ExtractError::Encrypted {
            file: self.file.into(),
            format: format.into(),
        }
    }

    pub fn too_large(&self, what: &str, limit: u64) -> ExtractError {
        ExtractError::TooLarge {
            file: self.file.into(),
            what: what.into(),
            limit: human_bytes(limit),
        }
    }

    pub fn unsupported(&self, what: impl Into<String>) -> ExtractError {
        ExtractError::Unsupported {
            file: self.file.into(),
            what: what.into(),
        }
    }
}

/// `\r\n` and lone `\r` become `\n`; section offsets move with the text.
fn normalise_newlines(out: &mut Extracted) {
    if !out.text.contains('\r') {
        return;
    }
    let mut text = String::with_capacity(out.text.len());
    let mut sections = out.sections.iter_mut().peekable();
    let mut chars = out.text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        while let Some(s) = sections.peek_mut() {
            if s.start > i {
                break;
            }
            s.start = text.len();
            sections.next();
        }
        if c == '\r' {
            if let Some(&(_, '\n')) = chars.peek() {
                continue;
            }
            text.push('\n');
        } else {
            text.push(c);
        }
    }
    for s in sections {
        s.start = text.len();
    }
    out.text = text;
}

/// Builds the text of a multi-part document: sections, and a running size check.
pub(crate) struct TextBuilder {
    pub text: String,
    pub sections: Vec<Section>,
    pub warnings: Vec<String>,
    max: usize,
}

impl TextBuilder {
    pub fn new(limits: &Limits) -> Self {
        TextBuilder {
            text: String::new(),
            sections: Vec::new(),
            warnings: Vec::new(),
            max: limits.max_text_bytes,
        }
    }

    /// Starts a new section: ends the previous one's last line.
    pub fn section(&mut self, label: impl Into<String>) {
        self.end_line();
        self.sections.push(Section {
            label: label.into(),
            start: self.text.len(),
        });
    }

    pub fn end_line(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
    }

    pub fn over_limit(&self) -> bool {
        self.text.len() > self.max
    }

    /// Warns once per distinct message, at most 50 in all.
    pub fn warn(&mut self, message: impl Into<String>) {
        let message = message.into();
        if self.warnings.len() < 50 && !self.warnings.contains(&message) {
            self.warnings.push(message);
        }
    }

    pub fn finish(mut self, format: Format) -> Extracted {
        self.end_line();
        Extracted {
            text: self.text,
            format,
            warnings: self.warnings,
            sections: self.sections,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newlines_are_normalised_and_sections_follow() {
        let mut e = Extracted {
            text: "a\r\nb\rc\r\n\r\nd".into(),
            format: Format::PlainText,
            warnings: vec![],
            sections: vec![
                Section {
                    label: "x".into(),
                    start: 3,
                },
                Section {
                    label: "y".into(),
                    start: 10,
                },
            ],
        };
        normalise_newlines(&mut e);
        assert_eq!(e.text, "a\nb\nc\n\nd");
        assert_eq!(&e.text[e.sections[0].start..], "b\nc\n\nd");
        assert_eq!(&e.text[e.sections[1].start..], "d");
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human_bytes(12), "12 bytes");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(256 * MIB), "256 MiB");
        assert_eq!(human_bytes(1024 * MIB), "1 GiB");
    }

    #[test]
    fn extension_hints() {
        assert_eq!(Format::from_extension("a/b/配方.DOCX"), Some(Format::Docx));
        assert_eq!(Format::from_extension("x.pdf"), Some(Format::Pdf));
        assert_eq!(Format::from_extension("main.rs"), Some(Format::PlainText));
        assert_eq!(Format::from_extension("noext"), None);
    }
}

#[cfg(test)]
mod samples;
