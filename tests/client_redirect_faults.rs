//! Token-endpoint faults of a sign-in with redirect, injected with wiremock (no peers): an
//! HTML 500, `invalid_grant`, a token set whose nonce does not match, an endpoint that does
//! not answer. The managed login is skipped: the browser hook sends the loopback listener the
//! redirect a real login would produce (`code` and the request's `state`). Each failure is a
//! typed error, dispatched as `signInWithRedirect_failure`, and leaves the storage empty.
#![cfg(feature = "client")]

use std::sync::{Arc, Mutex};

use auth::Auth;
use auth::client::{AuthError, RedirectError, SignInWithRedirectOptions, open_url_fn};
use auth::core::config::{OAuthConfig, UserPoolConfig};
use auth::core::oauth::TokenEndpointError;
use auth::hub::AuthEvent;
use auth::providers::MemoryStorage;
use base64::Engine as _;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CLIENT: &str = "faults-client";

/// A sign-in with redirect against `domain`; returns the error, the failure event's name and
/// whether the storage was left empty.
async fn failed_sign_in(
    domain: &str,
    options: SignInWithRedirectOptions,
) -> (AuthError, String, bool) {
    let storage = MemoryStorage::new();
    // The "managed login": straight back to the listener with a code and the state sent.
    let hook = open_url_fn(|url: String| async move {
        let url = reqwest::Url::parse(&url).map_err(std::io::Error::other)?;
        let param = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        let mut redirect =
            reqwest::Url::parse(&param("redirect_uri")).map_err(std::io::Error::other)?;
        redirect
            .query_pairs_mut()
            .append_pair("code", "the-code")
            .append_pair("state", &param("state"));
        reqwest::get(redirect)
            .await
            .map_err(std::io::Error::other)?;
        Ok(())
    });
    let auth = Auth::builder()
        .user_pool(
            UserPoolConfig::builder()
                .pool_id("us-east-1_Faults")
                .client_id(CLIENT)
                .endpoint(domain)
                .build()
                .unwrap(),
        )
        .oauth(
            OAuthConfig::builder()
                .domain(domain)
                .scope("openid")
                .redirect_sign_in("http://127.0.0.1/callback")
                .build()
                .unwrap(),
        )
        .storage(storage.clone())
        .open_url(hook)
        .build()
        .unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let source = auth.event_source().clone();
    let _sub = auth
        .hub()
        .auth()
        // The global Hub: only this client's events (tests run in parallel).
        .listen_capsules(move |capsule| {
            if capsule.is_from(&source) {
                let e: &AuthEvent = &capsule.payload;
                sink.lock().unwrap().push(e.clone());
            }
        });
    let error = auth.sign_in_with_redirect(options).await.unwrap_err();
    let events = events.lock().unwrap().clone();
    let [AuthEvent::SignInWithRedirectFailure { error: event }] = events.as_slice() else {
        panic!("expected one failure event, got {events:?}");
    };
    (error, event.name.clone(), storage.is_empty())
}

fn token_endpoint_error(error: &AuthError) -> &TokenEndpointError {
    match error.redirect_error() {
        Some(RedirectError::TokenEndpoint(e)) => e,
        _ => panic!("not a token endpoint error: {error:?}"),
    }
}

#[tokio::test]
async fn an_html_500_is_sent_once_and_nothing_is_stored() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string_contains("grant_type=authorization_code"))
        .and(body_string_contains("code=the-code"))
        .and(body_string_contains("code_verifier="))
        .respond_with(
            ResponseTemplate::new(500)
                .insert_header("content-type", "text/html")
                .set_body_string("<html><body>Internal Server Error</body></html>"),
        )
        // The default client retries 5xx of idempotent requests only; a code is single-use.
        .expect(1)
        .mount(&server)
        .await;

    let (error, name, empty) =
        failed_sign_in(&server.uri(), SignInWithRedirectOptions::new()).await;

    assert_eq!(
        token_endpoint_error(&error),
        &TokenEndpointError::HttpStatus { status: 500 }
    );
    assert!(error.is_transient());
    assert_eq!(name, "TokenEndpoint");
    assert!(empty);
}

#[tokio::test]
async fn invalid_grant_is_a_typed_error_and_nothing_is_stored() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/token"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(serde_json::json!({"error": "invalid_grant"})),
        )
        .expect(1)
        .mount(&server)
        .await;

    let (error, name, empty) =
        failed_sign_in(&server.uri(), SignInWithRedirectOptions::new()).await;

    assert_eq!(
        token_endpoint_error(&error),
        &TokenEndpointError::OAuth {
            error: "invalid_grant".into(),
            description: None
        }
    );
    assert!(!error.is_transient());
    assert_eq!(name, "TokenEndpoint");
    assert!(empty);
}

#[tokio::test]
async fn tokens_with_another_nonce_are_refused() {
    let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    let jwt = |claims: serde_json::Value| {
        format!(
            "{}.{}.c2ln",
            b64(br#"{"alg":"RS256"}"#),
            b64(claims.to_string().as_bytes())
        )
    };
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": jwt(serde_json::json!({"sub": "s", "username": "alice", "exp": 4_000_000_000_u64})),
            "id_token": jwt(serde_json::json!({"sub": "s", "cognito:username": "alice", "nonce": "replayed"})),
            "refresh_token": "r",
            "token_type": "Bearer",
            "expires_in": 3600
        })))
        .mount(&server)
        .await;

    let (error, _, empty) = failed_sign_in(
        &server.uri(),
        SignInWithRedirectOptions::new().nonce("fresh"),
    )
    .await;

    assert_eq!(
        token_endpoint_error(&error),
        &TokenEndpointError::NonceMismatch
    );
    assert!(empty);
}

#[tokio::test]
async fn an_unreachable_token_endpoint_is_a_transport_error() {
    // A port that was free a moment ago: connections are refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let domain = format!("http://127.0.0.1:{port}");

    let (error, name, empty) = failed_sign_in(&domain, SignInWithRedirectOptions::new()).await;

    assert!(
        matches!(
            error,
            AuthError::Transport {
                operation: "oauth2/token",
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(name, "NetworkError");
    assert!(empty);
}
