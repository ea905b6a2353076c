//! Telling formats apart by their first bytes.

use super::{Ctx, ExtractError, Format};

pub(crate) enum Sniffed {
    /// `%PDF-` at the start (`at_start`), or later in the first KiB (junk before the header,
    /// which readers accept, or a text that mentions `%PDF-`).
    Pdf { at_start: bool },
    /// A ZIP archive: DOCX, XLSX, PPTX, or something else (decided by its parts).
    Zip,
    /// An OLE compound file: an encrypted OOXML document, or a legacy .doc/.xls/.ppt.
    Ole,
    /// A known binary format that has no text for us, named for the message.
    Binary(&'static str),
    /// Anything else: text, or unknown binary (the text decoder decides).
    Other,
}

/// Magic numbers of formats people are likely to upload by mistake.
const MAGIC: &[(&[u8], &str)] = &[
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"BM", "a BMP image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x00\x00\x01\x00", "an icon (ICO) image"),
    (b"8BPS", "a Photoshop (PSD) image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (b"\x7fELF", "an ELF executable"),
    (
        b"\xca\xfe\xba\xbe",
        "a Java class file or Mach-O executable",
    ),
    (b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xce\xfa\xed\xfe", "a Mach-O executable"),
    (b"\x00asm", "a WebAssembly module"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"{\\rtf", "an RTF document (save it as DOCX or text)"),
    (b"%!PS", "a PostScript file (convert it to PDF)"),
    (b"\x25\x21", "a PostScript file (convert it to PDF)"),
    (b"ID3", "an MP3 audio file"),
    (b"OggS", "an Ogg media file"),
    (b"fLaC", "a FLAC audio file"),
    (b"\x1a\x45\xdf\xa3", "a Matroska/WebM video"),
    (b"wOFF", "a WOFF font"),
    (b"wOF2", "a WOFF2 font"),
    (b"OTTO", "an OpenType font"),
    (b"\x00\x01\x00\x00\x00", "a TrueType font"),
    (b"AT&TFORM", "a DjVu document"),
    (b"\xd4\xc3\xb2\xa1", "a packet capture (pcap)"),
    (b"\xa1\xb2\xc3\xd4", "a packet capture (pcap)"),
];

pub(crate) fn sniff(bytes: &[u8]) -> Sniffed {
    // PDF readers accept junk before the header; so do we, within the first KiB.
    let head = &bytes[..bytes.len().min(1024)];
    if head.starts_with(b"%PDF-") {
        return Sniffed::Pdf { at_start: true };
    }
    if find(head, b"%PDF-").is_some() {
        return Sniffed::Pdf { at_start: false };
    }
    if bytes.starts_with(b"PK\x03\x04")
        || bytes.starts_with(b"PK\x05\x06")
        || bytes.starts_with(b"PK\x07\x08")
    {
        return Sniffed::Zip;
    }
    if bytes.starts_with(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        return Sniffed::Ole;
    }
    // MZ executables: only with the PE/DOS signature where it belongs, "MZ" alone is text.
    if bytes.starts_with(b"MZ") && bytes.len() >= 64 && !super::text::looks_like_text(bytes) {
        return Sniffed::Binary("a Windows/DOS executable");
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" {
        return Sniffed::Binary(match &bytes[8..12] {
            b"WEBP" => "a WebP image",
            b"WAVE" => "a WAV audio file",
            b"AVI " => "an AVI video",
            _ => "a RIFF media file",
        });
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return Sniffed::Binary(match &bytes[8..12] {
            b"heic" | b"heix" | b"mif1" | b"msf1" => "a HEIC image",
            b"avif" => "an AVIF image",
            _ => "an MP4/QuickTime video",
        });
    }
    for (magic, what) in MAGIC {
        if bytes.starts_with(magic) {
            // Two-byte magics ("BM", "%!") are also how text can start: only call it binary
            // when the rest is not text either.
            if magic.len() <= 2 && super::text::looks_like_text(bytes) {
                continue;
            }
            return Sniffed::Binary(what);
        }
    }
    Sniffed::Other
}

pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// An OLE compound file: Office's container for encrypted OOXML documents (the real DOCX,
/// XLSX or PPTX inside an `EncryptedPackage` stream) and for the legacy binary formats.
/// Without reading the whole compound file, the stream names tell them apart: they are
/// stored in UTF-16LE in the directory sectors.
pub(crate) fn ole_error(ctx: &Ctx<'_>, bytes: &[u8]) -> ExtractError {
    let has = |name: &str| {
        let utf16: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        find(bytes, &utf16).is_some()
    };
    if has("EncryptedPackage") || has("EncryptionInfo") {
        let format = match ctx.hint {
            Some(f @ (Format::Docx | Format::Xlsx | Format::Pptx)) => f.name(),
            _ => "Office document (DOCX/XLSX/PPTX)",
        };
        return ctx.encrypted(format);
    }
    let (what, save_as) = if has("WordDocument") {
        ("a legacy Word 97-2003 document (.doc)", "DOCX")
    } else if has("Workbook") || has("Book") {
        ("a legacy Excel 97-2003 workbook (.xls)", "XLSX")
    } else if has("PowerPoint Document") {
        ("a legacy PowerPoint 97-2003 presentation (.ppt)", "PPTX")
    } else {
        (
            "an OLE compound file (a legacy Office or other Windows document)",
            "DOCX, XLSX or PDF",
        )
    };
    ctx.unsupported(format!("is {what}; save it as {save_as} and try again"))
}
