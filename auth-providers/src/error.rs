//! The error every provider trait returns.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

/// Why a provider could not answer, grouped the way `aws_credential_types` groups
/// `CredentialsError` so the adapters map kinds one to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProviderErrorKind {
    /// The provider has nothing to give (no user signed in, guest access disabled); another
    /// provider in a chain may. Maps to `CredentialsError::not_loaded`.
    NotLoaded,
    /// The provider is misconfigured (missing pool id, bad region); retrying will not help.
    /// Maps to `CredentialsError::invalid_configuration`.
    InvalidConfiguration,
    /// The network failed on the way to the identity provider (timeout, connection refused).
    /// Transient: cached values stay and the call may be retried. Maps to
    /// `CredentialsError::provider_error`.
    Network,
    /// The identity provider answered with an error (refresh token revoked, not authorized).
    /// Maps to `CredentialsError::provider_error`.
    Provider,
}

impl fmt::Display for ProviderErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotLoaded => "not loaded",
            Self::InvalidConfiguration => "invalid configuration",
            Self::Network => "network error",
            Self::Provider => "provider error",
        })
    }
}

/// The error of [`TokenProvider`](crate::TokenProvider),
/// [`CredentialsProvider`](crate::CredentialsProvider) and
/// [`ClientMetadataProvider`](crate::ClientMetadataProvider).
///
/// Cheap to clone (the source is shared), so a cache can hand the outcome of one refresh to
/// every caller that waited for it. `Display` is one line and never repeats the source; walk
/// [`source()`](StdError::source) for the cause.
#[derive(Clone)]
pub struct ProviderError {
    kind: ProviderErrorKind,
    message: Cow<'static, str>,
    source: Option<Arc<dyn StdError + Send + Sync + 'static>>,
}

impl ProviderError {
    /// An error of `kind` saying `message`.
    pub fn new(kind: ProviderErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// [`ProviderErrorKind::NotLoaded`].
    pub fn not_loaded(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ProviderErrorKind::NotLoaded, message)
    }

    /// [`ProviderErrorKind::InvalidConfiguration`].
    pub fn invalid_configuration(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ProviderErrorKind::InvalidConfiguration, message)
    }

    /// [`ProviderErrorKind::Network`].
    pub fn network(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ProviderErrorKind::Network, message)
    }

    /// [`ProviderErrorKind::Provider`].
    pub fn provider(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ProviderErrorKind::Provider, message)
    }

    /// Attaches the underlying cause, reachable through [`source()`](StdError::source).
    #[must_use]
    pub fn with_source(mut self, source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        self.source = Some(Arc::from(source.into()));
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ProviderErrorKind {
        self.kind
    }

    /// Whether the failure is transient (a network error): cached values should be kept.
    pub fn is_transient(&self) -> bool {
        self.kind == ProviderErrorKind::Network
    }

    /// The one-line message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Debug for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderError")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("source", &self.source)
            .finish()
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl StdError for ProviderError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_one_line_and_source_is_kept() {
        let io = std::io::Error::new(std::io::ErrorKind::TimedOut, "read timed out");
        let e = ProviderError::network("could not reach Cognito").with_source(io);
        assert_eq!(e.to_string(), "network error: could not reach Cognito");
        assert_eq!(e.source().unwrap().to_string(), "read timed out");
        assert!(e.is_transient());
        assert!(!ProviderError::provider("revoked").is_transient());
    }
}
