//! Plain text: UTF-8, UTF-16/32 (with a BOM, or UTF-16 without one), GB18030/GBK, and as a
//! last resort Windows-1252; anything that decodes to too many control characters is binary.

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE, WINDOWS_1252};

use super::{Ctx, ExtractError, Extracted, Format};

/// More control characters than this (per thousand characters) and it is not text.
const MAX_CONTROL_PER_MILLE: usize = 10;

pub(crate) fn extract(ctx: &Ctx<'_>, bytes: &[u8]) -> Result<Extracted, ExtractError> {
    let mut warnings = Vec::new();
    let text = decode(bytes, &mut warnings).ok_or_else(|| not_text(ctx, bytes))?;
    Ok(Extracted {
        text,
        format: Format::PlainText,
        warnings,
        sections: Vec::new(),
    })
}

fn not_text(ctx: &Ctx<'_>, bytes: &[u8]) -> ExtractError {
    let what = match ctx.hint {
        // A name that promises a document the content is not: say both.
        Some(f @ (Format::Docx | Format::Xlsx | Format::Pptx)) => format!(
            "is named like a {f} file but is not one (no ZIP package inside); it is binary data of an unknown format"
        ),
        Some(Format::Pdf) => {
            "is named like a PDF file but has no %PDF- header; it is binary data of an unknown format"
                .to_string()
        }
        _ => {
            let nul = bytes.iter().take(8192).filter(|&&b| b == 0).count();
            if nul > 0 {
                "is binary data (it contains NUL bytes), not text".to_string()
            } else {
                "is binary data (too many control characters), not text; text must be UTF-8, UTF-16 or GB18030/GBK"
                    .to_string()
            }
        }
    };
    ctx.unsupported(what)
}

/// The text of `bytes`, or `None` if they are not text.
fn decode(bytes: &[u8], warnings: &mut Vec<String>) -> Option<String> {
    // Byte order marks first: they say what the text is.
    if let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        return with_bom(
            String::from_utf8_lossy(rest).into_owned(),
            "UTF-8",
            warnings,
        );
    }
    if let Some(rest) = bytes.strip_prefix(b"\xff\xfe\x00\x00") {
        return with_bom(utf32(rest, u32::from_le_bytes), "UTF-32LE", warnings);
    }
    if let Some(rest) = bytes.strip_prefix(b"\x00\x00\xfe\xff") {
        return with_bom(utf32(rest, u32::from_be_bytes), "UTF-32BE", warnings);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xff\xfe") {
        return with_bom(lossy(UTF_16LE, rest), "UTF-16LE", warnings);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xfe\xff") {
        return with_bom(lossy(UTF_16BE, rest), "UTF-16BE", warnings);
    }
    if let Some(enc) = bomless_utf16(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(bytes);
        if !had_errors && is_text(&text) {
            warnings.push(format!("no byte order mark; decoded as {}", enc.name()));
            return Some(text.into_owned());
        }
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return is_text(text).then(|| text.to_string());
    }
    if let Some(text) = GB18030.decode_without_bom_handling_and_without_replacement(bytes)
        && is_text(&text)
    {
        warnings.push("not UTF-8; decoded as GB18030 (GBK)".into());
        return Some(text.into_owned());
    }
    // Single-byte legacy text (Latin-1 source files): only if it has no NULs and few
    // control characters as bytes, so that binary data is still refused.
    if looks_like_text(bytes) {
        let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
        if is_text(&text) {
            warnings.push(
                "neither UTF-8 nor GB18030; decoded as Windows-1252 (Western European)".into(),
            );
            return Some(text.into_owned());
        }
    }
    None
}

/// Text that declared its encoding with a BOM is taken as text unless it is mostly control
/// characters (a binary file that happens to start with FF FE).
fn with_bom(text: String, name: &str, warnings: &mut Vec<String>) -> Option<String> {
    if !is_text(&text) {
        return None;
    }
    if text.contains('\u{fffd}') {
        warnings.push(format!(
            "invalid {name} sequences were replaced with U+FFFD"
        ));
    }
    Some(text)
}

fn lossy(enc: &'static Encoding, bytes: &[u8]) -> String {
    enc.decode_without_bom_handling(bytes).0.into_owned()
}

fn utf32(bytes: &[u8], read: fn([u8; 4]) -> u32) -> String {
    bytes
        .chunks(4)
        .map(|c| {
            <[u8; 4]>::try_from(c)
                .ok()
                .and_then(|c| char::from_u32(read(c)))
                .unwrap_or('\u{fffd}')
        })
        .collect()
}

/// UTF-16 without a BOM shows as zero bytes in every other position (ASCII-range text).
fn bomless_utf16(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let zero_even = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let zero_odd = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    if zero_odd * 10 >= pairs * 4 && zero_even * 20 <= pairs {
        Some(UTF_16LE)
    } else if zero_even * 10 >= pairs * 4 && zero_odd * 20 <= pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

fn is_control(c: char) -> bool {
    matches!(c, '\0'..='\x08' | '\x0b' | '\x0e'..='\x1a' | '\x1c'..='\x1f' | '\x7f' | '\u{fffd}')
}

/// Decoded text with at most 1% control characters (NUL, other C0 controls, DEL, U+FFFD).
fn is_text(text: &str) -> bool {
    let mut total = 0usize;
    let mut control = 0usize;
    for c in text.chars() {
        total += 1;
        control += usize::from(is_control(c));
    }
    control * 1000 <= total * MAX_CONTROL_PER_MILLE
}

/// The raw bytes could be single-byte text: no NUL, at most 1% C0 control bytes.
pub(crate) fn looks_like_text(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    if sample.contains(&0) {
        return false;
    }
    let control = sample
        .iter()
        .filter(|&&b| is_control(char::from(b)))
        .count();
    control * 1000 <= sample.len() * MAX_CONTROL_PER_MILLE
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(bytes: &[u8]) -> Option<String> {
        decode(bytes, &mut Vec::new())
    }

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(dec("配方 recipe".as_bytes()).unwrap(), "配方 recipe");
        assert_eq!(dec(b"\xef\xbb\xbfabc").unwrap(), "abc");
        assert_eq!(dec(b"").unwrap(), "");
    }

    #[test]
    fn utf16_with_bom_and_without() {
        let mut le = vec![0xff, 0xfe];
        le.extend("配方 A".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(dec(&le).unwrap(), "配方 A");
        let mut be = vec![0xfe, 0xff];
        be.extend("配方 A".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(dec(&be).unwrap(), "配方 A");
        let bare: Vec<u8> = "plain ascii text\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let mut w = Vec::new();
        assert_eq!(decode(&bare, &mut w).unwrap(), "plain ascii text\n");
        assert!(w[0].contains("UTF-16LE"), "{w:?}");
    }

    #[test]
    fn gbk_and_latin1() {
        let (gbk, _, _) = encoding_rs::GBK.encode("硫化锂与五硫化二磷");
        let mut w = Vec::new();
        assert_eq!(decode(&gbk, &mut w).unwrap(), "硫化锂与五硫化二磷");
        assert!(w[0].contains("GB18030"));
        // "café\n" in Latin-1: the lone E9 before a newline is not GB18030.
        let mut w = Vec::new();
        assert_eq!(decode(b"caf\xe9\n", &mut w).unwrap(), "café\n");
        assert!(w[0].contains("Windows-1252"));
    }

    #[test]
    fn binary_is_refused() {
        assert!(dec(b"\x00\x01\x02\x03\x04binary\x00\x00").is_none());
        let noise: Vec<u8> = (0..2000u32).map(|i| (i * 7919 % 251) as u8).collect();
        assert!(dec(&noise).is_none());
    }
}
