//! The `lambda` router, driven without a network: each test builds a `LambdaEvent` and calls
//! the handler function directly. The handlers are the example Lambda's.
#![cfg(feature = "lambda")]

#[path = "../examples/trigger_lambda.rs"]
#[allow(dead_code, reason = "the example's main is not used here")]
mod example;

use auth_triggers::TriggerEvent;
use auth_triggers::lambda::{TriggerError, Triggers};
use lambda_runtime::{Context, Diagnostic, LambdaEvent};
use serde_json::{Value, json};
use std::future::Future;

fn invocation(source: &str, request: Value, response: Value) -> LambdaEvent<TriggerEvent> {
    let mut payload = json!({
        "version": "1", "triggerSource": source, "region": "us-east-1",
        "userPoolId": "us-east-1_EXAMPLE", "userName": "jdoe",
        "callerContext": {"awsSdkVersion": "aws-sdk-js-3", "clientId": "abc"},
    });
    payload["request"] = request;
    payload["response"] = response;
    LambdaEvent::new(serde_json::from_value(payload).unwrap(), Context::default())
}

fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

#[test]
fn pre_sign_up_auto_confirms_allowed_domain() {
    let event = invocation(
        "PreSignUp_SignUp",
        json!({"userAttributes": {"email": "jane@example.com"}, "validationData": null}),
        json!({"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false}),
    );
    let out = block_on(example::router().handle(event)).unwrap();
    let out = serde_json::to_value(out).unwrap();
    assert_eq!(out["response"]["autoConfirmUser"], true);
    assert_eq!(out["response"]["autoVerifyEmail"], true);
    assert_eq!(out["response"]["autoVerifyPhone"], false);
    assert!(out["request"]["validationData"].is_null());
}

#[test]
fn pre_sign_up_rejects_other_domains_with_the_handlers_message() {
    let event = invocation(
        "PreSignUp_SignUp",
        json!({"userAttributes": {"email": "eve@evil.test"}}),
        json!({}),
    );
    let err = block_on(example::router().handle(event)).unwrap_err();
    assert!(matches!(err, TriggerError::Handler(_)));
    assert_eq!(
        err.to_string(),
        "sign-up is open to example.com addresses only"
    );
}

#[test]
fn pre_authentication_reads_client_metadata_from_validation_data() {
    let ok = invocation(
        "PreAuthentication_Authentication",
        json!({"userAttributes": {}, "validationData": {"app": "mobile"}}),
        json!({}),
    );
    assert!(block_on(example::router().handle(ok)).is_ok());

    let denied = invocation(
        "PreAuthentication_Authentication",
        json!({"userAttributes": {}, "validationData": null}),
        json!({}),
    );
    let err = block_on(example::router().handle(denied)).unwrap_err();
    assert_eq!(err.to_string(), "sign in from the web or mobile app");
}

#[test]
fn unhandled_source_is_an_error_naming_it() {
    let event = invocation("PostConfirmation_ConfirmSignUp", json!({}), json!({}));
    let err = block_on(example::router().handle(event)).unwrap_err();
    assert!(matches!(err, TriggerError::Unhandled { .. }));
    assert!(
        err.to_string().contains("PostConfirmation_ConfirmSignUp"),
        "{err}"
    );
    let diagnostic = Diagnostic::from(err);
    assert_eq!(diagnostic.error_type, "UnhandledTriggerSource");

    let unknown = invocation("Brand_New", json!({}), json!({}));
    let err = block_on(example::router().handle(unknown)).unwrap_err();
    assert!(err.to_string().contains("Brand_New"), "{err}");
}

#[test]
fn invalid_response_is_caught_before_it_reaches_cognito() {
    let router = Triggers::new().on_define_auth_challenge(
        |mut event: auth_triggers::DefineAuthChallengeEvent| async move {
            event.response.issue_tokens = true;
            event.response.fail_authentication = true;
            Ok::<_, std::convert::Infallible>(event)
        },
    );
    let event = invocation(
        "DefineAuthChallenge_Authentication",
        json!({"session": []}),
        json!({}),
    );
    let err = block_on(router.handle(event)).unwrap_err();
    assert!(matches!(err, TriggerError::InvalidResponse { .. }));
    let diagnostic = Diagnostic::from(err);
    assert_eq!(diagnostic.error_type, "InvalidTriggerResponse");
    assert!(
        diagnostic.error_message.contains("issueTokens"),
        "{}",
        diagnostic.error_message
    );
}

#[test]
fn one_function_serves_several_families() {
    let router = example::router().on_post_confirmation(
        |event: auth_triggers::PostConfirmationEvent| async move {
            Ok::<_, std::convert::Infallible>(event)
        },
    );
    let event = invocation(
        "PostConfirmation_ConfirmSignUp",
        json!({"clientMetadata": null}),
        json!({}),
    );
    let out = block_on(router.handle(event)).unwrap();
    assert!(matches!(out, TriggerEvent::PostConfirmation(_)));
    assert!(format!("{router:?}").contains("PostConfirmation"));
}
