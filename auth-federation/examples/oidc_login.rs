//! Any OIDC provider: log in through the browser (loopback redirect + PKCE), then get AWS
//! credentials from a Cognito identity pool and print who STS thinks we are.
//!
//! ```sh
//! OIDC_ISSUER=https://accounts.example.com OIDC_CLIENT_ID=native-app \
//! IDENTITY_POOL_ID=us-east-1:... cargo run -p auth-federation --features oidc --example oidc_login
//! ```
//! Optional: `IDENTITY_POOL_ENDPOINT` (a local moto), `OIDC_LOGIN_HINT`.

use auth_core::config::IdentityPoolConfig;
use auth_federation::oidc::{OidcClient, OidcConfig, OidcSession};
use auth_federation::{CognitoCredentialsProvider, IdentityPool};
use auth_providers::{CredentialsOptions, CredentialsProvider, FileStorage, ReqwestHttpClient};

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name}"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let http = ReqwestHttpClient::builder().build()?;
    let mut config = OidcConfig::builder()
        .issuer(env("OIDC_ISSUER")?)
        .client_id(env("OIDC_CLIENT_ID")?)
        .scope("email");
    if let Ok(hint) = env("OIDC_LOGIN_HINT") {
        config = config.param("login_hint", hint);
    }
    let client = OidcClient::discover(config.build()?, http.clone()).await?;

    let mut pool = IdentityPoolConfig::builder().identity_pool_id(env("IDENTITY_POOL_ID")?);
    if let Ok(endpoint) = env("IDENTITY_POOL_ENDPOINT") {
        pool = pool.endpoint(endpoint);
    }
    let credentials = CognitoCredentialsProvider::builder(IdentityPool::new(pool.build()?, http))
        // The identity id survives restarts (GetId is throttled: persist it).
        .storage(FileStorage::new(
            std::env::temp_dir().join("oidc-login-example.json"),
        ))
        .build();
    let session = OidcSession::builder(client)
        .credentials(credentials)
        .build();

    let tokens = session
        .login_with_loopback(|url| async move {
            // A real app opens the system browser here (the `open` or `webbrowser` crate).
            eprintln!("Open this URL to sign in:\n{url}");
            Ok(())
        })
        .await?;
    eprintln!("signed in as {}", tokens.id_token.subject());

    let aws = session
        .credentials_and_identity_id(CredentialsOptions::default())
        .await?;
    eprintln!(
        "identity {:?}, access key {}",
        aws.identity_id,
        aws.credentials.access_key_id()
    );
    Ok(())
}
