//! `e2e-ours <scenario>`: the end-to-end scenarios with the full client [`auth::Auth`], as a
//! user builds it (default HTTP client with retries, in-memory storage), pointed at the
//! benchmark's proxy. Started by `auth-bench-e2e run`; prints one JSON line.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::SystemTime;

use auth::Auth;
use auth::client::{FetchAuthSessionOptions, SignInOptions};
use auth::core::config::{IdentityPoolConfig, UserPoolConfig};
use auth::core::machine::session::RefreshMethod;
use auth::core::machine::sign_in::SignInFlow;
use auth::providers::token_store::keys;
use auth::providers::{KeyValueStorage as _, TokenStore};
use auth_bench_e2e::scenario::{CONCURRENT_CALLERS, PhaseTimer, SEQUENTIAL_FETCHES, TOKEN_AGE};
use auth_bench_e2e::{BenchEnv, ChildReport, Scenario, jwt};

fn client(env: &BenchEnv, identity_pool: bool) -> Result<Auth, String> {
    let user_pool = UserPoolConfig::builder()
        .pool_id(&env.user_pool_id)
        .client_id(&env.client_id)
        .endpoint(&env.endpoint)
        .build()
        .map_err(|e| e.to_string())?;
    // moto has no GetTokensFromRefreshToken: refresh as Amplify JS does.
    let mut builder = Auth::builder()
        .user_pool(user_pool)
        .refresh_method(RefreshMethod::RefreshTokenAuth);
    if identity_pool {
        builder = builder.identity_pool(
            IdentityPoolConfig::builder()
                .identity_pool_id(&env.identity_pool_id)
                .endpoint(&env.endpoint)
                .build()
                .map_err(|e| e.to_string())?,
        );
    }
    builder.build().map_err(|e| e.to_string())
}

async fn sign_in(auth: &Auth, env: &BenchEnv, flow: SignInFlow) -> Result<(), String> {
    let out = auth
        .sign_in(
            &env.username,
            &env.password,
            SignInOptions::new().flow(flow),
        )
        .await
        .map_err(|e| format!("sign-in: {e}"))?;
    if out.is_signed_in() {
        Ok(())
    } else {
        Err(format!("sign-in stopped at {:?}", out.next_step()))
    }
}

async fn run(scenario: Scenario, env: &BenchEnv) -> Result<ChildReport, String> {
    let auth = client(env, scenario.uses_identity_pool())?;
    let fetch = || auth.fetch_auth_session(FetchAuthSessionOptions::default());
    match scenario {
        Scenario::SrpSignIn => {
            env.mark("begin").await?;
            let timer = PhaseTimer::start();
            sign_in(&auth, env, SignInFlow::UserSrpAuth).await?;
            let report = timer.stop(String::new());
            env.mark("end").await?;
            let session = fetch().await.map_err(|e| e.to_string())?;
            let tokens = session.tokens.ok_or("no tokens after sign-in")?;
            if tokens.is_expired(SystemTime::now()) || tokens.refresh_token.is_none() {
                return Err("the tokens are expired or lack a refresh token".into());
            }
            Ok(ChildReport {
                check: format!("tokens for {}", tokens.username),
                ..report
            })
        }
        Scenario::PasswordCredentials => {
            env.mark("begin").await?;
            let timer = PhaseTimer::start();
            sign_in(&auth, env, SignInFlow::UserPasswordAuth).await?;
            let session = fetch().await.map_err(|e| e.to_string())?;
            let report = timer.stop(String::new());
            env.mark("end").await?;
            let credentials = session.credentials.ok_or("no credentials")?;
            let identity_id = session.identity_id.ok_or("no identity id")?;
            if credentials.access_key_id().is_empty()
                || credentials.secret_access_key().is_empty()
                || credentials.session_token().is_none_or(str::is_empty)
            {
                return Err("empty credentials".into());
            }
            Ok(ChildReport {
                check: format!("credentials for {}", identity_id.as_str()),
                ..report
            })
        }
        Scenario::Fetch1000 => {
            sign_in(&auth, env, SignInFlow::UserPasswordAuth).await?;
            fetch().await.map_err(|e| e.to_string())?;
            env.mark("begin").await?;
            let timer = PhaseTimer::start();
            for _ in 0..SEQUENTIAL_FETCHES {
                let session = fetch().await.map_err(|e| e.to_string())?;
                if session.tokens.is_none() || session.credentials.is_none() {
                    return Err("a session without tokens or credentials".into());
                }
            }
            let report = timer.stop(format!("{SEQUENTIAL_FETCHES} sessions with credentials"));
            env.mark("end").await?;
            Ok(report)
        }
        Scenario::Expired100 => {
            sign_in(&auth, env, SignInFlow::UserPasswordAuth).await?;
            let aged = age_stored_tokens(&auth, env).await?;
            env.mark("begin").await?;
            let timer = PhaseTimer::start();
            let callers: Vec<_> = (0..CONCURRENT_CALLERS)
                .map(|_| {
                    let auth = auth.clone();
                    tokio::spawn(async move {
                        auth.fetch_auth_session(FetchAuthSessionOptions::default())
                            .await
                    })
                })
                .collect();
            let now = SystemTime::now();
            for caller in callers {
                let session = caller
                    .await
                    .map_err(|e| e.to_string())?
                    .map_err(|e| e.to_string())?;
                let tokens = session.tokens.ok_or("no tokens after the refresh")?;
                if tokens.is_expired(now) || tokens.access_token.as_str() == aged {
                    return Err("a caller got expired tokens".into());
                }
            }
            let report = timer.stop(format!("{CONCURRENT_CALLERS} callers got fresh tokens"));
            env.mark("end").await?;
            Ok(report)
        }
    }
}

/// Replaces the stored access and ID tokens by aged copies (see `auth_bench_e2e::jwt`);
/// returns the aged access token.
async fn age_stored_tokens(auth: &Auth, env: &BenchEnv) -> Result<String, String> {
    let storage = auth.storage();
    let username = TokenStore::new(storage.clone(), &env.client_id)
        .last_auth_user()
        .await
        .map_err(|e| e.to_string())?
        .ok_or("nobody is signed in")?;
    let mut aged_access = String::new();
    for field in ["accessToken", "idToken"] {
        let key = keys::user(&env.client_id, &username, field);
        let token = storage
            .get(&key)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("no {field} stored"))?;
        let aged = jwt::age(&token, TOKEN_AGE)?;
        storage.set(&key, &aged).await.map_err(|e| e.to_string())?;
        if field == "accessToken" {
            aged_access = aged;
        }
    }
    Ok(aged_access)
}

#[tokio::main]
async fn main() -> ExitCode {
    let Some(scenario) = std::env::args()
        .nth(1)
        .and_then(|s| Scenario::from_name(&s))
    else {
        eprintln!("usage: e2e-ours <scenario>");
        return ExitCode::from(2);
    };
    let result = match BenchEnv::from_env() {
        Ok(env) => run(scenario, &env).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(report) => {
            let _ = writeln!(std::io::stdout().lock(), "{}", report.to_json());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("e2e-ours {}: {e}", scenario.name());
            ExitCode::FAILURE
        }
    }
}
