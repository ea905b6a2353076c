//! A lenient tokenizer for PDF content streams and CMaps.
//!
//! Unlike a strict parser it never gives up: a byte it cannot make sense of is skipped and
//! reading goes on, so one damaged operator costs one operator, not the rest of the page.
//! Nesting and operand counts are bounded, so no input can make it recurse deeply or hold
//! more than a bounded number of operands.

/// An operand.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    Number(f64),
    /// A literal or hex string, escapes resolved.
    String(Vec<u8>),
    Name(Vec<u8>),
    Array(Vec<Operand>),
    /// A dictionary, as its keys and values in order.
    Dict(Vec<Operand>),
    /// `true`, `false`, `null`, and anything unreadable.
    Other,
}

impl Operand {
    pub fn number(&self) -> Option<f64> {
        match self {
            Operand::Number(n) => Some(*n),
            _ => None,
        }
    }
}

/// One token: an operand, or a keyword (operators, and the CMap keywords).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token<'a> {
    Operand(Operand),
    Keyword(&'a [u8]),
    /// An inline image (`BI … ID … EI`), its data skipped.
    InlineImage,
}

const MAX_DEPTH: usize = 32;
/// Operands kept before an operator; older ones are dropped (no operator takes more).
pub(crate) const MAX_OPERANDS: usize = 64;

pub(crate) struct Lexer<'a> {
    data: &'a [u8],
    pos: usize,
}

fn is_white(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_regular(b: u8) -> bool {
    !is_white(b) && !is_delim(b)
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

impl<'a> Lexer<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Lexer { data, pos: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    fn skip_white_and_comments(&mut self) {
        while let Some(b) = self.peek() {
            if is_white(b) {
                self.pos += 1;
            } else if b == b'%' {
                while let Some(b) = self.peek() {
                    if b == b'\n' || b == b'\r' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// The next token, `None` at the end.
    pub fn next_token(&mut self) -> Option<Token<'a>> {
        loop {
            self.skip_white_and_comments();
            let b = self.peek()?;
            match b {
                b')' | b'>' | b']' | b'}' | b'{' => {
                    // Stray closers (and PostScript braces): skip.
                    self.pos += 1;
                }
                b'(' | b'<' | b'[' | b'/' => {
                    return Some(Token::Operand(self.operand(0)));
                }
                _ => {
                    let word = self.regular_word();
                    if word.is_empty() {
                        self.pos += 1;
                        continue;
                    }
                    if let Some(n) = number(word) {
                        return Some(Token::Operand(Operand::Number(n)));
                    }
                    match word {
                        b"true" | b"false" | b"null" => {
                            return Some(Token::Operand(Operand::Other));
                        }
                        b"BI" => {
                            self.skip_inline_image();
                            return Some(Token::InlineImage);
                        }
                        _ => return Some(Token::Keyword(word)),
                    }
                }
            }
        }
    }

    fn regular_word(&mut self) -> &'a [u8] {
        let start = self.pos;
        while self.peek().is_some_and(is_regular) {
            self.pos += 1;
        }
        &self.data[start..self.pos]
    }

    /// An operand starting at the current byte (which is not white space).
    fn operand(&mut self, depth: usize) -> Operand {
        let Some(b) = self.peek() else {
            return Operand::Other;
        };
        match b {
            b'(' => {
                self.pos += 1;
                Operand::String(self.literal_string())
            }
            b'<' if self.data.get(self.pos + 1) == Some(&b'<') => {
                self.pos += 2;
                Operand::Dict(self.sequence(b'>', depth))
            }
            b'<' => {
                self.pos += 1;
                Operand::String(self.hex_string())
            }
            b'[' => {
                self.pos += 1;
                Operand::Array(self.sequence(b']', depth))
            }
            b'/' => {
                self.pos += 1;
                Operand::Name(self.name())
            }
            _ => {
                let word = self.regular_word();
                if word.is_empty() {
                    self.pos += 1;
                    return Operand::Other;
                }
                number(word).map_or(Operand::Other, Operand::Number)
            }
        }
    }

    /// Array or dictionary items up to `close` (`]`, or `>` of `>>`).
    fn sequence(&mut self, close: u8, depth: usize) -> Vec<Operand> {
        let mut items = Vec::new();
        loop {
            self.skip_white_and_comments();
            let Some(b) = self.peek() else {
                return items;
            };
            if b == close {
                self.pos += if close == b'>' && self.data.get(self.pos + 1) == Some(&b'>') {
                    2
                } else {
                    1
                };
                return items;
            }
            if b == b']' || b == b'>' || b == b')' || b == b'}' || b == b'{' {
                // A closer that does not match: skip it.
                self.pos += 1;
                continue;
            }
            let opens_nested =
                b == b'[' || (b == b'<' && self.data.get(self.pos + 1) == Some(&b'<'));
            if depth >= MAX_DEPTH && opens_nested {
                // Too deep: skip the opener and read on flat.
                self.pos += if b == b'[' { 1 } else { 2 };
                continue;
            }
            let start = self.pos;
            let item = match b {
                b'(' | b'<' | b'[' | b'/' => self.operand(depth + 1),
                _ => {
                    let word = self.regular_word();
                    match number(word) {
                        Some(n) => Operand::Number(n),
                        // A keyword inside an array: the array is unterminated. Stop before
                        // it, so the operator is still seen.
                        None if !word.is_empty()
                            && !matches!(word, b"true" | b"false" | b"null" | b"R") =>
                        {
                            self.pos = start;
                            return items;
                        }
                        None => Operand::Other,
                    }
                }
            };
            if self.pos == start {
                self.pos += 1;
            }
            items.push(item);
        }
    }

    fn literal_string(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut depth = 1usize;
        while let Some(b) = self.peek() {
            self.pos += 1;
            match b {
                b'(' => {
                    depth += 1;
                    out.push(b);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return out;
                    }
                    out.push(b);
                }
                b'\\' => {
                    let Some(e) = self.peek() else { break };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xff) as u8);
                        }
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        other => out.push(other),
                    }
                }
                _ => out.push(b),
            }
        }
        out
    }

    fn hex_string(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut high: Option<u8> = None;
        while let Some(b) = self.peek() {
            self.pos += 1;
            if b == b'>' {
                break;
            }
            let Some(v) = hex_val(b) else { continue };
            match high.take() {
                Some(h) => out.push(h << 4 | v),
                None => high = Some(v),
            }
        }
        if let Some(h) = high {
            out.push(h << 4);
        }
        out
    }

    fn name(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        while let Some(b) = self.peek() {
            if !is_regular(b) {
                break;
            }
            self.pos += 1;
            if b == b'#'
                && let (Some(h), Some(l)) = (
                    self.data.get(self.pos).copied().and_then(hex_val),
                    self.data.get(self.pos + 1).copied().and_then(hex_val),
                )
            {
                out.push(h << 4 | l);
                self.pos += 2;
                continue;
            }
            out.push(b);
        }
        out
    }

    /// After `BI`: the image dictionary up to `ID`, then the data up to `EI` standing alone.
    fn skip_inline_image(&mut self) {
        // The dictionary: tokens until the ID keyword.
        loop {
            self.skip_white_and_comments();
            let Some(b) = self.peek() else { return };
            if is_regular(b) {
                let word = self.regular_word();
                if word == b"ID" {
                    break;
                }
                if word == b"EI" {
                    return;
                }
            } else {
                let start = self.pos;
                let _ = self.operand(MAX_DEPTH);
                if self.pos == start {
                    self.pos += 1;
                }
            }
        }
        // One white-space byte, then binary data.
        self.pos += 1;
        while self.pos < self.data.len() {
            let rest = &self.data[self.pos..];
            if rest.starts_with(b"EI")
                && self.pos > 0
                && is_white(self.data[self.pos - 1])
                && rest.get(2).is_none_or(|&b| is_white(b) || is_delim(b))
            {
                self.pos += 2;
                return;
            }
            self.pos += 1;
        }
    }
}

/// A PDF number (`12`, `-3.5`, `.5`, `+7.`); lenient about doubled signs (`--5`).
fn number(word: &[u8]) -> Option<f64> {
    let first = *word.first()?;
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return None;
    }
    let trimmed = {
        let mut w = word;
        while w.len() > 1 && matches!(w[0], b'+' | b'-') && matches!(w[1], b'+' | b'-') {
            w = &w[1..];
        }
        w
    };
    if !trimmed
        .iter()
        .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.'))
    {
        return None;
    }
    let s = std::str::from_utf8(trimmed).ok()?;
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(v),
        Ok(_) => Some(0.0),
        // "1.2.3", "-", "." : a malformed number is still a number (0), not an operator.
        Err(_) => Some(0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(data: &[u8]) -> Vec<Token<'_>> {
        let mut l = Lexer::new(data);
        std::iter::from_fn(|| l.next_token()).collect()
    }

    fn kw(s: &str) -> Token<'_> {
        Token::Keyword(s.as_bytes())
    }

    fn num(n: f64) -> Token<'static> {
        Token::Operand(Operand::Number(n))
    }

    #[test]
    fn operators_and_operands() {
        let t = tokens(b"BT /F1 12 Tf 72 700 Td (Hello \\(x\\) \\101\\n) Tj [(A) -250 (B)] TJ <48 65 6c6> Tj ET % c\n");
        assert_eq!(
            t,
            vec![
                kw("BT"),
                Token::Operand(Operand::Name(b"F1".to_vec())),
                num(12.0),
                kw("Tf"),
                num(72.0),
                num(700.0),
                kw("Td"),
                Token::Operand(Operand::String(b"Hello (x) A\n".to_vec())),
                kw("Tj"),
                Token::Operand(Operand::Array(vec![
                    Operand::String(b"A".to_vec()),
                    Operand::Number(-250.0),
                    Operand::String(b"B".to_vec()),
                ])),
                kw("TJ"),
                Token::Operand(Operand::String(b"Hel\x60".to_vec())),
                kw("Tj"),
                kw("ET"),
            ]
        );
    }

    #[test]
    fn inline_images_and_dicts_are_skipped() {
        let t =
            tokens(b"/Span <</ActualText (x) /K [1 2]>> BDC BI /W 2 /H 2 ID \x00EI\xff EI\nEMC");
        assert_eq!(
            t,
            vec![
                Token::Operand(Operand::Name(b"Span".to_vec())),
                Token::Operand(Operand::Dict(vec![
                    Operand::Name(b"ActualText".to_vec()),
                    Operand::String(b"x".to_vec()),
                    Operand::Name(b"K".to_vec()),
                    Operand::Array(vec![Operand::Number(1.0), Operand::Number(2.0)]),
                ])),
                kw("BDC"),
                Token::InlineImage,
                kw("EMC"),
            ]
        );
    }

    #[test]
    fn damage_does_not_stop_the_lexer() {
        let t = tokens(b"[(a) Tj ) ) 1.2.3 --4 (unterminated");
        assert_eq!(
            t,
            vec![
                Token::Operand(Operand::Array(vec![Operand::String(b"a".to_vec())])),
                kw("Tj"),
                num(0.0),
                num(-4.0),
                Token::Operand(Operand::String(b"unterminated".to_vec())),
            ]
        );
        let deep = [b'['; 10_000];
        assert_eq!(tokens(&deep).len(), 1);
    }
}
