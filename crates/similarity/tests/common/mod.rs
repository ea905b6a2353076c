//! IR-Plag as the tests read it: the protocol of `testdata/ir-plag/README.md` (each case's
//! original against every plagiarized and non-plagiarized file of its case), AUC per level, and
//! the keyed scan's scores.

use std::collections::BTreeMap;
use std::io::Read;

use shoumi_similarity::eval::{best_f1, roc_auc};
use shoumi_similarity::fingerprint::Params;
use shoumi_similarity::{Document, EnterpriseKey, Index, Language};

const ZIP: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/testdata/ir-plag/IR-Plag-Dataset.zip"
);

/// The levels reported: all positives, then each disguise level, each against all negatives.
pub const LEVELS: [&str; 7] = ["all", "L1", "L2", "L3", "L4", "L5", "L6"];

pub struct Pair {
    /// `L1` … `L6`, or `negative`.
    pub level: String,
    pub original: String,
    pub suspect: String,
}

/// Every Java file of the dataset (read through the extractors, as the CLI reads files) and the
/// 460 labelled pairs.
pub fn load() -> (BTreeMap<String, Document>, Vec<Pair>) {
    let f = std::fs::File::open(ZIP).expect("the IR-Plag zip is in testdata");
    let mut z = zip::ZipArchive::new(f).expect("a zip archive");
    let mut docs = BTreeMap::new();
    for i in 0..z.len() {
        let mut e = z.by_index(i).unwrap();
        if !e.name().ends_with(".java") {
            continue;
        }
        let name = e.name().to_string();
        let mut bytes = Vec::new();
        e.read_to_end(&mut bytes).unwrap();
        let text = shoumi_similarity::source::text_of_bytes(&name, &bytes).unwrap();
        let doc = Document::from_text(name.clone(), Language::Java, text).unwrap();
        docs.insert(name, doc);
    }
    let mut pairs = Vec::new();
    for name in docs.keys() {
        let parts: Vec<&str> = name.split('/').collect();
        let (case, kind) = (parts[1], parts[2]);
        if kind == "original" {
            continue;
        }
        let prefix = format!("IR-Plag-Dataset/{case}/original/");
        let original = docs
            .keys()
            .find(|k| k.starts_with(&prefix))
            .expect("each case has an original")
            .clone();
        let level = if kind == "plagiarized" {
            parts[3].to_string()
        } else {
            "negative".to_string()
        };
        pairs.push(Pair {
            level,
            original,
            suspect: name.clone(),
        });
    }
    (docs, pairs)
}

/// ROC AUC for each of [`LEVELS`] and the best F1, of `scores` (one per pair, higher = copy).
pub fn aucs(pairs: &[Pair], scores: &[f64]) -> ([f64; 7], f64) {
    let pick = |f: &dyn Fn(&Pair) -> bool| -> Vec<f64> {
        pairs
            .iter()
            .zip(scores)
            .filter(|(p, _)| f(p))
            .map(|(_, &s)| s)
            .collect()
    };
    let negatives = pick(&|p| p.level == "negative");
    let positives = pick(&|p| p.level != "negative");
    assert_eq!((positives.len(), negatives.len()), (355, 105));
    let mut out = [0.0; 7];
    for (i, level) in LEVELS.iter().enumerate() {
        let pos = if *level == "all" {
            positives.clone()
        } else {
            pick(&|p| p.level == *level)
        };
        out[i] = roc_auc(&pos, &negatives).unwrap();
    }
    (out, best_f1(&positives, &negatives))
}

/// The keyed scan's score per pair: each original known only by its fingerprints under `key`
/// (`params`, or the language's defaults), the share of it found in the suspect.
pub fn scan_scores(
    docs: &BTreeMap<String, Document>,
    pairs: &[Pair],
    key: &EnterpriseKey,
    params: Option<Params>,
) -> Vec<f64> {
    let mut indexes: BTreeMap<&str, Index> = BTreeMap::new();
    pairs
        .iter()
        .map(|p| {
            let index = indexes.entry(p.original.as_str()).or_insert_with(|| {
                let fp = shoumi_similarity::fingerprint_file(
                    key,
                    std::slice::from_ref(&docs[&p.original]),
                    params,
                    &[],
                );
                let mut index = Index::new(key);
                index.add("original.fp", fp).unwrap();
                index
            });
            index
                .scan(&docs[&p.suspect], None)
                .first()
                .map_or(0.0, |r| r.left_containment)
        })
        .collect()
}
