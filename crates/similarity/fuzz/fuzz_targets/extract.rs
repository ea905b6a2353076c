//! `extract::extract_bytes` on any bytes, under every file-name hint: never panics; what it
//! accepts is well formed (`\n` line endings only, sections in order on character
//! boundaries, within the limits); and the hint never changes the text, only the wording
//! of a refusal (the content decides the format).
#![no_main]

use libfuzzer_sys::fuzz_target;
use shoumi_similarity::extract::{Limits, extract_bytes_with};

/// Tighter than the defaults, so that a decompression bomb in a small input is refused
/// well inside libFuzzer's memory limit (`-rss_limit_mb`, 2 GiB by default).
const LIMITS: Limits = Limits {
    max_input_bytes: 16 << 20,
    max_decompressed_bytes: 64 << 20,
    max_text_bytes: 16 << 20,
};

const NAMES: [&str; 7] = [
    "x.docx",
    "x.xlsx",
    "x.pptx",
    "x.pdf",
    "x.txt",
    "x",
    "配方.DOC",
];

fuzz_target!(|data: &[u8]| {
    let mut first: Option<Option<String>> = None;
    for name in NAMES {
        let text = match extract_bytes_with(name, data, &LIMITS) {
            Ok(e) => {
                assert!(!e.text.contains('\r'), "a \\r is left in the text");
                assert!(e.text.len() <= LIMITS.max_text_bytes);
                let mut last = 0;
                for s in &e.sections {
                    assert!(
                        s.start >= last && s.start <= e.text.len(),
                        "{:?}",
                        e.sections
                    );
                    assert!(e.text.is_char_boundary(s.start));
                    last = s.start;
                }
                Some(e.text)
            }
            Err(e) => {
                assert!(
                    e.to_string().contains(name),
                    "the message names the file: {e}"
                );
                None
            }
        };
        match &first {
            None => first = Some(text),
            Some(t) => assert_eq!(t, &text, "the hint {name} changed the result"),
        }
    }
});
