//! Fixed, throwaway keys shared by the targets, so that key IDs (and so coverage) are the same on
//! every run, and the signed seeds in `seeds/` reach signature verification. They protect
//! nothing: they exist only for fuzzing.
#![allow(dead_code)]

use std::sync::OnceLock;

use shoumi_ledger::merkle::Hash;
use shoumi_ledger::witness::Seen;
use shoumi_ledger::{Policy, SignerKey, Verifier, VerifierKey};

pub const ORIGIN: &str = "shoumi.example/ledger";

const LOG_ED25519: &str =
    "shoumi.example/ledger+990952f9+AUpZdQc312GKypyP05lc8N5ATsSiO9y2a4iIs1tK/vzP";
const LOG_SM2: &str = "shoumi.example/ledger+ed49a536+/3Nob3VtaS9zbTItc20zL3YxBGjtj8Z+PunHumSaFfgStzSGS9GJ5g42yFHoKTPRYSiTk0IJpp248nMyWM5nrQmI6W1l05gW0+YFgWBLFwrJuvc=";
const WITNESSES: [&str; 2] = [
    "court.example/w+4115987e+BHbah98kZfAl/kb4UF/0j9IzGINQI70ZFwbW8v1gj0Mu",
    "notary.example/w+61a03504+BH/iEEDDk9sL2y7xACc8EUq0AZMQn0DjVUbf0239EiRY",
];
/// The first witness's private key (the witness_request target cosigns with it).
const WITNESS_PRIVATE: &str =
    "PRIVATE+KEY+court.example/w+4115987e+BAJ56eyJI1xHrU3si5DNSN0bgqU4tZlQom1W3jlpngkt";

/// The root of the seeds' log at size 5 (what the witness has "seen").
pub const ROOT_5: Hash = [
    144, 1, 81, 191, 124, 15, 127, 192, 236, 102, 17, 211, 25, 211, 253, 92, 213, 30, 235, 17, 206,
    15, 43, 238, 58, 204, 231, 163, 139, 6, 120, 231,
];

pub fn log_keys() -> &'static [VerifierKey] {
    static K: OnceLock<Vec<VerifierKey>> = OnceLock::new();
    K.get_or_init(|| {
        [LOG_ED25519, LOG_SM2]
            .iter()
            .map(|k| VerifierKey::parse(k).expect("a fixed key"))
            .collect()
    })
}

pub fn all_keys() -> &'static [VerifierKey] {
    static K: OnceLock<Vec<VerifierKey>> = OnceLock::new();
    K.get_or_init(|| {
        [LOG_ED25519, LOG_SM2, WITNESSES[0], WITNESSES[1]]
            .iter()
            .map(|k| VerifierKey::parse(k).expect("a fixed key"))
            .collect()
    })
}

pub fn policy() -> Policy {
    Policy {
        origin: ORIGIN.into(),
        log_keys: log_keys().to_vec(),
        witnesses: all_keys()[2..].to_vec(),
        quorum: 1,
    }
}

pub fn verifier() -> &'static Verifier {
    static V: OnceLock<Verifier> = OnceLock::new();
    V.get_or_init(|| Verifier::new(policy()))
}

pub fn witness_key() -> &'static SignerKey {
    static K: OnceLock<SignerKey> = OnceLock::new();
    K.get_or_init(|| SignerKey::parse(WITNESS_PRIVATE).expect("a fixed key"))
}

pub fn seen() -> Seen {
    Seen {
        size: 5,
        root: ROOT_5,
    }
}
