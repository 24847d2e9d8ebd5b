//! Quickstart: sign in to a Cognito user pool with `auth::Auth`, as the Amplify docs do it in
//! JavaScript — listen on the Hub, sign in, fetch the session, read the ID token's claims,
//! call an AWS service with the identity pool's credentials, sign out.
//!
//! `cargo xtask demo` provisions a user pool, an app client, a user and an identity pool in
//! moto (a local Cognito) and runs this program with their ids in the environment. Against
//! real Cognito, set the same variables and leave `AUTH_ENDPOINT` unset:
//!
//! ```sh
//! AUTH_USER_POOL_ID=eu-west-1_abc AUTH_CLIENT_ID=... AUTH_USERNAME=... AUTH_PASSWORD=... \
//!     [AUTH_IDENTITY_POOL_ID=eu-west-1:...] cargo run --example quickstart --features client
//! ```
#![expect(clippy::print_stdout, reason = "an example prints what it does")]

use std::error::Error;
use std::time::SystemTime;

use auth::Auth;
use auth::client::{SignInOptions, SignOutOptions};
use auth::core::config::{IdentityPoolConfig, UserPoolConfig};
use auth::hub::AuthEvent;

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name} (or run `cargo xtask demo`)"))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let endpoint = std::env::var("AUTH_ENDPOINT").ok();
    let mut user_pool = UserPoolConfig::builder()
        .pool_id(env("AUTH_USER_POOL_ID")?)
        .client_id(env("AUTH_CLIENT_ID")?);
    if let Some(endpoint) = &endpoint {
        user_pool = user_pool.endpoint(endpoint.clone());
    }
    let mut builder = Auth::builder().user_pool(user_pool.build()?);
    if let Ok(id) = std::env::var("AUTH_IDENTITY_POOL_ID") {
        let mut identity_pool = IdentityPoolConfig::builder().identity_pool_id(id);
        if let Some(endpoint) = &endpoint {
            identity_pool = identity_pool.endpoint(endpoint.clone());
        }
        builder = builder.identity_pool(identity_pool.build()?);
    }
    let auth = builder.build()?;
    let username = env("AUTH_USERNAME")?;
    let password = env("AUTH_PASSWORD")?;

    // 1. Listen on the Hub, as `Hub.listen('auth', …)` does.
    let _listener = auth.hub().auth().listen(|event: &AuthEvent| match event {
        AuthEvent::SignedIn { user } => println!("   [hub] signedIn: {}", user.username),
        other => println!("   [hub] {}", other.name()),
    });
    let config = auth.user_pool_config().ok_or("no user pool")?;
    println!("1. user pool {} in {}", config.pool_id(), config.region());

    // 2. Sign in (USER_SRP_AUTH: the password never leaves this process).
    println!("2. sign in as {username} (SRP)");
    let output = auth
        .sign_in(&username, &password, SignInOptions::new())
        .await?;
    if let Some(step) = output.next_step() {
        return Err(format!(
            "Cognito asks for {}; this quickstart handles no challenge",
            step.name()
        )
        .into());
    }

    // 3. The session: tokens (refreshed when they expire), and AWS credentials.
    let session = auth.fetch_auth_session(Default::default()).await?;
    let tokens = session.tokens.as_ref().ok_or("no tokens after sign-in")?;
    let lifetime = tokens
        .expires_at()
        .and_then(|exp| exp.duration_since(SystemTime::now()).ok())
        .map_or(0, |d| d.as_secs());
    println!(
        "3. signed in as {} (tokens valid for {lifetime} s)",
        tokens.username
    );
    if let Some(id_token) = &tokens.id_token {
        println!("   ID token claims:");
        println!("{}", serde_json::to_string_pretty(id_token.claims())?);
    }

    // 4. AWS credentials from the identity pool, used by the AWS SDK for Rust.
    if let Some(identity_id) = &session.identity_id {
        println!("4. identity {identity_id}; calling STS GetCallerIdentity with its credentials");
        let mut sts = aws_sdk_sts::Config::builder()
            .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
            .region(aws_sdk_sts::config::Region::new(config.region().to_owned()))
            .http_client(auth::providers::aws::SdkHttpClient::new(
                auth::providers::ReqwestHttpClient::builder().build()?,
            ))
            .credentials_provider(auth.aws_credentials_provider()?);
        if let Some(endpoint) = &endpoint {
            sts = sts.endpoint_url(endpoint.clone());
        }
        let caller = aws_sdk_sts::Client::from_conf(sts.build())
            .get_caller_identity()
            .send()
            .await?;
        println!(
            "   STS says: account {}, arn {}",
            caller.account().unwrap_or("?"),
            caller.arn().unwrap_or("?")
        );
    } else {
        println!("4. no identity pool configured (set AUTH_IDENTITY_POOL_ID for AWS credentials)");
    }

    // 5. Sign out: the tokens are revoked when Cognito allows it and cleared locally anyway.
    let outcome = auth.sign_out(SignOutOptions::default()).await;
    match &outcome.revoke_token_error {
        None => println!("5. signed out"),
        // moto answers RevokeToken with an HTML 500; local state is cleared all the same.
        Some(error) => println!(
            "5. signed out locally ({error}: the refresh token stays valid until it expires)"
        ),
    }
    Ok(())
}
