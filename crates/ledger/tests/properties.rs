//! Property tests: proofs verify for every index and size, and one flipped bit anywhere — in a
//! proof, the leaf, a root, the index, or anywhere in a `.tlog-proof` file — is refused.

use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::sample::Index;

use shoumi_ledger::merkle::{self, Hash};
use shoumi_ledger::policy::{Verifier, VerifyError};
use shoumi_ledger::{Digests, TlogProof};

mod common;
use common::{Levels, Log, keys};

/// Leaf data for a tree: varied lengths, including empty.
fn leaf_data(seed: u64, n: u64) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| {
            let len = ((seed ^ i.wrapping_mul(0x9e37_79b9)) % 33) as usize;
            (0..len)
                .map(|j| (seed as u8) ^ (i as u8) ^ (j as u8))
                .collect()
        })
        .collect()
}

fn flip(bytes: &mut [u8], bit: usize) {
    bytes[bit / 8] ^= 1 << (bit % 8);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn every_inclusion_proof_verifies_and_one_flipped_bit_anywhere_fails(
        size in 1u64..300,
        seed in any::<u64>(),
        pick in any::<Index>(),
    ) {
        let data = leaf_data(seed, size);
        let leaves: Vec<Hash> = data.iter().map(|d| merkle::leaf_hash(d)).collect();
        let src = Levels::of(&leaves);
        let root = merkle::tree_root(&src, size).unwrap();
        for i in 0..size {
            let p = merkle::inclusion_proof(&src, i, size).unwrap();
            prop_assert!(merkle::verify_inclusion(i, size, &leaves[i as usize], &p, &root).is_ok());
        }

        // Every single-bit change to one entry's proof, leaf data, root and index.
        let i = pick.index(size as usize) as u64;
        let leaf = leaves[i as usize];
        let proof = merkle::inclusion_proof(&src, i, size).unwrap();
        for k in 0..proof.len() {
            for bit in 0..256 {
                let mut p = proof.clone();
                flip(&mut p[k], bit);
                prop_assert!(merkle::verify_inclusion(i, size, &leaf, &p, &root).is_err());
            }
        }
        for bit in 0..data[i as usize].len() * 8 {
            let mut d = data[i as usize].clone();
            flip(&mut d, bit);
            let h = merkle::leaf_hash(&d);
            prop_assert!(merkle::verify_inclusion(i, size, &h, &proof, &root).is_err());
        }
        for bit in 0..256 {
            let mut r = root;
            flip(&mut r, bit);
            prop_assert!(merkle::verify_inclusion(i, size, &leaf, &proof, &r).is_err());
        }
        for bit in 0..64 {
            let j = i ^ (1 << bit);
            // Two positions holding the same data (empty leaves, say) share a leaf hash, and a
            // proof of one legitimately proves the other.
            if j < size && leaves[j as usize] == leaf {
                continue;
            }
            prop_assert!(
                merkle::verify_inclusion(j, size, &leaf, &proof, &root).is_err(),
                "the proof of {} also proves {}", i, j
            );
        }
        // A hash too many or too few.
        let mut longer = proof.clone();
        longer.push(root);
        prop_assert!(merkle::verify_inclusion(i, size, &leaf, &longer, &root).is_err());
        if !proof.is_empty() {
            prop_assert!(
                merkle::verify_inclusion(i, size, &leaf, &proof[..proof.len() - 1], &root).is_err()
            );
        }
    }

    #[test]
    fn consistency_proofs_between_any_two_sizes_verify_and_one_flipped_bit_fails(
        size in 1u64..300,
        seed in any::<u64>(),
        pick in any::<Index>(),
    ) {
        let leaves: Vec<Hash> = leaf_data(seed, size).iter().map(|d| merkle::leaf_hash(d)).collect();
        let src = Levels::of(&leaves);
        let roots: Vec<Hash> = (0..=size).map(|m| merkle::tree_root(&src, m).unwrap()).collect();
        let root = roots[size as usize];
        for m in 0..=size {
            let p = merkle::consistency_proof(&src, m, size).unwrap();
            prop_assert!(
                merkle::verify_consistency(m, size, &p, &roots[m as usize], &root).is_ok(),
                "{} → {}", m, size
            );
        }
        // Proving from the empty tree takes no hashes, and any hash is refused.
        prop_assert!(merkle::verify_consistency(0, size, &[root], &roots[0], &root).is_err());

        let m = 1 + pick.index(size as usize) as u64; // 1..=size
        let old = roots[m as usize];
        let proof = merkle::consistency_proof(&src, m, size).unwrap();
        for k in 0..proof.len() {
            for bit in 0..256 {
                let mut p = proof.clone();
                flip(&mut p[k], bit);
                prop_assert!(merkle::verify_consistency(m, size, &p, &old, &root).is_err());
            }
        }
        for bit in 0..256 {
            let mut o = old;
            flip(&mut o, bit);
            prop_assert!(merkle::verify_consistency(m, size, &proof, &o, &root).is_err());
            let mut r = root;
            flip(&mut r, bit);
            prop_assert!(merkle::verify_consistency(m, size, &proof, &old, &r).is_err());
        }
        if m < size {
            // Not a proof between other sizes either.
            let mut longer = proof.clone();
            longer.push(root);
            prop_assert!(merkle::verify_consistency(m, size, &longer, &old, &root).is_err());
            prop_assert!(
                merkle::verify_consistency(m, size, &proof[..proof.len() - 1], &old, &root).is_err()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// `.tlog-proof` files.

proptest! {
    // Each case signs with Ed25519 and SM2 and gets three cosignatures: keep the count small.
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn a_tlog_proof_from_a_signed_and_cosigned_log_round_trips_and_verifies(
        docs in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..80), 1..300),
        pick in any::<Index>(),
    ) {
        let log = Log::build(&docs);
        let index = pick.index(docs.len());
        let proof = log.proof(index as u64);
        let text = proof.to_text();
        prop_assert_eq!(TlogProof::parse(text.as_bytes()).unwrap(), proof.clone());
        prop_assert_eq!(TlogProof::parse(text.as_bytes()).unwrap().to_text(), text.clone());

        let verifier = Verifier::new(keys().policy(3));
        let doc = Digests::of(&docs[index]);
        let ok = verifier.verify(text.as_bytes(), Some(&doc)).unwrap();
        prop_assert_eq!(&ok.entry, &log.entries[index]);
        prop_assert_eq!(ok.index, index as u64);
        prop_assert_eq!(ok.checkpoint.checkpoint.size, docs.len() as u64);
        prop_assert_eq!(
            ok.checkpoint.log_signatures.iter().map(|(_, a)| *a).collect::<Vec<_>>(),
            vec!["Ed25519", "SM2"]
        );
        prop_assert_eq!(ok.checkpoint.cosignatures.len(), 3);
        prop_assert_eq!(ok.checkpoint.earliest_cosignature(), Some(common::NOW));
        // Without a document, the entry alone is checked.
        prop_assert!(verifier.verify(text.as_bytes(), None).is_ok());

        // Someone else's document is refused, by either digest.
        let other = Digests::of(b"a different document");
        prop_assert_eq!(
            verifier.verify(text.as_bytes(), Some(&other)).unwrap_err(),
            VerifyError::DocumentSha256
        );
        let mut sm3_only = doc;
        sm3_only.sm3[31] ^= 1;
        prop_assert_eq!(
            verifier.verify(text.as_bytes(), Some(&sm3_only)).unwrap_err(),
            VerifyError::DocumentSm3
        );
        // Another entry's data at this index is refused.
        if docs.len() > 1 {
            let mut swapped = proof.clone();
            swapped.extra = Some(log.entries[(index + 1) % docs.len()].encode());
            prop_assert!(matches!(
                verifier.verify_parsed(&swapped, None),
                Err(VerifyError::Inclusion(_))
            ));
        }
    }
}

/// The parts of a proof file, as byte ranges, to aim bit flips at.
fn regions(text: &str) -> BTreeMap<&'static str, std::ops::Range<usize>> {
    let mut r = BTreeMap::new();
    let line = |start: usize| start..start + text[start..].find('\n').unwrap();
    r.insert("header", line(0));
    let extra = text.find("\nextra ").unwrap() + 1;
    r.insert("extra", line(extra));
    let index = text.find("\nindex ").unwrap() + 1;
    r.insert("index", line(index));
    let blank = text.find("\n\n").unwrap();
    r.insert("proof hashes", line(index).end + 1..blank);
    r.insert("separator", blank..blank + 2);
    let note = blank + 2;
    let sigs = note + text[note..].find("\n\n").unwrap();
    r.insert("checkpoint body", note..sigs + 1);
    r.insert("blank line before signatures", sigs + 1..sigs + 2);
    let mut at = sigs + 2;
    for name in [
        "log Ed25519",
        "log SM2",
        "witness 1",
        "witness 2",
        "witness 3",
    ] {
        let end = at + text[at..].find('\n').unwrap();
        r.insert(name, at..end + 1);
        at = end + 1;
    }
    assert_eq!(at, text.len());
    r
}

/// Flips one bit and checks that the file is refused; says whether it still parsed.
fn refused_after_flip(verifier: &Verifier, text: &str, doc: &Digests, bit: usize) -> bool {
    let mut bytes = text.as_bytes().to_vec();
    flip(&mut bytes, bit);
    let parses = TlogProof::parse(&bytes).is_ok();
    let result = verifier.verify(&bytes, Some(doc));
    assert!(
        result.is_err(),
        "flipping bit {} of byte {} ({:?}) still verifies",
        bit % 8,
        bit / 8,
        text.as_bytes()[bit / 8] as char
    );
    parses
}

struct Fixture {
    text: String,
    doc: Digests,
}

fn fixture() -> Fixture {
    let docs = common::docs(37);
    let log = Log::build(&docs);
    let text = log.proof(21).to_text();
    Fixture {
        text,
        doc: Digests::of(&docs[21]),
    }
}

#[test]
fn every_single_bit_flip_before_the_checkpoint_is_refused() {
    let f = fixture_cached();
    // Every witness required, so that even a signature made unknown by a flip counts.
    let verifier = Verifier::new(keys().policy(3));
    verifier.verify(f.text.as_bytes(), Some(&f.doc)).unwrap();
    let r = regions(&f.text);
    let (mut parsed, mut unparsed) = (0, 0);
    // The checkpoint is unchanged by these flips, so its signatures are checked once and then
    // come from the verifier's cache: this stays cheap even flipping every bit.
    for name in ["header", "extra", "index", "proof hashes", "separator"] {
        let range = r[name].clone();
        let (mut p, mut u) = (0, 0);
        for bit in range.start * 8..range.end * 8 {
            if refused_after_flip(&verifier, &f.text, &f.doc, bit) {
                p += 1;
            } else {
                u += 1;
            }
        }
        assert!(p + u > 0, "{name}");
        parsed += p;
        unparsed += u;
    }
    // Flips that keep the file well-formed (so the refusal is the proof's) and flips that
    // break its syntax were both tried.
    assert!(parsed > 500, "{parsed} flips kept the file parseable");
    assert!(unparsed > 500, "{unparsed} flips broke the syntax");
}

proptest! {
    // Each case verifies up to five signatures unoptimised (~30 ms): a sample, not every bit.
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn a_single_bit_flip_in_the_checkpoint_or_its_signatures_is_refused(
        region in prop::sample::select(vec![
            "checkpoint body",
            "blank line before signatures",
            "log Ed25519",
            "log SM2",
            "witness 1",
            "witness 2",
            "witness 3",
        ]),
        at in any::<Index>(),
        bit in 0usize..8,
    ) {
        let f = fixture_cached();
        let range = regions(&f.text)[region].clone();
        let byte = range.start + at.index(range.len());
        refused_after_flip(&Verifier::new(keys().policy(3)), &f.text, &f.doc, byte * 8 + bit);
    }
}

fn fixture_cached() -> &'static Fixture {
    static F: std::sync::OnceLock<Fixture> = std::sync::OnceLock::new();
    F.get_or_init(fixture)
}

#[test]
fn signature_flips_that_keep_the_file_well_formed_are_refused_by_the_signature_check() {
    // The base64 of each signature, flipped where the result is still base64: the note parses
    // and the refusal comes from the signature (or the key ID, which makes the key unknown
    // and so the signature missing).
    let f = fixture_cached();
    let verifier = Verifier::new(keys().policy(3));
    let r = regions(&f.text);
    let mut tried = 0;
    for name in [
        "log Ed25519",
        "log SM2",
        "witness 1",
        "witness 2",
        "witness 3",
    ] {
        let range = r[name].clone();
        let line = &f.text[range.clone()];
        let b64_start = range.start + line.rfind(' ').unwrap() + 1;
        // Key ID bytes are the first 4 of the base64 (chars 0..5); the signature follows.
        for offset in [0usize, 3, 9, 40, 70] {
            let byte = b64_start + offset;
            let mut bytes = f.text.as_bytes().to_vec();
            // 'A'↔'B' style flips of the lowest bit keep a letter a letter.
            flip(&mut bytes, byte * 8);
            if !bytes[byte].is_ascii_alphanumeric() {
                continue;
            }
            assert!(TlogProof::parse(&bytes).is_ok());
            tried += 1;
            let err = verifier.verify(&bytes, Some(&f.doc)).unwrap_err();
            assert!(
                matches!(
                    err,
                    VerifyError::Signature(_)
                        | VerifyError::MissingLogSignature(_)
                        | VerifyError::Quorum { .. }
                ),
                "{name} offset {offset}: {err}"
            );
        }
    }
    assert!(tried >= 10, "only {tried} well-formed signature flips");
}
