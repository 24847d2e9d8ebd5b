//! [`JwtVerifier`]: tokens of any OIDC issuer (or several), verified on the shared key cache.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use crate::cache::JwksCache;
use crate::error::{VerifyError, VerifyErrorKind};
use crate::jwk::{Algorithm, Jwk, KeySet};
use crate::jwt::{self, Decoded, Header};

/// The largest token a verifier decodes by default (16 KiB): Cognito's largest tokens, with
/// many groups and custom attributes, are a few KiB. Anything longer is refused before any
/// decoding.
pub const DEFAULT_MAX_TOKEN_BYTES: usize = 16 * 1024;

/// A check of the caller's own, run after every standard check passed: return `Err` with a
/// reason to refuse the token.
pub type CustomCheck =
    Arc<dyn Fn(&Header, &Claims, &Jwk) -> Result<(), String> + Send + Sync + 'static>;

/// The verified claims of a token, with typed accessors for the registered ones and the raw
/// claims for the rest.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims {
    claims: Map<String, Value>,
}

impl Claims {
    /// A claim by name.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.claims.get(name)
    }

    /// A string claim by name.
    pub fn str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// Every claim.
    pub fn raw(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// The claims, owned.
    pub fn into_raw(self) -> Map<String, Value> {
        self.claims
    }

    /// `iss`.
    pub fn issuer(&self) -> Option<&str> {
        self.str("iss")
    }

    /// `sub`.
    pub fn subject(&self) -> Option<&str> {
        self.str("sub")
    }

    /// `aud`, a string or every string of an array.
    pub fn audiences(&self) -> Vec<&str> {
        match self.claims.get("aud") {
            Some(Value::String(a)) => vec![a],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// The scopes of the space-separated `scope` claim.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.str("scope")
            .unwrap_or_default()
            .split(' ')
            .filter(|s| !s.is_empty())
    }

    /// `exp`.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.time("exp")
    }

    /// `iat`.
    pub fn issued_at(&self) -> Option<SystemTime> {
        self.time("iat")
    }

    /// A NumericDate claim (seconds since the epoch) as a time.
    pub fn time(&self, name: &str) -> Option<SystemTime> {
        let secs = self.claims.get(name)?.as_f64()?;
        (secs.is_finite() && secs >= 0.0)
            .then(|| UNIX_EPOCH + Duration::from_secs_f64(secs.min(1e11)))
    }

    pub(crate) fn new(claims: Map<String, Value>) -> Self {
        Self { claims }
    }
}

/// Which `aud` values an issuer's tokens must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Audience {
    /// Not set: building fails, so that skipping the check is always a decision.
    Unset,
    /// At least one of these.
    AnyOf(Vec<String>),
    /// Not checked (the caller said so).
    Unchecked,
}

/// What one trusted issuer's tokens must satisfy.
///
/// ```
/// use auth_verify::{Algorithm, IssuerPolicy};
///
/// let policy = IssuerPolicy::new("https://tenant.eu.auth0.com/", "https://tenant.eu.auth0.com/.well-known/jwks.json")
///     .audience("https://api.example.com")
///     .algorithms([Algorithm::RS256])
///     .scope("read:orders");
/// ```
#[derive(Clone)]
pub struct IssuerPolicy {
    issuer: String,
    jwks_uri: String,
    audience: Audience,
    algorithms: Vec<Algorithm>,
    scopes: Vec<String>,
    grace: Duration,
}

impl fmt::Debug for IssuerPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuerPolicy")
            .field("issuer", &self.issuer)
            .field("jwks_uri", &self.jwks_uri)
            .field("audience", &self.audience)
            .field("algorithms", &self.algorithms)
            .field("scopes", &self.scopes)
            .field("grace", &self.grace)
            .finish()
    }
}

impl IssuerPolicy {
    /// Tokens whose `iss` is exactly `issuer`, signed by a key of `jwks_uri` with RS256
    /// (change with [`algorithms`](Self::algorithms)). Set the audience, or say explicitly
    /// that it is not checked.
    pub fn new(issuer: impl Into<String>, jwks_uri: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            jwks_uri: jwks_uri.into(),
            audience: Audience::Unset,
            algorithms: vec![Algorithm::RS256],
            scopes: Vec::new(),
            grace: Duration::ZERO,
        }
    }

    /// Adds an accepted audience: `aud` must contain at least one of them.
    #[must_use]
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        match &mut self.audience {
            Audience::AnyOf(list) => list.push(audience.into()),
            other => *other = Audience::AnyOf(vec![audience.into()]),
        }
        self
    }

    /// Does not check `aud` (know why: any client of the issuer could then use its tokens
    /// here).
    #[must_use]
    pub fn any_audience(mut self) -> Self {
        self.audience = Audience::Unchecked;
        self
    }

    /// The algorithms accepted (default RS256). Each token must also be verifiable by its key:
    /// an RSA key never verifies ES256, a key with `alg` only that algorithm.
    #[must_use]
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self.algorithms = algorithms.into_iter().collect();
        self
    }

    /// Adds a required scope: `scope` must contain at least one of the required ones.
    #[must_use]
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scopes.push(scope.into());
        self
    }

    /// Clock skew allowed on `exp` and `nbf` (default 0; at most 5 minutes).
    #[must_use]
    pub fn grace(mut self, grace: Duration) -> Self {
        self.grace = grace.min(Duration::from_secs(300));
        self
    }

    /// The issuer.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The JWKS URL.
    pub fn jwks_uri(&self) -> &str {
        &self.jwks_uri
    }
}

/// Verifies tokens of one or several issuers, each by its own [`IssuerPolicy`], on a shared
/// [`JwksCache`].
///
/// In order: the token's size (before any decoding), strict base64url and JSON objects
/// without duplicate members, no `jku`/`jwk`/`x5u`/`x5c`/`crit` header, `iss` one of the
/// trusted issuers (the JWKS URL comes from its policy, never from the token), `alg` one the
/// policy accepts, the key by `kid` (refetched for an unknown kid at the cache's bounded
/// rate), the key fits the algorithm, the signature, `exp` (required) and `nbf` with the
/// grace period, `aud`, `scope`, then the custom check.
///
/// ```no_run
/// use auth_providers::ReqwestHttpClient;
/// use auth_verify::{IssuerPolicy, JwksCache, JwtVerifier};
///
/// # async fn run(token: &str) -> Result<(), Box<dyn std::error::Error>> {
/// let keys = JwksCache::new(ReqwestHttpClient::builder().build()?);
/// let verifier = JwtVerifier::builder(keys)
///     .issuer(IssuerPolicy::new("https://issuer.example", "https://issuer.example/jwks").audience("my-api"))
///     .build()?;
/// let claims = verifier.verify(token).await?;
/// println!("hello {}", claims.subject().unwrap_or("?"));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct JwtVerifier {
    issuers: Arc<[IssuerPolicy]>,
    keys: JwksCache,
    max_token_bytes: usize,
    check: Option<CustomCheck>,
}

impl fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtVerifier")
            .field("issuers", &self.issuers)
            .field("keys", &self.keys)
            .field("max_token_bytes", &self.max_token_bytes)
            .field("custom_check", &self.check.is_some())
            .finish()
    }
}

/// Builds a [`JwtVerifier`].
#[must_use]
pub struct JwtVerifierBuilder {
    issuers: Vec<IssuerPolicy>,
    keys: JwksCache,
    max_token_bytes: usize,
    check: Option<CustomCheck>,
}

impl fmt::Debug for JwtVerifierBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtVerifierBuilder")
            .field("issuers", &self.issuers)
            .finish_non_exhaustive()
    }
}

impl JwtVerifierBuilder {
    /// Trusts an issuer (call once per issuer).
    pub fn issuer(mut self, policy: IssuerPolicy) -> Self {
        self.issuers.push(policy);
        self
    }

    /// The largest token accepted (default [`DEFAULT_MAX_TOKEN_BYTES`]).
    pub fn max_token_bytes(mut self, bytes: usize) -> Self {
        self.max_token_bytes = bytes;
        self
    }

    /// A check of your own, over the header, the verified claims and the key that verified
    /// them; run last.
    pub fn custom_check(
        mut self,
        check: impl Fn(&Header, &Claims, &Jwk) -> Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        self.check = Some(Arc::new(check));
        self
    }

    /// The verifier.
    ///
    /// # Errors
    ///
    /// [`VerifyErrorKind::Claim`] naming the mistake: no issuer, an issuer twice, an issuer
    /// without an audience decision or without algorithms.
    pub fn build(self) -> Result<JwtVerifier, VerifyError> {
        let misconfigured = |m: String| VerifyError::new(VerifyErrorKind::Claim, m);
        if self.issuers.is_empty() {
            return Err(misconfigured("a verifier needs at least one issuer".into()));
        }
        for (i, policy) in self.issuers.iter().enumerate() {
            if self.issuers[..i].iter().any(|p| p.issuer == policy.issuer) {
                return Err(misconfigured(format!(
                    "the issuer {:?} is configured twice",
                    policy.issuer
                )));
            }
            if policy.audience == Audience::Unset {
                return Err(misconfigured(format!(
                    "the issuer {:?} has no audience: set one with IssuerPolicy::audience, or call any_audience() to skip the check",
                    policy.issuer
                )));
            }
            if policy.algorithms.is_empty() {
                return Err(misconfigured(format!(
                    "the issuer {:?} accepts no algorithm",
                    policy.issuer
                )));
            }
        }
        Ok(JwtVerifier {
            issuers: self.issuers.into(),
            keys: self.keys,
            max_token_bytes: self.max_token_bytes,
            check: self.check,
        })
    }
}

/// What the verification core hands to the Cognito and ALB verifiers.
pub(crate) struct Verified {
    pub(crate) header: Header,
    pub(crate) claims: Claims,
    pub(crate) policy_index: usize,
    /// The issuer's keys and which of them verified the token (shared, not copied).
    pub(crate) keys: Arc<KeySet>,
    pub(crate) key_index: usize,
}

impl Verified {
    pub(crate) fn key(&self) -> &Jwk {
        &self.keys.keys()[self.key_index]
    }
}

impl JwtVerifier {
    /// A builder verifying on `keys` (share one cache between all verifiers of a process).
    pub fn builder(keys: JwksCache) -> JwtVerifierBuilder {
        JwtVerifierBuilder {
            issuers: Vec::new(),
            keys,
            max_token_bytes: DEFAULT_MAX_TOKEN_BYTES,
            check: None,
        }
    }

    /// The key cache.
    pub fn key_cache(&self) -> &JwksCache {
        &self.keys
    }

    /// The trusted issuers.
    pub fn issuers(&self) -> &[IssuerPolicy] {
        &self.issuers
    }

    /// Fetches every issuer's keys now (call at start-up).
    ///
    /// # Errors
    ///
    /// The first fetch that fails.
    pub async fn hydrate(&self) -> Result<(), VerifyError> {
        for policy in self.issuers.iter() {
            self.keys.hydrate(&policy.jwks_uri).await?;
        }
        Ok(())
    }

    /// Verifies `token`, fetching the issuer's keys if they are not held or the `kid` is
    /// unknown (at the cache's bounded rate).
    ///
    /// # Errors
    ///
    /// A [`VerifyError`] of the failed check.
    pub async fn verify(&self, token: &str) -> Result<Claims, VerifyError> {
        Ok(self.verify_full(token, SystemTime::now()).await?.claims)
    }

    /// Verifies `token` with the keys held now, without any I/O: a token whose key is not
    /// held is [`VerifyErrorKind::UnknownKey`]. Use after [`hydrate`](Self::hydrate), or in
    /// a synchronous handler.
    ///
    /// # Errors
    ///
    /// A [`VerifyError`] of the failed check.
    pub fn verify_sync(&self, token: &str) -> Result<Claims, VerifyError> {
        self.verify_sync_at(token, SystemTime::now())
    }

    /// [`verify_sync`](Self::verify_sync) as of `now` (for tests and replays).
    ///
    /// # Errors
    ///
    /// A [`VerifyError`] of the failed check.
    pub fn verify_sync_at(&self, token: &str, now: SystemTime) -> Result<Claims, VerifyError> {
        Ok(self.verify_full_sync(token, now)?.claims)
    }

    pub(crate) async fn verify_full(
        &self,
        token: &str,
        now: SystemTime,
    ) -> Result<Verified, VerifyError> {
        let (decoded, index) = self.decode(token)?;
        let policy = &self.issuers[index];
        let kid = decoded.header.kid.as_deref();
        let alg = decoded.alg;
        // The cache answers from the keys held when they have the kid, without waiting.
        let keys = self
            .keys
            .key_set(&policy.jwks_uri, |keys| holds(keys, kid, alg))
            .await?;
        self.finish(decoded, index, keys, now)
    }

    pub(crate) fn verify_full_sync(
        &self,
        token: &str,
        now: SystemTime,
    ) -> Result<Verified, VerifyError> {
        let (decoded, index) = self.decode(token)?;
        let keys = self
            .keys
            .cached(&self.issuers[index].jwks_uri)
            .unwrap_or_default();
        self.finish(decoded, index, keys, now)
    }

    /// Decodes and picks the issuer's policy; the header's algorithm must be one it accepts.
    fn decode<'t>(&self, token: &'t str) -> Result<(Decoded<'t>, usize), VerifyError> {
        let decoded = jwt::decode(token, self.max_token_bytes)?;
        let iss = match decoded.claims.get("iss") {
            Some(Value::String(iss)) => iss,
            Some(_) => {
                return Err(VerifyError::new(
                    VerifyErrorKind::Claim,
                    "iss is not a string",
                ));
            }
            None => {
                return Err(VerifyError::new(
                    VerifyErrorKind::Issuer,
                    "the token has no iss",
                ));
            }
        };
        let index = self
            .issuers
            .iter()
            .position(|p| p.issuer == *iss)
            .ok_or_else(|| {
                VerifyError::new(VerifyErrorKind::Issuer, "the token's issuer is not trusted")
            })?;
        let policy = &self.issuers[index];
        if !decoded.alg.is_some_and(|a| policy.algorithms.contains(&a)) {
            return Err(VerifyError::new(
                VerifyErrorKind::Algorithm,
                format!(
                    "the algorithm {:?} is not accepted for this issuer",
                    truncate(&decoded.header.alg)
                ),
            ));
        }
        Ok((decoded, index))
    }

    fn finish(
        &self,
        decoded: Decoded<'_>,
        index: usize,
        keys: Arc<KeySet>,
        now: SystemTime,
    ) -> Result<Verified, VerifyError> {
        let policy = &self.issuers[index];
        let alg = decoded
            .alg
            .ok_or_else(|| VerifyError::new(VerifyErrorKind::Algorithm, "unknown algorithm"))?;
        let kid = decoded.header.kid.as_deref();
        let key_index = keys.position(kid, alg).ok_or_else(|| {
            VerifyError::new(
                VerifyErrorKind::UnknownKey,
                match kid {
                    Some(kid) => format!("no key of the issuer has kid {:?}", truncate(kid)),
                    None => "the token has no kid and no single key fits its algorithm".to_owned(),
                },
            )
        })?;
        let key = &keys.keys()[key_index];
        if !key.fits(alg) {
            return Err(VerifyError::new(
                VerifyErrorKind::KeyMismatch,
                format!(
                    "the key {:?} ({}) cannot verify {alg}",
                    key.kid().unwrap_or_default(),
                    key.kty()
                ),
            ));
        }
        if !key.verify(alg, decoded.signing_input.as_bytes(), &decoded.signature) {
            return Err(VerifyError::new(
                VerifyErrorKind::BadSignature,
                "the signature does not verify",
            ));
        }
        let claims = Claims::new(decoded.claims);
        check_times(&claims, policy.grace, now)?;
        if let Audience::AnyOf(accepted) = &policy.audience {
            let audiences = match claims.get("aud") {
                Some(Value::String(_) | Value::Array(_)) | None => claims.audiences(),
                Some(_) => {
                    return Err(VerifyError::new(
                        VerifyErrorKind::Claim,
                        "aud is not a string or an array",
                    ));
                }
            };
            if !audiences.iter().any(|a| accepted.iter().any(|b| b == a)) {
                return Err(VerifyError::new(
                    VerifyErrorKind::Audience,
                    "the token is not meant for this audience",
                ));
            }
        }
        check_scopes(&claims, &policy.scopes)?;
        if let Some(check) = &self.check {
            check(&decoded.header, &claims, key)
                .map_err(|reason| VerifyError::new(VerifyErrorKind::Custom, reason))?;
        }
        Ok(Verified {
            header: decoded.header,
            claims,
            policy_index: index,
            keys,
            key_index,
        })
    }
}

fn holds(keys: &KeySet, kid: Option<&str>, alg: Option<Algorithm>) -> bool {
    alg.is_some_and(|alg| keys.find(kid, alg).is_some())
}

/// `exp` required and not passed, `nbf` (if any) not in the future, each with `grace`.
pub(crate) fn check_times(
    claims: &Claims,
    grace: Duration,
    now: SystemTime,
) -> Result<(), VerifyError> {
    let now = now
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64();
    let grace = grace.as_secs_f64();
    let number = |name: &str| -> Result<Option<f64>, VerifyError> {
        match claims.get(name) {
            None => Ok(None),
            Some(v) => v
                .as_f64()
                .filter(|n| n.is_finite())
                .map(Some)
                .ok_or_else(|| {
                    VerifyError::new(VerifyErrorKind::Claim, format!("{name} is not a number"))
                }),
        }
    };
    match number("exp")? {
        None => {
            return Err(VerifyError::new(
                VerifyErrorKind::Expired,
                "the token has no exp",
            ));
        }
        Some(exp) if exp + grace < now => {
            return Err(VerifyError::new(
                VerifyErrorKind::Expired,
                "the token has expired",
            ));
        }
        Some(_) => {}
    }
    if let Some(nbf) = number("nbf")?
        && nbf - grace > now
    {
        return Err(VerifyError::new(
            VerifyErrorKind::NotYetValid,
            "the token is not valid yet (nbf)",
        ));
    }
    number("iat")?;
    Ok(())
}

pub(crate) fn check_scopes(claims: &Claims, required: &[String]) -> Result<(), VerifyError> {
    if required.is_empty() {
        return Ok(());
    }
    match claims.get("scope") {
        None | Some(Value::String(_)) => {}
        Some(_) => {
            return Err(VerifyError::new(
                VerifyErrorKind::Claim,
                "scope is not a string",
            ));
        }
    }
    if claims.scopes().any(|s| required.iter().any(|r| r == s)) {
        Ok(())
    } else {
        Err(VerifyError::new(
            VerifyErrorKind::MissingScope,
            "none of the required scopes was granted",
        ))
    }
}

/// At most 64 characters of an attacker-chosen string, for messages.
pub(crate) fn truncate(s: &str) -> String {
    s.chars().take(64).collect()
}
