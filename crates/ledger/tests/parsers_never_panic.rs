//! A stable-toolchain stand-in for the cargo-fuzz targets in `fuzz/`: every parser gets a few
//! thousand inputs — arbitrary bytes, and valid samples mutated (bit flips, inserted tokens such
//! as newlines, em dashes and `+`, deletions, duplications, truncation) — and must return, never
//! panic. When a parser accepts an input, writing the value back out gives the input again.

use std::sync::OnceLock;

use proptest::prelude::*;

#[path = "../../../testsupport/mutate.rs"]
mod mutate;
use mutate::{apply, mutation};

use shoumi_ledger::Checkpoint;
use shoumi_ledger::entry::Entry;
use shoumi_ledger::note::{Note, SignerKey, VerifierKey};
use shoumi_ledger::policy::Verifier;
use shoumi_ledger::proof_file::TlogProof;
use shoumi_ledger::tiles::{self, ExpandedTile, TilePath};
use shoumi_ledger::witness::AddCheckpoint;

mod common;
use common::{Log, keys};

/// Valid inputs for each parser, to mutate.
struct Samples {
    notes: Vec<Vec<u8>>,
    checkpoints: Vec<Vec<u8>>,
    proofs: Vec<Vec<u8>>,
    entries: Vec<Vec<u8>>,
    tile_paths: Vec<Vec<u8>>,
    bundles: Vec<Vec<u8>>,
    tiles: Vec<Vec<u8>>,
    witness_bodies: Vec<Vec<u8>>,
    verifier_keys: Vec<Vec<u8>>,
    signer_keys: Vec<Vec<u8>>,
}

fn samples() -> &'static Samples {
    static S: OnceLock<Samples> = OnceLock::new();
    S.get_or_init(|| {
        let docs = common::docs(300);
        let log = Log::build(&docs);
        let one = Log::build(&docs[..1]);
        let k = keys();
        let proof = log.proof(257);
        let mut bare = one.proof(0);
        bare.extra = None;
        let note = Note::parse(log.note.as_bytes()).unwrap();
        let mut with_ext = Checkpoint::parse(&note.text).unwrap();
        with_ext.extensions = vec!["ext one".into(), "— two +".into()];
        let entries: Vec<Vec<u8>> = log.entries.iter().take(4).map(Entry::encode).collect();
        Samples {
            notes: vec![
                log.note.clone().into_bytes(),
                one.note.clone().into_bytes(),
                "If you think cryptography is the answer to your problem,\n\
                 then you don't know what your problem is.\n\
                 \n\
                 — PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
                    .as_bytes()
                    .to_vec(),
            ],
            checkpoints: vec![note.text.clone().into_bytes(), with_ext.to_text().into_bytes()],
            proofs: vec![proof.to_text().into_bytes(), bare.to_text().into_bytes()],
            entries: entries.clone(),
            tile_paths: [
                "0/000",
                "0/001.p/17",
                "1/x001/x234/067",
                "7/x018/x446/x744/x073/x709/x551/615.p/255",
                "entries/x001/000.p/3",
                "entries/999",
            ]
            .iter()
            .map(|p| p.as_bytes().to_vec())
            .collect(),
            bundles: vec![
                tiles::encode_bundle(entries.iter().map(Vec::as_slice)),
                tiles::encode_bundle([&b""[..], b"x"]),
            ],
            tiles: vec![
                log.stored[&(0, 0)].clone(),
                log.stored[&(0, 1)].clone(),
                log.stored[&(1, 0)].clone(),
            ],
            witness_bodies: vec![
                AddCheckpoint {
                    old: 0,
                    proof: vec![],
                    checkpoint: log.note.clone(),
                }
                .to_body()
                .into_bytes(),
                AddCheckpoint {
                    old: 200,
                    proof: proof.hashes.clone(),
                    checkpoint: log.note.clone(),
                }
                .to_body()
                .into_bytes(),
            ],
            verifier_keys: [
                k.log_ed25519.verifier(),
                k.log_sm2.verifier(),
                k.witnesses[0].verifier(),
            ]
            .iter()
            .map(|v| v.to_string().into_bytes())
            .collect(),
            signer_keys: [&k.log_ed25519, &k.log_sm2, &k.witnesses[0]]
                .iter()
                .map(|s| s.to_private_string().into_bytes())
                .collect(),
        }
    })
}

const TOKENS: &[&[u8]] = &[
    b"\n",
    b"\n\n",
    "— ".as_bytes(),
    "—".as_bytes(),
    b" ",
    b"+",
    b"0",
    b"00",
    b"=",
    b"==",
    b"x",
    b"x000/",
    b".p/",
    b".p/0",
    b"/",
    b"\xff",
    b"\xe2\x80",
    b"\x00",
    b"\r",
    b"extra ",
    b"index ",
    b"old ",
    b"PRIVATE+KEY+",
    b"AAAA",
    b"////",
    b"18446744073709551615",
    b"18446744073709551616",
    b"999",
    b"entries/",
];

/// Arbitrary bytes (a quarter) or a valid sample with up to five mutations.
fn inputs(valid: &[Vec<u8>]) -> impl Strategy<Value = Vec<u8>> + use<> {
    prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..400),
        3 => (
            prop::sample::select(valid.to_vec()),
            prop::collection::vec(mutation(TOKENS, 24, 64), 0..6),
        )
            .prop_map(|(mut s, ms)| {
                for m in &ms {
                    apply(&mut s, m);
                }
                s
            }),
    ]
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        // A failure shrinks to a small input; don't spend long on it.
        max_shrink_iters: 2048,
        ..ProptestConfig::default()
    }
}

#[test]
fn the_samples_being_mutated_are_valid() {
    let s = samples();
    for n in &s.notes {
        assert_eq!(Note::parse(n).unwrap().to_text().as_bytes(), n);
    }
    for c in &s.checkpoints {
        Checkpoint::parse(std::str::from_utf8(c).unwrap()).unwrap();
    }
    for p in &s.proofs {
        TlogProof::parse(p).unwrap();
    }
    for e in &s.entries {
        Entry::parse(e).unwrap();
    }
    for p in &s.tile_paths {
        tiles::parse_path(std::str::from_utf8(p).unwrap()).unwrap();
    }
    for b in &s.bundles {
        tiles::decode_bundle(b).unwrap();
    }
    for t in &s.tiles {
        ExpandedTile::new(t).unwrap();
    }
    for b in &s.witness_bodies {
        AddCheckpoint::parse(b).unwrap();
    }
    for k in &s.verifier_keys {
        VerifierKey::parse(std::str::from_utf8(k).unwrap()).unwrap();
    }
    for k in &s.signer_keys {
        SignerKey::parse(std::str::from_utf8(k).unwrap()).unwrap();
    }
    Verifier::new(keys().policy(3))
        .verify(&s.proofs[0], None)
        .unwrap();
}

proptest! {
    #![proptest_config(config(3000))]

    #[test]
    fn signed_notes(input in inputs(&samples().notes)) {
        if let Ok(n) = Note::parse(&input) {
            prop_assert_eq!(n.to_text().into_bytes(), input);
        }
    }

    #[test]
    fn checkpoints(input in inputs(&samples().checkpoints)) {
        if let Ok(text) = std::str::from_utf8(&input)
            && let Ok(c) = Checkpoint::parse(text)
        {
            prop_assert_eq!(c.to_text(), text);
        }
    }

    #[test]
    fn proof_files(input in inputs(&samples().proofs)) {
        if let Ok(p) = TlogProof::parse(&input) {
            prop_assert_eq!(p.to_text().into_bytes(), input);
        }
    }

    #[test]
    fn entries(input in inputs(&samples().entries)) {
        if let Ok(e) = Entry::parse(&input) {
            prop_assert_eq!(e.encode(), input);
        }
    }

    #[test]
    fn tile_paths(input in inputs(&samples().tile_paths)) {
        let Ok(rest) = std::str::from_utf8(&input) else { return Ok(()) };
        match tiles::parse_path(rest) {
            Ok(TilePath::Hashes(t)) => prop_assert_eq!(t.path(), format!("tile/{rest}")),
            Ok(TilePath::Entries { index, width }) => {
                prop_assert_eq!(tiles::entries_path(index, width), format!("tile/{rest}"))
            }
            Err(_) => {}
        }
    }

    #[test]
    fn entry_bundles(input in inputs(&samples().bundles)) {
        if let Ok(v) = tiles::decode_bundle(&input) {
            prop_assert_eq!(tiles::encode_bundle(v), input);
        }
    }

    #[test]
    fn tiles_of_hashes(input in inputs(&samples().tiles)) {
        match ExpandedTile::new(&input) {
            Ok(t) => {
                prop_assert!(input.len() % 32 == 0 && input.len() <= 256 * 32);
                prop_assert_eq!(t.width(), input.len() / 32);
                prop_assert_eq!(t.bottom().concat(), input);
            }
            // (Whether an empty tile is refused is left open: callers never ask.)
            Err(_) => prop_assert!(
                input.is_empty() || input.len() % 32 != 0 || input.len() > 256 * 32
            ),
        }
    }

    #[test]
    fn witness_requests(input in inputs(&samples().witness_bodies)) {
        if let Ok(r) = AddCheckpoint::parse(&input) {
            prop_assert_eq!(r.to_body().into_bytes(), input);
        }
    }

    #[test]
    fn verifier_keys(input in inputs(&samples().verifier_keys)) {
        let text = String::from_utf8_lossy(&input);
        if let Ok(k) = VerifierKey::parse(&text) {
            prop_assert_eq!(VerifierKey::parse(&k.to_string()), Ok(k));
        }
    }
}

proptest! {
    // An SM2 private key that survives the mutations costs a scalar multiplication.
    #![proptest_config(config(800))]

    #[test]
    fn signer_keys(input in inputs(&samples().signer_keys)) {
        let text = String::from_utf8_lossy(&input);
        if let Ok(k) = SignerKey::parse(&text) {
            let again = SignerKey::parse(&k.to_private_string()).unwrap();
            prop_assert_eq!(again.verifier(), k.verifier());
        }
    }
}

proptest! {
    // The whole verifier on mutated proof files: most get as far as the signatures (slow
    // unoptimised), so fewer cases. None may verify.
    #![proptest_config(config(150))]

    #[test]
    fn the_verifier_refuses_mutated_proof_files(
        input in (
            prop::sample::select(samples().proofs.clone()),
            prop::collection::vec(mutation(TOKENS, 24, 64), 1..4),
        ).prop_map(|(mut s, ms)| { for m in &ms { apply(&mut s, m); } s })
    ) {
        let verifier = Verifier::new(keys().policy(3));
        // Only the untouched proof verifies (mutations can cancel out: the same bit flipped
        // twice). Everything else is signed, or checked by the inclusion proof.
        if verifier.verify(&input, None).is_ok() {
            prop_assert_eq!(&input, &samples().proofs[0]);
        }
    }
}
