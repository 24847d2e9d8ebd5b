//! [`CognitoCredentialsProvider`]: the default [`CredentialsProvider`], tokens in, AWS
//! credentials out.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use auth_core::wire::{ErrorKind, Logins};
use auth_providers::{
    ClearFuture, CredentialsAndIdentityId, CredentialsFuture, CredentialsOptions,
    CredentialsProvider, Expiring, IdentityId, KeyValueStorage, MemoryStorage, ProviderError,
    ProviderFuture, RefreshCache, RefreshCacheBuilder, SharedKeyValueStorage, SharedTimeSource,
    TimeSource as _,
};

use crate::error::IdentityPoolError;
use crate::identity_pool::IdentityPool;
use crate::logins;

/// How long Amplify keeps identity-pool credentials at most, whatever their expiry.
pub const MAX_CREDENTIALS_AGE: Duration = Duration::from_secs(50 * 60);

/// The storage key of the identity id, as Amplify names it:
/// `com.amplify.Cognito.<identityPoolId>.identityId`.
pub fn identity_id_key(identity_pool_id: &str) -> String {
    format!("com.amplify.Cognito.{identity_pool_id}.identityId")
}

/// The classic (basic) flow: `GetOpenIdToken`, then STS `AssumeRoleWithWebIdentity` into a
/// role chosen here rather than by the pool.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClassicFlow {
    /// The role for signed-in users.
    pub authenticated_role_arn: String,
    /// The role for guests (guest access must also be enabled).
    pub unauthenticated_role_arn: Option<String>,
}

impl ClassicFlow {
    /// The classic flow into `authenticated_role_arn` for signed-in users.
    pub fn new(authenticated_role_arn: impl Into<String>) -> Self {
        Self {
            authenticated_role_arn: authenticated_role_arn.into(),
            unauthenticated_role_arn: None,
        }
    }

    /// The role for guests.
    #[must_use]
    pub fn unauthenticated_role_arn(mut self, arn: impl Into<String>) -> Self {
        self.unauthenticated_role_arn = Some(arn.into());
        self
    }
}

/// AWS credentials from a Cognito identity pool for a user-pool user, any federated
/// identity, or a guest: Amplify's default `CredentialsAndIdentityIdProvider`.
///
/// * **Authenticated**: the ID token of [`CredentialsOptions::tokens`] goes into the Logins
///   map under its issuer without the scheme (`cognito-idp.<region>.amazonaws.com/<pool>`,
///   `tenant.auth0.com`, …). Any other Logins map, such as a developer or Facebook token, goes
///   through [`credentials_for_logins`](Self::credentials_for_logins).
/// * **Guests**: no Logins; refused with [`IdentityPoolError::GuestAccessDisabled`] (a
///   `NotLoaded` [`ProviderError`]) unless the configuration allows guest access.
/// * **Identity id**: read from the storage under
///   `com.amplify.Cognito.<identityPoolId>.identityId`, else obtained with `GetId` once and
///   stored (GetId is throttled at about 25 requests per second per pool). A guest identity
///   id is kept when the user signs in: the login is linked to it (amplify-js#14197). When
///   Cognito refuses the stored id for these Logins (it belongs to another user, or was
///   deleted), a fresh `GetId` replaces it.
/// * **Caching**: credentials are cached until shortly before they expire (and at most
///   [`MAX_CREDENTIALS_AGE`]), one refresh in flight for all callers, and dropped when the ID
///   token changes, on `force_refresh`, and on [`clear`](CredentialsProvider::clear) (which
///   also forgets the identity id, as Amplify does on sign-out).
///
/// Cheap to clone: clones share the cache.
///
/// ```
/// use auth_core::config::IdentityPoolConfig;
/// use auth_federation::{CognitoCredentialsProvider, IdentityPool, IdentityPoolError};
/// use auth_providers::{
///     CredentialsOptions, CredentialsProvider, HttpClient, HttpError, HttpFuture, MemoryStorage,
///     ProviderErrorKind, ProviderFuture,
/// };
///
/// #[derive(Debug)]
/// struct Offline;
/// impl HttpClient for Offline {
///     fn send(&self, _: http::Request<Vec<u8>>) -> HttpFuture<'_> {
///         ProviderFuture::ready(Err(HttpError::connect("offline")))
///     }
/// }
///
/// let config = IdentityPoolConfig::builder()
///     .identity_pool_id("us-east-1:8b9f2c4e-0000-4000-8000-0123456789ab")
///     .allow_guest_access(false)
///     .build()?;
/// let provider = CognitoCredentialsProvider::builder(IdentityPool::new(config, Offline))
///     .storage(MemoryStorage::new())
///     .build();
/// # let rt = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
/// let error = rt.block_on(provider.credentials_and_identity_id(CredentialsOptions::guest())).unwrap_err();
/// assert_eq!(error.kind(), ProviderErrorKind::NotLoaded);
/// let source = std::error::Error::source(&error).unwrap();
/// assert!(matches!(source.downcast_ref(), Some(IdentityPoolError::GuestAccessDisabled)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct CognitoCredentialsProvider {
    inner: Arc<Inner>,
}

struct Inner {
    pool: IdentityPool,
    storage: SharedKeyValueStorage,
    time: SharedTimeSource,
    classic: Option<ClassicFlow>,
    custom_role_arn: Option<String>,
    max_age: Duration,
    storage_key: String,
    /// The credentials and the Logins map they were obtained for (shared: the cache hands out
    /// clones on every hit).
    cache: RefreshCache<(Arc<Logins>, CredentialsAndIdentityId), IdentityPoolError>,
    /// Serialises GetId so concurrent first calls create one identity, not one each.
    identity_lock: tokio::sync::Mutex<()>,
}

impl fmt::Debug for CognitoCredentialsProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CognitoCredentialsProvider")
            .field("pool", &self.inner.pool)
            .field("storage", &self.inner.storage)
            .field("classic", &self.inner.classic)
            .field("cache", &self.inner.cache)
            .finish_non_exhaustive()
    }
}

/// Builds a [`CognitoCredentialsProvider`].
#[derive(Debug)]
pub struct CognitoCredentialsProviderBuilder {
    pool: IdentityPool,
    storage: Option<SharedKeyValueStorage>,
    time: SharedTimeSource,
    classic: Option<ClassicFlow>,
    custom_role_arn: Option<String>,
    max_age: Duration,
    cache: Option<RefreshCacheBuilder>,
}

impl CognitoCredentialsProviderBuilder {
    /// Where the identity id is persisted (default: in memory, lost at exit).
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

    /// The clock deciding when cached credentials are due (default: the system clock). Also
    /// used by the cache unless [`cache`](Self::cache) is given.
    #[must_use]
    pub fn time_source(mut self, time: SharedTimeSource) -> Self {
        self.time = time;
        self
    }

    /// Use the classic flow (GetOpenIdToken, then STS) instead of GetCredentialsForIdentity.
    #[must_use]
    pub fn classic_flow(mut self, classic: ClassicFlow) -> Self {
        self.classic = Some(classic);
        self
    }

    /// Sets or clears the classic flow.
    pub fn set_classic_flow(&mut self, classic: Option<ClassicFlow>) -> &mut Self {
        self.classic = classic;
        self
    }

    /// The `CustomRoleArn` of GetCredentialsForIdentity (a role the pool's rules allow).
    #[must_use]
    pub fn custom_role_arn(mut self, arn: impl Into<String>) -> Self {
        self.custom_role_arn = Some(arn.into());
        self
    }

    /// Keep credentials at most this long (default [`MAX_CREDENTIALS_AGE`], 50 minutes).
    #[must_use]
    pub fn max_age(mut self, age: Duration) -> Self {
        self.max_age = age;
        self
    }

    /// The cache's settings (refresh buffer, jitter, backoff, serve-stale). Its default uses
    /// this builder's time source.
    #[must_use]
    pub fn cache(mut self, cache: RefreshCacheBuilder) -> Self {
        self.cache = Some(cache);
        self
    }

    /// Builds the provider.
    pub fn build(self) -> CognitoCredentialsProvider {
        let storage_key = identity_id_key(self.pool.config().identity_pool_id());
        let cache = self
            .cache
            .unwrap_or_else(|| RefreshCacheBuilder::default().time_source(self.time.clone()))
            .build();
        CognitoCredentialsProvider {
            inner: Arc::new(Inner {
                pool: self.pool,
                storage: self
                    .storage
                    .unwrap_or_else(|| SharedKeyValueStorage::new(MemoryStorage::new())),
                time: self.time,
                classic: self.classic,
                custom_role_arn: self.custom_role_arn,
                max_age: self.max_age,
                storage_key,
                cache,
                identity_lock: tokio::sync::Mutex::new(()),
            }),
        }
    }
}

/// Whether `options` ask for the identity of `logins` (the Logins map cached credentials were
/// obtained for), without building a Logins map: for a signed-in user, one entry, the ID
/// token's issuer key to the ID token; for a guest, none.
fn same_identity(logins: &Logins, options: &CredentialsOptions) -> bool {
    if !options.authenticated {
        return logins.is_empty();
    }
    let Some(id_token) = options.tokens.as_ref().and_then(|t| t.id_token.as_ref()) else {
        return false;
    };
    let Some(issuer) = id_token.claims().iss.as_deref() else {
        return false;
    };
    let mut entries = logins.iter();
    matches!(
        (entries.next(), entries.next()),
        (Some((key, token)), None)
            if key == logins::issuer_key_str(issuer) && token.expose() == id_token.as_str()
    )
}

/// Whether Cognito refused an identity id for these Logins: it belongs to another login,
/// was merged or deleted.
fn identity_refused(error: &IdentityPoolError) -> bool {
    match error.cognito_kind() {
        Some(ErrorKind::NotAuthorized | ErrorKind::ResourceNotFound) => true,
        Some(ErrorKind::Unknown(code)) => code == "ResourceConflictException",
        _ => false,
    }
}

impl CognitoCredentialsProvider {
    /// Starts a builder for credentials from `pool`.
    pub fn builder(pool: IdentityPool) -> CognitoCredentialsProviderBuilder {
        CognitoCredentialsProviderBuilder {
            pool,
            storage: None,
            time: SharedTimeSource::default(),
            classic: None,
            custom_role_arn: None,
            max_age: MAX_CREDENTIALS_AGE,
            cache: None,
        }
    }

    /// The identity-pool client.
    pub fn identity_pool(&self) -> &IdentityPool {
        &self.inner.pool
    }

    /// Now, by this provider's time source (for the providers built on it).
    pub(crate) fn now(&self) -> std::time::SystemTime {
        self.inner.time.now()
    }

    /// The persisted identity id, if any (no network call).
    ///
    /// # Errors
    ///
    /// [`IdentityPoolError::Storage`].
    pub async fn stored_identity_id(&self) -> Result<Option<IdentityId>, IdentityPoolError> {
        let stored = self
            .inner
            .storage
            .get(&self.inner.storage_key)
            .await
            .map_err(IdentityPoolError::Storage)?;
        Ok(stored.filter(|s| !s.is_empty()).map(IdentityId::new))
    }

    async fn store_identity_id(&self, id: &IdentityId) -> Result<(), IdentityPoolError> {
        self.inner
            .storage
            .set(&self.inner.storage_key, id.as_str())
            .await
            .map_err(IdentityPoolError::Storage)
    }

    /// The identity id for `logins`: the persisted one, else a new one from `GetId` (which is
    /// then persisted).
    ///
    /// # Errors
    ///
    /// [`IdentityPoolError`] from storage or GetId.
    pub async fn identity_id(&self, logins: &Logins) -> Result<IdentityId, IdentityPoolError> {
        let _one_get_id_at_a_time = self.inner.identity_lock.lock().await;
        if let Some(id) = self.stored_identity_id().await? {
            return Ok(id);
        }
        let id = self.inner.pool.get_id(logins).await?;
        self.store_identity_id(&id).await?;
        Ok(id)
    }

    /// Credentials for an arbitrary Logins map (empty for a guest), cached like those of
    /// [`credentials_and_identity_id`](CredentialsProvider::credentials_and_identity_id).
    ///
    /// # Errors
    ///
    /// [`IdentityPoolError::GuestAccessDisabled`] for an empty map when guests are not
    /// allowed, else what the identity pool (or STS) answered.
    pub async fn credentials_for_logins(
        &self,
        logins: Logins,
        force_refresh: bool,
    ) -> Result<CredentialsAndIdentityId, IdentityPoolError> {
        self.cached(logins, None, force_refresh).await
    }

    /// Credentials for an identity id that the caller already knows (developer-authenticated
    /// identities: the backend returns the id with the token). The id is persisted.
    ///
    /// # Errors
    ///
    /// What the identity pool answered.
    pub async fn credentials_for_identity(
        &self,
        identity_id: IdentityId,
        logins: Logins,
        force_refresh: bool,
    ) -> Result<CredentialsAndIdentityId, IdentityPoolError> {
        self.cached(logins, Some(identity_id), force_refresh).await
    }

    async fn cached(
        &self,
        logins: Logins,
        known_identity: Option<IdentityId>,
        force_refresh: bool,
    ) -> Result<CredentialsAndIdentityId, IdentityPoolError> {
        if logins.is_empty() && !self.inner.pool.config().allow_guest_access() {
            return Err(IdentityPoolError::GuestAccessDisabled);
        }
        let cache = &self.inner.cache;
        if !force_refresh
            && let Some((cached_for, value)) = cache.cached()
            && *cached_for == logins
        {
            return Ok(value);
        }
        let force = force_refresh
            || cache
                .stale()
                .is_some_and(|(cached_for, _)| *cached_for != logins);
        let logins = Arc::new(logins);
        let (_, value) = cache
            .get_or_refresh_with(force, || async {
                let value = self.fetch(&logins, known_identity).await?;
                let now = self.inner.time.now();
                let cap = now + self.inner.max_age;
                let expires_at = value.credentials.expiration().map_or(cap, |e| e.min(cap));
                Ok(Expiring::new(
                    (Arc::clone(&logins), value),
                    Some(expires_at),
                ))
            })
            .await?;
        Ok(value)
    }

    async fn fetch(
        &self,
        logins: &Logins,
        known_identity: Option<IdentityId>,
    ) -> Result<CredentialsAndIdentityId, IdentityPoolError> {
        if let Some(id) = known_identity {
            let value = self.exchange(&id, logins).await?;
            self.store_identity_id(value.identity_id.as_ref().unwrap_or(&id))
                .await?;
            return Ok(value);
        }
        let id = self.identity_id(logins).await?;
        let value = match self.exchange(&id, logins).await {
            Ok(value) => value,
            Err(e) if identity_refused(&e) => {
                tracing::debug!(error = %e, "the stored identity id was refused; asking GetId for a new one");
                let fresh = {
                    let _guard = self.inner.identity_lock.lock().await;
                    let fresh = self.inner.pool.get_id(logins).await?;
                    self.store_identity_id(&fresh).await?;
                    fresh
                };
                if fresh == id {
                    return Err(e);
                }
                self.exchange(&fresh, logins).await?
            }
            Err(e) => return Err(e),
        };
        if let Some(returned) = &value.identity_id
            && *returned != id
        {
            self.store_identity_id(returned).await?;
        }
        Ok(value)
    }

    async fn exchange(
        &self,
        identity_id: &IdentityId,
        logins: &Logins,
    ) -> Result<CredentialsAndIdentityId, IdentityPoolError> {
        let pool = &self.inner.pool;
        match &self.inner.classic {
            Some(classic) => {
                let role = if logins.is_empty() {
                    classic
                        .unauthenticated_role_arn
                        .as_deref()
                        .ok_or(IdentityPoolError::GuestAccessDisabled)?
                } else {
                    &classic.authenticated_role_arn
                };
                pool.classic_credentials(identity_id, logins, role).await
            }
            None => {
                pool.get_credentials_for_identity(
                    identity_id,
                    logins,
                    self.inner.custom_role_arn.as_deref(),
                )
                .await
            }
        }
    }

    /// Drops cached credentials and forgets the persisted identity id.
    ///
    /// # Errors
    ///
    /// [`IdentityPoolError::Storage`] when the id could not be removed.
    pub async fn clear_identity(&self) -> Result<(), IdentityPoolError> {
        self.inner.cache.invalidate();
        self.inner
            .storage
            .remove(&self.inner.storage_key)
            .await
            .map_err(IdentityPoolError::Storage)
    }
}

/// The Logins map of `options`: the ID token under its issuer, or empty for a guest.
pub(crate) fn logins_of(options: &CredentialsOptions) -> Result<Logins, IdentityPoolError> {
    if !options.authenticated {
        return Ok(Logins::new());
    }
    let id_token = options
        .tokens
        .as_ref()
        .and_then(|t| t.id_token.as_ref())
        .ok_or(IdentityPoolError::MissingIdToken)?;
    logins::from_id_token(id_token)
}

impl CredentialsProvider for CognitoCredentialsProvider {
    fn credentials_and_identity_id(&self, options: CredentialsOptions) -> CredentialsFuture<'_> {
        // The hot path: cached credentials for the same ID token, no Logins map built.
        if !options.force_refresh
            && let Some((cached_for, value)) = self.inner.cache.cached()
            && same_identity(&cached_for, &options)
        {
            return ProviderFuture::ready(Ok(value));
        }
        let logins = match logins_of(&options) {
            Ok(logins) => logins,
            Err(e) => return ProviderFuture::ready(Err(e.into())),
        };
        ProviderFuture::new(async move {
            self.credentials_for_logins(logins, options.force_refresh)
                .await
                .map_err(ProviderError::from)
        })
    }

    fn clear(&self) -> ClearFuture<'_> {
        ProviderFuture::new(async move {
            if let Err(e) = self.clear_identity().await {
                tracing::warn!(error = %e, "could not remove the identity id from storage");
            }
        })
    }
}
