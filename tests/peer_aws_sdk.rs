//! AWS SDK clients built from `Auth::sdk_config` against moto (`cargo xtask peers up`): the
//! user's credentials end at sign-out.
//!
//! What moto fakes: GetCredentialsForIdentity returns fixed credentials, which moto's STS (no
//! SigV4 enforcement on this instance) accepts, so the test tells "signed as the user" from
//! "not signed at all" (no guest access), not one identity from another.
#![cfg(feature = "client")]

#[path = "support/peers.rs"]
#[allow(
    unreachable_pub,
    reason = "the shared locator serves every crate's peer tests"
)]
mod peers;

#[path = "support/moto.rs"]
mod moto;
use moto::{PASSWORD, identity_pool, user, user_pool};

use auth::Auth;
use auth::client::SignInOptions;
use auth::providers::ReqwestHttpClient;
use auth::providers::aws::SdkHttpClient;
use serde_json::json;

fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    while let Some(cause) = next {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        next = cause.source();
    }
    text
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn an_sdk_client_from_sdk_config_stops_calling_as_the_user_at_sign_out() {
    let moto = peers::moto();
    let config = user_pool().await;
    let identity = identity_pool(&config).await;
    let username = user(&config).await;
    // Configured from amplify_outputs.json, with moto as both pools' endpoint; no guests.
    let outputs = json!({"auth": {
        "aws_region": config.region(),
        "user_pool_id": config.pool_id(),
        "user_pool_client_id": config.client_id(),
        "identity_pool_id": identity.identity_pool_id(),
        "unauthenticated_identities_enabled": false,
    }})
    .to_string();
    let auth = Auth::builder()
        .amplify_outputs(&outputs)
        .unwrap()
        .user_pool_endpoint(&moto)
        .identity_pool_endpoint(&moto)
        .build()
        .unwrap();
    auth.sign_in(&username, PASSWORD, SignInOptions::new())
        .await
        .unwrap();

    let http = || SdkHttpClient::new(ReqwestHttpClient::builder().build().unwrap());
    // The one-line path (what examples/quickstart.rs does).
    let sdk_config = auth.sdk_config().unwrap();
    assert_eq!(
        sdk_config.region().map(AsRef::as_ref),
        Some(config.region())
    );
    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(&sdk_config)
            .endpoint_url(&moto)
            .http_client(http())
            .build(),
    );
    // What the quickstart did before: the provider by hand, the SDK's cache left on.
    let by_hand = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::Config::builder()
            .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
            .region(aws_sdk_sts::config::Region::new(config.region().to_owned()))
            .endpoint_url(&moto)
            .http_client(http())
            .credentials_provider(auth.aws_credentials_provider().unwrap())
            .build(),
    );
    sts.get_caller_identity().send().await.unwrap();
    by_hand.get_caller_identity().send().await.unwrap();

    auth.sign_out(Default::default()).await;

    let err = sts
        .get_caller_identity()
        .send()
        .await
        .expect_err("signed out, no guest access: no credentials to sign with");
    let why = chain(&err);
    assert!(why.contains("guest access is not enabled"), "{why}");
    // The SDK's default identity cache is why the helper exists: it keeps the signed-out
    // user's credentials until they expire.
    by_hand
        .get_caller_identity()
        .send()
        .await
        .expect("the SDK's cache still holds the signed-out user's credentials");
}
