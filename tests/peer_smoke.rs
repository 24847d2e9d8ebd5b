//! Proves the peer harness: one real call to each peer, checking a real answer.

#[path = "support/peers.rs"]
mod peers;

use std::io::{Read, Write};

/// One HTTP/1.1 exchange on loopback, returning (status, body).
fn http(method: &str, url: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    let mut stream = std::net::TcpStream::connect(host).expect("the peer accepts connections");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().expect("a status code");
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[test]
#[ignore = "needs peers: cargo xtask peers up"]
fn moto_creates_a_user_pool_with_a_region_prefixed_id() {
    let (status, body) = http(
        "POST",
        &format!("{}/", peers::moto()),
        &[
            ("Content-Type", "application/x-amz-json-1.1"),
            (
                "X-Amz-Target",
                "AWSCognitoIdentityProviderService.CreateUserPool",
            ),
        ],
        r#"{"PoolName":"smoke"}"#,
    );
    assert_eq!(status, 200, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    let id = json["UserPool"]["Id"].as_str().unwrap();
    assert!(id.starts_with("us-east-1_"), "{id}");
}

#[test]
#[ignore = "needs peers: cargo xtask peers up"]
fn oidc_provider_serves_its_discovery_document() {
    let issuer = peers::oidc();
    let (status, body) = http(
        "GET",
        &format!("{issuer}/.well-known/openid-configuration"),
        &[],
        "",
    );
    assert_eq!(status, 200, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["issuer"], issuer.as_str());
    assert!(
        json["code_challenge_methods_supported"]
            .as_array()
            .unwrap()
            .contains(&"S256".into())
    );
}

#[test]
#[ignore = "needs peers: cargo xtask peers up"]
fn redis_answers_ping() {
    let url = peers::redis();
    let addr = url.strip_prefix("redis://").unwrap();
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.write_all(b"PING\r\n").unwrap();
    let mut reply = [0u8; 7];
    stream.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"+PONG\r\n");
}

#[test]
#[ignore = "needs peers: cargo xtask peers up"]
fn the_peers_venv_has_pycognito() {
    let out = std::process::Command::new(peers::python())
        .args([
            "-c",
            "import pycognito.aws_srp as s; print(s.AWSSRP.__name__)",
        ])
        .output()
        .expect("the venv's python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "AWSSRP");
}
