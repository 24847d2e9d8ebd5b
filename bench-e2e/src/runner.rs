//! `auth-bench-e2e run`: every scenario × implementation, N times, interleaved, through the
//! counting proxy; one JSON document with the medians on stdout.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{Value, json};

use crate::measure::Usage;
use crate::moto::{self, PASSWORD, REGION};
use crate::proxy::{CountingProxy, Counts};
use crate::scenario::{BenchEnv, ChildReport, Scenario, nanos};

/// The implementations, in report order: ours first.
pub const IMPLEMENTATIONS: [Implementation; 3] = [
    Implementation::Ours,
    Implementation::AwsSdk,
    Implementation::Pycognito,
];

/// Who runs a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Implementation {
    /// `e2e-ours`: the full client `auth::Auth`.
    Ours,
    /// `e2e-sdk`: the minimal client on aws-sdk-rust and aws-cognito-srp.
    AwsSdk,
    /// `pycognito_bench.py`: pycognito and boto3.
    Pycognito,
}

impl Implementation {
    /// The name in the report (`ours` and the comparators).
    pub fn name(self) -> &'static str {
        match self {
            Self::Ours => "ours",
            Self::AwsSdk => "aws_sdk_minimal",
            Self::Pycognito => "pycognito_boto3",
        }
    }
}

/// What `run` needs.
#[derive(Debug, Clone)]
pub struct Options {
    /// moto's URL.
    pub moto: String,
    /// The peers' Python (with pycognito and boto3); `None` skips that comparator.
    pub python: Option<PathBuf>,
    /// `pycognito_bench.py`.
    pub script: PathBuf,
    /// Where `e2e-ours` and `e2e-sdk` are (next to the runner).
    pub bin_dir: PathBuf,
    /// Measured repetitions per scenario and implementation (after one warm-up run).
    pub repetitions: usize,
    /// The scenarios to run.
    pub scenarios: Vec<Scenario>,
}

/// One measured run.
#[derive(Debug, Clone)]
struct Run {
    report: ChildReport,
    usage: Usage,
    counts: Counts,
}

/// The runs of one implementation in one scenario.
#[derive(Debug, Default)]
struct Series {
    runs: Vec<Run>,
    error: Option<String>,
}

fn median(mut values: Vec<u64>) -> u64 {
    values.sort_unstable();
    match values.len() {
        0 => 0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2,
    }
}

impl Series {
    fn to_json(&self, implementation: Implementation) -> Value {
        let of = |f: &dyn Fn(&Run) -> u64| median(self.runs.iter().map(f).collect());
        let requests: Vec<u32> = self
            .runs
            .iter()
            .map(|r| r.counts.measured_total())
            .collect();
        let last = self.runs.last();
        json!({
            "name": implementation.name(),
            "runs": self.runs.len(),
            "error": self.error,
            "wall_ns": of(&|r| nanos(r.report.wall)),
            "cpu_ns": of(&|r| nanos(r.report.cpu)),
            "process_cpu_ns": of(&|r| nanos(r.usage.cpu)),
            "max_rss_kib": of(&|r| r.usage.max_rss_kib),
            "requests_min": requests.iter().min(),
            "requests_max": requests.iter().max(),
            "operations": last.map(|r| r.counts.measured.clone()),
            "setup_operations": last.map(|r| r.counts.setup.clone()),
            "check": last.map(|r| r.report.check.clone()),
        })
    }
}

/// The command line of one child, without the `measure` wrapper.
fn child_command(
    options: &Options,
    implementation: Implementation,
    scenario: Scenario,
) -> Option<(String, Vec<String>)> {
    let bin = |name: &str| options.bin_dir.join(name).to_string_lossy().into_owned();
    match implementation {
        Implementation::Ours => Some((bin("e2e-ours"), vec![scenario.name().into()])),
        Implementation::AwsSdk => Some((bin("e2e-sdk"), vec![scenario.name().into()])),
        Implementation::Pycognito => options.python.as_ref().map(|python| {
            (
                python.to_string_lossy().into_owned(),
                vec![
                    options.script.to_string_lossy().into_owned(),
                    scenario.name().into(),
                ],
            )
        }),
    }
}

/// Runs one child under `auth-bench-e2e measure` and reads its usage.
async fn run_child(
    env: &[(&'static str, String)],
    program: String,
    args: Vec<String>,
) -> Result<Usage, String> {
    let env = env.to_vec();
    tokio::task::spawn_blocking(move || {
        let runner = std::env::current_exe().map_err(|e| e.to_string())?;
        let output = std::process::Command::new(runner)
            .arg("measure")
            .arg("--")
            .arg(&program)
            .args(&args)
            .envs(env)
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| format!("cannot start the measure process: {e}"))?;
        let text = String::from_utf8_lossy(&output.stdout);
        let value: Value = serde_json::from_str(text.trim())
            .map_err(|e| format!("measure printed no JSON ({e}): {text}"))?;
        Usage::from_json(&value).ok_or_else(|| format!("measure printed {value}"))
    })
    .await
    .map_err(|e| e.to_string())?
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(6)..].join(" | ")
}

/// Provisions, starts the proxy, runs everything and returns the JSON document.
///
/// # Errors
///
/// When moto cannot be provisioned or the proxy cannot start. A failing child does not stop
/// the run: its series carries the error.
pub async fn run(options: &Options) -> Result<Value, String> {
    let provisioned = moto::provision(&options.moto).await?;
    let jwks = moto::jwks(&options.moto, &provisioned.user_pool_id).await?;
    let proxy = CountingProxy::start(&options.moto)
        .await
        .map_err(|e| format!("proxy: {e}"))?;
    let bench = BenchEnv {
        endpoint: proxy.url(),
        region: REGION.into(),
        user_pool_id: provisioned.user_pool_id.clone(),
        client_id: provisioned.client_id.clone(),
        identity_pool_id: provisioned.identity_pool_id.clone(),
        username: provisioned.username.clone(),
        password: PASSWORD.into(),
    };
    let mut env = bench.vars();
    // The same AWS environment for every child; boto3 reads the endpoint from it, pycognito
    // its JWKS (it would fetch it from AWS otherwise). No child needs real credentials.
    env.extend([
        ("AWS_ENDPOINT_URL", bench.endpoint.clone()),
        ("AWS_DEFAULT_REGION", REGION.to_owned()),
        ("AWS_ACCESS_KEY_ID", "AKIDBENCH".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "bench".to_owned()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
        ("COGNITO_JWKS", jwks),
    ]);
    eprintln!(
        "bench-e2e: user pool {} behind proxy {}, {} repetitions",
        provisioned.user_pool_id, bench.endpoint, options.repetitions
    );

    let mut results: BTreeMap<(usize, usize), Series> = BTreeMap::new();
    for (si, &scenario) in options.scenarios.iter().enumerate() {
        // Round 0 warms up (caches, connections in moto); its figures are dropped.
        for round in 0..=options.repetitions {
            for (ii, &implementation) in IMPLEMENTATIONS.iter().enumerate() {
                let series = results.entry((si, ii)).or_default();
                if series.error.is_some() {
                    continue;
                }
                let Some((program, args)) = child_command(options, implementation, scenario) else {
                    series.error = Some("no Python with pycognito (cargo xtask peers up)".into());
                    continue;
                };
                proxy.take();
                let usage = run_child(&env, program, args).await;
                let counts = proxy.take();
                let run = usage.and_then(|usage| {
                    if !usage.success {
                        return Err(format!("{}: {}", usage.status, tail(&usage.stderr)));
                    }
                    if !counts.well_marked() {
                        return Err(format!("the measured phase was not marked: {counts:?}"));
                    }
                    let line = usage.stdout.lines().rev().find(|l| !l.trim().is_empty());
                    let report = line
                        .and_then(|l| serde_json::from_str(l).ok())
                        .and_then(|v| ChildReport::from_json(&v))
                        .ok_or_else(|| format!("no report line in {:?}", usage.stdout))?;
                    Ok(Run {
                        report,
                        usage,
                        counts,
                    })
                });
                match run {
                    Ok(run) => {
                        eprintln!(
                            "  {:<21} {:<16} round {round}: {:>10.3} ms, {} requests, {} KiB",
                            scenario.name(),
                            implementation.name(),
                            run.report.wall.as_secs_f64() * 1e3,
                            run.counts.measured_total(),
                            run.usage.max_rss_kib
                        );
                        if round > 0 {
                            series.runs.push(run);
                        }
                    }
                    Err(e) => {
                        eprintln!(
                            "  {:<21} {:<16} FAILED: {e}",
                            scenario.name(),
                            implementation.name()
                        );
                        series.error = Some(e);
                    }
                }
            }
        }
    }

    let scenarios: Vec<Value> = options
        .scenarios
        .iter()
        .enumerate()
        .map(|(si, scenario)| {
            let implementations: Vec<Value> = IMPLEMENTATIONS
                .iter()
                .enumerate()
                .map(|(ii, implementation)| {
                    results
                        .get(&(si, ii))
                        .map_or(Value::Null, |s| s.to_json(*implementation))
                })
                .collect();
            json!({
                "name": scenario.name(),
                "title": scenario.title(),
                "minimum": scenario.minimum_requests(),
                "implementations": implementations,
            })
        })
        .collect();
    Ok(json!({
        "repetitions": options.repetitions,
        "scenarios": scenarios,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(vec![5, 1, 3]), 3);
        assert_eq!(median(vec![4, 1, 3, 2]), 2);
        assert_eq!(median(Vec::new()), 0);
    }
}
