//! [`ClientMetadataProvider`]: the `ClientMetadata` map sent with Cognito calls.

use std::fmt;
use std::sync::Arc;

use crate::error::ProviderError;
use crate::future::ProviderFuture;

/// Key-value pairs Cognito passes to Lambda triggers as `clientMetadata`: the sign-in,
/// sign-up and session machines' own map (`auth_core::machine::ClientMetadata`, ordered, so
/// requests serialize the same way every time), re-exported so a provider's answer goes into
/// a machine unchanged.
///
/// Cognito neither stores, validates nor encrypts them: never put secrets here.
pub use auth_core::machine::ClientMetadata;

/// The future returned by [`ClientMetadataProvider::client_metadata`].
pub type ClientMetadataFuture<'a> = ProviderFuture<'a, Result<ClientMetadata, ProviderError>>;

/// Which Cognito operation the metadata is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct MetadataRequest<'a> {
    /// The Cognito operation name, e.g. `"InitiateAuth"` or `"GetTokensFromRefreshToken"`.
    pub operation: &'a str,
}

impl<'a> MetadataRequest<'a> {
    /// Metadata for `operation`.
    pub fn new(operation: &'a str) -> Self {
        Self { operation }
    }
}

/// Provides `clientMetadata` for calls whose caller gave none (token refresh in particular,
/// which Amplify runs in the background and which reaches the PreTokenGeneration trigger).
///
/// # Example
///
/// ```
/// use auth_providers::{ClientMetadata, ClientMetadataFuture, ClientMetadataProvider, MetadataRequest, ProviderFuture};
///
/// /// Tells the triggers which app build is calling.
/// #[derive(Debug)]
/// struct AppVersion(&'static str);
///
/// impl ClientMetadataProvider for AppVersion {
///     fn client_metadata(&self, request: MetadataRequest<'_>) -> ClientMetadataFuture<'_> {
///         let mut metadata = ClientMetadata::new();
///         metadata.insert("appVersion".into(), self.0.into());
///         metadata.insert("operation".into(), request.operation.into());
///         ProviderFuture::ready(Ok(metadata))
///     }
/// }
///
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// let metadata = rt.block_on(AppVersion("1.4.2").client_metadata(MetadataRequest::new("GetTokensFromRefreshToken"))).unwrap();
/// assert_eq!(metadata["appVersion"], "1.4.2");
/// ```
pub trait ClientMetadataProvider: Send + Sync + fmt::Debug {
    /// The metadata to send with `request`.
    fn client_metadata(&self, request: MetadataRequest<'_>) -> ClientMetadataFuture<'_>;
}

impl<T: ClientMetadataProvider + ?Sized> ClientMetadataProvider for Arc<T> {
    fn client_metadata(&self, request: MetadataRequest<'_>) -> ClientMetadataFuture<'_> {
        (**self).client_metadata(request)
    }
}

/// A cheaply cloneable, type-erased [`ClientMetadataProvider`].
#[derive(Debug, Clone)]
pub struct SharedClientMetadataProvider(Arc<dyn ClientMetadataProvider>);

impl SharedClientMetadataProvider {
    /// Wraps a provider.
    pub fn new(provider: impl ClientMetadataProvider + 'static) -> Self {
        Self(Arc::new(provider))
    }
}

impl ClientMetadataProvider for SharedClientMetadataProvider {
    fn client_metadata(&self, request: MetadataRequest<'_>) -> ClientMetadataFuture<'_> {
        self.0.client_metadata(request)
    }
}

/// A [`ClientMetadataProvider`] that answers the same map for every operation.
#[derive(Debug, Clone, Default)]
pub struct StaticClientMetadata(ClientMetadata);

impl StaticClientMetadata {
    /// Always answers `metadata`.
    pub fn new(metadata: ClientMetadata) -> Self {
        Self(metadata)
    }
}

impl ClientMetadataProvider for StaticClientMetadata {
    fn client_metadata(&self, _request: MetadataRequest<'_>) -> ClientMetadataFuture<'_> {
        ProviderFuture::ready(Ok(self.0.clone()))
    }
}
