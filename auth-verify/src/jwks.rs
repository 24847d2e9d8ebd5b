//! [`KeySet`]: the keys of one JSON Web Key Set, and which key may verify which algorithm.

use jsonwebtoken::Algorithm;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, PublicKeyUse};
use serde::Deserialize;

/// The keys of one JWKS (RFC 7517 §5), as published by an issuer.
///
/// Keys of a type this crate does not know are skipped, not fatal: issuers publish keys for
/// other purposes beside their signing keys.
///
/// ```
/// use auth_verify::KeySet;
/// use jsonwebtoken::Algorithm;
///
/// let jwks = br#"{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","use":"sig",
///   "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
///   "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
///   {"kty":"unknown-type","kid":"k2"}]}"#;
/// let keys = KeySet::from_json(jwks)?;
/// assert_eq!(keys.len(), 1);
/// assert!(keys.find(Some("k1"), Algorithm::ES256).is_some());
/// assert!(keys.find(Some("k1"), Algorithm::RS256).is_some(), "found by kid; `fits` decides");
/// assert!(!auth_verify::key_fits(keys.find(Some("k1"), Algorithm::RS256).unwrap(), Algorithm::RS256));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeySet {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct RawJwks {
    keys: Vec<serde_json::Value>,
}

impl KeySet {
    /// Parses a JWKS document (`{"keys": [...]}`), skipping keys of unknown types.
    ///
    /// # Errors
    ///
    /// When the document is not a JSON object with a `keys` array.
    pub fn from_json(document: &[u8]) -> Result<Self, serde_json::Error> {
        let raw: RawJwks = serde_json::from_slice(document)?;
        Ok(Self::from_values(raw.keys))
    }

    pub(crate) fn from_values(values: Vec<serde_json::Value>) -> Self {
        Self {
            keys: values
                .into_iter()
                .filter_map(|k| serde_json::from_value(k).ok())
                .collect(),
        }
    }

    /// The keys.
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// How many keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key with `kid`; without a kid, the only key that [fits](key_fits) `alg` (none when
    /// several do: the choice would be a guess).
    pub fn find(&self, kid: Option<&str>, alg: Algorithm) -> Option<&Jwk> {
        match kid {
            Some(kid) => self
                .keys
                .iter()
                .find(|k| k.common.key_id.as_deref() == Some(kid)),
            None => {
                let mut fitting = self.keys.iter().filter(|k| key_fits(k, alg));
                match (fitting.next(), fitting.next()) {
                    (Some(only), None) => Some(only),
                    _ => None,
                }
            }
        }
    }
}

/// Whether `jwk` may verify a signature made with `alg`: its type and curve are the
/// algorithm's family, its `use` (if any) is `sig`, and its `alg` (if any) is `alg`.
///
/// This is the check that keeps an algorithm named by a token from choosing how a key is
/// used (an RSA public key as an HMAC secret, an encryption key as a signing key).
pub fn key_fits(jwk: &Jwk, alg: Algorithm) -> bool {
    if matches!(&jwk.common.public_key_use, Some(u) if *u != PublicKeyUse::Signature) {
        return false;
    }
    if let Some(key_alg) = &jwk.common.key_algorithm
        && format!("{key_alg:?}") != format!("{alg:?}")
    {
        return false;
    }
    match (&jwk.algorithm, alg) {
        (
            AlgorithmParameters::RSA(_),
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512,
        ) => true,
        (AlgorithmParameters::EllipticCurve(ec), Algorithm::ES256) => {
            ec.curve == jsonwebtoken::jwk::EllipticCurve::P256
        }
        (AlgorithmParameters::EllipticCurve(ec), Algorithm::ES384) => {
            ec.curve == jsonwebtoken::jwk::EllipticCurve::P384
        }
        (AlgorithmParameters::OctetKeyPair(okp), Algorithm::EdDSA) => {
            okp.curve == jsonwebtoken::jwk::EllipticCurve::Ed25519
        }
        _ => false,
    }
}
