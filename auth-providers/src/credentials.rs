//! [`CredentialsProvider`]: AWS credentials and the identity id (Amplify
//! `CredentialsAndIdentityIdProvider`).

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;
use std::time::SystemTime;

use auth_core::Sensitive;
use auth_core::tokens::AuthTokens;

use crate::error::ProviderError;
use crate::future::ProviderFuture;

/// Temporary (or long-term) AWS credentials.
///
/// Cheap to clone (one `Arc`), like `aws_credential_types::Credentials`. The secret key and
/// the session token are [`Sensitive`]: zeroized on drop, redacted in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct AwsCredentials(Arc<CredentialsInner>);

#[derive(PartialEq, Eq)]
struct CredentialsInner {
    access_key_id: String,
    secret_access_key: Sensitive,
    session_token: Option<Sensitive>,
    expiration: Option<SystemTime>,
}

impl AwsCredentials {
    /// Credentials from their parts; `expiration` is `None` for long-term keys.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<Sensitive>,
        session_token: Option<String>,
        expiration: Option<SystemTime>,
    ) -> Self {
        Self(Arc::new(CredentialsInner {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token: session_token.map(Sensitive::from),
            expiration,
        }))
    }

    /// The access key id (not secret; shown in `Debug`).
    pub fn access_key_id(&self) -> &str {
        &self.0.access_key_id
    }

    /// The secret access key.
    pub fn secret_access_key(&self) -> &str {
        self.0.secret_access_key.expose()
    }

    /// The session token of temporary credentials.
    pub fn session_token(&self) -> Option<&str> {
        self.0.session_token.as_ref().map(Sensitive::expose)
    }

    /// When the credentials stop working.
    pub fn expiration(&self) -> Option<SystemTime> {
        self.0.expiration
    }
}

impl fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsCredentials")
            .field("access_key_id", &self.0.access_key_id)
            .field("secret_access_key", &self.0.secret_access_key)
            .field("session_token", &self.0.session_token)
            .field("expiration", &self.0.expiration)
            .finish()
    }
}

/// A Cognito identity id (`<region>:<uuid>`); cheap to clone.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdentityId(Arc<str>);

impl IdentityId {
    /// Wraps an identity id.
    pub fn new(id: impl AsRef<str>) -> Self {
        Self(Arc::from(id.as_ref()))
    }

    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for IdentityId {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for IdentityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for IdentityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What [`CredentialsProvider::credentials_and_identity_id`] returns; cheap to clone.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CredentialsAndIdentityId {
    /// The AWS credentials.
    pub credentials: AwsCredentials,
    /// The identity-pool identity the credentials belong to, when there is one.
    pub identity_id: Option<IdentityId>,
}

impl CredentialsAndIdentityId {
    /// Credentials with an optional identity id.
    pub fn new(credentials: AwsCredentials, identity_id: Option<IdentityId>) -> Self {
        Self {
            credentials,
            identity_id,
        }
    }
}

/// Options of [`CredentialsProvider::credentials_and_identity_id`] (Amplify's
/// `GetCredentialsOptions`).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct CredentialsOptions {
    /// Whether a user is signed in (`true`) or guest credentials are wanted (`false`).
    pub authenticated: bool,
    /// The signed-in user's tokens, when authenticated.
    pub tokens: Option<AuthTokens>,
    /// Fetch new credentials even if cached ones are still valid.
    pub force_refresh: bool,
}

impl CredentialsOptions {
    /// Options for guest (unauthenticated) credentials.
    pub fn guest() -> Self {
        Self::default()
    }

    /// Options for a signed-in user's credentials.
    pub fn authenticated(tokens: AuthTokens) -> Self {
        Self {
            authenticated: true,
            tokens: Some(tokens),
            force_refresh: false,
        }
    }

    /// Sets [`CredentialsOptions::force_refresh`].
    #[must_use]
    pub fn force_refresh(mut self, force: bool) -> Self {
        self.force_refresh = force;
        self
    }
}

/// The future returned by [`CredentialsProvider::credentials_and_identity_id`].
pub type CredentialsFuture<'a> =
    ProviderFuture<'a, Result<CredentialsAndIdentityId, ProviderError>>;

/// The future returned by [`CredentialsProvider::clear`].
pub type ClearFuture<'a> = ProviderFuture<'a, ()>;

/// Provides AWS credentials and the identity id (Amplify's
/// `CredentialsAndIdentityIdProvider`).
///
/// Amplify calls `getCredentialsAndIdentityId` with the user's tokens when signed in and
/// without them for guests; `clearCredentialsAndIdentityId` on sign-out. Implementations
/// cache credentials (see [`CachedCredentialsProvider`](crate::CachedCredentialsProvider)).
/// Adapt one to the AWS SDK with `auth_providers::aws::CredentialsAdapter` (feature
/// `aws-sdk`).
///
/// # Example: credentials from your own broker
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use auth_providers::{
///     AwsCredentials, ClearFuture, CredentialsAndIdentityId, CredentialsFuture,
///     CredentialsOptions, CredentialsProvider, IdentityId, ProviderError, ProviderFuture,
/// };
///
/// /// Exchanges the user's ID token at an in-house credentials broker.
/// #[derive(Debug)]
/// struct Broker;
///
/// impl CredentialsProvider for Broker {
///     fn credentials_and_identity_id(&self, options: CredentialsOptions) -> CredentialsFuture<'_> {
///         ProviderFuture::new(async move {
///             let Some(tokens) = options.tokens.filter(|_| options.authenticated) else {
///                 return Err(ProviderError::not_loaded("the broker has no guest access"));
///             };
///             // ... send tokens.id_token to the broker; here we pretend it answered.
///             let expiry = SystemTime::now() + Duration::from_secs(3600);
///             let credentials = AwsCredentials::new("AKIDEXAMPLE", "secret", Some("session".into()), Some(expiry));
///             Ok(CredentialsAndIdentityId::new(credentials, Some(IdentityId::new(&tokens.username))))
///         })
///     }
///
///     fn clear(&self) -> ClearFuture<'_> {
///         ProviderFuture::ready(())
///     }
/// }
///
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// let err = rt.block_on(Broker.credentials_and_identity_id(CredentialsOptions::guest())).unwrap_err();
/// assert_eq!(err.kind(), auth_providers::ProviderErrorKind::NotLoaded);
/// ```
pub trait CredentialsProvider: Send + Sync + fmt::Debug {
    /// Credentials and identity id for the user in `options` (or a guest).
    fn credentials_and_identity_id(&self, options: CredentialsOptions) -> CredentialsFuture<'_>;

    /// Forgets cached credentials and identity id (called on sign-out).
    ///
    /// The default does nothing, for providers that cache nothing.
    fn clear(&self) -> ClearFuture<'_> {
        ProviderFuture::ready(())
    }
}

impl<T: CredentialsProvider + ?Sized> CredentialsProvider for Arc<T> {
    fn credentials_and_identity_id(&self, options: CredentialsOptions) -> CredentialsFuture<'_> {
        (**self).credentials_and_identity_id(options)
    }
    fn clear(&self) -> ClearFuture<'_> {
        (**self).clear()
    }
}

impl<T: CredentialsProvider + ?Sized> CredentialsProvider for Box<T> {
    fn credentials_and_identity_id(&self, options: CredentialsOptions) -> CredentialsFuture<'_> {
        (**self).credentials_and_identity_id(options)
    }
    fn clear(&self) -> ClearFuture<'_> {
        (**self).clear()
    }
}

/// A cheaply cloneable, type-erased [`CredentialsProvider`].
#[derive(Debug, Clone)]
pub struct SharedCredentialsProvider(Arc<dyn CredentialsProvider>);

impl SharedCredentialsProvider {
    /// Wraps a credentials provider.
    pub fn new(provider: impl CredentialsProvider + 'static) -> Self {
        Self(Arc::new(provider))
    }
}

impl CredentialsProvider for SharedCredentialsProvider {
    fn credentials_and_identity_id(&self, options: CredentialsOptions) -> CredentialsFuture<'_> {
        self.0.credentials_and_identity_id(options)
    }
    fn clear(&self) -> ClearFuture<'_> {
        self.0.clear()
    }
}

/// A [`CredentialsProvider`] that always returns the same credentials; for tests and for
/// long-term keys.
#[derive(Debug, Clone)]
pub struct StaticCredentialsProvider(CredentialsAndIdentityId);

impl StaticCredentialsProvider {
    /// Always answers `value`.
    pub fn new(value: CredentialsAndIdentityId) -> Self {
        Self(value)
    }
}

impl CredentialsProvider for StaticCredentialsProvider {
    fn credentials_and_identity_id(&self, _options: CredentialsOptions) -> CredentialsFuture<'_> {
        ProviderFuture::ready(Ok(self.0.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_secret_and_session_token() {
        let c = AwsCredentials::new("AKID", "topsecret", Some("sessiontok".into()), None);
        let dbg = format!("{c:?}");
        assert!(dbg.contains("AKID"));
        assert!(!dbg.contains("topsecret"), "{dbg}");
        assert!(!dbg.contains("sessiontok"), "{dbg}");
    }
}
