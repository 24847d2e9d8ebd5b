//! Amplify Auth for Rust.
//!
//! `auth` composes the toolkit's crates behind feature flags. [`core`] (the sans-IO Cognito
//! protocol) is always present; the other crates are re-exported under short names:
//!
//! | feature | module | crate |
//! |---|---|---|
//! | (always) | [`core`] | `auth-core` |
//! | `hub` | `hub` | `auth-hub` |
//! | `providers` | `providers` | `auth-providers` |
//! | `reqwest`, `redis`, `aws-sdk` | `providers::ReqwestHttpClient`, `providers::RedisStorage`, `providers::aws` | `auth-providers`' features of the same names |
//! | `federation` | `federation` | `auth-federation` |
//! | `oidc`, `auth0` | `federation::oidc`, `federation::auth0` | `auth-federation`'s OIDC and Auth0 adapters |
//! | `developer-backend` | `federation::DeveloperBackend` | `auth-federation`'s backend helper |
//! | `verify` | `verify` | `auth-verify` |
//! | `verify-tower` | `verify::VerifyLayer` | `auth-verify`'s tower layer |
//! | `triggers` | `triggers` | `auth-triggers` |
//! | `lambda`, `aws-lambda-events` | `triggers::lambda`, `triggers::compat` | `auth-triggers`' router and `aws_lambda_events` conversions |
//! | `client` | [`client`], [`Auth`] | the full client over all of them |
//! | `full` | all of the above | |
//!
//! No feature is on by default, here or in the leaf crates.
//!
//! Pick a single crate when that is all a system needs (a Lambda that only handles trigger
//! payloads depends on `auth-triggers` alone); enable features here for a full client.
//!
//! # The full client
//!
//! With the `client` feature, [`Auth`] is Amplify Auth for Rust (guide: `docs/client.md`):
//!
//! ```
//! # #[cfg(feature = "client")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use auth::Auth;
//! use auth::hub::AuthEvent;
//!
//! // The `auth` section of Amplify Gen 2's amplify_outputs.json.
//! let outputs = r#"{"auth": {"aws_region": "eu-west-1", "user_pool_id": "eu-west-1_AbC",
//!     "user_pool_client_id": "1example23456789",
//!     "identity_pool_id": "eu-west-1:0e1c-42", "unauthenticated_identities_enabled": true}}"#;
//! let auth = Auth::from_amplify_outputs(outputs)?;
//! assert_eq!(auth.user_pool_config().unwrap().region(), "eu-west-1");
//! assert!(auth.identity_pool_config().unwrap().allow_guest_access());
//! let _listener = auth.hub().auth().listen(|event: &AuthEvent| {
//!     eprintln!("auth event: {}", event.name());
//! });
//! // Then: auth.sign_in(…).await, auth.fetch_auth_session(…).await, auth.sign_out(…).await.
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "client"))]
//! # fn main() {}
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use auth_core as core;

#[cfg(feature = "hub")]
pub use auth_hub as hub;

#[cfg(feature = "providers")]
pub use auth_providers as providers;

#[cfg(feature = "federation")]
pub use auth_federation as federation;

#[cfg(feature = "triggers")]
pub use auth_triggers as triggers;

#[cfg(feature = "verify")]
pub use auth_verify as verify;

#[cfg(feature = "client")]
pub mod client;

#[cfg(feature = "client")]
pub use client::Auth;

/// The guide pages (`docs/`) of the client and of the crates it re-exports: their examples are compiled, and run unless marked
/// `no_run` (those need a network), as doctests.
#[cfg(all(doctest, feature = "client"))]
mod guide {
    #[doc = include_str!("../docs/client.md")]
    struct Client;
    #[doc = include_str!("../docs/client-sign-in.md")]
    struct ClientSignIn;
    #[doc = include_str!("../docs/sign-up.md")]
    struct SignUp;
    #[doc = include_str!("../docs/password-reset.md")]
    struct PasswordReset;
    #[doc = include_str!("../docs/sessions.md")]
    struct Sessions;
    #[doc = include_str!("../docs/aws-services.md")]
    struct AwsServices;
    #[doc = include_str!("../docs/custom-providers.md")]
    struct CustomProviders;
    #[doc = include_str!("../docs/hub.md")]
    struct Hub;
    #[doc = include_str!("../docs/providers.md")]
    struct Providers;
    #[doc = include_str!("../docs/identity-pools.md")]
    struct IdentityPools;
    #[doc = include_str!("../docs/developer-identities.md")]
    struct DeveloperIdentities;
}

/// The federation guide pages (`docs/`), compiled as doctests through the umbrella's paths.
#[cfg(all(doctest, feature = "auth0"))]
mod federation_guide {
    #[doc = include_str!("../docs/oidc.md")]
    struct Oidc;
    #[doc = include_str!("../docs/auth0.md")]
    struct Auth0;
}

/// The sign-in machine's guide page, through `auth::core` (the scripted peer of
/// `auth-core`'s `test-util` feature is a dev-dependency of this crate).
#[cfg(doctest)]
#[doc = include_str!("../docs/sign-in.md")]
struct SignInGuide;

/// The triggers guide page, through `auth::triggers`.
#[cfg(all(doctest, feature = "lambda"))]
#[doc = include_str!("../docs/triggers.md")]
struct TriggersGuide;

/// The server-side verification guide (`docs/verify-tokens.md`), compiled as doctests through
/// the umbrella's paths.
#[cfg(all(doctest, feature = "verify-tower", feature = "reqwest"))]
mod verify_guide {
    #[doc = include_str!("../docs/verify-tokens.md")]
    struct VerifyTokens;
}
