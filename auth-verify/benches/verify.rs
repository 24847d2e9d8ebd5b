//! Verifying a Cognito access token with cached keys, side by side in one run:
//!
//! * `ours`: `CognitoVerifier::verify_sync_at` (decoding, every Cognito check, signature);
//! * `jsonwebtoken`: what a Rust user would pick today, `jsonwebtoken::decode` (RustCrypto
//!   backend) with a prepared `DecodingKey` and a `Validation` for the issuer, plus the
//!   `token_use` and `client_id` checks by hand;
//! * `aws_lc_signature_only`: the floor, the bare RS256 signature check of the same token on
//!   a key parsed once (`aws-lc-rs`, the backend ours uses).
//!
//! Same token, same key (the RSA-2048 test key of auth-federation's fixtures).
//! `aws-jwt-verify` on Node.js is not in this run yet.

use std::hint::black_box;
use std::io::{Read as _, Write as _};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use auth_verify::{CognitoPool, CognitoVerifier, JwksCache, TokenUse};
use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{Criterion, criterion_main};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};

const POOL: &str = "eu-west-1_AbCdEf123";
const CLIENT: &str = "1example23456789";

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../auth-federation/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
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

fn verify(c: &mut Criterion) {
    let now = SystemTime::now();
    let secs = now.duration_since(UNIX_EPOCH).unwrap().as_secs();
    let issuer = format!("https://cognito-idp.eu-west-1.amazonaws.com/{POOL}");
    let claims = serde_json::json!({
        "sub": "5f2b-alice", "iss": issuer, "client_id": CLIENT, "origin_jti": "o-1",
        "event_id": "e-1", "token_use": "access", "scope": "aws.cognito.signin.user.admin",
        "auth_time": secs, "exp": secs + 3600, "iat": secs, "jti": "j-1", "username": "alice",
    });
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("key-a".into());
    let key = EncodingKey::from_rsa_pem(fixture("rsa_a.pem").as_bytes()).unwrap();
    let token = jsonwebtoken::encode(&header, &claims, &key).unwrap();
    let jwk: serde_json::Value = serde_json::from_str(&fixture("jwk_a.json")).unwrap();

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = serve(format!(r#"{{"keys":[{jwk}]}}"#));
    let keys = JwksCache::new(
        auth_providers::ReqwestHttpClient::builder()
            .build()
            .unwrap(),
    );
    let ours = CognitoVerifier::builder(keys)
        .pool(
            CognitoPool::new(POOL, TokenUse::Access)
                .unwrap()
                .client_id(CLIENT)
                .endpoint(issuer.clone(), url),
        )
        .build()
        .unwrap();
    rt.block_on(ours.hydrate()).unwrap();
    assert_eq!(
        ours.verify_sync_at(&token, now).unwrap().sub(),
        "5f2b-alice"
    );

    let n = jwk["n"].as_str().unwrap();
    let e = jwk["e"].as_str().unwrap();
    let decoding = DecodingKey::from_rsa_components(n, e).unwrap();
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[&issuer]);
    validation.validate_aud = false;
    let theirs = |token: &str| {
        let data =
            jsonwebtoken::decode::<serde_json::Value>(token, &decoding, &validation).unwrap();
        assert_eq!(data.claims["token_use"], "access");
        assert_eq!(data.claims["client_id"], CLIENT);
        data.claims
    };
    theirs(&token);

    let n = URL_SAFE_NO_PAD.decode(n).unwrap();
    let e = URL_SAFE_NO_PAD.decode(e).unwrap();
    let floor = RsaPublicKeyComponents {
        n: &n[..],
        e: &e[..],
    }
    .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
    .unwrap();
    let (input, signature) = token.rsplit_once('.').unwrap();
    let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
    floor.verify_sig(input.as_bytes(), &signature).unwrap();

    let mut group = c.benchmark_group("verify/cognito_access_token");
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("ours", |b| {
        b.iter(|| black_box(ours.verify_sync_at(black_box(&token), now).unwrap()));
    });
    group.bench_function("jsonwebtoken", |b| {
        b.iter(|| black_box(theirs(black_box(&token))));
    });
    group.bench_function("aws_lc_signature_only", |b| {
        b.iter(|| {
            floor
                .verify_sig(black_box(input.as_bytes()), black_box(&signature))
                .unwrap();
        });
    });
    group.finish();
}

mod group {
    //! `criterion_group!` output, kept private so it needs no docs.
    criterion::criterion_group!(benches, super::verify);
}
use group::benches;
criterion_main!(benches);
