//! Verifications per second of the same Cognito access token with cached keys, ours against
//! awslabs' `aws-jwt-verify` on Node.js, timed the same way on both sides: one thread, a
//! warm-up, then N verifications in a loop, in interleaved rounds (median reported).
//!
//! * ours: `CognitoVerifier::verify_sync_at` on a hydrated cache (no I/O);
//! * `aws-jwt-verify` (the version `cargo xtask peers up` installs under
//!   `target/peers/node`): `CognitoJwtVerifier.verifySync` after `cacheJwks` with the same
//!   JWKS, run by `peer/aws_jwt_verify.mjs` with the `node` on `PATH`;
//! * our floor in the same loop: the bare RS256 check of aws-lc-rs (ours' backend) on a
//!   key parsed once, as in the criterion group's `aws_lc_signature_only`;
//! * Node's own floor in the same script: `crypto.verify` of the same signature on a
//!   `KeyObject` made once (what aws-jwt-verify's signature check costs by itself).
//!
//! `cargo xtask bench --verify` runs it and puts the figures in `docs/benchmarks.md`.
//! Environment: `AUTH_VERIFY_NODE_MODULES` (default `<workspace>/target/peers/node`),
//! `AUTH_VERIFY_BENCH_OUT` (write the figures there as JSON), `AUTH_VERIFY_BENCH_ITERATIONS`
//! (default 20,000 per round), `AUTH_VERIFY_BENCH_ROUNDS` (default 5).

use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

#[path = "peer/fixture.rs"]
mod fixture;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Nanoseconds per call of `f`, over `iterations` calls after `warmup`.
fn time_per_op(warmup: u64, iterations: u64, mut f: impl FnMut()) -> f64 {
    for _ in 0..warmup {
        f();
    }
    let start = Instant::now();
    for _ in 0..iterations {
        f();
    }
    start.elapsed().as_nanos() as f64 / iterations as f64
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let iterations = env_number("AUTH_VERIFY_BENCH_ITERATIONS", 20_000);
    let rounds = env_number("AUTH_VERIFY_BENCH_ROUNDS", 5).max(1);
    let warmup = (iterations / 10).max(100);
    let node_modules = std::env::var_os("AUTH_VERIFY_NODE_MODULES").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/peers/node"),
        PathBuf::from,
    );
    if !node_modules
        .join("node_modules/aws-jwt-verify/package.json")
        .is_file()
    {
        eprintln!(
            "verify_peer: aws-jwt-verify is not installed in {} (cargo xtask peers up); skipped",
            node_modules.display()
        );
        return;
    }

    let fixture = fixture::cognito_access_token();
    let ours = fixture::hydrated_verifier(&fixture);
    let component = |name: &str| {
        URL_SAFE_NO_PAD
            .decode(fixture.jwk[name].as_str().unwrap())
            .unwrap()
    };
    let (n, e) = (component("n"), component("e"));
    let floor = RsaPublicKeyComponents {
        n: &n[..],
        e: &e[..],
    }
    .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
    .unwrap();
    let (input, signature) = fixture.token.rsplit_once('.').unwrap();
    let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
    floor.verify_sig(input.as_bytes(), &signature).unwrap();
    let config = json!({
        "nodeModules": node_modules, "userPoolId": fixture::POOL, "clientId": fixture::CLIENT,
        "jwks": fixture.jwks(), "token": fixture.token, "expectSub": fixture::SUB,
        "warmup": warmup, "iterations": iterations,
    });
    let config_path =
        std::env::temp_dir().join(format!("auth-verify-peer-{}.json", std::process::id()));
    std::fs::write(&config_path, config.to_string()).unwrap();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/peer/aws_jwt_verify.mjs");

    let mut ours_ns = Vec::new();
    let mut floor_ns = Vec::new();
    let mut theirs_ns = Vec::new();
    let mut node_floor_ns = Vec::new();
    let mut versions = (String::new(), String::new());
    for round in 0..rounds {
        let ours_per_op = time_per_op(warmup, iterations, || {
            black_box(
                ours.verify_sync_at(black_box(&fixture.token), fixture.now)
                    .unwrap(),
            );
        });
        ours_ns.push(ours_per_op);
        let bare_per_op = time_per_op(warmup, iterations, || {
            floor
                .verify_sig(black_box(input.as_bytes()), black_box(&signature))
                .unwrap();
        });
        floor_ns.push(bare_per_op);

        let output = Command::new("node")
            .arg(&script)
            .arg(&config_path)
            .output()
            .expect("node is on PATH");
        assert!(
            output.status.success(),
            "aws_jwt_verify.mjs failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let result: Value = serde_json::from_slice(&output.stdout).unwrap();
        let theirs_per_op =
            result["elapsed_ns"].as_f64().unwrap() / result["iterations"].as_f64().unwrap();
        theirs_ns.push(theirs_per_op);
        let floor_per_op =
            result["signature_only_ns"].as_f64().unwrap() / result["iterations"].as_f64().unwrap();
        node_floor_ns.push(floor_per_op);
        versions = (
            result["node"].as_str().unwrap_or_default().to_owned(),
            result["aws_jwt_verify"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
        eprintln!(
            "round {}: ours {ours_per_op:.0} ns (aws-lc-rs's bare signature check {bare_per_op:.0} ns), \
             aws-jwt-verify {theirs_per_op:.0} ns (Node's bare signature check {floor_per_op:.0} ns) \
             per verification",
            round + 1
        );
    }
    let _ = std::fs::remove_file(&config_path);
    let (ours_median, theirs_median) = (median(ours_ns.clone()), median(theirs_ns.clone()));
    let figures = json!({
        "iterations": iterations,
        "warmup": warmup,
        "rounds": rounds,
        "node": versions.0,
        "aws_jwt_verify": versions.1,
        "ours_ns": ours_median,
        "aws_lc_signature_only_ns": median(floor_ns.clone()),
        "aws_jwt_verify_ns": theirs_median,
        "node_signature_only_ns": median(node_floor_ns.clone()),
        "ours_rounds_ns": ours_ns,
        "aws_lc_signature_only_rounds_ns": floor_ns,
        "aws_jwt_verify_rounds_ns": theirs_ns,
        "node_signature_only_rounds_ns": node_floor_ns,
    });
    eprintln!(
        "verify_peer: ours {:.0} verifications/s, aws-jwt-verify {:.0} verifications/s (one thread): {:.2}x",
        1e9 / ours_median,
        1e9 / theirs_median,
        theirs_median / ours_median
    );
    if let Some(out) = std::env::var_os("AUTH_VERIFY_BENCH_OUT") {
        std::fs::write(&out, format!("{figures:#}\n")).unwrap();
    }
}
