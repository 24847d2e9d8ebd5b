//! `auth-bench-e2e`: the end-to-end benchmark runner (see the crate docs).
//!
//! ```text
//! auth-bench-e2e run --moto URL [--python PATH] [--repetitions N] [--scenario NAME]...
//! auth-bench-e2e measure -- PROGRAM [ARGS]...
//! ```
//!
//! `run` prints one JSON document on stdout and its progress on stderr; `cargo xtask bench`
//! reads the document. `measure` runs one program and prints its resource usage as JSON.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use auth_bench_e2e::Scenario;
use auth_bench_e2e::measure;
use auth_bench_e2e::runner::{self, Options};

const USAGE: &str = "\
usage: auth-bench-e2e run --moto URL [--python PATH] [--repetitions N] [--scenario NAME]...
       auth-bench-e2e measure -- PROGRAM [ARGS]...
scenarios: srp-sign-in, password-credentials, fetch-1000, expired-100
";

fn parse_run(args: &[String]) -> Result<Options, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut options = Options {
        moto: String::new(),
        python: None,
        script: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python/pycognito_bench.py"),
        bin_dir: exe.parent().map(PathBuf::from).unwrap_or_default(),
        repetitions: 5,
        scenarios: Vec::new(),
    };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().cloned().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--moto" => options.moto = value()?,
            "--python" => options.python = Some(PathBuf::from(value()?)),
            "--repetitions" => {
                options.repetitions = value()?.parse().map_err(|_| "--repetitions N")?;
            }
            "--scenario" => {
                let name = value()?;
                options
                    .scenarios
                    .push(Scenario::from_name(&name).ok_or(format!("no scenario {name}"))?);
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if options.moto.is_empty() {
        return Err("--moto URL is required".into());
    }
    if options.scenarios.is_empty() {
        options.scenarios = Scenario::ALL.to_vec();
    }
    Ok(options)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.split_first() {
        Some((cmd, rest)) if cmd == "run" => parse_run(rest).and_then(|options| {
            let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
            runtime.block_on(runner::run(&options))
        }),
        Some((cmd, rest)) if cmd == "measure" => match rest {
            [dash, program, args @ ..] if dash == "--" => {
                measure::run(program, args).map(|usage| usage.to_json())
            }
            _ => Err("measure -- PROGRAM [ARGS]...".into()),
        },
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(json) => {
            let _ = writeln!(std::io::stdout().lock(), "{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("auth-bench-e2e: {e}");
            ExitCode::FAILURE
        }
    }
}
