//! [`IdTokenVerifier`]: ID-token validation (OIDC Core §3.1.3.7) on `jsonwebtoken`, with the
//! issuer's keys from `auth-verify`'s [`JwksCache`] (bounded fetches, refetched at a bounded
//! rate when a token names an unknown key).

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use auth_core::tokens::Jwt;
use auth_providers::SharedHttpClient;
#[cfg(doc)]
use auth_verify::FetchLimits;
use auth_verify::{JwksCache, key_fits};
use jsonwebtoken::errors::ErrorKind as JwtErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};

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

/// Verifies ID tokens of one issuer for one client.
///
/// Checks, in order: the header's `alg` is allowed (never `none`, never HMAC); the key is the
/// JWKS key with the header's `kid` and fits the algorithm by its own `kty`, `crv`, `use` and
/// `alg`; the signature; `iss`; `aud` contains the client id (and `azp`, if several
/// audiences); `exp` and `nbf` with leeway; `iat` present and not in the future; `sub`
/// present; `nonce` equal to the authorization request's.
///
/// The keys come from a [`JwksCache`]: fetched with a deadline and a body limit, refetched
/// for an unknown `kid` at most once per refresh interval (failed fetches included, with
/// backoff), one fetch at a time. Verifiers built with [`with_key_cache`](Self::with_key_cache)
/// share one cache, and with it those limits, across issuers and with server-side verifiers.
pub struct IdTokenVerifier {
    issuer: String,
    client_id: String,
    algorithms: Vec<Algorithm>,
    leeway: Duration,
    jwks_uri: String,
    keys: JwksCache,
}

impl fmt::Debug for IdTokenVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdTokenVerifier")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("algorithms", &self.algorithms)
            .field("leeway", &self.leeway)
            .field("jwks_uri", &self.jwks_uri)
            .field(
                "keys",
                &self.keys.cached(&self.jwks_uri).map_or(0, |k| k.len()),
            )
            .finish_non_exhaustive()
    }
}

impl IdTokenVerifier {
    /// A verifier for tokens of `issuer` meant for `client_id`, signed with one of
    /// `algorithms` by a key of `jwks_uri`, with a key cache of its own (default
    /// [`FetchLimits`]) that refetches at most once per `refresh_interval`.
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
        let keys = JwksCache::builder(http)
            .refetch_interval(refresh_interval)
            .build();
        Self::with_key_cache(issuer, client_id, algorithms, leeway, jwks_uri, keys)
    }

    /// A verifier like [`new`](Self::new) whose keys come from `keys`, a cache shared with
    /// other verifiers (its limits and refetch interval apply).
    ///
    /// # Errors
    ///
    /// [`OidcError::InvalidConfiguration`] for an unknown or symmetric algorithm.
    pub fn with_key_cache(
        issuer: impl Into<String>,
        client_id: impl Into<String>,
        algorithms: &[String],
        leeway: Duration,
        jwks_uri: impl Into<String>,
        keys: JwksCache,
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
            keys,
        })
    }

    /// The key cache (to [`hydrate`](JwksCache::hydrate) it ahead of the first token, or to
    /// share it).
    pub fn key_cache(&self) -> &JwksCache {
        &self.keys
    }

    /// Verifies `token`; `expected_nonce` is the nonce of the authorization request (`None`
    /// for refreshed and device-flow tokens, which need not carry one).
    ///
    /// # Errors
    ///
    /// [`OidcError::InvalidIdToken`] with the failed check, or [`OidcError::KeyFetch`] when
    /// the JWKS had to be fetched and could not be (or failed within the backoff).
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
        let keys = self
            .keys
            .key_set(&self.jwks_uri, |keys| {
                keys.find(kid.as_deref(), alg).is_some()
            })
            .await?;
        let jwk = keys
            .find(kid.as_deref(), alg)
            .ok_or(IdTokenError::UnknownKey { kid: kid.clone() })?;
        if !key_fits(jwk, alg) {
            return Err(IdTokenError::KeyMismatch {
                kid: kid.clone().or_else(|| jwk.common.key_id.clone()),
                alg: format!("{alg:?}"),
            }
            .into());
        }
        let key = DecodingKey::from_jwk(jwk).map_err(|_| IdTokenError::KeyMismatch {
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
