//! Provisioning in moto over its JSON API (AWS JSON 1.1), as `tests/support/moto.rs` does for
//! the umbrella's peer tests: one user pool, an app client without a secret, a confirmed user
//! and an identity pool that trusts the user pool.

use serde_json::{Value, json};

/// The user's password.
pub const PASSWORD: &str = "Bench-passw0rd!";
/// The region moto's pools live in.
pub const REGION: &str = "us-east-1";

/// What the runner provisioned.
#[derive(Debug, Clone)]
pub struct Provisioned {
    /// The user pool id (`us-east-1_…`).
    pub user_pool_id: String,
    /// The app client id.
    pub client_id: String,
    /// The identity pool id.
    pub identity_pool_id: String,
    /// The confirmed user.
    pub username: String,
}

async fn admin(moto: &str, service: &str, operation: &str, body: &Value) -> Result<Value, String> {
    let scope = if service.contains("IdentityProvider") {
        "cognito-idp"
    } else {
        "cognito-identity"
    };
    let response = reqwest::Client::new()
        .post(format!("{moto}/"))
        .header("x-amz-target", format!("{service}.{operation}"))
        .header("content-type", "application/x-amz-json-1.1")
        // moto routes by the service of the credential scope.
        .header(
            "authorization",
            format!(
                "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20240101/{REGION}/{scope}/aws4_request, SignedHeaders=host, Signature=0"
            ),
        )
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| format!("{operation}: {e}"))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("{operation}: {status} {text}"));
    }
    serde_json::from_str(&text).map_err(|e| format!("{operation}: {e}"))
}

async fn idp(moto: &str, operation: &str, body: &Value) -> Result<Value, String> {
    admin(moto, "AWSCognitoIdentityProviderService", operation, body).await
}

fn text(value: &Value, pointer: &str) -> Result<String, String> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("no {pointer} in {value}"))
}

/// Creates the pools, the app client and the user in the moto at `moto`.
///
/// # Errors
///
/// When moto refuses a call.
pub async fn provision(moto: &str) -> Result<Provisioned, String> {
    let suffix = std::process::id();
    let pool = idp(
        moto,
        "CreateUserPool",
        &json!({"PoolName": format!("bench{suffix}")}),
    )
    .await?;
    let user_pool_id = text(&pool, "/UserPool/Id")?;
    let client = idp(
        moto,
        "CreateUserPoolClient",
        &json!({"UserPoolId": user_pool_id, "ClientName": "bench",
                "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH",
                                      "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .await?;
    let client_id = text(&client, "/UserPoolClient/ClientId")?;
    let username = format!("bench-user-{suffix}");
    idp(
        moto,
        "AdminCreateUser",
        &json!({"UserPoolId": user_pool_id, "Username": username,
                "TemporaryPassword": "Temp-passw0rd!", "MessageAction": "SUPPRESS"}),
    )
    .await?;
    idp(
        moto,
        "AdminSetUserPassword",
        &json!({"UserPoolId": user_pool_id, "Username": username, "Password": PASSWORD,
                "Permanent": true}),
    )
    .await?;
    let identity = admin(
        moto,
        "AWSCognitoIdentityService",
        "CreateIdentityPool",
        &json!({"IdentityPoolName": format!("bench{suffix}"),
                "AllowUnauthenticatedIdentities": false,
                "CognitoIdentityProviders": [{
                    "ProviderName": format!("cognito-idp.{REGION}.amazonaws.com/{user_pool_id}"),
                    "ClientId": client_id}]}),
    )
    .await?;
    Ok(Provisioned {
        identity_pool_id: text(&identity, "/IdentityPoolId")?,
        user_pool_id,
        client_id,
        username,
    })
}

/// The user pool's JWKS (what pycognito verifies tokens with; it reads it from `COGNITO_JWKS`).
///
/// # Errors
///
/// When moto does not serve it.
pub async fn jwks(moto: &str, user_pool_id: &str) -> Result<String, String> {
    let response = reqwest::get(format!("{moto}/{user_pool_id}/.well-known/jwks.json"))
        .await
        .map_err(|e| format!("JWKS: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("JWKS: {}", response.status()));
    }
    response.text().await.map_err(|e| format!("JWKS: {e}"))
}
