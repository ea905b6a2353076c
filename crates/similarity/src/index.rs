//! An inverted index over stored fingerprints: one suspect against many secrets, and many
//! suspects against many secrets, without the secrets' texts.
//!
//! The secrets are known only by their winnowed keyed fingerprints (a fingerprint file). A
//! suspect, whose text is at hand, is tokenised and **every** one of its k-grams is hashed
//! with the same key, so a secret fingerprint is found whenever its k-gram occurs anywhere in
//! the suspect. Per secret:
//! - `left_containment` (the share of the secret found in the suspect): matched fingerprints
//!   over the secret's fingerprints (base material excluded) — winnowing samples the secret's
//!   k-grams, so this estimates the share of its k-grams present in the suspect;
//! - `right_containment`: the share of the suspect's tokens inside a matched k-gram;
//! - `similarity`: the larger of the two;
//! - `longest`: the longest chain of matched fingerprints on one diagonal (the same offset
//!   between secret and suspect positions, gaps of at most `w + k` tokens), in tokens — a
//!   lower bound of the longest shared run;
//! - the matched regions: exact lines and columns on the suspect's side, the secret's token
//!   range and lines (as stored) on the other.
//!
//! For prose, parameters (keyed hashes of value and unit) are compared as in
//! [`crate::compare`] with the same blending rule.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::compare::{MAX_PARAM_WEIGHT, MIN_PARAMS, ParamStats, Region, region};
use crate::document::{Document, NORMALISER_VERSION};
use crate::fingerprint::{Params, kgram_hashes};
use crate::format::{DocPrint, FingerprintFile};
use crate::key::{EnterpriseKey, KeyId, Prf};
use crate::token::LineIndex;

/// Why fingerprints cannot be used together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndexError {
    #[error(
        "{file} was made with another key (key id {found}; the key given has id {expected}): use the enterprise's own key file"
    )]
    WrongKey {
        file: String,
        found: String,
        expected: String,
    },
    #[error(
        "{file} was made by another version of the tokenisers (normaliser {found}, this shoumi has {NORMALISER_VERSION}): fingerprint the secret again"
    )]
    Normaliser { file: String, found: u16 },
}

/// One secret document in the index.
#[derive(Debug, Clone)]
struct Entry {
    print: DocPrint,
    /// The fingerprint file it came from.
    file: String,
}

/// An inverted index: keyed hash → (secret document, fingerprint) pairs.
#[derive(Debug, Clone)]
pub struct Index {
    prf: Prf,
    key_id: KeyId,
    /// The k-gram lengths of the documents in the index.
    ks: std::collections::BTreeSet<u16>,
    entries: Vec<Entry>,
    /// Keyed hash → (secret, fingerprint index), at most `MAX_POSTINGS_PER_DOC` per secret.
    map: HashMap<u64, Vec<(u32, u32)>>,
}

/// A shared region found by a scan.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScanMatch {
    /// The secret's token range (first, one past last) and the lines its fingerprints were on.
    pub secret_tokens: [u32; 2],
    pub secret_lines: [u32; 2],
    /// The region in the suspect.
    pub suspect: Region,
    /// Fingerprints matched in this region.
    pub fingerprints: u32,
}

/// A secret found (partly) in a suspect.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScanResult {
    /// The secret document (its name as fingerprinted) and the fingerprint file.
    pub secret: String,
    pub fingerprint_file: String,
    pub suspect: String,
    pub similarity: f64,
    /// Share of the secret found in the suspect.
    pub left_containment: f64,
    /// Share of the suspect covered by the secret.
    pub right_containment: f64,
    /// Longest chain of matched fingerprints, in tokens (a lower bound of the longest run).
    pub longest: u32,
    pub matched_fingerprints: usize,
    pub secret_fingerprints: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<ParamStats>,
    pub matches: Vec<ScanMatch>,
}

impl Index {
    /// An empty index for fingerprints made with `key`.
    pub fn new(key: &EnterpriseKey) -> Index {
        Index {
            prf: key.prf(),
            key_id: key.id(),
            ks: Default::default(),
            entries: Vec::new(),
            map: HashMap::new(),
        }
    }

    /// Adds the documents of a fingerprint file (`file` names it in messages).
    pub fn add(&mut self, file: &str, fp: FingerprintFile) -> Result<(), IndexError> {
        if fp.key_id != self.key_id {
            return Err(IndexError::WrongKey {
                file: file.into(),
                found: hex::encode(fp.key_id),
                expected: hex::encode(self.key_id),
            });
        }
        if fp.normaliser != NORMALISER_VERSION {
            return Err(IndexError::Normaliser {
                file: file.into(),
                found: fp.normaliser,
            });
        }
        for d in fp.docs {
            self.ks.insert(d.params.k);
            let id = self.entries.len() as u32;
            for (j, f) in d.fingerprints.iter().enumerate() {
                // Repetitive material (a firmware byte array, a table of zeros) gives one hash
                // thousands of fingerprints; taking them all at every matching suspect position
                // would make a scan grow with the square of the input. Positions and chains use
                // at most MAX_POSTINGS_PER_DOC of them; which fingerprints are matched is read
                // from the suspect's hashes in `scan`, exactly.
                let list = self.map.entry(f.hash).or_default();
                let own = list.iter().rev().take_while(|&&(doc, _)| doc == id).count();
                if own < MAX_POSTINGS_PER_DOC {
                    list.push((id, j as u32));
                }
            }
            self.entries.push(Entry {
                print: d,
                file: file.into(),
            });
        }
        Ok(())
    }

    /// Number of secret documents.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the index holds no document.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Keyed hashes of every k-gram and parameter of base documents, to ignore in [`scan`].
    ///
    /// [`scan`]: Index::scan
    pub fn base(&self, docs: &[Document]) -> (HashSet<u64>, HashSet<u64>) {
        let mut grams = HashSet::new();
        for &k in &self.ks {
            grams.extend(crate::fingerprint::kgram_set(
                &self.prf,
                docs,
                usize::from(k),
            ));
        }
        let params = docs
            .iter()
            .flat_map(|d| {
                d.params
                    .iter()
                    .map(|&i| self.prf.hash_param(d.tokens[i as usize].sym))
            })
            .collect();
        (grams, params)
    }

    /// Scans one suspect against every secret of the index. Secrets with no match are left out;
    /// the rest come sorted by `left_containment`, highest first.
    pub fn scan(
        &self,
        suspect: &Document,
        base: Option<&(HashSet<u64>, HashSet<u64>)>,
    ) -> Vec<ScanResult> {
        let syms = suspect.symbols();
        let is_base = |h: &u64| base.is_some_and(|(g, _)| g.contains(h));
        // Every k-gram of the suspect, for every k in the index. Hits per secret:
        // (secret fingerprint index, suspect position).
        let mut hits: HashMap<u32, Vec<(u32, u32)>> = HashMap::new();
        let mut base_token = vec![false; syms.len()];
        // The suspect's k-gram hashes per k: which secret fingerprints are matched is read from
        // these, exactly, whatever the index's cap on postings leaves out.
        let mut suspect_hashes: HashMap<usize, HashSet<u64>> = HashMap::new();
        for &k in &self.ks {
            let k = usize::from(k);
            let hashes = kgram_hashes(&self.prf, &syms, k);
            let seen = suspect_hashes.entry(k).or_default();
            for (pos, h) in hashes.iter().enumerate() {
                if is_base(h) {
                    base_token[pos..pos + k].iter_mut().for_each(|x| *x = true);
                    continue;
                }
                let Some(list) = self.map.get(h) else {
                    continue;
                };
                seen.insert(*h);
                for &(doc, fp) in list {
                    if usize::from(self.entries[doc as usize].print.params.k) == k {
                        hits.entry(doc).or_default().push((fp, pos as u32));
                    }
                }
            }
        }
        let suspect_params: Vec<u64> = suspect
            .params
            .iter()
            .map(|&i| self.prf.hash_param(suspect.tokens[i as usize].sym))
            .filter(|h| !base.is_some_and(|(_, bp)| bp.contains(h)))
            .collect();
        let base_tokens = base_token.iter().filter(|&&x| x).count();
        let suspect_tokens = syms.len() - base_tokens;
        let lines = LineIndex::new(&suspect.text);
        let mut out = Vec::new();
        let secret_ids: Vec<u32> = if self.entries.is_empty() {
            Vec::new()
        } else {
            (0..self.entries.len() as u32).collect()
        };
        for id in secret_ids {
            let e = &self.entries[id as usize];
            let d = &e.print;
            let p = d.params;
            let k = usize::from(p.k);
            let own: Vec<bool> = d.fingerprints.iter().map(|f| !is_base(&f.hash)).collect();
            let secret_fps = own.iter().filter(|&&x| x).count();
            let doc_hits = hits.remove(&id).unwrap_or_default();
            let mut covered = vec![false; syms.len()];
            for &(_, pos) in &doc_hits {
                covered[pos as usize..pos as usize + k]
                    .iter_mut()
                    .for_each(|c| *c = true);
            }
            let n_matched = suspect_hashes.get(&k).map_or(0, |seen| {
                d.fingerprints
                    .iter()
                    .zip(&own)
                    .filter(|&(f, &o)| o && seen.contains(&f.hash))
                    .count()
            });
            let mut left = ratio(n_matched, secret_fps);
            // Base material counts on neither side of the ratio.
            let covered_own = covered
                .iter()
                .zip(&base_token)
                .filter(|&(&c, &b)| c && !b)
                .count();
            let mut right = ratio(covered_own, suspect_tokens);
            let mut parameters = None;
            if !d.language.is_code() && !suspect.language.is_code() {
                let secret_params: Vec<u64> = d
                    .param_hashes
                    .iter()
                    .copied()
                    .filter(|h| !base.is_some_and(|(_, bp)| bp.contains(h)))
                    .collect();
                let shared = multiset_intersection(&secret_params, &suspect_params);
                let wa = weight(secret_params.len(), d.tokens as usize);
                let wb = weight(suspect_params.len(), suspect_tokens);
                if wa > 0.0 {
                    left = (1.0 - wa) * left + wa * ratio(shared, secret_params.len());
                }
                if wb > 0.0 {
                    right = (1.0 - wb) * right + wb * ratio(shared, suspect_params.len());
                }
                if !secret_params.is_empty() || !suspect_params.is_empty() {
                    parameters = Some(ParamStats {
                        left: secret_params.len(),
                        right: suspect_params.len(),
                        shared,
                        left_weight: wa,
                        right_weight: wb,
                    });
                }
            }
            if n_matched == 0 && parameters.as_ref().is_none_or(|p| p.shared == 0) {
                continue;
            }
            let chains = chains(d, &doc_hits, p);
            let longest = chains.iter().map(|c| c.len).max().unwrap_or(0);
            let matches = chains
                .iter()
                .map(|c| {
                    let first = d.fingerprints[c.first_fp as usize];
                    let last = d.fingerprints[c.last_fp as usize];
                    let len = (c.suspect_end - c.suspect_start) as usize;
                    ScanMatch {
                        secret_tokens: [first.pos, last.pos + u32::from(p.k)],
                        secret_lines: [first.line, last.line],
                        suspect: region(suspect, &lines, c.suspect_start as usize, len),
                        fingerprints: c.count,
                    }
                })
                .collect();
            out.push(ScanResult {
                secret: d.name.clone(),
                fingerprint_file: e.file.clone(),
                suspect: suspect.name.clone(),
                similarity: left.max(right),
                left_containment: left,
                right_containment: right,
                longest,
                matched_fingerprints: n_matched,
                secret_fingerprints: secret_fps,
                parameters,
                matches,
            });
        }
        out.sort_by(|a, b| b.left_containment.total_cmp(&a.left_containment));
        out
    }
}

fn weight(params: usize, tokens: usize) -> f64 {
    if params < MIN_PARAMS || tokens == 0 {
        return 0.0;
    }
    let density = params as f64 / tokens as f64;
    MAX_PARAM_WEIGHT * (density / crate::compare::FULL_WEIGHT_DENSITY).min(1.0)
}

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 { 0.0 } else { n as f64 / d as f64 }
}

fn multiset_intersection(a: &[u64], b: &[u64]) -> usize {
    let mut counts: HashMap<u64, usize> = HashMap::with_capacity(a.len());
    for &x in a {
        *counts.entry(x).or_default() += 1;
    }
    b.iter()
        .filter(|y| match counts.get_mut(y) {
            Some(c) if *c > 0 => {
                *c -= 1;
                true
            }
            _ => false,
        })
        .count()
}

struct Chain {
    first_fp: u32,
    last_fp: u32,
    suspect_start: u32,
    suspect_end: u32,
    count: u32,
    len: u32,
}

/// Matched fingerprints grouped into runs on one diagonal (secret position − suspect position
/// constant, consecutive hits at most `w + k` tokens apart), each suspect k-gram used once.
fn chains(d: &DocPrint, hits: &[(u32, u32)], p: Params) -> Vec<Chain> {
    let k = u32::from(p.k);
    let gap = u32::from(p.w) + k;
    let mut by_diag: Vec<(i64, u32, u32, u32)> = hits
        .iter()
        .map(|&(fp, pos)| {
            let sp = d.fingerprints[fp as usize].pos;
            (i64::from(sp) - i64::from(pos), sp, pos, fp)
        })
        .collect();
    by_diag.sort_unstable();
    let mut out: Vec<Chain> = Vec::new();
    let mut cur: Option<(i64, Chain)> = None;
    for (diag, sp, pos, fp) in by_diag {
        match &mut cur {
            Some((dg, c)) if *dg == diag && sp <= d.fingerprints[c.last_fp as usize].pos + gap => {
                c.last_fp = fp;
                c.suspect_end = pos + k;
                c.count += 1;
                c.len = c.suspect_end - c.suspect_start;
            }
            _ => {
                if let Some((_, c)) = cur.take() {
                    out.push(c);
                }
                cur = Some((
                    diag,
                    Chain {
                        first_fp: fp,
                        last_fp: fp,
                        suspect_start: pos,
                        suspect_end: pos + k,
                        count: 1,
                        len: k,
                    },
                ));
            }
        }
    }
    if let Some((_, c)) = cur {
        out.push(c);
    }
    // Keep the longest chains where they overlap on the suspect side.
    out.sort_by(|a, b| {
        b.len
            .cmp(&a.len)
            .then(a.suspect_start.cmp(&b.suspect_start))
    });
    let mut taken: Vec<(u32, u32)> = Vec::new();
    out.retain(|c| {
        let free = taken
            .iter()
            .all(|&(s, e)| c.suspect_end <= s || c.suspect_start >= e);
        if free {
            taken.push((c.suspect_start, c.suspect_end));
        }
        free
    });
    out.sort_by_key(|c| c.suspect_start);
    out
}

/// Fingerprints documents into a fingerprint file with `key`: with `params` when given, else
/// [`Params::for_language`] of each document. Base material (every k-gram of `base`) is left
/// out.
pub fn fingerprint_file(
    key: &EnterpriseKey,
    docs: &[Document],
    params: Option<Params>,
    base: &[Document],
) -> FingerprintFile {
    fingerprint_file_with(
        key,
        docs,
        |language| params.unwrap_or_else(|| Params::for_language(language)),
        base,
    )
}

/// As [`fingerprint_file`], with each document's `k` and `w` chosen by its language (e.g. a
/// command line that overrides only `w` keeps each language's own `k`).
pub fn fingerprint_file_with(
    key: &EnterpriseKey,
    docs: &[Document],
    params_for: impl Fn(crate::lang::Language) -> Params,
    base: &[Document],
) -> FingerprintFile {
    let prf = key.prf();
    let mut base_sets: HashMap<u16, HashSet<u64>> = HashMap::new();
    let docs = docs
        .iter()
        .map(|d| {
            let p = params_for(d.language);
            let base_set = (!base.is_empty()).then(|| {
                &*base_sets
                    .entry(p.k)
                    .or_insert_with(|| crate::fingerprint::kgram_set(&prf, base, usize::from(p.k)))
            });
            let (fingerprints, param_hashes) =
                crate::fingerprint::fingerprint_document(&prf, d, p, base_set);
            DocPrint {
                name: d.name.clone(),
                language: d.language,
                params: p,
                tokens: d.tokens.len() as u32,
                fingerprints,
                param_hashes,
            }
        })
        .collect();
    FingerprintFile {
        key_id: key.id(),
        normaliser: NORMALISER_VERSION,
        docs,
    }
}

/// Postings the index keeps per secret and hash (see `Index::add`).
const MAX_POSTINGS_PER_DOC: usize = 16;
