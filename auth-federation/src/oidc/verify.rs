//! [`IdTokenVerifier`]: ID-token validation (OIDC Core §3.1.3.7) on `jsonwebtoken`, with the
//! issuer's JWKS cached and refetched, rate-limited, when a token names an unknown key.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr as _;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use auth_core::tokens::Jwt;
use auth_providers::SharedHttpClient;
use jsonwebtoken::errors::ErrorKind as JwtErrorKind;
use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use super::discovery::get_json;
use super::error::{IdTokenError, OidcError};

/// An ID token whose signature and claims were checked.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedIdToken(Jwt);

impl VerifiedIdToken {
    /// The token and its claims.
    pub fn jwt(&self) -> &Jwt {
        &self.0
    }

    /// The verified token, for an identity pool's Logins map.
    pub fn into_jwt(self) -> Jwt {
        self.0
    }

    /// The subject (`sub`), present in every verified token.
    pub fn subject(&self) -> &str {
        self.0.claims().sub.as_deref().unwrap_or_default()
    }
}

#[derive(Deserialize)]
struct RawJwks {
    keys: Vec<serde_json::Value>,
}

struct KeyCache {
    keys: Arc<Vec<Jwk>>,
    fetched_at: Option<Instant>,
}

/// Verifies ID tokens of one issuer for one client.
///
/// Checks, in order: the header's `alg` is allowed (never `none`, never HMAC); the key is the
/// JWKS key with the header's `kid` (the JWKS is fetched again when the kid is unknown, at
/// most once per refresh interval) and fits the algorithm; the signature; `iss`; `aud`
/// contains the client id (and `azp`, if several audiences); `exp` and `nbf` with leeway;
/// `iat` present and not in the future; `sub` present; `nonce` equal to the authorization
/// request's.
pub struct IdTokenVerifier {
    issuer: String,
    client_id: String,
    algorithms: Vec<Algorithm>,
    leeway: Duration,
    jwks_uri: String,
    refresh_interval: Duration,
    http: SharedHttpClient,
    keys: Mutex<KeyCache>,
    fetch: tokio::sync::Mutex<()>,
}

impl fmt::Debug for IdTokenVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("IdTokenVerifier")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("algorithms", &self.algorithms)
            .field("leeway", &self.leeway)
            .field("jwks_uri", &self.jwks_uri)
            .field("keys", &keys.keys.len())
            .finish_non_exhaustive()
    }
}

impl IdTokenVerifier {
    /// A verifier for tokens of `issuer` meant for `client_id`, signed with one of
    /// `algorithms` by a key of `jwks_uri`.
    ///
    /// # Errors
    ///
    /// [`OidcError::InvalidConfiguration`] for an unknown or symmetric algorithm.
    pub fn new(
        issuer: impl Into<String>,
        client_id: impl Into<String>,
        algorithms: &[String],
        leeway: Duration,
        jwks_uri: impl Into<String>,
        refresh_interval: Duration,
        http: SharedHttpClient,
    ) -> Result<Self, OidcError> {
        let algorithms = algorithms
            .iter()
            .map(|a| match Algorithm::from_str(a) {
                Ok(Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) | Err(_) => {
                    Err(OidcError::InvalidConfiguration(format!(
                        "the algorithm {a:?} cannot be allowed"
                    )))
                }
                Ok(alg) => Ok(alg),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            issuer: issuer.into(),
            client_id: client_id.into(),
            algorithms,
            leeway,
            jwks_uri: jwks_uri.into(),
            refresh_interval,
            http,
            keys: Mutex::new(KeyCache {
                keys: Arc::new(Vec::new()),
                fetched_at: None,
            }),
            fetch: tokio::sync::Mutex::new(()),
        })
    }

    /// Verifies `token`; `expected_nonce` is the nonce of the authorization request (`None`
    /// for refreshed and device-flow tokens, which need not carry one).
    ///
    /// # Errors
    ///
    /// [`OidcError::InvalidIdToken`] with the failed check, or the JWKS fetch's error
    /// ([`OidcError::Network`], [`OidcError::HttpStatus`], [`OidcError::MalformedResponse`]).
    pub async fn verify(
        &self,
        token: &str,
        expected_nonce: Option<&str>,
    ) -> Result<VerifiedIdToken, OidcError> {
        let jwt = Jwt::decode(token).map_err(|e| IdTokenError::Malformed(e.to_string()))?;
        let header_alg = jwt.header().alg.clone();
        let alg = Algorithm::from_str(&header_alg)
            .ok()
            .filter(|a| self.algorithms.contains(a))
            .ok_or(IdTokenError::DisallowedAlgorithm { alg: header_alg })?;
        let kid = jwt.header().kid.clone();
        let jwk = match self.find_key(kid.as_deref(), alg) {
            Some(jwk) => jwk,
            None => {
                self.refetch(kid.as_deref(), alg).await?;
                self.find_key(kid.as_deref(), alg)
                    .ok_or(IdTokenError::UnknownKey { kid: kid.clone() })?
            }
        };
        check_key_fits(&jwk, alg, kid.as_deref())?;
        let key = DecodingKey::from_jwk(&jwk).map_err(|_| IdTokenError::KeyMismatch {
            kid: kid.clone(),
            alg: format!("{alg:?}"),
        })?;

        let mut validation = Validation::new(alg);
        validation.leeway = self.leeway.as_secs();
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.validate_aud = true;
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.client_id]);
        validation.required_spec_claims = ["exp", "iss", "aud", "sub"]
            .into_iter()
            .map(str::to_owned)
            .collect::<HashSet<_>>();
        let data = jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation)
            .map_err(|e| map_jwt_error(e.kind()))?;
        self.check_claims(&data.claims, expected_nonce)?;
        Ok(VerifiedIdToken(jwt))
    }

    fn check_claims(
        &self,
        claims: &serde_json::Value,
        expected_nonce: Option<&str>,
    ) -> Result<(), IdTokenError> {
        // iat: required by OIDC Core §2, and not in the future.
        let iat = claims
            .get("iat")
            .and_then(serde_json::Value::as_f64)
            .ok_or_else(|| IdTokenError::MissingClaim("iat".into()))?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64();
        if iat > now + self.leeway.as_secs_f64() {
            return Err(IdTokenError::IssuedInFuture);
        }
        // azp: with several audiences it must be us (OIDC Core §3.1.3.7 items 4 and 5).
        if let Some(azp) = claims.get("azp").and_then(serde_json::Value::as_str) {
            if azp != self.client_id {
                return Err(IdTokenError::InvalidAudience);
            }
        } else if claims
            .get("aud")
            .and_then(serde_json::Value::as_array)
            .is_some_and(|a| a.len() > 1)
        {
            return Err(IdTokenError::InvalidAudience);
        }
        if let Some(expected) = expected_nonce {
            let nonce = claims.get("nonce").and_then(serde_json::Value::as_str);
            if !nonce.is_some_and(|n| constant_time_eq(n.as_bytes(), expected.as_bytes())) {
                return Err(IdTokenError::InvalidNonce);
            }
        }
        Ok(())
    }

    fn find_key(&self, kid: Option<&str>, alg: Algorithm) -> Option<Jwk> {
        let keys = self
            .keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .keys
            .clone();
        match kid {
            Some(kid) => keys
                .iter()
                .find(|k| k.common.key_id.as_deref() == Some(kid))
                .cloned(),
            // No kid: only unambiguous when exactly one signing key fits the algorithm.
            None => {
                let mut fitting = keys.iter().filter(|k| check_key_fits(k, alg, None).is_ok());
                match (fitting.next(), fitting.next()) {
                    (Some(only), None) => Some(only.clone()),
                    _ => None,
                }
            }
        }
    }

    /// Fetches the JWKS again unless it was fetched less than the refresh interval ago (or
    /// another caller just did).
    async fn refetch(&self, kid: Option<&str>, alg: Algorithm) -> Result<(), OidcError> {
        let _one_fetch = self.fetch.lock().await;
        if self.find_key(kid, alg).is_some() {
            return Ok(());
        }
        let fetched_at = self
            .keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .fetched_at;
        if fetched_at.is_some_and(|at| at.elapsed() < self.refresh_interval) {
            tracing::debug!(
                ?kid,
                "unknown kid; the JWKS was fetched recently, not fetching again"
            );
            return Ok(());
        }
        tracing::debug!(?kid, jwks_uri = %self.jwks_uri, "fetching the JWKS");
        let raw: RawJwks = get_json(&self.http, &self.jwks_uri, "jwks").await?;
        // Keys of types this library does not know are skipped, not fatal.
        let keys: Vec<Jwk> = raw
            .keys
            .into_iter()
            .filter_map(|k| serde_json::from_value(k).ok())
            .collect();
        let mut cache = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        cache.keys = Arc::new(keys);
        cache.fetched_at = Some(Instant::now());
        Ok(())
    }
}

fn check_key_fits(jwk: &Jwk, alg: Algorithm, kid: Option<&str>) -> Result<(), IdTokenError> {
    let mismatch = || IdTokenError::KeyMismatch {
        kid: kid.map(str::to_owned).or_else(|| jwk.common.key_id.clone()),
        alg: format!("{alg:?}"),
    };
    if matches!(&jwk.common.public_key_use, Some(u) if *u != PublicKeyUse::Signature) {
        return Err(mismatch());
    }
    if let Some(key_alg) = &jwk.common.key_algorithm
        && format!("{key_alg:?}") != format!("{alg:?}")
    {
        return Err(mismatch());
    }
    let family_fits = matches!(
        (&jwk.algorithm, alg),
        (
            jsonwebtoken::jwk::AlgorithmParameters::RSA(_),
            Algorithm::RS256
                | Algorithm::RS384
                | Algorithm::RS512
                | Algorithm::PS256
                | Algorithm::PS384
                | Algorithm::PS512
        ) | (
            jsonwebtoken::jwk::AlgorithmParameters::EllipticCurve(_),
            Algorithm::ES256 | Algorithm::ES384
        ) | (
            jsonwebtoken::jwk::AlgorithmParameters::OctetKeyPair(_),
            Algorithm::EdDSA
        )
    );
    if family_fits { Ok(()) } else { Err(mismatch()) }
}

fn map_jwt_error(kind: &JwtErrorKind) -> IdTokenError {
    match kind {
        JwtErrorKind::InvalidSignature => IdTokenError::InvalidSignature,
        JwtErrorKind::ExpiredSignature => IdTokenError::Expired,
        JwtErrorKind::ImmatureSignature => IdTokenError::NotYetValid,
        JwtErrorKind::InvalidIssuer => IdTokenError::InvalidIssuer,
        JwtErrorKind::InvalidAudience => IdTokenError::InvalidAudience,
        JwtErrorKind::InvalidAlgorithm
        | JwtErrorKind::InvalidAlgorithmName
        | JwtErrorKind::UnsupportedAlgorithm
        | JwtErrorKind::MissingAlgorithm => IdTokenError::DisallowedAlgorithm {
            alg: "(rejected by the JWT library)".into(),
        },
        JwtErrorKind::MissingRequiredClaim(c) | JwtErrorKind::InvalidClaimFormat(c) => {
            IdTokenError::MissingClaim(c.clone())
        }
        JwtErrorKind::InvalidRsaKey(_)
        | JwtErrorKind::InvalidEcdsaKey
        | JwtErrorKind::InvalidEddsaKey
        | JwtErrorKind::InvalidKeyFormat => IdTokenError::KeyMismatch {
            kid: None,
            alg: "(key rejected by the JWT library)".into(),
        },
        other => IdTokenError::Malformed(format!("{other:?}")),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
