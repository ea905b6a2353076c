//! ZIP packages: which document a ZIP is (by its parts), and reading parts within a budget
//! of decompressed bytes, so that a ZIP bomb is refused before it fills memory.

use std::io::{Cursor, Read};

use zip::ZipArchive;
use zip::result::ZipError;

use super::{Ctx, ExtractError, Extracted, Format, ooxml, xlsx};

/// A package with more parts than this is not an office document we should open.
const MAX_ENTRIES: u64 = 100_000;

pub(crate) fn extract(ctx: &Ctx<'_>, bytes: &[u8]) -> Result<Extracted, ExtractError> {
    let mut pkg = Package::open(ctx, bytes)?;
    match pkg.kind()? {
        Kind::Office(Format::Docx) => ooxml::docx(ctx, &mut pkg),
        Kind::Office(Format::Pptx) => ooxml::pptx(ctx, &mut pkg),
        Kind::Office(_) => {
            // calamine reads the workbook with its own ZIP reader, which cannot be given a
            // budget: read every part once here first, so that a bomb is refused (and a
            // damaged part is reported) before calamine starts.
            pkg.check_all_parts()?;
            xlsx::extract(ctx, bytes)
        }
        Kind::Other(what) => Err(ctx.unsupported(what)),
    }
}

enum Kind {
    Office(Format),
    Other(String),
}

pub(crate) struct Package<'a, 'c> {
    ctx: &'a Ctx<'c>,
    zip: ZipArchive<Cursor<&'a [u8]>>,
    /// The format the package is being read as, for messages ("DOCX", or "ZIP archive" until
    /// that is known).
    format: &'static str,
    /// Decompressed bytes still allowed.
    budget: u64,
}

impl<'a, 'c> Package<'a, 'c> {
    fn open(ctx: &'a Ctx<'c>, bytes: &'a [u8]) -> Result<Self, ExtractError> {
        let format = match ctx.hint {
            Some(f @ (Format::Docx | Format::Xlsx | Format::Pptx)) => f.name(),
            _ => "ZIP archive",
        };
        if let Some(n) = declared_entries(bytes)
            && n > MAX_ENTRIES
        {
            return Err(ExtractError::TooLarge {
                file: ctx.file.into(),
                what: format!("the number of parts in the ZIP package ({n})"),
                limit: MAX_ENTRIES.to_string(),
            });
        }
        let zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
            ctx.corrupt(
                format,
                format!("the ZIP directory cannot be read ({e}); the file may be truncated"),
            )
        })?;
        Ok(Package {
            ctx,
            zip,
            format,
            budget: ctx.limits.max_decompressed_bytes,
        })
    }

    fn kind(&mut self) -> Result<Kind, ExtractError> {
        let main = self.main_document()?;
        let main = main.as_deref().unwrap_or("");
        let format = if main.starts_with("word/") || self.has("word/document.xml") {
            Some(Format::Docx)
        } else if main.starts_with("xl/") || self.has("xl/workbook.xml") {
            if main.ends_with(".bin") || self.has("xl/workbook.bin") {
                return Ok(Kind::Other(
                    "is an Excel binary workbook (.xlsb); save it as XLSX and try again".into(),
                ));
            }
            Some(Format::Xlsx)
        } else if main.starts_with("ppt/") || self.has("ppt/presentation.xml") {
            Some(Format::Pptx)
        } else {
            None
        };
        if let Some(f) = format {
            self.format = f.name();
            return Ok(Kind::Office(f));
        }
        if let Some(mime) = self.read_string("mimetype")? {
            let mime = mime.trim();
            let what = match mime {
                "application/vnd.oasis.opendocument.text" => {
                    "is an OpenDocument text (ODT); save it as DOCX and try again"
                }
                "application/vnd.oasis.opendocument.spreadsheet" => {
                    "is an OpenDocument spreadsheet (ODS); save it as XLSX and try again"
                }
                "application/vnd.oasis.opendocument.presentation" => {
                    "is an OpenDocument presentation (ODP); save it as PPTX and try again"
                }
                "application/epub+zip" => "is an EPUB e-book",
                _ => "is a ZIP-based document of an unknown kind",
            };
            return Ok(Kind::Other(what.into()));
        }
        if self.has("[Content_Types].xml") {
            return Ok(Kind::Other(
                "is an Office Open XML package that is not a DOCX, XLSX or PPTX".into(),
            ));
        }
        Ok(Kind::Other(
            "is a ZIP archive, not a document; unpack it and submit the files in it".into(),
        ))
    }

    /// The target of the package's officeDocument relationship (`word/document.xml`, ...).
    pub fn main_document(&mut self) -> Result<Option<String>, ExtractError> {
        let Some(rels) = self.read_string("_rels/.rels")? else {
            return Ok(None);
        };
        Ok(ooxml::relationships(&rels, "")
            .into_iter()
            .find(|r| r.kind.ends_with("/officeDocument"))
            .map(|r| r.target))
    }

    /// The part's name as stored: OPC part names are case-insensitive.
    fn stored_name(&self, name: &str) -> Option<String> {
        if self.zip.index_for_name(name).is_some() {
            return Some(name.to_string());
        }
        self.zip
            .file_names()
            .find(|n| n.eq_ignore_ascii_case(name))
            .map(str::to_string)
    }

    pub fn has(&self, name: &str) -> bool {
        self.stored_name(name).is_some()
    }

    /// All part names, in the ZIP's order.
    pub fn names(&self) -> Vec<String> {
        self.zip.file_names().map(str::to_string).collect()
    }

    /// The part's bytes, `None` if there is no such part.
    pub fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, ExtractError> {
        let Some(stored) = self.stored_name(name) else {
            return Ok(None);
        };
        let budget = self.budget;
        let (ctx, format) = (self.ctx, self.format);
        let mut file = match self.zip.by_name(&stored) {
            Ok(f) => f,
            Err(ZipError::FileNotFound) => return Ok(None),
            Err(ZipError::UnsupportedArchive(msg)) if msg == ZipError::PASSWORD_REQUIRED => {
                return Err(ctx.encrypted(format));
            }
            Err(e) => return Err(ctx.corrupt(format, format!("part {stored}: {e}"))),
        };
        let mut buf = Vec::with_capacity(file.size().min(budget).min(1 << 20) as usize);
        (&mut file)
            .take(budget.saturating_add(1))
            .read_to_end(&mut buf)
            .map_err(|e| ctx.corrupt(format, format!("part {stored} cannot be read: {e}")))?;
        if buf.len() as u64 > budget {
            return Err(ctx.too_large(
                "the decompressed content (a ZIP bomb?)",
                ctx.limits.max_decompressed_bytes,
            ));
        }
        self.budget -= buf.len() as u64;
        Ok(Some(buf))
    }

    /// The part as text (XML parts are UTF-8 or UTF-16 with a BOM).
    pub fn read_string(&mut self, name: &str) -> Result<Option<String>, ExtractError> {
        Ok(self.read(name)?.map(|b| xml_text(&b)))
    }

    /// Reads (and drops) every part, within the budget.
    fn check_all_parts(&mut self) -> Result<(), ExtractError> {
        for name in self.names() {
            if name.ends_with('/') {
                continue;
            }
            let part = self.read(&name)?;
            // calamine adds up a cell reference's column letters and row digits without checking
            // for overflow (a panic with debug assertions, a wrong cell without): a reference
            // longer than Excel's own (XFD1048576) is damage, refused here before calamine sees it.
            if name.starts_with("xl/")
                && name.ends_with(".xml")
                && let Some(bad) = part.as_deref().and_then(oversized_cell_reference)
            {
                return Err(self.ctx.corrupt(
                    self.format,
                    format!("{name} has the cell reference {bad:?}: beyond XFD1048576, or a range that ends before it starts"),
                ));
            }
        }
        Ok(())
    }

    pub fn format(&self) -> &'static str {
        self.format
    }
}

/// XML bytes as a string: UTF-16 when it has a BOM, else UTF-8 (invalid bytes replaced).
pub(crate) fn xml_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(b"\xff\xfe") {
        return encoding_rs::UTF_16LE
            .decode_without_bom_handling(rest)
            .0
            .into_owned();
    }
    if let Some(rest) = bytes.strip_prefix(b"\xfe\xff") {
        return encoding_rs::UTF_16BE
            .decode_without_bom_handling(rest)
            .0
            .into_owned();
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    String::from_utf8_lossy(bytes).into_owned()
}

/// The entry count the end-of-central-directory record declares (ZIP64 too), if found.
fn declared_entries(bytes: &[u8]) -> Option<u64> {
    let tail_start = bytes.len().saturating_sub(22 + 65_535 + 20);
    let tail = &bytes[tail_start..];
    let eocd = tail.windows(4).rposition(|w| w == b"PK\x05\x06")?;
    let rec = tail.get(eocd..eocd + 22)?;
    let n = u64::from(u16::from_le_bytes([rec[10], rec[11]]));
    if n != 0xffff {
        return Some(n);
    }
    // ZIP64: the locator sits just before the EOCD and points at the ZIP64 record.
    let loc = tail.get(eocd.checked_sub(20)?..eocd)?;
    if &loc[..4] != b"PK\x06\x07" {
        return None;
    }
    let off = u64::from_le_bytes(loc[8..16].try_into().ok()?);
    let rec = bytes.get(usize::try_from(off).ok()?..)?.get(..56)?;
    if &rec[..4] != b"PK\x06\x06" {
        return None;
    }
    Some(u64::from_le_bytes(rec[32..40].try_into().ok()?))
}

/// The first `r="…"` or `ref="…"` value in an XLSX part with a reference of more than 3 column
/// letters or 7 row digits (Excel's largest is XFD1048576), or a range whose end comes before its
/// start (calamine subtracts one from the other).
fn oversized_cell_reference(xml: &[u8]) -> Option<String> {
    let mut i = 0;
    while i < xml.len() {
        let rest = &xml[i..];
        let value_start = [&b" r="[..], &b" ref="[..]]
            .iter()
            .find(|p| rest.starts_with(p))
            .map(|p| p.len());
        let Some(n) = value_start else {
            i += 1;
            continue;
        };
        let Some(&quote) = rest.get(n).filter(|q| **q == b'"' || **q == b'\'') else {
            i += 1;
            continue;
        };
        let value = &rest[n + 1..];
        let end = value
            .iter()
            .position(|&b| b == quote)
            .unwrap_or(value.len());
        let value = &value[..end];
        for range in value.split(|&b| b == b' ') {
            // (column, row) of each end; calamine also subtracts a range's start from its end.
            let mut ends: Vec<(u32, u32)> = Vec::new();
            for piece in range.split(|&b| b == b':') {
                let piece: Vec<u8> = piece.iter().copied().filter(|&b| b != b'$').collect();
                let letters = piece.iter().take_while(|b| b.is_ascii_alphabetic()).count();
                let digits = piece[letters..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                if letters > 3 || digits > 7 {
                    return Some(String::from_utf8_lossy(value).into_owned());
                }
                let col = piece[..letters].iter().fold(0u32, |c, b| {
                    c * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1
                });
                let row = piece[letters..letters + digits]
                    .iter()
                    .fold(0u32, |r, b| r * 10 + u32::from(b - b'0'));
                ends.push((col, row));
            }
            if let [(c0, r0), (c1, r1)] = ends[..]
                && (c1 < c0 || r1 < r0)
            {
                return Some(String::from_utf8_lossy(value).into_owned());
            }
        }
        i += n + 1 + end;
    }
    None
}

#[cfg(test)]
mod cell_reference_tests {
    use super::oversized_cell_reference;

    #[test]
    fn references_up_to_excels_largest_pass_and_longer_or_reversed_ones_are_named() {
        let ok =
            br#"<dimension ref="A1:XFD1048576"/><row r="3"><c r="$AB$12" t="n"><v>1</v></c></row>"#;
        assert_eq!(oversized_cell_reference(ok), None);
        let long = br#"<c r="AAAAAAAAAAAAAAA1"><v>1</v></c>"#;
        assert_eq!(
            oversized_cell_reference(long).as_deref(),
            Some("AAAAAAAAAAAAAAA1")
        );
        assert!(oversized_cell_reference(br#"<row r='123456789012'>"#).is_some());
        assert!(oversized_cell_reference(br#"<dimension ref="C5:B9"/>"#).is_some());
        assert!(oversized_cell_reference(br#"<mergeCell ref="A9:B2"/>"#).is_some());
        assert_eq!(
            oversized_cell_reference(br#"<mergeCell ref="A2:B9"/>"#),
            None
        );
    }
}
