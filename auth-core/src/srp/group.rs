//! The SRP group and its arithmetic: the 3072-bit MODP prime of RFC 3526 (group 15), g = 2,
//! H = SHA-256. Elements are `crypto-bigint` Montgomery forms. The exponentiations run on
//! `crypto-bigint`'s constant-time `ConstMontyForm::pow_bounded_exp` by default; with the
//! feature `fast-srp` they run on the dedicated 3072-bit Montgomery code of `mont` (same
//! representation, about twice as fast; see `docs/benchmarks.md`), which stays opt-in until
//! the hardening work has its constant-time evidence.

use crypto_bigint::modular::ConstMontyForm;
use crypto_bigint::{U256, U512, U3072, const_monty_params};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

#[cfg(feature = "fast-srp")]
mod mont;

/// N in hex, RFC 3526 section 4.
pub(crate) const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74",
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437",
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05",
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB",
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718",
    "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33",
    "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864",
    "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2",
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);

const_monty_params!(
    Modulus,
    U3072,
    N_HEX,
    "The 3072-bit MODP prime of RFC 3526."
);

/// An element of Z/NZ in Montgomery form.
pub(crate) type Fe = ConstMontyForm<Modulus, { U3072::LIMBS }>;

/// Bytes of an element of the group.
pub(crate) const N_BYTES: usize = 384;

/// pad(x): the minimal big-endian bytes of x, with a leading 0x00 when the top bit is set
/// (Java `BigInteger.toByteArray`); zero is `[0]`.
pub(crate) fn pad(be: &[u8]) -> Vec<u8> {
    let start = be.iter().position(|&b| b != 0).unwrap_or(be.len());
    let digits = &be[start..];
    let mut out = Vec::with_capacity(digits.len() + 1);
    if digits.first().is_none_or(|&b| b & 0x80 != 0) {
        out.push(0);
    }
    out.extend_from_slice(digits);
    out
}

/// The minimal big-endian bytes (no padding, zero is empty).
pub(crate) fn strip(be: &[u8]) -> &[u8] {
    let start = be.iter().position(|&b| b != 0).unwrap_or(be.len());
    &be[start..]
}

/// The big-endian bytes of a field element (always 384 bytes).
pub(crate) fn to_be(fe: &Fe) -> Zeroizing<[u8; N_BYTES]> {
    let mut out = Zeroizing::new([0u8; N_BYTES]);
    let mut value = fe.retrieve();
    out.copy_from_slice(value.to_be_bytes().as_ref());
    value.zeroize();
    out
}

/// An integer of at most 384 bytes as a field element (reduced mod N); `None` when longer.
pub(crate) fn from_be(be: &[u8]) -> Option<Fe> {
    let digits = strip(be);
    if digits.len() > N_BYTES {
        return None;
    }
    let mut buf = Zeroizing::new([0u8; N_BYTES]);
    buf[N_BYTES - digits.len()..].copy_from_slice(digits);
    let mut value = U3072::from_be_slice(&buf[..]);
    // Montgomery conversion reduces any value below 2^3072 modulo N.
    let fe = Fe::new(&value);
    value.zeroize();
    Some(fe)
}

/// k = H(pad(N) ‖ pad(g)), computed once.
pub(crate) fn k() -> Fe {
    static K: std::sync::OnceLock<Fe> = std::sync::OnceLock::new();
    *K.get_or_init(compute_k)
}

fn compute_k() -> Fe {
    let n = U3072::from_be_hex(N_HEX).to_be_bytes();
    let digest = Sha256::new()
        .chain_update(pad(n.as_ref()))
        .chain_update(pad(&[2]))
        .finalize();
    from_be(&digest).unwrap_or(Fe::ZERO)
}

/// g^e mod N for g = 2 and an exponent of any length (big-endian bytes), in time that depends
/// only on the length of the exponent.
///
/// With `fast-srp`, exponents of up to 256 bits (x, always 32 bytes) use a fixed-base table of
/// g^(d·16^j), built once: 64 multiplications and no squarings; longer ones (the private value
/// a) use left-to-right binary exponentiation where the multiplication by g = 2 is a modular
/// doubling. Without it, this is [`pow`] of 2.
pub(crate) fn pow_g(exponent: &[u8]) -> Fe {
    #[cfg(feature = "fast-srp")]
    {
        let power = Zeroizing::new(if exponent.len() * 8 <= mont::FIXED_BITS {
            mont::pow_2_fixed(exponent)
        } else {
            mont::pow_2(exponent)
        });
        mont::to_fe(&power)
    }
    #[cfg(not(feature = "fast-srp"))]
    {
        maintained_pow(&Fe::new(&U3072::from_u8(2)), exponent)
    }
}

/// base^e mod N for an exponent of any length (big-endian bytes), in constant time for a given
/// exponent length. The exponent is honoured in full, never reduced modulo anything (test
/// vectors use 1,024-byte private values).
pub(crate) fn pow(base: &Fe, exponent: &[u8]) -> Fe {
    #[cfg(feature = "fast-srp")]
    {
        let base = Zeroizing::new(mont::from_fe(base));
        let power = Zeroizing::new(mont::pow(&base, exponent));
        mont::to_fe(&power)
    }
    #[cfg(not(feature = "fast-srp"))]
    {
        maintained_pow(base, exponent)
    }
}

/// The exponent chunk `crypto-bigint` exponentiates at once.
type ExponentChunk = crypto_bigint::U4096;

/// [`pow`] on `crypto-bigint` alone: the exponent in chunks of 512 bytes, most significant
/// first; acc = acc^(2^bits(chunk)) · base^chunk, each step by `pow_bounded_exp` and
/// `square`, whose running time depends only on the (public) lengths.
#[cfg_attr(
    feature = "fast-srp",
    allow(dead_code, reason = "compiled for the differential test against mont")
)]
fn maintained_pow(base: &Fe, exponent: &[u8]) -> Fe {
    const CHUNK: usize = ExponentChunk::BYTES;
    let head = exponent.len() % CHUNK;
    let chunks = exponent[..head]
        .chunks(CHUNK)
        .chain(exponent[head..].chunks(CHUNK));
    let mut acc = Fe::ONE;
    for (i, chunk) in chunks.enumerate() {
        if i > 0 {
            for _ in 0..chunk.len() * 8 {
                acc = acc.square();
            }
        }
        let mut padded = Zeroizing::new([0u8; CHUNK]);
        padded[CHUNK - chunk.len()..].copy_from_slice(chunk);
        let mut e = ExponentChunk::from_be_slice(&padded[..]);
        let bits = u32::try_from(chunk.len() * 8).expect("a chunk has 4,096 bits");
        acc = acc.mul(&base.pow_bounded_exp(&e, bits));
        e.zeroize();
    }
    acc
}

/// u · x as 64 big-endian bytes.
pub(crate) fn mul_256(u: &[u8; 32], x: &[u8; 32]) -> Zeroizing<[u8; 64]> {
    let mut product: U512 = U256::from_be_slice(u).concatenating_mul(&U256::from_be_slice(x));
    let mut out = Zeroizing::new([0u8; 64]);
    out.copy_from_slice(product.to_be_bytes().as_ref());
    product.zeroize();
    out
}

/// a + b for big-endian byte strings, one byte longer than the longer input.
pub(crate) fn add_be(a: &[u8], b: &[u8]) -> Zeroizing<Vec<u8>> {
    let len = a.len().max(b.len()) + 1;
    let mut out = Zeroizing::new(vec![0u8; len]);
    let mut carry = 0u16;
    for i in 0..len {
        let da = if i < a.len() { a[a.len() - 1 - i] } else { 0 };
        let db = if i < b.len() { b[b.len() - 1 - i] } else { 0 };
        let sum = u16::from(da) + u16::from(db) + carry;
        out[len - 1 - i] = sum as u8;
        carry = sum >> 8;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pad_follows_java_biginteger() {
        assert_eq!(pad(&[]), vec![0]);
        assert_eq!(pad(&[0, 0]), vec![0]);
        assert_eq!(pad(&[0, 0x7f]), vec![0x7f]);
        assert_eq!(pad(&[0x80]), vec![0, 0x80]);
        assert_eq!(pad(&[0, 0, 0xff, 1]), vec![0, 0xff, 1]);
    }

    #[test]
    fn k_is_the_known_constant() {
        // k of Cognito's group, as computed by amazon-cognito-identity-js and pycognito.
        let k = to_be(&k());
        assert_eq!(
            hex::encode(strip(&k[..])),
            "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"
        );
    }

    #[test]
    fn pow_g_matches_general_pow() {
        let two = from_be(&[2]).unwrap();
        for exponent in [&[][..], &[0], &[1], &[0xff, 0x01], &[0x80; 40]] {
            assert_eq!(pow_g(exponent), pow(&two, exponent), "{exponent:?}");
        }
    }

    #[test]
    fn wide_exponents_are_not_reduced() {
        // 2^(8·400) mod N computed by squaring: an exponent of 401 bytes (two chunks).
        let mut exponent = vec![0u8; 401];
        exponent[0] = 1;
        let two = from_be(&[2]).unwrap();
        let expected = two.square_repeat_vartime(8 * 400);
        assert_eq!(pow(&two, &exponent), expected);
        assert_eq!(pow_g(&exponent), expected);
    }

    /// The two implementations agree (run with `--features fast-srp`, as CI's
    /// `--all-features` does).
    #[cfg(feature = "fast-srp")]
    #[test]
    fn the_fast_path_matches_crypto_bigint() {
        let base = from_be(&[0x5a; 300]).unwrap();
        for len in [0, 1, 32, 33, 255, 256, 257, 511, 512, 513, 1025] {
            let exponent: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(
                pow(&base, &exponent),
                maintained_pow(&base, &exponent),
                "{len}"
            );
            let two = Fe::new(&U3072::from_u8(2));
            assert_eq!(pow_g(&exponent), maintained_pow(&two, &exponent), "{len}");
        }
    }

    #[test]
    fn add_be_carries() {
        assert_eq!(&add_be(&[0xff, 0xff], &[1])[..], &[1, 0, 0]);
        assert_eq!(&add_be(&[1], &[2, 3])[..], &[0, 2, 4]);
    }
}
