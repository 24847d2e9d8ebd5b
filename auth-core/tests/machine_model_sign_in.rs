//! Model-based test of the sign-in machine with `proptest-state-machine`.
//!
//! The reference model is a small plain struct: the steps still to come (derived from the
//! generated scenario), what is in flight, a pending fault, the session's age and the number
//! of DONEs. Transitions are user commands (right, wrong and ill-fitting answers, resends,
//! save/restore) and Cognito-side events (delivering the request, throttling, a 503 page, an
//! empty result, a stray or repeated response, time passing beyond the 3-minute session).
//! After every transition the machine's step is compared with the model, and invariants are
//! checked: no request without a valid (latest, unexpired) session, no secrets in `Debug`,
//! at most one DONE, tokens only with DONE.
//!
//! Cases: 256 by default (about a second), more with `AUTH_PROPTEST_CASES=10000`.

use std::time::{Duration, SystemTime};

use auth_core::Sensitive;
use auth_core::machine::Machine as _;
use auth_core::machine::sign_in::{
    Answer, ConfirmOptions, FirstFactor, MfaType, SignIn, SignInFlow, SignInInput, SignInStep,
};
use auth_core::test_util::{
    EMAIL_CODE, FaultResponse, Mfa, SMS_CODE, Scenario, ScriptedPeer, TOTP_CODE, UserSpec,
};
use proptest::prelude::*;
use proptest::test_runner::Config;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};
use rand::SeedableRng;
use rand::rngs::StdRng;

const PASSWORD: &str = "Model-passw0rd";
const NEW_PASSWORD: &str = "N3w-model-passw0rd";

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
enum FlowKind {
    Password,
    Custom,
    EmailOtp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MfaKind {
    None,
    Sms,
    Totp,
    Email,
    Select,
}

#[derive(Debug, Clone)]
struct Setup {
    flow: FlowKind,
    mfa: MfaKind,
    new_password: bool,
    rounds: usize,
    wrong_password: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sms,
    Totp,
    Email,
    SelectMfa,
    NewPassword,
    Custom,
}

impl Kind {
    fn step_name(self) -> &'static str {
        match self {
            Self::Sms => "CONFIRM_SIGN_IN_WITH_SMS_CODE",
            Self::Totp => "CONFIRM_SIGN_IN_WITH_TOTP_CODE",
            Self::Email => "CONFIRM_SIGN_IN_WITH_EMAIL_CODE",
            Self::SelectMfa => "CONTINUE_SIGN_IN_WITH_MFA_SELECTION",
            Self::NewPassword => "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED",
            Self::Custom => "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum View {
    InFlight,
    Stalled,
    Step(Kind),
    Done,
    Failed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sent {
    Initiate,
    Right,
    Wrong,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Throttle,
    Html503,
    Empty,
}

#[derive(Debug, Clone)]
struct Model {
    setup: Setup,
    /// The current step first, then the ones still to come.
    remaining: Vec<Kind>,
    view: View,
    in_flight: Option<Sent>,
    fault: Option<Fault>,
    wrong_codes: u8,
    age: u64,
    dones: usize,
}

#[derive(Debug, Clone)]
enum Transition {
    Deliver,
    AnswerRight,
    AnswerWrong,
    AnswerMismatched,
    Wait(u64),
    StrayResponse,
    Fault(Fault),
    Resend,
    SnapshotRestore,
}

fn steps_of(setup: &Setup) -> Vec<Kind> {
    let mfa = match setup.mfa {
        MfaKind::None => vec![],
        MfaKind::Sms => vec![Kind::Sms],
        MfaKind::Totp => vec![Kind::Totp],
        MfaKind::Email => vec![Kind::Email],
        MfaKind::Select => vec![Kind::SelectMfa, Kind::Totp],
    };
    match setup.flow {
        FlowKind::Password => {
            let mut steps = if setup.new_password {
                vec![Kind::NewPassword]
            } else {
                vec![]
            };
            steps.extend(mfa);
            steps
        }
        FlowKind::Custom => {
            let mut steps = mfa;
            steps.extend(std::iter::repeat_n(Kind::Custom, setup.rounds));
            steps
        }
        FlowKind::EmailOtp => vec![Kind::Email],
    }
}

struct SignInModel;

impl Model {
    /// A challenge or tokens arrived: the next step, with a fresh session.
    fn advance(&mut self) {
        self.age = 0;
        match self.remaining.first() {
            Some(kind) => self.view = View::Step(*kind),
            None => {
                self.view = View::Done;
                self.dones += 1;
            }
        }
    }

    fn current(&self) -> Option<Kind> {
        match self.view {
            View::Step(kind) => Some(kind),
            _ => None,
        }
    }
}

impl ReferenceStateMachine for SignInModel {
    type State = Model;
    type Transition = Transition;

    fn init_state() -> BoxedStrategy<Model> {
        let flow = prop_oneof![
            Just(FlowKind::Password),
            Just(FlowKind::Custom),
            Just(FlowKind::EmailOtp)
        ];
        let mfa = prop_oneof![
            Just(MfaKind::None),
            Just(MfaKind::Sms),
            Just(MfaKind::Totp),
            Just(MfaKind::Email),
            Just(MfaKind::Select)
        ];
        (
            flow,
            mfa,
            any::<bool>(),
            1..3usize,
            prop::bool::weighted(0.1),
        )
            .prop_map(|(flow, mfa, new_password, rounds, wrong_password)| {
                let setup = Setup {
                    flow,
                    mfa,
                    new_password,
                    rounds,
                    wrong_password,
                };
                Model {
                    remaining: steps_of(&setup),
                    setup,
                    view: View::InFlight,
                    in_flight: Some(Sent::Initiate),
                    fault: None,
                    wrong_codes: 0,
                    age: 0,
                    dones: 0,
                }
            })
            .boxed()
    }

    fn transitions(state: &Model) -> BoxedStrategy<Transition> {
        // Only transitions whose preconditions hold are generated (no rejection sampling).
        let fault = prop_oneof![
            Just(Fault::Throttle),
            Just(Fault::Html503),
            Just(Fault::Empty)
        ];
        let candidates: Vec<(u32, BoxedStrategy<Transition>)> = vec![
            (6, Just(Transition::Deliver).boxed()),
            (5, Just(Transition::AnswerRight).boxed()),
            (2, Just(Transition::AnswerWrong).boxed()),
            (1, Just(Transition::AnswerMismatched).boxed()),
            (
                1,
                prop_oneof![Just(1u64), Just(30), Just(100), Just(200)]
                    .prop_map(Transition::Wait)
                    .boxed(),
            ),
            (1, Just(Transition::StrayResponse).boxed()),
            (1, fault.prop_map(Transition::Fault).boxed()),
            (2, Just(Transition::Resend).boxed()),
            (1, Just(Transition::SnapshotRestore).boxed()),
        ];
        let probe = [
            Transition::Deliver,
            Transition::AnswerRight,
            Transition::AnswerWrong,
            Transition::AnswerMismatched,
            Transition::Wait(1),
            Transition::StrayResponse,
            Transition::Fault(Fault::Throttle),
            Transition::Resend,
            Transition::SnapshotRestore,
        ];
        let applicable: Vec<_> = candidates
            .into_iter()
            .zip(probe.iter())
            .filter(|(_, t)| Self::preconditions(state, t))
            .map(|(c, _)| c)
            .collect();
        prop::strategy::Union::new_weighted(applicable).boxed()
    }

    // Re-checked because shrinking removes transitions.
    fn preconditions(state: &Model, t: &Transition) -> bool {
        match t {
            Transition::Deliver => state.in_flight.is_some(),
            Transition::AnswerRight | Transition::AnswerWrong => {
                matches!(state.view, View::Step(_))
            }
            Transition::StrayResponse => state.in_flight.is_none(),
            Transition::Fault(_) => state.in_flight.is_some() && state.fault.is_none(),
            Transition::Resend => state.view == View::Stalled,
            Transition::SnapshotRestore => matches!(state.view, View::Step(_)) && state.age < 180,
            Transition::AnswerMismatched | Transition::Wait(_) => true,
        }
    }

    fn apply(mut state: Model, t: &Transition) -> Model {
        match t {
            Transition::Deliver => {
                let sent = state.in_flight.take().unwrap_or(Sent::Initiate);
                let fault = state.fault.take();
                match (sent, fault) {
                    (_, Some(Fault::Empty)) => state.view = View::Failed,
                    (Sent::Initiate, Some(_)) => state.view = View::Stalled,
                    (_, Some(_)) => state.view = state.current_before_send(),
                    // Delivered after the session expired: Cognito refuses it.
                    (Sent::Right | Sent::Wrong, None) if state.age >= 180 => {
                        state.view = View::Failed;
                    }
                    (Sent::Initiate, None) => {
                        if state.setup.wrong_password && state.setup.flow == FlowKind::Password {
                            state.view = View::Failed;
                        } else {
                            state.advance();
                        }
                    }
                    (Sent::Right, None) => {
                        state.remaining.remove(0);
                        state.advance();
                    }
                    (Sent::Wrong, None) => {
                        let kind = state.remaining[0];
                        match kind {
                            Kind::Sms | Kind::Totp | Kind::Email => {
                                state.wrong_codes += 1;
                                state.view = if state.wrong_codes >= 3 {
                                    View::Failed
                                } else {
                                    View::Step(kind)
                                };
                            }
                            Kind::NewPassword => state.view = View::Step(kind),
                            Kind::Custom | Kind::SelectMfa => state.view = View::Failed,
                        }
                    }
                }
            }
            Transition::AnswerRight | Transition::AnswerWrong => {
                if state.age >= 180 {
                    state.view = View::Failed;
                } else if matches!(t, Transition::AnswerWrong)
                    && state.current() == Some(Kind::SelectMfa)
                {
                    // An MFA type that is not offered is refused before anything is sent.
                } else {
                    state.in_flight = Some(if matches!(t, Transition::AnswerRight) {
                        Sent::Right
                    } else {
                        Sent::Wrong
                    });
                    state.view = View::InFlight;
                }
            }
            Transition::AnswerMismatched => {
                if matches!(state.view, View::Step(_)) && state.age >= 180 {
                    state.view = View::Failed;
                }
            }
            Transition::Wait(secs) => state.age += secs,
            Transition::StrayResponse | Transition::SnapshotRestore => {}
            Transition::Fault(fault) => state.fault = Some(*fault),
            Transition::Resend => {
                state.in_flight = Some(Sent::Initiate);
                state.view = View::InFlight;
            }
        }
        state
    }
}

impl Model {
    /// The step an answer returns to when its request failed transiently.
    fn current_before_send(&self) -> View {
        View::Step(self.remaining[0])
    }
}

struct Sut {
    peer: ScriptedPeer,
    sign_in: SignIn,
    rng: StdRng,
    now: SystemTime,
    queued: Option<http::Request<Vec<u8>>>,
    latest_session: Option<(String, SystemTime)>,
    config: auth_core::config::UserPoolConfig,
}

impl Sut {
    fn poll(&mut self) {
        if let Some(request) = self.sign_in.poll_request() {
            assert!(self.queued.is_none(), "one request at a time");
            let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
            if body.get("ChallengeName").is_some() {
                // No request without a valid session: the latest one, not expired.
                let (session, at) = self.latest_session.clone().expect("a session was issued");
                assert_eq!(body["Session"], session.as_str(), "the latest session");
                assert!(
                    self.now < at + Duration::from_secs(180),
                    "an unexpired session"
                );
            }
            self.queued = Some(request);
        }
        assert!(self.sign_in.poll_request().is_none());
    }

    fn answer(&mut self, right: bool) {
        let answer = match self.sign_in.step().map(SignInStep::name) {
            Some("CONFIRM_SIGN_IN_WITH_SMS_CODE") => {
                Answer::Code(if right { SMS_CODE } else { "000000" }.into())
            }
            Some("CONFIRM_SIGN_IN_WITH_TOTP_CODE") => {
                Answer::Code(if right { TOTP_CODE } else { "000000" }.into())
            }
            Some("CONFIRM_SIGN_IN_WITH_EMAIL_CODE") => {
                Answer::Code(if right { EMAIL_CODE } else { "000000" }.into())
            }
            Some("CONTINUE_SIGN_IN_WITH_MFA_SELECTION") => {
                Answer::Mfa(if right { MfaType::Totp } else { MfaType::Email })
            }
            Some("CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED") => Answer::NewPassword {
                password: Sensitive::new(if right { NEW_PASSWORD } else { "short" }),
                attributes: Default::default(),
            },
            Some("CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE") => {
                let Some(SignInStep::ConfirmWithCustomChallenge { parameters }) =
                    self.sign_in.step()
                else {
                    unreachable!()
                };
                let round = parameters.get("round").cloned().unwrap_or_default();
                Answer::Custom(
                    if right {
                        format!("answer-{round}")
                    } else {
                        "nope".into()
                    }
                    .into(),
                )
            }
            other => panic!("no step to answer: {other:?}"),
        };
        let _ = self
            .sign_in
            .confirm(answer, &ConfirmOptions::default(), &mut self.rng, self.now);
    }

    fn view(&self) -> View {
        if self.sign_in.failure().is_some() {
            return View::Failed;
        }
        match self.sign_in.step() {
            Some(SignInStep::Done(_)) => View::Done,
            Some(step) => {
                let kind = [
                    Kind::Sms,
                    Kind::Totp,
                    Kind::Email,
                    Kind::SelectMfa,
                    Kind::NewPassword,
                    Kind::Custom,
                ]
                .into_iter()
                .find(|k| k.step_name() == step.name())
                .unwrap_or_else(|| panic!("unexpected step {step:?}"));
                View::Step(kind)
            }
            None if self.sign_in.is_awaiting_response() => View::InFlight,
            None => View::Stalled,
        }
    }
}

struct SignInMachineTest;

impl StateMachineTest for SignInMachineTest {
    type SystemUnderTest = Sut;
    type Reference = SignInModel;

    fn init_test(model: &Model) -> Sut {
        let s = &model.setup;
        let mfa = match s.mfa {
            MfaKind::None => Mfa::None,
            MfaKind::Sms => Mfa::Sms,
            MfaKind::Totp => Mfa::Totp,
            MfaKind::Email => Mfa::Email,
            MfaKind::Select => Mfa::Select(vec![MfaType::Sms, MfaType::Totp]),
        };
        let mut user = UserSpec::new("model", PASSWORD).with_mfa(mfa);
        if s.new_password {
            user = user.with_new_password_required(vec![]);
        }
        user = user.with_custom_rounds((0..s.rounds).map(|i| format!("answer-{i}")).collect());
        let scenario = Scenario::new().with_user(user);
        let config = scenario.config();
        let input = match s.flow {
            FlowKind::Password => {
                let password = if s.wrong_password {
                    "wrong-password"
                } else {
                    PASSWORD
                };
                SignInInput::new("model", password).with_flow(SignInFlow::UserPasswordAuth)
            }
            FlowKind::Custom => SignInInput::passwordless("model", SignInFlow::CustomWithoutSrp),
            FlowKind::EmailOtp => SignInInput::passwordless(
                "model",
                SignInFlow::UserAuth {
                    preferred: Some(FirstFactor::EmailOtp),
                },
            ),
        };
        let mut rng = StdRng::seed_from_u64(7);
        let sign_in = SignIn::new(&config, input, &mut rng, t0()).unwrap();
        let mut sut = Sut {
            peer: ScriptedPeer::new(scenario),
            sign_in,
            rng,
            now: t0(),
            queued: None,
            latest_session: None,
            config,
        };
        sut.poll();
        sut
    }

    fn apply(mut sut: Sut, model: &Model, t: Transition) -> Sut {
        match t {
            Transition::Deliver => {
                let request = sut.queued.take().expect("a queued request");
                let response = sut.peer.handle(&request, sut.now);
                if let Ok(body) = serde_json::from_slice::<serde_json::Value>(response.body())
                    && let Some(session) = body.get("Session").and_then(|s| s.as_str())
                {
                    sut.latest_session = Some((session.to_owned(), sut.now));
                }
                let _ = sut.sign_in.handle_response(response, sut.now);
            }
            Transition::AnswerRight => sut.answer(true),
            Transition::AnswerWrong => sut.answer(false),
            Transition::AnswerMismatched => {
                let before = sut.sign_in.step().cloned();
                let answer = Answer::FirstFactor(FirstFactor::Other("NONE".into()));
                let error = sut
                    .sign_in
                    .confirm(answer, &ConfirmOptions::default(), &mut sut.rng, sut.now)
                    .unwrap_err();
                if matches!(model.view, View::Step(_) | View::InFlight | View::Stalled) {
                    assert!(error.may_retry(), "{error:?}");
                    assert_eq!(sut.sign_in.step().cloned(), before, "unchanged");
                }
            }
            Transition::Wait(secs) => sut.now += Duration::from_secs(secs),
            Transition::StrayResponse => {
                let before = sut.sign_in.step().cloned();
                let stray = http::Response::new(
                    r#"{"ChallengeName":"SMS_MFA","Session":"stray","ChallengeParameters":{}}"#,
                );
                let error = sut.sign_in.handle_response(stray, sut.now).unwrap_err();
                assert!(error.may_retry());
                assert_eq!(sut.sign_in.step().cloned(), before, "unchanged");
            }
            Transition::Fault(fault) => sut.peer.fail_next(match fault {
                Fault::Throttle => {
                    FaultResponse::error("TooManyRequestsException", "Rate exceeded")
                }
                Fault::Html503 => FaultResponse::Html503,
                Fault::Empty => FaultResponse::EmptyObject,
            }),
            Transition::Resend => sut.sign_in.resend().unwrap(),
            Transition::SnapshotRestore => {
                let saved = serde_json::to_string(&sut.sign_in.snapshot().expect("a pending step"))
                    .unwrap();
                let pending = serde_json::from_str(&saved).unwrap();
                sut.sign_in =
                    SignIn::restore(&sut.config, pending, None, &mut sut.rng, sut.now).unwrap();
            }
        }
        sut.poll();
        assert_eq!(sut.view(), model.view, "after {t:?}");
        sut
    }

    fn check_invariants(sut: &Sut, model: &Model) {
        // Tokens only with DONE, and exactly one DONE.
        assert_eq!(sut.peer.tokens_issued(), model.dones);
        assert!(model.dones <= 1);
        assert_eq!(
            matches!(sut.sign_in.step(), Some(SignInStep::Done(_))),
            model.dones == 1
        );
        // No secrets in Debug.
        let shown = format!("{:?} {:?}", sut.sign_in, sut.sign_in.snapshot());
        for secret in [
            PASSWORD,
            NEW_PASSWORD,
            SMS_CODE,
            TOTP_CODE,
            EMAIL_CODE,
            "session-",
            "refresh-",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }
}

prop_state_machine! {
    #![proptest_config(Config {
        cases: cases(),
        max_shrink_iters: 2048,
        failure_persistence: None,
        .. Config::default()
    })]

    #[test]
    fn sign_in_matches_the_reference_model(sequential 1..40 => SignInMachineTest);
}
