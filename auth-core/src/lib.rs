//! The sans-IO Amazon Cognito protocol.
//!
//! `auth-core` holds everything about talking to Cognito that does not need a runtime, a
//! clock or a socket: configuration types ([`config`]), the wire types and codec of the
//! user-pool and identity-pool operations ([`wire`]), SRP ([`srp`]), the SRP timestamp
//! ([`timestamp`]), JWT claims and token expiry ([`tokens`]), sign-in with redirect through the
//! managed login ([`oauth`]: state, PKCE, authorization and token requests), and the state machines of the
//! multi-step flows: sign-in, sign-up, reset password and the token session ([`machine`]; the
//! `test-util` feature adds a scripted Cognito peer to test them). Time (`now: SystemTime`) and
//! randomness (`&mut impl CryptoRngCore`) are always passed in, so every function here is
//! deterministic and can be driven by any transport or by a property test.
//!
//! Use this crate directly when you bring your own transport or want to model-check a flow.
//! For a ready client that sends the requests, stores tokens and refreshes them, use the
//! umbrella crate `auth` instead.
//!
//! Errors are grouped by cause: what Cognito answered ([`wire::Error::Service`]), a peer that
//! sent something that is not a Cognito response ([`wire::Error::MalformedResponse`],
//! [`srp::SrpError::MalformedChallenge`], [`srp::SrpError::UnsafeValue`]), and a caller
//! misusing the API ([`config::ConfigError`], [`srp::SrpError::InvalidInput`]).
//!
//! # Example: the first step of an SRP sign-in
//!
//! ```
//! use auth_core::config::UserPoolConfig;
//! use auth_core::srp::SrpClient;
//! use auth_core::wire::{self, AuthFlow, InitiateAuthInput, Parameters};
//! use rand::SeedableRng;
//!
//! let config = UserPoolConfig::builder()
//!     .pool_id("us-east-1_AbCdEf123")
//!     .client_id("1example23456789")
//!     .build()?;
//! // Randomness is passed in; a seeded RNG makes this example deterministic.
//! let mut rng = rand::rngs::StdRng::seed_from_u64(7);
//! let srp = SrpClient::new(&mut rng);
//! let input = InitiateAuthInput {
//!     auth_flow: AuthFlow::UserSrpAuth,
//!     client_id: config.client_id().to_owned(),
//!     auth_parameters: Parameters::new()
//!         .with("USERNAME", "alice")
//!         .with("SRP_A", srp.public_a_hex()),
//!     ..Default::default()
//! };
//! let request = wire::encode(config.endpoint(), &input);
//! assert_eq!(request.uri(), "https://cognito-idp.us-east-1.amazonaws.com/");
//! assert_eq!(request.headers()["x-amz-target"], "AWSCognitoIdentityProviderService.InitiateAuth");
//! // Secrets never show up in Debug output.
//! assert!(!format!("{input:?}").contains(srp.public_a_hex()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod config;
pub mod machine;
pub mod oauth;
mod secret;
pub mod srp;
#[cfg(feature = "test-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub mod test_util;
pub mod timestamp;
pub mod tokens;
pub mod wire;

pub use secret::Sensitive;
