//! [`AuthBuilder`]: configuration, storage, Hub, HTTP client, clock and custom providers.

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, PoisonError};

use auth_core::config::{IdentityPoolConfig, OAuthConfig, UserPoolConfig};
use auth_core::machine::session::RefreshMethod;
use auth_federation::{CognitoCredentialsProvider, IdentityPool};
use auth_hub::{AuthDispatcher, EventSource, Hub};
use auth_providers::{
    CredentialsProvider, HttpClient, KeyValueStorage, MemoryStorage, ReqwestHttpClient,
    RetryConfig, RetryingHttpClient, SharedCredentialsProvider, SharedHttpClient,
    SharedKeyValueStorage, SharedTimeSource, SharedTokenProvider, TimeSource, TokenProvider,
    TokenStore,
};

use super::{Auth, BuildError, Inner, OpenUrl, SharedOpenUrl};

/// Builds an [`Auth`]. Every part but the configuration has a default:
///
/// | part | default |
/// |---|---|
/// | storage | [`MemoryStorage`] (tokens live as long as the process) |
/// | Hub | the process-wide [`auth_hub::global`] Hub, as Amplify's `Hub`; see [`Auth::hub`] |
/// | name | the app client id, else the identity pool id: the [`EventSource`] of its events |
/// | endpoints | the regional ones, or those of the pool configurations |
/// | HTTP client | `ReqwestHttpClient` inside a [`RetryingHttpClient`] |
/// | clock | the system clock |
/// | token provider | the `Auth`'s own tokens (refreshed once for all callers) |
/// | credentials provider | a [`CognitoCredentialsProvider`] when an identity pool is configured |
/// | browser hook | [`SystemBrowser`](super::SystemBrowser), for sign-in and sign-out with redirect |
///
/// A custom token or credentials provider replaces the default wholesale, as
/// `Amplify.configure(config, { Auth: { tokenProvider, credentialsProvider } })` does.
#[derive(Debug, Default)]
pub struct AuthBuilder {
    user_pool: Option<UserPoolConfig>,
    identity_pool: Option<IdentityPoolConfig>,
    oauth: Option<OAuthConfig>,
    open_url: Option<SharedOpenUrl>,
    storage: Option<SharedKeyValueStorage>,
    hub: Option<Hub>,
    http: Option<SharedHttpClient>,
    time: Option<SharedTimeSource>,
    token_provider: Option<SharedTokenProvider>,
    credentials_provider: Option<SharedCredentialsProvider>,
    refresh_method: RefreshMethod,
    name: Option<String>,
    user_pool_endpoint: Option<String>,
    identity_pool_endpoint: Option<String>,
}

/// The `AuthDispatcher`s this crate took, one per Hub, shared by every `Auth` on that Hub.
/// Entries of dropped Hubs are pruned at each build.
static DISPATCHERS: Mutex<Vec<AuthDispatcher>> = Mutex::new(Vec::new());

/// The Hub's dispatcher: the one an earlier `Auth` took, else taken now.
fn dispatcher_for(hub: &Hub) -> Result<AuthDispatcher, BuildError> {
    let mut taken = DISPATCHERS.lock().unwrap_or_else(PoisonError::into_inner);
    taken.retain(|d| !d.is_closed());
    if let Some(dispatcher) = taken.iter().find(|d| hub.is_dispatched_by(d)) {
        return Ok(dispatcher.clone());
    }
    let dispatcher = hub
        .take_auth_dispatcher()
        .ok_or(BuildError::HubDispatcherTaken)?;
    taken.push(dispatcher.clone());
    Ok(dispatcher)
}

impl AuthBuilder {
    /// The user pool and app client.
    #[must_use]
    pub fn user_pool(mut self, config: UserPoolConfig) -> Self {
        self.user_pool = Some(config);
        self
    }

    /// Sets or clears the user pool.
    pub fn set_user_pool(&mut self, config: Option<UserPoolConfig>) -> &mut Self {
        self.user_pool = config;
        self
    }

    /// The identity pool, for AWS credentials.
    #[must_use]
    pub fn identity_pool(mut self, config: IdentityPoolConfig) -> Self {
        self.identity_pool = Some(config);
        self
    }

    /// Sets or clears the identity pool.
    pub fn set_identity_pool(&mut self, config: Option<IdentityPoolConfig>) -> &mut Self {
        self.identity_pool = config;
        self
    }

    /// The user pool's managed-login (hosted UI) domain, scopes and redirect URIs, for
    /// [`Auth::sign_in_with_redirect`].
    #[must_use]
    pub fn oauth(mut self, config: OAuthConfig) -> Self {
        self.oauth = Some(config);
        self
    }

    /// Sets or clears the OAuth configuration.
    pub fn set_oauth(&mut self, config: Option<OAuthConfig>) -> &mut Self {
        self.oauth = config;
        self
    }

    /// How sign-in and sign-out with redirect open the managed login: an in-app browser, a
    /// webview, a headless client in tests (default: the system browser).
    #[must_use]
    pub fn open_url(mut self, hook: impl OpenUrl + 'static) -> Self {
        self.open_url = Some(SharedOpenUrl::new(hook));
        self
    }

    /// Sets or clears the browser hook.
    pub fn set_open_url(&mut self, hook: Option<SharedOpenUrl>) -> &mut Self {
        self.open_url = hook;
        self
    }

    /// Reads the `auth` section of Amplify Gen 2's `amplify_outputs.json` (`user_pool_id`,
    /// `user_pool_client_id`, `identity_pool_id`, `aws_region`,
    /// `unauthenticated_identities_enabled`, and `oauth`: `domain`, `scopes`,
    /// `redirect_sign_in_uri`, `redirect_sign_out_uri`, `response_type`,
    /// `identity_providers`), or of the older `amplifyconfiguration.json`
    /// (`aws_user_pools_id`, `aws_user_pools_web_client_id`, `aws_cognito_identity_pool_id`,
    /// and `oauth`: `domain`, `scope`, comma-separated `redirectSignIn` and `redirectSignOut`,
    /// `responseType`), or the `amplifyconfiguration.json` it writes for Android, Swift and
    /// Flutter apps (`auth.plugins.awsCognitoAuthPlugin`: `CognitoUserPool.Default`
    /// `PoolId` and `AppClientId`, `CredentialsProvider.CognitoIdentity.Default.PoolId`, and
    /// `Auth.Default.OAuth`: `WebDomain`, `Scopes`, comma-separated `SignInRedirectURI` and
    /// `SignOutRedirectURI`).
    ///
    /// # Errors
    ///
    /// [`BuildError::AmplifyOutputs`] when the JSON is malformed or names no pool;
    /// [`BuildError::Config`] when an id is invalid.
    pub fn amplify_outputs(mut self, json: &str) -> Result<Self, BuildError> {
        let outputs = super::outputs::parse(json)?;
        self.user_pool = outputs.user_pool.or(self.user_pool);
        self.identity_pool = outputs.identity_pool.or(self.identity_pool);
        self.oauth = outputs.oauth.or(self.oauth);
        Ok(self)
    }

    /// Where tokens, device keys, the identity id and the pending sign-in are kept.
    #[must_use]
    pub fn storage(mut self, storage: impl KeyValueStorage + 'static) -> Self {
        self.storage = Some(SharedKeyValueStorage::new(storage));
        self
    }

    /// Sets or clears the storage.
    pub fn set_storage(&mut self, storage: Option<SharedKeyValueStorage>) -> &mut Self {
        self.storage = storage;
        self
    }

    /// The Hub to emit auth events on, instead of the [global](auth_hub::global) one (a
    /// separate Hub suits tests and programs that keep clients apart). [`build`](Self::build)
    /// takes its `AuthDispatcher`, shared by every `Auth` built on the same Hub; a Hub whose
    /// dispatcher someone else took is refused.
    #[must_use]
    pub fn hub(mut self, hub: Hub) -> Self {
        self.hub = Some(hub);
        self
    }

    /// Sets or clears the Hub.
    pub fn set_hub(&mut self, hub: Option<Hub>) -> &mut Self {
        self.hub = hub;
        self
    }

    /// The HTTP client every Cognito request goes through (used as is: wrap it in a
    /// [`RetryingHttpClient`] for retries).
    #[must_use]
    pub fn http_client(mut self, http: impl HttpClient + 'static) -> Self {
        self.http = Some(SharedHttpClient::new(http));
        self
    }

    /// Sets or clears the HTTP client.
    pub fn set_http_client(&mut self, http: Option<SharedHttpClient>) -> &mut Self {
        self.http = http;
        self
    }

    /// The clock token expiry is judged by (tests pass a `ManualTimeSource`).
    #[must_use]
    pub fn time_source(mut self, time: impl TimeSource + 'static) -> Self {
        self.time = Some(SharedTimeSource::new(time));
        self
    }

    /// Sets or clears the clock.
    pub fn set_time_source(&mut self, time: Option<SharedTimeSource>) -> &mut Self {
        self.time = time;
        self
    }

    /// A custom token provider; [`Auth::fetch_auth_session`] asks it instead of the user
    /// pool (Amplify's `tokenProvider`).
    #[must_use]
    pub fn token_provider(mut self, provider: impl TokenProvider + 'static) -> Self {
        self.token_provider = Some(SharedTokenProvider::new(provider));
        self
    }

    /// Sets or clears the custom token provider.
    pub fn set_token_provider(&mut self, provider: Option<SharedTokenProvider>) -> &mut Self {
        self.token_provider = provider;
        self
    }

    /// A custom credentials provider, replacing the identity pool's (Amplify's
    /// `credentialsProvider`).
    #[must_use]
    pub fn credentials_provider(mut self, provider: impl CredentialsProvider + 'static) -> Self {
        self.credentials_provider = Some(SharedCredentialsProvider::new(provider));
        self
    }

    /// Sets or clears the custom credentials provider.
    pub fn set_credentials_provider(
        &mut self,
        provider: Option<SharedCredentialsProvider>,
    ) -> &mut Self {
        self.credentials_provider = provider;
        self
    }

    /// The name listeners see as the [`EventSource`] of this client's events (default: the
    /// app client id, else the identity pool id). Each `Auth` is a distinct source even when
    /// two share a name; see [`Auth::event_source`].
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets or clears the name.
    pub fn set_name(&mut self, name: Option<String>) -> &mut Self {
        self.name = name;
        self
    }

    /// Sends user-pool requests to `endpoint` (an absolute `http`/`https` URI) instead of the
    /// user pool configuration's: a local peer, a proxy or a VPC endpoint (Amplify's
    /// `userPoolEndpoint`). Applies to a user pool from [`amplify_outputs`](Self::amplify_outputs)
    /// as to one from [`user_pool`](Self::user_pool).
    #[must_use]
    pub fn user_pool_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.user_pool_endpoint = Some(endpoint.into());
        self
    }

    /// Sets or clears the user-pool endpoint override.
    pub fn set_user_pool_endpoint(&mut self, endpoint: Option<String>) -> &mut Self {
        self.user_pool_endpoint = endpoint;
        self
    }

    /// Sends identity-pool requests to `endpoint` instead of the identity pool
    /// configuration's (Amplify's `identityPoolEndpoint`); see
    /// [`user_pool_endpoint`](Self::user_pool_endpoint).
    #[must_use]
    pub fn identity_pool_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.identity_pool_endpoint = Some(endpoint.into());
        self
    }

    /// Sets or clears the identity-pool endpoint override.
    pub fn set_identity_pool_endpoint(&mut self, endpoint: Option<String>) -> &mut Self {
        self.identity_pool_endpoint = endpoint;
        self
    }

    /// The request that refreshes tokens (GetTokensFromRefreshToken by default; InitiateAuth
    /// `REFRESH_TOKEN_AUTH` is what Amplify JS sends).
    #[must_use]
    pub fn refresh_method(mut self, method: RefreshMethod) -> Self {
        self.refresh_method = method;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// [`BuildError::NothingConfigured`] without any pool or provider;
    /// [`BuildError::HubDispatcherTaken`] when someone but this crate took the Hub's
    /// dispatcher; [`BuildError::Config`] when an endpoint override is not an absolute
    /// `http(s)` URI; [`BuildError::Http`] when the default HTTP client cannot be built.
    pub fn build(mut self) -> Result<Auth, BuildError> {
        if self.user_pool.is_none()
            && self.identity_pool.is_none()
            && self.token_provider.is_none()
            && self.credentials_provider.is_none()
        {
            return Err(BuildError::NothingConfigured);
        }
        if let (Some(endpoint), Some(config)) = (&self.user_pool_endpoint, &self.user_pool) {
            self.user_pool = Some(config.to_builder().endpoint(endpoint.clone()).build()?);
        }
        if let (Some(endpoint), Some(config)) = (&self.identity_pool_endpoint, &self.identity_pool)
        {
            self.identity_pool = Some(config.to_builder().endpoint(endpoint.clone()).build()?);
        }
        let hub = self.hub.unwrap_or_else(|| auth_hub::global().clone());
        let name = self
            .name
            .or_else(|| self.user_pool.as_ref().map(|c| c.client_id().to_owned()))
            .or_else(|| {
                self.identity_pool
                    .as_ref()
                    .map(|c| c.identity_pool_id().to_owned())
            })
            .unwrap_or_else(|| "auth".to_owned());
        let source = EventSource::new(name);
        let dispatcher = dispatcher_for(&hub)?.with_source(source.clone());
        let http = match self.http {
            Some(http) => http,
            None => SharedHttpClient::new(RetryingHttpClient::new(
                ReqwestHttpClient::builder()
                    .build()
                    .map_err(BuildError::Http)?,
                RetryConfig::default(),
            )),
        };
        let storage = self
            .storage
            .unwrap_or_else(|| SharedKeyValueStorage::new(MemoryStorage::new()));
        let time = self.time.unwrap_or_default();
        let credentials = self.credentials_provider.or_else(|| {
            self.identity_pool.as_ref().map(|config| {
                // `http` already retries: the pool client sends each request once.
                let pool = IdentityPool::with_retry(
                    config.clone(),
                    http.clone(),
                    RetryConfig::new().max_attempts(1),
                );
                SharedCredentialsProvider::new(
                    CognitoCredentialsProvider::builder(pool)
                        .storage(storage.clone())
                        .time_source(time.clone())
                        .build(),
                )
            })
        });
        let store = self
            .user_pool
            .as_ref()
            .map(|c| TokenStore::new(storage.clone(), c.client_id()));
        Ok(Auth {
            inner: Arc::new(Inner {
                user_pool: self.user_pool,
                identity_pool: self.identity_pool,
                oauth: self.oauth,
                open_url: self.open_url.unwrap_or_default(),
                http,
                storage,
                store,
                hub,
                dispatcher,
                source,
                time,
                token_provider: self.token_provider,
                credentials,
                refresh_method: self.refresh_method,
                pending: tokio::sync::Mutex::new(None),
                sign_up: tokio::sync::Mutex::new(None),
                refresh_lock: tokio::sync::Mutex::new(()),
                redirect_lock: tokio::sync::Mutex::new(()),
                generation: AtomicU64::new(0),
                decoded: Mutex::new(None),
            }),
        })
    }
}
