//! One channel: its listeners, its broadcast ring and the delivery queue.
//!
//! Delivery works like a combining lock. Every dispatch appends its payload to the channel's
//! queue under one short mutex section; whoever finds the channel idle becomes the *drainer*
//! and delivers queued payloads one by one, with no lock held while user code runs. A dispatch
//! that finds the channel busy (another thread delivering, or a listener on this very thread
//! dispatching re-entrantly) only enqueues, and the drainer delivers it next. So:
//!
//! - every listener sees the channel's events in one order, the queue order, even with
//!   concurrent dispatchers (FIFO);
//! - async subscribers see the same order, because the broadcast send happens in the same
//!   critical section as the enqueue;
//! - a listener may dispatch, listen or unsubscribe from inside a callback: no lock is held,
//!   so nothing deadlocks, and a nested dispatch is delivered after the current event.

use std::any::Any;
use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use tokio::sync::broadcast;

use crate::capsule::{Capsule, EventSource};
use crate::error::DispatchError;
use crate::stream::{CapsuleStream, EventStream};
use crate::subscription::{Subscription, Unregister};

/// The bound every channel payload satisfies.
///
/// Blanket-implemented: any `Clone + Send + Sync + 'static` type is a payload.
pub trait Payload: Clone + Send + Sync + 'static {}
impl<T: Clone + Send + Sync + 'static> Payload for T {}

type ListenerFn<T> = Box<dyn Fn(&Capsule<T>) + Send + Sync>;

struct Listener<T> {
    id: u64,
    /// Cleared by `unsubscribe` so that a snapshot taken before the removal does not call it.
    active: AtomicBool,
    f: ListenerFn<T>,
}

type Listeners<T> = Arc<[Arc<Listener<T>>]>;

struct State<T> {
    /// Payloads waiting for the drainer.
    pending: VecDeque<Capsule<T>>,
    /// Someone is delivering; new payloads only enqueue.
    draining: bool,
    /// The Hub is gone: dispatch fails, listen and subscribe return inert handles.
    closed: bool,
    /// Copy-on-write list, so the drainer clones an `Arc` instead of holding the lock.
    listeners: Listeners<T>,
    /// Created on the first `subscribe`, dropped on close (which ends every stream).
    sender: Option<broadcast::Sender<Capsule<T>>>,
}

/// The shared state of one channel; `Channel<T>` handles point at it.
pub(crate) struct ChannelState<T> {
    name: Arc<str>,
    protected: bool,
    capacity: usize,
    next_id: AtomicU64,
    state: Mutex<State<T>>,
}

impl<T: Payload> ChannelState<T> {
    pub(crate) fn new(name: Arc<str>, protected: bool, capacity: usize) -> Self {
        Self {
            name,
            protected,
            capacity,
            next_id: AtomicU64::new(0),
            state: Mutex::new(State {
                pending: VecDeque::new(),
                draining: false,
                closed: false,
                listeners: Arc::new([]),
                sender: None,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // No user code runs under this lock, but stay usable even if a payload's `Clone`
        // panicked inside it: the state is updated only after the clone succeeds.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn is_protected(&self) -> bool {
        self.protected
    }

    /// Enqueues `payload` and, if the channel is idle, delivers until the queue is empty.
    pub(crate) fn dispatch(
        &self,
        payload: T,
        source: Option<EventSource>,
    ) -> Result<(), DispatchError> {
        let payload = Capsule::new(payload, source);
        let mut state = self.lock();
        if state.closed {
            return Err(DispatchError::HubClosed {
                channel: self.name.to_string(),
            });
        }
        if !state.draining && state.pending.is_empty() && state.listeners.is_empty() {
            // Fast path, streams only: nothing to deliver synchronously, no clone needed.
            let unsent = match &state.sender {
                Some(sender) => sender.send(payload).err().map(|error| error.0),
                None => Some(payload),
            };
            drop(state);
            // A payload nobody received is dropped here, outside the lock.
            drop(unsent);
            return Ok(());
        }
        if let Some(sender) = &state.sender {
            // Errors only when no receiver is left; that is not a failure of the dispatch.
            let _ = sender.send(payload.clone());
        }
        if state.draining {
            state.pending.push_back(payload);
            return Ok(());
        }
        state.draining = true;
        let listeners = Arc::clone(&state.listeners);
        drop(state);

        // Resets `draining` even if something below unwinds (listener panics are caught, but
        // a tracing subscriber could still panic), so the channel never stays stuck.
        let mut guard = DrainGuard {
            channel: self,
            armed: true,
        };
        self.deliver(&payload, &listeners);
        // Dropped before re-locking: the last reference to a listener or payload may run
        // arbitrary `Drop` code, including an unsubscribe that takes this lock.
        drop(listeners);
        drop(payload);
        loop {
            let mut state = self.lock();
            let Some(next) = state.pending.pop_front() else {
                state.draining = false;
                drop(state);
                guard.disarm();
                return Ok(());
            };
            let listeners = Arc::clone(&state.listeners);
            drop(state);
            self.deliver(&next, &listeners);
            drop(listeners);
            drop(next);
        }
    }

    fn deliver(&self, payload: &Capsule<T>, listeners: &[Arc<Listener<T>>]) {
        for listener in listeners {
            if !listener.active.load(Ordering::Acquire) {
                continue;
            }
            let f = &listener.f;
            if catch_unwind(AssertUnwindSafe(|| f(payload))).is_err() {
                // Never log the payload: channels may carry user data.
                tracing::error!(
                    channel = %self.name,
                    listener = listener.id,
                    "hub listener panicked; the panic was contained and the listener stays subscribed"
                );
            }
        }
    }

    fn add_listener(self: &Arc<Self>, f: ListenerFn<T>) -> Subscription {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let listener = Arc::new(Listener {
            id,
            active: AtomicBool::new(true),
            f,
        });
        let mut state = self.lock();
        if state.closed {
            drop(state);
            // Dropped here, outside the lock.
            drop(listener);
            return Subscription::inert();
        }
        let mut list: Vec<_> = state.listeners.iter().cloned().collect();
        list.push(listener);
        let old = std::mem::replace(&mut state.listeners, list.into());
        drop(state);
        drop(old);
        let weak: Weak<Self> = Arc::downgrade(self);
        Subscription::new(weak, id)
    }

    fn subscribe(&self) -> CapsuleStream<T> {
        let mut state = self.lock();
        if state.closed {
            drop(state);
            return CapsuleStream::closed();
        }
        let capacity = self.capacity;
        let sender = state
            .sender
            .get_or_insert_with(|| broadcast::channel(capacity).0);
        CapsuleStream::new(sender.subscribe())
    }

    fn listener_count(&self) -> usize {
        self.lock().listeners.len()
    }
}

struct DrainGuard<'a, T: Payload> {
    channel: &'a ChannelState<T>,
    armed: bool,
}

impl<T: Payload> DrainGuard<'_, T> {
    fn disarm(&mut self) {
        self.armed = false;
    }
}

impl<T: Payload> Drop for DrainGuard<'_, T> {
    fn drop(&mut self) {
        if self.armed {
            self.channel.lock().draining = false;
        }
    }
}

impl<T: Payload> Unregister for ChannelState<T> {
    fn unregister(&self, id: u64) {
        let mut state = self.lock();
        let Some(pos) = state.listeners.iter().position(|l| l.id == id) else {
            return;
        };
        state.listeners[pos].active.store(false, Ordering::Release);
        let list: Vec<_> = state
            .listeners
            .iter()
            .filter(|l| l.id != id)
            .cloned()
            .collect();
        let old = std::mem::replace(&mut state.listeners, list.into());
        drop(state);
        drop(old);
    }
}

/// The type-erased view the Hub's registry keeps of a channel.
pub(crate) trait ErasedChannel: Any + Send + Sync {
    /// Ends every stream, drops every listener and refuses later dispatches.
    fn close(&self);
    fn type_name(&self) -> &'static str;
}

impl<T: Payload> ErasedChannel for ChannelState<T> {
    fn close(&self) {
        let mut state = self.lock();
        state.closed = true;
        let sender = state.sender.take();
        let listeners = std::mem::replace(&mut state.listeners, Arc::new([]));
        let pending = std::mem::take(&mut state.pending);
        drop(state);
        // User code (closure captures, payload drops) runs outside the lock.
        drop(sender);
        drop(listeners);
        drop(pending);
    }

    fn type_name(&self) -> &'static str {
        std::any::type_name::<T>()
    }
}

/// A typed handle to one channel of a [`Hub`](crate::Hub).
///
/// Obtained from [`Hub::channel`](crate::Hub::channel) (or [`Hub::auth`](crate::Hub::auth)
/// for the `auth` channel). The payload type is part of the handle, so listeners receive `&T`
/// with no downcast. Handles are cheap to clone and skip the Hub's name lookup, which makes
/// them the fastest way to dispatch.
///
/// A handle does not keep the Hub alive: once every [`Hub`](crate::Hub) clone is dropped,
/// [`dispatch`](Self::dispatch) returns [`DispatchError::HubClosed`], [`listen`](Self::listen)
/// returns an inert subscription and [`subscribe`](Self::subscribe) an ended stream. Capture a
/// `Channel` (not a `Hub`) in a listener that needs to dispatch, so the Hub can still be dropped.
///
/// ```
/// use auth_hub::Hub;
///
/// let hub = Hub::new();
/// let todos = hub.channel::<String>("todos")?;
/// let _subscription = todos.listen(|todo: &String| assert_eq!(todo, "write docs"));
/// todos.dispatch("write docs".to_owned())?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Channel<T> {
    state: Arc<ChannelState<T>>,
    _payload: PhantomData<fn(T) -> T>,
}

impl<T: Payload> Channel<T> {
    pub(crate) fn from_state(state: Arc<ChannelState<T>>) -> Self {
        Self {
            state,
            _payload: PhantomData,
        }
    }

    /// The channel's name.
    pub fn name(&self) -> &str {
        self.state.name()
    }

    /// Whether the channel is protected (only the library may dispatch to it).
    pub fn is_protected(&self) -> bool {
        self.state.is_protected()
    }

    /// Registers a synchronous listener, called with each event dispatched after this call.
    ///
    /// Listeners run on the dispatching thread, one event at a time, in dispatch order. A
    /// listener that panics is contained: the others still receive the event, the panic is
    /// reported through `tracing` at `ERROR` level, and the listener stays subscribed. Inside
    /// a listener you may dispatch (the event is delivered after the current one), listen, or
    /// end subscriptions, including the listener's own.
    ///
    /// The listener is removed when the returned [`Subscription`] is dropped or
    /// [`unsubscribed`](Subscription::unsubscribe); keep it, or call
    /// [`Subscription::detach`] to listen for the Hub's whole life.
    pub fn listen<F>(&self, listener: F) -> Subscription
    where
        F: Fn(&T) + Send + Sync + 'static,
    {
        self.state
            .add_listener(Box::new(move |capsule: &Capsule<T>| {
                listener(&capsule.payload);
            }))
    }

    /// As [`listen`](Self::listen), with each event's [`Capsule`]: the payload and who
    /// dispatched it. Use it to tell several clients on one Hub apart.
    ///
    /// ```
    /// use auth_hub::{AuthEvent, EventSource, Hub};
    ///
    /// let (hub, dispatcher) = Hub::with_auth_dispatcher();
    /// let admin = EventSource::new("admin");
    /// let only_admin = admin.clone();
    /// let _subscription = hub.auth().listen_capsules(move |capsule| {
    ///     if capsule.is_from(&only_admin) {
    ///         println!("admin client: {}", capsule.payload);
    ///     }
    /// });
    /// dispatcher.with_source(admin).dispatch(AuthEvent::SignedOut)?;
    /// # Ok::<(), auth_hub::DispatchError>(())
    /// ```
    pub fn listen_capsules<F>(&self, listener: F) -> Subscription
    where
        F: Fn(&Capsule<T>) + Send + Sync + 'static,
    {
        self.state.add_listener(Box::new(listener))
    }

    /// Opens an async stream of this channel's events, starting with the next dispatch.
    ///
    /// The stream yields `Ok(event)` in dispatch order, `Err(Lagged(n))` if it fell more than
    /// the Hub's stream capacity behind (then continues with the oldest retained event), and
    /// ends once every clone of the Hub has been dropped.
    pub fn subscribe(&self) -> EventStream<T> {
        EventStream::from_capsules(self.state.subscribe())
    }

    /// As [`subscribe`](Self::subscribe), yielding each event's [`Capsule`] (the payload and
    /// who dispatched it).
    pub fn subscribe_capsules(&self) -> CapsuleStream<T> {
        self.state.subscribe()
    }

    /// Delivers `payload` to every listener and subscriber of the channel.
    ///
    /// Listeners run before this returns, on this thread, unless the channel is already
    /// delivering (on another thread, or on this one because a listener dispatched): then the
    /// event is queued and the ongoing delivery hands it to every listener, in order, before
    /// that delivery returns.
    ///
    /// # Errors
    ///
    /// [`DispatchError::Protected`] on a protected channel (use the
    /// [`AuthDispatcher`](crate::AuthDispatcher)), [`DispatchError::HubClosed`] once the Hub
    /// has been dropped.
    pub fn dispatch(&self, payload: T) -> Result<(), DispatchError> {
        if self.state.is_protected() {
            return Err(DispatchError::Protected {
                channel: self.state.name().to_owned(),
            });
        }
        self.state.dispatch(payload, None)
    }

    /// Dispatch without the protection check: only for the capability holder.
    pub(crate) fn dispatch_privileged(
        &self,
        payload: T,
        source: Option<EventSource>,
    ) -> Result<(), DispatchError> {
        self.state.dispatch(payload, source)
    }

    /// The number of listeners currently registered (async subscribers not included).
    pub fn listener_count(&self) -> usize {
        self.state.listener_count()
    }
}

impl<T> Clone for Channel<T> {
    fn clone(&self) -> Self {
        Self {
            state: Arc::clone(&self.state),
            _payload: PhantomData,
        }
    }
}

impl<T> fmt::Debug for Channel<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Channel")
            .field("name", &&*self.state.name)
            .field("payload", &std::any::type_name::<T>())
            .field("protected", &self.state.protected)
            .finish_non_exhaustive()
    }
}
