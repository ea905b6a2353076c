//! `VerifierKey::parse` and `SignerKey::parse` (Ed25519, SM2 and cosignature keys): never panic;
//! an accepted key written out parses back to the same key.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shoumi_ledger::{SignerKey, VerifierKey};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(k) = VerifierKey::parse(text) {
        assert_eq!(VerifierKey::parse(&k.to_string()).as_ref(), Ok(&k));
    }
    if let Ok(k) = SignerKey::parse(text) {
        let again = SignerKey::parse(&k.to_private_string()).expect("its own text parses");
        assert_eq!(again.verifier(), k.verifier());
    }
});
