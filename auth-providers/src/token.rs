//! [`TokenProvider`]: where the client gets the signed-in user's tokens (Amplify `getTokens`).

use std::fmt;
use std::sync::Arc;

use auth_core::tokens::AuthTokens;

use crate::error::ProviderError;
use crate::future::ProviderFuture;

/// The future returned by [`TokenProvider::tokens`].
pub type TokensFuture<'a> = ProviderFuture<'a, Result<Option<AuthTokens>, ProviderError>>;

/// Options of [`TokenProvider::tokens`] (Amplify `FetchAuthSessionOptions`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenOptions {
    /// Refresh the tokens even if they are still valid.
    pub force_refresh: bool,
}

impl TokenOptions {
    /// Default options: use cached tokens while they are valid.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`TokenOptions::force_refresh`].
    #[must_use]
    pub fn force_refresh(mut self, force: bool) -> Self {
        self.force_refresh = force;
        self
    }
}

/// Provides the tokens of the signed-in user (Amplify's `TokenProvider.getTokens`).
///
/// `Ok(None)` means nobody is signed in; an error means tokens could not be obtained (see
/// [`ProviderErrorKind`](crate::ProviderErrorKind)). Implementations refresh expired tokens
/// themselves, once for all concurrent callers ([`RefreshCache`](crate::RefreshCache) does
/// that). The trait is dyn-compatible; share one with [`SharedTokenProvider`].
///
/// # Example: a custom provider for AppSync OIDC auth
///
/// Amplify's docs show a custom token provider that hands AppSync an ID token obtained from
/// another OIDC provider. The same in Rust:
///
/// ```
/// use std::time::SystemTime;
/// use auth_core::tokens::{AuthTokens, Jwt};
/// use auth_providers::{ProviderError, ProviderFuture, TokenOptions, TokenProvider, TokensFuture};
///
/// /// Reads the ID token our OIDC login stored, and hands it out as the AppSync token.
/// #[derive(Debug)]
/// struct OidcTokenProvider {
///     id_token: String,
/// }
///
/// impl TokenProvider for OidcTokenProvider {
///     fn tokens(&self, _options: TokenOptions) -> TokensFuture<'_> {
///         ProviderFuture::new(async move {
///             let jwt = Jwt::decode(self.id_token.clone())
///                 .map_err(|e| ProviderError::provider("the stored ID token is malformed").with_source(e))?;
///             Ok(Some(AuthTokens::new(jwt.clone(), SystemTime::now()).with_id_token(jwt)))
///         })
///     }
/// }
///
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// # rt.block_on(async {
/// let token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhYmMiLCJ1c2VybmFtZSI6ImFsaWNlIn0.c2ln";
/// let provider = OidcTokenProvider { id_token: token.into() };
/// let tokens = provider.tokens(TokenOptions::new()).await.unwrap().unwrap();
/// assert_eq!(tokens.username, "alice");
/// # });
/// ```
pub trait TokenProvider: Send + Sync + fmt::Debug {
    /// The current tokens, refreshed first if expired or if `options.force_refresh`.
    fn tokens(&self, options: TokenOptions) -> TokensFuture<'_>;
}

impl<T: TokenProvider + ?Sized> TokenProvider for Arc<T> {
    fn tokens(&self, options: TokenOptions) -> TokensFuture<'_> {
        (**self).tokens(options)
    }
}

impl<T: TokenProvider + ?Sized> TokenProvider for Box<T> {
    fn tokens(&self, options: TokenOptions) -> TokensFuture<'_> {
        (**self).tokens(options)
    }
}

/// A cheaply cloneable, type-erased [`TokenProvider`].
#[derive(Debug, Clone)]
pub struct SharedTokenProvider(Arc<dyn TokenProvider>);

impl SharedTokenProvider {
    /// Wraps a token provider.
    pub fn new(provider: impl TokenProvider + 'static) -> Self {
        Self(Arc::new(provider))
    }
}

impl TokenProvider for SharedTokenProvider {
    fn tokens(&self, options: TokenOptions) -> TokensFuture<'_> {
        self.0.tokens(options)
    }
}

/// A [`TokenProvider`] that always returns the same tokens (or none); for tests and for
/// tokens managed entirely outside this library.
#[derive(Debug, Clone)]
pub struct StaticTokenProvider {
    tokens: Option<AuthTokens>,
}

impl StaticTokenProvider {
    /// Always answers `tokens`.
    pub fn new(tokens: Option<AuthTokens>) -> Self {
        Self { tokens }
    }
}

impl TokenProvider for StaticTokenProvider {
    fn tokens(&self, _options: TokenOptions) -> TokensFuture<'_> {
        ProviderFuture::ready(Ok(self.tokens.clone()))
    }
}
