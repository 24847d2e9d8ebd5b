//! Quickstart: sign a user in to a Cognito user pool and read the ID token's claims.
//!
//! `cargo xtask demo` provisions a user pool, an app client and a user in moto (a local
//! Cognito) and runs this program with their ids in the environment. Against real Cognito, set
//! the same variables and leave `AUTH_ENDPOINT` unset:
//!
//! ```sh
//! AUTH_USER_POOL_ID=eu-west-1_abc AUTH_CLIENT_ID=... AUTH_USERNAME=... AUTH_PASSWORD=... \
//!     cargo run --example quickstart --features reqwest
//! ```
//!
//! The sign-in here is the one-request `USER_PASSWORD_AUTH` flow, written with the sans-IO
//! wire types and our reqwest-based `HttpClient`; the full client (`auth::Auth`, SRP, MFA,
//! refresh) drives the same requests through the sign-in state machine.
#![expect(clippy::print_stdout, reason = "an example prints what it does")]

use std::error::Error;
use std::time::SystemTime;

use auth::core::config::UserPoolConfig;
use auth::core::tokens::{AuthTokens, Jwt};
use auth::core::wire::{self, AuthFlow, InitiateAuth, InitiateAuthInput};
use auth::providers::{HttpClient, ReqwestHttpClient};

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name} (or run `cargo xtask demo`)"))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let mut config = UserPoolConfig::builder()
        .pool_id(env("AUTH_USER_POOL_ID")?)
        .client_id(env("AUTH_CLIENT_ID")?);
    if let Ok(endpoint) = std::env::var("AUTH_ENDPOINT") {
        config = config.endpoint(endpoint);
    }
    let config = config.build()?;
    let username = env("AUTH_USERNAME")?;
    let password = env("AUTH_PASSWORD")?;
    println!("1. user pool {} in {}", config.pool_id(), config.region());

    // One InitiateAuth request: encode it, send it with any HTTP client, decode the answer.
    let request = wire::encode(
        config.endpoint(),
        &InitiateAuthInput {
            auth_flow: AuthFlow::UserPasswordAuth,
            client_id: config.client_id().to_owned(),
            auth_parameters: [
                ("USERNAME", username.as_str()),
                ("PASSWORD", password.as_str()),
            ]
            .into_iter()
            .collect(),
            ..Default::default()
        },
    );
    println!("2. InitiateAuth USER_PASSWORD_AUTH for {username}");
    let http = ReqwestHttpClient::builder().build()?;
    let response = http.send(request).await?;
    let output = wire::decode::<InitiateAuth, _>(response)?;
    let result = output
        .authentication_result
        .ok_or("Cognito asked for a challenge; this quickstart handles password sign-in only")?;

    // Read the tokens: decoding does not verify the signature (Cognito sent them over TLS).
    let now = SystemTime::now();
    let mut tokens = AuthTokens::new(Jwt::decode(result.access_token.expose())?, now);
    if let Some(id_token) = &result.id_token {
        tokens = tokens.with_id_token(Jwt::decode(id_token.expose())?);
    }
    let lifetime = tokens
        .expires_at()
        .and_then(|exp| exp.duration_since(now).ok())
        .map_or(0, |d| d.as_secs());
    println!(
        "3. signed in as {} (tokens valid for {lifetime} s, expired now: {})",
        tokens.username,
        tokens.is_expired(now)
    );
    let id_token = tokens
        .id_token
        .as_ref()
        .ok_or("no ID token in the result")?;
    println!("4. ID token claims:");
    println!("{}", serde_json::to_string_pretty(id_token.claims())?);
    Ok(())
}
