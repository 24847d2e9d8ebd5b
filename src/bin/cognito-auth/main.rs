//! `cognito-auth`: sign in to an Amazon Cognito user pool from a shell and hand the identity
//! pool's AWS credentials to the AWS CLI and every AWS SDK through `credential_process`.
//!
//! ```text
//! cognito-auth --config amplify_outputs.json sign-in alice      # prompts for each step
//! cognito-auth session                                          # who, until when (no tokens)
//! cognito-auth credentials                                      # credential_process JSON
//! cognito-auth sign-out [--global]
//! ```
//!
//! The guide is `docs/cli.md`: configuration, profiles, where tokens are kept, exit codes.
//! stdout carries only a command's result (the credentials JSON, the session); prompts,
//! progress and errors go to stderr, errors as one line with their causes.

mod args;
mod commands;
mod error;
#[cfg(feature = "keyring")]
mod keyring_storage;
mod oidc;
mod output;
mod profile;
mod prompt;

use std::process::ExitCode;

use clap::Parser as _;

use crate::args::Cli;
use crate::error::CliError;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return report(&CliError::failure("could not start the async runtime").cause(e)),
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => report(&error),
    }
}

/// Prints the error as one line on stderr and turns it into the process's exit code.
fn report(error: &CliError) -> ExitCode {
    eprintln!("cognito-auth: {}", error.chain());
    error.exit_code()
}
