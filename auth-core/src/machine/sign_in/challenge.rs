//! What a Cognito answer (InitiateAuth / RespondToAuthChallenge output) leads to: an internal
//! leg (PASSWORD_VERIFIER, device SRP, AssociateSoftwareToken, ConfirmDevice), a step for the
//! user, or the end of the sign-in.

use std::collections::BTreeMap;
use std::time::SystemTime;

use super::state::{Awaiting, Context, ExpectAnswer, Sent, SrpLeg};
use super::{CodeDelivery, DeviceMetadata, FirstFactor, MfaType, SignInOutcome, SignInStep};
use crate::Sensitive;
use crate::machine::{Cause, Error, SESSION_LIFETIME};
use crate::srp::{DeviceVerifier, SrpChallenge, SrpIdentity};
use crate::tokens::{AuthTokens, Jwt, RefreshToken};
use crate::wire::{
    AssociateSoftwareTokenInput, AuthenticationResult, ChallengeName, ConfirmDeviceInput,
    DeliveryMedium, InitiateAuthOutput, Parameters,
};

/// Where the machine goes next.
#[derive(Debug)]
pub(super) enum Next {
    /// Send a request and wait for its response.
    Request {
        sent: Box<Sent>,
        awaiting: Awaiting,
        back: Option<Box<ExpectAnswer>>,
    },
    /// Ask the user.
    Answer(Box<ExpectAnswer>),
    /// Ask the platform for a passkey credential.
    Passkey(Box<ExpectAnswer>),
    /// The sign-in is over.
    Finished(SignInStep),
}

impl Next {
    pub(super) fn request(sent: Sent, awaiting: Awaiting) -> Self {
        Self::Request {
            sent: Box::new(sent),
            awaiting,
            back: None,
        }
    }
}

/// Handles an InitiateAuth or RespondToAuthChallenge output.
pub(super) fn on_auth_output(
    ctx: &mut Context,
    output: InitiateAuthOutput,
    srp: Option<SrpLeg>,
    now: SystemTime,
) -> Result<Next, Error> {
    ctx.update_active_username(&output.challenge_parameters);
    if let Some(result) = output.authentication_result {
        return on_tokens(ctx, result, now);
    }
    let Some(challenge) = output.challenge_name else {
        return Err(Error::fatal(Cause::EmptyResult));
    };
    let session = output.session;
    let parameters = output.challenge_parameters;
    match challenge {
        ChallengeName::PasswordVerifier => {
            let Some(srp) = srp else {
                return Err(Error::fatal(Cause::UnsupportedChallenge(challenge)));
            };
            let srp_challenge = SrpChallenge::from_parameters(&parameters)?;
            let user_id = srp_challenge
                .user_id_for_srp()
                .unwrap_or(&ctx.active_username)
                .to_owned();
            let identity =
                SrpIdentity::user(ctx.config.pool_name(), &user_id, srp.password.expose());
            let claim = srp.client.password_claim(&identity, &srp_challenge, now)?;
            // USERNAME is the active username (the challenge's USERNAME, the internal username
            // Cognito looks the user up by); SRP itself hashes USER_ID_FOR_SRP.
            let responses = claim.challenge_responses(&ctx.active_username);
            let sent = ctx.respond(challenge, session, responses, None);
            Ok(Next::request(sent, Awaiting::Auth { srp: None }))
        }
        ChallengeName::DeviceSrpAuth => {
            let (Some(device), Some(client)) = (&ctx.device, &ctx.drawn.device_srp) else {
                return Err(Error::fatal(Cause::UnsupportedChallenge(challenge)));
            };
            let responses = Parameters::new()
                .with("DEVICE_KEY", device.device_key.as_str())
                .with("SRP_A", client.public_a_hex());
            let sent = ctx.respond(challenge, session, responses, None);
            Ok(Next::request(sent, Awaiting::Auth { srp: None }))
        }
        ChallengeName::DevicePasswordVerifier => {
            let (Some(device), Some(client)) = (&ctx.device, &ctx.drawn.device_srp) else {
                return Err(Error::fatal(Cause::UnsupportedChallenge(challenge)));
            };
            let srp_challenge = SrpChallenge::from_parameters(&parameters)?;
            let identity = SrpIdentity::device(
                &device.device_group_key,
                &device.device_key,
                device.random_password.expose(),
            );
            let claim = client.password_claim(&identity, &srp_challenge, now)?;
            let responses = claim.challenge_responses(&ctx.active_username);
            let sent = ctx.respond(challenge, session, responses, None);
            Ok(Next::request(sent, Awaiting::Auth { srp: None }))
        }
        _ => user_step(
            challenge,
            session,
            parameters,
            output.available_challenges.unwrap_or_default(),
            now,
        ),
    }
}

/// A challenge the user answers (or the passkey hook, or TOTP setup's AssociateSoftwareToken).
pub(super) fn user_step(
    challenge: ChallengeName,
    session: Option<Sensitive>,
    parameters: Parameters,
    available: Vec<ChallengeName>,
    now: SystemTime,
) -> Result<Next, Error> {
    let expires_at = now + SESSION_LIFETIME;
    let mut pending = ExpectAnswer {
        step: SignInStep::ConfirmWithTotpCode,
        challenge: challenge.clone(),
        session,
        parameters,
        available,
        first_factor: None,
        expires_at,
    };
    pending.step = match &challenge {
        ChallengeName::SmsMfa | ChallengeName::SmsOtp => SignInStep::ConfirmWithSmsCode {
            delivery: delivery(&pending.parameters),
        },
        ChallengeName::SoftwareTokenMfa => SignInStep::ConfirmWithTotpCode,
        ChallengeName::EmailOtp => SignInStep::ConfirmWithEmailCode {
            delivery: delivery(&pending.parameters),
        },
        ChallengeName::SelectMfaType => SignInStep::ContinueWithMfaSelection {
            allowed: mfa_list(pending.parameters.get("MFAS_CAN_CHOOSE")),
        },
        ChallengeName::MfaSetup => {
            let offered = pending.parameters.get("MFAS_CAN_SETUP");
            // Without MFAS_CAN_SETUP Cognito means TOTP (the only method set up in sign-in
            // before email MFA existed).
            let allowed: Vec<MfaType> = match offered {
                None => vec![MfaType::Totp],
                Some(list) => mfa_list(Some(list))
                    .into_iter()
                    .filter(|m| matches!(m, MfaType::Totp | MfaType::Email))
                    .collect(),
            };
            match allowed.as_slice() {
                [] => return Err(Error::fatal(Cause::UnsupportedChallenge(challenge))),
                [MfaType::Totp] => return Ok(associate(pending)),
                [MfaType::Email] => SignInStep::ContinueWithEmailSetup,
                _ => SignInStep::ContinueWithMfaSetupSelection { allowed },
            }
        }
        ChallengeName::NewPasswordRequired => new_password_step(&pending.parameters),
        ChallengeName::CustomChallenge => SignInStep::ConfirmWithCustomChallenge {
            parameters: pending
                .parameters
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        },
        ChallengeName::SelectChallenge => SignInStep::ContinueWithFirstFactorSelection {
            available: pending
                .available
                .iter()
                .map(FirstFactor::from_challenge)
                .collect(),
        },
        ChallengeName::WebAuthn => {
            if pending
                .parameters
                .get("CREDENTIAL_REQUEST_OPTIONS")
                .is_none()
            {
                return Err(Error::unexpected_response(
                    "WEB_AUTHN without CREDENTIAL_REQUEST_OPTIONS",
                ));
            }
            return Ok(Next::Passkey(Box::new(pending)));
        }
        _ => return Err(Error::fatal(Cause::UnsupportedChallenge(challenge))),
    };
    Ok(Next::Answer(Box::new(pending)))
}

/// MFA_SETUP with TOTP: AssociateSoftwareToken(Session) comes first.
pub(super) fn associate(pending: ExpectAnswer) -> Next {
    let sent = Sent::Associate(AssociateSoftwareTokenInput {
        access_token: None,
        session: pending.session.clone(),
    });
    Next::Request {
        sent: Box::new(sent),
        awaiting: Awaiting::Associate,
        back: Some(Box::new(pending)),
    }
}

fn delivery(parameters: &Parameters) -> CodeDelivery {
    CodeDelivery {
        medium: parameters
            .get("CODE_DELIVERY_DELIVERY_MEDIUM")
            .map(DeliveryMedium::from),
        destination: parameters
            .get("CODE_DELIVERY_DESTINATION")
            .map(str::to_owned),
    }
}

/// A list of MFA types: JSON (`["SMS_MFA","SOFTWARE_TOKEN_MFA"]`) or the Python-style list
/// moto sends (`['SOFTWARE_TOKEN_MFA']`).
pub(super) fn mfa_list(raw: Option<&str>) -> Vec<MfaType> {
    let Some(raw) = raw else { return Vec::new() };
    let names: Vec<String> = serde_json::from_str(raw)
        .or_else(|_| serde_json::from_str(&raw.replace('\'', "\"")))
        .unwrap_or_else(|_| {
            raw.trim_matches(|c| c == '[' || c == ']')
                .split(',')
                .map(|s| s.trim().trim_matches(|c| c == '"' || c == '\'').to_owned())
                .collect()
        });
    let mut out = Vec::new();
    for name in names {
        if let Some(m) = MfaType::parse(&name)
            && !out.contains(&m)
        {
            out.push(m);
        }
    }
    out
}

fn new_password_step(parameters: &Parameters) -> SignInStep {
    let missing_attributes = parameters
        .get("requiredAttributes")
        .and_then(|raw| serde_json::from_str::<Vec<String>>(raw).ok())
        .unwrap_or_default()
        .into_iter()
        .map(|a| {
            a.strip_prefix("userAttributes.")
                .map(str::to_owned)
                .unwrap_or(a)
        })
        .collect();
    let user_attributes = parameters
        .get("userAttributes")
        .and_then(|raw| {
            serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(raw).ok()
        })
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| {
            let v = match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            (k, v)
        })
        .collect::<BTreeMap<_, _>>();
    SignInStep::ConfirmWithNewPassword {
        missing_attributes,
        user_attributes,
    }
}

/// Tokens arrived: confirm a new device first, else the sign-in is done.
fn on_tokens(
    ctx: &mut Context,
    result: AuthenticationResult,
    now: SystemTime,
) -> Result<Next, Error> {
    let access = Jwt::decode(result.access_token.expose())
        .map_err(|_| Error::unexpected_response("the access token is not a JWT"))?;
    let mut tokens = AuthTokens::new(access, now).with_username(ctx.active_username.clone());
    if let Some(id) = &result.id_token {
        let id = Jwt::decode(id.expose())
            .map_err(|_| Error::unexpected_response("the ID token is not a JWT"))?;
        tokens = tokens.with_id_token(id);
    }
    if let Some(refresh) = &result.refresh_token {
        tokens = tokens.with_refresh_token(RefreshToken::new(refresh.expose()));
    }
    let outcome = Box::new(SignInOutcome {
        tokens,
        new_device: None,
        forget_stored_device: ctx.forgot_device,
        device_error: None,
    });
    let Some(meta) = result.new_device_metadata else {
        return Ok(Next::Finished(SignInStep::Done(outcome)));
    };
    let verifier = DeviceVerifier::from_parts(
        &meta.device_group_key,
        &meta.device_key,
        ctx.drawn.new_device_password.clone(),
        &ctx.drawn.new_device_salt,
    );
    let device = DeviceMetadata {
        device_key: meta.device_key.clone(),
        device_group_key: meta.device_group_key,
        random_password: verifier.password().clone(),
    };
    let sent = Sent::ConfirmDevice(ConfirmDeviceInput {
        access_token: result.access_token.clone(),
        device_key: meta.device_key,
        device_secret_verifier_config: Some(verifier.config()),
        device_name: ctx.device_options.device_name.clone(),
    });
    Ok(Next::request(
        sent,
        Awaiting::ConfirmDevice { outcome, device },
    ))
}
