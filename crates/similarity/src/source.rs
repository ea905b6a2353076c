//! Reading a file's text: every path goes through the extractors (`extract`), which tell the
//! format by content (DOCX, XLSX, PPTX, PDF, plain text in UTF-8, UTF-16 or GB18030) and refuse
//! binary and unsupported files with a message naming the file.

use std::path::Path;

use crate::Error;

/// The text of a file, ready to tokenise.
pub fn read_text(path: &Path) -> Result<String, Error> {
    let e = crate::extract::extract_path(path)?;
    Ok(e.text)
}

/// The text of a file's bytes (`name` for messages and as a format hint).
pub fn text_of_bytes(name: &str, bytes: &[u8]) -> Result<String, Error> {
    let e = crate::extract::extract_bytes(name, bytes)?;
    Ok(e.text)
}
