//! `size-sdk`: the minimal client on the AWS SDK for Rust that the end-to-end benchmark runs
//! (the same source file, `bench-e2e/src/sdk.rs`): SRP sign-in, then the session with AWS
//! credentials from the identity pool. `cargo xtask bench --build-size` measures its clean
//! build time and stripped size. Benchmark code only.
//!
//! `size-sdk USER_POOL_ID CLIENT_ID IDENTITY_POOL_ID USERNAME PASSWORD [ENDPOINT]`

use std::io::Write as _;
use std::process::ExitCode;

#[path = "../../../src/sdk.rs"]
#[allow(
    unreachable_pub,
    dead_code,
    reason = "the benchmark's client, shared with auth-bench-e2e, which uses all of it"
)]
mod sdk;

async fn run(args: &[String]) -> Result<String, sdk::Error> {
    let (pool_id, client_id, identity_pool_id, username, password, endpoint) = match args {
        [p, c, i, u, w] => (p, c, i, u, w, None),
        [p, c, i, u, w, e] => (p, c, i, u, w, Some(e.clone())),
        _ => {
            return Err(
                "usage: size-sdk USER_POOL_ID CLIENT_ID IDENTITY_POOL_ID USERNAME PASSWORD [ENDPOINT]"
                    .into(),
            );
        }
    };
    let client = sdk::MinimalClient::new(sdk::Config {
        endpoint,
        region: pool_id.split('_').next().unwrap_or_default().to_owned(),
        user_pool_id: pool_id.clone(),
        client_id: client_id.clone(),
        identity_pool_id: Some(identity_pool_id.clone()),
    });
    client.sign_in_srp(username, password).await?;
    let session = client.fetch_session().await?;
    Ok(format!(
        "identity {:?}",
        session.credentials.map(|c| c.identity_id)
    ))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args).await {
        Ok(text) => {
            let _ = writeln!(std::io::stdout().lock(), "{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("size-sdk: {e}");
            ExitCode::FAILURE
        }
    }
}
