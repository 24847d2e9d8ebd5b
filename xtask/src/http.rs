//! A minimal HTTP/1.1 client for loopback peers (readiness checks and moto's admin API), so
//! xtask needs no HTTP dependency.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::cmd::Result;

/// A response: status and body.
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
}

/// Splits `http://host:port/path` into (`host:port`, `/path`).
fn split(url: &str) -> Result<(&str, &str)> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("only http:// URLs are supported: {url}"))?;
    Ok(match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    })
}

/// Sends one request with `Connection: close` and reads the whole response.
pub(crate) fn request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<Response> {
    let (host, path) = split(url)?;
    let mut stream = TcpStream::connect(host).map_err(|e| format!("connect {host}: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body))
        .map_err(|e| format!("send to {host}: {e}"))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .map_err(|e| format!("read from {host}: {e}"))?;
    parse(&raw).ok_or_else(|| format!("{host} sent a malformed HTTP response"))
}

fn parse(raw: &[u8]) -> Option<Response> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let chunked = lines.any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    let mut body = raw[end + 4..].to_vec();
    if chunked {
        body = dechunk(&body)?;
    }
    Some(Response { status, body })
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

/// `GET url`.
pub(crate) fn get(url: &str) -> Result<Response> {
    request("GET", url, &[], &[])
}

/// An AWS JSON 1.1 call (`X-Amz-Target`), as moto's admin API takes it. Returns the parsed
/// JSON body, or an error naming the operation, status and moto's message.
pub(crate) fn aws_json(
    endpoint: &str,
    target: &str,
    body: &serde_json::Value,
) -> Result<serde_json::Value> {
    let body = serde_json::to_vec(body).map_err(|e| e.to_string())?;
    let resp = request(
        "POST",
        endpoint,
        &[
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", target),
        ],
        &body,
    )?;
    let text = String::from_utf8_lossy(&resp.body);
    if resp.status != 200 {
        return Err(format!("{target}: HTTP {}: {text}", resp.status));
    }
    if text.trim().is_empty() {
        return Ok(serde_json::json!({}));
    }
    serde_json::from_str(&text).map_err(|e| format!("{target}: not JSON ({e}): {text}"))
}
