//! [`Error`]: what went wrong in a machine, grouped by cause, and what the caller may do next.

use std::fmt;

use crate::oauth::{AuthorizationError, TokenEndpointError};
use crate::srp::SrpError;
use crate::wire::{self, ChallengeName, ErrorKind, MalformedResponse, ServiceError};

/// What the caller may do after an [`Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Recovery {
    /// The machine is exactly where it was before the failed input: answer the current step
    /// again (a wrong code, a password the policy refuses, an answer that does not fit the step,
    /// a command while a request is in flight).
    Retry,
    /// A transient failure (throttling, a 5xx, a cut connection): call the machine's `resend`
    /// after a back-off and the same request comes out of `poll_request` again.
    Resend,
    /// The flow is over and cannot continue: start a new one (wrong password, expired session,
    /// a peer that broke the protocol).
    StartOver,
}

/// Why a machine refused an input.
///
/// Grouped as rustls groups its errors: Cognito said no ([`Cause::Service`]); the peer sent
/// something that does not fit the protocol ([`Cause::MalformedResponse`],
/// [`Cause::UnexpectedResponse`], [`Cause::UnsupportedChallenge`], [`Cause::EmptyResult`],
/// [`Cause::Srp`], [`Cause::Authorization`], [`Cause::TokenEndpoint`]); the caller misused the API ([`Cause::UnexpectedInput`],
/// [`Cause::InvalidInput`], [`Cause::RequestInFlight`], [`Cause::Finished`]); the transport
/// failed ([`Cause::NoResponse`]); or time ran out ([`Cause::SessionExpired`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cause {
    /// Cognito answered with a typed error.
    Service(ServiceError),
    /// The response is not a Cognito response.
    MalformedResponse(MalformedResponse),
    /// A response arrived that does not fit: no request is in flight, or the response lacks
    /// what the request's answer must carry (a session, a secret, tokens that decode).
    UnexpectedResponse {
        /// What is wrong.
        reason: &'static str,
    },
    /// Cognito asked for a challenge this flow cannot answer (for example PASSWORD_VERIFIER
    /// in a flow without SRP, or DEVICE_SRP_AUTH without a remembered device).
    UnsupportedChallenge(ChallengeName),
    /// InitiateAuth or RespondToAuthChallenge returned neither a challenge nor tokens (moto
    /// answers CUSTOM_AUTH with `{}`).
    EmptyResult,
    /// The user's answer does not fit the current step.
    UnexpectedInput {
        /// What the current step expects.
        expected: &'static str,
        /// What was given.
        got: &'static str,
    },
    /// The input is unusable (an empty username, a password where the flow takes none, …).
    InvalidInput {
        /// What is wrong.
        reason: &'static str,
    },
    /// A command arrived while a request is waiting for its response.
    RequestInFlight,
    /// The flow has finished; start a new one.
    Finished,
    /// The Cognito session (3 minutes) expired before the answer.
    SessionExpired,
    /// SRP refused the challenge.
    Srp(SrpError),
    /// The request got no response: the transport failed (offline, refused, timed out). See
    /// [`Machine::transport_failed`](crate::machine::Machine::transport_failed).
    NoResponse,
    /// The authorization redirect gives no code to exchange (a state mismatch, the user
    /// cancelled, …): [`AuthorizationCode`](crate::oauth::AuthorizationCode).
    Authorization(AuthorizationError),
    /// The OAuth token endpoint refused the grant or answered something unusable:
    /// [`AuthorizationCode`](crate::oauth::AuthorizationCode).
    TokenEndpoint(TokenEndpointError),
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Service(e) => fmt::Display::fmt(e, f),
            Self::MalformedResponse(e) => fmt::Display::fmt(e, f),
            Self::UnexpectedResponse { reason } => write!(f, "unexpected response: {reason}"),
            Self::NoResponse => {
                f.write_str("the request got no response (offline, refused or timed out)")
            }
            Self::UnsupportedChallenge(c) => {
                write!(f, "challenge {c} is not supported by this flow")
            }
            Self::EmptyResult => f.write_str("Cognito returned neither a challenge nor tokens"),
            Self::UnexpectedInput { expected, got } => {
                write!(f, "the current step expects {expected}, not {got}")
            }
            Self::InvalidInput { reason } => write!(f, "invalid input: {reason}"),
            Self::RequestInFlight => f.write_str("a request is waiting for its response"),
            Self::Finished => f.write_str("the flow has finished"),
            Self::SessionExpired => f.write_str("the sign-in session expired (3 minutes)"),
            Self::Srp(e) => fmt::Display::fmt(e, f),
            Self::Authorization(e) => fmt::Display::fmt(e, f),
            Self::TokenEndpoint(e) => fmt::Display::fmt(e, f),
        }
    }
}

/// A machine refused an input. Carries the [`Cause`] and the [`Recovery`] the machine allows.
///
/// ```
/// use auth_core::machine::{Cause, Error, Recovery};
///
/// let error = Error::new(Cause::SessionExpired, Recovery::StartOver);
/// assert!(!error.may_retry());
/// assert_eq!(error.to_string(), "the sign-in session expired (3 minutes)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    cause: Cause,
    recovery: Recovery,
}

impl Error {
    /// An error with its recovery.
    pub fn new(cause: Cause, recovery: Recovery) -> Self {
        Self { cause, recovery }
    }

    /// Why the input was refused.
    pub fn cause(&self) -> &Cause {
        &self.cause
    }

    /// What the caller may do next.
    pub fn recovery(&self) -> Recovery {
        self.recovery
    }

    /// Whether the user may try again without starting over ([`Recovery::Retry`] or
    /// [`Recovery::Resend`]).
    pub fn may_retry(&self) -> bool {
        !matches!(self.recovery, Recovery::StartOver)
    }

    /// The Cognito error kind, when Cognito answered with an error.
    pub fn service_kind(&self) -> Option<&ErrorKind> {
        match &self.cause {
            Cause::Service(e) => Some(&e.kind),
            _ => None,
        }
    }

    pub(crate) fn misuse(cause: Cause) -> Self {
        Self::new(cause, Recovery::Retry)
    }

    pub(crate) fn fatal(cause: Cause) -> Self {
        Self::new(cause, Recovery::StartOver)
    }

    pub(crate) fn unexpected_input(expected: &'static str, got: &'static str) -> Self {
        Self::misuse(Cause::UnexpectedInput { expected, got })
    }

    /// A response or a transport failure while no request is in flight.
    pub(crate) fn nothing_in_flight() -> Self {
        Self::misuse(Cause::UnexpectedResponse {
            reason: "no request is waiting for a response",
        })
    }

    pub(crate) fn invalid_input(reason: &'static str) -> Self {
        Self::misuse(Cause::InvalidInput { reason })
    }

    pub(crate) fn unexpected_response(reason: &'static str) -> Self {
        Self::fatal(Cause::UnexpectedResponse { reason })
    }

    /// A wire error, with the recovery a retryable error allows.
    pub(crate) fn from_wire(error: wire::Error, retryable: Recovery) -> Self {
        let recovery = if error.is_retryable() {
            retryable
        } else {
            Recovery::StartOver
        };
        let cause = match error {
            wire::Error::Service(e) => Cause::Service(e),
            wire::Error::MalformedResponse(e) => Cause::MalformedResponse(e),
        };
        Self::new(cause, recovery)
    }

    pub(crate) fn with_recovery(mut self, recovery: Recovery) -> Self {
        self.recovery = recovery;
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.cause, f)
    }
}

// `Display` forwards to the wrapped error (as `#[error(transparent)]` does), so `source()` is
// left `None` and an error report does not print the same line twice.
impl std::error::Error for Error {}

impl From<SrpError> for Error {
    fn from(error: SrpError) -> Self {
        Self::fatal(Cause::Srp(error))
    }
}
