//! Our providers inside a real `aws-sdk-sts` client, against moto.
//!
//! * `MOTO_URL` (peers.env) / `AUTH_MOTO_URL`: moto without auth; GetCallerIdentity goes
//!   through our `CredentialsAdapter` and `SdkHttpClient`.
//! * `MOTO_AUTH_URL` / `AUTH_MOTO_AUTH_URL`: a moto started with
//!   `INITIAL_NO_AUTH_ACTION_COUNT=0` (SigV4 and IAM enforced from the first call). The test
//!   opens a window of three unauthenticated calls with `POST /moto-api/reset-auth` (body
//!   `3`), spends it on IAM CreateUser, PutUserPolicy and CreateAccessKey, and from then on
//!   tampered credentials must fail and the real ones pass.
//!
//! What moto fakes: it checks SigV4 signatures and IAM policies of its own users, nothing
//! else of AWS's account model.
#![cfg(all(feature = "aws-sdk", feature = "reqwest"))]

#[path = "../../tests/support/peers.rs"]
mod peers;

use std::time::{Duration, SystemTime};

use auth_providers::aws::{CredentialsAdapter, SdkHttpClient};
use auth_providers::{
    AwsCredentials, CachedCredentialsProvider, CredentialsAndIdentityId, HttpClient,
    ReqwestHttpClient, StaticCredentialsProvider,
};
use aws_sdk_sts::config::{BehaviorVersion, Region};
use aws_sdk_sts::error::ProvideErrorMetadata as _;

fn sts(endpoint: &str, key_id: &str, secret: &str) -> aws_sdk_sts::Client {
    let provider = CachedCredentialsProvider::new(StaticCredentialsProvider::new(
        CredentialsAndIdentityId::new(
            AwsCredentials::new(
                key_id,
                secret,
                None,
                Some(SystemTime::now() + Duration::from_secs(3600)),
            ),
            None,
        ),
    ));
    let config = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(CredentialsAdapter::new(provider))
        .http_client(SdkHttpClient::new(
            ReqwestHttpClient::builder().build().unwrap(),
        ))
        .build();
    aws_sdk_sts::Client::from_conf(config)
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn sts_client_resolves_credentials_through_our_adapter() {
    let url = peers::moto();
    let out = sts(&url, "AKIDEXAMPLE", "secret")
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert!(out.account().is_some_and(|a| !a.is_empty()));
    assert!(out.arn().is_some());
}

/// An IAM query call, unsigned but carrying an IAM credential scope so moto routes it.
async fn iam(endpoint: &str, params: &[(&str, &str)]) -> (u16, String) {
    let mut body = String::from("Version=2010-05-08");
    for (k, v) in params {
        body.push('&');
        body.push_str(k);
        body.push('=');
        for b in v.bytes() {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                body.push(b as char);
            } else {
                body.push_str(&format!("%{b:02X}"));
            }
        }
    }
    let request = http::Request::post(format!("{}/", endpoint.trim_end_matches('/')))
        .header("content-type", "application/x-www-form-urlencoded")
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIABOOTSTRAP/20250101/us-east-1/iam/aws4_request, \
             SignedHeaders=host, Signature=0000",
        )
        .body(body.into_bytes())
        .unwrap();
    let response = ReqwestHttpClient::builder()
        .build()
        .unwrap()
        .send(request)
        .await
        .unwrap();
    (
        response.status().as_u16(),
        String::from_utf8_lossy(response.body()).into_owned(),
    )
}

fn xml_field(xml: &str, tag: &str) -> Option<String> {
    let start = xml.find(&format!("<{tag}>"))? + tag.len() + 2;
    let end = xml[start..].find(&format!("</{tag}>"))? + start;
    Some(xml[start..end].to_owned())
}

/// Opens a window of exactly three unauthenticated calls (`POST /moto-api/reset-auth`), and
/// spends it creating an IAM user with an allow-all policy and an access key.
async fn access_key(endpoint: &str) -> (String, String) {
    let reset = http::Request::post(format!(
        "{}/moto-api/reset-auth",
        endpoint.trim_end_matches('/')
    ))
    .body(b"3".to_vec())
    .unwrap();
    let response = ReqwestHttpClient::builder()
        .build()
        .unwrap()
        .send(reset)
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "moto-api/reset-auth");
    let user = format!("auth-providers-{}", std::process::id());
    let (status, xml) = iam(endpoint, &[("Action", "CreateUser"), ("UserName", &user)]).await;
    assert_eq!(status, 200, "{xml}");
    let policy =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    let (status, xml) = iam(
        endpoint,
        &[
            ("Action", "PutUserPolicy"),
            ("UserName", &user),
            ("PolicyName", "all"),
            ("PolicyDocument", policy),
        ],
    )
    .await;
    assert_eq!(status, 200, "{xml}");
    let (status, xml) = iam(
        endpoint,
        &[("Action", "CreateAccessKey"), ("UserName", &user)],
    )
    .await;
    assert_eq!(status, 200, "{xml}");
    let id = xml_field(&xml, "AccessKeyId").expect("AccessKeyId");
    let secret = xml_field(&xml, "SecretAccessKey").expect("SecretAccessKey");
    (id, secret)
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn with_sigv4_enforced_tampered_credentials_fail_and_real_ones_pass() {
    let url = peers::moto_auth();
    let (id, secret) = access_key(&url).await;

    let mut tampered = secret.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let err = sts(&url, &id, &tampered)
        .get_caller_identity()
        .send()
        .await
        .expect_err("a wrong secret must not sign a valid request");
    // moto nests the error as `<Errors><Error>`, which the SDK's awsQuery parser does not
    // read into `code()`; check the raw response instead.
    let raw = err.raw_response().expect("moto answered");
    assert_eq!(raw.status().as_u16(), 403);
    let body = String::from_utf8_lossy(raw.body().bytes().unwrap_or_default()).into_owned();
    assert!(
        body.contains("SignatureDoesNotMatch") || err.code() == Some("SignatureDoesNotMatch"),
        "{body}"
    );

    let out = sts(&url, &id, &secret)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert!(
        out.arn().is_some_and(|arn| arn.contains("auth-providers-")),
        "{out:?}"
    );
}
