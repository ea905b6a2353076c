//! C2SP tlog-witness v1.0.0 `add-checkpoint`: the request body, the witness's decision, and the
//! witness's own durable state (the latest checkpoint it cosigned for each log).
//!
//! In shoumi a witness is run by a partner agency (court, procuratorate, police, a notary): its
//! cosignature on a checkpoint is that agency's timestamped statement that it has seen the log
//! in that state and that the state extends every earlier state it saw.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use crate::checkpoint::Checkpoint;
use crate::merkle::{Hash, verify_consistency};
use crate::note::{Note, NoteError, Signature, SignerKey, VerifierKey};

/// The most consistency-proof lines a request may carry.
pub const MAX_PROOF_LINES: usize = 63;

/// An `add-checkpoint` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpoint {
    pub old: u64,
    pub proof: Vec<Hash>,
    /// The signed checkpoint, verbatim.
    pub checkpoint: String,
}

impl AddCheckpoint {
    pub fn to_body(&self) -> String {
        let mut s = format!("old {}\n", self.old);
        for h in &self.proof {
            s.push_str(&B64.encode(h));
            s.push('\n');
        }
        s.push('\n');
        s.push_str(&self.checkpoint);
        s
    }

    pub fn parse(body: &[u8]) -> Result<AddCheckpoint, Refusal> {
        let bad = |m: String| Refusal::BadRequest(m);
        let text = std::str::from_utf8(body).map_err(|_| bad("the body is not UTF-8".into()))?;
        let (head, checkpoint) = text
            .split_once("\n\n")
            .ok_or_else(|| bad("no blank line before the checkpoint".into()))?;
        let mut lines = head.split('\n');
        let old = lines
            .next()
            .and_then(|l| l.strip_prefix("old "))
            .ok_or_else(|| bad("the first line is not `old <size>`".into()))?;
        if old.is_empty()
            || (old.len() > 1 && old.starts_with('0'))
            || !old.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad(format!("bad old size {old:?}")));
        }
        let old: u64 = old.parse().map_err(|_| bad("old size too large".into()))?;
        let mut proof = Vec::new();
        for l in lines {
            if proof.len() == MAX_PROOF_LINES {
                return Err(bad(format!("more than {MAX_PROOF_LINES} proof lines")));
            }
            let h: Hash = B64
                .decode(l)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| bad(format!("proof line {l:?} is not a base64 hash")))?;
            proof.push(h);
        }
        Ok(AddCheckpoint {
            old,
            proof,
            checkpoint: checkpoint.to_string(),
        })
    }
}

/// Why a witness did not cosign, with the HTTP status the protocol gives it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("unknown log {0:?}")]
    UnknownOrigin(String),
    #[error("no signature from a trusted log key verifies")]
    BadSignature,
    #[error("the witness's latest cosigned size is {0}")]
    Conflict(u64),
    #[error("same size {0} as the cosigned checkpoint, different root hash: the log has forked")]
    Fork(u64),
    #[error("the consistency proof does not verify: {0}")]
    BadProof(String),
    #[error("the witness could not save its state: {0}")]
    Storage(String),
}

impl Refusal {
    pub fn status(&self) -> u16 {
        match self {
            Refusal::BadRequest(_) => 400,
            Refusal::UnknownOrigin(_) => 404,
            Refusal::BadSignature => 403,
            Refusal::Conflict(_) | Refusal::Fork(_) => 409,
            Refusal::BadProof(_) => 422,
            Refusal::Storage(_) => 500,
        }
    }
}

/// The latest checkpoint a witness cosigned for one log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Seen {
    pub size: u64,
    #[serde(with = "b64_hash")]
    pub root: Hash,
}

mod b64_hash {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD as B64;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(h: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&B64.encode(h))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let s = String::deserialize(d)?;
        B64.decode(&s)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| serde::de::Error::custom("bad hash"))
    }
}

/// The witness's decision, given what it last cosigned for the log (`None`: never).
/// On success: the new state and the cosignature.
pub fn decide(
    key: &SignerKey,
    log_keys: &[VerifierKey],
    seen: Option<Seen>,
    req: &AddCheckpoint,
    now: u64,
) -> Result<(Seen, Signature), Refusal> {
    let note =
        Note::parse(req.checkpoint.as_bytes()).map_err(|e| Refusal::BadRequest(e.to_string()))?;
    let cp = Checkpoint::parse(&note.text).map_err(Refusal::BadRequest)?;
    let keys: Vec<VerifierKey> = log_keys
        .iter()
        .filter(|k| k.name() == cp.origin)
        .cloned()
        .collect();
    if keys.is_empty() {
        return Err(Refusal::UnknownOrigin(cp.origin));
    }
    match note.verify(&keys) {
        Ok(_) => {}
        Err(NoteError::NoTrustedSignature | NoteError::BadSignature { .. }) => {
            return Err(Refusal::BadSignature);
        }
        Err(e) => return Err(Refusal::BadRequest(e.to_string())),
    }
    if req.old > cp.size {
        return Err(Refusal::BadRequest(format!(
            "old size {} is larger than the checkpoint's {}",
            req.old, cp.size
        )));
    }
    let current = seen.map(|s| s.size).unwrap_or(0);
    if req.old != current {
        return Err(Refusal::Conflict(current));
    }
    match seen {
        Some(s) if s.size == cp.size && s.root != cp.root => {
            return Err(Refusal::Fork(cp.size));
        }
        Some(s) if s.size == cp.size && !req.proof.is_empty() => {
            return Err(Refusal::BadProof(
                "a consistency proof to the same size must be empty".into(),
            ));
        }
        Some(s) if s.size == cp.size => {}
        Some(s) => verify_consistency(s.size, cp.size, &req.proof, &s.root, &cp.root)
            .map_err(|e| Refusal::BadProof(e.to_string()))?,
        None if !req.proof.is_empty() => {
            return Err(Refusal::BadProof(
                "the proof from size 0 must be empty".into(),
            ));
        }
        None => {}
    }
    let sig = key.sign(note.text.as_bytes(), Some(now));
    Ok((
        Seen {
            size: cp.size,
            root: cp.root,
        },
        sig,
    ))
}

/// A witness: its key, the logs it follows, and its state in a JSON file that is replaced
/// atomically (write, fsync, rename, fsync the directory) before any cosignature is returned.
pub struct Witness {
    key: SignerKey,
    logs: Vec<VerifierKey>,
    state_file: Option<PathBuf>,
    state: Mutex<BTreeMap<String, Seen>>,
}

impl Witness {
    /// `state_file` None keeps the state in memory (tests).
    pub fn open(
        key: SignerKey,
        logs: Vec<VerifierKey>,
        state_file: Option<&Path>,
    ) -> Result<Witness, String> {
        let state = match state_file {
            Some(p) if p.exists() => {
                let text = std::fs::read_to_string(p)
                    .map_err(|e| format!("reading {}: {e}", p.display()))?;
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))?
            }
            _ => BTreeMap::new(),
        };
        Ok(Witness {
            key,
            logs,
            state_file: state_file.map(Path::to_path_buf),
            state: Mutex::new(state),
        })
    }

    pub fn verifier(&self) -> &VerifierKey {
        self.key.verifier()
    }

    /// Handles one request body: the response body on success (cosignature lines).
    pub fn add_checkpoint(&self, body: &[u8], now: u64) -> Result<String, Refusal> {
        let req = AddCheckpoint::parse(body)?;
        let origin = Note::parse(req.checkpoint.as_bytes())
            .ok()
            .and_then(|n| Checkpoint::parse(&n.text).ok())
            .map(|c| c.origin)
            .unwrap_or_default();
        // Check and update under one lock, so two requests cannot roll the state back.
        let mut state = self
            .state
            .lock()
            .map_err(|_| Refusal::Storage("lock".into()))?;
        let (seen, sig) = decide(
            &self.key,
            &self.logs,
            state.get(&origin).copied(),
            &req,
            now,
        )?;
        let mut next = state.clone();
        next.insert(origin, seen);
        if let Some(p) = &self.state_file {
            save_atomically(p, &next).map_err(|e| Refusal::Storage(e.to_string()))?;
        }
        *state = next;
        Ok(sig.line())
    }

    pub fn seen(&self, origin: &str) -> Option<Seen> {
        self.state.lock().ok()?.get(origin).copied()
    }
}

fn save_atomically(path: &Path, state: &BTreeMap<String, Seen>) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(serde_json::to_string_pretty(state)?.as_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}
