//! The measurements behind docs/SIMILARITY.md's choices, on IR-Plag: other measures and
//! parameters than the adopted ones, and the keyed scan over several keys. Not part of the
//! normal run (slow in debug builds and only informative):
//!
//! ```sh
//! cargo test -p shoumi-similarity --release --test irplag_explore -- --ignored --nocapture
//! ```

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use shoumi_similarity::eval::{best_f1, roc_auc};
use shoumi_similarity::fingerprint::{Params, kgram_hashes, winnow};
use shoumi_similarity::key::Prf;
use shoumi_similarity::{Document, EnterpriseKey, Index, Language, tiling};

const ZIP: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/testdata/ir-plag/IR-Plag-Dataset.zip"
);
const LEVELS: [&str; 7] = ["all", "L1", "L2", "L3", "L4", "L5", "L6"];

struct Pair {
    level: String,
    original: String,
    suspect: String,
}

fn load() -> (BTreeMap<String, Document>, Vec<Pair>) {
    let mut z = zip::ZipArchive::new(std::fs::File::open(ZIP).unwrap()).unwrap();
    let mut docs = BTreeMap::new();
    for i in 0..z.len() {
        let mut e = z.by_index(i).unwrap();
        if !e.name().ends_with(".java") {
            continue;
        }
        let name = e.name().to_string();
        let mut text = String::new();
        e.read_to_string(&mut text).unwrap();
        docs.insert(
            name.clone(),
            Document::from_text(name, Language::Java, text).unwrap(),
        );
    }
    let mut pairs = Vec::new();
    for name in docs.keys() {
        let parts: Vec<&str> = name.split('/').collect();
        if parts[2] == "original" {
            continue;
        }
        let prefix = format!("IR-Plag-Dataset/{}/original/", parts[1]);
        let original = docs
            .keys()
            .find(|k| k.starts_with(&prefix))
            .unwrap()
            .clone();
        let level = if parts[2] == "plagiarized" {
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

fn aucs(pairs: &[Pair], scores: &[f64]) -> ([f64; 7], f64) {
    let pick = |f: &dyn Fn(&Pair) -> bool| -> Vec<f64> {
        pairs
            .iter()
            .zip(scores)
            .filter(|(p, _)| f(p))
            .map(|(_, &s)| s)
            .collect()
    };
    let neg = pick(&|p| p.level == "negative");
    let mut out = [0.0; 7];
    for (i, l) in LEVELS.iter().enumerate() {
        let pos = if *l == "all" {
            pick(&|p| p.level != "negative")
        } else {
            pick(&|p| p.level == *l)
        };
        out[i] = roc_auc(&pos, &neg).unwrap();
    }
    let f1 = best_f1(&pick(&|p| p.level != "negative"), &neg);
    (out, f1)
}

fn row(name: &str, pairs: &[Pair], scores: &[f64]) {
    let (a, f1) = aucs(pairs, scores);
    let cells: Vec<String> = a.iter().map(|x| format!("{x:.3}")).collect();
    println!("| {name} | {} | F1 {f1:.3} |", cells.join(" | "));
}

fn multiset(h: &[u64]) -> HashMap<u64, usize> {
    let mut m = HashMap::new();
    for &x in h {
        *m.entry(x).or_insert(0) += 1;
    }
    m
}

#[test]
#[ignore]
fn measures_and_parameters() {
    let (docs, pairs) = load();
    let syms: HashMap<&str, Vec<u32>> = docs
        .iter()
        .map(|(n, d)| (n.as_str(), d.symbols()))
        .collect();
    println!("| measure | {} | |", LEVELS.join(" | "));
    for m in [3, 4, 5, 6, 8, 10, 12] {
        let (mut dice, mut left, mut overlap) = (vec![], vec![], vec![]);
        for p in &pairs {
            let (a, b) = (&syms[p.original.as_str()], &syms[p.suspect.as_str()]);
            let t: u32 = tiling::tiles(a, b, None, None, m)
                .iter()
                .map(|t| t.len)
                .sum();
            let (ca, cb) = (f64::from(t) / a.len() as f64, f64::from(t) / b.len() as f64);
            dice.push(2.0 * f64::from(t) / (a.len() + b.len()) as f64);
            left.push(ca);
            overlap.push(ca.max(cb));
        }
        row(&format!("GST m={m} Dice"), &pairs, &dice);
        row(&format!("GST m={m} left containment"), &pairs, &left);
        row(&format!("GST m={m} overlap"), &pairs, &overlap);
    }
    let prf = Prf::unkeyed();
    for k in [1, 2, 3, 4, 5, 6, 8] {
        let (mut dice, mut overlap) = (vec![], vec![]);
        for p in &pairs {
            let ha = kgram_hashes(&prf, &syms[p.original.as_str()], k);
            let hb = kgram_hashes(&prf, &syms[p.suspect.as_str()], k);
            let (ma, mb) = (multiset(&ha), multiset(&hb));
            let inter: usize = ma
                .iter()
                .map(|(h, c)| (*c).min(*mb.get(h).unwrap_or(&0)))
                .sum();
            let i = inter as f64;
            dice.push(2.0 * i / (ha.len() + hb.len()).max(1) as f64);
            overlap.push(i / ha.len().min(hb.len()).max(1) as f64);
        }
        row(&format!("k-gram multiset k={k} Dice"), &pairs, &dice);
        row(&format!("k-gram multiset k={k} overlap"), &pairs, &overlap);
    }
    for (k, w) in [(5, 4), (8, 4), (10, 6), (12, 8)] {
        let (mut jac, mut cont) = (vec![], vec![]);
        for p in &pairs {
            let set = |s: &[u32]| -> std::collections::HashSet<u64> {
                winnow(&kgram_hashes(&prf, s, k), w)
                    .iter()
                    .map(|f| f.hash)
                    .collect()
            };
            let (fa, fb) = (
                set(&syms[p.original.as_str()]),
                set(&syms[p.suspect.as_str()]),
            );
            let i = fa.intersection(&fb).count() as f64;
            jac.push(i / ((fa.len() + fb.len()) as f64 - i).max(1.0));
            cont.push(i / fa.len().max(1) as f64);
        }
        row(&format!("winnowing k={k} w={w} Jaccard"), &pairs, &jac);
        row(&format!("winnowing k={k} w={w} containment"), &pairs, &cont);
    }
}

#[test]
#[ignore]
fn keyed_scan_over_keys() {
    let (docs, pairs) = load();
    println!(
        "| k, w | {} (mean / min over 12 keys) |",
        LEVELS.join(" | ")
    );
    for (k, w) in [(5u16, 1u16), (6, 1), (5, 2), (6, 2), (6, 3), (6, 4), (8, 4)] {
        let mut sum = [0.0; 7];
        let mut min = [1.0f64; 7];
        for n in 0..12u8 {
            let key = EnterpriseKey::from_bytes([n * 17 + 1; 32]);
            let mut indexes: HashMap<&str, Index> = HashMap::new();
            let scores: Vec<f64> = pairs
                .iter()
                .map(|p| {
                    let index = indexes.entry(p.original.as_str()).or_insert_with(|| {
                        let fp = shoumi_similarity::fingerprint_file(
                            &key,
                            std::slice::from_ref(&docs[&p.original]),
                            Some(Params { k, w }),
                            &[],
                        );
                        let mut i = Index::new(&key);
                        i.add("original.fp", fp).unwrap();
                        i
                    });
                    index
                        .scan(&docs[&p.suspect], None)
                        .first()
                        .map_or(0.0, |r| r.left_containment)
                })
                .collect();
            let (a, _) = aucs(&pairs, &scores);
            for i in 0..7 {
                sum[i] += a[i];
                min[i] = min[i].min(a[i]);
            }
        }
        let cells: Vec<String> = (0..7)
            .map(|i| format!("{:.3} / {:.3}", sum[i] / 12.0, min[i]))
            .collect();
        println!("| {k}, {w} | {} |", cells.join(" | "));
    }
}
