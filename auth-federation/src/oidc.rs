//! Any OpenID Connect provider: discovery, authorization code with PKCE and a loopback
//! redirect for native and CLI apps, the device authorization grant, refresh, and ID tokens
//! validated against the provider's JWKS before they are exchanged for AWS credentials.
//!
//! * [`OidcConfig`]: issuer, client id, scopes, allowed algorithms, leeway.
//! * [`OidcClient`]: the protocol ([`OidcClient::discover`],
//!   [`authorization_request`](OidcClient::authorization_request) +
//!   [`complete_authorization`](OidcClient::complete_authorization) or the all-in-one
//!   [`login_with_loopback`](OidcClient::login_with_loopback), [`refresh`](OidcClient::refresh),
//!   device flow, logout URL).
//! * [`IdTokenVerifier`]: signature (on `auth-verify` and `aws-lc-rs`, never hand-written), `iss`, `aud`,
//!   `azp`, `exp`/`nbf`/`iat` with leeway, `nonce`, allowed algorithms, JWKS key rotation.
//! * [`OidcSession`]: a signed-in user as a `TokenProvider` and a `CredentialsProvider`.
//!
//! # Example
//!
//! ```no_run
//! use auth_core::config::IdentityPoolConfig;
//! use auth_federation::oidc::{OidcClient, OidcConfig, OidcSession};
//! use auth_federation::{CognitoCredentialsProvider, IdentityPool};
//! use auth_providers::{CredentialsOptions, CredentialsProvider, ReqwestHttpClient};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let http = ReqwestHttpClient::builder().build()?;
//! let config = OidcConfig::builder()
//!     .issuer("https://accounts.example.com")
//!     .client_id("native-app")
//!     .build()?;
//! let client = OidcClient::discover(config, http.clone()).await?;
//! let pool = IdentityPool::new(
//!     IdentityPoolConfig::builder().identity_pool_id("us-east-1:8b9f2c4e-0000-4000-8000-0123456789ab").build()?,
//!     http,
//! );
//! let session = OidcSession::builder(client)
//!     .credentials(CognitoCredentialsProvider::builder(pool).build())
//!     .build();
//! session
//!     .login_with_loopback(|url| async move {
//!         // Open `url` in the user's browser, e.g. with the `open` or `webbrowser` crate.
//!         eprintln!("open {url}");
//!         Ok(())
//!     })
//!     .await?;
//! let aws = session.credentials_and_identity_id(CredentialsOptions::default()).await?;
//! # Ok(()) }
//! ```

mod client;
mod config;
mod discovery;
mod error;
mod loopback;
mod session;
mod verify;

pub use client::{
    AuthorizationRequest, DeviceAuthorization, OidcClient, OidcTokens, pkce_challenge,
};
pub use config::{OidcConfig, OidcConfigBuilder};
pub use discovery::ProviderMetadata;
pub use error::{IdTokenError, OidcError};
pub use loopback::{
    CallbackParams, LoopbackListener, parse_localhost_redirect, parse_loopback_redirect,
};
pub use session::{OidcSession, OidcSessionBuilder};
pub use verify::{IdTokenVerifier, VerifiedIdToken};

/// The key cache and bounded fetching, from `auth-verify`: shared with server-side verifiers.
pub use auth_verify::{Document, FetchError, FetchErrorKind, FetchLimits, JwksCache};
