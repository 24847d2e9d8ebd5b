//! Proptest strategies for sign-in scenarios, and an oracle that answers every step right.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use auth_core::machine::sign_in::{SignIn, SignInStep};
//! use auth_core::test_util::ScriptedPeer;
//! use auth_core::test_util::strategy::{self, SignInCase};
//! use proptest::prelude::*;
//! use rand::SeedableRng;
//!
//! proptest!(ProptestConfig::with_cases(8), |(case in strategy::sign_in_case())| {
//!     let SignInCase { scenario, input } = case;
//!     let user = scenario.users[0].clone();
//!     let config = scenario.config();
//!     let mut peer = ScriptedPeer::new(scenario);
//!     let mut rng = rand::rngs::StdRng::seed_from_u64(1);
//!     let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
//!     let mut sign_in = SignIn::new(&config, input, &mut rng, now).unwrap();
//!     let last = strategy::run_to_end(&mut peer, &mut sign_in, &user, &mut rng, now).unwrap();
//!     prop_assert!(last.is_final(), "{last:?}");
//! });
//! ```

use std::collections::BTreeMap;
use std::time::SystemTime;

use proptest::prelude::*;
use rand_core::{CryptoRng, RngCore};

use super::{EMAIL_CODE, Mfa, SMS_CODE, Scenario, ScriptedPeer, TOTP_CODE, UserSpec};
use crate::Sensitive;
use crate::machine::sign_in::{
    Answer, ConfirmOptions, FirstFactor, MfaType, SignIn, SignInFlow, SignInInput, SignInStep,
};
use crate::machine::{Error, Machine as _};

/// A scenario with one user and the input that signs them in.
#[derive(Debug, Clone)]
pub struct SignInCase {
    /// The pool (its first user is the one signing in).
    pub scenario: Scenario,
    /// The sign-in input (the right password, a flow the user can take).
    pub input: SignInInput,
}

/// Any MFA configuration.
pub fn mfa() -> impl Strategy<Value = Mfa> {
    prop_oneof![
        Just(Mfa::None),
        Just(Mfa::Sms),
        Just(Mfa::Totp),
        Just(Mfa::Email),
        Just(Mfa::Select(vec![MfaType::Sms, MfaType::Totp])),
        Just(Mfa::Select(vec![MfaType::Totp, MfaType::Email])),
        Just(Mfa::Setup(vec![MfaType::Totp])),
        Just(Mfa::Setup(vec![MfaType::Email])),
        Just(Mfa::Setup(vec![MfaType::Totp, MfaType::Email])),
    ]
}

/// A user: a name, a password, MFA, maybe NEW_PASSWORD_REQUIRED with missing attributes, and
/// zero to three custom-challenge rounds.
pub fn user() -> impl Strategy<Value = UserSpec> {
    (
        "[a-z]{3,10}",
        "[A-Za-z0-9]{6,12}",
        mfa(),
        prop::option::weighted(
            0.2,
            prop::collection::vec(prop_oneof![Just("name"), Just("family_name")], 0..2),
        ),
        prop::collection::vec("[a-z0-9]{1,8}", 0..3),
    )
        .prop_map(|(name, password, mfa, new_password, rounds)| {
            let mut user = UserSpec::new(name, format!("P{password}!"))
                .with_mfa(mfa)
                .with_custom_rounds(rounds);
            if let Some(missing) = new_password {
                let mut missing: Vec<String> = missing.into_iter().map(str::to_owned).collect();
                missing.dedup();
                user = user.with_new_password_required(missing);
            }
            user
        })
}

/// A flow the user can take (USER_SRP_AUTH weighted low: it costs two modular exponentiations
/// per sign-in).
pub fn flow() -> impl Strategy<Value = SignInFlow> {
    prop_oneof![
        1 => Just(SignInFlow::UserSrpAuth),
        4 => Just(SignInFlow::UserPasswordAuth),
        2 => Just(SignInFlow::CustomWithoutSrp),
        2 => Just(SignInFlow::UserAuth { preferred: None }),
        1 => Just(SignInFlow::UserAuth { preferred: Some(FirstFactor::Password) }),
        1 => Just(SignInFlow::UserAuth { preferred: Some(FirstFactor::EmailOtp) }),
    ]
}

/// A scenario with one user and a matching sign-in input, with or without a client secret.
pub fn sign_in_case() -> impl Strategy<Value = SignInCase> {
    (user(), flow(), any::<bool>()).prop_map(|(user, flow, secret)| {
        let input = match flow {
            SignInFlow::CustomWithoutSrp => SignInInput::passwordless(user.username.clone(), flow),
            SignInFlow::UserAuth {
                preferred: None | Some(FirstFactor::EmailOtp),
            } => SignInInput::passwordless(user.username.clone(), flow),
            flow => SignInInput::new(user.username.clone(), user.password.clone()).with_flow(flow),
        };
        let mut scenario = Scenario::new().with_user(user);
        if secret {
            scenario = scenario.with_client_secret("test-client-secret");
        }
        SignInCase { scenario, input }
    })
}

/// The right answer to `step` for `user` of the scripted peer; `None` for final steps.
pub fn correct_answer(step: &SignInStep, user: &UserSpec) -> Option<Answer> {
    let code = |c: &str| Some(Answer::Code(Sensitive::new(c)));
    match step {
        SignInStep::ConfirmWithSmsCode { .. } => code(SMS_CODE),
        SignInStep::ConfirmWithTotpCode | SignInStep::ContinueWithTotpSetup { .. } => {
            code(TOTP_CODE)
        }
        SignInStep::ConfirmWithEmailCode { .. } => code(EMAIL_CODE),
        SignInStep::ContinueWithMfaSelection { allowed }
        | SignInStep::ContinueWithMfaSetupSelection { allowed } => {
            allowed.first().copied().map(Answer::Mfa)
        }
        SignInStep::ContinueWithEmailSetup => {
            Some(Answer::Email(format!("{}@example.com", user.username)))
        }
        SignInStep::ConfirmWithNewPassword {
            missing_attributes, ..
        } => Some(Answer::NewPassword {
            password: Sensitive::new(format!("{}-new", user.password)),
            attributes: missing_attributes
                .iter()
                .map(|a| (a.clone(), "value".to_owned()))
                .collect::<BTreeMap<_, _>>(),
        }),
        SignInStep::ConfirmWithCustomChallenge { parameters } => {
            let round: usize = parameters
                .get("round")
                .and_then(|r| r.parse().ok())
                .unwrap_or(0);
            user.custom_rounds
                .get(round)
                .map(|a| Answer::Custom(Sensitive::new(a.as_str())))
        }
        SignInStep::ContinueWithFirstFactorSelection { available } => {
            available.first().cloned().map(Answer::FirstFactor)
        }
        SignInStep::ConfirmWithPassword => {
            Some(Answer::Password(Sensitive::new(user.password.as_str())))
        }
        _ => None,
    }
}

/// Drives `sign_in` against `peer`, answering every step with [`correct_answer`], until a
/// final step; returns it.
///
/// # Errors
///
/// The first error of the machine.
pub fn run_to_end(
    peer: &mut ScriptedPeer,
    sign_in: &mut SignIn,
    user: &UserSpec,
    rng: &mut (impl CryptoRng + RngCore),
    now: SystemTime,
) -> Result<SignInStep, Error> {
    loop {
        peer.drive(sign_in, now)?;
        if let Some(request) = sign_in.passkey_request() {
            let _ = request;
            let credential = user.passkey_credential.clone().unwrap_or_default();
            sign_in.provide_passkey_credential(credential, now)?;
            continue;
        }
        let Some(step) = sign_in.step().cloned() else {
            return Err(Error::new(
                crate::machine::Cause::Finished,
                crate::machine::Recovery::StartOver,
            ));
        };
        match correct_answer(&step, user) {
            Some(answer) => sign_in.confirm(answer, &ConfirmOptions::default(), rng, now)?,
            None => return Ok(step),
        }
    }
}
