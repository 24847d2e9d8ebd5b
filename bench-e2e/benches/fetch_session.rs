//! The hot path of end-to-end scenario (c), without the network: one `fetch_auth_session`
//! with valid tokens and cached identity-pool credentials.
//!
//! Group `client/fetch_auth_session_cached`:
//!
//! - `ours`: [`auth::Auth`] with its defaults (in-memory storage, the Cognito credentials
//!   provider), signed in through auth-core's scripted Cognito peer (SRP checked by the peer),
//!   then one `fetch_auth_session` that obtains the identity id and credentials from a stub
//!   identity pool (fixed GetId and GetCredentialsForIdentity answers, credentials valid for
//!   an hour of the manual clock). The clock never moves, so every timed call finds valid
//!   tokens and cached credentials; the stub counts every request, and the bench panics if
//!   the timed loop sent one.
//! - `sdk_minimal`: the minimal client on the AWS SDK (`auth_bench_e2e::sdk`), restored with
//!   [`MinimalClient::restore`] from the same tokens and credentials (its SDK clients point
//!   at a closed port and are never called), then `fetch_session`.
//!
//! Both loops run inside one current-thread tokio runtime, as the end-to-end children do:
//! `iters` sequential awaited calls, each result checked and passed to `black_box`.
#![expect(
    missing_docs,
    reason = "criterion's macros generate undocumented functions"
)]

use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use auth::Auth;
use auth::client::{FetchAuthSessionOptions, SignInOptions};
use auth::core::config::IdentityPoolConfig;
use auth::core::test_util::{Scenario, ScriptedPeer, UserSpec};
use auth::core::wire::X_AMZ_TARGET;
use auth::providers::{HttpClient, HttpFuture, ManualTimeSource, ProviderFuture, TimeSource as _};
use auth_bench_e2e::sdk::{Config, Credentials, MinimalClient, Tokens};
use criterion::{Criterion, criterion_group, criterion_main};

const IDENTITY_POOL_ID: &str = "us-east-1:0d6b1f6a-2f3c-4e5d-8a9b-0123456789ab";
const IDENTITY_ID: &str = "us-east-1:5a7c9e1b-3d4f-4a6b-8c0d-fedcba987654";

/// The scripted user pool, and a stub identity pool; every request is counted.
#[derive(Debug, Clone)]
struct Peer {
    user_pool: Arc<Mutex<ScriptedPeer>>,
    clock: ManualTimeSource,
    requests: Arc<AtomicUsize>,
}

impl HttpClient for Peer {
    fn send(&self, request: http::Request<Vec<u8>>) -> HttpFuture<'_> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let now = self.clock.now();
        let target = request
            .headers()
            .get(X_AMZ_TARGET)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let body = match target {
            "AWSCognitoIdentityService.GetId" => {
                serde_json::json!({ "IdentityId": IDENTITY_ID })
            }
            "AWSCognitoIdentityService.GetCredentialsForIdentity" => {
                let expiration = (now + Duration::from_secs(3600))
                    .duration_since(UNIX_EPOCH)
                    .unwrap()
                    .as_secs();
                serde_json::json!({
                    "IdentityId": IDENTITY_ID,
                    "Credentials": {
                        "AccessKeyId": "ASIAEXAMPLEEXAMPLE01",
                        "SecretKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                        "SessionToken": "IQoJb3JpZ2luX2VjEXAMPLE".repeat(40),
                        "Expiration": expiration,
                    }
                })
            }
            _ => {
                let response = self.user_pool.lock().unwrap().handle(&request, now);
                return ProviderFuture::ready(Ok(response));
            }
        };
        let response = http::Response::builder()
            .status(200)
            .header("content-type", "application/x-amz-json-1.1")
            .body(serde_json::to_vec(&body).unwrap())
            .unwrap();
        ProviderFuture::ready(Ok(response))
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Ours, signed in with cached credentials, and the number of requests it sent so far.
fn ours(rt: &tokio::runtime::Runtime) -> (Auth, Arc<AtomicUsize>) {
    let scenario = Scenario::new().with_user(UserSpec::new("alice", "Corr3ct-horse"));
    let config = scenario.config();
    let clock = ManualTimeSource::new(UNIX_EPOCH + Duration::from_secs(1_800_000_000));
    let peer = Peer {
        user_pool: Arc::new(Mutex::new(ScriptedPeer::new(scenario))),
        clock: clock.clone(),
        requests: Arc::default(),
    };
    let requests = Arc::clone(&peer.requests);
    let auth = Auth::builder()
        .user_pool(config)
        .identity_pool(
            IdentityPoolConfig::builder()
                .identity_pool_id(IDENTITY_POOL_ID)
                .allow_guest_access(false)
                .build()
                .unwrap(),
        )
        .http_client(peer)
        .time_source(clock)
        .build()
        .unwrap();
    rt.block_on(async {
        let out = auth
            .sign_in("alice", "Corr3ct-horse", SignInOptions::new())
            .await
            .unwrap();
        assert!(out.is_signed_in());
        let session = auth
            .fetch_auth_session(FetchAuthSessionOptions::default())
            .await
            .unwrap();
        assert!(session.credentials.is_some());
    });
    (auth, requests)
}

/// The SDK client restored from ours' tokens and credentials.
fn sdk_minimal(rt: &tokio::runtime::Runtime, auth: &Auth) -> MinimalClient {
    let client = MinimalClient::new(Config {
        // Never called: the restored session is valid for the whole run.
        endpoint: Some("http://127.0.0.1:9".into()),
        region: "us-east-1".into(),
        user_pool_id: auth.user_pool_config().unwrap().pool_id().to_owned(),
        client_id: auth.user_pool_config().unwrap().client_id().to_owned(),
        identity_pool_id: Some(IDENTITY_POOL_ID.into()),
    });
    rt.block_on(async {
        let session = auth
            .fetch_auth_session(FetchAuthSessionOptions::default())
            .await
            .unwrap();
        let tokens = session.tokens.unwrap();
        let credentials = session.credentials.unwrap();
        let tokens = Tokens::new(
            tokens.access_token.as_str().to_owned(),
            tokens.id_token.unwrap().as_str().to_owned(),
            tokens.refresh_token.unwrap().as_str().to_owned(),
        )
        .unwrap();
        // The SDK client compares with the system clock: credentials valid for an hour of it.
        let credentials = Credentials {
            identity_id: IDENTITY_ID.into(),
            access_key_id: credentials.access_key_id().to_owned(),
            secret_key: credentials.secret_access_key().to_owned(),
            session_token: credentials.session_token().unwrap().to_owned(),
            expiration: SystemTime::now() + Duration::from_secs(3600),
        };
        client.restore(tokens, Some(credentials)).await;
        client.fetch_session().await.unwrap();
    });
    client
}

fn fetch_auth_session_cached(c: &mut Criterion) {
    let rt = runtime();
    let (auth, requests) = ours(&rt);
    let sdk = sdk_minimal(&rt, &auth);
    let mut group = c.benchmark_group("client/fetch_auth_session_cached");
    group.bench_function("ours", |b| {
        b.iter_custom(|iters| {
            let before = requests.load(Ordering::Relaxed);
            let elapsed = rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    let session = auth
                        .fetch_auth_session(FetchAuthSessionOptions::default())
                        .await
                        .unwrap();
                    assert!(session.tokens.is_some() && session.credentials.is_some());
                    black_box(session);
                }
                start.elapsed()
            });
            assert_eq!(
                requests.load(Ordering::Relaxed),
                before,
                "a request was sent"
            );
            elapsed
        });
    });
    group.bench_function("sdk_minimal", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    let session = sdk.fetch_session().await.unwrap();
                    assert!(session.credentials.is_some());
                    black_box(session);
                }
                start.elapsed()
            })
        });
    });
    group.finish();
}

criterion_group!(benches, fetch_auth_session_cached);
criterion_main!(benches);
