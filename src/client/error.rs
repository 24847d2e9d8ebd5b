//! [`AuthError`]: what went wrong in an [`Auth`](crate::Auth) operation, and [`BuildError`].

use std::fmt;
use std::sync::Arc;

use auth_core::machine::{self, Recovery};
use auth_core::oauth::{AuthorizationError, TokenEndpointError};
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
/// `Tokens`). A sign-in with redirect adds its own causes under `Redirect`.
///
/// # What the error says
///
/// `Display` is one line that says what happened, in the service's words when Cognito
/// answered: `sign_in failed: Incorrect username or password. (NotAuthorizedException)`.
/// Each error chooses one of two shapes, never both (smithy-rs's rule), so that a report that
/// walks [`source()`](std::error::Error::source) prints every fact once:
///
/// - **`Flow` and `Service`** put Cognito's message (or the flow's reason) on the top line and
///   have no `source()`; the typed details are [`service_kind`](Self::service_kind),
///   [`service_error`](Self::service_error) (HTTP status, request id) and
///   [`flow_error`](Self::flow_error).
/// - **every other variant** says what failed on the top line and keeps the underlying error
///   (an I/O error, a storage failure, a provider's error) as `source()`.
///
/// Beside it, [`recovery_suggestion`](Self::recovery_suggestion) says what the user or the
/// developer can do, as Amplify's `recoverySuggestion`, and
/// [`can_retry_code`](Self::can_retry_code) answers "may the user enter the code again?"
/// the same way for sign-up, sign-in, password reset, attribute verification and TOTP setup.
///
/// ```no_run
/// # async fn example(auth: auth::Auth) {
/// match auth.confirm_sign_up("alice", "123456", Default::default()).await {
///     Ok(_) => println!("confirmed"),
///     // "confirm_sign_up failed: Invalid verification code provided, please try again.
///     //  (CodeMismatchException)", then "Check the code and enter it again, …"
///     Err(error) if error.can_retry_code() => {
///         println!("{error}\n{}", error.recovery_suggestion().unwrap_or_default());
///     }
///     Err(error) => println!("{error}"),
/// }
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum AuthError {
    /// A sign-in was asked for while a user is signed in (Amplify's
    /// `UserAlreadyAuthenticatedException`): sign out first.
    UserAlreadyAuthenticated,
    /// The operation needs a signed-in user and there is none.
    NotSignedIn,
    /// `confirm_sign_in` without a sign-in waiting for an answer (none was started, it
    /// finished, or its session expired).
    NoPendingSignIn,
    /// The configuration lacks what the operation needs (a user pool, an identity pool).
    NotConfigured(&'static str),
    /// A multi-step flow (sign-in, sign-up, reset, refresh) refused an answer or a response.
    /// [`recovery`](Self::recovery) says whether to answer again or start over.
    Flow {
        /// The operation, for example `sign_in`.
        operation: &'static str,
        /// What the flow said: its reason is the top line of `Display`, not a `source()`.
        source: machine::Error,
    },
    /// A single Cognito call answered with an error or an unreadable body.
    Service {
        /// The Cognito operation, for example `GetUser`.
        operation: &'static str,
        /// Cognito's error: its message is the top line of `Display`, not a `source()`.
        source: wire::Error,
    },
    /// The request could not be sent or got no response (offline, timeout, connection cut).
    Transport {
        /// The operation.
        operation: &'static str,
        /// Why (the `source()`).
        source: HttpError,
    },
    /// Reading or writing tokens or the pending sign-in failed.
    Storage(TokenStoreError),
    /// AWS credentials from the identity pool (or the custom credentials provider) failed.
    Credentials(ProviderError),
    /// The custom token provider failed.
    Tokens(ProviderError),
    /// VerifySoftwareToken answered with status `ERROR`: the TOTP code was not accepted.
    TotpCodeRejected,
    /// A token from Cognito is not a readable JWT.
    InvalidToken(JwtError),
    /// A sign-in or sign-out with redirect was refused or failed; see [`RedirectError`].
    Redirect(RedirectError),
}

/// Writes a Cognito error the Amplify way: its message, then its code; the code and the HTTP
/// status when there is no message.
fn write_service_error(f: &mut fmt::Formatter<'_>, error: &wire::ServiceError) -> fmt::Result {
    match error.message.as_deref().filter(|m| !m.trim().is_empty()) {
        Some(message) => write!(f, "{message} ({})", error.kind),
        None => write!(
            f,
            "Cognito returned {} (HTTP {})",
            error.kind,
            error.status.as_u16()
        ),
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UserAlreadyAuthenticated => f.write_str("a user is already signed in"),
            Self::NotSignedIn => f.write_str("no user is signed in"),
            Self::NoPendingSignIn => f.write_str("no sign-in is waiting for an answer"),
            Self::NotConfigured(what) => write!(f, "the configuration has no {what}"),
            Self::Flow { operation, source } => {
                write!(f, "{operation} failed: ")?;
                match source.cause() {
                    machine::Cause::Service(e) => write_service_error(f, e),
                    other => fmt::Display::fmt(other, f),
                }
            }
            Self::Service { operation, source } => {
                write!(f, "{operation} failed: ")?;
                match source {
                    wire::Error::Service(e) => write_service_error(f, e),
                    other => fmt::Display::fmt(other, f),
                }
            }
            Self::Transport { operation, .. } => {
                write!(f, "{operation}: the request got no response")
            }
            Self::Storage(_) => f.write_str("auth storage failed"),
            Self::Credentials(_) => f.write_str("AWS credentials are unavailable"),
            Self::Tokens(_) => f.write_str("tokens are unavailable"),
            Self::TotpCodeRejected => f.write_str("the TOTP code was not accepted"),
            Self::InvalidToken(_) => f.write_str("a token from Cognito is not a JWT"),
            Self::Redirect(_) => f.write_str("sign-in with redirect failed"),
        }
    }
}

impl std::error::Error for AuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            // Their message is the top line already (see the type's documentation).
            Self::Flow { .. } | Self::Service { .. } => None,
            Self::Transport { source, .. } => Some(source),
            Self::Storage(e) => Some(e),
            Self::Credentials(e) | Self::Tokens(e) => Some(e),
            Self::InvalidToken(e) => Some(e),
            Self::Redirect(e) => Some(e),
            Self::UserAlreadyAuthenticated
            | Self::NotSignedIn
            | Self::NoPendingSignIn
            | Self::NotConfigured(_)
            | Self::TotpCodeRejected => None,
        }
    }
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

    /// Cognito's error (kind, message, HTTP status, request id), when Cognito answered with
    /// one, in a flow or a single call.
    pub fn service_error(&self) -> Option<&wire::ServiceError> {
        match self {
            Self::Flow { source, .. } => match source.cause() {
                machine::Cause::Service(e) => Some(e),
                _ => None,
            },
            Self::Service {
                source: wire::Error::Service(e),
                ..
            } => Some(e),
            _ => None,
        }
    }

    /// The flow's error, for [`AuthError::Flow`].
    pub fn flow_error(&self) -> Option<&machine::Error> {
        match self {
            Self::Flow { source, .. } => Some(source),
            _ => None,
        }
    }

    /// What a multi-step flow allows next, for [`AuthError::Flow`]. To ask whether the user
    /// may enter a code again, whatever the operation, use [`can_retry_code`](Self::can_retry_code).
    pub fn recovery(&self) -> Option<Recovery> {
        match self {
            Self::Flow { source, .. } => Some(source.recovery()),
            _ => None,
        }
    }

    /// Whether the user may enter a code again: the code was wrong or expired and the step
    /// that asked for it is still open. The same answer for `confirm_sign_up`,
    /// `confirm_sign_in` (SMS, email and TOTP codes), `confirm_reset_password`,
    /// `confirm_user_attribute` and `verify_totp_setup`.
    ///
    /// For an expired code (`ExpiredCodeException`) ask for a new one first
    /// (`resend_sign_up_code`, `reset_password`, `send_user_attribute_verification_code`);
    /// [`recovery_suggestion`](Self::recovery_suggestion) says so.
    pub fn can_retry_code(&self) -> bool {
        if matches!(self, Self::TotpCodeRejected) {
            return true;
        }
        let code_refused = matches!(
            self.service_kind(),
            Some(
                wire::ErrorKind::CodeMismatch
                    | wire::ErrorKind::ExpiredCode
                    | wire::ErrorKind::EnableSoftwareTokenMfa
            )
        );
        code_refused && self.recovery() != Some(Recovery::StartOver)
    }

    /// What the user or the developer can do about the error, as Amplify's
    /// `recoverySuggestion`; `None` when there is nothing better than reading the message.
    pub fn recovery_suggestion(&self) -> Option<&'static str> {
        use wire::ErrorKind as K;
        if let Some(kind) = self.service_kind() {
            let code_step_open = self.can_retry_code();
            return Some(match kind {
                K::CodeMismatch if code_step_open => {
                    "Check the code and enter it again, or ask for a new one."
                }
                K::ExpiredCode if code_step_open => "Ask for a new code, then enter it.",
                K::CodeMismatch | K::ExpiredCode => "Start the operation again for a new code.",
                K::EnableSoftwareTokenMfa => {
                    "Enter the current code of the authenticator app again."
                }
                K::NotAuthorized => {
                    "Check the username and password, or sign in again if the session ended."
                }
                K::UserNotFound => "Check the username, or sign up first.",
                K::UserNotConfirmed => "Confirm the sign-up with the code sent to the user.",
                K::PasswordResetRequired => "Reset the password, then sign in.",
                K::UsernameExists | K::AliasExists => "Choose another username, or sign in.",
                K::InvalidPassword | K::PasswordHistoryPolicyViolation => {
                    "Choose a password that meets the user pool's password policy."
                }
                K::LimitExceeded | K::TooManyRequests | K::TooManyFailedAttempts => {
                    "Wait a while, then try again."
                }
                K::CodeDeliveryFailure => "Check the email address or phone number.",
                K::InvalidParameter => "Check the values sent against the user pool's settings.",
                K::ResourceNotFound => "Check the pool and app client ids in the configuration.",
                _ if kind.is_retryable() => "Try again after a short wait.",
                _ => return None,
            });
        }
        Some(match self {
            Self::UserAlreadyAuthenticated => "Call sign_out before signing in again.",
            Self::NotSignedIn => "Sign in first.",
            Self::NoPendingSignIn => "Start the sign-in again with sign_in.",
            Self::NotConfigured(_) => "Add the missing pool to the Auth configuration.",
            Self::Transport { .. } => "Check the network connection, then try again.",
            Self::TotpCodeRejected => "Enter the current code of the authenticator app again.",
            Self::Flow { source, .. } => match source.recovery() {
                Recovery::Retry => "Answer the current step again.",
                Recovery::Resend => "Try again after a short wait.",
                _ => "Start the operation again.",
            },
            _ => return None,
        })
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
    /// The redirect gives no code to exchange (the one check of `auth-core`'s
    /// [`AuthorizationCode`](auth_core::oauth::AuthorizationCode) machine):
    /// [`AuthorizationError::Cancelled`] when the redirect said `error=access_denied` or the
    /// browser hook returned [`std::io::ErrorKind::Interrupted`] (the user closed the browser),
    /// [`AuthorizationError::Denied`] for another OAuth error (`invalid_scope`,
    /// `unauthorized_client`, …), [`AuthorizationError::StateMismatch`] for a forged or stale
    /// redirect (RFC 6749 §10.12; no code was exchanged), [`AuthorizationError::MissingCode`].
    #[error(transparent)]
    Authorization(AuthorizationError),
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
    /// The name dispatched in `signInWithRedirect_failure`: the variant's name, or for
    /// [`Authorization`](Self::Authorization) the [`AuthorizationError`]'s (`Cancelled`,
    /// `StateMismatch`, `TokenEndpoint`, …).
    pub fn name(&self) -> &'static str {
        match self {
            Self::InProgress => "InProgress",
            Self::NoneInProgress => "NoneInProgress",
            Self::NotForThisSignIn => "NotForThisSignIn",
            Self::NoRedirectUri(_) => "NoRedirectUri",
            Self::UnsupportedResponseType(_) => "UnsupportedResponseType",
            Self::Authorization(e) => e.name(),
            Self::Timeout => "Timeout",
            Self::Browser(_) => "Browser",
            Self::Listener(_) => "Listener",
            Self::TokenEndpoint(_) => "TokenEndpoint",
        }
    }

    /// Whether the user cancelled.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Self::Authorization(e) if e.is_cancelled())
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
        AuthError::Redirect(
            RedirectError::Authorization(AuthorizationError::StateMismatch)
            | RedirectError::Timeout,
        ) => event.with_recovery_suggestion("start the sign-in again from this app"),
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
        /// The JSON path of the field at fault (`auth.user_pool_id`), when one is.
        field: Option<String>,
        /// What is wrong, naming the field (never a value from the file but a region).
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
