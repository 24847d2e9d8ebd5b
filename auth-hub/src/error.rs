//! Errors returned by the Hub.

use std::fmt;

/// A channel could not be opened with the requested payload type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChannelError {
    /// The channel already exists with a different payload type.
    ///
    /// A channel's payload type is fixed by whoever opens it first; every later `channel::<T>`,
    /// `listen`, `subscribe` or `dispatch` on that name must use the same `T`.
    #[error("channel `{channel}` carries `{registered}`, not `{requested}`")]
    TypeMismatch {
        /// The channel's name.
        channel: String,
        /// The payload type the channel was opened with.
        registered: &'static str,
        /// The payload type asked for.
        requested: &'static str,
    },
    /// The channel is reserved for the library and has not been opened by it yet.
    ///
    /// Only the holder of the Hub's [`AuthDispatcher`](crate::AuthDispatcher) can open a
    /// protected channel (other than `auth`, which always exists); listening becomes possible
    /// once it has done so.
    #[error("channel `{channel}` is reserved for the library and has not been opened by it")]
    Reserved {
        /// The channel's name.
        channel: String,
    },
}

/// A dispatch was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DispatchError {
    /// The channel is protected (see [`PROTECTED_CHANNELS`](crate::PROTECTED_CHANNELS)) and the
    /// caller does not hold the Hub's [`AuthDispatcher`](crate::AuthDispatcher).
    #[error("channel `{channel}` is protected: only the library may dispatch there")]
    Protected {
        /// The channel's name.
        channel: String,
    },
    /// Every clone of the Hub has been dropped, so nobody can receive the event.
    #[error("the hub behind channel `{channel}` has been dropped")]
    HubClosed {
        /// The channel's name.
        channel: String,
    },
    /// The channel could not be opened with the payload's type.
    #[error(transparent)]
    Channel(#[from] ChannelError),
}

/// An async subscriber fell behind and `0` events were dropped from its view.
///
/// Yielded in place of the missing events by [`EventStream`](crate::EventStream); the stream
/// then continues with the oldest event the channel still retains. Nothing is lost silently:
/// the count is exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Lagged(pub u64);

impl fmt::Display for Lagged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "subscriber lagged behind: {} events skipped", self.0)
    }
}

impl std::error::Error for Lagged {}
