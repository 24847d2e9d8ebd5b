//! `sign-in`: starts the sign-in, then asks for each step's answer until DONE.
//!
//! Everything a person reads (prompts, the TOTP setup URI) goes to stderr; stdout gets the
//! one-line result. A wrong code ([`Recovery::Retry`]) asks again; stdin running out ends the
//! sign-in (a script that pipes its answers gets a clear error instead of a hang).

use std::collections::BTreeMap;
use std::io::{self, Write as _};

use auth::Auth;
use auth::client::{AuthError, SignInOptions, SignInOutput};
use auth::core::Sensitive;
use auth::core::machine::Recovery;
use auth::core::machine::sign_in::{
    Answer, CodeDelivery, ConfirmOptions, FirstFactor, MfaType, SignInFlow, SignInStep,
};

use crate::args::{Flow, SignInArgs};
use crate::error::CliError;
use crate::profile::{Login, Profile};
use crate::prompt::Prompter;

pub(super) async fn run(profile: &Profile, args: &SignInArgs) -> Result<(), CliError> {
    let mut prompter = Prompter::stdin();
    let (who, has_identity_pool) = match &profile.login {
        Login::Cognito(auth) => {
            if args.device {
                return Err(CliError::usage(
                    "sign-in: --device is for an OpenID Provider (--oidc-issuer)",
                ));
            }
            let username = cognito(profile, auth, args, &mut prompter).await?;
            (username, auth.identity_pool_config().is_some())
        }
        Login::Oidc(oidc) => {
            let subject = oidc.sign_in(args.device, &prompter).await?;
            (subject, oidc.credentials.is_some())
        }
    };
    profile.remember().await?;
    if !has_identity_pool {
        prompter.say(
            "note: no identity pool is configured, so `credentials` has nothing to give; sign \
             in with --identity-pool-id (or a --config that has one) for AWS credentials",
        );
    }
    writeln!(io::stdout().lock(), "Signed in as {who}")
        .map_err(|e| CliError::failure("sign-in: could not write to stdout").cause(e))
}

/// A user-pool sign-in, every step answered; returns the username.
async fn cognito(
    profile: &Profile,
    auth: &Auth,
    args: &SignInArgs,
    prompter: &mut Prompter,
) -> Result<String, CliError> {
    if let Ok(user) = auth.get_current_user().await {
        return Err(CliError::failure(format!(
            "sign-in: {} is already signed in ({}); run `cognito-auth sign-out` first",
            user.username,
            profile.store_path.display()
        )));
    }
    let username = match &args.username {
        Some(username) => username.clone(),
        None if args.password_stdin => {
            return Err(CliError::usage(
                "sign-in: with --password-stdin, give the username as an argument",
            ));
        }
        None => prompter.ask("Username")?,
    };
    // The password: the first stdin line with --password-stdin, else asked for now when the
    // flow starts with it, or later when a step asks for it (USER_AUTH).
    let mut password = if args.password_stdin {
        Some(Sensitive::from(prompter.read_line("password")?))
    } else if needs_password_upfront(args.flow) {
        Some(prompter.secret("Password")?)
    } else {
        None
    };
    let upfront = if needs_password_upfront(args.flow) {
        password.take()
    } else {
        None
    };
    let options = SignInOptions::new().flow(flow(args.flow));
    let mut output = auth
        .sign_in(
            &username,
            upfront.as_ref().map_or("", Sensitive::expose),
            options,
        )
        .await;
    let mut asked: Option<SignInStep> = None;
    let user = loop {
        let step = match output {
            Ok(SignInOutput::SignedIn(user)) => break user,
            Ok(SignInOutput::NextStep(step)) => step,
            Ok(other) => {
                return Err(CliError::failure(format!(
                    "sign-in: an outcome this version does not know: {other:?}"
                )));
            }
            Err(e) if e.recovery() == Some(Recovery::Retry) && asked.is_some() => {
                prompter.say(&format!(
                    "{}; try again",
                    CliError::auth("that answer was refused", e).chain()
                ));
                asked.take().expect("checked above")
            }
            Err(e) => return Err(sign_in_error(e)),
        };
        let (answer, confirm) = answer(&step, prompter, args, &mut password)?;
        asked = Some(step);
        output = auth.confirm_sign_in(answer, confirm).await;
    };
    Ok(user.username)
}

fn needs_password_upfront(flow: Flow) -> bool {
    matches!(flow, Flow::Srp | Flow::Password | Flow::CustomSrp)
}

fn flow(flow: Flow) -> SignInFlow {
    match flow {
        Flow::Srp => SignInFlow::UserSrpAuth,
        Flow::Password => SignInFlow::UserPasswordAuth,
        Flow::UserAuth => SignInFlow::UserAuth { preferred: None },
        Flow::CustomSrp => SignInFlow::CustomWithSrp,
        Flow::Custom => SignInFlow::CustomWithoutSrp,
    }
}

fn sign_in_error(error: AuthError) -> CliError {
    if matches!(error, AuthError::UserAlreadyAuthenticated) {
        return CliError::failure(
            "sign-in: a user is already signed in; run `cognito-auth sign-out` first",
        );
    }
    CliError::auth("sign-in", error)
}

/// Asks for the answer to `step`. Final steps other than DONE end the sign-in with an error
/// that says what to do instead.
fn answer(
    step: &SignInStep,
    prompter: &mut Prompter,
    args: &SignInArgs,
    password: &mut Option<Sensitive>,
) -> Result<(Answer, ConfirmOptions), CliError> {
    let mut confirm = ConfirmOptions::default();
    let answer = match step {
        SignInStep::ConfirmWithSmsCode { delivery } => {
            Answer::Code(prompter.secret(&format!("Code sent by SMS{}", to(delivery)))?)
        }
        SignInStep::ConfirmWithEmailCode { delivery } => {
            Answer::Code(prompter.secret(&format!("Code sent by email{}", to(delivery)))?)
        }
        SignInStep::ConfirmWithTotpCode => {
            Answer::Code(prompter.secret("Code from your authenticator app")?)
        }
        SignInStep::ContinueWithMfaSelection { allowed } => {
            Answer::Mfa(choose_mfa(prompter, "MFA method", allowed)?)
        }
        SignInStep::ContinueWithMfaSetupSelection { allowed } => {
            Answer::Mfa(choose_mfa(prompter, "MFA method to set up", allowed)?)
        }
        SignInStep::ContinueWithTotpSetup { setup } => {
            prompter.say(
                "Set up an authenticator app: scan this URI as a QR code, or enter the secret.",
            );
            prompter.say(&format!("  URI:    {}", setup.uri(&args.totp_issuer)));
            prompter.say(&format!("  secret: {}", setup.secret.expose()));
            confirm
                .friendly_device_name
                .clone_from(&args.totp_device_name);
            Answer::Code(prompter.secret("Code from your authenticator app")?)
        }
        SignInStep::ContinueWithEmailSetup => {
            Answer::Email(prompter.ask("Email address for MFA codes")?)
        }
        SignInStep::ConfirmWithNewPassword {
            missing_attributes, ..
        } => {
            prompter.say("Cognito requires a new password.");
            let password = new_password(prompter)?;
            let mut attributes = BTreeMap::new();
            for name in missing_attributes {
                attributes.insert(name.clone(), prompter.ask(&format!("Value of {name}"))?);
            }
            Answer::NewPassword {
                password,
                attributes,
            }
        }
        SignInStep::ConfirmWithCustomChallenge { parameters } => {
            for (name, value) in parameters {
                prompter.say(&format!("  {name}: {value}"));
            }
            Answer::Custom(prompter.secret("Answer to the custom challenge")?)
        }
        SignInStep::ContinueWithFirstFactorSelection { available } => {
            Answer::FirstFactor(choose_first_factor(prompter, available)?)
        }
        SignInStep::ConfirmWithPassword => match password.take() {
            Some(password) => Answer::Password(password),
            None => Answer::Password(prompter.secret("Password")?),
        },
        SignInStep::ResetPassword { username } => {
            return Err(CliError::failure(format!(
                "sign-in: Cognito requires a password reset for {username}: reset it (forgot \
                 password in your app), then sign in again"
            )));
        }
        SignInStep::ConfirmSignUp { username } => {
            return Err(CliError::failure(format!(
                "sign-in: {username} has not confirmed sign-up yet: confirm it, then sign in again"
            )));
        }
        other => {
            return Err(CliError::failure(format!(
                "sign-in: the step {} is not supported by cognito-auth",
                other.name()
            )));
        }
    };
    Ok((answer, confirm))
}

/// ` to +*******1234`, or nothing when Cognito did not say.
fn to(delivery: &CodeDelivery) -> String {
    delivery
        .destination
        .as_deref()
        .map(|d| format!(" to {d}"))
        .unwrap_or_default()
}

/// A new password, typed twice at a terminal (once from a pipe).
fn new_password(prompter: &mut Prompter) -> Result<Sensitive, CliError> {
    loop {
        let first = prompter.secret("New password")?;
        if !prompter.is_terminal() {
            return Ok(first);
        }
        let again = prompter.secret("New password again")?;
        if first == again {
            return Ok(first);
        }
        prompter.say("The passwords differ; try again.");
    }
}

fn mfa_name(mfa: MfaType) -> &'static str {
    match mfa {
        MfaType::Sms => "sms",
        MfaType::Totp => "totp",
        MfaType::Email => "email",
        other => other.challenge_name(),
    }
}

/// `totp`, `sms`, `email`, or Cognito's names (`SOFTWARE_TOKEN_MFA`, `SMS_MFA`, `EMAIL_OTP`).
fn parse_mfa(text: &str) -> Option<MfaType> {
    [MfaType::Totp, MfaType::Sms, MfaType::Email]
        .into_iter()
        .find(|m| text.eq_ignore_ascii_case(mfa_name(*m)) || text == m.challenge_name())
}

fn choose_mfa(
    prompter: &mut Prompter,
    question: &str,
    allowed: &[MfaType],
) -> Result<MfaType, CliError> {
    let names: Vec<&str> = allowed.iter().map(|m| mfa_name(*m)).collect();
    loop {
        let text = prompter.ask(&format!("{question} ({})", names.join(", ")))?;
        match parse_mfa(&text) {
            Some(mfa) if allowed.contains(&mfa) => return Ok(mfa),
            _ => prompter.say(&format!("Answer one of: {}.", names.join(", "))),
        }
    }
}

fn first_factor_name(factor: &FirstFactor) -> String {
    factor.as_str().to_ascii_lowercase().replace('_', "-")
}

fn choose_first_factor(
    prompter: &mut Prompter,
    available: &[FirstFactor],
) -> Result<FirstFactor, CliError> {
    let names: Vec<String> = available.iter().map(first_factor_name).collect();
    loop {
        let text = prompter.ask(&format!("First factor ({})", names.join(", ")))?;
        let chosen = available.iter().find(|f| {
            text.eq_ignore_ascii_case(&first_factor_name(f))
                || text.eq_ignore_ascii_case(f.as_str())
        });
        match chosen {
            Some(factor) => return Ok(factor.clone()),
            None => prompter.say(&format!("Answer one of: {}.", names.join(", "))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mfa_types_are_named_simply_or_as_cognito_does() {
        assert_eq!(parse_mfa("totp"), Some(MfaType::Totp));
        assert_eq!(parse_mfa("TOTP"), Some(MfaType::Totp));
        assert_eq!(parse_mfa("SMS_MFA"), Some(MfaType::Sms));
        assert_eq!(parse_mfa("EMAIL_OTP"), Some(MfaType::Email));
        assert_eq!(parse_mfa("fax"), None);
    }

    #[test]
    fn an_mfa_choice_outside_the_allowed_ones_is_asked_again() {
        let mut prompter = Prompter::from_lines("sms\ntotp\n");
        let chosen = choose_mfa(&mut prompter, "MFA", &[MfaType::Totp, MfaType::Email]).unwrap();
        assert_eq!(chosen, MfaType::Totp);
    }

    #[test]
    fn first_factors_are_chosen_by_their_kebab_or_wire_name() {
        let available = [FirstFactor::PasswordSrp, FirstFactor::EmailOtp];
        let mut prompter = Prompter::from_lines("password-srp\nEMAIL_OTP\n");
        assert_eq!(
            choose_first_factor(&mut prompter, &available).unwrap(),
            FirstFactor::PasswordSrp
        );
        assert_eq!(
            choose_first_factor(&mut prompter, &available).unwrap(),
            FirstFactor::EmailOtp
        );
    }

    #[test]
    fn a_new_password_from_a_pipe_is_one_line_and_missing_attributes_follow() {
        let args = SignInArgs {
            username: Some("alice".into()),
            password_stdin: true,
            flow: Flow::Srp,
            totp_issuer: "AWSCognito".into(),
            totp_device_name: None,
            device: false,
        };
        let step = SignInStep::ConfirmWithNewPassword {
            missing_attributes: vec!["name".into()],
            user_attributes: BTreeMap::new(),
        };
        let mut prompter = Prompter::from_lines("N3w passw0rd!\nAlice Liddell\n");
        let (answer, _) = answer(&step, &mut prompter, &args, &mut None).unwrap();
        let Answer::NewPassword {
            password,
            attributes,
        } = answer
        else {
            panic!("expected a new password");
        };
        assert_eq!(password.expose(), "N3w passw0rd!");
        assert_eq!(attributes["name"], "Alice Liddell");
    }

    #[test]
    fn a_password_reset_ends_the_sign_in_with_what_to_do() {
        let args = SignInArgs {
            username: None,
            password_stdin: false,
            flow: Flow::Srp,
            totp_issuer: "AWSCognito".into(),
            totp_device_name: None,
            device: false,
        };
        let step = SignInStep::ResetPassword {
            username: "alice".into(),
        };
        let mut prompter = Prompter::from_lines("");
        let err = answer(&step, &mut prompter, &args, &mut None).unwrap_err();
        assert!(err.chain().contains("password reset"), "{}", err.chain());
    }
}
