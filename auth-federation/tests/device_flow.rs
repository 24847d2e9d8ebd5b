//! The device authorization grant (RFC 8628) against a wiremock provider: the polling loop
//! (`authorization_pending`, `slow_down`, `access_denied`, `expired_token`), and the ID token
//! of an approved device validated like any other. The happy path against a real provider is
//! in peer_device_flow.rs.
//!
//! `poll_device_authorization` waits with `tokio::time::sleep`, so these tests run on tokio's
//! paused clock: a 7-second wait takes no real time, and the instant of every token request,
//! read on that clock, shows the interval the client kept. The HTTP itself runs on a separate
//! real-time runtime ([`OffClock`]) and the test's runtime blocks until it is answered, so
//! neither the client's connect and read timeouts nor the discovery and JWKS deadlines (on
//! the paused clock) can fire while the paused clock jumps.
#![cfg(feature = "oidc")]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use auth_core::oauth::TokenEndpointError;
use auth_federation::oidc::{IdTokenError, OidcClient, OidcConfig, OidcError, ProviderMetadata};
use auth_providers::{HttpClient, HttpFuture, ProviderFuture, ReqwestHttpClient, SharedHttpClient};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::json;
use tokio::time::Instant;
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const CLIENT_ID: &str = "native-app";
const DEVICE_CODE: &str = "GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS";
const DEVICE_GRANT: &str = "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code";

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// An ID token for alice from `issuer`, signed with test key A.
fn id_token(issuer: &str, aud: &str) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("key-a".to_owned());
    let key = EncodingKey::from_rsa_pem(fixture("rsa_a.pem").as_bytes()).unwrap();
    let claims = json!({
        "iss": issuer,
        "aud": aud,
        "sub": "alice",
        "iat": now(),
        "exp": now() + 300,
    });
    encode(&header, &claims, &key).unwrap()
}

/// A runtime on the real clock for the HTTP traffic; never dropped.
fn io_runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap()
    })
}

/// An [`HttpClient`] that sends on [`io_runtime`] and notes, on the test's (paused) clock,
/// when each request to the token endpoint left.
#[derive(Debug, Clone)]
struct OffClock {
    inner: ReqwestHttpClient,
    token_requests: Arc<Mutex<Vec<Instant>>>,
}

impl OffClock {
    fn new() -> Self {
        Self {
            inner: ReqwestHttpClient::builder().build().unwrap(),
            token_requests: Arc::default(),
        }
    }

    /// The waits between consecutive token requests.
    fn gaps(&self) -> Vec<Duration> {
        let at = self.token_requests.lock().unwrap();
        at.windows(2).map(|w| w[1] - w[0]).collect()
    }

    fn polls(&self) -> usize {
        self.token_requests.lock().unwrap().len()
    }
}

impl HttpClient for OffClock {
    fn send(&self, request: http::Request<Vec<u8>>) -> HttpFuture<'_> {
        if request.uri().path() == "/token" {
            self.token_requests.lock().unwrap().push(Instant::now());
        }
        let inner = self.inner.clone();
        // Answered before the future is returned: the paused clock cannot move meanwhile
        // (an idle paused runtime would jump to the next timer, the fetch deadline).
        let (tx, rx) = std::sync::mpsc::channel();
        io_runtime().spawn(async move {
            let _ = tx.send(inner.send(request).await);
        });
        ProviderFuture::ready(rx.recv().expect("the HTTP task panicked"))
    }
}

/// Token-endpoint answers in order; the last one repeats.
struct Sequence(Mutex<VecDeque<ResponseTemplate>>);

impl Sequence {
    fn new(answers: impl IntoIterator<Item = ResponseTemplate>) -> Self {
        Self(Mutex::new(answers.into_iter().collect()))
    }
}

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut answers = self.0.lock().unwrap();
        if answers.len() > 1 {
            answers.pop_front().unwrap()
        } else {
            answers.front().unwrap().clone()
        }
    }
}

fn oauth_error(error: &str) -> ResponseTemplate {
    ResponseTemplate::new(400).set_body_json(json!({
        "error": error,
        "error_description": format!("the provider says {error}"),
    }))
}

fn tokens(issuer: &str, aud: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "access_token": "opaque-access-token",
        "id_token": id_token(issuer, aud),
        "refresh_token": "opaque-refresh-token",
        "token_type": "Bearer",
        "expires_in": 300,
        "scope": "openid offline_access",
    }))
}

/// A provider with discovery, JWKS (key A) and a device endpoint answering `device`.
async fn provider(device: serde_json::Value) -> MockServer {
    let server = MockServer::start().await;
    let uri = server.uri();
    Mock::given(method("GET"))
        .and(path("/.well-known/openid-configuration"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "issuer": uri,
            "authorization_endpoint": format!("{uri}/authorize"),
            "token_endpoint": format!("{uri}/token"),
            "jwks_uri": format!("{uri}/jwks"),
            "device_authorization_endpoint": format!("{uri}/device/auth"),
        })))
        .mount(&server)
        .await;
    let key: serde_json::Value = serde_json::from_str(&fixture("jwk_a.json")).unwrap();
    Mock::given(method("GET"))
        .and(path("/jwks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "keys": [key] })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/device/auth"))
        .and(body_string_contains("client_id=native-app"))
        .respond_with(ResponseTemplate::new(200).set_body_json(device))
        .mount(&server)
        .await;
    server
}

fn device_response(interval: Option<u64>, expires_in: u64) -> serde_json::Value {
    let mut body = json!({
        "device_code": DEVICE_CODE,
        "user_code": "WDJB-MJHT",
        "verification_uri": "https://example.com/device",
        "verification_uri_complete": "https://example.com/device?user_code=WDJB-MJHT",
        "expires_in": expires_in,
    });
    if let Some(interval) = interval {
        body["interval"] = json!(interval);
    }
    body
}

/// The token endpoint, only for device-code grants of our device code.
async fn token_endpoint(server: &MockServer, answers: Sequence) {
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(body_string_contains(format!("grant_type={DEVICE_GRANT}")))
        .and(body_string_contains(format!("device_code={DEVICE_CODE}")))
        .respond_with(answers)
        .mount(server)
        .await;
}

async fn client(server: &MockServer, http: &OffClock) -> OidcClient {
    let config = OidcConfig::builder()
        .issuer(server.uri())
        .client_id(CLIENT_ID)
        .build()
        .unwrap();
    OidcClient::discover(config, http.clone()).await.unwrap()
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// Each gap is the expected wait (the paused clock moves only while the poller sleeps).
fn assert_gaps(http: &OffClock, expected: &[u64]) {
    let gaps = http.gaps();
    assert_eq!(gaps.len(), expected.len(), "waits between polls: {gaps:?}");
    for (gap, want) in gaps.iter().zip(expected) {
        assert!(
            *gap >= secs(*want) && *gap < secs(*want) + Duration::from_millis(500),
            "waits between polls {gaps:?}, expected {expected:?} seconds"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn authorization_pending_polls_at_the_interval_until_approved() {
    let server = provider(device_response(Some(3), 600)).await;
    let issuer = server.uri();
    token_endpoint(
        &server,
        Sequence::new([
            oauth_error("authorization_pending"),
            oauth_error("authorization_pending"),
            tokens(&issuer, CLIENT_ID),
        ]),
    )
    .await;
    let http = OffClock::new();
    let client = client(&server, &http).await;

    let authorization = client.start_device_authorization().await.unwrap();
    assert_eq!(authorization.user_code, "WDJB-MJHT");
    assert_eq!(authorization.verification_uri, "https://example.com/device");
    assert_eq!(
        authorization.verification_uri_complete.as_deref(),
        Some("https://example.com/device?user_code=WDJB-MJHT")
    );
    assert_eq!(authorization.interval, secs(3));
    let tokens = client
        .poll_device_authorization(&authorization)
        .await
        .unwrap();

    assert_eq!(http.polls(), 3);
    assert_gaps(&http, &[3, 3]);
    assert_eq!(tokens.id_token.subject(), "alice");
    assert_eq!(tokens.access_token.expose(), "opaque-access-token");
    assert_eq!(
        tokens.refresh_token.as_ref().map(|t| t.as_str()),
        Some("opaque-refresh-token")
    );
    assert_eq!(tokens.scope.as_deref(), Some("openid offline_access"));
}

#[tokio::test(start_paused = true)]
async fn slow_down_adds_five_seconds_to_the_interval_for_good() {
    let server = provider(device_response(Some(2), 600)).await;
    let issuer = server.uri();
    token_endpoint(
        &server,
        Sequence::new([
            oauth_error("authorization_pending"),
            oauth_error("slow_down"),
            oauth_error("authorization_pending"),
            oauth_error("slow_down"),
            tokens(&issuer, CLIENT_ID),
        ]),
    )
    .await;
    let http = OffClock::new();
    let client = client(&server, &http).await;

    let authorization = client.start_device_authorization().await.unwrap();
    let tokens = client
        .poll_device_authorization(&authorization)
        .await
        .unwrap();

    // 2 s, then 2 + 5 after the first slow_down (kept after the next pending), then + 5 again.
    assert_gaps(&http, &[2, 7, 7, 12]);
    assert_eq!(tokens.id_token.subject(), "alice");
}

#[tokio::test(start_paused = true)]
async fn without_an_interval_the_client_polls_every_five_seconds() {
    // RFC 8628 §3.2: the default interval is 5 s (oidc-provider sends none).
    let server = provider(device_response(None, 600)).await;
    let issuer = server.uri();
    token_endpoint(
        &server,
        Sequence::new([
            oauth_error("authorization_pending"),
            tokens(&issuer, CLIENT_ID),
        ]),
    )
    .await;
    let http = OffClock::new();
    let client = client(&server, &http).await;

    let authorization = client.start_device_authorization().await.unwrap();
    assert_eq!(authorization.interval, secs(5));
    client
        .poll_device_authorization(&authorization)
        .await
        .unwrap();
    assert_gaps(&http, &[5]);
}

#[tokio::test(start_paused = true)]
async fn access_denied_ends_polling_with_a_typed_error() {
    let server = provider(device_response(Some(1), 600)).await;
    token_endpoint(
        &server,
        Sequence::new([
            oauth_error("authorization_pending"),
            oauth_error("access_denied"),
            // Never reached: a client that kept polling would get tokens here.
            tokens(&server.uri(), CLIENT_ID),
        ]),
    )
    .await;
    let http = OffClock::new();
    let client = client(&server, &http).await;

    let authorization = client.start_device_authorization().await.unwrap();
    let error = client
        .poll_device_authorization(&authorization)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, OidcError::TokenEndpoint(TokenEndpointError::OAuth { error, description })
            if error == "access_denied"
                && description.as_deref() == Some("the provider says access_denied")),
        "{error:?}"
    );
    assert_eq!(error.oauth_error(), Some("access_denied"));
    assert!(!error.is_transient());
    assert_eq!(http.polls(), 2);
}

#[tokio::test(start_paused = true)]
async fn expired_token_from_the_provider_ends_polling_with_a_typed_error() {
    let server = provider(device_response(Some(1), 600)).await;
    token_endpoint(
        &server,
        Sequence::new([
            oauth_error("slow_down"),
            oauth_error("expired_token"),
            tokens(&server.uri(), CLIENT_ID),
        ]),
    )
    .await;
    let http = OffClock::new();
    let client = client(&server, &http).await;

    let authorization = client.start_device_authorization().await.unwrap();
    let error = client
        .poll_device_authorization(&authorization)
        .await
        .unwrap_err();
    assert_eq!(error.oauth_error(), Some("expired_token"), "{error:?}");
    assert_eq!(http.polls(), 2);
    assert_gaps(&http, &[6]);
}

#[tokio::test(start_paused = true)]
async fn codes_that_expire_while_polling_end_it_with_a_typed_error() {
    // The user never approves: the codes live 12 seconds, polled every 5. Expiry is measured
    // on the same clock the poller sleeps on, so the paused clock ends it too.
    let server = provider(device_response(Some(5), 12)).await;
    token_endpoint(
        &server,
        Sequence::new([oauth_error("authorization_pending")]),
    )
    .await;
    let http = OffClock::new();
    let client = client(&server, &http).await;

    let authorization = client.start_device_authorization().await.unwrap();
    // A watchdog in real time (a paused-clock timeout would fire while a request is out).
    let watchdog = io_runtime().spawn(async { tokio::time::sleep(secs(30)).await });
    let error = tokio::select! {
        polled = client.poll_device_authorization(&authorization) => polled.unwrap_err(),
        _ = watchdog => panic!("polling went on after the codes expired"),
    };
    assert!(
        matches!(&error, OidcError::TokenEndpoint(TokenEndpointError::OAuth { error, .. }) if error == "expired_token"),
        "{error:?}"
    );
    assert_eq!(
        http.polls(),
        3,
        "polled at 0, 5 and 10 seconds, not after 12"
    );
}

#[tokio::test(start_paused = true)]
async fn codes_already_expired_are_not_polled() {
    let server = provider(device_response(Some(1), 0)).await;
    token_endpoint(&server, Sequence::new([tokens(&server.uri(), CLIENT_ID)])).await;
    let http = OffClock::new();
    let client = client(&server, &http).await;

    let authorization = client.start_device_authorization().await.unwrap();
    let error = client
        .poll_device_authorization(&authorization)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, OidcError::TokenEndpoint(TokenEndpointError::OAuth { error, .. }) if error == "expired_token"),
        "{error:?}"
    );
    assert_eq!(http.polls(), 0, "a dead device code was sent");
}

#[tokio::test(start_paused = true)]
async fn an_approved_device_gets_no_tokens_when_the_id_token_is_not_for_this_client() {
    let server = provider(device_response(Some(1), 600)).await;
    token_endpoint(
        &server,
        Sequence::new([tokens(&server.uri(), "another-client")]),
    )
    .await;
    let http = OffClock::new();
    let client = client(&server, &http).await;

    let authorization = client.start_device_authorization().await.unwrap();
    let error = client
        .poll_device_authorization(&authorization)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            OidcError::InvalidIdToken(IdTokenError::InvalidAudience)
        ),
        "{error:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_token_response_without_an_id_token_is_refused() {
    let server = provider(device_response(Some(1), 600)).await;
    token_endpoint(
        &server,
        Sequence::new([ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "opaque-access-token",
            "token_type": "Bearer",
        }))]),
    )
    .await;
    let http = OffClock::new();
    let client = client(&server, &http).await;

    let authorization = client.start_device_authorization().await.unwrap();
    let error = client
        .poll_device_authorization(&authorization)
        .await
        .unwrap_err();
    assert!(matches!(error, OidcError::MissingIdToken), "{error:?}");
}

#[tokio::test]
async fn a_provider_without_a_device_endpoint_is_a_configuration_error() {
    let server = MockServer::start().await;
    let uri = server.uri();
    Mock::given(method("GET"))
        .and(path("/.well-known/openid-configuration"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "issuer": uri,
            "authorization_endpoint": format!("{uri}/authorize"),
            "token_endpoint": format!("{uri}/token"),
            "jwks_uri": format!("{uri}/jwks"),
        })))
        .mount(&server)
        .await;
    let config = OidcConfig::builder()
        .issuer(uri)
        .client_id(CLIENT_ID)
        .build()
        .unwrap();
    let client = OidcClient::discover(config, ReqwestHttpClient::builder().build().unwrap())
        .await
        .unwrap();
    let error = client.start_device_authorization().await.unwrap_err();
    assert!(
        matches!(error, OidcError::InvalidConfiguration(_)),
        "{error:?}"
    );
}

/// Auth0's device login: the `audience` goes with the device authorization request, and the
/// ID token must come from `https://<domain>/` (the tenant itself is simulated: its
/// endpoints are this wiremock server's).
#[cfg(feature = "auth0")]
#[tokio::test(start_paused = true)]
async fn auth0_device_login_sends_the_audience_and_validates_the_tenant_token() {
    use auth_federation::auth0::Auth0;

    let server = provider(device_response(None, 900)).await;
    Mock::given(method("POST"))
        .and(path("/device/auth"))
        .and(body_string_contains(
            "audience=https%3A%2F%2Fapi.example.com",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "device_code": DEVICE_CODE,
            "user_code": "KDFL-QPZR",
            "verification_uri": "https://tenant.eu.auth0.com/activate",
            "verification_uri_complete": "https://tenant.eu.auth0.com/activate?user_code=KDFL-QPZR",
            "expires_in": 900,
            "interval": 5,
        })))
        .with_priority(1)
        .mount(&server)
        .await;
    let auth0 = Auth0::new("tenant.eu.auth0.com", CLIENT_ID).audience("https://api.example.com");
    token_endpoint(
        &server,
        Sequence::new([
            oauth_error("authorization_pending"),
            tokens(&auth0.issuer(), CLIENT_ID),
        ]),
    )
    .await;
    let uri = server.uri();
    let metadata: ProviderMetadata = serde_json::from_value(json!({
        "issuer": auth0.issuer(),
        "authorization_endpoint": format!("{uri}/authorize"),
        "token_endpoint": format!("{uri}/token"),
        "jwks_uri": format!("{uri}/jwks"),
        "device_authorization_endpoint": format!("{uri}/device/auth"),
    }))
    .unwrap();
    let http = OffClock::new();
    let client = OidcClient::from_metadata(
        auth0.config().unwrap(),
        metadata,
        SharedHttpClient::new(http.clone()),
    )
    .unwrap();

    let authorization = client.start_device_authorization().await.unwrap();
    assert_eq!(
        authorization.user_code, "KDFL-QPZR",
        "the audience was not sent"
    );
    let tokens = client
        .poll_device_authorization(&authorization)
        .await
        .unwrap();
    assert_gaps(&http, &[5]);
    assert_eq!(tokens.id_token.subject(), "alice");
    assert_eq!(
        auth_federation::logins::id_token_key(tokens.id_token.jwt()).unwrap(),
        "tenant.eu.auth0.com"
    );
}
