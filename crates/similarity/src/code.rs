//! Lexers for program source: a C-like family (C, C++, Java, JavaScript/TypeScript, Go, Rust,
//! C#), Python and SQL.
//!
//! What a copyist can change without changing the program is dropped or folded: whitespace and
//! layout, comments (and Python docstrings), the names of identifiers (all one symbol `ID`), the
//! content of string and character literals (one symbol `STR`), and access and storage
//! modifiers (`public`, `private`, `static`, `final`, …: dropped). Keywords, operators and
//! punctuation are kept as themselves, so the token stream is the program's shape.
//!
//! Two things are kept that a plain "identifiers → ID" lexer folds, because measuring on
//! IR-Plag showed they separate copies from independent solutions (docs/SIMILARITY.md):
//! - the name of a member reached with `.`, `->`, `?.` or `::` (`println`, `nextInt`,
//!   `size`): renaming a program's own variables does not change the library it calls;
//! - the value of a number literal, normalised (`1_000` = `1000`, `10L` = `10`, `0X1F` = `0x1f`):
//!   constants are content, as parameters are in a recipe.

use crate::lang::Language;
use crate::token::{Token, sym, tag};

/// Symbols of the folded classes.
pub(crate) fn id_sym() -> u32 {
    sym(tag::CLASS, b"ID")
}
pub(crate) fn str_sym() -> u32 {
    sym(tag::CLASS, b"STR")
}

/// Keywords dropped from the stream: access and storage modifiers, which a copyist adds,
/// removes or changes without changing what the program does.
const MODIFIERS: &[&str] = &[
    "abstract",
    "final",
    "internal",
    "native",
    "override",
    "private",
    "protected",
    "pub",
    "public",
    "readonly",
    "sealed",
    "static",
    "strictfp",
    "synchronized",
    "transient",
    "virtual",
    "volatile",
];

/// The normalised form of a number literal: lower case, digit separators and type suffixes
/// removed, trailing fractional zeros removed.
fn number_form(lit: &str) -> String {
    let mut s: String = lit
        .chars()
        .filter(|&c| c != '_' && c != '\'')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let hex = s.starts_with("0x");
    let bin = s.starts_with("0b");
    if !hex {
        let float = s.contains('.') || (!bin && s.contains('e'));
        let cut = s.trim_end_matches(|c: char| {
            matches!(c, 'u' | 'l' | 'z' | 'n') || (!bin && matches!(c, 'f' | 'd' | 'm'))
        });
        s.truncate(cut.len());
        // Rust-style type suffixes: 10u8, 1.5f32, 7usize.
        for suffix in [
            "usize", "isize", "u128", "i128", "u64", "i64", "u32", "i32", "u16", "i16", "u8", "i8",
            "f64", "f32",
        ] {
            if s.len() > suffix.len() && s.ends_with(suffix) {
                s.truncate(s.len() - suffix.len());
                break;
            }
        }
        if float && s.contains('.') && !s.contains('e') {
            let t = s.trim_end_matches('0').trim_end_matches('.');
            s.truncate(t.len());
        }
    } else {
        let cut = s.trim_end_matches(['u', 'l', 'n']);
        s.truncate(cut.len());
    }
    if s.is_empty() { "0".to_string() } else { s }
}

const C_KW: &[&str] = &[
    "NULL", "_Bool", "_Complex", "auto", "bool", "break", "case", "char", "const", "continue",
    "default", "do", "double", "else", "enum", "extern", "false", "float", "for", "goto", "if",
    "inline", "int", "long", "register", "restrict", "return", "short", "signed", "sizeof",
    "static", "struct", "switch", "true", "typedef", "union", "unsigned", "void", "volatile",
    "while",
];

const CPP_EXTRA: &[&str] = &[
    "alignas",
    "alignof",
    "catch",
    "class",
    "co_await",
    "co_return",
    "co_yield",
    "concept",
    "const_cast",
    "constexpr",
    "decltype",
    "delete",
    "dynamic_cast",
    "explicit",
    "export",
    "final",
    "friend",
    "mutable",
    "namespace",
    "new",
    "noexcept",
    "nullptr",
    "operator",
    "override",
    "private",
    "protected",
    "public",
    "reinterpret_cast",
    "requires",
    "static_assert",
    "static_cast",
    "template",
    "this",
    "throw",
    "try",
    "typeid",
    "typename",
    "using",
    "virtual",
    "wchar_t",
];

const JAVA_KW: &[&str] = &[
    "abstract",
    "assert",
    "boolean",
    "break",
    "byte",
    "case",
    "catch",
    "char",
    "class",
    "const",
    "continue",
    "default",
    "do",
    "double",
    "else",
    "enum",
    "extends",
    "false",
    "final",
    "finally",
    "float",
    "for",
    "goto",
    "if",
    "implements",
    "import",
    "instanceof",
    "int",
    "interface",
    "long",
    "native",
    "new",
    "null",
    "package",
    "permits",
    "private",
    "protected",
    "public",
    "record",
    "return",
    "sealed",
    "short",
    "static",
    "strictfp",
    "super",
    "switch",
    "synchronized",
    "this",
    "throw",
    "throws",
    "transient",
    "true",
    "try",
    "var",
    "void",
    "volatile",
    "while",
    "yield",
];

const JS_KW: &[&str] = &[
    "async",
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "get",
    "if",
    "import",
    "in",
    "instanceof",
    "let",
    "new",
    "null",
    "of",
    "return",
    "set",
    "static",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "undefined",
    "var",
    "void",
    "while",
    "with",
    "yield",
];

const TS_EXTRA: &[&str] = &[
    "abstract",
    "any",
    "as",
    "boolean",
    "declare",
    "enum",
    "implements",
    "infer",
    "interface",
    "is",
    "keyof",
    "module",
    "namespace",
    "never",
    "number",
    "private",
    "protected",
    "public",
    "readonly",
    "string",
    "type",
    "unknown",
];

const GO_KW: &[&str] = &[
    "any",
    "append",
    "bool",
    "break",
    "byte",
    "cap",
    "case",
    "chan",
    "complex128",
    "complex64",
    "const",
    "continue",
    "default",
    "defer",
    "else",
    "error",
    "fallthrough",
    "false",
    "float32",
    "float64",
    "for",
    "func",
    "go",
    "goto",
    "if",
    "import",
    "int",
    "int16",
    "int32",
    "int64",
    "int8",
    "interface",
    "iota",
    "len",
    "make",
    "map",
    "new",
    "nil",
    "package",
    "panic",
    "range",
    "return",
    "rune",
    "select",
    "string",
    "struct",
    "switch",
    "true",
    "type",
    "uint",
    "uint16",
    "uint32",
    "uint64",
    "uint8",
    "uintptr",
    "var",
];

const RUST_KW: &[&str] = &[
    "Self", "as", "async", "await", "bool", "break", "char", "const", "continue", "crate", "dyn",
    "else", "enum", "extern", "f32", "f64", "false", "fn", "for", "i128", "i16", "i32", "i64",
    "i8", "if", "impl", "in", "isize", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
    "return", "self", "static", "str", "struct", "super", "trait", "true", "type", "u128", "u16",
    "u32", "u64", "u8", "unsafe", "use", "usize", "where", "while",
];

const CS_KW: &[&str] = &[
    "abstract",
    "as",
    "async",
    "await",
    "base",
    "bool",
    "break",
    "byte",
    "case",
    "catch",
    "char",
    "checked",
    "class",
    "const",
    "continue",
    "decimal",
    "default",
    "delegate",
    "do",
    "double",
    "dynamic",
    "else",
    "enum",
    "event",
    "explicit",
    "extern",
    "false",
    "finally",
    "fixed",
    "float",
    "for",
    "foreach",
    "get",
    "goto",
    "if",
    "implicit",
    "in",
    "int",
    "interface",
    "internal",
    "is",
    "lock",
    "long",
    "nameof",
    "namespace",
    "new",
    "null",
    "object",
    "operator",
    "out",
    "override",
    "params",
    "partial",
    "private",
    "protected",
    "public",
    "readonly",
    "record",
    "ref",
    "return",
    "sbyte",
    "sealed",
    "set",
    "short",
    "sizeof",
    "stackalloc",
    "static",
    "string",
    "struct",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "uint",
    "ulong",
    "unchecked",
    "unsafe",
    "ushort",
    "using",
    "var",
    "virtual",
    "void",
    "volatile",
    "when",
    "where",
    "while",
    "yield",
];

const PY_KW: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "case", "class",
    "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if",
    "import", "in", "is", "lambda", "match", "nonlocal", "not", "or", "pass", "raise", "return",
    "self", "try", "while", "with", "yield",
];

/// SQL keywords, lower case (SQL is matched case-insensitively).
const SQL_KW: &[&str] = &[
    "add",
    "all",
    "alter",
    "and",
    "as",
    "asc",
    "avg",
    "begin",
    "between",
    "bigint",
    "boolean",
    "by",
    "case",
    "cast",
    "char",
    "check",
    "coalesce",
    "commit",
    "constraint",
    "count",
    "create",
    "cross",
    "cursor",
    "date",
    "decimal",
    "declare",
    "default",
    "delete",
    "desc",
    "distinct",
    "double",
    "drop",
    "else",
    "end",
    "exists",
    "fetch",
    "float",
    "foreign",
    "from",
    "full",
    "function",
    "grant",
    "group",
    "having",
    "if",
    "in",
    "index",
    "inner",
    "insert",
    "int",
    "integer",
    "into",
    "is",
    "join",
    "key",
    "left",
    "like",
    "limit",
    "max",
    "min",
    "natural",
    "not",
    "null",
    "numeric",
    "offset",
    "on",
    "or",
    "order",
    "outer",
    "over",
    "partition",
    "primary",
    "procedure",
    "recursive",
    "references",
    "return",
    "returns",
    "revoke",
    "right",
    "rollback",
    "row_number",
    "select",
    "sequence",
    "set",
    "sum",
    "table",
    "text",
    "then",
    "timestamp",
    "top",
    "transaction",
    "trigger",
    "truncate",
    "union",
    "unique",
    "update",
    "using",
    "values",
    "varchar",
    "view",
    "when",
    "where",
    "while",
    "with",
];

fn is_keyword(lang: Language, word: &str) -> bool {
    let find = |list: &[&str]| list.binary_search(&word).is_ok();
    match lang {
        Language::C => find(C_KW),
        Language::Cpp => find(C_KW) || find(CPP_EXTRA),
        Language::Java => find(JAVA_KW),
        Language::JavaScript => find(JS_KW),
        Language::TypeScript => find(JS_KW) || find(TS_EXTRA),
        Language::Go => find(GO_KW),
        Language::Rust => find(RUST_KW),
        Language::CSharp => find(CS_KW),
        Language::Python => find(PY_KW),
        Language::Sql => find(SQL_KW),
        Language::Text => false,
    }
}

/// Operators of more than one character, longest first within each length.
const OPS3: &[&str] = &[
    ">>>", "<<=", ">>=", "===", "!==", "...", "**=", "//=", "<=>", "&&=", "||=", "??=", "->*",
];
const OPS2: &[&str] = &[
    "==", "!=", "<=", ">=", "&&", "||", "++", "--", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=",
    "<<", ">>", "->", "::", "=>", "**", "//", "..", "?.", "??", ":=", "<-", "@=",
];

/// Tokenises program source of a given language. Tokens come out sorted by position, with
/// `line`/`col` still zero (the caller fills them in).
pub(crate) fn lex(lang: Language, text: &str) -> Vec<Token> {
    let mut lx = Lexer {
        lang,
        b: text.as_bytes(),
        text,
        i: 0,
        out: Vec::with_capacity(text.len() / 4),
        id: id_sym(),
        st: str_sym(),
        access: [
            sym(tag::OPERATOR, b"."),
            sym(tag::OPERATOR, b"->"),
            sym(tag::OPERATOR, b"?."),
            sym(tag::OPERATOR, b"::"),
        ],
        depth: 0,
        line_start: true,
        indents: vec![0],
    };
    match lang {
        Language::Python => lx.python(),
        Language::Sql => lx.sql(),
        _ => lx.c_like(),
    }
    lx.out
}

struct Lexer<'a> {
    lang: Language,
    b: &'a [u8],
    text: &'a str,
    i: usize,
    out: Vec<Token>,
    id: u32,
    st: u32,
    /// Member-access operators: the name after one is kept.
    access: [u32; 4],
    /// Python: bracket depth (newlines inside brackets are not statement ends).
    depth: i32,
    /// Python: at the start of a logical line.
    line_start: bool,
    /// Python: the indentation stack.
    indents: Vec<usize>,
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b'$' || c >= 0x80
}
fn is_ident_cont(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

impl Lexer<'_> {
    fn peek(&self, k: usize) -> u8 {
        self.b.get(self.i + k).copied().unwrap_or(0)
    }

    fn push(&mut self, s: u32, start: usize, end: usize) {
        self.out.push(Token {
            sym: s,
            start: start as u32,
            end: end as u32,
            line: 0,
            col: 0,
        });
    }

    /// An identifier or keyword `start..end` (`word` is its form: lower case for SQL).
    fn push_word(&mut self, start: usize, end: usize, word: &str) {
        if is_keyword(self.lang, word) {
            if MODIFIERS.binary_search(&word).is_err() {
                self.push(sym(tag::KEYWORD, word.as_bytes()), start, end);
            }
        } else if self
            .out
            .last()
            .is_some_and(|t| self.access.contains(&t.sym))
        {
            self.push(sym(tag::MEMBER, word.as_bytes()), start, end);
        } else {
            self.push(self.id, start, end);
        }
    }

    /// A number literal `start..end`.
    fn push_number(&mut self, start: usize, end: usize) {
        let form = number_form(&self.text[start..end]);
        self.push(sym(tag::NUMBER, form.as_bytes()), start, end);
    }

    /// Skips to the end of the line (not past the newline).
    fn skip_line(&mut self) {
        while self.i < self.b.len() && self.b[self.i] != b'\n' {
            self.i += 1;
        }
    }

    /// Skips a block comment starting at `/*`; nested for Rust.
    fn skip_block_comment(&mut self) {
        let nested = self.lang == Language::Rust;
        let mut depth = 0;
        while self.i < self.b.len() {
            if self.b[self.i] == b'/' && self.peek(1) == b'*' {
                depth += 1;
                self.i += 2;
                if !nested && depth > 1 {
                    depth = 1;
                }
            } else if self.b[self.i] == b'*' && self.peek(1) == b'/' {
                depth -= 1;
                self.i += 2;
                if depth == 0 {
                    return;
                }
            } else {
                self.i += 1;
            }
        }
    }

    /// A quoted literal from the quote at `self.i` to its closing quote, with backslash escapes;
    /// stops at a newline unless `multiline`.
    fn skip_quoted(&mut self, q: u8, multiline: bool, escapes: bool) {
        self.i += 1;
        while self.i < self.b.len() {
            let c = self.b[self.i];
            if escapes && c == b'\\' {
                self.i += 2;
                continue;
            }
            if c == q {
                // SQL and C# verbatim strings double the quote to escape it.
                if !escapes && self.peek(1) == q {
                    self.i += 2;
                    continue;
                }
                self.i += 1;
                return;
            }
            if c == b'\n' && !multiline {
                return;
            }
            self.i += 1;
        }
        self.i = self.b.len();
    }

    /// Whether `c`, the byte at the cursor, starts a number: a digit, or a dot before one.
    fn number_starts(&self, c: u8) -> bool {
        c.is_ascii_digit() || (c == b'.' && self.peek(1).is_ascii_digit())
    }

    /// The number starting at the cursor (at `start`), as one parameter token.
    fn number(&mut self, start: usize) {
        self.skip_number();
        self.push_number(start, self.i);
    }

    fn skip_number(&mut self) {
        let hexish = self.b[self.i] == b'0' && matches!(self.peek(1), b'x' | b'X');
        while self.i < self.b.len() {
            let c = self.b[self.i];
            if c.is_ascii_alphanumeric()
                || c == b'_'
                || c == b'\'' && self.lang == Language::Cpp
                || c == b'.' && self.peek(1).is_ascii_digit()
            {
                self.i += 1;
            } else if c == b'.'
                && !matches!(self.peek(1), b'.')
                && !is_ident_start(self.peek(1))
                && !matches!(self.lang, Language::Rust | Language::Go)
            {
                // `1.` is a float in C-like languages (not `1..2` or `1.method()`).
                self.i += 1;
            } else if (c == b'+' || c == b'-')
                && !hexish
                && matches!(self.b[self.i - 1], b'e' | b'E')
                && self.peek(1).is_ascii_digit()
            {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    fn ident_end(&self, from: usize) -> usize {
        let mut j = from;
        while j < self.b.len() && is_ident_cont(self.b[j]) {
            j += 1;
        }
        // Never split a UTF-8 sequence (non-ASCII bytes are all identifier bytes).
        while j < self.b.len() && !self.text.is_char_boundary(j) {
            j += 1;
        }
        j
    }

    fn operator(&mut self) {
        let start = self.i;
        let rest = &self.b[self.i..];
        let len = if rest.len() >= 3 && OPS3.iter().any(|o| rest.starts_with(o.as_bytes())) {
            3
        } else if rest.len() >= 2
            && OPS2.iter().any(|o| rest.starts_with(o.as_bytes()))
            && !(self.lang != Language::Python && rest.starts_with(b"//"))
        {
            2
        } else {
            // One character (a whole UTF-8 character for stray non-ASCII punctuation).
            let mut n = 1;
            while start + n < self.b.len() && !self.text.is_char_boundary(start + n) {
                n += 1;
            }
            n
        };
        self.i += len;
        let s = sym(tag::OPERATOR, &self.b[start..self.i]);
        self.push(s, start, self.i);
    }

    /// Whether a `/` here starts a JavaScript regular expression literal (by the token before).
    fn regex_allowed(&self) -> bool {
        let Some(prev) = self.out.last() else {
            return true;
        };
        if prev.sym == self.st {
            return false;
        }
        let p = &self.b[prev.start as usize..prev.end as usize];
        if p.last().is_some_and(|&c| is_ident_cont(c)) {
            return matches!(
                p,
                b"return"
                    | b"typeof"
                    | b"case"
                    | b"in"
                    | b"of"
                    | b"delete"
                    | b"void"
                    | b"throw"
                    | b"new"
                    | b"else"
                    | b"do"
                    | b"yield"
                    | b"await"
            );
        }
        !matches!(p, b")" | b"]" | b"}" | b"++" | b"--")
    }

    fn c_like(&mut self) {
        let lang = self.lang;
        let js = matches!(lang, Language::JavaScript | Language::TypeScript);
        while self.i < self.b.len() {
            let c = self.b[self.i];
            let start = self.i;
            match c {
                b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c => self.i += 1,
                b'/' if self.peek(1) == b'/' => self.skip_line(),
                b'/' if self.peek(1) == b'*' => self.skip_block_comment(),
                b'/' if js && self.regex_allowed() => {
                    self.skip_regex();
                    self.push(self.st, start, self.i);
                }
                b'#' if matches!(lang, Language::C | Language::Cpp | Language::CSharp) => {
                    // A preprocessor directive: `#` and its word are one keyword.
                    let mut j = self.i + 1;
                    while j < self.b.len() && (self.b[j] == b' ' || self.b[j] == b'\t') {
                        j += 1;
                    }
                    let k = self.ident_end(j);
                    let word = &self.b[j..k];
                    let mut form = Vec::with_capacity(word.len() + 1);
                    form.push(b'#');
                    form.extend_from_slice(word);
                    self.i = k;
                    self.push(sym(tag::KEYWORD, &form), start, k);
                    if word == b"include" || word == b"import" {
                        // The header name is one literal.
                        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t') {
                            self.i += 1;
                        }
                        if self.i < self.b.len() && matches!(self.b[self.i], b'<' | b'"') {
                            let s = self.i;
                            self.skip_line();
                            self.push(self.st, s, self.i);
                        }
                    }
                }
                b'"' => {
                    self.skip_quoted(b'"', false, true);
                    self.push(self.st, start, self.i);
                }
                b'\'' => {
                    if lang == Language::Rust && self.rust_lifetime() {
                        self.push(self.id, start, self.i);
                    } else {
                        self.skip_quoted(b'\'', false, true);
                        self.push(self.st, start, self.i);
                    }
                }
                b'`' if js || lang == Language::Go => {
                    self.skip_quoted(b'`', true, js);
                    self.push(self.st, start, self.i);
                }
                b'@' if lang == Language::CSharp && matches!(self.peek(1), b'"') => {
                    self.i += 1;
                    self.skip_quoted(b'"', true, false);
                    self.push(self.st, start, self.i);
                }
                c if self.number_starts(c) => self.number(start),
                c if is_ident_start(c) => {
                    let end = self.ident_end(self.i);
                    self.i = end;
                    if self.string_prefix(start, end) {
                        self.push(self.st, start, self.i);
                        continue;
                    }
                    let word = &self.text[start..end];
                    self.push_word(start, end, word);
                }
                _ => self.operator(),
            }
        }
    }

    /// `'a` (a lifetime or label) rather than a character literal `'a'`.
    fn rust_lifetime(&mut self) -> bool {
        let j = self.i + 1;
        if j >= self.b.len() || !is_ident_start(self.b[j]) {
            return false;
        }
        let k = self.ident_end(j);
        if k < self.b.len() && self.b[k] == b'\'' {
            return false;
        }
        self.i = k;
        true
    }

    fn skip_regex(&mut self) {
        self.i += 1;
        let mut class = false;
        while self.i < self.b.len() {
            match self.b[self.i] {
                b'\\' => self.i += 1,
                b'[' => class = true,
                b']' => class = false,
                b'/' if !class => {
                    self.i += 1;
                    break;
                }
                b'\n' => break,
                _ => {}
            }
            self.i += 1;
        }
        self.i = self.i.min(self.b.len());
        while self.i < self.b.len() && self.b[self.i].is_ascii_alphabetic() {
            self.i += 1;
        }
    }

    /// A string with a prefix (`r"…"`, `r#"…"#`, `b"…"`, `R"(…)"`, `u8"…"`, `L'…'`, `$"…"`,
    /// `f"…"`): the identifier `start..end` is the prefix and a quote follows. Consumes it.
    fn string_prefix(&mut self, start: usize, end: usize) -> bool {
        let prefix = &self.b[start..end];
        let next = self.b.get(end).copied().unwrap_or(0);
        match self.lang {
            Language::Rust => {
                let raw = matches!(prefix, b"r" | b"br" | b"cr");
                if raw && (next == b'"' || next == b'#') {
                    let mut hashes = 0;
                    let mut j = end;
                    while j < self.b.len() && self.b[j] == b'#' {
                        hashes += 1;
                        j += 1;
                    }
                    if j >= self.b.len() || self.b[j] != b'"' {
                        return false;
                    }
                    j += 1;
                    loop {
                        if j >= self.b.len() {
                            self.i = self.b.len();
                            return true;
                        }
                        if self.b[j] == b'"'
                            && self.b[j + 1..].iter().take_while(|&&c| c == b'#').count() >= hashes
                        {
                            self.i = j + 1 + hashes;
                            return true;
                        }
                        j += 1;
                    }
                }
                if matches!(prefix, b"b" | b"c") && (next == b'"' || next == b'\'') {
                    self.i = end;
                    self.skip_quoted(next, next == b'"', true);
                    return true;
                }
                false
            }
            Language::C | Language::Cpp => {
                if matches!(prefix, b"R" | b"u8R" | b"LR" | b"uR" | b"UR") && next == b'"' {
                    // R"delim( … )delim"
                    let open = end + 1;
                    let Some(paren) = self.b[open..].iter().position(|&c| c == b'(') else {
                        return false;
                    };
                    let delim = &self.b[open..open + paren];
                    let mut close = Vec::with_capacity(delim.len() + 2);
                    close.push(b')');
                    close.extend_from_slice(delim);
                    close.push(b'"');
                    let body = open + paren + 1;
                    self.i = match find(&self.b[body..], &close) {
                        Some(p) => body + p + close.len(),
                        None => self.b.len(),
                    };
                    return true;
                }
                if matches!(prefix, b"u8" | b"u" | b"U" | b"L") && (next == b'"' || next == b'\'') {
                    self.i = end;
                    self.skip_quoted(next, false, true);
                    return true;
                }
                false
            }
            Language::CSharp => {
                if next == b'"' && matches!(prefix, b"$" | b"u8") {
                    self.i = end;
                    self.skip_quoted(b'"', false, true);
                    return true;
                }
                if next == b'@' && prefix == b"$" && self.b.get(end + 1) == Some(&b'"') {
                    self.i = end + 1;
                    self.skip_quoted(b'"', true, false);
                    return true;
                }
                false
            }
            _ => false,
        }
    }

    // ---- Python ----

    fn python(&mut self) {
        let newline = sym(tag::OPERATOR, b"NEWLINE");
        let indent = sym(tag::OPERATOR, b"INDENT");
        let dedent = sym(tag::OPERATOR, b"DEDENT");
        while self.i < self.b.len() {
            if self.line_start && self.depth == 0 {
                // Measure this line's indentation; blank and comment-only lines do not count.
                let mut j = self.i;
                let mut width = 0;
                while j < self.b.len() && matches!(self.b[j], b' ' | b'\t' | 0x0c) {
                    width += if self.b[j] == b'\t' { 8 - width % 8 } else { 1 };
                    j += 1;
                }
                if j >= self.b.len() || matches!(self.b[j], b'\n' | b'\r' | b'#') {
                    self.i = j;
                    if self.i < self.b.len() && self.b[self.i] == b'#' {
                        self.skip_line();
                    }
                    if self.i < self.b.len() {
                        self.i += 1;
                    }
                    continue;
                }
                self.i = j;
                self.line_start = false;
                let top = *self.indents.last().unwrap_or(&0);
                if width > top {
                    self.indents.push(width);
                    self.push(indent, j, j);
                } else {
                    while width < *self.indents.last().unwrap_or(&0) {
                        self.indents.pop();
                        self.push(dedent, j, j);
                    }
                }
                // A string alone on its logical line is a docstring: drop it.
                if self.docstring_line() {
                    continue;
                }
            }
            let c = self.b[self.i];
            let start = self.i;
            match c {
                b'\n' => {
                    self.i += 1;
                    if self.depth == 0 {
                        if !self.line_start {
                            self.push(newline, start, start);
                        }
                        self.line_start = true;
                    }
                }
                b' ' | b'\t' | b'\r' | 0x0c => self.i += 1,
                b'\\' if matches!(self.peek(1), b'\n' | b'\r') => {
                    self.i += 1;
                    while self.i < self.b.len() && matches!(self.b[self.i], b'\r' | b'\n') {
                        let nl = self.b[self.i] == b'\n';
                        self.i += 1;
                        if nl {
                            break;
                        }
                    }
                }
                b'#' => self.skip_line(),
                b'"' | b'\'' => {
                    self.py_string(self.i);
                    self.push(self.st, start, self.i);
                }
                c if self.number_starts(c) => self.number(start),
                c if is_ident_start(c) && c != b'$' => {
                    let end = self.ident_end(self.i);
                    let next = self.b.get(end).copied().unwrap_or(0);
                    let prefix = self.text[start..end].to_ascii_lowercase();
                    if (next == b'"' || next == b'\'')
                        && matches!(
                            prefix.as_str(),
                            "r" | "u" | "b" | "f" | "br" | "rb" | "fr" | "rf" | "t"
                        )
                    {
                        self.py_string(end);
                        self.push(self.st, start, self.i);
                        continue;
                    }
                    self.i = end;
                    let word = &self.text[start..end];
                    self.push_word(start, end, word);
                }
                b'(' | b'[' | b'{' => {
                    self.depth += 1;
                    self.operator();
                }
                b')' | b']' | b'}' => {
                    self.depth = (self.depth - 1).max(0);
                    self.operator();
                }
                _ => self.operator(),
            }
        }
        let end = self.b.len();
        if !self.line_start {
            self.push(newline, end, end);
        }
        while self.indents.len() > 1 {
            self.indents.pop();
            self.push(dedent, end, end);
        }
    }

    /// A Python string literal whose quote is at `q` (a prefix may come before it).
    fn py_string(&mut self, q: usize) {
        let quote = self.b[q];
        let triple = self.b.get(q + 1) == Some(&quote) && self.b.get(q + 2) == Some(&quote);
        if triple {
            let mut j = q + 3;
            while j < self.b.len() {
                if self.b[j] == b'\\' {
                    j += 2;
                    continue;
                }
                if self.b[j] == quote
                    && self.b.get(j + 1) == Some(&quote)
                    && self.b.get(j + 2) == Some(&quote)
                {
                    self.i = j + 3;
                    return;
                }
                j += 1;
            }
            self.i = self.b.len();
        } else {
            self.i = q;
            self.skip_quoted(quote, false, true);
        }
    }

    /// At the start of a logical line: if it holds only a string literal, skip it and say so.
    fn docstring_line(&mut self) -> bool {
        let save = self.i;
        let mut j = self.i;
        let k = self.ident_end(j);
        if k > j && k - j <= 2 {
            j = k;
        }
        if j >= self.b.len() || !matches!(self.b[j], b'"' | b'\'') {
            return false;
        }
        self.py_string(j);
        let mut e = self.i;
        while e < self.b.len() && matches!(self.b[e], b' ' | b'\t' | b'\r') {
            e += 1;
        }
        if e < self.b.len() && self.b[e] == b'#' {
            while e < self.b.len() && self.b[e] != b'\n' {
                e += 1;
            }
        }
        if e >= self.b.len() || self.b[e] == b'\n' {
            self.i = (e + 1).min(self.b.len());
            self.line_start = true;
            true
        } else {
            self.i = save;
            false
        }
    }

    // ---- SQL ----

    fn sql(&mut self) {
        while self.i < self.b.len() {
            let c = self.b[self.i];
            let start = self.i;
            match c {
                b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c => self.i += 1,
                b'-' if self.peek(1) == b'-' => self.skip_line(),
                b'#' => self.skip_line(),
                b'/' if self.peek(1) == b'*' => self.skip_block_comment(),
                b'\'' => {
                    self.skip_quoted(b'\'', true, false);
                    self.push(self.st, start, self.i);
                }
                b'"' | b'`' => {
                    // Quoted identifiers.
                    self.skip_quoted(c, false, false);
                    self.push(self.id, start, self.i);
                }
                b'[' if self.b[self.i + 1..]
                    .iter()
                    .take_while(|&&c| c != b'\n')
                    .position(|&c| c == b']')
                    .is_some_and(|p| {
                        self.b[self.i + 1..self.i + 1 + p]
                            .iter()
                            .all(|&c| is_ident_cont(c) || c == b' ')
                    }) =>
                {
                    while self.i < self.b.len() && self.b[self.i] != b']' {
                        self.i += 1;
                    }
                    self.i += 1;
                    self.push(self.id, start, self.i);
                }
                b'@' | b':' | b'$' | b'?'
                    if is_ident_cont(self.peek(1)) && !(c == b':' && self.peek(1) == b':') =>
                {
                    self.i = self.ident_end(self.i + 1);
                    self.push(self.id, start, self.i);
                }
                c if self.number_starts(c) => self.number(start),
                c if is_ident_start(c) => {
                    let end = self.ident_end(self.i);
                    self.i = end;
                    // N'…', E'…', X'…' literals.
                    if end - start == 1 && self.b.get(end) == Some(&b'\'') {
                        self.skip_quoted(b'\'', true, false);
                        self.push(self.st, start, self.i);
                        continue;
                    }
                    let lower = self.text[start..end].to_ascii_lowercase();
                    self.push_word(start, end, &lower);
                }
                _ => self.operator(),
            }
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_forms() {
        assert_eq!(number_form("1_000"), "1000");
        assert_eq!(number_form("10L"), "10");
        assert_eq!(number_form("1.50f"), "1.5");
        assert_eq!(number_form("2.0"), "2");
        assert_eq!(number_form("0X1F"), "0x1f");
        assert_eq!(number_form("7usize"), "7");
        assert_eq!(number_form("1e5"), "1e5");
    }

    #[test]
    fn keyword_lists_are_sorted_for_binary_search() {
        for list in [
            C_KW, CPP_EXTRA, JAVA_KW, JS_KW, TS_EXTRA, GO_KW, RUST_KW, CS_KW, PY_KW, SQL_KW,
            MODIFIERS,
        ] {
            let mut sorted = list.to_vec();
            sorted.sort_unstable();
            assert_eq!(sorted, list, "keyword list not sorted");
        }
    }
}
