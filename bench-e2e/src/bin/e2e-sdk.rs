//! `e2e-sdk <scenario>`: the end-to-end scenarios with the minimal client on the AWS SDK for
//! Rust ([`auth_bench_e2e::sdk`]), pointed at the benchmark's proxy. Started by
//! `auth-bench-e2e run`; prints one JSON line. Benchmark code only.

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::SystemTime;

use auth_bench_e2e::scenario::{CONCURRENT_CALLERS, PhaseTimer, SEQUENTIAL_FETCHES, TOKEN_AGE};
use auth_bench_e2e::sdk::{Config, MinimalClient, Tokens};
use auth_bench_e2e::{BenchEnv, ChildReport, Scenario, jwt};

fn client(env: &BenchEnv, identity_pool: bool) -> MinimalClient {
    MinimalClient::new(Config {
        endpoint: Some(env.endpoint.clone()),
        region: env.region.clone(),
        user_pool_id: env.user_pool_id.clone(),
        client_id: env.client_id.clone(),
        identity_pool_id: identity_pool.then(|| env.identity_pool_id.clone()),
    })
}

async fn run(scenario: Scenario, env: &BenchEnv) -> Result<ChildReport, String> {
    let client = Arc::new(client(env, scenario.uses_identity_pool()));
    // The SDK's `Display` is terse ("service error"): show the whole chain of sources.
    let text = |e: auth_bench_e2e::sdk::Error| {
        let mut text = e.to_string();
        let mut source = std::error::Error::source(&*e);
        while let Some(s) = source {
            text.push_str(&format!(": {s}"));
            source = s.source();
        }
        text
    };
    match scenario {
        Scenario::SrpSignIn => {
            env.mark("begin").await?;
            let timer = PhaseTimer::start();
            client
                .sign_in_srp(&env.username, &env.password)
                .await
                .map_err(text)?;
            let report = timer.stop(String::new());
            env.mark("end").await?;
            let session = client.fetch_session().await.map_err(text)?;
            if session.tokens.expires_at <= SystemTime::now()
                || session.tokens.refresh_token.is_empty()
            {
                return Err("the tokens are expired or lack a refresh token".into());
            }
            Ok(ChildReport {
                check: "tokens".into(),
                ..report
            })
        }
        Scenario::PasswordCredentials => {
            env.mark("begin").await?;
            let timer = PhaseTimer::start();
            client
                .sign_in_password(&env.username, &env.password)
                .await
                .map_err(text)?;
            let session = client.fetch_session().await.map_err(text)?;
            let report = timer.stop(String::new());
            env.mark("end").await?;
            let credentials = session.credentials.ok_or("no credentials")?;
            if credentials.access_key_id.is_empty()
                || credentials.secret_key.is_empty()
                || credentials.session_token.is_empty()
            {
                return Err("empty credentials".into());
            }
            Ok(ChildReport {
                check: format!("credentials for {}", credentials.identity_id),
                ..report
            })
        }
        Scenario::Fetch1000 => {
            client
                .sign_in_password(&env.username, &env.password)
                .await
                .map_err(text)?;
            client.fetch_session().await.map_err(text)?;
            env.mark("begin").await?;
            let timer = PhaseTimer::start();
            for _ in 0..SEQUENTIAL_FETCHES {
                let session = client.fetch_session().await.map_err(text)?;
                if session.credentials.is_none() {
                    return Err("a session without credentials".into());
                }
            }
            let report = timer.stop(format!("{SEQUENTIAL_FETCHES} sessions with credentials"));
            env.mark("end").await?;
            Ok(report)
        }
        Scenario::Expired100 => {
            client
                .sign_in_password(&env.username, &env.password)
                .await
                .map_err(text)?;
            let stored = client.tokens().await.ok_or("not signed in")?;
            let aged = Tokens::new(
                jwt::age(&stored.access_token, TOKEN_AGE)?,
                jwt::age(&stored.id_token, TOKEN_AGE)?,
                stored.refresh_token,
            )
            .map_err(text)?;
            let aged_access = aged.access_token.clone();
            client.replace_tokens(aged).await;
            env.mark("begin").await?;
            let timer = PhaseTimer::start();
            let callers: Vec<_> = (0..CONCURRENT_CALLERS)
                .map(|_| {
                    let client = Arc::clone(&client);
                    tokio::spawn(async move { client.fetch_session().await })
                })
                .collect();
            let now = SystemTime::now();
            for caller in callers {
                let session = caller.await.map_err(|e| e.to_string())?.map_err(text)?;
                if session.tokens.expires_at <= now || session.tokens.access_token == aged_access {
                    return Err("a caller got expired tokens".into());
                }
            }
            let report = timer.stop(format!("{CONCURRENT_CALLERS} callers got fresh tokens"));
            env.mark("end").await?;
            Ok(report)
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let Some(scenario) = std::env::args()
        .nth(1)
        .and_then(|s| Scenario::from_name(&s))
    else {
        eprintln!("usage: e2e-sdk <scenario>");
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
            eprintln!("e2e-sdk {}: {e}", scenario.name());
            ExitCode::FAILURE
        }
    }
}
