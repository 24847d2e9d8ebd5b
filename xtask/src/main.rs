//! `cargo xtask`: the project's automation, one module per task.
//!
//! Every task prints the commands it runs, so what CI does is what a person can do by hand.

use std::process::ExitCode;

mod bench;
mod cmd;
mod demo;
mod http;
mod peers;
mod test;

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  peers up|down|status   local peers on loopback: moto (Cognito, identity pools, STS, IAM),
                         oidc-provider (OpenID Provider), redis-server
  test                   fmt, clippy, feature checks, every test with the peers, docs
  demo                   peers up, provision Cognito and IAM in moto, run examples/quickstart.rs
  bench [--criterion|--e2e|--verify|--build-size|--report] [-- FILTER]
                         criterion benchmarks, end-to-end runs against moto (and with
                         --build-size clean build times and sizes; --verify: token
                         verification against aws-jwt-verify); writes docs/benchmarks.md
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["peers", "up"] => peers::up().map(|_| ()),
        ["peers", "down"] => peers::down(),
        ["peers", "status"] => peers::status(),
        ["test"] => test::run(),
        ["demo"] => demo::run(),
        ["bench", rest @ ..] => bench::run(rest),
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}
