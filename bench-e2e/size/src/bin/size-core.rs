//! `size-core`: the sans-IO sign-in machine of `auth-core` alone, with the caller as the
//! transport, as a Rust user who brings their own HTTP stack builds it. `cargo xtask bench
//! --build-size` measures its clean build time and stripped size.
//!
//! `size-core POOL_ID CLIENT_ID USERNAME PASSWORD`: USER_SRP_AUTH; prints each request as
//! `<X-Amz-Target> <JSON body>` on one line and reads each response as `<status> <JSON body>`
//! from stdin, until the sign-in needs the user or is done.

use std::io::{BufRead as _, Write as _};
use std::process::ExitCode;
use std::time::SystemTime;

use auth_core::config::UserPoolConfig;
use auth_core::machine::Machine as _;
use auth_core::machine::sign_in::{SignIn, SignInInput, SignInStep};

fn run(args: &[String]) -> Result<String, String> {
    let [pool_id, client_id, username, password] = args else {
        return Err("usage: size-core POOL_ID CLIENT_ID USERNAME PASSWORD".into());
    };
    let config = UserPoolConfig::builder()
        .pool_id(pool_id)
        .client_id(client_id)
        .build()
        .map_err(|e| e.to_string())?;
    let mut rng = rand::thread_rng();
    let input = SignInInput::new(username.as_str(), password.as_str());
    let mut sign_in =
        SignIn::new(&config, input, &mut rng, SystemTime::now()).map_err(|e| e.to_string())?;
    let mut stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    while let Some(request) = sign_in.poll_request() {
        let target = request
            .headers()
            .get("x-amz-target")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let body = String::from_utf8_lossy(request.body());
        writeln!(stdout, "{target} {body}").map_err(|e| e.to_string())?;
        stdout.flush().map_err(|e| e.to_string())?;
        let mut line = String::new();
        stdin.read_line(&mut line).map_err(|e| e.to_string())?;
        let (status, body) = line.trim_end().split_once(' ').unwrap_or(("502", ""));
        let response = http::Response::builder()
            .status(status.parse::<u16>().map_err(|e| e.to_string())?)
            .body(body.to_owned())
            .map_err(|e| e.to_string())?;
        sign_in
            .handle_response(response, SystemTime::now())
            .map_err(|e| e.to_string())?;
    }
    match sign_in.step() {
        Some(SignInStep::Done(_)) => {
            let outcome = sign_in.take_outcome().ok_or("no outcome")?;
            Ok(format!("signed in: {outcome:?}"))
        }
        other => Ok(format!("next step: {other:?}")),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(text) => {
            let _ = writeln!(std::io::stdout().lock(), "{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("size-core: {e}");
            ExitCode::FAILURE
        }
    }
}
