//! The file store survives a process killed mid-write: the file always holds the old or the
//! new content, never a torn mix.
//!
//! The test re-invokes its own binary with `AUTH_PROVIDERS_CRASH_WRITER=<path>` to run
//! `child_writer_loop`, which rewrites the store as fast as it can, and SIGKILLs it at
//! random moments.

use std::process::{Command, Stdio};
use std::time::Duration;

use auth_providers::{FileStorage, KeyValueStorage};

const ENV: &str = "AUTH_PROVIDERS_CRASH_WRITER";

/// Not a test on its own: the child side of
/// `file_store_survives_a_writer_killed_mid_write`. Does nothing without the env var.
#[test]
fn child_writer_loop() {
    let Ok(path) = std::env::var(ENV) else {
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let storage = FileStorage::new(path);
        let big = "x".repeat(64 * 1024);
        for i in 0u64.. {
            // Values large enough that a write takes several syscalls.
            let value = format!("{i}:{big}");
            storage.set("k", &value).await.unwrap();
            storage.set(&format!("n{}", i % 8), &value).await.unwrap();
        }
    });
}

#[tokio::test]
async fn file_store_survives_a_writer_killed_mid_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.json");
    let exe = std::env::current_exe().unwrap();
    for round in 0..8u64 {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "child_writer_loop",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(ENV, &path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Let it get going (first round: until the file exists), then kill it mid-stride.
        for _ in 0..200 {
            if path.exists() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(30 + round * 17)).await;
        child.kill().unwrap(); // SIGKILL on unix
        child.wait().unwrap();

        let storage = FileStorage::new(&path);
        let value = storage
            .get("k")
            .await
            .unwrap_or_else(|e| panic!("round {round}: torn file: {e}"))
            .expect("the writer wrote at least once");
        let (counter, rest) = value.split_once(':').unwrap();
        counter.parse::<u64>().unwrap();
        assert_eq!(rest.len(), 64 * 1024, "round {round}");
    }
    // Stray temporary files may remain; they are never read and the store stays valid.
    let storage = FileStorage::new(&path);
    storage.set("after", "crashes").await.unwrap();
    assert_eq!(
        storage.get("after").await.unwrap().as_deref(),
        Some("crashes")
    );
}
