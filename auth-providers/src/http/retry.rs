//! [`RetryingHttpClient`]: retries throttling, 5xx and transport errors when it is safe.
//!
//! # What is retried
//!
//! | outcome | retried when |
//! |---|---|
//! | connect error (nothing was sent) | always |
//! | 429, or 400 with `ThrottlingException` / `TooManyRequestsException` | always: the server refused the request without acting on it |
//! | 500, 502, 503, 504 | the request is idempotent |
//! | timeout or broken connection after sending | the request is idempotent |
//! | anything else | never |
//!
//! A request with [`RetrySafety::Never`] is sent once, whatever happens: its caller has a
//! retry policy of its own (the JWKS key cache rate-limits and backs off per URL, and a
//! retry here would multiply every fetch it allows).
//!
//! A request is idempotent if it carries a [`RetrySafety`] extension saying so, else if its
//! method is idempotent (GET, HEAD, PUT, DELETE, OPTIONS), else if it is a Cognito call
//! (`X-Amz-Target`) in the list below. Every Cognito call is a POST, so the list matters:
//!
//! * safe to replay: `GetUser`, `ListDevices`, `GetDevice`, `SetUserMFAPreference`,
//!   `UpdateDeviceStatus`, `GlobalSignOut`, `RevokeToken` (user pools) and
//!   `GetCredentialsForIdentity`, `GetOpenIdToken` (identity pools): reads, or writes whose
//!   second application changes nothing;
//! * **not** safe: `InitiateAuth` and `RespondToAuthChallenge` (a replay consumes a
//!   challenge session or a one-time code, or counts a failed password attempt),
//!   `GetTokensFromRefreshToken` (with rotation a replay invalidates the new refresh token),
//!   `SignUp`, `ConfirmSignUp`, `ResendConfirmationCode`, `ForgotPassword`,
//!   `ConfirmForgotPassword`, `ChangePassword`, `AssociateSoftwareToken`,
//!   `VerifySoftwareToken`, `ConfirmDevice`, `UpdateUserAttributes` (sends codes),
//!   `DeleteUser`, `GetId` (creates a new guest identity each time), and anything unknown.

use std::time::Duration;

use rand::Rng as _;

use super::{HttpClient, HttpError, HttpErrorKind, HttpFuture};
use crate::future::ProviderFuture;
use crate::time::{SharedSleep, Sleep as _};

/// Cognito operations (the part of `X-Amz-Target` after the dot) that are safe to replay.
const IDEMPOTENT_OPERATIONS: &[&str] = &[
    "GetUser",
    "ListDevices",
    "GetDevice",
    "SetUserMFAPreference",
    "UpdateDeviceStatus",
    "GlobalSignOut",
    "RevokeToken",
    "GetCredentialsForIdentity",
    "GetOpenIdToken",
];

/// Overrides the retry layer's idempotency guess for one request; put it in the request's
/// extensions.
///
/// ```
/// use auth_providers::RetrySafety;
/// let mut request = http::Request::new(Vec::<u8>::new());
/// request.extensions_mut().insert(RetrySafety::Idempotent);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetrySafety {
    /// Replaying the request after the server may have acted on it is harmless.
    Idempotent,
    /// Never replay once sent (connect errors and throttling are still retried).
    NotIdempotent,
    /// Send once and never retry, not even a connect error or throttling: the caller has
    /// its own retry policy.
    Never,
}

/// The knobs of [`RetryingHttpClient`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Attempts in total, the first included (default 3; 1 disables retries).
    pub max_attempts: u32,
    /// Backoff before the first retry, doubled for each further one (default 100 ms).
    pub initial_backoff: Duration,
    /// The longest backoff, also the cap on a server's `Retry-After` (default 5 s).
    pub max_backoff: Duration,
    /// Retry throttling responses (default true).
    pub retry_throttling: bool,
    /// Retry 5xx responses of idempotent requests (default true).
    pub retry_server_errors: bool,
    /// Retry timeouts and broken connections of idempotent requests (default true).
    pub retry_transport_errors: bool,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            retry_throttling: true,
            retry_server_errors: true,
            retry_transport_errors: true,
        }
    }
}

impl RetryConfig {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`RetryConfig::max_attempts`] (at least 1).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets [`RetryConfig::initial_backoff`].
    #[must_use]
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Sets [`RetryConfig::max_backoff`].
    #[must_use]
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Sets [`RetryConfig::retry_throttling`].
    #[must_use]
    pub fn retry_throttling(mut self, retry: bool) -> Self {
        self.retry_throttling = retry;
        self
    }

    /// Sets [`RetryConfig::retry_server_errors`].
    #[must_use]
    pub fn retry_server_errors(mut self, retry: bool) -> Self {
        self.retry_server_errors = retry;
        self
    }

    /// Sets [`RetryConfig::retry_transport_errors`].
    #[must_use]
    pub fn retry_transport_errors(mut self, retry: bool) -> Self {
        self.retry_transport_errors = retry;
        self
    }
}

/// Wraps any [`HttpClient`] with bounded, jittered exponential-backoff retries.
///
/// ```
/// use std::time::Duration;
/// use auth_providers::{HttpClient, HttpError, HttpFuture, ProviderFuture, RetryConfig, RetryingHttpClient};
///
/// #[derive(Debug)]
/// struct Offline;
/// impl HttpClient for Offline {
///     fn send(&self, _: http::Request<Vec<u8>>) -> HttpFuture<'_> {
///         ProviderFuture::ready(Err(HttpError::connect("offline")))
///     }
/// }
///
/// let client = RetryingHttpClient::new(Offline, RetryConfig::new().max_attempts(2).initial_backoff(Duration::from_millis(1)));
/// # let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
/// assert!(rt.block_on(client.send(http::Request::new(Vec::new()))).unwrap_err().is_connect());
/// ```
#[derive(Debug, Clone)]
pub struct RetryingHttpClient<C> {
    inner: C,
    config: RetryConfig,
    sleep: SharedSleep,
}

impl<C: HttpClient> RetryingHttpClient<C> {
    /// Retries `inner`'s requests per `config`, waiting on tokio's timer.
    pub fn new(inner: C, config: RetryConfig) -> Self {
        Self {
            inner,
            config,
            sleep: SharedSleep::default(),
        }
    }

    /// Waits with `sleep` instead (a manual clock in tests).
    #[must_use]
    pub fn with_sleep(mut self, sleep: SharedSleep) -> Self {
        self.sleep = sleep;
        self
    }

    /// The wrapped client.
    pub fn inner(&self) -> &C {
        &self.inner
    }

    fn backoff(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(after) = retry_after {
            return after.min(self.config.max_backoff);
        }
        let exp = self
            .config
            .initial_backoff
            .saturating_mul(1u32.checked_shl(retry).unwrap_or(u32::MAX))
            .min(self.config.max_backoff);
        exp.mul_f64(rand::thread_rng().gen_range(0.5..=1.0))
    }

    async fn send_with_retries(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, HttpError> {
        if request.extensions().get::<RetrySafety>() == Some(&RetrySafety::Never) {
            return self.inner.send(request).await;
        }
        let idempotent = is_idempotent(&request);
        let mut attempt = 1;
        loop {
            let last = attempt >= self.config.max_attempts;
            let to_send = if last {
                // The final attempt may consume the original.
                None
            } else {
                Some(copy_request(&request))
            };
            let outcome = match to_send {
                Some(copy) => self.inner.send(copy).await,
                None => return self.inner.send(request).await,
            };
            let (retry, retry_after) = match &outcome {
                Ok(response) => (
                    self.should_retry_response(response, idempotent),
                    retry_after(response),
                ),
                Err(e) => (self.should_retry_error(e, idempotent), None),
            };
            if !retry {
                return outcome;
            }
            let wait = self.backoff(attempt - 1, retry_after);
            tracing::debug!(
                attempt,
                ?wait,
                status = outcome.as_ref().ok().map(|r| r.status().as_u16()),
                error = outcome.as_ref().err().map(|e| e.kind().to_string()),
                "retrying HTTP request"
            );
            self.sleep.sleep(wait).await;
            attempt += 1;
        }
    }

    fn should_retry_response(&self, response: &http::Response<Vec<u8>>, idempotent: bool) -> bool {
        let status = response.status().as_u16();
        if is_throttling(response) {
            return self.config.retry_throttling;
        }
        matches!(status, 500 | 502 | 503 | 504) && idempotent && self.config.retry_server_errors
    }

    fn should_retry_error(&self, error: &HttpError, idempotent: bool) -> bool {
        match error.kind() {
            HttpErrorKind::Connect => true,
            HttpErrorKind::Timeout | HttpErrorKind::Io => {
                idempotent && self.config.retry_transport_errors
            }
            _ => false,
        }
    }
}

impl<C: HttpClient> HttpClient for RetryingHttpClient<C> {
    fn send(&self, request: http::Request<Vec<u8>>) -> HttpFuture<'_> {
        ProviderFuture::new(self.send_with_retries(request))
    }
}

/// Whether a request may be replayed after the server may have acted on it.
pub(crate) fn is_idempotent<B>(request: &http::Request<B>) -> bool {
    if let Some(safety) = request.extensions().get::<RetrySafety>() {
        return *safety == RetrySafety::Idempotent;
    }
    if request.method().is_idempotent() {
        return true;
    }
    request
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|target| target.rsplit('.').next())
        .is_some_and(|op| IDEMPOTENT_OPERATIONS.contains(&op))
}

fn is_throttling(response: &http::Response<Vec<u8>>) -> bool {
    let status = response.status().as_u16();
    if status == 429 {
        return true;
    }
    if status != 400 {
        return false;
    }
    let is_throttle_type =
        |t: &str| t.contains("ThrottlingException") || t.contains("TooManyRequestsException");
    if let Some(t) = response
        .headers()
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
    {
        return is_throttle_type(t);
    }
    #[derive(serde::Deserialize)]
    struct ErrorBody {
        #[serde(rename = "__type", default)]
        kind: String,
    }
    serde_json::from_slice::<ErrorBody>(response.body()).is_ok_and(|b| is_throttle_type(&b.kind))
}

fn retry_after(response: &http::Response<Vec<u8>>) -> Option<Duration> {
    response
        .headers()
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

fn copy_request(request: &http::Request<Vec<u8>>) -> http::Request<Vec<u8>> {
    let mut copy = http::Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    // Every extension travels with each attempt (a `ResponseBodyLimit`, a `RetrySafety`, …).
    *copy.extensions_mut() = request.extensions().clone();
    copy
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cognito(op: &str) -> http::Request<Vec<u8>> {
        http::Request::post("https://cognito-idp.eu-west-1.amazonaws.com/")
            .header(
                "x-amz-target",
                format!("AWSCognitoIdentityProviderService.{op}"),
            )
            .body(Vec::new())
            .unwrap()
    }

    #[test]
    fn idempotency_follows_the_documented_list() {
        assert!(is_idempotent(&cognito("GetUser")));
        assert!(!is_idempotent(&cognito("RespondToAuthChallenge")));
        assert!(!is_idempotent(&cognito("GetTokensFromRefreshToken")));
        assert!(is_idempotent(&http::Request::get("/").body(()).unwrap()));
        let mut forced = cognito("InitiateAuth");
        forced.extensions_mut().insert(RetrySafety::Idempotent);
        assert!(is_idempotent(&forced));
        let mut refused = http::Request::get("/").body(()).unwrap();
        refused.extensions_mut().insert(RetrySafety::NotIdempotent);
        assert!(!is_idempotent(&refused));
    }

    #[test]
    fn throttling_is_recognised_by_header_body_or_429() {
        let r = |status: u16, body: &str| {
            http::Response::builder()
                .status(status)
                .body(body.as_bytes().to_vec())
                .unwrap()
        };
        assert!(is_throttling(&r(429, "")));
        assert!(is_throttling(&r(
            400,
            r#"{"__type":"com.amazonaws#TooManyRequestsException"}"#
        )));
        assert!(is_throttling(&r(
            400,
            r#"{"__type":"ThrottlingException"}"#
        )));
        assert!(!is_throttling(&r(
            400,
            r#"{"__type":"NotAuthorizedException"}"#
        )));
        let mut h = r(400, "");
        h.headers_mut().insert(
            "x-amzn-errortype",
            "ThrottlingException:http://internal".parse().unwrap(),
        );
        assert!(is_throttling(&h));
    }
}
