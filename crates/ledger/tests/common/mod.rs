//! Helpers shared by the integration tests: a cheap in-memory node source, tile sets from stored
//! tiles, and a complete little log (Ed25519 + SM2 log keys, three witnesses) that produces
//! `.tlog-proof` files.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use shoumi_ledger::entry::metadata_digest;
use shoumi_ledger::merkle::{self, Hash, MissingNode, NodeSource};
use shoumi_ledger::note::Signature;
use shoumi_ledger::policy::Policy;
use shoumi_ledger::tiles::{Edge, ExpandedTile, TileId, TileRecorder, TileSet};
use shoumi_ledger::witness::{AddCheckpoint, Witness};
use shoumi_ledger::{Algorithm, Checkpoint, Digests, Entry, EntryKind, Note, SignerKey, TlogProof};

/// Every perfect subtree hash, level by level, built with the crate's `leaf_hash`/`node_hash`:
/// proofs over hundreds of tree sizes stay cheap (`merkle::Leaves` rehashes on every lookup).
#[derive(Default)]
pub struct Levels(pub Vec<Vec<Hash>>);

impl Levels {
    pub fn of(leaves: &[Hash]) -> Levels {
        let mut l = Levels::default();
        for h in leaves {
            l.append(*h);
        }
        l
    }

    pub fn append(&mut self, leaf: Hash) {
        let (mut h, mut level) = (leaf, 0);
        loop {
            if self.0.len() == level {
                self.0.push(Vec::new());
            }
            let row = &mut self.0[level];
            row.push(h);
            if row.len() % 2 == 1 {
                return;
            }
            h = merkle::node_hash(&row[row.len() - 2], &row[row.len() - 1]);
            level += 1;
        }
    }
}

impl NodeSource for Levels {
    fn node(&self, level: u8, index: u64) -> Result<Hash, MissingNode> {
        self.0
            .get(usize::from(level))
            .and_then(|row| row.get(usize::try_from(index).ok()?))
            .copied()
            .ok_or(MissingNode { level, index })
    }
}

/// The tiles `which` of a tree of `size`, cut from the latest stored bytes of each tile.
pub fn tile_set(stored: &HashMap<(u8, u64), Vec<u8>>, which: Vec<(u8, u64)>, size: u64) -> TileSet {
    let mut set = TileSet::default();
    for (l, n) in which {
        let t = TileId::at(l, n, size).expect("a tile of the tree");
        let bytes = &stored[&(l, n)][..usize::from(t.width) * 32];
        set.insert(l, n, Arc::new(ExpandedTile::new(bytes).expect("a tile")));
    }
    set
}

pub const ORIGIN: &str = "shoumi.example/ledger";
pub const NOW: u64 = 1_764_000_000;

/// The log's two keys and three witnesses' keys, made once per test binary (SM2 is slow
/// unoptimised).
pub struct Keys {
    pub log_ed25519: SignerKey,
    pub log_sm2: SignerKey,
    pub witnesses: Vec<SignerKey>,
}

pub fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| Keys {
        log_ed25519: SignerKey::generate(ORIGIN, Algorithm::Ed25519).unwrap(),
        log_sm2: SignerKey::generate(ORIGIN, Algorithm::Sm2).unwrap(),
        witnesses: [
            "court.example/w",
            "procuratorate.example/w",
            "notary.example/w",
        ]
        .iter()
        .map(|n| SignerKey::generate(n, Algorithm::Cosignature).unwrap())
        .collect(),
    })
}

impl Keys {
    /// A policy requiring both log keys and `quorum` of the three witnesses.
    pub fn policy(&self, quorum: usize) -> Policy {
        Policy {
            origin: ORIGIN.into(),
            log_keys: vec![
                self.log_ed25519.verifier().clone(),
                self.log_sm2.verifier().clone(),
            ],
            witnesses: self
                .witnesses
                .iter()
                .map(|w| w.verifier().clone())
                .collect(),
            quorum,
        }
    }
}

pub fn entry_for(i: usize, doc: &[u8]) -> Entry {
    Entry::new(
        EntryKind::ALL[i % EntryKind::ALL.len()],
        Digests::of(doc),
        metadata_digest(&serde_json::json!({ "title": format!("文件 {i}"), "n": i })),
        1_764_000_000_000 + i as i64,
        "uscc:91371526MA3C000000",
    )
    .unwrap()
}

/// A log holding one entry per document, its checkpoint signed by both log keys and cosigned
/// by all three witnesses (each through `Witness::add_checkpoint`).
pub struct Log {
    pub entries: Vec<Entry>,
    pub size: u64,
    pub stored: HashMap<(u8, u64), Vec<u8>>,
    pub note: String,
}

impl Log {
    pub fn build(docs: &[Vec<u8>]) -> Log {
        let k = keys();
        let mut edge = Edge::new();
        let mut entries = Vec::new();
        for (i, d) in docs.iter().enumerate() {
            let e = entry_for(i, d);
            edge.append(merkle::leaf_hash(&e.encode()));
            entries.push(e);
        }
        let stored: HashMap<(u8, u64), Vec<u8>> = edge
            .take_changed()
            .into_iter()
            .map(|(l, n, b)| ((l, n), b))
            .collect();
        let text = Checkpoint::new(ORIGIN, edge.size(), edge.root()).to_text();
        let mut note = Note {
            text: text.clone(),
            signatures: vec![],
        };
        note.add(k.log_ed25519.sign(text.as_bytes(), None));
        note.add(k.log_sm2.sign(text.as_bytes(), None));
        let body = AddCheckpoint {
            old: 0,
            proof: vec![],
            checkpoint: note.to_text(),
        }
        .to_body();
        let log_keys = vec![
            k.log_ed25519.verifier().clone(),
            k.log_sm2.verifier().clone(),
        ];
        for w in &k.witnesses {
            let key = SignerKey::parse(&w.to_private_string()).unwrap();
            let witness = Witness::open(key, log_keys.clone(), None).unwrap();
            let line = witness.add_checkpoint(body.as_bytes(), NOW).unwrap();
            note.add(Signature::parse_line(line.strip_suffix('\n').unwrap()).unwrap());
        }
        Log {
            entries,
            size: edge.size(),
            stored,
            note: note.to_text(),
        }
    }

    /// The inclusion proof of entry `index`, read from the stored tiles.
    pub fn proof(&self, index: u64) -> TlogProof {
        let rec = TileRecorder::default();
        merkle::inclusion_proof(&rec, index, self.size).unwrap();
        let set = tile_set(&self.stored, rec.tiles(), self.size);
        TlogProof {
            extra: Some(self.entries[index as usize].encode()),
            index,
            hashes: merkle::inclusion_proof(&set, index, self.size).unwrap(),
            checkpoint: self.note.clone(),
        }
    }
}

/// Documents `0..n` with varied contents.
pub fn docs(n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| format!("证据材料 {i} {}", "x".repeat(i % 17)).into_bytes())
        .collect()
}
