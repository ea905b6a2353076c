//! The ledger's entry, format version 1: what is logged about a document — its digests, a
//! digest of its metadata, who submitted it and when — never the document itself.
//!
//! ```text
//! offset  size  field
//! 0       1     format version, 0x01
//! 1       1     kind (see EntryKind)
//! 2       32    SHA-256 of the document
//! 34      32    SM3 of the document (GB/T 32905)
//! 66      32    SHA-256 of the metadata (the submitter's own record of title, owner, …)
//! 98      8     submission time, Unix milliseconds, big-endian, UTC
//! 106     1     length n of the submitter identifier, 1..=255
//! 107     n     submitter identifier, UTF-8 (e.g. `uscc:91371526…`, `unit:…`, `user:…`)
//! ```
//!
//! Nothing may follow. The leaf of the Merkle tree is this byte string.

use sha2::{Digest, Sha256};
use sm3::Sm3;

pub const VERSION: u8 = 1;
const FIXED: usize = 107;

/// What was registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// 秘点版本: a version of a registered secret point.
    SecretVersion = 1,
    /// 保密措施记录: a record of a confidentiality measure (agreement, training, access rule…).
    MeasureRecord = 2,
    /// 投诉材料: material filed with a complaint.
    ComplaintMaterial = 3,
    /// 案件证据: evidence in a case.
    CaseEvidence = 4,
    /// 审计日志检查点: a digest of the platform's audit trail up to a point.
    AuditCheckpoint = 5,
    /// 其他文件: any other document.
    Document = 6,
}

impl EntryKind {
    pub const ALL: [EntryKind; 6] = [
        EntryKind::SecretVersion,
        EntryKind::MeasureRecord,
        EntryKind::ComplaintMaterial,
        EntryKind::CaseEvidence,
        EntryKind::AuditCheckpoint,
        EntryKind::Document,
    ];

    pub fn from_byte(b: u8) -> Option<EntryKind> {
        EntryKind::ALL.into_iter().find(|k| *k as u8 == b)
    }

    /// The key used in the API and on the command line.
    pub fn key(self) -> &'static str {
        match self {
            EntryKind::SecretVersion => "secret-version",
            EntryKind::MeasureRecord => "measure-record",
            EntryKind::ComplaintMaterial => "complaint-material",
            EntryKind::CaseEvidence => "case-evidence",
            EntryKind::AuditCheckpoint => "audit-checkpoint",
            EntryKind::Document => "document",
        }
    }

    pub fn parse_key(s: &str) -> Option<EntryKind> {
        EntryKind::ALL.into_iter().find(|k| k.key() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            EntryKind::SecretVersion => "秘点版本",
            EntryKind::MeasureRecord => "保密措施记录",
            EntryKind::ComplaintMaterial => "投诉材料",
            EntryKind::CaseEvidence => "案件证据",
            EntryKind::AuditCheckpoint => "审计日志检查点",
            EntryKind::Document => "其他文件",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            EntryKind::SecretVersion => "secret point version",
            EntryKind::MeasureRecord => "confidentiality measure record",
            EntryKind::ComplaintMaterial => "complaint material",
            EntryKind::CaseEvidence => "case evidence",
            EntryKind::AuditCheckpoint => "audit-trail checkpoint",
            EntryKind::Document => "other document",
        }
    }
}

/// A document's two digests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Digests {
    pub sha256: [u8; 32],
    pub sm3: [u8; 32],
}

impl Digests {
    pub fn of(data: &[u8]) -> Digests {
        Digests {
            sha256: Sha256::digest(data).into(),
            sm3: Sm3::digest(data).into(),
        }
    }

    /// Hashes a reader in one pass (both digests), for files too large to hold.
    pub fn of_reader(mut r: impl std::io::Read) -> std::io::Result<Digests> {
        let mut a = Sha256::new();
        let mut b = Sm3::new();
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = r.read(&mut buf)?;
            if n == 0 {
                break;
            }
            a.update(&buf[..n]);
            b.update(&buf[..n]);
        }
        Ok(Digests {
            sha256: a.finalize().into(),
            sm3: b.finalize().into(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Entry {
    pub kind: EntryKind,
    pub document: Digests,
    pub metadata: [u8; 32],
    pub time_ms: i64,
    pub submitter: String,
}

impl Entry {
    pub fn new(
        kind: EntryKind,
        document: Digests,
        metadata: [u8; 32],
        time_ms: i64,
        submitter: &str,
    ) -> Result<Entry, String> {
        check_submitter(submitter)?;
        if time_ms < 0 {
            return Err("the submission time is before 1970".into());
        }
        Ok(Entry {
            kind,
            document,
            metadata,
            time_ms,
            submitter: submitter.to_string(),
        })
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(FIXED + self.submitter.len());
        out.push(VERSION);
        out.push(self.kind as u8);
        out.extend_from_slice(&self.document.sha256);
        out.extend_from_slice(&self.document.sm3);
        out.extend_from_slice(&self.metadata);
        out.extend_from_slice(&self.time_ms.to_be_bytes());
        out.push(self.submitter.len() as u8);
        out.extend_from_slice(self.submitter.as_bytes());
        out
    }

    pub fn parse(b: &[u8]) -> Result<Entry, String> {
        if b.len() < FIXED + 1 {
            return Err(format!(
                "an entry is at least {} bytes, this one {}",
                FIXED + 1,
                b.len()
            ));
        }
        if b[0] != VERSION {
            return Err(format!("entry format version {} is not known (1 is)", b[0]));
        }
        let kind =
            EntryKind::from_byte(b[1]).ok_or_else(|| format!("unknown entry kind {}", b[1]))?;
        let arr = |r: std::ops::Range<usize>| -> [u8; 32] { b[r].try_into().expect("32 bytes") };
        let time_ms = i64::from_be_bytes(b[98..106].try_into().expect("8 bytes"));
        let n = usize::from(b[106]);
        if b.len() != FIXED + n {
            return Err(format!(
                "the submitter is {n} bytes, so the entry should be {} bytes, not {}",
                FIXED + n,
                b.len()
            ));
        }
        let submitter = std::str::from_utf8(&b[FIXED..])
            .map_err(|_| "the submitter is not UTF-8".to_string())?;
        Entry::new(
            kind,
            Digests {
                sha256: arr(2..34),
                sm3: arr(34..66),
            },
            arr(66..98),
            time_ms,
            submitter,
        )
    }

    /// What makes two registrations the same: everything but the submission time.
    pub fn identity(&self) -> [u8; 32] {
        identity_of(&self.encode())
    }
}

/// The identity of an encoded entry: SHA-256 of it with the time zeroed.
pub fn identity_of(encoded: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(&encoded[..98.min(encoded.len())]);
    if encoded.len() > 106 {
        h.update([0u8; 8]);
        h.update(&encoded[106..]);
    }
    h.finalize().into()
}

fn check_submitter(s: &str) -> Result<(), String> {
    if s.is_empty() || s.len() > 255 {
        return Err("the submitter identifier is 1–255 bytes".into());
    }
    if s.chars().any(|c| c.is_control()) {
        return Err("the submitter identifier holds a control character".into());
    }
    Ok(())
}

/// SHA-256 of canonical metadata: the JSON object with keys sorted, no spaces.
pub fn metadata_digest(meta: &serde_json::Value) -> [u8; 32] {
    Sha256::digest(canonical_json(meta).as_bytes()).into()
}

/// JSON with object keys sorted and no insignificant whitespace.
pub fn canonical_json(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .iter()
                .map(|k| format!("{}:{}", Value::String((*k).clone()), canonical_json(&m[*k])))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(canonical_json).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sm3_matches_the_gbt_32905_vector() {
        assert_eq!(
            hex::encode(Digests::of(b"abc").sm3),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }

    #[test]
    fn entries_round_trip_and_every_bad_field_is_named() {
        let e = Entry::new(
            EntryKind::MeasureRecord,
            Digests::of(b"doc"),
            metadata_digest(&serde_json::json!({"b": 1, "a": "x"})),
            1_764_000_000_000,
            "uscc:91371526MA3C000000",
        )
        .unwrap();
        let b = e.encode();
        assert_eq!(b.len(), 107 + 23);
        assert_eq!(Entry::parse(&b).unwrap(), e);
        let mut v2 = b.clone();
        v2[0] = 2;
        assert!(Entry::parse(&v2).unwrap_err().contains("version 2"));
        let mut k = b.clone();
        k[1] = 99;
        assert!(Entry::parse(&k).unwrap_err().contains("kind 99"));
        assert!(
            Entry::parse(&b[..b.len() - 1])
                .unwrap_err()
                .contains("should be")
        );
        assert!(Entry::parse(&b[..50]).unwrap_err().contains("at least"));
        assert!(Entry::new(e.kind, e.document, e.metadata, 0, "").is_err());
    }

    #[test]
    fn identity_ignores_only_the_time() {
        let mk = |t, who: &str| {
            Entry::new(EntryKind::Document, Digests::of(b"d"), [0; 32], t, who).unwrap()
        };
        assert_eq!(mk(1, "a").identity(), mk(2, "a").identity());
        assert_ne!(mk(1, "a").identity(), mk(1, "b").identity());
        assert_eq!(
            canonical_json(&serde_json::json!({"b": [1, {"d": 1, "c": 2}], "a": "x"})),
            r#"{"a":"x","b":[1,{"c":2,"d":1}]}"#
        );
    }
}
