//! `Entry::parse`: never panics; what it accepts, `encode` writes back byte for byte.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shoumi_ledger::Entry;
use shoumi_ledger::entry::identity_of;

fuzz_target!(|data: &[u8]| {
    if let Ok(e) = Entry::parse(data) {
        assert_eq!(e.encode(), data, "parse → encode is not the identity");
        assert_eq!(e.identity(), identity_of(data));
    }
    let _ = identity_of(data);
});
