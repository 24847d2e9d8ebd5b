//! The handle that keeps a listener registered.

use std::fmt;
use std::sync::Weak;

/// Removes a listener by id; implemented by every channel.
pub(crate) trait Unregister: Send + Sync {
    fn unregister(&self, id: u64);
}

/// Keeps a listener registered; dropping it (or calling [`unsubscribe`](Self::unsubscribe))
/// removes the listener.
///
/// Once removal returns, the listener is not called again, except for a call that is already
/// running on another thread. A listener may drop its own subscription while it runs (hold it
/// in an `Arc<Mutex<Option<Subscription>>>` the closure captures); the current call finishes
/// normally.
///
/// The subscription does not keep the Hub alive.
#[must_use = "dropping a Subscription removes the listener at once; keep it or call `detach()`"]
pub struct Subscription {
    target: Option<(Weak<dyn Unregister>, u64)>,
}

impl Subscription {
    pub(crate) fn new(channel: Weak<dyn Unregister>, id: u64) -> Self {
        Self {
            target: Some((channel, id)),
        }
    }

    /// A subscription whose listener was never registered (the Hub was already dropped).
    pub(crate) fn inert() -> Self {
        Self { target: None }
    }

    /// Removes the listener now. Same as dropping the subscription.
    pub fn unsubscribe(mut self) {
        self.remove();
    }

    /// Keeps the listener registered for as long as the Hub lives, like an Amplify
    /// `Hub.listen` whose stop function is never called.
    pub fn detach(mut self) {
        self.target = None;
    }

    fn remove(&mut self) {
        if let Some((channel, id)) = self.target.take()
            && let Some(channel) = channel.upgrade()
        {
            channel.unregister(id);
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.remove();
    }
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription")
            .field("listener", &self.target.as_ref().map(|(_, id)| *id))
            .finish()
    }
}
