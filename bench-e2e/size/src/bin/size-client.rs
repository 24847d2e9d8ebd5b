//! `size-client`: the full client `auth::Auth`: SRP sign-in, then the session with AWS
//! credentials from the identity pool. `cargo xtask bench --build-size` measures its clean
//! build time and stripped size.
//!
//! `size-client USER_POOL_ID CLIENT_ID IDENTITY_POOL_ID USERNAME PASSWORD [ENDPOINT]`

use std::io::Write as _;
use std::process::ExitCode;

use auth::Auth;
use auth::client::SignInOptions;
use auth::core::config::{IdentityPoolConfig, UserPoolConfig};

async fn run(args: &[String]) -> Result<String, String> {
    let (pool_id, client_id, identity_pool_id, username, password, endpoint) = match args {
        [p, c, i, u, w] => (p, c, i, u, w, None),
        [p, c, i, u, w, e] => (p, c, i, u, w, Some(e)),
        _ => {
            return Err(
                "usage: size-client USER_POOL_ID CLIENT_ID IDENTITY_POOL_ID USERNAME PASSWORD [ENDPOINT]"
                    .into(),
            );
        }
    };
    let mut user_pool = UserPoolConfig::builder()
        .pool_id(pool_id)
        .client_id(client_id);
    let mut identity_pool = IdentityPoolConfig::builder().identity_pool_id(identity_pool_id);
    if let Some(endpoint) = endpoint {
        user_pool = user_pool.endpoint(endpoint);
        identity_pool = identity_pool.endpoint(endpoint);
    }
    let auth = Auth::builder()
        .user_pool(user_pool.build().map_err(|e| e.to_string())?)
        .identity_pool(identity_pool.build().map_err(|e| e.to_string())?)
        .build()
        .map_err(|e| e.to_string())?;
    let out = auth
        .sign_in(username, password, SignInOptions::new())
        .await
        .map_err(|e| e.to_string())?;
    if !out.is_signed_in() {
        return Err(format!("next step: {:?}", out.next_step()));
    }
    let session = auth
        .fetch_auth_session(Default::default())
        .await
        .map_err(|e| e.to_string())?;
    Ok(format!("identity {:?}", session.identity_id))
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
            eprintln!("size-client: {e}");
            ExitCode::FAILURE
        }
    }
}
