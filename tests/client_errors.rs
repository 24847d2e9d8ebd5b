//! What an `AuthError` says, against auth-core's scripted Cognito peer: the service's words on
//! the first line, a recovery suggestion, and one answer to "may the user enter the code
//! again?" for sign-up, sign-in, password reset and attribute verification.
#![cfg(feature = "client")]

use std::error::Error as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use auth::Auth;
use auth::client::{AuthError, SignInOptions, SignUpOptions};
use auth::core::machine::sign_in::{Answer, ConfirmOptions, SignInStep};
use auth::core::test_util::{CONFIRMATION_CODE, Mfa, Scenario, ScriptedPeer, TOTP_CODE, UserSpec};
use auth::core::wire::ErrorKind;
use auth::providers::{
    HttpClient, HttpError, HttpFuture, ManualTimeSource, ProviderFuture, TimeSource,
};

/// The scripted peer as an `HttpClient`. It has no VerifyUserAttribute, so that operation is
/// answered the way Cognito answers a wrong code (a canned 400 `CodeMismatchException`).
#[derive(Debug, Clone)]
struct Scripted {
    peer: Arc<Mutex<ScriptedPeer>>,
    clock: ManualTimeSource,
    offline: Arc<Mutex<bool>>,
}

impl HttpClient for Scripted {
    fn send(&self, request: http::Request<Vec<u8>>) -> HttpFuture<'_> {
        if *self.offline.lock().unwrap() {
            return ProviderFuture::ready(Err(HttpError::connect("offline")));
        }
        let target = request
            .headers()
            .get("x-amz-target")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if target.ends_with(".VerifyUserAttribute") {
            let body = br#"{"__type":"CodeMismatchException","message":"Invalid verification code provided, please try again."}"#;
            let response = http::Response::builder()
                .status(400)
                .header("content-type", "application/x-amz-json-1.1")
                .body(body.to_vec())
                .unwrap();
            return ProviderFuture::ready(Ok(response));
        }
        let response = self.peer.lock().unwrap().handle(&request, self.clock.now());
        ProviderFuture::ready(Ok(response))
    }
}

fn client(scenario: Scenario) -> (Auth, Scripted) {
    let config = scenario.config();
    let clock = ManualTimeSource::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000));
    let http = Scripted {
        peer: Arc::new(Mutex::new(ScriptedPeer::new(scenario))),
        clock: clock.clone(),
        offline: Arc::default(),
    };
    let auth = Auth::builder()
        .user_pool(config)
        .http_client(http.clone())
        .time_source(clock)
        .hub(auth::hub::Hub::new())
        .build()
        .unwrap();
    (auth, http)
}

fn alice() -> Scenario {
    Scenario::new().with_user(UserSpec::new("alice", "Corr3ct-horse"))
}

const WRONG_CODE: &str =
    "Invalid verification code provided, please try again. (CodeMismatchException)";

/// What every wrong code must say, whatever the operation.
fn assert_code_may_be_entered_again(err: &AuthError, operation: &str) {
    assert!(err.can_retry_code(), "{operation}: {err:?}");
    assert_eq!(err.service_kind(), Some(&ErrorKind::CodeMismatch));
    assert_eq!(err.to_string(), format!("{operation} failed: {WRONG_CODE}"));
    assert!(
        err.source().is_none(),
        "the message is not repeated in the chain"
    );
    assert_eq!(
        err.recovery_suggestion(),
        Some("Check the code and enter it again, or ask for a new one.")
    );
}

#[tokio::test]
async fn a_wrong_sign_up_code_may_be_entered_again() {
    let (auth, _) = client(Scenario::new());
    auth.sign_up(
        "bob",
        "Corr3ct-horse",
        SignUpOptions::new().user_attribute("email", "bob@example.com"),
    )
    .await
    .unwrap();
    let err = auth
        .confirm_sign_up("bob", "000000", Default::default())
        .await
        .unwrap_err();
    assert_code_may_be_entered_again(&err, "confirm_sign_up");
    auth.confirm_sign_up("bob", CONFIRMATION_CODE, Default::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_wrong_reset_code_may_be_entered_again_like_any_other_code() {
    let (auth, _) = client(alice());
    auth.reset_password("alice", Default::default())
        .await
        .unwrap();
    let err = auth
        .confirm_reset_password("alice", "N3w-password!", "000000", Default::default())
        .await
        .unwrap_err();
    assert_code_may_be_entered_again(&err, "confirm_reset_password");
    auth.confirm_reset_password(
        "alice",
        "N3w-password!",
        CONFIRMATION_CODE,
        Default::default(),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn a_wrong_mfa_code_at_sign_in_may_be_entered_again() {
    let (auth, _) = client(
        Scenario::new().with_user(UserSpec::new("alice", "Corr3ct-horse").with_mfa(Mfa::Totp)),
    );
    let out = auth
        .sign_in("alice", "Corr3ct-horse", SignInOptions::new())
        .await
        .unwrap();
    assert_eq!(out.next_step(), Some(&SignInStep::ConfirmWithTotpCode));
    let err = auth
        .confirm_sign_in(Answer::Code("000000".into()), ConfirmOptions::default())
        .await
        .unwrap_err();
    assert!(err.can_retry_code(), "{err:?}");
    assert_eq!(err.service_kind(), Some(&ErrorKind::CodeMismatch));
    assert!(
        err.to_string().starts_with("confirm_sign_in failed: "),
        "{err}"
    );
    let out = auth
        .confirm_sign_in(Answer::Code(TOTP_CODE.into()), ConfirmOptions::default())
        .await
        .unwrap();
    assert!(out.is_signed_in());
}

#[tokio::test]
async fn a_wrong_attribute_verification_code_may_be_entered_again() {
    let (auth, _) = client(alice());
    auth.sign_in("alice", "Corr3ct-horse", SignInOptions::new())
        .await
        .unwrap();
    let err = auth
        .confirm_user_attribute("email", "000000")
        .await
        .unwrap_err();
    assert_code_may_be_entered_again(&err, "VerifyUserAttribute");
}

#[tokio::test]
async fn a_wrong_password_says_what_cognito_said_on_the_first_line() {
    let (auth, _) = client(alice());
    let err = auth
        .sign_in("alice", "wrong-pass", SignInOptions::new())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "sign_in failed: Incorrect username or password. (NotAuthorizedException)"
    );
    assert!(err.source().is_none());
    assert!(!err.can_retry_code(), "no code was asked for");
    assert_eq!(
        err.service_error().map(|e| e.status.as_u16()),
        Some(400),
        "the details stay typed"
    );
    assert!(
        err.recovery_suggestion()
            .is_some_and(|s| s.contains("password")),
        "{:?}",
        err.recovery_suggestion()
    );
}

#[tokio::test]
async fn an_error_without_an_answer_keeps_its_cause_as_the_source() {
    let (auth, http) = client(alice());
    *http.offline.lock().unwrap() = true;
    let err = auth
        .sign_in("alice", "Corr3ct-horse", SignInOptions::new())
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::Transport { .. }), "{err:?}");
    assert!(
        !err.to_string().contains("offline"),
        "the cause is not repeated: {err}"
    );
    assert!(err.source().unwrap().to_string().contains("offline"));
    assert_eq!(
        err.recovery_suggestion(),
        Some("Check the network connection, then try again.")
    );
    assert!(!err.can_retry_code());
}

#[test]
fn validation_data_has_a_builder_method_like_client_metadata() {
    let data = auth::core::machine::ValidationData::from([("invite".to_owned(), "A1".to_owned())]);
    let options = SignUpOptions::new()
        .validation_data(data.clone())
        .client_metadata(data.clone());
    assert_eq!(options.validation_data, data);
    assert_eq!(options.client_metadata, data);
}
