//! [`IdentityPoolError`]: why AWS credentials could not be obtained from an identity pool.

use auth_core::wire;
use auth_providers::{HttpError, ProviderError, StorageError};

/// Why an identity-pool (or STS) call failed.
///
/// Grouped by cause: the service said no ([`Cognito`](Self::Cognito), [`Sts`](Self::Sts)),
/// the peer sent something that is not a valid response
/// ([`MalformedResponse`](Self::MalformedResponse)), the network failed
/// ([`Network`](Self::Network)), or the caller asked for something the configuration does
/// not allow ([`GuestAccessDisabled`](Self::GuestAccessDisabled),
/// [`MissingIdToken`](Self::MissingIdToken), [`MissingIssuer`](Self::MissingIssuer)).
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityPoolError {
    /// Cognito answered `operation` with a typed error (after the retry layer gave up on
    /// throttling).
    #[error("{operation} failed")]
    Cognito {
        /// The operation, for example `GetId`.
        operation: &'static str,
        /// What Cognito said.
        #[source]
        source: wire::Error,
    },
    /// STS answered AssumeRoleWithWebIdentity with an error (the classic flow).
    #[error("STS AssumeRoleWithWebIdentity failed with {code} (HTTP {status})")]
    Sts {
        /// The STS error code, for example `InvalidIdentityToken` or `AccessDenied`.
        code: String,
        /// STS's message, verbatim.
        message: String,
        /// The HTTP status.
        status: u16,
    },
    /// The response to `operation` is not what the service sends.
    #[error("{operation} returned a malformed response: {reason}")]
    MalformedResponse {
        /// The operation.
        operation: &'static str,
        /// What is wrong (never quotes credentials).
        reason: String,
    },
    /// No response to `operation` arrived.
    #[error("{operation} could not reach the service")]
    Network {
        /// The operation.
        operation: &'static str,
        /// The transport's error.
        #[source]
        source: HttpError,
    },
    /// Guest credentials were asked for, and guest access is not enabled in the configuration.
    #[error("guest access is not enabled for this identity pool")]
    GuestAccessDisabled,
    /// Authenticated credentials were asked for without an ID token.
    #[error("authenticated credentials need an ID token, and none was given")]
    MissingIdToken,
    /// The ID token has no `iss` claim, so it has no Logins key.
    #[error("the ID token has no `iss` claim")]
    MissingIssuer,
    /// The identity id could not be read from or written to storage.
    #[error("the identity id could not be persisted")]
    Storage(#[source] StorageError),
}

impl IdentityPoolError {
    /// The Cognito error kind, when Cognito answered with one.
    pub fn cognito_kind(&self) -> Option<&wire::ErrorKind> {
        match self {
            Self::Cognito { source, .. } => source.kind(),
            _ => None,
        }
    }

    /// Whether the request was throttled (Cognito's `TooManyRequests`, STS's `Throttling`).
    pub fn is_throttling(&self) -> bool {
        match self {
            Self::Cognito { source, .. } => matches!(
                source.kind(),
                Some(wire::ErrorKind::TooManyRequests | wire::ErrorKind::Throttling)
            ),
            Self::Sts { code, .. } => code == "Throttling",
            _ => false,
        }
    }

    /// Whether trying again later can succeed (throttling, 5xx, network).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Cognito { source, .. } => source.is_retryable(),
            Self::Sts { status, code, .. } => *status >= 500 || code == "Throttling",
            Self::Network { .. } => true,
            Self::Storage(_) => true,
            _ => false,
        }
    }
}

impl From<IdentityPoolError> for ProviderError {
    fn from(e: IdentityPoolError) -> Self {
        let message = e.to_string();
        let error = match &e {
            IdentityPoolError::GuestAccessDisabled | IdentityPoolError::MissingIdToken => {
                Self::not_loaded(message)
            }
            _ if e.is_transient() => Self::network(message),
            _ => Self::provider(message),
        };
        error.with_source(e)
    }
}
