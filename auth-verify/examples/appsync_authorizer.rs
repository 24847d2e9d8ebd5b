//! An AWS AppSync Lambda authorizer verifying Cognito access tokens (an API that also accepts
//! other authorization modes, or tokens of several pools, uses one like this instead of the
//! built-in Cognito mode).
//!
//! AppSync sends the `Authorization` header's value as `authorizationToken`, with or without
//! a `Bearer ` prefix; both are accepted here. A verified token is authorized with the
//! user's `sub` and `username` in the resolver context (`$ctx.identity.resolverContext`),
//! and a `ttlOverride` no longer than the token's remaining lifetime, so AppSync never
//! caches an answer past the token's expiry. When the keys cannot be fetched the function
//! fails, and AppSync refuses the request without caching the refusal.

use std::collections::HashMap;
use std::time::SystemTime;

use auth_providers::ReqwestHttpClient;
use auth_verify::{
    CognitoClaims, CognitoPool, CognitoVerifier, JwksCache, TokenUse, Verify, VerifyErrorKind,
    bearer_token,
};
use aws_lambda_events::appsync::{AppSyncLambdaAuthorizerRequest, AppSyncLambdaAuthorizerResponse};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;

/// The longest AppSync may cache an answer, in seconds (AppSync's default is 300).
const MAX_TTL_SECS: i64 = 300;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let keys = JwksCache::new(ReqwestHttpClient::builder().build()?);
    let verifier = CognitoVerifier::builder(keys)
        .pool(
            CognitoPool::new(std::env::var("USER_POOL_ID")?, TokenUse::Access)?
                .client_id(std::env::var("CLIENT_ID")?),
        )
        .build()?;
    if let Err(error) = verifier.hydrate().await {
        eprintln!("the user pool's keys could not be fetched yet: {error}");
    }
    let verifier = &verifier;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<AppSyncLambdaAuthorizerRequest>| async move {
            authorize(verifier, event.payload).await
        },
    ))
    .await
}

async fn authorize(
    verifier: &impl Verify<Claims = CognitoClaims>,
    request: AppSyncLambdaAuthorizerRequest,
) -> Result<AppSyncLambdaAuthorizerResponse, Error> {
    let raw = request.authorization_token.unwrap_or_default();
    let token = bearer_token(&raw).unwrap_or(raw.trim());
    let mut response = AppSyncLambdaAuthorizerResponse::default();
    match verifier.verify(token).await {
        Ok(claims) => {
            response.is_authorized = true;
            response.resolver_context = HashMap::from([
                ("sub".to_owned(), Value::from(claims.sub())),
                (
                    "username".to_owned(),
                    Value::from(claims.username().unwrap_or_default()),
                ),
            ]);
            let remaining = claims
                .expires_at()
                .and_then(|exp| exp.duration_since(SystemTime::now()).ok())
                .map_or(0, |left| i64::try_from(left.as_secs()).unwrap_or(i64::MAX));
            response.ttl_override = Some(remaining.min(MAX_TTL_SECS));
        }
        // A transient failure: not a verdict on the token, so not one AppSync may cache.
        Err(error) if error.kind() == VerifyErrorKind::KeyFetch => {
            return Err(format!("token not verified: {error}").into());
        }
        Err(error) => {
            // Logged without the token: VerifyError's Display never quotes it.
            eprintln!("token refused: {error}");
            response.ttl_override = Some(0);
        }
    }
    Ok(response)
}
