//! Auth0 from a CLI: the device authorization grant (RFC 8628), then AWS credentials from a
//! Cognito identity pool whose OpenID Connect provider is the Auth0 tenant.
//!
//! ```sh
//! AUTH0_DOMAIN=tenant.eu.auth0.com AUTH0_CLIENT_ID=... IDENTITY_POOL_ID=us-east-1:... \
//! cargo run -p auth-federation --features auth0 --example auth0_device_login
//! ```
//! Optional: `AUTH0_AUDIENCE` (an API identifier).

use auth_core::config::IdentityPoolConfig;
use auth_federation::auth0::Auth0;
use auth_federation::oidc::OidcSession;
use auth_federation::{CognitoCredentialsProvider, IdentityPool};
use auth_providers::{CredentialsOptions, CredentialsProvider, ReqwestHttpClient};

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name}"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let http = ReqwestHttpClient::builder().build()?;
    let mut auth0 = Auth0::new(env("AUTH0_DOMAIN")?, env("AUTH0_CLIENT_ID")?);
    if let Ok(audience) = env("AUTH0_AUDIENCE") {
        auth0 = auth0.audience(audience);
    }
    let client = auth0.discover(http.clone()).await?;
    let pool = IdentityPoolConfig::builder()
        .identity_pool_id(env("IDENTITY_POOL_ID")?)
        .build()?;
    let credentials = CognitoCredentialsProvider::builder(IdentityPool::new(pool, http)).build();
    let session = OidcSession::builder(client)
        .credentials(credentials)
        .build();

    session
        .login_with_device(|device| {
            eprintln!(
                "Go to {} and enter the code {}",
                device
                    .verification_uri_complete
                    .as_deref()
                    .unwrap_or(&device.verification_uri),
                device.user_code
            );
        })
        .await?;
    let aws = session
        .credentials_and_identity_id(CredentialsOptions::default())
        .await?;
    eprintln!("AWS access key {}", aws.credentials.access_key_id());
    eprintln!("To log out of Auth0, open {}", auth0.logout_url(None));
    Ok(())
}
