//! The typed events of the `auth` channel.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An event on the `auth` channel, dispatched by the library as sign-in state changes.
///
/// The seven events of Amplify JS's `auth` channel, plus `sessionExpired` and `userDeleted`
/// from the Swift and Flutter clients. New events may be added, so match with a `_` arm.
///
/// Events carry no tokens or passwords, only what a UI needs; keep it that way when adding
/// variants, because they are cloned to every listener and may be forwarded to a front end.
///
/// # Serialization
///
/// The serde form is Amplify's Hub payload, so an event can be forwarded to a JS front end
/// unchanged: `{"event": "<name>"}` with a `"data"` field for the events that carry one.
///
/// | Variant | `event` | `data` |
/// |---|---|---|
/// | `SignedIn` | `signedIn` | `{"username": …, "userId": …}` |
/// | `SignedOut` | `signedOut` | — |
/// | `TokenRefresh` | `tokenRefresh` | — |
/// | `TokenRefreshFailure` | `tokenRefresh_failure` | `{"error": {"name": …, "message": …}}` |
/// | `SignInWithRedirect` | `signInWithRedirect` | — |
/// | `SignInWithRedirectFailure` | `signInWithRedirect_failure` | `{"error": …}` |
/// | `CustomOAuthState` | `customOAuthState` | the state string |
/// | `SessionExpired` | `sessionExpired` | — |
/// | `UserDeleted` | `userDeleted` | — |
///
/// ```
/// use auth_hub::{AuthEvent, AuthUser};
///
/// let event = AuthEvent::SignedIn { user: AuthUser::new("alice", "sub-123") };
/// assert_eq!(
///     serde_json::to_string(&event)?,
///     r#"{"event":"signedIn","data":{"username":"alice","userId":"sub-123"}}"#,
/// );
/// assert_eq!(event.name(), "signedIn");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "wire::Wire", from = "wire::Wire")]
#[non_exhaustive]
pub enum AuthEvent {
    /// A user signed in (any flow, including auto sign-in after sign-up).
    SignedIn {
        /// Who signed in.
        user: AuthUser,
    },
    /// The user signed out (locally or globally).
    SignedOut,
    /// The tokens were refreshed.
    TokenRefresh,
    /// Refreshing the tokens failed; the user may have to sign in again.
    TokenRefreshFailure {
        /// Why the refresh failed.
        error: AuthEventError,
    },
    /// A sign-in through the hosted UI (OAuth redirect) completed.
    SignInWithRedirect,
    /// A sign-in through the hosted UI failed.
    SignInWithRedirectFailure {
        /// Why the sign-in failed.
        error: AuthEventError,
    },
    /// The custom `state` passed to a hosted-UI sign-in came back with the redirect.
    CustomOAuthState {
        /// The application's state string.
        state: String,
    },
    /// The session expired and could not be refreshed (Swift and Flutter clients).
    SessionExpired,
    /// The signed-in user deleted their account (Swift and Flutter clients).
    UserDeleted,
}

impl AuthEvent {
    /// The event's Amplify name, as in the serde form: `signedIn`, `tokenRefresh_failure`, ….
    pub fn name(&self) -> &'static str {
        match self {
            Self::SignedIn { .. } => "signedIn",
            Self::SignedOut => "signedOut",
            Self::TokenRefresh => "tokenRefresh",
            Self::TokenRefreshFailure { .. } => "tokenRefresh_failure",
            Self::SignInWithRedirect => "signInWithRedirect",
            Self::SignInWithRedirectFailure { .. } => "signInWithRedirect_failure",
            Self::CustomOAuthState { .. } => "customOAuthState",
            Self::SessionExpired => "sessionExpired",
            Self::UserDeleted => "userDeleted",
        }
    }
}

impl fmt::Display for AuthEvent {
    /// Writes the event's name only (never its data).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The user carried by [`AuthEvent::SignedIn`]: Amplify's `AuthUser`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AuthUser {
    /// The username the user signed in with (or the pool's alias for it).
    pub username: String,
    /// The user's stable id: the `sub` claim of the ID token.
    pub user_id: String,
}

impl AuthUser {
    /// A user with this username and user id (`sub`).
    pub fn new(username: impl Into<String>, user_id: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            user_id: user_id.into(),
        }
    }
}

/// The error carried by failure events: the serializable shape of Amplify's `AuthError`.
///
/// An owned summary rather than the library's error type, so events stay `Clone`, can be
/// serialized, and do not tie this crate to the rest of the client. `name` is the error's
/// kind (for Cognito errors, the service's exception name such as `NotAuthorizedException`).
/// It never contains tokens or passwords.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{name}: {message}")]
#[non_exhaustive]
pub struct AuthEventError {
    /// The error's kind, e.g. `NotAuthorizedException` or `NetworkError`.
    pub name: String,
    /// A human-readable description.
    pub message: String,
    /// What the user or developer can do about it, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_suggestion: Option<String>,
}

impl AuthEventError {
    /// An error with this name and message and no recovery suggestion.
    pub fn new(name: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            message: message.into(),
            recovery_suggestion: None,
        }
    }

    /// Adds a recovery suggestion.
    #[must_use]
    pub fn with_recovery_suggestion(mut self, suggestion: impl Into<String>) -> Self {
        self.recovery_suggestion = Some(suggestion.into());
        self
    }
}

/// The wire form: Amplify's `{ event, data }` Hub payload.
mod wire {
    use serde::{Deserialize, Serialize};

    use super::{AuthEvent, AuthEventError, AuthUser};

    #[derive(Serialize, Deserialize)]
    pub(super) struct ErrorData {
        error: AuthEventError,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(tag = "event", content = "data")]
    pub(super) enum Wire {
        #[serde(rename = "signedIn")]
        SignedIn(AuthUser),
        #[serde(rename = "signedOut")]
        SignedOut,
        #[serde(rename = "tokenRefresh")]
        TokenRefresh,
        #[serde(rename = "tokenRefresh_failure")]
        TokenRefreshFailure(ErrorData),
        #[serde(rename = "signInWithRedirect")]
        SignInWithRedirect,
        #[serde(rename = "signInWithRedirect_failure")]
        SignInWithRedirectFailure(ErrorData),
        #[serde(rename = "customOAuthState")]
        CustomOAuthState(String),
        #[serde(rename = "sessionExpired")]
        SessionExpired,
        #[serde(rename = "userDeleted")]
        UserDeleted,
    }

    impl From<AuthEvent> for Wire {
        fn from(event: AuthEvent) -> Self {
            match event {
                AuthEvent::SignedIn { user } => Self::SignedIn(user),
                AuthEvent::SignedOut => Self::SignedOut,
                AuthEvent::TokenRefresh => Self::TokenRefresh,
                AuthEvent::TokenRefreshFailure { error } => {
                    Self::TokenRefreshFailure(ErrorData { error })
                }
                AuthEvent::SignInWithRedirect => Self::SignInWithRedirect,
                AuthEvent::SignInWithRedirectFailure { error } => {
                    Self::SignInWithRedirectFailure(ErrorData { error })
                }
                AuthEvent::CustomOAuthState { state } => Self::CustomOAuthState(state),
                AuthEvent::SessionExpired => Self::SessionExpired,
                AuthEvent::UserDeleted => Self::UserDeleted,
            }
        }
    }

    impl From<Wire> for AuthEvent {
        fn from(wire: Wire) -> Self {
            match wire {
                Wire::SignedIn(user) => Self::SignedIn { user },
                Wire::SignedOut => Self::SignedOut,
                Wire::TokenRefresh => Self::TokenRefresh,
                Wire::TokenRefreshFailure(ErrorData { error }) => {
                    Self::TokenRefreshFailure { error }
                }
                Wire::SignInWithRedirect => Self::SignInWithRedirect,
                Wire::SignInWithRedirectFailure(ErrorData { error }) => {
                    Self::SignInWithRedirectFailure { error }
                }
                Wire::CustomOAuthState(state) => Self::CustomOAuthState { state },
                Wire::SessionExpired => Self::SessionExpired,
                Wire::UserDeleted => Self::UserDeleted,
            }
        }
    }
}
