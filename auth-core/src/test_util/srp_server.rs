//! The server side of Cognito's SRP, so that the scripted peer really verifies the password
//! claim (moto does not).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::srp::group::{self, Fe};

/// The verifier `v = g^x` of a password, with `x = H(pad(salt) ‖ H(ns ‖ user ‖ ":" ‖ pw))`.
pub(crate) fn verifier(namespace: &str, user: &str, password: &str, salt: &[u8]) -> Fe {
    let inner = Sha256::new()
        .chain_update(namespace.as_bytes())
        .chain_update(user.as_bytes())
        .chain_update(b":")
        .chain_update(password.as_bytes())
        .finalize();
    let x = Sha256::new()
        .chain_update(group::pad(salt))
        .chain_update(inner)
        .finalize();
    group::pow_g(&x)
}

/// A verifier sent by ConfirmDevice (base64 of pad(v)).
pub(crate) fn verifier_from_base64(text: &str) -> Option<Fe> {
    let bytes = BASE64.decode(text).ok()?;
    group::from_be(&bytes)
}

/// One server-side exchange: B and what verifying the claim needs.
#[derive(Clone)]
pub(crate) struct ServerSrp {
    namespace: String,
    user: String,
    salt: Vec<u8>,
    v: Fe,
    b: [u8; 32],
    big_b: Vec<u8>,
    big_a: Vec<u8>,
    pub(crate) secret_block: Vec<u8>,
}

impl std::fmt::Debug for ServerSrp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerSrp")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// Any-length hex as the server reads `SRP_A`: the client's own decoder (odd lengths get a
/// leading zero).
fn unhex(text: &str) -> Option<Vec<u8>> {
    crate::srp::decode_hex("SRP_A", text).ok()
}

impl ServerSrp {
    /// Starts an exchange for a client's `SRP_A` (hex); `seed` makes b deterministic.
    pub(crate) fn start(
        namespace: &str,
        user: &str,
        salt: &[u8],
        v: Fe,
        srp_a_hex: &str,
        seed: u64,
    ) -> Option<Self> {
        let big_a = unhex(srp_a_hex)?;
        let a_fe = group::from_be(&big_a)?;
        if a_fe == Fe::ZERO {
            return None;
        }
        let b: [u8; 32] = Sha256::new()
            .chain_update(b"scripted-peer-b")
            .chain_update(seed.to_be_bytes())
            .chain_update(user.as_bytes())
            .finalize()
            .into();
        let big_b_fe = group::k().mul(&v).add(&group::pow_g(&b));
        let big_b = group::strip(&group::to_be(&big_b_fe)[..]).to_vec();
        let secret_block: Vec<u8> = Sha256::new()
            .chain_update(b"secret-block")
            .chain_update(seed.to_be_bytes())
            .finalize()
            .to_vec();
        Some(Self {
            namespace: namespace.to_owned(),
            user: user.to_owned(),
            salt: salt.to_vec(),
            v,
            b,
            big_b,
            big_a: group::strip(&big_a).to_vec(),
            secret_block,
        })
    }

    pub(crate) fn salt_hex(&self) -> String {
        hex::encode(&self.salt)
    }

    pub(crate) fn b_hex(&self) -> String {
        hex::encode(&self.big_b)
    }

    pub(crate) fn secret_block_base64(&self) -> String {
        BASE64.encode(&self.secret_block)
    }

    /// Whether `signature` (base64) is the client's HMAC over the claim at `timestamp`.
    pub(crate) fn verify(&self, signature: &str, timestamp: &str) -> bool {
        let u: [u8; 32] = Sha256::new()
            .chain_update(group::pad(&self.big_a))
            .chain_update(group::pad(&self.big_b))
            .finalize()
            .into();
        let Some(a) = group::from_be(&self.big_a) else {
            return false;
        };
        // S = (A · v^u)^b mod N.
        let s = group::pow(&a.mul(&group::pow(&self.v, &u)), &self.b);
        let s_bytes = group::to_be(&s);
        let mut key = [0u8; 16];
        if hkdf::Hkdf::<Sha256>::new(Some(&group::pad(&u)), &group::pad(&s_bytes[..]))
            .expand(b"Caldera Derived Key", &mut key)
            .is_err()
        {
            return false;
        }
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key) else {
            return false;
        };
        mac.update(self.namespace.as_bytes());
        mac.update(self.user.as_bytes());
        mac.update(&self.secret_block);
        mac.update(timestamp.as_bytes());
        let Ok(given) = BASE64.decode(signature) else {
            return false;
        };
        mac.verify_slice(&given).is_ok()
    }
}
