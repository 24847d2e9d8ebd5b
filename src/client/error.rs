//! [`AuthError`]: what went wrong in an [`Auth`](crate::Auth) operation, and [`BuildError`].

use std::sync::Arc;

use auth_core::machine::{self, Recovery};
use auth_core::oauth::TokenEndpointError;
use auth_core::tokens::JwtError;
use auth_core::wire;
use auth_federation::oidc::OidcError;
use auth_hub::AuthEventError;
use auth_providers::{HttpError, ProviderError, TokenStoreError};

/// A failed [`Auth`](crate::Auth) operation.
///
/// Grouped by cause, as rustls groups its errors: the caller asked for something the current
/// state does not allow (`UserAlreadyAuthenticated`, `NotSignedIn`, `NoPendingSignIn`,
/// `NotConfigured`); Cognito said no or broke the protocol (`Flow`, `Service`); the request
/// never got an answer (`Transport`); or a local part failed (`Storage`, `Credentials`,
/// `Tokens`). A sign-in with redirect adds its own causes under `Redirect`. The underlying error is kept as [`source()`](std::error::Error::source);
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
    /// A sign-in or sign-out with redirect was refused or failed; see [`RedirectError`].
    #[error("sign-in with redirect failed")]
    Redirect(#[source] RedirectError),
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

    /// The redirect error, for [`AuthError::Redirect`].
    pub fn redirect_error(&self) -> Option<&RedirectError> {
        match self {
            Self::Redirect(e) => Some(e),
            _ => None,
        }
    }

    /// Whether trying the same thing again later may succeed (no response, throttling, a
    /// 5xx); stored tokens are never cleared for such errors.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Transport { .. } => true,
            Self::Redirect(RedirectError::TokenEndpoint(e)) => e.is_transient(),
            Self::Service { source, .. } => source.is_retryable(),
            // A refresh that kept the tokens says `Resend` for any error but the definitive
            // ones: only no answer, throttling and 5xx are worth the same request again.
            Self::Flow { source, .. } => {
                source.recovery() == Recovery::Resend
                    && source
                        .service_kind()
                        .is_none_or(wire::ErrorKind::is_retryable)
            }
            Self::Credentials(e) | Self::Tokens(e) => e.is_transient(),
            _ => false,
        }
    }
}

impl From<RedirectError> for AuthError {
    fn from(error: RedirectError) -> Self {
        Self::Redirect(error)
    }
}

/// Why a sign-in (or sign-out) with redirect was refused or failed.
///
/// Refusals, which leave any sign-in in progress untouched and are not dispatched on the Hub:
/// [`InProgress`](Self::InProgress), [`NoneInProgress`](Self::NoneInProgress) and
/// [`NotForThisSignIn`](Self::NotForThisSignIn) from `handle_redirect`,
/// [`NoRedirectUri`](Self::NoRedirectUri),
/// [`UnsupportedResponseType`](Self::UnsupportedResponseType). Every other error ends the
/// sign-in: its in-flight state is cleared, nothing is stored, and
/// `signInWithRedirect_failure` is dispatched with [`name`](Self::name) as the error's name.
/// (A loopback sign-in whose stored state was cleared while it waited, by a sign-out, ends
/// with `NoneInProgress`, dispatched.)
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RedirectError {
    /// Another sign-in with redirect of this `Auth` is waiting for its redirect (or completing
    /// one); it goes on unaffected.
    #[error("another sign-in with redirect is in progress")]
    InProgress,
    /// `handle_redirect` was called and no sign-in with redirect is in flight (none was
    /// started, it completed, failed, or the user signed out since).
    #[error("no sign-in with redirect is waiting for a redirect")]
    NoneInProgress,
    /// The URL given to `handle_redirect` is not for the redirect URI of the sign-in in flight
    /// (another deep link of the app); the sign-in in flight is kept.
    #[error("the URL is not the redirect of the sign-in in flight")]
    NotForThisSignIn,
    /// No usable redirect URI: none given and none in the OAuth configuration.
    #[error("no {0} redirect URI is configured")]
    NoRedirectUri(&'static str),
    /// The OAuth configuration asks for the implicit grant (`response_type=token`), which a
    /// native app must not use (RFC 8252 §8.1); configure `code`.
    #[error("response_type {0} is not supported; configure `code`")]
    UnsupportedResponseType(&'static str),
    /// The user cancelled: the redirect said `error=access_denied`, or the browser hook
    /// returned [`std::io::ErrorKind::Interrupted`] (the user closed the browser).
    #[error("the user cancelled the sign-in")]
    Cancelled {
        /// The managed login's description, if any.
        description: Option<String>,
    },
    /// The redirect came back with another OAuth error (`invalid_request`, `invalid_scope`,
    /// `unauthorized_client`, `server_error`, …).
    #[error("the managed login answered {error}")]
    Denied {
        /// The OAuth error code.
        error: String,
        /// The managed login's description, if any.
        description: Option<String>,
    },
    /// The redirect's `state` is not the sign-in's: a forged or stale redirect (RFC 6749
    /// §10.12). No code was exchanged.
    #[error("the redirect's state does not match the sign-in")]
    StateMismatch,
    /// The redirect has neither a code nor an error.
    #[error("the redirect has no authorization code")]
    MissingCode,
    /// No redirect arrived before the sign-in's timeout (or, after a restart, the sign-in in
    /// flight had expired).
    #[error("no redirect arrived in time")]
    Timeout,
    /// The browser hook failed.
    #[error("the browser could not be opened")]
    Browser(#[source] Arc<std::io::Error>),
    /// The loopback listener could not be bound (the registered port is taken) or failed.
    #[error("the loopback redirect listener failed")]
    Listener(#[source] OidcError),
    /// The token endpoint refused the code or answered something unusable.
    #[error("the token endpoint did not give tokens")]
    TokenEndpoint(#[source] TokenEndpointError),
}

impl RedirectError {
    /// The name dispatched in `signInWithRedirect_failure`: the variant's name
    /// (`Cancelled`, `StateMismatch`, `TokenEndpoint`, …).
    pub fn name(&self) -> &'static str {
        match self {
            Self::InProgress => "InProgress",
            Self::NoneInProgress => "NoneInProgress",
            Self::NotForThisSignIn => "NotForThisSignIn",
            Self::NoRedirectUri(_) => "NoRedirectUri",
            Self::UnsupportedResponseType(_) => "UnsupportedResponseType",
            Self::Cancelled { .. } => "Cancelled",
            Self::Denied { .. } => "Denied",
            Self::StateMismatch => "StateMismatch",
            Self::MissingCode => "MissingCode",
            Self::Timeout => "Timeout",
            Self::Browser(_) => "Browser",
            Self::Listener(_) => "Listener",
            Self::TokenEndpoint(_) => "TokenEndpoint",
        }
    }

    /// Whether the user cancelled.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Self::Cancelled { .. })
    }
}

/// The Hub payload of a failed sign-in with redirect: the redirect error's name, or
/// `NetworkError` / `StorageError` / `AuthError`, and the error's chain as the message.
pub(crate) fn redirect_event_error(error: &AuthError) -> AuthEventError {
    let name = match error {
        AuthError::Redirect(e) => e.name(),
        AuthError::Transport { .. } => "NetworkError",
        AuthError::Storage(_) => "StorageError",
        _ => "AuthError",
    };
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    let event = AuthEventError::new(name, message);
    match error {
        AuthError::Redirect(RedirectError::StateMismatch | RedirectError::Timeout) => {
            event.with_recovery_suggestion("start the sign-in again from this app")
        }
        _ => event,
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
    /// Neither a user pool, an identity pool, a token provider nor a credentials provider
    /// is configured.
    #[error("configure a user pool, an identity pool, or a custom token or credentials provider")]
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
