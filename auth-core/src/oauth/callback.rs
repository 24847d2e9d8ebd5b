//! The authorization redirect (RFC 6749 §4.1.2, RFC 9207): its parameters
//! ([`CallbackParams`]) and why it cannot be exchanged ([`AuthorizationError`]). The one check
//! is [`AuthorizationCode::handle_redirect`](super::AuthorizationCode::handle_redirect).

use std::fmt;

use crate::Sensitive;

/// The query parameters of the authorization redirect. `Debug` redacts the code and the
/// state.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallbackParams {
    /// The authorization code.
    pub code: Option<Sensitive>,
    /// The `state` echoed by the server.
    pub state: Option<String>,
    /// The OAuth error code, when authorization failed.
    pub error: Option<String>,
    /// The server's description of the error.
    pub error_description: Option<String>,
    /// The issuer (RFC 9207), when the server sends it.
    pub iss: Option<String>,
}

impl fmt::Debug for CallbackParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackParams")
            .field("code", &self.code)
            .field("state", &self.state.as_ref().map(|_| "** redacted **"))
            .field("error", &self.error)
            .field("error_description", &self.error_description)
            .field("iss", &self.iss)
            .finish()
    }
}

impl CallbackParams {
    /// Parses a query string (`code=…&state=…`); unknown parameters are ignored.
    ///
    /// ```
    /// use auth_core::oauth::CallbackParams;
    ///
    /// let callback = CallbackParams::from_query("code=c1&state=s%2D1&iss=https%3A%2F%2Fop");
    /// assert_eq!(callback.code.unwrap().expose(), "c1");
    /// assert_eq!(callback.state.as_deref(), Some("s-1"));
    /// assert_eq!(callback.iss.as_deref(), Some("https://op"));
    /// ```
    pub fn from_query(query: &str) -> Self {
        let mut params = Self::default();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            let value = value.into_owned();
            match &*name {
                "code" => params.code = Some(value.into()),
                "state" => params.state = Some(value),
                "error" => params.error = Some(value),
                "error_description" => params.error_description = Some(value),
                "iss" => params.iss = Some(value),
                _ => {}
            }
        }
        params
    }
}

/// Why an authorization redirect gives no code to exchange. Nothing was sent to the token
/// endpoint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthorizationError {
    /// The redirect's `state` is not the one sent: a forged or stale redirect (RFC 6749
    /// §10.12).
    #[error("the redirect's state does not match the authorization request")]
    StateMismatch,
    /// The redirect's `iss` is not the client's issuer (RFC 9207 §2.4: a mix-up attack).
    #[error("the redirect is from issuer {found:?}, not {expected:?}")]
    IssuerMismatch {
        /// The client's issuer.
        expected: String,
        /// The redirect's `iss`.
        found: String,
    },
    /// The user cancelled: the redirect said `error=access_denied`, or the app knows the
    /// browser was closed.
    #[error("the user cancelled the sign-in")]
    Cancelled {
        /// The server's description, if any.
        description: Option<String>,
    },
    /// The redirect came back with another OAuth error (`invalid_request`, `invalid_scope`,
    /// `login_required`, `server_error`, …).
    #[error("the authorization server answered {error}")]
    Denied {
        /// The OAuth error code.
        error: String,
        /// The server's description, if any.
        description: Option<String>,
    },
    /// The redirect has neither a code nor an error.
    #[error("the redirect has no authorization code")]
    MissingCode,
}

impl AuthorizationError {
    /// The variant's name (`StateMismatch`, `Cancelled`, …), for events and logs.
    pub fn name(&self) -> &'static str {
        match self {
            Self::StateMismatch => "StateMismatch",
            Self::IssuerMismatch { .. } => "IssuerMismatch",
            Self::Cancelled { .. } => "Cancelled",
            Self::Denied { .. } => "Denied",
            Self::MissingCode => "MissingCode",
        }
    }

    /// The OAuth error code of the redirect (`access_denied` for a cancellation).
    pub fn oauth_error(&self) -> Option<&str> {
        match self {
            Self::Cancelled { .. } => Some("access_denied"),
            Self::Denied { error, .. } => Some(error),
            _ => None,
        }
    }

    /// Whether the user cancelled.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Self::Cancelled { .. })
    }
}
