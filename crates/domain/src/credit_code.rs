//! Unified Social Credit Code (统一社会信用代码), GB 32100-2015.
//!
//! Structure (see `shared/domain/LEGAL.md` §6): registering department, organisation type,
//! six-digit division code (GB/T 2260), nine-character organisation code (GB 11714, with its own
//! check digit) and a final check character over the first seventeen.
//!
//! Parsing refuses a *malformed* code (wrong length, a character outside the alphabet) and
//! accepts a code whose final check character does not match with a [`CreditCodeWarning`]:
//! some early pilot codes were issued that way and are still legal (e.g. `91350211M00013FA1N`).

use std::fmt;

use serde::{Deserialize, Serialize};

/// The code alphabet; a character's value is its index. No I, O, S, V, Z (GB 32100-2015 §4).
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of positions 1–17 for the check character (GB 32100-2015 §5).
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
/// Weights of the organisation code (GB 11714-1997), positions 9–16 of the credit code.
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// A syntactically valid credit code. The inner string is upper case and 18 characters long.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct CreditCode(String);

/// Why a string is not a credit code at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error(
        "统一社会信用代码应为18位，实为{0}位 / a credit code has 18 characters, this one has {0}"
    )]
    Length(usize),
    #[error(
        "第{position}位“{found}”不是统一社会信用代码允许的字符（不含 I、O、S、V、Z） / character {position} '{found}' is not allowed in a credit code (no I, O, S, V, Z)"
    )]
    Character { position: usize, found: char },
    #[error(
        "第3–8位应为行政区划代码（6位数字） / characters 3–8 must be a six-digit division code"
    )]
    DivisionCode,
}

/// A credit code that parses but whose check characters do not match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum CreditCodeWarning {
    /// The 18th character is not the GB 32100 check character of the first seventeen.
    CheckCharacter { expected: char, found: char },
}

impl fmt::Display for CreditCodeWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CreditCodeWarning::CheckCharacter { expected, found } => write!(
                f,
                "校验位应为“{expected}”，实为“{found}”：可能是早期试点代码，请核对营业执照 / check character should be '{expected}', found '{found}': possibly an early pilot code, verify against the licence"
            ),
        }
    }
}

fn value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// Computes the check character of the first 17 characters (each must be in the alphabet).
pub fn check_character(first17: &[u8]) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (i, &c) in first17.iter().enumerate() {
        sum += value(c)? * WEIGHTS[i];
    }
    let check = (31 - sum % 31) % 31;
    Some(ALPHABET[check as usize] as char)
}

/// Check character of a GB 11714 organisation code body (8 characters): 0–9, or X for 10.
pub fn organisation_check_character(body: &[u8]) -> Option<char> {
    if body.len() != 8 {
        return None;
    }
    let mut sum = 0u32;
    for (i, &c) in body.iter().enumerate() {
        let v = match c {
            b'0'..=b'9' => (c - b'0') as u32,
            b'A'..=b'Z' => (c - b'A') as u32 + 10,
            _ => return None,
        };
        sum += v * ORG_WEIGHTS[i];
    }
    match 11 - sum % 11 {
        10 => Some('X'),
        11 => Some('0'),
        n => Some(char::from(b'0' + n as u8)),
    }
}

impl CreditCode {
    /// Parses a code; surrounding whitespace is trimmed and lower case accepted.
    /// Returns the code and, when the check character fails, a warning.
    pub fn parse(input: &str) -> Result<(CreditCode, Option<CreditCodeWarning>), CreditCodeError> {
        let s: String = input.trim().to_ascii_uppercase();
        let n = s.chars().count();
        if n != 18 {
            return Err(CreditCodeError::Length(n));
        }
        for (i, c) in s.chars().enumerate() {
            if !c.is_ascii() || value(c as u8).is_none() {
                return Err(CreditCodeError::Character {
                    position: i + 1,
                    found: c,
                });
            }
        }
        let b = s.as_bytes();
        if !b[2..8].iter().all(u8::is_ascii_digit) {
            return Err(CreditCodeError::DivisionCode);
        }
        let expected = check_character(&b[..17]).expect("validated characters");
        let found = b[17] as char;
        let warning =
            (expected != found).then_some(CreditCodeWarning::CheckCharacter { expected, found });
        Ok((CreditCode(s), warning))
    }

    /// Parses and refuses any code with a failing check character (for generated data and tests).
    pub fn parse_strict(input: &str) -> Result<CreditCode, CreditCodeError> {
        match Self::parse(input)? {
            (code, None) => Ok(code),
            (_, Some(CreditCodeWarning::CheckCharacter { found, .. })) => {
                Err(CreditCodeError::Character {
                    position: 18,
                    found,
                })
            }
        }
    }

    /// Builds a valid code from its first seventeen characters by appending the check character.
    pub fn with_check_character(first17: &str) -> Result<CreditCode, CreditCodeError> {
        let upper = first17.to_ascii_uppercase();
        let check =
            check_character(upper.as_bytes()).ok_or(CreditCodeError::Length(upper.len() + 1))?;
        Self::parse_strict(&format!("{upper}{check}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The six-digit administrative division code (characters 3–8).
    pub fn division_code(&self) -> &str {
        &self.0[2..8]
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CreditCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CreditCode::parse(&s)
            .map(|(c, _)| c)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_example_from_the_standard_is_valid() {
        let (code, warning) = CreditCode::parse("91310110666007217T").unwrap();
        assert_eq!(code.as_str(), "91310110666007217T");
        assert_eq!(warning, None);
        assert_eq!(code.division_code(), "310110");
    }

    #[test]
    fn lower_case_and_whitespace_are_normalised() {
        let (code, warning) = CreditCode::parse("  91310110666007217t ").unwrap();
        assert_eq!(code.as_str(), "91310110666007217T");
        assert!(warning.is_none());
    }

    #[test]
    fn legacy_pilot_code_failing_the_check_is_a_warning_not_an_error() {
        let (code, warning) = CreditCode::parse("91350211M00013FA1N").unwrap();
        assert_eq!(code.as_str(), "91350211M00013FA1N");
        assert!(matches!(
            warning,
            Some(CreditCodeWarning::CheckCharacter { found: 'N', .. })
        ));
        assert!(CreditCode::parse_strict("91350211M00013FA1N").is_err());
    }

    #[test]
    fn a_changed_character_is_caught_by_the_check() {
        let (_, warning) = CreditCode::parse("91310110666007218T").unwrap();
        assert!(warning.is_some());
    }

    #[test]
    fn malformed_codes_are_refused_with_a_reason() {
        assert_eq!(
            CreditCode::parse("9131011066600721").unwrap_err(),
            CreditCodeError::Length(16)
        );
        assert_eq!(
            CreditCode::parse("91310110666007217O").unwrap_err(),
            CreditCodeError::Character {
                position: 18,
                found: 'O'
            }
        );
        assert!(matches!(
            CreditCode::parse("9131011066600721７T").unwrap_err(),
            CreditCodeError::Character { position: 17, .. }
        ));
        assert_eq!(
            CreditCode::parse("91A10110666007217T").unwrap_err(),
            CreditCodeError::DivisionCode
        );
    }

    #[test]
    fn building_from_seventeen_characters_appends_the_check() {
        let code = CreditCode::with_check_character("91310110666007217").unwrap();
        assert_eq!(code.as_str(), "91310110666007217T");
    }

    #[test]
    fn organisation_code_check_digit() {
        // 66600721-7 is the organisation code inside the worked example.
        assert_eq!(organisation_check_character(b"66600721"), Some('7'));
    }

    proptest::proptest! {
        #[test]
        fn any_seventeen_alphabet_characters_complete_to_a_valid_code(
            head in proptest::collection::vec(0usize..31, 2),
            div in proptest::collection::vec(0u8..10, 6),
            tail in proptest::collection::vec(0usize..31, 9),
        ) {
            let mut s = String::new();
            for i in head { s.push(ALPHABET[i] as char); }
            for d in div { s.push((b'0' + d) as char); }
            for i in tail { s.push(ALPHABET[i] as char); }
            let code = CreditCode::with_check_character(&s).unwrap();
            proptest::prop_assert!(CreditCode::parse(code.as_str()).unwrap().1.is_none());
        }
    }
}
