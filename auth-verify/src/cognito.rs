//! [`CognitoVerifier`]: ID and access tokens of one or several Cognito user pools, checked
//! the way `aws-jwt-verify`'s `CognitoJwtVerifier` checks them.

use std::fmt;
use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::cache::JwksCache;
use crate::error::{VerifyError, VerifyErrorKind};
use crate::jwk::{Algorithm, Jwk};
use crate::jwt::Header;
use crate::verifier::{Claims, IssuerPolicy, JwtVerifier, Verified, check_scopes};

/// Which Cognito tokens are accepted (`token_use`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenUse {
    /// ID tokens (`token_use: id`): the client id is in `aud`.
    Id,
    /// Access tokens (`token_use: access`): the client id is in `client_id`. What an API
    /// should accept.
    Access,
    /// Either (the client id is checked where each kind carries it).
    Either,
}

impl TokenUse {
    fn accepts(self, token_use: &str) -> bool {
        match self {
            Self::Id => token_use == "id",
            Self::Access => token_use == "access",
            Self::Either => token_use == "id" || token_use == "access",
        }
    }
}

/// One trusted user pool and what its tokens must satisfy.
///
/// ```
/// use auth_verify::{CognitoPool, TokenUse};
///
/// let pool = CognitoPool::new("eu-west-1_AbCdEf123", TokenUse::Access)?
///     .client_id("1example23456789")
///     .group("admins")
///     .scope("orders/read");
/// assert_eq!(pool.issuer(), "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123");
/// # Ok::<(), auth_verify::VerifyError>(())
/// ```
#[derive(Clone)]
pub struct CognitoPool {
    user_pool_id: String,
    issuer: String,
    jwks_uri: String,
    /// Cognito's updated issuer format and its JWKS URL (commercial partition), accepted
    /// beside the original unless [`CognitoPool::endpoint`] replaced both.
    updated: Option<(String, String)>,
    token_use: TokenUse,
    client_ids: Option<Vec<String>>,
    any_client: bool,
    groups: Vec<String>,
    scopes: Vec<String>,
    grace: Duration,
}

impl fmt::Debug for CognitoPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CognitoPool")
            .field("user_pool_id", &self.user_pool_id)
            .field("issuer", &self.issuer)
            .field("updated_issuer", &self.updated.as_ref().map(|(i, _)| i))
            .field("token_use", &self.token_use)
            .field("client_ids", &self.client_ids)
            .field("groups", &self.groups)
            .field("scopes", &self.scopes)
            .field("grace", &self.grace)
            .finish_non_exhaustive()
    }
}

impl CognitoPool {
    /// The pool `user_pool_id` (`<region>_<id>`), accepting tokens of `token_use`. Its issuer
    /// is `https://cognito-idp.<region>.<partition's DNS suffix>/<pool id>` and its keys are at
    /// `<issuer>/.well-known/jwks.json`, in every partition (`amazonaws.com`, `cn-`:
    /// `amazonaws.com.cn`, the ISO partitions, `eusc-`). Set the accepted client ids, or say
    /// explicitly that any client of the pool is accepted.
    ///
    /// In the commercial partition, Cognito's updated issuer format
    /// `https://issuer-cognito-idp.<region>.amazonaws.com/<pool id>` (the one tokens carry
    /// when the pool uses it, e.g. with multi-Region replication) is accepted too, with its
    /// keys at `<that issuer>/.well-known/jwks.json`, as `aws-jwt-verify` accepts both; see
    /// [`issuers`](Self::issuers).
    ///
    /// # Errors
    ///
    /// [`VerifyErrorKind::Claim`] for a string that is not a user pool id.
    pub fn new(user_pool_id: impl Into<String>, token_use: TokenUse) -> Result<Self, VerifyError> {
        let user_pool_id = user_pool_id.into();
        let region = region_of(&user_pool_id).ok_or_else(|| {
            VerifyError::new(
                VerifyErrorKind::Claim,
                format!(
                    "{:?} is not a user pool id (<region>_<id>)",
                    crate::verifier::truncate(&user_pool_id)
                ),
            )
        })?;
        let issuer = format!(
            "https://cognito-idp.{region}.{}/{user_pool_id}",
            auth_core::config::dns_suffix(region)
        );
        let suffix = auth_core::config::dns_suffix(region);
        // The commercial partition only (GovCloud shares its DNS suffix, not its endpoints).
        let updated = (suffix == "amazonaws.com" && !region.starts_with("us-gov-")).then(|| {
            let issuer = format!("https://issuer-cognito-idp.{region}.{suffix}/{user_pool_id}");
            (issuer.clone(), format!("{issuer}/.well-known/jwks.json"))
        });
        Ok(Self {
            jwks_uri: format!("{issuer}/.well-known/jwks.json"),
            issuer,
            updated,
            user_pool_id,
            token_use,
            client_ids: None,
            any_client: false,
            groups: Vec::new(),
            scopes: Vec::new(),
            grace: Duration::ZERO,
        })
    }

    /// Adds an accepted app client id (`aud` of ID tokens, `client_id` of access tokens).
    #[must_use]
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_ids
            .get_or_insert_with(Vec::new)
            .push(client_id.into());
        self
    }

    /// Accepts tokens of any app client of the pool (know why).
    #[must_use]
    pub fn any_client(mut self) -> Self {
        self.any_client = true;
        self
    }

    /// Adds a group: `cognito:groups` must contain at least one of the groups added.
    #[must_use]
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.groups.push(group.into());
        self
    }

    /// Adds a scope: `scope` must contain at least one of the scopes added.
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

    /// Uses another issuer and JWKS URL than the pool id implies (a local Cognito such as
    /// moto, a VPC endpoint, a proxy). The issuer must still equal the tokens' `iss`; it is
    /// then the only one accepted (the updated issuer format is no longer).
    #[must_use]
    pub fn endpoint(mut self, issuer: impl Into<String>, jwks_uri: impl Into<String>) -> Self {
        self.issuer = issuer.into();
        self.jwks_uri = jwks_uri.into();
        self.updated = None;
        self
    }

    /// The pool id.
    pub fn user_pool_id(&self) -> &str {
        &self.user_pool_id
    }

    /// The issuer (`iss` of the pool's tokens).
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The JWKS URL.
    pub fn jwks_uri(&self) -> &str {
        &self.jwks_uri
    }

    /// Every issuer accepted for the pool with its JWKS URL: [`issuer`](Self::issuer) first,
    /// then (commercial partition, no [`endpoint`](Self::endpoint)) the updated format.
    ///
    /// ```
    /// use auth_verify::{CognitoPool, TokenUse};
    ///
    /// let pool = CognitoPool::new("us-east-1_AbCdEf123", TokenUse::Access)?;
    /// let issuers: Vec<_> = pool.issuers().map(|(issuer, _)| issuer).collect();
    /// assert_eq!(issuers, [
    ///     "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123",
    ///     "https://issuer-cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123",
    /// ]);
    /// # Ok::<(), auth_verify::VerifyError>(())
    /// ```
    pub fn issuers(&self) -> impl Iterator<Item = (&str, &str)> {
        std::iter::once((self.issuer.as_str(), self.jwks_uri.as_str())).chain(
            self.updated
                .as_ref()
                .map(|(issuer, jwks)| (issuer.as_str(), jwks.as_str())),
        )
    }
}

/// The region of a user pool id: the part before `_`, shaped like `xx-name-1` or
/// `xx-gov-name-1` (and the ISO partitions' longer names).
fn region_of(user_pool_id: &str) -> Option<&str> {
    let (region, id) = user_pool_id.split_once('_')?;
    let parts: Vec<&str> = region.split('-').collect();
    let well_formed = parts.len() >= 3
        && parts[0].len() == 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
        && !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_alphanumeric());
    well_formed.then_some(region)
}

/// The verified claims of a Cognito token, typed.
#[derive(Debug, Clone, PartialEq)]
pub struct CognitoClaims {
    claims: Claims,
    user_pool_id: String,
}

impl CognitoClaims {
    /// The pool the token is from.
    pub fn user_pool_id(&self) -> &str {
        &self.user_pool_id
    }

    /// `sub`: the user's stable id.
    pub fn sub(&self) -> &str {
        self.claims.subject().unwrap_or_default()
    }

    /// `token_use`: `id` or `access`.
    pub fn token_use(&self) -> TokenUse {
        if self.claims.str("token_use") == Some("id") {
            TokenUse::Id
        } else {
            TokenUse::Access
        }
    }

    /// The username: `username` of an access token, `cognito:username` of an ID token.
    pub fn username(&self) -> Option<&str> {
        self.claims
            .str("username")
            .or_else(|| self.claims.str("cognito:username"))
    }

    /// `cognito:groups`.
    pub fn groups(&self) -> Vec<&str> {
        match self.claims.get("cognito:groups") {
            Some(Value::Array(groups)) => groups.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// The scopes of an access token.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.claims.scopes()
    }

    /// The app client id: `client_id` of an access token, `aud` of an ID token.
    pub fn client_id(&self) -> Option<&str> {
        self.claims
            .str("client_id")
            .or_else(|| self.claims.str("aud"))
    }

    /// `auth_time`: when the user authenticated.
    pub fn auth_time(&self) -> Option<SystemTime> {
        self.claims.time("auth_time")
    }

    /// `origin_jti`: the id of the sign-in that issued the token (revocation is per origin).
    pub fn origin_jti(&self) -> Option<&str> {
        self.claims.str("origin_jti")
    }

    /// `exp`.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.claims.expires_at()
    }

    /// A custom attribute by name, without the `custom:` prefix (ID tokens).
    pub fn custom_attribute(&self, name: &str) -> Option<&str> {
        self.claims.str(&format!("custom:{name}"))
    }

    /// Every claim.
    pub fn claims(&self) -> &Claims {
        &self.claims
    }
}

/// Verifies tokens of one or several Cognito user pools (`aws-jwt-verify`'s
/// `CognitoJwtVerifier`, in Rust).
///
/// On top of [`JwtVerifier`]'s checks (RS256 by a key of the pool's JWKS, `exp`, `nbf`,
/// size, strict decoding): a `kid` (Cognito always names the key); `token_use` is `id` or
/// `access` and the one the pool accepts; the client id (`aud` for ID tokens, `client_id`
/// for access tokens) is one the pool accepts;
/// at least one required group is in `cognito:groups`; at least one required scope is in
/// `scope`; then the custom check.
///
/// ```no_run
/// use auth_providers::ReqwestHttpClient;
/// use auth_verify::{CognitoPool, CognitoVerifier, JwksCache, TokenUse};
///
/// # async fn run(token: &str) -> Result<(), Box<dyn std::error::Error>> {
/// let keys = JwksCache::new(ReqwestHttpClient::builder().build()?);
/// let verifier = CognitoVerifier::builder(keys)
///     .pool(CognitoPool::new("eu-west-1_AbCdEf123", TokenUse::Access)?.client_id("1example23456789"))
///     .build()?;
/// verifier.hydrate().await?; // at start-up: then verify_sync never does I/O
/// let claims = verifier.verify(token).await?;
/// println!("{} ({:?})", claims.sub(), claims.username());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct CognitoVerifier {
    /// The standard checks; its own custom check is never set (the caller's runs last,
    /// after the Cognito checks).
    core: JwtVerifier,
    pools: std::sync::Arc<[CognitoPool]>,
    /// The pool of each of `core`'s issuer policies (a pool has one per issuer format).
    policy_pools: std::sync::Arc<[usize]>,
    check: Option<crate::verifier::CustomCheck>,
}

impl fmt::Debug for CognitoVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CognitoVerifier")
            .field("pools", &self.pools)
            .field("keys", self.core.key_cache())
            .field("custom_check", &self.check.is_some())
            .finish()
    }
}

/// Builds a [`CognitoVerifier`].
#[must_use]
pub struct CognitoVerifierBuilder {
    keys: JwksCache,
    pools: Vec<CognitoPool>,
    max_token_bytes: Option<usize>,
    check: Option<crate::verifier::CustomCheck>,
}

impl fmt::Debug for CognitoVerifierBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CognitoVerifierBuilder")
            .field("pools", &self.pools)
            .finish_non_exhaustive()
    }
}

impl CognitoVerifierBuilder {
    /// Trusts a pool (call once per pool).
    pub fn pool(mut self, pool: CognitoPool) -> Self {
        self.pools.push(pool);
        self
    }

    /// The largest token accepted (default
    /// [`DEFAULT_MAX_TOKEN_BYTES`](crate::DEFAULT_MAX_TOKEN_BYTES)).
    pub fn max_token_bytes(mut self, bytes: usize) -> Self {
        self.max_token_bytes = Some(bytes);
        self
    }

    /// A check of your own over the header, the verified claims and the key; run last.
    pub fn custom_check(
        mut self,
        check: impl Fn(&Header, &Claims, &Jwk) -> Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        self.check = Some(std::sync::Arc::new(check));
        self
    }

    /// The verifier.
    ///
    /// # Errors
    ///
    /// [`VerifyErrorKind::Claim`] naming the mistake: no pool, a pool twice, a pool without
    /// client ids (and without [`any_client`](CognitoPool::any_client)).
    pub fn build(self) -> Result<CognitoVerifier, VerifyError> {
        let mut core = JwtVerifier::builder(self.keys);
        let mut policy_pools = Vec::new();
        for (index, pool) in self.pools.iter().enumerate() {
            if pool.client_ids.is_none() && !pool.any_client {
                return Err(VerifyError::new(
                    VerifyErrorKind::Claim,
                    format!(
                        "the pool {} has no client id: add one with CognitoPool::client_id, or call any_client()",
                        pool.user_pool_id
                    ),
                ));
            }
            // The audience is Cognito-specific (aud or client_id by token_use): checked here.
            for (issuer, jwks_uri) in pool.issuers() {
                core = core.issuer(
                    IssuerPolicy::new(issuer, jwks_uri)
                        .any_audience()
                        .algorithms([Algorithm::RS256])
                        .grace(pool.grace),
                );
                policy_pools.push(index);
            }
        }
        if let Some(bytes) = self.max_token_bytes {
            core = core.max_token_bytes(bytes);
        }
        let core = core.build().map_err(|e| {
            if self.pools.is_empty() {
                VerifyError::new(
                    VerifyErrorKind::Claim,
                    "a verifier needs at least one user pool",
                )
            } else {
                e
            }
        })?;
        Ok(CognitoVerifier {
            core,
            pools: self.pools.into(),
            policy_pools: policy_pools.into(),
            check: self.check,
        })
    }
}

impl CognitoVerifier {
    /// A builder verifying on `keys`.
    pub fn builder(keys: JwksCache) -> CognitoVerifierBuilder {
        CognitoVerifierBuilder {
            keys,
            pools: Vec::new(),
            max_token_bytes: None,
            check: None,
        }
    }

    /// Fetches every pool's keys now, at its regional issuer's JWKS URL (call at start-up so
    /// that no request waits, and so that [`verify_sync`](Self::verify_sync) can verify).
    /// Tokens of the `issuer-cognito-idp` format (see [`CognitoPool::issuers`]) fetch their
    /// keys when the first one arrives.
    ///
    /// # Errors
    ///
    /// The first fetch that fails.
    pub async fn hydrate(&self) -> Result<(), VerifyError> {
        // The regional issuer's keys only: those of the `issuer-cognito-idp` format are
        // fetched when a token of that format first arrives, so a pool that does not use it
        // never makes start-up depend on that URL.
        for pool in self.pools.iter() {
            self.core.key_cache().hydrate(&pool.jwks_uri).await?;
        }
        Ok(())
    }

    /// The key cache.
    pub fn key_cache(&self) -> &JwksCache {
        self.core.key_cache()
    }

    /// Verifies `token`, fetching keys if needed (at the cache's bounded rate).
    ///
    /// # Errors
    ///
    /// A [`VerifyError`] of the failed check.
    pub async fn verify(&self, token: &str) -> Result<CognitoClaims, VerifyError> {
        self.verify_at(token, SystemTime::now()).await
    }

    /// [`verify`](Self::verify) as of `now`.
    ///
    /// # Errors
    ///
    /// A [`VerifyError`] of the failed check.
    pub async fn verify_at(
        &self,
        token: &str,
        now: SystemTime,
    ) -> Result<CognitoClaims, VerifyError> {
        let verified = self.core.verify_full(token, now).await?;
        self.check(verified)
    }

    /// Verifies `token` with the keys held now, without any I/O.
    ///
    /// # Errors
    ///
    /// A [`VerifyError`] of the failed check; [`VerifyErrorKind::UnknownKey`] when the key
    /// is not held.
    pub fn verify_sync(&self, token: &str) -> Result<CognitoClaims, VerifyError> {
        self.verify_sync_at(token, SystemTime::now())
    }

    /// [`verify_sync`](Self::verify_sync) as of `now`.
    ///
    /// # Errors
    ///
    /// As [`verify_sync`](Self::verify_sync).
    pub fn verify_sync_at(
        &self,
        token: &str,
        now: SystemTime,
    ) -> Result<CognitoClaims, VerifyError> {
        let verified = self.core.verify_full_sync(token, now)?;
        self.check(verified)
    }

    fn check(&self, verified: Verified) -> Result<CognitoClaims, VerifyError> {
        let pool = &self.pools[self.policy_pools[verified.policy_index]];
        // Cognito names the key of every token; aws-jwt-verify refuses a token without a
        // `kid` even when the pool's JWKS has a single key that would verify it.
        if verified.header.kid.is_none() {
            return Err(VerifyError::new(
                VerifyErrorKind::UnknownKey,
                "the token has no kid (Cognito tokens always name their key)",
            ));
        }
        let claims = &verified.claims;
        let token_use = match claims.get("token_use") {
            Some(Value::String(t)) if t == "id" || t == "access" => t.as_str(),
            Some(_) | None => {
                return Err(VerifyError::new(
                    VerifyErrorKind::TokenUse,
                    "token_use is neither id nor access",
                ));
            }
        };
        if !pool.token_use.accepts(token_use) {
            return Err(VerifyError::new(
                VerifyErrorKind::TokenUse,
                format!(
                    "an {token_use} token where {} tokens are expected",
                    match pool.token_use {
                        TokenUse::Id => "id",
                        TokenUse::Access => "access",
                        TokenUse::Either => "id or access",
                    }
                ),
            ));
        }
        if let Some(accepted) = &pool.client_ids {
            let member = if token_use == "id" {
                "aud"
            } else {
                "client_id"
            };
            let client = match claims.get(member) {
                Some(Value::String(c)) => c.as_str(),
                _ => {
                    return Err(VerifyError::new(
                        VerifyErrorKind::Audience,
                        format!("the token has no {member}"),
                    ));
                }
            };
            if !accepted.iter().any(|a| a == client) {
                return Err(VerifyError::new(
                    VerifyErrorKind::Audience,
                    "the token is for another app client",
                ));
            }
        }
        if !pool.groups.is_empty() {
            let groups = match claims.get("cognito:groups") {
                Some(Value::Array(groups)) => groups.iter().filter_map(Value::as_str).collect(),
                None => Vec::new(),
                Some(_) => {
                    return Err(VerifyError::new(
                        VerifyErrorKind::Claim,
                        "cognito:groups is not an array",
                    ));
                }
            };
            if !groups.iter().any(|g| pool.groups.iter().any(|r| r == g)) {
                return Err(VerifyError::new(
                    VerifyErrorKind::MissingGroup,
                    "the user is in none of the required groups",
                ));
            }
        }
        check_scopes(claims, &pool.scopes)?;
        if let Some(check) = &self.check {
            check(&verified.header, claims, verified.key())
                .map_err(|reason| VerifyError::new(VerifyErrorKind::Custom, reason))?;
        }
        Ok(CognitoClaims {
            claims: verified.claims,
            user_pool_id: pool.user_pool_id.clone(),
        })
    }
}
