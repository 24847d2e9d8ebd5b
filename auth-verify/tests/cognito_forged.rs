//! The Cognito verifier on tokens a user of it would meet: valid ID and access tokens of a
//! pool, and the forged and misused ones an attacker or a confused client sends. Keys are
//! test RSA keys (the same fixtures as auth-federation's OIDC tests), served by a JWKS
//! endpoint on loopback; the tokens are signed by `jsonwebtoken`, independently of the
//! verifier. Tokens issued by a real pool (moto) are in `peer_cognito_moto.rs`.

mod support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use auth_providers::ReqwestHttpClient;
use auth_verify::{CognitoPool, CognitoVerifier, JwksCache, TokenUse, VerifyErrorKind};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};
use support::misbehaving::{Behaviour, serve};

const POOL: &str = "eu-west-1_AbCdEf123";
const CLIENT: &str = "1example23456789";

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../auth-federation/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn issuer() -> String {
    format!("https://cognito-idp.eu-west-1.amazonaws.com/{POOL}")
}

fn access_claims() -> Value {
    json!({
        "sub": "5f2b-alice", "iss": issuer(), "client_id": CLIENT, "origin_jti": "o-1",
        "event_id": "e-1", "token_use": "access", "scope": "aws.cognito.signin.user.admin orders/read",
        "auth_time": now() - 10, "exp": now() + 3600, "iat": now() - 10, "jti": "j-1",
        "username": "alice", "cognito:groups": ["admins", "staff"],
    })
}

fn id_claims() -> Value {
    json!({
        "sub": "5f2b-alice", "iss": issuer(), "aud": CLIENT, "token_use": "id",
        "cognito:username": "alice", "custom:tier": "gold", "email": "alice@example.com",
        "auth_time": now() - 10, "exp": now() + 3600, "iat": now() - 10,
    })
}

fn sign_with(key: &str, kid: &str, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    let key = EncodingKey::from_rsa_pem(fixture(&format!("rsa_{key}.pem")).as_bytes()).unwrap();
    encode(&header, claims, &key).unwrap()
}

fn sign(claims: &Value) -> String {
    sign_with("a", "key-a", claims)
}

/// A token with a hand-made header and payload and `signature` bytes.
fn raw(header: &Value, payload: &str, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

/// Signs `header.payload` as given (duplicate members survive) with key A.
fn sign_raw(header: &Value, payload: &str) -> String {
    use jsonwebtoken::crypto::sign as jws_sign;
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let key = EncodingKey::from_rsa_pem(fixture("rsa_a.pem").as_bytes()).unwrap();
    let signature = jws_sign(input.as_bytes(), &key, Algorithm::RS256).unwrap();
    format!("{input}.{signature}")
}

async fn verifier(
    pool: impl FnOnce(CognitoPool) -> CognitoPool,
) -> (CognitoVerifier, support::misbehaving::Endpoint) {
    verifier_for(TokenUse::Access, pool).await
}

async fn verifier_for(
    token_use: TokenUse,
    pool: impl FnOnce(CognitoPool) -> CognitoPool,
) -> (CognitoVerifier, support::misbehaving::Endpoint) {
    let jwks: &'static str =
        Box::leak(format!(r#"{{"keys":[{}]}}"#, fixture("jwk_a.json")).into_boxed_str());
    let endpoint = serve(Behaviour::Slow {
        delay: Duration::ZERO,
        body: jwks,
    })
    .await;
    let keys = JwksCache::new(ReqwestHttpClient::builder().build().unwrap());
    let base = CognitoPool::new(POOL, token_use)
        .unwrap()
        .endpoint(issuer(), endpoint.url.clone());
    let verifier = CognitoVerifier::builder(keys)
        .pool(pool(base))
        .build()
        .unwrap();
    (verifier, endpoint)
}

async fn refused(verifier: &CognitoVerifier, token: &str) -> VerifyErrorKind {
    let error = verifier.verify(token).await.expect_err("must be refused");
    assert!(
        !error.to_string().contains(token),
        "the message never quotes the token"
    );
    error.kind()
}

#[tokio::test]
async fn a_valid_access_token_verifies_with_typed_claims() {
    let (verifier, _) =
        verifier(|p| p.client_id(CLIENT).group("admins").scope("orders/read")).await;
    let claims = verifier.verify(&sign(&access_claims())).await.unwrap();
    assert_eq!(claims.sub(), "5f2b-alice");
    assert_eq!(claims.username(), Some("alice"));
    assert_eq!(claims.client_id(), Some(CLIENT));
    assert_eq!(claims.token_use(), TokenUse::Access);
    assert_eq!(claims.groups(), ["admins", "staff"]);
    assert!(claims.scopes().any(|s| s == "orders/read"));
    assert_eq!(claims.origin_jti(), Some("o-1"));
    assert!(claims.auth_time().is_some());
    assert_eq!(claims.user_pool_id(), POOL);
}

#[tokio::test]
async fn an_id_token_verifies_for_an_id_pool_and_is_refused_as_an_access_token() {
    let (ids, _) = verifier_for(TokenUse::Id, |p| p.client_id(CLIENT)).await;
    let (access, _) = verifier(|p| p.client_id(CLIENT)).await;
    let token = sign(&id_claims());
    let claims = ids.verify(&token).await.unwrap();
    assert_eq!(claims.username(), Some("alice"));
    assert_eq!(claims.custom_attribute("tier"), Some("gold"));
    assert_eq!(claims.client_id(), Some(CLIENT));
    assert_eq!(claims.token_use(), TokenUse::Id);
    assert_eq!(refused(&access, &token).await, VerifyErrorKind::TokenUse);
    // Either: both kinds, each with its own client claim.
    let (either, _) = verifier_for(TokenUse::Either, |p| p.client_id(CLIENT)).await;
    either.verify(&token).await.unwrap();
    either.verify(&sign(&access_claims())).await.unwrap();
}

#[tokio::test]
async fn misused_tokens_are_refused_with_their_kind() {
    let (verifier, _) =
        verifier(|p| p.client_id(CLIENT).group("admins").scope("orders/read")).await;
    let with = |f: &dyn Fn(&mut Value)| {
        let mut claims = access_claims();
        f(&mut claims);
        sign(&claims)
    };
    let cases: Vec<(&str, String, VerifyErrorKind)> = vec![
        (
            "another app's client",
            with(&|c| c["client_id"] = json!("other-app")),
            VerifyErrorKind::Audience,
        ),
        (
            "another pool's issuer",
            with(&|c| {
                c["iss"] = json!("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other");
            }),
            VerifyErrorKind::Issuer,
        ),
        (
            "expired",
            with(&|c| c["exp"] = json!(now() - 5)),
            VerifyErrorKind::Expired,
        ),
        (
            "no exp",
            with(&|c| {
                c.as_object_mut().unwrap().remove("exp");
            }),
            VerifyErrorKind::Expired,
        ),
        (
            "nbf in the future",
            with(&|c| c["nbf"] = json!(now() + 600)),
            VerifyErrorKind::NotYetValid,
        ),
        (
            "no token_use",
            with(&|c| {
                c.as_object_mut().unwrap().remove("token_use");
            }),
            VerifyErrorKind::TokenUse,
        ),
        (
            "not in a group",
            with(&|c| c["cognito:groups"] = json!(["staff"])),
            VerifyErrorKind::MissingGroup,
        ),
        (
            "no scope",
            with(&|c| c["scope"] = json!("openid")),
            VerifyErrorKind::MissingScope,
        ),
        (
            "signed by another key under kid a",
            sign_with("b", "key-a", &access_claims()),
            VerifyErrorKind::BadSignature,
        ),
        (
            "an unknown kid",
            sign_with("b", "key-b", &access_claims()),
            VerifyErrorKind::UnknownKey,
        ),
    ];
    for (name, token, kind) in cases {
        assert_eq!(refused(&verifier, &token).await, kind, "{name}");
    }
    assert_eq!(VerifyErrorKind::MissingGroup.http_status(), 403);
    assert_eq!(VerifyErrorKind::Expired.http_status(), 401);
}

#[tokio::test]
async fn forged_headers_and_encodings_are_refused_before_the_signature() {
    let (verifier, endpoint) = verifier(|p| p.client_id(CLIENT)).await;
    let payload = access_claims().to_string();
    for alg in ["none", "None", "NONE", "nOnE"] {
        let token = raw(&json!({"alg": alg, "kid": "key-a"}), &payload, b"");
        assert_eq!(
            refused(&verifier, &token).await,
            VerifyErrorKind::Algorithm,
            "alg {alg}"
        );
    }
    // HS256 keyed with the RSA public key: HS* is never an algorithm of a public key.
    let public = fixture("rsa_a.pub.pem");
    let hs = encode(
        &Header {
            kid: Some("key-a".into()),
            ..Header::new(Algorithm::HS256)
        },
        &access_claims(),
        &EncodingKey::from_secret(public.as_bytes()).unwrap(),
    )
    .unwrap();
    assert_eq!(refused(&verifier, &hs).await, VerifyErrorKind::Algorithm);
    // Headers pointing at keys elsewhere, or asking for extensions, even when validly signed.
    for (member, value) in [
        ("jku", json!("https://attacker.example/jwks")),
        ("x5u", json!("https://attacker.example/cert")),
        (
            "jwk",
            serde_json::from_str::<Value>(&fixture("jwk_b.json")).unwrap(),
        ),
        ("crit", json!(["exp-policy"])),
    ] {
        let token = sign_raw(
            &json!({"alg": "RS256", "kid": "key-a", member: value}),
            &payload,
        );
        assert_eq!(
            refused(&verifier, &token).await,
            VerifyErrorKind::Malformed,
            "{member}"
        );
    }
    // A claim twice: parsers disagree on which wins, so the token is ambiguous.
    let duplicated = payload.replacen('{', r#"{"client_id":"other-app","#, 1);
    let token = sign_raw(&json!({"alg": "RS256", "kid": "key-a"}), &duplicated);
    assert_eq!(refused(&verifier, &token).await, VerifyErrorKind::Malformed);
    // 10 MB: refused undecoded, on its length (the message says so; no timing asserted).
    let huge = format!("{}.{}.sig", "e".repeat(16), "A".repeat(10 * 1024 * 1024));
    assert_eq!(refused(&verifier, &huge).await, VerifyErrorKind::Malformed);
    let error = verifier.verify(&huge).await.unwrap_err();
    assert!(error.to_string().contains("over the limit"), "{error}");
    // Padding or standard base64 is not base64url.
    let valid = sign(&access_claims());
    let padded = format!("{valid}=");
    assert_eq!(
        refused(&verifier, &padded).await,
        VerifyErrorKind::Malformed
    );
    // None of these reached the JWKS endpoint but the first key lookup (no key was needed
    // until a token of the trusted issuer with an accepted algorithm came).
    assert!(
        endpoint.requests() <= 1,
        "{} JWKS requests",
        endpoint.requests()
    );
}

#[tokio::test]
async fn verify_sync_never_fetches_and_works_once_hydrated() {
    let (verifier, endpoint) = verifier(|p| p.client_id(CLIENT)).await;
    let token = sign(&access_claims());
    let error = verifier.verify_sync(&token).unwrap_err();
    assert_eq!(error.kind(), VerifyErrorKind::UnknownKey);
    assert_eq!(endpoint.requests(), 0, "the synchronous path does no I/O");
    verifier.hydrate().await.unwrap();
    assert_eq!(endpoint.requests(), 1);
    assert_eq!(verifier.verify_sync(&token).unwrap().sub(), "5f2b-alice");
    assert_eq!(endpoint.requests(), 1);
}

#[test]
fn a_pool_needs_an_explicit_client_decision_and_a_real_pool_id() {
    let keys = JwksCache::new(ReqwestHttpClient::builder().build().unwrap());
    let error = CognitoVerifier::builder(keys)
        .pool(CognitoPool::new(POOL, TokenUse::Access).unwrap())
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("any_client"), "{error}");
    assert!(CognitoPool::new("not-a-pool", TokenUse::Access).is_err());
    assert!(CognitoPool::new("eu-west-1_", TokenUse::Access).is_err());
    assert_eq!(
        CognitoPool::new("cn-north-1_AbC", TokenUse::Id)
            .unwrap()
            .issuer(),
        "https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_AbC"
    );
    assert_eq!(
        CognitoPool::new("us-gov-west-1_AbC", TokenUse::Id)
            .unwrap()
            .jwks_uri(),
        "https://cognito-idp.us-gov-west-1.amazonaws.com/us-gov-west-1_AbC/.well-known/jwks.json"
    );
    assert_eq!(
        CognitoPool::new("us-iso-east-1_AbC", TokenUse::Id)
            .unwrap()
            .issuer(),
        "https://cognito-idp.us-iso-east-1.c2s.ic.gov/us-iso-east-1_AbC"
    );
}
