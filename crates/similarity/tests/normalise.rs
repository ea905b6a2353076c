//! Normalisation per language: what a copyist changes without changing the content gives the
//! same token stream; what changes the content does not.

use shoumi_similarity::{Document, Language};

fn syms(lang: Language, text: &str) -> Vec<u32> {
    Document::from_text("t", lang, text).unwrap().symbols()
}

fn same(lang: Language, a: &str, b: &str) {
    let (sa, sb) = (syms(lang, a), syms(lang, b));
    assert!(!sa.is_empty(), "no tokens in {a:?}");
    assert_eq!(sa, sb, "{lang:?}: token streams differ:\n{a}\n---\n{b}");
}

fn differ(lang: Language, a: &str, b: &str) {
    assert_ne!(syms(lang, a), syms(lang, b), "{lang:?}: should differ");
}

#[test]
fn c_renaming_reformatting_and_comments_do_not_change_tokens() {
    same(
        Language::C,
        "/* sum of squares */\nint sum(int n) { int s = 0; for (int i = 0; i < n; i++) { s += i * i; } return s; }",
        "// computes\nint   total(int count)\n{\n    int acc = 0;   /* accumulator */\n    for (int k = 0; k < count; k++)\n    {\n        acc += k * k; // add\n    }\n    return acc;\n}\n",
    );
    same(
        Language::C,
        "#include <stdio.h>\nstatic int x = 10;",
        "#  include \"mine.h\"\nint y = 10L;",
    );
    differ(
        Language::C,
        "for (i = 0; i < n; i++) {}",
        "for (i = 0; i <= n; i++) {}",
    );
}

#[test]
fn cpp_raw_strings_and_scopes() {
    same(
        Language::Cpp,
        "auto s = R\"(not // a comment \" still)\"; std::vector<int> v;",
        "auto text = R\"x(other \"text\")x\"; std::vector<int> values; // c",
    );
    same(
        Language::Cpp,
        "class A { public: virtual int f() const override; };",
        "class B {\n private:\n  int f() const;\n};",
    );
}

#[test]
fn java_modifiers_names_and_literals() {
    same(
        Language::Java,
        "public class T1 {\n  public static void main(String[] args) {\n    System.out.println(\"Welcome\"); // hi\n  }\n}",
        "class Renamed { static void main(String[] a) { /* x */ System.out.println(\"Other text\"); } }",
    );
    // Library members called are kept: print is not println.
    differ(
        Language::Java,
        "System.out.println(x);",
        "System.out.print(x);",
    );
    // Number values are content.
    same(Language::Java, "int x = 1_000;", "int y = 1000;");
    differ(Language::Java, "int x = 5;", "int x = 6;");
}

#[test]
fn javascript_templates_regexes_and_comments() {
    same(
        Language::JavaScript,
        "const re = /ab+c\\/\\//g; let s = `a ${b} // not a comment`; // end",
        "const pattern = /x[/]y/;\nlet t = `other`;\n",
    );
    same(
        Language::JavaScript,
        "function f(a, b) { return a / b / 2; }",
        "function g(x, y) {\n  return x / y / 2;\n}",
    );
}

#[test]
fn typescript_types_are_kept_names_are_not() {
    same(
        Language::TypeScript,
        "interface P { name: string; age: number }\nexport function f(p: P): string { return p.name; }",
        "interface Q { label: string; years: number }\nexport function g(q: Q): string { return q.name; }",
    );
}

#[test]
fn go_raw_strings() {
    same(
        Language::Go,
        "package main\nfunc f(n int) int { s := `raw // text`\n return len(s) + n }",
        "package main\n\n// f adds\nfunc g(m int) int {\n\tt := \"x\"\n\treturn len(t) + m\n}",
    );
}

#[test]
fn rust_lifetimes_raw_strings_and_nested_comments() {
    same(
        Language::Rust,
        "pub fn f<'a>(x: &'a str) -> &'a str { /* outer /* inner */ still */ let c = '\"'; let s = r#\"a \" b\"#; x }",
        "fn g<'b>(y: &'b str) -> &'b str { let d = 'x'; let t = \"z\"; y }",
    );
}

#[test]
fn csharp_verbatim_and_interpolated_strings() {
    same(
        Language::CSharp,
        "public sealed class A { private readonly string s = @\"C:\\path \"\"q\"\"\"; string t = $\"{x} y\"; }",
        "class B { string a = \"p\"; string b = \"q\"; }",
    );
}

#[test]
fn python_docstrings_comments_and_names() {
    same(
        Language::Python,
        "def f(x):\n    \"\"\"Docstring.\n    More.\"\"\"\n    return x + 1\n",
        "# header\ndef g(y):  # trailing\n    # comment\n    return y + 1\n",
    );
    // Indentation is structure in Python.
    differ(
        Language::Python,
        "if a:\n    b()\n    c()\n",
        "if a:\n    b()\nc()\n",
    );
}

#[test]
fn sql_keywords_are_case_insensitive() {
    same(
        Language::Sql,
        "SELECT a, b FROM t WHERE x = 1 -- comment\nORDER BY a;",
        "select c, d\nfrom u /* c */ where y = 1 order by c;",
    );
    differ(
        Language::Sql,
        "SELECT a FROM t WHERE x = 1",
        "SELECT a FROM t WHERE x > 1",
    );
}

#[test]
fn chinese_full_and_half_width_traditional_and_simplified_are_equal() {
    same(
        Language::Text,
        "ＡＢＣ１２３，反應溫度設定為１８０℃。",
        "abc123, 反应温度设定为 180 °C",
    );
    same(Language::Text, "製程參數與實驗數據", "制程参数与实验数据");
    // Punctuation and whitespace are not content.
    same(Language::Text, "加热 搅拌，冷却。", "加热搅拌冷却");
}

#[test]
fn numbers_are_normalised_values_with_units() {
    same(Language::Text, "压力 1.50 MPa", "压力1.5MPa");
    same(Language::Text, "压力 1500 kPa", "压力 1.5 MPa");
    same(Language::Text, "温度 ８５℃", "温度 85 摄氏度");
    same(Language::Text, "搅拌二十分钟", "搅拌 20 min");
    differ(Language::Text, "压力 1.5 MPa", "压力 1.6 MPa");
    differ(Language::Text, "温度 85℃", "温度 85 min");
    // Words that look like numerals and units are words.
    same(Language::Text, "十分重要", "十 分 重 要");
}

#[test]
fn english_words_are_case_folded() {
    same(
        Language::Text,
        "Heat the MIXTURE to 180 °C.",
        "heat the mixture to 180°C",
    );
}

#[test]
fn language_is_chosen_by_extension() {
    use std::path::Path;
    for (f, l) in [
        ("a.c", Language::C),
        ("a.hpp", Language::Cpp),
        ("A.java", Language::Java),
        ("a.mjs", Language::JavaScript),
        ("a.tsx", Language::TypeScript),
        ("a.go", Language::Go),
        ("a.rs", Language::Rust),
        ("a.cs", Language::CSharp),
        ("a.py", Language::Python),
        ("a.SQL", Language::Sql),
        ("a.docx", Language::Text),
        ("README", Language::Text),
    ] {
        assert_eq!(Language::from_path(Path::new(f)), l, "{f}");
    }
}
