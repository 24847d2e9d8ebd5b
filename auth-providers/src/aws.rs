//! Adapters to aws-sdk-rust (feature `aws-sdk`).
//!
//! * [`sdk_config`]: the safe one-line path, an `SdkConfig` for any `aws-sdk-*` client whose
//!   credentials come from a [`CredentialsAdapter`] at every request, with the SDK's own
//!   identity cache off ([`NoIdentityCache`]): our providers cache and refresh themselves,
//!   and the SDK's cache would keep a signed-out user's credentials until they expire.
//! * [`CredentialsAdapter`]: any [`CredentialsProvider`] as
//!   `aws_credential_types::provider::ProvideCredentials`, so it plugs into
//!   `aws_config::ConfigLoader::credentials_provider(…)` or any service's
//!   `Config::builder().credentials_provider(…)`; wrap it in
//!   `aws_credential_types::provider::SharedCredentialsProvider` for a
//!   `ResolveIdentity`.
//! * [`TokenAdapter`]: any [`TokenProvider`] as `ProvideToken`, a bearer
//!   [`Token`](aws_credential_types::Token) for services with bearer auth (AppSync-style OIDC);
//!   wrap it in `aws_credential_types::provider::token::SharedTokenProvider` for a
//!   `ResolveIdentity`.
//! * [`SdkHttpClient`]: any [`HttpClient`] as the SDK's
//!   `aws_smithy_runtime_api::client::http::HttpClient`, so SDK clients and this library share
//!   one HTTP stack (and the SDK needs no TLS stack of its own).
//!
//! Error kinds map one to one: [`ProviderErrorKind::NotLoaded`] becomes `not_loaded` (a
//! credentials chain moves on to the next provider), [`ProviderErrorKind::InvalidConfiguration`]
//! becomes `invalid_configuration`, [`ProviderErrorKind::Network`] and
//! [`ProviderErrorKind::Provider`] become `provider_error`. Our error is the `source()`.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use auth_providers::aws::CredentialsAdapter;
//! use auth_providers::{AwsCredentials, CachedCredentialsProvider, CredentialsAndIdentityId, StaticCredentialsProvider};
//! use aws_credential_types::provider::ProvideCredentials;
//!
//! let ours = CachedCredentialsProvider::new(StaticCredentialsProvider::new(CredentialsAndIdentityId::new(
//!     AwsCredentials::new("AKID", "secret", Some("session".into()), Some(SystemTime::now() + Duration::from_secs(900))),
//!     None,
//! )));
//! let sdk_provider = CredentialsAdapter::new(ours);
//! # let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
//! let credentials = rt.block_on(sdk_provider.provide_credentials()).unwrap();
//! assert_eq!(credentials.access_key_id(), "AKID");
//! // aws_config::defaults(BehaviorVersion::latest()).credentials_provider(sdk_provider) …
//! ```

use aws_credential_types::Credentials;
use aws_credential_types::provider::error::{CredentialsError, TokenError};
use aws_credential_types::provider::{self as sdk, ProvideCredentials, token::ProvideToken};
use aws_smithy_runtime_api::client::behavior_version::BehaviorVersion;
use aws_smithy_runtime_api::client::http::{
    HttpClient as SdkHttpClientTrait, HttpConnector, HttpConnectorFuture, HttpConnectorSettings,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::identity::{
    IdentityFuture, ResolveCachedIdentity, ResolveIdentity as _, SharedIdentityResolver,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;

use crate::credentials::{CredentialsOptions, CredentialsProvider};
use crate::error::{ProviderError, ProviderErrorKind};
use crate::http::{HttpClient, HttpError, HttpErrorKind};
use crate::token::{SharedTokenProvider, TokenOptions, TokenProvider};

/// The provider name the SDK sees on credentials from this adapter.
pub const PROVIDER_NAME: &str = "auth-providers";

/// A [`CredentialsProvider`] as the SDK's `ProvideCredentials`.
///
/// Without a token provider it asks for guest credentials; with one
/// ([`CredentialsAdapter::with_token_provider`]) it asks for the signed-in user's
/// credentials when there are tokens, and guest credentials otherwise — what Amplify's
/// `fetchAuthSession` does.
#[derive(Debug, Clone)]
pub struct CredentialsAdapter<P> {
    provider: P,
    tokens: Option<SharedTokenProvider>,
}

impl<P: CredentialsProvider> CredentialsAdapter<P> {
    /// Adapts `provider`.
    pub fn new(provider: P) -> Self {
        Self {
            provider,
            tokens: None,
        }
    }

    /// Passes the signed-in user's tokens from `tokens` to the provider.
    #[must_use]
    pub fn with_token_provider(mut self, tokens: SharedTokenProvider) -> Self {
        self.tokens = Some(tokens);
        self
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let options = match &self.tokens {
            Some(tp) => match tp
                .tokens(TokenOptions::new())
                .await
                .map_err(credentials_error)?
            {
                Some(tokens) => CredentialsOptions::authenticated(tokens),
                None => CredentialsOptions::guest(),
            },
            None => CredentialsOptions::guest(),
        };
        let value = self
            .provider
            .credentials_and_identity_id(options)
            .await
            .map_err(credentials_error)?;
        let c = &value.credentials;
        Ok(Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            c.session_token().map(str::to_owned),
            c.expiration(),
            PROVIDER_NAME,
        ))
    }
}

/// Maps our error kind to the SDK's `CredentialsError` kind; ours stays the source.
pub fn credentials_error(e: ProviderError) -> CredentialsError {
    match e.kind() {
        ProviderErrorKind::NotLoaded => CredentialsError::not_loaded(e),
        ProviderErrorKind::InvalidConfiguration => CredentialsError::invalid_configuration(e),
        ProviderErrorKind::Network | ProviderErrorKind::Provider => {
            CredentialsError::provider_error(e)
        }
    }
}

/// Maps our error kind to the SDK's `TokenError` kind; ours stays the source.
pub fn token_error(e: ProviderError) -> TokenError {
    match e.kind() {
        ProviderErrorKind::NotLoaded => TokenError::not_loaded(e),
        ProviderErrorKind::InvalidConfiguration => TokenError::invalid_configuration(e),
        ProviderErrorKind::Network | ProviderErrorKind::Provider => TokenError::provider_error(e),
    }
}

impl<P: CredentialsProvider> ProvideCredentials for CredentialsAdapter<P> {
    fn provide_credentials<'a>(&'a self) -> sdk::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        sdk::future::ProvideCredentials::new(self.load())
    }
}

/// The SDK's identity cache, switched off: every request asks the credentials provider.
///
/// The SDK caches the credentials it got (its lazy identity cache, on by default) until
/// shortly before they expire, whoever is signed in by then. Our providers cache by
/// themselves (per identity, single flight, cleared at sign-out), so the SDK's cache only
/// adds staleness: a client built with it goes on signing requests with a signed-out user's
/// credentials. [`sdk_config`] sets this; for a client configured by hand, pass it (or the
/// SDK's `IdentityCache::no_cache()`) to `identity_cache(…)`.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct NoIdentityCache;

impl NoIdentityCache {
    /// The cache that does not cache.
    pub fn new() -> Self {
        Self
    }
}

impl ResolveCachedIdentity for NoIdentityCache {
    fn resolve_cached_identity<'a>(
        &'a self,
        resolver: SharedIdentityResolver,
        runtime_components: &'a RuntimeComponents,
        config_bag: &'a ConfigBag,
    ) -> IdentityFuture<'a> {
        IdentityFuture::new(async move {
            resolver
                .resolve_identity(runtime_components, config_bag)
                .await
        })
    }
}

/// An `SdkConfig` for any `aws-sdk-*` client: credentials from `credentials` at every request
/// ([`NoIdentityCache`]), `region`, and the latest behavior version. Build a client with
/// `aws_sdk_s3::Client::new(&config)`, or adjust it first with
/// `aws_sdk_s3::config::Builder::from(&config)` (an endpoint, an HTTP client).
///
/// No HTTP client is set: SDK crates with their default features bring one; otherwise add
/// [`SdkHttpClient`] through `to_builder().http_client(…)`.
///
/// ```
/// use auth_providers::aws::{CredentialsAdapter, sdk_config};
/// use auth_providers::{AwsCredentials, CredentialsAndIdentityId, StaticCredentialsProvider};
///
/// let credentials = CredentialsAdapter::new(StaticCredentialsProvider::new(
///     CredentialsAndIdentityId::new(AwsCredentials::new("AKID", "secret", None, None), None),
/// ));
/// let config = sdk_config(credentials, "eu-west-1");
/// assert_eq!(config.region().map(|r| r.as_ref()), Some("eu-west-1"));
/// assert!(config.identity_cache().is_some(), "the SDK's cache is replaced");
/// // let s3 = aws_sdk_s3::Client::new(&config);
/// ```
pub fn sdk_config(
    credentials: impl ProvideCredentials + 'static,
    region: impl Into<String>,
) -> aws_types::SdkConfig {
    aws_types::SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(aws_types::region::Region::new(region.into()))
        .credentials_provider(sdk::SharedCredentialsProvider::new(credentials))
        .identity_cache(NoIdentityCache)
        .build()
}

/// Which of the user's tokens a [`TokenAdapter`] hands out as the bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum BearerToken {
    /// The access token (Cognito user-pool auth, AppSync `AMAZON_COGNITO_USER_POOLS`).
    #[default]
    Access,
    /// The ID token (AppSync `OPENID_CONNECT`).
    Id,
}

/// A [`TokenProvider`] as the SDK's `ProvideToken` (bearer auth).
#[derive(Debug, Clone)]
pub struct TokenAdapter<P> {
    provider: P,
    which: BearerToken,
}

impl<P: TokenProvider> TokenAdapter<P> {
    /// Hands out the access token of `provider`.
    pub fn new(provider: P) -> Self {
        Self {
            provider,
            which: BearerToken::Access,
        }
    }

    /// Hands out `which` token instead.
    #[must_use]
    pub fn bearer(mut self, which: BearerToken) -> Self {
        self.which = which;
        self
    }

    async fn load(&self) -> Result<aws_credential_types::Token, TokenError> {
        let tokens = self
            .provider
            .tokens(TokenOptions::new())
            .await
            .map_err(token_error)?
            .ok_or_else(|| token_error(ProviderError::not_loaded("no user is signed in")))?;
        let jwt = match self.which {
            BearerToken::Access => &tokens.access_token,
            BearerToken::Id => tokens.id_token.as_ref().ok_or_else(|| {
                token_error(ProviderError::not_loaded("the session has no ID token"))
            })?,
        };
        Ok(aws_credential_types::Token::new(
            jwt.as_str(),
            jwt.claims().expires_at(),
        ))
    }
}

impl<P: TokenProvider> ProvideToken for TokenAdapter<P> {
    fn provide_token<'a>(&'a self) -> sdk::future::ProvideToken<'a>
    where
        Self: 'a,
    {
        sdk::future::ProvideToken::new(self.load())
    }
}

/// An [`HttpClient`] as the SDK's HTTP client.
///
/// The SDK's connect/read timeout settings are not applied: the wrapped client's own
/// timeouts are (configure them on [`ReqwestHttpClient`](crate::ReqwestHttpClient)).
/// Streaming request bodies are not supported (Cognito, STS and IAM never send them).
#[derive(Debug, Clone)]
pub struct SdkHttpClient {
    connector: SharedHttpConnector,
}

impl SdkHttpClient {
    /// Adapts `client`.
    pub fn new(client: impl HttpClient + Clone + 'static) -> Self {
        Self {
            connector: SharedHttpConnector::new(Connector(client)),
        }
    }
}

impl SdkHttpClientTrait for SdkHttpClient {
    fn http_connector(
        &self,
        _settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        self.connector.clone()
    }
}

#[derive(Debug, Clone)]
struct Connector<C>(C);

impl<C: HttpClient + Clone + 'static> HttpConnector for Connector<C> {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let client = self.0.clone();
        HttpConnectorFuture::new(async move {
            let request = request
                .try_into_http1x()
                .map_err(|e| ConnectorError::user(Box::new(e)))?;
            let (parts, body) = request.into_parts();
            let bytes = body
                .bytes()
                .ok_or_else(|| {
                    ConnectorError::user("streaming request bodies are not supported".into())
                })?
                .to_vec();
            let response = client
                .send(http::Request::from_parts(parts, bytes))
                .await
                .map_err(connector_error)?;
            let (parts, body) = response.into_parts();
            HttpResponse::try_from(http::Response::from_parts(parts, SdkBody::from(body)))
                .map_err(|e| ConnectorError::other(Box::new(e), None))
        })
    }
}

fn connector_error(e: HttpError) -> ConnectorError {
    match e.kind() {
        HttpErrorKind::Timeout => ConnectorError::timeout(Box::new(e)),
        HttpErrorKind::Connect => ConnectorError::io(Box::new(e)).never_connected(),
        HttpErrorKind::Io => ConnectorError::io(Box::new(e)),
        HttpErrorKind::InvalidRequest => ConnectorError::user(Box::new(e)),
        _ => ConnectorError::other(Box::new(e), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn error_kinds_map_to_the_sdk_kinds() {
        let e = credentials_error(ProviderError::not_loaded("nobody signed in"));
        assert!(matches!(e, CredentialsError::CredentialsNotLoaded(_)));
        assert!(e.source().is_some());
        let e = credentials_error(ProviderError::invalid_configuration("no pool id"));
        assert!(matches!(e, CredentialsError::InvalidConfiguration(_)));
        let e = credentials_error(ProviderError::network("timeout"));
        assert!(matches!(e, CredentialsError::ProviderError(_)));
        let e = token_error(ProviderError::not_loaded("nobody signed in"));
        assert!(matches!(e, TokenError::TokenNotLoaded(_)));
        let e = token_error(ProviderError::provider("revoked"));
        assert!(matches!(e, TokenError::ProviderError(_)));
    }
}
