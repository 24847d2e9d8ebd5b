//! [`CustomLoginProvider`]: bring your own token (`{domain, token}`), the seed's custom
//! credentials provider.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use auth_core::Sensitive;
use auth_core::tokens::{AuthTokens, Jwt};
use auth_providers::{
    ClearFuture, CredentialsFuture, CredentialsOptions, CredentialsProvider, ProviderError,
    ProviderFuture, TokenOptions, TokenProvider, TokensFuture,
};

use crate::cognito::CognitoCredentialsProvider;
use crate::logins;

#[derive(Clone)]
struct Login {
    domain: String,
    token: Sensitive,
}

/// Credentials for a token your app already holds from any provider: `{domain, token}`,
/// where the domain is the Logins key the identity pool is configured with
/// (`graph.facebook.com`, `accounts.google.com`, `appleid.apple.com`, `tenant.auth0.com`,
/// any OIDC issuer without `https://`).
///
/// This is the Rust shape of the seed's `CustomCredentialsProvider`
/// (`loadFederatedLogin({domain, token})`): set the login after your own sign-in, and every
/// credentials call exchanges it at the identity pool (cached by
/// [`CognitoCredentialsProvider`]). Without a login it hands out guest credentials when the
/// pool allows guests. As a [`TokenProvider`] it returns the token when it is a JWT (an OIDC
/// ID token), and `None` for opaque tokens such as Facebook's.
///
/// ```
/// use auth_core::config::IdentityPoolConfig;
/// use auth_federation::{CognitoCredentialsProvider, CustomLoginProvider, IdentityPool};
/// # use auth_providers::{HttpClient, HttpError, HttpFuture, ProviderFuture};
/// # #[derive(Debug)] struct Offline;
/// # impl HttpClient for Offline {
/// #     fn send(&self, _: http::Request<Vec<u8>>) -> HttpFuture<'_> { ProviderFuture::ready(Err(HttpError::connect("offline"))) }
/// # }
///
/// let config = IdentityPoolConfig::builder()
///     .identity_pool_id("us-east-1:8b9f2c4e-0000-4000-8000-0123456789ab")
///     .build()?;
/// let credentials = CognitoCredentialsProvider::builder(IdentityPool::new(config, Offline)).build();
/// let provider = CustomLoginProvider::new(credentials);
/// provider.set_login("graph.facebook.com", "EAAB-facebook-access-token");
/// assert_eq!(provider.domain().as_deref(), Some("graph.facebook.com"));
/// assert!(!format!("{provider:?}").contains("EAAB"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct CustomLoginProvider {
    credentials: CognitoCredentialsProvider,
    login: Arc<Mutex<Option<Login>>>,
}

impl fmt::Debug for CustomLoginProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomLoginProvider")
            .field("domain", &self.domain())
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl CustomLoginProvider {
    /// A provider exchanging logins through `credentials`; no login yet.
    pub fn new(credentials: CognitoCredentialsProvider) -> Self {
        Self {
            credentials,
            login: Arc::new(Mutex::new(None)),
        }
    }

    /// Sets the login: `token` from the provider named `domain` (a scheme, if any, is
    /// removed). Cached credentials of a previous token are dropped at the next call.
    pub fn set_login(&self, domain: &str, token: impl Into<Sensitive>) {
        let login = Login {
            domain: logins::issuer_key(domain),
            token: token.into(),
        };
        *self.login.lock().unwrap_or_else(PoisonError::into_inner) = Some(login);
    }

    /// Forgets the login (sign-out); later calls get guest credentials, if allowed.
    pub fn clear_login(&self) {
        *self.login.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// The domain of the current login.
    pub fn domain(&self) -> Option<String> {
        self.current().map(|l| l.domain)
    }

    fn current(&self) -> Option<Login> {
        self.login
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The wrapped credentials provider.
    pub fn credentials_provider(&self) -> &CognitoCredentialsProvider {
        &self.credentials
    }
}

impl CredentialsProvider for CustomLoginProvider {
    fn credentials_and_identity_id(&self, options: CredentialsOptions) -> CredentialsFuture<'_> {
        ProviderFuture::new(async move {
            let logins = match self.current() {
                Some(login) => logins::single(login.domain, login.token),
                None => auth_core::wire::Logins::new(),
            };
            self.credentials
                .credentials_for_logins(logins, options.force_refresh)
                .await
                .map_err(ProviderError::from)
        })
    }

    fn clear(&self) -> ClearFuture<'_> {
        self.clear_login();
        self.credentials.clear()
    }
}

impl TokenProvider for CustomLoginProvider {
    fn tokens(&self, _options: TokenOptions) -> TokensFuture<'_> {
        let tokens = self.current().and_then(|login| {
            let jwt = Jwt::decode(login.token.expose()).ok()?;
            Some(AuthTokens::new(jwt.clone(), SystemTime::now()).with_id_token(jwt))
        });
        ProviderFuture::ready(Ok(tokens))
    }
}
