//! Codec tests: request shape, error parsing, malformed responses.

use http::StatusCode;

use crate::Sensitive;

use super::*;

fn endpoint() -> Endpoint {
    Endpoint::parse("https://cognito-idp.us-east-1.amazonaws.com/").unwrap()
}

fn response(status: u16, content_type: Option<&str>, body: &str) -> http::Response<Vec<u8>> {
    let mut builder = http::Response::builder().status(status);
    if let Some(ct) = content_type {
        builder = builder.header("content-type", ct);
    }
    builder.body(body.as_bytes().to_vec()).unwrap()
}

#[test]
fn encode_posts_json_with_target_and_content_type() {
    let input = GetIdInput {
        identity_pool_id: "us-east-1:abc".into(),
        ..Default::default()
    };
    let request = encode(&endpoint(), &input);
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(
        request.uri(),
        "https://cognito-idp.us-east-1.amazonaws.com/"
    );
    assert_eq!(
        request.headers()["content-type"],
        "application/x-amz-json-1.1"
    );
    assert_eq!(
        request.headers()["x-amz-target"],
        "AWSCognitoIdentityService.GetId"
    );
    assert_eq!(request.body(), br#"{"IdentityPoolId":"us-east-1:abc"}"#);
}

#[test]
fn targets_follow_the_service_prefix() {
    assert_eq!(
        InitiateAuth::TARGET,
        "AWSCognitoIdentityProviderService.InitiateAuth"
    );
    assert_eq!(
        SetUserMfaPreference::TARGET,
        "AWSCognitoIdentityProviderService.SetUserMFAPreference"
    );
    assert_eq!(
        GetCredentialsForIdentity::TARGET,
        "AWSCognitoIdentityService.GetCredentialsForIdentity"
    );
    const { assert!(GlobalSignOut::EMPTY_OUTPUT) };
    const { assert!(!InitiateAuth::EMPTY_OUTPUT) };
}

#[test]
fn initiate_auth_encodes_pascal_case_and_skips_absent_fields() {
    let input = InitiateAuthInput {
        auth_flow: AuthFlow::UserSrpAuth,
        client_id: "c".into(),
        auth_parameters: Parameters::new().with("USERNAME", "u").with("SRP_A", "abc"),
        ..Default::default()
    };
    let body = String::from_utf8(encode(&endpoint(), &input).into_body()).unwrap();
    assert_eq!(
        body,
        r#"{"AuthFlow":"USER_SRP_AUTH","ClientId":"c","AuthParameters":{"SRP_A":"abc","USERNAME":"u"}}"#
    );
    assert!(!format!("{input:?}").contains("abc"));
}

#[test]
fn challenge_output_decodes() {
    let body = r#"{"ChallengeName":"PASSWORD_VERIFIER","ChallengeParameters":{"SALT":"ab","SRP_B":"cd","SECRET_BLOCK":"ef","USER_ID_FOR_SRP":"alice"},"Session":null}"#;
    let out = decode::<InitiateAuth, _>(response(200, Some(CONTENT_TYPE_AMZ_JSON), body)).unwrap();
    assert_eq!(out.challenge_name, Some(ChallengeName::PasswordVerifier));
    assert_eq!(
        out.challenge_parameters.get("USER_ID_FOR_SRP"),
        Some("alice")
    );
    assert_eq!(out.session, None);
}

#[test]
fn unknown_challenge_names_are_kept() {
    let body = r#"{"ChallengeName":"FUTURE_CHALLENGE"}"#;
    let out = decode::<InitiateAuth, _>(response(200, None, body)).unwrap();
    assert_eq!(
        out.challenge_name,
        Some(ChallengeName::Other("FUTURE_CHALLENGE".into()))
    );
}

#[test]
fn error_type_is_read_from_body_with_prefix() {
    let body = r#"{"__type":"com.amazonaws.cognito.identity.model#NotAuthorizedException","message":"Logins don't match."}"#;
    let err = decode::<GetId, _>(response(400, Some(CONTENT_TYPE_AMZ_JSON), body)).unwrap_err();
    let Error::Service(service) = err else {
        panic!("{err:?}")
    };
    assert_eq!(service.kind, ErrorKind::NotAuthorized);
    assert_eq!(service.message.as_deref(), Some("Logins don't match."));
    assert!(!service.is_retryable());
}

#[test]
fn error_type_header_wins_and_loses_its_suffix() {
    let response = http::Response::builder()
        .status(400)
        .header(
            "x-amzn-ErrorType",
            "CodeMismatchException:http://internal.amazon.com/coral/",
        )
        .header("x-amzn-RequestId", "req-1")
        .body(r#"{"Message":"Invalid code provided, please request a code again."}"#)
        .unwrap();
    let err = decode::<ConfirmSignUp, _>(response).unwrap_err();
    let Error::Service(service) = err else {
        panic!("{err:?}")
    };
    assert_eq!(service.kind, ErrorKind::CodeMismatch);
    assert_eq!(service.request_id.as_deref(), Some("req-1"));
    assert!(service.message.unwrap().starts_with("Invalid code"));
}

#[test]
fn html_500_is_malformed_and_retryable_never_not_authorized() {
    let err = decode::<RevokeToken, _>(response(
        500,
        Some("text/html; charset=utf-8"),
        "<!doctype html><html><title>500 Internal Server Error</title>",
    ))
    .unwrap_err();
    assert_eq!(err.kind(), None);
    assert_eq!(err.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(err.is_retryable());
    let Error::MalformedResponse(malformed) = err else {
        panic!()
    };
    assert!(matches!(malformed.reason, MalformedReason::NotJson { .. }));
    assert!(malformed.excerpt.unwrap().starts_with("<!doctype html>"));
}

#[test]
fn empty_success_body_is_fine_only_for_empty_outputs() {
    assert!(decode::<GlobalSignOut, _>(response(200, None, "")).is_ok());
    let err = decode::<InitiateAuth, _>(response(200, None, "")).unwrap_err();
    assert!(matches!(
        err,
        Error::MalformedResponse(MalformedResponse {
            reason: MalformedReason::EmptyBody,
            ..
        })
    ));
}

#[test]
fn truncated_success_body_is_malformed_without_excerpt() {
    let err = decode::<InitiateAuth, _>(response(
        200,
        Some(CONTENT_TYPE_AMZ_JSON),
        r#"{"AuthenticationResult":{"AccessToken":"eyJsecret"#,
    ))
    .unwrap_err();
    let Error::MalformedResponse(malformed) = err else {
        panic!()
    };
    assert_eq!(malformed.reason, MalformedReason::Truncated);
    assert_eq!(malformed.excerpt, None);
    assert!(!format!("{malformed} {malformed:?}").contains("eyJsecret"));
}

#[test]
fn wrong_shape_is_malformed() {
    let err = decode::<GetId, _>(response(200, None, r#"{"IdentityId":42}"#)).unwrap_err();
    assert!(matches!(
        err,
        Error::MalformedResponse(MalformedResponse {
            reason: MalformedReason::UnexpectedShape { .. },
            ..
        })
    ));
}

#[test]
fn moto_text_html_content_type_with_json_body_is_accepted() {
    let out = decode::<GetId, _>(response(
        200,
        Some("text/html; charset=utf-8"),
        r#"{"IdentityId":"us-east-1:x"}"#,
    ))
    .unwrap();
    assert_eq!(out.identity_id, "us-east-1:x");
}

#[test]
fn error_status_without_code_is_malformed() {
    let err = decode::<GetId, _>(response(
        403,
        Some(CONTENT_TYPE_AMZ_JSON),
        r#"{"message":"Forbidden"}"#,
    ))
    .unwrap_err();
    assert!(matches!(
        err,
        Error::MalformedResponse(MalformedResponse {
            reason: MalformedReason::MissingErrorCode,
            ..
        })
    ));
    let err = decode::<GetId, _>(response(502, None, "")).unwrap_err();
    assert!(matches!(
        err,
        Error::MalformedResponse(MalformedResponse {
            reason: MalformedReason::EmptyBody,
            ..
        })
    ));
    assert!(err.is_retryable());
}

#[test]
fn request_bodies_never_carry_null() {
    // Smithy's JSON protocols omit an absent member; a `null` is not a value of any shape.
    let bodies = [
        encode(&endpoint(), &InitiateAuthInput::default()).into_body(),
        encode(
            &endpoint(),
            &RespondToAuthChallengeInput {
                client_id: "c".into(),
                challenge_name: ChallengeName::SmsMfa,
                session: None,
                challenge_responses: Parameters::new(),
                client_metadata: Default::default(),
                analytics_metadata: None,
                user_context_data: None,
            },
        )
        .into_body(),
        encode(&endpoint(), &GetTokensFromRefreshTokenInput::default()).into_body(),
        encode(&endpoint(), &RevokeTokenInput::default()).into_body(),
        encode(&endpoint(), &GlobalSignOutInput::default()).into_body(),
        encode(&endpoint(), &SignUpInput::default()).into_body(),
        encode(&endpoint(), &ConfirmSignUpInput::default()).into_body(),
        encode(&endpoint(), &ResendConfirmationCodeInput::default()).into_body(),
        encode(&endpoint(), &ForgotPasswordInput::default()).into_body(),
        encode(&endpoint(), &ConfirmForgotPasswordInput::default()).into_body(),
        encode(&endpoint(), &ChangePasswordInput::default()).into_body(),
        encode(&endpoint(), &GetUserInput::default()).into_body(),
        encode(&endpoint(), &UpdateUserAttributesInput::default()).into_body(),
        encode(
            &endpoint(),
            &GetUserAttributeVerificationCodeInput::default(),
        )
        .into_body(),
        encode(&endpoint(), &VerifyUserAttributeInput::default()).into_body(),
        encode(&endpoint(), &DeleteUserAttributesInput::default()).into_body(),
        encode(&endpoint(), &DeleteUserInput::default()).into_body(),
        encode(&endpoint(), &AssociateSoftwareTokenInput::default()).into_body(),
        encode(&endpoint(), &VerifySoftwareTokenInput::default()).into_body(),
        encode(
            &endpoint(),
            &SetUserMfaPreferenceInput {
                sms_mfa_settings: Some(MfaSettings::default()),
                web_authn_mfa_settings: Some(WebAuthnMfaSettings::default()),
                ..Default::default()
            },
        )
        .into_body(),
        encode(&endpoint(), &ConfirmDeviceInput::default()).into_body(),
        encode(&endpoint(), &UpdateDeviceStatusInput::default()).into_body(),
        encode(&endpoint(), &ListDevicesInput::default()).into_body(),
        encode(&endpoint(), &ForgetDeviceInput::default()).into_body(),
        encode(&endpoint(), &GetIdInput::default()).into_body(),
        encode(&endpoint(), &GetCredentialsForIdentityInput::default()).into_body(),
        encode(&endpoint(), &GetOpenIdTokenInput::default()).into_body(),
    ];
    for body in bodies {
        let body = String::from_utf8(body).unwrap();
        assert!(!body.contains("null"), "{body}");
    }
}

#[test]
fn respond_to_auth_challenge_names_its_challenge() {
    // ChallengeName is required by the service model: a body without it is no
    // RespondToAuthChallenge request, and one is always sent.
    assert!(serde_json::from_str::<RespondToAuthChallengeInput>(r#"{"ClientId":"c"}"#).is_err());
    let input: RespondToAuthChallengeInput = serde_json::from_str(
        r#"{"ClientId":"c","ChallengeName":"CUSTOM_CHALLENGE","ChallengeResponses":{"ANSWER":"42"}}"#,
    )
    .unwrap();
    let body = String::from_utf8(encode(&endpoint(), &input).into_body()).unwrap();
    assert_eq!(
        body,
        r#"{"ClientId":"c","ChallengeName":"CUSTOM_CHALLENGE","ChallengeResponses":{"ANSWER":"42"}}"#
    );
}

#[test]
fn set_user_mfa_preference_sends_passkey_mfa_as_the_model_names_it() {
    let input = SetUserMfaPreferenceInput {
        software_token_mfa_settings: Some(MfaSettings {
            enabled: Some(true),
            preferred_mfa: Some(true),
        }),
        web_authn_mfa_settings: Some(WebAuthnMfaSettings {
            enabled: Some(true),
        }),
        access_token: Sensitive::new("at"),
        ..Default::default()
    };
    let body = String::from_utf8(encode(&endpoint(), &input).into_body()).unwrap();
    assert_eq!(
        body,
        r#"{"SoftwareTokenMfaSettings":{"Enabled":true,"PreferredMfa":true},"WebAuthnMfaSettings":{"Enabled":true},"AccessToken":"at"}"#
    );
}

#[test]
fn operation_not_enabled_and_tier_errors_are_typed() {
    for (code, kind) in [
        (
            "OperationNotEnabledException",
            ErrorKind::OperationNotEnabled,
        ),
        (
            "FeatureUnavailableInTierException",
            ErrorKind::FeatureUnavailableInTier,
        ),
    ] {
        let body = format!(
            r#"{{"__type":"com.amazonaws.cognito.identity.idp.model#{code}","message":"Not available."}}"#
        );
        let err = decode::<InitiateAuth, _>(response(400, Some(CONTENT_TYPE_AMZ_JSON), &body))
            .unwrap_err();
        assert_eq!(err.kind(), Some(&kind));
        assert!(!err.is_retryable());
    }
}
