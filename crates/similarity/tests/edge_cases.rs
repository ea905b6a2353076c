//! Inputs that once went wrong: repetitive material in a scan, base material in the suspect's
//! ratio, the order of the two files, and Python's zero-width tokens at a region's end.

use shoumi_similarity::compare::{Options, compare, score};
use shoumi_similarity::{Document, EnterpriseKey, Index, Language, fingerprint_file};

fn key() -> EnterpriseKey {
    EnterpriseKey::from_bytes([7; 32])
}

fn doc(name: &str, language: Language, text: &str) -> Document {
    Document::from_text(name, language, text.to_string()).expect("a document")
}

#[test]
fn scanning_a_repetitive_byte_array_stays_linear_and_finds_it_whole() {
    // A firmware-style array: one k-gram hash repeated thousands of times. Every posting of that
    // hash at every suspect position made the scan quadratic (30 s and 1.2 GB for 6,000 bytes).
    let text = format!(
        "static const unsigned char fw[] = {{{}}};\n",
        "0x00, ".repeat(6000)
    );
    let secret = doc("fw.c", Language::C, &text);
    let mut index = Index::new(&key());
    index
        .add(
            "fw.fp",
            fingerprint_file(&key(), std::slice::from_ref(&secret), None, &[]),
        )
        .unwrap();
    let started = std::time::Instant::now();
    let found = index.scan(&doc("copy.c", Language::C, &text), None);
    assert_eq!(found.len(), 1);
    assert!(
        (found[0].left_containment - 1.0).abs() < 1e-9,
        "{:?}",
        found[0].left_containment
    );
    assert!(found[0].right_containment <= 1.0);
    // Not a timing test: a generous bound that only the quadratic version could exceed.
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
}

#[test]
fn base_material_in_the_suspect_never_lifts_a_ratio_above_one() {
    let base = "本工艺采用高温高压反应釜进行合成，原料经过预处理后加入反应釜中搅拌均匀，然后升温保持一段时间再冷却出料包装入库检验合格\n";
    let secret = format!("{base}附加内容\n");
    let key = key();
    let mut index = Index::new(&key);
    let s = doc("sec.txt", Language::Text, &secret);
    index
        .add("sec.fp", fingerprint_file(&key, &[s], None, &[]))
        .unwrap();
    let b = index.base(&[doc("base.txt", Language::Text, base)]);
    for r in index.scan(&doc("sus.txt", Language::Text, &secret), Some(&b)) {
        for v in [r.left_containment, r.right_containment, r.similarity] {
            assert!((0.0..=1.0).contains(&v), "{v} in {r:?}");
        }
    }
}

#[test]
fn similarity_does_not_depend_on_which_file_is_left() {
    let a = doc(
        "a.c",
        Language::C,
        "else while while else else else else if else else if else if if if else else if while else else else while else while else while else else else else if while else else",
    );
    let b = doc(
        "b.c",
        Language::C,
        "if else if while else else while else while else if if else while if else while else else else while else if else else else else if if if if else while else if else else else else while",
    );
    let opts = Options::default();
    let ab = score(&a, &b, None, &opts);
    let ba = score(&b, &a, None, &opts);
    assert_eq!(ab.similarity, ba.similarity);
    assert_eq!(ab.left_containment, ba.right_containment);
    assert_eq!(ab.longest, ba.longest);
}

#[test]
fn python_regions_end_on_the_last_character_of_the_file_not_after_it() {
    let text = "def f(x):\n    y = x * 2\n    return y + 1\n";
    let a = doc("q1.py", Language::Python, text);
    let b = doc("q2.py", Language::Python, text);
    let c = compare(&a, &b, None, &Options::default());
    let last = c.matches.last().expect("a shared run");
    assert_eq!((last.left.end.line, last.left.end.col), (3, 16), "{last:?}");
    assert_eq!(last.left.bytes[1] as usize, text.len() - 1);
}
