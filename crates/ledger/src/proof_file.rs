//! The C2SP tlog-proof offline format (`c2sp.org/tlog-proof@v1`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use crate::merkle::Hash;

pub const HEADER: &str = "c2sp.org/tlog-proof@v1";
/// A tree of 2^63 entries needs 63 hashes.
pub const MAX_HASHES: usize = 63;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlogProof {
    /// Opaque to the format; in shoumi, the encoded entry.
    pub extra: Option<Vec<u8>>,
    pub index: u64,
    /// The inclusion proof, leaf to root.
    pub hashes: Vec<Hash>,
    /// The signed (and cosigned) checkpoint note, verbatim.
    pub checkpoint: String,
}

impl TlogProof {
    pub fn to_text(&self) -> String {
        let mut s = format!("{HEADER}\n");
        if let Some(e) = &self.extra {
            s.push_str(&format!("extra {}\n", B64.encode(e)));
        }
        s.push_str(&format!("index {}\n", self.index));
        for h in &self.hashes {
            s.push_str(&B64.encode(h));
            s.push('\n');
        }
        s.push('\n');
        s.push_str(&self.checkpoint);
        s
    }

    pub fn parse(bytes: &[u8]) -> Result<TlogProof, String> {
        let text = std::str::from_utf8(bytes).map_err(|_| "the proof is not UTF-8 text")?;
        let (head, checkpoint) = text
            .split_once("\n\n")
            .ok_or("no blank line before the checkpoint")?;
        let mut lines = head.split('\n');
        if lines.next() != Some(HEADER) {
            return Err(format!("the first line is not {HEADER}"));
        }
        let mut line = lines.next().ok_or("no index line")?;
        let mut extra = None;
        if let Some(e) = line.strip_prefix("extra ") {
            extra = Some(B64.decode(e).map_err(|_| "the extra line is not base64")?);
            line = lines.next().ok_or("no index line")?;
        }
        let index = line
            .strip_prefix("index ")
            .ok_or_else(|| format!("expected an index line, found {line:?}"))?;
        if index.is_empty()
            || (index.len() > 1 && index.starts_with('0'))
            || !index.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(format!("bad index {index:?}"));
        }
        let index: u64 = index.parse().map_err(|_| "the index is too large")?;
        let mut hashes = Vec::new();
        for (i, l) in lines.enumerate() {
            if hashes.len() == MAX_HASHES {
                return Err(format!("more than {MAX_HASHES} proof hashes"));
            }
            let h: Hash = B64
                .decode(l)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| format!("proof hash {} is not a base64 SHA-256 hash", i + 1))?;
            hashes.push(h);
        }
        if checkpoint.is_empty() {
            return Err("no checkpoint after the blank line".into());
        }
        Ok(TlogProof {
            extra,
            index,
            hashes,
            checkpoint: checkpoint.to_string(),
        })
    }
}
