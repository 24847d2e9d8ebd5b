//! Async subscribers.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::sync::broadcast;
use tokio_stream::Stream;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

use crate::channel::Payload;
use crate::error::Lagged;

/// An async stream of one channel's events: `Ok(event)` in dispatch order, or `Err(Lagged(n))`
/// when this subscriber fell behind and `n` events were overwritten before it read them.
///
/// Created by [`Channel::subscribe`](crate::Channel::subscribe) or
/// [`Hub::subscribe`](crate::Hub::subscribe). It buffers up to the Hub's stream capacity
/// (see [`Hub::with_stream_capacity`](crate::Hub::with_stream_capacity)) per channel; it never
/// slows down the dispatcher or the other subscribers. It ends (yields `None`) once every
/// clone of the Hub has been dropped and the buffered events have been read.
///
/// ```
/// use auth_hub::Hub;
/// use tokio_stream::StreamExt;
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let hub = Hub::new();
/// let mut numbers = hub.subscribe::<u32>("numbers")?;
/// hub.dispatch("numbers", 7_u32)?;
/// drop(hub);
/// assert_eq!(numbers.next().await, Some(Ok(7)));
/// assert_eq!(numbers.next().await, None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
pub struct EventStream<T> {
    inner: BroadcastStream<T>,
}

impl<T: Payload> EventStream<T> {
    pub(crate) fn new(receiver: broadcast::Receiver<T>) -> Self {
        Self {
            inner: BroadcastStream::new(receiver),
        }
    }

    /// A stream that has already ended.
    pub(crate) fn closed() -> Self {
        let (sender, receiver) = broadcast::channel(1);
        drop(sender);
        Self::new(receiver)
    }
}

impl<T: Payload> Stream for EventStream<T> {
    type Item = Result<T, Lagged>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.inner).poll_next(cx).map(|item| {
            item.map(|result| result.map_err(|BroadcastStreamRecvError::Lagged(n)| Lagged(n)))
        })
    }
}

impl<T> fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("payload", &std::any::type_name::<T>())
            .finish_non_exhaustive()
    }
}
