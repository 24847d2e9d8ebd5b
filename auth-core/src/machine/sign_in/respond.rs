//! What a response does to the sign-in: the next state on success, Cognito's retry
//! semantics on failure (a wrong code asks again, throttling resends, "Device does not exist"
//! retries once without the device).

use std::time::SystemTime;

use super::SignIn;
use super::challenge::{self, Next};
use super::state::{Awaiting, ExpectResponse, Sent, State};
use super::{SignInStep, TotpSetup};
use crate::Sensitive;
use crate::machine::{Cause, Error, Recovery, is_device_missing};
use crate::wire::{
    self, ChallengeName, DeviceRememberedStatus, ErrorKind, Parameters, ServiceError,
    UpdateDeviceStatusInput, VerifySoftwareTokenStatus,
};

/// A decoded successful response.
pub(super) enum Decoded {
    Auth(Box<wire::InitiateAuthOutput>),
    Associate(wire::AssociateSoftwareTokenOutput),
    Verify(wire::VerifySoftwareTokenOutput),
    ConfirmDevice(bool),
    UpdateDeviceStatus,
}

impl SignIn {
    pub(super) fn on_success(
        &mut self,
        expect: Box<ExpectResponse>,
        decoded: Decoded,
        now: SystemTime,
    ) -> Result<(), Error> {
        let ExpectResponse { awaiting, back, .. } = *expect;
        let next = match (awaiting, decoded) {
            (Awaiting::Auth { srp }, Decoded::Auth(output)) => {
                challenge::on_auth_output(&mut self.ctx, *output, srp, now)
            }
            (Awaiting::Associate, Decoded::Associate(output)) => {
                let (Some(mut pending), Some(secret)) = (back, output.secret_code) else {
                    return self.fail(Error::unexpected_response(
                        "AssociateSoftwareToken returned no secret",
                    ));
                };
                pending.session = output.session.or(pending.session);
                pending.step = SignInStep::ContinueWithTotpSetup {
                    setup: TotpSetup {
                        secret,
                        account: self.ctx.active_username.clone(),
                    },
                };
                Ok(Next::Answer(pending))
            }
            (Awaiting::VerifyTotp, Decoded::Verify(output)) => {
                let Some(pending) = back else {
                    return self.fail(Error::unexpected_response("no TOTP setup step"));
                };
                if output.status == Some(VerifySoftwareTokenStatus::Error) {
                    let error = Error::new(
                        Cause::Service(ServiceError {
                            kind: ErrorKind::EnableSoftwareTokenMfa,
                            message: Some("VerifySoftwareToken returned status ERROR".into()),
                            status: http::StatusCode::OK,
                            request_id: None,
                        }),
                        Recovery::Retry,
                    );
                    return self.back_to(pending, error);
                }
                let session = output.session.or_else(|| pending.session.clone());
                let sent =
                    self.ctx
                        .respond(ChallengeName::MfaSetup, session, Parameters::new(), None);
                Ok(Next::Request {
                    sent: Box::new(sent),
                    awaiting: Awaiting::Auth { srp: None },
                    back: Some(pending),
                })
            }
            (
                Awaiting::ConfirmDevice {
                    mut outcome,
                    device,
                },
                Decoded::ConfirmDevice(necessary),
            ) => {
                let access_token = Sensitive::new(outcome.tokens.access_token.as_str());
                let device_key = device.device_key.clone();
                outcome.new_device = Some(device);
                match self.ctx.device_options.remember {
                    Some(remember) if necessary => {
                        let status = if remember {
                            DeviceRememberedStatus::Remembered
                        } else {
                            DeviceRememberedStatus::NotRemembered
                        };
                        let sent = Sent::UpdateDeviceStatus(UpdateDeviceStatusInput {
                            access_token,
                            device_key,
                            device_remembered_status: Some(status),
                        });
                        Ok(Next::request(
                            sent,
                            Awaiting::UpdateDeviceStatus { outcome },
                        ))
                    }
                    _ => Ok(Next::Finished(SignInStep::Done(outcome))),
                }
            }
            (Awaiting::UpdateDeviceStatus { outcome }, Decoded::UpdateDeviceStatus) => {
                Ok(Next::Finished(SignInStep::Done(outcome)))
            }
            _ => Err(Error::unexpected_response(
                "the response does not fit the request",
            )),
        };
        match next {
            Ok(next) => {
                self.apply(next);
                Ok(())
            }
            Err(error) => self.fail(error),
        }
    }

    pub(super) fn on_wire_error(
        &mut self,
        mut expect: Box<ExpectResponse>,
        error: wire::Error,
    ) -> Result<(), Error> {
        // Reference section 1: "Device does not exist" clears the stored device and retries
        // once, without it.
        if is_device_missing(&error) && !self.ctx.device_retry_used && expect.sent.drop_device_key()
        {
            self.ctx.device_retry_used = true;
            self.ctx.device = None;
            self.ctx.drawn.device_srp = None;
            self.ctx.forgot_device = true;
            self.outbox.put(expect.sent.encode(&self.ctx.config));
            self.state = State::Response(expect);
            return Ok(());
        }
        let kind = error.kind().cloned();
        match expect.awaiting {
            // As Amplify: a device that cannot be confirmed does not fail the sign-in.
            Awaiting::ConfirmDevice { mut outcome, .. }
            | Awaiting::UpdateDeviceStatus { mut outcome } => {
                outcome.device_error = Some(Error::from_wire(error, Recovery::StartOver));
                self.apply(Next::Finished(SignInStep::Done(outcome)));
                return Ok(());
            }
            Awaiting::Auth { .. } => match kind {
                Some(ErrorKind::PasswordResetRequired) => {
                    let username = self.ctx.active_username.clone();
                    self.apply(Next::Finished(SignInStep::ResetPassword { username }));
                    return Ok(());
                }
                Some(ErrorKind::UserNotConfirmed) => {
                    let username = self.ctx.active_username.clone();
                    self.apply(Next::Finished(SignInStep::ConfirmSignUp { username }));
                    return Ok(());
                }
                _ => {}
            },
            Awaiting::Associate | Awaiting::VerifyTotp => {}
        }
        // Cognito keeps the session after a wrong code or a refused password: ask again.
        let answer_again = matches!(
            kind,
            Some(
                ErrorKind::CodeMismatch
                    | ErrorKind::InvalidPassword
                    | ErrorKind::PasswordHistoryPolicyViolation
                    | ErrorKind::InvalidParameter
                    | ErrorKind::EnableSoftwareTokenMfa
            )
        );
        // A user's answer failed: back to the step it answered (AssociateSoftwareToken is not
        // an answer; its `back` only carries the MFA_SETUP context).
        let user_answer = !matches!(expect.awaiting, Awaiting::Associate);
        if user_answer
            && (answer_again || error.is_retryable())
            && let Some(back) = expect.back.take()
        {
            return self.back_to(back, Error::from_wire(error, Recovery::Retry));
        }
        if error.is_retryable() {
            expect.may_resend = true;
            self.state = State::Response(expect);
            return Err(Error::from_wire(error, Recovery::Resend));
        }
        self.fail(Error::from_wire(error, Recovery::StartOver))
    }
}
