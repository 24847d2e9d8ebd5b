//! The HTTP client and the retry layer under faults injected with wiremock (5xx, throttling,
//! slow peers) and a raw socket (a truncated body). Happy paths run against real peers.
#![cfg(feature = "reqwest")]

use std::time::Duration;

use auth_providers::{
    HttpClient, HttpErrorKind, ManualTimeSource, ReqwestHttpClient, RetryConfig, RetryingHttpClient,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn cognito(uri: &str, op: &str) -> http::Request<Vec<u8>> {
    http::Request::post(uri)
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "x-amz-target",
            format!("AWSCognitoIdentityProviderService.{op}"),
        )
        .body(b"{}".to_vec())
        .unwrap()
}

fn retrying(clock: &ManualTimeSource) -> RetryingHttpClient<ReqwestHttpClient> {
    let client = ReqwestHttpClient::builder()
        .read_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    RetryingHttpClient::new(
        client,
        RetryConfig::new()
            .max_attempts(4)
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_secs(1)),
    )
    .with_sleep(clock.sleep())
}

fn clock() -> ManualTimeSource {
    ManualTimeSource::new(std::time::UNIX_EPOCH)
}

#[tokio::test]
async fn server_errors_are_retried_for_idempotent_calls_with_bounded_jittered_backoff() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"Username":"alice"}"#))
        .mount(&server)
        .await;
    let clock = clock();
    let response = retrying(&clock)
        .send(cognito(&server.uri(), "GetUser"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let slept = clock.slept();
    assert_eq!(slept.len(), 2);
    assert!(slept[0] >= Duration::from_millis(50) && slept[0] <= Duration::from_millis(100));
    assert!(slept[1] >= Duration::from_millis(100) && slept[1] <= Duration::from_millis(200));
}

#[tokio::test]
async fn server_errors_are_not_retried_for_calls_that_are_unsafe_to_replay() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .expect(1)
        .mount(&server)
        .await;
    let clock = clock();
    let response = retrying(&clock)
        .send(cognito(&server.uri(), "RespondToAuthChallenge"))
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    assert!(clock.slept().is_empty());
}

#[tokio::test]
async fn throttling_is_retried_even_for_unsafe_calls_and_gives_up_after_max_attempts() {
    let server = MockServer::start().await;
    Mock::given(header(
        "x-amz-target",
        "AWSCognitoIdentityProviderService.InitiateAuth",
    ))
    .respond_with(
        ResponseTemplate::new(400)
            .set_body_string(r#"{"__type":"TooManyRequestsException","message":"Rate exceeded"}"#),
    )
    .expect(4)
    .mount(&server)
    .await;
    let clock = clock();
    let response = retrying(&clock)
        .send(cognito(&server.uri(), "InitiateAuth"))
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        400,
        "the last throttling answer is returned"
    );
    let slept = clock.slept();
    assert_eq!(slept.len(), 3);
    assert!(slept.iter().all(|d| *d <= Duration::from_secs(1)));
}

#[tokio::test]
async fn status_429_honours_retry_after_up_to_the_cap() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "120"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let clock = clock();
    let r = retrying(&clock)
        .send(cognito(&server.uri(), "SignUp"))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(clock.slept(), vec![Duration::from_secs(1)]);
}

#[tokio::test]
async fn a_slow_peer_is_a_timeout_and_is_not_replayed_when_unsafe() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .expect(1)
        .mount(&server)
        .await;
    let clock = clock();
    let err = retrying(&clock)
        .send(cognito(&server.uri(), "GetTokensFromRefreshToken"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), HttpErrorKind::Timeout, "{err:?}");
    assert!(clock.slept().is_empty());
}

#[tokio::test]
async fn a_slow_peer_is_retried_when_the_call_is_idempotent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let clock = clock();
    let r = retrying(&clock)
        .send(cognito(&server.uri(), "GetCredentialsForIdentity"))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(clock.slept().len(), 1);
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error_and_always_retried() {
    // Bind then drop a listener: the port is (almost certainly) closed now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let clock = clock();
    let err = retrying(&clock)
        .send(cognito(
            &format!("http://127.0.0.1:{port}/"),
            "RespondToAuthChallenge",
        ))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), HttpErrorKind::Connect, "{err:?}");
    assert_eq!(clock.slept().len(), 3, "connect errors are safe to retry");
}

#[tokio::test]
async fn a_truncated_body_is_an_io_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 4096];
        let _ = socket.read(&mut buf).await;
        socket
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"partial\":")
            .await
            .unwrap();
        // Close with 89 bytes missing.
    });
    let client = ReqwestHttpClient::builder().build().unwrap();
    let err = client
        .send(cognito(&format!("http://{addr}/"), "GetUser"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), HttpErrorKind::Io, "{err:?}");
    assert!(std::error::Error::source(&err).is_some());
}
