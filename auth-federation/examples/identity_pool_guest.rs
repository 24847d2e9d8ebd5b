//! Identity pools without a user pool: guest credentials, then the same identity with a token
//! you already hold (`{domain, token}`, like the seed's custom credentials provider).
//!
//! ```sh
//! IDENTITY_POOL_ID=us-east-1:... cargo run -p auth-federation --example identity_pool_guest
//! ```
//! Optional: `IDENTITY_POOL_ENDPOINT` (a local moto), `LOGIN_DOMAIN` and `LOGIN_TOKEN`
//! (for example `accounts.google.com` and a Google ID token).

use auth_core::config::IdentityPoolConfig;
use auth_federation::{CognitoCredentialsProvider, CustomLoginProvider, IdentityPool};
use auth_providers::{CredentialsOptions, CredentialsProvider, ReqwestHttpClient};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pool_id = std::env::var("IDENTITY_POOL_ID").map_err(|_| "set IDENTITY_POOL_ID")?;
    let mut config = IdentityPoolConfig::builder()
        .identity_pool_id(pool_id)
        .allow_guest_access(true);
    if let Ok(endpoint) = std::env::var("IDENTITY_POOL_ENDPOINT") {
        config = config.endpoint(endpoint);
    }
    let pool = IdentityPool::new(config.build()?, ReqwestHttpClient::builder().build()?);
    let provider = CustomLoginProvider::new(CognitoCredentialsProvider::builder(pool).build());

    let guest = provider
        .credentials_and_identity_id(CredentialsOptions::guest())
        .await?;
    eprintln!("guest identity {:?}", guest.identity_id);

    if let (Ok(domain), Ok(token)) = (std::env::var("LOGIN_DOMAIN"), std::env::var("LOGIN_TOKEN")) {
        provider.set_login(&domain, token);
        let user = provider
            .credentials_and_identity_id(CredentialsOptions::default())
            .await?;
        eprintln!("signed-in identity {:?}", user.identity_id);
    }
    Ok(())
}
