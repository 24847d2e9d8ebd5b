//! A Cognito token must name its key. `JwtVerifier` accepts a token without `kid` when exactly
//! one key of the issuer fits its algorithm (RFC 7515 makes `kid` optional); Cognito always
//! sets it, and aws-jwt-verify refuses a token without it (`JwtWithoutValidKidError`), so
//! `CognitoVerifier` does too, even with a JWKS of one key. Found while reading the
//! differential (`peer_differential.rs`), whose JWKS has two keys and so could not show it.

#[path = "support/forge.rs"]
mod forge;

use std::time::{SystemTime, UNIX_EPOCH};

use auth_providers::{HttpClient, HttpFuture};
use auth_verify::{
    CognitoPool, CognitoVerifier, IssuerPolicy, JwksCache, JwtVerifier, KeySet, TokenUse,
    VerifyErrorKind,
};
use forge::{Key, Signers};
use serde_json::json;

#[derive(Debug)]
struct NoNetwork;

impl HttpClient for NoNetwork {
    fn send(&self, request: http::Request<Vec<u8>>) -> HttpFuture<'_> {
        panic!("offline test, yet {} was fetched", request.uri());
    }
}

#[test]
fn a_cognito_token_without_kid_is_refused_even_by_a_jwks_of_one_key() {
    let pool = CognitoPool::new("us-west-2_OneK3y", TokenUse::Access)
        .unwrap()
        .client_id("app");
    let cache = JwksCache::new(NoNetwork);
    cache.insert(
        pool.jwks_uri(),
        KeySet::from_json(json!({"keys": [forge::jwk("pool")]}).to_string().as_bytes()).unwrap(),
    );
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = json!({"sub": "s", "iss": pool.issuer(), "client_id": "app",
                        "token_use": "access", "exp": now + 600})
    .to_string();
    let signers = Signers::new();
    let with_kid = signers.sign(Key::Pool, r#"{"kid":"pool-key-1","alg":"RS256"}"#, &claims);
    let without = signers.sign(Key::Pool, r#"{"alg":"RS256"}"#, &claims);

    let generic = JwtVerifier::builder(cache.clone())
        .issuer(IssuerPolicy::new(pool.issuer(), pool.jwks_uri()).any_audience())
        .build()
        .unwrap();
    generic
        .verify_sync(&without)
        .expect("the generic verifier takes the only key that fits");

    let cognito = CognitoVerifier::builder(cache).pool(pool).build().unwrap();
    cognito.verify_sync(&with_kid).unwrap();
    assert_eq!(
        cognito.verify_sync(&without).unwrap_err().kind(),
        VerifyErrorKind::UnknownKey
    );
}
