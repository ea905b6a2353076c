//! `witness::AddCheckpoint::parse`: never panics; what it accepts, `to_body` writes back byte for
//! byte. Accepted requests go on through the witness's decision (signature, sizes, consistency
//! proof) against a fixed state, with and without history.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shoumi_ledger::witness::{AddCheckpoint, decide};

mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(req) = AddCheckpoint::parse(data) else {
        return;
    };
    assert_eq!(
        req.to_body().as_bytes(),
        data,
        "parse → to_body is not the identity"
    );
    let key = common::witness_key();
    for seen in [None, Some(common::seen())] {
        if let Err(e) = decide(key, common::log_keys(), seen, &req, 1_764_000_000) {
            assert!([400, 403, 404, 409, 422].contains(&e.status()), "{e}");
        }
    }
});
