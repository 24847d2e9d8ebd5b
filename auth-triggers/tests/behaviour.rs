//! Lenient reading, lossless writing, response validation and the metadata accessors.

use auth_triggers::{
    DefineAuthChallengeEvent, Event, FinalUserStatus, PreSignUpEvent, PreTokenGenerationV2Event,
    ResponseError, TriggerEvent, TriggerSource, UserMigrationEvent,
};
use serde_json::{Value, json};

fn parse(value: &Value) -> TriggerEvent {
    serde_json::from_value(value.clone()).expect("parses")
}

fn envelope(source: &str, request: Value, response: Value) -> Value {
    let mut event = json!({
        "version": "1", "triggerSource": source, "region": "us-east-1",
        "userPoolId": "us-east-1_EXAMPLE", "userName": "jdoe",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "abc"},
    });
    event["request"] = request;
    event["response"] = response;
    event
}

#[test]
fn empty_response_parses_where_aws_lambda_events_rejects_it() {
    let input = envelope("PreSignUp_SignUp", json!({"userAttributes": {}}), json!({}));
    let bytes = serde_json::to_vec(&input).unwrap();
    assert!(
        serde_json::from_slice::<aws_lambda_events::event::cognito::CognitoEventUserPoolsPreSignup>(&bytes)
            .is_err()
    );
    let event: PreSignUpEvent = serde_json::from_slice(&bytes).unwrap();
    assert!(!event.response.auto_confirm_user);
    assert_eq!(serde_json::to_value(&event).unwrap(), input);
}

#[test]
fn null_session_and_numeric_version_parse() {
    let mut input = envelope(
        "DefineAuthChallenge_Authentication",
        json!({"userAttributes": null, "session": null, "clientMetadata": null}),
        json!({"challengeName": null, "issueTokens": null, "failAuthentication": null}),
    );
    input["version"] = json!(1);
    let event: DefineAuthChallengeEvent = serde_json::from_value(input.clone()).unwrap();
    assert!(event.request.session.is_empty());
    assert_eq!(event.version.major(), Some(1));
    assert!(event.version.is_number());
    assert_eq!(serde_json::to_value(&event).unwrap(), input);
}

#[test]
fn missing_scopes_parse_as_empty() {
    let mut input = envelope(
        "TokenGeneration_Authentication",
        json!({"userAttributes": {"sub": "1"}, "groupConfiguration": {}}),
        json!({"claimsAndScopeOverrideDetails": null}),
    );
    input["version"] = json!("2");
    let event = parse(&input);
    let TriggerEvent::PreTokenGenerationV2(event) = &event else {
        panic!("expected V2, got {event:?}")
    };
    assert!(event.request.scopes.is_empty());
}

#[test]
fn changed_null_field_is_written_with_its_new_value() {
    let input = envelope(
        "DefineAuthChallenge_Authentication",
        json!({"session": []}),
        json!({"challengeName": null, "issueTokens": null, "failAuthentication": null}),
    );
    let mut event: DefineAuthChallengeEvent = serde_json::from_value(input).unwrap();
    event.response.next_challenge("CUSTOM_CHALLENGE");
    let out = serde_json::to_value(&event).unwrap();
    assert_eq!(out["response"]["challengeName"], "CUSTOM_CHALLENGE");
    // Untouched nulls stay null.
    assert!(out["response"]["issueTokens"].is_null());
}

#[test]
fn unknown_fields_are_kept_at_every_level() {
    let mut input = envelope(
        "PostConfirmation_ConfirmSignUp",
        json!({"userAttributes": {"email": "a@b.c"}, "newThing": [1, 2]}),
        json!({"later": {"x": null}}),
    );
    input["callerContext"]["newContext"] = json!(true);
    input["topLevel"] = json!("kept");
    let event = parse(&input);
    assert_eq!(serde_json::to_value(&event).unwrap(), input);
    let TriggerEvent::PostConfirmation(e) = event else {
        panic!()
    };
    assert_eq!(e.request.extra["newThing"], json!([1, 2]));
    assert_eq!(e.extra["topLevel"], "kept");
    assert_eq!(e.caller_context.extra["newContext"], true);
}

#[test]
fn unknown_source_is_kept_whole() {
    let input = json!({"triggerSource": "Brand_New", "anything": {"goes": [null]}});
    let event = parse(&input);
    assert!(matches!(event, TriggerEvent::Unknown(_)));
    assert_eq!(
        event.trigger_source(),
        &TriggerSource::Other("Brand_New".into())
    );
    assert_eq!(event.family(), None);
    assert_eq!(serde_json::to_value(&event).unwrap(), input);
}

#[test]
fn event_without_trigger_source_is_an_error() {
    let err = serde_json::from_value::<TriggerEvent>(json!({"version": "1"})).unwrap_err();
    assert!(err.to_string().contains("triggerSource"), "{err}");
    assert!(serde_json::from_str::<TriggerEvent>("[1,2]").is_err());
    assert!(serde_json::from_str::<TriggerEvent>(r#"{"triggerSource": 5}"#).is_err());
}

#[test]
fn wrongly_typed_known_field_is_an_error_not_a_panic() {
    let input = envelope("PreSignUp_SignUp", json!({"userAttributes": 5}), json!({}));
    assert!(serde_json::from_value::<TriggerEvent>(input).is_err());
}

#[test]
fn pre_token_version_picks_the_variant() {
    for (version, expected) in [
        (json!("1"), 1),
        (json!("2"), 2),
        (json!(3), 3),
        (json!("3.0"), 3),
    ] {
        let mut input = envelope("TokenGeneration_RefreshTokens", json!({}), json!({}));
        input["version"] = version;
        let got = match parse(&input) {
            TriggerEvent::PreTokenGenerationV1(_) => 1,
            TriggerEvent::PreTokenGenerationV2(_) => 2,
            TriggerEvent::PreTokenGenerationV3(_) => 3,
            other => panic!("{other:?}"),
        };
        assert_eq!(got, expected);
    }
    let mut input = envelope("TokenGeneration_ClientCredentials", json!({}), json!({}));
    input["version"] = json!("1");
    assert!(matches!(
        parse(&input),
        TriggerEvent::PreTokenGenerationV3(_)
    ));
}

#[test]
fn pre_token_without_version_goes_by_shape() {
    let mut input = envelope(
        "TokenGeneration_Authentication",
        json!({}),
        json!({"claimsAndScopeOverrideDetails": null}),
    );
    input.as_object_mut().unwrap().remove("version");
    assert!(matches!(
        parse(&input),
        TriggerEvent::PreTokenGenerationV2(_)
    ));
    input["response"] = json!({"claimsOverrideDetails": null});
    assert!(matches!(
        parse(&input),
        TriggerEvent::PreTokenGenerationV1(_)
    ));
}

#[test]
fn issue_tokens_with_fail_authentication_is_rejected() {
    let mut event = DefineAuthChallengeEvent::new(TriggerSource::DefineAuthChallengeAuthentication);
    event.response.issue_tokens = true;
    event.response.fail_authentication = true;
    assert_eq!(event.validate(), Err(ResponseError::IssueAndFail));
    event.response.fail_authentication = false;
    assert_eq!(event.validate(), Ok(()));
}

#[test]
fn unknown_next_challenge_is_rejected() {
    let mut event = DefineAuthChallengeEvent::new(TriggerSource::DefineAuthChallengeAuthentication);
    event.response.next_challenge("MAGIC_LINK");
    assert_eq!(
        event.validate(),
        Err(ResponseError::UnknownChallengeName {
            name: "MAGIC_LINK".into()
        })
    );
}

#[test]
fn unknown_final_user_status_is_rejected() {
    let mut event = UserMigrationEvent::new(TriggerSource::UserMigrationAuthentication);
    event.response.final_user_status = Some("ACTIVE".into());
    assert!(matches!(
        event.validate(),
        Err(ResponseError::UnknownFinalUserStatus { status }) if status == "ACTIVE"
    ));
    event
        .response
        .final_user_status(FinalUserStatus::Confirmed)
        .attribute("email", "a@b.c")
        .attribute("email_verified", "true");
    assert_eq!(event.validate(), Ok(()));
    event
        .response
        .desired_delivery_mediums
        .push("PIGEON".into());
    assert!(matches!(
        event.validate(),
        Err(ResponseError::UnknownDeliveryMedium { .. })
    ));
}

#[test]
fn auto_verify_email_without_email_is_rejected() {
    let mut event = PreSignUpEvent::new(TriggerSource::PreSignUpSignUp);
    event.response.auto_verify_email(true);
    assert!(matches!(
        event.validate(),
        Err(ResponseError::MissingVerifiedAttribute {
            attribute: "email",
            ..
        })
    ));
    event.request.user_attributes.insert("email", "a@b.c");
    assert_eq!(event.validate(), Ok(()));
}

#[test]
fn reserved_and_contradictory_claims_are_rejected() {
    let mut event: PreTokenGenerationV2Event =
        Event::new(TriggerSource::TokenGenerationAuthentication);
    event.response.id_token_mut().add_claim("sub", "x");
    assert!(matches!(
        event.validate(),
        Err(ResponseError::ReservedClaim { .. })
    ));

    let mut event: PreTokenGenerationV2Event =
        Event::new(TriggerSource::TokenGenerationAuthentication);
    event
        .response
        .access_token_mut()
        .add_claim("tenant", json!({"id": 1}))
        .suppress_claim("tenant");
    assert!(matches!(
        event.validate(),
        Err(ResponseError::ClaimAddedAndSuppressed { .. })
    ));

    let mut event: PreTokenGenerationV2Event =
        Event::new(TriggerSource::TokenGenerationAuthentication);
    event
        .response
        .access_token_mut()
        .add_claim("tenant", json!(["a", 1]))
        .add_scope("api/read");
    assert_eq!(event.validate(), Ok(()));
}

#[test]
fn custom_message_must_contain_the_code_placeholder() {
    let input = envelope(
        "CustomMessage_SignUp",
        json!({"userAttributes": {}, "codeParameter": "{####}", "linkParameter": "{##Verify##}"}),
        json!({"smsMessage": null, "emailMessage": null, "emailSubject": null}),
    );
    let TriggerEvent::CustomMessage(mut event) = parse(&input) else {
        panic!()
    };
    event.response.email_message("Welcome!");
    assert!(matches!(
        event.validate(),
        Err(ResponseError::MissingPlaceholder {
            field: "emailMessage",
            ..
        })
    ));
    event.response.email_message("Your code is {####}");
    assert_eq!(event.validate(), Ok(()));
    event.response.email_message("Click {##Verify##}");
    assert_eq!(event.validate(), Ok(()));
    event.response.email_subject("x".repeat(141));
    assert!(matches!(
        event.validate(),
        Err(ResponseError::MessageTooLong { max: 140, .. })
    ));
}

#[test]
fn initiate_auth_metadata_arrives_as_validation_data_for_pre_authentication() {
    let input = envelope(
        "PreAuthentication_Authentication",
        json!({"userAttributes": {}, "validationData": {"app": "mobile"}}),
        json!({}),
    );
    let event = parse(&input);
    assert_eq!(event.client_metadata(), None);
    assert_eq!(
        event.validation_data().and_then(|m| m.get("app")),
        Some("mobile")
    );
}

#[test]
fn client_metadata_accessor_reads_each_family() {
    let meta = json!({"k": "v"});
    for source in [
        "PreSignUp_SignUp",
        "PostConfirmation_ConfirmSignUp",
        "PostAuthentication_Authentication",
        "DefineAuthChallenge_Authentication",
        "CreateAuthChallenge_Authentication",
        "VerifyAuthChallengeResponse_Authentication",
        "TokenGeneration_Authentication",
        "UserMigration_ForgotPassword",
        "CustomMessage_ForgotPassword",
        "CustomEmailSender_SignUp",
        "CustomSMSSender_SignUp",
    ] {
        let event = parse(&envelope(
            source,
            json!({"clientMetadata": meta}),
            json!({}),
        ));
        assert_eq!(
            event.client_metadata().and_then(|m| m.get("k")),
            Some("v"),
            "{source}"
        );
    }
    let federation = parse(&envelope(
        "InboundFederation_ExternalProvider",
        json!({}),
        json!({}),
    ));
    assert_eq!(federation.client_metadata(), None);
}

#[test]
fn string_map_keeps_non_string_values() {
    let input = envelope(
        "CustomMessage_VerifyUserAttribute",
        json!({"userAttributes": {"phone_number_verified": true, "email": "a@b.c"}}),
        json!({}),
    );
    let event = parse(&input);
    let attributes = event.user_attributes().unwrap();
    assert_eq!(attributes.get("phone_number_verified"), None);
    assert_eq!(
        attributes.get_value("phone_number_verified"),
        Some(&json!(true))
    );
    assert_eq!(attributes.iter().count(), 1);
    assert_eq!(serde_json::to_value(&event).unwrap(), input);
}

#[test]
fn password_is_redacted_in_debug_output() {
    let input = envelope(
        "UserMigration_Authentication",
        json!({"password": "hunter2!"}),
        json!({}),
    );
    let event = parse(&input);
    let debug = format!("{event:?}");
    assert!(!debug.contains("hunter2"), "{debug}");
    let TriggerEvent::UserMigration(e) = event else {
        panic!()
    };
    assert_eq!(e.request.password.expose(), "hunter2!");
}

#[cfg(feature = "aws-lambda-events")]
#[test]
fn converts_to_and_from_aws_lambda_events() {
    use aws_lambda_events::event::cognito::CognitoEventUserPoolsPreSignup;
    let input = envelope(
        "PreSignUp_SignUp",
        json!({"userAttributes": {"email": "a@b.c"}, "validationData": {}, "clientMetadata": {}}),
        json!({"autoConfirmUser": true, "autoVerifyEmail": false, "autoVerifyPhone": false}),
    );
    let ours: PreSignUpEvent = serde_json::from_value(input).unwrap();
    let theirs = CognitoEventUserPoolsPreSignup::try_from(ours.clone()).unwrap();
    assert!(theirs.response.auto_confirm_user);
    let back = PreSignUpEvent::try_from(theirs).unwrap();
    assert_eq!(back.request.user_attributes, ours.request.user_attributes);
    assert!(back.response.auto_confirm_user);
}

#[test]
fn duplicate_trigger_source_or_version_is_an_error() {
    // Found by fuzzing: the first `triggerSource` chose the type, the last one was kept.
    let data = br#"{"version": "1", "triggerSource": "CustomEmailSender_SignUp",
                    "triggerSource": "Other_Thing", "response": {}}"#;
    assert!(serde_json::from_slice::<TriggerEvent>(data).is_err());
    assert!(TriggerEvent::from_slice(data).is_err());
    let data = br#"{"triggerSource": "TokenGeneration_Authentication", "version": "1",
                    "request": {}, "version": "2"}"#;
    assert!(serde_json::from_slice::<TriggerEvent>(data).is_err());
    assert!(TriggerEvent::from_slice(data).is_err());
}
