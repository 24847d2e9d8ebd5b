//! `Auth` end to end against moto (`cargo xtask peers up`).
//!
//! What moto fakes (reference section 9) and what these tests therefore prove:
//! - moto never verifies the SRP signature: the SRP sign-in here proves the wire flow through
//!   `Auth` (the math is checked against the scripted peer in `client_scripted.rs`);
//! - confirmation codes are not checked, so any code confirms a sign-up;
//! - GetId returns a new id per call and GetCredentialsForIdentity fixed credentials, which
//!   moto's STS (no SigV4 enforcement on this instance) accepts;
//! - moto has no GetTokensFromRefreshToken (HTTP 500): refreshing tests use InitiateAuth
//!   REFRESH_TOKEN_AUTH (`RefreshMethod::RefreshTokenAuth`, what Amplify JS sends);
//! - RevokeToken answers HTTP 500 with HTML: sign-out still clears local state.
//!
//! Each test provisions its own pool, client, users and identity pool with unique names.
#![cfg(feature = "client")]

#[path = "support/peers.rs"]
#[allow(
    unreachable_pub,
    reason = "the shared locator serves every crate's peer tests"
)]
mod peers;

#[path = "support/moto.rs"]
mod moto;
use moto::{PASSWORD, identity_pool, idp, unique, user, user_pool};

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use auth::Auth;
use auth::client::{
    AuthError, FetchAuthSessionOptions, SignInOptions, SignOutOptions, SignUpOptions,
};
use auth::core::machine::session::RefreshMethod;
use auth::core::machine::sign_in::{Answer, ConfirmOptions, SignInFlow, SignInStep};
use auth::core::machine::sign_up::SignUpStep;
use auth::hub::AuthEvent;
use auth::providers::aws::SdkHttpClient;
use auth::providers::{
    HttpClient, HttpFuture, KeyValueStorage, ManualTimeSource, MemoryStorage, ProviderFuture,
    ReqwestHttpClient, SharedHttpClient, TimeSource,
};
use serde_json::json;

/// Counts the requests per operation on their way to the real client.
#[derive(Debug, Clone)]
struct Counting {
    inner: SharedHttpClient,
    log: Arc<Mutex<Vec<String>>>,
}

impl Counting {
    fn new() -> Self {
        Self {
            inner: SharedHttpClient::new(ReqwestHttpClient::builder().build().unwrap()),
            log: Arc::default(),
        }
    }

    fn count(&self, operation: &str) -> usize {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|o| *o == operation)
            .count()
    }
}

impl HttpClient for Counting {
    fn send(&self, request: http::Request<Vec<u8>>) -> HttpFuture<'_> {
        let op = request
            .headers()
            .get("x-amz-target")
            .and_then(|v| v.to_str().ok())
            .and_then(|t| t.rsplit('.').next())
            .unwrap_or_default()
            .to_owned();
        self.log.lock().unwrap().push(op);
        ProviderFuture::new(self.inner.send(request))
    }
}

fn events(auth: &Auth) -> (Arc<Mutex<Vec<AuthEvent>>>, auth::hub::Subscription) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let source = auth.event_source().clone();
    let subscription = auth
        .hub()
        .auth()
        // The global Hub: only this client's events (tests run in parallel).
        .listen_capsules(move |capsule| {
            if capsule.is_from(&source) {
                let event: &AuthEvent = &capsule.payload;
                sink.lock().unwrap().push(event.clone());
            }
        });
    (events, subscription)
}

async fn names(events: &Mutex<Vec<AuthEvent>>) -> Vec<&'static str> {
    events.lock().unwrap().iter().map(AuthEvent::name).collect()
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn sign_up_confirm_srp_sign_in_session_credentials_and_sts() {
    let config = user_pool().await;
    let identity = identity_pool(&config).await;
    let auth = Auth::builder()
        .user_pool(config.clone())
        .identity_pool(identity)
        .build()
        .unwrap();
    let (events, _sub) = events(&auth);
    let username = unique("new");

    let out = auth
        .sign_up(
            &username,
            PASSWORD,
            SignUpOptions::new().user_attribute("email", format!("{username}@example.com")),
        )
        .await
        .unwrap();
    assert!(
        matches!(out.next_step, SignUpStep::ConfirmSignUp { .. }),
        "{out:?}"
    );
    // moto does not check confirmation codes.
    let out = auth
        .confirm_sign_up(&username, "123456", Default::default())
        .await
        .unwrap();
    assert_eq!(out.next_step, SignUpStep::Done);

    let out = auth
        .sign_in(&username, PASSWORD, SignInOptions::new())
        .await
        .unwrap();
    let Some(user) = (match &out {
        auth::client::SignInOutput::SignedIn(user) => Some(user.clone()),
        _ => None,
    }) else {
        panic!("expected DONE, got {out:?}");
    };
    assert_eq!(user.username, username);
    assert_eq!(names(&events).await, ["signedIn"]);
    let err = auth
        .sign_in(&username, PASSWORD, SignInOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, AuthError::UserAlreadyAuthenticated),
        "{err:?}"
    );

    let session = auth.fetch_auth_session(Default::default()).await.unwrap();
    let tokens = session.tokens.as_ref().unwrap();
    assert_eq!(tokens.username, username);
    assert!(session.identity_id.is_some());
    assert!(session.credentials.is_some());
    let attributes = auth.fetch_user_attributes().await.unwrap();
    assert_eq!(
        attributes.get("email"),
        Some(&format!("{username}@example.com"))
    );

    // The federated credentials sign a real SDK call.
    let sts = aws_sdk_sts::Config::builder()
        .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
        .region(aws_sdk_sts::config::Region::new("us-east-1"))
        .endpoint_url(peers::moto())
        .http_client(SdkHttpClient::new(
            ReqwestHttpClient::builder().build().unwrap(),
        ))
        .credentials_provider(auth.aws_credentials_provider().unwrap())
        .build();
    let caller = aws_sdk_sts::Client::from_conf(sts)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert!(caller.account().is_some(), "{caller:?}");

    let outcome = auth.sign_out(SignOutOptions::default()).await;
    let _ = outcome; // moto answers RevokeToken with an HTML 500 when it is sent.
    assert!(matches!(
        auth.get_current_user().await,
        Err(AuthError::NotSignedIn)
    ));
    assert_eq!(names(&events).await, ["signedIn", "signedOut"]);
    // Guest credentials afterwards.
    let guest = auth.fetch_auth_session(Default::default()).await.unwrap();
    assert!(guest.tokens.is_none());
    assert!(guest.credentials.is_some());
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn new_password_required_then_signed_in() {
    let config = user_pool().await;
    let username = unique("admin");
    idp(
        "AdminCreateUser",
        &json!({"UserPoolId": config.pool_id(), "Username": username,
                "TemporaryPassword": "Temp-passw0rd!", "MessageAction": "SUPPRESS"}),
    )
    .await;
    let auth = Auth::builder().user_pool(config).build().unwrap();
    let out = auth
        .sign_in(
            &username,
            "Temp-passw0rd!",
            SignInOptions::new().flow(SignInFlow::UserPasswordAuth),
        )
        .await
        .unwrap();
    assert!(
        matches!(
            out.next_step(),
            Some(SignInStep::ConfirmWithNewPassword { .. })
        ),
        "{out:?}"
    );
    let out = auth
        .confirm_sign_in(
            Answer::NewPassword {
                password: PASSWORD.into(),
                attributes: Default::default(),
            },
            ConfirmOptions::default(),
        )
        .await
        .unwrap();
    assert!(out.is_signed_in(), "{out:?}");
    auth.sign_out(SignOutOptions::default()).await;
    let out = auth
        .sign_in(&username, PASSWORD, SignInOptions::new())
        .await
        .unwrap();
    assert!(out.is_signed_in());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs peers: cargo xtask peers up"]
async fn expired_tokens_are_refreshed_once_for_a_hundred_callers() {
    let config = user_pool().await;
    let username = user(&config).await;
    let http = Counting::new();
    let clock = ManualTimeSource::new(SystemTime::now());
    let auth = Auth::builder()
        .user_pool(config)
        .http_client(http.clone())
        .time_source(clock.clone())
        .refresh_method(RefreshMethod::RefreshTokenAuth)
        .build()
        .unwrap();
    let (events, _sub) = events(&auth);
    auth.sign_in(&username, PASSWORD, SignInOptions::new())
        .await
        .unwrap();
    let before = auth
        .fetch_auth_session(Default::default())
        .await
        .unwrap()
        .tokens
        .unwrap();
    // REFRESH_TOKEN_AUTH is an InitiateAuth: count those after the sign-in's.
    let initiated = http.count("InitiateAuth");

    // Drive the clock past the access token's expiry (moto: one hour).
    clock.advance(Duration::from_secs(2 * 3600));
    assert!(before.is_expired(clock.now()));
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let auth = auth.clone();
            tokio::spawn(async move {
                auth.fetch_auth_session(FetchAuthSessionOptions::default())
                    .await
            })
        })
        .collect();
    for task in tasks {
        let tokens = task.await.unwrap().unwrap().tokens.unwrap();
        assert!(!tokens.is_expired(clock.now()));
        assert_eq!(tokens.username, username);
    }
    assert_eq!(
        http.count("InitiateAuth"),
        initiated + 1,
        "one refresh request"
    );
    assert_eq!(names(&events).await, ["signedIn", "tokenRefresh"]);
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn global_sign_out_invalidates_the_refresh_token() {
    let config = user_pool().await;
    let username = user(&config).await;
    let storage = MemoryStorage::new();
    let auth = Auth::builder()
        .user_pool(config.clone())
        .storage(storage.clone())
        .build()
        .unwrap();
    auth.sign_in(&username, PASSWORD, SignInOptions::new())
        .await
        .unwrap();
    // Another device holding the same tokens.
    let copy = MemoryStorage::new();
    let prefix = format!("CognitoIdentityServiceProvider.{}", config.client_id());
    for key in [
        format!("{prefix}.LastAuthUser"),
        format!("{prefix}.{username}.accessToken"),
        format!("{prefix}.{username}.idToken"),
        format!("{prefix}.{username}.refreshToken"),
        format!("{prefix}.{username}.clockDrift"),
    ] {
        if let Some(value) = storage.get(&key).await.unwrap() {
            copy.set(&key, &value).await.unwrap();
        }
    }
    let outcome = auth.sign_out(SignOutOptions::global()).await;
    assert!(outcome.global_sign_out_error.is_none(), "{outcome:?}");
    let other = Auth::builder()
        .user_pool(config)
        .storage(copy)
        .refresh_method(RefreshMethod::RefreshTokenAuth)
        .build()
        .unwrap();
    let (events, _sub) = events(&other);
    let session = other
        .fetch_auth_session(FetchAuthSessionOptions::default().force_refresh(true))
        .await
        .unwrap();
    assert!(session.tokens.is_none(), "the refresh token was revoked");
    assert_eq!(names(&events).await, ["tokenRefresh_failure"]);
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn an_identity_pool_alone_gives_guest_credentials() {
    let config = user_pool().await;
    let identity = identity_pool(&config).await;
    let auth = Auth::builder().identity_pool(identity).build().unwrap();
    let session = auth.fetch_auth_session(Default::default()).await.unwrap();
    assert!(session.tokens.is_none());
    assert!(session.identity_id.is_some());
    assert!(session.credentials.is_some());
    let err = auth
        .sign_in("anyone", PASSWORD, SignInOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, AuthError::NotConfigured("user pool")),
        "{err:?}"
    );
}
