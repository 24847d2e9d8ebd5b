//! [`AuthError`]: what went wrong in an [`Auth`](crate::Auth) operation, and [`BuildError`].

use auth_core::machine::{self, Recovery};
use auth_core::tokens::JwtError;
use auth_core::wire;
use auth_providers::{HttpError, ProviderError, TokenStoreError};

/// A failed [`Auth`](crate::Auth) operation.
///
/// Grouped by cause, as rustls groups its errors: the caller asked for something the current
/// state does not allow (`UserAlreadyAuthenticated`, `NotSignedIn`, `NoPendingSignIn`,
/// `NotConfigured`); Cognito said no or broke the protocol (`Flow`, `Service`); the request
/// never got an answer (`Transport`); or a local part failed (`Storage`, `Credentials`,
/// `Tokens`). The underlying error is kept as [`source()`](std::error::Error::source);
/// `Display` is one line and does not repeat it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// A sign-in was asked for while a user is signed in (Amplify's
    /// `UserAlreadyAuthenticatedException`): sign out first.
    #[error("a user is already signed in")]
    UserAlreadyAuthenticated,
    /// The operation needs a signed-in user and there is none.
    #[error("no user is signed in")]
    NotSignedIn,
    /// `confirm_sign_in` without a sign-in waiting for an answer (none was started, it
    /// finished, or its session expired).
    #[error("no sign-in is waiting for an answer")]
    NoPendingSignIn,
    /// The configuration lacks what the operation needs (a user pool, an identity pool).
    #[error("the configuration has no {0}")]
    NotConfigured(&'static str),
    /// A multi-step flow (sign-in, sign-up, reset, refresh) refused an answer or a response.
    /// [`recovery`](Self::recovery) says whether to answer again or start over.
    #[error("{operation} failed")]
    Flow {
        /// The operation, for example `sign_in`.
        operation: &'static str,
        /// What the flow said.
        #[source]
        source: machine::Error,
    },
    /// A single Cognito call answered with an error or an unreadable body.
    #[error("{operation} failed")]
    Service {
        /// The Cognito operation, for example `GetUser`.
        operation: &'static str,
        /// Cognito's error.
        #[source]
        source: wire::Error,
    },
    /// The request could not be sent or got no response (offline, timeout, connection cut).
    #[error("{operation}: the request got no response")]
    Transport {
        /// The operation.
        operation: &'static str,
        /// Why.
        #[source]
        source: HttpError,
    },
    /// Reading or writing tokens or the pending sign-in failed.
    #[error("auth storage failed")]
    Storage(#[source] TokenStoreError),
    /// AWS credentials from the identity pool (or the custom credentials provider) failed.
    #[error("AWS credentials are unavailable")]
    Credentials(#[source] ProviderError),
    /// The custom token provider failed.
    #[error("tokens are unavailable")]
    Tokens(#[source] ProviderError),
    /// VerifySoftwareToken answered with status `ERROR`: the TOTP code was not accepted.
    #[error("the TOTP code was not accepted")]
    TotpCodeRejected,
    /// A token from Cognito is not a readable JWT.
    #[error("a token from Cognito is not a JWT")]
    InvalidToken(#[source] JwtError),
}

impl AuthError {
    /// The Cognito error kind, when Cognito answered with an error.
    pub fn service_kind(&self) -> Option<&wire::ErrorKind> {
        match self {
            Self::Flow { source, .. } => source.service_kind(),
            Self::Service { source, .. } => source.kind(),
            _ => None,
        }
    }

    /// What a multi-step flow allows next, for [`AuthError::Flow`].
    pub fn recovery(&self) -> Option<Recovery> {
        match self {
            Self::Flow { source, .. } => Some(source.recovery()),
            _ => None,
        }
    }

    /// Whether trying the same thing again later may succeed (no response, throttling, a
    /// 5xx); stored tokens are never cleared for such errors.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Transport { .. } => true,
            Self::Service { source, .. } => source.is_retryable(),
            Self::Flow { source, .. } => source.recovery() == Recovery::Resend,
            Self::Credentials(e) | Self::Tokens(e) => e.is_transient(),
            _ => false,
        }
    }
}

impl From<TokenStoreError> for AuthError {
    fn from(error: TokenStoreError) -> Self {
        Self::Storage(error)
    }
}

impl From<auth_providers::StorageError> for AuthError {
    fn from(error: auth_providers::StorageError) -> Self {
        Self::Storage(TokenStoreError::Storage(error))
    }
}

/// [`AuthBuilder::build`](crate::client::AuthBuilder::build) refused the configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// Neither a user pool nor an identity pool is configured.
    #[error("configure a user pool, an identity pool, or both")]
    NothingConfigured,
    /// The Hub's `AuthDispatcher` was already taken by someone else, so `Auth` could not
    /// emit auth events on it.
    #[error("the Hub's auth dispatcher was already taken")]
    HubDispatcherTaken,
    /// A pool id, client id or endpoint is invalid.
    #[error("invalid auth configuration")]
    Config(#[source] auth_core::config::ConfigError),
    /// `amplify_outputs.json` (or `amplifyconfiguration.json`) could not be read.
    #[error("invalid Amplify outputs: {reason}")]
    AmplifyOutputs {
        /// What is wrong (never a value from the file).
        reason: String,
    },
    /// The default HTTP client could not be built.
    #[error("the default HTTP client could not be built")]
    Http(#[source] HttpError),
}

impl From<auth_core::config::ConfigError> for BuildError {
    fn from(error: auth_core::config::ConfigError) -> Self {
        Self::Config(error)
    }
}
