//! An API Gateway Lambda authorizer verifying Cognito access tokens, for both kinds of API:
//!
//! * a **REST API `TOKEN` authorizer** (identity source `method.request.header.Authorization`)
//!   answers with an IAM policy: `Allow` on the method for a valid token, `Deny` (API Gateway
//!   answers 403) for a genuine token without the required group or scope, and the error
//!   `Unauthorized` (API Gateway answers 401) for any other refused token;
//! * an **HTTP API authorizer** (payload format 2.0, simple responses enabled) answers
//!   `{"isAuthorized": …, "context": …}`; API Gateway answers 403 for `false`.
//!
//! When the pool's keys cannot be fetched the function fails with another error: API Gateway
//! answers 500, and does not cache the answer.
//!
//! Deploy with `USER_POOL_ID` and `CLIENT_ID` set (e.g. with cargo-lambda); the verifier
//! and its key cache live as long as the execution environment, so the keys are fetched
//! once per cold start, not per request.

use auth_providers::ReqwestHttpClient;
use auth_verify::{
    CognitoClaims, CognitoPool, CognitoVerifier, JwksCache, TokenUse, Verify, VerifyError,
    VerifyErrorKind, bearer_token,
};
use aws_lambda_events::apigw::{
    ApiGatewayCustomAuthorizerPolicy, ApiGatewayCustomAuthorizerRequest,
    ApiGatewayCustomAuthorizerResponse, ApiGatewayV2CustomAuthorizerSimpleResponse,
    ApiGatewayV2CustomAuthorizerV2Request,
};
use aws_lambda_events::iam::{IamPolicyEffect, IamPolicyStatement};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let keys = JwksCache::new(ReqwestHttpClient::builder().build()?);
    let verifier = CognitoVerifier::builder(keys)
        .pool(
            CognitoPool::new(std::env::var("USER_POOL_ID")?, TokenUse::Access)?
                .client_id(std::env::var("CLIENT_ID")?),
        )
        .build()?;
    // During the init phase, which AWS does not bill against the first request's latency.
    if let Err(error) = verifier.hydrate().await {
        eprintln!("the user pool's keys could not be fetched yet: {error}");
    }
    let verifier = &verifier;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        authorize(verifier, event.payload).await
    }))
    .await
}

/// Tells the two event shapes apart: REST `TOKEN` events have `"type": "TOKEN"`, HTTP API
/// events `"version": "2.0"`.
async fn authorize(
    verifier: &impl Verify<Claims = CognitoClaims>,
    event: Value,
) -> Result<Value, Error> {
    if event.get("type").and_then(Value::as_str) == Some("TOKEN") {
        let request: ApiGatewayCustomAuthorizerRequest = serde_json::from_value(event)?;
        Ok(serde_json::to_value(rest_token(verifier, request).await?)?)
    } else {
        let request: ApiGatewayV2CustomAuthorizerV2Request = serde_json::from_value(event)?;
        Ok(serde_json::to_value(
            http_api_simple(verifier, request).await?,
        )?)
    }
}

/// REST API `TOKEN` authorizer.
async fn rest_token(
    verifier: &impl Verify<Claims = CognitoClaims>,
    request: ApiGatewayCustomAuthorizerRequest,
) -> Result<ApiGatewayCustomAuthorizerResponse, Error> {
    let method_arn = request.method_arn.unwrap_or_default();
    let header = request.authorization_token.unwrap_or_default();
    // API Gateway maps exactly the error message "Unauthorized" to a 401.
    let Ok(token) = bearer_token(&header) else {
        return Err("Unauthorized".into());
    };
    let (principal, effect, context) = match verifier.verify(token).await {
        Ok(claims) => (
            claims.sub().to_owned(),
            IamPolicyEffect::Allow,
            context_of(&claims),
        ),
        Err(error) => match refusal(&error)? {
            Refusal::Forbidden => ("anonymous".to_owned(), IamPolicyEffect::Deny, json!({})),
            Refusal::Unauthorized => return Err("Unauthorized".into()),
        },
    };
    let mut statement = IamPolicyStatement::default();
    statement.action = vec!["execute-api:Invoke".to_owned()];
    statement.effect = effect;
    statement.resource = vec![method_arn];
    let mut policy = ApiGatewayCustomAuthorizerPolicy::default();
    policy.version = Some("2012-10-17".to_owned());
    policy.statement = vec![statement];
    let mut response = ApiGatewayCustomAuthorizerResponse::default();
    response.principal_id = Some(principal);
    response.policy_document = policy;
    response.context = context;
    Ok(response)
}

/// HTTP API authorizer, simple response.
async fn http_api_simple(
    verifier: &impl Verify<Claims = CognitoClaims>,
    request: ApiGatewayV2CustomAuthorizerV2Request,
) -> Result<ApiGatewayV2CustomAuthorizerSimpleResponse, Error> {
    // The identity source `$request.header.Authorization`: API Gateway itself answers 401
    // when it is missing, so the function only sees requests that have one.
    let header = request
        .identity_source
        .as_deref()
        .and_then(<[String]>::first)
        .map(String::as_str)
        .unwrap_or_default();
    let mut response = ApiGatewayV2CustomAuthorizerSimpleResponse::default();
    let Ok(token) = bearer_token(header) else {
        return Ok(response);
    };
    match verifier.verify(token).await {
        Ok(claims) => {
            response.is_authorized = true;
            response.context = context_of(&claims);
        }
        Err(error) => {
            refusal(&error)?;
        }
    }
    Ok(response)
}

enum Refusal {
    /// The token is not valid.
    Unauthorized,
    /// The token is valid but lacks a group or scope.
    Forbidden,
}

/// Which refusal a verification error is; an `Err` (API Gateway: 500, not cached) when the
/// keys could not be fetched, so that a valid token is not refused for minutes.
fn refusal(error: &VerifyError) -> Result<Refusal, Error> {
    // Logged without the token: VerifyError's Display never quotes it.
    eprintln!("token refused: {error}");
    match error.kind() {
        VerifyErrorKind::KeyFetch => Err("the user pool's keys are unavailable".into()),
        VerifyErrorKind::MissingGroup | VerifyErrorKind::MissingScope => Ok(Refusal::Forbidden),
        _ => Ok(Refusal::Unauthorized),
    }
}

/// What the integration sees as `$context.authorizer.*` (REST) or
/// `$context.authorizer.lambda.*` (HTTP API): flat string values.
fn context_of(claims: &CognitoClaims) -> Value {
    json!({
        "sub": claims.sub(),
        "username": claims.username().unwrap_or_default(),
        "scope": claims.scopes().collect::<Vec<_>>().join(" "),
    })
}
