//! Against the real peers: a real authorization-code + PKCE login at oidc-provider (headless,
//! through our loopback listener), the ID token validated and refreshed, then exchanged at
//! moto's identity pool for credentials that an `aws-sdk-sts` client uses.
//!
//! What moto fakes (reference §9): GetId ignores Logins and returns a new id each call, and
//! GetCredentialsForIdentity returns fixed credentials that expire after 90 s; moto does not
//! validate the ID token against the provider. oidc-provider is real.
#![cfg(feature = "oidc")]

#[path = "../../tests/support/peers.rs"]
mod peers;

use std::sync::Arc;

use auth_core::config::IdentityPoolConfig;
use auth_core::oauth::TokenEndpointError;
use auth_federation::oidc::{OidcClient, OidcConfig, OidcError, OidcSession};
use auth_federation::{CognitoCredentialsProvider, IdentityPool, logins};
use auth_providers::aws::{CredentialsAdapter, SdkHttpClient};
use auth_providers::{
    CredentialsOptions, CredentialsProvider, KeyValueStorage, MemoryStorage, ReqwestHttpClient,
    SharedKeyValueStorage, SharedTokenProvider, TokenOptions, TokenProvider,
};

fn http() -> ReqwestHttpClient {
    ReqwestHttpClient::builder().build().unwrap()
}

/// The "browser": follows the redirects from /auth with a cookie jar, which lands on our
/// loopback listener with the code (oidc-provider's headless interaction, login_hint picks
/// the account).
async fn headless_browser(url: String) -> std::io::Result<()> {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::limited(20))
        .build()
        .map_err(std::io::Error::other)?;
    let response = browser
        .get(url)
        .send()
        .await
        .map_err(std::io::Error::other)?;
    if !response.status().is_success() {
        return Err(std::io::Error::other(format!(
            "browser ended at {}",
            response.status()
        )));
    }
    Ok(())
}

async fn oidc_client() -> OidcClient {
    let config = OidcConfig::builder()
        .issuer(peers::oidc())
        .client_id("native-app")
        .scope("email")
        .build()
        .unwrap();
    OidcClient::discover(config, http()).await.unwrap()
}

/// Creates an identity pool in moto whose login provider is the OIDC issuer's host.
async fn moto_identity_pool(issuer: &str) -> String {
    let body = serde_json::json!({
        "IdentityPoolName": format!("federation{}", std::process::id()),
        "AllowUnauthenticatedIdentities": true,
        "SupportedLoginProviders": { logins::issuer_key(issuer): "native-app" },
    });
    let response = reqwest::Client::new()
        .post(peers::moto())
        .header("x-amz-target", "AWSCognitoIdentityService.CreateIdentityPool")
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDTEST/20240101/us-east-1/cognito-identity/aws4_request, SignedHeaders=host, Signature=0",
        )
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{:?}",
        response.text().await
    );
    let json: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    json["IdentityPoolId"].as_str().unwrap().to_owned()
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn oidc_login_refresh_and_identity_pool_credentials_used_by_sts() {
    let client = oidc_client().await;
    let issuer = client.config().issuer().to_owned();
    let pool_id = moto_identity_pool(&issuer).await;
    let storage = SharedKeyValueStorage::new(MemoryStorage::new());
    let pool = IdentityPool::new(
        IdentityPoolConfig::builder()
            .identity_pool_id(&pool_id)
            .endpoint(peers::moto())
            .allow_guest_access(true)
            .build()
            .unwrap(),
        http(),
    );
    let credentials = CognitoCredentialsProvider::builder(pool)
        .storage(storage.clone())
        .build();
    let session = OidcSession::builder(client)
        .credentials(credentials)
        .build();

    // 1. A real authorization code + PKCE login, through the loopback listener.
    let tokens = session.login_with_loopback(headless_browser).await.unwrap();
    assert_eq!(tokens.id_token.subject(), "alice");
    assert_eq!(
        tokens.id_token.jwt().claims().iss.as_deref(),
        Some(issuer.as_str())
    );
    assert!(tokens.refresh_token.is_some(), "offline_access was granted");

    // 2. Refresh: a new, verified ID token for the same subject.
    let refreshed = session.current_tokens(true).await.unwrap().unwrap();
    assert_eq!(refreshed.id_token.subject(), "alice");
    assert!(!Arc::ptr_eq(&tokens, &refreshed));
    let via_trait = session.tokens(TokenOptions::new()).await.unwrap().unwrap();
    assert_eq!(via_trait.username, "alice");

    // 3. Exchange at moto's identity pool; the identity id is persisted under Amplify's key.
    let aws = session
        .credentials_and_identity_id(CredentialsOptions::default())
        .await
        .unwrap();
    let identity = aws.identity_id.clone().unwrap();
    let key = format!("com.amplify.Cognito.{pool_id}.identityId");
    assert_eq!(
        storage.get(&key).await.unwrap().as_deref(),
        Some(identity.as_str())
    );
    // Cached: the same credentials without another call.
    let again = session
        .credentials_and_identity_id(CredentialsOptions::default())
        .await
        .unwrap();
    assert_eq!(again, aws);

    // 4. The credentials sign a real SDK call.
    let sts_config = aws_sdk_sts::Config::builder()
        .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
        .region(aws_sdk_sts::config::Region::new("us-east-1"))
        .endpoint_url(peers::moto())
        .http_client(SdkHttpClient::new(http()))
        .credentials_provider(
            CredentialsAdapter::new(session.clone())
                .with_token_provider(SharedTokenProvider::new(session.clone())),
        )
        .build();
    let caller = aws_sdk_sts::Client::from_conf(sts_config)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert!(caller.account().is_some(), "{caller:?}");

    // 5. Sign-out forgets tokens, credentials and the identity id.
    let logout = session.sign_out(Some("http://127.0.0.1/logout")).await;
    assert!(logout.is_some_and(|u| u.contains("id_token_hint")));
    assert!(session.tokens(TokenOptions::new()).await.unwrap().is_none());
    assert_eq!(storage.get(&key).await.unwrap(), None);
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn a_replayed_authorization_code_is_refused_by_the_provider() {
    let client = oidc_client().await;
    let listener = auth_federation::oidc::LoopbackListener::bind()
        .await
        .unwrap();
    let request = client
        .authorization_request(listener.redirect_uri(), &mut rand::thread_rng())
        .unwrap();
    let (browser, callback) = tokio::join!(
        headless_browser(request.url().to_owned()),
        listener.wait_for_callback(std::time::Duration::from_secs(30))
    );
    browser.unwrap();
    let callback = callback.unwrap();
    client
        .complete_authorization(&request, &callback)
        .await
        .unwrap();
    let replay = client
        .complete_authorization(&request, &callback)
        .await
        .unwrap_err();
    assert!(
        matches!(&replay, OidcError::TokenEndpoint(TokenEndpointError::OAuth { error, .. }) if error == "invalid_grant"),
        "{replay:?}"
    );
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn a_declined_login_is_a_typed_error() {
    let config = OidcConfig::builder()
        .issuer(peers::oidc())
        .client_id("native-app")
        .param("login_hint", "deny")
        .build()
        .unwrap();
    let client = OidcClient::discover(config, http()).await.unwrap();
    let error = client
        .login_with_loopback(headless_browser)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, OidcError::Authorization(e) if e.is_cancelled() && e.oauth_error() == Some("access_denied")),
        "{error:?}"
    );
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn guest_then_classic_flow_credentials_from_moto() {
    let pool_id = moto_identity_pool("https://unused.example").await;
    let config = IdentityPoolConfig::builder()
        .identity_pool_id(&pool_id)
        .endpoint(peers::moto())
        .allow_guest_access(true)
        .build()
        .unwrap();
    let pool = IdentityPool::new(config, http()).with_sts_endpoint(peers::moto());
    // Guest, enhanced flow.
    let provider = CognitoCredentialsProvider::builder(pool.clone()).build();
    let guest = provider
        .credentials_and_identity_id(CredentialsOptions::guest())
        .await
        .unwrap();
    let id = guest.identity_id.unwrap();
    // Classic flow: GetOpenIdToken, then unsigned STS AssumeRoleWithWebIdentity.
    let classic = pool
        .classic_credentials(
            &id,
            &Default::default(),
            "arn:aws:iam::123456789012:role/unauth",
        )
        .await
        .unwrap();
    assert!(!classic.credentials.access_key_id().is_empty());
    assert!(classic.credentials.session_token().is_some());
}
