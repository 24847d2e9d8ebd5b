//! The client's SRP work per sign-in, side by side with other implementations on the same
//! inputs:
//!
//! - `srp/compute_a`: A = g^a mod N from a 128-byte private value;
//! - `srp/password_signature`: from receiving SALT, SRP_B and SECRET_BLOCK to a ready
//!   PASSWORD_CLAIM_SIGNATURE (u, x, g^x, S, HKDF, HMAC).
//!
//! Function ids: `ours` (constant-time Montgomery arithmetic for the 3072-bit group, g^x from
//! a fixed-base table built once per process), `aws_cognito_srp` (the
//! `aws-cognito-srp` crate, num-bigint; its `verify` also recomputes A, which is part of its
//! real per-sign-in cost), `openssl` (the same modular exponentiations with OpenSSL's
//! constant-time `BN_mod_exp_mont_consttime`, our reference for the physical limit).
#![expect(
    missing_docs,
    reason = "criterion's macros generate undocumented functions"
)]

use std::hint::black_box;
use std::time::{Duration, UNIX_EPOCH};

use auth_core::srp::{SrpChallenge, SrpClient, SrpIdentity};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{Hmac, Mac};
use openssl::bn::{BigNum, BigNumContext};
use rand::{RngCore, SeedableRng};
use sha2::{Digest, Sha256};

const N_HEX: &str = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";

struct Inputs {
    a: Vec<u8>,
    salt_hex: String,
    b_hex: String,
    secret_block: String,
}

fn inputs() -> Inputs {
    let mut rng = rand::rngs::StdRng::seed_from_u64(2024);
    let mut a = vec![0u8; 128];
    rng.fill_bytes(&mut a);
    let mut salt = [0u8; 16];
    rng.fill_bytes(&mut salt);
    salt[0] |= 0x10;
    let mut b = [0u8; 128];
    rng.fill_bytes(&mut b);
    // B = g^b mod N: a realistic server value.
    let n = BigNum::from_hex_str(N_HEX).unwrap();
    let mut ctx = BigNumContext::new().unwrap();
    let mut big_b = BigNum::new().unwrap();
    big_b
        .mod_exp(
            &BigNum::from_u32(2).unwrap(),
            &BigNum::from_slice(&b).unwrap(),
            &n,
            &mut ctx,
        )
        .unwrap();
    let mut secret_block = vec![0u8; 1024];
    rng.fill_bytes(&mut secret_block);
    Inputs {
        a,
        salt_hex: hex::encode(salt),
        b_hex: big_b.to_hex_str().unwrap().to_lowercase(),
        secret_block: BASE64.encode(secret_block),
    }
}

const POOL_ID: &str = "us-east-1_AbCdEf123";
const POOL_NAME: &str = "AbCdEf123";
const USER: &str = "6b8e2a4c-0f1d-4c3b-9e8a-1234567890ab";
const PASSWORD: &str = "correct horse battery staple";

fn now() -> std::time::SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_772_521_509)
}

fn pad(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    let mut out = Vec::with_capacity(bytes.len() + 1);
    if bytes.get(start).is_none_or(|&b| b & 0x80 != 0) {
        out.push(0);
    }
    out.extend_from_slice(&bytes[start..]);
    out
}

fn consttime(mut n: BigNum) -> BigNum {
    n.set_const_time();
    n
}

/// The signature with OpenSSL doing every modular operation (constant-time exponentiations).
struct OpenSsl {
    n: BigNum,
    g: BigNum,
    k: BigNum,
    ctx: BigNumContext,
}

impl OpenSsl {
    fn new() -> Self {
        let n = BigNum::from_hex_str(N_HEX).unwrap();
        let k_hash = Sha256::new()
            .chain_update(pad(&n.to_vec()))
            .chain_update([2u8])
            .finalize();
        Self {
            k: BigNum::from_slice(&k_hash).unwrap(),
            g: BigNum::from_u32(2).unwrap(),
            n,
            ctx: BigNumContext::new().unwrap(),
        }
    }

    fn compute_a(&mut self, a: &[u8]) -> Vec<u8> {
        let exponent = consttime(BigNum::from_slice(a).unwrap());
        let mut big_a = BigNum::new().unwrap();
        big_a
            .mod_exp(&self.g, &exponent, &self.n, &mut self.ctx)
            .unwrap();
        big_a.to_vec()
    }

    fn signature(&mut self, a: &[u8], big_a: &[u8], inputs: &Inputs, timestamp: &str) -> String {
        let salt = hex::decode(&inputs.salt_hex).unwrap();
        let big_b = BigNum::from_hex_str(&inputs.b_hex).unwrap();
        let u = Sha256::new()
            .chain_update(pad(big_a))
            .chain_update(pad(&big_b.to_vec()))
            .finalize();
        let inner = Sha256::new()
            .chain_update(POOL_NAME)
            .chain_update(USER)
            .chain_update(":")
            .chain_update(PASSWORD)
            .finalize();
        let x = Sha256::new()
            .chain_update(pad(&salt))
            .chain_update(inner)
            .finalize();
        let x_bn = consttime(BigNum::from_slice(&x).unwrap());
        let u_bn = BigNum::from_slice(&u).unwrap();
        let mut g_x = BigNum::new().unwrap();
        g_x.mod_exp(&self.g, &x_bn, &self.n, &mut self.ctx).unwrap();
        let mut k_g_x = BigNum::new().unwrap();
        k_g_x
            .mod_mul(&self.k, &g_x, &self.n, &mut self.ctx)
            .unwrap();
        let mut base = BigNum::new().unwrap();
        base.mod_sub(&big_b, &k_g_x, &self.n, &mut self.ctx)
            .unwrap();
        let mut ux = BigNum::new().unwrap();
        ux.checked_mul(&u_bn, &x_bn, &mut self.ctx).unwrap();
        let mut exponent = BigNum::new().unwrap();
        exponent
            .checked_add(&BigNum::from_slice(a).unwrap(), &ux)
            .unwrap();
        let exponent = consttime(exponent);
        let mut s = BigNum::new().unwrap();
        s.mod_exp(&base, &exponent, &self.n, &mut self.ctx).unwrap();
        let mut key = [0u8; 16];
        hkdf::Hkdf::<Sha256>::new(Some(&pad(&u)), &pad(&s.to_vec()))
            .expand(b"Caldera Derived Key", &mut key)
            .unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
        mac.update(POOL_NAME.as_bytes());
        mac.update(USER.as_bytes());
        mac.update(&BASE64.decode(&inputs.secret_block).unwrap());
        mac.update(timestamp.as_bytes());
        BASE64.encode(mac.finalize().into_bytes())
    }
}

fn compute_a(c: &mut Criterion) {
    let inputs = inputs();
    let mut group = c.benchmark_group("srp/compute_a");
    group.bench_function("ours", |b| {
        b.iter(|| SrpClient::from_private_bytes(black_box(&inputs.a)).unwrap());
    });
    let theirs = aws_cognito_srp::SrpClient::<aws_cognito_srp::User>::new(
        aws_cognito_srp::User::new(POOL_ID, USER, PASSWORD),
        "client",
        None,
    );
    group.bench_function("aws_cognito_srp", |b| {
        b.iter(|| black_box(&theirs).get_auth_parameters());
    });
    let mut openssl = OpenSsl::new();
    group.bench_function("openssl", |b| {
        b.iter(|| openssl.compute_a(black_box(&inputs.a)));
    });
    group.finish();
}

fn password_signature(c: &mut Criterion) {
    let inputs = inputs();
    let timestamp = auth_core::timestamp::format(now());
    let ours = SrpClient::from_private_bytes(&inputs.a).unwrap();
    let mut openssl = OpenSsl::new();
    let big_a = openssl.compute_a(&inputs.a);

    // All three compute the same signature.
    let challenge =
        SrpChallenge::new(&inputs.salt_hex, &inputs.b_hex, &inputs.secret_block).unwrap();
    let identity = SrpIdentity::user(POOL_NAME, USER, PASSWORD);
    let expected = ours.password_claim(&identity, &challenge, now()).unwrap();
    assert_eq!(
        openssl.signature(&inputs.a, &big_a, &inputs, &timestamp),
        expected.signature.expose()
    );

    let mut group = c.benchmark_group("srp/password_signature");
    group.bench_function("ours", |b| {
        b.iter(|| {
            let challenge = SrpChallenge::new(
                black_box(&inputs.salt_hex),
                black_box(&inputs.b_hex),
                black_box(&inputs.secret_block),
            )
            .unwrap();
            let identity = SrpIdentity::user(POOL_NAME, USER, PASSWORD);
            ours.password_claim(&identity, &challenge, now()).unwrap()
        });
    });
    let theirs = aws_cognito_srp::SrpClient::<aws_cognito_srp::User>::new(
        aws_cognito_srp::User::new(POOL_ID, USER, PASSWORD),
        "client",
        None,
    );
    group.bench_function("aws_cognito_srp", |b| {
        b.iter(|| {
            theirs
                .verify(
                    black_box(&inputs.secret_block),
                    USER,
                    &inputs.salt_hex,
                    &inputs.b_hex,
                )
                .unwrap()
        });
    });
    group.bench_function("openssl", |b| {
        b.iter(|| openssl.signature(black_box(&inputs.a), &big_a, &inputs, &timestamp));
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = compute_a, password_signature
}
criterion_main!(benches);
