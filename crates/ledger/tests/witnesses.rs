//! Three in-process tlog-witness witnesses: quorum policies over their cosignatures, and every
//! refusal of C2SP tlog-witness `add-checkpoint` with its HTTP status.

use shoumi_ledger::merkle::{self, Hash, Leaves};
use shoumi_ledger::note::Signature;
use shoumi_ledger::policy::{Policy, Verifier, VerifyError};
use shoumi_ledger::witness::{AddCheckpoint, MAX_PROOF_LINES, Refusal, Seen, Witness};
use shoumi_ledger::{Algorithm, Checkpoint, Note, SignerKey, TlogProof, VerifierKey};

mod common;
use common::{NOW, ORIGIN, entry_for};

const NAMES: [&str; 3] = [
    "court.example/w",
    "procuratorate.example/w",
    "notary.example/w",
];

/// A log history: the encoded entries and their leaf hashes.
struct History {
    entries: Vec<Vec<u8>>,
    leaves: Vec<Hash>,
}

impl History {
    /// `n` entries; `fork_at` changes the entry at that index (another history).
    fn new(n: usize, fork_at: Option<usize>) -> History {
        let entries: Vec<Vec<u8>> = (0..n)
            .map(|i| {
                let doc = if Some(i) == fork_at {
                    format!("forged {i}")
                } else {
                    format!("doc {i}")
                };
                entry_for(i, doc.as_bytes()).encode()
            })
            .collect();
        let leaves = entries.iter().map(|e| merkle::leaf_hash(e)).collect();
        History { entries, leaves }
    }

    fn root(&self, size: u64) -> Hash {
        merkle::tree_root(&Leaves(&self.leaves), size).unwrap()
    }

    fn consistency(&self, old: u64, size: u64) -> Vec<Hash> {
        merkle::consistency_proof(&Leaves(&self.leaves), old, size).unwrap()
    }

    /// The checkpoint at `size`, signed by `key`, as note text.
    fn signed(&self, key: &SignerKey, size: u64) -> String {
        let text = Checkpoint::new(ORIGIN, size, self.root(size)).to_text();
        let mut note = Note {
            text: text.clone(),
            signatures: vec![],
        };
        note.add(key.sign(text.as_bytes(), None));
        note.to_text()
    }
}

struct Setup {
    log: SignerKey,
    witnesses: Vec<Witness>,
}

fn witness_key(i: usize) -> SignerKey {
    SignerKey::generate(NAMES[i], Algorithm::Cosignature).unwrap()
}

fn setup() -> Setup {
    let log = SignerKey::generate(ORIGIN, Algorithm::Ed25519).unwrap();
    let witnesses = (0..3)
        .map(|i| Witness::open(witness_key(i), vec![log.verifier().clone()], None).unwrap())
        .collect();
    Setup { log, witnesses }
}

fn body(old: u64, proof: Vec<Hash>, checkpoint: &str) -> Vec<u8> {
    AddCheckpoint {
        old,
        proof,
        checkpoint: checkpoint.to_string(),
    }
    .to_body()
    .into_bytes()
}

/// Adds the witness's cosignature lines to a note.
fn cosign(note: &str, response: &str) -> String {
    let mut n = Note::parse(note.as_bytes()).unwrap();
    for line in response.lines() {
        n.add(Signature::parse_line(line).unwrap());
    }
    n.to_text()
}

impl Setup {
    fn policy(&self, quorum: usize) -> Policy {
        Policy {
            origin: ORIGIN.into(),
            log_keys: vec![self.log.verifier().clone()],
            witnesses: self
                .witnesses
                .iter()
                .map(|w| w.verifier().clone())
                .collect(),
            quorum,
        }
    }
}

#[test]
fn two_of_three_witnesses_meet_a_quorum_of_two_and_three_names_the_one_that_was_down() {
    let s = setup();
    let a = History::new(30, None);
    let cp = a.signed(&s.log, 10);
    let req = body(0, vec![], &cp);
    // The third witness is down: never called.
    let mut note = cp.clone();
    for w in &s.witnesses[..2] {
        let response = w.add_checkpoint(&req, NOW).unwrap();
        assert_eq!(response.lines().count(), 1);
        assert!(response.starts_with(&format!("— {} ", w.verifier().name())));
        assert!(response.ends_with('\n'));
        note = cosign(&note, &response);
    }

    let trusted = s.policy(2).verify_checkpoint(note.as_bytes()).unwrap();
    assert_eq!(
        trusted.cosignatures,
        vec![(NAMES[0].to_string(), NOW), (NAMES[1].to_string(), NOW)]
    );
    assert_eq!(trusted.checkpoint.size, 10);

    let err = s.policy(3).verify_checkpoint(note.as_bytes()).unwrap_err();
    assert_eq!(
        err,
        VerifyError::Quorum {
            have: 2,
            need: 3,
            missing: vec![NAMES[2].to_string()]
        }
    );
    assert!(err.to_string().contains(NAMES[2]), "{err}");

    // The same through an offline proof of entry 4.
    let proof = TlogProof {
        extra: Some(a.entries[4].clone()),
        index: 4,
        hashes: merkle::inclusion_proof(&Leaves(&a.leaves), 4, 10).unwrap(),
        checkpoint: note.clone(),
    }
    .to_text();
    let ok = Verifier::new(s.policy(2))
        .verify(proof.as_bytes(), None)
        .unwrap();
    assert_eq!(ok.index, 4);
    assert!(matches!(
        Verifier::new(s.policy(3)).verify(proof.as_bytes(), None),
        Err(VerifyError::Quorum {
            have: 2,
            need: 3,
            ..
        })
    ));

    // The log grows: the two witnesses that saw size 10 need a proof from 10.
    let cp20 = a.signed(&s.log, 20);
    let req20 = body(10, a.consistency(10, 20), &cp20);
    let mut note20 = cp20.clone();
    for w in &s.witnesses[..2] {
        note20 = cosign(&note20, &w.add_checkpoint(&req20, NOW + 60).unwrap());
        assert_eq!(
            w.seen(ORIGIN),
            Some(Seen {
                size: 20,
                root: a.root(20)
            })
        );
    }
    // The third comes back up: it has seen nothing, says so, and takes the checkpoint from 0.
    let back = &s.witnesses[2];
    let refusal = back.add_checkpoint(&req20, NOW + 61).unwrap_err();
    assert_eq!(refusal, Refusal::Conflict(0));
    assert_eq!(refusal.status(), 409);
    note20 = cosign(
        &note20,
        &back
            .add_checkpoint(&body(0, vec![], &cp20), NOW + 62)
            .unwrap(),
    );
    let trusted = s.policy(3).verify_checkpoint(note20.as_bytes()).unwrap();
    assert_eq!(trusted.earliest_cosignature(), Some(NOW + 60));
}

#[test]
fn a_fork_at_the_same_size_is_a_409_and_the_witness_keeps_what_it_saw() {
    let s = setup();
    let w = &s.witnesses[0];
    let a = History::new(20, None);
    let b = History::new(20, Some(3));
    w.add_checkpoint(&body(0, vec![], &a.signed(&s.log, 10)), NOW)
        .unwrap();

    let refusal = w
        .add_checkpoint(&body(10, vec![], &b.signed(&s.log, 10)), NOW)
        .unwrap_err();
    assert_eq!(refusal, Refusal::Fork(10));
    assert_eq!(refusal.status(), 409);
    assert_eq!(
        w.seen(ORIGIN),
        Some(Seen {
            size: 10,
            root: a.root(10)
        })
    );

    // The same checkpoint again is fine (old size = size, same root).
    w.add_checkpoint(&body(10, vec![], &a.signed(&s.log, 10)), NOW + 1)
        .unwrap();
}

#[test]
fn a_larger_checkpoint_from_another_history_is_a_422_bad_proof() {
    let s = setup();
    let w = &s.witnesses[1];
    let a = History::new(20, None);
    let b = History::new(20, Some(3));
    w.add_checkpoint(&body(0, vec![], &a.signed(&s.log, 10)), NOW)
        .unwrap();

    // b's own consistency proof from its size 10: does not lead from a's root at 10.
    let refusal = w
        .add_checkpoint(&body(10, b.consistency(10, 20), &b.signed(&s.log, 20)), NOW)
        .unwrap_err();
    assert!(matches!(refusal, Refusal::BadProof(_)), "{refusal}");
    assert_eq!(refusal.status(), 422);
    // a's proof with b's checkpoint: does not lead to b's root.
    let refusal = w
        .add_checkpoint(&body(10, a.consistency(10, 20), &b.signed(&s.log, 20)), NOW)
        .unwrap_err();
    assert_eq!(refusal.status(), 422, "{refusal}");
    // No proof at all.
    let refusal = w
        .add_checkpoint(&body(10, vec![], &a.signed(&s.log, 20)), NOW)
        .unwrap_err();
    assert_eq!(refusal.status(), 422, "{refusal}");
    // A first checkpoint needs an empty proof.
    let fresh = &s.witnesses[2];
    let refusal = fresh
        .add_checkpoint(&body(0, a.consistency(10, 20), &a.signed(&s.log, 20)), NOW)
        .unwrap_err();
    assert_eq!(refusal.status(), 422, "{refusal}");

    assert_eq!(
        w.seen(ORIGIN),
        Some(Seen {
            size: 10,
            root: a.root(10)
        })
    );
    w.add_checkpoint(&body(10, a.consistency(10, 20), &a.signed(&s.log, 20)), NOW)
        .unwrap();
}

#[test]
fn a_stale_old_size_is_a_409_conflict_carrying_the_latest_size() {
    let s = setup();
    let w = &s.witnesses[0];
    let a = History::new(30, None);
    w.add_checkpoint(&body(0, vec![], &a.signed(&s.log, 10)), NOW)
        .unwrap();
    w.add_checkpoint(&body(10, a.consistency(10, 20), &a.signed(&s.log, 20)), NOW)
        .unwrap();

    for (old, size) in [(10, 15), (10, 25), (0, 25), (15, 25), (21, 25)] {
        let refusal = w
            .add_checkpoint(
                &body(old, a.consistency(old, size), &a.signed(&s.log, size)),
                NOW,
            )
            .unwrap_err();
        assert_eq!(refusal, Refusal::Conflict(20), "old {old}, size {size}");
        assert_eq!(refusal.status(), 409);
    }
    // An old size beyond the checkpoint's own size is a bad request.
    let refusal = w
        .add_checkpoint(&body(20, vec![], &a.signed(&s.log, 15)), NOW)
        .unwrap_err();
    assert_eq!(refusal.status(), 400, "{refusal}");
    assert_eq!(w.seen(ORIGIN).unwrap().size, 20);
}

#[test]
fn an_unknown_origin_is_a_404() {
    let s = setup();
    let other = SignerKey::generate("elsewhere.example/log", Algorithm::Ed25519).unwrap();
    let text = Checkpoint::new("elsewhere.example/log", 1, [1; 32]).to_text();
    let mut note = Note {
        text: text.clone(),
        signatures: vec![],
    };
    note.add(other.sign(text.as_bytes(), None));
    let refusal = s.witnesses[0]
        .add_checkpoint(&body(0, vec![], &note.to_text()), NOW)
        .unwrap_err();
    assert_eq!(
        refusal,
        Refusal::UnknownOrigin("elsewhere.example/log".into())
    );
    assert_eq!(refusal.status(), 404);
}

#[test]
fn a_checkpoint_without_a_valid_signature_from_the_log_is_a_403() {
    let s = setup();
    let w = &s.witnesses[0];
    let a = History::new(10, None);
    // Signed by an impostor under the log's name (another key ID): ignored, so unsigned.
    let impostor = SignerKey::generate(ORIGIN, Algorithm::Ed25519).unwrap();
    let refusal = w
        .add_checkpoint(&body(0, vec![], &a.signed(&impostor, 10)), NOW)
        .unwrap_err();
    assert_eq!(refusal, Refusal::BadSignature);
    assert_eq!(refusal.status(), 403);
    // The log's key, but the signature damaged.
    let mut note = Note::parse(a.signed(&s.log, 10).as_bytes()).unwrap();
    note.signatures[0].bytes[10] ^= 4;
    let refusal = w
        .add_checkpoint(&body(0, vec![], &note.to_text()), NOW)
        .unwrap_err();
    assert_eq!(refusal.status(), 403, "{refusal}");
    // The log's signature, on another text.
    let good = a.signed(&s.log, 10);
    let moved = good.replacen("\n10\n", "\n9\n", 1);
    let refusal = w.add_checkpoint(&body(0, vec![], &moved), NOW).unwrap_err();
    assert_eq!(refusal.status(), 403, "{refusal}");
    // A witness's cosignature is not the log's signature.
    let cosigned_only = {
        let mut n = Note::parse(good.as_bytes()).unwrap();
        n.signatures = vec![witness_key(1).sign(n.text.as_bytes(), Some(NOW))];
        n.to_text()
    };
    let refusal = w
        .add_checkpoint(&body(0, vec![], &cosigned_only), NOW)
        .unwrap_err();
    assert_eq!(refusal.status(), 403, "{refusal}");
    assert_eq!(w.seen(ORIGIN), None);
}

#[test]
fn more_than_63_proof_lines_and_malformed_bodies_are_a_400() {
    let s = setup();
    let w = &s.witnesses[0];
    let a = History::new(10, None);
    let cp = a.signed(&s.log, 10);
    let refusal = w
        .add_checkpoint(&body(0, vec![[7; 32]; MAX_PROOF_LINES + 1], &cp), NOW)
        .unwrap_err();
    assert!(matches!(refusal, Refusal::BadRequest(_)), "{refusal}");
    assert_eq!(refusal.status(), 400);
    // 63 lines are syntactically fine; this proof then fails as a proof.
    let refusal = w
        .add_checkpoint(&body(0, vec![[7; 32]; MAX_PROOF_LINES], &cp), NOW)
        .unwrap_err();
    assert_eq!(refusal.status(), 422, "{refusal}");

    let line = "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=";
    for bad in [
        format!("old 0\n{cp}"),                                      // no blank line
        format!("old 00\n\n{cp}"),                                   // leading zero
        format!("old -1\n\n{cp}"),                                   // sign
        format!("old  0\n\n{cp}"),                                   // two spaces
        format!("old 18446744073709551616\n\n{cp}"),                 // 2^64
        format!("0\n\n{cp}"),                                        // no `old`
        format!("old 0\n{}\n\n{cp}", &line[..43]),                   // not a hash
        format!("old 0\n{line}{line}\n\n{cp}"),                      // two hashes on a line
        "old 0\n\nnot a note\n".to_string(),                         // not a signed note
        format!("old 0\n\n{}", cp.replacen("\n10\n", "\n010\n", 1)), // bad checkpoint
    ] {
        let refusal = w.add_checkpoint(bad.as_bytes(), NOW).unwrap_err();
        assert_eq!(refusal.status(), 400, "{bad:?}: {refusal}");
    }
    let refusal = w.add_checkpoint(b"old 0\n\n\xff\n", NOW).unwrap_err();
    assert_eq!(refusal.status(), 400);
    assert_eq!(w.seen(ORIGIN), None);
}

#[test]
fn a_witness_with_a_state_file_remembers_across_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("witness-state.json");
    let log = SignerKey::generate(ORIGIN, Algorithm::Ed25519).unwrap();
    let key = witness_key(0).to_private_string();
    let logs: Vec<VerifierKey> = vec![log.verifier().clone()];
    let open =
        || Witness::open(SignerKey::parse(&key).unwrap(), logs.clone(), Some(&path)).unwrap();
    let a = History::new(30, None);

    let w = open();
    assert_eq!(w.seen(ORIGIN), None);
    w.add_checkpoint(&body(0, vec![], &a.signed(&log, 10)), NOW)
        .unwrap();
    assert!(path.exists());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(json[ORIGIN]["size"], 10);
    drop(w);

    let w = open();
    assert_eq!(
        w.seen(ORIGIN),
        Some(Seen {
            size: 10,
            root: a.root(10)
        })
    );
    // It still refuses what it refused before reopening: a rollback and a fork.
    assert_eq!(
        w.add_checkpoint(&body(0, vec![], &a.signed(&log, 5)), NOW)
            .unwrap_err(),
        Refusal::Conflict(10)
    );
    let b = History::new(30, Some(2));
    assert_eq!(
        w.add_checkpoint(&body(10, vec![], &b.signed(&log, 10)), NOW)
            .unwrap_err(),
        Refusal::Fork(10)
    );
    w.add_checkpoint(&body(10, a.consistency(10, 20), &a.signed(&log, 20)), NOW)
        .unwrap();
    drop(w);

    let w = open();
    assert_eq!(
        w.seen(ORIGIN),
        Some(Seen {
            size: 20,
            root: a.root(20)
        })
    );
    // Written atomically: no temporary file is left next to it.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["witness-state.json".to_string()]);

    // A damaged state file is an error at start-up, not a witness that forgot everything.
    std::fs::write(&path, "{ not json").unwrap();
    assert!(Witness::open(SignerKey::parse(&key).unwrap(), logs.clone(), Some(&path)).is_err());
}
