//! Running commands: each one is printed before it runs.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Errors are plain strings: xtask prints them and exits.
pub(crate) type Result<T = ()> = std::result::Result<T, String>;

/// The workspace root (the parent of xtask's manifest directory).
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

/// Prints a command the way a person would type it.
pub(crate) fn show(cmd: &Command) {
    let envs: Vec<String> = cmd
        .get_envs()
        .filter_map(|(k, v)| Some(format!("{}={}", k.to_string_lossy(), v?.to_string_lossy())))
        .collect();
    let args: Vec<String> = cmd
        .get_args()
        .map(|a| {
            let a = a.to_string_lossy();
            if a.contains(' ') || a.is_empty() {
                format!("'{a}'")
            } else {
                a.into_owned()
            }
        })
        .collect();
    let prefix = if envs.is_empty() {
        String::new()
    } else {
        format!("{} ", envs.join(" "))
    };
    eprintln!(
        "$ {prefix}{} {}",
        cmd.get_program().to_string_lossy(),
        args.join(" ")
    );
}

/// Runs a command to completion with inherited output; a non-zero exit is an error.
pub(crate) fn run(cmd: &mut Command) -> Result {
    show(cmd);
    let status = cmd
        .status()
        .map_err(|e| format!("cannot start {:?}: {e}", cmd.get_program()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{:?} failed ({status})", cmd.get_program()))
    }
}

/// Runs a command, streaming its stdout and stderr (merged, in order) to our stderr, and
/// returns the lines it printed.
pub(crate) fn run_captured(cmd: &mut Command) -> (Result, Vec<String>) {
    show(cmd);
    let (reader, writer) = match std::io::pipe() {
        Ok(p) => p,
        Err(e) => return (Err(format!("cannot create a pipe: {e}")), Vec::new()),
    };
    let writer2 = match writer.try_clone() {
        Ok(w) => w,
        Err(e) => return (Err(format!("cannot clone a pipe: {e}")), Vec::new()),
    };
    cmd.stdout(writer).stderr(writer2).stdin(Stdio::null());
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return (
                Err(format!("cannot start {:?}: {e}", cmd.get_program())),
                Vec::new(),
            );
        }
    };
    // Our copies of the write ends live in `cmd`: drop them so the read end sees EOF.
    drop(std::mem::replace(cmd, Command::new("true")));
    let mut lines = Vec::new();
    for line in BufReader::new(reader).lines() {
        let Ok(line) = line else { break };
        eprintln!("{line}");
        lines.push(line);
    }
    let result = match child.wait() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("command failed ({status})")),
        Err(e) => Err(format!("cannot wait for the command: {e}")),
    };
    (result, lines)
}

/// A `cargo` command run from the workspace root.
pub(crate) fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root());
    // `cargo run` gave xtask the variables of xtask's own package. Passed on, they would
    // differ from a plain `cargo` in a shell, and build scripts that watch them (ring watches
    // CARGO_MANIFEST_DIR) would rebuild their crate on every switch between the two.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("CARGO_PKG_")
            || key.starts_with("CARGO_MANIFEST_")
            || matches!(
                &*key,
                "CARGO_CRATE_NAME" | "CARGO_BIN_NAME" | "CARGO_PRIMARY_PACKAGE"
            )
        {
            c.env_remove(&*key);
        }
    }
    c
}

/// Whether a program is on the PATH.
pub(crate) fn on_path(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Installs Debian packages with apt-get (the machines this project runs on are Debian, and
/// xtask runs as root there).
pub(crate) fn apt_install(packages: &[&str]) -> Result {
    run(Command::new("apt-get").args(["update", "-q"]))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-q", "--no-install-recommends"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}
