//! `Checkpoint::parse`: never panics; what it accepts, `to_text` writes back byte for byte.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shoumi_ledger::Checkpoint;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(c) = Checkpoint::parse(text) {
        assert_eq!(c.to_text(), text, "parse → to_text is not the identity");
    }
});
