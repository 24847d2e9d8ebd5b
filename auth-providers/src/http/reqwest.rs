//! [`ReqwestHttpClient`]: the default [`HttpClient`] on reqwest with rustls.

use std::time::Duration;

use super::{HttpClient, HttpError, HttpErrorKind, HttpFuture, ResponseBodyLimit};
use crate::future::ProviderFuture;

/// An [`HttpClient`] on `reqwest` (rustls, no OpenSSL), with connect and read timeouts.
///
/// Cheap to clone; clones share the connection pool. Combine with
/// [`RetryingHttpClient`](crate::RetryingHttpClient) for retries. A [`ResponseBodyLimit`]
/// in a request's extensions is enforced while the body streams in.
///
/// ```
/// use std::time::Duration;
/// use auth_providers::ReqwestHttpClient;
///
/// let client = ReqwestHttpClient::builder()
///     .connect_timeout(Duration::from_secs(2))
///     .read_timeout(Duration::from_secs(10))
///     .build()
///     .unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct ReqwestHttpClient {
    client: reqwest::Client,
}

/// Builds a [`ReqwestHttpClient`].
#[derive(Debug, Clone)]
pub struct ReqwestHttpClientBuilder {
    connect_timeout: Duration,
    read_timeout: Duration,
    timeout: Option<Duration>,
    user_agent: Option<String>,
}

impl Default for ReqwestHttpClientBuilder {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(3),
            read_timeout: Duration::from_secs(10),
            timeout: Some(Duration::from_secs(30)),
            user_agent: None,
        }
    }
}

impl ReqwestHttpClientBuilder {
    /// Time allowed to establish a connection, TLS included (default 3 s).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed between two reads of the response (default 10 s).
    #[must_use]
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Time allowed for a whole request and response (default 30 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets or clears the whole-request timeout.
    pub fn set_timeout(&mut self, timeout: Option<Duration>) -> &mut Self {
        self.timeout = timeout;
        self
    }

    /// The `User-Agent` header.
    #[must_use]
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The client; fails only if the TLS backend cannot start.
    pub fn build(self) -> Result<ReqwestHttpClient, HttpError> {
        let mut builder =
            reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .read_timeout(self.read_timeout)
                .user_agent(self.user_agent.unwrap_or_else(|| {
                    concat!("auth-providers/", env!("CARGO_PKG_VERSION")).into()
                }));
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(timeout);
        }
        let client = builder.build().map_err(|e| {
            HttpError::new(HttpErrorKind::Other, "could not build the HTTP client").with_source(e)
        })?;
        Ok(ReqwestHttpClient { client })
    }
}

impl ReqwestHttpClient {
    /// A builder with the default timeouts.
    pub fn builder() -> ReqwestHttpClientBuilder {
        ReqwestHttpClientBuilder::default()
    }

    /// Wraps an existing reqwest client (its own timeouts apply).
    pub fn from_client(client: reqwest::Client) -> Self {
        Self { client }
    }

    async fn execute(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, HttpError> {
        let limit = request.extensions().get::<ResponseBodyLimit>().map(|l| l.0);
        let request = reqwest::Request::try_from(request).map_err(|e| {
            HttpError::new(HttpErrorKind::InvalidRequest, "the request cannot be sent")
                .with_source(e)
        })?;
        let mut response = self.client.execute(request).await.map_err(map_error)?;
        if let (Some(limit), Some(length)) = (limit, response.content_length())
            && length > limit as u64
        {
            // Refused from the headers: not a byte of the body is read.
            return Err(HttpError::body_too_large(limit));
        }
        let mut builder = http::Response::builder()
            .status(response.status())
            .version(response.version());
        if let Some(headers) = builder.headers_mut() {
            *headers = response.headers().clone();
        }
        let body = match limit {
            None => response.bytes().await.map_err(map_error)?.to_vec(),
            Some(limit) => {
                let mut body = Vec::new();
                while let Some(chunk) = response.chunk().await.map_err(map_error)? {
                    if body.len() + chunk.len() > limit {
                        return Err(HttpError::body_too_large(limit));
                    }
                    body.extend_from_slice(&chunk);
                }
                body
            }
        };
        builder.body(body).map_err(|e| {
            HttpError::new(HttpErrorKind::Other, "could not rebuild the response").with_source(e)
        })
    }
}

fn map_error(e: reqwest::Error) -> HttpError {
    let (kind, message) = if e.is_connect() {
        // reqwest reports a connect timeout as both connect and timeout: nothing was sent.
        (HttpErrorKind::Connect, "could not connect")
    } else if e.is_timeout() {
        (HttpErrorKind::Timeout, "no response in time")
    } else if e.is_builder() {
        (HttpErrorKind::InvalidRequest, "the request cannot be sent")
    } else if e.is_body() || e.is_decode() || e.is_request() {
        (HttpErrorKind::Io, "the connection broke")
    } else {
        (HttpErrorKind::Other, "the request failed")
    };
    // Strip the URL: it may carry query parameters the caller considers private.
    HttpError::new(kind, message).with_source(e.without_url())
}

impl HttpClient for ReqwestHttpClient {
    fn send(&self, request: http::Request<Vec<u8>>) -> HttpFuture<'_> {
        ProviderFuture::new(self.execute(request))
    }
}
