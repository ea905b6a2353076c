//! RFC 6962 §2.1 Merkle tree hashing, proof generation (§2.1.1–2.1.2) and proof verification
//! as specified in RFC 9162 §2.1.3.2 and §2.1.4.2.
//!
//! Proofs are generated from a [`NodeSource`]: anything that can give the hash of a *perfect*
//! subtree (2^level leaves, aligned). The tile store implements it from stored tiles; tests
//! implement it from a list of leaves.

use sha2::{Digest, Sha256};

/// A SHA-256 tree hash.
pub type Hash = [u8; 32];

/// The root of the empty tree: SHA-256 of the empty string.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// A leaf's hash: SHA-256(0x00 ‖ data).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// An interior node's hash: SHA-256(0x01 ‖ left ‖ right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut buf = [0u8; 65];
    buf[0] = 1;
    buf[1..33].copy_from_slice(left);
    buf[33..].copy_from_slice(right);
    Sha256::digest(buf).into()
}

/// The largest power of two smaller than `n` (n ≥ 2): where RFC 6962 splits a tree.
pub fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// The hash of a perfect, aligned subtree: `level` is its height (2^level leaves) and `index`
/// its position among the subtrees of that height (it covers leaves
/// `index << level .. (index + 1) << level`).
pub trait NodeSource {
    fn node(&self, level: u8, index: u64) -> Result<Hash, MissingNode>;
}

/// A node the source does not hold (its tile was not fetched, or lies beyond the tree).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the hash of level {level} node {index} is not available")]
pub struct MissingNode {
    pub level: u8,
    pub index: u64,
}

/// MTH of the leaves `start..end` (RFC 6962 §2.1), built from perfect subtrees. `start` must be
/// a multiple of the largest power of two not larger than `end - start`, which holds for every
/// range the RFC's recursion visits.
pub fn range_hash<S: NodeSource + ?Sized>(
    src: &S,
    start: u64,
    end: u64,
) -> Result<Hash, MissingNode> {
    let n = end - start;
    if n == 0 {
        return Ok(empty_root());
    }
    if n.is_power_of_two() && start.is_multiple_of(n) {
        let level = n.trailing_zeros() as u8;
        return src.node(level, start >> level);
    }
    let k = split_point(n);
    let left = range_hash(src, start, start + k)?;
    let right = range_hash(src, start + k, end)?;
    Ok(node_hash(&left, &right))
}

/// The root of a tree of `size` leaves.
pub fn tree_root<S: NodeSource + ?Sized>(src: &S, size: u64) -> Result<Hash, MissingNode> {
    range_hash(src, 0, size)
}

/// RFC 6962 §2.1.1 PATH(index, D[size]), leaf to root.
pub fn inclusion_proof<S: NodeSource + ?Sized>(
    src: &S,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, ProofError> {
    if index >= size {
        return Err(ProofError::IndexBeyondTree { index, size });
    }
    let mut out = Vec::new();
    // Walk down from the root, collecting siblings root-first, then reverse.
    let (mut start, mut end, mut m) = (0u64, size, index);
    while end - start > 1 {
        let k = split_point(end - start);
        if m < k {
            out.push(range_hash(src, start + k, end)?);
            end = start + k;
        } else {
            out.push(range_hash(src, start, start + k)?);
            start += k;
            m -= k;
        }
    }
    out.reverse();
    Ok(out)
}

/// RFC 6962 §2.1.2 PROOF(old, D[size]). Empty when `old` is 0 or equals `size`.
pub fn consistency_proof<S: NodeSource + ?Sized>(
    src: &S,
    old: u64,
    size: u64,
) -> Result<Vec<Hash>, ProofError> {
    if old > size {
        return Err(ProofError::OldBeyondNew { old, size });
    }
    if old == 0 || old == size {
        return Ok(Vec::new());
    }
    // SUBPROOF(m, D[start..end], b), iteratively; hashes collected root-first, then reversed.
    let mut out = Vec::new();
    let (mut start, mut end, mut m, mut b) = (0u64, size, old, true);
    loop {
        let n = end - start;
        if m == n {
            if !b {
                out.push(range_hash(src, start, end)?);
            }
            break;
        }
        let k = split_point(n);
        if m <= k {
            out.push(range_hash(src, start + k, end)?);
            end = start + k;
        } else {
            out.push(range_hash(src, start, start + k)?);
            start += k;
            m -= k;
            b = false;
        }
    }
    out.reverse();
    Ok(out)
}

/// Why a proof did not verify or could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("index {index} is not in a tree of {size} entries")]
    IndexBeyondTree { index: u64, size: u64 },
    #[error("the old size {old} is larger than the new size {size}")]
    OldBeyondNew { old: u64, size: u64 },
    #[error("the proof has the wrong number of hashes for index {index} in a tree of {size}")]
    WrongLength { index: u64, size: u64 },
    #[error("the proof does not lead to the checkpoint's root hash")]
    RootMismatch,
    #[error("the consistency proof does not match the old root hash")]
    OldRootMismatch,
    #[error("two checkpoints of the same size {size} have different root hashes")]
    SameSizeDifferentRoot { size: u64 },
    #[error("a consistency proof from the empty tree or to the same size must be empty")]
    NotEmpty,
    #[error(transparent)]
    Missing(#[from] MissingNode),
}

/// One step of the RFC 9162 §2.1.3.2 / §2.1.4.2 walk: whether the next proof hash is a left
/// sibling ("if LSB(fn) is set, or if fn is equal to sn"), with `fn` and `sn` moved up past
/// the levels where the node has no right sibling.
fn climb(fnode: &mut u64, snode: &mut u64) -> bool {
    let left = *fnode & 1 == 1 || *fnode == *snode;
    if left {
        while *fnode & 1 == 0 && *fnode != 0 {
            *fnode >>= 1;
            *snode >>= 1;
        }
    }
    *fnode >>= 1;
    *snode >>= 1;
    left
}

/// RFC 9162 §2.1.3.2: verify that `leaf` is at `index` in the tree of `size` with `root`.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexBeyondTree { index, size });
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if snode == 0 {
            return Err(ProofError::WrongLength { index, size });
        }
        r = if climb(&mut fnode, &mut snode) {
            node_hash(p, &r)
        } else {
            node_hash(&r, p)
        };
    }
    if snode != 0 {
        return Err(ProofError::WrongLength { index, size });
    }
    if &r != root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// RFC 9162 §2.1.4.2: verify that the tree (`old`, `old_root`) is a prefix of (`size`, `root`).
/// An empty old tree is consistent with everything (the proof must then be empty), and equal
/// sizes need equal roots and an empty proof.
pub fn verify_consistency(
    old: u64,
    size: u64,
    proof: &[Hash],
    old_root: &Hash,
    root: &Hash,
) -> Result<(), ProofError> {
    if old > size {
        return Err(ProofError::OldBeyondNew { old, size });
    }
    if old == 0 || old == size {
        if !proof.is_empty() {
            return Err(ProofError::NotEmpty);
        }
        if old == size && old_root != root {
            return Err(ProofError::SameSizeDifferentRoot { size });
        }
        return Ok(());
    }
    if proof.is_empty() {
        return Err(ProofError::WrongLength { index: old, size });
    }
    let mut path: Vec<&Hash> = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(old_root);
    }
    path.extend(proof.iter());
    let (mut fnode, mut snode) = (old - 1, size - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let mut fr = *path[0];
    let mut sr = *path[0];
    for c in &path[1..] {
        if snode == 0 {
            return Err(ProofError::WrongLength { index: old, size });
        }
        if climb(&mut fnode, &mut snode) {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
        } else {
            sr = node_hash(&sr, c);
        }
    }
    if snode != 0 {
        return Err(ProofError::WrongLength { index: old, size });
    }
    if &fr != old_root {
        return Err(ProofError::OldRootMismatch);
    }
    if &sr != root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// A [`NodeSource`] over leaf hashes held in memory, for tests, audits and small trees. Perfect
/// subtree hashes are computed on demand.
pub struct Leaves<'a>(pub &'a [Hash]);

impl NodeSource for Leaves<'_> {
    fn node(&self, level: u8, index: u64) -> Result<Hash, MissingNode> {
        let start = (index << level) as usize;
        let end = start + (1usize << level);
        if end > self.0.len() {
            return Err(MissingNode { level, index });
        }
        Ok(perfect_root(&self.0[start..end]))
    }
}

/// The root of a power-of-two run of hashes (one level of a perfect subtree at a time).
pub fn perfect_root(hashes: &[Hash]) -> Hash {
    debug_assert!(hashes.len().is_power_of_two());
    if hashes.len() == 1 {
        return hashes[0];
    }
    let mut level: Vec<Hash> = hashes.chunks(2).map(|p| node_hash(&p[0], &p[1])).collect();
    while level.len() > 1 {
        level = level.chunks(2).map(|p| node_hash(&p[0], &p[1])).collect();
    }
    level[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Hash {
        hex::decode(s).unwrap().try_into().unwrap()
    }

    #[test]
    fn rfc6962_test_vectors_from_transparency_dev_merkle() {
        assert_eq!(
            empty_root(),
            unhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        );
        assert_eq!(
            leaf_hash(b""),
            unhex("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
        );
        assert_eq!(
            leaf_hash(b"L123456"),
            unhex("395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56")
        );
        // transparency-dev hashes the raw strings here, not 32-byte hashes:
        let mut h = Sha256::new();
        h.update([1u8]);
        h.update(b"N123");
        h.update(b"N456");
        let expect: Hash = h.finalize().into();
        assert_eq!(
            expect,
            unhex("aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb")
        );
    }

    /// transparency-dev/merkle testonly/constants.go: the CT reference tree.
    fn reference_leaves() -> Vec<Hash> {
        [
            "",
            "00",
            "10",
            "2021",
            "3031",
            "40414243",
            "5051525354555657",
            "606162636465666768696a6b6c6d6e6f",
        ]
        .iter()
        .map(|h| leaf_hash(&hex::decode(h).unwrap()))
        .collect()
    }

    #[test]
    fn reference_tree_roots_for_sizes_one_to_eight() {
        let roots = [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        ];
        let leaves = reference_leaves();
        for (i, want) in roots.iter().enumerate() {
            let got = tree_root(&Leaves(&leaves), i as u64 + 1).unwrap();
            assert_eq!(hex::encode(got), *want, "size {}", i + 1);
        }
    }

    #[test]
    fn reference_tree_inclusion_proofs() {
        let leaves = reference_leaves();
        // (index, size, proof) from transparency-dev/merkle testonly/constants.go.
        let cases: &[(u64, u64, &[&str])] = &[
            (0, 1, &[]),
            (
                0,
                8,
                &[
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ],
            ),
            (
                5,
                8,
                &[
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ],
            ),
            (
                2,
                3,
                &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
            ),
            (
                1,
                5,
                &[
                    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ],
            ),
        ];
        for (index, size, want) in cases {
            let got = inclusion_proof(&Leaves(&leaves), *index, *size).unwrap();
            let got: Vec<String> = got.iter().map(hex::encode).collect();
            assert_eq!(got, *want, "index {index} size {size}");
            let root = tree_root(&Leaves(&leaves), *size).unwrap();
            let proof: Vec<Hash> = want.iter().map(|h| unhex(h)).collect();
            verify_inclusion(*index, *size, &leaves[*index as usize], &proof, &root).unwrap();
        }
    }

    #[test]
    fn reference_tree_consistency_proofs() {
        let leaves = reference_leaves();
        let cases: &[(u64, u64, &[&str])] = &[
            (1, 1, &[]),
            (
                1,
                8,
                &[
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ],
            ),
            (
                6,
                8,
                &[
                    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ],
            ),
            (
                2,
                5,
                &[
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ],
            ),
        ];
        for (old, size, want) in cases {
            let got = consistency_proof(&Leaves(&leaves), *old, *size).unwrap();
            let got: Vec<String> = got.iter().map(hex::encode).collect();
            assert_eq!(got, *want, "{old} → {size}");
            let r1 = tree_root(&Leaves(&leaves), *old).unwrap();
            let r2 = tree_root(&Leaves(&leaves), *size).unwrap();
            let proof: Vec<Hash> = want.iter().map(|h| unhex(h)).collect();
            verify_consistency(*old, *size, &proof, &r1, &r2).unwrap();
        }
    }

    #[test]
    fn wrong_length_and_wrong_root_are_refused() {
        let leaves = reference_leaves();
        let root = tree_root(&Leaves(&leaves), 8).unwrap();
        let mut proof = inclusion_proof(&Leaves(&leaves), 3, 8).unwrap();
        assert!(verify_inclusion(3, 8, &leaves[3], &proof, &root).is_ok());
        assert!(verify_inclusion(4, 8, &leaves[3], &proof, &root).is_err());
        assert!(verify_inclusion(3, 4, &leaves[3], &proof, &root).is_err());
        assert!(verify_inclusion(8, 8, &leaves[3], &proof, &root).is_err());
        proof.push([0; 32]);
        assert_eq!(
            verify_inclusion(3, 8, &leaves[3], &proof, &root),
            Err(ProofError::WrongLength { index: 3, size: 8 })
        );
        proof.truncate(2);
        assert!(verify_inclusion(3, 8, &leaves[3], &proof, &root).is_err());
    }
}
