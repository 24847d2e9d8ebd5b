//! ID tokens issued by panva's oidc-provider (`cargo xtask peers up`, configuration in
//! `xtask/assets/oidc-provider.mjs`), verified end to end with [`JwtVerifier`]: the issuer
//! and the JWKS URL from its discovery document, the keys fetched from its `jwks_uri`, RS256
//! tokens (client `native-app`, the provider's development RSA key) and ES256 tokens
//! (client `es256-app`, a P-256 key), and the same tokens altered refused.
//!
//! Tokens come from the authorization code grant with PKCE: a cookie-keeping loop stands in
//! for the browser, and the provider's headless interaction logs in the `login_hint` and
//! grants consent. What the peer fakes: the login (no password), and the redirect URI is
//! never reached (the loop stops at its `Location`).

#[path = "support/forge.rs"]
mod forge;
#[path = "../../tests/support/peers.rs"]
#[allow(
    unreachable_pub,
    reason = "the shared locator serves every crate's peer tests"
)]
mod peers;

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use auth_providers::ReqwestHttpClient;
use auth_verify::{
    Algorithm, Document, FetchLimits, IssuerPolicy, JwksCache, JwtVerifier, VerifyErrorKind,
    fetch_json, peek_unverified,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

const REDIRECT_URI: &str = "http://127.0.0.1/callback";

/// An ID token for `user` from `client_id`, by the authorization code grant with PKCE.
async fn id_token(issuer: &str, client_id: &str, user: &str) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let verifier = format!("{user}-pkce-verifier-of-the-peer-test-0123456789");
    let challenge = URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        verifier.as_bytes(),
    ));
    let mut url = reqwest::Url::parse(&format!("{issuer}/auth")).unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", client_id)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid email")
        .append_pair("redirect_uri", REDIRECT_URI)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("state", "state-1")
        .append_pair("nonce", "nonce-1")
        .append_pair("login_hint", user);
    // Follow the redirects by hand, keeping cookies, until the provider sends the browser
    // back to the redirect URI with the code.
    let mut cookies: BTreeMap<String, String> = BTreeMap::new();
    let code = 'browse: {
        for _ in 0..20 {
            let cookie = cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            let response = http
                .get(url.clone())
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            for set in response.headers().get_all("set-cookie") {
                let pair = set.to_str().unwrap().split(';').next().unwrap();
                if let Some((k, v)) = pair.split_once('=') {
                    cookies.insert(k.trim().to_owned(), v.to_owned());
                }
            }
            let status = response.status();
            let Some(location) = response.headers().get("location") else {
                panic!(
                    "GET {url}: {status} without a redirect: {}",
                    response.text().await.unwrap_or_default()
                );
            };
            let next = url.join(location.to_str().unwrap()).unwrap();
            if next.as_str().starts_with(REDIRECT_URI) {
                let params: BTreeMap<_, _> = next.query_pairs().into_owned().collect();
                assert_eq!(params.get("state").map(String::as_str), Some("state-1"));
                break 'browse params
                    .get("code")
                    .unwrap_or_else(|| panic!("no code: {next}"))
                    .clone();
            }
            url = next;
        }
        panic!("no code after 20 redirects");
    };
    let response = http
        .post(format!("{issuer}/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
            ("client_id", client_id),
            ("code_verifier", &verifier),
        ])
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert!(status.is_success(), "token: {status} {body}");
    body["id_token"].as_str().unwrap().to_owned()
}

/// The provider's issuer and JWKS URL, from its discovery document (fetched as a verifier
/// fetches documents: bounded, sent once).
async fn discover(base: &str) -> (String, String) {
    let http = ReqwestHttpClient::builder().build().unwrap();
    let discovery: Value = fetch_json(
        &http,
        Document::Discovery,
        &format!("{base}/.well-known/openid-configuration"),
        &FetchLimits::default(),
    )
    .await
    .unwrap();
    (
        discovery["issuer"].as_str().unwrap().to_owned(),
        discovery["jwks_uri"].as_str().unwrap().to_owned(),
    )
}

fn verifier(keys: &JwksCache, policy: IssuerPolicy) -> JwtVerifier {
    JwtVerifier::builder(keys.clone())
        .issuer(policy)
        .build()
        .unwrap()
}

fn keys() -> JwksCache {
    JwksCache::new(ReqwestHttpClient::builder().build().unwrap())
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn rs256_and_es256_id_tokens_of_oidc_provider_verify_through_its_discovered_jwks() {
    let base = peers::oidc();
    let (issuer, jwks_uri) = discover(&base).await;
    let rs256 = id_token(&issuer, "native-app", "alice").await;
    let es256 = id_token(&issuer, "es256-app", "bob").await;
    assert_eq!(peek_unverified(&rs256).unwrap().header().alg, "RS256");
    assert_eq!(peek_unverified(&es256).unwrap().header().alg, "ES256");

    let keys = keys();
    let both = verifier(
        &keys,
        IssuerPolicy::new(&issuer, &jwks_uri)
            .audience("native-app")
            .audience("es256-app")
            .algorithms([Algorithm::RS256, Algorithm::ES256]),
    );
    let alice = both.verify(&rs256).await.unwrap();
    assert_eq!(alice.issuer(), Some(issuer.as_str()));
    assert_eq!(alice.subject(), Some("alice"));
    assert_eq!(alice.audiences(), ["native-app"]);
    assert_eq!(alice.str("nonce"), Some("nonce-1"));
    assert_eq!(alice.str("email"), Some("alice@example.com"));
    let bob = both.verify(&es256).await.unwrap();
    assert_eq!(bob.subject(), Some("bob"));
    assert_eq!(bob.audiences(), ["es256-app"]);
    // The keys were fetched once, and hold both kinds.
    let held = keys.cached(&jwks_uri).unwrap();
    assert!(
        held.find(Some("test-es256"), Algorithm::ES256)
            .is_some_and(|k| k.fits(Algorithm::ES256) && !k.fits(Algorithm::RS256))
    );
    assert!(both.verify_sync(&es256).is_ok() && both.verify_sync(&rs256).is_ok());
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn oidc_provider_tokens_altered_are_refused_with_the_right_kind() {
    let base = peers::oidc();
    let (issuer, jwks_uri) = discover(&base).await;
    let rs256 = id_token(&issuer, "native-app", "carol").await;
    let es256 = id_token(&issuer, "es256-app", "dave").await;
    let keys = keys();
    let policy = || {
        IssuerPolicy::new(&issuer, &jwks_uri)
            .audience("native-app")
            .audience("es256-app")
            .algorithms([Algorithm::RS256, Algorithm::ES256])
    };
    let both = verifier(&keys, policy());
    both.hydrate().await.unwrap();
    let kind = |v: &JwtVerifier, token: &str| v.verify_sync(token).unwrap_err().kind();

    for token in [&rs256, &es256] {
        assert_eq!(
            kind(&both, &forge::flip_payload_byte(token, 1)),
            VerifyErrorKind::BadSignature
        );
        assert_eq!(
            kind(&both, &forge::flip_signature(token, 11)),
            VerifyErrorKind::BadSignature
        );
    }

    let parts = |token: &str| -> (Value, String) {
        let mut it = token.split('.');
        let header = URL_SAFE_NO_PAD.decode(it.next().unwrap()).unwrap();
        let payload = URL_SAFE_NO_PAD.decode(it.next().unwrap()).unwrap();
        (
            serde_json::from_slice(&header).unwrap(),
            String::from_utf8(payload).unwrap(),
        )
    };
    let signers = forge::Signers::new();
    // The RS256 token's claims signed by another key under the provider's kid.
    let (mut header, payload) = parts(&rs256);
    assert_eq!(header["kid"], "keystore-CHANGE-ME");
    let resigned = signers.sign(forge::Key::Attacker, &header.to_string(), &payload);
    assert_eq!(kind(&both, &resigned), VerifyErrorKind::BadSignature);
    // ... as HS256 keyed with the provider's public RSA key: refused by algorithm.
    header["alg"] = "HS256".into();
    let jwks = reqwest::get(&jwks_uri).await.unwrap().text().await.unwrap();
    let hs = forge::hs256(jwks.as_bytes(), &header.to_string(), &payload);
    assert_eq!(kind(&both, &hs), VerifyErrorKind::Algorithm);
    // The ES256 token's header claiming RS256 with the P-256 key's kid: the key decides.
    let (mut header, payload) = parts(&es256);
    assert_eq!(header["kid"], "test-es256");
    header["alg"] = "RS256".into();
    let swapped = signers.sign(forge::Key::Attacker, &header.to_string(), &payload);
    assert_eq!(kind(&both, &swapped), VerifyErrorKind::KeyMismatch);

    // Another audience, another algorithm policy, the wrong issuer, and time.
    let elsewhere = verifier(
        &keys,
        IssuerPolicy::new(&issuer, &jwks_uri)
            .audience("someone-else")
            .algorithms([Algorithm::RS256, Algorithm::ES256]),
    );
    assert_eq!(kind(&elsewhere, &rs256), VerifyErrorKind::Audience);
    let rsa_only = verifier(
        &keys,
        IssuerPolicy::new(&issuer, &jwks_uri).audience("es256-app"),
    );
    assert_eq!(kind(&rsa_only, &es256), VerifyErrorKind::Algorithm);
    let other_issuer = verifier(
        &keys,
        IssuerPolicy::new(format!("{issuer}/other"), &jwks_uri).any_audience(),
    );
    assert_eq!(kind(&other_issuer, &rs256), VerifyErrorKind::Issuer);
    // oidc-provider's ID tokens here live 300 s.
    let later = SystemTime::now() + Duration::from_secs(600);
    assert_eq!(
        both.verify_sync_at(&es256, later).unwrap_err().kind(),
        VerifyErrorKind::Expired
    );
}
