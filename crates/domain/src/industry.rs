//! Industries per GB/T 4754-2017 (国民经济行业分类): a section letter and a two-digit division.
//! The catalogue is data (`data/industries.toml`), loaded once.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
struct CatalogueFile {
    standard: String,
    sections: Vec<SectionFile>,
}

#[derive(Debug, Deserialize)]
struct SectionFile {
    code: String,
    name: String,
    name_en: String,
    divisions: Vec<DivisionFile>,
}

#[derive(Debug, Deserialize)]
struct DivisionFile {
    code: String,
    name: String,
}

/// A section (门类) of the classification.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub code: char,
    pub name: String,
    pub name_en: String,
    pub divisions: Vec<(String, String)>,
}

/// The loaded catalogue.
#[derive(Debug)]
pub struct Catalogue {
    pub standard: String,
    pub sections: Vec<Section>,
    by_division: BTreeMap<String, (char, String)>,
}

static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();

/// The GB/T 4754-2017 catalogue embedded in the binary.
pub fn catalogue() -> &'static Catalogue {
    CATALOGUE.get_or_init(|| {
        let f: CatalogueFile = toml::from_str(include_str!("../data/industries.toml"))
            .expect("embedded industries.toml is valid");
        let mut by_division = BTreeMap::new();
        let sections = f
            .sections
            .into_iter()
            .map(|s| {
                let code = s.code.chars().next().expect("section code");
                let divisions: Vec<(String, String)> =
                    s.divisions.into_iter().map(|d| (d.code, d.name)).collect();
                for (d, n) in &divisions {
                    by_division.insert(d.clone(), (code, n.clone()));
                }
                Section {
                    code,
                    name: s.name,
                    name_en: s.name_en,
                    divisions,
                }
            })
            .collect();
        Catalogue {
            standard: f.standard,
            sections,
            by_division,
        }
    })
}

impl Catalogue {
    pub fn section(&self, code: char) -> Option<&Section> {
        self.sections.iter().find(|s| s.code == code)
    }
    pub fn division_name(&self, division: &str) -> Option<&str> {
        self.by_division.get(division).map(|(_, n)| n.as_str())
    }
    pub fn section_of(&self, division: &str) -> Option<char> {
        self.by_division.get(division).map(|(s, _)| *s)
    }
}

/// An industry classification: a division (大类) and the section (门类) it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Industry {
    pub section: char,
    division: [u8; 2],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndustryError {
    #[error("行业大类“{0}”不在 GB/T 4754-2017 中 / '{0}' is not a GB/T 4754-2017 division")]
    UnknownDivision(String),
    #[error(
        "行业大类 {division} 属于门类 {actual}，不属于门类 {given} / division {division} belongs to section {actual}, not {given}"
    )]
    WrongSection {
        division: String,
        given: char,
        actual: char,
    },
}

impl Industry {
    /// Parses `C26`, `C 26`, `26` or `C26 化学原料…` (the name, if present, is ignored).
    pub fn parse(input: &str) -> Result<Industry, IndustryError> {
        let s = input.trim();
        let mut chars = s.chars().peekable();
        let given = match chars.peek() {
            Some(c) if c.is_ascii_alphabetic() => {
                let c = c.to_ascii_uppercase();
                chars.next();
                Some(c)
            }
            _ => None,
        };
        let rest: String = chars.collect();
        let digits: String = rest
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let division = if digits.len() == 1 {
            format!("0{digits}")
        } else {
            digits
        };
        let cat = catalogue();
        let actual = cat
            .section_of(&division)
            .ok_or_else(|| IndustryError::UnknownDivision(s.to_string()))?;
        if let Some(g) = given
            && g != actual
        {
            return Err(IndustryError::WrongSection {
                division,
                given: g,
                actual,
            });
        }
        let b = division.as_bytes();
        Ok(Industry {
            section: actual,
            division: [b[0], b[1]],
        })
    }

    pub fn division(&self) -> &str {
        std::str::from_utf8(&self.division).expect("ascii digits")
    }

    /// `C26`.
    pub fn code(&self) -> String {
        format!("{}{}", self.section, self.division())
    }

    pub fn division_name(&self) -> &'static str {
        catalogue().division_name(self.division()).unwrap_or("")
    }

    pub fn section_name(&self) -> &'static str {
        catalogue()
            .section(self.section)
            .map(|s| s.name.as_str())
            .unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_has_every_section_and_the_manufacturing_divisions() {
        let c = catalogue();
        assert_eq!(c.sections.len(), 20);
        assert_eq!(c.section('C').unwrap().divisions.len(), 31);
        assert_eq!(c.division_name("25"), Some("石油、煤炭及其他燃料加工业"));
    }

    #[test]
    fn parses_section_and_division_forms() {
        assert_eq!(Industry::parse("C26").unwrap().code(), "C26");
        assert_eq!(Industry::parse("c 26").unwrap().code(), "C26");
        assert_eq!(Industry::parse("26").unwrap().code(), "C26");
        assert_eq!(Industry::parse("A1").unwrap().code(), "A01");
        assert_eq!(
            Industry::parse("C26 化学原料和化学制品制造业")
                .unwrap()
                .division_name(),
            "化学原料和化学制品制造业"
        );
    }

    #[test]
    fn a_division_under_the_wrong_section_is_refused() {
        assert!(matches!(
            Industry::parse("A26"),
            Err(IndustryError::WrongSection { actual: 'C', .. })
        ));
        assert!(Industry::parse("C99").is_err());
    }
}
