//! Reported regions map back to the right lines and columns; base material is ignored; scans
//! of stored fingerprints find the secret in a suspect and refuse the wrong key.

use shoumi_similarity::compare::{Base, Options, compare};
use shoumi_similarity::{Document, EnterpriseKey, Index, IndexError, Language};

/// The block copied from the secret (lines 10–14 there), renamed and re-indented in the suspect
/// (lines 4–8 there).
const BLOCK_SECRET: &str = "    for (int row = 0; row < height; row++) {
        double weight = calibrate(row, 0.35, 180);
        table[row] = weight * gain + offset;
        checksum ^= (int) table[row];
    }";
const BLOCK_SUSPECT: &str = "  for (int r = 0; r < h; r++) {
      double w = calibrate(r, 0.35, 180);
      t[r] = w * g + o;
      sum ^= (int) t[r];
  }";

fn secret() -> String {
    let mut s = String::new();
    s.push_str("package plant;\n\n/** Furnace control. */\nclass Furnace {\n");
    s.push_str("    int height = 12;\n    String name = \"f\";\n    void start() { ignite(); }\n");
    s.push_str("    void run(double gain, double offset) {\n");
    s.push_str("        String[] labels = new String[3];\n");
    s.push_str(BLOCK_SECRET);
    s.push_str("\n        log.info(\"done\");\n    }\n}\n");
    s
}

fn suspect() -> String {
    let mut s = String::new();
    s.push_str("import java.util.List;\nclass Copy {\n");
    s.push_str("  boolean go(List<String> xs) { return xs.isEmpty(); }\n");
    s.push_str(BLOCK_SUSPECT);
    s.push_str("\n  char c = 'x';\n}\n");
    s
}

#[test]
fn regions_map_back_to_the_copied_lines() {
    let a = Document::from_text("Furnace.java", Language::Java, secret()).unwrap();
    let b = Document::from_text("Copy.java", Language::Java, suspect()).unwrap();
    assert_eq!(&a.text.lines().nth(9).unwrap()[..7], "    for");
    let c = compare(&a, &b, None, &Options::default());
    let m = c
        .matches
        .iter()
        .max_by_key(|m| m.tokens)
        .expect("the copied block is found");
    assert_eq!((m.left.start.line, m.left.end.line), (10, 14), "{m:?}");
    assert_eq!((m.right.start.line, m.right.end.line), (4, 8), "{m:?}");
    // Columns are where the code starts and ends (characters, 1-based).
    assert_eq!(m.left.start.col, 5);
    assert_eq!(m.right.start.col, 3);
    assert_eq!(m.left.end.col, 5);
    assert_eq!(m.right.end.col, 3);
    // The byte range is the block itself.
    let text = &a.text[m.left.bytes[0] as usize..m.left.bytes[1] as usize];
    assert_eq!(text, BLOCK_SECRET.trim_start());
    assert_eq!(c.longest, m.tokens);
    assert!(c.right_containment > 0.5, "{}", c.right_containment);
}

#[test]
fn chinese_regions_count_columns_in_characters() {
    let secret = "第一章 总则\n本工艺的关键在于：先将原料在惰性气体保护下预热，再缓慢加入催化剂并持续搅拌。\n其他说明。";
    let suspect =
        "前言\n\n其中，先將原料在惰性氣體保護下預熱，再緩慢加入催化劑並持續攪拌，是改进之处。";
    let a = Document::from_text("a.txt", Language::Text, secret).unwrap();
    let b = Document::from_text("b.txt", Language::Text, suspect).unwrap();
    let c = compare(&a, &b, None, &Options::default());
    let m = &c.matches[0];
    assert_eq!(m.left.start.line, 2);
    assert_eq!(m.left.start.col, 10, "{m:?}"); // 先 is the 10th character of line 2
    assert_eq!(m.right.start.line, 3);
    assert_eq!(m.right.start.col, 4, "{m:?}");
    assert_eq!(m.tokens, 27, "{m:?}");
}

#[test]
fn base_material_is_ignored_on_both_sides() {
    let template = "// Licensed under the company template. Do not remove.\n\
        public class Template { public static void main(String[] args) { System.out.println(\"start\"); run(args); System.out.println(\"stop\"); } }\n";
    let a_text =
        format!("{template}class A {{ int f(int x) {{ int y = x * 3 + 7; return y % 11; }} }}\n");
    let b_text =
        format!("{template}class B {{ String g() {{ return name.trim().toUpperCase(); }} }}\n");
    let a = Document::from_text("A.java", Language::Java, a_text).unwrap();
    let b = Document::from_text("B.java", Language::Java, b_text).unwrap();
    let base = Document::from_text("Template.java", Language::Java, template).unwrap();
    let opts = Options::default();
    let without = compare(&a, &b, None, &opts);
    assert!(without.similarity > 0.5, "{}", without.similarity);
    let base = Base::new(&[base], &opts);
    let with = compare(&a, &b, Some(&base), &opts);
    assert!(with.similarity < 0.2, "{}", with.similarity);
    assert!(with.left_tokens < without.left_tokens);
}

#[test]
fn scan_finds_the_secret_by_its_fingerprints_and_refuses_the_wrong_key() {
    let key = EnterpriseKey::from_bytes([3; 32]);
    let secret_doc = Document::from_text("Furnace.java", Language::Java, secret()).unwrap();
    let fp = shoumi_similarity::fingerprint_file(&key, &[secret_doc], None, &[]);
    let bytes = fp.to_bytes();
    let parsed = shoumi_similarity::FingerprintFile::parse(&bytes).unwrap();
    let mut index = Index::new(&key);
    index.add("secret.fp", parsed.clone()).unwrap();
    let suspect = Document::from_text("Copy.java", Language::Java, suspect()).unwrap();
    let results = index.scan(&suspect, None);
    assert_eq!(results.len(), 1);
    let r = &results[0];
    assert_eq!(r.secret, "Furnace.java");
    assert!(
        r.left_containment > 0.2 && r.left_containment < 0.9,
        "{r:?}"
    );
    assert!(r.longest >= 20, "{r:?}");
    let m = r.matches.iter().max_by_key(|m| m.fingerprints).unwrap();
    assert!(
        m.suspect.start.line >= 4 && m.suspect.end.line <= 8,
        "{m:?}"
    );
    assert!(m.secret_lines[0] >= 10 && m.secret_lines[1] <= 14, "{m:?}");
    // An unrelated suspect finds nothing.
    let other = Document::from_text("x.py", Language::Python, "print('hello')\n").unwrap();
    assert!(index.scan(&other, None).is_empty());
    // The wrong key is a clear error.
    let mut wrong = Index::new(&EnterpriseKey::from_bytes([4; 32]));
    let e = wrong.add("secret.fp", parsed).unwrap_err();
    assert!(matches!(e, IndexError::WrongKey { .. }));
    assert!(e.to_string().contains("another key"), "{e}");
}

#[test]
fn html_and_json_reports_show_the_matches() {
    let a = Document::from_text("Furnace.java", Language::Java, secret()).unwrap();
    let b = Document::from_text("Copy.java", Language::Java, suspect()).unwrap();
    let c = compare(&a, &b, None, &Options::default());
    use shoumi_similarity::report::{ReportLang, html, json};
    let zh = html(&c, &a, &b, ReportLang::Zh);
    assert!(zh.contains("同一性比对报告"));
    assert!(zh.contains("id=\"L1\"") && zh.contains("href=\"#R1\""));
    assert!(zh.contains("id=\"R1\"") && zh.contains("href=\"#L1\""));
    assert!(!zh.contains("<script"));
    // Text is escaped.
    assert!(zh.contains("&lt;String&gt;") || zh.contains("&#60;String&#62;"));
    let en = html(&c, &a, &b, ReportLang::En);
    assert!(en.contains("Similarity appraisal report"));
    let j: serde_json::Value = serde_json::from_str(&json(&c)).unwrap();
    assert_eq!(j["left"], "Furnace.java");
    assert!(j["matches"][0]["left"]["start"]["line"].as_u64().unwrap() >= 1);
}
