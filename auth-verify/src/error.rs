//! [`VerifyError`]: why a token was refused, in kinds a server maps to HTTP.

use std::borrow::Cow;
use std::fmt;

use crate::fetch::FetchError;

/// Why a token was refused. A server answers 401 for every kind but
/// [`MissingGroup`](Self::MissingGroup) and [`MissingScope`](Self::MissingScope) (403: the
/// token is genuine but not enough) and [`KeyFetch`](Self::KeyFetch) (503: try again later).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VerifyErrorKind {
    /// Not a compact JWS, too large, a header or payload that is not a JSON object (or has a
    /// member twice), or a header that points at keys elsewhere (`jku`, `jwk`, `x5u`, `x5c`)
    /// or asks for extensions (`crit`).
    Malformed,
    /// The header's `alg` is none this verifier accepts for the issuer (`none`, `HS256`, …).
    Algorithm,
    /// The key the token names cannot verify its algorithm (an RSA key for ES256, a key whose
    /// `alg` is another, an encryption key).
    KeyMismatch,
    /// No key of the issuer's JWKS has the token's `kid` (the JWKS was refetched, if the rate
    /// limit allowed).
    UnknownKey,
    /// The signature does not verify.
    BadSignature,
    /// `exp` has passed (beyond the grace period), or is missing.
    Expired,
    /// `nbf` (or `iat`, where checked) is in the future (beyond the grace period).
    NotYetValid,
    /// `iss` is not an issuer this verifier trusts.
    Issuer,
    /// `aud` (ID token) or `client_id` (access token) is not an expected client; for ALB
    /// tokens, the header's `client`.
    Audience,
    /// An ALB token's `signer` is not one of the trusted load balancers.
    Signer,
    /// `token_use` is not the expected one (an ID token presented as an access token).
    TokenUse,
    /// None of the required groups is in `cognito:groups`.
    MissingGroup,
    /// None of the required scopes is in `scope`.
    MissingScope,
    /// A claim has the wrong type or a required one is missing.
    Claim,
    /// The caller's own check refused the token.
    Custom,
    /// The keys could not be fetched (the [`FetchError`] is the source).
    KeyFetch,
}

impl VerifyErrorKind {
    /// The HTTP status a server answers with: 401, 403 or 503.
    pub fn http_status(self) -> u16 {
        match self {
            Self::MissingGroup | Self::MissingScope => 403,
            Self::KeyFetch => 503,
            _ => 401,
        }
    }
}

impl fmt::Display for VerifyErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Malformed => "malformed token",
            Self::Algorithm => "algorithm not accepted",
            Self::KeyMismatch => "key does not fit the algorithm",
            Self::UnknownKey => "unknown key",
            Self::BadSignature => "bad signature",
            Self::Expired => "token expired",
            Self::NotYetValid => "token not valid yet",
            Self::Issuer => "wrong issuer",
            Self::Audience => "wrong audience or client",
            Self::Signer => "wrong signer",
            Self::TokenUse => "wrong token use",
            Self::MissingGroup => "missing group",
            Self::MissingScope => "missing scope",
            Self::Claim => "invalid claim",
            Self::Custom => "refused by a custom check",
            Self::KeyFetch => "keys unavailable",
        })
    }
}

/// A refused token. `Display` is `<kind>: <what>`; it never quotes the token or a claim's
/// value that could carry one, so it is safe to log.
#[derive(Debug, Clone)]
pub struct VerifyError {
    kind: VerifyErrorKind,
    message: Cow<'static, str>,
    fetch: Option<Box<FetchError>>,
}

impl VerifyError {
    /// An error of `kind` saying `message`.
    pub fn new(kind: VerifyErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            kind,
            message: message.into(),
            fetch: None,
        }
    }

    /// The kind.
    pub fn kind(&self) -> VerifyErrorKind {
        self.kind
    }

    /// The fetch that failed, for [`VerifyErrorKind::KeyFetch`].
    pub fn fetch_error(&self) -> Option<&FetchError> {
        self.fetch.as_deref()
    }

    /// Whether trying again later may succeed (only when the keys could not be fetched).
    pub fn is_transient(&self) -> bool {
        self.fetch.as_deref().is_some_and(FetchError::is_transient)
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for VerifyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.fetch.as_deref().map(|e| e as _)
    }
}

impl From<FetchError> for VerifyError {
    fn from(error: FetchError) -> Self {
        Self {
            kind: VerifyErrorKind::KeyFetch,
            message: Cow::Owned(format!("the {} could not be fetched", error.document())),
            fetch: Some(Box::new(error)),
        }
    }
}
