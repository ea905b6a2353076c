//! The measurements behind docs/SIMILARITY.md's choices, on IR-Plag: other measures and
//! parameters than the adopted ones, and the keyed scan over several keys. Not part of the
//! normal run (slow in debug builds and only informative):
//!
//! ```sh
//! cargo test -p shoumi-similarity --release --test irplag_explore -- --ignored --nocapture
//! ```

mod common;

use std::collections::HashMap;

use common::{LEVELS, Pair, aucs, load, scan_scores};
use shoumi_similarity::fingerprint::{Params, kgram_hashes, winnow};
use shoumi_similarity::key::Prf;
use shoumi_similarity::{EnterpriseKey, tiling};

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
            let scores = scan_scores(&docs, &pairs, &key, Some(Params { k, w }));
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
