//! `cargo xtask demo`: the project's story against local peers.
//!
//! Starts the peers, provisions what an administrator would (a user pool, an app client and a
//! confirmed user, through moto's admin API), then runs `examples/quickstart.rs`, which signs
//! the user in as an app would and prints the ID token's claims.

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
                "reqwest",
            ])
            .env("AUTH_ENDPOINT", &pool.endpoint)
            .env("AUTH_USER_POOL_ID", &pool.pool_id)
            .env("AUTH_CLIENT_ID", &pool.client_id)
            .env("AUTH_USERNAME", &pool.username)
            .env("AUTH_PASSWORD", &pool.password),
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
    eprintln!("user pool {pool_id}, app client {client_id}, user {username}");
    Ok(Pool {
        endpoint: moto.to_owned(),
        pool_id,
        client_id,
        username,
        password,
    })
}
