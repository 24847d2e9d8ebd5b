//! Signing test tokens, honest and forged, with the keys of `tests/fixtures` (RSA 2048,
//! generated with `openssl genpkey` for these tests only): the pool's two keys (`pool-key-1`,
//! `pool-key-2`, in the pool's JWKS) and an attacker's (`attacker-key-1`, in no JWKS).
//!
//! Tokens are assembled by hand (header and payload are raw JSON text), so that a test can
//! put anything in them: duplicate members, `crit`, `jku`, an `alg` in any case.
#![allow(dead_code, reason = "each test binary uses a different subset")]

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::Value;

/// A fixture file's text.
pub(crate) fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The DER inside a PEM file.
pub(crate) fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(body).unwrap()
}

/// A public JWK of the fixtures (`pool`, `pool2`, `attacker`).
pub(crate) fn jwk(name: &str) -> Value {
    serde_json::from_str(&fixture(&format!("jwk_{name}.json"))).unwrap()
}

/// Who signs a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Key {
    Pool,
    Pool2,
    Attacker,
}

/// RSA signers for the fixture keys.
pub(crate) struct Signers {
    pool: RsaKeyPair,
    pool2: RsaKeyPair,
    attacker: RsaKeyPair,
    rng: SystemRandom,
}

impl Signers {
    pub(crate) fn new() -> Self {
        let load = |name: &str| {
            RsaKeyPair::from_pkcs8(&pem_der(&fixture(&format!("rsa_{name}.pem")))).unwrap()
        };
        Self {
            pool: load("pool"),
            pool2: load("pool2"),
            attacker: load("attacker"),
            rng: SystemRandom::new(),
        }
    }

    /// The signature of `message` by `key` with RS256 (or RS384 / RS512 by `alg`).
    pub(crate) fn rsa(&self, key: Key, alg: &str, message: &[u8]) -> Vec<u8> {
        let pair = match key {
            Key::Pool => &self.pool,
            Key::Pool2 => &self.pool2,
            Key::Attacker => &self.attacker,
        };
        let padding: &dyn signature::RsaEncoding = match alg {
            "RS384" => &signature::RSA_PKCS1_SHA384,
            "RS512" => &signature::RSA_PKCS1_SHA512,
            _ => &signature::RSA_PKCS1_SHA256,
        };
        let mut sig = vec![0; pair.public_modulus_len()];
        pair.sign(padding, &self.rng, message, &mut sig).unwrap();
        sig
    }

    /// `header.payload.signature`, RSA-signed by `key`.
    pub(crate) fn sign(&self, key: Key, header: &str, payload: &str) -> String {
        let alg = serde_json::from_str::<Value>(header)
            .ok()
            .and_then(|h| h["alg"].as_str().map(str::to_owned))
            .unwrap_or_default();
        let input = signing_input(header, payload);
        let sig = self.rsa(key, &alg, input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }
}

/// `b64(header).b64(payload)`.
pub(crate) fn signing_input(header: &str, payload: &str) -> String {
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    )
}

/// `header.payload.` followed by an HS256 MAC keyed with `secret` (jsonwebtoken signs it).
pub(crate) fn hs256(secret: &[u8], header: &str, payload: &str) -> String {
    let input = signing_input(header, payload);
    let mac = jsonwebtoken::crypto::sign(
        input.as_bytes(),
        &jsonwebtoken::EncodingKey::from_secret(secret).unwrap(),
        jsonwebtoken::Algorithm::HS256,
    )
    .unwrap();
    format!("{input}.{mac}")
}

/// `token` with one bit of its signature flipped.
pub(crate) fn flip_signature(token: &str, at: usize) -> String {
    let (input, sig) = token.rsplit_once('.').unwrap();
    let mut bytes = URL_SAFE_NO_PAD.decode(sig).unwrap();
    let i = at % bytes.len();
    bytes[i] ^= 0x01;
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// `token` with its payload replaced by `payload` (the signature kept: no longer its own).
pub(crate) fn swap_payload(token: &str, payload: &str) -> String {
    let mut parts = token.split('.');
    let (header, _, sig) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    format!("{header}.{}.{sig}", URL_SAFE_NO_PAD.encode(payload))
}

/// `token` with one byte of the decoded payload changed (a bit flipped), re-encoded.
pub(crate) fn flip_payload_byte(token: &str, at: usize) -> String {
    let payload_b64 = token.split('.').nth(1).unwrap();
    let mut payload = URL_SAFE_NO_PAD.decode(payload_b64).unwrap();
    // Flip inside a string value, so that the payload stays JSON and only the signature can
    // tell: one of the first bytes of the value of `sub` (alphanumeric: it stays ASCII).
    let sub = find(&payload, b"\"sub\"").expect("a payload with sub");
    let open = sub + 5 + payload[sub + 5..].iter().position(|b| *b == b'"').unwrap();
    let start = open + 1 + at % 4;
    payload[start] ^= 0x01;
    swap_payload(token, std::str::from_utf8(&payload).unwrap())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
