//! Resource usage of a child process, as the kernel counts it.
//!
//! `auth-bench-e2e measure -- <program> <args>` runs one program and waits for it; it is then
//! its only waited-for child, so `getrusage(RUSAGE_CHILDREN)` gives exactly that program's CPU
//! time and peak resident set size (`ru_maxrss`), the figures `wait4` would. The runner starts
//! one `measure` process per run for that reason: `RUSAGE_CHILDREN` of the runner itself would
//! mix the runs' peaks.

use std::process::{Command, Stdio};
use std::time::Duration;

use nix::sys::resource::{UsageWho, getrusage};
use nix::sys::time::TimeVal;
use serde_json::{Value, json};

use crate::scenario::nanos;

fn duration(t: TimeVal) -> Duration {
    let secs = u64::try_from(t.tv_sec()).unwrap_or(0);
    let micros = u64::try_from(t.tv_usec()).unwrap_or(0);
    Duration::from_secs(secs) + Duration::from_micros(micros)
}

/// CPU time (user + system) this process has used so far.
pub fn own_cpu_time() -> Duration {
    getrusage(UsageWho::RUSAGE_SELF)
        .map(|u| duration(u.user_time()) + duration(u.system_time()))
        .unwrap_or_default()
}

/// What one measured run of a program used.
#[derive(Debug, Clone, PartialEq)]
pub struct Usage {
    /// Whether it exited with status 0.
    pub success: bool,
    /// Its exit status, as text.
    pub status: String,
    /// User + system CPU time of the whole process (start-up included).
    pub cpu: Duration,
    /// Peak resident set size, in KiB.
    pub max_rss_kib: u64,
    /// What it printed on stdout.
    pub stdout: String,
    /// What it printed on stderr.
    pub stderr: String,
}

impl Usage {
    /// As JSON, for the runner.
    pub fn to_json(&self) -> Value {
        json!({
            "success": self.success,
            "status": self.status,
            "cpu_ns": nanos(self.cpu),
            "max_rss_kib": self.max_rss_kib,
            "stdout": self.stdout,
            "stderr": self.stderr,
        })
    }

    /// Reads [`to_json`](Self::to_json).
    pub fn from_json(value: &Value) -> Option<Self> {
        Some(Self {
            success: value["success"].as_bool()?,
            status: value["status"].as_str()?.to_owned(),
            cpu: Duration::from_nanos(value["cpu_ns"].as_u64()?),
            max_rss_kib: value["max_rss_kib"].as_u64()?,
            stdout: value["stdout"].as_str()?.to_owned(),
            stderr: value["stderr"].as_str()?.to_owned(),
        })
    }
}

/// Runs `program` with `args` (environment inherited), waits for it, and reads its usage.
/// Call this in a process that has no other child.
///
/// # Errors
///
/// When the program cannot be started or the usage cannot be read.
pub fn run(program: &str, args: &[String]) -> Result<Usage, String> {
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot start {program}: {e}"))?;
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).map_err(|e| e.to_string())?;
    Ok(Usage {
        success: output.status.success(),
        status: output.status.to_string(),
        cpu: duration(usage.user_time()) + duration(usage.system_time()),
        // Linux reports ru_maxrss in KiB.
        max_rss_kib: u64::try_from(usage.max_rss()).unwrap_or(0),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_shows_its_output_and_a_peak() {
        let usage = run("sh", &["-c".into(), "echo done".into()]).unwrap();
        assert!(usage.success, "{usage:?}");
        assert_eq!(usage.stdout, "done\n");
        assert!(usage.max_rss_kib > 0, "{usage:?}");
        let back = Usage::from_json(&usage.to_json()).unwrap();
        assert_eq!(back, usage);
    }

    #[test]
    fn a_failing_child_is_reported_as_such() {
        let usage = run("sh", &["-c".into(), "echo oops >&2; exit 3".into()]).unwrap();
        assert!(!usage.success);
        assert_eq!(usage.stderr, "oops\n");
    }
}
