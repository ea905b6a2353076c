//! Normalised tokens with their place in the source text.

use serde::{Deserialize, Serialize};

/// A normalised token: the symbol the comparison sees and where it came from.
///
/// Two tokens are "the same" for the engine when their symbols are equal: every identifier of
/// a program is the one symbol `ID`, every Han character is its simplified form, a number with
/// its unit is its normalised value and unit. Positions are in the text the token was read from
/// (after extraction from DOCX/XLSX/PDF, in the extracted text).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// The normalised symbol (a stable hash of the normalised form; see [`sym`]).
    pub sym: u32,
    /// Byte offset of the first byte of the token.
    pub start: u32,
    /// Byte offset one past the last byte.
    pub end: u32,
    /// 1-based line of the first character.
    pub line: u32,
    /// 1-based column of the first character, counted in characters (not bytes).
    pub col: u32,
}

/// A place in a text: 1-based line and column (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

/// The symbol of a normalised form: FNV-1a (64-bit, folded to 32) of a tag byte and the form.
///
/// Stable across runs and machines (fingerprint files depend on it through the normaliser
/// version). It is not secret: secrecy comes from the keyed hash over k-grams of symbols.
pub fn sym(tag: u8, form: &[u8]) -> u32 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    h ^= u64::from(tag);
    h = h.wrapping_mul(0x0000_0100_0000_01b3);
    for &b in form {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (h ^ (h >> 32)) as u32
}

/// Tags keep symbols of different kinds apart (a keyword `if` is not the word "if").
pub(crate) mod tag {
    pub const KEYWORD: u8 = 1;
    pub const OPERATOR: u8 = 2;
    pub const CLASS: u8 = 3;
    pub const WORD: u8 = 4;
    pub const NUMBER: u8 = 5;
    pub const MEMBER: u8 = 6;
}

/// Fills in `line` and `col` of tokens (sorted by `start`, which lexers guarantee) from `text`.
pub(crate) fn assign_positions(text: &str, tokens: &mut [Token]) {
    let mut line = 1u32;
    let mut col = 1u32;
    let mut chars = text.char_indices().peekable();
    for t in tokens.iter_mut() {
        while let Some(&(i, c)) = chars.peek() {
            if i as u32 >= t.start {
                break;
            }
            chars.next();
            if c == '\n' {
                line += 1;
                col = 1;
            } else {
                col += 1;
            }
        }
        t.line = line;
        t.col = col;
    }
}

/// Maps byte offsets of one text to lines and columns.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset of the start of every line.
    starts: Vec<u32>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0u32];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                starts.push(i as u32 + 1);
            }
        }
        LineIndex { starts }
    }

    /// The line and column of byte offset `offset` (clamped to the text; columns in characters).
    pub fn pos(&self, text: &str, offset: u32) -> Pos {
        let offset = offset.min(text.len() as u32);
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let ls = self.starts[line] as usize;
        let mut end = offset as usize;
        while end > ls && !text.is_char_boundary(end) {
            end -= 1;
        }
        let col = text[ls..end].chars().count() as u32 + 1;
        Pos {
            line: line as u32 + 1,
            col,
        }
    }

    /// Number of lines.
    pub fn lines(&self) -> usize {
        self.starts.len()
    }
}
