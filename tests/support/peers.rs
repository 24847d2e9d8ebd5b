//! Where the local peers are, for tests that talk to them.
//!
//! `cargo xtask peers up` starts moto, oidc-provider and redis-server on loopback and writes
//! their URLs to `target/peers/peers.env`; `cargo xtask test` runs the peer tests with
//! `AUTH_PEERS=1`. An environment variable `AUTH_<KEY>` (e.g. `AUTH_MOTO_URL`) overrides the
//! file.
//!
//! Peer tests are `#[ignore = "needs peers: cargo xtask peers up"]`, so a plain `cargo test`
//! lists them as ignored, with that reason, instead of passing silently. Run them with
//! `cargo test -- --include-ignored` after `cargo xtask peers up`; when a peer is missing they
//! fail with a message naming that command.
//!
//! Every crate's peer tests include this one file with
//! `#[path = "../../tests/support/peers.rs"] mod peers;` (the umbrella: `support/peers.rs`).
#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::path::{Path, PathBuf};

/// The workspace root: the first ancestor of this crate that holds `.cargo/config.toml`.
fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .find(|dir| dir.join(".cargo/config.toml").is_file())
        .unwrap_or(manifest)
        .to_path_buf()
}

/// The value of `key` (`MOTO_URL`, `MOTO_AUTH_URL`, `OIDC_URL`, `OIDC_COGNITO_URL`,
/// `REDIS_URL`, `PYTHON`), from
/// `AUTH_<key>` or `target/peers/peers.env`.
///
/// # Panics
///
/// When the peers are not up, with a message naming the command that starts them.
pub(crate) fn peer(key: &str) -> String {
    if let Ok(value) = std::env::var(format!("AUTH_{key}")) {
        return value;
    }
    let file = workspace_root().join("target/peers/peers.env");
    let text = std::fs::read_to_string(&file).unwrap_or_else(|_| {
        panic!(
            "this test needs the local peers, and {} does not exist: run `cargo xtask peers up`",
            file.display()
        )
    });
    let value = text
        .lines()
        .filter_map(|line| line.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_else(|| {
            panic!(
                "{} has no {key}: run `cargo xtask peers up`",
                file.display()
            )
        });
    if let Some(addr) = value
        .strip_prefix("http://")
        .or_else(|| value.strip_prefix("redis://"))
    {
        let addr = addr.split('/').next().unwrap_or(addr);
        if std::net::TcpStream::connect(addr).is_err() {
            panic!("{key} ({value}) does not answer: run `cargo xtask peers up`");
        }
    }
    value
}

/// moto's server (Cognito user pools, identity pools, STS, IAM), TOTP codes checked.
pub(crate) fn moto() -> String {
    peer("MOTO_URL")
}

/// A second moto that enforces SigV4 and IAM (open a window with `/moto-api/reset-auth`).
pub(crate) fn moto_auth() -> String {
    peer("MOTO_AUTH_URL")
}

/// oidc-provider's issuer URL.
pub(crate) fn oidc() -> String {
    peer("OIDC_URL")
}

/// A second oidc-provider shaped like a Cognito managed-login domain (Cognito's endpoint
/// paths, JWT access tokens with `username`, `GET /logout`): its base URL, the OAuth domain.
pub(crate) fn oidc_cognito() -> String {
    peer("OIDC_COGNITO_URL")
}

/// redis-server's URL.
pub(crate) fn redis() -> String {
    peer("REDIS_URL")
}

/// The peers venv's Python, which has `pycognito`.
pub(crate) fn python() -> String {
    peer("PYTHON")
}
