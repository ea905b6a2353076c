//! Evidence files attached by applicants and assessors: size-limited, type-checked by their
//! content (not only their name), never given a type a browser would run or render as a page,
//! and hashed with SHA-256 and SM3 (GB/T 32905-2016) when they arrive.

use serde::Serialize;
use sha2::Digest;

/// The kinds of file accepted as evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Pdf,
    Png,
    Jpeg,
    Docx,
    Xlsx,
    Pptx,
    Ofd,
    Text,
    Csv,
}

impl FileKind {
    /// The media type the file is served with. None of them is HTML, script or executable.
    pub fn media_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileKind::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
            FileKind::Ofd => "application/ofd",
            FileKind::Text => "text/plain; charset=utf-8",
            FileKind::Csv => "text/csv; charset=utf-8",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Png => "png",
            FileKind::Jpeg => "jpeg",
            FileKind::Docx => "docx",
            FileKind::Xlsx => "xlsx",
            FileKind::Pptx => "pptx",
            FileKind::Ofd => "ofd",
            FileKind::Text => "text",
            FileKind::Csv => "csv",
        }
    }
    pub fn parse(s: &str) -> Option<FileKind> {
        Some(match s {
            "pdf" => FileKind::Pdf,
            "png" => FileKind::Png,
            "jpeg" => FileKind::Jpeg,
            "docx" => FileKind::Docx,
            "xlsx" => FileKind::Xlsx,
            "pptx" => FileKind::Pptx,
            "ofd" => FileKind::Ofd,
            "text" => FileKind::Text,
            "csv" => FileKind::Csv,
            _ => return None,
        })
    }
}

/// The largest evidence file (20 MB; the form's hint says so).
pub const MAX_EVIDENCE_BYTES: u64 = 20 * 1024 * 1024;

/// The accepted extensions, for the form's hint.
pub const ACCEPTED: &str = ".pdf,.png,.jpg,.jpeg,.docx,.xlsx,.pptx,.ofd,.txt,.csv";

/// SHA-256 and SM3 of a file's bytes, lower-case hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Digests {
    pub sha256: String,
    pub sm3: String,
}

pub fn digests(bytes: &[u8]) -> Digests {
    Digests {
        sha256: hex::encode(sha2::Sha256::digest(bytes)),
        sm3: hex::encode(sm3::Sm3::digest(bytes)),
    }
}

/// A file that passed the checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckedFile {
    /// The name as given, without any directory part and control characters.
    pub name: String,
    pub kind: FileKind,
    pub size: u64,
    pub digests: Digests,
}

/// Why a file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{zh} / {en}")]
pub struct FileError {
    pub zh: String,
    pub en: String,
}

fn refuse(zh: impl Into<String>, en: impl Into<String>) -> FileError {
    FileError {
        zh: zh.into(),
        en: en.into(),
    }
}

/// Checks an uploaded file: not empty, at most `max_bytes`, an accepted extension whose content
/// really is of that kind.
pub fn check_upload(name: &str, bytes: &[u8], max_bytes: u64) -> Result<CheckedFile, FileError> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base.chars().filter(|c| !c.is_control()).collect();
    let clean = clean.trim().to_string();
    if clean.is_empty() {
        return Err(refuse("请选择文件", "choose a file"));
    }
    if clean.chars().count() > 200 {
        return Err(refuse(
            "文件名不能超过200个字符",
            "a file name has at most 200 characters",
        ));
    }
    if bytes.is_empty() {
        return Err(refuse(
            format!("文件“{clean}”是空的"),
            format!("the file \"{clean}\" is empty"),
        ));
    }
    let size = bytes.len() as u64;
    if size > max_bytes {
        return Err(refuse(
            format!("文件不能超过{} MB", max_bytes / (1024 * 1024)),
            format!("a file may be at most {} MB", max_bytes / (1024 * 1024)),
        ));
    }
    let ext = clean
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let zip = bytes.starts_with(b"PK\x03\x04");
    let kind = match ext.as_str() {
        "pdf" if bytes.starts_with(b"%PDF-") => FileKind::Pdf,
        "png" if bytes.starts_with(b"\x89PNG\r\n\x1a\n") => FileKind::Png,
        "jpg" | "jpeg" if bytes.starts_with(b"\xFF\xD8\xFF") => FileKind::Jpeg,
        "docx" if zip => FileKind::Docx,
        "xlsx" if zip => FileKind::Xlsx,
        "pptx" if zip => FileKind::Pptx,
        "ofd" if zip => FileKind::Ofd,
        "txt" | "csv" if is_plain_text(bytes) => {
            if ext == "csv" {
                FileKind::Csv
            } else {
                FileKind::Text
            }
        }
        "pdf" | "png" | "jpg" | "jpeg" | "docx" | "xlsx" | "pptx" | "ofd" | "txt" | "csv" => {
            return Err(refuse(
                format!("文件“{clean}”的内容不是.{ext}格式"),
                format!("the content of \"{clean}\" is not a .{ext} file"),
            ));
        }
        _ => {
            return Err(refuse(
                format!("不接受此类文件；可上传：{ACCEPTED}"),
                format!("this kind of file is not accepted; accepted: {ACCEPTED}"),
            ));
        }
    };
    Ok(CheckedFile {
        name: clean,
        kind,
        size,
        digests: digests(bytes),
    })
}

/// UTF-8 text without NUL bytes and not looking like markup a browser would render.
fn is_plain_text(bytes: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(bytes) else {
        return false;
    };
    let head: String = s
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    !s.contains('\0') && !head.starts_with("<!doctype") && !head.starts_with("<html")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_the_published_test_vectors() {
        // GB/T 32905-2016 appendix A example 1, and FIPS 180-2 "abc".
        let d = digests(b"abc");
        assert_eq!(
            d.sm3,
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        assert_eq!(
            d.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn files_are_checked_by_content_not_only_by_name() {
        let pdf = b"%PDF-1.7\n...";
        let f = check_upload("C:\\docs\\制度.pdf", pdf, 1024).unwrap();
        assert_eq!(f.name, "制度.pdf");
        assert_eq!(f.kind, FileKind::Pdf);
        assert!(check_upload("fake.pdf", b"MZ\x90\x00", 1024).is_err());
        assert!(check_upload("page.html", b"<html>", 1024).is_err());
        assert!(check_upload("run.exe", b"MZ\x90\x00", 1024).is_err());
        assert!(check_upload("note.txt", b"<!DOCTYPE html><script>", 1024).is_err());
        assert!(check_upload("note.txt", "记录".as_bytes(), 1024).is_ok());
        assert!(check_upload("big.pdf", &[b'%'; 2048], 1024).is_err());
        assert!(check_upload("empty.pdf", b"", 1024).is_err());
        for k in [
            FileKind::Pdf,
            FileKind::Png,
            FileKind::Jpeg,
            FileKind::Docx,
            FileKind::Xlsx,
            FileKind::Pptx,
            FileKind::Ofd,
            FileKind::Text,
            FileKind::Csv,
        ] {
            assert!(!k.media_type().contains("html"));
            assert_eq!(FileKind::parse(k.as_str()), Some(k));
        }
    }
}
