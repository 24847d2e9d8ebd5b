//! The future every provider method returns: ready now, or boxed.
//!
//! Like `aws_credential_types::provider::future::ProvideCredentials`, a provider that already
//! has its answer (a cache hit, a static value) returns [`ProviderFuture::ready`] and allocates
//! nothing; one that must do I/O returns [`ProviderFuture::new`] around an `async` block.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A future that is either ready now or a boxed `async` computation.
#[must_use = "futures do nothing unless awaited"]
pub struct ProviderFuture<'a, T>(Inner<'a, T>);

enum Inner<'a, T> {
    Ready(Option<T>),
    Boxed(BoxFuture<'a, T>),
}

impl<'a, T> ProviderFuture<'a, T> {
    /// Wraps a future (boxing it).
    pub fn new(future: impl Future<Output = T> + Send + 'a) -> Self {
        Self(Inner::Boxed(Box::pin(future)))
    }

    /// A future that is ready with `value`; no allocation.
    pub fn ready(value: T) -> Self {
        Self(Inner::Ready(Some(value)))
    }
}

// The boxed future is `Unpin` (it is a `Pin<Box<_>>`) and `Ready` moves its value out, so the
// whole type is `Unpin` regardless of `T`.
impl<T> Unpin for ProviderFuture<'_, T> {}

impl<T> Future for ProviderFuture<'_, T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        match &mut self.0 {
            Inner::Ready(value) => Poll::Ready(
                value
                    .take()
                    .expect("a ProviderFuture is not polled after it completed"),
            ),
            Inner::Boxed(future) => future.as_mut().poll(cx),
        }
    }
}

impl<T> fmt::Debug for ProviderFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Inner::Ready(_) => f.write_str("ProviderFuture::Ready"),
            Inner::Boxed(_) => f.write_str("ProviderFuture::Boxed"),
        }
    }
}
