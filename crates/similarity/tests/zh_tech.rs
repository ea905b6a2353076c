//! Regression on the labelled Chinese technical-document set (`testdata/zh-tech`, its README
//! gives the levels and label rules): each original against its disguised copies (positive) and
//! against same-template-other-numbers and same-field documents (negative). ROC AUC of
//! `similarity` overall, per positive level (against all negatives) and per negative level
//! (all positives against it), and of a keyed scan's `left_containment` overall.
//!
//! The floors are the figures measured when the set first landed, less 0.01 (the set is young
//! and may still be regenerated).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use shoumi_similarity::compare::{Options, score};
use shoumi_similarity::eval::roc_auc;
use shoumi_similarity::{Document, EnterpriseKey, Index};

const MARGIN: f64 = 0.01;
/// (level, AUC measured).
const FLOORS: [(&str, f64); 10] = [
    ("all", 0.996),
    ("combined", 1.0),
    ("excerpt", 0.975),
    ("format", 1.0),
    ("noise", 1.0),
    ("reorder", 1.0),
    ("reword_same_params", 1.0),
    ("synonym", 1.0),
    ("changed_numbers", 0.994),
    ("same_field", 0.999),
];
const SCAN_FLOOR: f64 = 0.999;

struct Row {
    original: String,
    suspect: String,
    positive: bool,
    level: String,
}

fn set_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/zh-tech")
}

fn rows() -> Option<Vec<Row>> {
    let labels = std::fs::read_to_string(set_dir().join("labels.tsv")).ok()?;
    Some(
        labels
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                Row {
                    original: f[0].to_string(),
                    suspect: f[1].to_string(),
                    positive: f[2] == "1",
                    level: f[3].to_string(),
                }
            })
            .collect(),
    )
}

#[test]
fn zh_tech_auc_does_not_regress() {
    let Some(rows) = rows() else {
        panic!("testdata/zh-tech/labels.tsv is missing");
    };
    let mut docs: HashMap<String, Document> = HashMap::new();
    for r in &rows {
        for p in [&r.original, &r.suspect] {
            if !docs.contains_key(p) {
                let d = Document::from_path(&set_dir().join(p)).unwrap();
                docs.insert(p.clone(), d);
            }
        }
    }
    let opts = Options::default();
    let scores: Vec<f64> = rows
        .iter()
        .map(|r| score(&docs[&r.original], &docs[&r.suspect], None, &opts).similarity)
        .collect();
    let mut by_level: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let (mut pos, mut neg) = (Vec::new(), Vec::new());
    for (r, &s) in rows.iter().zip(&scores) {
        by_level.entry(r.level.as_str()).or_default().push(s);
        if r.positive { &mut pos } else { &mut neg }.push(s);
    }
    let negative_levels: Vec<&str> = rows
        .iter()
        .filter(|r| !r.positive)
        .map(|r| r.level.as_str())
        .collect();
    let mut failures = Vec::new();
    for (level, floor) in FLOORS {
        let auc = if level == "all" {
            roc_auc(&pos, &neg)
        } else if negative_levels.contains(&level) {
            roc_auc(&pos, &by_level[level])
        } else {
            by_level.get(level).and_then(|p| roc_auc(p, &neg))
        };
        let Some(auc) = auc else {
            failures.push(format!("{level}: no pairs"));
            continue;
        };
        println!("zh-tech AUC {level:<19} {auc:.3} (floor {floor:.3})");
        if auc < floor - MARGIN {
            failures.push(format!("{level}: {auc:.3}"));
        }
    }

    // The same pairs with the originals known only by their keyed fingerprints.
    let key = EnterpriseKey::from_bytes([21; 32]);
    let mut originals: Vec<&String> = rows.iter().map(|r| &r.original).collect();
    originals.sort();
    originals.dedup();
    let secret_docs: Vec<Document> = originals.iter().map(|o| docs[*o].clone()).collect();
    let mut index = Index::new(&key);
    index
        .add(
            "originals.fp",
            shoumi_similarity::fingerprint_file(&key, &secret_docs, None, &[]),
        )
        .unwrap();
    let (mut spos, mut sneg) = (Vec::new(), Vec::new());
    for r in &rows {
        let found = index
            .scan(&docs[&r.suspect], None)
            .into_iter()
            .find(|h| h.secret == docs[&r.original].name)
            .map_or(0.0, |h| h.left_containment);
        if r.positive { &mut spos } else { &mut sneg }.push(found);
    }
    let auc = roc_auc(&spos, &sneg).unwrap();
    println!("zh-tech keyed scan AUC all {auc:.3} (floor {SCAN_FLOOR:.3})");
    if auc < SCAN_FLOOR - MARGIN {
        failures.push(format!("keyed scan: {auc:.3}"));
    }
    assert!(failures.is_empty(), "AUC regressed: {failures:?}");
}
