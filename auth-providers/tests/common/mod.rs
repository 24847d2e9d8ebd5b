//! Finding the real peers `cargo xtask peers up` starts.

use std::path::PathBuf;

/// `<workspace>/target/peers/peers.env`.
fn peers_env() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/peers/peers.env")
}

/// The peer URL from env var `env_var`, else from line `KEY=...` of peers.env.
pub(crate) fn peer_url(env_var: &str, key: &str) -> Option<String> {
    if let Ok(v) = std::env::var(env_var)
        && !v.trim().is_empty()
    {
        return Some(v.trim().to_owned());
    }
    let text = std::fs::read_to_string(peers_env()).ok()?;
    text.lines().find_map(|line| {
        let (k, v) = line.trim().split_once('=')?;
        (k.trim() == key && !v.trim().is_empty())
            .then(|| v.trim().trim_matches('"').trim_matches('\'').to_owned())
    })
}

/// The peer URL, or `None` after printing the skip notice; panics when `AUTH_PEERS=1`.
#[expect(clippy::print_stdout, reason = "the skip notice is the test's output")]
pub(crate) fn require_peer(env_var: &str, key: &str) -> Option<String> {
    if let Some(url) = peer_url(env_var, key) {
        return Some(url);
    }
    if std::env::var("AUTH_PEERS").is_ok_and(|v| v == "1") {
        panic!(
            "AUTH_PEERS=1 but no {key} in {} and no {env_var} in the environment",
            peers_env().display()
        );
    }
    println!("skipped: needs `cargo xtask peers up` ({key})");
    None
}
