//! The capability to dispatch to protected channels.

use std::fmt;

use crate::channel::{Channel, Payload};
use crate::error::{ChannelError, DispatchError};
use crate::event::AuthEvent;
use crate::hub::WeakHub;

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
///   library crates), but it cannot be obtained from the Hub again.
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
}

impl AuthDispatcher {
    pub(crate) fn new(hub: WeakHub, auth: Channel<AuthEvent>) -> Self {
        Self { hub, auth }
    }

    /// Dispatches an event on the `auth` channel.
    ///
    /// # Errors
    ///
    /// [`DispatchError::HubClosed`] once the Hub has been dropped.
    pub fn dispatch(&self, event: AuthEvent) -> Result<(), DispatchError> {
        self.auth.dispatch_privileged(event)
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
        state.dispatch(payload)
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
            .finish()
    }
}
