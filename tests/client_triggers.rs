//! `Auth` against auth-core's scripted Cognito peer running Lambda triggers written with
//! `auth::triggers` types: what a user pool with these triggers does, seen through the client.
//! moto runs no triggers, so these flows are only reachable here.
#![cfg(all(feature = "client", feature = "triggers"))]

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use auth::Auth;
use auth::client::{AuthError, SignInOptions, SignUpOptions};
use auth::core::machine::sign_in::{Answer, ConfirmOptions, SignInFlow, SignInStep};
use auth::core::machine::sign_up::SignUpStep;
use auth::core::machine::{Cause, ClientMetadata};
use auth::core::test_util::{LambdaFunction, Scenario, ScriptedPeer, Trigger, UserSpec};
use auth::core::wire::ErrorKind;
use auth::providers::{
    HttpClient, HttpFuture, ManualTimeSource, MemoryStorage, ProviderFuture, TimeSource,
};
use auth::triggers::{
    CreateAuthChallengeEvent, DefineAuthChallengeEvent, PreAuthenticationEvent, PreSignUpEvent,
    PreTokenGenerationV2Event, VerifyAuthChallengeResponseEvent,
};
use serde_json::{Value, json};

/// The scripted peer as an `HttpClient`, answering at the manual clock's time.
#[derive(Debug, Clone)]
struct Scripted {
    peer: Arc<Mutex<ScriptedPeer>>,
    clock: ManualTimeSource,
}

impl HttpClient for Scripted {
    fn send(&self, request: http::Request<Vec<u8>>) -> HttpFuture<'_> {
        let response = self.peer.lock().unwrap().handle(&request, self.clock.now());
        ProviderFuture::ready(Ok(response))
    }
}

impl Scripted {
    /// The events the trigger functions were invoked with.
    fn trigger_events(&self) -> Vec<Value> {
        self.peer.lock().unwrap().trigger_events().to_vec()
    }
}

fn client(peer: ScriptedPeer) -> (Auth, Scripted) {
    let clock = ManualTimeSource::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000));
    let http = Scripted {
        peer: Arc::new(Mutex::new(peer)),
        clock: clock.clone(),
    };
    let config = http.peer.lock().unwrap().scenario().config();
    let auth = Auth::builder()
        .user_pool(config)
        .http_client(http.clone())
        .time_source(clock)
        .storage(MemoryStorage::new())
        .build()
        .unwrap();
    (auth, http)
}

fn alice() -> Scenario {
    Scenario::new().with_user(UserSpec::new("alice", "Corr3ct-horse"))
}

fn metadata(pairs: &[(&str, &str)]) -> ClientMetadata {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Cognito's message of a failed call (`ServiceError::message`), read through the error chain
/// a caller has.
fn service_message(error: &AuthError) -> Option<&str> {
    match error {
        AuthError::Flow { source, .. } => match source.cause() {
            Cause::Service(service) => service.message.as_deref(),
            _ => None,
        },
        _ => None,
    }
}

/// Only sign-ins from the mobile app: `signIn`'s client metadata reaches pre authentication as
/// `validationData`.
fn mobile_only(event: PreAuthenticationEvent) -> Result<PreAuthenticationEvent, String> {
    match event.validation_data().and_then(|m| m.get("app")) {
        Some("mobile") => Ok(event),
        _ => Err("sign in from the mobile app".to_owned()),
    }
}

#[tokio::test]
async fn pre_authentication_rejection_reaches_sign_in_as_user_lambda_validation_with_its_message() {
    let peer = ScriptedPeer::new(alice()).with_trigger(
        Trigger::PreAuthentication,
        LambdaFunction::typed(mobile_only),
    );
    let (auth, http) = client(peer);

    let error = auth
        .sign_in(
            "alice",
            "Corr3ct-horse",
            SignInOptions::new().client_metadata(metadata(&[("app", "web")])),
        )
        .await
        .unwrap_err();
    assert_eq!(
        error.service_kind(),
        Some(&ErrorKind::UserLambdaValidation),
        "{error:?}"
    );
    assert_eq!(
        service_message(&error),
        Some("PreAuthentication failed with error sign in from the mobile app.")
    );
    assert!(
        auth.get_current_user().await.is_err(),
        "nobody is signed in"
    );

    let events = http.trigger_events();
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0]["triggerSource"],
        "PreAuthentication_Authentication"
    );
    assert_eq!(
        events[0]["request"]["validationData"],
        json!({"app": "web"})
    );
    assert!(events[0]["request"].get("clientMetadata").is_none());

    let signed_in = auth
        .sign_in(
            "alice",
            "Corr3ct-horse",
            SignInOptions::new().client_metadata(metadata(&[("app", "mobile")])),
        )
        .await
        .unwrap();
    assert!(signed_in.is_signed_in());
}

/// Define auth challenge: one custom challenge, up to three tries.
fn define(mut event: DefineAuthChallengeEvent) -> Result<DefineAuthChallengeEvent, String> {
    let session = &event.request.session;
    let custom: Vec<_> = session
        .iter()
        .filter(|c| c.challenge_name == "CUSTOM_CHALLENGE")
        .collect();
    if custom.last().is_some_and(|c| c.challenge_result) {
        event.response.issue_tokens();
    } else if custom.len() >= 3 {
        event.response.fail_authentication();
    } else if session.last().is_some_and(|c| c.challenge_name == "SRP_A") {
        event.response.next_challenge("PASSWORD_VERIFIER");
    } else {
        event.response.next_challenge("CUSTOM_CHALLENGE");
    }
    Ok(event)
}

/// Create auth challenge: a question, its answer kept private.
fn create(mut event: CreateAuthChallengeEvent) -> Result<CreateAuthChallengeEvent, String> {
    let response = &mut event.response;
    response
        .public_challenge_parameters
        .insert("question", "What is 6 times 7?");
    response.private_challenge_parameters.insert("answer", "42");
    response.challenge_metadata = Some("ARITHMETIC".to_owned());
    Ok(event)
}

/// Verify auth challenge response: the answer against the private parameter.
fn verify(
    mut event: VerifyAuthChallengeResponseEvent,
) -> Result<VerifyAuthChallengeResponseEvent, String> {
    event.response.answer_correct =
        event.request.answer() == event.request.private_challenge_parameters.get("answer");
    Ok(event)
}

/// Pre token generation: the `tenant` of the client metadata as an ID-token claim.
fn tenant_claim(mut event: PreTokenGenerationV2Event) -> Result<PreTokenGenerationV2Event, String> {
    if let Some(tenant) = event
        .request
        .client_metadata
        .get("tenant")
        .map(str::to_owned)
    {
        event
            .response
            .id_token_mut()
            .add_claim("custom:tenant", tenant);
    }
    Ok(event)
}

fn custom_auth_pool() -> ScriptedPeer {
    ScriptedPeer::new(alice())
        .with_trigger(Trigger::DefineAuthChallenge, LambdaFunction::typed(define))
        .with_trigger(Trigger::CreateAuthChallenge, LambdaFunction::typed(create))
        .with_trigger(
            Trigger::VerifyAuthChallengeResponse,
            LambdaFunction::typed(verify),
        )
        .with_trigger(
            Trigger::PreTokenGeneration,
            LambdaFunction::typed(tenant_claim),
        )
}

fn expect_question(step: Option<&SignInStep>) {
    match step {
        Some(SignInStep::ConfirmWithCustomChallenge { parameters }) => assert_eq!(
            parameters.get("question").map(String::as_str),
            Some("What is 6 times 7?")
        ),
        other => panic!("expected the custom challenge, got {other:?}"),
    }
}

fn answer(text: &str, pairs: &[(&str, &str)]) -> (Answer, ConfirmOptions) {
    let options = ConfirmOptions {
        client_metadata: metadata(pairs),
        ..Default::default()
    };
    (Answer::Custom(text.into()), options)
}

#[tokio::test]
async fn custom_challenge_runs_define_create_and_verify_end_to_end() {
    let (auth, http) = client(custom_auth_pool());

    let out = auth
        .sign_in(
            "alice",
            "",
            SignInOptions::new()
                .flow(SignInFlow::CustomWithoutSrp)
                .client_metadata(metadata(&[("app", "kiosk")])),
        )
        .await
        .unwrap();
    expect_question(out.next_step());

    // A wrong answer: verify says no, define asks again with a new question.
    let (wrong, options) = answer("41", &[("tenant", "acme")]);
    let out = auth.confirm_sign_in(wrong, options).await.unwrap();
    expect_question(out.next_step());

    let (right, options) = answer("42", &[("tenant", "acme")]);
    let out = auth.confirm_sign_in(right, options).await.unwrap();
    assert!(out.is_signed_in(), "{out:?}");

    // The token trigger saw the metadata of the answer that finished the sign-in.
    let session = auth.fetch_auth_session(Default::default()).await.unwrap();
    let id_token = session.tokens.unwrap().id_token.unwrap();
    assert_eq!(id_token.claims().other["custom:tenant"], "acme");

    let events = http.trigger_events();
    let sources: Vec<&str> = events
        .iter()
        .map(|e| e["triggerSource"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        [
            "DefineAuthChallenge_Authentication",
            "CreateAuthChallenge_Authentication",
            "VerifyAuthChallengeResponse_Authentication",
            "DefineAuthChallenge_Authentication",
            "CreateAuthChallenge_Authentication",
            "VerifyAuthChallengeResponse_Authentication",
            "DefineAuthChallenge_Authentication",
            "TokenGeneration_Authentication",
        ]
    );
    // InitiateAuth's metadata reaches none of them; each answer's reaches its triggers.
    assert_eq!(events[0]["request"]["clientMetadata"], Value::Null);
    assert_eq!(
        events[2]["request"]["clientMetadata"],
        json!({"tenant": "acme"})
    );
    assert_eq!(events[2]["request"]["challengeAnswer"], "41");
    assert_eq!(
        events[3]["request"]["session"],
        json!([{"challengeName": "CUSTOM_CHALLENGE", "challengeResult": false, "challengeMetadata": "ARITHMETIC"}])
    );
}

#[tokio::test]
async fn custom_challenge_after_srp_starts_with_the_verified_password_in_its_session() {
    let (auth, http) = client(custom_auth_pool());

    let out = auth
        .sign_in(
            "alice",
            "Corr3ct-horse",
            SignInOptions::new().flow(SignInFlow::CustomWithSrp),
        )
        .await
        .unwrap();
    expect_question(out.next_step());
    let (right, options) = answer("42", &[]);
    assert!(
        auth.confirm_sign_in(right, options)
            .await
            .unwrap()
            .is_signed_in()
    );

    let events = http.trigger_events();
    let names = |i: usize| -> Vec<String> {
        events[i]["request"]["session"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["challengeName"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(0), ["SRP_A"]);
    assert_eq!(names(1), ["SRP_A", "PASSWORD_VERIFIER"]);
}

#[tokio::test]
async fn custom_challenge_fails_after_three_wrong_answers() {
    let (auth, _http) = client(custom_auth_pool());
    auth.sign_in(
        "alice",
        "",
        SignInOptions::new().flow(SignInFlow::CustomWithoutSrp),
    )
    .await
    .unwrap();
    for _ in 0..2 {
        let (wrong, options) = answer("7", &[]);
        expect_question(
            auth.confirm_sign_in(wrong, options)
                .await
                .unwrap()
                .next_step(),
        );
    }
    let (wrong, options) = answer("7", &[]);
    let error = auth.confirm_sign_in(wrong, options).await.unwrap_err();
    assert_eq!(error.service_kind(), Some(&ErrorKind::NotAuthorized));
}

/// Pre sign-up: only `@example.com` addresses, confirmed at once; an invitation code comes as
/// validation data, the plan as client metadata.
fn invited_only(mut event: PreSignUpEvent) -> Result<PreSignUpEvent, String> {
    if event.validation_data().and_then(|m| m.get("invitation")) != Some("open-sesame") {
        return Err("an invitation is required".to_owned());
    }
    if event.client_metadata().and_then(|m| m.get("plan")) == Some("pro") {
        event.response.auto_confirm_user(true);
    }
    Ok(event)
}

#[tokio::test]
async fn pre_sign_up_can_reject_or_confirm_with_validation_data_and_client_metadata() {
    let peer = ScriptedPeer::new(Scenario::new())
        .with_trigger(Trigger::PreSignUp, LambdaFunction::typed(invited_only));
    let (auth, http) = client(peer);

    let error = auth
        .sign_up("bob", "Corr3ct-horse", SignUpOptions::new())
        .await
        .unwrap_err();
    assert_eq!(error.service_kind(), Some(&ErrorKind::UserLambdaValidation));
    assert_eq!(
        service_message(&error),
        Some("PreSignUp failed with error an invitation is required.")
    );

    let mut options = SignUpOptions::new().client_metadata(metadata(&[("plan", "pro")]));
    options
        .validation_data
        .insert("invitation".into(), "open-sesame".into());
    let out = auth.sign_up("bob", "Corr3ct-horse", options).await.unwrap();
    assert!(
        !matches!(out.next_step, SignUpStep::ConfirmSignUp { .. }),
        "the trigger confirmed the user: {:?}",
        out.next_step
    );
    let events = http.trigger_events();
    assert_eq!(events[1]["triggerSource"], "PreSignUp_SignUp");
    assert_eq!(
        events[1]["request"]["validationData"],
        json!({"invitation": "open-sesame"})
    );
    assert_eq!(
        events[1]["request"]["clientMetadata"],
        json!({"plan": "pro"})
    );
}
