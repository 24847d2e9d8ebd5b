//! [`IdTokenVerifier`]: ID-token validation (OIDC Core §3.1.3.7) on `auth-verify`, with the
//! issuer's keys from `auth-verify`'s [`JwksCache`] (bounded fetches, refetched at a bounded
//! rate when a token names an unknown key).

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use auth_core::tokens::Jwt;
use auth_providers::SharedHttpClient;
#[cfg(doc)]
use auth_verify::FetchLimits;
use auth_verify::{Algorithm, IssuerPolicy, JwksCache, JwtVerifier, VerifyError, VerifyErrorKind};
use subtle::ConstantTimeEq as _;

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
/// On `auth-verify`'s [`JwtVerifier`] (the verifier servers use): the header's `alg` is
/// allowed (never `none`, never HMAC); the key is the JWKS key with the header's `kid` and
/// fits the algorithm by its own `kty`, `crv`, `use` and `alg`; the signature; `iss`; `aud`
/// contains the client id; `exp` and `nbf` with leeway. Then, for OIDC Core §3.1.3.7: `azp`
/// is the client when present (and present with several audiences); `iat` present and not in
/// the future; `sub` present; `nonce` equal to the authorization request's.
///
/// The keys come from a [`JwksCache`]: fetched with a deadline and a body limit, refetched
/// for an unknown `kid` at most once per refresh interval (failed fetches included, with
/// backoff), one fetch at a time. Verifiers built with [`with_key_cache`](Self::with_key_cache)
/// share one cache, and with it those limits, across issuers and with server-side verifiers.
pub struct IdTokenVerifier {
    client_id: String,
    leeway: Duration,
    inner: JwtVerifier,
}

impl fmt::Debug for IdTokenVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdTokenVerifier")
            .field("client_id", &self.client_id)
            .field("leeway", &self.leeway)
            .field("verifier", &self.inner)
            .finish()
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
            .map(|a| {
                Algorithm::from_name(a).ok_or_else(|| {
                    OidcError::InvalidConfiguration(format!(
                        "the algorithm {a:?} cannot be allowed"
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let client_id = client_id.into();
        let inner = JwtVerifier::builder(keys)
            .issuer(
                IssuerPolicy::new(issuer, jwks_uri)
                    .audience(client_id.clone())
                    .algorithms(algorithms)
                    .grace(leeway),
            )
            .build()
            .map_err(|e| OidcError::InvalidConfiguration(e.to_string()))?;
        Ok(Self {
            client_id,
            leeway,
            inner,
        })
    }

    /// The key cache (to [`hydrate`](JwksCache::hydrate) it ahead of the first token, or to
    /// share it).
    pub fn key_cache(&self) -> &JwksCache {
        self.inner.key_cache()
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
        let claims = self
            .inner
            .verify(token)
            .await
            .map_err(|e| map_error(&e, token))?;
        self.check_claims(claims.raw(), expected_nonce)?;
        let jwt = Jwt::decode(token).map_err(|e| IdTokenError::Malformed(e.to_string()))?;
        Ok(VerifiedIdToken(jwt))
    }

    fn check_claims(
        &self,
        claims: &serde_json::Map<String, serde_json::Value>,
        expected_nonce: Option<&str>,
    ) -> Result<(), IdTokenError> {
        if !claims.get("sub").is_some_and(serde_json::Value::is_string) {
            return Err(IdTokenError::MissingClaim("sub".into()));
        }
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
            if !nonce.is_some_and(|n| bool::from(n.as_bytes().ct_eq(expected.as_bytes()))) {
                return Err(IdTokenError::InvalidNonce);
            }
        }
        Ok(())
    }
}

/// The verifier's error as this module's: the fetch as [`OidcError::KeyFetch`], every
/// check as its [`IdTokenError`].
fn map_error(error: &VerifyError, token: &str) -> OidcError {
    if let Some(fetch) = error.fetch_error() {
        return OidcError::KeyFetch(fetch.clone());
    }
    // The header's alg (at most 64 characters) and kid, decoded once, only for the kinds
    // that name them.
    let header = || {
        auth_verify::peek_unverified(token)
            .ok()
            .map(|u| {
                let h = u.header();
                (h.alg.chars().take(64).collect::<String>(), h.kid.clone())
            })
            .unwrap_or_default()
    };
    let id = match error.kind() {
        VerifyErrorKind::Algorithm => IdTokenError::DisallowedAlgorithm { alg: header().0 },
        VerifyErrorKind::KeyMismatch => {
            let (alg, kid) = header();
            IdTokenError::KeyMismatch { kid, alg }
        }
        VerifyErrorKind::UnknownKey => IdTokenError::UnknownKey { kid: header().1 },
        VerifyErrorKind::BadSignature => IdTokenError::InvalidSignature,
        VerifyErrorKind::Expired if error.to_string().contains("no exp") => {
            IdTokenError::MissingClaim("exp".into())
        }
        VerifyErrorKind::Expired => IdTokenError::Expired,
        VerifyErrorKind::NotYetValid => IdTokenError::NotYetValid,
        VerifyErrorKind::Issuer => IdTokenError::InvalidIssuer,
        VerifyErrorKind::Audience => IdTokenError::InvalidAudience,
        _ => IdTokenError::Malformed(error.to_string()),
    };
    OidcError::InvalidIdToken(id)
}
