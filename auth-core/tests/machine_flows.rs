//! Scripted tests of the sign-up, reset-password and session machines against the scripted
//! peer.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use auth_core::machine::reset_password::{ResetPassword, ResetPasswordStep};
use auth_core::machine::session::{
    RefreshMethod, Session, SessionOptions, SessionStep, TokenAction, classify,
};
use auth_core::machine::sign_in::{SignIn, SignInInput, SignInStep};
use auth_core::machine::sign_up::{SignUp, SignUpInput, SignUpStep};
use auth_core::machine::{Cause, Machine as _, Recovery};
use auth_core::test_util::{CONFIRMATION_CODE, FaultResponse, Scenario, ScriptedPeer, UserSpec};
use auth_core::tokens::AuthTokens;
use auth_core::wire::{self, AttributeType, ErrorKind};
use rand::SeedableRng;
use rand::rngs::StdRng;

const PASSWORD: &str = "Flows-passw0rd";

fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

fn metadata() -> BTreeMap<String, String> {
    BTreeMap::from([("app".to_owned(), "tests".to_owned())])
}

fn sign_up_input(auto_sign_in: bool) -> SignUpInput {
    SignUpInput {
        username: "bob".into(),
        password: Some(PASSWORD.into()),
        attributes: vec![AttributeType::new("email", "bob@example.com")],
        validation_data: vec![AttributeType::new("invite", "abc")],
        client_metadata: metadata(),
        auto_sign_in,
    }
}

#[test]
fn sign_up_confirm_and_auto_sign_in_reuse_the_session() {
    let scenario = Scenario::new().with_client_secret("shh");
    let config = scenario.config();
    let mut peer = ScriptedPeer::new(scenario);
    let mut sign_up = SignUp::new(&config, sign_up_input(true), t0()).unwrap();
    peer.drive(&mut sign_up, t0()).unwrap();
    let Some(SignUpStep::ConfirmSignUp { delivery }) = sign_up.step() else {
        panic!()
    };
    assert_eq!(
        delivery.as_ref().unwrap().destination.as_deref(),
        Some("a***@e***")
    );
    let body = &peer.requests()[0].body;
    assert_eq!(body["ValidationData"][0]["Name"], "invite");
    assert_eq!(body["ClientMetadata"]["app"], "tests");
    assert!(body["SecretHash"].is_string());

    // A wrong code keeps the step; a resend too.
    let error = sign_up
        .confirm("000000", None, t0())
        .and_then(|()| peer.drive(&mut sign_up, t0()))
        .unwrap_err();
    assert_eq!(error.service_kind(), Some(&ErrorKind::CodeMismatch));
    assert_eq!(error.recovery(), Recovery::Retry);
    sign_up.resend_code(None).unwrap();
    peer.drive(&mut sign_up, t0()).unwrap();
    assert!(matches!(
        sign_up.step(),
        Some(SignUpStep::ConfirmSignUp { .. })
    ));

    sign_up.confirm(CONFIRMATION_CODE, None, t0()).unwrap();
    peer.drive(&mut sign_up, t0()).unwrap();
    assert_eq!(sign_up.step(), Some(&SignUpStep::CompleteAutoSignIn));
    for r in peer.requests() {
        assert_eq!(r.body["ClientMetadata"]["app"], "tests", "{}", r.operation);
    }

    let input = sign_up.auto_sign_in().expect("auto sign-in");
    let mut rng = StdRng::seed_from_u64(1);
    let mut sign_in = SignIn::new(&config, input, &mut rng, t0()).unwrap();
    peer.drive(&mut sign_in, t0()).unwrap();
    let initiate = &peer.requests().last().unwrap().body;
    assert_eq!(initiate["AuthFlow"], "USER_AUTH");
    assert!(
        initiate["Session"]
            .as_str()
            .unwrap()
            .starts_with("signup-session-")
    );
    assert!(matches!(sign_in.step(), Some(SignInStep::Done(_))));
}

#[test]
fn sign_up_without_auto_sign_in_is_done_after_confirmation() {
    let scenario = Scenario::new();
    let config = scenario.config();
    let mut peer = ScriptedPeer::new(scenario);
    let mut sign_up = SignUp::new(&config, sign_up_input(false), t0()).unwrap();
    peer.drive(&mut sign_up, t0()).unwrap();
    assert_eq!(sign_up.user_sub(), Some("sub-bob"));
    sign_up.confirm(CONFIRMATION_CODE, None, t0()).unwrap();
    peer.drive(&mut sign_up, t0()).unwrap();
    assert_eq!(sign_up.step(), Some(&SignUpStep::Done));
    assert!(sign_up.auto_sign_in().is_none());
    // Over: further commands are refused, nothing is sent.
    assert!(sign_up.confirm("1", None, t0()).is_err());
    assert!(sign_up.poll_request().is_none());
}

#[test]
fn sign_up_of_an_existing_user_fails_for_good() {
    let scenario = Scenario::new().with_user(UserSpec::new("bob", PASSWORD));
    let config = scenario.config();
    let mut peer = ScriptedPeer::new(scenario);
    let mut sign_up = SignUp::new(&config, sign_up_input(false), t0()).unwrap();
    let error = peer.drive(&mut sign_up, t0()).unwrap_err();
    assert_eq!(error.service_kind(), Some(&ErrorKind::UsernameExists));
    assert_eq!(error.recovery(), Recovery::StartOver);
    assert!(sign_up.failure().is_some());
    assert!(!format!("{sign_up:?} {:?}", sign_up_input(false)).contains(PASSWORD));
}

#[test]
fn reset_password_with_code_then_sign_in_with_the_new_password() {
    let scenario =
        Scenario::new().with_user(UserSpec::new("carol", PASSWORD).with_password_reset_required());
    let config = scenario.config();
    let mut peer = ScriptedPeer::new(scenario);
    let mut reset = ResetPassword::new(&config, "carol", metadata(), t0()).unwrap();
    peer.drive(&mut reset, t0()).unwrap();
    assert!(matches!(
        reset.step(),
        Some(ResetPasswordStep::ConfirmWithCode { delivery: Some(_) })
    ));
    let weak = reset
        .confirm(CONFIRMATION_CODE, "short", None, t0())
        .and_then(|()| peer.drive(&mut reset, t0()));
    assert_eq!(weak.unwrap_err().recovery(), Recovery::Retry);
    let wrong = reset
        .confirm("000000", "L0nger-passw0rd", None, t0())
        .and_then(|()| peer.drive(&mut reset, t0()));
    assert_eq!(
        wrong.unwrap_err().service_kind(),
        Some(&ErrorKind::CodeMismatch)
    );
    reset.resend_code(None).unwrap();
    peer.drive(&mut reset, t0()).unwrap();
    reset
        .confirm(CONFIRMATION_CODE, "L0nger-passw0rd", None, t0())
        .unwrap();
    peer.drive(&mut reset, t0()).unwrap();
    assert_eq!(reset.step(), Some(&ResetPasswordStep::Done));
    for r in peer.requests() {
        assert_eq!(r.body["ClientMetadata"]["app"], "tests");
    }
    let mut rng = StdRng::seed_from_u64(2);
    let mut sign_in = SignIn::new(
        &config,
        SignInInput::new("carol", "L0nger-passw0rd"),
        &mut rng,
        t0(),
    )
    .unwrap();
    peer.drive(&mut sign_in, t0()).unwrap();
    assert!(matches!(sign_in.step(), Some(SignInStep::Done(_))));
}

fn signed_in(scenario: Scenario) -> (ScriptedPeer, AuthTokens, auth_core::config::UserPoolConfig) {
    let config = scenario.config();
    let mut peer = ScriptedPeer::new(scenario);
    let mut rng = StdRng::seed_from_u64(3);
    let mut sign_in =
        SignIn::new(&config, SignInInput::new("dave", PASSWORD), &mut rng, t0()).unwrap();
    peer.drive(&mut sign_in, t0()).unwrap();
    (peer, sign_in.take_outcome().unwrap().tokens, config)
}

fn dave() -> Scenario {
    Scenario::new().with_user(UserSpec::new("dave", PASSWORD))
}

#[test]
fn session_needs_a_refresh_by_the_expiry_rule() {
    let (_, tokens, config) = signed_in(dave());
    let session = Session::new(&config, tokens, SessionOptions::default());
    // exp = iat + 3600; expired when now + drift + 5 s > exp.
    assert!(!session.needs_refresh(t0() + Duration::from_secs(3594)));
    assert!(session.needs_refresh(t0() + Duration::from_secs(3596)));
}

#[test]
fn session_refresh_rotates_the_refresh_token_and_sends_device_key_and_metadata() {
    let (mut peer, tokens, config) = signed_in(dave());
    let options = SessionOptions {
        method: RefreshMethod::GetTokensFromRefreshToken,
        device_key: Some("us-east-1_dev".into()),
        client_metadata: metadata(),
    };
    let old = tokens.refresh_token.clone();
    let mut session = Session::new(&config, tokens, options);
    let later = t0() + Duration::from_secs(3600);
    session.refresh(later).unwrap();
    assert!(session.refresh(later).is_err(), "one refresh in flight");
    peer.drive(&mut session, later).unwrap();
    assert_eq!(
        session.step(),
        Some(&SessionStep::Refreshed { rotated: true })
    );
    let body = &peer.requests().last().unwrap().body;
    assert_eq!(body["DeviceKey"], "us-east-1_dev");
    assert_eq!(body["ClientMetadata"]["app"], "tests");
    let new = session.tokens().unwrap();
    assert_ne!(new.refresh_token, old);
    assert!(!session.needs_refresh(later));
    assert_eq!(new.username, "dave");

    // Reusing the spent token: definitive, the tokens are cleared.
    let mut stale = Session::new(
        &config,
        new.clone().with_refresh_token(old.unwrap()),
        SessionOptions::default(),
    );
    stale.refresh(later).unwrap();
    let error = peer.drive(&mut stale, later).unwrap_err();
    assert_eq!(error.service_kind(), Some(&ErrorKind::NotAuthorized));
    assert!(stale.tokens().is_none());
    assert!(matches!(
        stale.step(),
        Some(SessionStep::Failed {
            action: TokenAction::ClearTokens,
            ..
        })
    ));
}

#[test]
fn session_refresh_token_auth_keeps_the_refresh_token() {
    let (mut peer, tokens, config) = signed_in(dave().with_client_secret("shh"));
    let options = SessionOptions {
        method: RefreshMethod::RefreshTokenAuth,
        ..Default::default()
    };
    let old = tokens.refresh_token.clone();
    let mut session = Session::new(&config, tokens, options);
    session.refresh(t0()).unwrap();
    peer.drive(&mut session, t0()).unwrap();
    assert_eq!(
        session.step(),
        Some(&SessionStep::Refreshed { rotated: false })
    );
    assert_eq!(session.tokens().unwrap().refresh_token, old);
    let body = &peer.requests().last().unwrap().body;
    assert_eq!(body["AuthFlow"], "REFRESH_TOKEN_AUTH");
    assert!(body["AuthParameters"]["SECRET_HASH"].is_string());
}

#[test]
fn session_keeps_tokens_on_transient_failures() {
    for fault in [
        FaultResponse::error("TooManyRequestsException", "slow down"),
        FaultResponse::Html503,
        FaultResponse::EmptyObject,
    ] {
        let (mut peer, tokens, config) = signed_in(dave());
        let mut session = Session::new(&config, tokens, SessionOptions::default());
        session.refresh(t0()).unwrap();
        peer.fail_next(fault.clone());
        let error = peer.drive(&mut session, t0()).unwrap_err();
        assert_eq!(error.recovery(), Recovery::Resend, "{fault:?}");
        assert!(session.tokens().is_some(), "{fault:?}");
        assert!(matches!(
            session.step(),
            Some(SessionStep::Failed {
                action: TokenAction::KeepTokens,
                ..
            })
        ));
    }
    // No response at all (offline).
    let (mut peer, tokens, config) = signed_in(dave());
    let mut session = Session::new(&config, tokens, SessionOptions::default());
    session.refresh(t0()).unwrap();
    let first = session.poll_request().expect("the refresh request");
    assert_eq!(session.transport_failed(t0()).unwrap(), Recovery::Resend);
    assert!(session.tokens().is_some());
    assert!(
        session.poll_request().is_none(),
        "nothing is sent until resend"
    );
    // The same refresh goes again and succeeds against the peer.
    session.resend().unwrap();
    let again = session.poll_request().expect("the refresh again");
    assert_eq!(again.body(), first.body());
    let response = peer.handle(&again, t0());
    session.handle_response(response, t0()).unwrap();
    assert!(matches!(
        session.step(),
        Some(SessionStep::Refreshed { .. })
    ));
    // Nothing is left to resend after a response.
    assert!(session.resend().is_err());
}

#[test]
fn refresh_failures_are_classified_exactly_as_section_3_says() {
    let clear = [
        "NotAuthorizedException",
        "TokenRevokedException",
        "UserNotFoundException",
        "PasswordResetRequiredException",
        "UserNotConfirmedException",
        "RefreshTokenReuseException",
    ];
    let keep = [
        "TooManyRequestsException",
        "InternalErrorException",
        "LimitExceededException",
        "InvalidParameterException",
        "ResourceNotFoundException",
        "SomethingNewException",
    ];
    let decode = |code: &str| {
        let body = format!(r#"{{"__type":"{code}","message":"m"}}"#);
        let response = http::Response::builder().status(400).body(body).unwrap();
        wire::decode::<wire::GetTokensFromRefreshToken, _>(response).unwrap_err()
    };
    for code in clear {
        assert_eq!(classify(&decode(code)), TokenAction::ClearTokens, "{code}");
    }
    for code in keep {
        assert_eq!(classify(&decode(code)), TokenAction::KeepTokens, "{code}");
    }
}

#[test]
fn session_refuses_a_response_without_a_refresh_in_flight() {
    let (_, tokens, config) = signed_in(dave());
    let mut session = Session::new(&config, tokens, SessionOptions::default());
    let error = session
        .handle_response(http::Response::new("{}"), t0())
        .unwrap_err();
    assert!(matches!(error.cause(), Cause::UnexpectedResponse { .. }));
    assert!(session.tokens().is_some());
    assert!(!format!("{session:?}").contains("refresh-"));
}
