//! A request that gets no response, for every machine through the one `Machine` trait: the
//! machine settles where the flow can go on (back at the user's step, or holding the request
//! for a resend), keeps what the user holds, and the flow then finishes against the peer.

use std::time::{Duration, SystemTime};

use auth_core::machine::reset_password::{ResetPassword, ResetPasswordStep};
use auth_core::machine::session::{Session, SessionOptions};
use auth_core::machine::sign_in::{Answer, ConfirmOptions, SignIn, SignInInput, SignInStep};
use auth_core::machine::sign_up::{SignUp, SignUpInput, SignUpStep};
use auth_core::machine::{Cause, Machine, Recovery};
use auth_core::test_util::{CONFIRMATION_CODE, Mfa, Scenario, ScriptedPeer, TOTP_CODE, UserSpec};
use rand::SeedableRng;
use rand::rngs::StdRng;

const PASSWORD: &str = "Transp0rt-passw0rd";

fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

/// Takes the queued request and reports that no response came; returns the request too.
fn lose<M: Machine>(machine: &mut M) -> (http::Request<Vec<u8>>, Recovery) {
    let request = machine.poll_request().expect("a queued request");
    let recovery = machine
        .transport_failed(t0())
        .expect("a request was in flight");
    (request, recovery)
}

/// `transport_failed` with nothing in flight is refused and changes nothing.
fn refused_without_request<M: Machine>(machine: &mut M)
where
    M::Step: Clone + std::fmt::Debug + PartialEq,
{
    let before = machine.step().cloned();
    let error = machine.transport_failed(t0()).unwrap_err();
    assert!(
        matches!(error.cause(), Cause::UnexpectedResponse { .. }),
        "{error:?}"
    );
    assert_eq!(machine.step().cloned(), before);
    assert!(machine.poll_request().is_none());
}

fn totp_user() -> (ScriptedPeer, auth_core::config::UserPoolConfig) {
    let scenario = Scenario::new().with_user(UserSpec::new("alice", PASSWORD).with_mfa(Mfa::Totp));
    let config = scenario.config();
    (ScriptedPeer::new(scenario), config)
}

#[test]
fn sign_in_whose_first_request_got_no_response_sends_it_again() {
    let (mut peer, config) = totp_user();
    let mut rng = StdRng::seed_from_u64(7);
    let input = SignInInput::new("alice", PASSWORD);
    let mut sign_in = SignIn::new(&config, input, &mut rng, t0()).unwrap();
    let (lost, recovery) = lose(&mut sign_in);
    assert_eq!(recovery, Recovery::Resend);
    assert!(sign_in.step().is_none());
    assert!(
        sign_in.poll_request().is_none(),
        "nothing goes until resend"
    );
    sign_in.resend().unwrap();
    let again = sign_in.poll_request().unwrap();
    assert_eq!(again.body(), lost.body(), "the same InitiateAuth");
    let response = peer.handle(&again, t0());
    sign_in.handle_response(response, t0()).unwrap();
    peer.drive(&mut sign_in, t0()).unwrap();
    assert_eq!(sign_in.step(), Some(&SignInStep::ConfirmWithTotpCode));
    assert_eq!(peer.operations()[0], "InitiateAuth");
    refused_without_request(&mut sign_in);
}

#[test]
fn sign_in_answer_that_got_no_response_goes_back_to_its_step() {
    let (mut peer, config) = totp_user();
    let mut rng = StdRng::seed_from_u64(8);
    let input = SignInInput::new("alice", PASSWORD);
    let mut sign_in = SignIn::new(&config, input, &mut rng, t0()).unwrap();
    peer.drive(&mut sign_in, t0()).unwrap();
    assert_eq!(sign_in.step(), Some(&SignInStep::ConfirmWithTotpCode));
    let answer = || Answer::Code(TOTP_CODE.into());
    let options = ConfirmOptions::default();
    sign_in.confirm(answer(), &options, &mut rng, t0()).unwrap();
    let sent_before = peer.requests().len();
    let (_, recovery) = lose(&mut sign_in);
    assert_eq!(recovery, Recovery::Retry);
    assert_eq!(sign_in.step(), Some(&SignInStep::ConfirmWithTotpCode));
    assert!(
        sign_in.resend().is_err(),
        "an answer is given again, not resent"
    );
    assert!(sign_in.snapshot().is_some(), "the step can still be saved");
    // The same answer, given again, signs in.
    sign_in.confirm(answer(), &options, &mut rng, t0()).unwrap();
    peer.drive(&mut sign_in, t0()).unwrap();
    assert!(matches!(sign_in.step(), Some(SignInStep::Done(_))));
    assert_eq!(peer.requests().len(), sent_before + 1);
}

fn sign_up_input() -> SignUpInput {
    SignUpInput {
        username: "bob".into(),
        password: Some(PASSWORD.into()),
        attributes: Vec::new(),
        validation_data: Vec::new(),
        client_metadata: Default::default(),
        auto_sign_in: false,
    }
}

#[test]
fn sign_up_resends_its_request_and_goes_back_to_the_code_step() {
    let scenario = Scenario::new();
    let config = scenario.config();
    let mut peer = ScriptedPeer::new(scenario);
    let mut sign_up = SignUp::new(&config, sign_up_input(), t0()).unwrap();
    let (_, recovery) = lose(&mut sign_up);
    assert_eq!(recovery, Recovery::Resend);
    assert!(sign_up.step().is_none());
    sign_up.resend().unwrap();
    peer.drive(&mut sign_up, t0()).unwrap();
    assert!(matches!(
        sign_up.step(),
        Some(SignUpStep::ConfirmSignUp { .. })
    ));
    assert!(
        sign_up.resend().is_err(),
        "nothing to resend after a response"
    );
    refused_without_request(&mut sign_up);

    sign_up.confirm(CONFIRMATION_CODE, None, t0()).unwrap();
    let (_, recovery) = lose(&mut sign_up);
    assert_eq!(recovery, Recovery::Retry);
    assert!(matches!(
        sign_up.step(),
        Some(SignUpStep::ConfirmSignUp { .. })
    ));
    sign_up.confirm(CONFIRMATION_CODE, None, t0()).unwrap();
    peer.drive(&mut sign_up, t0()).unwrap();
    assert_eq!(sign_up.step(), Some(&SignUpStep::Done));
}

#[test]
fn reset_password_resends_its_request_and_goes_back_to_the_code_step() {
    let scenario = Scenario::new().with_user(UserSpec::new("carol", PASSWORD));
    let config = scenario.config();
    let mut peer = ScriptedPeer::new(scenario);
    let mut reset = ResetPassword::new(&config, "carol", Default::default(), t0()).unwrap();
    let (_, recovery) = lose(&mut reset);
    assert_eq!(recovery, Recovery::Resend);
    reset.resend().unwrap();
    peer.drive(&mut reset, t0()).unwrap();
    assert!(matches!(
        reset.step(),
        Some(ResetPasswordStep::ConfirmWithCode { .. })
    ));
    refused_without_request(&mut reset);

    // Finished by another process: nothing carried over but the username.
    let mut reset = ResetPassword::confirm_existing(&config, "carol", Default::default()).unwrap();
    reset
        .confirm(CONFIRMATION_CODE, "N3w-passw0rd!", None, t0())
        .unwrap();
    let (_, recovery) = lose(&mut reset);
    assert_eq!(recovery, Recovery::Retry);
    assert!(matches!(
        reset.step(),
        Some(ResetPasswordStep::ConfirmWithCode { .. })
    ));
    reset
        .confirm(CONFIRMATION_CODE, "N3w-passw0rd!", None, t0())
        .unwrap();
    peer.drive(&mut reset, t0()).unwrap();
    assert_eq!(reset.step(), Some(&ResetPasswordStep::Done));

    // The new password signs in.
    let mut rng = StdRng::seed_from_u64(9);
    let input = SignInInput::new("carol", "N3w-passw0rd!");
    let mut sign_in = SignIn::new(&config, input, &mut rng, t0()).unwrap();
    peer.drive(&mut sign_in, t0()).unwrap();
    assert!(matches!(sign_in.step(), Some(SignInStep::Done(_))));
}

#[test]
fn session_without_a_refresh_in_flight_refuses_a_transport_failure() {
    let (mut peer, config) = totp_user();
    let mut rng = StdRng::seed_from_u64(10);
    let mut sign_in =
        SignIn::new(&config, SignInInput::new("alice", PASSWORD), &mut rng, t0()).unwrap();
    peer.drive(&mut sign_in, t0()).unwrap();
    sign_in
        .confirm(
            Answer::Code(TOTP_CODE.into()),
            &ConfirmOptions::default(),
            &mut rng,
            t0(),
        )
        .unwrap();
    peer.drive(&mut sign_in, t0()).unwrap();
    let tokens = sign_in.take_outcome().unwrap().tokens;
    let mut session = Session::new(&config, tokens, SessionOptions::default());
    let error = session.transport_failed(t0()).unwrap_err();
    assert!(matches!(error.cause(), Cause::UnexpectedResponse { .. }));
    assert!(session.tokens().is_some());
    assert!(session.resend().is_err());
}
