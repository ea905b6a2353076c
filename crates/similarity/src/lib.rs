//! shoumi-similarity: find a registered secret inside suspect material (同一性比对).
//!
//! No dependency on the rest of shoumi. See `docs/SIMILARITY.md` for the design, the
//! measurements behind the parameters, the fingerprint file format and the threat model.

#![forbid(unsafe_code)]

mod code;
pub mod compare;
pub mod document;
pub mod eval;
pub mod extract;
pub mod fingerprint;
pub mod format;
pub mod index;
pub mod key;
pub mod lang;
pub mod report;
pub mod source;
mod t2s_table;
mod text;
pub mod tiling;
pub mod token;

pub use compare::{Base, Comparison, Options, compare};
pub use document::Document;
pub use format::{FingerprintFile, FormatError};
pub use index::{Index, IndexError, ScanResult, fingerprint_file, fingerprint_file_with};
pub use key::EnterpriseKey;
pub use lang::Language;
pub use text::to_simplified;

/// Errors of the engine.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be read or its text extracted (unreadable, binary, unsupported,
    /// damaged, encrypted).
    #[error(transparent)]
    Extract(#[from] extract::ExtractError),
    #[error("{file} is too large to compare ({bytes} bytes of text)")]
    TooLarge { file: String, bytes: u64 },
    #[error(transparent)]
    Key(#[from] key::KeyError),
    #[error(transparent)]
    Index(#[from] index::IndexError),
}
