//! The sans-IO state machines of the multi-step Cognito flows.
//!
//! One machine per flow: [`SignIn`](sign_in::SignIn) (every flow and challenge, device SRP and
//! ConfirmDevice inside), [`SignUp`](sign_up::SignUp) (with confirm, resend and auto sign-in),
//! [`ResetPassword`](reset_password::ResetPassword) and the token
//! [`Session`](session::Session). Every machine has the same shape, taken from quinn-proto:
//!
//! - **inputs**: `handle_response(response, now)` for what Cognito said, and commands such as
//!   `confirm(answer, options, rng, now)` for what the user said;
//! - **outputs**: `#[must_use] poll_request()` returns the next `http::Request<Vec<u8>>` to send,
//!   until `None`; then `step()` says what the user must do next, or holds the finished outcome;
//! - **time and randomness are arguments**: `now: SystemTime` and
//!   `&mut (impl CryptoRng + RngCore)` (rand_core 0.6); nothing here reads a clock;
//! - an input that does not fit the current state is an [`Error`] and leaves the state
//!   unchanged; every error says, through [`Recovery`], whether the user may retry.
//!
//! A driver is a short loop: poll a request, send it with any transport, hand the response back,
//! and ask the user when `step()` asks for something. See `docs/sign-in.md`.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use auth_core::config::UserPoolConfig;
//! use auth_core::machine::sign_in::{SignIn, SignInFlow, SignInInput, SignInStep};
//!
//! let config = UserPoolConfig::builder()
//!     .pool_id("us-east-1_AbCdEf123")
//!     .client_id("1example23456789")
//!     .build()?;
//! let mut rng = rand::thread_rng();
//! let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_772_521_509);
//! let input = SignInInput::new("alice", "correct horse battery staple")
//!     .with_flow(SignInFlow::UserPasswordAuth);
//! let mut sign_in = SignIn::new(&config, input, &mut rng, now)?;
//! let request = sign_in.poll_request().expect("InitiateAuth");
//! assert_eq!(request.headers()["x-amz-target"], "AWSCognitoIdentityProviderService.InitiateAuth");
//! assert!(sign_in.poll_request().is_none());
//! // ... send it, then:
//! let response = http::Response::builder()
//!     .status(200)
//!     .body(r#"{"ChallengeName":"SOFTWARE_TOKEN_MFA","Session":"s1","ChallengeParameters":{}}"#)?;
//! sign_in.handle_response(response, now)?;
//! assert!(matches!(sign_in.step(), Some(SignInStep::ConfirmWithTotpCode)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::time::Duration;

mod error;
pub mod reset_password;
pub mod session;
pub mod sign_in;
pub mod sign_up;

pub use error::{Cause, Error, Recovery};

/// How long a Cognito session (the `Session` of a challenge) lives: 3 minutes.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(180);

/// Key-value pairs passed to the Lambda triggers (`ClientMetadata`). Cognito neither stores,
/// validates nor encrypts them: never put secrets here.
pub type ClientMetadata = BTreeMap<String, String>;

/// Key-value pairs for the pre sign-up trigger only (`ValidationData` of SignUp, the
/// trigger's `validationData`): [`ClientMetadata`]'s sibling, sent as name/value pairs.
/// Cognito does not store them; never put secrets here.
pub type ValidationData = BTreeMap<String, String>;

/// The single outgoing request slot of a machine.
#[derive(Debug, Default)]
pub(crate) struct Outbox(Option<http::Request<Vec<u8>>>);

impl Outbox {
    pub(crate) fn put(&mut self, request: http::Request<Vec<u8>>) {
        self.0 = Some(request);
    }

    pub(crate) fn take(&mut self) -> Option<http::Request<Vec<u8>>> {
        self.0.take()
    }

    pub(crate) fn clear(&mut self) {
        self.0 = None;
    }
}

/// SECRET_HASH of `username` when the app client has a secret.
pub(crate) fn secret_hash(
    config: &crate::config::UserPoolConfig,
    username: &str,
) -> Option<crate::Sensitive> {
    config
        .client_secret()
        .map(|secret| crate::srp::secret_hash(secret.expose(), username, config.client_id()))
}

/// Whether a Cognito error says that a remembered device is unknown ("Device does not exist").
pub(crate) fn is_device_missing(error: &crate::wire::Error) -> bool {
    match error {
        crate::wire::Error::Service(e) => {
            matches!(
                e.kind,
                crate::wire::ErrorKind::ResourceNotFound | crate::wire::ErrorKind::InvalidParameter
            ) && e
                .message
                .as_deref()
                .is_some_and(|m| m.to_ascii_lowercase().contains("device does not exist"))
        }
        crate::wire::Error::MalformedResponse(_) => false,
    }
}
