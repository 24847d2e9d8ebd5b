//! `cargo xtask peers up|down|status`: real third-party peers on loopback.
//!
//! - **moto** (`moto[server]`, pinned): Cognito user pools, identity pools, STS, IAM;
//!   started with `MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true` so TOTP codes are checked.
//! - **moto-auth**: a second moto with SigV4/IAM enforcement
//!   (`INITIAL_NO_AUTH_ACTION_COUNT`), for tests where forged credentials must fail.
//! - **oidc-provider** (panva's, pinned): an OpenID Provider with a public native client and a
//!   headless login (see `xtask/assets/oidc-provider.mjs`).
//! - **oidc-cognito**: a second oidc-provider from the same script with `COGNITO_SHAPED=1`,
//!   standing in for a user pool's managed-login domain (Cognito's endpoint paths, JWT access
//!   tokens with Cognito's claims, `GET /logout`), for sign-in with redirect.
//! - **redis-server** (Debian's package, installed with apt-get if missing).
//! - **aws-jwt-verify** (awslabs', pinned): not a server; installed next to oidc-provider for
//!   the differential test of `auth-verify` (`target/peers/node/node_modules`).
//!
//! Everything lives under `target/peers/`: the Python venv (moto and pycognito), the npm
//! install, one `<peer>.pid`/`.port`/`.log` per peer, and `peers.env`, the `KEY=url` lines that
//! tests read (see `tests/support/peers.rs`).

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::cmd::{self, Result};
use crate::http;

/// Pinned versions: bump deliberately, the stamp files make the next `up` reinstall.
const MOTO: &str = "moto[server]==5.2.5";
const PYCOGNITO: &str = "pycognito==2024.5.1";
const OIDC_PROVIDER: &str = "oidc-provider@9.13.3";
/// awslabs' verifier, the other side of `auth-verify/tests/peer_differential.rs` (not a
/// server: the test runs `auth-verify/tests/differential/verify.mjs` with this `node_modules`).
const AWS_JWT_VERIFY: &str = "aws-jwt-verify@5.2.1";

/// moto-auth enforces SigV4 and IAM from its first call. A test that needs an IAM user first
/// opens a window of N unauthenticated calls with `POST /moto-api/reset-auth` (body: N).
const MOTO_AUTH_FREE_CALLS: &str = "0";

/// A peer xtask runs.
#[derive(Clone, Copy)]
struct Peer {
    /// File stem under `target/peers/`.
    name: &'static str,
    /// The key tests read from `peers.env`.
    key: &'static str,
}

const MOTO_PEER: Peer = Peer {
    name: "moto",
    key: "MOTO_URL",
};
const MOTO_AUTH_PEER: Peer = Peer {
    name: "moto-auth",
    key: "MOTO_AUTH_URL",
};
const OIDC_PEER: Peer = Peer {
    name: "oidc",
    key: "OIDC_URL",
};
const OIDC_COGNITO_PEER: Peer = Peer {
    name: "oidc-cognito",
    key: "OIDC_COGNITO_URL",
};
const REDIS_PEER: Peer = Peer {
    name: "redis",
    key: "REDIS_URL",
};
const PEERS: [Peer; 5] = [
    MOTO_PEER,
    MOTO_AUTH_PEER,
    OIDC_PEER,
    OIDC_COGNITO_PEER,
    REDIS_PEER,
];

/// `target/peers/`.
pub(crate) fn dir() -> PathBuf {
    cmd::root().join("target").join("peers")
}

/// The venv's Python, which has pycognito for the SRP cross-check.
pub(crate) fn python() -> PathBuf {
    dir().join("venv/bin/python")
}

impl Peer {
    fn file(self, ext: &str) -> PathBuf {
        dir().join(format!("{}.{ext}", self.name))
    }

    fn read(self, ext: &str) -> Option<String> {
        fs::read_to_string(self.file(ext))
            .ok()
            .map(|s| s.trim().to_owned())
    }

    fn url(self, port: u16) -> String {
        match self.name {
            "redis" => format!("redis://127.0.0.1:{port}"),
            _ => format!("http://127.0.0.1:{port}"),
        }
    }

    /// The URL of this peer if its process is alive and answers.
    fn running(self) -> Option<String> {
        let pid: u32 = self.read("pid")?.parse().ok()?;
        let port: u16 = self.read("port")?.parse().ok()?;
        (alive(pid) && self.answers(port)).then(|| self.url(port))
    }

    fn answers(self, port: u16) -> bool {
        let base = format!("http://127.0.0.1:{port}");
        match self.name {
            "redis" => redis_ping(port),
            "oidc" | "oidc-cognito" => {
                http::get(&format!("{base}/.well-known/openid-configuration"))
                    .is_ok_and(|r| r.status == 200)
            }
            _ => http::get(&format!("{base}/moto-api/")).is_ok_and(|r| r.status < 500),
        }
    }

    fn command(self, port: u16) -> Command {
        let port_text = port.to_string();
        match self.name {
            "redis" => {
                let mut c = Command::new("redis-server");
                c.args(["--port", &port_text, "--bind", "127.0.0.1"]).args([
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ]);
                c
            }
            "oidc" | "oidc-cognito" => {
                let mut c = Command::new("node");
                c.arg(dir().join("node/oidc-provider.mjs"))
                    .env("PORT", &port_text)
                    .current_dir(dir().join("node"));
                if self.name == "oidc-cognito" {
                    c.env("COGNITO_SHAPED", "1");
                }
                c
            }
            name => {
                let mut c = Command::new(dir().join("venv/bin/moto_server"));
                c.args(["-H", "127.0.0.1", "-p", &port_text])
                    .env("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true");
                if name == "moto-auth" {
                    c.env("INITIAL_NO_AUTH_ACTION_COUNT", MOTO_AUTH_FREE_CALLS);
                }
                c
            }
        }
    }

    fn start(self) -> Result<String> {
        let port = free_port()?;
        let log = fs::File::create(self.file("log")).map_err(|e| e.to_string())?;
        let log2 = log.try_clone().map_err(|e| e.to_string())?;
        let mut command = self.command(port);
        command
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2)
            // Its own process group: a Ctrl-C aimed at xtask leaves the peer running.
            .process_group(0);
        cmd::show(&command);
        let child = command
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", self.name))?;
        write(&self.file("pid"), &child.id().to_string())?;
        write(&self.file("port"), &port.to_string())?;
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if !alive(child.id()) {
                break;
            }
            if self.answers(port) {
                return Ok(self.url(port));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let log = fs::read_to_string(self.file("log")).unwrap_or_default();
        Err(format!(
            "{} did not answer on port {port}; its log ({}):\n{log}",
            self.name,
            self.file("log").display()
        ))
    }
}

/// moto's URL if it is running.
pub(crate) fn moto_url() -> Option<String> {
    MOTO_PEER.running()
}

/// Installs what is missing, starts the peers that are not running, writes `peers.env`.
/// Returns the `KEY=url` pairs.
pub(crate) fn up() -> Result<Vec<(&'static str, String)>> {
    fs::create_dir_all(dir()).map_err(|e| e.to_string())?;
    install_python()?;
    install_node()?;
    install_redis()?;
    let mut urls = Vec::new();
    for peer in PEERS {
        let url = match peer.running() {
            Some(url) => {
                eprintln!("{} already running at {url}", peer.name);
                url
            }
            None => {
                let url = peer.start()?;
                eprintln!("{} started at {url}", peer.name);
                url
            }
        };
        urls.push((peer.key, url));
    }
    let mut env = String::from("# Written by `cargo xtask peers up`; read by the peer tests.\n");
    for (key, url) in &urls {
        env.push_str(&format!("{key}={url}\n"));
    }
    env.push_str(&format!("PYTHON={}\n", python().display()));
    write(&dir().join("peers.env"), &env)?;
    eprintln!(
        "peers are up; URLs in {}",
        dir().join("peers.env").display()
    );
    Ok(urls)
}

/// Stops every peer by PID and removes `peers.env`.
pub(crate) fn down() -> Result {
    for peer in PEERS {
        let Some(pid) = peer.read("pid").and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if alive(pid) {
            eprintln!("stopping {} (pid {pid})", peer.name);
            stop(pid);
        }
        let _ = fs::remove_file(peer.file("pid"));
        let _ = fs::remove_file(peer.file("port"));
    }
    let _ = fs::remove_file(dir().join("peers.env"));
    eprintln!("peers are down");
    Ok(())
}

/// Prints each peer's state.
pub(crate) fn status() -> Result {
    let mut all = true;
    for peer in PEERS {
        match peer.running() {
            Some(url) => eprintln!("{:<12} running  {url}", peer.name),
            None => {
                all = false;
                eprintln!("{:<12} stopped", peer.name);
            }
        }
    }
    if !all {
        eprintln!("start them with `cargo xtask peers up`");
    }
    Ok(())
}

fn install_python() -> Result {
    let venv = dir().join("venv");
    let stamp = venv.join("xtask-stamp");
    let wanted = format!("{MOTO} {PYCOGNITO}");
    if fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return Ok(());
    }
    cmd::run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    cmd::run(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .args([MOTO, PYCOGNITO]),
    )?;
    write(&stamp, &wanted)
}

/// The npm install under `target/peers/node` (oidc-provider, aws-jwt-verify), if missing:
/// `peers up` and the token-verification benchmark.
pub(crate) fn install_node() -> Result {
    let node_dir = dir().join("node");
    fs::create_dir_all(&node_dir).map_err(|e| e.to_string())?;
    write(
        &node_dir.join("oidc-provider.mjs"),
        include_str!("../assets/oidc-provider.mjs"),
    )?;
    let stamp = node_dir.join("xtask-stamp");
    let wanted = format!("{OIDC_PROVIDER} {AWS_JWT_VERIFY}");
    if fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return Ok(());
    }
    if !cmd::on_path("npm") {
        return Err("npm is missing: install Node.js 20 or newer".into());
    }
    // A package.json of our own makes npm install here, not in a parent folder.
    write(
        &node_dir.join("package.json"),
        "{\"name\":\"auth-peers\",\"private\":true,\"type\":\"module\"}\n",
    )?;
    cmd::run(
        Command::new("npm")
            .current_dir(&node_dir)
            .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
            .args([OIDC_PROVIDER, AWS_JWT_VERIFY]),
    )?;
    write(&stamp, &wanted)
}

fn install_redis() -> Result {
    if cmd::on_path("redis-server") {
        return Ok(());
    }
    eprintln!("redis-server is missing; installing Debian's package");
    cmd::apt_install(&["redis-server"])
}

fn write(path: &Path, content: &str) -> Result {
    fs::write(path, content).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

/// Whether a process exists and is not a zombie.
fn alive(pid: u32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the parenthesised command name.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

/// SIGTERM, then SIGKILL after five seconds.
fn stop(pid: u32) {
    let signal = |sig: &str| {
        let _ = Command::new("kill")
            .args([sig, &pid.to_string()])
            .stderr(Stdio::null())
            .status();
    };
    signal("-TERM");
    let deadline = Instant::now() + Duration::from_secs(5);
    while alive(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    if alive(pid) {
        signal("-KILL");
    }
}

fn redis_ping(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let mut buf = [0u8; 7];
    s.write_all(b"PING\r\n").is_ok() && s.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
}
