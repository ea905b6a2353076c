//! `TlogProof::parse`: never panics; what it accepts, `to_text` writes back byte for byte.
//! Every input also goes through the full offline verifier (fixed policy), which must refuse
//! without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shoumi_ledger::TlogProof;

mod common;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = TlogProof::parse(data) {
        assert_eq!(
            p.to_text().as_bytes(),
            data,
            "parse → to_text is not the identity"
        );
    }
    let _ = common::verifier().verify(data, None);
});
