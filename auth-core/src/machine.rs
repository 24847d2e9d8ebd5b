//! The sans-IO state machines of the multi-step Cognito flows.
//!
//! One machine per flow: [`SignIn`](sign_in::SignIn) (every flow and challenge, device SRP and
//! ConfirmDevice inside), [`SignUp`](sign_up::SignUp) (with confirm, resend and auto sign-in),
//! [`ResetPassword`](reset_password::ResetPassword), the token
//! [`Session`](session::Session), and the OAuth authorization code grant
//! ([`AuthorizationCode`](crate::oauth::AuthorizationCode)). Every machine implements one trait, [`Machine`], the shape
//! taken from quinn-proto:
//!
//! - **inputs**: [`Machine::handle_response`]`(response, now)` for what Cognito said,
//!   [`Machine::transport_failed`]`(now)` when nothing came back, and commands on each machine
//!   such as `confirm(answer, options, rng, now)` for what the user said;
//! - **outputs**: `#[must_use]` [`Machine::poll_request`] returns the next
//!   `http::Request<Vec<u8>>` to send, until `None`; then [`Machine::step`] says what the user
//!   must do next, or holds the finished outcome;
//! - **time and randomness are arguments**: `now: SystemTime` and
//!   `&mut (impl CryptoRng + RngCore)` (rand_core 0.6); nothing here reads a clock;
//! - an input that does not fit the current state is an [`Error`] and leaves the state
//!   unchanged; every error says, through [`Recovery`], whether the user may retry.
//!
//! Import the trait (`use auth_core::machine::Machine as _;`) to call its methods, as with
//! `std::io::Read`.
//!
//! A driver is a short loop: poll a request, send it with any transport, hand the response back,
//! and ask the user when `step()` asks for something. See `docs/sign-in.md`.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use auth_core::config::UserPoolConfig;
//! use auth_core::machine::Machine as _;
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
use std::fmt;
use std::time::{Duration, SystemTime};

use zeroize::Zeroize as _;

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

/// The shape every machine of this crate has, after quinn-proto's `Connection`: requests out,
/// responses and transport failures in, the user's next step readable at any time.
///
/// A driver is generic over it: poll a request, send it, hand back the response (or say that
/// none came), and when nothing is left to send read [`step`](Machine::step). The umbrella
/// client's driver and the test peer's are both this loop; commands that carry what the user
/// said (`confirm`, `resend_code`, `refresh`) stay on each machine, since their inputs differ.
///
/// ```
/// use std::time::SystemTime;
/// use auth_core::machine::{Machine, Recovery};
///
/// /// Sends every request `machine` queues with `send`; `None` from `send` is a request that
/// /// got no response.
/// fn drive<M: Machine>(
///     machine: &mut M,
///     mut send: impl FnMut(http::Request<Vec<u8>>) -> Option<http::Response<Vec<u8>>>,
/// ) -> Result<Option<&M::Step>, auth_core::machine::Error> {
///     while let Some(request) = machine.poll_request() {
///         match send(request) {
///             Some(response) => machine.handle_response(response, SystemTime::now())?,
///             None => match machine.transport_failed(SystemTime::now())? {
///                 // The same request may be sent again.
///                 Recovery::Resend => machine.resend()?,
///                 // Back at the user's step, or the flow is over: stop and ask the user.
///                 _ => break,
///             },
///         }
///     }
///     Ok(machine.step())
/// }
/// ```
pub trait Machine {
    /// What the user must do next, or how the flow ended.
    type Step;

    /// The next request to send, until `None`. A request that is never sent may be dropped:
    /// the machine waits for its response or for [`transport_failed`](Machine::transport_failed).
    #[must_use]
    fn poll_request(&mut self) -> Option<http::Request<Vec<u8>>>;

    /// Hands the response to the request in flight to the machine, received at `now`.
    ///
    /// # Errors
    ///
    /// No request in flight: [`Cause::UnexpectedResponse`], state unchanged. A response that
    /// fails the flow: the error, whose [`Recovery`] says what may happen next.
    fn handle_response<B: AsRef<[u8]>>(
        &mut self,
        response: http::Response<B>,
        now: SystemTime,
    ) -> Result<(), Error>;

    /// The request in flight got no response (offline, refused, timed out). The machine
    /// settles where the flow can go on and says how: [`Recovery::Retry`] when it is back at
    /// the step whose answer was in flight (answer again), [`Recovery::Resend`] when the same
    /// request may be queued again with [`resend`](Machine::resend). Nothing the user holds
    /// (tokens, the challenge session) is dropped.
    ///
    /// # Errors
    ///
    /// No request in flight: [`Cause::UnexpectedResponse`], state unchanged.
    fn transport_failed(&mut self, now: SystemTime) -> Result<Recovery, Error>;

    /// Queues the request that failed with [`Recovery::Resend`] again.
    ///
    /// # Errors
    ///
    /// [`Cause::UnexpectedInput`] when nothing is waiting to be resent.
    fn resend(&mut self) -> Result<(), Error>;

    /// What the user must do next, or the final step; `None` while a request is queued or in
    /// flight, and after a failure.
    fn step(&self) -> Option<&Self::Step>;
}

/// The outgoing request slot of a machine, and a copy of the last request for
/// [`Machine::resend`]. The copies' bodies (passwords, codes) are wiped when dropped.
#[derive(Default)]
pub(crate) struct Outbox {
    next: Option<http::Request<Vec<u8>>>,
    sent: Option<http::Request<Vec<u8>>>,
}

impl fmt::Debug for Outbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Outbox")
            .field("queued", &self.next.is_some())
            .field("resendable", &self.sent.is_some())
            .finish()
    }
}

impl Outbox {
    /// Queues `request` and keeps a copy for a resend.
    pub(crate) fn put(&mut self, request: http::Request<Vec<u8>>) {
        self.clear();
        self.sent = Some(copy(&request));
        self.next = Some(request);
    }

    pub(crate) fn take(&mut self) -> Option<http::Request<Vec<u8>>> {
        self.next.take()
    }

    /// A response came: nothing stays queued, and the copy goes.
    pub(crate) fn clear(&mut self) {
        self.unanswered();
        if let Some(mut request) = self.sent.take() {
            request.body_mut().zeroize();
        }
    }

    /// No response came: nothing stays queued; the copy stays for [`resend`](Self::resend).
    pub(crate) fn unanswered(&mut self) {
        if let Some(mut request) = self.next.take() {
            request.body_mut().zeroize();
        }
    }

    /// Queues the copy of the last request again; `false` without one.
    pub(crate) fn resend(&mut self) -> bool {
        match &self.sent {
            Some(request) => {
                self.next = Some(copy(request));
                true
            }
            None => false,
        }
    }
}

impl Drop for Outbox {
    fn drop(&mut self) {
        self.clear();
    }
}

fn copy(request: &http::Request<Vec<u8>>) -> http::Request<Vec<u8>> {
    let mut copy = http::Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.headers_mut() = request.headers().clone();
    copy
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
