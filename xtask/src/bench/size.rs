//! The build-and-size part (`--build-size`, slow): each program of `bench-e2e/size` built in
//! release mode from nothing, in a fresh target directory, with the same number of jobs;
//! wall time of `cargo build` and the size of the stripped binary.

use std::fs;
use std::time::Instant;

use serde_json::{Value, json};

use crate::cmd::{self, Result};

const FILE: &str = "build-size.json";

/// `(label, feature of auth-bench-size, binary)`, the SDK's last: the ratios are against it.
pub(crate) const PROGRAMS: [(&str, &str, &str); 3] = [
    ("auth-core alone (sans-IO SRP sign-in)", "core", "size-core"),
    (
        "full client (`auth`, feature `client`)",
        "client",
        "size-client",
    ),
    (
        "minimal client on aws-sdk-rust + aws-cognito-srp",
        "sdk",
        "size-sdk",
    ),
];

pub(crate) fn run() -> Result {
    let jobs = std::env::var("CARGO_BUILD_JOBS")
        .ok()
        .and_then(|j| j.parse::<usize>().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    // Downloads are not part of a build's time.
    cmd::run(cmd::cargo().args(["fetch", "--locked"]))?;
    let mut programs = Vec::new();
    for (label, feature, bin) in PROGRAMS {
        let dir = super::results_dir().join("build").join(bin);
        let _ = fs::remove_dir_all(&dir);
        let mut command = cmd::cargo();
        command
            .args([
                "build",
                "--release",
                "--locked",
                "--package",
                "auth-bench-size",
            ])
            .args(["--features", feature, "--bin", bin])
            .env("CARGO_TARGET_DIR", &dir)
            .env("CARGO_BUILD_JOBS", jobs.to_string())
            .env("CARGO_PROFILE_RELEASE_STRIP", "symbols")
            .env_remove("RUSTC_WRAPPER");
        let start = Instant::now();
        let (result, lines) = cmd::run_captured(&mut command);
        let secs = start.elapsed().as_secs_f64();
        result?;
        let crates = lines
            .iter()
            .filter(|l| l.trim_start().starts_with("Compiling "))
            .count();
        let binary = dir.join("release").join(bin);
        let bytes = fs::metadata(&binary)
            .map_err(|e| format!("{}: {e}", binary.display()))?
            .len();
        eprintln!("{bin}: {secs:.1} s, {crates} crates, {bytes} bytes stripped");
        programs.push(json!({
            "label": label, "feature": feature, "bin": bin,
            "build_secs": secs, "crates": crates, "stripped_bytes": bytes,
        }));
        // Each clean target directory is large; only the figures are kept.
        let _ = fs::remove_dir_all(&dir);
    }
    super::save_json(
        FILE,
        &json!({
            "machine": super::machine(),
            "date": super::today(),
            "rustc": super::rustc_version(),
            "jobs": jobs,
            "programs": programs,
        }),
    )
}

/// The last saved build-and-size figures.
pub(crate) fn load() -> Option<Value> {
    super::load_json(FILE)
}
