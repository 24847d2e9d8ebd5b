//! The sign-up machine: SignUp, ConfirmSignUp, ResendConfirmationCode, and the hand-over to
//! auto sign-in (USER_AUTH with the Session from ConfirmSignUp).

use std::fmt;
use std::time::SystemTime;

use crate::Sensitive;
use crate::config::UserPoolConfig;
use crate::machine::sign_in::{CodeDelivery, SignInFlow, SignInInput};
use crate::machine::{Cause, ClientMetadata, Error, Machine, Outbox, Recovery, secret_hash};
use crate::wire::{
    self, AttributeType, ConfirmSignUp, ConfirmSignUpInput, ErrorKind, ResendConfirmationCode,
    ResendConfirmationCodeInput, SignUpInput as WireSignUpInput,
};

/// How a sign-up starts. `Debug` redacts the password.
#[derive(Clone, Default)]
pub struct SignUpInput {
    /// The username.
    pub username: String,
    /// The password (absent for passwordless sign-up).
    pub password: Option<Sensitive>,
    /// User attributes (`email`, `phone_number`, `custom:…`).
    pub attributes: Vec<AttributeType>,
    /// `ValidationData`: only the pre sign-up trigger sees it.
    pub validation_data: Vec<AttributeType>,
    /// Client metadata for SignUp (and, unless overridden, ConfirmSignUp and resends).
    pub client_metadata: ClientMetadata,
    /// Sign in right after confirmation, reusing the Session (USER_AUTH).
    pub auto_sign_in: bool,
}

impl fmt::Debug for SignUpInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignUpInput")
            .field("username", &self.username)
            .field("password", &self.password)
            .field("attributes", &self.attributes)
            .field("validation_data", &self.validation_data)
            .field("client_metadata", &self.client_metadata)
            .field("auto_sign_in", &self.auto_sign_in)
            .finish()
    }
}

/// What the user must do next (Amplify's `nextStep.signUpStep`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignUpStep {
    /// CONFIRM_SIGN_UP: enter the code ([`SignUp::confirm`]) or ask for another one
    /// ([`SignUp::resend_code`]).
    ConfirmSignUp {
        /// Where the code went.
        delivery: Option<CodeDelivery>,
    },
    /// COMPLETE_AUTO_SIGN_IN: start the sign-in with [`SignUp::auto_sign_in`]. Final.
    CompleteAutoSignIn,
    /// DONE. Final.
    Done,
}

#[derive(Debug, Clone, Copy)]
enum Awaiting {
    SignUp,
    Confirm,
    Resend,
}

#[derive(Debug)]
enum State {
    Response(Awaiting),
    /// The request got no response; `resend` queues it again.
    Unanswered(Awaiting),
    Step(SignUpStep),
    Failed(Box<Error>),
}

/// Sign-up, confirmation and auto sign-in, as a sans-IO state machine.
///
/// # Polling order
///
/// [`SignUp::new`] queues SignUp ([`SignUp::confirm_existing`] starts at CONFIRM_SIGN_UP
/// instead). Take requests from [`poll_request`](Self::poll_request) until `None`, hand each
/// response to [`handle_response`](Self::handle_response), then read [`step`](Self::step):
/// answer CONFIRM_SIGN_UP with [`confirm`](Self::confirm) or
/// [`resend_code`](Self::resend_code) and poll again; COMPLETE_AUTO_SIGN_IN hands over to a
/// [`SignIn`](crate::machine::sign_in::SignIn) built from [`auto_sign_in`](Self::auto_sign_in).
///
/// `Debug` never shows the password or the session.
pub struct SignUp {
    config: UserPoolConfig,
    username: String,
    client_metadata: ClientMetadata,
    auto_sign_in: bool,
    session: Option<Sensitive>,
    user_sub: Option<String>,
    delivery: Option<CodeDelivery>,
    state: State,
    outbox: Outbox,
}

impl fmt::Debug for SignUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignUp")
            .field("username", &self.username)
            .field("session", &self.session)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl SignUp {
    /// Starts a sign-up and queues SignUp.
    ///
    /// # Errors
    ///
    /// [`Cause::InvalidInput`] for an empty username.
    pub fn new(
        config: &UserPoolConfig,
        input: SignUpInput,
        now: SystemTime,
    ) -> Result<Self, Error> {
        let _ = now;
        if input.username.trim().is_empty() {
            return Err(Error::invalid_input("the username is empty"));
        }
        let mut machine = Self::blank(
            config,
            &input.username,
            input.client_metadata.clone(),
            input.auto_sign_in,
        );
        let request = WireSignUpInput {
            client_id: config.client_id().to_owned(),
            secret_hash: secret_hash(config, &input.username),
            username: input.username,
            password: input.password,
            user_attributes: input.attributes,
            validation_data: input.validation_data,
            client_metadata: input.client_metadata,
            ..Default::default()
        };
        machine
            .outbox
            .put(wire::encode(config.endpoint(), &request));
        machine.state = State::Response(Awaiting::SignUp);
        Ok(machine)
    }

    /// Confirms a user who signed up earlier (the CONFIRM_SIGN_UP step of a sign-in): starts
    /// at CONFIRM_SIGN_UP without sending anything.
    pub fn confirm_existing(
        config: &UserPoolConfig,
        username: impl Into<String>,
        client_metadata: ClientMetadata,
    ) -> Self {
        let mut machine = Self::blank(config, &username.into(), client_metadata, false);
        machine.state = State::Step(SignUpStep::ConfirmSignUp { delivery: None });
        machine
    }

    fn blank(
        config: &UserPoolConfig,
        username: &str,
        client_metadata: ClientMetadata,
        auto_sign_in: bool,
    ) -> Self {
        Self {
            config: config.clone(),
            username: username.to_owned(),
            client_metadata,
            auto_sign_in,
            session: None,
            user_sub: None,
            delivery: None,
            state: State::Failed(Box::new(Error::fatal(Cause::Finished))),
            outbox: Outbox::default(),
        }
    }

    /// The error that ended the sign-up, if it failed.
    pub fn failure(&self) -> Option<&Error> {
        match &self.state {
            State::Failed(error) => Some(error),
            _ => None,
        }
    }

    /// The new user's `sub`, once SignUp answered.
    pub fn user_sub(&self) -> Option<&str> {
        self.user_sub.as_deref()
    }

    /// Sends the confirmation code.
    ///
    /// # Errors
    ///
    /// Not at CONFIRM_SIGN_UP: [`Cause::UnexpectedInput`] (state unchanged).
    pub fn confirm(
        &mut self,
        code: impl Into<Sensitive>,
        client_metadata: Option<ClientMetadata>,
        now: SystemTime,
    ) -> Result<(), Error> {
        let _ = now;
        self.expect_confirm_step("a confirmation code")?;
        let input = ConfirmSignUpInput {
            client_id: self.config.client_id().to_owned(),
            secret_hash: secret_hash(&self.config, &self.username),
            username: self.username.clone(),
            confirmation_code: code.into(),
            client_metadata: client_metadata.unwrap_or_else(|| self.client_metadata.clone()),
            session: self.session.clone(),
            ..Default::default()
        };
        self.outbox
            .put(wire::encode(self.config.endpoint(), &input));
        self.state = State::Response(Awaiting::Confirm);
        Ok(())
    }

    /// Asks for another confirmation code.
    ///
    /// # Errors
    ///
    /// Not at CONFIRM_SIGN_UP: [`Cause::UnexpectedInput`] (state unchanged).
    pub fn resend_code(&mut self, client_metadata: Option<ClientMetadata>) -> Result<(), Error> {
        self.expect_confirm_step("a resend")?;
        let input = ResendConfirmationCodeInput {
            client_id: self.config.client_id().to_owned(),
            secret_hash: secret_hash(&self.config, &self.username),
            username: self.username.clone(),
            client_metadata: client_metadata.unwrap_or_else(|| self.client_metadata.clone()),
            ..Default::default()
        };
        self.outbox
            .put(wire::encode(self.config.endpoint(), &input));
        self.state = State::Response(Awaiting::Resend);
        Ok(())
    }

    /// At COMPLETE_AUTO_SIGN_IN: the input of the sign-in that finishes it (USER_AUTH with the
    /// Session of ConfirmSignUp, the sign-up's client metadata).
    pub fn auto_sign_in(&self) -> Option<SignInInput> {
        if !matches!(self.state, State::Step(SignUpStep::CompleteAutoSignIn)) {
            return None;
        }
        let mut input = SignInInput::passwordless(
            self.username.clone(),
            SignInFlow::UserAuth { preferred: None },
        )
        .with_client_metadata(self.client_metadata.clone());
        if let Some(session) = &self.session {
            input = input.with_session(session.clone());
        }
        Some(input)
    }

    fn expect_confirm_step(&self, got: &'static str) -> Result<(), Error> {
        match &self.state {
            State::Step(SignUpStep::ConfirmSignUp { .. }) => Ok(()),
            State::Response(_) => Err(Error::misuse(Cause::RequestInFlight)),
            State::Unanswered(_) => Err(Error::unexpected_input("a resend", got)),
            State::Step(_) | State::Failed(_) => {
                Err(Error::unexpected_input("nothing (sign-up is over)", got))
            }
        }
    }

    fn confirm_step(&self) -> SignUpStep {
        SignUpStep::ConfirmSignUp {
            delivery: self.delivery.clone(),
        }
    }

    fn after_confirmation(&self) -> SignUpStep {
        if self.auto_sign_in {
            SignUpStep::CompleteAutoSignIn
        } else {
            SignUpStep::Done
        }
    }
}

impl Machine for SignUp {
    type Step = SignUpStep;

    /// The next request to send, until `None`.
    fn poll_request(&mut self) -> Option<http::Request<Vec<u8>>> {
        self.outbox.take()
    }

    /// What the user must do next; `None` while a request is in flight or after a failure.
    fn step(&self) -> Option<&SignUpStep> {
        match &self.state {
            State::Step(step) => Some(step),
            _ => None,
        }
    }

    /// The request in flight got no response. A confirmation or a resend: back at
    /// CONFIRM_SIGN_UP ([`Recovery::Retry`]). SignUp itself: ready for
    /// [`resend`](Self::resend) ([`Recovery::Resend`]).
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
        if matches!(awaiting, Awaiting::SignUp) {
            self.state = State::Unanswered(awaiting);
            Ok(Recovery::Resend)
        } else {
            self.outbox.clear();
            self.state = State::Step(self.confirm_step());
            Ok(Recovery::Retry)
        }
    }

    /// Queues SignUp again after [`transport_failed`](Self::transport_failed).
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
    /// No request in flight: [`Cause::UnexpectedResponse`] (state unchanged). A wrong or
    /// expired code, or throttling, during confirmation or resend: back at CONFIRM_SIGN_UP,
    /// [`Recovery::Retry`]. Any other failure ends the sign-up ([`Recovery::StartOver`]).
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
            Awaiting::SignUp => wire::decode::<wire::SignUp, _>(response).map(|out| {
                self.user_sub = out.user_sub;
                self.session = out.session;
                self.delivery = out.code_delivery_details.map(CodeDelivery::from);
                if out.user_confirmed {
                    self.after_confirmation()
                } else {
                    self.confirm_step()
                }
            }),
            Awaiting::Confirm => wire::decode::<ConfirmSignUp, _>(response).map(|out| {
                self.session = out.session.or(self.session.take());
                self.after_confirmation()
            }),
            Awaiting::Resend => wire::decode::<ResendConfirmationCode, _>(response).map(|out| {
                if let Some(details) = out.code_delivery_details {
                    self.delivery = Some(details.into());
                }
                self.confirm_step()
            }),
        };
        match result {
            Ok(step) => {
                self.state = State::Step(step);
                Ok(())
            }
            Err(error) => {
                let at_confirm = !matches!(awaiting, Awaiting::SignUp);
                let again = matches!(
                    error.kind(),
                    Some(
                        ErrorKind::CodeMismatch | ErrorKind::ExpiredCode | ErrorKind::LimitExceeded
                    )
                ) || error.is_retryable();
                if at_confirm && again {
                    self.state = State::Step(self.confirm_step());
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
