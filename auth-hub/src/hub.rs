//! The Hub: a registry of named, typed channels.

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, PoisonError, RwLock, Weak};

use crate::channel::{Channel, ChannelState, ErasedChannel, Payload};
use crate::dispatcher::AuthDispatcher;
use crate::error::{ChannelError, DispatchError};
use crate::event::AuthEvent;
use crate::stream::EventStream;
use crate::subscription::Subscription;

/// The name of the channel that carries [`AuthEvent`]s.
pub const AUTH_CHANNEL: &str = "auth";

/// The channels reserved for the library, as in Amplify JS.
///
/// Anyone may listen and subscribe to them, but only the holder of the Hub's
/// [`AuthDispatcher`] may dispatch there; any other dispatch is refused with
/// [`DispatchError::Protected`]. `auth` always exists and carries [`AuthEvent`]; the others
/// are opened, with the payload type the library chooses, by the dispatcher's holder (see
/// [`AuthDispatcher::channel`]), so a user cannot claim one first with another type.
pub const PROTECTED_CHANNELS: &[&str] = &[
    "core",
    "auth",
    "api",
    "analytics",
    "interactions",
    "pubsub",
    "storage",
    "ui",
    "xr",
];

/// How many events a channel buffers for each async subscriber, unless
/// [`Hub::with_stream_capacity`] says otherwise.
pub const DEFAULT_STREAM_CAPACITY: usize = 256;

/// Whether `channel` is one of the [`PROTECTED_CHANNELS`].
pub fn is_protected(channel: &str) -> bool {
    PROTECTED_CHANNELS.contains(&channel)
}

/// The process-wide default Hub, like Amplify's `Hub` singleton.
///
/// Same as [`Hub::global`]. It lives for the whole process, so its streams never end.
pub fn global() -> &'static Hub {
    static GLOBAL: OnceLock<Hub> = OnceLock::new();
    GLOBAL.get_or_init(Hub::new)
}

/// An event bus of named channels, each with one payload type.
///
/// A `Hub` is a cheap handle (`Arc` inside): clone it freely and share it across threads.
/// Use [`global`] for the process-wide Hub, or [`Hub::new`] for a separate one (tests,
/// several clients in one process). When the last clone is dropped every channel closes:
/// async streams end after their buffered events, listeners are dropped, and dispatching
/// through a leftover [`Channel`] handle returns [`DispatchError::HubClosed`].
///
/// Each channel's payload type is fixed by whoever opens it first; asking for the same name
/// with another type returns [`ChannelError::TypeMismatch`]. The `auth` channel always
/// exists and carries [`AuthEvent`].
///
/// # Guarantees
///
/// - **FIFO per channel.** Every listener and every async subscriber of a channel sees its
///   events in one and the same order, even with several threads dispatching at once.
/// - **Isolation.** A panicking listener does not stop delivery to the others; the panic is
///   reported through `tracing` (`ERROR`, with the channel name and listener id, never the
///   payload) and the listener **stays subscribed**, as in Amplify, which catches a
///   listener's error and keeps it.
/// - **Re-entrancy.** A listener may dispatch (to its own channel or another), listen, or drop
///   subscriptions, including its own, without deadlock. An event dispatched to a channel
///   that is busy delivering is queued and delivered right after the current one.
/// - **No silent loss.** An async subscriber that falls more than the stream capacity behind
///   receives `Err(Lagged(n))` with the exact number of events it missed.
///
/// # Protected channels
///
/// Dispatching to a [protected channel](PROTECTED_CHANNELS) needs the Hub's
/// [`AuthDispatcher`], which each Hub hands out once (see [`Hub::take_auth_dispatcher`]).
///
/// # Example
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use auth_hub::{AuthEvent, AuthUser, Hub};
///
/// let (hub, dispatcher) = Hub::with_auth_dispatcher();
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let log = Arc::clone(&seen);
/// let subscription = hub.auth().listen(move |event: &AuthEvent| {
///     log.lock().unwrap().push(event.name());
/// });
///
/// // The library signs a user in and out:
/// dispatcher.dispatch(AuthEvent::SignedIn { user: AuthUser::new("alice", "sub-1") })?;
/// dispatcher.dispatch(AuthEvent::SignedOut)?;
/// assert_eq!(*seen.lock().unwrap(), ["signedIn", "signedOut"]);
///
/// // Applications cannot fake auth events:
/// assert!(hub.dispatch("auth", AuthEvent::SignedOut).is_err());
/// subscription.unsubscribe();
/// # Ok::<(), auth_hub::DispatchError>(())
/// ```
#[derive(Clone)]
pub struct Hub {
    inner: Arc<HubInner>,
}

pub(crate) struct HubInner {
    channels: RwLock<HashMap<Arc<str>, Arc<dyn ErasedChannel>>>,
    auth: Arc<ChannelState<AuthEvent>>,
    capacity: usize,
    dispatcher_taken: AtomicBool,
}

impl Hub {
    /// A new, separate Hub with the [default stream capacity](DEFAULT_STREAM_CAPACITY).
    pub fn new() -> Self {
        Self::with_stream_capacity(DEFAULT_STREAM_CAPACITY)
    }

    /// A new Hub whose channels buffer `capacity` events for each async subscriber.
    ///
    /// # Panics
    ///
    /// If `capacity` is 0 or greater than `usize::MAX / 2` (the broadcast ring's limits).
    pub fn with_stream_capacity(capacity: usize) -> Self {
        assert!(
            capacity > 0 && capacity <= usize::MAX / 2,
            "stream capacity must be between 1 and usize::MAX / 2"
        );
        let name: Arc<str> = Arc::from(AUTH_CHANNEL);
        let auth = Arc::new(ChannelState::new(Arc::clone(&name), true, capacity));
        let mut channels: HashMap<Arc<str>, Arc<dyn ErasedChannel>> = HashMap::new();
        channels.insert(name, Arc::clone(&auth) as Arc<dyn ErasedChannel>);
        Self {
            inner: Arc::new(HubInner {
                channels: RwLock::new(channels),
                auth,
                capacity,
                dispatcher_taken: AtomicBool::new(false),
            }),
        }
    }

    /// A new Hub together with its [`AuthDispatcher`] (already taken, so
    /// [`take_auth_dispatcher`](Self::take_auth_dispatcher) returns `None`).
    pub fn with_auth_dispatcher() -> (Self, AuthDispatcher) {
        let hub = Self::new();
        let dispatcher = hub
            .take_auth_dispatcher()
            .expect("a new hub's dispatcher has not been taken");
        (hub, dispatcher)
    }

    /// The process-wide default Hub. Same as [`global`].
    pub fn global() -> &'static Self {
        global()
    }

    /// Hands out this Hub's [`AuthDispatcher`], the capability to dispatch to protected
    /// channels. Returns it to the first caller only; `None` afterwards.
    ///
    /// The library (the umbrella `auth` crate) takes it when it is configured with a Hub, so
    /// an application that takes it first gets an error from the library at configuration,
    /// never silently shared authority. Applications should not call this; tests and
    /// libraries that emit their own protected events may.
    pub fn take_auth_dispatcher(&self) -> Option<AuthDispatcher> {
        if self.inner.dispatcher_taken.swap(true, Ordering::AcqRel) {
            return None;
        }
        Some(AuthDispatcher::new(
            Arc::downgrade(&self.inner),
            Channel::from_state(Arc::clone(&self.inner.auth)),
        ))
    }

    /// Whether `dispatcher` is this Hub's [`AuthDispatcher`] (or a clone of it).
    pub fn is_dispatched_by(&self, dispatcher: &AuthDispatcher) -> bool {
        dispatcher.is_for(&self.inner)
    }

    /// The `auth` channel, which carries [`AuthEvent`]s.
    ///
    /// Listen and subscribe freely; dispatching through this handle is refused with
    /// [`DispatchError::Protected`].
    pub fn auth(&self) -> Channel<AuthEvent> {
        Channel::from_state(Arc::clone(&self.inner.auth))
    }

    /// A typed handle to the channel `name`, opening it with payload `T` if it does not exist.
    ///
    /// # Errors
    ///
    /// [`ChannelError::TypeMismatch`] if the channel exists with another payload type;
    /// [`ChannelError::Reserved`] for a protected channel the library has not opened yet.
    pub fn channel<T: Payload>(&self, name: &str) -> Result<Channel<T>, ChannelError> {
        self.inner.open(name, false).map(Channel::from_state)
    }

    /// Registers a synchronous listener on the channel `name`; see [`Channel::listen`].
    ///
    /// # Errors
    ///
    /// As [`Hub::channel`].
    pub fn listen<T, F>(&self, name: &str, listener: F) -> Result<Subscription, ChannelError>
    where
        T: Payload,
        F: Fn(&T) + Send + Sync + 'static,
    {
        Ok(self.channel::<T>(name)?.listen(listener))
    }

    /// Opens an async stream of the channel `name`; see [`Channel::subscribe`].
    ///
    /// # Errors
    ///
    /// As [`Hub::channel`].
    pub fn subscribe<T: Payload>(&self, name: &str) -> Result<EventStream<T>, ChannelError> {
        Ok(self.channel::<T>(name)?.subscribe())
    }

    /// Dispatches `payload` on the channel `name`; see [`Channel::dispatch`].
    ///
    /// # Errors
    ///
    /// [`DispatchError::Protected`] for a [protected channel](PROTECTED_CHANNELS), whatever
    /// the payload type; [`DispatchError::Channel`] if the channel carries another type.
    pub fn dispatch<T: Payload>(&self, name: &str, payload: T) -> Result<(), DispatchError> {
        if is_protected(name) {
            return Err(DispatchError::Protected {
                channel: name.to_owned(),
            });
        }
        self.inner.open::<T>(name, false)?.dispatch(payload, None)
    }

    /// The names of the channels opened so far, in no particular order.
    pub fn channel_names(&self) -> Vec<String> {
        self.inner
            .channels
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .keys()
            .map(|name| name.to_string())
            .collect()
    }
}

impl Default for Hub {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Hub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hub")
            .field("channels", &self.channel_names())
            .field("stream_capacity", &self.inner.capacity)
            .finish_non_exhaustive()
    }
}

impl HubInner {
    /// Looks `name` up, or opens it with payload `T`. Only the dispatcher's holder
    /// (`privileged`) may open a protected channel.
    pub(crate) fn open<T: Payload>(
        &self,
        name: &str,
        privileged: bool,
    ) -> Result<Arc<ChannelState<T>>, ChannelError> {
        if let Some(existing) = self
            .channels
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
        {
            return downcast(name, existing);
        }
        let protected = is_protected(name);
        if protected && !privileged {
            return Err(ChannelError::Reserved {
                channel: name.to_owned(),
            });
        }
        let mut channels = self
            .channels
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        // Another thread may have opened it between the two locks.
        if let Some(existing) = channels.get(name) {
            return downcast(name, existing);
        }
        let name: Arc<str> = Arc::from(name);
        let state = Arc::new(ChannelState::<T>::new(
            Arc::clone(&name),
            protected,
            self.capacity,
        ));
        channels.insert(name, Arc::clone(&state) as Arc<dyn ErasedChannel>);
        Ok(state)
    }
}

fn downcast<T: Payload>(
    name: &str,
    channel: &Arc<dyn ErasedChannel>,
) -> Result<Arc<ChannelState<T>>, ChannelError> {
    let any: Arc<dyn Any + Send + Sync> = Arc::clone(channel) as Arc<dyn Any + Send + Sync>;
    any.downcast::<ChannelState<T>>()
        .map_err(|_| ChannelError::TypeMismatch {
            channel: name.to_owned(),
            registered: channel.type_name(),
            requested: std::any::type_name::<T>(),
        })
}

impl Drop for HubInner {
    fn drop(&mut self) {
        let channels = std::mem::take(
            self.channels
                .get_mut()
                .unwrap_or_else(PoisonError::into_inner),
        );
        for channel in channels.values() {
            channel.close();
        }
    }
}

/// Lets the dispatcher reach the Hub without keeping it alive.
pub(crate) type WeakHub = Weak<HubInner>;
