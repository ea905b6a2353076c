//! Keyed k-gram hashes and winnowing (Schleimer, Wilkerson and Aiken, SIGMOD 2003).
//!
//! Every k consecutive normalised tokens are hashed with the keyed PRF; in every window of `w`
//! consecutive k-gram hashes the minimum is selected (the rightmost one on ties, "robust
//! winnowing"), and each selected hash is kept once with the position of its k-gram. The
//! guarantee: two documents sharing a run of at least `w + k - 1` tokens share at least one
//! fingerprint (the window of `w` k-grams inside the run selects the same minimum in both);
//! no match shorter than `k` tokens is ever reported. The expected density is `2 / (w + 1)`
//! fingerprints per token.

use serde::{Deserialize, Serialize};

use crate::document::Document;
use crate::key::Prf;

/// A selected k-gram hash and where its k-gram starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// The keyed hash of the k-gram.
    pub hash: u64,
    /// The index of the k-gram's first token.
    pub pos: u32,
    /// The line of the k-gram's first token (0 when unknown).
    pub line: u32,
}

/// The keyed hash of every k-gram of `syms` (`syms.len() - k + 1` of them; none if shorter).
pub fn kgram_hashes(prf: &Prf, syms: &[u32], k: usize) -> Vec<u64> {
    if k == 0 || syms.len() < k {
        return Vec::new();
    }
    syms.windows(k).map(|g| prf.hash_syms(g)).collect()
}

/// Winnowing with window `w` over k-gram hashes: the rightmost minimum of every window, each
/// selected position once, in position order. With fewer than `w` hashes the minimum of all
/// of them is taken (a short document still gets a fingerprint).
pub fn winnow(hashes: &[u64], w: usize) -> Vec<Fingerprint> {
    let w = w.max(1);
    let mut out: Vec<Fingerprint> = Vec::with_capacity(hashes.len() * 2 / (w + 1) + 1);
    if hashes.is_empty() {
        return out;
    }
    let windows = hashes.len().saturating_sub(w) + 1;
    let width = w.min(hashes.len());
    let mut min_pos = usize::MAX;
    for start in 0..windows {
        let end = start + width;
        if min_pos == usize::MAX || min_pos < start {
            // The previous minimum left the window: scan the whole window.
            let mut m = start;
            for i in start..end {
                if hashes[i] <= hashes[m] {
                    m = i;
                }
            }
            min_pos = m;
        } else if hashes[end - 1] <= hashes[min_pos] {
            min_pos = end - 1;
        }
        if out.last().is_none_or(|f| f.pos as usize != min_pos) {
            out.push(Fingerprint {
                hash: hashes[min_pos],
                pos: min_pos as u32,
                line: 0,
            });
        }
    }
    out
}

/// Fingerprinting parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
    /// Tokens per k-gram.
    pub k: u16,
    /// Winnowing window (k-grams).
    pub w: u16,
}

impl Params {
    /// The guarantee threshold: shared runs of at least this many tokens are always found.
    pub fn guarantee(self) -> usize {
        usize::from(self.w) + usize::from(self.k) - 1
    }
}

impl Params {
    /// The defaults by kind of document: program source k = 6, w = 3 (the best of those measured
    /// for keyed scans on IR-Plag, docs/SIMILARITY.md); prose k = 8, w = 4 (a Han character is
    /// a token, and six characters are too often shared by unrelated technical texts).
    pub fn for_language(language: crate::lang::Language) -> Params {
        if language.is_code() {
            Params { k: 6, w: 3 }
        } else {
            Params { k: 8, w: 4 }
        }
    }
}

/// The winnowed fingerprints of a document (with lines), less those whose hash is in `base`,
/// and the keyed hashes of its parameters (sorted).
pub fn fingerprint_document(
    prf: &Prf,
    doc: &Document,
    p: Params,
    base: Option<&std::collections::HashSet<u64>>,
) -> (Vec<Fingerprint>, Vec<u64>) {
    let syms = doc.symbols();
    let hashes = kgram_hashes(prf, &syms, usize::from(p.k));
    let mut fps = winnow(&hashes, usize::from(p.w));
    if let Some(base) = base {
        fps.retain(|f| !base.contains(&f.hash));
    }
    for f in &mut fps {
        f.line = doc.tokens[f.pos as usize].line;
    }
    let mut params: Vec<u64> = doc
        .params
        .iter()
        .map(|&i| prf.hash_param(doc.tokens[i as usize].sym))
        .collect();
    params.sort_unstable();
    (fps, params)
}

/// Every keyed k-gram hash of some documents (base material for keyed comparisons).
pub fn kgram_set(prf: &Prf, docs: &[Document], k: usize) -> std::collections::HashSet<u64> {
    docs.iter()
        .flat_map(|d| kgram_hashes(prf, &d.symbols(), k))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn winnow_selects_rightmost_minimum_once_per_change() {
        let h = [
            77, 74, 42, 17, 98, 50, 17, 98, 8, 88, 67, 39, 77, 74, 42, 17, 98,
        ];
        // The example of Schleimer et al., w = 4: 17 17 8 39 17.
        let f = winnow(&h, 4);
        let hashes: Vec<u64> = f.iter().map(|f| f.hash).collect();
        assert_eq!(hashes, vec![17, 17, 8, 39, 17]);
        let pos: Vec<u32> = f.iter().map(|f| f.pos).collect();
        assert_eq!(pos, vec![3, 6, 8, 11, 15]);
    }

    #[test]
    fn short_inputs_still_get_a_fingerprint() {
        assert_eq!(winnow(&[5, 3, 9], 8).len(), 1);
        assert!(winnow(&[], 8).is_empty());
    }
}
