//! Developer-authenticated identities: your backend vouches for the user.
//!
//! The backend (with AWS credentials) calls `GetOpenIdTokenForDeveloperIdentity` and returns
//! an identity id and an OpenID token to the app; the app exchanges them at the identity pool
//! under the Logins key [`DEVELOPER_PROVIDER`](crate::logins::DEVELOPER_PROVIDER). The app
//! side is [`DeveloperIdentityProvider`]; the backend side is `DeveloperBackend` (feature
//! `developer-backend`).

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use auth_core::Sensitive;
use auth_core::tokens::{AuthTokens, Jwt};
use auth_providers::{
    ClearFuture, CredentialsFuture, CredentialsOptions, CredentialsProvider, IdentityId,
    ProviderError, ProviderFuture, TokenOptions, TokenProvider, TokensFuture,
};

use crate::cognito::CognitoCredentialsProvider;
use crate::logins::{self, DEVELOPER_PROVIDER};

#[cfg(feature = "developer-backend")]
mod backend;
#[cfg(feature = "developer-backend")]
pub use backend::{DeveloperBackend, DeveloperBackendError};

/// What the app's backend returns: the identity id and the OpenID token Cognito issued for
/// it. The token is redacted in `Debug` and zeroized on drop.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeveloperToken {
    /// The identity id.
    pub identity_id: IdentityId,
    /// The OpenID token.
    pub token: Sensitive,
}

impl DeveloperToken {
    /// A token for `identity_id`.
    pub fn new(identity_id: impl AsRef<str>, token: impl Into<Sensitive>) -> Self {
        Self {
            identity_id: IdentityId::new(identity_id),
            token: token.into(),
        }
    }

    /// When the token expires, read from its `exp` claim (tokens are JWTs; `None` if not).
    pub fn expires_at(&self) -> Option<SystemTime> {
        Jwt::decode(self.token.expose())
            .ok()
            .and_then(|jwt| jwt.claims().expires_at())
    }
}

/// Reuse a developer token until this long before it expires.
const TOKEN_BUFFER: Duration = Duration::from_secs(60);

type Fetch =
    dyn Fn() -> ProviderFuture<'static, Result<DeveloperToken, ProviderError>> + Send + Sync;

/// The app side of developer-authenticated identities: a callback fetches
/// [`DeveloperToken`]s from your backend, and the identity pool exchanges them for
/// credentials.
///
/// The token is reused until a minute before its `exp` (Cognito's default lifetime is 15
/// minutes), and credentials are cached by the [`CognitoCredentialsProvider`]. Asked for
/// guest credentials (`authenticated: false`), it delegates to the guest flow. As a
/// [`TokenProvider`] it returns the OpenID token as both access and ID token.
///
/// ```
/// use auth_core::config::IdentityPoolConfig;
/// use auth_federation::{CognitoCredentialsProvider, DeveloperIdentityProvider, DeveloperToken, IdentityPool};
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
/// let provider = DeveloperIdentityProvider::new(credentials, || async {
///     // Ask your backend (which calls GetOpenIdTokenForDeveloperIdentity).
///     Ok(DeveloperToken::new("us-east-1:0000-identity", "eyJ...openid-token"))
/// });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct DeveloperIdentityProvider {
    credentials: CognitoCredentialsProvider,
    fetch: Arc<Fetch>,
    current: Arc<Mutex<Option<DeveloperToken>>>,
    refresh: Arc<tokio::sync::Mutex<()>>,
}

impl fmt::Debug for DeveloperIdentityProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeveloperIdentityProvider")
            .field("credentials", &self.credentials)
            .field("current", &self.cached())
            .finish_non_exhaustive()
    }
}

impl DeveloperIdentityProvider {
    /// Exchanges tokens from `fetch` (your backend call) through `credentials`.
    pub fn new<F, Fut>(credentials: CognitoCredentialsProvider, fetch: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<DeveloperToken, ProviderError>> + Send + 'static,
    {
        Self {
            credentials,
            fetch: Arc::new(move || ProviderFuture::new(fetch())),
            current: Arc::new(Mutex::new(None)),
            refresh: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    fn cached(&self) -> Option<DeveloperToken> {
        self.current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Whether `token` is still usable by the credentials provider's clock (its
    /// [`time_source`](crate::CognitoCredentialsProviderBuilder::time_source)).
    fn usable(&self, token: &DeveloperToken) -> bool {
        let now = self.credentials.now();
        token
            .expires_at()
            .is_none_or(|exp| now + TOKEN_BUFFER < exp)
    }

    /// The current developer token: the cached one while it is valid, else a new one from the
    /// callback (one call at a time).
    ///
    /// # Errors
    ///
    /// What the callback returned.
    pub async fn developer_token(
        &self,
        force_refresh: bool,
    ) -> Result<DeveloperToken, ProviderError> {
        if !force_refresh && let Some(token) = self.cached().filter(|t| self.usable(t)) {
            return Ok(token);
        }
        let _one_at_a_time = self.refresh.lock().await;
        if !force_refresh && let Some(token) = self.cached().filter(|t| self.usable(t)) {
            return Ok(token);
        }
        let token = (self.fetch)().await?;
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = Some(token.clone());
        Ok(token)
    }
}

impl CredentialsProvider for DeveloperIdentityProvider {
    fn credentials_and_identity_id(&self, options: CredentialsOptions) -> CredentialsFuture<'_> {
        ProviderFuture::new(async move {
            if !options.authenticated {
                return self
                    .credentials
                    .credentials_for_logins(auth_core::wire::Logins::new(), options.force_refresh)
                    .await
                    .map_err(ProviderError::from);
            }
            let token = self.developer_token(options.force_refresh).await?;
            let logins = logins::single(DEVELOPER_PROVIDER, token.token);
            self.credentials
                .credentials_for_identity(token.identity_id, logins, options.force_refresh)
                .await
                .map_err(ProviderError::from)
        })
    }

    fn clear(&self) -> ClearFuture<'_> {
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = None;
        self.credentials.clear()
    }
}

impl TokenProvider for DeveloperIdentityProvider {
    fn tokens(&self, options: TokenOptions) -> TokensFuture<'_> {
        ProviderFuture::new(async move {
            let token = self.developer_token(options.force_refresh).await?;
            let jwt = Jwt::decode(token.token.expose()).map_err(|e| {
                ProviderError::provider("the developer OpenID token is not a JWT").with_source(e)
            })?;
            Ok(Some(
                AuthTokens::new(jwt.clone(), self.credentials.now())
                    .with_id_token(jwt)
                    .with_username(token.identity_id.as_str()),
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::UNIX_EPOCH;

    use auth_core::config::IdentityPoolConfig;
    use auth_providers::{HttpClient, HttpError, HttpFuture, ManualTimeSource, SharedTimeSource};
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;
    use crate::IdentityPool;

    #[derive(Debug)]
    struct Offline;

    impl HttpClient for Offline {
        fn send(&self, _: http::Request<Vec<u8>>) -> HttpFuture<'_> {
            ProviderFuture::ready(Err(HttpError::connect("offline")))
        }
    }

    fn jwt(exp: u64) -> String {
        let part = |json: &str| URL_SAFE_NO_PAD.encode(json);
        format!(
            "{}.{}.c2ln",
            part(r#"{"alg":"RS256"}"#),
            part(&format!(r#"{{"exp":{exp}}}"#))
        )
    }

    #[tokio::test]
    async fn the_developer_token_expires_by_the_injected_clock() {
        let clock = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(1_000));
        let config = IdentityPoolConfig::builder()
            .identity_pool_id("us-east-1:8b9f2c4e-0000-4000-8000-0123456789ab")
            .build()
            .unwrap();
        let credentials = CognitoCredentialsProvider::builder(IdentityPool::new(config, Offline))
            .time_source(SharedTimeSource::new(clock.clone()))
            .build();
        let fetches = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&fetches);
        let provider = DeveloperIdentityProvider::new(credentials, move || {
            counted.fetch_add(1, Ordering::SeqCst);
            async { Ok(DeveloperToken::new("us-east-1:identity", jwt(2_000))) }
        });
        provider.developer_token(false).await.unwrap();
        clock.advance(Duration::from_secs(939)); // 1,939 s: more than a minute left
        provider.developer_token(false).await.unwrap();
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        clock.advance(Duration::from_secs(2)); // 1,941 s: within the minute's buffer
        provider.developer_token(false).await.unwrap();
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }
}
