//! Developer-authenticated identities: the backend mints an OpenID token with
//! GetOpenIdTokenForDeveloperIdentity (SigV4, with the backend's AWS credentials), and the app
//! exchanges it for AWS credentials. Both halves run in this one program for the demo; in a
//! real app the callback calls your backend over your own authenticated API.
//!
//! ```sh
//! IDENTITY_POOL_ID=us-east-1:... DEVELOPER_PROVIDER=login.example.app \
//! AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
//! cargo run -p auth-federation --features developer-backend --example developer_identity
//! ```
//! Optional: `COGNITO_ENDPOINT` (a local moto), `AWS_REGION` (default us-east-1).

use auth_core::config::IdentityPoolConfig;
use auth_federation::{
    CognitoCredentialsProvider, DeveloperBackend, DeveloperIdentityProvider, IdentityPool,
};
use auth_providers::aws::SdkHttpClient;
use auth_providers::{CredentialsOptions, CredentialsProvider, ProviderError, ReqwestHttpClient};
use aws_sdk_cognitoidentity::config::{BehaviorVersion, Credentials, Region};

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name}"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let http = ReqwestHttpClient::builder().build()?;
    let pool_id = env("IDENTITY_POOL_ID")?;

    // The backend half.
    let region = env("AWS_REGION").unwrap_or_else(|_| "us-east-1".into());
    let mut sdk = aws_sdk_cognitoidentity::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region))
        .http_client(SdkHttpClient::new(http.clone()))
        .credentials_provider(Credentials::new(
            env("AWS_ACCESS_KEY_ID")?,
            env("AWS_SECRET_ACCESS_KEY")?,
            std::env::var("AWS_SESSION_TOKEN").ok(),
            None,
            "example",
        ));
    let mut pool = IdentityPoolConfig::builder().identity_pool_id(&pool_id);
    if let Ok(endpoint) = env("COGNITO_ENDPOINT") {
        sdk = sdk.endpoint_url(&endpoint);
        pool = pool.endpoint(endpoint);
    }
    let backend = DeveloperBackend::new(
        aws_sdk_cognitoidentity::Client::from_conf(sdk.build()),
        &pool_id,
        env("DEVELOPER_PROVIDER")?,
    );

    // The app half: the callback asks "the backend".
    let credentials =
        CognitoCredentialsProvider::builder(IdentityPool::new(pool.build()?, http)).build();
    let provider = DeveloperIdentityProvider::new(credentials, move || {
        let backend = backend.clone();
        async move {
            backend
                .open_id_token_for("user-42")
                .await
                .map_err(|e| ProviderError::provider("the backend refused").with_source(e))
        }
    });
    // Authenticated: the provider asks the callback for a developer token.
    let mut options = CredentialsOptions::default();
    options.authenticated = true;
    let aws = provider.credentials_and_identity_id(options).await?;
    eprintln!(
        "identity {:?}, access key {}",
        aws.identity_id,
        aws.credentials.access_key_id()
    );
    Ok(())
}
