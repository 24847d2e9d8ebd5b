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
pub struct ProviderError(ErrorRepr<ProviderErrorKind>);

impl ProviderError {
    /// An error of `kind` saying `message`.
    pub fn new(kind: ProviderErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        Self(ErrorRepr::new(kind, message.into()))
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
}

error_shape!(ProviderError, ProviderErrorKind, 0);

impl fmt::Debug for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.debug(f, "ProviderError").finish()
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What the kind enums of [`ProviderError`], [`HttpError`](crate::HttpError) and
/// [`StorageError`](crate::StorageError) share: a one-line `Display` and whether a retry
/// may succeed.
pub(crate) trait ErrorKind: Copy + fmt::Display + fmt::Debug {
    /// Whether the failure may go away on its own (a retry may succeed).
    fn is_transient(self) -> bool;
}

impl ErrorKind for ProviderErrorKind {
    fn is_transient(self) -> bool {
        self == Self::Network
    }
}

/// The methods the three errors share, written once: `with_source`, `kind`, `message`,
/// `is_transient` and `Error::source`, forwarded to the [`ErrorRepr`] in `$repr`.
macro_rules! error_shape {
    ($error:ident, $kind:ident, $repr:tt) => {
        impl $error {
            /// Attaches the underlying cause, reachable through
            /// [`source()`](std::error::Error::source) and never repeated by `Display`.
            #[must_use]
            pub fn with_source(
                mut self,
                source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
            ) -> Self {
                self.$repr.set_source(source.into());
                self
            }

            /// What kind of failure this is.
            pub fn kind(&self) -> $kind {
                self.$repr.kind
            }

            /// The one-line message (`Display` puts the kind before it).
            pub fn message(&self) -> &str {
                &self.$repr.message
            }

            /// Whether the failure may go away on its own, so a retry may succeed and cached
            /// values should be kept; each kind says whether it is transient.
            pub fn is_transient(&self) -> bool {
                crate::error::ErrorKind::is_transient(self.$repr.kind)
            }
        }

        impl std::error::Error for $error {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                self.$repr.source()
            }
        }
    };
}
pub(crate) use error_shape;

/// The one layout of the crate's three errors: a kind to match on, a one-line message, and
/// the cause (shared, so the error is cheap to clone). `Display` is `"<kind>: <message>"`;
/// the cause is only reachable through `source()`, never repeated in the message.
#[derive(Clone)]
pub(crate) struct ErrorRepr<K> {
    pub(crate) kind: K,
    pub(crate) message: Cow<'static, str>,
    source: Option<Arc<dyn StdError + Send + Sync + 'static>>,
}

impl<K: ErrorKind> ErrorRepr<K> {
    pub(crate) fn new(kind: K, message: Cow<'static, str>) -> Self {
        Self {
            kind,
            message,
            source: None,
        }
    }

    pub(crate) fn set_source(&mut self, source: Box<dyn StdError + Send + Sync>) {
        self.source = Some(Arc::from(source));
    }

    pub(crate) fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }

    /// `name { kind, message, source }`, for the public type to extend and finish.
    pub(crate) fn debug<'a, 'b>(
        &self,
        f: &'a mut fmt::Formatter<'b>,
        name: &str,
    ) -> fmt::DebugStruct<'a, 'b> {
        let mut debug = f.debug_struct(name);
        debug
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("source", &self.source);
        debug
    }

    pub(crate) fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
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

    #[test]
    fn the_three_errors_share_one_shape() {
        use crate::{HttpError, HttpErrorKind, StorageError, StorageErrorKind};

        let io = || std::io::Error::other("cause");
        let http = HttpError::timeout("no answer").with_source(io());
        assert_eq!(http.to_string(), "timed out: no answer");
        assert_eq!(http.message(), "no answer");
        assert_eq!(http.source().unwrap().to_string(), "cause");
        assert!(http.is_transient());
        assert!(!HttpError::new(HttpErrorKind::InvalidRequest, "bad uri").is_transient());

        let storage = StorageError::new(StorageErrorKind::Unavailable, "no Redis")
            .with_source(io())
            .with_path("/tmp/x");
        assert_eq!(
            storage.to_string(),
            "storage unavailable: no Redis (/tmp/x)"
        );
        assert_eq!(storage.source().unwrap().to_string(), "cause");
        assert!(storage.is_transient());
        assert!(!StorageError::new(StorageErrorKind::Corrupt, "bad json").is_transient());

        let shown = format!("{storage:?}");
        assert!(
            shown.starts_with("StorageError { kind: Unavailable"),
            "{shown}"
        );
        assert!(shown.contains("path: Some"), "{shown}");
    }
}
