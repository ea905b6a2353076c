//! A document: its text (when at hand), language and normalised tokens.

use std::path::Path;

use crate::Error;
use crate::lang::Language;
use crate::token::{LineIndex, Pos, Token, assign_positions};

/// The normaliser's version, written into fingerprint files: a file made by another version
/// of the tokenisers cannot be compared (its symbols would differ) and is refused.
pub const NORMALISER_VERSION: u16 = 1;

/// The largest text the engine tokenises (token offsets are 32-bit).
pub const MAX_TEXT_BYTES: usize = 512 * 1024 * 1024;

/// A tokenised document.
#[derive(Debug, Clone)]
pub struct Document {
    /// The name shown in reports (usually the path as given).
    pub name: String,
    pub language: Language,
    /// The text the tokens were read from.
    pub text: String,
    /// Normalised tokens, in text order.
    pub tokens: Vec<Token>,
    /// Indices into `tokens` of the parameters (numbers with units in text documents).
    pub params: Vec<u32>,
}

impl Document {
    /// Tokenises `text` as `language`.
    pub fn from_text(
        name: impl Into<String>,
        language: Language,
        text: impl Into<String>,
    ) -> Result<Document, Error> {
        let name = name.into();
        let text = text.into();
        if text.len() > MAX_TEXT_BYTES {
            return Err(Error::TooLarge {
                file: name,
                bytes: text.len() as u64,
            });
        }
        let (mut tokens, params) = tokenize(language, &text);
        assign_positions(&text, &mut tokens);
        Ok(Document {
            name,
            language,
            text,
            tokens,
            params,
        })
    }

    /// Reads and tokenises a file: its language from the extension, its text through the
    /// extractors (DOCX, XLSX, PDF, plain text in UTF-8/UTF-16/GB18030).
    pub fn from_path(path: &Path) -> Result<Document, Error> {
        Document::from_path_as(path, Language::from_path(path))
    }

    /// [`Document::from_path`] with the language given.
    pub fn from_path_as(path: &Path, language: Language) -> Result<Document, Error> {
        let text = crate::source::read_text(path)?;
        Document::from_text(path.display().to_string(), language, text)
    }

    /// The symbols of the tokens.
    pub fn symbols(&self) -> Vec<u32> {
        self.tokens.iter().map(|t| t.sym).collect()
    }

    /// The first and last tokens of `from..to` that hold text: Python's NEWLINE, INDENT and
    /// DEDENT are zero-width marks (at a line's end, or the file's), which must not move a
    /// region's ends onto a character it does not cover or a line that does not exist.
    pub fn text_ends(&self, from: usize, to: usize) -> (&Token, &Token) {
        let range = &self.tokens[from..to];
        let a = range.iter().find(|t| t.end > t.start).unwrap_or(&range[0]);
        let b = range
            .iter()
            .rev()
            .find(|t| t.end > t.start)
            .unwrap_or(&range[range.len() - 1]);
        (a, b)
    }

    /// Start and end position (end inclusive: the last character) of tokens `from..to`.
    pub fn span(&self, lines: &LineIndex, from: usize, to: usize) -> (Pos, Pos) {
        let (a, b) = self.text_ends(from, to);
        let end = lines.pos(&self.text, b.end.saturating_sub(1).max(b.start));
        (
            Pos {
                line: a.line,
                col: a.col,
            },
            end,
        )
    }
}

/// Tokens and parameter indices of a text in a language.
pub fn tokenize(language: Language, text: &str) -> (Vec<Token>, Vec<u32>) {
    if language.is_code() {
        (crate::code::lex(language, text), Vec::new())
    } else {
        let t = crate::text::lex(text);
        (t.tokens, t.params)
    }
}
