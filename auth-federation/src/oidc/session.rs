//! [`OidcSession`]: a signed-in OIDC user as a [`TokenProvider`] and a [`CredentialsProvider`].

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use auth_providers::{
    ClearFuture, CredentialsFuture, CredentialsOptions, CredentialsProvider, Expiring,
    ProviderError, ProviderFuture, RefreshCache, RefreshCacheBuilder, TokenOptions, TokenProvider,
    TokensFuture,
};

use super::client::{DeviceAuthorization, OidcClient, OidcTokens};
use super::error::OidcError;
use crate::cognito::CognitoCredentialsProvider;

/// The session of a user signed in with an OpenID Provider: tokens kept and refreshed (one
/// refresh for all callers, shortly before the ID token expires), and exchanged at a Cognito
/// identity pool for AWS credentials.
///
/// As a [`TokenProvider`] it returns the tokens (refreshed when due); as a
/// [`CredentialsProvider`] it exchanges the current ID token through the
/// [`CognitoCredentialsProvider`] given to [`with_credentials`](Self::with_credentials)
/// (guest credentials when nobody is signed in and the pool allows guests). Hand both to the
/// AWS SDK with `auth_providers::aws::CredentialsAdapter::new(session.clone())
/// .with_token_provider(SharedTokenProvider::new(session))`.
///
/// Cheap to clone: clones share the session.
#[derive(Clone)]
pub struct OidcSession {
    inner: Arc<Inner>,
}

struct Inner {
    client: OidcClient,
    tokens: RefreshCache<Arc<OidcTokens>, OidcError>,
    credentials: Option<CognitoCredentialsProvider>,
}

impl fmt::Debug for OidcSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcSession")
            .field("client", &self.inner.client)
            .field("tokens", &self.inner.tokens)
            .field("credentials", &self.inner.credentials)
            .finish()
    }
}

impl OidcSession {
    /// A session of `client`, nobody signed in.
    pub fn new(client: OidcClient) -> Self {
        Self::build(client, None)
    }

    fn build(client: OidcClient, credentials: Option<CognitoCredentialsProvider>) -> Self {
        Self {
            inner: Arc::new(Inner {
                client,
                tokens: RefreshCacheBuilder::default().build(),
                credentials,
            }),
        }
    }

    /// Exchanges ID tokens for AWS credentials through `credentials` (a new session; tokens
    /// are not carried over).
    #[must_use]
    pub fn with_credentials(self, credentials: CognitoCredentialsProvider) -> Self {
        Self::build(self.inner.client.clone(), Some(credentials))
    }

    /// The OIDC client.
    pub fn client(&self) -> &OidcClient {
        &self.inner.client
    }

    /// Signs in with the loopback flow ([`OidcClient::login_with_loopback`]).
    ///
    /// # Errors
    ///
    /// Those of the login.
    pub async fn login_with_loopback<B, Fut>(
        &self,
        open_browser: B,
    ) -> Result<Arc<OidcTokens>, OidcError>
    where
        B: FnOnce(String) -> Fut,
        Fut: Future<Output = std::io::Result<()>>,
    {
        let tokens = self.inner.client.login_with_loopback(open_browser).await?;
        Ok(self.set_tokens(tokens).await)
    }

    /// Signs in with the device authorization grant: `show` receives the user code and URI
    /// to display, then the token endpoint is polled until the user approves.
    ///
    /// # Errors
    ///
    /// Those of [`OidcClient::start_device_authorization`] and
    /// [`OidcClient::poll_device_authorization`].
    pub async fn login_with_device<S>(&self, show: S) -> Result<Arc<OidcTokens>, OidcError>
    where
        S: FnOnce(&DeviceAuthorization),
    {
        let authorization = self.inner.client.start_device_authorization().await?;
        show(&authorization);
        let tokens = self
            .inner
            .client
            .poll_device_authorization(&authorization)
            .await?;
        Ok(self.set_tokens(tokens).await)
    }

    /// Stores tokens obtained elsewhere (for example from
    /// [`OidcClient::complete_authorization`]); cached credentials of a previous user are
    /// dropped.
    pub async fn set_tokens(&self, tokens: OidcTokens) -> Arc<OidcTokens> {
        let tokens = Arc::new(tokens);
        let expires_at = tokens.id_token.jwt().claims().expires_at();
        self.inner
            .tokens
            .set(Expiring::new(tokens.clone(), expires_at));
        tokens
    }

    /// The current tokens, refreshed first when the ID token is due or `force_refresh`;
    /// `None` when nobody is signed in.
    ///
    /// # Errors
    ///
    /// The refresh's errors; [`OidcError::NoRefreshToken`] when a refresh is due and there
    /// is no refresh token.
    pub async fn current_tokens(
        &self,
        force_refresh: bool,
    ) -> Result<Option<Arc<OidcTokens>>, OidcError> {
        let Some(previous) = self.inner.tokens.stale() else {
            return Ok(None);
        };
        let client = &self.inner.client;
        let tokens = self
            .inner
            .tokens
            .get_or_refresh_with(force_refresh, || async {
                let refresh = previous
                    .refresh_token
                    .as_ref()
                    .ok_or(OidcError::NoRefreshToken)?;
                let tokens = client.refresh(refresh, Some(&previous.id_token)).await?;
                let expires_at = tokens.id_token.jwt().claims().expires_at();
                Ok(Expiring::new(Arc::new(tokens), expires_at))
            })
            .await?;
        Ok(Some(tokens))
    }

    /// Signs out locally: forgets the tokens and the cached credentials and identity id.
    /// Returns the provider's logout URL to open, if it has one.
    pub async fn sign_out(&self, post_logout_redirect_uri: Option<&str>) -> Option<String> {
        let hint = self.inner.tokens.stale().map(|t| t.id_token.jwt().clone());
        self.inner.tokens.invalidate();
        if let Some(credentials) = &self.inner.credentials {
            credentials.clear().await;
        }
        self.inner
            .client
            .end_session_url(hint.as_ref(), post_logout_redirect_uri)
    }
}

impl TokenProvider for OidcSession {
    fn tokens(&self, options: TokenOptions) -> TokensFuture<'_> {
        ProviderFuture::new(async move {
            let tokens = self
                .current_tokens(options.force_refresh)
                .await
                .map_err(ProviderError::from)?;
            Ok(tokens.map(|t| t.to_auth_tokens()))
        })
    }
}

impl CredentialsProvider for OidcSession {
    fn credentials_and_identity_id(&self, options: CredentialsOptions) -> CredentialsFuture<'_> {
        ProviderFuture::new(async move {
            let credentials = self.inner.credentials.as_ref().ok_or_else(|| {
                ProviderError::invalid_configuration(
                    "this OIDC session has no identity pool (OidcSession::with_credentials)",
                )
            })?;
            let tokens = self
                .current_tokens(false)
                .await
                .map_err(ProviderError::from)?;
            let options = match tokens {
                Some(tokens) => CredentialsOptions::authenticated(tokens.to_auth_tokens())
                    .force_refresh(options.force_refresh),
                None => CredentialsOptions::guest().force_refresh(options.force_refresh),
            };
            credentials.credentials_and_identity_id(options).await
        })
    }

    fn clear(&self) -> ClearFuture<'_> {
        ProviderFuture::new(async move {
            self.inner.tokens.invalidate();
            if let Some(credentials) = &self.inner.credentials {
                credentials.clear().await;
            }
        })
    }
}
