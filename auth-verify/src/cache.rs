//! [`JwksCache`]: the issuers' keys, fetched once, shared by every verifier, and refetched
//! for an unknown key at a bounded rate whether the fetch succeeds or fails.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use auth_providers::{HttpClient, SharedHttpClient};
use tokio::time::Instant;

use crate::fetch::{Document, FetchError, FetchLimits, fetch, fetch_json};
use crate::jwk::{Jwk, KeySet};

/// What the document at a cached URL is.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Source<'a> {
    /// A JWKS (`{"keys": [...]}`).
    Jwks,
    /// One ALB public key, a PEM, for the key id `kid`.
    AlbPem {
        /// The key id the URL ends with.
        kid: &'a str,
    },
}

/// The JWKS of every issuer a process trusts, keyed by JWKS URL. Cheap to clone: clones
/// share the keys, so any number of verifiers can use one cache.
///
/// Per URL:
///
/// * **one fetch at a time**: callers that need a fetch while one is running wait for it
///   and use its result; a burst of tokens costs one request;
/// * **at most one fetch per refetch interval** (default 60 s), counted from the last
///   attempt *whether it succeeded or failed*, so tokens with random `kid`s cannot aim the
///   process at the issuer; within the interval a missing key is unknown at once;
/// * **backoff on failure**: after `n` failed fetches in a row the next waits
///   `interval × 2^(n-1)` (at least 1 s, at most the maximum backoff, default 5 minutes);
///   meanwhile callers get the last failure at once, without a request;
/// * **bounded fetches** ([`FetchLimits`]): a total deadline and a body limit enforced while
///   streaming, sent once (the HTTP layer's retries would multiply every allowed fetch);
/// * **keys kept through failures**: a failed refetch never drops the keys already held.
///
/// The URLs come from configuration (an issuer's discovery document or its known JWKS
/// path), never from a token (`jku` and `x5u` headers are not followed).
///
/// ```no_run
/// use auth_providers::ReqwestHttpClient;
/// use auth_verify::JwksCache;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let cache = JwksCache::new(ReqwestHttpClient::builder().build()?);
/// // Fetch ahead of the first request, so the first caller does not wait.
/// let keys = cache.hydrate("https://issuer.example/.well-known/jwks.json").await?;
/// println!("{} keys", keys.len());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct JwksCache {
    inner: Arc<Inner>,
}

struct Inner {
    http: SharedHttpClient,
    limits: FetchLimits,
    refetch_interval: Duration,
    max_backoff: Duration,
    slots: Mutex<HashMap<String, Arc<Slot>>>,
}

#[derive(Default)]
struct Slot {
    state: Mutex<SlotState>,
    /// Held while fetching: later callers queue here and then use the result.
    fetch: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct SlotState {
    keys: Option<Arc<KeySet>>,
    last_attempt: Option<Instant>,
    failures: u32,
    last_error: Option<FetchError>,
}

impl fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let slots = self.slots();
        let urls: Vec<_> = slots
            .iter()
            .map(|(url, slot)| {
                let state = slot.state.lock().unwrap_or_else(PoisonError::into_inner);
                (url.clone(), state.keys.as_ref().map_or(0, |k| k.len()))
            })
            .collect();
        f.debug_struct("JwksCache")
            .field("limits", &self.inner.limits)
            .field("refetch_interval", &self.inner.refetch_interval)
            .field("max_backoff", &self.inner.max_backoff)
            .field("keys_per_url", &urls)
            .finish_non_exhaustive()
    }
}

/// Builds a [`JwksCache`].
#[derive(Debug, Clone)]
pub struct JwksCacheBuilder {
    http: SharedHttpClient,
    limits: FetchLimits,
    refetch_interval: Duration,
    max_backoff: Duration,
}

impl JwksCacheBuilder {
    /// The size and time limits of each fetch (default [`FetchLimits::default`]).
    #[must_use]
    pub fn limits(mut self, limits: FetchLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The shortest time between two fetches of one URL, successful or not (default 60 s).
    #[must_use]
    pub fn refetch_interval(mut self, interval: Duration) -> Self {
        self.refetch_interval = interval;
        self
    }

    /// The longest wait after repeated failures (default 5 minutes; never below the
    /// refetch interval).
    #[must_use]
    pub fn max_backoff(mut self, max: Duration) -> Self {
        self.max_backoff = max;
        self
    }

    /// The cache.
    pub fn build(self) -> JwksCache {
        JwksCache {
            inner: Arc::new(Inner {
                http: self.http,
                limits: self.limits,
                max_backoff: self.max_backoff.max(self.refetch_interval),
                refetch_interval: self.refetch_interval,
                slots: Mutex::new(HashMap::new()),
            }),
        }
    }
}

impl JwksCache {
    /// A cache fetching through `http`, with the default limits and intervals.
    pub fn new(http: impl HttpClient + 'static) -> Self {
        Self::builder(http).build()
    }

    /// A builder fetching through `http`.
    pub fn builder(http: impl HttpClient + 'static) -> JwksCacheBuilder {
        JwksCacheBuilder {
            http: SharedHttpClient::new(http),
            limits: FetchLimits::default(),
            refetch_interval: Duration::from_secs(60),
            max_backoff: Duration::from_secs(300),
        }
    }

    /// The limits of each fetch.
    pub fn limits(&self) -> &FetchLimits {
        &self.inner.limits
    }

    /// The keys of `url` held now, without any I/O; `None` before the first successful
    /// fetch.
    pub fn cached(&self, url: &str) -> Option<Arc<KeySet>> {
        let slot = self.slots().get(url).cloned()?;
        let state = slot.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.keys.clone()
    }

    /// Holds `keys` as the keys of `url`, without any I/O: for offline deployments and
    /// tests, with keys loaded from bytes or a file ([`KeySet::from_json`]). Verifiers whose
    /// issuer's JWKS URL is `url` then verify with them ([`verify_sync`] never does I/O).
    ///
    /// The insert counts as a successful fetch of `url`: it replaces the keys held, clears a
    /// failure (and its backoff), and the next fetch for an unknown `kid` waits for the
    /// refetch interval like after any fetch. A process that must never reach the network
    /// verifies with [`verify_sync`] only, or builds the cache on an
    /// [`HttpClient`] that refuses every request.
    ///
    /// ```
    /// use auth_verify::{JwksCache, KeySet};
    /// # #[derive(Debug)] struct Offline;
    /// # impl auth_providers::HttpClient for Offline {
    /// #     fn send(&self, _: http::Request<Vec<u8>>) -> auth_providers::HttpFuture<'_> { unreachable!() }
    /// # }
    ///
    /// let jwks = br#"{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","use":"sig",
    ///   "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    ///   "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}"#;
    /// let cache = JwksCache::new(Offline);
    /// let url = "https://issuer.example/.well-known/jwks.json";
    /// cache.insert(url, KeySet::from_json(jwks)?);
    /// assert_eq!(cache.cached(url).map(|k| k.len()), Some(1));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    ///
    /// [`verify_sync`]: crate::JwtVerifier::verify_sync
    pub fn insert(&self, url: &str, keys: KeySet) -> Arc<KeySet> {
        let keys = Arc::new(keys);
        let slot = self.slot(url);
        let mut state = slot.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.keys = Some(keys.clone());
        state.last_attempt = Some(Instant::now());
        state.failures = 0;
        state.last_error = None;
        keys
    }

    /// Fetches the keys of `url` unless they are held already (or a fetch failed within the
    /// backoff): call it at start-up so that the first request does not wait for the fetch.
    ///
    /// # Errors
    ///
    /// The fetch's error, or the last one while backing off.
    pub async fn hydrate(&self, url: &str) -> Result<Arc<KeySet>, FetchError> {
        self.key_set(url, |_| true).await
    }

    /// The keys of `url` if they `satisfy` the caller (typically: hold the token's `kid`);
    /// otherwise fetched again if the rate limit allows, or the keys held (which the caller
    /// then finds lacking: an unknown key) if it does not.
    ///
    /// # Errors
    ///
    /// The fetch's error when a fetch was made and failed; while backing off after a failure
    /// and holding no keys, the last failure (no request is made).
    pub async fn key_set(
        &self,
        url: &str,
        satisfy: impl Fn(&KeySet) -> bool,
    ) -> Result<Arc<KeySet>, FetchError> {
        self.key_set_from(url, Source::Jwks, satisfy).await
    }

    /// Whether `url` has been fetched (or inserted) before, successfully or not.
    pub(crate) fn knows(&self, url: &str) -> bool {
        self.slots().contains_key(url)
    }

    /// The shortest time between two fetches of one URL.
    pub(crate) fn refetch_interval(&self) -> Duration {
        self.inner.refetch_interval
    }

    /// [`key_set`](Self::key_set) for a URL that serves `source`: the same coalescing, rate
    /// limit, backoff and bounded fetch whatever the document.
    pub(crate) async fn key_set_from(
        &self,
        url: &str,
        source: Source<'_>,
        satisfy: impl Fn(&KeySet) -> bool,
    ) -> Result<Arc<KeySet>, FetchError> {
        let slot = self.slot(url);
        if let Some(keys) = current(&slot).filter(|k| satisfy(k)) {
            return Ok(keys);
        }
        let _fetching = slot.fetch.lock().await;
        // Whoever held the lock before us may have fetched what we need, or failed.
        let (keys, allowed, last_error) = {
            let state = slot.state.lock().unwrap_or_else(PoisonError::into_inner);
            let allowed = state
                .last_attempt
                .is_none_or(|at| at.elapsed() >= self.wait_after(state.failures));
            (state.keys.clone(), allowed, state.last_error.clone())
        };
        if let Some(keys) = keys.as_ref().filter(|k| satisfy(k)) {
            return Ok(keys.clone());
        }
        if !allowed {
            tracing::debug!(
                jwks_uri = url,
                "key not held; the JWKS was fetched recently, not fetching again"
            );
            return match (keys, last_error) {
                (Some(keys), _) => Ok(keys),
                (None, Some(error)) => Err(error),
                (None, None) => unreachable_empty(url),
            };
        }
        tracing::debug!(jwks_uri = url, "fetching the keys");
        let outcome = match source {
            Source::Jwks => fetch_json::<serde_json::Value>(
                &self.inner.http,
                Document::Jwks,
                url,
                &self.inner.limits,
            )
            .await
            .and_then(|document| parse(url, document)),
            Source::AlbPem { kid } => fetch(
                &self.inner.http,
                Document::AlbPublicKey,
                url,
                &self.inner.limits,
                "application/x-pem-file, text/plain, */*",
            )
            .await
            .and_then(|pem| {
                Jwk::from_alb_pem(kid, &pem)
                    .map(|jwk| KeySet::new(vec![jwk]))
                    .map_err(|e| {
                        FetchError::new(
                            Document::AlbPublicKey,
                            url,
                            crate::FetchErrorKind::Malformed {
                                reason: e.to_string(),
                            },
                        )
                    })
            }),
        };
        let mut state = slot.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.last_attempt = Some(Instant::now());
        match outcome {
            Ok(keys) => {
                let keys = Arc::new(keys);
                state.keys = Some(keys.clone());
                state.failures = 0;
                state.last_error = None;
                Ok(keys)
            }
            Err(error) => {
                state.failures = state.failures.saturating_add(1);
                state.last_error = Some(error.clone());
                tracing::warn!(
                    jwks_uri = url,
                    failures = state.failures,
                    retry_in = ?self.wait_after(state.failures),
                    error = %error,
                    "key fetch failed; the keys held are kept"
                );
                Err(error)
            }
        }
    }

    /// How long after the last attempt the next fetch may be made.
    fn wait_after(&self, failures: u32) -> Duration {
        let interval = self.inner.refetch_interval;
        if failures == 0 {
            return interval;
        }
        let base = interval.max(Duration::from_secs(1));
        let backoff = base.saturating_mul(1u32.checked_shl(failures - 1).unwrap_or(u32::MAX));
        backoff.min(self.inner.max_backoff).max(interval)
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Slot>>> {
        self.inner
            .slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn slot(&self, url: &str) -> Arc<Slot> {
        let mut slots = self.slots();
        if let Some(slot) = slots.get(url) {
            return slot.clone();
        }
        slots.entry(url.to_owned()).or_default().clone()
    }
}

fn current(slot: &Slot) -> Option<Arc<KeySet>> {
    slot.state
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .keys
        .clone()
}

fn parse(url: &str, document: serde_json::Value) -> Result<KeySet, FetchError> {
    let malformed = |reason: &str| {
        FetchError::new(
            Document::Jwks,
            url,
            crate::FetchErrorKind::Malformed {
                reason: reason.to_owned(),
            },
        )
    };
    let serde_json::Value::Object(mut object) = document else {
        return Err(malformed("not a JSON object"));
    };
    match object.remove("keys") {
        Some(serde_json::Value::Array(keys)) => Ok(KeySet::from_values(keys)),
        _ => Err(malformed("no \"keys\" array")),
    }
}

/// A slot is only ever rate-limited after an attempt, which leaves either keys or an error.
fn unreachable_empty(url: &str) -> Result<Arc<KeySet>, FetchError> {
    Err(FetchError::new(
        Document::Jwks,
        url,
        crate::FetchErrorKind::Malformed {
            reason: "no keys held".to_owned(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use auth_providers::HttpFuture;

    /// An HTTP client that fails the test if the cache ever sends a request.
    #[derive(Debug)]
    struct NoNetwork;

    impl HttpClient for NoNetwork {
        fn send(&self, request: http::Request<Vec<u8>>) -> HttpFuture<'_> {
            panic!("the cache sent a request to {}", request.uri());
        }
    }

    const JWKS: &[u8] = br#"{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","use":"sig",
        "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}"#;

    #[tokio::test]
    async fn inserted_keys_are_served_without_a_fetch_and_count_as_one() {
        let cache = JwksCache::new(NoNetwork);
        let url = "https://issuer.example/.well-known/jwks.json";
        assert!(cache.cached(url).is_none());
        let inserted = cache.insert(url, KeySet::from_json(JWKS).unwrap());
        assert_eq!(cache.cached(url), Some(inserted.clone()));
        // Held keys satisfy hydrate without a request.
        assert_eq!(cache.hydrate(url).await.unwrap(), inserted);
        // An unknown kid within the refetch interval is answered from the keys held, with
        // no request: the insert counts as a fetch.
        let held = cache
            .key_set(url, |keys| {
                keys.find(Some("other"), crate::Algorithm::ES256).is_some()
            })
            .await
            .unwrap();
        assert_eq!(held, inserted);
        // A second insert replaces the keys.
        let replaced = cache.insert(url, KeySet::default());
        assert!(replaced.is_empty());
        assert_eq!(cache.cached(url).map(|k| k.len()), Some(0));
    }
}
