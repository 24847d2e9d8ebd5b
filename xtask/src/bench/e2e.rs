//! The end-to-end part: builds `bench-e2e` in release mode and runs its runner against moto
//! (started if needed, and stopped again if this run started it).

use std::process::{Command, Stdio};

use serde_json::Value;

use crate::cmd::{self, Result};
use crate::peers;

const FILE: &str = "e2e.json";

pub(crate) fn run(repetitions: usize) -> Result {
    let was_up = peers::moto_url().is_some();
    let urls = peers::up()?;
    let result = measure(&urls, repetitions);
    if !was_up {
        peers::down()?;
    }
    result
}

fn measure(urls: &[(&'static str, String)], repetitions: usize) -> Result {
    let moto = urls
        .iter()
        .find(|(k, _)| *k == "MOTO_URL")
        .map(|(_, url)| url.clone())
        .ok_or("moto is not among the peers")?;
    cmd::run(cmd::cargo().args([
        "build",
        "--release",
        "--package",
        "auth-bench-e2e",
        "--bins",
    ]))?;
    let python = peers::python();
    let mut command = Command::new(super::target_dir().join("release/auth-bench-e2e"));
    command
        .args(["run", "--moto", &moto, "--python"])
        .arg(&python)
        .args(["--repetitions", &repetitions.to_string()])
        .stderr(Stdio::inherit());
    cmd::show(&command);
    let output = command
        .output()
        .map_err(|e| format!("cannot start the end-to-end runner: {e}"))?;
    if !output.status.success() {
        return Err(format!("the end-to-end runner failed ({})", output.status));
    }
    let mut doc: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("the end-to-end runner printed no JSON: {e}"))?;
    doc["machine"] = super::machine().into();
    doc["date"] = super::today().into();
    doc["rustc"] = super::rustc_version().into();
    doc["python"] = python_versions(&python).into();
    super::save_json(FILE, &doc)?;
    let failed: Vec<String> = doc["scenarios"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| {
            s["implementations"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|i| !i["error"].is_null())
                .map(move |i| format!("{} {}", s["name"], i["name"]))
        })
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "end-to-end runs failed (see the report): {}",
            failed.join(", ")
        ))
    }
}

/// `Python 3.x, pycognito a, boto3 b, moto c` from the peers' venv.
fn python_versions(python: &std::path::Path) -> String {
    let script = "import sys, importlib.metadata as m; \
                  print('Python %d.%d.%d' % sys.version_info[:3] + ', ' + ', '.join(\
                  p + ' ' + m.version(p) for p in ('pycognito', 'boto3', 'moto')))";
    Command::new(python)
        .args(["-c", script])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// The last saved end-to-end figures.
pub(crate) fn load() -> Option<Value> {
    super::load_json(FILE)
}
