//! Comparing two documents whose texts are at hand: shared runs by Greedy String Tiling, the
//! containment of each side in the other, the longest shared run, the matched regions, and
//! for prose the comparison of parameters.
//!
//! ## Measures
//! Let `T` be the number of tokens in shared runs of at least `min_run` tokens (tiles; each
//! token counted once), `|A|`, `|B|` the tokens of each side that are not base material.
//! - token containment of A in B: `T / |A|` (the share of A found in B), and of B: `T / |B|`;
//! - `similarity` = the larger containment = `T / min(|A|, |B|)` (the overlap coefficient,
//!   JPlag's "maximum similarity"); `dice` = `2T / (|A| + |B|)` is reported too. The overlap
//!   coefficient ranks copies above independent work better than Dice on IR-Plag at every
//!   disguise level (docs/SIMILARITY.md), because a copy that adds or deletes code changes the
//!   size of one side only.
//!
//! ## Parameters (prose)
//! In a recipe the secret is the set of parameters. For a text document with at least
//! [`MIN_PARAMS`] parameters, its containment blends token containment `c_tok` with parameter
//! containment `c_par` (the share of its parameters — value and unit — found among the other
//! side's, as a multiset):
//!
//! `containment = (1 − λ)·c_tok + λ·c_par`, `λ = 0.8 · min(1, ρ / 0.05)`
//!
//! where `ρ` is the document's parameter density (parameters per token). A recipe or parameter
//! table (ρ ≥ 5 %, one parameter per 20 tokens or more) gets `λ = 0.8`: reworded with the same
//! parameters it still scores ≥ 0.8; the same template with other parameters scores ≤ 0.2 plus
//! what few parameters it shares. Prose with few numbers (ρ → 0) is compared by its wording.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::document::Document;
use crate::tiling::{self, Tile};
use crate::token::{LineIndex, Pos};

/// Text documents need at least this many parameters for parameters to count.
pub const MIN_PARAMS: usize = 3;
/// The largest weight parameters get.
pub const MAX_PARAM_WEIGHT: f64 = 0.8;
/// The parameter density at which parameters get the largest weight.
pub const FULL_WEIGHT_DENSITY: f64 = 0.05;

/// Comparison settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Options {
    /// Shortest shared run counted, in tokens, for program source (5: best on IR-Plag).
    pub min_run_code: usize,
    /// Shortest shared run for prose, in tokens (a Han character or an English word is one).
    pub min_run_text: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            min_run_code: 5,
            min_run_text: 8,
        }
    }
}

impl Options {
    /// The shortest run for a pair: code when either side is code.
    pub fn min_run(&self, a: &Document, b: &Document) -> usize {
        if a.language.is_code() || b.language.is_code() {
            self.min_run_code
        } else {
            self.min_run_text
        }
    }
}

/// Base (template) material: runs of tokens that everybody shares and that are ignored on both
/// sides of every comparison.
#[derive(Debug, Clone, Default)]
pub struct Base {
    /// Hashes of every `m`-gram of the base documents, by `m`.
    grams: HashMap<usize, HashSet<u64>>,
    docs: Vec<Vec<u32>>,
}

impl Base {
    /// Base material from documents (their tokens; the texts are not kept), prepared for the
    /// run lengths of `opts`.
    pub fn new(docs: &[Document], opts: &Options) -> Base {
        let docs: Vec<Vec<u32>> = docs.iter().map(Document::symbols).collect();
        let mut grams = HashMap::new();
        for m in [opts.min_run_code, opts.min_run_text] {
            grams.insert(m, Base::grams_of(&docs, m));
        }
        Base { grams, docs }
    }

    fn grams_of(docs: &[Vec<u32>], m: usize) -> HashSet<u64> {
        docs.iter()
            .flat_map(|d| d.windows(m.max(1)).map(gram))
            .collect()
    }

    /// Whether there is any base material.
    pub fn is_empty(&self) -> bool {
        self.docs.iter().all(Vec::is_empty)
    }

    /// Which tokens of `syms` are usable (not inside a base run of at least `m` tokens).
    pub fn usable(&self, syms: &[u32], m: usize) -> Vec<bool> {
        let mut usable = vec![true; syms.len()];
        if self.is_empty() || m == 0 || syms.len() < m {
            return usable;
        }
        let computed;
        let grams = match self.grams.get(&m) {
            Some(g) => g,
            None => {
                computed = Base::grams_of(&self.docs, m);
                &computed
            }
        };
        for (i, g) in syms.windows(m).enumerate() {
            if grams.contains(&gram(g)) {
                usable[i..i + m].iter_mut().for_each(|u| *u = false);
            }
        }
        usable
    }
}

fn gram(s: &[u32]) -> u64 {
    let mut h: u64 = 0x243f_6a88_85a3_08d3;
    for &x in s {
        h = (h ^ u64::from(x)).wrapping_mul(0x0000_0100_0000_01b3);
        h ^= h >> 31;
    }
    h
}

/// A region of one document: a token range and the text positions it spans.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Region {
    /// First token (index) and one past the last.
    pub tokens: [u32; 2],
    /// Byte offsets in the text.
    pub bytes: [u32; 2],
    /// First character.
    pub start: Pos,
    /// Last character.
    pub end: Pos,
}

/// A shared run: the same normalised tokens in both documents.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Match {
    pub left: Region,
    pub right: Region,
    /// Length in tokens.
    pub tokens: u32,
}

/// How the parameters of two prose documents compare.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParamStats {
    /// Parameters (numbers with units, …) on each side, not counting base material.
    pub left: usize,
    pub right: usize,
    /// Parameters found on both sides (multiset intersection of value and unit).
    pub shared: usize,
    /// The weight λ the parameters got on each side.
    pub left_weight: f64,
    pub right_weight: f64,
}

/// The comparison of two documents.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    pub left: String,
    pub right: String,
    /// The larger of the two containments (overlap coefficient).
    pub similarity: f64,
    /// Share of the left document found in the right one.
    pub left_containment: f64,
    /// Share of the right document found in the left one.
    pub right_containment: f64,
    /// `2T / (|A| + |B|)` over tokens.
    pub dice: f64,
    /// Longest shared run, in tokens.
    pub longest: u32,
    /// Tokens of each side compared (base material excluded).
    pub left_tokens: usize,
    pub right_tokens: usize,
    /// Tokens in shared runs.
    pub shared_tokens: usize,
    /// The shortest run counted.
    pub min_run: usize,
    /// For prose with parameters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<ParamStats>,
    /// The shared runs, in order of the left document.
    pub matches: Vec<Match>,
}

/// The tiles (shared runs) of two documents, base material excluded, and the usable counts.
pub fn shared_runs(
    a: &Document,
    b: &Document,
    base: Option<&Base>,
    min_run: usize,
) -> (Vec<Tile>, Vec<bool>, Vec<bool>) {
    let sa = a.symbols();
    let sb = b.symbols();
    let (ua, ub) = match base {
        Some(base) if !base.is_empty() => (base.usable(&sa, min_run), base.usable(&sb, min_run)),
        _ => (vec![true; sa.len()], vec![true; sb.len()]),
    };
    let all_a = ua.iter().all(|&u| u);
    let all_b = ub.iter().all(|&u| u);
    let mask_a = (!all_a).then_some(&ua[..]);
    let mask_b = (!all_b).then_some(&ub[..]);
    // Tiling breaks ties between equally long runs by their place in its first sequence, so
    // the total could change by a tile when the two files trade places. Tiling in a canonical
    // order (the lesser symbol sequence first) keeps the similarity symmetric.
    let t = if sa <= sb {
        tiling::tiles(&sa, &sb, mask_a, mask_b, min_run)
    } else {
        let mut t: Vec<Tile> = tiling::tiles(&sb, &sa, mask_b, mask_a, min_run)
            .into_iter()
            .map(|t| Tile {
                a: t.b,
                b: t.a,
                len: t.len,
            })
            .collect();
        t.sort_unstable_by_key(|t| (t.a, t.b));
        t
    };
    (t, ua, ub)
}

fn param_weight(params: usize, tokens: usize) -> f64 {
    if params < MIN_PARAMS || tokens == 0 {
        return 0.0;
    }
    let density = params as f64 / tokens as f64;
    MAX_PARAM_WEIGHT * (density / FULL_WEIGHT_DENSITY).min(1.0)
}

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 { 0.0 } else { n as f64 / d as f64 }
}

/// Compares two documents. `base` (when given) is ignored on both sides.
pub fn compare(a: &Document, b: &Document, base: Option<&Base>, opts: &Options) -> Comparison {
    compare_inner(a, b, base, opts, true)
}

/// [`compare`] without building the regions (for bulk scoring).
pub fn score(a: &Document, b: &Document, base: Option<&Base>, opts: &Options) -> Comparison {
    compare_inner(a, b, base, opts, false)
}

fn compare_inner(
    a: &Document,
    b: &Document,
    base: Option<&Base>,
    opts: &Options,
    regions: bool,
) -> Comparison {
    let m = opts.min_run(a, b);
    let (tiles, ua, ub) = shared_runs(a, b, base, m);
    let na = ua.iter().filter(|&&u| u).count();
    let nb = ub.iter().filter(|&&u| u).count();
    let shared: usize = tiles.iter().map(|t| t.len as usize).sum();
    let mut left = ratio(shared, na);
    let mut right = ratio(shared, nb);
    let mut parameters = None;
    if !a.language.is_code() && !b.language.is_code() {
        let pa: Vec<u32> = a
            .params
            .iter()
            .filter(|&&i| ua[i as usize])
            .map(|&i| a.tokens[i as usize].sym)
            .collect();
        let pb: Vec<u32> = b
            .params
            .iter()
            .filter(|&&i| ub[i as usize])
            .map(|&i| b.tokens[i as usize].sym)
            .collect();
        let common = multiset_intersection(&pa, &pb);
        let wa = param_weight(pa.len(), na);
        let wb = param_weight(pb.len(), nb);
        if wa > 0.0 {
            left = (1.0 - wa) * left + wa * ratio(common, pa.len());
        }
        if wb > 0.0 {
            right = (1.0 - wb) * right + wb * ratio(common, pb.len());
        }
        if !pa.is_empty() || !pb.is_empty() {
            parameters = Some(ParamStats {
                left: pa.len(),
                right: pb.len(),
                shared: common,
                left_weight: wa,
                right_weight: wb,
            });
        }
    }
    let matches = if regions {
        let la = LineIndex::new(&a.text);
        let lb = LineIndex::new(&b.text);
        tiles
            .iter()
            .map(|t| Match {
                left: region(a, &la, t.a as usize, t.len as usize),
                right: region(b, &lb, t.b as usize, t.len as usize),
                tokens: t.len,
            })
            .collect()
    } else {
        Vec::new()
    };
    Comparison {
        left: a.name.clone(),
        right: b.name.clone(),
        similarity: left.max(right),
        left_containment: left,
        right_containment: right,
        dice: ratio(2 * shared, na + nb),
        longest: tiling::longest(&tiles),
        left_tokens: na,
        right_tokens: nb,
        shared_tokens: shared,
        min_run: m,
        parameters,
        matches,
    }
}

/// The region of tokens `from..from + len` of a document.
pub fn region(doc: &Document, lines: &LineIndex, from: usize, len: usize) -> Region {
    let to = from + len;
    let (start, end) = doc.span(lines, from, to);
    let (a, b) = doc.text_ends(from, to);
    Region {
        tokens: [from as u32, to as u32],
        bytes: [a.start, b.end],
        start,
        end,
    }
}

fn multiset_intersection(a: &[u32], b: &[u32]) -> usize {
    let mut counts: HashMap<u32, usize> = HashMap::with_capacity(a.len());
    for &x in a {
        *counts.entry(x).or_default() += 1;
    }
    let mut n = 0;
    for &y in b {
        if let Some(c) = counts.get_mut(&y)
            && *c > 0
        {
            *c -= 1;
            n += 1;
        }
    }
    n
}
