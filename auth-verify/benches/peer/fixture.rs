//! The token every verification benchmark verifies (the criterion group, the Node.js
//! comparison and the allocation count): one Cognito access token signed RS256 with the
//! RSA-2048 test key of auth-federation's fixtures (`rsa_a.pem`, `jwk_a.json`), and a
//! `CognitoVerifier` hydrated with that key's JWKS from a loopback server.
#![allow(dead_code, reason = "each benchmark uses part of it")]

use std::io::{Read as _, Write as _};
use std::time::{SystemTime, UNIX_EPOCH};

use auth_verify::{CognitoPool, CognitoVerifier, JwksCache, TokenUse};
use jsonwebtoken::{Algorithm, EncodingKey, Header};

pub(crate) const POOL: &str = "eu-west-1_AbCdEf123";
pub(crate) const CLIENT: &str = "1example23456789";
pub(crate) const SUB: &str = "5f2b-alice";

/// The token, its key and where it is from.
pub(crate) struct Fixture {
    pub(crate) token: String,
    pub(crate) jwk: serde_json::Value,
    pub(crate) issuer: String,
    pub(crate) now: SystemTime,
}

impl Fixture {
    /// The pool's JWKS: the one key.
    pub(crate) fn jwks(&self) -> serde_json::Value {
        serde_json::json!({ "keys": [self.jwk] })
    }
}

fn fixture_file(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../auth-federation/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// An access token as Cognito issues it, valid for an hour from now.
pub(crate) fn cognito_access_token() -> Fixture {
    let now = SystemTime::now();
    let secs = now.duration_since(UNIX_EPOCH).unwrap().as_secs();
    let issuer = format!("https://cognito-idp.eu-west-1.amazonaws.com/{POOL}");
    let claims = serde_json::json!({
        "sub": SUB, "iss": issuer, "client_id": CLIENT, "origin_jti": "o-1",
        "event_id": "e-1", "token_use": "access", "scope": "aws.cognito.signin.user.admin",
        "auth_time": secs, "exp": secs + 3600, "iat": secs, "jti": "j-1", "username": "alice",
    });
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("key-a".into());
    let key = EncodingKey::from_rsa_pem(fixture_file("rsa_a.pem").as_bytes()).unwrap();
    let token = jsonwebtoken::encode(&header, &claims, &key).unwrap();
    let jwk = serde_json::from_str(&fixture_file("jwk_a.json")).unwrap();
    Fixture {
        token,
        jwk,
        issuer,
        now,
    }
}

/// Serves `body` to every connection on loopback, from a thread (just for hydrating).
fn serve(body: String) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/jwks", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut socket in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf);
            let _ = write!(
                socket,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

/// Our verifier for the pool, its keys fetched (so `verify_sync` verifies without I/O).
pub(crate) fn hydrated_verifier(fixture: &Fixture) -> CognitoVerifier {
    let url = serve(fixture.jwks().to_string());
    let keys = JwksCache::new(
        auth_providers::ReqwestHttpClient::builder()
            .build()
            .unwrap(),
    );
    let verifier = CognitoVerifier::builder(keys)
        .pool(
            CognitoPool::new(POOL, TokenUse::Access)
                .unwrap()
                .client_id(CLIENT)
                .endpoint(fixture.issuer.clone(), url),
        )
        .build()
        .unwrap();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(verifier.hydrate())
        .unwrap();
    assert_eq!(
        verifier
            .verify_sync_at(&fixture.token, fixture.now)
            .unwrap()
            .sub(),
        SUB
    );
    verifier
}
