//! Provisioning in moto for the umbrella's peer tests: unique names, moto's admin API (AWS
//! JSON 1.1), a user pool with an app client, a confirmed user, an identity pool. The `*_at`
//! variants take the moto to talk to (a test's private moto); the others use the `moto` peer.
//!
//! Included with `#[path = "support/moto.rs"] mod moto;` next to `mod peers;`.
#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::SystemTime;

use auth::core::config::{IdentityPoolConfig, UserPoolConfig};
use serde_json::{Value, json};

use super::peers;

pub(crate) const PASSWORD: &str = "Moto-passw0rd!";

pub(crate) fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}{}x{nanos}x{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// Admin calls to the `moto` peer (AWS JSON 1.1).
pub(crate) async fn admin(service: &str, operation: &str, body: &Value) -> Value {
    admin_at(&peers::moto(), service, operation, body).await
}

/// Admin calls to the moto at `moto` (`http://127.0.0.1:port`).
pub(crate) async fn admin_at(moto: &str, service: &str, operation: &str, body: &Value) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{}/", moto.trim_end_matches('/')))
        .header("x-amz-target", format!("{service}.{operation}"))
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "authorization",
            // moto routes by the service of the credential scope.
            format!(
                "AWS4-HMAC-SHA256 Credential=AKIDTEST/20240101/us-east-1/{}/aws4_request, SignedHeaders=host, Signature=0",
                if service.contains("IdentityProvider") { "cognito-idp" } else { "cognito-identity" }
            ),
        )
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(status.is_success(), "{operation}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

pub(crate) async fn idp(operation: &str, body: &Value) -> Value {
    idp_at(&peers::moto(), operation, body).await
}

pub(crate) async fn idp_at(moto: &str, operation: &str, body: &Value) -> Value {
    admin_at(moto, "AWSCognitoIdentityProviderService", operation, body).await
}

/// A user pool and an app client in the `moto` peer.
pub(crate) async fn user_pool() -> UserPoolConfig {
    user_pool_at(&peers::moto()).await
}

/// A user pool and an app client in the moto at `moto`; the configuration points there.
pub(crate) async fn user_pool_at(moto: &str) -> UserPoolConfig {
    let pool = idp_at(
        moto,
        "CreateUserPool",
        &json!({"PoolName": unique("client")}),
    )
    .await;
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
    let client = idp_at(
        moto,
        "CreateUserPoolClient",
        &json!({"UserPoolId": pool_id, "ClientName": unique("app"),
                "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH",
                                      "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .await;
    UserPoolConfig::builder()
        .pool_id(pool_id)
        .client_id(client["UserPoolClient"]["ClientId"].as_str().unwrap())
        .endpoint(moto)
        .build()
        .unwrap()
}

/// A confirmed user with a permanent password, in the moto `config` points at.
pub(crate) async fn user(config: &UserPoolConfig) -> String {
    let moto = config.endpoint().uri().to_string();
    let username = unique("user");
    idp_at(
        &moto,
        "AdminCreateUser",
        &json!({"UserPoolId": config.pool_id(), "Username": username, "TemporaryPassword": "Temp-passw0rd!",
                "MessageAction": "SUPPRESS"}),
    )
    .await;
    idp_at(
        &moto,
        "AdminSetUserPassword",
        &json!({"UserPoolId": config.pool_id(), "Username": username, "Password": PASSWORD, "Permanent": true}),
    )
    .await;
    username
}

/// An identity pool that accepts the user pool's tokens and guests.
pub(crate) async fn identity_pool(config: &UserPoolConfig) -> IdentityPoolConfig {
    let pool = admin(
        "AWSCognitoIdentityService",
        "CreateIdentityPool",
        &json!({"IdentityPoolName": unique("ids"), "AllowUnauthenticatedIdentities": true,
                "CognitoIdentityProviders": [{"ProviderName": config.logins_key(),
                                              "ClientId": config.client_id()}]}),
    )
    .await;
    IdentityPoolConfig::builder()
        .identity_pool_id(pool["IdentityPoolId"].as_str().unwrap())
        .endpoint(peers::moto())
        .allow_guest_access(true)
        .build()
        .unwrap()
}
