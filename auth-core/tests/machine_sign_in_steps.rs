//! One scripted test per row of the sign-in step table (reference section 1), plus the
//! internal legs (PASSWORD_VERIFIER, device SRP, ConfirmDevice, the "Device does not exist"
//! retry, WEB_AUTHN) and the robustness rules. The peer is `auth_core::test_util::ScriptedPeer`,
//! which verifies SRP signatures, checks SECRET_HASH and refuses stale sessions.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use auth_core::Sensitive;
use auth_core::machine::sign_in::{
    Answer, ConfirmOptions, DeviceMetadata, DeviceOptions, FirstFactor, MfaType, SignIn,
    SignInFlow, SignInInput, SignInOutcome, SignInStep,
};
use auth_core::machine::{Cause, Machine as _, Recovery};
use auth_core::test_util::{
    EMAIL_CODE, FaultResponse, Mfa, SMS_CODE, Scenario, ScriptedPeer, TOTP_CODE, TOTP_SECRET,
    UserSpec,
};
use auth_core::wire::ErrorKind;
use rand::SeedableRng;
use rand::rngs::StdRng;

const PASSWORD: &str = "Corr3ct-horse";

fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

struct Harness {
    peer: ScriptedPeer,
    sign_in: SignIn,
    rng: StdRng,
    now: SystemTime,
}

impl Harness {
    fn start(scenario: Scenario, input: SignInInput) -> Self {
        let config = scenario.config();
        let mut rng = StdRng::seed_from_u64(42);
        let sign_in = SignIn::new(&config, input, &mut rng, t0()).expect("sign-in starts");
        let mut h = Self {
            peer: ScriptedPeer::new(scenario),
            sign_in,
            rng,
            now: t0(),
        };
        h.drive().expect("first leg");
        h
    }

    fn drive(&mut self) -> Result<(), auth_core::machine::Error> {
        self.peer.drive(&mut self.sign_in, self.now)
    }

    fn answer(&mut self, answer: Answer) -> Result<(), auth_core::machine::Error> {
        self.sign_in
            .confirm(answer, &ConfirmOptions::default(), &mut self.rng, self.now)?;
        self.drive()
    }

    fn step(&self) -> &SignInStep {
        self.sign_in.step().expect("a step")
    }

    fn done(&mut self) -> SignInOutcome {
        assert_eq!(self.step().name(), "DONE", "{:?}", self.step());
        self.sign_in.take_outcome().expect("outcome")
    }

    fn last_body(&self) -> &serde_json::Value {
        &self.peer.requests().last().expect("a request").body
    }
}

fn pool(user: UserSpec) -> Scenario {
    Scenario::new().with_user(user)
}

fn alice() -> UserSpec {
    UserSpec::new("alice", PASSWORD)
}

fn code(c: &str) -> Answer {
    Answer::Code(Sensitive::new(c))
}

#[test]
fn srp_sign_in_without_mfa_is_done_after_password_verifier() {
    let mut h = Harness::start(pool(alice()), SignInInput::new("alice", PASSWORD));
    let outcome = h.done();
    assert_eq!(
        h.peer.operations(),
        ["InitiateAuth", "RespondToAuthChallenge"]
    );
    assert_eq!(
        h.peer.requests()[1].body["ChallengeName"],
        "PASSWORD_VERIFIER"
    );
    assert_eq!(outcome.tokens.username, "alice");
    assert!(outcome.tokens.refresh_token.is_some());
}

#[test]
fn srp_sign_in_with_wrong_password_fails_signature_check() {
    let scenario = pool(alice());
    let config = scenario.config();
    let mut peer = ScriptedPeer::new(scenario);
    let mut rng = StdRng::seed_from_u64(1);
    let mut sign_in = SignIn::new(
        &config,
        SignInInput::new("alice", "wrong-password"),
        &mut rng,
        t0(),
    )
    .unwrap();
    let error = peer.drive(&mut sign_in, t0()).unwrap_err();
    assert_eq!(error.service_kind(), Some(&ErrorKind::NotAuthorized));
    assert_eq!(error.recovery(), Recovery::StartOver);
    assert!(sign_in.step().is_none());
    assert!(sign_in.failure().is_some());
}

#[test]
fn password_sign_in_sends_password_and_is_done() {
    let input = SignInInput::new("alice", PASSWORD).with_flow(SignInFlow::UserPasswordAuth);
    let mut h = Harness::start(pool(alice()), input);
    h.done();
    assert_eq!(h.peer.requests()[0].body["AuthFlow"], "USER_PASSWORD_AUTH");
}

#[test]
fn confirm_sign_in_with_sms_code_carries_delivery_details() {
    let mut h = Harness::start(
        pool(alice().with_mfa(Mfa::Sms)),
        SignInInput::new("alice", PASSWORD),
    );
    let SignInStep::ConfirmWithSmsCode { delivery } = h.step() else {
        panic!("{:?}", h.step())
    };
    assert_eq!(delivery.destination.as_deref(), Some("+*******0100"));
    h.answer(code(SMS_CODE)).unwrap();
    assert_eq!(
        h.last_body()["ChallengeResponses"]["SMS_MFA_CODE"],
        SMS_CODE
    );
    h.done();
}

#[test]
fn confirm_sign_in_with_sms_otp_answers_sms_otp_code() {
    let flow = SignInFlow::UserAuth {
        preferred: Some(FirstFactor::SmsOtp),
    };
    let mut h = Harness::start(pool(alice()), SignInInput::passwordless("alice", flow));
    assert_eq!(h.step().name(), "CONFIRM_SIGN_IN_WITH_SMS_CODE");
    h.answer(code(SMS_CODE)).unwrap();
    assert_eq!(
        h.last_body()["ChallengeResponses"]["SMS_OTP_CODE"],
        SMS_CODE
    );
    h.done();
}

#[test]
fn confirm_sign_in_with_totp_code() {
    let mut h = Harness::start(
        pool(alice().with_mfa(Mfa::Totp)),
        SignInInput::new("alice", PASSWORD),
    );
    assert_eq!(h.step(), &SignInStep::ConfirmWithTotpCode);
    h.answer(code(TOTP_CODE)).unwrap();
    assert_eq!(
        h.last_body()["ChallengeResponses"]["SOFTWARE_TOKEN_MFA_CODE"],
        TOTP_CODE
    );
    h.done();
}

#[test]
fn confirm_sign_in_with_email_code() {
    let mut h = Harness::start(
        pool(alice().with_mfa(Mfa::Email)),
        SignInInput::new("alice", PASSWORD),
    );
    assert_eq!(h.step().name(), "CONFIRM_SIGN_IN_WITH_EMAIL_CODE");
    h.answer(code(EMAIL_CODE)).unwrap();
    assert_eq!(
        h.last_body()["ChallengeResponses"]["EMAIL_OTP_CODE"],
        EMAIL_CODE
    );
    h.done();
}

#[test]
fn mfa_selection_lists_allowed_types_and_answers_select_mfa_type() {
    let user = alice().with_mfa(Mfa::Select(vec![MfaType::Sms, MfaType::Totp]));
    let mut h = Harness::start(pool(user), SignInInput::new("alice", PASSWORD));
    let SignInStep::ContinueWithMfaSelection { allowed } = h.step() else {
        panic!()
    };
    assert_eq!(allowed, &[MfaType::Sms, MfaType::Totp]);
    // EMAIL is not offered: refused without a request, state unchanged.
    let error = h
        .sign_in
        .confirm(
            Answer::Mfa(MfaType::Email),
            &ConfirmOptions::default(),
            &mut h.rng,
            h.now,
        )
        .unwrap_err();
    assert_eq!(error.recovery(), Recovery::Retry);
    assert!(h.sign_in.poll_request().is_none());
    h.answer(Answer::Mfa(MfaType::Totp)).unwrap();
    assert_eq!(
        h.last_body()["ChallengeResponses"]["ANSWER"],
        "SOFTWARE_TOKEN_MFA"
    );
    assert_eq!(h.step(), &SignInStep::ConfirmWithTotpCode);
    h.answer(code(TOTP_CODE)).unwrap();
    h.done();
}

#[test]
fn mfa_setup_selection_narrows_to_email_setup_client_side() {
    let user = alice().with_mfa(Mfa::Setup(vec![MfaType::Totp, MfaType::Email]));
    let mut h = Harness::start(pool(user), SignInInput::new("alice", PASSWORD));
    let SignInStep::ContinueWithMfaSetupSelection { allowed } = h.step() else {
        panic!("{:?}", h.step())
    };
    assert_eq!(allowed, &[MfaType::Totp, MfaType::Email]);
    let before = h.peer.requests().len();
    h.answer(Answer::Mfa(MfaType::Email)).unwrap();
    assert_eq!(
        h.peer.requests().len(),
        before,
        "the narrowing is client-side"
    );
    assert_eq!(h.step(), &SignInStep::ContinueWithEmailSetup);
    h.answer(Answer::Email("alice@example.com".into())).unwrap();
    assert_eq!(h.last_body()["ChallengeName"], "MFA_SETUP");
    assert_eq!(
        h.last_body()["ChallengeResponses"]["EMAIL"],
        "alice@example.com"
    );
    assert_eq!(h.step().name(), "CONFIRM_SIGN_IN_WITH_EMAIL_CODE");
    h.answer(code(EMAIL_CODE)).unwrap();
    h.done();
}

#[test]
fn mfa_setup_selection_of_totp_runs_associate_software_token() {
    let user = alice().with_mfa(Mfa::Setup(vec![MfaType::Totp, MfaType::Email]));
    let mut h = Harness::start(pool(user), SignInInput::new("alice", PASSWORD));
    h.answer(Answer::Mfa(MfaType::Totp)).unwrap();
    assert_eq!(h.peer.operations().last(), Some(&"AssociateSoftwareToken"));
    assert_eq!(h.step().name(), "CONTINUE_SIGN_IN_WITH_TOTP_SETUP");
}

#[test]
fn totp_setup_shows_secret_and_uri_then_verifies_with_the_new_session() {
    let user = alice().with_mfa(Mfa::Setup(vec![MfaType::Totp]));
    let mut h = Harness::start(pool(user), SignInInput::new("alice", PASSWORD));
    assert_eq!(
        h.peer.operations(),
        [
            "InitiateAuth",
            "RespondToAuthChallenge",
            "AssociateSoftwareToken"
        ]
    );
    let SignInStep::ContinueWithTotpSetup { setup } = h.step().clone() else {
        panic!("{:?}", h.step())
    };
    assert_eq!(setup.secret.expose(), TOTP_SECRET);
    assert_eq!(
        setup.uri("Example"),
        format!("otpauth://totp/Example:alice?secret={TOTP_SECRET}&issuer=Example")
    );
    // A wrong code: VerifySoftwareToken refuses it, the setup step is asked again.
    let error = h.answer(code("000000")).unwrap_err();
    assert_eq!(error.recovery(), Recovery::Retry);
    assert_eq!(h.step().name(), "CONTINUE_SIGN_IN_WITH_TOTP_SETUP");
    let options = ConfirmOptions {
        friendly_device_name: Some("phone".into()),
        ..Default::default()
    };
    h.sign_in
        .confirm(code(TOTP_CODE), &options, &mut h.rng, h.now)
        .unwrap();
    h.drive().unwrap();
    let ops = h.peer.operations();
    assert_eq!(
        &ops[ops.len() - 2..],
        ["VerifySoftwareToken", "RespondToAuthChallenge"]
    );
    let verify = &h.peer.requests()[h.peer.requests().len() - 2].body;
    assert_eq!(verify["FriendlyDeviceName"], "phone");
    assert_eq!(h.last_body()["ChallengeName"], "MFA_SETUP");
    assert_ne!(
        h.last_body()["Session"],
        verify["Session"],
        "MFA_SETUP uses VerifySoftwareToken's session"
    );
    h.done();
}

#[test]
fn email_setup_alone_asks_for_the_address() {
    let user = alice().with_mfa(Mfa::Setup(vec![MfaType::Email, MfaType::Sms]));
    let mut h = Harness::start(pool(user), SignInInput::new("alice", PASSWORD));
    assert_eq!(h.step(), &SignInStep::ContinueWithEmailSetup);
    let error = h
        .sign_in
        .confirm(
            Answer::Email("not-an-address".into()),
            &ConfirmOptions::default(),
            &mut h.rng,
            h.now,
        )
        .unwrap_err();
    assert!(matches!(error.cause(), Cause::InvalidInput { .. }));
    h.answer(Answer::Email("alice@example.com".into())).unwrap();
    h.answer(code(EMAIL_CODE)).unwrap();
    h.done();
}

#[test]
fn new_password_required_lists_missing_attributes_and_retries_refused_passwords() {
    let user = alice().with_new_password_required(vec!["name".into()]);
    let mut h = Harness::start(pool(user), SignInInput::new("alice", PASSWORD));
    let SignInStep::ConfirmWithNewPassword {
        missing_attributes,
        user_attributes,
    } = h.step().clone()
    else {
        panic!()
    };
    assert_eq!(missing_attributes, ["name"]);
    assert_eq!(
        user_attributes.get("email_verified").map(String::as_str),
        Some("true")
    );
    let short = Answer::NewPassword {
        password: "short".into(),
        attributes: BTreeMap::new(),
    };
    let error = h.answer(short).unwrap_err();
    assert_eq!(error.service_kind(), Some(&ErrorKind::InvalidPassword));
    assert_eq!(error.recovery(), Recovery::Retry);
    let no_name = Answer::NewPassword {
        password: "L0ng-enough!".into(),
        attributes: BTreeMap::new(),
    };
    assert_eq!(h.answer(no_name).unwrap_err().recovery(), Recovery::Retry);
    let attributes = BTreeMap::from([("name".to_owned(), "Alice".to_owned())]);
    h.answer(Answer::NewPassword {
        password: "L0ng-enough!".into(),
        attributes,
    })
    .unwrap();
    assert_eq!(
        h.last_body()["ChallengeResponses"]["userAttributes.name"],
        "Alice"
    );
    h.done();
}

#[test]
fn new_password_then_email_otp_chains_with_the_latest_session() {
    let user = alice()
        .with_new_password_required(vec![])
        .with_mfa(Mfa::Email);
    let mut h = Harness::start(pool(user), SignInInput::new("alice", PASSWORD));
    h.answer(Answer::NewPassword {
        password: "L0ng-enough!".into(),
        attributes: BTreeMap::new(),
    })
    .unwrap();
    assert_eq!(h.step().name(), "CONFIRM_SIGN_IN_WITH_EMAIL_CODE");
    h.answer(code(EMAIL_CODE)).unwrap();
    h.done();
}

#[test]
fn custom_challenge_without_srp_runs_every_round() {
    let user = alice().with_custom_rounds(vec!["one".into(), "two".into(), "three".into()]);
    let mut h = Harness::start(
        pool(user),
        SignInInput::passwordless("alice", SignInFlow::CustomWithoutSrp),
    );
    for (round, answer) in ["one", "two", "three"].into_iter().enumerate() {
        let SignInStep::ConfirmWithCustomChallenge { parameters } = h.step() else {
            panic!("{:?}", h.step())
        };
        assert_eq!(parameters.get("round"), Some(&round.to_string()));
        h.answer(Answer::Custom(answer.into())).unwrap();
    }
    h.done();
    assert_eq!(h.peer.requests()[0].body["AuthFlow"], "CUSTOM_AUTH");
}

#[test]
fn custom_without_srp_refuses_a_password() {
    let scenario = pool(alice());
    let mut rng = StdRng::seed_from_u64(3);
    let input = SignInInput::new("alice", PASSWORD).with_flow(SignInFlow::CustomWithoutSrp);
    let error = SignIn::new(&scenario.config(), input, &mut rng, t0()).unwrap_err();
    assert!(matches!(error.cause(), Cause::InvalidInput { .. }));
}

#[test]
fn custom_challenge_with_srp_starts_with_srp_a() {
    let user = alice().with_custom_rounds(vec!["42".into()]);
    let input = SignInInput::new("alice", PASSWORD).with_flow(SignInFlow::CustomWithSrp);
    let mut h = Harness::start(pool(user), input);
    assert_eq!(
        h.peer.requests()[0].body["AuthParameters"]["CHALLENGE_NAME"],
        "SRP_A"
    );
    assert_eq!(
        h.peer.requests()[1].body["ChallengeName"],
        "PASSWORD_VERIFIER"
    );
    assert_eq!(h.step().name(), "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE");
    h.answer(Answer::Custom("42".into())).unwrap();
    h.done();
}

#[test]
fn first_factor_selection_then_email_otp() {
    let flow = SignInFlow::UserAuth { preferred: None };
    let mut h = Harness::start(pool(alice()), SignInInput::passwordless("alice", flow));
    let SignInStep::ContinueWithFirstFactorSelection { available } = h.step() else {
        panic!("{:?}", h.step())
    };
    assert_eq!(
        available,
        &[
            FirstFactor::Password,
            FirstFactor::PasswordSrp,
            FirstFactor::EmailOtp
        ]
    );
    h.answer(Answer::FirstFactor(FirstFactor::EmailOtp))
        .unwrap();
    assert_eq!(h.last_body()["ChallengeResponses"]["ANSWER"], "EMAIL_OTP");
    h.answer(code(EMAIL_CODE)).unwrap();
    h.done();
}

#[test]
fn first_factor_password_asks_for_the_password_client_side() {
    let flow = SignInFlow::UserAuth { preferred: None };
    let mut h = Harness::start(pool(alice()), SignInInput::passwordless("alice", flow));
    h.answer(Answer::FirstFactor(FirstFactor::Password))
        .unwrap();
    assert_eq!(h.step(), &SignInStep::ConfirmWithPassword);
    assert_eq!(h.peer.requests().len(), 1);
    h.answer(Answer::Password(PASSWORD.into())).unwrap();
    assert_eq!(h.last_body()["ChallengeResponses"]["ANSWER"], "PASSWORD");
    h.done();
}

#[test]
fn first_factor_password_srp_runs_password_verifier() {
    let flow = SignInFlow::UserAuth { preferred: None };
    let mut h = Harness::start(pool(alice()), SignInInput::passwordless("alice", flow));
    h.answer(Answer::FirstFactor(FirstFactor::PasswordSrp))
        .unwrap();
    h.answer(Answer::Password(PASSWORD.into())).unwrap();
    let ops = h.peer.requests();
    assert_eq!(ops[1].body["ChallengeResponses"]["ANSWER"], "PASSWORD_SRP");
    assert_eq!(ops[2].body["ChallengeName"], "PASSWORD_VERIFIER");
    h.done();
}

#[test]
fn user_auth_with_preferred_password_srp_skips_selection() {
    let flow = SignInFlow::UserAuth {
        preferred: Some(FirstFactor::PasswordSrp),
    };
    let mut h = Harness::start(
        pool(alice()),
        SignInInput::new("alice", PASSWORD).with_flow(flow),
    );
    assert_eq!(
        h.peer.requests()[0].body["AuthParameters"]["PREFERRED_CHALLENGE"],
        "PASSWORD_SRP"
    );
    h.done();
}

#[test]
fn password_reset_required_ends_with_reset_password_step() {
    let h = Harness::start(
        pool(alice().with_password_reset_required()),
        SignInInput::new("alice", PASSWORD),
    );
    assert_eq!(
        h.step(),
        &SignInStep::ResetPassword {
            username: "alice".into()
        }
    );
}

#[test]
fn unconfirmed_user_ends_with_confirm_sign_up_step() {
    let input = SignInInput::new("alice", PASSWORD).with_flow(SignInFlow::UserPasswordAuth);
    let h = Harness::start(pool(alice().unconfirmed()), input);
    assert_eq!(
        h.step(),
        &SignInStep::ConfirmSignUp {
            username: "alice".into()
        }
    );
}

#[test]
fn new_device_is_confirmed_and_remembered_after_tokens() {
    let scenario = pool(alice()).with_device_tracking(true);
    let options = DeviceOptions {
        device_name: Some("laptop".into()),
        remember: Some(true),
    };
    let mut h = Harness::start(
        scenario,
        SignInInput::new("alice", PASSWORD).with_device_options(options),
    );
    let outcome = h.done();
    assert_eq!(
        h.peer.operations()[2..],
        ["ConfirmDevice", "UpdateDeviceStatus"]
    );
    assert_eq!(h.peer.requests()[2].body["DeviceName"], "laptop");
    assert_eq!(
        h.peer.requests()[3].body["DeviceRememberedStatus"],
        "remembered"
    );
    let device = outcome.new_device.expect("a new device");
    assert!(device.device_key.starts_with("us-east-1_dev"));
    assert!(!format!("{device:?}").contains(device.random_password.expose()));
}

#[test]
fn remembered_device_runs_device_srp_and_skips_mfa() {
    // First sign-in: ConfirmDevice registers the verifier with the peer.
    let scenario = pool(alice().with_mfa(Mfa::Totp)).with_device_tracking(false);
    let config = scenario.config();
    let mut peer = ScriptedPeer::new(scenario);
    let mut rng = StdRng::seed_from_u64(9);
    let mut first =
        SignIn::new(&config, SignInInput::new("alice", PASSWORD), &mut rng, t0()).unwrap();
    peer.drive(&mut first, t0()).unwrap();
    first
        .confirm(code(TOTP_CODE), &ConfirmOptions::default(), &mut rng, t0())
        .unwrap();
    peer.drive(&mut first, t0()).unwrap();
    let device = first.take_outcome().unwrap().new_device.expect("device");
    // Second sign-in with the device: DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER, no MFA.
    let before = peer.requests().len();
    let input = SignInInput::new("alice", PASSWORD).with_device(device.clone());
    let mut second = SignIn::new(&config, input, &mut rng, t0()).unwrap();
    peer.drive(&mut second, t0()).unwrap();
    let names: Vec<_> = peer.requests()[before..]
        .iter()
        .map(|r| r.body["ChallengeName"].clone())
        .collect();
    assert_eq!(
        names,
        [
            serde_json::Value::Null,
            "PASSWORD_VERIFIER".into(),
            "DEVICE_SRP_AUTH".into(),
            "DEVICE_PASSWORD_VERIFIER".into()
        ]
    );
    for r in &peer.requests()[before..] {
        let key = r
            .body
            .get("AuthParameters")
            .or(r.body.get("ChallengeResponses"))
            .unwrap()["DEVICE_KEY"]
            .clone();
        assert_eq!(key, serde_json::Value::from(device.device_key.clone()));
    }
    let outcome = second.take_outcome().expect("done without MFA");
    assert!(outcome.new_device.is_none() && !outcome.forget_stored_device);
}

#[test]
fn wrong_device_password_fails_device_password_verifier() {
    let device = DeviceMetadata {
        device_key: "us-east-1_d1".into(),
        device_group_key: "-g1".into(),
        random_password: "right".into(),
    };
    let scenario = pool(alice().with_device(device.clone()));
    let config = scenario.config();
    let mut peer = ScriptedPeer::new(scenario);
    let mut rng = StdRng::seed_from_u64(5);
    let wrong = DeviceMetadata {
        random_password: "wrong".into(),
        ..device
    };
    let mut sign_in = SignIn::new(
        &config,
        SignInInput::new("alice", PASSWORD).with_device(wrong),
        &mut rng,
        t0(),
    )
    .unwrap();
    let error = peer.drive(&mut sign_in, t0()).unwrap_err();
    assert_eq!(error.service_kind(), Some(&ErrorKind::NotAuthorized));
}

#[test]
fn device_does_not_exist_clears_the_device_and_retries_once() {
    let unknown = DeviceMetadata {
        device_key: "us-east-1_gone".into(),
        device_group_key: "-g".into(),
        random_password: "p".into(),
    };
    let input = SignInInput::new("alice", PASSWORD).with_device(unknown);
    let mut h = Harness::start(pool(alice()), input);
    let outcome = h.done();
    assert!(outcome.forget_stored_device);
    let reqs = h.peer.requests();
    assert_eq!(reqs.len(), 3);
    assert_eq!(
        reqs[0].body["AuthParameters"]["DEVICE_KEY"],
        "us-east-1_gone"
    );
    assert!(reqs[1].body["AuthParameters"].get("DEVICE_KEY").is_none());
    assert_eq!(
        reqs[0].body["AuthParameters"]["SRP_A"],
        reqs[1].body["AuthParameters"]["SRP_A"]
    );
}

#[test]
fn device_does_not_exist_twice_is_an_error() {
    let unknown = DeviceMetadata {
        device_key: "us-east-1_gone".into(),
        device_group_key: "-g".into(),
        random_password: "p".into(),
    };
    let fault = FaultResponse::error("ResourceNotFoundException", "Device does not exist.");
    let scenario = pool(alice()).with_fault(Some("InitiateAuth"), 1, fault);
    let config = scenario.config();
    let mut peer = ScriptedPeer::new(scenario);
    let mut rng = StdRng::seed_from_u64(5);
    let mut sign_in = SignIn::new(
        &config,
        SignInInput::new("alice", PASSWORD).with_device(unknown),
        &mut rng,
        t0(),
    )
    .unwrap();
    let error = peer.drive(&mut sign_in, t0()).unwrap_err();
    assert_eq!(error.service_kind(), Some(&ErrorKind::ResourceNotFound));
    assert_eq!(peer.requests().len(), 2);
}

#[test]
fn passkey_hook_answers_web_authn_inside_the_machine() {
    let user = alice()
        .with_first_factors(vec![FirstFactor::WebAuthn])
        .with_passkey(r#"{"id":"cred"}"#);
    let flow = SignInFlow::UserAuth { preferred: None };
    let mut h = Harness::start(pool(user), SignInInput::passwordless("alice", flow));
    h.answer(Answer::FirstFactor(FirstFactor::WebAuthn))
        .unwrap();
    assert!(h.sign_in.step().is_none(), "WEB_AUTHN is not a step");
    let request = h.sign_in.passkey_request().expect("the hook");
    assert!(request.credential_request_options.contains("rpId"));
    h.sign_in
        .provide_passkey_credential(r#"{"id":"cred"}"#, h.now)
        .unwrap();
    h.drive().unwrap();
    assert_eq!(
        h.last_body()["ChallengeResponses"]["CREDENTIAL"],
        r#"{"id":"cred"}"#
    );
    h.done();
}

#[test]
fn wrong_code_keeps_the_step_and_the_session() {
    let mut h = Harness::start(
        pool(alice().with_mfa(Mfa::Totp)),
        SignInInput::new("alice", PASSWORD),
    );
    let error = h.answer(code("999999")).unwrap_err();
    assert_eq!(error.service_kind(), Some(&ErrorKind::CodeMismatch));
    assert_eq!(error.recovery(), Recovery::Retry);
    assert_eq!(h.step(), &SignInStep::ConfirmWithTotpCode);
    let failed_session = h.last_body()["Session"].clone();
    h.answer(code(TOTP_CODE)).unwrap();
    assert_eq!(
        h.last_body()["Session"],
        failed_session,
        "Cognito keeps the session after a wrong code"
    );
    h.done();
}

#[test]
fn three_wrong_codes_end_the_sign_in() {
    let mut h = Harness::start(
        pool(alice().with_mfa(Mfa::Sms)),
        SignInInput::new("alice", PASSWORD),
    );
    h.answer(code("1")).unwrap_err();
    h.answer(code("2")).unwrap_err();
    let error = h.answer(code("3")).unwrap_err();
    assert_eq!(error.service_kind(), Some(&ErrorKind::NotAuthorized));
    assert_eq!(error.recovery(), Recovery::StartOver);
    assert!(h.sign_in.step().is_none());
}

#[test]
fn confirm_after_three_minutes_is_session_expired_and_sends_nothing() {
    let mut h = Harness::start(
        pool(alice().with_mfa(Mfa::Totp)),
        SignInInput::new("alice", PASSWORD),
    );
    h.now += Duration::from_secs(181);
    let error = h
        .sign_in
        .confirm(
            code(TOTP_CODE),
            &ConfirmOptions::default(),
            &mut h.rng,
            h.now,
        )
        .unwrap_err();
    assert_eq!(error.cause(), &Cause::SessionExpired);
    assert!(!error.may_retry());
    assert!(h.sign_in.poll_request().is_none());
}

#[test]
fn answer_that_does_not_fit_the_step_leaves_it_unchanged() {
    let mut h = Harness::start(
        pool(alice().with_mfa(Mfa::Totp)),
        SignInInput::new("alice", PASSWORD),
    );
    let error = h
        .sign_in
        .confirm(
            Answer::Mfa(MfaType::Sms),
            &ConfirmOptions::default(),
            &mut h.rng,
            h.now,
        )
        .unwrap_err();
    assert!(matches!(
        error.cause(),
        Cause::UnexpectedInput {
            expected: "a code",
            ..
        }
    ));
    assert_eq!(error.recovery(), Recovery::Retry);
    assert_eq!(h.step(), &SignInStep::ConfirmWithTotpCode);
    assert!(h.sign_in.poll_request().is_none());
}

#[test]
fn sign_in_rejects_a_response_when_nothing_is_in_flight() {
    let mut h = Harness::start(
        pool(alice().with_mfa(Mfa::Totp)),
        SignInInput::new("alice", PASSWORD),
    );
    let replay = http::Response::new(r#"{"AuthenticationResult":{"AccessToken":"x.y.z"}}"#);
    let error = h.sign_in.handle_response(replay, h.now).unwrap_err();
    assert!(matches!(error.cause(), Cause::UnexpectedResponse { .. }));
    assert_eq!(h.step(), &SignInStep::ConfirmWithTotpCode);
}

#[test]
fn sign_in_rejects_challenge_with_stale_session() {
    // The peer refuses a session that was already answered; the machine never reuses one, so
    // the stale request is replayed by hand.
    let mut h = Harness::start(
        pool(alice().with_mfa(Mfa::Totp)),
        SignInInput::new("alice", PASSWORD),
    );
    let stale = h.peer.requests()[1].clone();
    let mut request = http::Request::new(serde_json::to_vec(&stale.body).unwrap());
    request.headers_mut().insert(
        "x-amz-target",
        "AWSCognitoIdentityProviderService.RespondToAuthChallenge"
            .parse()
            .unwrap(),
    );
    let response = h.peer.handle(&request, h.now);
    assert_eq!(response.status(), 400);
    assert!(String::from_utf8_lossy(response.body()).contains("Invalid session"));
}

#[test]
fn empty_initiate_auth_result_is_a_typed_error() {
    let scenario = pool(alice()).with_fault(Some("InitiateAuth"), 0, FaultResponse::EmptyObject);
    let config = scenario.config();
    let mut peer = ScriptedPeer::new(scenario);
    let mut rng = StdRng::seed_from_u64(1);
    let mut sign_in = SignIn::new(
        &config,
        SignInInput::passwordless("alice", SignInFlow::CustomWithoutSrp),
        &mut rng,
        t0(),
    )
    .unwrap();
    let error = peer.drive(&mut sign_in, t0()).unwrap_err();
    assert_eq!(error.cause(), &Cause::EmptyResult);
    assert_eq!(error.recovery(), Recovery::StartOver);
}

#[test]
fn password_verifier_in_a_flow_without_srp_is_unsupported() {
    let config = Scenario::new().config();
    let mut rng = StdRng::seed_from_u64(1);
    let input = SignInInput::new("alice", PASSWORD).with_flow(SignInFlow::UserPasswordAuth);
    let mut sign_in = SignIn::new(&config, input, &mut rng, t0()).unwrap();
    let _ = sign_in.poll_request();
    let body = r#"{"ChallengeName":"PASSWORD_VERIFIER","Session":"s","ChallengeParameters":{"SALT":"ab","SRP_B":"cd","SECRET_BLOCK":"AA=="}}"#;
    let error = sign_in
        .handle_response(http::Response::new(body), t0())
        .unwrap_err();
    assert!(matches!(error.cause(), Cause::UnsupportedChallenge(_)));
}

#[test]
fn throttled_initiate_auth_can_be_resent() {
    let fault = FaultResponse::error("TooManyRequestsException", "Rate exceeded");
    let scenario = pool(alice()).with_fault(Some("InitiateAuth"), 0, fault);
    let config = scenario.config();
    let mut peer = ScriptedPeer::new(scenario);
    let mut rng = StdRng::seed_from_u64(1);
    let mut sign_in =
        SignIn::new(&config, SignInInput::new("alice", PASSWORD), &mut rng, t0()).unwrap();
    let error = peer.drive(&mut sign_in, t0()).unwrap_err();
    assert_eq!(error.recovery(), Recovery::Resend);
    assert!(sign_in.poll_request().is_none());
    sign_in.resend().unwrap();
    peer.drive(&mut sign_in, t0()).unwrap();
    assert!(sign_in.take_outcome().is_some());
}

#[test]
fn html_503_during_an_answer_returns_to_the_step() {
    let scenario = pool(alice().with_mfa(Mfa::Totp)).with_fault(
        Some("RespondToAuthChallenge"),
        1,
        FaultResponse::Html503,
    );
    let mut h = Harness::start(scenario, SignInInput::new("alice", PASSWORD));
    let error = h.answer(code(TOTP_CODE)).unwrap_err();
    assert!(matches!(error.cause(), Cause::MalformedResponse(_)));
    assert_eq!(error.recovery(), Recovery::Retry);
    h.answer(code(TOTP_CODE)).unwrap();
    h.done();
}

#[test]
fn pending_sign_in_survives_a_restart() {
    let scenario = pool(alice().with_mfa(Mfa::Totp));
    let config = scenario.config();
    let mut h = Harness::start(scenario, SignInInput::new("alice", PASSWORD));
    let saved = serde_json::to_string(&h.sign_in.snapshot().unwrap()).unwrap();
    assert!(!format!("{:?}", h.sign_in.snapshot().unwrap()).contains("session-"));
    let pending = serde_json::from_str(&saved).unwrap();
    let later = h.now + Duration::from_secs(60);
    let mut restored = SignIn::restore(&config, pending, None, &mut h.rng, later).unwrap();
    restored
        .confirm(
            code(TOTP_CODE),
            &ConfirmOptions::default(),
            &mut h.rng,
            later,
        )
        .unwrap();
    h.peer.drive(&mut restored, later).unwrap();
    assert!(restored.take_outcome().is_some());
    // Too late: the snapshot is refused.
    let pending = serde_json::from_str(&saved).unwrap();
    let error = SignIn::restore(
        &config,
        pending,
        None,
        &mut h.rng,
        h.now + Duration::from_secs(200),
    )
    .unwrap_err();
    assert_eq!(error.cause(), &Cause::SessionExpired);
}

#[test]
fn secret_hash_goes_on_every_request_and_uses_the_active_username() {
    let user = alice().with_alias("alice@example.com").with_mfa(Mfa::Sms);
    let scenario = pool(user).with_client_secret("s3cret");
    let mut h = Harness::start(scenario, SignInInput::new("alice@example.com", PASSWORD));
    h.answer(code(SMS_CODE)).unwrap();
    let outcome = h.done();
    assert_eq!(
        outcome.tokens.username, "alice",
        "the active username, not the alias"
    );
    for r in h.peer.requests() {
        let params = r
            .body
            .get("AuthParameters")
            .or(r.body.get("ChallengeResponses"))
            .unwrap();
        assert!(params.get("SECRET_HASH").is_some(), "{}", r.operation);
    }
    assert_eq!(h.last_body()["ChallengeResponses"]["USERNAME"], "alice");
    assert_eq!(h.sign_in.username(), "alice");
}

#[test]
fn client_metadata_goes_on_every_initiate_and_respond() {
    let metadata = BTreeMap::from([("source".to_owned(), "test".to_owned())]);
    let input = SignInInput::new("alice", PASSWORD).with_client_metadata(metadata);
    let mut h = Harness::start(pool(alice().with_mfa(Mfa::Totp)), input);
    h.answer(code(TOTP_CODE)).unwrap();
    for r in h.peer.requests() {
        assert_eq!(
            r.body["ClientMetadata"]["source"], "test",
            "{}",
            r.operation
        );
    }
}

#[test]
fn debug_output_never_shows_secrets() {
    let user = alice().with_mfa(Mfa::Setup(vec![MfaType::Totp]));
    let h = Harness::start(pool(user), SignInInput::new("alice", PASSWORD));
    let shown = format!("{:?} {:?}", h.sign_in, h.sign_in.snapshot());
    for secret in [PASSWORD, TOTP_SECRET, "session-"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

#[test]
fn answer_delivered_after_the_session_expired_is_refused_and_ends_the_sign_in() {
    // The answer left in time, but reached Cognito after 3 minutes: Cognito refuses the stale
    // session and the machine ends the sign-in with a typed error.
    let mut h = Harness::start(
        pool(alice().with_mfa(Mfa::Totp)),
        SignInInput::new("alice", PASSWORD),
    );
    h.sign_in
        .confirm(
            code(TOTP_CODE),
            &ConfirmOptions::default(),
            &mut h.rng,
            h.now,
        )
        .unwrap();
    h.now += Duration::from_secs(200);
    let error = h.drive().unwrap_err();
    assert_eq!(error.service_kind(), Some(&ErrorKind::NotAuthorized));
    assert_eq!(error.recovery(), Recovery::StartOver);
    assert!(h.sign_in.step().is_none() && h.sign_in.failure().is_some());
    assert_eq!(h.peer.tokens_issued(), 0);
}
