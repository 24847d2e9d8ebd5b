//! The sign-in machine: every flow and every step of reference section 1.
//!
//! See [`SignIn`] for the polling order and `docs/sign-in.md` for a driver loop.

use std::time::SystemTime;

use rand_core::{CryptoRng, RngCore};

use crate::Sensitive;
use crate::config::UserPoolConfig;
use crate::machine::{Cause, Error, Machine, Outbox, Recovery};
use crate::wire::{
    self, AssociateSoftwareToken, ChallengeName, ConfirmDevice, InitiateAuth, Parameters,
    RespondToAuthChallenge, UpdateDeviceStatus, VerifySoftwareToken,
};

mod answer;
mod challenge;
mod initiate;
mod input;
mod respond;
mod snapshot;
mod state;
mod step;

use challenge::Next;
use initiate::initiate;
use respond::Decoded;
use state::{Awaiting, Context, Drawn, ExpectAnswer, ExpectResponse, Sent, State};

pub use input::{DeviceMetadata, DeviceOptions, FirstFactor, MfaType, SignInFlow, SignInInput};
pub use snapshot::PendingSignIn;
pub use step::{
    Answer, CodeDelivery, ConfirmOptions, PasskeyRequest, SignInOutcome, SignInStep, TotpSetup,
};

/// A sign-in to a Cognito user pool, as a sans-IO state machine.
///
/// # Polling order
///
/// 1. [`SignIn::new`] queues InitiateAuth.
/// 2. Loop: take every request from [`poll_request`](Self::poll_request) until it returns
///    `None`, send each with any transport and hand its response to
///    [`handle_response`](Self::handle_response) (one request is in flight at a time).
/// 3. When no request is left, [`step`](Self::step) says what to do: a step for the user,
///    answered with [`confirm`](Self::confirm) (back to 2.), or a final step (RESET_PASSWORD,
///    CONFIRM_SIGN_UP, DONE; take the tokens with [`take_outcome`](Self::take_outcome)). When
///    `step` is `None` and [`passkey_request`](Self::passkey_request) is `Some`, run the
///    platform's passkey call and hand the credential to
///    [`provide_passkey_credential`](Self::provide_passkey_credential) (the WEB_AUTHN hook).
///
/// PASSWORD_VERIFIER, device SRP (DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER),
/// AssociateSoftwareToken, ConfirmDevice and UpdateDeviceStatus happen inside: they are more
/// requests from `poll_request`, never steps.
///
/// Every input returns `Result<(), Error>`. An input that does not fit the state leaves it
/// unchanged; [`Error::recovery`] says whether the user may answer again, resend, or must
/// start over. Time (`now`) and randomness are arguments; the randomness device SRP and
/// ConfirmDevice need inside `handle_response` is drawn in `new`.
///
/// `Debug` never shows passwords, codes, sessions or tokens.
#[derive(Debug)]
pub struct SignIn {
    ctx: Context,
    state: State,
    outbox: Outbox,
}

impl SignIn {
    /// Starts a sign-in and queues InitiateAuth.
    ///
    /// # Errors
    ///
    /// [`Cause::InvalidInput`] for an empty username, a flow that needs a password without
    /// one, or CUSTOM_WITHOUT_SRP with a password.
    pub fn new(
        config: &UserPoolConfig,
        input: SignInInput,
        rng: &mut (impl CryptoRng + RngCore),
        now: SystemTime,
    ) -> Result<Self, Error> {
        let _ = now;
        if input.username.trim().is_empty() {
            return Err(Error::invalid_input("the username is empty"));
        }
        let drawn = Drawn::new(rng, input.device.is_some());
        let ctx = Context {
            config: config.clone(),
            typed_username: input.username.clone(),
            active_username: input.username.clone(),
            flow: input.flow.clone(),
            client_metadata: input.client_metadata.clone(),
            device: input.device.clone(),
            device_options: input.device_options.clone(),
            drawn,
            device_retry_used: false,
            forgot_device: false,
        };
        let (sent, srp) = initiate(&ctx, input, rng)?;
        let mut sign_in = Self {
            ctx,
            state: State::Failed(Box::new(Error::fatal(Cause::Finished))),
            outbox: Outbox::default(),
        };
        sign_in.apply(Next::request(sent, Awaiting::Auth { srp }));
        Ok(sign_in)
    }

    /// Answers the current step.
    ///
    /// `rng` is used only by CONFIRM_SIGN_IN_WITH_PASSWORD after PASSWORD_SRP (a fresh SRP
    /// exchange).
    ///
    /// # Errors
    ///
    /// - the answer does not fit the step ([`Cause::UnexpectedInput`]) or is unusable
    ///   ([`Cause::InvalidInput`]): state unchanged, [`Recovery::Retry`];
    /// - a request is in flight: [`Cause::RequestInFlight`], state unchanged;
    /// - the Cognito session is older than 3 minutes: [`Cause::SessionExpired`], the sign-in
    ///   ends ([`Recovery::StartOver`]) and nothing is sent.
    pub fn confirm(
        &mut self,
        answer: Answer,
        options: &ConfirmOptions,
        rng: &mut (impl CryptoRng + RngCore),
        now: SystemTime,
    ) -> Result<(), Error> {
        let expires_at = match &self.state {
            State::Answer(pending) => pending.expires_at,
            State::Passkey(_) => {
                return Err(Error::unexpected_input(
                    "a passkey credential",
                    answer.kind(),
                ));
            }
            other => return Err(self.not_now(other)),
        };
        self.check_session(expires_at, now)?;
        let State::Answer(pending) = &self.state else {
            return Err(Error::misuse(Cause::RequestInFlight));
        };
        let next = answer::answer(&self.ctx, pending, answer, options, rng)?;
        self.apply(next);
        Ok(())
    }

    /// The WEB_AUTHN hook: what the platform's passkey call needs, while the machine waits for
    /// a credential.
    pub fn passkey_request(&self) -> Option<PasskeyRequest> {
        match &self.state {
            State::Passkey(pending) => Some(PasskeyRequest {
                credential_request_options: pending
                    .parameters
                    .get("CREDENTIAL_REQUEST_OPTIONS")
                    .unwrap_or_default()
                    .to_owned(),
            }),
            _ => None,
        }
    }

    /// Answers WEB_AUTHN with the platform's credential (the `PublicKeyCredential` JSON).
    ///
    /// # Errors
    ///
    /// As [`confirm`](Self::confirm).
    pub fn provide_passkey_credential(
        &mut self,
        credential: impl Into<Sensitive>,
        now: SystemTime,
    ) -> Result<(), Error> {
        let expires_at = match &self.state {
            State::Passkey(pending) => pending.expires_at,
            State::Answer(pending) => {
                let expected = match pending.step {
                    SignInStep::ConfirmWithPassword => "a password",
                    _ => "an answer from `confirm`",
                };
                return Err(Error::unexpected_input(expected, "a passkey credential"));
            }
            other => return Err(self.not_now(other)),
        };
        self.check_session(expires_at, now)?;
        let State::Passkey(pending) = &self.state else {
            return Err(Error::misuse(Cause::RequestInFlight));
        };
        let responses = Parameters::new().with("CREDENTIAL", credential.into());
        let sent = self.ctx.respond(
            ChallengeName::WebAuthn,
            pending.session.clone(),
            responses,
            None,
        );
        let back = Some(pending.clone());
        self.apply(Next::Request {
            sent: Box::new(sent),
            awaiting: Awaiting::Auth { srp: None },
            back,
        });
        Ok(())
    }

    /// Takes the outcome of a finished sign-in (once).
    pub fn take_outcome(&mut self) -> Option<SignInOutcome> {
        match std::mem::replace(&mut self.state, State::Taken) {
            State::Finished(step) => match *step {
                SignInStep::Done(outcome) => Some(*outcome),
                other => {
                    self.state = State::Finished(Box::new(other));
                    None
                }
            },
            other => {
                self.state = other;
                None
            }
        }
    }

    /// The error that ended the sign-in, if it failed.
    pub fn failure(&self) -> Option<&Error> {
        match &self.state {
            State::Failed(error) => Some(error),
            _ => None,
        }
    }

    /// Whether a request is queued or in flight.
    pub fn is_awaiting_response(&self) -> bool {
        matches!(&self.state, State::Response(e) if !e.may_resend)
    }

    /// The active username (reference section 1): the challenge's USERNAME, else
    /// USER_ID_FOR_SRP, else the previous one, initially what the user typed. Tokens and
    /// devices are stored under it.
    pub fn username(&self) -> &str {
        &self.ctx.active_username
    }

    /// When the Cognito session of the current step expires.
    pub fn session_expires_at(&self) -> Option<SystemTime> {
        match &self.state {
            State::Answer(p) | State::Passkey(p) => Some(p.expires_at),
            _ => None,
        }
    }

    fn not_now(&self, state: &State) -> Error {
        match state {
            State::Response(e) if !e.may_resend => Error::misuse(Cause::RequestInFlight),
            State::Response(_) => Error::unexpected_input("a resend", "an answer"),
            _ => Error::new(Cause::Finished, Recovery::StartOver),
        }
    }

    fn check_session(&mut self, expires_at: SystemTime, now: SystemTime) -> Result<(), Error> {
        if now >= expires_at {
            let error = Error::fatal(Cause::SessionExpired);
            self.state = State::Failed(Box::new(error.clone()));
            return Err(error);
        }
        Ok(())
    }

    fn apply(&mut self, next: Next) {
        self.state = match next {
            Next::Request {
                sent,
                awaiting,
                back,
            } => {
                self.outbox.put(sent.encode(&self.ctx.config));
                State::Response(Box::new(ExpectResponse {
                    sent: *sent,
                    awaiting,
                    back,
                    may_resend: false,
                }))
            }
            Next::Answer(pending) => State::Answer(pending),
            Next::Passkey(pending) => State::Passkey(pending),
            Next::Finished(step) => State::Finished(Box::new(step)),
        };
    }

    fn fail(&mut self, error: Error) -> Result<(), Error> {
        let error = error.with_recovery(Recovery::StartOver);
        self.state = State::Failed(Box::new(error.clone()));
        Err(error)
    }

    fn back_to(&mut self, pending: Box<ExpectAnswer>, error: Error) -> Result<(), Error> {
        self.state = if pending.challenge == ChallengeName::WebAuthn {
            State::Passkey(pending)
        } else {
            State::Answer(pending)
        };
        Err(error.with_recovery(Recovery::Retry))
    }
}

impl Machine for SignIn {
    type Step = SignInStep;

    /// The next request to send, until `None`.
    fn poll_request(&mut self) -> Option<http::Request<Vec<u8>>> {
        self.outbox.take()
    }

    /// Hands Cognito's response to the request in flight to the machine.
    ///
    /// # Errors
    ///
    /// - no request is in flight: [`Cause::UnexpectedResponse`], state unchanged
    ///   ([`Recovery::Retry`]);
    /// - a wrong code, a refused new password: the step is asked again ([`Recovery::Retry`]);
    /// - throttling or a 5xx: [`Recovery::Retry`] when a user answer was in flight (answer
    ///   again), else [`Recovery::Resend`] (call [`resend`](Self::resend));
    /// - anything else ends the sign-in ([`Recovery::StartOver`]).
    ///
    /// PasswordResetRequired and UserNotConfirmed are not errors: they end the sign-in with
    /// the RESET_PASSWORD and CONFIRM_SIGN_UP steps.
    fn handle_response<B: AsRef<[u8]>>(
        &mut self,
        response: http::Response<B>,
        now: SystemTime,
    ) -> Result<(), Error> {
        let expect = match std::mem::replace(&mut self.state, State::Taken) {
            State::Response(expect) if !expect.may_resend => expect,
            other => {
                self.state = other;
                return Err(Error::nothing_in_flight());
            }
        };
        // A response to a request that was never polled still answers it.
        self.outbox.clear();
        let result = match &expect.awaiting {
            Awaiting::Auth { .. } => match &expect.sent {
                Sent::Initiate(_) => {
                    wire::decode::<InitiateAuth, _>(response).map(|o| Decoded::Auth(Box::new(o)))
                }
                _ => wire::decode::<RespondToAuthChallenge, _>(response)
                    .map(|o| Decoded::Auth(Box::new(o))),
            },
            Awaiting::Associate => {
                wire::decode::<AssociateSoftwareToken, _>(response).map(Decoded::Associate)
            }
            Awaiting::VerifyTotp => {
                wire::decode::<VerifySoftwareToken, _>(response).map(Decoded::Verify)
            }
            Awaiting::ConfirmDevice { .. } => wire::decode::<ConfirmDevice, _>(response)
                .map(|o| Decoded::ConfirmDevice(o.user_confirmation_necessary)),
            Awaiting::UpdateDeviceStatus { .. } => {
                wire::decode::<UpdateDeviceStatus, _>(response).map(|_| Decoded::UpdateDeviceStatus)
            }
        };
        match result {
            Ok(decoded) => self.on_success(expect, decoded, now),
            Err(error) => self.on_wire_error(expect, error),
        }
    }

    /// The request in flight got no response. A user's answer (a code, a new password, a
    /// passkey): back at its step ([`Recovery::Retry`], answer again; the Cognito session is
    /// kept). Anything else (InitiateAuth, the device and TOTP-setup calls): ready for
    /// [`resend`](Self::resend) ([`Recovery::Resend`]).
    ///
    /// # Errors
    ///
    /// No request in flight: [`Cause::UnexpectedResponse`], state unchanged.
    fn transport_failed(&mut self, now: SystemTime) -> Result<Recovery, Error> {
        let _ = now;
        let mut expect = match std::mem::replace(&mut self.state, State::Taken) {
            State::Response(expect) if !expect.may_resend => expect,
            other => {
                self.state = other;
                return Err(Error::nothing_in_flight());
            }
        };
        self.outbox.clear();
        let user_answer = !matches!(expect.awaiting, Awaiting::Associate);
        if user_answer && let Some(back) = expect.back.take() {
            let _ = self.back_to(back, Error::new(Cause::NoResponse, Recovery::Retry));
            return Ok(Recovery::Retry);
        }
        expect.may_resend = true;
        self.state = State::Response(expect);
        Ok(Recovery::Resend)
    }

    /// Queues the request that failed with a transient error ([`Recovery::Resend`]) again.
    ///
    /// # Errors
    ///
    /// [`Cause::UnexpectedInput`] when nothing is waiting to be resent.
    fn resend(&mut self) -> Result<(), Error> {
        match &mut self.state {
            State::Response(expect) if expect.may_resend => {
                expect.may_resend = false;
                self.outbox.put(expect.sent.encode(&self.ctx.config));
                Ok(())
            }
            _ => Err(Error::unexpected_input("no resend", "a resend")),
        }
    }

    /// What the user must do next, or the final step; `None` while a request is queued or in
    /// flight, while waiting for a passkey, and after a failure or [`take_outcome`](Self::take_outcome).
    fn step(&self) -> Option<&SignInStep> {
        match &self.state {
            State::Answer(pending) => Some(&pending.step),
            State::Finished(step) => Some(step),
            _ => None,
        }
    }
}
