//! A JWKS endpoint on loopback that misbehaves on purpose: raw sockets, because the faults
//! (a body that never ends, a body that trickles, a server that never answers) are below what
//! a mock server can script.

#![allow(dead_code, reason = "each test binary uses some of the behaviours")]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the endpoint does with each request.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Behaviour {
    /// `200` and a body of `bytes` bytes, written as fast as the client reads; with
    /// `declared`, a `Content-Length` header says so, without it the body ends at close.
    Huge { bytes: u64, declared: bool },
    /// `200`, a declared length of 1 KiB, then one byte every `every`.
    Trickle { every: Duration },
    /// Reads the request and never answers.
    Silent,
    /// `500` with a short body.
    Error500,
    /// `200` with `body` after `delay`.
    Slow { delay: Duration, body: &'static str },
    /// `200` with `body` to the first request, `500` to every later one.
    OnceThen500 { body: &'static str },
}

/// A running endpoint: its URL and how many requests reached it.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    pub(crate) url: String,
    requests: Arc<AtomicUsize>,
    /// Bytes of body written to clients, all connections together.
    written: Arc<AtomicUsize>,
}

impl Endpoint {
    pub(crate) fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    pub(crate) fn written(&self) -> usize {
        self.written.load(Ordering::SeqCst)
    }
}

/// Starts an endpoint on `127.0.0.1` serving `behaviour` at `/jwks` (any path, in fact).
pub(crate) async fn serve(behaviour: Behaviour) -> Endpoint {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/jwks", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    let written = Arc::new(AtomicUsize::new(0));
    let endpoint = Endpoint {
        url,
        requests: requests.clone(),
        written: written.clone(),
    };
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let requests = requests.clone();
            let written = written.clone();
            tokio::spawn(async move {
                let _ = answer(socket, behaviour, &requests, &written).await;
            });
        }
    });
    endpoint
}

async fn read_request(socket: &mut TcpStream) -> std::io::Result<()> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = socket.read(&mut buf).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        seen.extend_from_slice(&buf[..n]);
    }
    Ok(())
}

async fn answer(
    mut socket: TcpStream,
    behaviour: Behaviour,
    requests: &AtomicUsize,
    written: &AtomicUsize,
) -> std::io::Result<()> {
    read_request(&mut socket).await?;
    let nth = requests.fetch_add(1, Ordering::SeqCst);
    let behaviour = match behaviour {
        Behaviour::OnceThen500 { body } if nth == 0 => Behaviour::Slow {
            delay: Duration::ZERO,
            body,
        },
        Behaviour::OnceThen500 { .. } => Behaviour::Error500,
        other => other,
    };
    match behaviour {
        Behaviour::Huge { bytes, declared } => {
            let head = if declared {
                format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {bytes}\r\n\r\n"
                )
            } else {
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n"
                    .to_owned()
            };
            socket.write_all(head.as_bytes()).await?;
            socket.write_all(br#"{"keys":["#).await?;
            let chunk = vec![b' '; 64 * 1024];
            let mut sent = 9u64;
            while sent < bytes {
                let n = chunk.len().min((bytes - sent) as usize);
                socket.write_all(&chunk[..n]).await?;
                written.fetch_add(n, Ordering::SeqCst);
                sent += n as u64;
            }
        }
        Behaviour::Trickle { every } => {
            socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1024\r\n\r\n")
                .await?;
            loop {
                socket.write_all(b" ").await?;
                written.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(every).await;
            }
        }
        Behaviour::Silent => {
            // Keep the connection open, say nothing.
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Behaviour::Error500 => {
            socket
                .write_all(b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 5\r\n\r\noops!")
                .await?;
        }
        Behaviour::Slow { delay, body } => {
            tokio::time::sleep(delay).await;
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                body.len()
            );
            socket.write_all(head.as_bytes()).await?;
            socket.write_all(body.as_bytes()).await?;
        }
        Behaviour::OnceThen500 { .. } => unreachable!("resolved above"),
    }
    socket.shutdown().await
}

/// The process's peak resident set size in KiB since the last [`reset_peak_rss`].
pub(crate) fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// Resets the peak resident set size to the current one (Linux: `clear_refs` 5).
pub(crate) fn reset_peak_rss() {
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
}
