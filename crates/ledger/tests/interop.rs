//! Cross-checks against implementations the project did not write: `tlog_tiles` (Cloudflare's
//! port of Go's `sumdb/tlog`, with C2SP checkpoints) and `signed_note` (a port of Go's
//! `sumdb/note`), and the tlog-cosignature message layout checked with ed25519-dalek directly.
//!
//! Everything here compares bytes: if the two sides ever disagree, one of them is off the spec.

use std::collections::{BTreeSet, HashMap};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::Verifier as _;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

use shoumi_ledger::merkle::{self, Hash};
use shoumi_ledger::note::{self, NoteError, Signature};
use shoumi_ledger::tiles::{self, Edge, TileId, TilePath, TileRecorder};
use shoumi_ledger::{Algorithm, Checkpoint, Note, SignerKey, VerifierKey};

use signed_note as sn;
use tlog_tiles as tt;

mod common;
use common::{Levels, tile_set};

// ---------------------------------------------------------------------------------------------
// Two independent stores of the same tree.

/// tlog_tiles' own storage: every hash at the position `stored_hash_index` gives it, written by
/// its own `stored_hashes` (Go sumdb's layout). Nothing of ours is involved.
#[derive(Default)]
struct TlogStore {
    records: u64,
    hashes: Vec<tt::Hash>,
}

impl tt::HashReader for TlogStore {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<tt::Hash>, tt::Error> {
        indexes
            .iter()
            .map(|&i| {
                usize::try_from(i)
                    .ok()
                    .and_then(|i| self.hashes.get(i))
                    .copied()
                    .ok_or(tt::Error::IndexesNotInTree)
            })
            .collect()
    }
}

impl TlogStore {
    fn append(&mut self, data: &[u8]) {
        assert_eq!(
            self.hashes.len() as u64,
            tt::stored_hash_index(0, self.records)
        );
        let new = tt::stored_hashes(self.records, data, self).expect("stored hashes");
        self.hashes.extend(new);
        self.records += 1;
    }
}

struct Trees {
    data: Vec<Vec<u8>>,
    leaves: Vec<Hash>,
    ours: Levels,
    theirs: TlogStore,
}

impl Trees {
    fn random(seed: u64, n: usize) -> Trees {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut t = Trees {
            data: Vec::new(),
            leaves: Vec::new(),
            ours: Levels::default(),
            theirs: TlogStore::default(),
        };
        for _ in 0..n {
            let len = rng.random_range(0..48);
            let d: Vec<u8> = (0..len).map(|_| rng.random()).collect();
            let leaf = merkle::leaf_hash(&d);
            t.ours.append(leaf);
            t.theirs.append(&d);
            t.leaves.push(leaf);
            t.data.push(d);
        }
        t
    }

    fn root(&self, size: u64) -> tt::Hash {
        tt::tree_hash(size, &self.theirs).expect("tlog_tiles tree hash")
    }
}

fn to_tt(hashes: &[Hash]) -> Vec<tt::Hash> {
    hashes.iter().map(|h| tt::Hash(*h)).collect()
}

fn from_tt(hashes: &[tt::Hash]) -> Vec<Hash> {
    hashes.iter().map(|h| h.0).collect()
}

/// All indexes of small trees; for larger ones the edges, the tile boundaries and a random few.
fn sample(n: u64, all_up_to: u64, rng: &mut StdRng) -> BTreeSet<u64> {
    if n <= all_up_to {
        return (0..n).collect();
    }
    let mut s: BTreeSet<u64> = [0, 1, n / 2, n - 2, n - 1, 255, 256, 257]
        .into_iter()
        .filter(|&i| i < n)
        .collect();
    for _ in 0..8 {
        s.insert(rng.random_range(0..n));
    }
    s
}

// ---------------------------------------------------------------------------------------------
// Hashing and proofs.

#[test]
fn leaf_and_empty_hashes_and_roots_agree_with_tlog_tiles_for_every_size_up_to_600() {
    let t = Trees::random(1, 600);
    assert_eq!(merkle::empty_root(), tt::EMPTY_HASH.0);
    assert_eq!(t.root(0).0, merkle::empty_root());
    assert_eq!(merkle::tree_root(&t.ours, 0).unwrap(), merkle::empty_root());
    assert_eq!(
        merkle::node_hash(&t.leaves[0], &t.leaves[1]),
        tt::node_hash(tt::Hash(t.leaves[0]), tt::Hash(t.leaves[1])).0
    );
    let mut edge = Edge::new();
    for n in 1..=600u64 {
        let i = n as usize - 1;
        assert_eq!(t.leaves[i], tt::record_hash(&t.data[i]).0, "leaf {i}");
        edge.append(t.leaves[i]);
        let theirs = t.root(n).0;
        assert_eq!(merkle::tree_root(&t.ours, n).unwrap(), theirs, "size {n}");
        assert_eq!(edge.root(), theirs, "the edge at size {n}");
        if n % 37 == 0 || n.is_power_of_two() {
            let leaves = merkle::Leaves(&t.leaves[..n as usize]);
            assert_eq!(
                merkle::tree_root(&leaves, n).unwrap(),
                theirs,
                "Leaves at {n}"
            );
        }
    }
}

#[test]
fn inclusion_proofs_are_byte_identical_to_tlog_tiles_and_each_side_accepts_the_others() {
    let t = Trees::random(2, 600);
    let mut rng = StdRng::seed_from_u64(20);
    for n in 1..=600u64 {
        let root = t.root(n);
        for i in sample(n, 300, &mut rng) {
            let leaf = t.leaves[i as usize];
            let ours = merkle::inclusion_proof(&t.ours, i, n).unwrap();
            let theirs = tt::prove_record(n, i, &t.theirs).unwrap();
            assert_eq!(ours, from_tt(&theirs), "index {i} in size {n}");
            tt::check_record(&to_tt(&ours), n, root, i, tt::Hash(leaf))
                .unwrap_or_else(|e| panic!("tlog_tiles refuses our proof of {i} in {n}: {e}"));
            merkle::verify_inclusion(i, n, &leaf, &from_tt(&theirs), &root.0).unwrap();
            if i % 7 == 0 && !ours.is_empty() {
                // Both refuse the same damaged proof.
                let mut bad = ours.clone();
                bad[0][0] ^= 1;
                assert!(tt::check_record(&to_tt(&bad), n, root, i, tt::Hash(leaf)).is_err());
                assert!(merkle::verify_inclusion(i, n, &leaf, &bad, &root.0).is_err());
                bad.pop();
                assert!(tt::check_record(&to_tt(&bad), n, root, i, tt::Hash(leaf)).is_err());
                assert!(merkle::verify_inclusion(i, n, &leaf, &bad, &root.0).is_err());
            }
        }
    }
    // The crate's own in-memory source gives the same proofs.
    for (i, n) in [(0, 1), (5, 8), (200, 257), (599, 600), (300, 511)] {
        let leaves = merkle::Leaves(&t.leaves);
        assert_eq!(
            merkle::inclusion_proof(&leaves, i, n).unwrap(),
            from_tt(&tt::prove_record(n, i, &t.theirs).unwrap())
        );
    }
}

#[test]
fn consistency_proofs_are_byte_identical_to_tlog_tiles_and_each_side_accepts_the_others() {
    let t = Trees::random(3, 600);
    let mut rng = StdRng::seed_from_u64(30);
    for n in 1..=600u64 {
        let root = t.root(n);
        // tlog_tiles only proves from a non-empty tree; the empty tree's proof is empty for us.
        assert!(merkle::consistency_proof(&t.ours, 0, n).unwrap().is_empty());
        for m in sample(n + 1, 200, &mut rng).into_iter().filter(|&m| m >= 1) {
            let old = t.root(m);
            let ours = merkle::consistency_proof(&t.ours, m, n).unwrap();
            let theirs = tt::prove_tree(n, m, &t.theirs).unwrap();
            assert_eq!(ours, from_tt(&theirs), "{m} → {n}");
            tt::check_tree(&to_tt(&ours), n, root, m, old)
                .unwrap_or_else(|e| panic!("tlog_tiles refuses our proof {m} → {n}: {e}"));
            merkle::verify_consistency(m, n, &from_tt(&theirs), &old.0, &root.0).unwrap();
            if m < n && m % 5 == 0 {
                let mut bad = ours.clone();
                let last = bad.len() - 1;
                bad[last][31] ^= 0x80;
                assert!(tt::check_tree(&to_tt(&bad), n, root, m, old).is_err());
                assert!(merkle::verify_consistency(m, n, &bad, &old.0, &root.0).is_err());
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Tiles.

const TILE_INDEXES: [u64; 12] = [
    0,
    1,
    7,
    999,
    1000,
    1001,
    123_456,
    1_234_067,
    999_999_999,
    1_000_000_000,
    u64::MAX >> 8,
    u64::MAX,
];

#[test]
fn tile_and_entry_bundle_paths_agree_with_tlog_tiles_apart_from_its_height_segment() {
    // tlog_tiles writes Go sumdb paths, `tile/<H>/<L>/<N>[.p/<W>]` and `tile/<H>/data/<N>…`.
    // C2SP tlog-tiles fixes H = 8 and leaves it out, and names entry bundles
    // `tile/entries/<N>…`. What must agree is everything after those segments.
    for level in 0..=7u8 {
        for index in TILE_INDEXES {
            for width in [1u16, 2, 99, 100, 255, 256] {
                let ours = TileId {
                    level,
                    index,
                    width,
                };
                let path = ours.path();
                let rest = path.strip_prefix("tile/").expect("tile/ prefix");
                let theirs = tt::Tile::new(8, level, index, u32::from(width), false);
                assert_eq!(theirs.path(), format!("tile/8/{rest}"));
                assert_eq!(tiles::parse_path(rest), Ok(TilePath::Hashes(ours)));
                assert_eq!(tt::Tile::from_path(&theirs.path()).unwrap(), theirs);

                let entries = tiles::entries_path(index, width);
                let data = tt::Tile::new(8, 0, index, u32::from(width), true).path();
                assert_eq!(
                    data.strip_prefix("tile/8/data/"),
                    entries.strip_prefix("tile/entries/"),
                    "{data} vs {entries}"
                );
                assert_eq!(
                    tiles::parse_path(entries.strip_prefix("tile/").unwrap()),
                    Ok(TilePath::Entries { index, width })
                );
            }
        }
    }
    // Spellings tlog_tiles refuses as non-canonical, we refuse too.
    for bad in [
        "0/x000/001",
        "0/01",
        "0/0001",
        "0/001.p/256",
        "0/001.p/07",
        "00/001",
    ] {
        assert!(tiles::parse_path(bad).is_err(), "{bad}");
        assert!(
            tt::Tile::from_path(&format!("tile/8/{bad}")).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn tile_widths_for_a_tree_size_agree_with_tlog_tiles() {
    let mut rng = StdRng::seed_from_u64(4);
    let mut sizes: Vec<u64> = vec![
        1, 2, 255, 256, 257, 511, 512, 65_535, 65_536, 65_537, 70_000,
    ];
    // (new_tiles lists every tile of the tree, so keep the trees to a few thousand tiles.)
    sizes.extend((0..40).map(|_| rng.random_range(1..2_000_000u64)));
    for size in sizes {
        // Every tile of the tree, as tlog_tiles lists them for publishing from the empty tree.
        let all = tt::Tile::new_tiles(8, 0, size);
        let mut last: HashMap<u8, TileId> = HashMap::new();
        for t in &all {
            let ours = TileId::at(t.level(), t.level_index(), size)
                .unwrap_or_else(|| panic!("{t:?} missing in a tree of {size}"));
            assert_eq!(u32::from(ours.width), t.width(), "{t:?} in {size}");
            last.insert(t.level(), ours);
        }
        let mut want: Vec<TileId> = last.into_values().collect();
        want.sort();
        let mut got = Edge::last_tiles(size);
        got.sort();
        assert_eq!(got, want, "last tiles of {size}");
        if size == 70_000 {
            // The example in C2SP tlog-tiles: 273 full level-0 tiles, a level-0 partial of 112,
            // a full level-1 tile, a level-1 partial of 17 and a level-2 partial of 1.
            assert_eq!(all.len(), 273 + 1 + 1 + 1 + 1);
            let widths: Vec<u16> = Edge::last_tiles(size).iter().map(|t| t.width).collect();
            assert_eq!(widths, [112, 17, 1]);
        }
    }
}

/// Our stored tiles, served to tlog_tiles' authenticating reader.
struct OurTiles<'a>(&'a HashMap<(u8, u64), Vec<u8>>);

impl tt::TileReader for OurTiles<'_> {
    fn height(&self) -> u8 {
        8
    }
    fn read_tiles(&self, tiles: &[tt::Tile]) -> Result<Vec<Vec<u8>>, tt::Error> {
        tiles
            .iter()
            .map(|t| {
                let bytes = self
                    .0
                    .get(&(t.level(), t.level_index()))
                    .ok_or(tt::Error::InvalidTile)?;
                bytes
                    .get(..t.width() as usize * 32)
                    .map(<[u8]>::to_vec)
                    .ok_or(tt::Error::InvalidTile)
            })
            .collect()
    }
    fn save_tiles(&self, _: &[tt::Tile], _: &[Vec<u8>]) {}
}

#[test]
fn tiles_written_by_the_edge_are_the_tiles_tlog_tiles_reads_across_256_and_65536() {
    let mut rng = StdRng::seed_from_u64(5);
    let boundaries = [
        255u64, 256, 257, 511, 512, 513, 65_535, 65_536, 65_537, 65_792,
    ];
    let end = 65_800u64;
    let mut theirs = TlogStore::default();
    let mut edge = Edge::new();
    let mut stored: HashMap<(u8, u64), Vec<u8>> = HashMap::new();
    let mut size = 0u64;
    while size < end {
        let mut next = (size + rng.random_range(1..=700)).min(end);
        if let Some(&b) = boundaries.iter().find(|&&b| b > size && b < next) {
            next = b;
        }
        for i in size..next {
            let d = i.to_be_bytes();
            theirs.append(&d);
            edge.append(merkle::leaf_hash(&d));
        }
        let changed = edge.take_changed();
        // The same tiles as tlog_tiles says a publisher must write from `size` to `next`…
        let got: BTreeSet<(u8, u64, u32)> = changed
            .iter()
            .map(|(l, n, b)| (*l, *n, (b.len() / 32) as u32))
            .collect();
        assert_eq!(
            got.len(),
            changed.len(),
            "a tile written twice in one batch"
        );
        let want: BTreeSet<(u8, u64, u32)> = tt::Tile::new_tiles(8, size, next)
            .iter()
            .map(|t| (t.level(), t.level_index(), t.width()))
            .collect();
        assert_eq!(got, want, "tiles changed from {size} to {next}");
        // …holding the same bytes as tlog_tiles reads out of its own storage.
        for (l, n, bytes) in changed {
            let t = tt::Tile::new(8, l, n, (bytes.len() / 32) as u32, false);
            assert_eq!(t.read_data(&theirs).unwrap(), bytes, "{}", t.path());
            stored.insert((l, n), bytes);
        }
        size = next;
        let root = tt::tree_hash(size, &theirs).unwrap();
        assert_eq!(edge.root(), root.0, "size {size}");

        if boundaries.contains(&size) || size == end {
            // tlog_tiles authenticates our tiles against the root, then proves from them.
            let reader = OurTiles(&stored);
            let thr = tt::TileHashReader::new(size, root, &reader);
            assert_eq!(tt::tree_hash(size, &thr).unwrap(), root);
            let mut picks: Vec<u64> = vec![0, size - 1, size / 2];
            picks.extend((0..4).map(|_| rng.random_range(0..size)));
            for i in picks {
                let theirs_proof = tt::prove_record(size, i, &thr).unwrap();
                let rec = TileRecorder::default();
                merkle::inclusion_proof(&rec, i, size).unwrap();
                let set = tile_set(&stored, rec.tiles(), size);
                assert_eq!(
                    merkle::inclusion_proof(&set, i, size).unwrap(),
                    from_tt(&theirs_proof),
                    "index {i} in {size}"
                );
                let old = i + 1;
                let rec = TileRecorder::default();
                merkle::consistency_proof(&rec, old, size).unwrap();
                let set = tile_set(&stored, rec.tiles(), size);
                assert_eq!(
                    merkle::consistency_proof(&set, old, size).unwrap(),
                    from_tt(&tt::prove_tree(size, old, &thr).unwrap()),
                    "{old} → {size}"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Checkpoints.

fn random_line(rng: &mut StdRng, max: usize) -> String {
    const CHARS: &[char] = &[
        'a', 'z', 'A', 'Z', '0', '9', '/', '.', ':', '-', '_', '=', '+', ' ', '~', '证', '据', '—',
    ];
    let len = rng.random_range(1..=max);
    (0..len)
        .map(|_| CHARS[rng.random_range(0..CHARS.len())])
        .collect()
}

#[test]
fn checkpoints_are_byte_identical_to_tlog_tiles_and_parse_both_ways() {
    let mut rng = StdRng::seed_from_u64(6);
    let origins = [
        "example.com/behind-the-sofa",
        "gaotang.example/ledger",
        "法院.example/证据",
        "a",
        "oid/1.3.6.1.4.1",
        "x.example/log?q=1&r=—",
    ];
    for i in 0..400 {
        let origin = origins[i % origins.len()];
        let size = match i % 5 {
            0 => 0,
            1 => u64::MAX,
            2 => rng.random_range(0..1000),
            _ => rng.random(),
        };
        let root: Hash = rng.random();
        let extensions: Vec<String> = (0..rng.random_range(0..3))
            .map(|_| random_line(&mut rng, 30))
            .collect();
        let mut ours = Checkpoint::new(origin, size, root);
        ours.extensions = extensions.clone();
        let ext: String = extensions.iter().map(|e| format!("{e}\n")).collect();
        let theirs = tt::Checkpoint::new(origin, size, tt::Hash(root), &ext).unwrap();
        assert_eq!(ours.to_text().as_bytes(), theirs.to_bytes());
        assert_eq!(
            tt::Checkpoint::from_bytes(ours.to_text().as_bytes()).unwrap(),
            theirs
        );
        let back = Checkpoint::parse(std::str::from_utf8(&theirs.to_bytes()).unwrap()).unwrap();
        assert_eq!(back, ours);
    }

    let r = B64.encode([7u8; 32]);
    let bad = [
        format!("o\n01\n{r}\n"),                      // leading zero
        format!("o\n1\n{r}"),                         // no final newline
        format!("o\n-1\n{r}\n"),                      // sign
        format!("o\n+1\n{r}\n"),                      // sign
        format!("o\n 1\n{r}\n"),                      // space
        format!("o\n18446744073709551616\n{r}\n"),    // 2^64
        format!("\n1\n{r}\n"),                        // empty origin
        format!("o\n1\n{}\n", B64.encode([7u8; 31])), // short hash
        format!("o\n1\n{}\n", B64.encode([7u8; 33])), // long hash
        format!("o\n1\n{}\n", &r[..r.len() - 1]),     // unpadded
        format!("o\n1\n{r}\nextension\n\n"),          // empty extension line
        "o\n1\n".to_string(),                         // no root
        "o\n".to_string(),
        String::new(),
    ];
    for b in bad {
        assert!(Checkpoint::parse(&b).is_err(), "we accept {b:?}");
        assert!(
            tt::Checkpoint::from_bytes(b.as_bytes()).is_err(),
            "tlog_tiles accepts {b:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Signed notes and keys.

/// `type byte ‖ public key` of a verifier key, from its text form (`name+id+base64`, where the
/// base64 may itself hold `+`).
fn key_bytes(vkey: &str) -> Vec<u8> {
    B64.decode(vkey.splitn(3, '+').nth(2).unwrap()).unwrap()
}

fn their_list(vkeys: &[&str]) -> sn::VerifierList {
    sn::VerifierList::new(
        vkeys
            .iter()
            .map(|k| Box::new(sn::StandardVerifier::new(k).unwrap()) as Box<dyn sn::Verifier>)
            .collect(),
    )
}

#[test]
fn notes_we_sign_with_ed25519_verify_with_signed_note_next_to_sm2_and_cosignatures() {
    let log = SignerKey::generate("gaotang.example/ledger", Algorithm::Ed25519).unwrap();
    let sm2 = SignerKey::generate("gaotang.example/ledger", Algorithm::Sm2).unwrap();
    let witness = SignerKey::generate("court.example/witness", Algorithm::Cosignature).unwrap();
    let text = Checkpoint::new("gaotang.example/ledger", 42, [9; 32]).to_text();
    let mut note = Note {
        text: text.clone(),
        signatures: vec![],
    };
    note.add(log.sign(text.as_bytes(), None));
    note.add(sm2.sign(text.as_bytes(), None));
    note.add(witness.sign(text.as_bytes(), Some(1_764_000_000)));
    let bytes = note.to_text();

    // Key IDs and verifier key text agree.
    let vkey = log.verifier().to_string();
    let kb = key_bytes(&vkey);
    assert_eq!(kb[0], 0x01);
    assert_eq!(sn::key_id(log.name(), &kb), log.verifier().id());
    let dalek = ed25519_dalek::VerifyingKey::from_bytes(kb[1..].try_into().unwrap()).unwrap();
    assert_eq!(sn::new_ed25519_verifier_key(log.name(), &dalek), vkey);
    for k in [sm2.verifier(), witness.verifier()] {
        let s = k.to_string();
        assert_eq!(sn::key_id(k.name(), &key_bytes(&s)), k.id(), "{s}");
    }
    // signed_note does not know SM2 (0xff) or cosignature (0x04) keys, and says so.
    assert!(matches!(
        sn::StandardVerifier::new(&sm2.verifier().to_string()),
        Err(sn::VerifierError::Alg)
    ));
    assert!(matches!(
        sn::StandardVerifier::new(&witness.verifier().to_string()),
        Err(sn::VerifierError::Alg)
    ));

    // It parses our note, re-encodes it byte for byte, verifies the Ed25519 signature and
    // ignores the SM2 and cosignature lines as signatures from unknown keys.
    let theirs = sn::Note::from_bytes(bytes.as_bytes()).unwrap();
    assert_eq!(theirs.to_bytes(), bytes.as_bytes());
    assert_eq!(theirs.text(), text.as_bytes());
    let (verified, unverified) = theirs.verify(&their_list(&[&vkey])).unwrap();
    assert_eq!(verified.len(), 1);
    assert_eq!(verified[0].name(), log.name());
    assert_eq!(verified[0].id(), log.verifier().id());
    assert_eq!(unverified.len(), 2);

    // A changed text is refused by both.
    let forged = bytes.replacen("\n42\n", "\n43\n", 1);
    let err = sn::Note::from_bytes(forged.as_bytes())
        .unwrap()
        .verify(&their_list(&[&vkey]))
        .unwrap_err();
    assert!(
        matches!(err, sn::NoteError::InvalidSignature { .. }),
        "{err}"
    );
    assert!(matches!(
        Note::parse(forged.as_bytes())
            .unwrap()
            .verify(std::slice::from_ref(log.verifier())),
        Err(NoteError::BadSignature { .. })
    ));
}

#[test]
fn notes_signed_by_signed_note_verify_with_our_keys_and_keys_convert_both_ways() {
    let mut rng = rand_core_06::OsRng;
    for name in ["example.com/log", "法院.example/见证", "a"] {
        let (skey, vkey) = sn::generate_key(&mut rng, name);
        let signer = sn::StandardSigner::new(&skey).unwrap();
        let text = b"example.com/log\n7\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
        let mut theirs = sn::Note::new(text, &[]).unwrap();
        theirs.add_sigs(&[&signer]).unwrap();
        let bytes = theirs.to_bytes();

        let ours_v = VerifierKey::parse(&vkey).unwrap();
        assert_eq!(ours_v.to_string(), vkey);
        assert_eq!(ours_v.algorithm(), Algorithm::Ed25519);
        assert_eq!(ours_v.id(), sn::key_id(name, &key_bytes(&vkey)));
        assert_eq!(
            ours_v.id(),
            note::key_id(name, Algorithm::Ed25519, &key_bytes(&vkey)[1..])
        );
        let parsed = Note::parse(&bytes).unwrap();
        assert_eq!(parsed.to_text().as_bytes(), bytes);
        let ok = parsed.verify(std::slice::from_ref(&ours_v)).unwrap();
        assert_eq!(ok.len(), 1);

        // Their private key works as ours and signs the same bytes (Ed25519 is deterministic);
        // ours works as theirs.
        let ours_s = SignerKey::parse(&skey).unwrap();
        assert_eq!(ours_s.to_private_string(), skey);
        assert_eq!(ours_s.verifier(), &ours_v);
        let ours_sig = ours_s.sign(text, None);
        assert_eq!(parsed.signatures, vec![ours_sig.clone()]);
        let again = sn::StandardSigner::new(&ours_s.to_private_string()).unwrap();
        assert_eq!(sn::Signer::key_id(&again), ours_v.id());
        assert_eq!(sn::Signer::sign(&again, text).unwrap(), ours_sig.bytes);
        assert_eq!(
            sn::Signature::from_bytes(ours_sig.line().trim_end().as_bytes())
                .unwrap()
                .to_bytes(),
            ours_sig.line().as_bytes()
        );

        // A key of the same name with another ID, or the right ID under another name, is
        // ignored, not tried (signed-note: "even if they share a name or ID (but not both)").
        let (_, other) = sn::generate_key(&mut rng, name);
        let other = VerifierKey::parse(&other).unwrap();
        assert_eq!(
            parsed.verify(std::slice::from_ref(&other)).unwrap_err(),
            NoteError::NoTrustedSignature
        );
        let mut renamed = parsed.clone();
        renamed.signatures[0].name = "other.example".into();
        assert_eq!(
            renamed.verify(std::slice::from_ref(&ours_v)).unwrap_err(),
            NoteError::NoTrustedSignature
        );
    }
}

#[test]
fn malformed_notes_are_refused_by_both() {
    let k = SignerKey::generate("k.example", Algorithm::Ed25519).unwrap();
    let good = {
        let mut n = Note {
            text: "hello\n".into(),
            signatures: vec![],
        };
        n.add(k.sign(b"hello\n", None));
        n.to_text()
    };
    let sig = good.rsplit_once("\n\n").unwrap().1.to_string();
    let bad = [
        "hello\n".to_string(),                              // no signatures
        format!("hello\n\n{}", sig.trim_end()),             // no final newline
        format!("hello\n\n{}", sig.replacen('—', "-", 1)),  // not an em dash
        format!("hel\x01lo\n\n{sig}"),                      // control character
        format!("hello\n\n{}", sig.replacen(' ', "  ", 1)), // two spaces
        "hello\n\n— k.example\n".to_string(),               // no signature
        "hello\n\n— k.example AAAA\n".to_string(),          // signature too short
        "hello\n\n— k+x AAAAAAAA\n".to_string(),            // plus in the name
        format!("hello\n\n{sig}\n"),                        // trailing blank line
    ];
    for b in bad {
        assert!(Note::parse(b.as_bytes()).is_err(), "we accept {b:?}");
        assert!(
            sn::Note::from_bytes(b.as_bytes()).is_err(),
            "signed_note accepts {b:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Witness cosignatures (C2SP tlog-cosignature v1, Ed25519).

/// A tlog-cosignature/v1 verifier written from the spec, for signed_note.
struct CosignatureV1 {
    name: String,
    id: u32,
    key: ed25519_dalek::VerifyingKey,
}

impl sn::Verifier for CosignatureV1 {
    fn name(&self) -> &str {
        &self.name
    }
    fn key_id(&self) -> u32 {
        self.id
    }
    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        let Some((time, sig)) = sig.split_first_chunk::<8>() else {
            return false;
        };
        let Ok(sig) = ed25519_dalek::Signature::from_slice(sig) else {
            return false;
        };
        let mut m = format!("cosignature/v1\ntime {}\n", u64::from_be_bytes(*time)).into_bytes();
        m.extend_from_slice(msg);
        self.key.verify(&m, &sig).is_ok()
    }
}

#[test]
fn cosignatures_sign_the_tlog_cosignature_v1_message_with_a_big_endian_timestamp() {
    let name = "court.example/witness";
    let w = SignerKey::generate(name, Algorithm::Cosignature).unwrap();
    let vkey = w.verifier().to_string();
    let kb = key_bytes(&vkey);
    assert_eq!(kb.len(), 33);
    assert_eq!(kb[0], 0x04, "cosignature keys use signature type 0x04");
    let public: [u8; 32] = kb[1..].try_into().unwrap();
    // Key ID = SHA-256(name ‖ "\n" ‖ 0x04 ‖ public key)[:4], computed by hand.
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([0x04]);
    h.update(public);
    let d = h.finalize();
    assert_eq!(
        w.verifier().id(),
        u32::from_be_bytes([d[0], d[1], d[2], d[3]])
    );
    assert_eq!(w.verifier().id(), sn::key_id(name, &kb));

    let dalek = ed25519_dalek::VerifyingKey::from_bytes(&public).unwrap();
    let text = Checkpoint::new("example.com/behind-the-sofa", 20_852_163, [3; 32]).to_text();
    for time in [0u64, 1, 1_679_315_147, (1 << 63) - 1] {
        let sig = w.sign(text.as_bytes(), Some(time));
        assert_eq!(sig.name, name);
        assert_eq!(sig.id, w.verifier().id());
        assert_eq!(
            sig.bytes.len(),
            8 + 64,
            "timestamped_signature: u64 ‖ 64 bytes"
        );
        assert_eq!(sig.bytes[..8], time.to_be_bytes());
        let ed = ed25519_dalek::Signature::from_slice(&sig.bytes[8..]).unwrap();
        let message = format!("cosignature/v1\ntime {time}\n{text}");
        dalek.verify(message.as_bytes(), &ed).unwrap();
        // Domain separation: it is not a plain Ed25519 signature of the checkpoint.
        assert!(dalek.verify(text.as_bytes(), &ed).is_err());
        // Our verifier gives the time back.
        let v = VerifierKey::parse(&vkey).unwrap();
        assert_eq!(v.verify(text.as_bytes(), &sig.bytes), Ok(Some(time)));
        // A changed time breaks it.
        let mut moved = sig.bytes.clone();
        moved[7] ^= 1;
        assert!(v.verify(text.as_bytes(), &moved).is_err());
    }

    // signed_note, given a cosignature/v1 verifier written from the spec, verifies the log's
    // Ed25519 signature and the cosignature on a note we put together.
    let log = SignerKey::generate("example.com/behind-the-sofa", Algorithm::Ed25519).unwrap();
    let mut note = Note {
        text: text.clone(),
        signatures: vec![],
    };
    note.add(log.sign(text.as_bytes(), None));
    note.add(w.sign(text.as_bytes(), Some(1_679_315_147)));
    let theirs = sn::Note::from_bytes(note.to_text().as_bytes()).unwrap();
    let list = sn::VerifierList::new(vec![
        Box::new(sn::StandardVerifier::new(&log.verifier().to_string()).unwrap()),
        Box::new(CosignatureV1 {
            name: name.into(),
            id: sn::key_id(name, &kb),
            key: dalek,
        }),
    ]);
    let (verified, unverified) = theirs.verify(&list).unwrap();
    assert_eq!(verified.len(), 2);
    assert!(unverified.is_empty());

    // And a cosignature line parses as a signature line on both sides.
    let line = w.sign(text.as_bytes(), Some(5)).line();
    let parsed = Signature::parse_line(line.trim_end()).unwrap();
    let their = sn::Signature::from_bytes(line.trim_end().as_bytes()).unwrap();
    assert_eq!(their.signature(), parsed.bytes);
    assert_eq!(their.id(), parsed.id);
}
