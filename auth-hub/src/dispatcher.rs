//! The capability to dispatch to protected channels.

use std::fmt;

use crate::capsule::EventSource;
use crate::channel::{Channel, Payload};
use crate::error::{ChannelError, DispatchError};
use crate::event::AuthEvent;
use crate::hub::{HubInner, WeakHub};

/// The capability to dispatch to a Hub's [protected channels](crate::PROTECTED_CHANNELS),
/// `auth` first of all.
///
/// # Policy
///
/// Amplify JS guards its library channels with a private symbol and only logs a warning when
/// an application dispatches there; this crate refuses such dispatches with
/// [`DispatchError::Protected`], and the only way around it is this value:
///
/// - it has no public constructor: each Hub hands out exactly one, through
///   [`Hub::take_auth_dispatcher`](crate::Hub::take_auth_dispatcher) (first caller wins) or
///   [`Hub::with_auth_dispatcher`](crate::Hub::with_auth_dispatcher);
/// - the umbrella `auth` crate takes it when it is configured with a Hub, including the
///   [global](crate::global) one, and fails configuration loudly if someone else already has;
/// - whoever holds it may clone it to share the authority deliberately (e.g. with the other
///   library crates, or every `auth::Auth` of the process on the same Hub), but it cannot be
///   obtained from the Hub again.
///
/// A clone made with [`with_source`](Self::with_source) stamps its events with an
/// [`EventSource`], which listeners see in each [`Capsule`](crate::Capsule): that is how
/// several clients share one Hub and their listeners still tell them apart.
///
/// A dispatcher does not keep its Hub alive; once the Hub is dropped every dispatch returns
/// [`DispatchError::HubClosed`].
///
/// ```
/// use auth_hub::{AuthEvent, Hub};
///
/// let hub = Hub::new();
/// let dispatcher = hub.take_auth_dispatcher().expect("first caller");
/// assert!(hub.take_auth_dispatcher().is_none());
/// dispatcher.dispatch(AuthEvent::TokenRefresh)?;
/// # Ok::<(), auth_hub::DispatchError>(())
/// ```
#[derive(Clone)]
pub struct AuthDispatcher {
    hub: WeakHub,
    auth: Channel<AuthEvent>,
    source: Option<EventSource>,
}

impl AuthDispatcher {
    pub(crate) fn new(hub: WeakHub, auth: Channel<AuthEvent>) -> Self {
        Self {
            hub,
            auth,
            source: None,
        }
    }

    /// This dispatcher, stamping every event it dispatches with `source`.
    #[must_use]
    pub fn with_source(mut self, source: EventSource) -> Self {
        self.source = Some(source);
        self
    }

    /// The source this dispatcher stamps its events with, if any.
    pub fn source(&self) -> Option<&EventSource> {
        self.source.as_ref()
    }

    /// Whether the Hub behind this dispatcher has been dropped.
    pub fn is_closed(&self) -> bool {
        self.hub.strong_count() == 0
    }

    pub(crate) fn is_for(&self, hub: &std::sync::Arc<HubInner>) -> bool {
        // The weak reference keeps the allocation, so its address is not reused while it lives.
        std::ptr::eq(self.hub.as_ptr(), std::sync::Arc::as_ptr(hub))
    }

    /// Dispatches an event on the `auth` channel.
    ///
    /// # Errors
    ///
    /// [`DispatchError::HubClosed`] once the Hub has been dropped.
    pub fn dispatch(&self, event: AuthEvent) -> Result<(), DispatchError> {
        self.auth.dispatch_privileged(event, self.source.clone())
    }

    /// Dispatches `payload` on any channel, protected or not, opening it with payload `T` if
    /// it does not exist yet.
    ///
    /// # Errors
    ///
    /// [`DispatchError::HubClosed`] once the Hub has been dropped; [`DispatchError::Channel`]
    /// if the channel carries another payload type.
    pub fn dispatch_to<T: Payload>(&self, channel: &str, payload: T) -> Result<(), DispatchError> {
        let hub = self.hub.upgrade().ok_or_else(|| DispatchError::HubClosed {
            channel: channel.to_owned(),
        })?;
        let state = hub.open::<T>(channel, true)?;
        // The Hub may be dropped here, which closes the channel: the dispatch then fails
        // with `HubClosed` rather than delivering into a dead Hub.
        drop(hub);
        state.dispatch(payload, self.source.clone())
    }

    /// Opens a channel (protected or not) with payload `T`, so that applications can listen
    /// to it before the library's first dispatch there.
    ///
    /// The returned handle is an ordinary one: dispatching through it to a protected channel
    /// is refused, use [`dispatch_to`](Self::dispatch_to).
    ///
    /// # Errors
    ///
    /// [`ChannelError::TypeMismatch`] if the channel exists with another payload type.
    /// Returns [`ChannelError::Reserved`] if the Hub has been dropped.
    pub fn channel<T: Payload>(&self, channel: &str) -> Result<Channel<T>, ChannelError> {
        let hub = self.hub.upgrade().ok_or_else(|| ChannelError::Reserved {
            channel: channel.to_owned(),
        })?;
        hub.open::<T>(channel, true).map(Channel::from_state)
    }
}

impl fmt::Debug for AuthDispatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthDispatcher")
            .field("hub_alive", &(self.hub.strong_count() > 0))
            .field("source", &self.source)
            .finish()
    }
}
