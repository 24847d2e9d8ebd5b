//! Cognito's SRP: USER_SRP_AUTH, CUSTOM_AUTH with SRP, PASSWORD_SRP, device SRP, the
//! ConfirmDevice verifier and SECRET_HASH.
//!
//! The math is SRP-6a as Cognito runs it (reference section 2): N is the 3072-bit MODP prime
//! of RFC 3526, g = 2, H = SHA-256, every hashed integer is padded like Java's
//! `BigInteger.toByteArray`, and the session key is HKDF-SHA256 with the info
//! `"Caldera Derived Key"`. Big-integer arithmetic is constant-time Montgomery arithmetic
//! (`crypto-bigint` elements, exponentiations on a dedicated 3072-bit implementation); the
//! private value `a`, `x`, `S` and the derived key are zeroized.
//!
//! ```
//! use std::time::{Duration, UNIX_EPOCH};
//! use auth_core::srp::{SrpChallenge, SrpClient, SrpIdentity};
//! use rand::SeedableRng;
//!
//! let mut rng = rand::rngs::StdRng::seed_from_u64(1);
//! let client = SrpClient::new(&mut rng);
//! // Send client.public_a_hex() as SRP_A; Cognito answers PASSWORD_VERIFIER with:
//! let challenge = SrpChallenge::new("a1b2c3", "2b4f", "c2VjcmV0IGJsb2Nr")?
//!     .with_user_id_for_srp("alice");
//! let identity = SrpIdentity::user("AbCdEf123", "alice", "correct horse battery staple");
//! let now = UNIX_EPOCH + Duration::from_secs(1_772_521_509);
//! let claim = client.password_claim(&identity, &challenge, now)?;
//! assert_eq!(claim.timestamp, "Tue Mar 3 07:05:09 UTC 2026");
//! let responses = claim.challenge_responses("alice");
//! assert!(responses.contains_key("PASSWORD_CLAIM_SIGNATURE"));
//! # Ok::<(), auth_core::srp::SrpError>(())
//! ```

use std::fmt;
use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use rand_core::CryptoRngCore;
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::Sensitive;
use crate::wire::Parameters;

pub(crate) mod group;
mod verifier;

pub use verifier::DeviceVerifier;

type HmacSha256 = Hmac<Sha256>;

/// Bytes of the random private value `a`, as every Cognito client uses.
pub const PRIVATE_VALUE_BYTES: usize = 128;

/// A value that makes the exchange insecure, refused as SRP requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnsafeValue {
    /// A mod N = 0 (cannot happen for g = 2 and a prime N, checked anyway).
    PublicAZero,
    /// B mod N = 0: the server's value would make the key predictable.
    PublicBZero,
    /// u = H(A ‖ B) = 0.
    ScramblerZero,
}

/// SRP failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SrpError {
    /// The peer's challenge is malformed (missing parameter, bad hex, B wider than N).
    #[error("malformed SRP challenge parameter {parameter}: {reason}")]
    MalformedChallenge {
        /// The parameter (`SALT`, `SRP_B`, `SECRET_BLOCK`, `USER_ID_FOR_SRP`).
        parameter: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A value that SRP must refuse (B mod N = 0, u = 0, A mod N = 0).
    #[error("refusing an unsafe SRP value: {0:?}")]
    UnsafeValue(UnsafeValue),
    /// The caller passed an unusable value (an empty or zero private value).
    #[error("invalid SRP input: {0}")]
    InvalidInput(&'static str),
}

/// Whose password SRP proves: a user (pool name, `USER_ID_FOR_SRP`, password) or a remembered
/// device (device group key, device key, device password). `Debug` hides the password.
#[derive(Clone)]
pub struct SrpIdentity<'a> {
    namespace: &'a str,
    user: &'a str,
    password: &'a str,
}

impl<'a> SrpIdentity<'a> {
    /// A user: `pool_name` is the part of the pool id after `_`, `user_id_for_srp` comes from
    /// the challenge.
    pub fn user(pool_name: &'a str, user_id_for_srp: &'a str, password: &'a str) -> Self {
        Self {
            namespace: pool_name,
            user: user_id_for_srp,
            password,
        }
    }

    /// A remembered device and its random password.
    pub fn device(
        device_group_key: &'a str,
        device_key: &'a str,
        device_password: &'a str,
    ) -> Self {
        Self {
            namespace: device_group_key,
            user: device_key,
            password: device_password,
        }
    }

    /// x = H(pad(salt) ‖ H(namespace ‖ user ‖ ":" ‖ password)).
    fn x(&self, salt: &[u8]) -> Zeroizing<[u8; 32]> {
        let mut inner = Sha256::new()
            .chain_update(self.namespace.as_bytes())
            .chain_update(self.user.as_bytes())
            .chain_update(b":")
            .chain_update(self.password.as_bytes())
            .finalize();
        let mut x = Zeroizing::new([0u8; 32]);
        let mut outer = Sha256::new()
            .chain_update(group::pad(salt))
            .chain_update(inner)
            .finalize();
        x.copy_from_slice(&outer);
        inner.zeroize();
        outer.zeroize();
        x
    }
}

impl fmt::Debug for SrpIdentity<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SrpIdentity")
            .field("namespace", &self.namespace)
            .field("user", &self.user)
            .field("password", &"** redacted **")
            .finish()
    }
}

/// Decodes hex of any length (odd lengths get a leading zero), either case: the crate's one
/// hex decoder, on the `hex` crate.
pub(crate) fn decode_hex(parameter: &'static str, text: &str) -> Result<Vec<u8>, SrpError> {
    let malformed = |reason| SrpError::MalformedChallenge { parameter, reason };
    let text = text.trim();
    if text.is_empty() {
        return Err(malformed("empty"));
    }
    let decoded = if text.len() % 2 == 1 {
        hex::decode(format!("0{text}"))
    } else {
        hex::decode(text)
    };
    decoded.map_err(|_| malformed("not hexadecimal"))
}

/// The PASSWORD_VERIFIER (or DEVICE_PASSWORD_VERIFIER) challenge: SALT, SRP_B, SECRET_BLOCK
/// and USER_ID_FOR_SRP.
#[derive(Clone, PartialEq, Eq)]
pub struct SrpChallenge {
    salt: Vec<u8>,
    b: Vec<u8>,
    secret_block: Sensitive,
    secret_block_bytes: Zeroizing<Vec<u8>>,
    user_id_for_srp: Option<String>,
}

impl SrpChallenge {
    /// Parses the challenge values: SALT and SRP_B in hex (odd lengths accepted), SECRET_BLOCK
    /// in base64 (or, when it is not valid base64, as raw bytes: moto sends a UUID).
    ///
    /// # Errors
    ///
    /// [`SrpError::MalformedChallenge`] for bad hex or a B wider than N.
    pub fn new(salt_hex: &str, srp_b_hex: &str, secret_block: &str) -> Result<Self, SrpError> {
        let salt = decode_hex("SALT", salt_hex)?;
        let b = decode_hex("SRP_B", srp_b_hex)?;
        if group::strip(&b).len() > group::N_BYTES {
            return Err(SrpError::MalformedChallenge {
                parameter: "SRP_B",
                reason: "wider than the group",
            });
        }
        let secret_block_bytes = BASE64
            .decode(secret_block.trim())
            .unwrap_or_else(|_| secret_block.as_bytes().to_vec());
        Ok(Self {
            salt,
            b,
            secret_block: Sensitive::new(secret_block),
            secret_block_bytes: Zeroizing::new(secret_block_bytes),
            user_id_for_srp: None,
        })
    }

    /// Reads `SALT`, `SRP_B`, `SECRET_BLOCK` and `USER_ID_FOR_SRP` (if present) from a
    /// challenge's parameters.
    ///
    /// # Errors
    ///
    /// [`SrpError::MalformedChallenge`] when a parameter is missing or malformed.
    pub fn from_parameters(parameters: &Parameters) -> Result<Self, SrpError> {
        let get = |parameter| {
            parameters
                .get(parameter)
                .ok_or(SrpError::MalformedChallenge {
                    parameter,
                    reason: "missing",
                })
        };
        let mut challenge = Self::new(get("SALT")?, get("SRP_B")?, get("SECRET_BLOCK")?)?;
        challenge.user_id_for_srp = parameters.get("USER_ID_FOR_SRP").map(str::to_owned);
        Ok(challenge)
    }

    /// Sets `USER_ID_FOR_SRP`.
    pub fn with_user_id_for_srp(mut self, user_id_for_srp: impl Into<String>) -> Self {
        self.user_id_for_srp = Some(user_id_for_srp.into());
        self
    }

    /// `USER_ID_FOR_SRP`, the user SRP hashes (Cognito's internal username).
    pub fn user_id_for_srp(&self) -> Option<&str> {
        self.user_id_for_srp.as_deref()
    }

    /// `SECRET_BLOCK` as received, echoed as `PASSWORD_CLAIM_SECRET_BLOCK`.
    pub fn secret_block(&self) -> &Sensitive {
        &self.secret_block
    }
}

impl fmt::Debug for SrpChallenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SrpChallenge")
            .field("salt_bytes", &self.salt.len())
            .field("b_bytes", &self.b.len())
            .field("secret_block", &self.secret_block)
            .field("user_id_for_srp", &self.user_id_for_srp)
            .finish()
    }
}

/// The 16-byte key both sides derive; signs the password claim. Zeroized on drop, redacted
/// in `Debug`.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct SessionKey([u8; 16]);

impl SessionKey {
    /// The key bytes (for cross-checking against other implementations).
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// PASSWORD_CLAIM_SIGNATURE = base64(HMAC-SHA256(key, namespace ‖ user ‖ secret block ‖
    /// timestamp)).
    pub fn sign(
        &self,
        namespace: &str,
        user: &str,
        secret_block: &[u8],
        timestamp: &str,
    ) -> String {
        let mut mac = HmacSha256::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(namespace.as_bytes());
        mac.update(user.as_bytes());
        mac.update(secret_block);
        mac.update(timestamp.as_bytes());
        BASE64.encode(mac.finalize().into_bytes())
    }
}

impl fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionKey(** redacted **)")
    }
}

/// The answer to PASSWORD_VERIFIER / DEVICE_PASSWORD_VERIFIER.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PasswordClaim {
    /// `PASSWORD_CLAIM_SIGNATURE`.
    pub signature: Sensitive,
    /// `PASSWORD_CLAIM_SECRET_BLOCK` (the challenge's SECRET_BLOCK, echoed).
    pub secret_block: Sensitive,
    /// `TIMESTAMP`.
    pub timestamp: String,
}

impl PasswordClaim {
    /// The `ChallengeResponses`: USERNAME, PASSWORD_CLAIM_SECRET_BLOCK, TIMESTAMP and
    /// PASSWORD_CLAIM_SIGNATURE. The caller adds DEVICE_KEY and SECRET_HASH when needed.
    pub fn challenge_responses(&self, username: &str) -> Parameters {
        Parameters::new()
            .with("USERNAME", username)
            .with("PASSWORD_CLAIM_SECRET_BLOCK", self.secret_block.clone())
            .with("TIMESTAMP", self.timestamp.as_str())
            .with("PASSWORD_CLAIM_SIGNATURE", self.signature.clone())
    }
}

/// The client's side of one SRP exchange: the private value `a` and the public `A`.
///
/// A does not depend on the password, so a client can be created before the user has typed
/// it. `Debug` shows only A.
#[derive(Clone)]
pub struct SrpClient {
    a: Zeroizing<Vec<u8>>,
    big_a: Vec<u8>,
    big_a_hex: String,
}

impl SrpClient {
    /// A fresh exchange with 128 random bytes for `a`.
    pub fn new(rng: &mut impl CryptoRngCore) -> Self {
        loop {
            let mut a = Zeroizing::new(vec![0u8; PRIVATE_VALUE_BYTES]);
            rng.fill_bytes(&mut a);
            // Only an all-zero draw fails (probability 2^-1024).
            if let Ok(client) = Self::from_private_bytes(&a) {
                return client;
            }
        }
    }

    /// A deterministic exchange from a fixed private value (big-endian, any length), for tests
    /// and known-answer vectors. The value is used as is, not reduced: A = g^a mod N.
    ///
    /// # Errors
    ///
    /// [`SrpError::InvalidInput`] when `a` is zero; [`SrpError::UnsafeValue`] if A mod N = 0.
    pub fn from_private_bytes(a: &[u8]) -> Result<Self, SrpError> {
        if a.iter().all(|&b| b == 0) {
            return Err(SrpError::InvalidInput("the private value must not be zero"));
        }
        let a = Zeroizing::new(a.to_vec());
        let big_a_fe = group::pow_g(&a);
        let big_a = group::strip(&group::to_be(&big_a_fe)[..]).to_vec();
        if big_a.is_empty() {
            return Err(SrpError::UnsafeValue(UnsafeValue::PublicAZero));
        }
        let big_a_hex = hex_lower(&big_a);
        Ok(Self {
            a,
            big_a,
            big_a_hex,
        })
    }

    /// `SRP_A`: A in unpadded lowercase hex.
    pub fn public_a_hex(&self) -> &str {
        &self.big_a_hex
    }

    /// Derives the session key for a challenge.
    ///
    /// # Errors
    ///
    /// [`SrpError::UnsafeValue`] when B mod N = 0 or u = 0.
    pub fn derive_key(
        &self,
        identity: &SrpIdentity<'_>,
        challenge: &SrpChallenge,
    ) -> Result<SessionKey, SrpError> {
        let b = group::from_be(&challenge.b).ok_or(SrpError::MalformedChallenge {
            parameter: "SRP_B",
            reason: "wider than the group",
        })?;
        if bool::from(subtle::ConstantTimeEq::ct_eq(&b, &group::Fe::ZERO)) {
            return Err(SrpError::UnsafeValue(UnsafeValue::PublicBZero));
        }
        // u = H(pad(A) ‖ pad(B)), B as sent (not reduced), as the reference clients hash it.
        let u: [u8; 32] = Sha256::new()
            .chain_update(group::pad(&self.big_a))
            .chain_update(group::pad(&challenge.b))
            .finalize()
            .into();
        if u.iter().all(|&b| b == 0) {
            return Err(SrpError::UnsafeValue(UnsafeValue::ScramblerZero));
        }
        let x = identity.x(&challenge.salt);
        // S = (B − k·g^x)^(a + u·x) mod N; the subtraction is modular, so never negative.
        let mut g_x = group::pow_g(&x[..]);
        let mut base = b.sub(&group::k().mul(&g_x));
        let ux = group::mul_256(&u, &x);
        let exponent = group::add_be(&self.a, &ux[..]);
        let mut s = group::pow(&base, &exponent);
        let s_bytes = group::to_be(&s);
        let ikm = Zeroizing::new(group::pad(&s_bytes[..]));
        g_x.zeroize();
        base.zeroize();
        s.zeroize();
        let mut key = SessionKey([0u8; 16]);
        hkdf::Hkdf::<Sha256>::new(Some(&group::pad(&u)), &ikm)
            .expand(b"Caldera Derived Key", &mut key.0)
            .unwrap_or_else(|_| unreachable!("16 bytes is a valid HKDF-SHA256 output length"));
        Ok(key)
    }

    /// Computes the answer to PASSWORD_VERIFIER (user) or DEVICE_PASSWORD_VERIFIER (device),
    /// with the TIMESTAMP of `now`.
    ///
    /// # Errors
    ///
    /// As [`derive_key`](Self::derive_key).
    pub fn password_claim(
        &self,
        identity: &SrpIdentity<'_>,
        challenge: &SrpChallenge,
        now: SystemTime,
    ) -> Result<PasswordClaim, SrpError> {
        let key = self.derive_key(identity, challenge)?;
        let timestamp = crate::timestamp::format(now);
        let signature = key.sign(
            identity.namespace,
            identity.user,
            &challenge.secret_block_bytes,
            &timestamp,
        );
        Ok(PasswordClaim {
            signature: Sensitive::new(signature),
            secret_block: challenge.secret_block.clone(),
            timestamp,
        })
    }
}

impl fmt::Debug for SrpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SrpClient")
            .field("a", &"** redacted **")
            .field("public_a_hex", &self.big_a_hex)
            .finish()
    }
}

/// Lowercase hex without a leading zero digit (how Cognito's clients write `SRP_A`): the
/// crate's one hex encoder, on the `hex` crate.
fn hex_lower(bytes: &[u8]) -> String {
    let mut out = hex::encode(bytes);
    if out.starts_with('0') && out.len() > 1 {
        out.remove(0);
    }
    out
}

/// SECRET_HASH = base64(HMAC-SHA256(client secret, username ‖ client id)).
///
/// In challenge responses use the challenge's USERNAME.
///
/// ```
/// let hash = auth_core::srp::secret_hash("secret", "alice", "client");
/// assert_eq!(hash.expose().len(), 44);
/// ```
pub fn secret_hash(client_secret: &str, username: &str, client_id: &str) -> Sensitive {
    let mut mac = HmacSha256::new_from_slice(client_secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    Sensitive::new(BASE64.encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests;
