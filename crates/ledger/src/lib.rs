//! shoumi's evidence ledger (存证): a tamper-evident transparency log of document digests.
//!
//! This crate is the engine's core and knows nothing of the rest of shoumi: RFC 6962 hashing and
//! proofs ([`merkle`]), C2SP signed notes with Ed25519, SM2 and witness cosignatures ([`note`]),
//! checkpoints ([`checkpoint`]), tiles and entry bundles ([`tiles`]), the offline proof format
//! ([`proof_file`]), the entry format ([`entry`]), verification policies ([`policy`]) and the
//! tlog-witness protocol ([`witness`]). Storage and HTTP live in the storage and web crates.

pub mod checkpoint;
pub mod entry;
pub mod merkle;
pub mod note;
pub mod policy;
pub mod proof_file;
pub mod tiles;
pub mod witness;

pub use checkpoint::Checkpoint;
pub use entry::{Digests, Entry, EntryKind};
pub use merkle::Hash;
pub use note::{Algorithm, Note, SignerKey, VerifierKey};
pub use policy::{Policy, Verifier, VerifyError};
pub use proof_file::TlogProof;
