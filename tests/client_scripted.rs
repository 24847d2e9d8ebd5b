//! `Auth` against auth-core's scripted Cognito peer: deterministic flows, a manual clock, and
//! every request counted. The peer runs the server side of SRP, so SRP sign-ins are checked
//! for real here (moto never verifies them).
#![cfg(feature = "client")]

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use auth::Auth;
use auth::client::{
    AuthError, FetchAuthSessionOptions, SignInOptions, SignOutOptions, SignUpOptions,
};
use auth::core::config::UserPoolConfig;
use auth::core::machine::reset_password::ResetPasswordStep;
use auth::core::machine::sign_in::{Answer, ConfirmOptions, SignInStep};
use auth::core::machine::sign_up::SignUpStep;
use auth::core::test_util::{
    CONFIRMATION_CODE, FaultResponse, Mfa, Scenario, ScriptedPeer, TOTP_CODE, UserSpec,
};
use auth::core::wire::ErrorKind;
use auth::hub::AuthEvent;
use auth::providers::{
    HttpClient, HttpError, HttpFuture, KeyValueStorage, ManualTimeSource, MemoryStorage,
    ProviderFuture, StorageFuture, TimeSource,
};

/// The scripted peer as an `HttpClient`, answering at the manual clock's time.
#[derive(Debug, Clone)]
struct Scripted {
    peer: Arc<Mutex<ScriptedPeer>>,
    clock: ManualTimeSource,
    offline: Arc<Mutex<bool>>,
}

impl HttpClient for Scripted {
    fn send(&self, request: http::Request<Vec<u8>>) -> HttpFuture<'_> {
        if *self.offline.lock().unwrap() {
            return ProviderFuture::ready(Err(HttpError::connect("offline")));
        }
        let response = self.peer.lock().unwrap().handle(&request, self.clock.now());
        ProviderFuture::ready(Ok(response))
    }
}

impl Scripted {
    fn count(&self, operation: &str) -> usize {
        self.peer
            .lock()
            .unwrap()
            .operations()
            .iter()
            .filter(|op| **op == operation)
            .count()
    }
}

struct Fixture {
    auth: Auth,
    http: Scripted,
    clock: ManualTimeSource,
    storage: MemoryStorage,
    events: Arc<Mutex<Vec<String>>>,
    _listener: auth::hub::Subscription,
}

fn fixture(scenario: Scenario) -> Fixture {
    let config = scenario.config();
    let clock = ManualTimeSource::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000));
    let http = Scripted {
        peer: Arc::new(Mutex::new(ScriptedPeer::new(scenario))),
        clock: clock.clone(),
        offline: Arc::default(),
    };
    let storage = MemoryStorage::new();
    build(config, http, clock, storage, Revision::Counted)
}

/// Whether the `Auth` sees the in-memory storage's revision, or only its values (as with a
/// file or Redis, which another process may write).
#[derive(Clone, Copy, Debug)]
enum Revision {
    Counted,
    Hidden,
}

fn build(
    config: UserPoolConfig,
    http: Scripted,
    clock: ManualTimeSource,
    storage: MemoryStorage,
    revision: Revision,
) -> Fixture {
    let builder = Auth::builder()
        .user_pool(config)
        .http_client(http.clone())
        .time_source(clock.clone());
    let builder = match revision {
        Revision::Counted => builder.storage(storage.clone()),
        Revision::Hidden => builder.storage(CountingReads::new(storage.clone(), revision)),
    };
    let auth = builder.build().unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let source = auth.event_source().clone();
    let listener = auth
        .hub()
        .auth()
        // The global Hub: only this client's events (tests run in parallel).
        .listen_capsules(move |capsule| {
            if capsule.is_from(&source) {
                let event: &AuthEvent = &capsule.payload;
                sink.lock().unwrap().push(event.name().to_owned());
            }
        });
    Fixture {
        auth,
        http,
        clock,
        storage,
        events,
        _listener: listener,
    }
}

fn alice() -> Scenario {
    Scenario::new().with_user(UserSpec::new("alice", "Corr3ct-horse"))
}

fn code(c: &str) -> Answer {
    Answer::Code(c.into())
}

#[tokio::test]
async fn srp_sign_in_stores_tokens_under_amplify_keys_and_emits_signed_in() {
    let f = fixture(alice());
    let out = f
        .auth
        .sign_in("alice", "Corr3ct-horse", SignInOptions::new())
        .await
        .unwrap();
    assert!(out.is_signed_in());
    let client_id = f.auth.user_pool_config().unwrap().client_id().to_owned();
    let last = f
        .storage
        .get(&format!(
            "CognitoIdentityServiceProvider.{client_id}.LastAuthUser"
        ))
        .await
        .unwrap();
    assert_eq!(last.as_deref(), Some("alice"));
    assert!(
        f.storage
            .get(&format!(
                "CognitoIdentityServiceProvider.{client_id}.alice.accessToken"
            ))
            .await
            .unwrap()
            .is_some()
    );
    let user = f.auth.get_current_user().await.unwrap();
    assert_eq!(user.username, "alice");
    assert!(!user.user_id.is_empty());
    assert_eq!(*f.events.lock().unwrap(), ["signedIn"]);
    assert_eq!(
        f.http.count("RespondToAuthChallenge"),
        1,
        "PASSWORD_VERIFIER"
    );
}

#[tokio::test]
async fn sessions_follow_the_storage_when_another_writer_changes_the_tokens() {
    // `fetch_auth_session` reuses the tokens it decoded last time only while nothing was
    // written (the in-memory storage counts its writes) or, for a storage that cannot tell,
    // while the stored LastAuthUser and access token are unchanged: a second Auth on the
    // same storage (another process sharing a store) that refreshes or signs out is seen at
    // once, either way.
    for revision in [Revision::Counted, Revision::Hidden] {
        let storage = MemoryStorage::new();
        let scenario = alice();
        let config = scenario.config();
        let clock =
            ManualTimeSource::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000));
        let http = Scripted {
            peer: Arc::new(Mutex::new(ScriptedPeer::new(scenario))),
            clock: clock.clone(),
            offline: Arc::default(),
        };
        let f = build(config.clone(), http, clock, storage.clone(), revision);
        f.auth
            .sign_in("alice", "Corr3ct-horse", SignInOptions::new())
            .await
            .unwrap();
        let first = f.auth.fetch_auth_session(Default::default()).await.unwrap();
        let first = first.tokens.unwrap();
        // An unrelated write: the tokens decoded before are still the stored ones.
        storage.set("unrelated", "value").await.unwrap();
        let again = f.auth.fetch_auth_session(Default::default()).await.unwrap();
        assert_eq!(
            again.tokens.unwrap().access_token,
            first.access_token,
            "{revision:?}"
        );

        let other = build(
            config,
            f.http.clone(),
            f.clock.clone(),
            storage.clone(),
            revision,
        );
        f.clock.advance(Duration::from_secs(60));
        let refreshed = other
            .auth
            .fetch_auth_session(FetchAuthSessionOptions::default().force_refresh(true))
            .await
            .unwrap()
            .tokens
            .unwrap();
        assert_ne!(refreshed.access_token, first.access_token);
        let seen = f.auth.fetch_auth_session(Default::default()).await.unwrap();
        assert_eq!(
            seen.tokens.unwrap().access_token,
            refreshed.access_token,
            "{revision:?}"
        );

        other.auth.sign_out(SignOutOptions::default()).await;
        let seen = f.auth.fetch_auth_session(Default::default()).await.unwrap();
        assert!(
            seen.tokens.is_none(),
            "signed out by the other writer, {revision:?}"
        );
    }
}

/// Counts the reads that reach the in-memory storage; forwards its revision or hides it.
#[derive(Debug, Clone)]
struct CountingReads {
    inner: MemoryStorage,
    reads: Arc<std::sync::atomic::AtomicUsize>,
    revision: Revision,
}

impl CountingReads {
    fn new(inner: MemoryStorage, revision: Revision) -> Self {
        Self {
            inner,
            reads: Arc::default(),
            revision,
        }
    }
    fn reads(&self) -> usize {
        self.reads.load(std::sync::atomic::Ordering::SeqCst)
    }
    fn count(&self) {
        self.reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl KeyValueStorage for CountingReads {
    fn get(&self, key: &str) -> StorageFuture<'_, Option<String>> {
        self.count();
        self.inner.get(key)
    }
    fn set(&self, key: &str, value: &str) -> StorageFuture<'_, ()> {
        self.inner.set(key, value)
    }
    fn remove(&self, key: &str) -> StorageFuture<'_, ()> {
        self.inner.remove(key)
    }
    fn clear(&self) -> StorageFuture<'_, ()> {
        self.inner.clear()
    }
    fn value_equals<'a>(&'a self, key: &str, expected: &'a str) -> StorageFuture<'a, bool> {
        self.count();
        self.inner.value_equals(key, expected)
    }
    fn revision(&self) -> Option<u64> {
        match self.revision {
            Revision::Counted => self.inner.revision(),
            Revision::Hidden => None,
        }
    }
}

#[tokio::test]
async fn an_unchanged_store_is_not_read_again_while_its_revision_stands() {
    let scenario = alice();
    let config = scenario.config();
    let clock = ManualTimeSource::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000));
    let storage = CountingReads::new(MemoryStorage::new(), Revision::Counted);
    let auth = Auth::builder()
        .user_pool(config)
        .http_client(Scripted {
            peer: Arc::new(Mutex::new(ScriptedPeer::new(scenario))),
            clock: clock.clone(),
            offline: Arc::default(),
        })
        .time_source(clock)
        .storage(storage.clone())
        .build()
        .unwrap();
    auth.sign_in("alice", "Corr3ct-horse", SignInOptions::new())
        .await
        .unwrap();
    let first = auth.fetch_auth_session(Default::default()).await.unwrap();
    let reads = storage.reads();
    for _ in 0..10 {
        let session = auth.fetch_auth_session(Default::default()).await.unwrap();
        assert_eq!(
            session.tokens.unwrap().access_token,
            first.tokens.as_ref().unwrap().access_token
        );
    }
    assert_eq!(storage.reads(), reads, "nothing written, nothing read");
    // One write, whatever it is, and the next call checks the store again (two comparisons).
    storage.set("unrelated", "value").await.unwrap();
    auth.fetch_auth_session(Default::default()).await.unwrap();
    assert_eq!(storage.reads(), reads + 2);
    auth.fetch_auth_session(Default::default()).await.unwrap();
    assert_eq!(
        storage.reads(),
        reads + 2,
        "the comparison proved the revision"
    );
}

#[tokio::test]
async fn a_second_sign_in_while_signed_in_is_refused() {
    let f = fixture(alice());
    f.auth
        .sign_in("alice", "Corr3ct-horse", SignInOptions::new())
        .await
        .unwrap();
    let err = f
        .auth
        .sign_in("alice", "Corr3ct-horse", SignInOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, AuthError::UserAlreadyAuthenticated),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_wrong_password_is_a_typed_not_authorized_error() {
    let f = fixture(alice());
    let err = f
        .auth
        .sign_in("alice", "wrong-pass", SignInOptions::new())
        .await
        .unwrap_err();
    assert_eq!(
        err.service_kind(),
        Some(&ErrorKind::NotAuthorized),
        "{err:?}"
    );
    assert!(f.auth.get_current_user().await.is_err());
}

#[tokio::test]
async fn totp_sign_in_answers_the_step_and_a_wrong_code_may_be_retried() {
    let f = fixture(
        Scenario::new().with_user(UserSpec::new("alice", "Corr3ct-horse").with_mfa(Mfa::Totp)),
    );
    let out = f
        .auth
        .sign_in("alice", "Corr3ct-horse", SignInOptions::new())
        .await
        .unwrap();
    assert_eq!(out.next_step(), Some(&SignInStep::ConfirmWithTotpCode));
    let err = f
        .auth
        .confirm_sign_in(code("000000"), ConfirmOptions::default())
        .await
        .unwrap_err();
    assert_eq!(
        err.service_kind(),
        Some(&ErrorKind::CodeMismatch),
        "{err:?}"
    );
    let out = f
        .auth
        .confirm_sign_in(code(TOTP_CODE), ConfirmOptions::default())
        .await
        .unwrap();
    assert!(out.is_signed_in());
}

#[tokio::test]
async fn an_answer_lost_offline_may_be_given_again_to_the_same_client() {
    let f = fixture(
        Scenario::new().with_user(UserSpec::new("alice", "Corr3ct-horse").with_mfa(Mfa::Totp)),
    );
    f.auth
        .sign_in("alice", "Corr3ct-horse", SignInOptions::new())
        .await
        .unwrap();
    *f.http.offline.lock().unwrap() = true;
    let err = f
        .auth
        .confirm_sign_in(code(TOTP_CODE), ConfirmOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::Transport { .. }), "{err:?}");
    *f.http.offline.lock().unwrap() = false;
    // The machine went back to its step: the same answer signs in, without a restore.
    let out = f
        .auth
        .confirm_sign_in(code(TOTP_CODE), ConfirmOptions::default())
        .await
        .unwrap();
    assert!(out.is_signed_in());
}

#[tokio::test]
async fn a_pending_sign_in_survives_a_restart() {
    let scenario =
        Scenario::new().with_user(UserSpec::new("alice", "Corr3ct-horse").with_mfa(Mfa::Totp));
    let f = fixture(scenario.clone());
    f.auth
        .sign_in("alice", "Corr3ct-horse", SignInOptions::new())
        .await
        .unwrap();
    // A new process: same storage and peer, a fresh Auth.
    let restarted = build(
        scenario.config(),
        f.http.clone(),
        f.clock.clone(),
        f.storage.clone(),
        Revision::Counted,
    );
    f.clock.advance(Duration::from_secs(60));
    let out = restarted
        .auth
        .confirm_sign_in(code(TOTP_CODE), ConfirmOptions::default())
        .await
        .unwrap();
    assert!(out.is_signed_in());
    // The pending sign-in is gone once used.
    let err = restarted
        .auth
        .confirm_sign_in(code(TOTP_CODE), ConfirmOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::NoPendingSignIn), "{err:?}");
}

#[tokio::test]
async fn a_pending_sign_in_expires_with_its_session() {
    let f = fixture(
        Scenario::new().with_user(UserSpec::new("alice", "Corr3ct-horse").with_mfa(Mfa::Totp)),
    );
    f.auth
        .sign_in("alice", "Corr3ct-horse", SignInOptions::new())
        .await
        .unwrap();
    f.clock.advance(Duration::from_secs(181));
    let err = f
        .auth
        .confirm_sign_in(code(TOTP_CODE), ConfirmOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::Flow { .. }), "{err:?}");
    assert_eq!(
        f.http.count("RespondToAuthChallenge"),
        1,
        "nothing sent after expiry"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_concurrent_sessions_with_expired_tokens_make_one_refresh() {
    let f = fixture(alice());
    f.auth
        .sign_in("alice", "Corr3ct-horse", SignInOptions::new())
        .await
        .unwrap();
    f.clock.advance(Duration::from_secs(2 * 3600));
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let auth = f.auth.clone();
            tokio::spawn(async move {
                auth.fetch_auth_session(FetchAuthSessionOptions::default())
                    .await
            })
        })
        .collect();
    let now = f.clock.now();
    for task in tasks {
        let session = task.await.unwrap().unwrap();
        assert!(!session.tokens.unwrap().is_expired(now));
    }
    assert_eq!(f.http.count("GetTokensFromRefreshToken"), 1);
    assert_eq!(*f.events.lock().unwrap(), ["signedIn", "tokenRefresh"]);
}

#[tokio::test]
async fn a_revoked_refresh_token_clears_the_tokens_and_emits_the_failure() {
    let f = fixture(alice());
    f.auth
        .sign_in("alice", "Corr3ct-horse", SignInOptions::new())
        .await
        .unwrap();
    f.http.peer.lock().unwrap().fail_next(FaultResponse::error(
        "NotAuthorizedException",
        "Refresh Token has been revoked",
    ));
    let session = f
        .auth
        .fetch_auth_session(FetchAuthSessionOptions::default().force_refresh(true))
        .await
        .unwrap();
    assert!(session.tokens.is_none());
    assert!(matches!(
        f.auth.get_current_user().await,
        Err(AuthError::NotSignedIn)
    ));
    assert_eq!(
        *f.events.lock().unwrap(),
        ["signedIn", "tokenRefresh_failure"]
    );
}

#[tokio::test]
async fn transient_refresh_failures_keep_the_tokens() {
    let f = fixture(alice());
    f.auth
        .sign_in("alice", "Corr3ct-horse", SignInOptions::new())
        .await
        .unwrap();
    f.clock.advance(Duration::from_secs(2 * 3600));
    f.http
        .peer
        .lock()
        .unwrap()
        .fail_next(FaultResponse::Html503);
    let err = f
        .auth
        .fetch_auth_session(Default::default())
        .await
        .unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    *f.http.offline.lock().unwrap() = true;
    let err = f
        .auth
        .fetch_auth_session(Default::default())
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::Transport { .. }), "{err:?}");
    assert_eq!(f.auth.get_current_user().await.unwrap().username, "alice");
    *f.http.offline.lock().unwrap() = false;
    let session = f.auth.fetch_auth_session(Default::default()).await.unwrap();
    assert!(session.tokens.is_some());
    assert_eq!(
        *f.events.lock().unwrap(),
        [
            "signedIn",
            "tokenRefresh_failure",
            "tokenRefresh_failure",
            "tokenRefresh"
        ]
    );
}

#[tokio::test]
async fn sign_out_clears_local_state_even_when_the_network_fails() {
    let f = fixture(alice());
    f.auth
        .sign_in("alice", "Corr3ct-horse", SignInOptions::new())
        .await
        .unwrap();
    *f.http.offline.lock().unwrap() = true;
    let outcome = f.auth.sign_out(SignOutOptions::global()).await;
    assert!(!outcome.is_complete());
    assert!(outcome.global_sign_out_error.is_some());
    assert!(
        outcome.revoke_token_error.is_some(),
        "origin_jti: RevokeToken is tried"
    );
    assert!(matches!(
        f.auth.get_current_user().await,
        Err(AuthError::NotSignedIn)
    ));
    assert_eq!(*f.events.lock().unwrap(), ["signedIn", "signedOut"]);
    // Signed out, a new sign-in is allowed.
    *f.http.offline.lock().unwrap() = false;
    assert!(
        f.auth
            .sign_in("alice", "Corr3ct-horse", SignInOptions::new())
            .await
            .unwrap()
            .is_signed_in()
    );
}

#[tokio::test]
async fn sign_up_confirm_and_auto_sign_in() {
    let f = fixture(Scenario::new());
    let out = f
        .auth
        .sign_up(
            "bob",
            "Corr3ct-horse",
            SignUpOptions::new()
                .user_attribute("email", "bob@example.com")
                .auto_sign_in(true),
        )
        .await
        .unwrap();
    assert!(matches!(out.next_step, SignUpStep::ConfirmSignUp { .. }));
    assert!(!out.is_sign_up_complete());
    let out = f
        .auth
        .confirm_sign_up("bob", CONFIRMATION_CODE, Default::default())
        .await
        .unwrap();
    assert_eq!(out.next_step, SignUpStep::CompleteAutoSignIn);
    let out = f.auth.auto_sign_in().await.unwrap();
    assert!(out.is_signed_in(), "{out:?}");
    assert_eq!(f.auth.get_current_user().await.unwrap().username, "bob");
}

#[tokio::test]
async fn reset_password_then_sign_in_with_the_new_one() {
    let f = fixture(alice());
    let step = f
        .auth
        .reset_password("alice", Default::default())
        .await
        .unwrap();
    assert!(matches!(step, ResetPasswordStep::ConfirmWithCode { .. }));
    f.auth
        .confirm_reset_password(
            "alice",
            "N3w-password!",
            CONFIRMATION_CODE,
            Default::default(),
        )
        .await
        .unwrap();
    let out = f
        .auth
        .sign_in("alice", "N3w-password!", SignInOptions::new())
        .await
        .unwrap();
    assert!(out.is_signed_in());
}

#[tokio::test]
async fn debug_output_holds_no_token() {
    let f = fixture(alice());
    f.auth
        .sign_in("alice", "Corr3ct-horse", SignInOptions::new())
        .await
        .unwrap();
    let session = f.auth.fetch_auth_session(Default::default()).await.unwrap();
    let access = session
        .tokens
        .as_ref()
        .unwrap()
        .access_token
        .as_str()
        .to_owned();
    assert!(!format!("{session:?}").contains(&access));
    assert!(!format!("{:?}", f.auth).contains(&access));
}

#[tokio::test]
async fn a_new_device_is_remembered_used_next_time_and_kept_at_sign_out() {
    let f = fixture(alice().with_device_tracking(false));
    f.auth
        .sign_in("alice", "Corr3ct-horse", SignInOptions::new())
        .await
        .unwrap();
    assert_eq!(f.http.count("ConfirmDevice"), 1);
    let client_id = f.auth.user_pool_config().unwrap().client_id().to_owned();
    let device_key = format!("CognitoIdentityServiceProvider.{client_id}.alice.deviceKey");
    let stored = f.storage.get(&device_key).await.unwrap();
    assert!(stored.is_some());
    f.auth.sign_out(SignOutOptions::default()).await;
    assert_eq!(
        f.storage.get(&device_key).await.unwrap(),
        stored,
        "device keys are kept"
    );
    f.auth
        .sign_in("alice", "Corr3ct-horse", SignInOptions::new())
        .await
        .unwrap();
    let operations = f.http.peer.lock().unwrap().requests().to_vec();
    let device_srp = operations.iter().any(|r| {
        r.operation == "RespondToAuthChallenge" && r.body["ChallengeName"] == "DEVICE_SRP_AUTH"
    });
    assert!(device_srp, "the remembered device signs in with device SRP");
}

#[tokio::test]
async fn custom_token_and_credentials_providers_replace_the_defaults() {
    use auth::core::tokens::{AuthTokens, Jwt};
    use auth::providers::{
        AwsCredentials, CredentialsAndIdentityId, IdentityId, StaticCredentialsProvider,
        StaticTokenProvider,
    };
    use base64::Engine as _;
    let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    let access = Jwt::decode(format!(
        "{}.{}.c2ln",
        b64(br#"{"alg":"RS256"}"#),
        b64(br#"{"sub":"byo-1","username":"byo","exp":9999999999}"#)
    ))
    .unwrap();
    let tokens = AuthTokens::new(access, SystemTime::UNIX_EPOCH);
    let credentials = CredentialsAndIdentityId::new(
        AwsCredentials::new("AKIDBYO", "secret", None, None),
        Some(IdentityId::new("us-east-1:byo")),
    );
    // With a user pool configured or, providers being configuration enough, without one.
    for user_pool in [Some(alice().config()), None] {
        let has_pool = user_pool.is_some();
        let mut builder = Auth::builder();
        builder.set_user_pool(user_pool);
        let auth = builder
            .token_provider(StaticTokenProvider::new(Some(tokens.clone())))
            .credentials_provider(StaticCredentialsProvider::new(credentials.clone()))
            .build()
            .unwrap();
        let session = auth.fetch_auth_session(Default::default()).await.unwrap();
        assert_eq!(session.tokens.unwrap().username, "byo");
        assert_eq!(session.user_sub.as_deref(), Some("byo-1"));
        assert_eq!(session.credentials.unwrap().access_key_id(), "AKIDBYO");
        assert_eq!(session.identity_id.unwrap().as_str(), "us-east-1:byo");
        assert!(auth.aws_credentials_provider().is_ok());
        if !has_pool {
            let err = auth
                .sign_in("alice", "Corr3ct-horse", SignInOptions::new())
                .await
                .unwrap_err();
            assert!(matches!(err, AuthError::NotConfigured(_)), "{err:?}");
        }
    }
    // A credentials provider alone: guest-style sessions without tokens.
    let auth = Auth::builder()
        .credentials_provider(StaticCredentialsProvider::new(credentials))
        .build()
        .unwrap();
    let session = auth.fetch_auth_session(Default::default()).await.unwrap();
    assert!(session.tokens.is_none());
    assert_eq!(session.credentials.unwrap().access_key_id(), "AKIDBYO");
}

#[tokio::test]
async fn a_supplied_hub_carries_the_events() {
    let hub = auth::hub::Hub::new();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let _sub = hub
        .auth()
        .listen(move |e: &AuthEvent| sink.lock().unwrap().push(e.name().to_owned()));
    let f = fixture(alice());
    let auth = Auth::builder()
        .user_pool(alice().config())
        .http_client(f.http.clone())
        .time_source(f.clock.clone())
        .hub(hub.clone())
        .build()
        .unwrap();
    auth.sign_in("alice", "Corr3ct-horse", SignInOptions::new())
        .await
        .unwrap();
    auth.sign_out(SignOutOptions::default()).await;
    assert_eq!(*events.lock().unwrap(), ["signedIn", "signedOut"]);
    // The app cannot dispatch auth events on it: the client holds the dispatcher.
    assert!(hub.take_auth_dispatcher().is_none());
}

#[tokio::test]
async fn account_calls_without_a_signed_in_user_are_refused_without_a_request() {
    let f = fixture(alice());
    let err = f.auth.fetch_user_attributes().await.unwrap_err();
    assert!(matches!(err, AuthError::NotSignedIn), "{err:?}");
    let err = f.auth.update_password("a", "b").await.unwrap_err();
    assert!(matches!(err, AuthError::NotSignedIn), "{err:?}");
    let err = f
        .auth
        .confirm_sign_in(code(TOTP_CODE), ConfirmOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::NoPendingSignIn), "{err:?}");
    assert!(f.http.peer.lock().unwrap().requests().is_empty());
}
