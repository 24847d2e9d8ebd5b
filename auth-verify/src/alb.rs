//! [`AlbVerifier`]: the `x-amzn-oidc-data` tokens an Application Load Balancer signs, checked
//! the way `aws-jwt-verify`'s `AlbJwtVerifier` checks them (and a little stricter).
//!
//! ALB's tokens are JWTs with three quirks (AWS ELB guide, "Authenticate users using an
//! Application Load Balancer", *User claims encoding and signature verification*): the
//! segments are base64url **with** `=` padding; the header carries `signer` (the load
//! balancer's ARN), `iss`, `client` and `exp` beside `alg` (always ES256) and `kid`; and the
//! public key is not in a JWKS but one PEM per key id at
//! `https://public-keys.auth.elb.<region>.amazonaws.com/<kid>` (GovCloud:
//! `https://s3-us-gov-<west|east>-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-<west|east>-1/<kid>`).

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use tokio::time::Instant;

use crate::cache::{JwksCache, Source};
use crate::error::{VerifyError, VerifyErrorKind};
use crate::fetch::{FetchError, FetchErrorKind};
use crate::jwk::{Algorithm, Jwk, KeySet};
use crate::jwt::{self, Decoded, Header, Padding};
use crate::verifier::{Claims, CustomCheck, DEFAULT_MAX_TOKEN_BYTES, truncate};

/// The verified claims of an ALB token: the user claims of the payload (what the identity
/// provider's user info endpoint said), and the header's `signer`, `iss` and `client`.
#[derive(Debug, Clone, PartialEq)]
pub struct AlbClaims {
    claims: Claims,
    header: Header,
}

impl AlbClaims {
    /// `sub`: the user's id at the identity provider (also in `x-amzn-oidc-identity`).
    pub fn sub(&self) -> &str {
        self.claims.subject().unwrap_or_default()
    }

    /// `email`, when the identity provider sent it.
    pub fn email(&self) -> Option<&str> {
        self.claims.str("email")
    }

    /// `username` (what a Cognito user pool's user info endpoint sends), else
    /// `preferred_username`.
    pub fn username(&self) -> Option<&str> {
        self.claims
            .str("username")
            .or_else(|| self.claims.str("preferred_username"))
    }

    /// `name`.
    pub fn name(&self) -> Option<&str> {
        self.claims.str("name")
    }

    /// The header's `signer`: the ARN of the load balancer that signed the token (one of the
    /// trusted ones).
    pub fn signer(&self) -> &str {
        self.header_str("signer").unwrap_or_default()
    }

    /// The header's `iss`: the identity provider the load balancer authenticated the user
    /// with.
    pub fn issuer(&self) -> Option<&str> {
        self.header_str("iss")
    }

    /// The header's `client`: the client id of the load balancer at the identity provider.
    pub fn client_id(&self) -> Option<&str> {
        self.header_str("client")
    }

    /// The key id that verified the token.
    pub fn key_id(&self) -> Option<&str> {
        self.header.kid.as_deref()
    }

    /// `exp`, from the header (where ALB puts it) or else the payload.
    pub fn expires_at(&self) -> Option<SystemTime> {
        let secs = self
            .header
            .members
            .get("exp")
            .and_then(Value::as_f64)
            .or_else(|| self.claims.get("exp").and_then(Value::as_f64))?;
        (secs.is_finite() && secs >= 0.0)
            .then(|| UNIX_EPOCH + Duration::from_secs_f64(secs.min(1e11)))
    }

    /// Every user claim (the payload).
    pub fn claims(&self) -> &Claims {
        &self.claims
    }

    /// The verified header, with every member.
    pub fn header(&self) -> &Header {
        &self.header
    }

    fn header_str(&self, name: &str) -> Option<&str> {
        self.header.members.get(name).and_then(Value::as_str)
    }
}

/// One trusted load balancer and where its region's keys are.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Trusted {
    arn: String,
    key_endpoint: String,
}

/// How many key ids never seen before may be fetched per refetch interval, by default.
const DEFAULT_NEW_KEYS_PER_INTERVAL: u32 = 2;

/// Verifies the `x-amzn-oidc-data` header an Application Load Balancer adds to the requests
/// it authenticated (`aws-jwt-verify`'s `AlbJwtVerifier`, in Rust).
///
/// In order, before any key is fetched: the token's size; base64url segments, padded with
/// `=` or not (ALB pads; only this verifier accepts it); JSON objects without duplicate
/// members and no `jku`/`jwk`/`x5u`/`x5c`/`crit`; `alg` exactly `ES256`; `signer` one of the
/// trusted load balancer ARNs; `kid` shaped like ALB's key ids (a UUID, so nothing else ever
/// reaches the key URL); `iss` one of the expected issuers and `client` one of the expected
/// client ids, when set. Then the key of `kid` (fetched from the signer's region, see below),
/// the signature, `exp` (required, in the header or the payload; both checked when both are
/// there) and the payload's `nbf` with the grace period, then the custom check.
///
/// Keys are held in the [`JwksCache`] the verifier is built on, one entry per key URL, with
/// the cache's guarantees per URL: one fetch at a time, at most one per refetch interval
/// (a key id whose fetch failed fails fast until then), bounded fetches, backoff. On top, a
/// key id the verifier has never seen is fetched only while the verifier's budget allows
/// (default: 2 new key ids per refetch interval), so a stream of tokens naming random key ids
/// costs at most two requests per interval, and the rest are
/// [`UnknownKey`](VerifyErrorKind::UnknownKey) at once. A key endpoint answering 403 or 404
/// means an unknown key (401), any other failure [`KeyFetch`](VerifyErrorKind::KeyFetch) (503).
///
/// Anyone who can reach the application directly can send a header of their choosing; put the
/// application where only the load balancer reaches it (AWS's advice), and verify anyway.
///
/// ```no_run
/// use auth_providers::ReqwestHttpClient;
/// use auth_verify::{AlbVerifier, JwksCache};
///
/// # async fn run(x_amzn_oidc_data: &str) -> Result<(), Box<dyn std::error::Error>> {
/// let keys = JwksCache::new(ReqwestHttpClient::builder().build()?);
/// let verifier = AlbVerifier::builder(keys)
///     .load_balancer_arn("arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188")
///     .issuer("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123")
///     .client_id("1example23456789")
///     .build()?;
/// let claims = verifier.verify(x_amzn_oidc_data).await?;
/// println!("{} ({:?})", claims.sub(), claims.email());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AlbVerifier {
    trusted: Arc<[Trusted]>,
    issuers: Arc<[String]>,
    client_ids: Arc<[String]>,
    grace: Duration,
    max_token_bytes: usize,
    keys: JwksCache,
    new_keys_per_interval: u32,
    budget: Arc<Mutex<Budget>>,
    check: Option<CustomCheck>,
}

impl fmt::Debug for AlbVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AlbVerifier")
            .field("trusted", &self.trusted)
            .field("issuers", &self.issuers)
            .field("client_ids", &self.client_ids)
            .field("grace", &self.grace)
            .field("keys", &self.keys)
            .field("custom_check", &self.check.is_some())
            .finish_non_exhaustive()
    }
}

/// New key ids fetched in the current window.
#[derive(Debug, Default)]
struct Budget {
    window_start: Option<Instant>,
    used: u32,
}

/// Builds an [`AlbVerifier`].
#[must_use]
pub struct AlbVerifierBuilder {
    keys: JwksCache,
    arns: Vec<String>,
    issuers: Vec<String>,
    client_ids: Vec<String>,
    key_endpoint: Option<String>,
    grace: Duration,
    max_token_bytes: usize,
    new_keys_per_interval: u32,
    check: Option<CustomCheck>,
}

impl fmt::Debug for AlbVerifierBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AlbVerifierBuilder")
            .field("arns", &self.arns)
            .field("issuers", &self.issuers)
            .field("client_ids", &self.client_ids)
            .field("key_endpoint", &self.key_endpoint)
            .finish_non_exhaustive()
    }
}

impl AlbVerifierBuilder {
    /// Trusts the load balancer `arn` (`arn:<partition>:elasticloadbalancing:<region>:
    /// <account>:loadbalancer/app/<name>/<id>`): a token's `signer` must be one of the ARNs
    /// added. Its keys are fetched from its region's endpoint.
    pub fn load_balancer_arn(mut self, arn: impl Into<String>) -> Self {
        self.arns.push(arn.into());
        self
    }

    /// Adds an expected issuer: the header's `iss` (the identity provider of the listener
    /// rule, e.g. `https://cognito-idp.<region>.amazonaws.com/<pool id>`) must be one of
    /// those added. Not checked when none is added: the signer's listener rule fixes it.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuers.push(issuer.into());
        self
    }

    /// Adds an expected client id: the header's `client` must be one of those added. Not
    /// checked when none is added.
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_ids.push(client_id.into());
        self
    }

    /// Clock skew allowed on `exp` and `nbf` (default 0; at most 5 minutes).
    pub fn grace(mut self, grace: Duration) -> Self {
        self.grace = grace.min(Duration::from_secs(300));
        self
    }

    /// Fetches the keys from `base` (`<base>/<kid>`) instead of the regions' endpoints: for
    /// tests (a local server playing the endpoint), and for partitions whose endpoint this
    /// crate does not know (the ISO partitions). The base comes from configuration, never
    /// from a token.
    pub fn key_endpoint(mut self, base: impl Into<String>) -> Self {
        self.key_endpoint = Some(base.into());
        self
    }

    /// How many key ids never seen before may be fetched per refetch interval of the cache
    /// (default 2; a load balancer signs with one key at a time).
    pub fn new_keys_per_interval(mut self, keys: u32) -> Self {
        self.new_keys_per_interval = keys;
        self
    }

    /// The largest token accepted (default [`DEFAULT_MAX_TOKEN_BYTES`]).
    pub fn max_token_bytes(mut self, bytes: usize) -> Self {
        self.max_token_bytes = bytes;
        self
    }

    /// A check of your own over the header, the verified claims and the key; run last.
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
    /// [`VerifyErrorKind::Claim`] naming the mistake: no load balancer ARN, an ARN that is not
    /// an Application Load Balancer's, an ARN twice.
    pub fn build(self) -> Result<AlbVerifier, VerifyError> {
        let misconfigured = |m: String| VerifyError::new(VerifyErrorKind::Claim, m);
        if self.arns.is_empty() {
            return Err(misconfigured(
                "an ALB verifier needs at least one load balancer ARN".into(),
            ));
        }
        let mut trusted = Vec::with_capacity(self.arns.len());
        for (i, arn) in self.arns.iter().enumerate() {
            if self.arns[..i].contains(arn) {
                return Err(misconfigured(format!(
                    "the load balancer {arn:?} is configured twice"
                )));
            }
            let region = region_of_arn(arn).ok_or_else(|| {
                misconfigured(format!(
                    "{:?} is not an Application Load Balancer ARN \
                     (arn:<partition>:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>)",
                    truncate(arn)
                ))
            })?;
            let key_endpoint = match &self.key_endpoint {
                Some(base) => base.trim_end_matches('/').to_owned(),
                None => regional_key_endpoint(region),
            };
            trusted.push(Trusted {
                arn: arn.clone(),
                key_endpoint,
            });
        }
        Ok(AlbVerifier {
            trusted: trusted.into(),
            issuers: self.issuers.into(),
            client_ids: self.client_ids.into(),
            grace: self.grace,
            max_token_bytes: self.max_token_bytes,
            keys: self.keys,
            new_keys_per_interval: self.new_keys_per_interval,
            budget: Arc::new(Mutex::new(Budget::default())),
            check: self.check,
        })
    }
}

/// The region of an Application Load Balancer's ARN.
fn region_of_arn(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("elasticloadbalancing"), Some(region)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let (Some(account), Some(resource)) = (parts.next(), parts.next()) else {
        return None;
    };
    let labels: Vec<&str> = region.split('-').collect();
    let region_ok = labels.len() >= 3
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && labels
            .last()
            .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()));
    let ok = partition.starts_with("aws")
        && region_ok
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && resource.starts_with("loadbalancer/app/");
    ok.then_some(region)
}

/// Where a region's load balancers publish their public keys (AWS ELB guide, "User claims
/// encoding and signature verification"): S3 in GovCloud, `public-keys.auth.elb` with the
/// partition's DNS suffix elsewhere.
fn regional_key_endpoint(region: &str) -> String {
    match region {
        "us-gov-west-1" | "us-gov-east-1" => {
            format!("https://s3-{region}.amazonaws.com/aws-elb-public-keys-prod-{region}")
        }
        _ => format!(
            "https://public-keys.auth.elb.{region}.{}",
            auth_core::config::dns_suffix(region)
        ),
    }
}

/// ALB's key ids are UUIDs (8-4-4-4-12 hexadecimal digits): anything else is refused before
/// it can become part of a URL (no `/`, `..`, `%`, `?` or `#` can ever get there).
fn is_alb_kid(kid: &str) -> bool {
    let bytes = kid.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// A token that passed every check that needs no key.
struct Prechecked<'t> {
    decoded: Decoded<'t>,
    url: String,
}

impl AlbVerifier {
    /// A builder verifying on `keys` (share one cache between all verifiers of a process).
    pub fn builder(keys: JwksCache) -> AlbVerifierBuilder {
        AlbVerifierBuilder {
            keys,
            arns: Vec::new(),
            issuers: Vec::new(),
            client_ids: Vec::new(),
            key_endpoint: None,
            grace: Duration::ZERO,
            max_token_bytes: DEFAULT_MAX_TOKEN_BYTES,
            new_keys_per_interval: DEFAULT_NEW_KEYS_PER_INTERVAL,
            check: None,
        }
    }

    /// The key cache.
    pub fn key_cache(&self) -> &JwksCache {
        &self.keys
    }

    /// The trusted load balancer ARNs.
    pub fn load_balancer_arns(&self) -> impl Iterator<Item = &str> {
        self.trusted.iter().map(|t| t.arn.as_str())
    }

    /// The URL of the public key `kid` of the load balancer `arn` (one of the trusted ones),
    /// where [`verify`](Self::verify) fetches it; `None` for an ARN not trusted or a key id
    /// that is not an ALB key id.
    pub fn key_url(&self, arn: &str, kid: &str) -> Option<String> {
        let trusted = self.trusted.iter().find(|t| t.arn == arn)?;
        is_alb_kid(kid).then(|| format!("{}/{kid}", trusted.key_endpoint))
    }

    /// Verifies `token` (the value of `x-amzn-oidc-data`), fetching its key if it is not
    /// held (at the cache's bounded rate, and within the budget for new key ids).
    ///
    /// # Errors
    ///
    /// A [`VerifyError`] of the failed check.
    pub async fn verify(&self, token: &str) -> Result<AlbClaims, VerifyError> {
        self.verify_at(token, SystemTime::now()).await
    }

    /// [`verify`](Self::verify) as of `now`.
    ///
    /// # Errors
    ///
    /// A [`VerifyError`] of the failed check.
    pub async fn verify_at(&self, token: &str, now: SystemTime) -> Result<AlbClaims, VerifyError> {
        let pre = self.precheck(token)?;
        let kid = pre.decoded.header.kid.as_deref().unwrap_or_default();
        let keys = match self.keys.cached(&pre.url) {
            Some(keys) => keys,
            None if self.keys.knows(&pre.url) || self.allow_new_key() => self
                .keys
                .key_set_from(&pre.url, Source::AlbPem { kid }, |_| true)
                .await
                .map_err(fetch_failure)?,
            None => {
                tracing::debug!(
                    key_url = pre.url,
                    "unknown ALB key id; the budget for new key ids is spent, not fetching"
                );
                return Err(VerifyError::new(
                    VerifyErrorKind::UnknownKey,
                    "an unknown key id, and enough new key ids were fetched recently",
                ));
            }
        };
        self.finish(pre.decoded, &keys, now)
    }

    /// Verifies `token` with the keys held now, without any I/O: a token whose key is not
    /// held is [`VerifyErrorKind::UnknownKey`].
    ///
    /// # Errors
    ///
    /// A [`VerifyError`] of the failed check.
    pub fn verify_sync(&self, token: &str) -> Result<AlbClaims, VerifyError> {
        self.verify_sync_at(token, SystemTime::now())
    }

    /// [`verify_sync`](Self::verify_sync) as of `now`.
    ///
    /// # Errors
    ///
    /// As [`verify_sync`](Self::verify_sync).
    pub fn verify_sync_at(&self, token: &str, now: SystemTime) -> Result<AlbClaims, VerifyError> {
        let pre = self.precheck(token)?;
        let keys = self.keys.cached(&pre.url).ok_or_else(|| {
            VerifyError::new(VerifyErrorKind::UnknownKey, "the token's key is not held")
        })?;
        self.finish(pre.decoded, &keys, now)
    }

    /// Whether a key id never seen may be fetched now (and counts it).
    fn allow_new_key(&self) -> bool {
        let interval = self.keys.refetch_interval();
        let mut budget = self.budget.lock().unwrap_or_else(PoisonError::into_inner);
        if budget
            .window_start
            .is_none_or(|start| start.elapsed() >= interval)
        {
            budget.window_start = Some(Instant::now());
            budget.used = 0;
        }
        if budget.used < self.new_keys_per_interval {
            budget.used += 1;
            true
        } else {
            false
        }
    }

    fn precheck<'t>(&self, token: &'t str) -> Result<Prechecked<'t>, VerifyError> {
        let decoded = jwt::decode_with(token, self.max_token_bytes, Padding::Optional)?;
        if decoded.alg != Some(Algorithm::ES256) {
            return Err(VerifyError::new(
                VerifyErrorKind::Algorithm,
                format!(
                    "the algorithm {:?} is not ES256, the only one ALB signs with",
                    truncate(&decoded.header.alg)
                ),
            ));
        }
        let members = &decoded.header.members;
        let text = |name: &'static str| -> Result<Option<&str>, VerifyError> {
            match members.get(name) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s)),
                Some(_) => Err(VerifyError::new(
                    VerifyErrorKind::Malformed,
                    format!("the header's {name} is not a string"),
                )),
            }
        };
        let signer = text("signer")?
            .ok_or_else(|| VerifyError::new(VerifyErrorKind::Signer, "the token has no signer"))?;
        let trusted = self
            .trusted
            .iter()
            .find(|t| t.arn == signer)
            .ok_or_else(|| {
                VerifyError::new(
                    VerifyErrorKind::Signer,
                    "the token was signed by another load balancer",
                )
            })?;
        let kid =
            decoded.header.kid.as_deref().ok_or_else(|| {
                VerifyError::new(VerifyErrorKind::UnknownKey, "the token has no kid")
            })?;
        if !is_alb_kid(kid) {
            return Err(VerifyError::new(
                VerifyErrorKind::Malformed,
                "the kid is not an ALB key id (a UUID)",
            ));
        }
        let iss = text("iss")?;
        if !self.issuers.is_empty() && !iss.is_some_and(|i| self.issuers.iter().any(|e| e == i)) {
            return Err(VerifyError::new(
                VerifyErrorKind::Issuer,
                "the token's issuer is not an expected one",
            ));
        }
        match (iss, decoded.claims.get("iss")) {
            (_, None) => {}
            (Some(header), Some(Value::String(payload))) if header == payload => {}
            _ => {
                return Err(VerifyError::new(
                    VerifyErrorKind::Issuer,
                    "the payload's iss is not the header's",
                ));
            }
        }
        let client = text("client")?;
        if !self.client_ids.is_empty()
            && !client.is_some_and(|c| self.client_ids.iter().any(|e| e == c))
        {
            return Err(VerifyError::new(
                VerifyErrorKind::Audience,
                "the token is for another client",
            ));
        }
        let url = format!("{}/{kid}", trusted.key_endpoint);
        Ok(Prechecked { decoded, url })
    }

    fn finish(
        &self,
        decoded: Decoded<'_>,
        keys: &KeySet,
        now: SystemTime,
    ) -> Result<AlbClaims, VerifyError> {
        let kid = decoded.header.kid.as_deref();
        let key =
            keys.keys().iter().find(|k| k.kid() == kid).ok_or_else(|| {
                VerifyError::new(VerifyErrorKind::UnknownKey, "the key is not held")
            })?;
        if !key.fits(Algorithm::ES256) {
            return Err(VerifyError::new(
                VerifyErrorKind::KeyMismatch,
                "the key cannot verify ES256",
            ));
        }
        if !key.verify(
            Algorithm::ES256,
            decoded.signing_input.as_bytes(),
            &decoded.signature,
        ) {
            return Err(VerifyError::new(
                VerifyErrorKind::BadSignature,
                "the signature does not verify",
            ));
        }
        let claims = Claims::new(decoded.claims);
        self.check_times(&decoded.header, &claims, now)?;
        if let Some(check) = &self.check {
            check(&decoded.header, &claims, key)
                .map_err(|reason| VerifyError::new(VerifyErrorKind::Custom, reason))?;
        }
        Ok(AlbClaims {
            claims,
            header: decoded.header,
        })
    }

    /// `exp` in the header or the payload (at least one; each checked), the payload's `nbf`.
    fn check_times(
        &self,
        header: &Header,
        claims: &Claims,
        now: SystemTime,
    ) -> Result<(), VerifyError> {
        let now = now
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64();
        let grace = self.grace.as_secs_f64();
        let number = |value: Option<&Value>, what: &str| -> Result<Option<f64>, VerifyError> {
            match value {
                None => Ok(None),
                Some(v) => v
                    .as_f64()
                    .filter(|n| n.is_finite())
                    .map(Some)
                    .ok_or_else(|| {
                        VerifyError::new(VerifyErrorKind::Claim, format!("{what} is not a number"))
                    }),
            }
        };
        let exps = [
            number(header.members.get("exp"), "the header's exp")?,
            number(claims.get("exp"), "exp")?,
        ];
        if exps.iter().all(Option::is_none) {
            return Err(VerifyError::new(
                VerifyErrorKind::Expired,
                "the token has no exp",
            ));
        }
        if exps.iter().flatten().any(|exp| exp + grace < now) {
            return Err(VerifyError::new(
                VerifyErrorKind::Expired,
                "the token has expired",
            ));
        }
        if let Some(nbf) = number(claims.get("nbf"), "nbf")?
            && nbf - grace > now
        {
            return Err(VerifyError::new(
                VerifyErrorKind::NotYetValid,
                "the token is not valid yet (nbf)",
            ));
        }
        Ok(())
    }
}

/// A key endpoint that answers 403 or 404 does not have the key: an unknown key, not an
/// outage (S3, which serves GovCloud's keys, answers 403 for a missing object).
fn fetch_failure(error: FetchError) -> VerifyError {
    match error.kind() {
        FetchErrorKind::Status {
            status: 403 | 404, ..
        } => VerifyError::new(
            VerifyErrorKind::UnknownKey,
            "the load balancer's key endpoint has no key with the token's kid",
        ),
        _ => VerifyError::from(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_endpoints_follow_the_partition_of_the_arn_region() {
        assert_eq!(
            regional_key_endpoint("eu-west-1"),
            "https://public-keys.auth.elb.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            regional_key_endpoint("cn-north-1"),
            "https://public-keys.auth.elb.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(
            regional_key_endpoint("us-gov-west-1"),
            "https://s3-us-gov-west-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-west-1"
        );
        assert_eq!(
            regional_key_endpoint("us-gov-east-1"),
            "https://s3-us-gov-east-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-east-1"
        );
    }

    #[test]
    fn arns_of_application_load_balancers_give_their_region() {
        let arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188";
        assert_eq!(region_of_arn(arn), Some("eu-west-1"));
        let gov =
            "arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:123456789012:loadbalancer/app/web/1";
        assert_eq!(region_of_arn(gov), Some("us-gov-west-1"));
        for bad in [
            "",
            "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/nlb/1",
            "arn:aws:cognito-idp:eu-west-1:123456789012:loadbalancer/app/web/1",
            "arn:aws:elasticloadbalancing:eu/west-1:123456789012:loadbalancer/app/web/1",
            "arn:aws:elasticloadbalancing:eu-west-1:1234:loadbalancer/app/web/1",
        ] {
            assert_eq!(region_of_arn(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_uuids_are_alb_key_ids() {
        assert!(is_alb_kid("6db77464-4ac6-4968-9ec9-a6c669649ba1"));
        assert!(is_alb_kid("6DB77464-4AC6-4968-9EC9-A6C669649BA1"));
        for bad in [
            "",
            "../../../etc/passwd",
            "6db77464-4ac6-4968-9ec9-a6c669649ba",
            "6db77464-4ac6-4968-9ec9/a6c669649ba1",
            "6db77464-4ac6-4968-9ec9-a6c669649ba1/..",
            "6db77464-4ac6-4968-9ec9-a6c66964%2f1",
        ] {
            assert!(!is_alb_kid(bad), "{bad}");
        }
    }
}
