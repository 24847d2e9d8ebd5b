//! `cargo xtask bench`: every criterion benchmark, the end-to-end runs against moto, and (on
//! request) clean build times and binary sizes; then `docs/benchmarks.md`.
//!
//! ```text
//! cargo xtask bench                    criterion (all groups) + end to end + token
//!                                      verification against aws-jwt-verify; writes the report
//! cargo xtask bench --criterion        criterion only
//! cargo xtask bench --e2e              end to end only
//! cargo xtask bench --verify           token verification only (criterion group
//!                                      `verify/cognito_access_token`, aws-jwt-verify on
//!                                      Node.js, allocations per verification); rewrites only
//!                                      the report's "Token verification" section and rows
//! cargo xtask bench --build-size       clean release builds and stripped sizes only (slow)
//! cargo xtask bench --repetitions N    end-to-end repetitions (default 5)
//! cargo xtask bench --report           only rewrite the report from the saved figures
//! cargo xtask bench -- srp/            criterion, only the groups matching `srp/`
//! ```
//!
//! Each part saves its figures under `<target>/bench/` (criterion under `<target>/criterion/`),
//! and the report is written from the last saved figures of every part, so a partial run
//! refreshes its part and keeps the others.
//!
//! Criterion convention: a group named `<crate>/<what>` holds our function `ours` and one
//! function per comparator (`tokio_broadcast`, `aws_lambda_events`, …), optionally with a
//! parameter (`ours/16`). The report puts each comparator next to `ours` with the ratio
//! comparator ÷ ours (above 1 means we are faster).

use std::fs;
use std::path::PathBuf;

use crate::cmd::{self, Result};

mod criterion;
mod e2e;
mod report;
mod size;
mod verify;

/// What to run.
struct Plan {
    criterion: bool,
    e2e: bool,
    verify: bool,
    build_size: bool,
    report_only: bool,
    repetitions: usize,
    cargo_bench_args: Vec<String>,
}

fn parse(args: &[&str]) -> Result<Plan> {
    let mut plan = Plan {
        criterion: false,
        e2e: false,
        verify: false,
        build_size: false,
        report_only: false,
        repetitions: 5,
        cargo_bench_args: Vec::new(),
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "--criterion" => plan.criterion = true,
            "--e2e" => plan.e2e = true,
            "--verify" => plan.verify = true,
            "--build-size" => plan.build_size = true,
            "--report" => plan.report_only = true,
            "--repetitions" => {
                plan.repetitions = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--repetitions needs a number")?;
            }
            "--" => {
                plan.criterion = true;
                plan.cargo_bench_args = args.map(|a| (*a).to_owned()).collect();
                break;
            }
            other => return Err(format!("unknown argument {other}; see xtask/src/bench.rs")),
        }
    }
    if !(plan.criterion || plan.e2e || plan.verify || plan.build_size || plan.report_only) {
        plan.criterion = true;
        plan.e2e = true;
        plan.verify = true;
    }
    Ok(plan)
}

impl Plan {
    /// `--verify` alone.
    fn verify_only(&self) -> bool {
        self.verify && !(self.criterion || self.e2e || self.build_size || self.report_only)
    }
}

/// Where cargo builds: `CARGO_TARGET_DIR` (relative to the workspace root) or `target/`.
pub(crate) fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => cmd::root().join(dir),
        None => cmd::root().join("target"),
    }
}

/// `<target>/bench/`, where each part saves its figures.
fn results_dir() -> PathBuf {
    target_dir().join("bench")
}

pub(crate) fn run(args: &[&str]) -> Result {
    let plan = parse(args)?;
    fs::create_dir_all(results_dir()).map_err(|e| e.to_string())?;
    // A failing part does not stop the others, and the report is written either way (a failed
    // end-to-end run shows as failed in it); the task then fails.
    let mut failures = Vec::new();
    if plan.criterion {
        failures.extend(criterion::run(&plan.cargo_bench_args).err());
    }
    if plan.e2e {
        failures.extend(e2e::run(plan.repetitions).err());
    }
    if plan.verify {
        // A full run has measured the criterion group with the others.
        failures.extend(verify::run(!plan.criterion).err());
    }
    if plan.build_size {
        failures.extend(size::run().err());
    }
    let path = cmd::root().join("docs/benchmarks.md");
    let estimates = criterion::collect();
    let verify = verify::load();
    let report = if plan.verify_only() {
        // Only this part was measured: the rest of the page keeps the figures it has (another
        // part's saved figures may be missing from this target directory).
        let page = fs::read_to_string(&path).unwrap_or_default();
        report::splice_verify(&page, &estimates, verify.as_ref())
    } else {
        report::render(
            &estimates,
            e2e::load().as_ref(),
            size::load().as_ref(),
            verify.as_ref(),
        )
    };
    fs::write(&path, report).map_err(|e| e.to_string())?;
    eprintln!("wrote {}", path.display());
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}

/// A JSON file under `<target>/bench/`, if a previous run saved it.
fn load_json(name: &str) -> Option<serde_json::Value> {
    serde_json::from_str(&fs::read_to_string(results_dir().join(name)).ok()?).ok()
}

fn save_json(name: &str, value: &serde_json::Value) -> Result {
    let path = results_dir().join(name);
    fs::write(&path, format!("{value:#}\n"))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Today's date (UTC), for the report.
fn today() -> String {
    std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// CPU model, cores, OS and kernel.
pub(crate) fn machine() -> String {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let os = fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_owned())
        })
        .unwrap_or_else(|| std::env::consts::OS.to_owned());
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|k| format!(", Linux {}", k.trim()))
        .unwrap_or_default();
    format!("{cpu}, {cores} cores, {os}{kernel}")
}

/// `rustc --version`.
fn rustc_version() -> String {
    std::process::Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_flag_runs_criterion_and_e2e_and_a_filter_runs_criterion_only() {
        let plan = parse(&[]).unwrap();
        assert!(plan.criterion && plan.e2e && plan.verify && !plan.build_size);
        assert!(!plan.verify_only());
        let plan = parse(&["--verify"]).unwrap();
        assert!(plan.verify_only() && !plan.criterion && !plan.e2e);
        let plan = parse(&["--", "srp/"]).unwrap();
        assert!(plan.criterion && !plan.e2e && !plan.build_size);
        assert_eq!(plan.cargo_bench_args, ["srp/"]);
        let plan = parse(&["--build-size"]).unwrap();
        assert!(!plan.criterion && !plan.e2e && plan.build_size);
        let plan = parse(&["--e2e", "--repetitions", "3"]).unwrap();
        assert!(plan.e2e && plan.repetitions == 3);
        let plan = parse(&["--report"]).unwrap();
        assert!(!plan.criterion && !plan.e2e && !plan.build_size);
        assert!(parse(&["--nope"]).is_err());
    }
}
