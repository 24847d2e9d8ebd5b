//! Security and fault tests of the OIDC adapter and the identity-pool client, against a
//! wiremock provider serving our own test RSA keys (tests/fixtures, generated for these tests
//! only). wiremock is used for forged tokens and injected faults, never for a happy path that
//! a real peer can serve (see peer_federation.rs).
#![cfg(feature = "oidc")]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use auth_core::config::IdentityPoolConfig;
use auth_core::oauth::{AuthorizationError, TokenEndpointError};
use auth_federation::IdentityPool;
use auth_federation::oidc::{
    CallbackParams, FetchErrorKind, IdTokenError, LoopbackListener, OidcClient, OidcConfig,
    OidcError, OidcSession, OidcTokens,
};
use auth_providers::{ReqwestHttpClient, RetryConfig};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CLIENT_ID: &str = "native-app";

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn jwk(name: &str) -> serde_json::Value {
    serde_json::from_str(&fixture(&format!("jwk_{name}.json"))).unwrap()
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn http() -> ReqwestHttpClient {
    ReqwestHttpClient::builder().build().unwrap()
}

/// A forged provider: discovery and a JWKS with key A.
async fn provider() -> MockServer {
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
    server
}

async fn serve_jwks(server: &MockServer, keys: &[&str]) {
    let keys: Vec<_> = keys.iter().map(|k| jwk(k)).collect();
    Mock::given(method("GET"))
        .and(path("/jwks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "keys": keys })))
        .mount(server)
        .await;
}

async fn client(server: &MockServer, refresh_interval: Duration) -> OidcClient {
    let config = OidcConfig::builder()
        .issuer(server.uri())
        .client_id(CLIENT_ID)
        .jwks_refresh_interval(refresh_interval)
        .leeway(Duration::from_secs(5))
        .build()
        .unwrap();
    OidcClient::discover(config, http()).await.unwrap()
}

fn claims(server: &MockServer) -> serde_json::Value {
    json!({
        "iss": server.uri(),
        "aud": CLIENT_ID,
        "sub": "alice",
        "iat": now(),
        "exp": now() + 300,
        "nonce": "n-0S6_WzA2Mj",
    })
}

fn sign(key: &str, kid: &str, claims: &serde_json::Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    let key = EncodingKey::from_rsa_pem(fixture(&format!("rsa_{key}.pem")).as_bytes()).unwrap();
    encode(&header, claims, &key).unwrap()
}

/// How many requests reached `path` of the provider.
async fn requests_to(server: &MockServer, path: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == path)
        .count()
}

async fn rejection(client: &OidcClient, token: &str, nonce: Option<&str>) -> IdTokenError {
    match client.verifier().verify(token, nonce).await {
        Err(OidcError::InvalidIdToken(e)) => e,
        other => panic!("expected a typed ID-token rejection, got {other:?}"),
    }
}

#[tokio::test]
async fn a_well_formed_token_verifies() {
    let server = provider().await;
    serve_jwks(&server, &["a"]).await;
    let client = client(&server, Duration::from_secs(60)).await;
    let token = sign("a", "key-a", &claims(&server));
    let verified = client
        .verifier()
        .verify(&token, Some("n-0S6_WzA2Mj"))
        .await
        .unwrap();
    assert_eq!(verified.subject(), "alice");
}

#[tokio::test]
async fn alg_none_is_rejected() {
    let server = provider().await;
    serve_jwks(&server, &["a"]).await;
    let client = client(&server, Duration::from_secs(60)).await;
    let b64 = |v: &serde_json::Value| {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    for alg in ["none", "None", "NONE"] {
        let token = format!(
            "{}.{}.",
            b64(&json!({"alg": alg, "kid": "key-a"})),
            b64(&claims(&server))
        );
        assert!(matches!(
            rejection(&client, &token, None).await,
            IdTokenError::DisallowedAlgorithm { .. }
        ));
    }
}

#[tokio::test]
async fn hs256_signed_with_the_rsa_public_key_is_rejected() {
    let server = provider().await;
    serve_jwks(&server, &["a"]).await;
    let client = client(&server, Duration::from_secs(60)).await;
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("key-a".into());
    let public_pem = fixture("rsa_a.pub.pem");
    let token = encode(
        &header,
        &claims(&server),
        &EncodingKey::from_secret(public_pem.as_bytes()).unwrap(),
    )
    .unwrap();
    assert!(matches!(
        rejection(&client, &token, None).await,
        IdTokenError::DisallowedAlgorithm { alg } if alg == "HS256"
    ));
    // Even a configuration asking for HS256 is refused up front.
    assert!(matches!(
        OidcConfig::builder()
            .issuer(server.uri())
            .client_id(CLIENT_ID)
            .allowed_algorithms(["HS256"])
            .build(),
        Err(OidcError::InvalidConfiguration(_))
    ));
}

#[tokio::test]
async fn unknown_kid_is_rejected_after_one_rate_limited_refetch() {
    let server = provider().await;
    serve_jwks(&server, &["a"]).await;
    let client = client(&server, Duration::from_secs(60)).await;
    // Key B is not in the JWKS: forged with a key the provider never published.
    let token = sign("b", "key-b", &claims(&server));
    assert!(matches!(
        rejection(&client, &token, None).await,
        IdTokenError::UnknownKey { kid: Some(k) } if k == "key-b"
    ));
    // Again: the JWKS was fetched moments ago, so no new fetch.
    let _ = rejection(&client, &token, None).await;
    let fetches = requests_to(&server, "/jwks").await;
    assert_eq!(fetches, 1, "unknown kids must not make us hammer the JWKS");
}

#[tokio::test]
async fn a_token_signed_by_another_key_under_a_known_kid_is_rejected() {
    let server = provider().await;
    serve_jwks(&server, &["a"]).await;
    let client = client(&server, Duration::from_secs(60)).await;
    let token = sign("b", "key-a", &claims(&server));
    assert_eq!(
        rejection(&client, &token, None).await,
        IdTokenError::InvalidSignature
    );
}

#[tokio::test]
async fn wrong_issuer_audience_nonce_and_expiry_are_each_rejected() {
    let server = provider().await;
    serve_jwks(&server, &["a"]).await;
    let client = client(&server, Duration::from_secs(60)).await;
    let base = claims(&server);
    let with = |field: &str, value: serde_json::Value| {
        let mut c = base.clone();
        c[field] = value;
        sign("a", "key-a", &c)
    };
    let cases = [
        (
            with("iss", json!("https://evil.example.com")),
            IdTokenError::InvalidIssuer,
        ),
        (
            with("aud", json!("another-client")),
            IdTokenError::InvalidAudience,
        ),
        (
            with("aud", json!([CLIENT_ID, "another-client"])),
            IdTokenError::InvalidAudience,
        ),
        (
            with("nonce", json!("replayed-nonce")),
            IdTokenError::InvalidNonce,
        ),
        (with("exp", json!(now() - 3600)), IdTokenError::Expired),
        (with("nbf", json!(now() + 3600)), IdTokenError::NotYetValid),
        (
            with("iat", json!(now() + 3600)),
            IdTokenError::IssuedInFuture,
        ),
    ];
    for (token, expected) in cases {
        assert_eq!(
            rejection(&client, &token, Some("n-0S6_WzA2Mj")).await,
            expected
        );
    }
    // A missing nonce when one was sent.
    let mut no_nonce = base.clone();
    no_nonce.as_object_mut().unwrap().remove("nonce");
    let token = sign("a", "key-a", &no_nonce);
    assert_eq!(
        rejection(&client, &token, Some("n-0S6_WzA2Mj")).await,
        IdTokenError::InvalidNonce
    );
    // Within the leeway, an expired token still passes.
    let token = with("exp", json!(now() - 2));
    client
        .verifier()
        .verify(&token, Some("n-0S6_WzA2Mj"))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_state_that_does_not_match_is_rejected_before_any_exchange() {
    let server = provider().await;
    serve_jwks(&server, &["a"]).await;
    let client = client(&server, Duration::from_secs(60)).await;
    let request = client
        .authorization_request("http://127.0.0.1:9/callback", &mut rand::thread_rng())
        .unwrap();
    for callback in [
        CallbackParams::from_query("code=stolen&state=forged"),
        CallbackParams::from_query("code=stolen"),
    ] {
        assert!(matches!(
            client.complete_authorization(&request, &callback).await,
            Err(OidcError::Authorization(AuthorizationError::StateMismatch))
        ));
    }
    let token_calls = requests_to(&server, "/token").await;
    assert_eq!(token_calls, 0);
    // The URL carries PKCE S256, state and nonce.
    let url = url_params(request.url());
    assert_eq!(url("code_challenge_method").as_deref(), Some("S256"));
    assert_eq!(url("state").as_deref(), Some(request.state()));
    assert!(url("nonce").is_some() && url("code_challenge").is_some());
}

fn url_params(url: &str) -> impl Fn(&str) -> Option<String> + '_ {
    move |name| {
        let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
        form_urlencoded_pairs(query)
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

fn form_urlencoded_pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

#[tokio::test]
async fn a_redirect_to_a_host_other_than_loopback_is_rejected() {
    for uri in [
        "http://evil.example.com/callback",
        "http://localhost:8400/callback",
        "https://127.0.0.1/callback",
        "http://192.168.1.10/callback",
    ] {
        assert!(matches!(
            OidcConfig::builder()
                .issuer("https://op.example")
                .client_id(CLIENT_ID)
                .redirect_uri(uri)
                .build(),
            Err(OidcError::RedirectNotLoopback { .. })
        ));
        assert!(matches!(
            LoopbackListener::bind_to(uri).await,
            Err(OidcError::RedirectNotLoopback { .. })
        ));
    }
}

#[tokio::test]
async fn discovery_for_another_issuer_is_rejected() {
    let server = provider().await;
    let config = OidcConfig::builder()
        .issuer(format!("{}/tenant", server.uri()))
        .client_id(CLIENT_ID)
        .build()
        .unwrap();
    Mock::given(method("GET"))
        .and(path("/tenant/.well-known/openid-configuration"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "issuer": "https://attacker.example",
            "authorization_endpoint": "https://attacker.example/a",
            "token_endpoint": "https://attacker.example/t",
            "jwks_uri": "https://attacker.example/j",
        })))
        .mount(&server)
        .await;
    assert!(matches!(
        OidcClient::discover(config, http()).await,
        Err(OidcError::IssuerMismatch { .. })
    ));
}

// ---- faults ----

#[tokio::test]
async fn jwks_unreachable_is_a_typed_transient_error_naming_the_url_and_sent_once() {
    let server = provider().await;
    Mock::given(method("GET"))
        .and(path("/jwks"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = client(&server, Duration::from_secs(60)).await;
    let token = sign("a", "key-a", &claims(&server));
    let error = client.verifier().verify(&token, None).await.unwrap_err();
    let OidcError::KeyFetch(fetch) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(fetch.kind(), &FetchErrorKind::Status { status: 503 });
    assert_eq!(fetch.url(), format!("{}/jwks", server.uri()));
    assert_eq!(
        error.to_string(),
        format!(
            "could not fetch the JWKS from {}/jwks: the server answered HTTP 503",
            server.uri()
        )
    );
    assert!(error.is_transient());
    let fetches = requests_to(&server, "/jwks").await;
    assert_eq!(
        fetches, 1,
        "the JWKS cache has its own backoff: the HTTP layer does not retry its fetches"
    );
}

#[tokio::test]
async fn a_rotated_key_is_picked_up_by_refetching_the_jwks() {
    let server = provider().await;
    // First the JWKS has key A only; after rotation, A and B.
    Mock::given(method("GET"))
        .and(path("/jwks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "keys": [jwk("a")] })))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    serve_jwks(&server, &["a", "b"]).await;
    let client = client(&server, Duration::ZERO).await;
    client
        .verifier()
        .verify(&sign("a", "key-a", &claims(&server)), None)
        .await
        .unwrap();
    let rotated = client
        .verifier()
        .verify(&sign("b", "key-b", &claims(&server)), None)
        .await
        .unwrap();
    assert_eq!(rotated.subject(), "alice");
}

#[tokio::test]
async fn token_endpoint_5xx_is_typed_and_the_code_is_not_replayed() {
    let server = provider().await;
    serve_jwks(&server, &["a"]).await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"))
        .mount(&server)
        .await;
    let client = client(&server, Duration::from_secs(60)).await;
    let request = client
        .authorization_request("http://127.0.0.1:9/callback", &mut rand::thread_rng())
        .unwrap();
    let callback = CallbackParams::from_query(&format!("code=abc&state={}", request.state()));
    let error = client
        .complete_authorization(&request, &callback)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            OidcError::TokenEndpoint(TokenEndpointError::HttpStatus { status: 502 })
        ),
        "{error:?}"
    );
    let posts = requests_to(&server, "/token").await;
    assert_eq!(
        posts, 1,
        "an authorization code is single-use: never replay it"
    );
}

#[tokio::test]
async fn an_invalid_grant_is_a_typed_oauth_error() {
    let server = provider().await;
    serve_jwks(&server, &["a"]).await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_grant", "error_description": "grant request is invalid"
        })))
        .mount(&server)
        .await;
    let client = client(&server, Duration::from_secs(60)).await;
    let request = client
        .authorization_request("http://127.0.0.1:9/callback", &mut rand::thread_rng())
        .unwrap();
    let callback = CallbackParams::from_query(&format!("code=abc&state={}", request.state()));
    let error = client
        .complete_authorization(&request, &callback)
        .await
        .unwrap_err();
    assert_eq!(error.oauth_error(), Some("invalid_grant"));
}

fn identity_pool(server: &MockServer) -> IdentityPool {
    let config = IdentityPoolConfig::builder()
        .identity_pool_id("us-east-1:8b9f2c4e-0000-4000-8000-0123456789ab")
        .endpoint(server.uri())
        .allow_guest_access(true)
        .build()
        .unwrap();
    IdentityPool::with_retry(
        config,
        http(),
        RetryConfig::new()
            .max_attempts(3)
            .initial_backoff(Duration::from_millis(5)),
    )
}

fn throttled() -> ResponseTemplate {
    ResponseTemplate::new(400)
        .insert_header("content-type", "application/x-amz-json-1.1")
        .set_body_string(r#"{"__type":"TooManyRequestsException","message":"Rate exceeded"}"#)
}

#[tokio::test]
async fn identity_pool_throttling_is_retried_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("x-amz-target", "AWSCognitoIdentityService.GetId"))
        .respond_with(throttled())
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(header("x-amz-target", "AWSCognitoIdentityService.GetId"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(r#"{"IdentityId":"us-east-1:abc"}"#),
        )
        .mount(&server)
        .await;
    let id = identity_pool(&server)
        .get_id(&Default::default())
        .await
        .unwrap();
    assert_eq!(id.as_str(), "us-east-1:abc");
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn identity_pool_throttling_that_persists_is_a_typed_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(throttled())
        .mount(&server)
        .await;
    let error = identity_pool(&server)
        .get_credentials_for_identity("us-east-1:abc", &Default::default(), None)
        .await
        .unwrap_err();
    assert!(error.is_throttling(), "{error:?}");
    assert!(error.is_transient());
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        3,
        "bounded retries"
    );
}

// ---- key fetching under a hostile or failing endpoint (the verifier's side) ----

#[tokio::test]
async fn twenty_forged_kids_against_a_failing_jwks_cost_one_request() {
    let server = provider().await;
    Mock::given(method("GET"))
        .and(path("/jwks"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    // The default 60 s interval, the retrying client OidcClient::discover builds.
    let client = client(&server, Duration::from_secs(60)).await;
    let verifications = (0..20).map(|i| {
        let client = client.clone();
        let token = sign("a", &format!("forged-{i}"), &claims(&server));
        async move { client.verifier().verify(&token, None).await }
    });
    for outcome in join_all(verifications).await {
        let error = outcome.unwrap_err();
        assert!(
            matches!(&error, OidcError::KeyFetch(e) if e.kind() == &FetchErrorKind::Status { status: 500 }),
            "{error:?}"
        );
    }
    let fetches = requests_to(&server, "/jwks").await;
    assert_eq!(fetches, 1, "one request per interval, failures included");
}

async fn join_all<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut outputs = Vec::new();
    for handle in handles {
        outputs.push(handle.await.unwrap());
    }
    outputs
}

#[tokio::test]
async fn a_discovery_failure_names_the_url_and_keeps_the_root_cause() {
    // TLS to a plain-http server: the handshake fails.
    let server = MockServer::start().await;
    let issuer = server.uri().replace("http://", "https://");
    let config = OidcConfig::builder()
        .issuer(&issuer)
        .client_id(CLIENT_ID)
        .build()
        .unwrap();
    let error = OidcClient::discover(config, http()).await.unwrap_err();
    let top = error.to_string();
    assert!(
        top.starts_with(&format!(
            "could not fetch the discovery document from {issuer}/.well-known/openid-configuration: "
        )),
        "{top}"
    );
    let mut chain = Vec::new();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        chain.push(cause.to_string());
        source = cause.source();
    }
    assert!(
        chain.len() >= 2
            && chain.iter().any(|c| c.to_ascii_lowercase().contains("tls")
                || c.contains("corrupt")
                || c.contains("InvalidContentType")),
        "the TLS cause is in the chain: {chain:#?}"
    );
    eprintln!("{top}\n  caused by: {}", chain.join("\n  caused by: "));
    assert!(error.is_transient());

    // And a refused connection says so.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let issuer = format!("http://{closed}");
    let config = OidcConfig::builder()
        .issuer(&issuer)
        .client_id(CLIENT_ID)
        .build()
        .unwrap();
    let error = OidcClient::discover(config, http()).await.unwrap_err();
    assert!(error.to_string().contains(&issuer), "{error}");
    let mut refused = false;
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        refused |= cause.to_string().to_ascii_lowercase().contains("refused");
        source = cause.source();
    }
    assert!(refused, "{error:?}");
}

// ---- the session: no silent downgrade to guest ----

/// A credentials broker of the caller's own (not Cognito): records what it was asked.
#[derive(Debug, Default)]
struct Recording(std::sync::Mutex<Vec<(bool, Option<String>)>>);

impl auth_providers::CredentialsProvider for Recording {
    fn credentials_and_identity_id(
        &self,
        options: auth_providers::CredentialsOptions,
    ) -> auth_providers::CredentialsFuture<'_> {
        let subject = options
            .tokens
            .as_ref()
            .and_then(|t| t.id_token.as_ref())
            .and_then(|id| id.claims().sub.clone());
        self.0
            .lock()
            .unwrap()
            .push((options.authenticated, subject));
        auth_providers::ProviderFuture::ready(Ok(auth_providers::CredentialsAndIdentityId::new(
            auth_providers::AwsCredentials::new("AKID", "secret", None, None),
            None,
        )))
    }
}

async fn signed_in_tokens(server: &MockServer, client: &OidcClient) -> OidcTokens {
    let request = client
        .authorization_request("http://127.0.0.1:9/callback", &mut rand::thread_rng())
        .unwrap();
    let nonce = url_params(request.url())("nonce").unwrap();
    let mut claims = claims(server);
    claims["nonce"] = json!(nonce);
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "opaque", "token_type": "Bearer", "expires_in": 300,
            "id_token": sign("a", "key-a", &claims),
        })))
        .mount(server)
        .await;
    let callback = CallbackParams::from_query(&format!("code=abc&state={}", request.state()));
    client
        .complete_authorization(&request, &callback)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_session_never_hands_out_guest_credentials_unless_asked_to() {
    use auth_providers::{CredentialsOptions, CredentialsProvider as _, ProviderErrorKind};
    let server = provider().await;
    serve_jwks(&server, &["a"]).await;
    let client = client(&server, Duration::from_secs(60)).await;
    let broker = std::sync::Arc::new(Recording::default());

    // Any CredentialsProvider can be attached, before the session exists.
    let session = OidcSession::builder(client.clone())
        .credentials(broker.clone())
        .build();
    let error = session
        .credentials_and_identity_id(CredentialsOptions::default())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ProviderErrorKind::NotLoaded, "{error}");
    assert!(
        broker.0.lock().unwrap().is_empty(),
        "no guest credentials asked for"
    );

    // Signed in: the broker gets the user's tokens.
    session
        .set_tokens(signed_in_tokens(&server, &client).await)
        .await;
    session
        .credentials_and_identity_id(CredentialsOptions::default())
        .await
        .unwrap();
    assert_eq!(
        broker.0.lock().unwrap().last().cloned(),
        Some((true, Some("alice".to_owned())))
    );
    // Signed out: an error again, not a guest.
    session.sign_out(None).await;
    assert!(
        session
            .credentials_and_identity_id(CredentialsOptions::default())
            .await
            .is_err()
    );
    assert_eq!(broker.0.lock().unwrap().len(), 1);

    // Guest access is explicit.
    let guest = OidcSession::builder(client)
        .credentials(broker.clone())
        .guest_access(true)
        .build();
    guest
        .credentials_and_identity_id(CredentialsOptions::default())
        .await
        .unwrap();
    assert_eq!(
        broker.0.lock().unwrap().last().cloned(),
        Some((false, None))
    );
}
