//! A user pool's tokens carry one of two issuers: the original
//! `https://cognito-idp.<region>.amazonaws.com/<pool>` or Cognito's updated
//! `https://issuer-cognito-idp.<region>.amazonaws.com/<pool>` (used with multi-Region
//! replication). `CognitoVerifier` accepts both in the commercial partition, each with the keys
//! of its own JWKS URL, as aws-jwt-verify does; `endpoint(...)` narrows it to one issuer.
//! Found by the differential against aws-jwt-verify (`peer_differential.rs`), which first
//! showed genuine tokens of the updated format refused here.

#[path = "support/forge.rs"]
mod forge;

use std::time::{SystemTime, UNIX_EPOCH};

use auth_providers::{HttpClient, HttpFuture};
use auth_verify::{CognitoPool, CognitoVerifier, JwksCache, KeySet, TokenUse, VerifyErrorKind};
use forge::{Key, Signers};
use serde_json::json;

const POOL_ID: &str = "eu-west-1_Upd4ted";

#[derive(Debug)]
struct NoNetwork;

impl HttpClient for NoNetwork {
    fn send(&self, request: http::Request<Vec<u8>>) -> HttpFuture<'_> {
        panic!("offline test, yet {} was fetched", request.uri());
    }
}

fn token(signers: &Signers, iss: &str) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = json!({"sub": "s-1", "iss": iss, "client_id": "app", "token_use": "access",
                        "username": "u", "exp": now + 600, "iat": now});
    signers.sign(
        Key::Pool,
        r#"{"kid":"pool-key-1","alg":"RS256"}"#,
        &claims.to_string(),
    )
}

fn keys() -> KeySet {
    KeySet::from_json(json!({"keys": [forge::jwk("pool")]}).to_string().as_bytes()).unwrap()
}

#[test]
fn both_issuer_formats_of_a_pool_verify_each_with_its_own_jwks() {
    let pool = CognitoPool::new(POOL_ID, TokenUse::Access)
        .unwrap()
        .client_id("app");
    let issuers: Vec<(String, String)> = pool
        .issuers()
        .map(|(i, j)| (i.to_owned(), j.to_owned()))
        .collect();
    let expected = [
        (
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Upd4ted",
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Upd4ted/.well-known/jwks.json",
        ),
        (
            "https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Upd4ted",
            "https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Upd4ted/.well-known/jwks.json",
        ),
    ];
    assert!(
        issuers
            .iter()
            .map(|(i, j)| (i.as_str(), j.as_str()))
            .eq(expected)
    );
    let cache = JwksCache::new(NoNetwork);
    let verifier = CognitoVerifier::builder(cache.clone())
        .pool(pool)
        .build()
        .unwrap();
    let signers = Signers::new();
    let original = token(&signers, &issuers[0].0);
    let updated = token(&signers, &issuers[1].0);

    // Keys only at the original JWKS URL: the updated issuer's token has no key yet.
    cache.insert(&issuers[0].1, keys());
    let claims = verifier.verify_sync(&original).unwrap();
    assert_eq!(claims.user_pool_id(), POOL_ID);
    assert_eq!(
        verifier.verify_sync(&updated).unwrap_err().kind(),
        VerifyErrorKind::UnknownKey
    );
    cache.insert(&issuers[1].1, keys());
    let claims = verifier.verify_sync(&updated).unwrap();
    assert_eq!(claims.user_pool_id(), POOL_ID);
    assert_eq!(claims.client_id(), Some("app"));
}

#[test]
fn an_endpoint_override_accepts_only_its_own_issuer() {
    let pool = CognitoPool::new(POOL_ID, TokenUse::Access).unwrap();
    let issuer = pool.issuer().to_owned();
    let pool = pool
        .endpoint(issuer.clone(), "http://127.0.0.1:1/jwks.json")
        .client_id("app");
    assert_eq!(pool.issuers().count(), 1);
    let cache = JwksCache::new(NoNetwork);
    cache.insert("http://127.0.0.1:1/jwks.json", keys());
    let verifier = CognitoVerifier::builder(cache).pool(pool).build().unwrap();
    let signers = Signers::new();
    verifier.verify_sync(&token(&signers, &issuer)).unwrap();
    let updated = format!("https://issuer-cognito-idp.eu-west-1.amazonaws.com/{POOL_ID}");
    assert_eq!(
        verifier
            .verify_sync(&token(&signers, &updated))
            .unwrap_err()
            .kind(),
        VerifyErrorKind::Issuer
    );
}

#[test]
fn outside_the_commercial_partition_only_the_original_issuer_is_trusted() {
    for pool_id in ["cn-north-1_Upd4ted", "us-gov-west-1_Upd4ted"] {
        let pool = CognitoPool::new(pool_id, TokenUse::Id).unwrap();
        let issuers: Vec<_> = pool.issuers().map(|(i, _)| i).collect();
        assert_eq!(issuers, [pool.issuer()], "{pool_id}");
    }
}

/// Serves the pool's JWKS at the regional URL only, and counts every URL asked for.
#[derive(Debug, Default)]
struct RegionalOnly(std::sync::Mutex<Vec<String>>);

impl HttpClient for RegionalOnly {
    fn send(&self, request: http::Request<Vec<u8>>) -> HttpFuture<'_> {
        let url = request.uri().to_string();
        self.0.lock().unwrap().push(url.clone());
        let response = if url.starts_with("https://cognito-idp.") {
            let body = json!({"keys": [forge::jwk("pool")]}).to_string();
            http::Response::new(body.into_bytes())
        } else {
            let mut not_found = http::Response::new(Vec::new());
            *not_found.status_mut() = http::StatusCode::NOT_FOUND;
            not_found
        };
        auth_providers::ProviderFuture::ready(Ok(response))
    }
}

#[tokio::test]
async fn hydrate_fetches_only_the_regional_issuer_so_start_up_never_depends_on_the_other() {
    let http = std::sync::Arc::new(RegionalOnly::default());
    let verifier = CognitoVerifier::builder(JwksCache::new(http.clone()))
        .pool(
            CognitoPool::new(POOL_ID, TokenUse::Access)
                .unwrap()
                .client_id("app"),
        )
        .build()
        .unwrap();
    verifier.hydrate().await.unwrap();
    assert_eq!(
        *http.0.lock().unwrap(),
        ["https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Upd4ted/.well-known/jwks.json"]
    );
}
