//! Bounded fetching of the documents keys come from: JWKS and discovery documents.
//!
//! Every fetch has a total deadline (connect, headers and body together) and a body limit
//! enforced while the body streams in ([`ResponseBodyLimit`]), and is sent once: retries are
//! the caller's policy (the [`JwksCache`](crate::JwksCache) rate-limits and backs off per
//! URL), never the HTTP layer's.

use std::fmt;
use std::time::Duration;

use auth_providers::{HttpClient, HttpError, HttpErrorKind, ResponseBodyLimit, RetrySafety};
use serde::de::DeserializeOwned;

/// How much a fetched document may cost: its size and the time it takes.
///
/// The defaults (256 KiB, 5 s) are far above what identity providers publish (a JWKS is a
/// few KiB; a discovery document rarely over 10 KiB) and far below what would hurt a server.
///
/// ```
/// use std::time::Duration;
/// use auth_verify::FetchLimits;
///
/// let limits = FetchLimits::new().max_body_bytes(64 * 1024).timeout(Duration::from_secs(2));
/// assert_eq!(limits.body_limit(), 64 * 1024);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct FetchLimits {
    max_body_bytes: usize,
    timeout: Duration,
}

impl Default for FetchLimits {
    fn default() -> Self {
        Self {
            max_body_bytes: 256 * 1024,
            timeout: Duration::from_secs(5),
        }
    }
}

impl FetchLimits {
    /// The defaults: 256 KiB, 5 s.
    pub fn new() -> Self {
        Self::default()
    }

    /// The largest body accepted, in bytes (default 256 KiB). Reading stops at the limit.
    #[must_use]
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// The deadline of one fetch, from the first byte sent to the last byte read (default
    /// 5 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The body limit in bytes.
    pub fn body_limit(&self) -> usize {
        self.max_body_bytes
    }

    /// The deadline of one fetch.
    pub fn deadline(&self) -> Duration {
        self.timeout
    }
}

/// Which document a fetch was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Document {
    /// A JSON Web Key Set (RFC 7517 §5).
    Jwks,
    /// An OpenID Provider's discovery document (OIDC Discovery 1.0 §4).
    Discovery,
    /// An Application Load Balancer's public key for one `kid` (a PEM document).
    AlbPublicKey,
}

impl fmt::Display for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Jwks => "JWKS",
            Self::Discovery => "discovery document",
            Self::AlbPublicKey => "ALB public key",
        })
    }
}

/// What went wrong with a fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FetchErrorKind {
    /// No complete response: no connection, TLS failure, connection broken (the transport's
    /// error is the [`source`](std::error::Error::source)).
    Network,
    /// The deadline passed before the whole body arrived.
    Timeout {
        /// The deadline.
        after: Duration,
    },
    /// The server answered with a status other than 2xx.
    Status {
        /// The HTTP status.
        status: u16,
    },
    /// The body is larger than the limit (reading stopped there).
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body is not the document expected.
    Malformed {
        /// What is wrong (never quotes the body).
        reason: String,
    },
}

/// A fetch of a JWKS or discovery document that failed. `Display` names the document, its
/// URL and what happened; the transport's error, when there is one, is the
/// [`source`](std::error::Error::source).
#[derive(Debug, Clone, thiserror::Error)]
#[error("could not fetch the {document} from {url}: {}", describe(.kind))]
pub struct FetchError {
    document: Document,
    url: String,
    kind: FetchErrorKind,
    #[source]
    source: Option<HttpError>,
}

fn describe(kind: &FetchErrorKind) -> String {
    match kind {
        FetchErrorKind::Network => "no response".to_owned(),
        FetchErrorKind::Timeout { after } => format!("no complete response within {after:?}"),
        FetchErrorKind::Status { status } => format!("the server answered HTTP {status}"),
        FetchErrorKind::TooLarge { limit } => {
            format!("the body is larger than the limit of {limit} bytes")
        }
        FetchErrorKind::Malformed { reason } => format!("malformed: {reason}"),
    }
}

impl FetchError {
    /// A fetch error of `kind` for `document` at `url`.
    pub fn new(document: Document, url: impl Into<String>, kind: FetchErrorKind) -> Self {
        Self {
            document,
            url: url.into(),
            kind,
            source: None,
        }
    }

    /// Which document.
    pub fn document(&self) -> Document {
        self.document
    }

    /// The URL fetched.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// What went wrong.
    pub fn kind(&self) -> &FetchErrorKind {
        &self.kind
    }

    /// Whether a later fetch may succeed: no response, a timeout, 5xx or 429. A body over
    /// the limit or a malformed document is not transient: the server is misconfigured or
    /// hostile.
    pub fn is_transient(&self) -> bool {
        match &self.kind {
            FetchErrorKind::Network | FetchErrorKind::Timeout { .. } => true,
            FetchErrorKind::Status { status } => *status >= 500 || *status == 429,
            FetchErrorKind::TooLarge { .. } | FetchErrorKind::Malformed { .. } => false,
        }
    }

    fn from_http(document: Document, url: &str, error: HttpError, limit: usize) -> Self {
        let kind = match error.kind() {
            HttpErrorKind::BodyTooLarge => FetchErrorKind::TooLarge { limit },
            _ => FetchErrorKind::Network,
        };
        Self {
            document,
            url: url.to_owned(),
            kind,
            source: Some(error),
        }
    }
}

/// `GET url` within `limits` and parse the JSON body, sent once (never retried by a
/// [`RetryingHttpClient`](auth_providers::RetryingHttpClient)).
///
/// The deadline covers the whole exchange; the body limit is passed to the client as a
/// [`ResponseBodyLimit`] and checked again here, so a client that ignores it still cannot
/// hand over a larger document (it can only make us wait for it, up to the deadline).
///
/// # Errors
///
/// A [`FetchError`] of every [`FetchErrorKind`].
pub async fn fetch_json<T: DeserializeOwned>(
    http: &dyn HttpClient,
    document: Document,
    url: &str,
    limits: &FetchLimits,
) -> Result<T, FetchError> {
    let body = fetch(http, document, url, limits, "application/json").await?;
    serde_json::from_slice(&body).map_err(|e| {
        FetchError::new(
            document,
            url,
            FetchErrorKind::Malformed {
                // serde's message names a position or a field, never the body.
                reason: format!("not the expected JSON: {e}"),
            },
        )
    })
}

/// `GET url` within `limits`, sent once: the body as it came (for documents that are not
/// JSON, such as ALB's PEM keys). The same deadline, body limit and retry policy as
/// [`fetch_json`].
pub(crate) async fn fetch(
    http: &dyn HttpClient,
    document: Document,
    url: &str,
    limits: &FetchLimits,
    accept: &'static str,
) -> Result<Vec<u8>, FetchError> {
    let mut request = http::Request::get(url)
        .header(http::header::ACCEPT, accept)
        .body(Vec::new())
        .map_err(|_| {
            FetchError::new(
                document,
                url,
                FetchErrorKind::Malformed {
                    reason: "the URL is not a valid request URI".to_owned(),
                },
            )
        })?;
    request
        .extensions_mut()
        .insert(ResponseBodyLimit(limits.max_body_bytes));
    request.extensions_mut().insert(RetrySafety::Never);
    let response = match tokio::time::timeout(limits.timeout, http.send(request)).await {
        Err(_elapsed) => {
            return Err(FetchError::new(
                document,
                url,
                FetchErrorKind::Timeout {
                    after: limits.timeout,
                },
            ));
        }
        Ok(Err(error)) => {
            return Err(FetchError::from_http(
                document,
                url,
                error,
                limits.max_body_bytes,
            ));
        }
        Ok(Ok(response)) => response,
    };
    if !response.status().is_success() {
        return Err(FetchError::new(
            document,
            url,
            FetchErrorKind::Status {
                status: response.status().as_u16(),
            },
        ));
    }
    let body = response.into_body();
    if body.len() > limits.max_body_bytes {
        return Err(FetchError::new(
            document,
            url,
            FetchErrorKind::TooLarge {
                limit: limits.max_body_bytes,
            },
        ));
    }
    Ok(body)
}
