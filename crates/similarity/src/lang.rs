//! Languages the tokeniser knows, chosen by file extension.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// How a document is tokenised. Unknown extensions are [`Language::Text`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    C,
    Cpp,
    Java,
    JavaScript,
    TypeScript,
    Go,
    Rust,
    CSharp,
    Python,
    Sql,
    /// Chinese and English prose, recipes, parameter tables (also DOCX, XLSX and PDF text).
    Text,
}

impl Language {
    /// Every language, in the order of their codes.
    pub const ALL: [Language; 11] = [
        Language::Text,
        Language::C,
        Language::Cpp,
        Language::Java,
        Language::JavaScript,
        Language::TypeScript,
        Language::Go,
        Language::Rust,
        Language::CSharp,
        Language::Python,
        Language::Sql,
    ];

    /// The language of a file name by its extension (case-insensitive); `Text` when unknown.
    pub fn from_path(path: &Path) -> Language {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        Language::from_extension(&ext)
    }

    /// The language of an extension without its dot, lower case.
    pub fn from_extension(ext: &str) -> Language {
        match ext {
            "c" | "h" => Language::C,
            "cc" | "cpp" | "cxx" | "c++" | "hpp" | "hh" | "hxx" | "h++" | "ino" | "cu" => {
                Language::Cpp
            }
            "java" => Language::Java,
            "js" | "mjs" | "cjs" | "jsx" => Language::JavaScript,
            "ts" | "tsx" | "mts" | "cts" => Language::TypeScript,
            "go" => Language::Go,
            "rs" => Language::Rust,
            "cs" => Language::CSharp,
            "py" | "pyw" | "pyi" => Language::Python,
            "sql" | "ddl" | "pls" | "psql" => Language::Sql,
            _ => Language::Text,
        }
    }

    /// The short name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Language::C => "c",
            Language::Cpp => "cpp",
            Language::Java => "java",
            Language::JavaScript => "javascript",
            Language::TypeScript => "typescript",
            Language::Go => "go",
            Language::Rust => "rust",
            Language::CSharp => "csharp",
            Language::Python => "python",
            Language::Sql => "sql",
            Language::Text => "text",
        }
    }

    /// Parses [`Language::name`] (and a few common aliases).
    pub fn parse(s: &str) -> Option<Language> {
        let s = s.to_ascii_lowercase();
        Some(match s.as_str() {
            "c" => Language::C,
            "cpp" | "c++" => Language::Cpp,
            "java" => Language::Java,
            "javascript" | "js" => Language::JavaScript,
            "typescript" | "ts" => Language::TypeScript,
            "go" => Language::Go,
            "rust" | "rs" => Language::Rust,
            "csharp" | "cs" | "c#" => Language::CSharp,
            "python" | "py" => Language::Python,
            "sql" => Language::Sql,
            "text" | "txt" => Language::Text,
            _ => return None,
        })
    }

    /// The one-byte code in fingerprint files.
    pub fn code(self) -> u8 {
        Language::ALL.iter().position(|&l| l == self).unwrap_or(0) as u8
    }

    /// The language of a code in a fingerprint file.
    pub fn from_code(c: u8) -> Option<Language> {
        Language::ALL.get(c as usize).copied()
    }

    /// Whether this is program source (identifiers are normalised away).
    pub fn is_code(self) -> bool {
        self != Language::Text
    }
}
