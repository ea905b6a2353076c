//! Winnowing's guarantee, keyed hashing, and the fingerprint file.

use std::collections::HashSet;

use proptest::prelude::*;
use shoumi_similarity::fingerprint::{kgram_hashes, winnow};
use shoumi_similarity::key::Prf;
use shoumi_similarity::{Document, EnterpriseKey, FingerprintFile, FormatError, Language};

fn prints(prf: &Prf, syms: &[u32], k: usize, w: usize) -> HashSet<u64> {
    winnow(&kgram_hashes(prf, syms, k), w)
        .iter()
        .map(|f| f.hash)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Schleimer et al.'s guarantee: a shared run of at least w + k − 1 tokens gives at least
    /// one shared fingerprint, wherever it sits in either document.
    #[test]
    fn winnowing_finds_every_run_of_w_plus_k_minus_1_tokens(
        k in 1usize..12,
        w in 1usize..12,
        extra in 0usize..20,
        a_pre in proptest::collection::vec(0u32..50, 0..60),
        a_post in proptest::collection::vec(0u32..50, 0..60),
        b_pre in proptest::collection::vec(0u32..50, 0..60),
        b_post in proptest::collection::vec(0u32..50, 0..60),
        seed in any::<u64>(),
    ) {
        let len = w + k - 1 + extra;
        let run: Vec<u32> = (0..len as u64)
            .map(|i| (seed.wrapping_mul(6364136223846793005).wrapping_add(i.wrapping_mul(1442695040888963407)) >> 33) as u32 % 50)
            .collect();
        let a: Vec<u32> = a_pre.iter().chain(&run).chain(&a_post).copied().collect();
        let b: Vec<u32> = b_pre.iter().chain(&run).chain(&b_post).copied().collect();
        let prf = Prf::unkeyed();
        let fa = prints(&prf, &a, k, w);
        let fb = prints(&prf, &b, k, w);
        prop_assert!(fa.intersection(&fb).next().is_some(), "no shared fingerprint for a run of {len} (k {k}, w {w})");
    }

    /// Winnowing selects at least one k-gram from every window of w.
    #[test]
    fn every_window_has_a_selected_kgram(
        hashes in proptest::collection::vec(any::<u64>(), 0..300),
        w in 1usize..16,
    ) {
        let f = winnow(&hashes, w);
        let pos: Vec<usize> = f.iter().map(|f| f.pos as usize).collect();
        prop_assert!(pos.windows(2).all(|p| p[0] < p[1]));
        if hashes.len() >= w {
            for start in 0..=hashes.len() - w {
                prop_assert!(pos.iter().any(|&p| p >= start && p < start + w));
            }
        }
    }

    /// The parser is total: any bytes give a value or an error, never a panic.
    #[test]
    fn parser_never_panics_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = FingerprintFile::parse(&bytes);
        let mut with_magic = shoumi_similarity::format::MAGIC.to_vec();
        with_magic.extend_from_slice(&bytes);
        let _ = FingerprintFile::parse(&with_magic);
    }

    /// Flipping any byte of a valid file is detected (checksum) or refused, never a panic.
    #[test]
    fn corrupted_files_are_refused(at in any::<prop::sample::Index>(), bit in 0u8..8) {
        let mut bytes = sample_file().to_bytes();
        let i = at.index(bytes.len());
        bytes[i] ^= 1 << bit;
        prop_assert!(FingerprintFile::parse(&bytes).is_err());
    }
}

fn key(n: u8) -> EnterpriseKey {
    EnterpriseKey::from_bytes([n; 32])
}

const JAVA: &str = r#"import java.util.Scanner;
public class Main {
    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        int n = in.nextInt();
        long total = 0;
        for (int i = 1; i <= n; i++) {
            if (i % 3 == 0 || i % 5 == 0) {
                total += i;
            }
        }
        System.out.println("Sum: " + total);
    }
}
"#;

const RECIPE: &str = "环氧胶粘剂工艺：将环氧树脂100份加入反应釜，升温至85℃，搅拌30分钟；\
加入固化剂35份，真空度-0.095MPa脱泡15分钟；以1200 rpm分散20 min；150℃固化2 h。";

fn sample_file() -> FingerprintFile {
    let docs = vec![
        Document::from_text("src/Main.java", Language::Java, JAVA).unwrap(),
        Document::from_text("配方.txt", Language::Text, RECIPE).unwrap(),
    ];
    shoumi_similarity::fingerprint_file(&key(7), &docs, None, &[])
}

#[test]
fn fingerprints_made_with_two_keys_share_nothing() {
    let docs = vec![
        Document::from_text("Main.java", Language::Java, JAVA).unwrap(),
        Document::from_text("配方.txt", Language::Text, RECIPE).unwrap(),
    ];
    let a = shoumi_similarity::fingerprint_file(&key(1), &docs, None, &[]);
    let b = shoumi_similarity::fingerprint_file(&key(2), &docs, None, &[]);
    let set = |f: &FingerprintFile| -> HashSet<u64> {
        f.docs
            .iter()
            .flat_map(|d| {
                d.fingerprints
                    .iter()
                    .map(|f| f.hash)
                    .chain(d.param_hashes.iter().copied())
            })
            .collect()
    };
    let (sa, sb) = (set(&a), set(&b));
    assert!(
        sa.len() > 20,
        "too few fingerprints to say anything: {}",
        sa.len()
    );
    assert!(
        sa.is_disjoint(&sb),
        "keyed fingerprints under two keys overlap"
    );
    assert_ne!(a.key_id, b.key_id);
    // Same key, same text: the same fingerprints (deterministic).
    let again = shoumi_similarity::fingerprint_file(&key(1), &docs, None, &[]);
    assert_eq!(a, again);
}

#[test]
fn fingerprint_file_round_trips() {
    let f = sample_file();
    let bytes = f.to_bytes();
    let back = FingerprintFile::parse(&bytes).unwrap();
    assert_eq!(back, f);
    assert_eq!(back.docs[1].name, "配方.txt");
    assert!(back.docs[0].fingerprints.iter().all(|f| f.line >= 1));
    // Compact: well under the text's size for a short document, a few bytes per token.
    let tokens: u32 = f.docs.iter().map(|d| d.tokens).sum();
    assert!(
        bytes.len() < 64 + tokens as usize * 6,
        "{} bytes for {tokens} tokens",
        bytes.len()
    );
}

#[test]
fn truncated_files_are_errors_at_every_length() {
    let bytes = sample_file().to_bytes();
    for n in 0..bytes.len() {
        let r = FingerprintFile::parse(&bytes[..n]);
        assert!(r.is_err(), "a file truncated to {n} bytes was accepted");
    }
}

#[test]
fn damaged_files_give_clear_errors() {
    let mut bytes = sample_file().to_bytes();
    assert_eq!(
        FingerprintFile::parse(b"hello world, not fingerprints at all, long enough"),
        Err(FormatError::NotFingerprints)
    );
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    assert_eq!(FingerprintFile::parse(&bytes), Err(FormatError::Checksum));
    let mut v2 = sample_file().to_bytes();
    v2[8] = 2;
    assert_eq!(FingerprintFile::parse(&v2), Err(FormatError::Version(2)));
}

/// A well-formed checksum over nonsense must still not panic or over-allocate.
#[test]
fn checksummed_nonsense_is_refused() {
    use sha2::{Digest, Sha256};
    let mut body = shoumi_similarity::format::MAGIC.to_vec();
    body.extend_from_slice(&1u16.to_le_bytes());
    body.extend_from_slice(&1u16.to_le_bytes());
    body.extend_from_slice(&[0u8; 8]);
    body.extend_from_slice(&8u16.to_le_bytes());
    body.extend_from_slice(&4u16.to_le_bytes());
    // A huge document count.
    body.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
    let sum = Sha256::digest(&body);
    body.extend_from_slice(&sum);
    assert!(matches!(
        FingerprintFile::parse(&body),
        Err(FormatError::Malformed { .. })
    ));
}

#[test]
fn key_files_round_trip_and_bad_ones_are_refused() {
    let k = key(9);
    let text = k.to_file_text();
    assert!(text.contains("shoumi-match-key v1"));
    let back = EnterpriseKey::parse("k", &text).unwrap();
    assert_eq!(back, k);
    assert_eq!(back.id_hex().len(), 16);
    assert!(EnterpriseKey::parse("k", "shoumi-match-key v1\nabc\n").is_err());
    assert!(EnterpriseKey::parse("k", "").is_err());
    // Debug never prints the key.
    assert!(!format!("{k:?}").contains(&hex::encode([9u8; 32])));
}
