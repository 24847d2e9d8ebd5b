//! `Auth` when Cognito goes away: each test runs its own moto server process (Python from the
//! peers' venv, `cargo xtask peers up`) and kills it in the middle of a flow.
//!
//! What moto fakes and what these tests therefore prove: moto keeps everything in memory, so a
//! moto restarted on the same port knows none of the pools, users or sessions of the first
//! one. An answer sent after the restart does reach a Cognito again; it proves the client
//! turns that Cognito's refusal into a typed error and a clean state, not that a real Cognito
//! would accept the answer (a real outage keeps the session for its 3 minutes).
#![cfg(feature = "client")]

#[path = "support/peers.rs"]
#[allow(
    unreachable_pub,
    reason = "the shared locator serves every crate's peer tests"
)]
mod peers;

#[path = "support/moto.rs"]
mod moto;
use moto::{PASSWORD, idp_at, unique, user, user_pool_at};

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use auth::Auth;
use auth::client::{AuthError, FetchAuthSessionOptions, SignInOptions};
use auth::core::config::UserPoolConfig;
use auth::core::machine::Recovery;
use auth::core::machine::session::RefreshMethod;
use auth::core::machine::sign_in::{Answer, ConfirmOptions, SignInFlow, SignInStep};
use auth::core::wire::ErrorKind;
use auth::hub::{AuthEvent, Subscription};
use auth::providers::{KeyValueStorage, MemoryStorage};
use serde_json::json;

/// A moto server process of this test's own, killed (and reaped) when dropped.
struct PrivateMoto {
    child: Option<Child>,
    port: u16,
}

impl PrivateMoto {
    /// Starts moto on a free port, with the settings of the `moto` peer (TOTP codes checked;
    /// see xtask/src/peers.rs).
    async fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Self::start_on(port).await
    }

    async fn start_on(port: u16) -> Self {
        let child = Command::new(peers::python())
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .env("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto with the peers' Python (run `cargo xtask peers up`)");
        let mut moto = Self {
            child: Some(child),
            port,
        };
        moto.wait_until_it_answers().await;
        moto
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Polls moto's admin endpoint: a process that is starting has nothing to await.
    async fn wait_until_it_answers(&mut self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(response) = client.get(format!("{}/moto-api/", self.url())).send().await
                && response.status().as_u16() < 500
            {
                return;
            }
            let exited = self.child.as_mut().unwrap().try_wait().unwrap();
            assert!(exited.is_none(), "moto exited while starting: {exited:?}");
            assert!(Instant::now() < deadline, "moto did not answer within 60 s");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Kills moto and waits until the process is gone (its port then refuses connections).
    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// A new moto on the same port: the same URL, none of the state.
    async fn restart(&mut self) {
        self.stop();
        *self = Self::start_on(self.port).await;
    }
}

impl Drop for PrivateMoto {
    fn drop(&mut self) {
        self.stop();
    }
}

fn events(auth: &Auth) -> (Arc<Mutex<Vec<AuthEvent>>>, Subscription) {
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

fn names(events: &Mutex<Vec<AuthEvent>>) -> Vec<&'static str> {
    events.lock().unwrap().iter().map(AuthEvent::name).collect()
}

/// `CognitoIdentityServiceProvider.<clientId>.authRs.pendingSignIn` (docs/client-sign-in.md).
fn pending_key(config: &UserPoolConfig) -> String {
    format!(
        "CognitoIdentityServiceProvider.{}.authRs.pendingSignIn",
        config.client_id()
    )
}

/// The stored tokens, under Amplify's keys.
async fn stored_tokens(
    storage: &MemoryStorage,
    config: &UserPoolConfig,
    username: &str,
) -> Vec<Option<String>> {
    let prefix = format!("CognitoIdentityServiceProvider.{}", config.client_id());
    let mut values = vec![
        storage
            .get(&format!("{prefix}.LastAuthUser"))
            .await
            .unwrap(),
    ];
    for key in ["accessToken", "idToken", "refreshToken", "clockDrift"] {
        values.push(
            storage
                .get(&format!("{prefix}.{username}.{key}"))
                .await
                .unwrap(),
        );
    }
    values
}

fn new_password() -> Answer {
    Answer::NewPassword {
        password: PASSWORD.into(),
        attributes: Default::default(),
    }
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn moto_stopped_mid_sign_in_keeps_the_pending_sign_in_until_cognito_answers() {
    let mut moto = PrivateMoto::start().await;
    let config = user_pool_at(&moto.url()).await;
    let username = unique("admin");
    idp_at(
        &moto.url(),
        "AdminCreateUser",
        &json!({"UserPoolId": config.pool_id(), "Username": username,
                "TemporaryPassword": "Temp-passw0rd!", "MessageAction": "SUPPRESS"}),
    )
    .await;
    let storage = MemoryStorage::new();
    let auth = Auth::builder()
        .user_pool(config.clone())
        .storage(storage.clone())
        .build()
        .unwrap();
    let (events, _sub) = events(&auth);

    // USER_PASSWORD_AUTH: moto checks the temporary password and asks for a new one.
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
    let pending = storage.get(&pending_key(&config)).await.unwrap();
    assert!(pending.is_some(), "the step is persisted");

    moto.stop();
    for _ in 0..2 {
        // The answer gets no response: a typed network error, and the same answer may be
        // sent again (twice here), because the pending sign-in is kept as it was.
        let err = auth
            .confirm_sign_in(new_password(), ConfirmOptions::default())
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                AuthError::Transport {
                    operation: "confirm_sign_in",
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.is_transient());
        assert_eq!(storage.get(&pending_key(&config)).await.unwrap(), pending);
        assert!(matches!(
            auth.get_current_user().await,
            Err(AuthError::NotSignedIn)
        ));
    }

    // Cognito is back, but this one never saw the pool (moto's state is in memory): the answer
    // reaches it and is refused with a typed Cognito error, which ends the sign-in.
    moto.restart().await;
    let err = auth
        .confirm_sign_in(new_password(), ConfirmOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            AuthError::Flow {
                operation: "confirm_sign_in",
                ..
            }
        ),
        "{err:?}"
    );
    // moto: ResourceNotFoundException for the app client it does not know.
    assert_eq!(
        err.service_kind(),
        Some(&ErrorKind::ResourceNotFound),
        "{err:?}"
    );
    assert_eq!(err.recovery(), Some(Recovery::StartOver));
    assert!(!err.is_transient());
    assert_eq!(storage.get(&pending_key(&config)).await.unwrap(), None);
    let err = auth
        .confirm_sign_in(new_password(), ConfirmOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::NoPendingSignIn), "{err:?}");
    assert!(matches!(
        auth.get_current_user().await,
        Err(AuthError::NotSignedIn)
    ));
    assert!(names(&events).is_empty(), "{:?}", names(&events));
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn moto_stopped_before_a_forced_refresh_keeps_the_tokens() {
    let mut moto = PrivateMoto::start().await;
    let config = user_pool_at(&moto.url()).await;
    let username = user(&config).await;
    let storage = MemoryStorage::new();
    let auth = Auth::builder()
        .user_pool(config.clone())
        .storage(storage.clone())
        // moto has no GetTokensFromRefreshToken; this is the request Amplify JS sends.
        .refresh_method(RefreshMethod::RefreshTokenAuth)
        .build()
        .unwrap();
    let out = auth
        .sign_in(&username, PASSWORD, SignInOptions::new())
        .await
        .unwrap();
    assert!(out.is_signed_in(), "{out:?}");
    let before = stored_tokens(&storage, &config, &username).await;
    assert!(before.iter().all(Option::is_some), "tokens stored");
    let (events, _sub) = events(&auth);

    moto.stop();
    let err = auth
        .fetch_auth_session(FetchAuthSessionOptions::default().force_refresh(true))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            AuthError::Transport {
                operation: "refresh_tokens",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_transient());
    assert_eq!(stored_tokens(&storage, &config, &username).await, before);
    assert_eq!(auth.get_current_user().await.unwrap().username, username);
    assert_eq!(names(&events), ["tokenRefresh_failure"]);

    // Without forcing, the stored (still valid) tokens are served while moto is down.
    let session = auth.fetch_auth_session(Default::default()).await.unwrap();
    assert_eq!(session.tokens.unwrap().username, username);
    assert_eq!(names(&events), ["tokenRefresh_failure"], "no signedOut");
}
