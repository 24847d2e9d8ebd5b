//! Developer-authenticated identities end to end against moto: the backend half
//! ([`DeveloperBackend`], SigV4 through `aws-sdk-cognitoidentity`) mints (identity id, OpenID
//! token) for a user of our own on an identity pool created with a `DeveloperProviderName`;
//! the app half ([`DeveloperIdentityProvider`]) receives them through its callback and gets
//! AWS credentials, which an `aws-sdk-sts` client then uses.
//!
//! What moto fakes (moto/cognitoidentity/models.py), so what these tests cannot show:
//! * GetOpenIdTokenForDeveloperIdentity ignores the pool, the developer provider name and the
//!   user id: it returns a *new* random identity id on every call (unless one is passed) and a
//!   random opaque string as the "token", not a signed JWT; the same user id does not map to
//!   the same identity as it would on Cognito.
//! * GetCredentialsForIdentity checks neither the Logins map nor the token, and returns fixed
//!   credentials (`TESTACCESSKEY12345`) that expire after 90 s.
//! * This moto does not verify SigV4 signatures (it only parses the `Authorization` header).
//!
//! So the assertions are about what our code does with moto's answers: the identity id and
//! token the backend got are the ones the app sends (checked on the wire, since moto would
//! not notice otherwise), the callback is called once and then cached, and a forced refresh
//! or `clear()` goes back to the backend.
#![cfg(feature = "developer-backend")]

#[path = "../../tests/support/peers.rs"]
mod peers;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use auth_core::config::IdentityPoolConfig;
use auth_federation::{
    CognitoCredentialsProvider, DeveloperBackend, DeveloperIdentityProvider, DeveloperToken,
    IdentityPool,
};
use auth_providers::aws::SdkHttpClient;
use auth_providers::{
    CredentialsOptions, CredentialsProvider, HttpClient, HttpFuture, ProviderError, ProviderFuture,
    ReqwestHttpClient,
};
use aws_sdk_cognitoidentity::config::{BehaviorVersion, Credentials, Region};

const DEVELOPER_PROVIDER_NAME: &str = "login.example.app";

fn http() -> ReqwestHttpClient {
    ReqwestHttpClient::builder().build().unwrap()
}

/// The backend's SDK client: static test credentials, moto as the endpoint.
fn cognito_identity() -> aws_sdk_cognitoidentity::Client {
    let config = aws_sdk_cognitoidentity::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(peers::moto())
        .http_client(SdkHttpClient::new(http()))
        .credentials_provider(Credentials::new(
            "AKIDBACKEND",
            "backend-secret",
            None,
            None,
            "test",
        ))
        .build();
    aws_sdk_cognitoidentity::Client::from_conf(config)
}

/// An identity pool for developer-authenticated identities (no guests).
async fn developer_pool(client: &aws_sdk_cognitoidentity::Client) -> String {
    let created = client
        .create_identity_pool()
        .identity_pool_name(format!("developer{}", std::process::id()))
        .allow_unauthenticated_identities(false)
        .developer_provider_name(DEVELOPER_PROVIDER_NAME)
        .send()
        .await
        .unwrap();
    assert_eq!(
        created.developer_provider_name(),
        Some(DEVELOPER_PROVIDER_NAME)
    );
    created.identity_pool_id().to_owned()
}

/// The app's HTTP client, keeping the JSON bodies it sends to Cognito.
#[derive(Debug, Clone)]
struct Recording {
    inner: ReqwestHttpClient,
    sent: Arc<Mutex<Vec<(String, serde_json::Value)>>>,
}

impl Recording {
    /// The bodies of the requests with `X-Amz-Target: AWSCognitoIdentityService.<action>`.
    fn bodies(&self, action: &str) -> Vec<serde_json::Value> {
        self.sent
            .lock()
            .unwrap()
            .iter()
            .filter(|(a, _)| a == action)
            .map(|(_, b)| b.clone())
            .collect()
    }
}

impl HttpClient for Recording {
    fn send(&self, request: http::Request<Vec<u8>>) -> HttpFuture<'_> {
        let action = request
            .headers()
            .get("x-amz-target")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("AWSCognitoIdentityService."))
            .unwrap_or_default()
            .to_owned();
        let body = serde_json::from_slice(request.body()).unwrap_or_default();
        self.sent.lock().unwrap().push((action, body));
        ProviderFuture::new(self.inner.send(request))
    }
}

fn authenticated() -> CredentialsOptions {
    let mut options = CredentialsOptions::default();
    options.authenticated = true;
    options
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn backend_token_through_the_callback_to_credentials_used_by_sts() {
    let sdk = cognito_identity();
    let pool_id = developer_pool(&sdk).await;
    let backend = DeveloperBackend::new(sdk, &pool_id, DEVELOPER_PROVIDER_NAME);

    // The backend half on its own: a (identity id, token) pair for our user.
    let minted = backend.open_id_token_for("user-42").await.unwrap();
    assert!(
        minted.identity_id.as_str().starts_with("us-east-1:"),
        "{minted:?}"
    );
    assert!(!minted.token.expose().is_empty());

    // The app half: the callback "calls the backend" and remembers what it handed over.
    let app_http = Recording {
        inner: http(),
        sent: Arc::default(),
    };
    let pool = IdentityPool::new(
        IdentityPoolConfig::builder()
            .identity_pool_id(&pool_id)
            .endpoint(peers::moto())
            .build()
            .unwrap(),
        app_http.clone(),
    );
    let calls = Arc::new(AtomicUsize::new(0));
    let handed_over: Arc<Mutex<Vec<DeveloperToken>>> = Arc::default();
    let provider =
        DeveloperIdentityProvider::new(CognitoCredentialsProvider::builder(pool).build(), {
            let (calls, handed_over) = (calls.clone(), handed_over.clone());
            move || {
                let (backend, calls, handed_over) =
                    (backend.clone(), calls.clone(), handed_over.clone());
                async move {
                    calls.fetch_add(1, Ordering::SeqCst);
                    let token = backend.open_id_token_for("user-42").await.map_err(|e| {
                        ProviderError::provider("the backend refused").with_source(e)
                    })?;
                    handed_over.lock().unwrap().push(token.clone());
                    Ok(token)
                }
            }
        });

    let aws = provider
        .credentials_and_identity_id(authenticated())
        .await
        .unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let first = handed_over.lock().unwrap()[0].clone();
    assert_eq!(aws.identity_id.as_ref(), Some(&first.identity_id));
    // moto's fixed credentials.
    assert_eq!(aws.credentials.access_key_id(), "TESTACCESSKEY12345");
    // On the wire: the backend's identity id, and its token under Cognito's developer key
    // (moto does not check this; Cognito would).
    let sent = app_http.bodies("GetCredentialsForIdentity");
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["IdentityId"], first.identity_id.as_str());
    assert_eq!(
        sent[0]["Logins"],
        serde_json::json!({ "cognito-identity.amazonaws.com": first.token.expose() })
    );
    assert!(
        app_http.bodies("GetId").is_empty(),
        "the app must not create its own identity: the backend's is the user's"
    );

    // Cached: no second trip to the backend nor to Cognito.
    let again = provider
        .credentials_and_identity_id(authenticated())
        .await
        .unwrap();
    assert_eq!(again, aws);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(app_http.bodies("GetCredentialsForIdentity").len(), 1);

    // The credentials sign a real SDK call. (Through `CredentialsAdapter` the provider would
    // need a `TokenProvider` to ask for authenticated credentials, and moto's token is not the
    // JWT that Cognito mints, so the SDK gets the credentials as static ones here.)
    let static_credentials = Credentials::new(
        aws.credentials.access_key_id(),
        aws.credentials.secret_access_key(),
        aws.credentials.session_token().map(str::to_owned),
        aws.credentials.expiration(),
        "developer-identity",
    );
    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(peers::moto())
            .http_client(SdkHttpClient::new(http()))
            .credentials_provider(static_credentials)
            .build(),
    );
    let caller = sts.get_caller_identity().send().await.unwrap();
    assert!(caller.account().is_some(), "{caller:?}");

    // A forced refresh goes back to the backend, and the new pair is the one used.
    let mut force = authenticated();
    force.force_refresh = true;
    let refreshed = provider.credentials_and_identity_id(force).await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let second = handed_over.lock().unwrap()[1].clone();
    assert_eq!(refreshed.identity_id.as_ref(), Some(&second.identity_id));
    let sent = app_http.bodies("GetCredentialsForIdentity");
    assert_eq!(sent.len(), 2);
    assert_eq!(
        sent[1]["Logins"]["cognito-identity.amazonaws.com"],
        second.token.expose()
    );

    // clear() forgets the token: the next call asks the backend again.
    provider.clear().await;
    provider
        .credentials_and_identity_id(authenticated())
        .await
        .unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn a_backend_failure_reaches_the_app_as_an_error_without_credentials() {
    // The backend's Cognito is unreachable (a closed port): a Dispatch error, which the
    // callback turns into the app's error; no credentials are requested.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let sdk = aws_sdk_cognitoidentity::Client::from_conf(
        cognito_identity()
            .config()
            .to_builder()
            .endpoint_url(&dead)
            .build(),
    );
    let pool_id = developer_pool(&cognito_identity()).await;
    let backend = DeveloperBackend::new(sdk, &pool_id, DEVELOPER_PROVIDER_NAME);
    let error = backend.open_id_token_for("user-42").await.unwrap_err();
    assert!(
        matches!(error, auth_federation::DeveloperBackendError::Dispatch(_)),
        "{error:?}"
    );

    let app_http = Recording {
        inner: http(),
        sent: Arc::default(),
    };
    let pool = IdentityPool::new(
        IdentityPoolConfig::builder()
            .identity_pool_id(&pool_id)
            .endpoint(peers::moto())
            .build()
            .unwrap(),
        app_http.clone(),
    );
    let provider = DeveloperIdentityProvider::new(
        CognitoCredentialsProvider::builder(pool).build(),
        move || {
            let backend = backend.clone();
            async move {
                backend
                    .open_id_token_for("user-42")
                    .await
                    .map_err(|e| ProviderError::provider("the backend refused").with_source(e))
            }
        },
    );
    let error = provider
        .credentials_and_identity_id(authenticated())
        .await
        .unwrap_err();
    assert!(error.to_string().contains("the backend refused"), "{error}");
    assert!(app_http.sent.lock().unwrap().is_empty());
}
