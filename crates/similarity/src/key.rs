//! The per-enterprise key for keyed fingerprints.
//!
//! A key is 256 random bits held by the enterprise (or the appraisal office acting for it).
//! Two keys are derived from it, domain-separated with SHA-256:
//! - the **PRF key** (128 bits) of SipHash-2-4, which hashes every k-gram of normalised tokens;
//! - the **key id** (64 bits), written into every fingerprint file so that a file and a key that
//!   do not belong together are refused with a clear message. The id reveals nothing about the
//!   PRF key (a different SHA-256 input).
//!
//! Key file format (text, UTF-8, `#` starts a comment line):
//! ```text
//! shoumi-match-key v1
//! 3f5a…(64 hex digits)
//! ```

use std::fmt;
use std::path::Path;

use sha2::{Digest, Sha256};
use siphasher::sip::SipHasher24;

const HEADER: &str = "shoumi-match-key v1";

/// Why a key file was refused.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read the key file {file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{file} is not a shoumi match key: expected the line `{HEADER}` and then 64 hex digits (make one with `shoumi match keygen`)"
    )]
    Malformed { file: String },
}

/// A per-enterprise fingerprint key (256 bits). `Debug` does not print it.
#[derive(Clone, PartialEq, Eq)]
pub struct EnterpriseKey {
    bytes: [u8; 32],
}

impl fmt::Debug for EnterpriseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EnterpriseKey(id {})", self.id_hex())
    }
}

/// The 64-bit id of a key (SHA-256 of a label and the key, first 8 bytes).
pub type KeyId = [u8; 8];

impl EnterpriseKey {
    /// A key from 32 secret bytes (from a CSPRNG; `shoumi match keygen` uses the OS generator).
    pub fn from_bytes(bytes: [u8; 32]) -> EnterpriseKey {
        EnterpriseKey { bytes }
    }

    /// The key's text form (the content of a key file).
    pub fn to_file_text(&self) -> String {
        format!(
            "# shoumi similarity fingerprint key (per enterprise). Keep it secret: with it, stored\n\
             # fingerprints can be tested against guessed texts. Key id {}.\n{HEADER}\n{}\n",
            self.id_hex(),
            hex::encode(self.bytes)
        )
    }

    /// Parses a key file's text.
    pub fn parse(file: &str, text: &str) -> Result<EnterpriseKey, KeyError> {
        let bad = || KeyError::Malformed { file: file.into() };
        let mut lines = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'));
        if lines.next() != Some(HEADER) {
            return Err(bad());
        }
        let hex_line = lines.next().ok_or_else(bad)?;
        if lines.next().is_some() || hex_line.len() != 64 {
            return Err(bad());
        }
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(hex_line, &mut bytes).map_err(|_| bad())?;
        Ok(EnterpriseKey { bytes })
    }

    /// Reads a key file.
    pub fn read(path: &Path) -> Result<EnterpriseKey, KeyError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| KeyError::Io {
            file: file.clone(),
            source,
        })?;
        EnterpriseKey::parse(&file, &text)
    }

    fn derive(&self, label: &[u8]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(label);
        h.update(self.bytes);
        h.finalize().into()
    }

    /// The key id written into fingerprint files.
    pub fn id(&self) -> KeyId {
        let d = self.derive(b"shoumi-similarity key-id v1\0");
        let mut id = [0u8; 8];
        id.copy_from_slice(&d[..8]);
        id
    }

    /// The key id in hex (16 digits).
    pub fn id_hex(&self) -> String {
        hex::encode(self.id())
    }

    /// The keyed PRF for fingerprints.
    pub fn prf(&self) -> Prf {
        let d = self.derive(b"shoumi-similarity siphash-2-4 v1\0");
        let mut k0 = [0u8; 8];
        let mut k1 = [0u8; 8];
        k0.copy_from_slice(&d[..8]);
        k1.copy_from_slice(&d[8..16]);
        Prf {
            k0: u64::from_le_bytes(k0),
            k1: u64::from_le_bytes(k1),
        }
    }
}

/// SipHash-2-4 keyed with 128 bits: the pseudo-random function over k-grams.
#[derive(Clone, Copy)]
pub struct Prf {
    k0: u64,
    k1: u64,
}

impl fmt::Debug for Prf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Prf(..)")
    }
}

impl Prf {
    /// A PRF with a fixed, public key, for comparisons that store nothing (`compare`, `pairs`).
    pub fn unkeyed() -> Prf {
        Prf {
            k0: 0x736f_6d65_7073_6575,
            k1: 0x646f_7261_6e64_6f6d,
        }
    }

    /// The PRF of a sequence of symbols.
    pub fn hash_syms(&self, syms: &[u32]) -> u64 {
        use std::hash::Hasher;
        let mut h = SipHasher24::new_with_keys(self.k0, self.k1);
        let mut buf = [0u8; 256];
        for chunk in syms.chunks(64) {
            for (i, s) in chunk.iter().enumerate() {
                buf[i * 4..i * 4 + 4].copy_from_slice(&s.to_le_bytes());
            }
            h.write(&buf[..chunk.len() * 4]);
        }
        h.finish()
    }

    /// The PRF of a parameter symbol (domain-separated from k-grams by the length).
    pub fn hash_param(&self, sym: u32) -> u64 {
        use std::hash::Hasher;
        let mut h = SipHasher24::new_with_keys(self.k0, self.k1);
        h.write(b"param\0");
        h.write(&sym.to_le_bytes());
        h.finish()
    }
}
