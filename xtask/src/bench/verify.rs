//! The token-verification part (issue #17, item 9): verifications per second of one Cognito
//! access token with cached keys, ours against `aws-jwt-verify` on Node.js, `jsonwebtoken` and
//! the bare signature check of aws-lc-rs, and the heap allocations per verification.
//!
//! - the criterion group `verify/cognito_access_token` (`auth-verify/benches/verify.rs`): ours,
//!   `jsonwebtoken`, `aws_lc_signature_only`;
//! - `auth-verify/benches/verify_peer.rs`: ours and `aws-jwt-verify` (the `node_modules` of
//!   `cargo xtask peers up`, installed here if missing), interleaved rounds in one run;
//! - `auth-verify/tests/verify_allocations.rs` in release mode: the allocation count (a test
//!   that asserts a count, never a time).
//!
//! The figures go to `<target>/bench/verify.json`.

use std::fs;

use serde_json::{Value, json};

use crate::cmd::{self, Result};
use crate::peers;

const FILE: &str = "verify.json";

/// The criterion group the report reads.
pub(crate) const GROUP: &str = "verify/cognito_access_token";

/// Runs the peer comparison and the allocation count, and with `criterion` the criterion
/// group too (a full `cargo xtask bench` has run it with every other group already).
pub(crate) fn run(criterion: bool) -> Result {
    peers::install_node()?;
    if criterion {
        cmd::run(cmd::cargo().args(["bench", "-p", "auth-verify", "--bench", "verify"]))?;
    }
    let peer_file = super::results_dir().join("verify_peer.json");
    let allocations_file = super::results_dir().join("verify_allocations.json");
    let _ = fs::remove_file(&peer_file);
    let _ = fs::remove_file(&allocations_file);
    cmd::run(
        cmd::cargo()
            .args(["bench", "-p", "auth-verify", "--bench", "verify_peer"])
            .env("AUTH_VERIFY_BENCH_OUT", &peer_file)
            .env("AUTH_VERIFY_NODE_MODULES", peers::dir().join("node")),
    )?;
    cmd::run(
        cmd::cargo()
            .args(["test", "--release", "-p", "auth-verify"])
            .args(["--test", "verify_allocations", "--", "--nocapture"])
            .env("AUTH_VERIFY_ALLOCS_OUT", &allocations_file),
    )?;
    let read = |path: &std::path::Path| -> Result<Value> {
        let text = fs::read_to_string(path)
            .map_err(|e| format!("no figures in {}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    };
    let doc = json!({
        "date": super::today(),
        "machine": super::machine(),
        "rustc": super::rustc_version(),
        "crates": locked_versions(&["aws-lc-rs", "aws-lc-sys", "jsonwebtoken", "rsa", "serde_json"]),
        "peer": read(&peer_file)?,
        "allocations": read(&allocations_file)?,
    });
    super::save_json(FILE, &doc)
}

/// The figures of the last run, if any.
pub(crate) fn load() -> Option<Value> {
    super::load_json(FILE)
}

/// `name version` of each crate in `Cargo.lock` (the first version listed when several are).
fn locked_versions(names: &[&str]) -> Value {
    let lock = fs::read_to_string(cmd::root().join("Cargo.lock")).unwrap_or_default();
    let mut versions = serde_json::Map::new();
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        let Some(name) = line
            .strip_prefix("name = \"")
            .and_then(|n| n.strip_suffix('"'))
        else {
            continue;
        };
        if names.contains(&name) && !versions.contains_key(name) {
            let version = lines
                .next()
                .and_then(|l| l.strip_prefix("version = \""))
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or("?");
            versions.insert(name.to_owned(), version.into());
        }
    }
    Value::Object(versions)
}
