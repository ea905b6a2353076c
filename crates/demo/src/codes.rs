//! Unique identifiers by construction: a counter mixed by a keyed bijection.
//!
//! Drawing credit codes or phone numbers at random would only make duplicates unlikely; mapping
//! a counter through a permutation makes them impossible, while still looking random.

use shoumi_domain::CreditCode;
use shoumi_domain::credit_code::organisation_check_character;

/// The credit-code alphabet (GB 32100-2015: no I, O, S, V, Z).
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Number of distinct organisation-code bodies `MA` + six alphabet characters (31⁶).
pub const ORG_SPACE: u64 = 887_503_681;
/// Number of distinct eight-digit mobile-number tails.
pub const MOBILE_SPACE: u64 = 100_000_000;

/// A keyed bijection on `[0, 2^bits)`: xor with a round key, multiply by an odd constant and
/// xor-shift, three rounds; each step is invertible modulo `2^bits`.
fn mix(mut v: u64, key: u64, bits: u32) -> u64 {
    let mask = (1u64 << bits) - 1;
    let mut k = key;
    for _ in 0..3 {
        k = k
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(0x6A09_E667_F3BC_C909);
        v = (v ^ (k >> 7)) & mask;
        v = v.wrapping_mul(0xD6E8_FEB8_6659_FD93) & mask;
        v ^= v >> (bits / 2 + 1);
    }
    v
}

/// A keyed permutation of `[0, space)` by cycle walking over [`mix`]: walking `x`'s cycle until
/// it lands below `space` again is itself a bijection of `[0, space)`, so distinct inputs give
/// distinct outputs.
pub fn permute(x: u64, key: u64, space: u64) -> u64 {
    assert!(x < space, "counter {x} outside permutation space {space}");
    let bits = 64 - (space - 1).leading_zeros();
    let bits = bits.max(2);
    let mut v = x;
    loop {
        v = mix(v, key, bits);
        if v < space {
            return v;
        }
    }
}

/// The organisation code (GB 11714) numbered `n`: `MA` + six characters + check character,
/// as issued since 2015. Distinct `n` below [`ORG_SPACE`] give distinct codes.
pub fn organisation_code(n: u64, key: u64) -> [u8; 9] {
    let mut v = permute(n, key, ORG_SPACE);
    let mut out = [b'0'; 9];
    out[0] = b'M';
    out[1] = b'A';
    for i in (2..8).rev() {
        out[i] = ALPHABET[(v % 31) as usize];
        v /= 31;
    }
    out[8] = organisation_check_character(&out[..8]).expect("alphabet characters") as u8;
    out
}

/// A valid enterprise credit code (`91`, the six-digit county, organisation code, check).
pub fn enterprise_credit_code(county6: &str, org: &[u8; 9]) -> CreditCode {
    debug_assert_eq!(county6.len(), 6);
    let mut s = String::with_capacity(17);
    s.push_str("91");
    s.push_str(county6);
    s.push_str(std::str::from_utf8(org).expect("ascii"));
    CreditCode::with_check_character(&s).expect("generated codes are well formed")
}

/// An eleven-digit mobile number (13x, 15x or 18x) whose last eight digits are a permutation of
/// `n`: distinct `n` below [`MOBILE_SPACE`] give distinct numbers.
pub fn mobile(n: u64, key: u64) -> String {
    let tail = permute(n, key, MOBILE_SPACE);
    let head = [b'3', b'5', b'8'][(n % 3) as usize];
    let mut third = (mix(n, key ^ 0x55, 8) % 10) as u8;
    if head == b'5' && third == 4 {
        // 154 was never issued as a mobile prefix.
        third = 5;
    }
    let mut s = String::with_capacity(11);
    s.push('1');
    s.push(head as char);
    s.push((b'0' + third) as char);
    let mut digits = [b'0'; 8];
    let mut t = tail;
    for d in digits.iter_mut().rev() {
        *d = b'0' + (t % 10) as u8;
        t /= 10;
    }
    s.push_str(std::str::from_utf8(&digits).expect("ascii"));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn permutation_of_a_small_space_is_a_bijection() {
        for space in [1u64, 2, 7, 31, 1000, 4097] {
            let seen: HashSet<u64> = (0..space).map(|x| permute(x, 42, space)).collect();
            assert_eq!(seen.len() as u64, space);
            assert!(seen.iter().all(|&v| v < space));
        }
    }

    proptest::proptest! {
        #[test]
        fn any_organisation_code_makes_a_valid_credit_code(n in 0u64..ORG_SPACE, key: u64) {
            let org = organisation_code(n, key);
            let code = enterprise_credit_code("371526", &org);
            proptest::prop_assert!(CreditCode::parse_strict(code.as_str()).is_ok());
            proptest::prop_assert_eq!(
                organisation_check_character(&org[..8]).map(|c| c as u8),
                Some(org[8])
            );
        }

        #[test]
        fn distinct_counters_give_distinct_mobiles(a in 0u64..MOBILE_SPACE, b in 0u64..MOBILE_SPACE, key: u64) {
            proptest::prop_assume!(a != b);
            proptest::prop_assert_ne!(mobile(a, key), mobile(b, key));
        }
    }
}
