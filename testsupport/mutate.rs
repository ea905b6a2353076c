//! Byte-level mutations of valid samples, for the never-panic property tests of parsers
//! (`crates/ledger/tests/parsers_never_panic.rs`, `crates/similarity/tests/extractors_never_panic.rs`,
//! which include this file with `#[path]`). Each test gives its own tokens (the syntax its
//! parsers look for) and how far deletions and duplications reach.

use proptest::prelude::*;
use proptest::sample::Index;

#[derive(Debug, Clone)]
pub enum Mutation {
    FlipBit(Index, u8),
    SetByte(Index, u8),
    Insert(Index, Vec<u8>),
    Delete(Index, usize),
    Duplicate(Index, usize),
    Truncate(Index),
}

/// Mutations that insert `tokens` (or random bytes), delete up to `max_delete` bytes and
/// duplicate up to `max_duplicate`.
pub fn mutation(
    tokens: &'static [&'static [u8]],
    max_delete: usize,
    max_duplicate: usize,
) -> impl Strategy<Value = Mutation> {
    let token = prop::sample::select(tokens).prop_map(<[u8]>::to_vec);
    prop_oneof![
        3 => (any::<Index>(), 0u8..8).prop_map(|(i, b)| Mutation::FlipBit(i, b)),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::SetByte(i, b)),
        3 => (any::<Index>(), prop_oneof![token, prop::collection::vec(any::<u8>(), 1..8)])
            .prop_map(|(i, t)| Mutation::Insert(i, t)),
        2 => (any::<Index>(), 1..max_delete).prop_map(|(i, n)| Mutation::Delete(i, n)),
        1 => (any::<Index>(), 1..max_duplicate).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
    ]
}

pub fn apply(b: &mut Vec<u8>, m: &Mutation) {
    let at = |i: &Index, b: &Vec<u8>| if b.is_empty() { 0 } else { i.index(b.len()) };
    match m {
        Mutation::FlipBit(i, bit) if !b.is_empty() => {
            let p = at(i, b);
            b[p] ^= 1 << bit;
        }
        Mutation::SetByte(i, v) if !b.is_empty() => {
            let p = at(i, b);
            b[p] = *v;
        }
        Mutation::Insert(i, t) => {
            let p = if b.is_empty() {
                0
            } else {
                i.index(b.len() + 1)
            };
            b.splice(p..p, t.iter().copied());
        }
        Mutation::Delete(i, n) => {
            let p = at(i, b);
            let end = (p + n).min(b.len());
            b.drain(p..end);
        }
        Mutation::Duplicate(i, n) => {
            let p = at(i, b);
            let end = (p + n).min(b.len());
            let copy = b[p..end].to_vec();
            b.splice(end..end, copy);
        }
        Mutation::Truncate(i) => {
            let p = at(i, b);
            b.truncate(p);
        }
        _ => {}
    }
}
