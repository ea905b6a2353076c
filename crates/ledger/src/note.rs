//! C2SP signed-note v1.0.0 and tlog-cosignature v1: notes, signature lines, key IDs, and the
//! three kinds of key the ledger uses.
//!
//! | key | type bytes | public key | signature |
//! | --- | --- | --- | --- |
//! | Ed25519 (signed-note) | `0x01` | 32 bytes, RFC 8032 | 64 bytes over the note text |
//! | SM2 (国密, this project) | `0xFF` ‖ `shoumi/sm2-sm3/v1` | 65 bytes, SEC 1 uncompressed | 64 bytes r ‖ s, GB/T 32918.2 with SM3 over the note text, distinguishing ID [`SM2_DISTID`] |
//! | witness cosignature (tlog-cosignature) | `0x04` | 32 bytes, Ed25519 | 8-byte big-endian Unix time ‖ 64-byte Ed25519 over `cosignature/v1\ntime <t>\n` ‖ note text |
//!
//! Key ID = SHA-256(name ‖ `\n` ‖ type bytes ‖ public key)[:4]. Verifier keys are written
//! `<name>+<hex key ID>+<base64(type bytes ‖ public key)>`; signer keys
//! `PRIVATE+KEY+<name>+<hex key ID>+<base64(type bytes ‖ private key)>` as Go's note package does.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signer as _, Verifier as _};
use sha2::{Digest, Sha256};

/// The SM2 distinguishing ID (GM/T 0009-2012 default), pinned: both signer and verifier use it.
pub const SM2_DISTID: &str = "1234567812345678";
/// The identifier after the 0xFF signature type byte for SM2 note signatures.
pub const SM2_TYPE_ID: &str = "shoumi/sm2-sm3/v1";
/// At most this many signatures are read from a note (the spec asks for at least 16).
pub const MAX_SIGNATURES: usize = 64;

const TYPE_ED25519: u8 = 0x01;
const TYPE_COSIGNATURE: u8 = 0x04;
const TYPE_OTHER: u8 = 0xFF;

/// What a key signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Ed25519,
    Sm2,
    /// A witness's timestamped Ed25519 cosignature.
    Cosignature,
}

impl Algorithm {
    fn type_bytes(self) -> Vec<u8> {
        match self {
            Algorithm::Ed25519 => vec![TYPE_ED25519],
            Algorithm::Cosignature => vec![TYPE_COSIGNATURE],
            Algorithm::Sm2 => {
                let mut v = vec![TYPE_OTHER];
                v.extend_from_slice(SM2_TYPE_ID.as_bytes());
                v
            }
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Algorithm::Ed25519 => "Ed25519",
            Algorithm::Sm2 => "SM2",
            Algorithm::Cosignature => "Ed25519 cosignature",
        }
    }

    /// Splits `type bytes ‖ key` into the algorithm and the key.
    fn split(bytes: &[u8]) -> Result<(Algorithm, &[u8]), NoteError> {
        match bytes.first() {
            Some(&TYPE_ED25519) => Ok((Algorithm::Ed25519, &bytes[1..])),
            Some(&TYPE_COSIGNATURE) => Ok((Algorithm::Cosignature, &bytes[1..])),
            Some(&TYPE_OTHER) if bytes[1..].starts_with(SM2_TYPE_ID.as_bytes()) => {
                Ok((Algorithm::Sm2, &bytes[1 + SM2_TYPE_ID.len()..]))
            }
            Some(t) => Err(NoteError::Key(format!("unknown signature type 0x{t:02x}"))),
            None => Err(NoteError::Key("empty key".into())),
        }
    }
}

/// Why a note, key or signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("malformed note: {0}")]
    Malformed(String),
    #[error("malformed key: {0}")]
    Key(String),
    #[error("the signature by {name} does not verify")]
    BadSignature { name: String },
    #[error("the note has no signature from a trusted key")]
    NoTrustedSignature,
}

/// SHA-256(name ‖ `\n` ‖ type bytes ‖ public key)[:4], big-endian.
pub fn key_id(name: &str, algorithm: Algorithm, public: &[u8]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update(algorithm.type_bytes());
    h.update(public);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// Non-empty, no Unicode space and no plus.
pub fn valid_key_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

#[derive(Clone)]
enum Public {
    Ed25519(ed25519_dalek::VerifyingKey),
    Sm2(Box<sm2::dsa::VerifyingKey>),
}

/// A public key that verifies note signatures.
#[derive(Clone)]
pub struct VerifierKey {
    name: String,
    id: u32,
    algorithm: Algorithm,
    public: Public,
    raw: Vec<u8>,
}

impl std::fmt::Debug for VerifierKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VerifierKey({})", self)
    }
}

impl PartialEq for VerifierKey {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.id == other.id && self.raw == other.raw
    }
}

impl std::fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut b = self.algorithm.type_bytes();
        b.extend_from_slice(&self.raw);
        write!(f, "{}+{:08x}+{}", self.name, self.id, B64.encode(b))
    }
}

impl VerifierKey {
    fn new(name: &str, algorithm: Algorithm, raw: &[u8]) -> Result<VerifierKey, NoteError> {
        if !valid_key_name(name) {
            return Err(NoteError::Key(format!("bad key name {name:?}")));
        }
        let public = match algorithm {
            Algorithm::Ed25519 | Algorithm::Cosignature => {
                let bytes: [u8; 32] = raw
                    .try_into()
                    .map_err(|_| NoteError::Key("an Ed25519 key is 32 bytes".into()))?;
                Public::Ed25519(
                    ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                        .map_err(|_| NoteError::Key("not an Ed25519 public key".into()))?,
                )
            }
            Algorithm::Sm2 => {
                if raw.len() != 65 || raw[0] != 4 {
                    return Err(NoteError::Key(
                        "an SM2 key is 65 bytes, SEC 1 uncompressed".into(),
                    ));
                }
                Public::Sm2(Box::new(
                    sm2::dsa::VerifyingKey::from_sec1_bytes(SM2_DISTID, raw)
                        .map_err(|_| NoteError::Key("not a point on the SM2 curve".into()))?,
                ))
            }
        };
        Ok(VerifierKey {
            name: name.to_string(),
            id: key_id(name, algorithm, raw),
            algorithm,
            public,
            raw: raw.to_vec(),
        })
    }

    /// Parses `<name>+<hex id>+<base64 key>`; the ID must match the key.
    pub fn parse(text: &str) -> Result<VerifierKey, NoteError> {
        let text = text.trim();
        let mut parts = text.splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(NoteError::Key(
                "a verifier key is <name>+<hex key ID>+<base64 key>".into(),
            ));
        };
        if id.len() != 8 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(NoteError::Key("the key ID is 8 hex digits".into()));
        }
        let id = u32::from_str_radix(id, 16).map_err(|e| NoteError::Key(e.to_string()))?;
        let bytes = B64
            .decode(key)
            .map_err(|_| NoteError::Key("the key is not base64".into()))?;
        let (algorithm, raw) = Algorithm::split(&bytes)?;
        let k = VerifierKey::new(name, algorithm, raw)?;
        if k.id != id {
            return Err(NoteError::Key(format!(
                "the key ID {id:08x} does not match the key (expected {:08x})",
                k.id
            )));
        }
        Ok(k)
    }

    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn id(&self) -> u32 {
        self.id
    }
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Verifies `sig` (without the key ID) over `text`; for a cosignature returns its time.
    // The only failure is "does not verify"; `Note::verify` names the key.
    #[allow(clippy::result_unit_err)]
    pub fn verify(&self, text: &[u8], sig: &[u8]) -> Result<Option<u64>, ()> {
        match (&self.public, self.algorithm) {
            (Public::Ed25519(k), Algorithm::Ed25519) => {
                let s = ed25519_dalek::Signature::from_slice(sig).map_err(|_| ())?;
                k.verify(text, &s).map_err(|_| ())?;
                Ok(None)
            }
            (Public::Ed25519(k), Algorithm::Cosignature) => {
                if sig.len() != 72 {
                    return Err(());
                }
                let time = u64::from_be_bytes(sig[..8].try_into().expect("8 bytes"));
                let s = ed25519_dalek::Signature::from_slice(&sig[8..]).map_err(|_| ())?;
                k.verify(&cosigned_message(time, text), &s)
                    .map_err(|_| ())?;
                Ok(Some(time))
            }
            (Public::Sm2(k), Algorithm::Sm2) => {
                use sm2::dsa::signature::Verifier;
                let s = sm2::dsa::Signature::from_slice(sig).map_err(|_| ())?;
                k.verify(text, &s).map_err(|_| ())?;
                Ok(None)
            }
            _ => Err(()),
        }
    }
}

/// `cosignature/v1\ntime <t>\n` followed by the checkpoint text.
fn cosigned_message(time: u64, text: &[u8]) -> Vec<u8> {
    let mut m = format!("cosignature/v1\ntime {time}\n").into_bytes();
    m.extend_from_slice(text);
    m
}

enum Secret {
    Ed25519(Box<ed25519_dalek::SigningKey>),
    Sm2(Box<sm2::dsa::SigningKey>),
}

/// A private key that signs notes (the log's keys) or cosigns checkpoints (a witness's key).
pub struct SignerKey {
    verifier: VerifierKey,
    secret: Secret,
    raw: Vec<u8>,
}

impl std::fmt::Debug for SignerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SignerKey({}, private)", self.verifier)
    }
}

impl SignerKey {
    /// A new random key.
    pub fn generate(name: &str, algorithm: Algorithm) -> Result<SignerKey, NoteError> {
        use rand::RngCore;
        loop {
            let mut seed = [0u8; 32];
            rand::rng().fill_bytes(&mut seed);
            match SignerKey::from_raw(name, algorithm, &seed) {
                // A scalar out of the SM2 range (probability ~2^-32): draw again.
                Err(NoteError::Key(m)) if m.contains("scalar") => continue,
                other => return other,
            }
        }
    }

    fn from_raw(name: &str, algorithm: Algorithm, raw: &[u8]) -> Result<SignerKey, NoteError> {
        let (secret, public) = match algorithm {
            Algorithm::Ed25519 | Algorithm::Cosignature => {
                let seed: [u8; 32] = raw
                    .try_into()
                    .map_err(|_| NoteError::Key("an Ed25519 private key is 32 bytes".into()))?;
                let k = ed25519_dalek::SigningKey::from_bytes(&seed);
                let public = k.verifying_key().to_bytes().to_vec();
                (Secret::Ed25519(Box::new(k)), public)
            }
            Algorithm::Sm2 => {
                use sm2::elliptic_curve::sec1::ToEncodedPoint;
                if raw.len() != 32 {
                    return Err(NoteError::Key("an SM2 private key is 32 bytes".into()));
                }
                let k = sm2::dsa::SigningKey::from_slice(SM2_DISTID, raw)
                    .map_err(|_| NoteError::Key("not a valid SM2 private scalar".into()))?;
                let public = k
                    .verifying_key()
                    .to_encoded_point(false)
                    .as_bytes()
                    .to_vec();
                (Secret::Sm2(Box::new(k)), public)
            }
        };
        Ok(SignerKey {
            verifier: VerifierKey::new(name, algorithm, &public)?,
            secret,
            raw: raw.to_vec(),
        })
    }

    /// Parses `PRIVATE+KEY+<name>+<hex id>+<base64 key>`.
    pub fn parse(text: &str) -> Result<SignerKey, NoteError> {
        let rest = text
            .trim()
            .strip_prefix("PRIVATE+KEY+")
            .ok_or_else(|| NoteError::Key("a private key starts with PRIVATE+KEY+".into()))?;
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(NoteError::Key(
                "a private key is PRIVATE+KEY+<name>+<id>+<key>".into(),
            ));
        };
        let id = u32::from_str_radix(id, 16).map_err(|_| NoteError::Key("bad key ID".into()))?;
        let bytes = B64
            .decode(key)
            .map_err(|_| NoteError::Key("the private key is not base64".into()))?;
        let (algorithm, raw) = Algorithm::split(&bytes)?;
        let k = SignerKey::from_raw(name, algorithm, raw)?;
        if k.verifier.id != id {
            return Err(NoteError::Key(
                "the key ID does not match the private key".into(),
            ));
        }
        Ok(k)
    }

    /// The private key in text form (keep it secret).
    pub fn to_private_string(&self) -> String {
        let mut b = self.verifier.algorithm.type_bytes();
        b.extend_from_slice(&self.raw);
        format!(
            "PRIVATE+KEY+{}+{:08x}+{}",
            self.verifier.name,
            self.verifier.id,
            B64.encode(b)
        )
    }

    pub fn verifier(&self) -> &VerifierKey {
        &self.verifier
    }

    pub fn name(&self) -> &str {
        &self.verifier.name
    }

    /// A signature line's content for `text`. A cosigning key needs the time (Unix seconds).
    pub fn sign(&self, text: &[u8], time: Option<u64>) -> Signature {
        let bytes = match (&self.secret, self.verifier.algorithm) {
            (Secret::Ed25519(k), Algorithm::Ed25519) => k.sign(text).to_bytes().to_vec(),
            (Secret::Ed25519(k), Algorithm::Cosignature) => {
                let t = time.unwrap_or(0);
                let mut b = t.to_be_bytes().to_vec();
                b.extend_from_slice(&k.sign(&cosigned_message(t, text)).to_bytes());
                b
            }
            (Secret::Sm2(k), _) => {
                use sm2::dsa::signature::Signer;
                let s: sm2::dsa::Signature = k.sign(text);
                s.to_bytes().to_vec()
            }
            (Secret::Ed25519(_), Algorithm::Sm2) => unreachable!("key and algorithm agree"),
        };
        Signature {
            name: self.verifier.name.clone(),
            id: self.verifier.id,
            bytes,
        }
    }
}

/// One signature line: `— <name> <base64(key ID ‖ signature)>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub name: String,
    pub id: u32,
    pub bytes: Vec<u8>,
}

impl Signature {
    pub fn line(&self) -> String {
        let mut b = self.id.to_be_bytes().to_vec();
        b.extend_from_slice(&self.bytes);
        format!("— {} {}\n", self.name, B64.encode(b))
    }

    /// Parses one line, without its newline.
    pub fn parse_line(line: &str) -> Result<Signature, NoteError> {
        let bad = |m: &str| NoteError::Malformed(format!("signature line {line:?}: {m}"));
        let rest = line
            .strip_prefix("— ")
            .ok_or_else(|| bad("does not start with an em dash and a space"))?;
        let (name, sig) = rest
            .split_once(' ')
            .ok_or_else(|| bad("has no space between name and signature"))?;
        if !valid_key_name(name) {
            return Err(bad("bad key name"));
        }
        let b = B64
            .decode(sig)
            .map_err(|_| bad("the signature is not base64"))?;
        if b.len() < 5 {
            return Err(bad("the signature is too short"));
        }
        Ok(Signature {
            name: name.to_string(),
            id: u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
            bytes: b[4..].to_vec(),
        })
    }
}

/// A signed note: text (ending in a newline) and its signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub text: String,
    pub signatures: Vec<Signature>,
}

/// A signature that verified: the key, and the time for a cosignature.
#[derive(Debug, Clone)]
pub struct Verified<'k> {
    pub key: &'k VerifierKey,
    pub time: Option<u64>,
}

impl Note {
    pub fn parse(bytes: &[u8]) -> Result<Note, NoteError> {
        let s = std::str::from_utf8(bytes)
            .map_err(|_| NoteError::Malformed("the note is not UTF-8".into()))?;
        if s.chars().any(|c| (c as u32) < 0x20 && c != '\n') {
            return Err(NoteError::Malformed(
                "the note holds a control character other than newline".into(),
            ));
        }
        let split = s
            .rfind("\n\n")
            .ok_or_else(|| NoteError::Malformed("no blank line before the signatures".into()))?;
        let text = &s[..split + 1];
        let sigs = &s[split + 2..];
        let Some(sigs) = sigs.strip_suffix('\n') else {
            return Err(NoteError::Malformed(
                "the last signature line does not end in a newline".into(),
            ));
        };
        let mut signatures = Vec::new();
        for line in sigs.split('\n') {
            if signatures.len() == MAX_SIGNATURES {
                return Err(NoteError::Malformed(format!(
                    "more than {MAX_SIGNATURES} signatures"
                )));
            }
            signatures.push(Signature::parse_line(line)?);
        }
        Ok(Note {
            text: text.to_string(),
            signatures,
        })
    }

    pub fn to_text(&self) -> String {
        let mut out = self.text.clone();
        out.push('\n');
        for s in &self.signatures {
            out.push_str(&s.line());
        }
        out
    }

    /// Verifies every signature made by one of `keys` (name and ID both match); signatures by
    /// other keys are ignored. A signature by a known key that fails refuses the whole note.
    pub fn verify<'k>(&self, keys: &'k [VerifierKey]) -> Result<Vec<Verified<'k>>, NoteError> {
        let mut out = Vec::new();
        for s in &self.signatures {
            for k in keys.iter().filter(|k| k.id == s.id && k.name == s.name) {
                let time = k.verify(self.text.as_bytes(), &s.bytes).map_err(|_| {
                    NoteError::BadSignature {
                        name: s.name.clone(),
                    }
                })?;
                out.push(Verified { key: k, time });
            }
        }
        if out.is_empty() {
            return Err(NoteError::NoTrustedSignature);
        }
        Ok(out)
    }

    /// Adds signatures, replacing an earlier one by the same key.
    pub fn add(&mut self, sig: Signature) {
        self.signatures
            .retain(|s| !(s.name == sig.name && s.id == sig.id));
        self.signatures.push(sig);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_golang_x_mod_note_example_verifies() {
        // golang.org/x/mod/sumdb/note: the "PeterNeumann" example.
        let vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
        let msg = "If you think cryptography is the answer to your problem,\n\
                   then you don't know what your problem is.\n\
                   \n\
                   — PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
        let k = VerifierKey::parse(vkey).unwrap();
        assert_eq!(k.to_string(), vkey);
        let note = Note::parse(msg.as_bytes()).unwrap();
        assert_eq!(note.to_text(), msg);
        let v = note.verify(std::slice::from_ref(&k)).unwrap();
        assert_eq!(v.len(), 1);
    }

    #[test]
    fn ed25519_sm2_and_cosignature_keys_round_trip_and_sign() {
        for alg in [Algorithm::Ed25519, Algorithm::Sm2, Algorithm::Cosignature] {
            let k = SignerKey::generate("example.org/key", alg).unwrap();
            let again = SignerKey::parse(&k.to_private_string()).unwrap();
            assert_eq!(again.verifier(), k.verifier());
            let v = VerifierKey::parse(&k.verifier().to_string()).unwrap();
            assert_eq!(&v, k.verifier());
            let mut note = Note {
                text: "hello\n".into(),
                signatures: vec![],
            };
            note.add(k.sign(note.text.as_bytes(), Some(1_700_000_000)));
            let parsed = Note::parse(note.to_text().as_bytes()).unwrap();
            let ok = parsed.verify(std::slice::from_ref(&v)).unwrap();
            assert_eq!(
                ok[0].time,
                (alg == Algorithm::Cosignature).then_some(1_700_000_000)
            );
            let mut tampered = parsed.clone();
            tampered.text = "hellO\n".into();
            assert_eq!(
                tampered.verify(std::slice::from_ref(&v)).unwrap_err(),
                NoteError::BadSignature {
                    name: "example.org/key".into()
                }
            );
        }
    }

    #[test]
    fn unknown_keys_are_ignored_and_no_trusted_signature_is_refused() {
        let a = SignerKey::generate("a.example", Algorithm::Ed25519).unwrap();
        let b = SignerKey::generate("b.example", Algorithm::Ed25519).unwrap();
        let mut note = Note {
            text: "x\n".into(),
            signatures: vec![],
        };
        note.add(a.sign(b"x\n", None));
        assert_eq!(
            note.verify(std::slice::from_ref(b.verifier())).unwrap_err(),
            NoteError::NoTrustedSignature
        );
        note.add(b.sign(b"x\n", None));
        assert_eq!(
            note.verify(std::slice::from_ref(b.verifier()))
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn malformed_notes_are_named() {
        for (bad, why) in [
            (&b"no blank line\n"[..], "blank line"),
            (b"text\n\n\xe2\x80\x94 k AAAAAAA=", "newline"),
            (b"text\n\n- k AAAAAAAA\n", "em dash"),
            (b"te\x01xt\n\n\xe2\x80\x94 k AAAAAAAA\n", "control"),
            (b"\xff\n\n", "UTF-8"),
        ] {
            let e = Note::parse(bad).unwrap_err().to_string();
            assert!(e.contains(why), "{e} for {bad:?}");
        }
    }
}
