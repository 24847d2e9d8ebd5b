//! The reset-password machine: ForgotPassword, then ConfirmForgotPassword with the code and
//! the new password.

use std::fmt;
use std::time::SystemTime;

use crate::Sensitive;
use crate::config::UserPoolConfig;
use crate::machine::sign_in::CodeDelivery;
use crate::machine::{Cause, ClientMetadata, Error, Machine, Outbox, Recovery, secret_hash};
use crate::wire::{
    self, ConfirmForgotPassword, ConfirmForgotPasswordInput, ErrorKind, ForgotPassword,
    ForgotPasswordInput,
};

/// What the user must do next (Amplify's `nextStep.resetPasswordStep`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResetPasswordStep {
    /// CONFIRM_RESET_PASSWORD_WITH_CODE: answer with [`ResetPassword::confirm`], or ask for
    /// another code with [`ResetPassword::resend_code`].
    ConfirmWithCode {
        /// Where the code went.
        delivery: Option<CodeDelivery>,
    },
    /// DONE: the password is changed. Final.
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Awaiting {
    Forgot,
    Confirm,
}

#[derive(Debug)]
enum State {
    Response(Awaiting),
    /// The request got no response; `resend` queues it again.
    Unanswered(Awaiting),
    Step(ResetPasswordStep),
    Failed(Box<Error>),
}

/// A password reset, as a sans-IO state machine.
///
/// # Polling order
///
/// [`ResetPassword::new`] queues ForgotPassword. Take requests from
/// [`poll_request`](Self::poll_request) until `None`, hand each response to
/// [`handle_response`](Self::handle_response), then read [`step`](Self::step): answer
/// CONFIRM_RESET_PASSWORD_WITH_CODE with [`confirm`](Self::confirm) (or
/// [`resend_code`](Self::resend_code)) and poll again until DONE.
///
/// ```
/// use std::time::SystemTime;
/// use auth_core::config::UserPoolConfig;
/// use auth_core::machine::Machine as _;
/// use auth_core::machine::reset_password::{ResetPassword, ResetPasswordStep};
///
/// let config = UserPoolConfig::builder().pool_id("us-east-1_Ab").client_id("c").build()?;
/// let now = SystemTime::UNIX_EPOCH;
/// let mut reset = ResetPassword::new(&config, "alice", Default::default(), now)?;
/// let request = reset.poll_request().expect("ForgotPassword");
/// assert_eq!(request.headers()["x-amz-target"], "AWSCognitoIdentityProviderService.ForgotPassword");
/// let body = r#"{"CodeDeliveryDetails":{"DeliveryMedium":"EMAIL","Destination":"a***@e***"}}"#;
/// reset.handle_response(http::Response::new(body), now)?;
/// assert!(matches!(reset.step(), Some(ResetPasswordStep::ConfirmWithCode { .. })));
/// reset.confirm("123456", "N3w-password!", None, now)?;
/// assert!(reset.poll_request().is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct ResetPassword {
    config: UserPoolConfig,
    username: String,
    client_metadata: ClientMetadata,
    delivery: Option<CodeDelivery>,
    /// The code step was reached once: later requests answer it.
    code_asked: bool,
    state: State,
    outbox: Outbox,
}

impl fmt::Debug for ResetPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResetPassword")
            .field("username", &self.username)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl ResetPassword {
    /// Starts a reset and queues ForgotPassword.
    ///
    /// # Errors
    ///
    /// [`Cause::InvalidInput`] for an empty username.
    pub fn new(
        config: &UserPoolConfig,
        username: impl Into<String>,
        client_metadata: ClientMetadata,
        now: SystemTime,
    ) -> Result<Self, Error> {
        let _ = now;
        let username = username.into();
        if username.trim().is_empty() {
            return Err(Error::invalid_input("the username is empty"));
        }
        let mut machine = Self {
            config: config.clone(),
            username,
            client_metadata,
            delivery: None,
            code_asked: false,
            state: State::Response(Awaiting::Forgot),
            outbox: Outbox::default(),
        };
        machine.queue_forgot(None);
        Ok(machine)
    }

    /// Finishes a reset started earlier (by this process or another one, or by an
    /// administrator): starts at CONFIRM_RESET_PASSWORD_WITH_CODE without sending anything.
    ///
    /// # Errors
    ///
    /// [`Cause::InvalidInput`] for an empty username.
    pub fn confirm_existing(
        config: &UserPoolConfig,
        username: impl Into<String>,
        client_metadata: ClientMetadata,
    ) -> Result<Self, Error> {
        let username = username.into();
        if username.trim().is_empty() {
            return Err(Error::invalid_input("the username is empty"));
        }
        Ok(Self {
            config: config.clone(),
            username,
            client_metadata,
            delivery: None,
            code_asked: true,
            state: State::Step(ResetPasswordStep::ConfirmWithCode { delivery: None }),
            outbox: Outbox::default(),
        })
    }

    fn queue_forgot(&mut self, client_metadata: Option<ClientMetadata>) {
        let input = ForgotPasswordInput {
            client_id: self.config.client_id().to_owned(),
            secret_hash: secret_hash(&self.config, &self.username),
            username: self.username.clone(),
            client_metadata: client_metadata.unwrap_or_else(|| self.client_metadata.clone()),
            ..Default::default()
        };
        self.outbox
            .put(wire::encode(self.config.endpoint(), &input));
        self.state = State::Response(Awaiting::Forgot);
    }

    /// The error that ended the reset, if it failed.
    pub fn failure(&self) -> Option<&Error> {
        match &self.state {
            State::Failed(error) => Some(error),
            _ => None,
        }
    }

    fn expect_code_step(&self, got: &'static str) -> Result<(), Error> {
        match &self.state {
            State::Step(ResetPasswordStep::ConfirmWithCode { .. }) => Ok(()),
            State::Response(_) => Err(Error::misuse(Cause::RequestInFlight)),
            State::Unanswered(_) => Err(Error::unexpected_input("a resend", got)),
            _ => Err(Error::unexpected_input("nothing (the reset is over)", got)),
        }
    }

    /// Sends the code and the new password (ConfirmForgotPassword).
    ///
    /// # Errors
    ///
    /// Not at CONFIRM_RESET_PASSWORD_WITH_CODE: [`Cause::UnexpectedInput`] (state unchanged);
    /// an empty code or password: [`Cause::InvalidInput`].
    pub fn confirm(
        &mut self,
        code: impl Into<Sensitive>,
        new_password: impl Into<Sensitive>,
        client_metadata: Option<ClientMetadata>,
        now: SystemTime,
    ) -> Result<(), Error> {
        let _ = now;
        self.expect_code_step("a code and a new password")?;
        let (code, password) = (code.into(), new_password.into());
        if code.is_empty() || password.is_empty() {
            return Err(Error::invalid_input(
                "the code and the new password must not be empty",
            ));
        }
        let input = ConfirmForgotPasswordInput {
            client_id: self.config.client_id().to_owned(),
            secret_hash: secret_hash(&self.config, &self.username),
            username: self.username.clone(),
            confirmation_code: code,
            password,
            client_metadata: client_metadata.unwrap_or_else(|| self.client_metadata.clone()),
            ..Default::default()
        };
        self.outbox
            .put(wire::encode(self.config.endpoint(), &input));
        self.state = State::Response(Awaiting::Confirm);
        Ok(())
    }

    /// Asks for another code (ForgotPassword again).
    ///
    /// # Errors
    ///
    /// Not at CONFIRM_RESET_PASSWORD_WITH_CODE: [`Cause::UnexpectedInput`] (state unchanged).
    pub fn resend_code(&mut self, client_metadata: Option<ClientMetadata>) -> Result<(), Error> {
        self.expect_code_step("a resend")?;
        self.queue_forgot(client_metadata);
        Ok(())
    }
}

impl Machine for ResetPassword {
    type Step = ResetPasswordStep;

    /// The next request to send, until `None`.
    fn poll_request(&mut self) -> Option<http::Request<Vec<u8>>> {
        self.outbox.take()
    }

    /// What the user must do next; `None` while a request is in flight or after a failure.
    fn step(&self) -> Option<&ResetPasswordStep> {
        match &self.state {
            State::Step(step) => Some(step),
            _ => None,
        }
    }

    /// The request in flight got no response. After the code step (a confirmation, a new
    /// code): back at CONFIRM_RESET_PASSWORD_WITH_CODE ([`Recovery::Retry`]). The first
    /// ForgotPassword: ready for [`resend`](Self::resend) ([`Recovery::Resend`]).
    ///
    /// # Errors
    ///
    /// No request in flight: [`Cause::UnexpectedResponse`] (state unchanged).
    fn transport_failed(&mut self, now: SystemTime) -> Result<Recovery, Error> {
        let _ = now;
        let State::Response(awaiting) = self.state else {
            return Err(Error::nothing_in_flight());
        };
        self.outbox.unanswered();
        if self.code_asked {
            self.outbox.clear();
            self.state = State::Step(ResetPasswordStep::ConfirmWithCode {
                delivery: self.delivery.clone(),
            });
            Ok(Recovery::Retry)
        } else {
            self.state = State::Unanswered(awaiting);
            Ok(Recovery::Resend)
        }
    }

    /// Queues the first ForgotPassword again after [`transport_failed`](Self::transport_failed).
    ///
    /// # Errors
    ///
    /// [`Cause::UnexpectedInput`] when nothing is waiting to be resent.
    fn resend(&mut self) -> Result<(), Error> {
        match self.state {
            State::Unanswered(awaiting) if self.outbox.resend() => {
                self.state = State::Response(awaiting);
                Ok(())
            }
            _ => Err(Error::unexpected_input("no resend", "a resend")),
        }
    }

    /// Hands Cognito's response to the request in flight to the machine.
    ///
    /// # Errors
    ///
    /// No request in flight: [`Cause::UnexpectedResponse`] (state unchanged). At confirmation,
    /// a wrong or expired code, a password the policy refuses, or throttling: back at
    /// CONFIRM_RESET_PASSWORD_WITH_CODE ([`Recovery::Retry`]). Anything else ends the reset.
    fn handle_response<B: AsRef<[u8]>>(
        &mut self,
        response: http::Response<B>,
        now: SystemTime,
    ) -> Result<(), Error> {
        let _ = now;
        let State::Response(awaiting) = self.state else {
            return Err(Error::nothing_in_flight());
        };
        self.outbox.clear();
        let result = match awaiting {
            Awaiting::Forgot => wire::decode::<ForgotPassword, _>(response).map(|out| {
                if let Some(details) = out.code_delivery_details {
                    self.delivery = Some(details.into());
                }
                self.code_asked = true;
                ResetPasswordStep::ConfirmWithCode {
                    delivery: self.delivery.clone(),
                }
            }),
            Awaiting::Confirm => {
                wire::decode::<ConfirmForgotPassword, _>(response).map(|_| ResetPasswordStep::Done)
            }
        };
        match result {
            Ok(step) => {
                self.state = State::Step(step);
                Ok(())
            }
            Err(error) => {
                let again = matches!(
                    error.kind(),
                    Some(
                        ErrorKind::CodeMismatch
                            | ErrorKind::ExpiredCode
                            | ErrorKind::InvalidPassword
                            | ErrorKind::PasswordHistoryPolicyViolation
                            | ErrorKind::LimitExceeded
                    )
                ) || error.is_retryable();
                if awaiting == Awaiting::Confirm && again {
                    self.state = State::Step(ResetPasswordStep::ConfirmWithCode {
                        delivery: self.delivery.clone(),
                    });
                    return Err(
                        Error::from_wire(error, Recovery::Retry).with_recovery(Recovery::Retry)
                    );
                }
                let error =
                    Error::from_wire(error, Recovery::StartOver).with_recovery(Recovery::StartOver);
                self.state = State::Failed(Box::new(error.clone()));
                Err(error)
            }
        }
    }
}
