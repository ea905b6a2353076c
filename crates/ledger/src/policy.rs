//! Verification policy ("log key K, and 2 of these 3 witnesses") and offline verification of
//! `.tlog-proof` files (C2SP tlog-proof) whose `extra` line carries the ledger entry.

use std::collections::HashMap;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use crate::checkpoint::Checkpoint;
use crate::entry::{Digests, Entry};
use crate::merkle::{ProofError, leaf_hash, verify_inclusion};
use crate::note::{Note, NoteError, VerifierKey};
use crate::proof_file::TlogProof;

/// Whom a verifier trusts: every one of `log_keys` must have signed the checkpoint, and at
/// least `quorum` distinct `witnesses` must have cosigned it.
#[derive(Debug, Clone)]
pub struct Policy {
    pub origin: String,
    pub log_keys: Vec<VerifierKey>,
    pub witnesses: Vec<VerifierKey>,
    pub quorum: usize,
}

/// Why verification failed, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the proof file is malformed: {0}")]
    Malformed(String),
    #[error("the checkpoint is malformed: {0}")]
    Checkpoint(String),
    #[error("the checkpoint is from log {found:?}, not {expected:?}")]
    WrongOrigin { expected: String, found: String },
    #[error("the checkpoint is not signed by the log key {0}")]
    MissingLogSignature(String),
    #[error("a signature does not verify: {0}")]
    Signature(NoteError),
    #[error(
        "{have} of the required {need} witnesses cosigned the checkpoint; missing: {}",
        missing.join(", ")
    )]
    Quorum {
        have: usize,
        need: usize,
        missing: Vec<String>,
    },
    #[error("the proof carries no entry (no extra line)")]
    NoEntry,
    #[error("the entry in the proof is malformed: {0}")]
    Entry(String),
    #[error(
        "the document's SHA-256 does not match the registered entry: this is not the registered document"
    )]
    DocumentSha256,
    #[error(
        "the document's SM3 does not match the registered entry: this is not the registered document"
    )]
    DocumentSm3,
    #[error("the entry is not in the log at that index: {0}")]
    Inclusion(ProofError),
}

/// A checkpoint that satisfied the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedCheckpoint {
    pub checkpoint: Checkpoint,
    /// (key name, algorithm label) of each log signature that verified.
    pub log_signatures: Vec<(String, &'static str)>,
    /// (witness name, Unix time) of each cosignature that verified.
    pub cosignatures: Vec<(String, u64)>,
}

impl TrustedCheckpoint {
    /// The earliest witness time: the entry existed no later than this.
    pub fn earliest_cosignature(&self) -> Option<u64> {
        self.cosignatures.iter().map(|(_, t)| *t).min()
    }
}

impl Policy {
    pub fn verify_checkpoint(&self, note: &[u8]) -> Result<TrustedCheckpoint, VerifyError> {
        let note = Note::parse(note).map_err(|e| VerifyError::Checkpoint(e.to_string()))?;
        let checkpoint = Checkpoint::parse(&note.text).map_err(VerifyError::Checkpoint)?;
        if checkpoint.origin != self.origin {
            return Err(VerifyError::WrongOrigin {
                expected: self.origin.clone(),
                found: checkpoint.origin,
            });
        }
        let keys: Vec<VerifierKey> = self
            .log_keys
            .iter()
            .chain(self.witnesses.iter())
            .cloned()
            .collect();
        let verified = match note.verify(&keys) {
            Ok(v) => v,
            Err(NoteError::NoTrustedSignature) => {
                return Err(VerifyError::MissingLogSignature(
                    self.log_keys
                        .first()
                        .map(|k| k.to_string())
                        .unwrap_or_default(),
                ));
            }
            Err(e) => return Err(VerifyError::Signature(e)),
        };
        let mut log_signatures = Vec::new();
        for k in &self.log_keys {
            if !verified.iter().any(|v| v.key == k) {
                return Err(VerifyError::MissingLogSignature(k.to_string()));
            }
            log_signatures.push((k.name().to_string(), k.algorithm().label()));
        }
        let mut cosignatures: Vec<(String, u64)> = Vec::new();
        for w in &self.witnesses {
            if let Some(v) = verified.iter().find(|v| v.key == w)
                && !cosignatures.iter().any(|(n, _)| n == w.name())
            {
                cosignatures.push((w.name().to_string(), v.time.unwrap_or(0)));
            }
        }
        if cosignatures.len() < self.quorum {
            let missing = self
                .witnesses
                .iter()
                .filter(|w| !cosignatures.iter().any(|(n, _)| n == w.name()))
                .map(|w| w.name().to_string())
                .collect();
            return Err(VerifyError::Quorum {
                have: cosignatures.len(),
                need: self.quorum,
                missing,
            });
        }
        Ok(TrustedCheckpoint {
            checkpoint,
            log_signatures,
            cosignatures,
        })
    }
}

/// What a valid proof shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub entry: Entry,
    pub index: u64,
    pub checkpoint: TrustedCheckpoint,
}

/// Verifies proofs against one policy, remembering checkpoints it has already verified (their
/// signatures are the costly part, and many proofs share a checkpoint).
pub struct Verifier {
    policy: Policy,
    seen: Mutex<HashMap<[u8; 32], TrustedCheckpoint>>,
}

impl Verifier {
    pub fn new(policy: Policy) -> Verifier {
        Verifier {
            policy,
            seen: Mutex::new(HashMap::new()),
        }
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    fn checkpoint(&self, note: &str) -> Result<TrustedCheckpoint, VerifyError> {
        let key: [u8; 32] = Sha256::digest(note.as_bytes()).into();
        if let Some(t) = self.seen.lock().expect("cache lock").get(&key) {
            return Ok(t.clone());
        }
        let t = self.policy.verify_checkpoint(note.as_bytes())?;
        let mut seen = self.seen.lock().expect("cache lock");
        if seen.len() > 4096 {
            seen.clear();
        }
        seen.insert(key, t.clone());
        Ok(t)
    }

    /// Verifies a `.tlog-proof` file; with `document`, also that the document is the one the
    /// entry registers (both digests).
    pub fn verify(
        &self,
        proof: &[u8],
        document: Option<&Digests>,
    ) -> Result<Verified, VerifyError> {
        let p = TlogProof::parse(proof).map_err(VerifyError::Malformed)?;
        self.verify_parsed(&p, document)
    }

    pub fn verify_parsed(
        &self,
        p: &TlogProof,
        document: Option<&Digests>,
    ) -> Result<Verified, VerifyError> {
        let trusted = self.checkpoint(&p.checkpoint)?;
        let extra = p.extra.as_deref().ok_or(VerifyError::NoEntry)?;
        let entry = Entry::parse(extra).map_err(VerifyError::Entry)?;
        if let Some(d) = document {
            if d.sha256 != entry.document.sha256 {
                return Err(VerifyError::DocumentSha256);
            }
            if d.sm3 != entry.document.sm3 {
                return Err(VerifyError::DocumentSm3);
            }
        }
        verify_inclusion(
            p.index,
            trusted.checkpoint.size,
            &leaf_hash(extra),
            &p.hashes,
            &trusted.checkpoint.root,
        )
        .map_err(VerifyError::Inclusion)?;
        Ok(Verified {
            entry,
            index: p.index,
            checkpoint: trusted,
        })
    }
}
