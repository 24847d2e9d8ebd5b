//! Injectable time: a [`TimeSource`] for "now" and a [`Sleep`] for waiting.
//!
//! Caches and retry layers take both so tests can use a [`ManualTimeSource`] and a sleep that
//! advances it instead of waiting on the wall clock (the shape of `aws-smithy-async`).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// Tells the current time.
pub trait TimeSource: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct SystemTimeSource;

impl SystemTimeSource {
    /// The system clock.
    pub fn new() -> Self {
        Self
    }
}

impl TimeSource for SystemTimeSource {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A cheaply cloneable, type-erased [`TimeSource`].
#[derive(Debug, Clone)]
pub struct SharedTimeSource(Arc<dyn TimeSource>);

impl SharedTimeSource {
    /// Wraps a time source.
    pub fn new(source: impl TimeSource + 'static) -> Self {
        Self(Arc::new(source))
    }
}

impl Default for SharedTimeSource {
    fn default() -> Self {
        Self::new(SystemTimeSource)
    }
}

impl TimeSource for SharedTimeSource {
    fn now(&self) -> SystemTime {
        self.0.now()
    }
}

/// A clock that moves only when told to; clones share the same time.
///
/// Use it in tests together with [`ManualTimeSource::sleep`], a [`Sleep`] that advances this
/// clock instead of waiting.
#[derive(Debug, Clone)]
pub struct ManualTimeSource {
    now: Arc<Mutex<SystemTime>>,
    slept: Arc<Mutex<Vec<Duration>>>,
}

impl ManualTimeSource {
    /// A clock reading `start`.
    pub fn new(start: SystemTime) -> Self {
        Self {
            now: Arc::new(Mutex::new(start)),
            slept: Arc::default(),
        }
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }

    /// Sets the clock.
    pub fn set(&self, to: SystemTime) {
        *self.now.lock().unwrap_or_else(|e| e.into_inner()) = to;
    }

    /// A [`Sleep`] that records the duration, advances this clock by it and returns at once.
    pub fn sleep(&self) -> SharedSleep {
        SharedSleep::new(ManualSleep(self.clone()))
    }

    /// Every duration slept through [`ManualTimeSource::sleep`], in order.
    pub fn slept(&self) -> Vec<Duration> {
        self.slept.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl TimeSource for ManualTimeSource {
    fn now(&self) -> SystemTime {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[derive(Debug)]
struct ManualSleep(ManualTimeSource);

impl Sleep for ManualSleep {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        self.0
            .slept
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(duration);
        self.0.advance(duration);
        Box::pin(std::future::ready(()))
    }
}

/// The future returned by [`Sleep::sleep`].
pub type SleepFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// Waits for a duration.
pub trait Sleep: Send + Sync + fmt::Debug {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> SleepFuture;
}

/// [`Sleep`] on tokio's timer (needs a tokio runtime with the time driver).
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct TokioSleep;

impl TokioSleep {
    /// Tokio's timer.
    pub fn new() -> Self {
        Self
    }
}

impl Sleep for TokioSleep {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A cheaply cloneable, type-erased [`Sleep`].
#[derive(Debug, Clone)]
pub struct SharedSleep(Arc<dyn Sleep>);

impl SharedSleep {
    /// Wraps a sleep implementation.
    pub fn new(sleep: impl Sleep + 'static) -> Self {
        Self(Arc::new(sleep))
    }
}

impl Default for SharedSleep {
    fn default() -> Self {
        Self::new(TokioSleep)
    }
}

impl Sleep for SharedSleep {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        self.0.sleep(duration)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[tokio::test]
    async fn manual_sleep_advances_the_shared_clock() {
        let clock = ManualTimeSource::new(UNIX_EPOCH);
        let other = clock.clone();
        clock.sleep().sleep(Duration::from_secs(3)).await;
        assert_eq!(other.now(), UNIX_EPOCH + Duration::from_secs(3));
        assert_eq!(clock.slept(), vec![Duration::from_secs(3)]);
    }
}
