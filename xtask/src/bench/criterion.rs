//! The criterion part: `cargo bench --workspace --all-features`, then the medians from
//! `<target>/criterion/`.

use std::fs;
use std::path::Path;

use crate::cmd::{self, Result};

/// One measurement: group, function, parameter, median nanoseconds.
pub(crate) struct Estimate {
    pub(crate) group: String,
    pub(crate) function: String,
    pub(crate) parameter: Option<String>,
    pub(crate) median_ns: f64,
}

/// Runs the benchmarks. Without a filter it starts from nothing, so the report holds only
/// this run's figures; a filtered run (`cargo xtask bench -- srp/`) re-measures some groups
/// and keeps the others.
pub(crate) fn run(filter: &[String]) -> Result {
    let dir = super::target_dir().join("criterion");
    if filter.is_empty() {
        let _ = fs::remove_dir_all(&dir);
    }
    let mut command = cmd::cargo();
    // auth-bench-e2e has a criterion bench (`client/fetch_auth_session_cached`, ours against
    // the SDK minimal client); the size package has none, and excluding it spares its builds.
    command
        .args(["bench", "--workspace", "--all-features"])
        .args(["--exclude", "auth-bench-size"]);
    if !filter.is_empty() {
        command.arg("--").args(filter);
    }
    cmd::run(&mut command)
}

/// Every estimate criterion has saved.
pub(crate) fn collect() -> Vec<Estimate> {
    let mut out = Vec::new();
    walk(&super::target_dir().join("criterion"), &mut out);
    out
}

/// Finds every `<group>/<function>[/<parameter>]/new/estimates.json` under `dir`.
fn walk(dir: &Path, out: &mut Vec<Estimate>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        let estimates = path.join("estimates.json");
        if path.file_name().is_some_and(|n| n == "new") && estimates.is_file() {
            if let Some(e) = read_estimate(&path, &estimates) {
                out.push(e);
            }
        } else if path.file_name().is_none_or(|n| n != "report") {
            walk(&path, out);
        }
    }
}

fn read_estimate(new_dir: &Path, file: &Path) -> Option<Estimate> {
    // benchmark.json names the group, function and parameter as written in the bench.
    let bench: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(new_dir.join("benchmark.json")).ok()?).ok()?;
    let est: serde_json::Value = serde_json::from_str(&fs::read_to_string(file).ok()?).ok()?;
    let median_ns = est["median"]["point_estimate"].as_f64()?;
    Some(Estimate {
        group: bench["group_id"].as_str()?.to_owned(),
        function: bench["function_id"].as_str().unwrap_or("").to_owned(),
        parameter: bench["value_str"].as_str().map(str::to_owned),
        median_ns,
    })
}
