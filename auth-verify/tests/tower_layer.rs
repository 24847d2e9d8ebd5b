//! `VerifyLayer` driven with `ServiceExt::oneshot` on an echo service, with real RS256 tokens
//! signed by jsonwebtoken and the pool's JWKS served from memory by an `HttpClient` of the
//! test's own (no network): statuses, `WWW-Authenticate` challenges (RFC 6750 §3) and the
//! claims the handler sees.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use auth_providers::{HttpClient, HttpError, HttpFuture, ProviderFuture};
use auth_verify::{
    Claims, CognitoClaims, CognitoPool, CognitoVerifier, IssuerPolicy, JwksCache, JwtVerifier,
    TokenUse, Verify, VerifyLayer,
};
use http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use http::{Request, Response, StatusCode};
use jsonwebtoken::{EncodingKey, Header};
use serde_json::{Value, json};
use tower::{Layer, ServiceExt, service_fn};

const POOL: &str = "eu-west-1_TestPool1";
const ISSUER: &str = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool1";
const CLIENT: &str = "client-a";
const PRIVATE_KEY: &str = include_str!("fixtures/rsa_a.pem");
const JWK: &str = include_str!("fixtures/jwk_a.json");

/// Serves the JWKS (or fails to connect when there is none), counting requests.
#[derive(Debug)]
struct MemoryJwks {
    jwks: Option<String>,
    requests: AtomicUsize,
}

impl HttpClient for MemoryJwks {
    fn send(&self, request: Request<Vec<u8>>) -> HttpFuture<'_> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        let outcome = match &self.jwks {
            Some(jwks) => {
                assert_eq!(
                    request.uri().to_string(),
                    format!("{ISSUER}/.well-known/jwks.json")
                );
                Ok(Response::new(jwks.clone().into_bytes()))
            }
            None => Err(HttpError::connect("connection refused (test)")),
        };
        ProviderFuture::ready(outcome)
    }
}

fn keys() -> JwksCache {
    JwksCache::new(MemoryJwks {
        jwks: Some(format!(r#"{{"keys":[{JWK}]}}"#)),
        requests: AtomicUsize::new(0),
    })
}

fn offline_keys() -> JwksCache {
    JwksCache::new(MemoryJwks {
        jwks: None,
        requests: AtomicUsize::new(0),
    })
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn sign(claims: &Value) -> String {
    let mut header = Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some("key-a".to_owned());
    let key = EncodingKey::from_rsa_pem(PRIVATE_KEY.as_bytes()).unwrap();
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

fn access_claims() -> Value {
    json!({
        "sub": "7d8e-user",
        "iss": ISSUER,
        "client_id": CLIENT,
        "token_use": "access",
        "scope": "orders/read",
        "username": "alice",
        "cognito:groups": ["staff"],
        "iat": now(),
        "exp": now() + 3600,
    })
}

fn access_token() -> String {
    sign(&access_claims())
}

fn with(mut claims: Value, name: &str, value: Value) -> Value {
    claims[name] = value;
    claims
}

fn cognito(pool: CognitoPool, keys: JwksCache) -> CognitoVerifier {
    CognitoVerifier::builder(keys).pool(pool).build().unwrap()
}

fn access_pool() -> CognitoPool {
    CognitoPool::new(POOL, TokenUse::Access)
        .unwrap()
        .client_id(CLIENT)
}

/// The handler: answers with what the layer put in the extensions, counting its calls.
#[derive(Clone, Default)]
struct Echo {
    calls: Arc<AtomicUsize>,
}

impl Echo {
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

async fn send<V>(layer: &VerifyLayer<V>, echo: &Echo, request: Request<String>) -> Response<String>
where
    V: Verify<Claims = CognitoClaims> + ?Sized + 'static,
{
    let calls = echo.calls.clone();
    let service = layer.layer(service_fn(move |request: Request<String>| {
        calls.fetch_add(1, Ordering::SeqCst);
        async move {
            let claims = request
                .extensions()
                .get::<CognitoClaims>()
                .expect("the layer puts the claims in the extensions");
            Ok::<_, Infallible>(Response::new(format!(
                "{} {} {}",
                claims.sub(),
                claims.username().unwrap_or("-"),
                claims.groups().join(",")
            )))
        }
    }));
    service.oneshot(request).await.unwrap()
}

fn bearer(token: &str) -> Request<String> {
    Request::builder()
        .uri("/orders")
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .body(String::new())
        .unwrap()
}

fn challenge(response: &Response<String>) -> Option<&str> {
    response
        .headers()
        .get(WWW_AUTHENTICATE)
        .map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn a_valid_access_token_reaches_the_handler_with_its_claims() {
    let layer = VerifyLayer::new(cognito(access_pool(), keys()));
    let echo = Echo::default();
    let response = send(&layer, &echo, bearer(&access_token())).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.body(), "7d8e-user alice staff");
    assert_eq!(challenge(&response), None);
    assert_eq!(echo.calls(), 1);
}

#[tokio::test]
async fn the_bearer_scheme_is_matched_without_regard_to_case() {
    let layer = VerifyLayer::new(cognito(access_pool(), keys()));
    let echo = Echo::default();
    for scheme in ["bearer", "BEARER", "BeArEr"] {
        let request = Request::builder()
            .header(AUTHORIZATION, format!("{scheme} {}", access_token()))
            .body(String::new())
            .unwrap();
        let response = send(&layer, &echo, request).await;
        assert_eq!(response.status(), StatusCode::OK, "{scheme}");
    }
    assert_eq!(echo.calls(), 3);
}

#[tokio::test]
async fn a_request_without_a_token_gets_a_bare_bearer_challenge() {
    let layer = VerifyLayer::new(cognito(access_pool(), keys()));
    let echo = Echo::default();
    let response = send(&layer, &echo, Request::new(String::new())).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // RFC 6750 §3.1: no error code when the request had no authentication information.
    assert_eq!(challenge(&response), Some("Bearer"));
    assert_eq!(response.body(), "");
    assert_eq!(echo.calls(), 0);
}

#[tokio::test]
async fn another_authentication_scheme_counts_as_no_token() {
    let layer = VerifyLayer::new(cognito(access_pool(), keys()));
    let echo = Echo::default();
    let request = Request::builder()
        .header(AUTHORIZATION, "Basic YWxpY2U6c2VjcmV0")
        .body(String::new())
        .unwrap();
    let response = send(&layer, &echo, request).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(challenge(&response), Some("Bearer"));
    assert_eq!(echo.calls(), 0);
}

#[tokio::test]
async fn two_authorization_headers_are_an_invalid_request() {
    let layer = VerifyLayer::new(cognito(access_pool(), keys()));
    let echo = Echo::default();
    let token = access_token();
    let request = Request::builder()
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .body(String::new())
        .unwrap();
    let response = send(&layer, &echo, request).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        challenge(&response),
        Some(
            r#"Bearer error="invalid_request", error_description="malformed Authorization header""#
        )
    );
    assert_eq!(echo.calls(), 0);
}

#[tokio::test]
async fn a_bearer_scheme_without_a_token_is_an_invalid_request() {
    let layer = VerifyLayer::new(cognito(access_pool(), keys()));
    let echo = Echo::default();
    let request = Request::builder()
        .header(AUTHORIZATION, "Bearer ")
        .body(String::new())
        .unwrap();
    let response = send(&layer, &echo, request).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(echo.calls(), 0);
}

#[tokio::test]
async fn an_expired_token_is_invalid_token_and_the_challenge_never_echoes_it() {
    let layer = VerifyLayer::new(cognito(access_pool(), keys()));
    let echo = Echo::default();
    let token = sign(&with(access_claims(), "exp", json!(now() - 60)));
    let response = send(&layer, &echo, bearer(&token)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let challenge = challenge(&response).unwrap();
    assert_eq!(
        challenge,
        r#"Bearer error="invalid_token", error_description="token expired""#
    );
    for part in token.split('.') {
        assert!(!challenge.contains(part));
    }
    assert_eq!(echo.calls(), 0);
}

#[tokio::test]
async fn a_token_with_an_altered_payload_is_a_bad_signature() {
    let layer = VerifyLayer::new(cognito(access_pool(), keys()));
    let echo = Echo::default();
    let genuine = access_token();
    let forged_claims = with(access_claims(), "sub", json!("someone-else"));
    let forged = sign(&forged_claims);
    let mut parts: Vec<&str> = genuine.split('.').collect();
    parts[1] = forged.split('.').nth(1).unwrap();
    let response = send(&layer, &echo, bearer(&parts.join("."))).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenge(&response),
        Some(r#"Bearer error="invalid_token", error_description="bad signature""#)
    );
    assert_eq!(echo.calls(), 0);
}

#[tokio::test]
async fn an_id_token_is_refused_where_access_tokens_are_expected() {
    let layer = VerifyLayer::new(cognito(access_pool(), keys()));
    let echo = Echo::default();
    let id_token = sign(&with(
        with(access_claims(), "token_use", json!("id")),
        "aud",
        json!(CLIENT),
    ));
    let response = send(&layer, &echo, bearer(&id_token)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenge(&response),
        Some(r#"Bearer error="invalid_token", error_description="wrong token use""#)
    );
}

#[tokio::test]
async fn a_token_of_another_app_client_is_invalid_token() {
    let layer = VerifyLayer::new(cognito(access_pool(), keys()));
    let echo = Echo::default();
    let token = sign(&with(access_claims(), "client_id", json!("client-b")));
    let response = send(&layer, &echo, bearer(&token)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenge(&response),
        Some(r#"Bearer error="invalid_token", error_description="wrong audience or client""#)
    );
}

#[tokio::test]
async fn a_genuine_token_without_the_required_group_is_insufficient_scope() {
    let layer = VerifyLayer::new(cognito(access_pool().group("admins"), keys()));
    let echo = Echo::default();
    let response = send(&layer, &echo, bearer(&access_token())).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        challenge(&response),
        Some(r#"Bearer error="insufficient_scope", error_description="missing group""#)
    );
    assert_eq!(echo.calls(), 0);
}

#[tokio::test]
async fn a_genuine_token_without_the_required_scope_is_insufficient_scope() {
    let layer = VerifyLayer::new(cognito(access_pool().scope("orders/write"), keys()));
    let echo = Echo::default();
    let response = send(&layer, &echo, bearer(&access_token())).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        challenge(&response),
        Some(r#"Bearer error="insufficient_scope", error_description="missing scope""#)
    );
}

#[tokio::test]
async fn keys_that_cannot_be_fetched_answer_503_without_a_challenge() {
    let layer = VerifyLayer::new(cognito(access_pool(), offline_keys()));
    let echo = Echo::default();
    let response = send(&layer, &echo, bearer(&access_token())).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(challenge(&response), None);
    assert_eq!(echo.calls(), 0);
}

#[tokio::test]
async fn the_realm_is_in_every_challenge() {
    let layer = VerifyLayer::new(cognito(access_pool(), keys())).realm("orders \"api\"");
    let echo = Echo::default();
    let response = send(&layer, &echo, Request::new(String::new())).await;
    assert_eq!(
        challenge(&response),
        Some(r#"Bearer realm="orders \"api\"""#)
    );
    let expired = sign(&with(access_claims(), "exp", json!(now() - 60)));
    let response = send(&layer, &echo, bearer(&expired)).await;
    assert_eq!(
        challenge(&response),
        Some(
            r#"Bearer realm="orders \"api\"", error="invalid_token", error_description="token expired""#
        )
    );
}

#[tokio::test]
async fn one_key_fetch_serves_every_request() {
    let http = Arc::new(MemoryJwks {
        jwks: Some(format!(r#"{{"keys":[{JWK}]}}"#)),
        requests: AtomicUsize::new(0),
    });
    let layer = VerifyLayer::new(cognito(access_pool(), JwksCache::new(http.clone())));
    let echo = Echo::default();
    for _ in 0..5 {
        let response = send(&layer, &echo, bearer(&access_token())).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    assert_eq!(http.requests.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_dyn_verifier_can_stand_behind_the_layer() {
    let verifier: Arc<dyn Verify<Claims = CognitoClaims>> =
        Arc::new(cognito(access_pool(), keys()));
    let layer = VerifyLayer::from_shared(verifier);
    let echo = Echo::default();
    let response = send(&layer, &echo, bearer(&access_token())).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(echo.calls(), 1);
}

#[tokio::test]
async fn a_jwt_verifier_puts_its_claims_in_the_extensions() {
    let verifier = JwtVerifier::builder(keys())
        .issuer(
            IssuerPolicy::new(ISSUER, format!("{ISSUER}/.well-known/jwks.json"))
                .audience("https://api.example.com"),
        )
        .build()
        .unwrap();
    let layer = VerifyLayer::new(verifier);
    let service = layer.layer(service_fn(|request: Request<String>| async move {
        let claims = request.extensions().get::<Claims>().unwrap();
        Ok::<_, Infallible>(Response::new(claims.subject().unwrap().to_owned()))
    }));
    let token = sign(&with(
        access_claims(),
        "aud",
        json!("https://api.example.com"),
    ));
    let response = service.clone().oneshot(bearer(&token)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.body(), "7d8e-user");

    let other_audience = sign(&with(
        access_claims(),
        "aud",
        json!("https://other.example"),
    ));
    let response = service.oneshot(bearer(&other_audience)).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_layer_serves_concurrent_requests_through_one_service() {
    let layer = VerifyLayer::new(cognito(access_pool(), keys()));
    let echo = Echo::default();
    let calls = echo.calls.clone();
    let service = layer.layer(service_fn(move |_request: Request<String>| {
        calls.fetch_add(1, Ordering::SeqCst);
        async { Ok::<_, Infallible>(Response::new(String::new())) }
    }));
    let token = access_token();
    let requests: Vec<_> = (0..8)
        .map(|_| {
            let service = service.clone();
            let request = bearer(&token);
            tokio::spawn(async move { service.oneshot(request).await.unwrap().status() })
        })
        .collect();
    for request in requests {
        assert_eq!(request.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(echo.calls(), 8);
}

/// Every event's fields, as text.
struct Capture(Arc<std::sync::Mutex<String>>);

struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        use std::fmt::Write as _;
        let _ = write!(self.0, "{}={value:?} ", field.name());
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut line = String::new();
        event.record(&mut Fields(&mut line));
        let mut log = self.0.lock().unwrap();
        log.push_str(&line);
        log.push('\n');
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn refusals_are_logged_without_the_token() {
    let log = Arc::new(std::sync::Mutex::new(String::new()));
    let _guard = tracing::dispatcher::set_default(&tracing::Dispatch::new(Capture(log.clone())));
    let echo = Echo::default();
    let expired = sign(&with(access_claims(), "exp", json!(now() - 60)));
    let other_client = sign(&with(access_claims(), "client_id", json!("client-b")));
    let genuine = access_token();
    let mut forged: Vec<&str> = genuine.split('.').collect();
    let other_payload = other_client.split('.').nth(1).unwrap().to_owned();
    forged[1] = &other_payload;
    let forged = forged.join(".");

    let layer = VerifyLayer::new(cognito(access_pool(), keys()));
    for token in [&expired, &other_client, &forged] {
        let response = send(&layer, &echo, bearer(token)).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let strict = VerifyLayer::new(cognito(access_pool().group("admins"), keys()));
    assert_eq!(
        send(&strict, &echo, bearer(&genuine)).await.status(),
        StatusCode::FORBIDDEN
    );
    let offline = VerifyLayer::new(cognito(access_pool(), offline_keys()));
    assert_eq!(
        send(&offline, &echo, bearer(&genuine)).await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );

    let log = log.lock().unwrap().clone();
    assert!(log.contains("token expired"), "{log}");
    assert!(log.contains("bad signature"), "{log}");
    assert!(log.contains("missing group"), "{log}");
    assert!(log.contains("keys unavailable"), "{log}");
    for token in [&expired, &other_client, &forged, &genuine] {
        for part in token.split('.').skip(1) {
            assert!(!log.contains(part), "the log holds a token: {log}");
        }
    }
    assert_eq!(echo.calls(), 0);
}

#[tokio::test]
async fn an_axum_router_behind_the_layer_reads_the_claims_with_extension() {
    use axum::routing::get;
    use axum::{Extension, Router};

    async fn orders(Extension(claims): Extension<CognitoClaims>) -> String {
        format!("orders of {}", claims.sub())
    }
    let app = Router::new()
        .route("/orders", get(orders))
        .layer(VerifyLayer::new(cognito(access_pool(), keys())))
        .route("/health", get(|| async { "ok" }));
    let request = |uri: &str, token: Option<&str>| {
        let mut request = Request::builder().uri(uri);
        if let Some(token) = token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        request.body(axum::body::Body::empty()).unwrap()
    };
    let body = |response: Response<axum::body::Body>| async move {
        let bytes = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    };

    let response = app
        .clone()
        .oneshot(request("/orders", Some(&access_token())))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body(response).await, "orders of 7d8e-user");

    let response = app.clone().oneshot(request("/orders", None)).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()[WWW_AUTHENTICATE], "Bearer");

    // Routes added after the layer are not behind it.
    let response = app.oneshot(request("/health", None)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}
