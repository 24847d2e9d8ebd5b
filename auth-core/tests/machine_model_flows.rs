//! Model-based tests of the sign-up, reset-password and session machines
//! (`proptest-state-machine`): a plain reference model per machine, generated sequences of
//! user commands and peer events (faults, stray responses, repeated commands, time passing),
//! the machine compared with the model after every step, invariants checked after every step.
//!
//! Cases: 256 per machine by default, more with `AUTH_PROPTEST_CASES`.

use std::time::{Duration, SystemTime};

use auth_core::config::UserPoolConfig;
use auth_core::machine::Machine as _;
use auth_core::machine::reset_password::{ResetPassword, ResetPasswordStep};
use auth_core::machine::session::{Session, SessionOptions, SessionStep, TokenAction};
use auth_core::machine::sign_in::{SignIn, SignInFlow, SignInInput};
use auth_core::machine::sign_up::{SignUp, SignUpInput, SignUpStep};
use auth_core::test_util::{CONFIRMATION_CODE, FaultResponse, Scenario, ScriptedPeer, UserSpec};
use proptest::prelude::*;
use proptest::test_runner::Config;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};
use rand::SeedableRng;
use rand::rngs::StdRng;

const PASSWORD: &str = "Model-passw0rd";

fn cases() -> u32 {
    std::env::var("AUTH_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Throttle,
    Html503,
    Empty,
}

fn fault_strategy() -> impl Strategy<Value = Fault> {
    prop_oneof![
        Just(Fault::Throttle),
        Just(Fault::Html503),
        Just(Fault::Empty)
    ]
}

fn fault_response(fault: Fault) -> FaultResponse {
    match fault {
        Fault::Throttle => FaultResponse::error("TooManyRequestsException", "Rate exceeded"),
        Fault::Html503 => FaultResponse::Html503,
        Fault::Empty => FaultResponse::EmptyObject,
    }
}

fn weighted<T: std::fmt::Debug + Clone + 'static>(
    options: Vec<(u32, bool, BoxedStrategy<T>)>,
) -> BoxedStrategy<T> {
    let applicable: Vec<(u32, BoxedStrategy<T>)> = options
        .into_iter()
        .filter(|(_, ok, _)| *ok)
        .map(|(w, _, s)| (w, s))
        .collect();
    prop::strategy::Union::new_weighted(applicable).boxed()
}

fn stray() -> http::Response<&'static str> {
    http::Response::new(r#"{"CodeDeliveryDetails":{}}"#)
}

// ---------------------------------------------------------------------------------------------
// Sign-up

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UpSent {
    SignUp,
    Right,
    Wrong,
    Resend,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum UpView {
    InFlight,
    Confirm,
    Auto,
    Done,
    Failed,
}

#[derive(Debug, Clone)]
struct UpModel {
    auto: bool,
    /// Whether the peer has the user (a faulted SignUp never reached it).
    created: bool,
    view: UpView,
    in_flight: Option<UpSent>,
    fault: Option<Fault>,
}

#[derive(Debug, Clone)]
enum UpT {
    Deliver,
    ConfirmRight,
    ConfirmWrong,
    Resend,
    Fault(Fault),
    Stray,
}

struct SignUpModel;

impl ReferenceStateMachine for SignUpModel {
    type State = UpModel;
    type Transition = UpT;

    fn init_state() -> BoxedStrategy<UpModel> {
        any::<bool>()
            .prop_map(|auto| UpModel {
                auto,
                created: false,
                view: UpView::InFlight,
                in_flight: Some(UpSent::SignUp),
                fault: None,
            })
            .boxed()
    }

    fn transitions(s: &UpModel) -> BoxedStrategy<UpT> {
        let at_confirm = s.view == UpView::Confirm;
        weighted(vec![
            (5, s.in_flight.is_some(), Just(UpT::Deliver).boxed()),
            (4, true, Just(UpT::ConfirmRight).boxed()),
            (2, true, Just(UpT::ConfirmWrong).boxed()),
            (2, true, Just(UpT::Resend).boxed()),
            (
                1,
                s.in_flight.is_some() && s.fault.is_none(),
                fault_strategy().prop_map(UpT::Fault).boxed(),
            ),
            (
                1,
                s.in_flight.is_none() || at_confirm,
                Just(UpT::Stray).boxed(),
            ),
        ])
    }

    fn preconditions(s: &UpModel, t: &UpT) -> bool {
        match t {
            UpT::Deliver => s.in_flight.is_some(),
            UpT::Fault(_) => s.in_flight.is_some() && s.fault.is_none(),
            UpT::Stray => s.in_flight.is_none(),
            _ => true,
        }
    }

    fn apply(mut s: UpModel, t: &UpT) -> UpModel {
        let confirmed = if s.auto { UpView::Auto } else { UpView::Done };
        match t {
            UpT::Deliver => {
                let sent = s.in_flight.take().unwrap_or(UpSent::SignUp);
                let fault = s.fault.take();
                if sent == UpSent::SignUp && fault.is_none() {
                    s.created = true;
                }
                s.view = match (sent, fault) {
                    (UpSent::SignUp, Some(Fault::Throttle | Fault::Html503)) => UpView::Failed,
                    // The peer does not know the user: NotAuthorized ends the flow.
                    (UpSent::Right | UpSent::Wrong | UpSent::Resend, None) if !s.created => {
                        UpView::Failed
                    }
                    // `{}`: UserConfirmed is false, the code goes to CONFIRM_SIGN_UP.
                    (UpSent::SignUp, _) => UpView::Confirm,
                    (_, Some(Fault::Throttle | Fault::Html503)) => UpView::Confirm,
                    (UpSent::Right, _) | (UpSent::Wrong, Some(Fault::Empty)) => confirmed,
                    (UpSent::Wrong | UpSent::Resend, _) => UpView::Confirm,
                };
            }
            UpT::ConfirmRight | UpT::ConfirmWrong | UpT::Resend if s.view == UpView::Confirm => {
                s.in_flight = Some(match t {
                    UpT::ConfirmRight => UpSent::Right,
                    UpT::ConfirmWrong => UpSent::Wrong,
                    _ => UpSent::Resend,
                });
                s.view = UpView::InFlight;
            }
            UpT::Fault(f) => s.fault = Some(*f),
            _ => {}
        }
        s
    }
}

struct UpSut {
    peer: ScriptedPeer,
    machine: SignUp,
    config: UserPoolConfig,
}

struct SignUpTest;

impl StateMachineTest for SignUpTest {
    type SystemUnderTest = UpSut;
    type Reference = SignUpModel;

    fn init_test(model: &UpModel) -> UpSut {
        let scenario = Scenario::new();
        let config = scenario.config();
        let input = SignUpInput {
            username: "erin".into(),
            password: Some(PASSWORD.into()),
            auto_sign_in: model.auto,
            ..Default::default()
        };
        let machine = SignUp::new(&config, input, t0()).unwrap();
        UpSut {
            peer: ScriptedPeer::new(scenario),
            machine,
            config,
        }
    }

    fn apply(mut sut: UpSut, model: &UpModel, t: UpT) -> UpSut {
        let before = sut.machine.step().cloned();
        let result = match t {
            UpT::Deliver => {
                let request = sut.machine.poll_request().expect("a request");
                let response = sut.peer.handle(&request, t0());
                sut.machine.handle_response(response, t0())
            }
            UpT::ConfirmRight => sut.machine.confirm(CONFIRMATION_CODE, None, t0()),
            UpT::ConfirmWrong => sut.machine.confirm("000000", None, t0()),
            UpT::Resend => sut.machine.resend_code(None),
            UpT::Fault(f) => {
                sut.peer.fail_next(fault_response(f));
                Ok(())
            }
            UpT::Stray => sut.machine.handle_response(stray(), t0()),
        };
        if result.as_ref().is_err_and(|e| e.may_retry()) && !matches!(t, UpT::Deliver) {
            assert_eq!(
                sut.machine.step().cloned(),
                before,
                "a refused input leaves the state unchanged"
            );
        }
        let view = match sut.machine.step() {
            _ if sut.machine.failure().is_some() => UpView::Failed,
            Some(SignUpStep::ConfirmSignUp { .. }) => UpView::Confirm,
            Some(SignUpStep::CompleteAutoSignIn) => UpView::Auto,
            Some(SignUpStep::Done) => UpView::Done,
            Some(other) => panic!("{other:?}"),
            None => UpView::InFlight,
        };
        assert_eq!(view, model.view, "after {t:?}");
        if view == UpView::Auto {
            // Auto sign-in reuses the session of ConfirmSignUp (when the peer gave one).
            let input = sut.machine.auto_sign_in().expect("auto sign-in input");
            let mut rng = StdRng::seed_from_u64(1);
            let sign_in = SignIn::new(&sut.config, input, &mut rng, t0());
            assert!(sign_in.is_ok());
        }
        sut
    }

    fn check_invariants(sut: &UpSut, _: &UpModel) {
        assert!(!format!("{:?}", sut.machine).contains(PASSWORD));
        assert!(!format!("{:?}", sut.machine).contains("signup-session"));
    }
}

// ---------------------------------------------------------------------------------------------
// Reset password

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RpSent {
    Forgot,
    Right,
    WrongCode,
    Weak,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum RpView {
    InFlight,
    Code,
    Done,
    Failed,
}

#[derive(Debug, Clone)]
struct RpModel {
    view: RpView,
    in_flight: Option<RpSent>,
    fault: Option<Fault>,
}

#[derive(Debug, Clone)]
enum RpT {
    Deliver,
    Confirm(RpSent),
    Resend,
    Fault(Fault),
    Stray,
}

struct ResetModel;

impl ReferenceStateMachine for ResetModel {
    type State = RpModel;
    type Transition = RpT;

    fn init_state() -> BoxedStrategy<RpModel> {
        Just(RpModel {
            view: RpView::InFlight,
            in_flight: Some(RpSent::Forgot),
            fault: None,
        })
        .boxed()
    }

    fn transitions(s: &RpModel) -> BoxedStrategy<RpT> {
        let confirm = prop_oneof![
            Just(RpSent::Right),
            Just(RpSent::WrongCode),
            Just(RpSent::Weak)
        ];
        weighted(vec![
            (5, s.in_flight.is_some(), Just(RpT::Deliver).boxed()),
            (4, true, confirm.prop_map(RpT::Confirm).boxed()),
            (1, true, Just(RpT::Resend).boxed()),
            (
                1,
                s.in_flight.is_some() && s.fault.is_none(),
                fault_strategy().prop_map(RpT::Fault).boxed(),
            ),
            (1, s.in_flight.is_none(), Just(RpT::Stray).boxed()),
        ])
    }

    fn preconditions(s: &RpModel, t: &RpT) -> bool {
        match t {
            RpT::Deliver => s.in_flight.is_some(),
            RpT::Fault(_) => s.in_flight.is_some() && s.fault.is_none(),
            RpT::Stray => s.in_flight.is_none(),
            _ => true,
        }
    }

    fn apply(mut s: RpModel, t: &RpT) -> RpModel {
        match t {
            RpT::Deliver => {
                let sent = s.in_flight.take().unwrap_or(RpSent::Forgot);
                s.view = match (sent, s.fault.take()) {
                    (RpSent::Forgot, Some(Fault::Throttle | Fault::Html503)) => RpView::Failed,
                    (RpSent::Forgot, _) => RpView::Code,
                    (_, Some(Fault::Throttle | Fault::Html503)) => RpView::Code,
                    // ConfirmForgotPassword answers `{}` on success.
                    (_, Some(Fault::Empty)) | (RpSent::Right, None) => RpView::Done,
                    (RpSent::WrongCode | RpSent::Weak, None) => RpView::Code,
                };
            }
            RpT::Confirm(kind) if s.view == RpView::Code => {
                s.in_flight = Some(*kind);
                s.view = RpView::InFlight;
            }
            RpT::Resend if s.view == RpView::Code => {
                s.in_flight = Some(RpSent::Forgot);
                s.view = RpView::InFlight;
            }
            RpT::Fault(f) => s.fault = Some(*f),
            _ => {}
        }
        s
    }
}

struct RpSut {
    peer: ScriptedPeer,
    machine: ResetPassword,
    password_changes: usize,
}

struct ResetTest;

impl StateMachineTest for ResetTest {
    type SystemUnderTest = RpSut;
    type Reference = ResetModel;

    fn init_test(_: &RpModel) -> RpSut {
        let scenario = Scenario::new().with_user(UserSpec::new("frank", PASSWORD));
        let machine =
            ResetPassword::new(&scenario.config(), "frank", Default::default(), t0()).unwrap();
        RpSut {
            peer: ScriptedPeer::new(scenario),
            machine,
            password_changes: 0,
        }
    }

    fn apply(mut sut: RpSut, model: &RpModel, t: RpT) -> RpSut {
        let before = sut.machine.step().cloned();
        let result = match t {
            RpT::Deliver => {
                let request = sut.machine.poll_request().expect("a request");
                let response = sut.peer.handle(&request, t0());
                sut.machine.handle_response(response, t0())
            }
            RpT::Confirm(kind) => {
                let (code, password) = match kind {
                    RpSent::Right => (CONFIRMATION_CODE, "N3w-model-passw0rd"),
                    RpSent::WrongCode => ("000000", "N3w-model-passw0rd"),
                    _ => (CONFIRMATION_CODE, "short"),
                };
                sut.machine.confirm(code, password, None, t0())
            }
            RpT::Resend => sut.machine.resend_code(None),
            RpT::Fault(f) => {
                sut.peer.fail_next(fault_response(f));
                Ok(())
            }
            RpT::Stray => sut.machine.handle_response(stray(), t0()),
        };
        if result.as_ref().is_err_and(|e| e.may_retry()) && !matches!(t, RpT::Deliver) {
            assert_eq!(sut.machine.step().cloned(), before, "unchanged");
        }
        if sut.peer.scenario().users[0].password != PASSWORD {
            sut.password_changes = 1;
        }
        let view = match sut.machine.step() {
            _ if sut.machine.failure().is_some() => RpView::Failed,
            Some(ResetPasswordStep::ConfirmWithCode { .. }) => RpView::Code,
            Some(ResetPasswordStep::Done) => RpView::Done,
            Some(other) => panic!("{other:?}"),
            None => RpView::InFlight,
        };
        assert_eq!(view, model.view, "after {t:?}");
        sut
    }

    fn check_invariants(sut: &RpSut, model: &RpModel) {
        // The password changes only with DONE (or when a faulted `{}` hides a change: never).
        if sut.password_changes > 0 {
            assert_eq!(model.view, RpView::Done);
        }
        assert!(!format!("{:?}", sut.machine).contains(CONFIRMATION_CODE));
    }
}

// ---------------------------------------------------------------------------------------------
// Session

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SFault {
    Transient(Fault),
    Definitive(&'static str),
}

#[derive(Debug, Clone)]
struct SModel {
    has_tokens: bool,
    in_flight: bool,
    fault: Option<SFault>,
    /// Seconds since the current tokens were issued.
    age: u64,
    last: Option<Result<(), TokenAction>>,
}

#[derive(Debug, Clone)]
enum ST {
    Refresh,
    Deliver,
    TransportFailed,
    Fault(SFault),
    Wait(u64),
    Stray,
}

struct SessionModel;

impl ReferenceStateMachine for SessionModel {
    type State = SModel;
    type Transition = ST;

    fn init_state() -> BoxedStrategy<SModel> {
        Just(SModel {
            has_tokens: true,
            in_flight: false,
            fault: None,
            age: 0,
            last: None,
        })
        .boxed()
    }

    fn transitions(s: &SModel) -> BoxedStrategy<ST> {
        let definitive = prop_oneof![
            Just("NotAuthorizedException"),
            Just("TokenRevokedException"),
            Just("UserNotFoundException"),
            Just("PasswordResetRequiredException"),
            Just("UserNotConfirmedException"),
            Just("RefreshTokenReuseException"),
        ];
        let fault = prop_oneof![
            fault_strategy().prop_map(SFault::Transient),
            definitive.prop_map(SFault::Definitive),
            Just(SFault::Transient(Fault::Throttle)),
        ];
        weighted(vec![
            (3, s.has_tokens && !s.in_flight, Just(ST::Refresh).boxed()),
            (4, s.in_flight, Just(ST::Deliver).boxed()),
            (1, s.in_flight, Just(ST::TransportFailed).boxed()),
            (
                2,
                s.in_flight && s.fault.is_none(),
                fault.prop_map(ST::Fault).boxed(),
            ),
            (
                2,
                true,
                prop_oneof![Just(10u64), Just(600), Just(2990), Just(3594), Just(3596)]
                    .prop_map(ST::Wait)
                    .boxed(),
            ),
            (1, !s.in_flight, Just(ST::Stray).boxed()),
        ])
    }

    fn preconditions(s: &SModel, t: &ST) -> bool {
        match t {
            ST::Refresh => s.has_tokens && !s.in_flight,
            ST::Deliver | ST::TransportFailed => s.in_flight,
            ST::Fault(_) => s.in_flight && s.fault.is_none(),
            ST::Stray => !s.in_flight,
            ST::Wait(_) => true,
        }
    }

    fn apply(mut s: SModel, t: &ST) -> SModel {
        match t {
            ST::Refresh => s.in_flight = true,
            ST::Deliver => {
                s.in_flight = false;
                match s.fault.take() {
                    Some(SFault::Definitive(_)) => {
                        s.has_tokens = false;
                        s.last = Some(Err(TokenAction::ClearTokens));
                    }
                    Some(SFault::Transient(_)) => s.last = Some(Err(TokenAction::KeepTokens)),
                    None => {
                        s.age = 0;
                        s.last = Some(Ok(()));
                    }
                }
            }
            ST::TransportFailed => {
                s.in_flight = false;
                s.fault = None;
                s.last = Some(Err(TokenAction::KeepTokens));
            }
            ST::Fault(f) => s.fault = Some(*f),
            ST::Wait(secs) => s.age += secs,
            ST::Stray => {}
        }
        s
    }
}

struct SSut {
    peer: ScriptedPeer,
    session: Session,
    now: SystemTime,
}

struct SessionTest;

impl StateMachineTest for SessionTest {
    type SystemUnderTest = SSut;
    type Reference = SessionModel;

    fn init_test(_: &SModel) -> SSut {
        let scenario = Scenario::new().with_user(UserSpec::new("gina", PASSWORD));
        let config = scenario.config();
        let mut peer = ScriptedPeer::new(scenario);
        let mut rng = StdRng::seed_from_u64(4);
        let input = SignInInput::new("gina", PASSWORD).with_flow(SignInFlow::UserPasswordAuth);
        let mut sign_in = SignIn::new(&config, input, &mut rng, t0()).unwrap();
        peer.drive(&mut sign_in, t0()).unwrap();
        let tokens = sign_in.take_outcome().unwrap().tokens;
        let session = Session::new(&config, tokens, SessionOptions::default());
        SSut {
            peer,
            session,
            now: t0(),
        }
    }

    fn apply(mut sut: SSut, model: &SModel, t: ST) -> SSut {
        match t {
            ST::Refresh => sut.session.refresh(sut.now).unwrap(),
            ST::Deliver => {
                let request = sut.session.poll_request().expect("a request");
                let response = sut.peer.handle(&request, sut.now);
                let _ = sut.session.handle_response(response, sut.now);
            }
            ST::TransportFailed => {
                let _ = sut.session.poll_request();
                sut.session.transport_failed(sut.now).unwrap();
                // The peer never saw it; a fault meant for it is dropped.
                sut.peer.fail_next(FaultResponse::EmptyObject);
                let _ = sut.peer.handle(&http::Request::new(Vec::new()), sut.now);
            }
            ST::Fault(SFault::Transient(f)) => sut.peer.fail_next(fault_response(f)),
            ST::Fault(SFault::Definitive(code)) => {
                sut.peer.fail_next(FaultResponse::error(code, "definitive"));
            }
            ST::Wait(secs) => sut.now += Duration::from_secs(secs),
            ST::Stray => {
                let before = sut.session.tokens().cloned();
                assert!(sut.session.handle_response(stray(), sut.now).is_err());
                assert_eq!(sut.session.tokens().cloned(), before);
            }
        }
        assert_eq!(
            sut.session.tokens().is_some(),
            model.has_tokens,
            "after {t:?}"
        );
        let expected_refresh = model.has_tokens && model.age + 5 > 3600;
        assert_eq!(
            sut.session.needs_refresh(sut.now),
            expected_refresh,
            "after {t:?}, age {}",
            model.age
        );
        match (&model.last, sut.session.step()) {
            (None, None) => {}
            (Some(Ok(())), Some(SessionStep::Refreshed { rotated: true })) => {}
            (Some(Err(action)), Some(SessionStep::Failed { action: got, .. })) => {
                assert_eq!(action, got);
            }
            (_, _) if model.in_flight => {}
            (m, s) => panic!("model {m:?}, machine {s:?}"),
        }
        sut
    }

    fn check_invariants(sut: &SSut, _: &SModel) {
        let shown = format!("{:?}", sut.session);
        assert!(
            !shown.contains("refresh-") && !shown.contains("eyJ"),
            "{shown}"
        );
    }
}

prop_state_machine! {
    #![proptest_config(Config { cases: cases(), failure_persistence: None, .. Config::default() })]

    #[test]
    fn sign_up_matches_the_reference_model(sequential 1..25 => SignUpTest);

    #[test]
    fn reset_password_matches_the_reference_model(sequential 1..25 => ResetTest);

    #[test]
    fn session_matches_the_reference_model(sequential 1..30 => SessionTest);
}
