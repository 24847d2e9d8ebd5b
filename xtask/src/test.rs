//! `cargo xtask test`: the whole suite, as CI runs it.
//!
//! fmt, clippy (all targets and features, `-D warnings`), the umbrella's feature matrix,
//! leaf crates without default features (each built alone), `auth-core`'s dependency rule, peers up, every test of the workspace including the peer
//! tests, `cargo doc -D warnings`, peers down (even when a step fails), then a summary.

use std::time::Instant;

use crate::cmd::{self, Result};
use crate::peers;

/// The umbrella's features, checked one at a time (plus none and `full`).
const FEATURES: &[&str] = &[
    "hub",
    "providers",
    "reqwest",
    "redis",
    "aws-sdk",
    "federation",
    "oidc",
    "auth0",
    "developer-backend",
    "verify",
    "verify-tower",
    "triggers",
    "lambda",
    "aws-lambda-events",
    "fast-srp",
    "fast-json",
    "client",
    "cli",
    "keyring",
];

/// The leaf crates: each must default to no features and build alone with its defaults.
const LEAVES: &[&str] = &[
    "auth-core",
    "auth-hub",
    "auth-providers",
    "auth-federation",
    "auth-triggers",
    "auth-verify",
];

/// Crates that must never appear in `auth-core`'s normal dependency tree.
const FORBIDDEN_IN_CORE: &[&str] = &["tokio", "reqwest", "hyper", "mio"];

struct Step {
    name: String,
    result: Result,
    secs: f64,
}

/// Counts from libtest's `test result:` lines.
#[derive(Default)]
struct Counts {
    passed: u64,
    failed: u64,
    ignored: u64,
    peer_passed: u64,
}

#[expect(
    clippy::print_stdout,
    reason = "the closing `N passed, N failed` line goes to stdout, where CI reads it"
)]
pub(crate) fn run() -> Result {
    let mut steps = Vec::new();
    let mut step = |name: &str, f: &mut dyn FnMut() -> Result| {
        let start = Instant::now();
        eprintln!("\n==> {name}");
        let result = f();
        if let Err(e) = &result {
            eprintln!("==> {name}: FAILED: {e}");
        }
        steps.push(Step {
            name: name.to_owned(),
            result,
            secs: start.elapsed().as_secs_f64(),
        });
    };

    step("build prerequisites", &mut build_prerequisites);
    step("fmt", &mut || {
        cmd::run(cmd::cargo().args(["fmt", "--all", "--check"]))
    });
    step("clippy", &mut || {
        cmd::run(cmd::cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ]))
    });
    step("feature checks", &mut feature_checks);
    step("leaf crates default to none", &mut leaf_defaults);
    step("auth-core has no runtime", &mut core_tree);
    let mut peers_ok = false;
    step("peers up", &mut || {
        peers::up().map(|_| {
            peers_ok = true;
        })
    });
    let mut counts = Counts::default();
    if peers_ok {
        step("tests", &mut || {
            let (result, lines) = cmd::run_captured(
                cmd::cargo()
                    .args(["test", "--workspace", "--all-features", "--no-fail-fast"])
                    .args(["--", "--include-ignored"])
                    .env("AUTH_PEERS", "1"),
            );
            counts = count(&lines);
            result
        });
    }
    step("docs", &mut || {
        cmd::run(
            cmd::cargo()
                .args(["doc", "--workspace", "--no-deps", "--all-features"])
                .env("RUSTDOCFLAGS", "-D warnings"),
        )
    });
    step("peers down", &mut peers::down);

    eprintln!("\n==> summary");
    for s in &steps {
        let status = if s.result.is_ok() { "ok" } else { "FAILED" };
        eprintln!("  {:<26} {status:<7} {:>7.1}s", s.name, s.secs);
    }
    eprintln!(
        "  tests: {} passed ({} of them against the peers), {} failed, {} ignored",
        counts.passed, counts.peer_passed, counts.failed, counts.ignored
    );
    let failed: Vec<&str> = steps
        .iter()
        .filter(|s| s.result.is_err())
        .map(|s| s.name.as_str())
        .collect();
    if failed.is_empty() {
        // The plain closing line CI reads.
        println!("{} passed, {} failed", counts.passed, counts.failed);
        Ok(())
    } else {
        println!("{} passed, {} failed", counts.passed, counts.failed.max(1));
        Err(format!("failed: {}", failed.join(", ")))
    }
}

/// The SRP benchmark compares against OpenSSL through the `openssl` crate, which clippy and
/// the tests compile (`--all-targets`): it needs OpenSSL's headers and pkg-config.
fn build_prerequisites() -> Result {
    let has_openssl = std::process::Command::new("pkg-config")
        .args(["--exists", "openssl"])
        .status()
        .is_ok_and(|s| s.success());
    if has_openssl {
        eprintln!("OpenSSL headers and pkg-config are installed");
        return Ok(());
    }
    eprintln!("OpenSSL headers or pkg-config are missing; installing Debian's packages");
    cmd::apt_install(&["libssl-dev", "pkg-config"])
}

fn feature_checks() -> Result {
    let check = |extra: &[&str]| {
        cmd::run(
            cmd::cargo()
                .args([
                    "check",
                    "--quiet",
                    "--package",
                    "auth",
                    "--no-default-features",
                ])
                .args(extra),
        )
    };
    check(&[])?;
    for feature in FEATURES {
        check(&["--features", feature])?;
    }
    check(&["--features", "full"])?;
    cmd::run(cmd::cargo().args([
        "check",
        "--quiet",
        "--package",
        "auth-core",
        "--no-default-features",
    ]))
}

/// DESIGN.md: leaf crates default to no features (the umbrella turns them on). Reads the
/// `default` feature of each leaf from `cargo metadata`, then builds each leaf alone.
fn leaf_defaults() -> Result {
    let mut c = cmd::cargo();
    c.args(["metadata", "--no-deps", "--format-version", "1"]);
    cmd::show(&c);
    let out = c.output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let metadata: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
    let packages = metadata["packages"].as_array().cloned().unwrap_or_default();
    let mut offenders = Vec::new();
    for leaf in LEAVES {
        let package = packages
            .iter()
            .find(|p| p["name"] == *leaf)
            .ok_or_else(|| format!("cargo metadata does not list {leaf}"))?;
        let default = &package["features"]["default"];
        if default.as_array().is_some_and(|d| !d.is_empty()) {
            offenders.push(format!("{leaf} (default = {default})"));
        }
    }
    if !offenders.is_empty() {
        return Err(format!(
            "leaf crates with default features: {}",
            offenders.join(", ")
        ));
    }
    eprintln!("no leaf crate has default features");
    for leaf in LEAVES {
        cmd::run(cmd::cargo().args(["check", "--quiet", "--package", leaf]))?;
    }
    Ok(())
}

fn core_tree() -> Result {
    let mut c = cmd::cargo();
    c.args([
        "tree",
        "--package",
        "auth-core",
        "--edges",
        "normal",
        "--prefix",
        "none",
    ]);
    cmd::show(&c);
    let out = c.output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let tree = String::from_utf8_lossy(&out.stdout);
    let found: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| FORBIDDEN_IN_CORE.contains(name))
        .collect();
    if found.is_empty() {
        eprintln!("auth-core's normal dependencies: none of {FORBIDDEN_IN_CORE:?}");
        Ok(())
    } else {
        Err(format!("auth-core depends on {found:?}"))
    }
}

/// Sums libtest's result lines; a test binary whose `Running` line names a `peer_` file counts
/// towards the peer tests.
fn count(lines: &[String]) -> Counts {
    let mut counts = Counts::default();
    let mut in_peer_binary = false;
    for line in lines {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("Running ") {
            in_peer_binary = rest.contains("/peer_") || rest.starts_with("tests/peer_");
            continue;
        }
        if line.starts_with("Doc-tests") {
            in_peer_binary = false;
        }
        let Some(rest) = line.strip_prefix("test result: ") else {
            continue;
        };
        let number = |label: &str| -> u64 {
            rest.split(';')
                .find_map(|part| part.trim().strip_suffix(label))
                .and_then(|n| n.split_whitespace().last()?.parse().ok())
                .unwrap_or(0)
        };
        let passed = number(" passed");
        counts.passed += passed;
        counts.failed += number(" failed");
        counts.ignored += number(" ignored");
        if in_peer_binary {
            counts.peer_passed += passed;
        }
    }
    counts
}
