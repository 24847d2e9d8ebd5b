//! `cargo xtask bench`: run every criterion benchmark and write `docs/benchmarks.md`.
//!
//! Convention for comparisons: a criterion group named `<crate>/<what>` holds our function
//! `ours` and one function per comparator (`tokio_broadcast`, `aws_lambda_events`, …),
//! optionally with a parameter (`ours/16`). The report puts each comparator next to `ours`
//! with the ratio comparator ÷ ours (above 1 means we are faster).
//!
//! Extra arguments go to `cargo bench`: `cargo xtask bench -- srp/` re-measures the SRP groups
//! and rewrites the report with the other groups' last figures.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::cmd::{self, Result};

/// One measurement: group, function, parameter, median nanoseconds.
struct Estimate {
    group: String,
    function: String,
    parameter: Option<String>,
    median_ns: f64,
}

pub(crate) fn run(args: &[&str]) -> Result {
    let criterion_dir = cmd::root().join("target/criterion");
    // A full run starts from nothing, so the report holds only this run's figures; a filtered
    // run (`cargo xtask bench -- srp/`) re-measures some groups and keeps the others.
    if args.is_empty() {
        let _ = fs::remove_dir_all(&criterion_dir);
    }
    cmd::run(
        cmd::cargo()
            .args(["bench", "--workspace", "--all-features"])
            .args(args),
    )?;
    let mut estimates = Vec::new();
    collect(&criterion_dir, &mut estimates);
    let report = render(&estimates);
    let path = cmd::root().join("docs/benchmarks.md");
    fs::write(&path, report).map_err(|e| e.to_string())?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

/// Finds every `<group>/<function>[/<parameter>]/new/estimates.json` under `dir`.
fn collect(dir: &Path, out: &mut Vec<Estimate>) {
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
            collect(&path, out);
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

fn human(ns: f64) -> String {
    if ns < 1_000.0 {
        format!("{ns:.1} ns")
    } else if ns < 1_000_000.0 {
        format!("{:.2} µs", ns / 1_000.0)
    } else {
        format!("{:.2} ms", ns / 1_000_000.0)
    }
}

fn render(estimates: &[Estimate]) -> String {
    // group -> parameter -> function -> median
    let mut table: BTreeMap<&str, BTreeMap<String, BTreeMap<&str, f64>>> = BTreeMap::new();
    for e in estimates {
        table
            .entry(e.group.as_str())
            .or_default()
            .entry(e.parameter.clone().unwrap_or_default())
            .or_default()
            .insert(e.function.as_str(), e.median_ns);
    }
    let mut out = String::from(
        "# Benchmarks\n\n\
         Written by `cargo xtask bench` (criterion, median time per iteration: the median resists\n\
         the noise of a shared machine better than the mean). Absolute times are\n\
         this machine's; the ratios, measured side by side in the same run, are the claim.\n\
         Ratio = comparator ÷ ours: above 1 means ours is faster.\n\n",
    );
    out.push_str(&format!("Machine: {}\n\n", machine()));
    out.push_str("Reproduce: `cargo xtask bench` (or `cargo bench -p <crate>`).\n\n");
    for (group, params) in &table {
        out.push_str(&format!("## {group}\n\n"));
        out.push_str(
            "| parameter | implementation | median | ratio vs ours |\n|---|---|---|---|\n",
        );
        for (param, functions) in params {
            let ours = functions.get("ours").copied();
            for (function, mean) in functions {
                let ratio = match ours {
                    Some(o) if *function != "ours" && o > 0.0 => format!("{:.2}", mean / o),
                    _ => "—".into(),
                };
                out.push_str(&format!(
                    "| {param} | {function} | {} | {ratio} |\n",
                    human(*mean)
                ));
            }
        }
        out.push('\n');
    }
    out
}

fn machine() -> String {
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
    format!("{cpu}, {cores} cores")
}
