//! The ledger's CPU-bound paths, one core: SHA-256 (the machine's ceiling for tree hashing),
//! inclusion proofs from tiles of a 10,000,000-entry tree, and offline verification of
//! `.tlog-proof` files — cold (every signature checked) and warm (the checkpoint's signatures
//! already verified, as when one verifier checks many proofs of one checkpoint).
//! `cargo bench -p shoumi-ledger`; figures in docs/PERFORMANCE.md.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sha2::{Digest, Sha256};
use shoumi_ledger::merkle::{inclusion_proof, leaf_hash, node_hash, tree_root};
use shoumi_ledger::note::{Algorithm, Note, SignerKey};
use shoumi_ledger::tiles::{ExpandedTile, TileId, TileRecorder, TileSet};
use shoumi_ledger::{Checkpoint, Digests, Entry, EntryKind, Policy, TlogProof, Verifier};

const SIZE: u64 = 10_000_000;

/// A tile set holding every tile a proof in a tree of SIZE needs, with synthetic hashes (the
/// hashes' values do not change the work).
fn tiles_for(index: u64) -> TileSet {
    let rec = TileRecorder::default();
    inclusion_proof(&rec, index, SIZE).unwrap();
    let mut set = TileSet::default();
    for (l, n) in rec.tiles() {
        let t = TileId::at(l, n, SIZE).unwrap();
        let bytes: Vec<u8> = (0..usize::from(t.width) * 32)
            .map(|i| (i * 31 + n as usize) as u8)
            .collect();
        set.insert(l, n, Arc::new(ExpandedTile::new(&bytes).unwrap()));
    }
    set
}

fn hashing(c: &mut Criterion) {
    let mut g = c.benchmark_group("sha256");
    for size in [64usize, 1024, 1 << 20] {
        let data = vec![7u8; size];
        g.throughput(Throughput::Bytes(size as u64));
        g.bench_function(format!("{size}B"), |b| {
            b.iter(|| Sha256::digest(black_box(&data)))
        });
    }
    g.finish();
    c.bench_function("node_hash", |b| {
        b.iter(|| node_hash(black_box(&[1; 32]), black_box(&[2; 32])))
    });
}

fn proofs(c: &mut Criterion) {
    // The level-0 tile differs per proof (expanded each time: 255 node hashes); upper tiles are
    // the server's cache.
    let index = 7_654_321;
    let bottom: Vec<u8> = (0..256 * 32).map(|i| i as u8).collect();
    let set = tiles_for(index);
    c.bench_function("inclusion_proof_10M_from_tiles", |b| {
        b.iter(|| inclusion_proof(black_box(&set), black_box(index), SIZE).unwrap())
    });
    c.bench_function("expand_level0_tile", |b| {
        b.iter(|| ExpandedTile::new(black_box(&bottom)).unwrap())
    });
}

fn verification(c: &mut Criterion) {
    let origin = "bench.example/log";
    let ed = SignerKey::generate(origin, Algorithm::Ed25519).unwrap();
    let sm2 = SignerKey::generate(origin, Algorithm::Sm2).unwrap();
    let w = SignerKey::generate("w.example", Algorithm::Cosignature).unwrap();
    let entries: Vec<Vec<u8>> = (0..1000u32)
        .map(|i| {
            Entry::new(
                EntryKind::Document,
                Digests::of(&i.to_be_bytes()),
                [0; 32],
                1,
                "user:b",
            )
            .unwrap()
            .encode()
        })
        .collect();
    let leaves: Vec<[u8; 32]> = entries.iter().map(|e| leaf_hash(e)).collect();
    let size = leaves.len() as u64;
    let root = tree_root(&shoumi_ledger::merkle::Leaves(&leaves), size).unwrap();
    let text = Checkpoint::new(origin, size, root).to_text();
    let mut note = Note {
        text: text.clone(),
        signatures: vec![],
    };
    note.add(ed.sign(text.as_bytes(), None));
    note.add(sm2.sign(text.as_bytes(), None));
    note.add(w.sign(text.as_bytes(), Some(1_700_000_000)));
    let proof = TlogProof {
        extra: Some(entries[123].clone()),
        index: 123,
        hashes: inclusion_proof(&shoumi_ledger::merkle::Leaves(&leaves), 123, size).unwrap(),
        checkpoint: note.to_text(),
    }
    .to_text();
    let doc = Digests::of(&123u32.to_be_bytes());
    let policy = |keys: Vec<_>| Policy {
        origin: origin.into(),
        log_keys: keys,
        witnesses: vec![w.verifier().clone()],
        quorum: 1,
    };
    let warm = Verifier::new(policy(vec![ed.verifier().clone(), sm2.verifier().clone()]));
    warm.verify(proof.as_bytes(), Some(&doc)).unwrap();
    c.bench_function("verify_warm_checkpoint", |b| {
        b.iter(|| {
            warm.verify(black_box(proof.as_bytes()), Some(&doc))
                .unwrap()
        })
    });
    c.bench_function("verify_cold_ed25519_and_witness", |b| {
        b.iter(|| {
            Verifier::new(policy(vec![ed.verifier().clone()]))
                .verify(black_box(proof.as_bytes()), Some(&doc))
                .unwrap()
        })
    });
    c.bench_function("verify_cold_ed25519_sm2_and_witness", |b| {
        b.iter(|| {
            Verifier::new(policy(vec![ed.verifier().clone(), sm2.verifier().clone()]))
                .verify(black_box(proof.as_bytes()), Some(&doc))
                .unwrap()
        })
    });
}

criterion_group!(benches, hashing, proofs, verification);
criterion_main!(benches);
