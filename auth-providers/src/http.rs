//! [`HttpClient`]: how requests reach Cognito, and the default implementations.
//!
//! Requests and responses are `http` 1.x types with in-memory bodies, which is what
//! `auth-core`'s pure encode/decode functions produce and consume.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use crate::error::{ErrorKind, ErrorRepr, error_shape};
use crate::future::ProviderFuture;

#[cfg(feature = "reqwest")]
mod reqwest;
mod retry;

#[cfg(feature = "reqwest")]
pub use self::reqwest::{ReqwestHttpClient, ReqwestHttpClientBuilder};
pub use retry::{RetryConfig, RetrySafety, RetryingHttpClient};

/// The most bytes of response body a request accepts; put it in the request's extensions.
///
/// [`HttpClient`] implementations honour it while reading: a response whose
/// `Content-Length` is over the limit is refused before its body is read, and a streamed
/// body is abandoned as soon as it passes the limit, so a hostile peer cannot make the
/// caller buffer more than `limit` bytes. Either way the error is
/// [`HttpErrorKind::BodyTooLarge`]. The default client
/// ([`ReqwestHttpClient`]) and [`RetryingHttpClient`] honour it;
/// callers that cannot trust a custom client to do so check the length again afterwards.
///
/// ```
/// use auth_providers::ResponseBodyLimit;
/// let mut request = http::Request::get("https://issuer.example/jwks").body(Vec::<u8>::new()).unwrap();
/// request.extensions_mut().insert(ResponseBodyLimit(64 * 1024));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ResponseBodyLimit(pub usize);

/// The future returned by [`HttpClient::send`].
pub type HttpFuture<'a> = ProviderFuture<'a, Result<http::Response<Vec<u8>>, HttpError>>;

/// Sends one HTTP request and returns the whole response.
///
/// A response with any status (including 4xx and 5xx) is `Ok`; `Err` is for when no
/// complete response arrived. The [`HttpErrorKind`] says whether the request may have
/// reached the server, which the retry layer needs to know.
///
/// An implementation should honour a [`ResponseBodyLimit`] in the request's extensions
/// while it reads the body (stop reading and fail with [`HttpErrorKind::BodyTooLarge`]).
///
/// # Example: a client that answers from a script (for tests)
///
/// ```
/// use std::sync::Mutex;
/// use auth_providers::{HttpClient, HttpError, HttpFuture, ProviderFuture};
///
/// #[derive(Debug)]
/// struct Scripted(Mutex<Vec<http::Response<Vec<u8>>>>);
///
/// impl HttpClient for Scripted {
///     fn send(&self, _request: http::Request<Vec<u8>>) -> HttpFuture<'_> {
///         let next = self.0.lock().unwrap().pop();
///         ProviderFuture::ready(next.ok_or_else(|| HttpError::connect("script exhausted")))
///     }
/// }
///
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// let client = Scripted(Mutex::new(vec![http::Response::new(b"{}".to_vec())]));
/// let response = rt.block_on(client.send(http::Request::new(Vec::new()))).unwrap();
/// assert_eq!(response.body(), b"{}");
/// ```
pub trait HttpClient: Send + Sync + fmt::Debug {
    /// Sends `request` and reads the whole response body.
    fn send(&self, request: http::Request<Vec<u8>>) -> HttpFuture<'_>;
}

impl<T: HttpClient + ?Sized> HttpClient for Arc<T> {
    fn send(&self, request: http::Request<Vec<u8>>) -> HttpFuture<'_> {
        (**self).send(request)
    }
}

impl<T: HttpClient + ?Sized> HttpClient for Box<T> {
    fn send(&self, request: http::Request<Vec<u8>>) -> HttpFuture<'_> {
        (**self).send(request)
    }
}

/// A cheaply cloneable, type-erased [`HttpClient`].
#[derive(Debug, Clone)]
pub struct SharedHttpClient(Arc<dyn HttpClient>);

impl SharedHttpClient {
    /// Wraps a client.
    pub fn new(client: impl HttpClient + 'static) -> Self {
        Self(Arc::new(client))
    }
}

impl HttpClient for SharedHttpClient {
    fn send(&self, request: http::Request<Vec<u8>>) -> HttpFuture<'_> {
        self.0.send(request)
    }
}

/// Why no complete response arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HttpErrorKind {
    /// No connection could be made (DNS, refused, TLS handshake, connect timeout). The
    /// request never reached the server: always safe to retry. Transient.
    Connect,
    /// The request was sent (or may have been) and no response came in time. Transient
    /// (whether a retry is *safe* is the request's [`RetrySafety`]).
    Timeout,
    /// The connection broke after the request was sent, or the body was cut short.
    /// Transient, as [`Timeout`](Self::Timeout).
    Io,
    /// The request could not be sent as built (bad URI, unsupported scheme).
    InvalidRequest,
    /// The response body was longer than the request's [`ResponseBodyLimit`]; reading
    /// stopped at the limit.
    BodyTooLarge,
    /// Anything else.
    Other,
}

impl ErrorKind for HttpErrorKind {
    fn is_transient(self) -> bool {
        matches!(self, Self::Connect | Self::Timeout | Self::Io)
    }
}

impl fmt::Display for HttpErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "connection failed",
            Self::Timeout => "timed out",
            Self::Io => "connection broken",
            Self::InvalidRequest => "invalid request",
            Self::BodyTooLarge => "response body over the limit",
            Self::Other => "HTTP error",
        })
    }
}

/// A failed [`HttpClient::send`]. Cheap to clone; the transport's own error is the
/// [`source()`](std::error::Error::source). The same layout as
/// [`ProviderError`](crate::ProviderError) and [`StorageError`](crate::StorageError).
#[derive(Clone)]
pub struct HttpError(ErrorRepr<HttpErrorKind>);

impl HttpError {
    /// An error of `kind` saying `message`.
    pub fn new(kind: HttpErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        Self(ErrorRepr::new(kind, message.into()))
    }

    /// [`HttpErrorKind::Connect`].
    pub fn connect(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(HttpErrorKind::Connect, message)
    }

    /// [`HttpErrorKind::Timeout`].
    pub fn timeout(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(HttpErrorKind::Timeout, message)
    }

    /// [`HttpErrorKind::Io`].
    pub fn io(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(HttpErrorKind::Io, message)
    }

    /// [`HttpErrorKind::BodyTooLarge`] for a body over `limit` bytes.
    pub fn body_too_large(limit: usize) -> Self {
        Self::new(
            HttpErrorKind::BodyTooLarge,
            format!("more than {limit} bytes"),
        )
    }

    /// Whether the request certainly never reached the server.
    pub fn is_connect(&self) -> bool {
        self.0.kind == HttpErrorKind::Connect
    }

    /// Whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        self.0.kind == HttpErrorKind::Timeout
    }
}

impl fmt::Debug for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.debug(f, "HttpError").finish()
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

error_shape!(HttpError, HttpErrorKind, 0);
