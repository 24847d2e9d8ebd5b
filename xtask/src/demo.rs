//! `cargo xtask demo`: the project's story against local peers.
//!
//! Starts the peers, provisions what an administrator would (a user pool, an app client, a
//! confirmed user and an identity pool, through moto's admin API), then runs
//! `examples/quickstart.rs`, which uses `auth::Auth` as an app would: Hub listener, SRP
//! sign-in, session and claims, an STS call with the identity pool's credentials, sign-out.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::json;

use crate::cmd::{self, Result};
use crate::http::aws_json;
use crate::peers;

const IDP: &str = "AWSCognitoIdentityProviderService";

/// What the quickstart needs to know about the provisioned pool.
struct Pool {
    endpoint: String,
    pool_id: String,
    client_id: String,
    username: String,
    password: String,
    identity_pool_id: String,
}

pub(crate) fn run() -> Result {
    let urls = peers::up()?;
    let moto = urls
        .iter()
        .find(|(k, _)| *k == "MOTO_URL")
        .map(|(_, url)| url.clone())
        .ok_or("moto is not among the peers")?;
    let pool = provision(&moto)?;
    cmd::run(
        cmd::cargo()
            .args([
                "run",
                "--quiet",
                "--example",
                "quickstart",
                "--features",
                "client",
            ])
            .env("AUTH_ENDPOINT", &pool.endpoint)
            .env("AUTH_USER_POOL_ID", &pool.pool_id)
            .env("AUTH_CLIENT_ID", &pool.client_id)
            .env("AUTH_USERNAME", &pool.username)
            .env("AUTH_PASSWORD", &pool.password)
            .env("AUTH_IDENTITY_POOL_ID", &pool.identity_pool_id),
    )
}

/// Creates a user pool, an app client and a confirmed user with moto's admin API.
fn provision(moto: &str) -> Result<Pool> {
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    eprintln!("provisioning a user pool in moto at {moto}");
    let created = aws_json(
        moto,
        &format!("{IDP}.CreateUserPool"),
        &json!({ "PoolName": format!("demo-{stamp}") }),
    )?;
    let pool_id = created["UserPool"]["Id"]
        .as_str()
        .ok_or("CreateUserPool returned no Id")?
        .to_owned();
    let client = aws_json(
        moto,
        &format!("{IDP}.CreateUserPoolClient"),
        &json!({
            "UserPoolId": pool_id,
            "ClientName": "demo-app",
            "ExplicitAuthFlows": [
                "ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"
            ],
        }),
    )?;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .ok_or("CreateUserPoolClient returned no ClientId")?
        .to_owned();
    let username = "alice".to_owned();
    let password = "Correct-horse-9".to_owned();
    aws_json(
        moto,
        &format!("{IDP}.AdminCreateUser"),
        &json!({
            "UserPoolId": pool_id,
            "Username": username,
            "MessageAction": "SUPPRESS",
            "UserAttributes": [
                { "Name": "email", "Value": "alice@example.com" },
                { "Name": "email_verified", "Value": "true" }
            ],
        }),
    )?;
    aws_json(
        moto,
        &format!("{IDP}.AdminSetUserPassword"),
        &json!({
            "UserPoolId": pool_id, "Username": username,
            "Password": password, "Permanent": true,
        }),
    )?;
    let identity_pool_id = identity_pool(moto, &pool_id, &client_id, stamp)?;
    eprintln!(
        "user pool {pool_id}, app client {client_id}, user {username}, identity pool {identity_pool_id}"
    );
    Ok(Pool {
        endpoint: moto.to_owned(),
        pool_id,
        client_id,
        username,
        password,
        identity_pool_id,
    })
}

/// Creates an identity pool that accepts the user pool's tokens. moto routes identity-pool
/// calls by the service in the credential scope of `Authorization`, so one is sent (moto does
/// not check it).
fn identity_pool(moto: &str, pool_id: &str, client_id: &str, stamp: u64) -> Result<String> {
    let region = pool_id.split('_').next().unwrap_or("us-east-1");
    let body = json!({
        "IdentityPoolName": format!("demo{stamp}"),
        "AllowUnauthenticatedIdentities": false,
        "CognitoIdentityProviders": [{
            "ProviderName": format!("cognito-idp.{region}.amazonaws.com/{pool_id}"),
            "ClientId": client_id,
        }],
    });
    let scope = format!(
        "AWS4-HMAC-SHA256 Credential=AKIDDEMO/20240101/{region}/cognito-identity/aws4_request, SignedHeaders=host, Signature=0"
    );
    let response = crate::http::request(
        "POST",
        moto,
        &[
            ("Content-Type", "application/x-amz-json-1.1"),
            (
                "X-Amz-Target",
                "AWSCognitoIdentityService.CreateIdentityPool",
            ),
            ("Authorization", &scope),
        ],
        body.to_string().as_bytes(),
    )?;
    let text = String::from_utf8_lossy(&response.body);
    if response.status != 200 {
        return Err(format!(
            "CreateIdentityPool: HTTP {}: {text}",
            response.status
        ));
    }
    let created: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("CreateIdentityPool: {e}"))?;
    Ok(created["IdentityPoolId"]
        .as_str()
        .ok_or("CreateIdentityPool returned no IdentityPoolId")?
        .to_owned())
}
