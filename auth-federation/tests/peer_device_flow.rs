//! The device authorization grant (RFC 8628) against the real oidc-provider: the client
//! starts the flow for `native-app` and polls while a headless "user" opens the verification
//! URI, confirms the code, passes the provider's interaction (login as alice and consent,
//! finished without a browser by xtask/assets/oidc-provider.mjs) and either approves or
//! aborts. oidc-provider sends no `interval`, so the client polls every 5 seconds (the
//! RFC's default) and each test takes about that long.
#![cfg(feature = "oidc")]

#[path = "../../tests/support/peers.rs"]
mod peers;

#[path = "../../tests/support/device_user.rs"]
mod device_user;
use device_user::{title, user_at_the_verification_uri};

use std::time::{Duration, Instant};

use auth_core::oauth::TokenEndpointError;
use auth_federation::oidc::{DeviceAuthorization, OidcClient, OidcConfig, OidcError, OidcSession};
use auth_providers::{ReqwestHttpClient, TokenOptions, TokenProvider as _};

async fn oidc_client() -> OidcClient {
    let config = OidcConfig::builder()
        .issuer(peers::oidc())
        .client_id("native-app")
        .scope("email")
        .build()
        .unwrap();
    OidcClient::discover(config, ReqwestHttpClient::builder().build().unwrap())
        .await
        .unwrap()
}

/// The user at the verification URI the client showed.
async fn user_at(authorization: &DeviceAuthorization, approve: bool) -> device_user::Page {
    let complete = authorization
        .verification_uri_complete
        .as_deref()
        .expect("oidc-provider sends verification_uri_complete");
    assert!(complete.starts_with(&authorization.verification_uri));
    user_at_the_verification_uri(complete, &authorization.user_code, approve).await
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn device_login_at_oidc_provider_yields_verified_tokens_for_alice() {
    let session = OidcSession::new(oidc_client().await);
    let (shown, to_user) = tokio::sync::oneshot::channel::<DeviceAuthorization>();
    let user = tokio::spawn(async move {
        let authorization = to_user.await.unwrap();
        // The user reads the code while the client's first poll sees authorization_pending.
        tokio::time::sleep(Duration::from_millis(500)).await;
        user_at(&authorization, true).await
    });

    let started = Instant::now();
    let tokens = tokio::time::timeout(
        Duration::from_secs(30),
        session.login_with_device(|authorization| {
            assert!(
                authorization.verification_uri.starts_with(&peers::oidc()),
                "{authorization:?}"
            );
            assert_eq!(authorization.interval, Duration::from_secs(5));
            shown.send(authorization.clone()).unwrap();
        }),
    )
    .await
    .expect("the client stopped polling")
    .unwrap();
    let last = user.await.unwrap();
    assert_eq!(title(&last), "Sign-in Success", "{}", last.url);
    // At least one authorization_pending, then the 5 s interval, then the tokens.
    assert!(started.elapsed() >= Duration::from_secs(5));

    assert_eq!(tokens.id_token.subject(), "alice");
    assert_eq!(
        auth_federation::logins::id_token_key(tokens.id_token.jwt()).unwrap(),
        auth_federation::logins::issuer_key(&peers::oidc())
    );
    assert!(!tokens.access_token.expose().is_empty());
    assert!(tokens.refresh_token.is_some(), "offline_access was granted");

    // The session serves them as a TokenProvider, and the device's refresh token works.
    let current = session
        .tokens(TokenOptions::default())
        .await
        .unwrap()
        .expect("a signed-in session");
    assert_eq!(current.username, "alice");
    let refreshed = session
        .current_tokens(true)
        .await
        .unwrap()
        .expect("still signed in");
    assert_eq!(refreshed.id_token.subject(), "alice");
    assert_ne!(
        refreshed.access_token.expose(),
        tokens.access_token.expose(),
        "the refresh did not reach the provider"
    );
}

#[tokio::test]
#[ignore = "needs peers: cargo xtask peers up"]
async fn device_login_aborted_by_the_user_ends_with_access_denied() {
    let client = oidc_client().await;
    let authorization = client.start_device_authorization().await.unwrap();
    let poll = tokio::spawn({
        let client = client.clone();
        let authorization = authorization.clone();
        async move { client.poll_device_authorization(&authorization).await }
    });
    let last = user_at(&authorization, false).await;
    assert!(
        last.body.contains("interrupted"),
        "the provider did not show the aborted page: {}",
        last.body
    );
    let error = tokio::time::timeout(Duration::from_secs(30), poll)
        .await
        .expect("the client stopped polling")
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(&error, OidcError::TokenEndpoint(TokenEndpointError::OAuth { error, .. }) if error == "access_denied"),
        "{error:?}"
    );
}
