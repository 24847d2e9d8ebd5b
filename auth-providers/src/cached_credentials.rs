//! [`CachedCredentialsProvider`]: any [`CredentialsProvider`] behind a [`RefreshCache`].

use std::hash::{DefaultHasher, Hash, Hasher};

use crate::credentials::{
    ClearFuture, CredentialsAndIdentityId, CredentialsFuture, CredentialsOptions,
    CredentialsProvider,
};
use crate::error::ProviderError;
use crate::future::ProviderFuture;
use crate::refresh_cache::{Expiring, RefreshCache, RefreshCacheBuilder};

/// Caches the credentials of an inner [`CredentialsProvider`] until shortly before they
/// expire, with one refresh in flight for all callers.
///
/// Cached credentials belong to one identity: a call for another one (guest after
/// signed-in, or a new ID token, as Amplify does when the ID token changes) refreshes.
/// A cache hit returns a ready future: no allocation, no lock.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use auth_providers::{
///     AwsCredentials, CachedCredentialsProvider, CredentialsAndIdentityId, CredentialsOptions,
///     CredentialsProvider, StaticCredentialsProvider,
/// };
///
/// let expiry = SystemTime::now() + Duration::from_secs(3600);
/// let inner = StaticCredentialsProvider::new(CredentialsAndIdentityId::new(
///     AwsCredentials::new("AKID", "secret", None, Some(expiry)),
///     None,
/// ));
/// let cached = CachedCredentialsProvider::new(inner);
/// # let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
/// let first = rt.block_on(cached.credentials_and_identity_id(CredentialsOptions::guest())).unwrap();
/// assert_eq!(first.credentials.access_key_id(), "AKID");
/// ```
#[derive(Debug)]
pub struct CachedCredentialsProvider<P> {
    inner: P,
    cache: RefreshCache<(u64, CredentialsAndIdentityId), ProviderError>,
}

impl<P: CredentialsProvider> CachedCredentialsProvider<P> {
    /// Caches `inner` with the default cache settings.
    pub fn new(inner: P) -> Self {
        Self::with_cache(inner, RefreshCacheBuilder::default())
    }

    /// Caches `inner` with the given cache settings (buffer, jitter, clock, serve-stale).
    pub fn with_cache(inner: P, cache: RefreshCacheBuilder) -> Self {
        Self {
            inner,
            cache: cache.build(),
        }
    }

    /// The wrapped provider.
    pub fn inner(&self) -> &P {
        &self.inner
    }
}

/// Which identity the options are for: guest, or the signed-in user's current ID token.
fn identity_of(options: &CredentialsOptions) -> u64 {
    if !options.authenticated {
        return 0;
    }
    let mut h = DefaultHasher::new();
    if let Some(tokens) = &options.tokens {
        tokens.username.hash(&mut h);
        if let Some(id) = &tokens.id_token {
            id.claims().sub.hash(&mut h);
            id.claims().iat.hash(&mut h);
            id.claims().exp.hash(&mut h);
        }
    }
    h.finish() | 1
}

impl<P: CredentialsProvider> CredentialsProvider for CachedCredentialsProvider<P> {
    fn credentials_and_identity_id(&self, options: CredentialsOptions) -> CredentialsFuture<'_> {
        let identity = identity_of(&options);
        if !options.force_refresh
            && let Some((cached_for, value)) = self.cache.cached()
            && cached_for == identity
        {
            return ProviderFuture::ready(Ok(value));
        }
        let force = options.force_refresh
            || self
                .cache
                .stale()
                .is_some_and(|(cached_for, _)| cached_for != identity);
        ProviderFuture::new(async move {
            let (_, value) = self
                .cache
                .get_or_refresh_with(force, || async {
                    let value = self.inner.credentials_and_identity_id(options).await?;
                    let expires_at = value.credentials.expiration();
                    Ok(Expiring::new((identity, value), expires_at))
                })
                .await?;
            Ok(value)
        })
    }

    fn clear(&self) -> ClearFuture<'_> {
        self.cache.invalidate();
        self.inner.clear()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::AwsCredentials;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, SystemTime};

    #[derive(Debug, Default)]
    struct Counting {
        calls: AtomicUsize,
        seen: Mutex<Vec<bool>>,
    }

    impl CredentialsProvider for Counting {
        fn credentials_and_identity_id(
            &self,
            options: CredentialsOptions,
        ) -> CredentialsFuture<'_> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            self.seen.lock().unwrap().push(options.authenticated);
            ProviderFuture::ready(Ok(CredentialsAndIdentityId::new(
                AwsCredentials::new(
                    format!("AKID{n}"),
                    "s",
                    None,
                    Some(SystemTime::now() + Duration::from_secs(3600)),
                ),
                None,
            )))
        }
    }

    #[tokio::test]
    async fn cached_until_forced_and_dropped_on_clear() {
        let p = CachedCredentialsProvider::new(Counting::default());
        let a = p
            .credentials_and_identity_id(CredentialsOptions::guest())
            .await
            .unwrap();
        let b = p
            .credentials_and_identity_id(CredentialsOptions::guest())
            .await
            .unwrap();
        assert_eq!(a, b);
        let c = p
            .credentials_and_identity_id(CredentialsOptions::guest().force_refresh(true))
            .await
            .unwrap();
        assert_eq!(c.credentials.access_key_id(), "AKID1");
        p.clear().await;
        let d = p
            .credentials_and_identity_id(CredentialsOptions::guest())
            .await
            .unwrap();
        assert_eq!(d.credentials.access_key_id(), "AKID2");
        assert_eq!(p.inner().calls.load(Ordering::SeqCst), 3);
    }
}
