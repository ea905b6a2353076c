//! The fingerprint file (`.fp`): compact, versioned, checksummed; parsed totally.
//!
//! Layout (version 1; integers little-endian, `varint` = unsigned LEB128 of at most 10 bytes):
//!
//! | offset | size | field |
//! | --- | --- | --- |
//! | 0 | 8 | magic `89 53 4D 46 50 0D 0A 1A` (`\x89SMFP\r\n\x1a`: catches text-mode transfers) |
//! | 8 | 2 | format version = 1 |
//! | 10 | 2 | normaliser version ([`crate::document::NORMALISER_VERSION`]) |
//! | 12 | 8 | key id ([`crate::key::EnterpriseKey::id`]) |
//! | 20 | varint | number of documents, then each document: |
//! | | varint + bytes | name (UTF-8, at most 4096 bytes) |
//! | | 1 | language code ([`Language::code`]) |
//! | | varint, varint | k (tokens per k-gram) and w (winnowing window), each 1–1024 |
//! | | varint | token count |
//! | | varint | fingerprint count `n`, then `n` times: varint position delta (token index minus the previous one's; the first is the index itself), varint line delta, 8-byte keyed hash |
//! | | varint | parameter count `p`, then `p` 8-byte keyed parameter hashes, ascending |
//! | end − 32 | 32 | SHA-256 of every byte before it |
//!
//! The parser never panics and never allocates more than the input can hold: every count is
//! checked against the bytes left before anything is reserved, and the checksum is verified
//! before anything else is read.

use sha2::{Digest, Sha256};

use crate::fingerprint::{Fingerprint, Params};
use crate::key::KeyId;
use crate::lang::Language;

/// The magic bytes at the start of every fingerprint file.
pub const MAGIC: [u8; 8] = *b"\x89SMFP\r\n\x1a";
/// The format version this code writes and reads.
pub const VERSION: u16 = 1;
/// The longest document name stored.
pub const MAX_NAME_BYTES: usize = 4096;

const HEADER_LEN: usize = 20;
const CHECKSUM_LEN: usize = 32;

/// Why a fingerprint file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error("not a shoumi fingerprint file (wrong magic bytes)")]
    NotFingerprints,
    #[error("the file is truncated ({0} bytes; too short for a fingerprint file)")]
    Truncated(usize),
    #[error(
        "fingerprint format version {0} is not supported (this shoumi reads version {VERSION})"
    )]
    Version(u16),
    #[error("the checksum does not match: the file is damaged or was changed")]
    Checksum,
    #[error("damaged fingerprint file at byte {offset}: {what}")]
    Malformed { offset: usize, what: &'static str },
}

/// The fingerprints of one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocPrint {
    /// The name given when fingerprinting (usually the file's path).
    pub name: String,
    pub language: Language,
    /// The k-gram length and winnowing window used for this document.
    pub params: Params,
    /// Number of tokens of the document.
    pub tokens: u32,
    /// Winnowed fingerprints, by position.
    pub fingerprints: Vec<Fingerprint>,
    /// Keyed hashes of the parameters (numbers with units), ascending.
    pub param_hashes: Vec<u64>,
}

/// A fingerprint file: documents fingerprinted under one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FingerprintFile {
    pub key_id: KeyId,
    pub normaliser: u16,
    pub docs: Vec<DocPrint>,
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

impl FingerprintFile {
    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let fps: usize = self.docs.iter().map(|d| d.fingerprints.len()).sum();
        let mut out = Vec::with_capacity(64 + fps * 11);
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&self.normaliser.to_le_bytes());
        out.extend_from_slice(&self.key_id);
        put_varint(&mut out, self.docs.len() as u64);
        for d in &self.docs {
            let name = truncate_name(&d.name);
            put_varint(&mut out, name.len() as u64);
            out.extend_from_slice(name.as_bytes());
            out.push(d.language.code());
            put_varint(&mut out, u64::from(d.params.k));
            put_varint(&mut out, u64::from(d.params.w));
            put_varint(&mut out, u64::from(d.tokens));
            put_varint(&mut out, d.fingerprints.len() as u64);
            let (mut pos, mut line) = (0u32, 0u32);
            for f in &d.fingerprints {
                put_varint(&mut out, u64::from(f.pos.wrapping_sub(pos)));
                put_varint(&mut out, u64::from(f.line.wrapping_sub(line)));
                out.extend_from_slice(&f.hash.to_le_bytes());
                pos = f.pos;
                line = f.line;
            }
            let mut params = d.param_hashes.clone();
            params.sort_unstable();
            put_varint(&mut out, params.len() as u64);
            for p in params {
                out.extend_from_slice(&p.to_le_bytes());
            }
        }
        let sum = Sha256::digest(&out);
        out.extend_from_slice(&sum);
        out
    }

    /// Parses a fingerprint file. Total: any bytes give a value or an error.
    pub fn parse(bytes: &[u8]) -> Result<FingerprintFile, FormatError> {
        if bytes.len() >= MAGIC.len() && bytes[..MAGIC.len()] != MAGIC {
            return Err(FormatError::NotFingerprints);
        }
        if bytes.len() < HEADER_LEN + 1 + CHECKSUM_LEN {
            if bytes.len() < MAGIC.len() && !MAGIC.starts_with(bytes) {
                return Err(FormatError::NotFingerprints);
            }
            return Err(FormatError::Truncated(bytes.len()));
        }
        let version = u16::from_le_bytes([bytes[8], bytes[9]]);
        if version != VERSION {
            return Err(FormatError::Version(version));
        }
        let (body, sum) = bytes.split_at(bytes.len() - CHECKSUM_LEN);
        if Sha256::digest(body).as_slice() != sum {
            return Err(FormatError::Checksum);
        }
        let mut r = Reader { b: body, i: 10 };
        let normaliser = r.u16()?;
        let mut key_id = [0u8; 8];
        key_id.copy_from_slice(r.take(8)?);
        // A document takes at least 7 bytes (empty name, language, k, w, zero counts).
        let n_docs = r.count(7, "document count larger than the file")?;
        let mut docs = Vec::with_capacity(n_docs);
        for _ in 0..n_docs {
            let name_len = r.varint()?;
            if name_len > MAX_NAME_BYTES as u64 {
                return Err(r.bad("document name too long"));
            }
            let at = r.i;
            let name = std::str::from_utf8(r.take(name_len as usize)?)
                .map_err(|_| FormatError::Malformed {
                    offset: at,
                    what: "document name is not UTF-8",
                })?
                .to_string();
            let lang = r.take(1)?[0];
            let language = Language::from_code(lang).ok_or_else(|| r.bad("unknown language"))?;
            let (k, w) = (r.varint()?, r.varint()?);
            if !(1..=1024).contains(&k) || !(1..=1024).contains(&w) {
                return Err(r.bad("k and w must be between 1 and 1024"));
            }
            let tokens = r.varint()?;
            let tokens = u32::try_from(tokens).map_err(|_| r.bad("token count too large"))?;
            let n = r.count(10, "fingerprint count larger than the file")?;
            let mut fingerprints = Vec::with_capacity(n);
            let (mut pos, mut line) = (0u64, 0u64);
            for j in 0..n {
                let dp = r.varint()?;
                if j > 0 && dp == 0 {
                    return Err(r.bad("fingerprint positions not increasing"));
                }
                pos = pos.saturating_add(dp);
                line = line.saturating_add(r.varint()?);
                let hash = r.u64()?;
                if pos >= u64::from(tokens) || line > u64::from(u32::MAX) {
                    return Err(r.bad("fingerprint position beyond the document"));
                }
                fingerprints.push(Fingerprint {
                    hash,
                    pos: pos as u32,
                    line: line as u32,
                });
            }
            let p = r.count(8, "parameter count larger than the file")?;
            let mut params = Vec::with_capacity(p);
            for _ in 0..p {
                params.push(r.u64()?);
            }
            if params.windows(2).any(|w| w[0] > w[1]) {
                return Err(r.bad("parameter hashes not sorted"));
            }
            docs.push(DocPrint {
                name,
                language,
                params: Params {
                    k: k as u16,
                    w: w as u16,
                },
                tokens,
                fingerprints,
                param_hashes: params,
            });
        }
        if r.i != body.len() {
            return Err(r.bad("bytes left after the last document"));
        }
        Ok(FingerprintFile {
            key_id,
            normaliser,
            docs,
        })
    }
}

fn truncate_name(name: &str) -> &str {
    if name.len() <= MAX_NAME_BYTES {
        return name;
    }
    let mut end = MAX_NAME_BYTES;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
}

impl Reader<'_> {
    fn bad(&self, what: &'static str) -> FormatError {
        FormatError::Malformed {
            offset: self.i,
            what,
        }
    }

    fn take(&mut self, n: usize) -> Result<&[u8], FormatError> {
        if self.b.len() - self.i < n {
            return Err(self.bad("unexpected end of data"));
        }
        let s = &self.b[self.i..self.i + n];
        self.i += n;
        Ok(s)
    }

    fn u16(&mut self) -> Result<u16, FormatError> {
        let s = self.take(2)?;
        Ok(u16::from_le_bytes([s[0], s[1]]))
    }

    fn u64(&mut self) -> Result<u64, FormatError> {
        let s = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        Ok(u64::from_le_bytes(a))
    }

    fn varint(&mut self) -> Result<u64, FormatError> {
        let mut v: u64 = 0;
        for shift in (0..70).step_by(7) {
            let byte = self.take(1)?[0];
            let part = u64::from(byte & 0x7f);
            if shift == 63 && part > 1 {
                return Err(self.bad("varint overflows 64 bits"));
            }
            v |= part << shift;
            if byte & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(self.bad("varint longer than 10 bytes"))
    }

    /// A count of items each taking at least `min_bytes`: refused when the rest of the file
    /// could not hold that many.
    fn count(&mut self, min_bytes: usize, what: &'static str) -> Result<usize, FormatError> {
        let n = self.varint()?;
        let left = (self.b.len() - self.i) as u64;
        if n > left / min_bytes as u64 {
            return Err(self.bad(what));
        }
        Ok(n as usize)
    }
}
