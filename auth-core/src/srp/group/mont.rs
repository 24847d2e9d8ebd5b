//! Fixed-size Montgomery arithmetic modulo the group's N: 48 limbs of 64 bits, R = 2^3072.
//!
//! `crypto-bigint`'s generic `Uint` arithmetic is constant time but costs about twice what
//! OpenSSL's assembly does for a 3072-bit modulus. This module does the same Montgomery
//! arithmetic (same R, so values convert to and from [`Fe`] by copying) with code LLVM
//! compiles tightly for this one size:
//!
//! - multiplication and squaring by *finely integrated product scanning* (Koç, Acar and
//!   Kaliski, 1996): each output column accumulates its products in 192-bit accumulators,
//!   a `mul` and an `add`/`adc`/`adc` per product, with the reduction interleaved column by
//!   column; every column is instantiated for its constant index (const generics), so its
//!   bounds and indices are compile-time constants;
//! - squaring sums each cross product a_i·a_j (i < j) once and doubles the column, which
//!   halves the product count of the multiplication half;
//! - N ≡ −1 (mod 2^64), so −N⁻¹ mod 2^64 = 1: the Montgomery digit of a column is the
//!   column's low word, with no multiplication, and adding that digit times N's lowest limb
//!   (2^64 − 1) only moves the low word into the carry;
//! - exponentiation by fixed 5-bit windows, and g^x (g = 2, x of 256 bits) from a fixed-base
//!   table built once, which needs no squarings at all.
//!
//! Everything is constant time: loop bounds and memory indices depend only on the (public)
//! sizes, never on values; the final subtraction of N and every table lookup select with
//! masks (`subtle`), never with branches, and every lookup reads the whole table.

use crypto_bigint::U3072;
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::{Zeroize, Zeroizing};

use super::Fe;

/// Limbs of an element (little-endian order).
pub(super) const LIMBS: usize = 48;

/// A residue in Montgomery form (x·R mod N), fully reduced, little-endian limbs.
pub(super) type Limbs = [u64; LIMBS];

/// N as little-endian limbs, parsed from the RFC's hex at compile time.
pub(super) const N: Limbs = parse_hex_le(super::N_HEX);

// The Montgomery digit shortcut below relies on N ≡ −1 (mod 2^64).
const _: () = assert!(N[0] == u64::MAX);

const fn parse_hex_le(hex: &str) -> Limbs {
    let hex = hex.as_bytes();
    assert!(hex.len() == LIMBS * 16);
    let mut out = [0u64; LIMBS];
    let mut i = 0;
    while i < hex.len() {
        let c = hex[i];
        let digit = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => panic!("N_HEX is not hexadecimal"),
        };
        // Digit i (from the most significant end) lands in limb (len − 1 − i) / 16.
        let pos = hex.len() - 1 - i;
        out[pos / 16] |= (digit as u64) << ((pos % 16) * 4);
        i += 1;
    }
    out
}

/// Subtracts N once when the 3073-bit value `carry`·2^3072 + `value` is at least N (it is
/// below 2N), with a masked select instead of a branch.
#[inline(always)]
fn final_subtract(value: &mut Limbs, carry: u64) {
    let mut diff = [0u64; LIMBS];
    let mut borrow = false;
    for ((d, v), n) in diff.iter_mut().zip(value.iter()).zip(N.iter()) {
        let (t, b1) = v.overflowing_sub(*n);
        let (t, b2) = t.overflowing_sub(u64::from(borrow));
        *d = t;
        borrow = b1 | b2;
    }
    // value ≥ N exactly when the subtraction does not borrow past the carry word.
    let keep_diff = Choice::from((carry as u8) | u8::from(!borrow));
    for (v, d) in value.iter_mut().zip(diff.iter()) {
        v.conditional_assign(d, keep_diff);
    }
    diff.zeroize();
}

/// `a + b + carry` with the carry out, as one `adc` on x86-64.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn adc(carry: u8, a: u64, b: u64, out: &mut u64) -> u8 {
    // A safe intrinsic (baseline x86-64, no target feature): it keeps LLVM on one
    // `add`/`adc`/`adc` chain per product; with `u128::overflowing_add` it re-associated the
    // carries through `setb`/`movzx` and the squaring took about 40% more instructions.
    std::arch::x86_64::_addcarry_u64(carry, a, b, out)
}

/// `a + b + carry` with the carry out.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn adc(carry: u8, a: u64, b: u64, out: &mut u64) -> u8 {
    let (sum, c1) = a.overflowing_add(b);
    let (sum, c2) = sum.overflowing_add(u64::from(carry));
    *out = sum;
    u8::from(c1 | c2)
}

/// A 192-bit column accumulator (r0 the low word).
#[derive(Clone, Copy, Default)]
struct Acc {
    r0: u64,
    r1: u64,
    r2: u64,
}

impl Acc {
    /// acc += x·y: one `mul` and an `add`/`adc`/`adc` chain.
    #[inline(always)]
    fn mac(&mut self, x: u64, y: u64) {
        let p = u128::from(x) * u128::from(y);
        let c = adc(0, self.r0, p as u64, &mut self.r0);
        let c = adc(c, self.r1, (p >> 64) as u64, &mut self.r1);
        adc(c, self.r2, 0, &mut self.r2);
    }

    /// acc += other.
    #[inline(always)]
    fn add(&mut self, other: Self) {
        let c = adc(0, self.r0, other.r0, &mut self.r0);
        let c = adc(c, self.r1, other.r1, &mut self.r1);
        adc(c, self.r2, other.r2, &mut self.r2);
    }

    /// acc += x (one word).
    #[inline(always)]
    fn add_word(&mut self, x: u64) {
        let c = adc(0, self.r0, x, &mut self.r0);
        let c = adc(c, self.r1, 0, &mut self.r1);
        adc(c, self.r2, 0, &mut self.r2);
    }

    /// acc *= 2 (column sums stay far below 2^191).
    #[inline(always)]
    fn double(&mut self) {
        self.r2 = (self.r2 << 1) | (self.r1 >> 63);
        self.r1 = (self.r1 << 1) | (self.r0 >> 63);
        self.r0 <<= 1;
    }

    /// The low word, and acc >>= 64.
    #[inline(always)]
    fn shift(&mut self) -> u64 {
        let out = self.r0;
        self.r0 = self.r1;
        self.r1 = self.r2;
        self.r2 = 0;
        out
    }
}

/// Ends column k: for k < 48 the Montgomery digit m_k is the low word (−N⁻¹ ≡ 1), and
/// adding m_k·N_0 = m_k·2^64 − m_k clears the low word and carries m_k; for k ≥ 48 the low
/// word is output word k − 48.
#[inline(always)]
fn finish_column(acc: &mut Acc, m: &mut Limbs, out: &mut Limbs, k: usize) {
    if k < LIMBS {
        let digit = acc.shift();
        m[k] = digit;
        acc.add_word(digit);
    } else {
        out[k - LIMBS] = acc.shift();
    }
}

/// The last two words after column 94, then the conditional subtraction (the result is
/// below 2N < 2^3073).
#[inline(always)]
fn finish(acc: &mut Acc, m: &mut Limbs, mut out: Limbs) -> Limbs {
    out[LIMBS - 1] = acc.shift();
    let carry = acc.shift();
    final_subtract(&mut out, carry);
    m.zeroize();
    out
}

/// Column K of a multiplication: products a_i·b_{K−i} in one accumulator and reduction
/// terms m_i·N_{K−i} in another (two independent carry chains, so the multiplier is not
/// left waiting on one `adc` chain), merged at the end. K is a constant: every column gets
/// its own straight-line code (or a loop with a fixed trip count), never a loop whose
/// length changes from column to column, whose exits the branch predictor would miss.
#[inline(always)]
fn mul_column<const K: usize>(a: &Limbs, b: &Limbs, m: &mut Limbs, out: &mut Limbs, acc: &mut Acc) {
    let lo = (K + 1).saturating_sub(LIMBS);
    let hi = if K < LIMBS { K } else { LIMBS };
    let mut products = Acc::default();
    let mut i = lo;
    while i < hi {
        products.mac(a[i], b[K - i]);
        acc.mac(m[i], N[K - i]);
        i += 1;
    }
    if K < LIMBS {
        products.mac(a[K], b[0]);
    }
    acc.add(products);
    finish_column(acc, m, out, K);
}

/// `column::<K>(args)` for K = 0..=94, the 2·48 − 1 columns of a 48-limb product.
macro_rules! for_each_column {
    ($column:ident $args:tt) => {
        for_each_column!(@ $column $args; 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 93 94)
    };
    (@ $column:ident $args:tt; $($k:literal)*) => {
        $( $column::<$k> $args; )*
    };
}

/// a·b·R⁻¹ mod N for a, b < N.
#[inline(never)]
pub(super) fn mul(a: &Limbs, b: &Limbs) -> Limbs {
    let mut m = [0u64; LIMBS];
    let mut out = [0u64; LIMBS];
    let mut acc = Acc::default();
    for_each_column!(mul_column(a, b, &mut m, &mut out, &mut acc));
    finish(&mut acc, &mut m, out)
}

/// Column K of a squaring: the cross products a_i·a_{K−i} (i < K − i) once, doubled, plus
/// the square a_{K/2}², and the reduction terms m_i·N_{K−i} split over two more
/// accumulators. K is a constant, as in [`mul_column`].
#[inline(always)]
fn square_column<const K: usize>(a: &Limbs, m: &mut Limbs, out: &mut Limbs, acc: &mut Acc) {
    let lo = (K + 1).saturating_sub(LIMBS);
    let half = K.div_ceil(2);
    let hi = if K < LIMBS { K } else { LIMBS };
    let mut cross = Acc::default();
    let mut i = lo;
    while i < half {
        cross.mac(a[i], a[K - i]);
        acc.mac(m[i], N[K - i]);
        i += 1;
    }
    // The rest of the reduction terms, alternating between two accumulators.
    let mut tail = Acc::default();
    while i + 1 < hi {
        acc.mac(m[i], N[K - i]);
        tail.mac(m[i + 1], N[K - i - 1]);
        i += 2;
    }
    if i < hi {
        acc.mac(m[i], N[K - i]);
    }
    acc.add(tail);
    cross.double();
    if K.is_multiple_of(2) {
        cross.mac(a[K / 2], a[K / 2]);
    }
    acc.add(cross);
    finish_column(acc, m, out, K);
}

/// a²·R⁻¹ mod N for a < N.
#[inline(never)]
pub(super) fn square(a: &Limbs) -> Limbs {
    let mut m = [0u64; LIMBS];
    let mut out = [0u64; LIMBS];
    let mut acc = Acc::default();
    for_each_column!(square_column(a, &mut m, &mut out, &mut acc));
    finish(&mut acc, &mut m, out)
}

/// 2·a mod N for a < N (a doubling in Montgomery form is the doubling of the value).
pub(super) fn double(a: &Limbs) -> Limbs {
    let mut out = [0u64; LIMBS];
    let mut carry = 0u64;
    for (o, x) in out.iter_mut().zip(a.iter()) {
        *o = (x << 1) | carry;
        carry = x >> 63;
    }
    final_subtract(&mut out, carry);
    out
}

/// R mod N: the Montgomery form of 1.
pub(super) fn one() -> Limbs {
    from_fe(&Fe::ONE)
}

/// The Montgomery limbs of a field element (the same R, so a plain copy).
pub(super) fn from_fe(fe: &Fe) -> Limbs {
    let mut bytes = fe.as_montgomery().to_le_bytes();
    let mut out = [0u64; LIMBS];
    for (limb, chunk) in out.iter_mut().zip(bytes.as_ref().chunks_exact(8)) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        *limb = u64::from_le_bytes(word);
        word.zeroize();
    }
    bytes.as_mut().zeroize();
    out
}

/// The field element of Montgomery limbs.
pub(super) fn to_fe(limbs: &Limbs) -> Fe {
    let mut bytes = Zeroizing::new([0u8; LIMBS * 8]);
    for (chunk, limb) in bytes.chunks_exact_mut(8).zip(limbs.iter()) {
        chunk.copy_from_slice(&limb.to_le_bytes());
    }
    let mut value = U3072::from_le_slice(&bytes[..]);
    let fe = Fe::from_montgomery(value);
    value.zeroize();
    fe
}

/// Bits per window of [`pow`]: 1,032-bit exponents cost about 207 table multiplications plus
/// 30 to fill the table; 6 bits would save only a few and double the lookup cost.
const WINDOW: usize = 5;
const TABLE: usize = 1 << WINDOW;

/// The `width` bits of the big-endian `exponent` starting at bit `start` (counted from the
/// most significant bit). Positions depend only on the exponent's length.
fn window_bits(exponent: &[u8], start: usize, width: usize) -> u32 {
    let mut value = 0u32;
    for bit in start..start + width {
        let byte = exponent[bit / 8];
        value = (value << 1) | u32::from((byte >> (7 - bit % 8)) & 1);
    }
    value
}

/// table[index], reading every entry and keeping the wanted one with a mask, so neither
/// the memory accessed nor the time taken depends on the (secret) index.
fn lookup<const ENTRIES: usize>(table: &[Limbs; ENTRIES], index: u32) -> Limbs {
    let mut out = [0u64; LIMBS];
    for (i, entry) in (0u32..).zip(table.iter()) {
        let hit = i.ct_eq(&index);
        for (o, e) in out.iter_mut().zip(entry.iter()) {
            o.conditional_assign(e, hit);
        }
    }
    out
}

/// base^e for a big-endian exponent of any length, by fixed windows of [`WINDOW`] bits: the
/// sequence of squarings, multiplications and table scans depends only on the exponent's
/// length. The exponent is used in full, never reduced.
pub(super) fn pow(base: &Limbs, exponent: &[u8]) -> Limbs {
    let bits = exponent.len() * 8;
    if bits == 0 {
        return one();
    }
    let mut table = Zeroizing::new([[0u64; LIMBS]; TABLE]);
    table[0] = one();
    table[1] = *base;
    for i in 2..TABLE {
        table[i] = if i.is_multiple_of(2) {
            square(&table[i / 2])
        } else {
            mul(&table[i - 1], base)
        };
    }
    // The first window takes the leftover bits, so the others are all full.
    let first = match bits % WINDOW {
        0 => WINDOW,
        partial => partial,
    };
    let mut digit = window_bits(exponent, 0, first);
    let mut acc = Zeroizing::new(lookup(&table, digit));
    let mut power = Zeroizing::new([0u64; LIMBS]);
    let mut start = first;
    while start < bits {
        for _ in 0..WINDOW {
            *acc = square(&acc);
        }
        digit = window_bits(exponent, start, WINDOW);
        *power = lookup(&table, digit);
        *acc = mul(&acc, &power);
        start += WINDOW;
    }
    digit.zeroize();
    *acc
}

/// g^e for g = 2 and a big-endian exponent of any length: per bit one squaring and one
/// doubling, kept or not by a masked select, so the time depends only on the exponent's
/// length.
pub(super) fn pow_2(exponent: &[u8]) -> Limbs {
    let mut acc = Zeroizing::new(one());
    let mut doubled = Zeroizing::new([0u64; LIMBS]);
    for byte in exponent {
        for shift in (0..8).rev() {
            *acc = square(&acc);
            *doubled = double(&acc);
            let bit = Choice::from((byte >> shift) & 1);
            for (a, d) in acc.iter_mut().zip(doubled.iter()) {
                a.conditional_assign(d, bit);
            }
        }
    }
    *acc
}

/// Bits per window of the fixed-base exponentiation [`pow_2_fixed`].
const FIXED_WINDOW: usize = 4;
/// Exponent bits [`pow_2_fixed`] covers: x = H(salt ‖ H(…)) is 256 bits.
pub(super) const FIXED_BITS: usize = 256;
const FIXED_WINDOWS: usize = FIXED_BITS / FIXED_WINDOW;
const FIXED_ENTRIES: usize = 1 << FIXED_WINDOW;

/// g^(d·16^j) in Montgomery form for every window j < 64 and digit d < 16 (393 KB), built
/// once per process (about 450 modular multiplications, a few milliseconds).
type FixedTable = [[Limbs; FIXED_ENTRIES]; FIXED_WINDOWS];

static FIXED_TABLE: std::sync::LazyLock<Box<FixedTable>> = std::sync::LazyLock::new(|| {
    let mut table: Box<FixedTable> = vec![[[0u64; LIMBS]; FIXED_ENTRIES]; FIXED_WINDOWS]
        .into_boxed_slice()
        .try_into()
        .unwrap_or_else(|_| unreachable!("FIXED_WINDOWS rows"));
    // base = g^(16^j), starting from g = 2.
    let mut base = double(&one());
    for row in table.iter_mut() {
        row[0] = one();
        row[1] = base;
        for d in 2..FIXED_ENTRIES {
            row[d] = if d.is_multiple_of(2) {
                square(&row[d / 2])
            } else {
                mul(&row[d - 1], &base)
            };
        }
        base = square(&row[FIXED_ENTRIES / 2]);
    }
    table
});

/// g^e for g = 2 and a big-endian exponent of at most 256 bits, from the fixed-base table:
/// one table lookup and one multiplication per 4-bit digit, 64 of each whatever the
/// exponent (no squarings, since every window has its own table of powers). Each lookup
/// scans the whole row of 16 entries, so neither time nor memory access depends on the
/// exponent's value.
pub(super) fn pow_2_fixed(exponent: &[u8]) -> Limbs {
    debug_assert!(exponent.len() * 8 <= FIXED_BITS);
    let mut padded = Zeroizing::new([0u8; FIXED_BITS / 8]);
    padded[FIXED_BITS / 8 - exponent.len()..].copy_from_slice(exponent);
    let table = &**FIXED_TABLE;
    let mut acc = Zeroizing::new([0u64; LIMBS]);
    let mut power = Zeroizing::new([0u64; LIMBS]);
    for (j, row) in table.iter().enumerate() {
        // Digit j counts from the least significant end.
        let byte = padded[FIXED_BITS / 8 - 1 - j / 2];
        let mut digit = u32::from((byte >> (4 * (j % 2))) & 0x0f);
        *power = lookup(row, digit);
        *acc = if j == 0 { *power } else { mul(&acc, &power) };
        digit.zeroize();
    }
    *acc
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fe_of(bytes: &[u8]) -> Fe {
        super::super::from_be(bytes).unwrap()
    }

    fn n_minus(k: u64) -> Fe {
        let n = U3072::from_be_hex(super::super::N_HEX);
        Fe::new(&n.wrapping_sub(&U3072::from_u64(k)))
    }

    fn edge_values() -> Vec<Fe> {
        vec![
            Fe::ZERO,
            Fe::ONE,
            fe_of(&[2]),
            n_minus(1),
            n_minus(2),
            fe_of(&[0xff; 384]), // 2^3072 − 1, reduced
            fe_of(&[0x80; 384]),
            Fe::from_montgomery(U3072::ONE), // R⁻¹ as a value: Montgomery limbs 0..01
            Fe::from_montgomery(Fe::MODULUS.wrapping_sub(&U3072::ONE)), // limbs N − 1
        ]
    }

    #[test]
    fn n_limbs_match_crypto_bigint() {
        let n = U3072::from_be_hex(super::super::N_HEX);
        assert_eq!(to_fe(&N).as_montgomery(), &n);
        assert_eq!(one(), from_fe(&Fe::ONE));
    }

    #[test]
    fn edge_values_match_crypto_bigint() {
        let values = edge_values();
        for x in &values {
            let xl = from_fe(x);
            assert_eq!(to_fe(&xl), *x);
            assert_eq!(to_fe(&square(&xl)), x.square());
            assert_eq!(to_fe(&double(&xl)), x.double());
            for y in &values {
                assert_eq!(to_fe(&mul(&xl, &from_fe(y))), x.mul(y));
            }
        }
    }

    #[test]
    fn pow_edge_cases() {
        let base = from_fe(&fe_of(&[7]));
        assert_eq!(pow(&base, &[]), one());
        assert_eq!(pow(&base, &[0]), one());
        assert_eq!(pow(&base, &[1]), base);
        assert_eq!(pow(&from_fe(&Fe::ZERO), &[3]), [0; LIMBS]);
        // (N − 1)^2 = 1, (N − 1)^3 = N − 1.
        let minus_one = from_fe(&n_minus(1));
        assert_eq!(pow(&minus_one, &[2]), one());
        assert_eq!(pow(&minus_one, &[3]), minus_one);
        assert_eq!(pow_2(&[]), one());
        for e in [
            &[][..],
            &[0],
            &[1],
            &[2],
            &[0xff; 32],
            &[0; 32],
            &[0x80; 32],
        ] {
            assert_eq!(pow_2_fixed(e), pow_2(e), "{e:?}");
        }
        assert_eq!(pow_2(&[0, 0]), one());
    }

    fn crypto_bigint_pow(base: &Fe, exponent: &[u8]) -> Fe {
        // Reference: square-and-multiply on crypto-bigint's own arithmetic, bit by bit.
        let mut acc = Fe::ONE;
        for byte in exponent {
            for shift in (0..8).rev() {
                acc = acc.square();
                if (byte >> shift) & 1 == 1 {
                    acc = acc.mul(base);
                }
            }
        }
        acc
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn mul_and_square_match_crypto_bigint(
            a in proptest::collection::vec(any::<u8>(), 384),
            b in proptest::collection::vec(any::<u8>(), 384),
        ) {
            let (x, y) = (fe_of(&a), fe_of(&b));
            let (xl, yl) = (from_fe(&x), from_fe(&y));
            prop_assert_eq!(to_fe(&mul(&xl, &yl)), x.mul(&y));
            prop_assert_eq!(to_fe(&square(&xl)), x.square());
            prop_assert_eq!(to_fe(&double(&xl)), x.double());
        }

        #[test]
        fn fixed_base_pow_matches_square_and_double(
            e in proptest::collection::vec(any::<u8>(), 0..=32),
        ) {
            prop_assert_eq!(pow_2_fixed(&e), pow_2(&e));
        }

        #[test]
        fn pow_matches_square_and_multiply(
            a in proptest::collection::vec(any::<u8>(), 1..384),
            e in proptest::collection::vec(any::<u8>(), 0..40),
        ) {
            let x = fe_of(&a);
            prop_assert_eq!(to_fe(&pow(&from_fe(&x), &e)), crypto_bigint_pow(&x, &e));
            prop_assert_eq!(to_fe(&pow_2(&e)), crypto_bigint_pow(&fe_of(&[2]), &e));
        }
    }
}
