//! [`OidcError`] and [`IdTokenError`].

use std::sync::Arc;

use auth_core::machine::{self, Cause};
use auth_core::oauth::{AuthorizationError, TokenEndpointError};
use auth_providers::{HttpError, ProviderError};
use auth_verify::FetchError;

use crate::error::IdentityPoolError;

/// Why an ID token was rejected. Every check of OpenID Connect Core §3.1.3.7 that fails has
/// its own variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdTokenError {
    /// Not a compact JWS with a JSON header and payload.
    #[error("the ID token is malformed: {0}")]
    Malformed(String),
    /// The header's `alg` is not among the allowed algorithms (`none` never is; neither is an
    /// HMAC algorithm unless configured, which defeats RSA-key confusion).
    #[error("the ID token's algorithm {alg:?} is not allowed")]
    DisallowedAlgorithm {
        /// The `alg` of the header.
        alg: String,
    },
    /// No key of the issuer's JWKS has this `kid`, even after fetching the JWKS again.
    #[error("no key of the issuer's JWKS has kid {kid:?}")]
    UnknownKey {
        /// The `kid` of the header (`None`: no kid and no single matching key).
        kid: Option<String>,
    },
    /// The JWKS key cannot verify this algorithm (wrong key type, `use` other than `sig`, or
    /// its `alg` differs from the header's).
    #[error("the JWKS key {kid:?} cannot verify {alg}")]
    KeyMismatch {
        /// The key id.
        kid: Option<String>,
        /// The header's algorithm.
        alg: String,
    },
    /// The signature does not verify with the issuer's key.
    #[error("the ID token's signature is invalid")]
    InvalidSignature,
    /// `iss` is not the configured issuer.
    #[error("the ID token's issuer is not the configured issuer")]
    InvalidIssuer,
    /// `aud` does not contain the client id, or `azp` is another client.
    #[error("the ID token is not meant for this client")]
    InvalidAudience,
    /// `nonce` is missing or differs from the one sent in the authorization request.
    #[error("the ID token's nonce does not match the authorization request")]
    InvalidNonce,
    /// `exp` has passed (beyond the leeway).
    #[error("the ID token has expired")]
    Expired,
    /// `nbf` is in the future (beyond the leeway).
    #[error("the ID token is not valid yet")]
    NotYetValid,
    /// `iat` is in the future (beyond the leeway).
    #[error("the ID token was issued in the future")]
    IssuedInFuture,
    /// A required claim (`iss`, `sub`, `aud`, `exp`, `iat`) is missing or of the wrong type.
    #[error("the ID token lacks the required claim {0:?}")]
    MissingClaim(String),
}

/// Why an OpenID Connect operation failed.
///
/// Grouped by cause: the provider said no ([`TokenEndpoint`](Self::TokenEndpoint),
/// [`OAuth`](Self::OAuth), [`Authorization`](Self::Authorization)), a response or token could
/// not be trusted ([`InvalidIdToken`](Self::InvalidIdToken),
/// [`Authorization`](Self::Authorization) for a state or issuer mismatch,
/// [`IssuerMismatch`](Self::IssuerMismatch), [`MalformedResponse`](Self::MalformedResponse)),
/// the network or the provider failed ([`Network`](Self::Network),
/// [`HttpStatus`](Self::HttpStatus)), or the caller misused the API
/// ([`InvalidConfiguration`](Self::InvalidConfiguration),
/// [`RedirectNotLoopback`](Self::RedirectNotLoopback)).
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum OidcError {
    /// The configuration is incomplete or malformed.
    #[error("invalid OIDC configuration: {0}")]
    InvalidConfiguration(String),
    /// A redirect URI that is not a loopback address (`127.0.0.1`, `[::1]`) was given for
    /// the loopback flow (RFC 8252 §7.3, §8.3).
    #[error("the redirect URI {uri:?} is not a loopback http URI")]
    RedirectNotLoopback {
        /// The URI as given.
        uri: String,
    },
    /// No response from `endpoint` (`token`, `device_authorization`). The transport's
    /// error, down to its root cause (a refused connection, a TLS certificate the system does
    /// not trust), is the [`source`](std::error::Error::source) chain.
    #[error("could not reach the {endpoint} endpoint at {url}")]
    Network {
        /// Which endpoint.
        endpoint: &'static str,
        /// The URL requested.
        url: String,
        /// The transport's error.
        #[source]
        source: HttpError,
    },
    /// The discovery document or the JWKS could not be fetched: no answer, the deadline,
    /// an error status, a body over the limit or not the expected JSON. The message names the
    /// URL; the transport's error is the source.
    #[error(transparent)]
    KeyFetch(#[from] FetchError),
    /// `endpoint` answered with an unexpected HTTP status and no OAuth error.
    #[error("the {endpoint} endpoint answered HTTP {status}")]
    HttpStatus {
        /// Which endpoint.
        endpoint: &'static str,
        /// The status.
        status: u16,
    },
    /// `endpoint` answered with a body that is not what the protocol defines.
    #[error("the {endpoint} endpoint sent a malformed response: {reason}")]
    MalformedResponse {
        /// Which endpoint.
        endpoint: &'static str,
        /// What is wrong (never quotes tokens).
        reason: String,
    },
    /// The discovery document names another issuer than the configured one (OIDC Discovery
    /// §4.3).
    #[error("the discovery document is for issuer {found:?}, not {expected:?}")]
    IssuerMismatch {
        /// The configured issuer.
        expected: String,
        /// The document's issuer.
        found: String,
    },
    /// An endpoint other than the token endpoint (the device authorization endpoint)
    /// answered with an OAuth error (RFC 6749 §5.2).
    #[error("the {endpoint} endpoint answered {error}")]
    OAuth {
        /// Which endpoint.
        endpoint: &'static str,
        /// The OAuth error code.
        error: String,
        /// The provider's description.
        description: Option<String>,
    },
    /// The authorization redirect gives no code to exchange: its `state` is not the one sent
    /// (a forged or stale redirect, RFC 6749 §10.12), its `iss` is another issuer (RFC 9207),
    /// the user declined, another OAuth error, or no code. Nothing was exchanged.
    #[error(transparent)]
    Authorization(#[from] AuthorizationError),
    /// The token endpoint refused the grant (`invalid_grant` for a replayed or expired code or
    /// a revoked refresh token; `authorization_pending`, `slow_down`, `access_denied`,
    /// `expired_token` in the device flow, RFC 8628 §3.5), answered an error status, or sent
    /// something that is not a token response.
    #[error(transparent)]
    TokenEndpoint(#[from] TokenEndpointError),
    /// No redirect arrived before the deadline.
    #[error("no redirect arrived in time")]
    Timeout,
    /// The loopback listener failed.
    #[error("the loopback listener failed")]
    Listener(#[source] Arc<std::io::Error>),
    /// The caller's browser hook failed.
    #[error("the browser could not be opened: {0}")]
    Browser(String),
    /// The token response has no ID token (was `openid` in the scopes?).
    #[error("the token response has no ID token")]
    MissingIdToken,
    /// A refresh was needed and there is no refresh token (ask for `offline_access`).
    #[error("no refresh token to refresh with")]
    NoRefreshToken,
    /// Nobody is signed in.
    #[error("no user is signed in")]
    NotSignedIn,
    /// The ID token failed validation.
    #[error(transparent)]
    InvalidIdToken(#[from] IdTokenError),
    /// Exchanging the ID token at the identity pool failed.
    #[error(transparent)]
    IdentityPool(#[from] IdentityPoolError),
}

impl OidcError {
    /// The OAuth error code, when the provider sent one.
    pub fn oauth_error(&self) -> Option<&str> {
        match self {
            Self::OAuth { error, .. } => Some(error),
            Self::Authorization(e) => e.oauth_error(),
            Self::TokenEndpoint(e) => e.oauth_error(),
            _ => None,
        }
    }

    /// Whether trying again later can succeed (network, 5xx, 429).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Network { .. } => true,
            Self::KeyFetch(e) => e.is_transient(),
            Self::HttpStatus { status, .. } => *status >= 500 || *status == 429,
            Self::TokenEndpoint(e) => e.is_transient(),
            Self::IdentityPool(e) => e.is_transient(),
            _ => false,
        }
    }
}

/// The error of the authorization code machine ([`auth_core::oauth::AuthorizationCode`]):
/// its redirect and token-endpoint causes; a misuse cannot happen on a machine driven here
/// once.
impl From<machine::Error> for OidcError {
    fn from(error: machine::Error) -> Self {
        match error.cause() {
            Cause::Authorization(e) => Self::Authorization(e.clone()),
            Cause::TokenEndpoint(e) => Self::TokenEndpoint(e.clone()),
            other => Self::MalformedResponse {
                endpoint: "token",
                reason: other.to_string(),
            },
        }
    }
}

impl From<OidcError> for ProviderError {
    fn from(e: OidcError) -> Self {
        let message = e.to_string();
        let error = match &e {
            OidcError::NotSignedIn => Self::not_loaded(message),
            OidcError::InvalidConfiguration(_) | OidcError::RedirectNotLoopback { .. } => {
                Self::invalid_configuration(message)
            }
            OidcError::IdentityPool(inner) => return Self::from(inner.clone()),
            _ if e.is_transient() => Self::network(message),
            _ => Self::provider(message),
        };
        error.with_source(e)
    }
}
