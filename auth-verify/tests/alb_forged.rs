//! `AlbVerifier` against tokens forged with a local P-256 key, shaped as an Application Load
//! Balancer signs `x-amzn-oidc-data` (ES256, `signer`/`iss`/`client`/`exp` in the header,
//! base64url padded with `=`), and a loopback server playing the region's key endpoint
//! (`GET /<kid>` answers the key's PEM, 404 for any other kid) that counts its requests.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use auth_providers::ReqwestHttpClient;
use auth_verify::{AlbVerifier, JwksCache, VerifyErrorKind};
use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const ARN: &str =
    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188";
const OTHER_ARN: &str =
    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/other/1111111111111111";
const ISSUER: &str = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123";
const CLIENT: &str = "1example23456789";
const KID: &str = "6db77464-4ac6-4968-9ec9-a6c669649ba1";

/// The key endpoint: PEMs by path, and every path requested.
#[derive(Clone)]
struct KeyEndpoint {
    base: String,
    requested: Arc<Mutex<Vec<String>>>,
}

impl KeyEndpoint {
    async fn serve(pems: HashMap<String, String>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let requested = Arc::new(Mutex::new(Vec::new()));
        let log = requested.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let pems = pems.clone();
                let log = log.clone();
                tokio::spawn(async move {
                    let mut seen = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => seen.extend_from_slice(&buf[..n]),
                        }
                    }
                    let request = String::from_utf8_lossy(&seen);
                    let path = request.split(' ').nth(1).unwrap_or_default().to_owned();
                    log.lock().unwrap().push(path.clone());
                    let response = match pems.get(&path) {
                        Some(pem) => format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{pem}",
                            pem.len()
                        ),
                        None => "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_owned(),
                    };
                    let _ = socket.write_all(response.as_bytes()).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        Self { base, requested }
    }

    fn requests(&self) -> usize {
        self.requested.lock().unwrap().len()
    }
}

/// A P-256 key and its public key as ALB publishes it (PEM SubjectPublicKeyInfo).
struct Signer {
    key: EcdsaKeyPair,
    rng: SystemRandom,
}

impl Signer {
    fn new() -> Self {
        Self {
            key: EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap(),
            rng: SystemRandom::new(),
        }
    }

    fn pem(&self) -> String {
        let der = self.key.public_key().as_der().unwrap();
        let b64 = STANDARD.encode(der.as_ref());
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            lines.join("\n")
        )
    }

    /// A token of `header` and `payload`, segments padded as ALB pads them or not.
    fn sign(&self, header: &Value, payload: &Value, padded: bool) -> String {
        let encode = |bytes: &[u8]| {
            if padded {
                URL_SAFE.encode(bytes)
            } else {
                URL_SAFE_NO_PAD.encode(bytes)
            }
        };
        let input = format!(
            "{}.{}",
            encode(header.to_string().as_bytes()),
            encode(payload.to_string().as_bytes())
        );
        let signature = self.key.sign(&self.rng, input.as_bytes()).unwrap();
        format!("{input}.{}", encode(signature.as_ref()))
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn header() -> Value {
    json!({"typ": "JWT", "kid": KID, "alg": "ES256", "iss": ISSUER, "client": CLIENT,
           "signer": ARN, "exp": now() + 120})
}

fn payload() -> Value {
    json!({"sub": "5f2b-alice", "email_verified": "true", "email": "alice@example.com",
           "username": "alice", "exp": now() + 120, "iss": ISSUER})
}

/// A verifier trusting `ARN` with the expected issuer and client, keys from `endpoint`.
fn verifier(endpoint: &KeyEndpoint) -> AlbVerifier {
    AlbVerifier::builder(JwksCache::new(
        ReqwestHttpClient::builder().build().unwrap(),
    ))
    .load_balancer_arn(ARN)
    .issuer(ISSUER)
    .client_id(CLIENT)
    .key_endpoint(&endpoint.base)
    .build()
    .unwrap()
}

async fn setup() -> (Signer, KeyEndpoint, AlbVerifier) {
    let signer = Signer::new();
    let endpoint = KeyEndpoint::serve(HashMap::from([(format!("/{KID}"), signer.pem())])).await;
    let verifier = verifier(&endpoint);
    (signer, endpoint, verifier)
}

#[tokio::test]
async fn a_padded_alb_token_verifies_with_one_key_fetch_and_then_without_io() {
    let (signer, endpoint, verifier) = setup().await;
    let token = signer.sign(&header(), &payload(), true);
    assert!(token.contains('='), "ALB pads its segments");
    assert!(
        verifier.verify_sync(&token).unwrap_err().kind() == VerifyErrorKind::UnknownKey,
        "the sync path never fetches"
    );
    assert_eq!(endpoint.requests(), 0);
    let claims = verifier.verify(&token).await.unwrap();
    assert_eq!(claims.sub(), "5f2b-alice");
    assert_eq!(claims.email(), Some("alice@example.com"));
    assert_eq!(claims.username(), Some("alice"));
    assert_eq!(claims.signer(), ARN);
    assert_eq!(claims.issuer(), Some(ISSUER));
    assert_eq!(claims.client_id(), Some(CLIENT));
    assert_eq!(claims.key_id(), Some(KID));
    assert!(claims.expires_at().is_some());
    assert_eq!(claims.claims().str("email_verified"), Some("true"));
    assert_eq!(
        *endpoint.requested.lock().unwrap(),
        [format!("/{KID}")],
        "the key is fetched at <endpoint>/<kid>"
    );
    // Held now: the async and the sync path verify without a request.
    verifier.verify(&token).await.unwrap();
    assert_eq!(verifier.verify_sync(&token).unwrap(), claims);
    assert_eq!(endpoint.requests(), 1);
}

#[tokio::test]
async fn an_unpadded_alb_token_verifies_too() {
    let (signer, endpoint, verifier) = setup().await;
    let token = signer.sign(&header(), &payload(), false);
    assert!(!token.contains('='));
    assert_eq!(verifier.verify(&token).await.unwrap().sub(), "5f2b-alice");
    assert_eq!(endpoint.requests(), 1);
}

#[tokio::test]
async fn partial_padding_is_malformed() {
    let (signer, endpoint, verifier) = setup().await;
    let token = signer.sign(&header(), &payload(), true);
    let (head, rest) = token.split_once('.').unwrap();
    // A header segment with one `=` too many, or one `=` where two are due.
    for mangled in [format!("{head}=.{rest}"), format!("{head}.={rest}")] {
        let error = verifier.verify(&mangled).await.unwrap_err();
        assert_eq!(error.kind(), VerifyErrorKind::Malformed, "{error}");
    }
    assert_eq!(endpoint.requests(), 0);
}

#[tokio::test]
async fn a_token_of_another_load_balancer_is_refused_without_a_fetch() {
    let (signer, endpoint, verifier) = setup().await;
    for signer_value in [json!(OTHER_ARN), json!(null), json!([ARN])] {
        let mut h = header();
        h["signer"] = signer_value.clone();
        let error = verifier
            .verify(&signer.sign(&h, &payload(), true))
            .await
            .unwrap_err();
        assert!(
            matches!(
                error.kind(),
                VerifyErrorKind::Signer | VerifyErrorKind::Malformed
            ),
            "{signer_value}: {error}"
        );
    }
    let mut h = header();
    h.as_object_mut().unwrap().remove("signer");
    let error = verifier
        .verify(&signer.sign(&h, &payload(), true))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), VerifyErrorKind::Signer);
    assert_eq!(endpoint.requests(), 0);
}

#[tokio::test]
async fn any_algorithm_but_es256_is_refused_without_a_fetch() {
    let (signer, endpoint, verifier) = setup().await;
    for alg in [
        "RS256", "none", "None", "HS256", "ES384", "es256", "PS256", "EdDSA",
    ] {
        let mut h = header();
        h["alg"] = json!(alg);
        // Signed with the ES256 key anyway: the header's claim alone must refuse it.
        let error = verifier
            .verify(&signer.sign(&h, &payload(), true))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), VerifyErrorKind::Algorithm, "{alg}: {error}");
    }
    // `none` with an empty signature, the classic.
    let mut h = header();
    h["alg"] = json!("none");
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE.encode(h.to_string()),
        URL_SAFE.encode(payload().to_string())
    );
    assert_eq!(
        verifier.verify(&unsigned).await.unwrap_err().kind(),
        VerifyErrorKind::Algorithm
    );
    assert_eq!(endpoint.requests(), 0);
}

#[tokio::test]
async fn a_kid_that_is_not_a_uuid_never_reaches_a_url() {
    let (signer, endpoint, verifier) = setup().await;
    for kid in [
        "../../../etc/passwd",
        "6db77464-4ac6-4968-9ec9-a6c669649ba1/../x",
        "6db77464/4ac6-4968-9ec9-a6c669649ba1",
        "6db77464-4ac6-4968-9ec9-a6c66964%2f1",
        "6db77464-4ac6-4968-9ec9-a6c669649ba1?x=1",
        "..",
        "",
    ] {
        let mut h = header();
        h["kid"] = json!(kid);
        let error = verifier
            .verify(&signer.sign(&h, &payload(), true))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), VerifyErrorKind::Malformed, "{kid:?}: {error}");
    }
    let mut h = header();
    h.as_object_mut().unwrap().remove("kid");
    let error = verifier
        .verify(&signer.sign(&h, &payload(), true))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), VerifyErrorKind::UnknownKey);
    assert_eq!(endpoint.requests(), 0, "no kid reached the key endpoint");
}

#[tokio::test]
async fn expired_tokens_are_refused_in_the_header_or_the_payload_and_grace_applies() {
    let (signer, endpoint, verifier) = setup().await;
    let past = now() - 60;
    let mut h = header();
    h["exp"] = json!(past);
    let expired_header = signer.sign(&h, &payload(), true);
    let mut p = payload();
    p["exp"] = json!(past);
    let expired_payload = signer.sign(&header(), &p, true);
    for token in [&expired_header, &expired_payload] {
        assert_eq!(
            verifier.verify(token).await.unwrap_err().kind(),
            VerifyErrorKind::Expired
        );
    }
    // No exp anywhere: refused.
    let mut h = header();
    h.as_object_mut().unwrap().remove("exp");
    let mut p = payload();
    p.as_object_mut().unwrap().remove("exp");
    assert_eq!(
        verifier
            .verify(&signer.sign(&h, &p, true))
            .await
            .unwrap_err()
            .kind(),
        VerifyErrorKind::Expired
    );
    // A future nbf is not valid yet.
    let mut p = payload();
    p["nbf"] = json!(now() + 600);
    assert_eq!(
        verifier
            .verify(&signer.sign(&header(), &p, true))
            .await
            .unwrap_err()
            .kind(),
        VerifyErrorKind::NotYetValid
    );
    // Two minutes of grace accept a token a minute past its exp.
    let lenient = AlbVerifier::builder(verifier.key_cache().clone())
        .load_balancer_arn(ARN)
        .key_endpoint(&endpoint.base)
        .grace(Duration::from_secs(120))
        .build()
        .unwrap();
    lenient.verify(&expired_header).await.unwrap();
}

#[tokio::test]
async fn a_tampered_payload_or_another_key_is_a_bad_signature() {
    let (signer, _endpoint, verifier) = setup().await;
    let token = signer.sign(&header(), &payload(), true);
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut p = payload();
    p["sub"] = json!("5f2b-mallory");
    parts[1] = URL_SAFE.encode(p.to_string());
    let error = verifier.verify(&parts.join(".")).await.unwrap_err();
    assert_eq!(error.kind(), VerifyErrorKind::BadSignature, "{error}");
    assert!(
        !error.to_string().contains(&parts[1]),
        "no token in Display"
    );
    // Signed by an attacker's key, naming the load balancer's kid.
    let attacker = Signer::new();
    let error = verifier
        .verify(&attacker.sign(&header(), &payload(), true))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), VerifyErrorKind::BadSignature);
}

#[tokio::test]
async fn the_expected_issuer_and_client_are_checked() {
    let (signer, endpoint, verifier) = setup().await;
    let mut h = header();
    h["iss"] = json!("https://evil.example");
    let mut p = payload();
    p["iss"] = json!("https://evil.example");
    let error = verifier
        .verify(&signer.sign(&h, &p, true))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), VerifyErrorKind::Issuer);
    // The payload's iss must be the header's.
    let mut p = payload();
    p["iss"] = json!("https://evil.example");
    let error = verifier
        .verify(&signer.sign(&header(), &p, true))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), VerifyErrorKind::Issuer);
    let mut h = header();
    h["client"] = json!("another-client");
    let error = verifier
        .verify(&signer.sign(&h, &payload(), true))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), VerifyErrorKind::Audience);
    assert_eq!(endpoint.requests(), 0);
}

#[tokio::test]
async fn unknown_kids_are_fetched_once_each_and_new_ones_within_the_budget() {
    let (signer, endpoint, verifier) = setup().await;
    let unknown = "00000000-0000-4000-8000-000000000000";
    let mut h = header();
    h["kid"] = json!(unknown);
    let token = signer.sign(&h, &payload(), true);
    for _ in 0..5 {
        let error = verifier.verify(&token).await.unwrap_err();
        assert_eq!(error.kind(), VerifyErrorKind::UnknownKey, "{error}");
    }
    assert_eq!(
        endpoint.requests(),
        1,
        "one fetch of the unknown kid per interval"
    );
    // A stream of random kids: one more new kid fits the budget (2 per interval), the rest
    // are refused without a request.
    for i in 0..50 {
        let mut h = header();
        h["kid"] = json!(format!("00000000-0000-4000-8000-{i:012}"));
        let error = verifier
            .verify(&signer.sign(&h, &payload(), true))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), VerifyErrorKind::UnknownKey, "{error}");
    }
    assert_eq!(endpoint.requests(), 2);
    // The load balancer's own kid, never fetched yet, waits for the next interval too (the
    // price of the budget); another verifier (its own budget, the same cache) fetches it.
    let error = verifier
        .verify(&signer.sign(&header(), &payload(), true))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), VerifyErrorKind::UnknownKey);
    assert_eq!(endpoint.requests(), 2);
    let fresh = AlbVerifier::builder(verifier.key_cache().clone())
        .load_balancer_arn(ARN)
        .key_endpoint(&endpoint.base)
        .build()
        .unwrap();
    fresh
        .verify(&signer.sign(&header(), &payload(), true))
        .await
        .unwrap();
    assert_eq!(endpoint.requests(), 3);
}

#[tokio::test]
async fn a_verifier_needs_an_application_load_balancer_arn() {
    let keys = JwksCache::new(ReqwestHttpClient::builder().build().unwrap());
    let error = AlbVerifier::builder(keys.clone()).build().unwrap_err();
    assert_eq!(error.kind(), VerifyErrorKind::Claim);
    let error = AlbVerifier::builder(keys.clone())
        .load_balancer_arn(
            "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/nlb/1",
        )
        .build()
        .unwrap_err();
    assert_eq!(error.kind(), VerifyErrorKind::Claim);
    let verifier = AlbVerifier::builder(keys)
        .load_balancer_arn(ARN)
        .load_balancer_arn(
            "arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:123456789012:loadbalancer/app/gov/1",
        )
        .build()
        .unwrap();
    assert_eq!(
        verifier.key_url(ARN, KID).unwrap(),
        format!("https://public-keys.auth.elb.eu-west-1.amazonaws.com/{KID}")
    );
    assert_eq!(
        verifier
            .key_url(
                "arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:123456789012:loadbalancer/app/gov/1",
                KID
            )
            .unwrap(),
        format!("https://s3-us-gov-west-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-west-1/{KID}")
    );
    assert_eq!(verifier.key_url(ARN, "../x"), None);
}
