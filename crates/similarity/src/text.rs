//! Tokeniser for Chinese and English prose, process recipes and parameter tables.
//!
//! Normalisation, in order:
//! 1. NFKC per character: full-width letters, digits and punctuation become their ASCII forms,
//!    `℃` becomes `°C`, `㎡` becomes `m2`, the ideographic space a space.
//! 2. Traditional → simplified Chinese, character by character (`t2s_table.rs`), so `製程溫度`
//!    and `制程温度` are the same four tokens.
//! 3. Punctuation, symbols and whitespace separate tokens and are dropped.
//! 4. A Han character (or kana, hangul) is a token of its own; a run of Latin letters and digits
//!    starting with a letter is one word, lower-cased (`Q235`, `H2SO4`, `Mixing`).
//! 5. A number is content, not noise: a number with its unit is one token whose form is the
//!    normalised value and the canonical unit (`1.50 MPa`, `1.5MPa`, `1500 kPa`… are `1.5|mpa`;
//!    `180℃`, `180 °C`, `180摄氏度` are `180|°c`). Chinese numerals before a unit count too
//!    (`二十分钟` = `20|min`, `百分之二点五` = `2.5|%`).
//!
//! Numbers that carry a unit, or a fractional part, or at least two significant digits, and are
//! neither dates (`2024年`, a bare 19xx/20xx) nor list markers (`3.` / `3、` at the start of a
//! line) nor ordinals (`第3`), are **parameters**: their tokens are also listed apart, so that
//! the set of parameters can be compared on its own (see `compare.rs` for the rule).

use unicode_normalization::UnicodeNormalization;

use crate::t2s_table::T2S;
use crate::token::{Token, sym, tag};

/// Tokens of a text and the indices (into the tokens) of the parameters among them.
pub(crate) struct TextTokens {
    pub tokens: Vec<Token>,
    pub params: Vec<u32>,
}

/// One character after normalisation, with the byte span of the source character it came from.
#[derive(Clone, Copy)]
struct NChar {
    c: char,
    start: u32,
    end: u32,
}

/// Simplified form of a traditional character (itself when it has none).
pub fn to_simplified(c: char) -> char {
    if (c as u32) < 0x3400 {
        return c;
    }
    match T2S.binary_search_by_key(&c, |&(t, _)| t) {
        Ok(i) => T2S[i].1,
        Err(_) => c,
    }
}

fn normalise(text: &str) -> Vec<NChar> {
    let mut out = Vec::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        let start = i as u32;
        let end = (i + c.len_utf8()) as u32;
        if c.is_ascii() {
            out.push(NChar { c, start, end });
            continue;
        }
        for n in std::iter::once(c).nfkc() {
            out.push(NChar {
                c: to_simplified(n),
                start,
                end,
            });
        }
    }
    out
}

/// A character that is a token by itself: Han ideographs, kana, hangul and other scripts
/// written without spaces.
fn is_single_char_token(c: char) -> bool {
    let u = c as u32;
    (0x2E80..=0x9FFF).contains(&u) && c != '\u{3000}' && !(0x3000..=0x303F).contains(&u)
        || (0xAC00..=0xD7AF).contains(&u)
        || (0xF900..=0xFAFF).contains(&u)
        || (0x20000..=0x3FFFF).contains(&u)
        || u == 0x3007
}

fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        c.is_alphanumeric() && !is_single_char_token(c)
    }
}

/// Canonical units: (surface form, canonical unit, power of ten to multiply the value by).
/// Surface forms are lower case; longest match wins.
const UNITS: &[(&str, &str, i32)] = &[
    ("%", "%", 0),
    ("‰", "‰", 0),
    ("ppm", "ppm", 0),
    ("ppb", "ppb", 0),
    ("°c", "°c", 0),
    ("°f", "°f", 0),
    ("°", "°c", 0),
    ("摄氏度", "°c", 0),
    ("度", "°c", 0),
    ("k", "k", 0),
    // pressure
    ("gpa", "mpa", 3),
    ("mpa", "mpa", 0),
    ("kpa", "mpa", -3),
    ("pa", "mpa", -6),
    ("兆帕", "mpa", 0),
    ("千帕", "mpa", -3),
    ("帕", "mpa", -6),
    ("bar", "bar", 0),
    ("mbar", "bar", -3),
    ("atm", "atm", 0),
    ("大气压", "atm", 0),
    ("psi", "psi", 0),
    // length
    ("m", "m", 0),
    ("mm", "m", -3),
    ("cm", "m", -2),
    ("dm", "m", -1),
    ("km", "m", 3),
    ("um", "m", -6),
    ("μm", "m", -6),
    ("nm", "m", -9),
    ("米", "m", 0),
    ("毫米", "m", -3),
    ("厘米", "m", -2),
    ("分米", "m", -1),
    ("微米", "m", -6),
    ("纳米", "m", -9),
    ("千米", "m", 3),
    ("公里", "m", 3),
    // area and volume
    ("m2", "m2", 0),
    ("平方米", "m2", 0),
    ("m3", "m3", 0),
    ("立方米", "m3", 0),
    ("l", "l", 0),
    ("ml", "l", -3),
    ("ul", "l", -6),
    ("μl", "l", -6),
    ("升", "l", 0),
    ("毫升", "l", -3),
    ("微升", "l", -6),
    // mass
    ("g", "g", 0),
    ("mg", "g", -3),
    ("ug", "g", -6),
    ("μg", "g", -6),
    ("kg", "g", 3),
    ("t", "g", 6),
    ("ton", "g", 6),
    ("tons", "g", 6),
    ("克", "g", 0),
    ("毫克", "g", -3),
    ("微克", "g", -6),
    ("千克", "g", 3),
    ("公斤", "g", 3),
    ("吨", "g", 6),
    ("斤", "jin", 0),
    // time
    ("s", "s", 0),
    ("sec", "s", 0),
    ("secs", "s", 0),
    ("second", "s", 0),
    ("seconds", "s", 0),
    ("秒", "s", 0),
    ("秒钟", "s", 0),
    ("ms", "s", -3),
    ("毫秒", "s", -3),
    ("min", "min", 0),
    ("mins", "min", 0),
    ("minute", "min", 0),
    ("minutes", "min", 0),
    ("分钟", "min", 0),
    ("分", "min", 0),
    ("h", "h", 0),
    ("hr", "h", 0),
    ("hrs", "h", 0),
    ("hour", "h", 0),
    ("hours", "h", 0),
    ("小时", "h", 0),
    ("个小时", "h", 0),
    ("d", "d", 0),
    ("day", "d", 0),
    ("days", "d", 0),
    ("天", "d", 0),
    ("week", "week", 0),
    ("weeks", "week", 0),
    ("周", "week", 0),
    ("个月", "month", 0),
    ("month", "month", 0),
    ("months", "month", 0),
    // speed, frequency
    ("rpm", "rpm", 0),
    ("r/min", "rpm", 0),
    ("转/分", "rpm", 0),
    ("转/分钟", "rpm", 0),
    ("转每分", "rpm", 0),
    ("转每分钟", "rpm", 0),
    ("转", "rpm", 0),
    ("hz", "hz", 0),
    ("khz", "hz", 3),
    ("mhz", "hz", 6),
    ("赫兹", "hz", 0),
    ("m/s", "m/s", 0),
    // electrical, energy, force
    ("v", "v", 0),
    ("kv", "v", 3),
    ("mv", "v", -3),
    ("伏", "v", 0),
    ("千伏", "v", 3),
    ("a", "a", 0),
    ("ma", "a", -3),
    ("安", "a", 0),
    ("毫安", "a", -3),
    ("w", "w", 0),
    ("kw", "w", 3),
    ("瓦", "w", 0),
    ("千瓦", "w", 3),
    ("j", "j", 0),
    ("kj", "j", 3),
    ("焦", "j", 0),
    ("千焦", "j", 3),
    ("n", "n", 0),
    ("kn", "n", 3),
    ("牛", "n", 0),
    // chemistry and others
    ("mol", "mol", 0),
    ("mmol", "mol", -3),
    ("摩尔", "mol", 0),
    ("mol/l", "mol/l", 0),
    ("g/l", "g/l", 0),
    ("mg/l", "g/l", -3),
    ("g/ml", "g/ml", 0),
    ("g/cm3", "g/ml", 0),
    ("mg/kg", "mg/kg", 0),
    ("g/kg", "mg/kg", 3),
    ("kg/m3", "kg/m3", 0),
    ("cp", "cp", 0),
    ("mpa·s", "cp", 0),
    ("mesh", "mesh", 0),
    ("目", "mesh", 0),
    ("x", "x", 0),
    ("倍", "x", 0),
    ("份", "part", 0),
    ("parts", "part", 0),
    ("次", "times", 0),
    ("times", "times", 0),
    ("遍", "times", 0),
    ("层", "layer", 0),
    ("layers", "layer", 0),
];

fn unit_lookup(surface: &str) -> Option<(&'static str, i32)> {
    UNITS
        .iter()
        .find(|(s, _, _)| *s == surface)
        .map(|&(_, c, e)| (c, e))
}

/// Chinese surface forms of units, for longest-match at a position.
fn cn_unit_at(chars: &[NChar], at: usize) -> Option<(&'static str, i32, usize)> {
    let mut best: Option<(&'static str, i32, usize)> = None;
    for &(s, canon, e) in UNITS {
        let first = s.chars().next().unwrap_or(' ');
        if !is_single_char_token(first) {
            continue;
        }
        let n = s.chars().count();
        if at + n > chars.len() {
            continue;
        }
        if s.chars().zip(&chars[at..at + n]).all(|(a, b)| a == b.c)
            && best.is_none_or(|(_, _, m)| n > m)
        {
            best = Some((canon, e, n));
        }
    }
    best
}

/// A decimal value as digits and a point position, normalised: no leading zeros in the integer
/// part, no trailing zeros in the fraction, no point when there is no fraction.
fn normalise_value(int: &str, frac: &str, shift: i32, negative: bool) -> String {
    let mut digits: Vec<u8> = int.bytes().chain(frac.bytes()).collect();
    let mut point = int.len() as i64 + i64::from(shift);
    while point < 1 {
        digits.insert(0, b'0');
        point += 1;
    }
    while (digits.len() as i64) < point {
        digits.push(b'0');
    }
    let point = point as usize;
    let (i, f) = digits.split_at(point);
    let i = std::str::from_utf8(i)
        .unwrap_or("0")
        .trim_start_matches('0');
    let f = std::str::from_utf8(f).unwrap_or("").trim_end_matches('0');
    let mut s = String::with_capacity(i.len() + f.len() + 2);
    if negative && (!i.is_empty() || !f.is_empty()) {
        s.push('-');
    }
    s.push_str(if i.is_empty() { "0" } else { i });
    if !f.is_empty() {
        s.push('.');
        s.push_str(f);
    }
    s
}

fn cn_digit(c: char) -> Option<u64> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn cn_multiplier(c: char) -> Option<u64> {
    Some(match c {
        '十' => 10,
        '百' => 100,
        '千' => 1000,
        '万' => 10_000,
        _ => return None,
    })
}

/// A Chinese numeral at `at` (`二十`, `一百零五`, `三点五`): its integer and fraction digits and
/// its length in characters.
fn cn_number(chars: &[NChar], at: usize) -> Option<(String, String, usize)> {
    let mut j = at;
    let mut total: u64 = 0;
    let mut section: u64 = 0;
    let mut digit: Option<u64> = None;
    let mut any = false;
    while j < chars.len() {
        let c = chars[j].c;
        if let Some(d) = cn_digit(c) {
            digit = Some(d);
            any = true;
        } else if let Some(m) = cn_multiplier(c) {
            any = true;
            if m == 10_000 {
                section += digit.take().unwrap_or(0);
                total = total.saturating_add(section.max(1).saturating_mul(m));
                section = 0;
            } else {
                section += digit.take().unwrap_or(1) * m;
            }
        } else {
            break;
        }
        j += 1;
        if j - at > 12 {
            return None;
        }
    }
    if !any {
        return None;
    }
    let int = total + section + digit.unwrap_or(0);
    let mut frac = String::new();
    if j + 1 < chars.len() && chars[j].c == '点' && cn_digit(chars[j + 1].c).is_some() {
        j += 1;
        while j < chars.len() {
            match cn_digit(chars[j].c) {
                Some(d) => frac.push(char::from(b'0' + d as u8)),
                None => break,
            }
            j += 1;
        }
    }
    Some((int.to_string(), frac, j - at))
}

struct Tok {
    tokens: Vec<Token>,
    params: Vec<u32>,
}

impl Tok {
    fn push(&mut self, s: u32, chars: &[NChar], from: usize, to: usize) {
        self.tokens.push(Token {
            sym: s,
            start: chars[from].start,
            end: chars[to - 1].end,
            line: 0,
            col: 0,
        });
    }
}

/// Whether only whitespace precedes `at` on its line (in the normalised stream).
fn at_line_start(chars: &[NChar], at: usize) -> bool {
    let mut k = at;
    while k > 0 {
        k -= 1;
        match chars[k].c {
            '\n' => return true,
            ' ' | '\t' | '\r' => {}
            _ => return false,
        }
    }
    true
}

/// Reads a unit after a number ending at `at`: (canonical unit, shift, chars consumed).
fn unit_at(chars: &[NChar], at: usize) -> Option<(&'static str, i32, usize)> {
    let mut j = at;
    if j < chars.len() && chars[j].c == ' ' {
        j += 1;
    }
    if j >= chars.len() {
        return None;
    }
    let c = chars[j].c;
    if let Some((canon, e, n)) = cn_unit_at(chars, j) {
        return Some((canon, e, j + n - at));
    }
    if c == '%' || c == '‰' {
        return Some((if c == '%' { "%" } else { "‰" }, 0, j + 1 - at));
    }
    if c == '°' {
        let next = chars.get(j + 1).map(|n| n.c.to_ascii_lowercase());
        return match next {
            Some('c') if !chars.get(j + 2).is_some_and(|n| is_word_char(n.c)) => {
                Some(("°c", 0, j + 2 - at))
            }
            Some('f') if !chars.get(j + 2).is_some_and(|n| is_word_char(n.c)) => {
                Some(("°f", 0, j + 2 - at))
            }
            _ => Some(("°c", 0, j + 1 - at)),
        };
    }
    if !c.is_alphabetic() || is_single_char_token(c) {
        return None;
    }
    // A run of letters, then optionally `/letters` or `·letters`, then an optional 2 or 3.
    let mut k = j;
    let mut surface = String::new();
    let letters = |k: &mut usize, surface: &mut String| {
        let s0 = *k;
        while *k < chars.len() && chars[*k].c.is_alphabetic() && !is_single_char_token(chars[*k].c)
        {
            surface.extend(chars[*k].c.to_lowercase());
            *k += 1;
        }
        *k > s0
    };
    letters(&mut k, &mut surface);
    let base_end = k;
    let base = surface.clone();
    if k + 1 < chars.len() && matches!(chars[k].c, '/' | '·') && chars[k + 1].c.is_alphabetic() {
        surface.push(chars[k].c);
        k += 1;
        letters(&mut k, &mut surface);
    }
    if k < chars.len() && matches!(chars[k].c, '2' | '3') {
        let mut with = surface.clone();
        with.push(chars[k].c);
        if !chars.get(k + 1).is_some_and(|n| is_word_char(n.c))
            && let Some((canon, e)) = unit_lookup(&with)
        {
            return Some((canon, e, k + 1 - at));
        }
    }
    if k < chars.len() && is_word_char(chars[k].c) {
        // Letters run on into digits (`3mm2x`): not a unit we know.
        return None;
    }
    if let Some((canon, e)) = unit_lookup(&surface) {
        return Some((canon, e, k - at));
    }
    if base_end < chars.len() && is_word_char(chars[base_end].c) {
        return None;
    }
    unit_lookup(&base).map(|(canon, e)| (canon, e, base_end - at))
}

/// Tokenises prose (Chinese, English, mixed) with parameters.
pub(crate) fn lex(text: &str) -> TextTokens {
    let chars = normalise(text);
    let mut t = Tok {
        tokens: Vec::with_capacity(chars.len() / 2),
        params: Vec::new(),
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].c;
        if c.is_ascii_digit() {
            i = number(&chars, i, &mut t, None);
            continue;
        }
        if (c == '-' || c == '−')
            && chars.get(i + 1).is_some_and(|n| n.c.is_ascii_digit())
            && (i == 0 || !is_word_char(chars[i - 1].c) && chars[i - 1].c != '.')
        {
            i = number(&chars, i + 1, &mut t, Some(i));
            continue;
        }
        if is_single_char_token(c) {
            // 百分之 + number is a percentage.
            if c == '百'
                && chars.get(i + 1).is_some_and(|n| n.c == '分')
                && chars.get(i + 2).is_some_and(|n| n.c == '之')
                && let Some(k) = percent(&chars, i, &mut t)
            {
                i = k;
                continue;
            }
            if (cn_digit(c).is_some() || cn_multiplier(c).is_some())
                && let Some((int, frac, n)) = cn_number(&chars, i)
                && let Some((unit, shift, m)) = cn_unit_after(&chars, i + n)
                && plausible_cn_quantity(&chars, i, n, m)
            {
                let v = normalise_value(&int, &frac, shift, false);
                push_number(&mut t, &chars, i, i + n + m, &v, unit, true);
                i += n + m;
                continue;
            }
            let mut buf = [0u8; 4];
            let s = sym(tag::WORD, c.encode_utf8(&mut buf).as_bytes());
            t.push(s, &chars, i, i + 1);
            i += 1;
            continue;
        }
        if is_word_char(c) {
            let s0 = i;
            let mut w = String::new();
            while i < chars.len() && is_word_char(chars[i].c) {
                w.extend(chars[i].c.to_lowercase());
                i += 1;
            }
            t.push(sym(tag::WORD, w.as_bytes()), &chars, s0, i);
            continue;
        }
        i += 1;
    }
    TextTokens {
        tokens: t.tokens,
        params: t.params,
    }
}

/// Whether a Chinese numeral of `n` characters at `at` followed by a unit of `m` characters is
/// a quantity, not a word: `十分` (very), `一度` (once), `一次`, `一层` are words. A lone
/// `一`/`十`/`百`/`千`/`万` before a one-character unit is taken as a word, and `分` after a
/// Chinese numeral must be written `分钟` to mean minutes.
fn plausible_cn_quantity(chars: &[NChar], at: usize, n: usize, m: usize) -> bool {
    if m == 1 && chars[at + n].c == '分' {
        return false;
    }
    !(n == 1 && m == 1 && matches!(chars[at].c, '一' | '十' | '百' | '千' | '万'))
}

/// A Chinese unit right after a Chinese numeral (no space).
fn cn_unit_after(chars: &[NChar], at: usize) -> Option<(&'static str, i32, usize)> {
    cn_unit_at(chars, at)
}

/// `百分之…` at `at`: the percentage as one parameter token.
fn percent(chars: &[NChar], at: usize, t: &mut Tok) -> Option<usize> {
    let j = at + 3;
    let c = chars.get(j)?.c;
    if c.is_ascii_digit() {
        let (int, frac, end) = ascii_number(chars, j);
        let v = normalise_value(&int, &frac, 0, false);
        push_number(t, chars, at, end, &v, "%", true);
        return Some(end);
    }
    let (int, frac, n) = cn_number(chars, j)?;
    let v = normalise_value(&int, &frac, 0, false);
    push_number(t, chars, at, j + n, &v, "%", true);
    Some(j + n)
}

/// The digits of an ASCII number at `at`: integer digits (thousands separators dropped),
/// fraction digits, and the index after it.
fn ascii_number(chars: &[NChar], at: usize) -> (String, String, usize) {
    let mut j = at;
    let mut int = String::new();
    let mut frac = String::new();
    while j < chars.len() {
        let c = chars[j].c;
        if c.is_ascii_digit() {
            int.push(c);
            j += 1;
        } else if c == ','
            && !int.is_empty()
            && int.len() <= 3 + int.len() / 4 * 3
            && (1..=3).all(|d| chars.get(j + d).is_some_and(|n| n.c.is_ascii_digit()))
            && !chars.get(j + 4).is_some_and(|n| n.c.is_ascii_digit())
        {
            j += 1;
        } else {
            break;
        }
    }
    if j + 1 < chars.len() && chars[j].c == '.' && chars[j + 1].c.is_ascii_digit() {
        j += 1;
        while j < chars.len() && chars[j].c.is_ascii_digit() {
            frac.push(chars[j].c);
            j += 1;
        }
    }
    (int, frac, j)
}

fn push_number(
    t: &mut Tok,
    chars: &[NChar],
    from: usize,
    to: usize,
    value: &str,
    unit: &str,
    param: bool,
) {
    let mut form = String::with_capacity(value.len() + unit.len() + 1);
    form.push_str(value);
    form.push('|');
    form.push_str(unit);
    if param {
        t.params.push(t.tokens.len() as u32);
    }
    t.push(sym(tag::NUMBER, form.as_bytes()), chars, from, to);
}

/// An ASCII number at `at` (after an optional sign at `sign`), with its unit if any.
fn number(chars: &[NChar], at: usize, t: &mut Tok, sign: Option<usize>) -> usize {
    let (int, frac, end) = ascii_number(chars, at);
    // Version numbers, IP addresses, dotted dates: `1.2.3` is one token, never a parameter.
    if end + 1 < chars.len() && chars[end].c == '.' && chars[end + 1].c.is_ascii_digit() {
        let mut j = end;
        while j < chars.len() && (chars[j].c.is_ascii_digit() || chars[j].c == '.') {
            j += 1;
        }
        let form: String = chars[at..j].iter().map(|n| n.c).collect();
        push_number(t, chars, at, j, form.trim_end_matches('.'), "", false);
        return j;
    }
    let negative = sign.is_some();
    let from = sign.unwrap_or(at);
    // Letters glued to digits that are not a unit (`3d`, `5G`) fall through as plain numbers.
    let unit = unit_at(chars, end);
    let (unit_name, shift, ulen) = unit.unwrap_or(("", 0, 0));
    let value = normalise_value(&int, &frac, shift, negative);
    let next = chars.get(end + ulen).map(|n| n.c);
    let date = unit.is_none()
        && (matches!(next, Some('年' | '月' | '日' | '号'))
            || frac.is_empty()
                && int.len() == 4
                && (int.starts_with("19") || int.starts_with("20")));
    let marker = unit.is_none()
        && frac.is_empty()
        && (at_line_start(chars, from) && matches!(next, Some('.' | '、' | ')' | ']'))
            || from > 0 && chars[from - 1].c == '第');
    let significant = int.trim_start_matches('0').len() + frac.len() >= 2;
    let param = !date && !marker && (unit.is_some() || !frac.is_empty() || significant);
    push_number(t, chars, from, end + ulen, &value, unit_name, param);
    end + ulen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forms(text: &str) -> Vec<String> {
        let tt = lex(text);
        tt.tokens
            .iter()
            .map(|t| text[t.start as usize..t.end as usize].to_string())
            .collect()
    }

    #[test]
    fn values_are_normalised() {
        assert_eq!(normalise_value("1", "50", 0, false), "1.5");
        assert_eq!(normalise_value("001", "", 0, false), "1");
        assert_eq!(normalise_value("350", "", -3, false), "0.35");
        assert_eq!(normalise_value("0", "35", 3, false), "350");
        assert_eq!(normalise_value("5", "", -6, false), "0.000005");
        assert_eq!(normalise_value("0", "0", 0, true), "0");
    }

    #[test]
    fn units_are_read() {
        let a = lex("反应温度180℃，压力0.35 MPa，保温2.5h");
        let b = lex("反應溫度 180 °C；壓力 350kPa；保溫 2.50 小时");
        let pa: Vec<u32> = a.params.iter().map(|&i| a.tokens[i as usize].sym).collect();
        let pb: Vec<u32> = b.params.iter().map(|&i| b.tokens[i as usize].sym).collect();
        assert_eq!(
            pa.len(),
            3,
            "{:?}",
            forms("反应温度180℃，压力0.35 MPa，保温2.5h")
        );
        assert_eq!(pa, pb);
    }

    #[test]
    fn chinese_numerals_before_units() {
        let a = lex("搅拌二十分钟，加入百分之二点五的催化剂");
        let b = lex("搅拌20 min，加入2.5%的催化剂");
        let pa: Vec<u32> = a.params.iter().map(|&i| a.tokens[i as usize].sym).collect();
        let pb: Vec<u32> = b.params.iter().map(|&i| b.tokens[i as usize].sym).collect();
        assert_eq!(pa.len(), 2);
        assert_eq!(pa, pb);
    }

    #[test]
    fn dates_markers_and_ordinals_are_not_parameters() {
        let a = lex("1. 概述\n第3步 2024年5月 2023 版本1.2.3");
        assert!(a.params.is_empty(), "{:?}", a.params);
    }
}
