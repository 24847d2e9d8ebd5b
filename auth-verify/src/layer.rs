//! [`VerifyLayer`]: a tower layer that lets through only requests with a valid bearer token,
//! and hands the verified claims to the service in the request's extensions (feature
//! `tower`).
//!
//! The answers follow RFC 6750 §3: a request without bearer credentials gets 401 with a bare
//! `WWW-Authenticate: Bearer` challenge (no error code, §3.1); a token that does not verify,
//! 401 with `error="invalid_token"`; a genuine token without the required group or scope,
//! 403 with `error="insufficient_scope"`; a malformed `Authorization` header (two of them, a
//! `Bearer` without a token), 400 with `error="invalid_request"`. When the issuer's keys
//! cannot be fetched the answer is 503: the token may well be valid. The description says
//! which check failed ([`VerifyErrorKind`]'s `Display`), never the token.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderValue, Request, Response, StatusCode};
use tower_layer::Layer;
use tower_service::Service;

use crate::bearer::{BearerError, bearer_token};
use crate::error::{VerifyError, VerifyErrorKind};
use crate::verify_trait::Verify;

/// Verifies the `Authorization: Bearer <token>` of every request with a [`Verify`]
/// implementation ([`CognitoVerifier`](crate::CognitoVerifier),
/// [`JwtVerifier`](crate::JwtVerifier), or your own) and puts its claims
/// ([`CognitoClaims`](crate::CognitoClaims), [`Claims`](crate::Claims)) into the request's
/// extensions; refuses the request otherwise, without calling the inner service.
///
/// The inner service's response body must implement `Default` (the refusals have an empty
/// body): axum's, hyper's `Full`/`Empty`, `String`, `Vec<u8>` all do.
///
/// ```
/// use auth_verify::{CognitoClaims, CognitoPool, CognitoVerifier, JwksCache, TokenUse, VerifyLayer};
/// # use auth_providers::{HttpClient, HttpError, HttpFuture, ProviderFuture};
/// # #[derive(Debug)] struct NoNetwork;
/// # impl HttpClient for NoNetwork {
/// #     fn send(&self, _: http::Request<Vec<u8>>) -> HttpFuture<'_> { ProviderFuture::ready(Err(HttpError::connect("offline"))) }
/// # }
/// # let http_client = NoNetwork;
///
/// let verifier = CognitoVerifier::builder(JwksCache::new(http_client))
///     .pool(CognitoPool::new("eu-west-1_AbCdEf123", TokenUse::Access)?.client_id("1example23456789"))
///     .build()?;
/// let layer = VerifyLayer::new(verifier).realm("orders");
/// // ServiceBuilder::new().layer(layer).service(handler), or axum's Router::layer(layer):
/// // handlers read `Extension<CognitoClaims>`.
/// # Ok::<(), auth_verify::VerifyError>(())
/// ```
pub struct VerifyLayer<V: ?Sized> {
    verifier: Arc<V>,
    realm: Option<Arc<str>>,
}

impl<V: ?Sized> Clone for VerifyLayer<V> {
    fn clone(&self) -> Self {
        Self {
            verifier: self.verifier.clone(),
            realm: self.realm.clone(),
        }
    }
}

impl<V: fmt::Debug + ?Sized> fmt::Debug for VerifyLayer<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyLayer")
            .field("verifier", &self.verifier)
            .field("realm", &self.realm)
            .finish()
    }
}

impl<V: Verify> VerifyLayer<V> {
    /// A layer verifying with `verifier`.
    pub fn new(verifier: V) -> Self {
        Self::from_shared(Arc::new(verifier))
    }
}

impl<V: Verify + ?Sized> VerifyLayer<V> {
    /// A layer verifying with a shared verifier (also `Arc<dyn Verify<Claims = …>>`).
    pub fn from_shared(verifier: Arc<V>) -> Self {
        Self {
            verifier,
            realm: None,
        }
    }

    /// The `realm` of the `WWW-Authenticate` challenges (RFC 6750 §3; default none).
    #[must_use]
    pub fn realm(mut self, realm: impl AsRef<str>) -> Self {
        self.realm = Some(realm.as_ref().into());
        self
    }

    /// The verifier.
    pub fn verifier(&self) -> &Arc<V> {
        &self.verifier
    }
}

impl<S, V: ?Sized> Layer<S> for VerifyLayer<V> {
    type Service = VerifyService<S, V>;

    fn layer(&self, inner: S) -> Self::Service {
        VerifyService {
            inner,
            verifier: self.verifier.clone(),
            realm: self.realm.clone(),
        }
    }
}

/// The service of a [`VerifyLayer`].
pub struct VerifyService<S, V: ?Sized> {
    inner: S,
    verifier: Arc<V>,
    realm: Option<Arc<str>>,
}

impl<S: Clone, V: ?Sized> Clone for VerifyService<S, V> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            verifier: self.verifier.clone(),
            realm: self.realm.clone(),
        }
    }
}

impl<S: fmt::Debug, V: fmt::Debug + ?Sized> fmt::Debug for VerifyService<S, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyService")
            .field("inner", &self.inner)
            .field("verifier", &self.verifier)
            .field("realm", &self.realm)
            .finish()
    }
}

/// The future of a [`VerifyService`].
pub type VerifyServiceFuture<R, E> = Pin<Box<dyn Future<Output = Result<R, E>> + Send>>;

impl<S, V, B, ResBody> Service<Request<B>> for VerifyService<S, V>
where
    S: Service<Request<B>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send,
    V: Verify + ?Sized + 'static,
    B: Send + 'static,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = VerifyServiceFuture<Response<ResBody>, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        // The clone may not be ready: call the one that was polled ready, keep the clone.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let verifier = self.verifier.clone();
        let realm = self.realm.clone();
        Box::pin(async move {
            let outcome = match token_of(request.headers()) {
                Ok(token) => verifier.verify(token).await,
                Err(error) => return Ok(bearer_refusal(error, realm.as_deref())),
            };
            match outcome {
                Ok(claims) => {
                    request.extensions_mut().insert(claims);
                    inner.call(request).await
                }
                Err(error) => Ok(refusal(&error, realm.as_deref())),
            }
        })
    }
}

/// The bearer token of the request's one `Authorization` header.
fn token_of(headers: &HeaderMap) -> Result<&str, BearerError> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Err(BearerError::Missing);
    };
    if values.next().is_some() {
        return Err(BearerError::Invalid);
    }
    bearer_token(value.to_str().map_err(|_| BearerError::Invalid)?)
}

fn bearer_refusal<B: Default>(error: BearerError, realm: Option<&str>) -> Response<B> {
    match error {
        BearerError::Missing => {
            tracing::debug!("request without a bearer token refused");
            respond(StatusCode::UNAUTHORIZED, Some(challenge(realm, None)))
        }
        _ => {
            tracing::debug!("request with a malformed Authorization header refused");
            respond(
                StatusCode::BAD_REQUEST,
                Some(challenge(
                    realm,
                    Some(("invalid_request", "malformed Authorization header")),
                )),
            )
        }
    }
}

fn refusal<B: Default>(error: &VerifyError, realm: Option<&str>) -> Response<B> {
    // `VerifyError`'s Display never quotes the token, nor does the kind's.
    let kind = error.kind();
    let description = kind.to_string();
    match kind.http_status() {
        403 => {
            tracing::debug!(%error, "bearer token without the required group or scope");
            respond(
                StatusCode::FORBIDDEN,
                Some(challenge(realm, Some(("insufficient_scope", &description)))),
            )
        }
        503 => {
            tracing::warn!(%error, "bearer token not verified: the keys are unavailable");
            respond(StatusCode::SERVICE_UNAVAILABLE, None)
        }
        _ => {
            tracing::debug!(%error, "bearer token refused");
            respond(
                StatusCode::UNAUTHORIZED,
                Some(challenge(realm, Some(("invalid_token", &description)))),
            )
        }
    }
}

/// The HTTP status a server answers a refused token with (as
/// [`VerifyErrorKind::http_status`]), and the RFC 6750 error code that goes with it, if any.
///
/// ```
/// use auth_verify::{VerifyErrorKind, rfc6750_error};
///
/// assert_eq!(rfc6750_error(VerifyErrorKind::Expired), (401, Some("invalid_token")));
/// assert_eq!(rfc6750_error(VerifyErrorKind::MissingScope), (403, Some("insufficient_scope")));
/// assert_eq!(rfc6750_error(VerifyErrorKind::KeyFetch), (503, None));
/// ```
pub fn rfc6750_error(kind: VerifyErrorKind) -> (u16, Option<&'static str>) {
    match kind.http_status() {
        403 => (403, Some("insufficient_scope")),
        401 => (401, Some("invalid_token")),
        other => (other, None),
    }
}

fn respond<B: Default>(status: StatusCode, challenge: Option<HeaderValue>) -> Response<B> {
    let mut response = Response::new(B::default());
    *response.status_mut() = status;
    if let Some(challenge) = challenge {
        response.headers_mut().insert(WWW_AUTHENTICATE, challenge);
    }
    response
}

/// `Bearer realm="…", error="…", error_description="…"`.
fn challenge(realm: Option<&str>, error: Option<(&str, &str)>) -> HeaderValue {
    let mut params = Vec::new();
    if let Some(realm) = realm {
        params.push(format!("realm=\"{}\"", quote(realm)));
    }
    if let Some((code, description)) = error {
        params.push(format!("error=\"{code}\""));
        params.push(format!("error_description=\"{}\"", quote(description)));
    }
    let value = if params.is_empty() {
        "Bearer".to_owned()
    } else {
        format!("Bearer {}", params.join(", "))
    };
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("Bearer"))
}

/// The inside of a quoted-string: printable ASCII, `"` and `\` escaped, the rest dropped.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            _ => {}
        }
    }
    out
}
