//! `cargo xtask demo`: the project's story against local peers.
//!
//! Starts the peers, provisions what an administrator would (through moto's admin APIs): a
//! user pool with optional TOTP MFA, an app client, an identity pool that accepts the pool's
//! tokens, and an IAM role that Cognito identities may assume. Then it runs
//! `examples/quickstart.rs`, which uses `auth::Auth` as an app would: Hub listener, sign-up,
//! confirmation, SRP sign-in, TOTP setup, sign-in with TOTP, session, an STS call with the
//! federated credentials, sign-out. No user is created here: the quickstart signs one up.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::json;

use crate::cmd::{self, Result};
use crate::http::aws_json;
use crate::peers;

const IDP: &str = "AWSCognitoIdentityProviderService";

/// What the quickstart needs to know about what was provisioned.
struct Provisioned {
    endpoint: String,
    pool_id: String,
    client_id: String,
    identity_pool_id: String,
    role_arn: String,
}

pub(crate) fn run() -> Result {
    let urls = peers::up()?;
    let moto = urls
        .iter()
        .find(|(k, _)| *k == "MOTO_URL")
        .map(|(_, url)| url.clone())
        .ok_or("moto is not among the peers")?;
    let p = provision(&moto)?;
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
            .env("AUTH_ENDPOINT", &p.endpoint)
            .env("AUTH_USER_POOL_ID", &p.pool_id)
            .env("AUTH_CLIENT_ID", &p.client_id)
            .env("AUTH_IDENTITY_POOL_ID", &p.identity_pool_id)
            .env("AUTH_CLASSIC_FLOW_ROLE_ARN", &p.role_arn)
            .env("AUTH_USERNAME", "alice")
            .env("AUTH_PASSWORD", "Correct-horse-9")
            .env("AUTH_EMAIL", "alice@example.com"),
    )?;
    eprintln!("the peers are still running: `cargo xtask peers down` stops them");
    Ok(())
}

/// Creates the user pool, app client, identity pool and IAM role with moto's admin APIs.
fn provision(moto: &str) -> Result<Provisioned> {
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    eprintln!("provisioning in moto at {moto}");
    let created = aws_json(
        moto,
        &format!("{IDP}.CreateUserPool"),
        &json!({
            "PoolName": format!("demo-{stamp}"),
            "AutoVerifiedAttributes": ["email"],
        }),
    )?;
    let pool_id = created["UserPool"]["Id"]
        .as_str()
        .ok_or("CreateUserPool returned no Id")?
        .to_owned();
    // TOTP is optional: users who set it up are asked for a code at sign-in. (The moto peer
    // runs with MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true, so it checks those codes.)
    aws_json(
        moto,
        &format!("{IDP}.SetUserPoolMfaConfig"),
        &json!({
            "UserPoolId": pool_id,
            "MfaConfiguration": "OPTIONAL",
            "SoftwareTokenMfaConfiguration": { "Enabled": true },
        }),
    )?;
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
    let region = pool_id.split('_').next().unwrap_or("us-east-1").to_owned();
    let identity_pool_id = identity_pool(moto, &region, &pool_id, &client_id, stamp)?;
    let role_arn = role(moto, &region, &identity_pool_id, stamp)?;
    eprintln!("user pool {pool_id} (TOTP optional), app client {client_id}");
    eprintln!("identity pool {identity_pool_id}, role {role_arn}");
    // On AWS the role would be attached to the identity pool as its authenticated role
    // (SetIdentityPoolRoles) and GetCredentialsForIdentity would hand out its credentials.
    // moto 5.2 has no SetIdentityPoolRoles (HTTP 500) and GetCredentialsForIdentity returns
    // fixed credentials, so the quickstart is given the role and uses the classic flow
    // (GetOpenIdToken, then STS AssumeRoleWithWebIdentity), which moto does implement.
    Ok(Provisioned {
        endpoint: moto.to_owned(),
        pool_id,
        client_id,
        identity_pool_id,
        role_arn,
    })
}

/// Creates an identity pool that accepts the user pool's tokens. moto routes identity-pool
/// calls by the service in the credential scope of `Authorization`, so one is sent (moto does
/// not check it).
fn identity_pool(
    moto: &str,
    region: &str,
    pool_id: &str,
    client_id: &str,
    stamp: u64,
) -> Result<String> {
    let body = json!({
        "IdentityPoolName": format!("demo{stamp}"),
        "AllowUnauthenticatedIdentities": false,
        // The classic flow must be allowed on AWS; moto ignores the flag.
        "AllowClassicFlow": true,
        "CognitoIdentityProviders": [{
            "ProviderName": format!("cognito-idp.{region}.amazonaws.com/{pool_id}"),
            "ClientId": client_id,
        }],
    });
    let response = crate::http::request(
        "POST",
        moto,
        &[
            ("Content-Type", "application/x-amz-json-1.1"),
            (
                "X-Amz-Target",
                "AWSCognitoIdentityService.CreateIdentityPool",
            ),
            ("Authorization", &scope(region, "cognito-identity")),
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

/// Creates the IAM role signed-in users get: trusted by Cognito identities of this identity
/// pool (`aud`) that are authenticated (`amr`), as the Cognito console creates it. IAM speaks
/// the query protocol (a form and an XML answer).
fn role(moto: &str, region: &str, identity_pool_id: &str, stamp: u64) -> Result<String> {
    let trust = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "Federated": "cognito-identity.amazonaws.com" },
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": { "cognito-identity.amazonaws.com:aud": identity_pool_id },
                "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "authenticated" },
            },
        }],
    });
    let form = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("Action", "CreateRole".to_owned()),
            ("Version", "2010-05-08".to_owned()),
            ("RoleName", format!("demo-{stamp}-authenticated")),
            ("AssumeRolePolicyDocument", trust.to_string()),
        ])
        .finish();
    let response = crate::http::request(
        "POST",
        moto,
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Authorization", &scope(region, "iam")),
        ],
        form.as_bytes(),
    )?;
    let text = String::from_utf8_lossy(&response.body);
    if response.status != 200 {
        return Err(format!("CreateRole: HTTP {}: {text}", response.status));
    }
    let arn = text
        .split_once("<Arn>")
        .and_then(|(_, rest)| rest.split_once("</Arn>"))
        .map(|(arn, _)| arn.to_owned())
        .ok_or_else(|| format!("CreateRole returned no Arn: {text}"))?;
    Ok(arn)
}

/// An `Authorization` header whose credential scope names `service` (moto routes by it and
/// checks nothing else on this peer).
fn scope(region: &str, service: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential=AKIDDEMO/20240101/{region}/{service}/aws4_request, SignedHeaders=host, Signature=0"
    )
}
