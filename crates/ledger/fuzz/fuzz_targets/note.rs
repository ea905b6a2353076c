//! `Note::parse`: never panics; what it accepts, `to_text` writes back byte for byte (the text
//! is kept verbatim and signatures must be canonical base64). Accepted notes go on through
//! signature verification and the checkpoint policy.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shoumi_ledger::Note;

mod common;

fuzz_target!(|data: &[u8]| {
    if let Ok(note) = Note::parse(data) {
        assert_eq!(
            note.to_text().as_bytes(),
            data,
            "parse → to_text is not the identity"
        );
        let _ = note.verify(common::all_keys());
        let _ = common::policy().verify_checkpoint(data);
    }
});
