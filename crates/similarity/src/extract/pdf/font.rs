//! PDF fonts as far as text extraction needs them: how a string splits into character
//! codes, what Unicode text each code stands for, and how far each glyph advances.
//!
//! Unicode comes from, in order: the font's `/ToUnicode` CMap; for simple fonts, the
//! `/Encoding` (base encoding plus `/Differences` glyph names); for CID fonts, predefined
//! CMaps whose codes are themselves Unicode or a legacy CJK encoding (`UniGB-UCS2-H`,
//! `GBK-EUC-H`, `B5pc-H`, `90ms-RKSJ-H`, `KSCms-UHC-H`, ...). A CID font with `Identity-H`
//! and no `/ToUnicode` cannot be read (its codes are glyph numbers): the caller warns.

use std::collections::HashMap;

use encoding_rs::Encoding;
use lopdf::{Dictionary, Document, Object};

use super::glyphlist::GLYPHS;
use super::lexer::{Lexer, Operand, Token};
use super::{Budget, BudgetExceeded, deref, number};

/// A range of codes of one byte length, compared byte by byte as CMaps do.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct CodeRange {
    len: u8,
    lo: [u8; 4],
    hi: [u8; 4],
}

impl CodeRange {
    const fn new(len: u8, lo: u32, hi: u32) -> Self {
        CodeRange {
            len,
            lo: lo.to_be_bytes(),
            hi: hi.to_be_bytes(),
        }
    }

    fn from_bytes(lo: &[u8], hi: &[u8]) -> Option<Self> {
        let len = lo.len();
        if !(1..=4).contains(&len) || hi.len() != len {
            return None;
        }
        let mut r = CodeRange {
            len: len as u8,
            lo: [0; 4],
            hi: [0; 4],
        };
        r.lo[4 - len..].copy_from_slice(lo);
        r.hi[4 - len..].copy_from_slice(hi);
        Some(r)
    }

    fn matches(&self, bytes: &[u8]) -> bool {
        let n = usize::from(self.len);
        bytes.len() >= n
            && (0..n).all(|i| {
                let b = bytes[i];
                let k = 4 - n + i;
                self.lo[k] <= b && b <= self.hi[k]
            })
    }
}

const ONE_BYTE: &[CodeRange] = &[CodeRange::new(1, 0x00, 0xff)];
const TWO_BYTE: &[CodeRange] = &[CodeRange::new(2, 0x0000, 0xffff)];
const UTF16: &[CodeRange] = &[
    CodeRange::new(2, 0x0000, 0xd7ff),
    CodeRange::new(4, 0xd800_dc00, 0xdbff_dfff),
    CodeRange::new(2, 0xe000, 0xffff),
];
const UTF8: &[CodeRange] = &[
    CodeRange::new(1, 0x00, 0x7f),
    CodeRange::new(2, 0xc080, 0xdfbf),
    CodeRange::new(3, 0xe0_8080, 0xef_bfbf),
    CodeRange::new(4, 0xf080_8080, 0xf7bf_bfbf),
];
const UTF32: &[CodeRange] = &[CodeRange::new(4, 0x0000_0000, 0x0010_ffff)];
/// GBK, GB 2312 (EUC-CN), Big5, UHC: an ASCII byte or a lead byte 81–FE and a trail byte.
const DOUBLE_BYTE: &[CodeRange] = &[
    CodeRange::new(1, 0x00, 0x80),
    CodeRange::new(2, 0x8140, 0xfefe),
];
const GB18030: &[CodeRange] = &[
    CodeRange::new(1, 0x00, 0x80),
    CodeRange::new(4, 0x8130_8130, 0xfe39_fe39),
    CodeRange::new(2, 0x8140, 0xfefe),
];
const SHIFT_JIS: &[CodeRange] = &[
    CodeRange::new(1, 0x00, 0x80),
    CodeRange::new(1, 0xa0, 0xdf),
    CodeRange::new(2, 0x8140, 0x9ffc),
    CodeRange::new(2, 0xe040, 0xfcfc),
];
const EUC_JP: &[CodeRange] = &[
    CodeRange::new(1, 0x00, 0x80),
    CodeRange::new(2, 0x8ea0, 0x8edf),
    CodeRange::new(2, 0xa1a1, 0xfefe),
];

/// What a code means when the ToUnicode map does not say.
#[derive(Debug)]
enum Fallback {
    /// A simple font's encoding: one entry per byte.
    Simple(Vec<Option<String>>),
    /// A predefined CMap whose codes are text in this encoding.
    Legacy(&'static Encoding),
    Utf32,
    /// Glyph or CID numbers: nothing to go on.
    None,
}

#[derive(Debug)]
enum Widths {
    Simple {
        first: u32,
        widths: Vec<f64>,
        missing: f64,
    },
    Cid {
        default: f64,
        /// (first, last, width), sorted by first.
        ranges: Vec<(u32, u32, f64)>,
    },
}

/// One font, ready to decode strings.
#[derive(Debug)]
pub(crate) struct Font {
    /// The `/BaseFont`, for warnings.
    pub name: String,
    codespace: Vec<CodeRange>,
    to_unicode: Option<CMap>,
    fallback: Fallback,
    widths: Widths,
    /// Glyph space to text space (0.001 except for Type 3 fonts).
    scale: f64,
    /// Vertical writing (`Identity-V`, `UniGB-UCS2-V`, ...).
    pub vertical: bool,
    /// Single-byte codes: word spacing (`Tw`) applies to code 32.
    pub simple: bool,
}

/// One decoded code of a string.
pub(crate) struct Glyph {
    /// The Unicode text, if the font says.
    pub text: Option<String>,
    /// Advance in text space units per unit of font size (horizontal, or vertical for
    /// vertical fonts), before character and word spacing.
    pub advance: f64,
    /// The code is the single byte 32 (word spacing applies).
    pub is_space_code: bool,
}

impl Font {
    /// A font with nothing known about it (a `Tf` naming a font the resources lack).
    pub fn unknown() -> Font {
        Font {
            name: "(missing font)".into(),
            codespace: ONE_BYTE.to_vec(),
            to_unicode: None,
            fallback: Fallback::Simple(table_from(&WIN_ANSI_TABLE)),
            widths: Widths::Simple {
                first: 0,
                widths: Vec::new(),
                missing: 500.0,
            },
            scale: 0.001,
            vertical: false,
            simple: true,
        }
    }

    pub fn load(
        doc: &Document,
        dict: &Dictionary,
        budget: &mut Budget,
    ) -> Result<Font, BudgetExceeded> {
        let subtype = name_of(doc, dict.get(b"Subtype").ok()).unwrap_or_default();
        let base = name_of(doc, dict.get(b"BaseFont").ok()).unwrap_or_default();
        let name = String::from_utf8_lossy(&base).into_owned();
        let to_unicode = match deref(doc, dict.get(b"ToUnicode").ok()) {
            Some(Object::Stream(s)) => budget.stream(s)?.map(|data| CMap::parse(&data)),
            _ => None,
        };
        if subtype == b"Type0" {
            return Self::load_type0(doc, dict, name, to_unicode, budget);
        }
        let fallback = Fallback::Simple(simple_encoding(doc, dict, &subtype, &base));
        let descriptor = match deref(doc, dict.get(b"FontDescriptor").ok()) {
            Some(Object::Dictionary(d)) => Some(d),
            _ => None,
        };
        let missing = descriptor
            .and_then(|d| number(deref(doc, d.get(b"MissingWidth").ok())))
            .unwrap_or(0.0);
        let widths = match deref(doc, dict.get(b"Widths").ok()) {
            Some(Object::Array(a)) => a
                .iter()
                .take(256)
                .map(|w| number(deref(doc, Some(w))).unwrap_or(missing))
                .collect(),
            _ => Vec::new(),
        };
        let first = number(deref(doc, dict.get(b"FirstChar").ok()))
            .filter(|f| (0.0..=255.0).contains(f))
            .unwrap_or(0.0) as u32;
        let widths = if widths.is_empty() {
            standard_widths(&base)
        } else {
            Widths::Simple {
                first,
                widths,
                missing: if missing > 0.0 { missing } else { 500.0 },
            }
        };
        let scale = if subtype == b"Type3" {
            match deref(doc, dict.get(b"FontMatrix").ok()) {
                Some(Object::Array(m)) => number(m.first())
                    .map(f64::abs)
                    .filter(|s| *s > 0.0 && *s < 1.0)
                    .unwrap_or(0.001),
                _ => 0.001,
            }
        } else {
            0.001
        };
        Ok(Font {
            name,
            codespace: ONE_BYTE.to_vec(),
            to_unicode,
            fallback,
            widths,
            scale,
            vertical: false,
            simple: true,
        })
    }

    fn load_type0(
        doc: &Document,
        dict: &Dictionary,
        name: String,
        to_unicode: Option<CMap>,
        budget: &mut Budget,
    ) -> Result<Font, BudgetExceeded> {
        let (codespace, fallback, vertical) = match deref(doc, dict.get(b"Encoding").ok()) {
            Some(Object::Name(n)) => predefined_cmap(n),
            Some(Object::Stream(s)) => {
                let embedded = budget.stream(s)?.map(|d| CMap::parse(&d));
                let vertical = s.dict.get(b"WMode").ok().and_then(|w| number(Some(w))) == Some(1.0);
                let ranges = embedded.map(|c| c.codespace).unwrap_or_default();
                let ranges = if ranges.is_empty() {
                    TWO_BYTE.to_vec()
                } else {
                    ranges
                };
                (ranges, Fallback::None, vertical)
            }
            _ => (TWO_BYTE.to_vec(), Fallback::None, false),
        };
        // When the encoding is unknown, the ToUnicode map's code space is the best guess.
        let codespace = match (&fallback, &to_unicode) {
            (Fallback::None, Some(cm))
                if codespace.as_slice() == TWO_BYTE && !cm.codespace.is_empty() =>
            {
                // Keep two bytes when the ToUnicode map agrees; use its ranges otherwise.
                if cm.codespace.iter().all(|r| r.len == 2) {
                    codespace
                } else {
                    cm.codespace.clone()
                }
            }
            _ => codespace,
        };
        let descendant = match deref(doc, dict.get(b"DescendantFonts").ok()) {
            Some(Object::Array(a)) => match deref(doc, a.first()) {
                Some(Object::Dictionary(d)) => Some(d),
                _ => None,
            },
            Some(Object::Dictionary(d)) => Some(d),
            _ => None,
        };
        let widths = match descendant {
            Some(d) => cid_widths(doc, d),
            None => Widths::Cid {
                default: 1000.0,
                ranges: Vec::new(),
            },
        };
        Ok(Font {
            name,
            codespace,
            to_unicode,
            fallback,
            widths,
            scale: 0.001,
            vertical,
            simple: false,
        })
    }

    /// Whether any code of this font can be turned into text.
    pub fn has_unicode(&self) -> bool {
        self.to_unicode.as_ref().is_some_and(|c| !c.is_empty())
            || !matches!(self.fallback, Fallback::None)
    }

    /// Splits `bytes` into codes and decodes each.
    pub fn decode(&self, bytes: &[u8], mut each: impl FnMut(Glyph)) {
        let mut i = 0;
        while i < bytes.len() {
            let rest = &bytes[i..];
            let len = self
                .codespace
                .iter()
                .filter(|r| r.matches(rest))
                .map(|r| usize::from(r.len))
                .min()
                .unwrap_or_else(|| {
                    // Not in any range: take the shortest code length (at least one byte).
                    self.codespace
                        .iter()
                        .map(|r| usize::from(r.len))
                        .min()
                        .unwrap_or(1)
                })
                .min(rest.len())
                .max(1);
            let code_bytes = &rest[..len];
            let code = code_bytes.iter().fold(0u32, |a, &b| a << 8 | u32::from(b));
            each(Glyph {
                text: self.unicode(code_bytes, code),
                advance: self.width(code) * self.scale,
                is_space_code: len == 1 && code == 32,
            });
            i += len;
        }
    }

    fn unicode(&self, bytes: &[u8], code: u32) -> Option<String> {
        if let Some(cm) = &self.to_unicode
            && let Some(s) = cm.lookup(bytes.len() as u8, code)
        {
            return Some(s);
        }
        match &self.fallback {
            Fallback::Simple(table) => table.get(code as usize).cloned().flatten(),
            Fallback::Legacy(enc) => enc
                .decode_without_bom_handling_and_without_replacement(bytes)
                .map(|s| s.into_owned()),
            Fallback::Utf32 => char::from_u32(code).map(String::from),
            Fallback::None => None,
        }
    }

    fn width(&self, code: u32) -> f64 {
        match &self.widths {
            Widths::Simple {
                first,
                widths,
                missing,
            } => code
                .checked_sub(*first)
                .and_then(|i| widths.get(i as usize))
                .copied()
                .unwrap_or(*missing),
            Widths::Cid { default, ranges } => {
                let i = ranges.partition_point(|r| r.0 <= code);
                ranges[..i]
                    .iter()
                    .rev()
                    .take(4)
                    .find(|r| code <= r.1)
                    .map_or(*default, |r| r.2)
            }
        }
    }
}

fn name_of(doc: &Document, o: Option<&Object>) -> Option<Vec<u8>> {
    match deref(doc, o) {
        Some(Object::Name(n)) => Some(n.clone()),
        _ => None,
    }
}

/// The code space, fallback and writing mode of a predefined CMap.
fn predefined_cmap(name: &[u8]) -> (Vec<CodeRange>, Fallback, bool) {
    let n = String::from_utf8_lossy(name);
    let vertical = n.ends_with("-V") || n == "V";
    let stem = n
        .strip_suffix("-H")
        .or_else(|| n.strip_suffix("-V"))
        .unwrap_or(&n);
    let (ranges, fallback): (&[CodeRange], Fallback) = if stem == "Identity" {
        (TWO_BYTE, Fallback::None)
    } else if stem.ends_with("-UCS2") || stem.ends_with("-UTF16") {
        (UTF16, Fallback::Legacy(encoding_rs::UTF_16BE))
    } else if stem.ends_with("-UTF8") {
        (UTF8, Fallback::Legacy(encoding_rs::UTF_8))
    } else if stem.ends_with("-UTF32") {
        (UTF32, Fallback::Utf32)
    } else if stem.starts_with("GBK2K") {
        (GB18030, Fallback::Legacy(encoding_rs::GB18030))
    } else if stem.starts_with("GB") {
        // GB-EUC, GBpc-EUC, GBK-EUC, GBKp-EUC, GBT-EUC: GBK decodes them all.
        (DOUBLE_BYTE, Fallback::Legacy(encoding_rs::GBK))
    } else if stem.contains("B5") || stem.starts_with("HK") {
        (DOUBLE_BYTE, Fallback::Legacy(encoding_rs::BIG5))
    } else if stem.contains("RKSJ") {
        (SHIFT_JIS, Fallback::Legacy(encoding_rs::SHIFT_JIS))
    } else if stem == "EUC" {
        (EUC_JP, Fallback::Legacy(encoding_rs::EUC_JP))
    } else if stem.starts_with("KSC") {
        (DOUBLE_BYTE, Fallback::Legacy(encoding_rs::EUC_KR))
    } else {
        // An unknown or ISO-2022 CMap (H, V, ...): two-byte codes, no text without ToUnicode.
        (TWO_BYTE, Fallback::None)
    };
    (ranges.to_vec(), fallback, vertical)
}

/// `/W [c [w1 w2 ...] cfirst clast w ...]` of a CID font.
fn cid_widths(doc: &Document, d: &Dictionary) -> Widths {
    let default = number(deref(doc, d.get(b"DW").ok())).unwrap_or(1000.0);
    let mut ranges = Vec::new();
    if let Some(Object::Array(w)) = deref(doc, d.get(b"W").ok()) {
        let mut i = 0;
        while i < w.len() && ranges.len() < 1 << 16 {
            let Some(first) = number(deref(doc, w.get(i))) else {
                i += 1;
                continue;
            };
            let first = first.clamp(0.0, f64::from(u32::MAX)) as u32;
            match deref(doc, w.get(i + 1)) {
                Some(Object::Array(list)) => {
                    for (k, v) in list.iter().enumerate().take(1 << 16) {
                        if let Some(v) = number(deref(doc, Some(v))) {
                            let c = first.saturating_add(k as u32);
                            ranges.push((c, c, v));
                        }
                    }
                    i += 2;
                }
                Some(o) => {
                    let last = number(Some(o))
                        .unwrap_or(0.0)
                        .clamp(0.0, f64::from(u32::MAX)) as u32;
                    if let Some(v) = number(deref(doc, w.get(i + 2))) {
                        ranges.push((first, last.max(first), v));
                    }
                    i += 3;
                }
                None => break,
            }
        }
    }
    ranges.sort_by_key(|r| r.0);
    Widths::Cid { default, ranges }
}

/// The 256-entry table of a simple font: base encoding, then `/Differences`.
fn simple_encoding(
    doc: &Document,
    dict: &Dictionary,
    subtype: &[u8],
    base_font: &[u8],
) -> Vec<Option<String>> {
    let symbolic = match deref(doc, dict.get(b"FontDescriptor").ok()) {
        Some(Object::Dictionary(fd)) => {
            number(deref(doc, fd.get(b"Flags").ok())).is_some_and(|f| (f as i64) & 4 != 0)
        }
        _ => false,
    };
    let default: &[u16; 256] = if subtype == b"Type1" && !symbolic && !is_standard_latin(base_font)
    {
        &STANDARD_TABLE
    } else {
        &WIN_ANSI_TABLE
    };
    let named = |n: &[u8]| -> Option<&'static [u16; 256]> {
        match n {
            b"WinAnsiEncoding" | b"PDFDocEncoding" => Some(&WIN_ANSI_TABLE),
            b"MacRomanEncoding" => Some(&MAC_ROMAN_TABLE),
            b"StandardEncoding" | b"MacExpertEncoding" => Some(&STANDARD_TABLE),
            _ => None,
        }
    };
    match deref(doc, dict.get(b"Encoding").ok()) {
        Some(Object::Name(n)) => table_from(named(n).unwrap_or(default)),
        Some(Object::Dictionary(e)) => {
            let base = match deref(doc, e.get(b"BaseEncoding").ok()) {
                Some(Object::Name(n)) => named(n).unwrap_or(default),
                _ => default,
            };
            let mut table = table_from(base);
            if let Some(Object::Array(diffs)) = deref(doc, e.get(b"Differences").ok()) {
                let mut code: i64 = 0;
                for item in diffs.iter().take(4096) {
                    match deref(doc, Some(item)) {
                        Some(Object::Integer(c)) => code = *c,
                        Some(Object::Real(c)) => code = *c as i64,
                        Some(Object::Name(glyph)) => {
                            if let Some(slot) =
                                usize::try_from(code).ok().and_then(|c| table.get_mut(c))
                            {
                                *slot = glyph_text(glyph);
                            }
                            code = code.saturating_add(1);
                        }
                        _ => {}
                    }
                }
            }
            table
        }
        _ => table_from(default),
    }
}

/// Standard Type 1 fonts (Helvetica, Times, Courier) without `/Encoding` are still
/// nearly always written with WinAnsi codes by today's producers.
fn is_standard_latin(base_font: &[u8]) -> bool {
    let name = strip_subset(base_font);
    [&b"Helvetica"[..], b"Times", b"Courier", b"Arial"]
        .iter()
        .any(|p| name.starts_with(p))
}

fn strip_subset(name: &[u8]) -> &[u8] {
    match name.iter().position(|&b| b == b'+') {
        Some(6) => &name[7..],
        _ => name,
    }
}

fn table_from(t: &[u16; 256]) -> Vec<Option<String>> {
    t.iter()
        .map(|&u| {
            (u != 0)
                .then(|| char::from_u32(u32::from(u)))
                .flatten()
                .map(String::from)
        })
        .collect()
}

/// The text of an Adobe glyph name: `Eacute`, `uni4E2D`, `u1F600`, `f_i`, `a.sc`.
pub(crate) fn glyph_text(name: &[u8]) -> Option<String> {
    // `a.sc`, `one.oldstyle`: the part before the first period.
    let name = match name.iter().position(|&b| b == b'.') {
        Some(0) => return None,
        Some(i) => &name[..i],
        None => name,
    };
    if name.contains(&b'_') {
        let parts: Option<String> = name.split(|&b| b == b'_').map(glyph_text).collect();
        return parts;
    }
    if let Ok(i) = GLYPHS.binary_search_by(|(n, _)| n.cmp(&name)) {
        return Some(expand_ligature(GLYPHS[i].1));
    }
    let s = std::str::from_utf8(name).ok()?;
    if let Some(hex) = s.strip_prefix("uni")
        && hex.len() >= 4
        && hex.len() % 4 == 0
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
    {
        let units: Vec<u16> = (0..hex.len() / 4)
            .filter_map(|k| u16::from_str_radix(&hex[4 * k..4 * k + 4], 16).ok())
            .collect();
        let text: String = char::decode_utf16(units).filter_map(Result::ok).collect();
        return (!text.is_empty()).then_some(text);
    }
    if let Some(hex) = s.strip_prefix('u')
        && (4..=6).contains(&hex.len())
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return u32::from_str_radix(hex, 16)
            .ok()
            .and_then(char::from_u32)
            .map(String::from);
    }
    None
}

/// Latin ligatures as their letters, so that "ﬁle" matches "file".
pub(crate) fn expand_ligature(c: char) -> String {
    match c {
        '\u{fb00}' => "ff".into(),
        '\u{fb01}' => "fi".into(),
        '\u{fb02}' => "fl".into(),
        '\u{fb03}' => "ffi".into(),
        '\u{fb04}' => "ffl".into(),
        '\u{fb05}' | '\u{fb06}' => "st".into(),
        c => c.to_string(),
    }
}

/// Widths of the standard 14 fonts (which PDFs may use without `/Widths`), for the ASCII
/// range; other codes and fonts get half an em.
fn standard_widths(base_font: &[u8]) -> Widths {
    let name = strip_subset(base_font);
    let bold = name.windows(4).any(|w| w == b"Bold");
    let table: Option<&[u16; 95]> = if name.starts_with(b"Helvetica") || name.starts_with(b"Arial")
    {
        Some(if bold { &HELVETICA_BOLD } else { &HELVETICA })
    } else if name.starts_with(b"Times") {
        Some(if bold { &TIMES_BOLD } else { &TIMES })
    } else {
        None
    };
    match table {
        Some(t) => Widths::Simple {
            first: 32,
            widths: t.iter().map(|&w| f64::from(w)).collect(),
            missing: 500.0,
        },
        None if name.starts_with(b"Courier") => Widths::Simple {
            first: 0,
            widths: Vec::new(),
            missing: 600.0,
        },
        None => Widths::Simple {
            first: 0,
            widths: Vec::new(),
            missing: 500.0,
        },
    }
}

/// A CMap: its code space ranges, and (for ToUnicode maps) codes to text.
#[derive(Debug, Default)]
pub(crate) struct CMap {
    pub codespace: Vec<CodeRange>,
    chars: HashMap<(u8, u32), String>,
    /// Sorted by (length, first code).
    ranges: Vec<BfRange>,
}

#[derive(Debug)]
struct BfRange {
    len: u8,
    lo: u32,
    hi: u32,
    dst: RangeDst,
}

#[derive(Debug)]
enum RangeDst {
    /// UTF-16 units; the last one counts up through the range.
    Base(Vec<u16>),
    List(Vec<Option<String>>),
}

const MAX_CMAP_ENTRIES: usize = 1 << 20;

impl CMap {
    pub fn parse(data: &[u8]) -> CMap {
        #[derive(PartialEq)]
        enum Mode {
            None,
            Codespace,
            BfChar,
            BfRange,
        }
        let mut cm = CMap::default();
        let mut mode = Mode::None;
        let mut pending: Vec<Operand> = Vec::with_capacity(3);
        let mut lexer = Lexer::new(data);
        while let Some(tok) = lexer.next_token() {
            match tok {
                Token::Keyword(k) => {
                    mode = match k {
                        b"begincodespacerange" => Mode::Codespace,
                        b"beginbfchar" => Mode::BfChar,
                        b"beginbfrange" => Mode::BfRange,
                        _ => Mode::None,
                    };
                    pending.clear();
                }
                Token::Operand(o) if mode != Mode::None => {
                    pending.push(o);
                    let need = if mode == Mode::BfRange { 3 } else { 2 };
                    if pending.len() == need {
                        match mode {
                            Mode::Codespace => cm.add_codespace(&pending),
                            Mode::BfChar => cm.add_char(&pending),
                            Mode::BfRange => cm.add_range(&pending),
                            Mode::None => {}
                        }
                        pending.clear();
                    }
                }
                _ => {}
            }
        }
        cm.ranges.sort_by_key(|r| (r.len, r.lo));
        cm
    }

    fn is_empty(&self) -> bool {
        self.chars.is_empty() && self.ranges.is_empty()
    }

    fn add_codespace(&mut self, ops: &[Operand]) {
        if let [Operand::String(lo), Operand::String(hi)] = ops
            && let Some(r) = CodeRange::from_bytes(lo, hi)
            && self.codespace.len() < 256
        {
            self.codespace.push(r);
        }
    }

    fn add_char(&mut self, ops: &[Operand]) {
        if let [Operand::String(src), dst] = ops
            && let Some((len, code)) = code_of(src)
            && self.chars.len() < MAX_CMAP_ENTRIES
            && let Some(text) = dst_text(dst)
        {
            self.chars.insert((len, code), text);
        }
    }

    fn add_range(&mut self, ops: &[Operand]) {
        let [Operand::String(lo), Operand::String(hi), dst] = ops else {
            return;
        };
        let (Some((len, lo)), Some((_, hi))) = (code_of(lo), code_of(hi)) else {
            return;
        };
        if hi < lo || self.ranges.len() >= MAX_CMAP_ENTRIES {
            return;
        }
        let dst = match dst {
            Operand::String(s) => RangeDst::Base(utf16_units(s)),
            Operand::Array(items) => {
                RangeDst::List(items.iter().take(MAX_CMAP_ENTRIES).map(dst_text).collect())
            }
            _ => return,
        };
        self.ranges.push(BfRange { len, lo, hi, dst });
    }

    /// The text for a code of `len` bytes; codes written with another length (a simple
    /// font's map listing `<0041>`) are tried too.
    pub fn lookup(&self, len: u8, code: u32) -> Option<String> {
        self.lookup_exact(len, code).or_else(|| {
            (1..=4u8)
                .filter(|&l| l != len)
                .find_map(|l| self.lookup_exact(l, code))
        })
    }

    fn lookup_exact(&self, len: u8, code: u32) -> Option<String> {
        if let Some(s) = self.chars.get(&(len, code)) {
            return Some(s.clone());
        }
        let i = self
            .ranges
            .partition_point(|r| (r.len, r.lo) <= (len, code));
        let r = self.ranges[..i]
            .iter()
            .rev()
            .take(8)
            .find(|r| r.len == len && code <= r.hi)?;
        let offset = code - r.lo;
        match &r.dst {
            RangeDst::Base(units) => {
                let (last, head) = units.split_last()?;
                let last = u32::from(*last).checked_add(offset)?;
                let mut units = head.to_vec();
                if last <= 0xffff {
                    units.push(last as u16);
                    Some(char::decode_utf16(units).filter_map(Result::ok).collect())
                } else {
                    // Counting past U+FFFF: the sum is the code point.
                    let mut s: String = char::decode_utf16(units).filter_map(Result::ok).collect();
                    s.push(char::from_u32(last)?);
                    Some(s)
                }
            }
            RangeDst::List(list) => list.get(offset as usize).cloned().flatten(),
        }
    }
}

fn code_of(bytes: &[u8]) -> Option<(u8, u32)> {
    if !(1..=4).contains(&bytes.len()) {
        return None;
    }
    Some((
        bytes.len() as u8,
        bytes.iter().fold(0u32, |a, &b| a << 8 | u32::from(b)),
    ))
}

fn utf16_units(bytes: &[u8]) -> Vec<u16> {
    if bytes.len() == 1 {
        return vec![u16::from(bytes[0])];
    }
    bytes
        .chunks(2)
        .map(|c| match c {
            [h, l] => u16::from_be_bytes([*h, *l]),
            [b] => u16::from(*b),
            _ => 0,
        })
        .collect()
}

/// A bfchar/bfrange destination: UTF-16BE text, or (old style) a glyph name.
fn dst_text(dst: &Operand) -> Option<String> {
    match dst {
        Operand::String(s) => {
            let text: String = char::decode_utf16(utf16_units(s))
                .filter_map(Result::ok)
                .collect();
            Some(text)
        }
        Operand::Name(n) => glyph_text(n),
        _ => None,
    }
}

// --- encoding tables (Unicode code units; 0 = undefined) ---

/// WinAnsiEncoding (Windows-1252), with the PDF spec's bullet for the unused codes.
static WIN_ANSI_TABLE: [u16; 256] = {
    let mut t = [0u16; 256];
    let mut i = 32;
    while i < 256 {
        t[i] = i as u16;
        i += 1;
    }
    let high: [u16; 32] = [
        0x20ac, 0x2022, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x2022, 0x017d, 0x2022, 0x2022, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
        0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x2022, 0x017e, 0x0178,
    ];
    let mut k = 0;
    while k < 32 {
        t[0x80 + k] = high[k];
        k += 1;
    }
    t[0x7f] = 0x2022;
    t
};

/// StandardEncoding (Adobe's Type 1 default).
static STANDARD_TABLE: [u16; 256] = {
    let mut t = [0u16; 256];
    let mut i = 32;
    while i < 127 {
        t[i] = i as u16;
        i += 1;
    }
    t[0x27] = 0x2019;
    t[0x60] = 0x2018;
    let pairs: [(usize, u16); 59] = [
        (0xa1, 0x00a1),
        (0xa2, 0x00a2),
        (0xa3, 0x00a3),
        (0xa4, 0x2044),
        (0xa5, 0x00a5),
        (0xa6, 0x0192),
        (0xa7, 0x00a7),
        (0xa8, 0x00a4),
        (0xa9, 0x0027),
        (0xaa, 0x201c),
        (0xab, 0x00ab),
        (0xac, 0x2039),
        (0xad, 0x203a),
        (0xae, 0xfb01),
        (0xaf, 0xfb02),
        (0xb1, 0x2013),
        (0xb2, 0x2020),
        (0xb3, 0x2021),
        (0xb4, 0x00b7),
        (0xb6, 0x00b6),
        (0xb7, 0x2022),
        (0xb8, 0x201a),
        (0xb9, 0x201e),
        (0xba, 0x201d),
        (0xbb, 0x00bb),
        (0xbc, 0x2026),
        (0xbd, 0x2030),
        (0xbf, 0x00bf),
        (0xc1, 0x0060),
        (0xc2, 0x00b4),
        (0xc3, 0x02c6),
        (0xc4, 0x02dc),
        (0xc5, 0x00af),
        (0xc6, 0x02d8),
        (0xc7, 0x02d9),
        (0xc8, 0x00a8),
        (0xca, 0x02da),
        (0xcb, 0x00b8),
        (0xcd, 0x02dd),
        (0xce, 0x02db),
        (0xcf, 0x02c7),
        (0xd0, 0x2014),
        (0xe1, 0x00c6),
        (0xe3, 0x00aa),
        (0xe8, 0x0141),
        (0xe9, 0x00d8),
        (0xea, 0x0152),
        (0xeb, 0x00ba),
        (0xf1, 0x00e6),
        (0xf5, 0x0131),
        (0xf8, 0x0142),
        (0xf9, 0x00f8),
        (0xfa, 0x0153),
        (0xfb, 0x00df),
        (0x20, 0x0020),
        (0x2d, 0x002d),
        (0x7e, 0x007e),
        (0x5e, 0x005e),
        (0x22, 0x0022),
    ];
    let mut k = 0;
    while k < pairs.len() {
        t[pairs[k].0] = pairs[k].1;
        k += 1;
    }
    t
};

/// MacRomanEncoding.
static MAC_ROMAN_TABLE: [u16; 256] = {
    let mut t = [0u16; 256];
    let mut i = 32;
    while i < 127 {
        t[i] = i as u16;
        i += 1;
    }
    let high: [u16; 128] = [
        0x00c4, 0x00c5, 0x00c7, 0x00c9, 0x00d1, 0x00d6, 0x00dc, 0x00e1, 0x00e0, 0x00e2, 0x00e4,
        0x00e3, 0x00e5, 0x00e7, 0x00e9, 0x00e8, 0x00ea, 0x00eb, 0x00ed, 0x00ec, 0x00ee, 0x00ef,
        0x00f1, 0x00f3, 0x00f2, 0x00f4, 0x00f6, 0x00f5, 0x00fa, 0x00f9, 0x00fb, 0x00fc, 0x2020,
        0x00b0, 0x00a2, 0x00a3, 0x00a7, 0x2022, 0x00b6, 0x00df, 0x00ae, 0x00a9, 0x2122, 0x00b4,
        0x00a8, 0x2260, 0x00c6, 0x00d8, 0x221e, 0x00b1, 0x2264, 0x2265, 0x00a5, 0x00b5, 0x2202,
        0x2211, 0x220f, 0x03c0, 0x222b, 0x00aa, 0x00ba, 0x03a9, 0x00e6, 0x00f8, 0x00bf, 0x00a1,
        0x00ac, 0x221a, 0x0192, 0x2248, 0x2206, 0x00ab, 0x00bb, 0x2026, 0x00a0, 0x00c0, 0x00c3,
        0x00d5, 0x0152, 0x0153, 0x2013, 0x2014, 0x201c, 0x201d, 0x2018, 0x2019, 0x00f7, 0x25ca,
        0x00ff, 0x0178, 0x2044, 0x20ac, 0x2039, 0x203a, 0xfb01, 0xfb02, 0x2021, 0x00b7, 0x201a,
        0x201e, 0x2030, 0x00c2, 0x00ca, 0x00c1, 0x00cb, 0x00c8, 0x00cd, 0x00ce, 0x00cf, 0x00cc,
        0x00d3, 0x00d4, 0xf8ff, 0x00d2, 0x00da, 0x00db, 0x00d9, 0x0131, 0x02c6, 0x02dc, 0x00af,
        0x02d8, 0x02d9, 0x02da, 0x00b8, 0x02dd, 0x02db, 0x02c7,
    ];
    let mut k = 0;
    while k < 128 {
        t[0x80 + k] = high[k];
        k += 1;
    }
    t
};

/// Helvetica, Helvetica-Bold, Times-Roman and Times-Bold widths for codes 32–126 (from
/// the Adobe AFM files, as ReportLab ships them).
#[rustfmt::skip]
static HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722,
    722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722,
    667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556,
    556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500,
    500, 334, 260, 334, 584,
];
#[rustfmt::skip]
static HELVETICA_BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722,
    722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722,
    667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611,
    611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556,
    500, 389, 280, 389, 584,
];
#[rustfmt::skip]
static TIMES: [u16; 95] = [
    250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250, 278, 500, 500,
    500, 500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444, 921, 722, 667, 667,
    722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722, 556, 722, 667, 556, 611, 722,
    722, 944, 722, 722, 611, 333, 278, 333, 469, 500, 333, 444, 500, 444, 500, 444, 333, 500,
    500, 278, 278, 500, 278, 778, 500, 500, 500, 500, 333, 389, 278, 500, 500, 722, 500, 500,
    444, 480, 200, 480, 541,
];
#[rustfmt::skip]
static TIMES_BOLD: [u16; 95] = [
    250, 333, 555, 500, 500, 1000, 833, 278, 333, 333, 500, 570, 250, 333, 250, 278, 500, 500,
    500, 500, 500, 500, 500, 500, 500, 500, 333, 333, 570, 570, 570, 500, 930, 722, 667, 722,
    722, 667, 611, 778, 778, 389, 500, 778, 667, 944, 722, 778, 611, 778, 722, 556, 667, 722,
    722, 1000, 722, 722, 667, 333, 278, 333, 581, 500, 333, 500, 556, 444, 556, 444, 333, 500,
    556, 278, 333, 556, 278, 833, 556, 500, 556, 556, 444, 389, 333, 556, 500, 722, 500, 500,
    444, 394, 220, 394, 520,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glyph_names() {
        assert_eq!(glyph_text(b"Eacute").as_deref(), Some("É"));
        assert_eq!(glyph_text(b"quotedblleft").as_deref(), Some("\u{201c}"));
        assert_eq!(glyph_text(b"fi").as_deref(), Some("fi"));
        assert_eq!(glyph_text(b"f_f_i").as_deref(), Some("ffi"));
        assert_eq!(glyph_text(b"a.sc").as_deref(), Some("a"));
        assert_eq!(glyph_text(b"uni4E2D6587").as_deref(), Some("中文"));
        assert_eq!(glyph_text(b"u1F600").as_deref(), Some("😀"));
        assert_eq!(glyph_text(b"g123"), None);
        assert!(GLYPHS.windows(2).all(|w| w[0].0 < w[1].0), "sorted");
    }

    #[test]
    fn to_unicode_cmap() {
        let cm = CMap::parse(
            b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap
            1 begincodespacerange <0000> <FFFF> endcodespacerange
            2 beginbfchar <0001> <56FA> <0002> <00660069> endbfchar
            2 beginbfrange <0010> <0012> <4E00> <0020> <0021> [<0041> <D83DDE00>] endbfrange
            1 beginbfchar <0030> /Eacute endbfchar
            endcmap",
        );
        assert_eq!(cm.codespace, vec![CodeRange::new(2, 0, 0xffff)]);
        assert_eq!(cm.lookup(2, 1).as_deref(), Some("固"));
        assert_eq!(cm.lookup(2, 2).as_deref(), Some("fi"));
        assert_eq!(cm.lookup(2, 0x11).as_deref(), Some("丁"));
        assert_eq!(cm.lookup(2, 0x13), None);
        assert_eq!(cm.lookup(2, 0x21).as_deref(), Some("😀"));
        assert_eq!(cm.lookup(2, 0x30).as_deref(), Some("É"));
        // A one-byte code finds the two-byte entry with the same value.
        assert_eq!(cm.lookup(1, 0x20).as_deref(), Some("A"));
    }

    #[test]
    fn code_space_splits_mixed_lengths() {
        let (ranges, fallback, _) = predefined_cmap(b"GBK-EUC-H");
        let font = Font {
            name: String::new(),
            codespace: ranges,
            to_unicode: None,
            fallback,
            widths: Widths::Cid {
                default: 1000.0,
                ranges: vec![],
            },
            scale: 0.001,
            vertical: false,
            simple: false,
        };
        let (gbk, _, _) = encoding_rs::GBK.encode("A配方7");
        let mut out = String::new();
        font.decode(&gbk, |g| out.push_str(&g.text.unwrap_or_default()));
        assert_eq!(out, "A配方7");
    }

    #[test]
    fn tables() {
        assert_eq!(WIN_ANSI_TABLE[0x93], 0x201c);
        assert_eq!(WIN_ANSI_TABLE[0xe9], 0xe9);
        assert_eq!(STANDARD_TABLE[0x27], 0x2019);
        assert_eq!(STANDARD_TABLE[0xd0], 0x2014);
        assert_eq!(MAC_ROMAN_TABLE[0x8e], 0xe9);
    }
}
