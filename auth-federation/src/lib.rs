//! Cognito identity-pool federation: AWS credentials for users of a Cognito user pool, Auth0,
//! any OpenID Connect provider, your own backend (developer-authenticated identities), any
//! token you already hold, and guests.
//!
//! * [`IdentityPool`]: the identity-pool API (GetId, GetCredentialsForIdentity,
//!   GetOpenIdToken) and the classic flow through STS AssumeRoleWithWebIdentity, over any
//!   [`HttpClient`](auth_providers::HttpClient), throttling retried.
//! * [`CognitoCredentialsProvider`]: the default
//!   [`CredentialsProvider`](auth_providers::CredentialsProvider): ID token in, credentials
//!   out, identity id persisted under Amplify's key, credentials cached, guests.
//! * Adapters, each a [`TokenProvider`](auth_providers::TokenProvider) and a
//!   `CredentialsProvider`, so that `auth_providers::aws::CredentialsAdapter` hands their
//!   credentials to any AWS SDK client:
//!   `oidc::OidcSession` (feature `oidc`: discovery, authorization code + PKCE with a loopback
//!   redirect, device flow, refresh, ID tokens validated against the JWKS), `auth0::Auth0`
//!   (feature `auth0`), [`DeveloperIdentityProvider`] (and `DeveloperBackend` with feature
//!   `developer-backend`), and [`CustomLoginProvider`] (bring your own `{domain, token}`).
//!
//! Use this crate alone when a service or CLI needs AWS credentials for identities that do
//! not come from a Cognito sign-in done by this project. For the whole Amplify Auth API
//! (sign-in, sign-up, sessions, Hub events), use the umbrella crate `auth`, which re-exports
//! this one as `auth::federation` and wires `CognitoCredentialsProvider` in by default.
//!
//! # Example: guest credentials, then the same identity signed in
//!
//! ```
//! use std::sync::Mutex;
//! use auth_core::config::IdentityPoolConfig;
//! use auth_core::tokens::{AuthTokens, Jwt};
//! use auth_federation::{CognitoCredentialsProvider, IdentityPool};
//! use auth_providers::{
//!     CredentialsOptions, CredentialsProvider, HttpClient, HttpFuture, KeyValueStorage,
//!     MemoryStorage, ProviderFuture, SharedKeyValueStorage,
//! };
//!
//! /// Answers like Cognito would (a real app uses `auth_providers::ReqwestHttpClient`).
//! #[derive(Debug, Default)]
//! struct FakeCognito(Mutex<Vec<String>>);
//! impl HttpClient for FakeCognito {
//!     fn send(&self, request: http::Request<Vec<u8>>) -> HttpFuture<'_> {
//!         let target = request.headers()["x-amz-target"].to_str().unwrap().to_owned();
//!         self.0.lock().unwrap().push(String::from_utf8(request.body().clone()).unwrap());
//!         let body = if target.ends_with("GetId") {
//!             r#"{"IdentityId":"us-east-1:guest-1"}"#.to_owned()
//!         } else {
//!             r#"{"IdentityId":"us-east-1:guest-1","Credentials":{"AccessKeyId":"ASIA1",
//!                 "SecretKey":"s","SessionToken":"t","Expiration":4102444800}}"#.to_owned()
//!         };
//!         ProviderFuture::ready(Ok(http::Response::new(body.into_bytes())))
//!     }
//! }
//!
//! # let rt = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
//! # rt.block_on(async {
//! let config = IdentityPoolConfig::builder()
//!     .identity_pool_id("us-east-1:8b9f2c4e-0000-4000-8000-0123456789ab")
//!     .allow_guest_access(true)
//!     .build()?;
//! let storage = SharedKeyValueStorage::new(MemoryStorage::new());
//! let provider = CognitoCredentialsProvider::builder(IdentityPool::new(config, FakeCognito::default()))
//!     .storage(storage.clone())
//!     .build();
//!
//! let guest = provider.credentials_and_identity_id(CredentialsOptions::guest()).await?;
//! assert_eq!(guest.credentials.access_key_id(), "ASIA1");
//! let key = "com.amplify.Cognito.us-east-1:8b9f2c4e-0000-4000-8000-0123456789ab.identityId";
//! assert_eq!(storage.get(key).await?.as_deref(), Some("us-east-1:guest-1"));
//!
//! // {"iss":"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC","sub":"alice"}
//! let id_token = Jwt::decode("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2NvZ25pdG8taWRwLnVzLWVhc3QtMS5hbWF6b25hd3MuY29tL3VzLWVhc3QtMV9BYkMiLCJzdWIiOiJhbGljZSJ9.c2ln")?;
//! let tokens = AuthTokens::new(id_token.clone(), std::time::SystemTime::now()).with_id_token(id_token);
//! let user = provider.credentials_and_identity_id(CredentialsOptions::authenticated(tokens)).await?;
//! // The guest identity is carried into the signed-in one.
//! assert_eq!(user.identity_id.as_deref(), Some("us-east-1:guest-1"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `oidc` | no | `oidc`: discovery, authorization code + PKCE, loopback redirect, device flow, refresh, ID-token validation (`auth-verify`) |
//! | `auth0` | no | `auth0`: Auth0 domain, `audience`, logout URL, device login (implies `oidc`) |
//! | `developer-backend` | no | `DeveloperBackend`: GetOpenIdTokenForDeveloperIdentity via `aws-sdk-cognitoidentity` |
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "auth0")]
pub mod auth0;
mod cognito;
mod custom;
mod developer;
mod error;
mod identity_pool;
pub mod logins;
#[cfg(feature = "oidc")]
pub mod oidc;
mod sts;

pub use cognito::{
    ClassicFlow, CognitoCredentialsProvider, CognitoCredentialsProviderBuilder,
    MAX_CREDENTIALS_AGE, identity_id_key,
};
pub use custom::CustomLoginProvider;
#[cfg(feature = "developer-backend")]
pub use developer::{DeveloperBackend, DeveloperBackendError};
pub use developer::{DeveloperIdentityProvider, DeveloperToken};
pub use error::IdentityPoolError;
pub use identity_pool::{IdentityPool, OpenIdToken};
