//! Greedy String Tiling over normalised tokens (Wise 1993, as in JPlag and SIM): the longest
//! common runs of at least `min_run` tokens, taken longest first, each token used at most once
//! on each side. Used when both texts are at hand; it measures coverage exactly where
//! fingerprints only sample it, and it gives the matched regions.

use std::collections::{BinaryHeap, HashMap};

/// A run of `len` equal tokens at `a` in the left sequence and `b` in the right one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tile {
    pub a: u32,
    pub b: u32,
    pub len: u32,
}

/// The most positions a repeated `min_run`-gram is looked up at in the right sequence; beyond
/// it, further occurrences of that gram are not tried (protects against quadratic time on
/// highly repetitive input, e.g. generated tables).
const MAX_OCCURRENCES: usize = 256;

fn gram_hash(s: &[u32]) -> u64 {
    let mut h: u64 = 0x9e37_79b9_7f4a_7c15;
    for &x in s {
        h = (h ^ u64::from(x)).wrapping_mul(0x0000_0100_0000_01b3);
        h ^= h >> 29;
    }
    h
}

/// Tiles between `a` and `b`. `usable_a`/`usable_b` (when given) exclude tokens (base material)
/// from matching. Tiles come out sorted by position in `a`.
pub fn tiles(
    a: &[u32],
    b: &[u32],
    usable_a: Option<&[bool]>,
    usable_b: Option<&[bool]>,
    min_run: usize,
) -> Vec<Tile> {
    let m = min_run.max(1);
    if a.len() < m || b.len() < m {
        return Vec::new();
    }
    let ua = |i: usize| usable_a.is_none_or(|u| u[i]);
    let ub = |j: usize| usable_b.is_none_or(|u| u[j]);
    // Positions of every usable m-gram of b.
    let mut index: HashMap<u64, Vec<u32>> = HashMap::with_capacity(b.len());
    let mut run = 0usize;
    for j in 0..b.len() {
        run = if ub(j) { run + 1 } else { 0 };
        if run >= m {
            let s = j + 1 - m;
            let v = index.entry(gram_hash(&b[s..s + m])).or_default();
            if v.len() < MAX_OCCURRENCES {
                v.push(s as u32);
            }
        }
    }
    // Maximal matches (diagonal runs that cannot be extended to the left).
    let mut heap: BinaryHeap<(u32, std::cmp::Reverse<u32>, std::cmp::Reverse<u32>)> =
        BinaryHeap::new();
    let mut run = 0usize;
    for i in 0..a.len() {
        run = if ua(i) { run + 1 } else { 0 };
        if run < m {
            continue;
        }
        let s = i + 1 - m;
        let Some(occ) = index.get(&gram_hash(&a[s..s + m])) else {
            continue;
        };
        for &j in occ {
            let j = j as usize;
            if s > 0 && j > 0 && a[s - 1] == b[j - 1] && ua(s - 1) && ub(j - 1) {
                continue;
            }
            let mut l = 0;
            while s + l < a.len()
                && j + l < b.len()
                && a[s + l] == b[j + l]
                && ua(s + l)
                && ub(j + l)
            {
                l += 1;
            }
            if l >= m {
                heap.push((
                    l as u32,
                    std::cmp::Reverse(s as u32),
                    std::cmp::Reverse(j as u32),
                ));
            }
        }
    }
    // Longest first; a candidate overlapping taken tiles is cut to its free parts.
    let mut used_a = vec![false; a.len()];
    let mut used_b = vec![false; b.len()];
    let mut out = Vec::new();
    while let Some((l, std::cmp::Reverse(s), std::cmp::Reverse(j))) = heap.pop() {
        let (s, j, l) = (s as usize, j as usize, l as usize);
        if (0..l).all(|t| !used_a[s + t] && !used_b[j + t]) {
            for t in 0..l {
                used_a[s + t] = true;
                used_b[j + t] = true;
            }
            out.push(Tile {
                a: s as u32,
                b: j as u32,
                len: l as u32,
            });
            continue;
        }
        let mut t = 0;
        while t < l {
            while t < l && (used_a[s + t] || used_b[j + t]) {
                t += 1;
            }
            let start = t;
            while t < l && !used_a[s + t] && !used_b[j + t] {
                t += 1;
            }
            if t - start >= m {
                heap.push((
                    (t - start) as u32,
                    std::cmp::Reverse((s + start) as u32),
                    std::cmp::Reverse((j + start) as u32),
                ));
            }
        }
    }
    out.sort_unstable_by_key(|t| (t.a, t.b));
    out
}

/// The length of the longest common run of usable tokens (0 when none reaches `min_run`).
pub fn longest(tiles: &[Tile]) -> u32 {
    tiles.iter().map(|t| t.len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_reordered_blocks() {
        let a: Vec<u32> = (0..30).collect();
        let mut b: Vec<u32> = (15..30).collect();
        b.extend(100..105);
        b.extend(0..15);
        let t = tiles(&a, &b, None, None, 5);
        let covered: u32 = t.iter().map(|t| t.len).sum();
        assert_eq!(covered, 30);
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn each_token_is_used_once() {
        let a = vec![1, 2, 3, 4, 5, 6];
        let b = vec![1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6];
        let t = tiles(&a, &b, None, None, 3);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].len, 6);
    }
}
