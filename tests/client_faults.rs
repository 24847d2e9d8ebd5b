//! Fault injection with wiremock (in-process, no peers needed): HTML 500 pages, throttling,
//! and a peer that disappears in the middle of a sign-in. Every failure is a typed error and
//! stored tokens are kept.
#![cfg(feature = "client")]

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use auth::Auth;
use auth::client::{AuthError, SignInOptions};
use auth::core::config::UserPoolConfig;
use auth::core::machine::sign_in::{Answer, ConfirmOptions, SignInFlow, SignInStep};
use auth::core::tokens::{AuthTokens, Jwt, RefreshToken};
use auth::core::wire::ErrorKind;
use auth::hub::AuthEvent;
use auth::providers::{
    ManualTimeSource, MemoryStorage, ReqwestHttpClient, RetryConfig, RetryingHttpClient,
    SharedKeyValueStorage, TokenStore,
};
use base64::Engine as _;
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

const START: u64 = 1_800_000_000;

fn config(server: &str) -> UserPoolConfig {
    UserPoolConfig::builder()
        .pool_id("us-east-1_Faults")
        .client_id("faults-client")
        .endpoint(server)
        .build()
        .unwrap()
}

fn jwt(claims: &serde_json::Value) -> Jwt {
    let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    Jwt::decode(format!(
        "{}.{}.c2ln",
        b64(br#"{"alg":"RS256"}"#),
        b64(claims.to_string().as_bytes())
    ))
    .unwrap()
}

/// An `Auth` against `server`, with a signed-in user whose tokens expired.
async fn signed_in_with_expired_tokens(
    server: &str,
) -> (
    Auth,
    MemoryStorage,
    Arc<Mutex<Vec<String>>>,
    auth::hub::Subscription,
) {
    let clock = ManualTimeSource::new(SystemTime::UNIX_EPOCH + Duration::from_secs(START));
    let storage = MemoryStorage::new();
    let access = jwt(&serde_json::json!({"sub": "s-1", "username": "alice",
        "iat": START - 7200, "exp": START - 3600, "token_use": "access"}));
    let tokens = AuthTokens::new(
        access,
        SystemTime::UNIX_EPOCH + Duration::from_secs(START - 7200),
    )
    .with_refresh_token(RefreshToken::new("refresh-1"));
    TokenStore::new(SharedKeyValueStorage::new(storage.clone()), "faults-client")
        .store(&tokens)
        .await
        .unwrap();
    let auth = Auth::builder()
        .user_pool(config(server))
        .storage(storage.clone())
        .time_source(clock)
        .http_client(RetryingHttpClient::new(
            ReqwestHttpClient::builder().build().unwrap(),
            RetryConfig::new()
                .max_attempts(2)
                .initial_backoff(Duration::from_millis(1)),
        ))
        .build()
        .unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let source = auth.event_source().clone();
    let sub = auth
        .hub()
        .auth()
        // The global Hub: only this client's events (tests run in parallel).
        .listen_capsules(move |capsule| {
            if capsule.is_from(&source) {
                let e: &AuthEvent = &capsule.payload;
                sink.lock().unwrap().push(e.name().to_owned());
            }
        });
    (auth, storage, events, sub)
}

/// A refresh answered with `response`: the error, whether it is transient as `transient`
/// says, the tokens kept and one `tokenRefresh_failure`.
async fn refresh_fault_keeps_tokens(response: ResponseTemplate, transient: bool) -> AuthError {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.GetTokensFromRefreshToken",
        ))
        .respond_with(response)
        .mount(&server)
        .await;
    let (auth, _storage, events, _sub) = signed_in_with_expired_tokens(&server.uri()).await;
    let err = auth
        .fetch_auth_session(Default::default())
        .await
        .unwrap_err();
    assert_eq!(err.is_transient(), transient, "{err:?}");
    assert_eq!(
        auth.get_current_user().await.unwrap().username,
        "alice",
        "tokens kept"
    );
    assert_eq!(*events.lock().unwrap(), ["tokenRefresh_failure"]);
    err
}

#[tokio::test]
async fn an_html_500_on_refresh_is_a_typed_error_and_keeps_the_tokens() {
    let err = refresh_fault_keeps_tokens(
        ResponseTemplate::new(500)
            .insert_header("content-type", "text/html")
            .set_body_string("<html><body>Internal Server Error</body></html>"),
        true,
    )
    .await;
    assert!(matches!(err, AuthError::Flow { .. }), "{err:?}");
    assert_eq!(err.service_kind(), None);
}

#[tokio::test]
async fn throttling_on_refresh_is_a_typed_error_and_keeps_the_tokens() {
    let err = refresh_fault_keeps_tokens(
        ResponseTemplate::new(400)
            .insert_header("content-type", "application/x-amz-json-1.1")
            .set_body_string(r#"{"__type":"TooManyRequestsException","message":"Rate exceeded"}"#),
        true,
    )
    .await;
    assert_eq!(
        err.service_kind(),
        Some(&ErrorKind::TooManyRequests),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_refresh_refused_for_a_missing_resource_keeps_the_tokens_and_is_not_transient() {
    // Not one of the errors that end the session (the tokens stay), but retrying the same
    // request will not help either: the app client or pool is misconfigured.
    let err = refresh_fault_keeps_tokens(
        ResponseTemplate::new(400)
            .insert_header("content-type", "application/x-amz-json-1.1")
            .set_body_string(
                r#"{"__type":"ResourceNotFoundException","message":"User pool client does not exist."}"#,
            ),
        false,
    )
    .await;
    assert_eq!(
        err.service_kind(),
        Some(&ErrorKind::ResourceNotFound),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_html_500_during_sign_in_is_a_typed_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_string("<html>oops</html>"))
        .mount(&server)
        .await;
    let auth = Auth::builder()
        .user_pool(config(&server.uri()))
        .http_client(ReqwestHttpClient::builder().build().unwrap())
        .build()
        .unwrap();
    let err = auth
        .sign_in("alice", "pw-123456", SignInOptions::new())
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::Flow { .. }), "{err:?}");
    assert!(err.is_transient());
    assert!(matches!(
        auth.get_current_user().await,
        Err(AuthError::NotSignedIn)
    ));
}

#[tokio::test]
async fn a_peer_that_disappears_mid_sign_in_leaves_the_sign_in_pending() {
    let server = MockServer::builder().start().await;
    Mock::given(method("POST"))
        .and(header("x-amz-target", "AWSCognitoIdentityProviderService.InitiateAuth"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/x-amz-json-1.1")
                .set_body_string(r#"{"ChallengeName":"SOFTWARE_TOKEN_MFA","Session":"s1","ChallengeParameters":{"USERNAME":"alice"}}"#),
        )
        .mount(&server)
        .await;
    let auth = Auth::builder()
        .user_pool(config(&server.uri()))
        .http_client(
            ReqwestHttpClient::builder()
                .connect_timeout(Duration::from_secs(1))
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let out = auth
        .sign_in(
            "alice",
            "pw-123456",
            SignInOptions::new().flow(SignInFlow::UserPasswordAuth),
        )
        .await
        .unwrap();
    assert_eq!(out.next_step(), Some(&SignInStep::ConfirmWithTotpCode));
    // A server from the builder is not pooled: dropping it closes its port.
    drop(server);
    for _ in 0..2 {
        let err = auth
            .confirm_sign_in(Answer::Code("123456".into()), ConfirmOptions::default())
            .await
            .unwrap_err();
        // The answer can be sent again: the pending sign-in is kept.
        assert!(matches!(err, AuthError::Transport { .. }), "{err:?}");
        assert!(err.is_transient());
    }
}
