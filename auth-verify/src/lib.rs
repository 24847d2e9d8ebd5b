//! Server-side verification of JSON Web Tokens from Cognito user pools and OIDC issuers, and
//! the key cache it stands on.
//!
//! This crate holds what every verifier of this workspace shares, so that each trap is
//! closed once:
//!
//! * [`JwksCache`]: issuers' keys fetched once and shared, refetched for an unknown `kid`
//!   at most once per interval per JWKS URL (failed fetches included), concurrent fetches
//!   coalesced, failures backed off, keys kept through failures;
//! * [`fetch_json`] with [`FetchLimits`]: every JWKS and discovery fetch has a total deadline
//!   and a body limit enforced while streaming, and is never multiplied by HTTP retries;
//! * [`KeySet`] and [`Jwk`]: keys parsed once (on `aws-lc-rs`), each knowing which
//!   algorithms it may verify, decided by the key (`kty`, `crv`, `use`, `alg`), never by the
//!   token alone;
//! * [`JwtVerifier`] for any OIDC issuer (several in one verifier) and [`CognitoVerifier`]
//!   for user pools (`token_use`, client ids, groups, scopes), both with a synchronous
//!   `verify_sync` that never does I/O once keys are cached, and one [`VerifyError`] whose
//!   kinds map to HTTP statuses;
//! * [`AlbVerifier`] for the `x-amzn-oidc-data` tokens of Application Load Balancers (ES256,
//!   padded base64url, the `signer` checked against the load balancer ARNs, one PEM key per
//!   `kid` from the region's key endpoint, on the same cache and its bounds);
//! * [`Verify`]: the trait the verifiers implement, so servers take any of them, and
//!   [`bearer_token`] for `Authorization: Bearer` values;
//! * `VerifyLayer` (feature `tower`): a tower layer that verifies bearer tokens, puts the
//!   claims in the request extensions and answers refusals as RFC 6750 says (401
//!   `invalid_token`, 403 `insufficient_scope`, 503 when the keys are unavailable).
//!
//! The OIDC login flow of `auth-federation` verifies ID tokens on this cache. Re-exported by
//! the umbrella crate as `auth::verify` (feature `verify`).
//!
//! # Example
//!
//! ```no_run
//! use std::time::Duration;
//! use auth_providers::ReqwestHttpClient;
//! use auth_verify::{Algorithm, FetchLimits, JwksCache};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let cache = JwksCache::builder(ReqwestHttpClient::builder().build()?)
//!     .limits(FetchLimits::new().max_body_bytes(64 * 1024).timeout(Duration::from_secs(2)))
//!     .refetch_interval(Duration::from_secs(60))
//!     .build();
//! let url = "https://issuer.example/.well-known/jwks.json";
//! let keys = cache.key_set(url, |keys| keys.find(Some("key-1"), Algorithm::RS256).is_some()).await?;
//! match keys.find(Some("key-1"), Algorithm::RS256) {
//!     Some(jwk) if jwk.fits(Algorithm::RS256) => { /* verify with it */ }
//!     _ => { /* an unknown key: reject the token */ }
//! }
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

mod alb;
mod bearer;
mod cache;
mod cognito;
mod error;
mod fetch;
mod jwk;
mod jwt;
#[cfg(feature = "tower")]
mod layer;
mod verifier;
mod verify_trait;

pub use alb::{AlbClaims, AlbVerifier, AlbVerifierBuilder};
pub use bearer::{BearerError, bearer_token};
pub use cache::{JwksCache, JwksCacheBuilder};
pub use cognito::{CognitoClaims, CognitoPool, CognitoVerifier, CognitoVerifierBuilder, TokenUse};
pub use error::{VerifyError, VerifyErrorKind};
pub use fetch::{Document, FetchError, FetchErrorKind, FetchLimits, fetch_json};
pub use jwk::{Algorithm, Jwk, JwkError, KeySet};
pub use jwt::{Header, Unverified, peek_unverified};
#[cfg(feature = "tower")]
pub use layer::{VerifyLayer, VerifyService, VerifyServiceFuture, rfc6750_error};
pub use verifier::{
    Claims, CustomCheck, DEFAULT_MAX_TOKEN_BYTES, IssuerPolicy, JwtVerifier, JwtVerifierBuilder,
};
pub use verify_trait::{Verify, VerifyFuture};
