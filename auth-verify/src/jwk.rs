//! JSON Web Keys (RFC 7517), parsed once into keys ready to verify, and the algorithms each
//! key may verify: decided by the key (`kty`, `crv`, `alg`, `use`), never by a token.

use std::fmt;

use aws_lc_rs::signature::{self, ParsedPublicKey, RsaPublicKeyComponents};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

/// A JWS signature algorithm this crate verifies (RFC 7518 §3, RFC 8037 §3.1).
///
/// Symmetric algorithms (`HS*`) and `none` are not here: a verifier holding only public keys
/// can never accept them, which closes the RSA-key-as-HMAC-secret confusion by construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (what Cognito signs with).
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256.
    PS256,
    /// RSASSA-PSS with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512.
    PS512,
    /// ECDSA on P-256 with SHA-256 (what ALB signs with).
    ES256,
    /// ECDSA on P-384 with SHA-384.
    ES384,
    /// EdDSA on Ed25519.
    EdDSA,
}

impl Algorithm {
    /// Every algorithm, RSA first.
    pub const ALL: [Self; 9] = [
        Self::RS256,
        Self::RS384,
        Self::RS512,
        Self::PS256,
        Self::PS384,
        Self::PS512,
        Self::ES256,
        Self::ES384,
        Self::EdDSA,
    ];

    /// The algorithm named `name` exactly as JWS spells it (`"RS256"`, …; case matters, so
    /// `"none"`, `"None"` and `"HS256"` are all `None`).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The JWS name.
    pub fn name(self) -> &'static str {
        match self {
            Self::RS256 => "RS256",
            Self::RS384 => "RS384",
            Self::RS512 => "RS512",
            Self::PS256 => "PS256",
            Self::PS384 => "PS384",
            Self::PS512 => "PS512",
            Self::ES256 => "ES256",
            Self::ES384 => "ES384",
            Self::EdDSA => "EdDSA",
        }
    }

    fn rsa_parameters(self) -> Option<&'static signature::RsaParameters> {
        Some(match self {
            Self::RS256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            Self::RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
            Self::RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
            Self::PS256 => &signature::RSA_PSS_2048_8192_SHA256,
            Self::PS384 => &signature::RSA_PSS_2048_8192_SHA384,
            Self::PS512 => &signature::RSA_PSS_2048_8192_SHA512,
            _ => return None,
        })
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The members of a JWK this crate reads; others are ignored.
#[derive(Deserialize)]
struct RawJwk {
    kty: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default, rename = "use")]
    use_: Option<String>,
    #[serde(default)]
    alg: Option<String>,
    #[serde(default)]
    crv: Option<String>,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
    #[serde(default)]
    x: Option<String>,
    #[serde(default)]
    y: Option<String>,
}

/// A public key from a JWKS, parsed once, with the algorithms it may verify.
///
/// An RSA key verifies the RSA algorithms (only its `alg` if it names one), a P-256 key
/// ES256, a P-384 key ES384, an Ed25519 key EdDSA. A key whose `use` is not `sig` (an
/// encryption key) verifies nothing.
#[derive(Clone)]
pub struct Jwk {
    kid: Option<String>,
    kty: &'static str,
    /// One parsed key per algorithm the key may verify.
    keys: Vec<(Algorithm, ParsedPublicKey)>,
}

impl fmt::Debug for Jwk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwk")
            .field("kid", &self.kid)
            .field("kty", &self.kty)
            .field("algorithms", &self.algorithms().collect::<Vec<_>>())
            .finish()
    }
}

impl PartialEq for Jwk {
    fn eq(&self, other: &Self) -> bool {
        self.kid == other.kid
            && self.keys.len() == other.keys.len()
            && self
                .keys
                .iter()
                .zip(&other.keys)
                .all(|((a, k), (b, l))| a == b && k.as_ref() == l.as_ref())
    }
}

/// Why a JWK could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unusable JWK{}: {reason}", kid.as_deref().map(|k| format!(" {k:?}")).unwrap_or_default())]
pub struct JwkError {
    kid: Option<String>,
    reason: String,
}

impl Jwk {
    /// Parses one JWK (a JSON object).
    ///
    /// # Errors
    ///
    /// When it is not a JWK, or of a type, curve or size this crate cannot verify with.
    pub fn from_json(jwk: &[u8]) -> Result<Self, JwkError> {
        let raw: RawJwk = serde_json::from_slice(jwk).map_err(|e| JwkError {
            kid: None,
            reason: format!("not a JWK: {e}"),
        })?;
        Self::from_raw(&raw)
    }

    pub(crate) fn from_value(value: serde_json::Value) -> Result<Self, JwkError> {
        let raw: RawJwk = serde_json::from_value(value).map_err(|e| JwkError {
            kid: None,
            reason: format!("not a JWK: {e}"),
        })?;
        Self::from_raw(&raw)
    }

    fn from_raw(raw: &RawJwk) -> Result<Self, JwkError> {
        let kid = raw.kid.clone();
        let fail = |reason: &str| JwkError {
            kid: kid.clone(),
            reason: reason.to_owned(),
        };
        let member = |name: &str, value: &Option<String>| -> Result<Vec<u8>, JwkError> {
            let value = value
                .as_deref()
                .ok_or_else(|| fail(&format!("no {name:?}")))?;
            URL_SAFE_NO_PAD
                .decode(value)
                .map_err(|_| fail(&format!("{name:?} is not base64url")))
        };
        let named = match raw.alg.as_deref() {
            None => None,
            Some(name) => Some(
                Algorithm::from_name(name)
                    .ok_or_else(|| fail(&format!("alg {name:?} is not supported")))?,
            ),
        };
        let signing = raw.use_.as_deref().is_none_or(|u| u == "sig");
        let mut keys = Vec::new();
        let kty = match raw.kty.as_str() {
            "RSA" => {
                let n = member("n", &raw.n)?;
                let e = member("e", &raw.e)?;
                let n = strip_leading_zeros(&n);
                let e = strip_leading_zeros(&e);
                let components = RsaPublicKeyComponents { n, e };
                for alg in Algorithm::ALL {
                    let Some(params) = alg.rsa_parameters() else {
                        continue;
                    };
                    if named.is_some_and(|n| n != alg) {
                        continue;
                    }
                    let key = components
                        .to_parsed_public_key(params)
                        .map_err(|e| fail(&format!("the RSA key is rejected: {e}")))?;
                    keys.push((alg, key));
                }
                "RSA"
            }
            "EC" => {
                let (alg, verification, size): (
                    _,
                    &'static signature::EcdsaVerificationAlgorithm,
                    _,
                ) = match raw.crv.as_deref() {
                    Some("P-256") => (Algorithm::ES256, &signature::ECDSA_P256_SHA256_FIXED, 32),
                    Some("P-384") => (Algorithm::ES384, &signature::ECDSA_P384_SHA384_FIXED, 48),
                    other => return Err(fail(&format!("curve {other:?} is not supported"))),
                };
                let x = member("x", &raw.x)?;
                let y = member("y", &raw.y)?;
                if x.len() != size || y.len() != size {
                    return Err(fail("x or y has the wrong length for the curve"));
                }
                let mut point = Vec::with_capacity(1 + 2 * size);
                point.push(0x04);
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                if named.is_none_or(|n| n == alg) {
                    let key = ParsedPublicKey::new(verification, &point)
                        .map_err(|e| fail(&format!("the EC key is rejected: {e}")))?;
                    keys.push((alg, key));
                }
                "EC"
            }
            "OKP" => {
                if raw.crv.as_deref() != Some("Ed25519") {
                    return Err(fail(&format!("curve {:?} is not supported", raw.crv)));
                }
                let x = member("x", &raw.x)?;
                if named.is_none_or(|n| n == Algorithm::EdDSA) {
                    let key = ParsedPublicKey::new(&signature::ED25519, &x)
                        .map_err(|e| fail(&format!("the Ed25519 key is rejected: {e}")))?;
                    keys.push((Algorithm::EdDSA, key));
                }
                "OKP"
            }
            other => return Err(fail(&format!("key type {other:?} is not supported"))),
        };
        if !signing {
            // An encryption key (or any other use): kept so that a token naming it is told
            // so, but it verifies nothing.
            keys.clear();
        }
        Ok(Self { kid, kty, keys })
    }

    /// An ALB public key: a PEM `PUBLIC KEY` (SubjectPublicKeyInfo) of a P-256 key, as the
    /// ALB key endpoints publish it, which verifies ES256 only.
    pub(crate) fn from_alb_pem(kid: &str, pem: &[u8]) -> Result<Self, JwkError> {
        /// The DER of a SubjectPublicKeyInfo up to the point: SEQUENCE { SEQUENCE {
        /// id-ecPublicKey, prime256v1 }, BIT STRING (0 unused bits) }, RFC 5480 §2.
        const P256_SPKI_PREFIX: [u8; 26] = [
            0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
            0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
        ];
        let fail = |reason: &str| JwkError {
            kid: Some(kid.to_owned()),
            reason: reason.to_owned(),
        };
        let text = std::str::from_utf8(pem).map_err(|_| fail("the PEM is not text"))?;
        let body = text
            .trim()
            .strip_prefix("-----BEGIN PUBLIC KEY-----")
            .and_then(|rest| rest.strip_suffix("-----END PUBLIC KEY-----"))
            .ok_or_else(|| fail("not a PEM PUBLIC KEY"))?;
        let b64: String = body.split_ascii_whitespace().collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|_| fail("the PEM body is not base64"))?;
        let point = der
            .strip_prefix(&P256_SPKI_PREFIX[..])
            .filter(|point| point.len() == 65 && point[0] == 0x04)
            .ok_or_else(|| fail("not an uncompressed P-256 public key"))?;
        let key = ParsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
            .map_err(|e| fail(&format!("the EC key is rejected: {e}")))?;
        Ok(Self {
            kid: Some(kid.to_owned()),
            kty: "EC",
            keys: vec![(Algorithm::ES256, key)],
        })
    }

    /// The key id.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The key type (`RSA`, `EC`, `OKP`).
    pub fn kty(&self) -> &'static str {
        self.kty
    }

    /// The algorithms this key may verify (none for a key whose `use` is not `sig`).
    pub fn algorithms(&self) -> impl Iterator<Item = Algorithm> + '_ {
        self.keys.iter().map(|(a, _)| *a)
    }

    /// Whether this key may verify `alg`.
    pub fn fits(&self, alg: Algorithm) -> bool {
        self.keys.iter().any(|(a, _)| *a == alg)
    }

    /// Verifies `signature` over `message` with `alg`; `false` when the key does not fit the
    /// algorithm or the signature is wrong.
    pub fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        self.keys
            .iter()
            .find(|(a, _)| *a == alg)
            .is_some_and(|(_, key)| key.verify_sig(message, signature).is_ok())
    }
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(bytes.len().saturating_sub(1));
    &bytes[first..]
}

/// The keys of one JWKS (RFC 7517 §5), as published by an issuer.
///
/// Keys this crate cannot use (another type, an unsupported curve, a malformed member) are
/// skipped, not fatal: issuers publish keys for other purposes beside their signing keys.
///
/// ```
/// use auth_verify::{Algorithm, KeySet};
///
/// let jwks = br#"{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","use":"sig",
///   "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
///   "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
///   {"kty":"unknown-type","kid":"k2"}]}"#;
/// let keys = KeySet::from_json(jwks)?;
/// assert_eq!(keys.len(), 1);
/// let key = keys.find(Some("k1"), Algorithm::ES256).unwrap();
/// assert!(key.fits(Algorithm::ES256));
/// assert!(!key.fits(Algorithm::RS256), "the key decides: a P-256 key verifies ES256 only");
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
    /// Parses a JWKS document (`{"keys": [...]}`), skipping keys it cannot use.
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
                .filter_map(|k| Jwk::from_value(k).ok())
                .collect(),
        }
    }

    /// A key set of `keys`.
    pub fn new(keys: Vec<Jwk>) -> Self {
        Self { keys }
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

    /// The key with `kid`; without a kid, the only key that [fits](Jwk::fits) `alg` (none
    /// when several do: the choice would be a guess).
    pub fn find(&self, kid: Option<&str>, alg: Algorithm) -> Option<&Jwk> {
        self.position(kid, alg).map(|i| &self.keys[i])
    }

    /// The index in [`keys`](Self::keys) of what [`find`](Self::find) finds.
    pub fn position(&self, kid: Option<&str>, alg: Algorithm) -> Option<usize> {
        match kid {
            Some(kid) => self.keys.iter().position(|k| k.kid() == Some(kid)),
            None => {
                let mut fitting = (0..self.keys.len()).filter(|i| self.keys[*i].fits(alg));
                match (fitting.next(), fitting.next()) {
                    (Some(only), None) => Some(only),
                    _ => None,
                }
            }
        }
    }
}
