//! Async subscribers.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::sync::broadcast::{self, Receiver, error::RecvError, error::TryRecvError};
use tokio::task::coop;
use tokio_stream::Stream;
use tokio_util::sync::ReusableBoxFuture;

use crate::capsule::Capsule;
use crate::channel::Payload;
use crate::error::Lagged;

type Recv<T> = ReusableBoxFuture<'static, (Result<Capsule<T>, RecvError>, Receiver<Capsule<T>>)>;

async fn recv<T: Payload>(
    mut receiver: Receiver<Capsule<T>>,
) -> (Result<Capsule<T>, RecvError>, Receiver<Capsule<T>>) {
    let result = receiver.recv().await;
    (result, receiver)
}

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
    capsules: CapsuleStream<T>,
}

impl<T: Payload> EventStream<T> {
    pub(crate) fn from_capsules(capsules: CapsuleStream<T>) -> Self {
        Self { capsules }
    }
}

impl<T: Payload> Stream for EventStream<T> {
    type Item = Result<T, Lagged>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.capsules)
            .poll_next(cx)
            .map(|item| item.map(|result| result.map(|capsule| capsule.payload)))
    }
}

/// An async stream of one channel's [`Capsule`]s: as [`EventStream`], with who dispatched
/// each event. Created by [`Channel::subscribe_capsules`](crate::Channel::subscribe_capsules).
pub struct CapsuleStream<T> {
    /// Here while idle; moved into `waiting` while a `recv` is pending.
    receiver: Option<Receiver<Capsule<T>>>,
    /// The pending `recv`, boxed once per stream and reused: buffered events are read with
    /// `try_recv` and never touch it, which keeps a busy stream as fast as a bare receiver.
    waiting: Option<Recv<T>>,
}

impl<T: Payload> CapsuleStream<T> {
    pub(crate) fn new(receiver: Receiver<Capsule<T>>) -> Self {
        Self {
            receiver: Some(receiver),
            waiting: None,
        }
    }

    /// A stream that has already ended.
    pub(crate) fn closed() -> Self {
        let (sender, receiver) = broadcast::channel(1);
        drop(sender);
        Self::new(receiver)
    }
}

impl<T: Payload> Stream for CapsuleStream<T> {
    type Item = Result<Capsule<T>, Lagged>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if let Some(receiver) = &mut this.receiver {
            // Spend Tokio's cooperative budget like `Receiver::recv` does, so a stream that
            // always has events still lets the other tasks on its worker run.
            let coop = std::task::ready!(coop::poll_proceed(cx));
            let item = match receiver.try_recv() {
                Ok(event) => Some(Ok(event)),
                Err(TryRecvError::Lagged(n)) => Some(Err(Lagged(n))),
                Err(TryRecvError::Closed) => None,
                Err(TryRecvError::Empty) => {
                    // Not progress: dropping `coop` gives the budget unit back before the
                    // pending `recv` below takes its own.
                    drop(coop);
                    return this.poll_waiting(cx);
                }
            };
            coop.made_progress();
            return Poll::Ready(item);
        }
        this.poll_waiting(cx)
    }
}

impl<T: Payload> CapsuleStream<T> {
    /// Moves the receiver into the reusable `recv` future (if idle) and polls that.
    fn poll_waiting(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Capsule<T>, Lagged>>> {
        if let Some(receiver) = self.receiver.take() {
            match &mut self.waiting {
                Some(waiting) => waiting.set(recv(receiver)),
                None => self.waiting = Some(ReusableBoxFuture::new(recv(receiver))),
            }
        }
        let Some(waiting) = &mut self.waiting else {
            // Neither idle nor waiting cannot happen; treat it as the end of the stream.
            return Poll::Ready(None);
        };
        let (result, receiver) = std::task::ready!(waiting.poll(cx));
        self.receiver = Some(receiver);
        Poll::Ready(match result {
            Ok(event) => Some(Ok(event)),
            Err(RecvError::Lagged(n)) => Some(Err(Lagged(n))),
            Err(RecvError::Closed) => None,
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

impl<T> fmt::Debug for CapsuleStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CapsuleStream")
            .field("payload", &std::any::type_name::<T>())
            .finish_non_exhaustive()
    }
}
