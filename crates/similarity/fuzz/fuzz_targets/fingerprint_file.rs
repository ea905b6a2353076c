//! `FingerprintFile::parse`: never panics; an accepted file written back out parses to the
//! same value. (Bytes need not round-trip exactly: the parser accepts over-long varints.)
//!
//! The parser checks the SHA-256 trailer before it reads anything else, so mutated inputs
//! would almost never get further. Each input is therefore also tried resealed: an input
//! that starts like a fingerprint file has its last 32 bytes replaced by the checksum of the
//! rest, and any input is tried as the body of a file (magic and version before it, checksum
//! after).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};
use shoumi_similarity::FingerprintFile;
use shoumi_similarity::format::{MAGIC, VERSION};

fn check(bytes: &[u8]) {
    if let Ok(f) = FingerprintFile::parse(bytes) {
        let again = FingerprintFile::parse(&f.to_bytes()).expect("its own bytes parse");
        assert_eq!(again, f, "parse → to_bytes → parse changed the value");
    }
}

fn sealed(body: &[u8]) -> Vec<u8> {
    let mut out = body.to_vec();
    out.extend_from_slice(&Sha256::digest(body));
    out
}

fuzz_target!(|data: &[u8]| {
    check(data);
    if data.len() >= 32 && data.starts_with(&MAGIC) {
        check(&sealed(&data[..data.len() - 32]));
    }
    let mut body = Vec::with_capacity(data.len() + 10);
    body.extend_from_slice(&MAGIC);
    body.extend_from_slice(&VERSION.to_le_bytes());
    body.extend_from_slice(data);
    check(&sealed(&body));
});
