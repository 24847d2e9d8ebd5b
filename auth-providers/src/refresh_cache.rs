//! [`RefreshCache`]: a single-flight cache for values that expire (tokens, credentials).
//!
//! The hot path (a valid value is cached) is one `ArcSwap` load, one clock read, one
//! comparison and a clone of `T`: no lock, no allocation. Make `T` cheap to clone
//! ([`CredentialsAndIdentityId`](crate::CredentialsAndIdentityId) is a few `Arc`s).
//!
//! When the value is due, callers queue on an async mutex: the first runs the refresh, the
//! others wake after it and take its outcome (success *or* failure), so however many callers
//! arrive only one refresh runs. A failure is not stored as the value: the next caller tries
//! again, but not before an exponential, jittered backoff has passed since the failure.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use arc_swap::ArcSwapOption;
use rand::Rng as _;

use crate::time::{SharedSleep, SharedTimeSource, Sleep as _, TimeSource as _};

/// A value and when it stops being valid (`None`: never).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Expiring<T> {
    /// The value.
    pub value: T,
    /// When the value stops working.
    pub expires_at: Option<SystemTime>,
}

impl<T> Expiring<T> {
    /// `value`, valid until `expires_at`.
    pub fn new(value: T, expires_at: Option<SystemTime>) -> Self {
        Self { value, expires_at }
    }
}

struct Entry<T> {
    value: T,
    expires_at: Option<SystemTime>,
    /// `expires_at` minus the buffer and this entry's jitter: after it, refresh.
    refresh_at: Option<SystemTime>,
}

struct Flight<E> {
    /// Number of refreshes finished; compared with the caller's snapshot to tell whether a
    /// refresh completed while the caller waited for the lock.
    completed: u64,
    last_error: Option<E>,
    consecutive_failures: u32,
    retry_not_before: Option<SystemTime>,
}

/// How a [`RefreshCache`] behaves; see [`RefreshCacheBuilder`].
#[derive(Debug, Clone)]
struct Config {
    time: SharedTimeSource,
    sleep: SharedSleep,
    buffer: Duration,
    jitter: Duration,
    serve_stale_on_failure: bool,
    initial_backoff: Duration,
    max_backoff: Duration,
}

/// Builds a [`RefreshCache`].
#[derive(Debug, Clone)]
pub struct RefreshCacheBuilder {
    config: Config,
}

impl Default for RefreshCacheBuilder {
    fn default() -> Self {
        Self {
            config: Config {
                time: SharedTimeSource::default(),
                sleep: SharedSleep::default(),
                buffer: Duration::from_secs(10),
                jitter: Duration::from_secs(5),
                serve_stale_on_failure: false,
                initial_backoff: Duration::from_millis(500),
                max_backoff: Duration::from_secs(30),
            },
        }
    }
}

impl RefreshCacheBuilder {
    /// The defaults: 10 s buffer, 5 s jitter, 500 ms to 30 s backoff, no serve-stale.
    pub fn new() -> Self {
        Self::default()
    }

    /// The clock (default: the system clock).
    #[must_use]
    pub fn time_source(mut self, time: SharedTimeSource) -> Self {
        self.config.time = time;
        self
    }

    /// How to wait out a backoff (default: tokio's timer).
    #[must_use]
    pub fn sleep(mut self, sleep: SharedSleep) -> Self {
        self.config.sleep = sleep;
        self
    }

    /// Refresh this long before expiry (default 10 s, the SDK's lazy cache uses the same).
    #[must_use]
    pub fn buffer(mut self, buffer: Duration) -> Self {
        self.config.buffer = buffer;
        self
    }

    /// Refresh up to this much earlier still, chosen at random per value, so a fleet does not
    /// refresh in lockstep (default 5 s).
    #[must_use]
    pub fn jitter(mut self, jitter: Duration) -> Self {
        self.config.jitter = jitter;
        self
    }

    /// When a refresh fails, hand out the previous value while it has not reached its hard
    /// expiry (default: off, the error is returned).
    #[must_use]
    pub fn serve_stale_on_failure(mut self, serve: bool) -> Self {
        self.config.serve_stale_on_failure = serve;
        self
    }

    /// Backoff after the first failure, doubled after each further failure (default 500 ms).
    #[must_use]
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.config.initial_backoff = backoff;
        self
    }

    /// The longest backoff (default 30 s).
    #[must_use]
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.config.max_backoff = backoff;
        self
    }

    /// The cache, empty.
    pub fn build<T, E>(self) -> RefreshCache<T, E> {
        RefreshCache {
            entry: ArcSwapOption::empty(),
            flight: tokio::sync::Mutex::new(Flight {
                completed: 0,
                last_error: None,
                consecutive_failures: 0,
                retry_not_before: None,
            }),
            completed: AtomicU64::new(0),
            config: self.config,
        }
    }
}

/// A single-flight cache of one expiring value.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use auth_providers::{Expiring, RefreshCache, RefreshCacheBuilder};
///
/// # let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
/// # rt.block_on(async {
/// let cache: RefreshCache<String, auth_providers::ProviderError> = RefreshCacheBuilder::new().build();
/// let value = cache
///     .get_or_refresh(|| async {
///         Ok(Expiring::new("token".to_owned(), Some(SystemTime::now() + Duration::from_secs(3600))))
///     })
///     .await
///     .unwrap();
/// assert_eq!(value, "token");
/// assert_eq!(cache.cached().as_deref(), Some("token"));
/// # });
/// ```
pub struct RefreshCache<T, E> {
    entry: ArcSwapOption<Entry<T>>,
    flight: tokio::sync::Mutex<Flight<E>>,
    completed: AtomicU64,
    config: Config,
}

impl<T, E> fmt::Debug for RefreshCache<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let entry = self.entry.load();
        f.debug_struct("RefreshCache")
            .field("cached", &entry.is_some())
            .field("expires_at", &entry.as_ref().and_then(|e| e.expires_at))
            .field("refreshes", &self.completed.load(Ordering::Relaxed))
            .field("config", &self.config)
            .finish()
    }
}

impl<T, E> Default for RefreshCache<T, E> {
    fn default() -> Self {
        RefreshCacheBuilder::default().build()
    }
}

impl<T, E> RefreshCache<T, E> {
    /// Forgets the cached value (sign-out). A refresh in flight still completes and stores.
    pub fn invalidate(&self) {
        self.entry.store(None);
    }

    /// Stores a value obtained elsewhere (e.g. tokens from a sign-in).
    pub fn set(&self, value: Expiring<T>) {
        self.store(value);
    }

    fn store(&self, value: Expiring<T>) {
        let refresh_at = value.expires_at.map(|exp| {
            let jitter = if self.config.jitter.is_zero() {
                Duration::ZERO
            } else {
                rand::thread_rng().gen_range(Duration::ZERO..=self.config.jitter)
            };
            exp.checked_sub(self.config.buffer + jitter)
                .unwrap_or(SystemTime::UNIX_EPOCH)
        });
        self.entry.store(Some(Arc::new(Entry {
            value: value.value,
            expires_at: value.expires_at,
            refresh_at,
        })));
    }

    fn backoff(&self, failures: u32) -> Duration {
        let exp = self.config.initial_backoff.saturating_mul(
            1u32.checked_shl(failures.saturating_sub(1))
                .unwrap_or(u32::MAX),
        );
        let capped = exp.min(self.config.max_backoff);
        // Jitter into [capped/2, capped] so backoffs stay bounded below and spread out.
        capped.mul_f64(rand::thread_rng().gen_range(0.5..=1.0))
    }
}

impl<T: Clone, E: Clone> RefreshCache<T, E> {
    /// The cached value if it is not due for refresh; never waits, never allocates.
    #[inline]
    pub fn cached(&self) -> Option<T> {
        self.fresh(self.config.time.now())
    }

    /// The cached value even if it is due or expired (what serve-stale would hand out).
    pub fn stale(&self) -> Option<T> {
        self.entry.load().as_ref().map(|e| e.value.clone())
    }

    #[inline]
    fn fresh(&self, now: SystemTime) -> Option<T> {
        let guard = self.entry.load();
        let entry = guard.as_ref()?;
        match entry.refresh_at {
            Some(at) if now >= at => None,
            _ => Some(entry.value.clone()),
        }
    }

    fn usable_stale(&self, now: SystemTime) -> Option<T> {
        if !self.config.serve_stale_on_failure {
            return None;
        }
        let guard = self.entry.load();
        let entry = guard.as_ref()?;
        match entry.expires_at {
            Some(exp) if now >= exp => None,
            _ => Some(entry.value.clone()),
        }
    }

    /// The cached value, or the result of `refresh` if the value is missing or due.
    pub async fn get_or_refresh<F, Fut>(&self, refresh: F) -> Result<T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Expiring<T>, E>>,
    {
        self.get_or_refresh_with(false, refresh).await
    }

    /// Like [`get_or_refresh`](Self::get_or_refresh); with `force` the cached value is
    /// ignored. Forced callers that arrive while a refresh runs share its outcome.
    pub async fn get_or_refresh_with<F, Fut>(&self, force: bool, refresh: F) -> Result<T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Expiring<T>, E>>,
    {
        if !force && let Some(value) = self.fresh(self.config.time.now()) {
            return Ok(value);
        }
        let seen = self.completed.load(Ordering::Acquire);
        let mut flight = self.flight.lock().await;
        let now = self.config.time.now();
        if flight.completed != seen {
            // A refresh finished while we waited for the lock: its outcome is ours.
            match &flight.last_error {
                None => {
                    if let Some(value) = self.stale() {
                        return Ok(value);
                    }
                }
                Some(error) => {
                    return match self.usable_stale(now) {
                        Some(value) => Ok(value),
                        None => Err(error.clone()),
                    };
                }
            }
        } else if !force && let Some(value) = self.fresh(now) {
            return Ok(value);
        }
        if let Some(not_before) = flight.retry_not_before
            && let Ok(wait) = not_before.duration_since(now)
        {
            if let Some(value) = self.usable_stale(now) {
                return Ok(value);
            }
            tracing::debug!(?wait, "backing off before the next refresh");
            self.config.sleep.sleep(wait).await;
        }
        let outcome = refresh().await;
        flight.completed += 1;
        let result = match outcome {
            Ok(value) => {
                let out = value.value.clone();
                self.store(value);
                flight.last_error = None;
                flight.consecutive_failures = 0;
                flight.retry_not_before = None;
                Ok(out)
            }
            Err(error) => {
                flight.consecutive_failures = flight.consecutive_failures.saturating_add(1);
                let after = self.config.time.now();
                flight.retry_not_before = Some(after + self.backoff(flight.consecutive_failures));
                flight.last_error = Some(error.clone());
                tracing::debug!(
                    failures = flight.consecutive_failures,
                    "refresh failed; the previous value is kept"
                );
                match self.usable_stale(after) {
                    Some(value) => Ok(value),
                    None => Err(error),
                }
            }
        };
        self.completed.store(flight.completed, Ordering::Release);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::ManualTimeSource;
    use std::sync::atomic::AtomicUsize;
    use std::time::UNIX_EPOCH;

    fn clock() -> ManualTimeSource {
        ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(1_000_000))
    }

    fn cache(clock: &ManualTimeSource, stale: bool) -> RefreshCache<u32, &'static str> {
        RefreshCacheBuilder::new()
            .time_source(SharedTimeSource::new(clock.clone()))
            .sleep(clock.sleep())
            .buffer(Duration::from_secs(10))
            .jitter(Duration::ZERO)
            .serve_stale_on_failure(stale)
            .build()
    }

    #[tokio::test]
    async fn value_is_served_until_the_buffer_then_refreshed() {
        let clock = clock();
        let c = cache(&clock, false);
        let exp = clock.now() + Duration::from_secs(60);
        let v = c
            .get_or_refresh(|| async { Ok(Expiring::new(1, Some(exp))) })
            .await;
        assert_eq!(v, Ok(1));
        clock.advance(Duration::from_secs(49));
        assert_eq!(c.cached(), Some(1));
        clock.advance(Duration::from_secs(1));
        assert_eq!(c.cached(), None);
        let v = c
            .get_or_refresh(|| async { Ok(Expiring::new(2, None)) })
            .await;
        assert_eq!(v, Ok(2));
        assert_eq!(c.cached(), Some(2));
    }

    #[tokio::test]
    async fn failure_is_not_cached_but_the_next_attempt_backs_off() {
        let clock = clock();
        let c = cache(&clock, false);
        let r = c.get_or_refresh(|| async { Err("down") }).await;
        assert_eq!(r, Err("down"));
        let r = c
            .get_or_refresh(|| async { Ok(Expiring::new(7, None)) })
            .await;
        assert_eq!(r, Ok(7), "the error was not cached");
        let slept = clock.slept();
        assert_eq!(slept.len(), 1);
        assert!(slept[0] >= Duration::from_millis(250) && slept[0] <= Duration::from_millis(500));
    }

    #[tokio::test]
    async fn backoff_grows_and_is_bounded() {
        let clock = clock();
        let c: RefreshCache<u32, &str> = RefreshCacheBuilder::new()
            .time_source(SharedTimeSource::new(clock.clone()))
            .sleep(clock.sleep())
            .initial_backoff(Duration::from_secs(1))
            .max_backoff(Duration::from_secs(4))
            .build();
        for _ in 0..6 {
            let _ = c.get_or_refresh(|| async { Err("down") }).await;
        }
        let slept = clock.slept();
        assert_eq!(slept.len(), 5);
        assert!(slept[1] >= Duration::from_secs(1));
        assert!(
            slept.iter().all(|d| *d <= Duration::from_secs(4)),
            "{slept:?}"
        );
    }

    #[tokio::test]
    async fn network_failure_keeps_the_old_value_and_serves_it_when_enabled() {
        let clock = clock();
        let c = cache(&clock, true);
        let exp = clock.now() + Duration::from_secs(60);
        c.set(Expiring::new(1, Some(exp)));
        clock.advance(Duration::from_secs(55)); // inside the buffer, not yet expired
        let r = c.get_or_refresh(|| async { Err("network") }).await;
        assert_eq!(r, Ok(1));
        assert_eq!(c.stale(), Some(1), "the old value is kept");
        clock.advance(Duration::from_secs(10)); // past hard expiry
        let r = c.get_or_refresh(|| async { Err("network") }).await;
        assert_eq!(r, Err("network"));
        assert_eq!(c.stale(), Some(1), "still kept, just not served");
    }

    #[tokio::test]
    async fn failed_refresh_without_stale_returns_error_but_keeps_value() {
        let clock = clock();
        let c = cache(&clock, false);
        c.set(Expiring::new(1, Some(clock.now() + Duration::from_secs(5))));
        let r = c.get_or_refresh(|| async { Err("network") }).await;
        assert_eq!(r, Err("network"));
        assert_eq!(c.stale(), Some(1));
    }

    #[tokio::test]
    async fn force_refresh_ignores_a_valid_value() {
        let clock = clock();
        let c = cache(&clock, false);
        c.set(Expiring::new(1, None));
        let r = c
            .get_or_refresh_with(true, || async { Ok(Expiring::new(2, None)) })
            .await;
        assert_eq!(r, Ok(2));
        c.invalidate();
        assert_eq!(c.cached(), None);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_thousand_concurrent_callers_on_an_expired_entry_make_one_refresh() {
        let c: Arc<RefreshCache<u64, String>> = Arc::new(RefreshCacheBuilder::new().build());
        c.set(Expiring::new(
            0,
            Some(SystemTime::now() - Duration::from_secs(1)),
        ));
        let refreshes = Arc::new(AtomicUsize::new(0));
        let barrier = Arc::new(tokio::sync::Barrier::new(1000));
        let mut tasks = Vec::new();
        for _ in 0..1000 {
            let (c, refreshes, barrier) = (c.clone(), refreshes.clone(), barrier.clone());
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                c.get_or_refresh(|| async {
                    refreshes.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Ok(Expiring::new(
                        42,
                        Some(SystemTime::now() + Duration::from_secs(3600)),
                    ))
                })
                .await
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), Ok(42));
        }
        assert_eq!(refreshes.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_callers_share_one_failed_refresh() {
        let c: Arc<RefreshCache<u64, String>> = Arc::new(RefreshCacheBuilder::new().build());
        let refreshes = Arc::new(AtomicUsize::new(0));
        let barrier = Arc::new(tokio::sync::Barrier::new(200));
        let mut tasks = Vec::new();
        for _ in 0..200 {
            let (c, refreshes, barrier) = (c.clone(), refreshes.clone(), barrier.clone());
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                c.get_or_refresh(|| async {
                    refreshes.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Err("connection refused".to_owned())
                })
                .await
            }));
        }
        for t in tasks {
            assert!(t.await.unwrap().is_err());
        }
        // Callers that arrive after the failure (not waiting on it) may start the next
        // attempt after the backoff; with 200 callers queued behind one 50 ms refresh,
        // nearly all share the first outcome.
        assert!(refreshes.load(Ordering::SeqCst) <= 2);
    }
}
