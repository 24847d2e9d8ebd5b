//! Quickstart: Amplify Auth's getting-started story with `auth::Auth` — listen on the Hub,
//! sign up, confirm, sign in, set up TOTP MFA, sign in again with a TOTP code, fetch the
//! session, call an AWS service with the federated credentials through the AWS SDK for Rust,
//! sign out.
//!
//! `cargo xtask demo` provisions a user pool (TOTP optional), an app client, an identity pool
//! and an IAM role in moto (a local Cognito, IAM and STS) and runs this program with their ids
//! in the environment. Against real Cognito, set the same variables, leave `AUTH_ENDPOINT`
//! unset (the confirmation code is then read from the terminal), and leave
//! `AUTH_CLASSIC_FLOW_ROLE_ARN` unset to get the identity pool's own authenticated role:
//!
//! ```sh
//! AUTH_USER_POOL_ID=eu-west-1_abc AUTH_CLIENT_ID=... AUTH_IDENTITY_POOL_ID=eu-west-1:... \
//!     AUTH_USERNAME=... AUTH_PASSWORD=... AUTH_EMAIL=... \
//!     cargo run --example quickstart --features client
//! ```
#![expect(clippy::print_stdout, reason = "an example prints what it does")]

use std::error::Error;
use std::time::{Duration, SystemTime};

use auth::Auth;
use auth::client::{
    FetchAuthSessionOptions, MfaPreference, SignInOptions, SignInOutput, SignOutOptions,
    SignUpOptions, UpdateMfaPreference,
};
use auth::core::config::{IdentityPoolConfig, UserPoolConfig};
use auth::core::machine::sign_in::{Answer, ConfirmOptions, SignInStep};
use auth::core::machine::sign_up::SignUpStep;
use auth::federation::{ClassicFlow, CognitoCredentialsProvider, IdentityPool};
use auth::hub::AuthEvent;
use auth::providers::ReqwestHttpClient;
use auth::providers::aws::SdkHttpClient;

/// RFC 6238 codes: what an authenticator app computes from the secret (the tests' helper).
#[path = "../tests/support/totp.rs"]
mod totp;

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name} (or run `cargo xtask demo`)"))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    // A custom endpoint means a local Cognito (moto), which fakes a few things; each is said
    // where it matters.
    let endpoint = std::env::var("AUTH_ENDPOINT").ok();
    let local = endpoint.is_some();
    let username = env("AUTH_USERNAME")?;
    let password = env("AUTH_PASSWORD")?;
    let email = env("AUTH_EMAIL")?;

    // Configure, as `Amplify.configure(outputs)` does (`Auth::from_amplify_outputs` reads
    // amplify_outputs.json; here the ids come from the environment).
    let mut user_pool = UserPoolConfig::builder()
        .pool_id(env("AUTH_USER_POOL_ID")?)
        .client_id(env("AUTH_CLIENT_ID")?);
    let mut identity_pool =
        IdentityPoolConfig::builder().identity_pool_id(env("AUTH_IDENTITY_POOL_ID")?);
    if let Some(endpoint) = &endpoint {
        user_pool = user_pool.endpoint(endpoint.clone());
        identity_pool = identity_pool.endpoint(endpoint.clone());
    }
    let identity_pool = identity_pool.build()?;
    let mut builder = Auth::builder()
        .user_pool(user_pool.build()?)
        .identity_pool(identity_pool.clone());
    let classic_role = std::env::var("AUTH_CLASSIC_FLOW_ROLE_ARN").ok();
    if let Some(role_arn) = &classic_role {
        // A custom credentials provider replaces the default one wholesale: the same identity
        // pool, but the classic flow into a role named here (GetOpenIdToken, then STS
        // AssumeRoleWithWebIdentity). The demo needs it because moto cannot attach a role to
        // an identity pool; on AWS the default (the pool's authenticated role) is the usual way.
        let mut pool = IdentityPool::new(identity_pool, ReqwestHttpClient::builder().build()?);
        if let Some(endpoint) = &endpoint {
            pool = pool.with_sts_endpoint(endpoint.clone());
        }
        builder = builder.credentials_provider(
            CognitoCredentialsProvider::builder(pool)
                .classic_flow(ClassicFlow::new(role_arn.clone()))
                .build(),
        );
    }
    let auth = builder.build()?;
    let config = auth.user_pool_config().ok_or("no user pool")?;
    println!(
        "auth-rs quickstart: user pool {} in {}{}",
        config.pool_id(),
        config.region(),
        endpoint
            .as_ref()
            .map_or_else(String::new, |e| format!(", served by moto at {e}"))
    );
    if let Some(role_arn) = &classic_role {
        println!("AWS credentials: the classic flow into {role_arn}");
    }

    // 1. Listen on the Hub, as `Hub.listen('auth', …)` does. Dispatch is synchronous, so each
    //    event prints inside the step that caused it.
    let _listener = auth.hub().auth().listen(|event: &AuthEvent| match event {
        AuthEvent::SignedIn { user } => println!("   [hub] signedIn: {}", user.username),
        other => println!("   [hub] {}", other.name()),
    });
    println!("\n1. listening on the Hub's auth channel");

    // 2. Sign up with an email attribute.
    println!("\n2. sign up {username} <{email}>");
    let signed_up = auth
        .sign_up(
            &username,
            &password,
            SignUpOptions::new().user_attribute("email", &email),
        )
        .await?;
    if let SignUpStep::ConfirmSignUp { delivery } = &signed_up.next_step {
        let to = delivery
            .as_ref()
            .and_then(|d| d.destination.clone())
            .unwrap_or_else(|| "the user".into());
        println!("   next step: CONFIRM_SIGN_UP (a code was sent to {to})");
    }

    // 3. Confirm the sign-up with the emailed code.
    let code = if local {
        println!(
            "\n3. confirm the sign-up (moto sends no email and does not check codes: any code works)"
        );
        "123456".to_owned()
    } else {
        println!("\n3. confirm the sign-up: type the code from the email and press Enter");
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        line.trim().to_owned()
    };
    let confirmed = auth
        .confirm_sign_up(&username, &code, Default::default())
        .await?;
    println!("   sign-up complete: {}", confirmed.is_sign_up_complete());

    // 4. Sign in with SRP: the password never leaves this process.
    println!("\n4. sign in (USER_SRP_AUTH)");
    if local {
        println!(
            "   (moto does not verify SRP signatures; the SRP math is tested against pycognito)"
        );
    }
    let signed_in = auth
        .sign_in(&username, &password, SignInOptions::new())
        .await?;
    expect_signed_in(&signed_in)?;

    // 5. Set up TOTP MFA: show the URI as a QR code, verify a first code, prefer TOTP.
    println!("\n5. set up TOTP MFA");
    let setup = auth.set_up_totp().await?;
    // The URI holds the TOTP secret: an app shows it to the user only, as a QR code.
    println!(
        "   scan this in an authenticator app: {}",
        setup.uri("auth-rs quickstart")
    );
    println!(
        "   (the codes below are computed in this process, standing in for the authenticator app)"
    );
    let secret = setup.secret.expose().to_owned();
    let first_code = totp::totp(&secret, SystemTime::now());
    auth.verify_totp_setup(&first_code, Some("quickstart".into()))
        .await?;
    auth.update_mfa_preference(UpdateMfaPreference::new().totp(MfaPreference::Preferred))
        .await?;
    println!("   TOTP verified and preferred");

    // 6. Sign out, then sign in again: now Cognito asks for a TOTP code.
    println!("\n6. sign out");
    auth.sign_out(SignOutOptions::default()).await;
    println!("\n7. sign in again");
    let output = auth
        .sign_in(&username, &password, SignInOptions::new())
        .await?;
    let Some(step @ SignInStep::ConfirmWithTotpCode) = output.next_step() else {
        return Err(format!("expected a TOTP challenge, got {output:?}").into());
    };
    println!("   next step: {}", step.name());
    if !local {
        // A one-time code is accepted once (RFC 6238, section 5.2): wait for the next one.
        wait_for_next_totp_step().await;
    }
    let code = totp::totp(&secret, SystemTime::now());
    let output = auth
        .confirm_sign_in(Answer::Code(code.into()), ConfirmOptions::default())
        .await?;
    expect_signed_in(&output)?;

    // 8. The session: tokens (refreshed when they expire), identity and AWS credentials.
    println!("\n8. fetch the session");
    let session = auth
        .fetch_auth_session(FetchAuthSessionOptions::default())
        .await?;
    let tokens = session.tokens.as_ref().ok_or("no tokens after sign-in")?;
    println!(
        "   user {} (sub {}), tokens valid for {}",
        tokens.username,
        session.user_sub.as_deref().unwrap_or("?"),
        until(tokens.expires_at())
    );
    if let Some(id_token) = &tokens.id_token {
        // Claims are readable without a request; they are not verified here (Cognito signed
        // them, and the services that receive the token verify them).
        println!(
            "   ID token issued by {}",
            id_token.claims().iss.as_deref().unwrap_or("?")
        );
    }
    let identity_id = session.identity_id.as_ref().ok_or("no identity id")?;
    let credentials = session.credentials.as_ref().ok_or("no AWS credentials")?;
    println!(
        "   identity {identity_id}, AWS credentials valid for {}",
        until(credentials.expiration())
    );

    // 9. Call an AWS service with the federated credentials, through the AWS SDK for Rust.
    println!("\n9. call STS GetCallerIdentity with the identity's credentials (aws-sdk-sts)");
    //    `auth.sdk_config()` is the SDK's `SdkConfig` with the SDK's identity cache off, so
    //    the client stops calling AWS as this user at sign-out.
    let mut sts = aws_sdk_sts::config::Builder::from(&auth.sdk_config()?)
        .http_client(SdkHttpClient::new(ReqwestHttpClient::builder().build()?));
    if let Some(endpoint) = &endpoint {
        sts = sts.endpoint_url(endpoint.clone());
    }
    let sts = aws_sdk_sts::Client::from_conf(sts.build());
    let caller = sts.get_caller_identity().send().await?;
    println!("   STS says: {}", caller.arn().unwrap_or("?"));

    // 10. Sign out: the refresh token is revoked when Cognito allows it, local state cleared
    //     anyway.
    println!("\n10. sign out");
    let outcome = auth.sign_out(SignOutOptions::default()).await;
    if let Some(error) = &outcome.revoke_token_error {
        if local {
            println!(
                "   (moto answers RevokeToken with an HTTP 500 page; signed out locally all the same)"
            );
        } else {
            // `Display` is one line; the cause is the `source()`.
            let why = Error::source(error).map_or_else(|| error.to_string(), ToString::to_string);
            println!("   signed out locally, but the refresh token was not revoked: {why}");
        }
    }
    // The STS client built before sign-out no longer calls as the user: guest credentials
    // when the identity pool allows guests, else no credentials at all.
    match sts.get_caller_identity().send().await {
        Ok(caller) => println!(
            "   after sign-out STS says: {} (a guest)",
            caller.arn().unwrap_or("?")
        ),
        Err(_) => println!("   after sign-out the STS client has no credentials, as it should"),
    }
    println!("\ndone");
    Ok(())
}

fn expect_signed_in(output: &SignInOutput) -> Result<(), String> {
    match output {
        SignInOutput::SignedIn(user) => {
            println!("   signed in as {}", user.username);
            Ok(())
        }
        other => Err(format!(
            "Cognito asks for {}; this quickstart does not handle it",
            other.next_step().map_or("?", SignInStep::name)
        )),
    }
}

/// "N s" until `at`.
fn until(at: Option<SystemTime>) -> String {
    at.and_then(|t| t.duration_since(SystemTime::now()).ok())
        .map_or_else(|| "?".into(), |d| format!("{} s", d.as_secs()))
}

/// Sleeps until the next 30-second TOTP time step begins.
async fn wait_for_next_totp_step() {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    let left = 30 - now.as_secs() % 30;
    println!("   waiting {left} s for the authenticator's next code");
    tokio::time::sleep(Duration::from_secs(left)).await;
}
