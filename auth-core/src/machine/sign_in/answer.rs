//! The user's answer to a step, turned into the request Cognito expects (reference section 1,
//! "what the answer becomes"). Every function here refuses an answer that does not fit without
//! touching the state.

use rand_core::{CryptoRng, RngCore};

use super::challenge::{Next, associate};
use super::state::{Awaiting, Context, ExpectAnswer, Sent, SrpLeg};
use super::{Answer, ConfirmOptions, FirstFactor, MfaType, SignInStep};
use crate::machine::Error;
use crate::srp::SrpClient;
use crate::wire::{ChallengeName, Parameters, VerifySoftwareTokenInput};

/// What the step expects, for [`Cause::UnexpectedInput`](crate::machine::Cause).
fn expected(step: &SignInStep) -> &'static str {
    match step {
        SignInStep::ConfirmWithSmsCode { .. }
        | SignInStep::ConfirmWithTotpCode
        | SignInStep::ConfirmWithEmailCode { .. }
        | SignInStep::ContinueWithTotpSetup { .. } => "a code",
        SignInStep::ContinueWithMfaSelection { .. }
        | SignInStep::ContinueWithMfaSetupSelection { .. } => "an MFA type",
        SignInStep::ContinueWithEmailSetup => "an email address",
        SignInStep::ConfirmWithNewPassword { .. } => "a new password",
        SignInStep::ConfirmWithCustomChallenge { .. } => "a custom answer",
        SignInStep::ContinueWithFirstFactorSelection { .. } => "a first factor",
        SignInStep::ConfirmWithPassword => "a password",
        _ => "nothing",
    }
}

fn with_back(next: Next, pending: &ExpectAnswer) -> Next {
    match next {
        Next::Request {
            sent,
            awaiting,
            back: None,
        } => Next::Request {
            sent,
            awaiting,
            back: Some(Box::new(pending.clone())),
        },
        other => other,
    }
}

fn non_empty(value: &str, what: &'static str) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::invalid_input(what));
    }
    Ok(())
}

/// Turns `answer` into the next transition.
pub(super) fn answer(
    ctx: &Context,
    pending: &ExpectAnswer,
    answer: Answer,
    options: &ConfirmOptions,
    rng: &mut (impl CryptoRng + RngCore),
) -> Result<Next, Error> {
    let metadata = ctx.metadata(&options.client_metadata);
    let respond = |challenge: ChallengeName, responses: Parameters| {
        let sent = ctx.respond(
            challenge,
            pending.session.clone(),
            responses,
            Some(metadata),
        );
        with_back(Next::request(sent, Awaiting::Auth { srp: None }), pending)
    };
    let got = answer.kind();
    let mismatch = || Error::unexpected_input(expected(&pending.step), got);
    match (&pending.step, answer) {
        (SignInStep::ConfirmWithSmsCode { .. }, Answer::Code(code)) => {
            non_empty(code.expose(), "the code is empty")?;
            let key = if pending.challenge == ChallengeName::SmsOtp {
                "SMS_OTP_CODE"
            } else {
                "SMS_MFA_CODE"
            };
            Ok(respond(
                pending.challenge.clone(),
                Parameters::new().with(key, code),
            ))
        }
        (SignInStep::ConfirmWithTotpCode, Answer::Code(code)) => {
            non_empty(code.expose(), "the code is empty")?;
            Ok(respond(
                ChallengeName::SoftwareTokenMfa,
                Parameters::new().with("SOFTWARE_TOKEN_MFA_CODE", code),
            ))
        }
        (SignInStep::ConfirmWithEmailCode { .. }, Answer::Code(code)) => {
            non_empty(code.expose(), "the code is empty")?;
            Ok(respond(
                ChallengeName::EmailOtp,
                Parameters::new().with("EMAIL_OTP_CODE", code),
            ))
        }
        (SignInStep::ContinueWithMfaSelection { allowed }, Answer::Mfa(mfa)) => {
            if !allowed.contains(&mfa) {
                return Err(Error::invalid_input(
                    "the MFA type is not one of MFAS_CAN_CHOOSE",
                ));
            }
            Ok(respond(
                ChallengeName::SelectMfaType,
                Parameters::new().with("ANSWER", mfa.challenge_name()),
            ))
        }
        (SignInStep::ContinueWithMfaSetupSelection { allowed }, Answer::Mfa(mfa)) => {
            if !allowed.contains(&mfa) {
                return Err(Error::invalid_input(
                    "the MFA type is not one of MFAS_CAN_SETUP",
                ));
            }
            let mut next = pending.clone();
            if mfa == MfaType::Totp {
                return Ok(associate(next));
            }
            next.step = SignInStep::ContinueWithEmailSetup;
            Ok(Next::Answer(Box::new(next)))
        }
        (SignInStep::ContinueWithTotpSetup { .. }, Answer::Code(code)) => {
            non_empty(code.expose(), "the code is empty")?;
            let sent = Sent::VerifyTotp(VerifySoftwareTokenInput {
                access_token: None,
                session: pending.session.clone(),
                user_code: code,
                friendly_device_name: options.friendly_device_name.clone(),
            });
            Ok(Next::Request {
                sent: Box::new(sent),
                awaiting: Awaiting::VerifyTotp,
                back: Some(Box::new(pending.clone())),
            })
        }
        (SignInStep::ContinueWithEmailSetup, Answer::Email(email)) => {
            if !email.contains('@') {
                return Err(Error::invalid_input("not an email address"));
            }
            Ok(respond(
                ChallengeName::MfaSetup,
                Parameters::new().with("EMAIL", email),
            ))
        }
        (
            SignInStep::ConfirmWithNewPassword { .. },
            Answer::NewPassword {
                password,
                attributes,
            },
        ) => {
            non_empty(password.expose(), "the new password is empty")?;
            let mut responses = Parameters::new().with("NEW_PASSWORD", password);
            for (name, value) in attributes {
                responses.insert(format!("userAttributes.{name}"), value);
            }
            Ok(respond(ChallengeName::NewPasswordRequired, responses))
        }
        (SignInStep::ConfirmWithCustomChallenge { .. }, Answer::Custom(answer)) => Ok(respond(
            ChallengeName::CustomChallenge,
            Parameters::new().with("ANSWER", answer),
        )),
        (
            SignInStep::ContinueWithFirstFactorSelection { available },
            Answer::FirstFactor(factor),
        ) => {
            if !available.contains(&factor) {
                return Err(Error::invalid_input(
                    "the first factor is not one of AvailableChallenges",
                ));
            }
            if factor.needs_password() {
                // Client-side: ask for the password, then answer SELECT_CHALLENGE with it.
                let mut next = pending.clone();
                next.step = SignInStep::ConfirmWithPassword;
                next.first_factor = Some(factor);
                return Ok(Next::Answer(Box::new(next)));
            }
            Ok(respond(
                ChallengeName::SelectChallenge,
                Parameters::new().with("ANSWER", factor.as_str()),
            ))
        }
        (SignInStep::ConfirmWithPassword, Answer::Password(password)) => {
            non_empty(password.expose(), "the password is empty")?;
            match pending.first_factor {
                Some(FirstFactor::PasswordSrp) => {
                    let client = SrpClient::new(rng);
                    let responses = Parameters::new()
                        .with("ANSWER", "PASSWORD_SRP")
                        .with("SRP_A", client.public_a_hex());
                    let sent = ctx.respond(
                        ChallengeName::SelectChallenge,
                        pending.session.clone(),
                        responses,
                        Some(metadata),
                    );
                    let srp = Some(SrpLeg { client, password });
                    Ok(with_back(
                        Next::request(sent, Awaiting::Auth { srp }),
                        pending,
                    ))
                }
                _ => Ok(respond(
                    ChallengeName::SelectChallenge,
                    Parameters::new()
                        .with("ANSWER", "PASSWORD")
                        .with("PASSWORD", password),
                )),
            }
        }
        _ => Err(mismatch()),
    }
}
