//! [`OidcSession`]: a signed-in OIDC user as a [`TokenProvider`] and a [`CredentialsProvider`].

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use auth_providers::{
    ClearFuture, CredentialsFuture, CredentialsOptions, CredentialsProvider, Expiring,
    ProviderError, ProviderFuture, RefreshCache, RefreshCacheBuilder, SharedCredentialsProvider,
    TokenOptions, TokenProvider, TokensFuture,
};

use super::client::{DeviceAuthorization, OidcClient, OidcTokens};
use super::error::OidcError;
#[cfg(doc)]
use crate::cognito::CognitoCredentialsProvider;

/// The session of a user signed in with an OpenID Provider: tokens kept and refreshed (one
/// refresh for all callers, shortly before the ID token expires), and exchanged at a Cognito
/// identity pool for AWS credentials.
///
/// As a [`TokenProvider`] it returns the tokens (refreshed when due); as a
/// [`CredentialsProvider`] it exchanges the current ID token through the credentials
/// provider given to [`OidcSessionBuilder::credentials`] (usually a
/// [`CognitoCredentialsProvider`], any [`CredentialsProvider`] will do). When nobody is signed
/// in it is an error, unless [guest access](OidcSessionBuilder::guest_access) was asked for:
/// a session never hands out guest credentials by surprise. Hand both to the AWS SDK with
/// `auth_providers::aws::CredentialsAdapter::new(session.clone())
/// .with_token_provider(SharedTokenProvider::new(session))`.
///
/// Everything is configured before the session exists ([`OidcSession::builder`]), so no call
/// on a live session can make a new one that has lost its tokens.
///
/// Cheap to clone: clones share the session.
#[derive(Clone)]
pub struct OidcSession {
    inner: Arc<Inner>,
}

struct Inner {
    client: OidcClient,
    tokens: RefreshCache<Arc<OidcTokens>, OidcError>,
    credentials: Option<SharedCredentialsProvider>,
    guest_access: bool,
}

impl fmt::Debug for OidcSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcSession")
            .field("client", &self.inner.client)
            .field("tokens", &self.inner.tokens)
            .field("credentials", &self.inner.credentials)
            .field("guest_access", &self.inner.guest_access)
            .finish()
    }
}

/// Configures an [`OidcSession`] before it exists.
///
/// ```no_run
/// # use auth_federation::oidc::{OidcClient, OidcSession};
/// # use auth_federation::{CognitoCredentialsProvider, IdentityPool};
/// # fn run(client: OidcClient, pool: IdentityPool) {
/// let session = OidcSession::builder(client)
///     .credentials(CognitoCredentialsProvider::builder(pool).build())
///     .build();
/// # }
/// ```
#[derive(Debug)]
#[must_use = "call build() to get the session"]
pub struct OidcSessionBuilder {
    client: OidcClient,
    credentials: Option<SharedCredentialsProvider>,
    guest_access: bool,
}

impl OidcSessionBuilder {
    /// Exchanges the signed-in user's ID token for AWS credentials through `credentials`
    /// (a [`CognitoCredentialsProvider`] for an identity pool, or any other
    /// [`CredentialsProvider`]).
    pub fn credentials(mut self, credentials: impl CredentialsProvider + 'static) -> Self {
        self.credentials = Some(SharedCredentialsProvider::new(credentials));
        self
    }

    /// Asks the credentials provider for guest credentials when nobody is signed in
    /// (default `false`: then [`CredentialsProvider::credentials_and_identity_id`] fails
    /// with a "not loaded" error). Like Amplify's `allowGuestAccess`; the identity pool
    /// must allow unauthenticated identities too.
    pub fn guest_access(mut self, allow: bool) -> Self {
        self.guest_access = allow;
        self
    }

    /// The session, nobody signed in yet.
    pub fn build(self) -> OidcSession {
        OidcSession {
            inner: Arc::new(Inner {
                client: self.client,
                tokens: RefreshCacheBuilder::default().build(),
                credentials: self.credentials,
                guest_access: self.guest_access,
            }),
        }
    }
}

impl OidcSession {
    /// A session of `client` without AWS credentials (a [`TokenProvider`] only), nobody
    /// signed in. Use [`builder`](Self::builder) to attach a credentials provider.
    pub fn new(client: OidcClient) -> Self {
        Self::builder(client).build()
    }

    /// Configures a session of `client`: its credentials provider and guest access.
    pub fn builder(client: OidcClient) -> OidcSessionBuilder {
        OidcSessionBuilder {
            client,
            credentials: None,
            guest_access: false,
        }
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
            Ok(tokens.map(|t| t.to_auth_tokens(self.inner.client.now())))
        })
    }
}

impl CredentialsProvider for OidcSession {
    fn credentials_and_identity_id(&self, options: CredentialsOptions) -> CredentialsFuture<'_> {
        ProviderFuture::new(async move {
            let credentials = self.inner.credentials.as_ref().ok_or_else(|| {
                ProviderError::invalid_configuration(
                    "this OIDC session has no credentials provider (OidcSession::builder(..).credentials(..))",
                )
            })?;
            let tokens = self
                .current_tokens(false)
                .await
                .map_err(ProviderError::from)?;
            let options = match tokens {
                Some(tokens) => CredentialsOptions::authenticated(
                    tokens.to_auth_tokens(self.inner.client.now()),
                )
                .force_refresh(options.force_refresh),
                None if self.inner.guest_access => {
                    CredentialsOptions::guest().force_refresh(options.force_refresh)
                }
                None => {
                    return Err(ProviderError::not_loaded(
                        "nobody is signed in to this OIDC session, and guest access is off \
                         (OidcSessionBuilder::guest_access)",
                    ));
                }
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
