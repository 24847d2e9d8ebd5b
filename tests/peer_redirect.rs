//! Sign-in with redirect end to end against a real OAuth server (`cargo xtask peers up`).
//!
//! The `oidc-cognito` peer is panva's oidc-provider (a certified OpenID Provider) configured
//! as a user pool's managed-login domain: Cognito's endpoint paths (`/oauth2/authorize`,
//! `/oauth2/token`, `/logout`), so the client runs on its default paths; JWT access tokens with
//! `username`; `identity_provider=Google` logs in `Google_<login_hint>` as Cognito names
//! federated users. What it fakes: there is no real Google behind `identity_provider`, and its
//! login is headless (`GET /interaction/<uid>` logs in `login_hint`, `deny` declines), so the
//! "browser" here is an HTTP client with a cookie jar that follows redirects. The PKCE check,
//! code single use, state echo, token signing and the redirect URI checks are the real server's.
#![cfg(feature = "client")]

#[path = "support/peers.rs"]
#[allow(
    unreachable_pub,
    reason = "the shared locator serves every crate's peer tests"
)]
mod peers;

use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use auth::Auth;
use auth::client::{
    AuthError, FetchAuthSessionOptions, OpenUrl, Provider, RedirectError,
    SignInWithRedirectOptions, SignInWithRedirectOutput, SignOutOptions, open_url_fn,
};
use auth::core::config::{OAuthConfig, UserPoolConfig};
use auth::core::oauth::AuthorizationError;
use auth::hub::AuthEvent;
use auth::providers::{KeyValueStorage, MemoryStorage};

const CLIENT: &str = "native-app";

fn user_pool() -> UserPoolConfig {
    UserPoolConfig::builder()
        .pool_id("us-east-1_Redirect")
        .client_id(CLIENT)
        // Nothing here calls the Cognito API; a stray call would reach the peer and fail.
        .endpoint(peers::oidc_cognito())
        .build()
        .unwrap()
}

/// The peer as the pool's domain. The loopback URIs have no port: the listener takes a free
/// one, which the peer's native client accepts on loopback (RFC 8252 §7.3).
fn oauth() -> OAuthConfig {
    OAuthConfig::builder()
        .domain(peers::oidc_cognito())
        .scopes([
            "openid",
            "email",
            "profile",
            "aws.cognito.signin.user.admin",
        ])
        .redirect_sign_in("http://127.0.0.1/callback")
        .redirect_sign_out("http://127.0.0.1/logout")
        .build()
        .unwrap()
}

fn client(storage: &MemoryStorage, hook: impl OpenUrl + 'static) -> Auth {
    Auth::builder()
        .user_pool(user_pool())
        .oauth(oauth())
        .storage(storage.clone())
        .open_url(hook)
        .build()
        .unwrap()
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

fn names(events: &Mutex<Vec<AuthEvent>>) -> Vec<&'static str> {
    events.lock().unwrap().iter().map(AuthEvent::name).collect()
}

fn failure_name(events: &Mutex<Vec<AuthEvent>>) -> String {
    match events.lock().unwrap().last() {
        Some(AuthEvent::SignInWithRedirectFailure { error }) => error.name.clone(),
        other => panic!("the last event is not a failure: {other:?}"),
    }
}

fn param(url: &str, name: &str) -> Option<String> {
    let url = reqwest::Url::parse(url).unwrap();
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn browser(follow: bool) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(if follow {
            reqwest::redirect::Policy::limited(20)
        } else {
            reqwest::redirect::Policy::none()
        })
        .build()
        .unwrap()
}

/// The headless "browser": follows every redirect from the managed login to the loopback
/// listener, and records the URLs it was asked to open.
fn headless(opened: Arc<Mutex<Vec<String>>>) -> impl OpenUrl {
    open_url_fn(move |url: String| {
        opened.lock().unwrap().push(url.clone());
        async move {
            let response = browser(true)
                .get(url)
                .send()
                .await
                .map_err(std::io::Error::other)?;
            if response.status().is_success() {
                Ok(())
            } else {
                Err(std::io::Error::other(format!(
                    "the browser ended at {}",
                    response.status()
                )))
            }
        }
    })
}

/// Follows the managed login's redirects until one goes to `prefix`, and returns that
/// redirect's URL without requesting it (what the OS hands to the app for a custom scheme).
async fn redirect_to(url: &str, prefix: &str) -> String {
    let browser = browser(false);
    let mut url = reqwest::Url::parse(url).unwrap();
    for _ in 0..20 {
        let response = browser.get(url.clone()).send().await.unwrap();
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .unwrap_or_else(|| panic!("no redirect from {url}: {}", response.status()))
            .to_str()
            .unwrap()
            .to_owned();
        if location.starts_with(prefix) {
            return location;
        }
        url = url.join(&location).unwrap();
    }
    panic!("the managed login never redirected to {prefix}");
}

fn assert_nothing_stored(storage: &MemoryStorage) {
    assert!(
        storage.is_empty(),
        "{} keys are left in the storage",
        storage.len()
    );
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn a_headless_login_signs_in_through_the_loopback_listener() {
    let storage = MemoryStorage::new();
    let opened = Arc::new(Mutex::new(Vec::new()));
    let auth = client(&storage, headless(Arc::clone(&opened)));
    let (events, _sub) = events(&auth);

    let output = auth
        .sign_in_with_redirect(
            SignInWithRedirectOptions::new()
                .provider(Provider::Google)
                .login_hint("alice")
                .custom_state("/orders/42?tab=open")
                .nonce("nonce-1")
                .lang("fr"),
        )
        .await
        .unwrap();

    // The user Cognito would name for a Google login.
    let SignInWithRedirectOutput::SignedIn(user) = output else {
        panic!("{output:?}");
    };
    assert_eq!(user.username, "Google_alice");
    let url = opened.lock().unwrap()[0].clone();
    assert!(url.starts_with(&format!("{}/oauth2/authorize?", peers::oidc_cognito())));
    assert_eq!(param(&url, "identity_provider").as_deref(), Some("Google"));
    assert_eq!(
        param(&url, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert_eq!(param(&url, "lang").as_deref(), Some("fr"));
    let redirect = param(&url, "redirect_uri").unwrap();
    assert!(redirect.starts_with("http://127.0.0.1:"), "{redirect}");
    assert!(!redirect.starts_with("http://127.0.0.1:0/"), "{redirect}");

    // Amplify's order, with the custom state decoded.
    assert_eq!(
        names(&events),
        ["customOAuthState", "signInWithRedirect", "signedIn"]
    );
    assert_eq!(
        events.lock().unwrap()[0],
        AuthEvent::CustomOAuthState {
            state: "/orders/42?tab=open".into()
        }
    );

    // Tokens under Amplify's keys; the in-flight state is gone; a session works.
    let key = |k: &str| format!("CognitoIdentityServiceProvider.{CLIENT}.{k}");
    assert_eq!(
        storage.get(&key("LastAuthUser")).await.unwrap().as_deref(),
        Some("Google_alice")
    );
    assert!(
        storage
            .get(&key("Google_alice.refreshToken"))
            .await
            .unwrap()
            .is_some()
    );
    for gone in [
        "inflightOAuth",
        "oauthState",
        "oauthPKCE",
        "authRs.oauthRedirect",
    ] {
        assert_eq!(storage.get(&key(gone)).await.unwrap(), None, "{gone}");
    }
    assert_eq!(
        storage.get(&key("oauthSignIn")).await.unwrap().as_deref(),
        Some("true,false")
    );
    let session = auth
        .fetch_auth_session(FetchAuthSessionOptions::default())
        .await
        .unwrap();
    let tokens = session.tokens.unwrap();
    assert_eq!(tokens.username, "Google_alice");
    assert_eq!(
        tokens.id_token.unwrap().claims().other["nonce"],
        serde_json::json!("nonce-1")
    );
    assert_eq!(
        auth.get_current_user().await.unwrap().username,
        "Google_alice"
    );

    // Signed in: a second sign-in is refused, and nothing is dispatched for it.
    let again = auth
        .sign_in_with_redirect(SignInWithRedirectOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(again, AuthError::UserAlreadyAuthenticated),
        "{again:?}"
    );
    assert_eq!(events.lock().unwrap().len(), 3);
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn a_forged_state_is_refused_and_the_code_is_not_exchanged() {
    let storage = MemoryStorage::new();
    // The real login runs; the redirect's state is replaced before it reaches the listener.
    let hook = open_url_fn(|url: String| async move {
        let listener = param(&url, "redirect_uri").unwrap();
        let real = redirect_to(&url, &listener).await;
        let mut forged = reqwest::Url::parse(&real).unwrap();
        let pairs: Vec<(String, String)> = forged
            .query_pairs()
            .map(|(k, v)| {
                let v = if k == "state" {
                    "forged".into()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        forged.query_pairs_mut().clear().extend_pairs(pairs);
        reqwest::get(forged).await.map_err(std::io::Error::other)?;
        Ok(())
    });
    let auth = client(&storage, hook);
    let (events, _sub) = events(&auth);

    let error = auth
        .sign_in_with_redirect(SignInWithRedirectOptions::new())
        .await
        .unwrap_err();

    assert!(
        matches!(
            error.redirect_error(),
            Some(RedirectError::Authorization(
                AuthorizationError::StateMismatch
            ))
        ),
        "{error:?}"
    );
    assert_eq!(names(&events), ["signInWithRedirect_failure"]);
    assert_eq!(failure_name(&events), "StateMismatch");
    assert_nothing_stored(&storage);
    assert!(auth.get_current_user().await.is_err());
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn a_declined_login_is_a_cancellation() {
    let storage = MemoryStorage::new();
    let auth = client(&storage, headless(Arc::default()));
    let (events, _sub) = events(&auth);

    // The peer's login page declines for `deny`: `error=access_denied` in the redirect.
    let error = auth
        .sign_in_with_redirect(SignInWithRedirectOptions::new().login_hint("deny"))
        .await
        .unwrap_err();

    let redirect = error.redirect_error().unwrap();
    assert!(redirect.is_cancelled(), "{error:?}");
    assert!(
        matches!(redirect, RedirectError::Authorization(AuthorizationError::Cancelled { description: Some(d) }) if d == "the user declined"),
        "{redirect:?}"
    );
    assert_eq!(names(&events), ["signInWithRedirect_failure"]);
    assert_eq!(failure_name(&events), "Cancelled");
    assert_nothing_stored(&storage);
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn a_user_who_never_comes_back_times_out_and_the_listener_closes() {
    let storage = MemoryStorage::new();
    let opened = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&opened);
    // The browser opens and the user walks away: the hook never returns.
    let hook = open_url_fn(move |url: String| {
        log.lock().unwrap().push(url);
        std::future::pending::<std::io::Result<()>>()
    });
    let auth = client(&storage, hook);
    let (events, _sub) = events(&auth);

    let started = Instant::now();
    let error = auth
        .sign_in_with_redirect(SignInWithRedirectOptions::new().timeout(Duration::from_secs(1)))
        .await
        .unwrap_err();

    assert!(
        matches!(error.redirect_error(), Some(RedirectError::Timeout)),
        "{error:?}"
    );
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(failure_name(&events), "Timeout");
    assert_nothing_stored(&storage);
    let redirect = param(&opened.lock().unwrap()[0], "redirect_uri").unwrap();
    let port = reqwest::Url::parse(&redirect).unwrap().port().unwrap();
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "the listener on {port} is still open"
    );
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn a_second_concurrent_sign_in_is_refused_and_the_first_completes() {
    let storage = MemoryStorage::new();
    let (opened_tx, opened_rx) = tokio::sync::oneshot::channel::<()>();
    let (release_tx, release_rx) = tokio::sync::oneshot::channel::<()>();
    let gates = Arc::new(Mutex::new(Some((opened_tx, release_rx))));
    // The first browser opens, then waits until the test lets the user log in.
    let hook = open_url_fn(move |url: String| {
        let gate = gates.lock().unwrap().take();
        async move {
            if let Some((opened, release)) = gate {
                let _ = opened.send(());
                let _ = release.await;
            }
            let response = browser(true)
                .get(url)
                .send()
                .await
                .map_err(std::io::Error::other)?;
            response
                .error_for_status()
                .map(drop)
                .map_err(std::io::Error::other)
        }
    });
    let auth = client(&storage, hook);
    let (events, _sub) = events(&auth);

    let first = tokio::spawn({
        let auth = auth.clone();
        async move {
            auth.sign_in_with_redirect(SignInWithRedirectOptions::new().login_hint("carol"))
                .await
        }
    });
    opened_rx.await.unwrap();
    let second = auth
        .sign_in_with_redirect(SignInWithRedirectOptions::new().login_hint("mallory"))
        .await
        .unwrap_err();
    assert!(
        matches!(second.redirect_error(), Some(RedirectError::InProgress)),
        "{second:?}"
    );
    // The refusal is not dispatched: listeners would take it for the first one's failure.
    assert!(names(&events).is_empty());

    release_tx.send(()).unwrap();
    let first = first.await.unwrap().unwrap();
    assert!(first.is_signed_in(), "{first:?}");
    assert_eq!(auth.get_current_user().await.unwrap().username, "carol");
    assert_eq!(names(&events), ["signInWithRedirect", "signedIn"]);
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn a_custom_scheme_redirect_completes_after_a_restart() {
    const SCHEME_URI: &str = "com.example.app:/callback";
    let storage = MemoryStorage::new();
    let (delivered_tx, mut delivered) = tokio::sync::mpsc::unbounded_channel::<String>();
    // The login runs in the browser; the OS then hands `com.example.app:/callback?…` to the app.
    let hook = open_url_fn(move |url: String| {
        let delivered_tx = delivered_tx.clone();
        async move {
            let redirect = redirect_to(&url, SCHEME_URI).await;
            delivered_tx.send(redirect).map_err(std::io::Error::other)
        }
    });
    let before = client(&storage, hook);
    let output = before
        .sign_in_with_redirect(
            SignInWithRedirectOptions::new()
                .redirect_uri(SCHEME_URI)
                .custom_state("after-restart")
                .login_hint("dave"),
        )
        .await
        .unwrap();
    assert_eq!(
        output,
        SignInWithRedirectOutput::AwaitingRedirect {
            redirect_uri: SCHEME_URI.into()
        }
    );
    let url = delivered.recv().await.unwrap();
    drop(before);

    // A new process: a new `Auth` over the same storage.
    let after = client(&storage, headless(Arc::default()));
    let (events, _sub) = events(&after);
    let unrelated = after
        .handle_redirect("com.example.app:/settings?tab=1")
        .await
        .unwrap_err();
    assert!(
        matches!(
            unrelated.redirect_error(),
            Some(RedirectError::NotForThisSignIn)
        ),
        "{unrelated:?}"
    );
    assert!(names(&events).is_empty());

    let user = after.handle_redirect(&url).await.unwrap();
    assert_eq!(user.username, "dave");
    assert_eq!(
        names(&events),
        ["customOAuthState", "signInWithRedirect", "signedIn"]
    );
    assert!(
        after
            .fetch_auth_session(FetchAuthSessionOptions::default())
            .await
            .unwrap()
            .tokens
            .is_some()
    );

    // The same redirect again: nothing is in flight any more.
    after.sign_out(SignOutOptions::default()).await;
    let replay = after.handle_redirect(&url).await.unwrap_err();
    assert!(
        matches!(replay.redirect_error(), Some(RedirectError::NoneInProgress)),
        "{replay:?}"
    );
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn sign_out_with_redirect_ends_the_managed_login_session_then_clears_locally() {
    let storage = MemoryStorage::new();
    let opened = Arc::new(Mutex::new(Vec::new()));
    let auth = client(&storage, headless(Arc::clone(&opened)));
    auth.sign_in_with_redirect(SignInWithRedirectOptions::new().login_hint("erin"))
        .await
        .unwrap();
    let (events, _sub) = events(&auth);

    let outcome = auth
        .sign_out(SignOutOptions::default().with_redirect(true))
        .await;

    assert!(outcome.is_complete(), "{outcome:?}");
    let logout = opened.lock().unwrap()[1].clone();
    assert!(logout.starts_with(&format!("{}/logout?", peers::oidc_cognito())));
    assert_eq!(param(&logout, "client_id").as_deref(), Some(CLIENT));
    let logout_uri = param(&logout, "logout_uri").unwrap();
    assert!(logout_uri.starts_with("http://127.0.0.1:"), "{logout_uri}");
    assert!(logout_uri.ends_with("/logout"), "{logout_uri}");
    assert_eq!(names(&events), ["signedOut"]);
    assert!(auth.get_current_user().await.is_err());
    assert_nothing_stored(&storage);
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn sign_out_with_redirect_clears_locally_even_when_the_browser_fails() {
    let storage = MemoryStorage::new();
    let fail_next = Arc::new(Mutex::new(false));
    let flag = Arc::clone(&fail_next);
    let inner = Arc::new(headless(Arc::default()));
    let hook = open_url_fn(move |url: String| {
        let fail = *flag.lock().unwrap();
        let inner = Arc::clone(&inner);
        async move {
            if fail {
                return Err(std::io::Error::other("no browser on this machine"));
            }
            inner.open_url(&url).await
        }
    });
    let auth = client(&storage, hook);
    auth.sign_in_with_redirect(SignInWithRedirectOptions::new())
        .await
        .unwrap();
    *fail_next.lock().unwrap() = true;

    let outcome = auth
        .sign_out(SignOutOptions::default().with_redirect(true))
        .await;

    assert!(
        matches!(
            outcome
                .redirect_error
                .as_ref()
                .and_then(AuthError::redirect_error),
            Some(RedirectError::Browser(_))
        ),
        "{outcome:?}"
    );
    assert!(auth.get_current_user().await.is_err());
    assert_nothing_stored(&storage);
}
